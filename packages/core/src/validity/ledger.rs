//! The validity rollup's ledger: accounts keyed by Jubjub keys in the Poseidon tree,
//! deposits from the contract's queue, signed transfers and withdrawals, the batch data
//! the contract receives, the statement whose hash is the proof's public input, and the
//! witness the circuit consumes.
//!
//! The spending and crediting rules are the optimistic ledger's own
//! ([`crate::ledger::debit`], [`crate::ledger::credit`]); the circuit in `settle-zk` is
//! tested against this module (a batch this ledger accepts is exactly a satisfiable one).
//!
//! Unlike the optimistic rollup, an invalid transaction is not a no-op: no proof exists for
//! a batch that holds one, so the operator leaves it out ([`Ledger::check_tx`] says why).
//! A deposit cannot fail: the contract only queues deposits that will credit (see
//! `contracts/validity-rollup`).

use alloc::format;
use alloc::vec::Vec;
use ark_ff::Zero;

use super::eddsa::{PublicKey, Signature};
use super::field::{pack, Fr};
use super::poseidon::{Domain, Poseidon};
use super::tree::{self, Path, Tree};
use crate::error::Error;
use crate::ledger::{credit, debit, NoOp, Withdrawal};

/// Longest L1 recipient address a withdrawal carries (canonical address bytes).
pub const MAX_RECIPIENT_LEN: usize = 32;

/// Whether a withdrawal may pay a recipient of `len` canonical address bytes: 20 or 32,
/// the optimistic rollup's rule ([`crate::tx::RECIPIENT_LENS`]) and the only lengths a
/// chain's `addr_humanize` turns back into an address the bank can pay.
pub fn recipient_len_ok(len: usize) -> bool {
    crate::tx::RECIPIENT_LENS.contains(&len)
}

/// Slot kinds in the batch data.
pub const KIND_PADDING: u8 = 0;
pub const KIND_TRANSFER: u8 = 1;
pub const KIND_WITHDRAW: u8 = 2;

/// Field elements per transaction slot in the data commitment.
pub const SLOT_ELEMENTS: usize = 2;

/// One account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub key: PublicKey,
    pub balance: u128,
    pub nonce: u64,
}

impl Account {
    /// `Poseidon_Leaf(x, y, balance | nonce << 128)`.
    pub fn leaf(&self, hasher: &Poseidon) -> Fr {
        let (x, y) = self.key.coordinates();
        hasher.hash(
            Domain::Leaf,
            &[x, y, balance_nonce(self.balance, self.nonce)],
        )
    }
}

/// `balance | nonce << 128`: the leaf's third element.
pub fn balance_nonce(balance: u128, nonce: u64) -> Fr {
    pack(&[(balance, 128), (nonce as u128, 64)])
}

/// `Poseidon_State(accounts root, account count)`.
pub fn state_root(hasher: &Poseidon, accounts_root: &Fr, count: u64) -> Fr {
    hasher.hash(Domain::State, &[*accounts_root, Fr::from(count)])
}

/// An entry of the contract's priority queue: a deposit, or an exit request. A batch
/// consumes the queue in order, so the operator must serve both within its deadline.
///
/// An exit request ([`Deposit::Exit`]) is a full exit asked for on L1 with a signature of
/// the account's key ([`exit_request_message`]): the batch that consumes it withdraws the
/// account's whole balance (leaving its key and nonce), posts the amount in its data
/// ([`BatchData::exits`]) and the contract credits it to the recipient the request named.
/// An operator that leaves a user's withdrawals out of its batches cannot keep the user's
/// money: the user asks on L1, and a batch serves the request or exodus starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deposit {
    /// Opens the next account with this key.
    NewAccount { key: PublicKey, amount: u128 },
    /// Credits an existing account.
    Credit { account: u32, amount: u128 },
    /// Withdraws an existing account's whole balance (an L1 exit request).
    Exit { account: u32 },
}

/// Flag bit (of `c`) of a new-account deposit.
pub const NEW_ACCOUNT_FLAG: u32 = 128;
/// Flag bit (of `c`) of an exit request.
pub const EXIT_FLAG: u32 = 129;

impl Deposit {
    /// What the entry brings into L2 (zero for an exit request).
    pub fn amount(&self) -> u128 {
        match self {
            Deposit::NewAccount { amount, .. } | Deposit::Credit { amount, .. } => *amount,
            Deposit::Exit { .. } => 0,
        }
    }

    /// Whether the entry is an exit request.
    pub fn is_exit(&self) -> bool {
        matches!(self, Deposit::Exit { .. })
    }

    /// `(a, b, c)`: `(x, y, amount + 2^128)` for a new account, `(index, 0, amount)` for a
    /// credit, `(index, 0, 2^129)` for an exit request. The flags keep the kinds apart.
    pub fn elements(&self) -> [Fr; 3] {
        match self {
            Deposit::NewAccount { key, amount } => {
                let (x, y) = key.coordinates();
                [x, y, pack(&[(*amount, 128), (1, 1)])]
            }
            Deposit::Credit { account, amount } => {
                [Fr::from(*account as u64), Fr::zero(), Fr::from(*amount)]
            }
            Deposit::Exit { account } => [
                Fr::from(*account as u64),
                Fr::zero(),
                pack(&[(0, 128), (0, 1), (1, 1)]),
            ],
        }
    }

    /// The next head of the deposit chain: `Poseidon_Deposit(head, a, b, c)`. The chain
    /// starts at zero.
    pub fn chain(&self, hasher: &Poseidon, head: &Fr) -> Fr {
        let [a, b, c] = self.elements();
        hasher.hash(Domain::Deposit, &[*head, a, b, c])
    }
}

/// What a transaction does (what the batch data carries; the nonce and the signature stay
/// with the prover).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxBody {
    Transfer {
        from: u32,
        to: u32,
        amount: u128,
    },
    Withdraw {
        from: u32,
        amount: u128,
        /// Canonical L1 address bytes, 20 or 32 of them ([`recipient_len_ok`]).
        recipient: Vec<u8>,
    },
}

impl TxBody {
    pub fn from(&self) -> u32 {
        match self {
            TxBody::Transfer { from, .. } | TxBody::Withdraw { from, .. } => *from,
        }
    }

    pub fn amount(&self) -> u128 {
        match self {
            TxBody::Transfer { amount, .. } | TxBody::Withdraw { amount, .. } => *amount,
        }
    }

    pub fn kind(&self) -> u8 {
        match self {
            TxBody::Transfer { .. } => KIND_TRANSFER,
            TxBody::Withdraw { .. } => KIND_WITHDRAW,
        }
    }

    /// The slot's two elements (of a body that passes [`TxBody::shape_noop`]):
    /// `e0 = kind | from << 8 | to << 40 | amount << 72 | len << 200 | r[31] << 208` and
    /// `e1 = r[0..31]` (big-endian), where `r` is the recipient zero-padded to 32 bytes
    /// (`to`, `len` and `r` are zero for a transfer's unused parts).
    pub fn slot(&self) -> [Fr; SLOT_ELEMENTS] {
        let (to, padded, len) = match self {
            TxBody::Transfer { to, .. } => (*to, [0u8; 32], 0usize),
            TxBody::Withdraw { recipient, .. } => {
                // A longer recipient makes the body invalid ([`TxBody::shape_noop`]); it
                // is cut here only so that this function is total.
                let len = recipient.len().min(MAX_RECIPIENT_LEN);
                let mut padded = [0u8; 32];
                padded[..len].copy_from_slice(&recipient[..len]);
                (0, padded, len)
            }
        };
        let e0 = pack(&[
            (self.kind() as u128, 8),
            (self.from() as u128, 32),
            (to as u128, 32),
            (self.amount(), 128),
            (len as u128, 8),
            (padded[31] as u128, 8),
        ]);
        let mut hi = [0u8; 32];
        hi[1..].copy_from_slice(&padded[..31]);
        let e1 = <Fr as ark_ff::PrimeField>::from_be_bytes_mod_order(&hi);
        [e0, e1]
    }

    /// What the sender's key signs: `Poseidon_TxMessage(domain, e0, e1, nonce)`.
    pub fn message(&self, hasher: &Poseidon, domain: &Fr, nonce: u64) -> Fr {
        let [e0, e1] = self.slot();
        hasher.hash(Domain::TxMessage, &[*domain, e0, e1, Fr::from(nonce)])
    }

    /// Why a body can never be in a batch, if it cannot: an account index outside the
    /// tree, or a withdrawal recipient of neither 20 nor 32 bytes.
    pub fn shape_noop(&self) -> Option<NoOp> {
        let outside = |i: u32| (i as u64) >= tree::CAPACITY;
        match self {
            TxBody::Transfer { from, to, .. } => {
                if outside(*from) {
                    return Some(NoOp::UnknownAccount { index: *from });
                }
                if outside(*to) {
                    return Some(NoOp::UnknownAccount { index: *to });
                }
            }
            TxBody::Withdraw {
                from, recipient, ..
            } => {
                if outside(*from) {
                    return Some(NoOp::UnknownAccount { index: *from });
                }
                if !recipient_len_ok(recipient.len()) {
                    return Some(NoOp::Undecodable(crate::codec::DecodeError::BadLength(
                        recipient.len().min(255) as u8,
                    )));
                }
            }
        }
        None
    }

    fn check_shape(&self) -> Result<(), Error> {
        let index_ok = |i: u32| (i as u64) < tree::CAPACITY;
        let ok = match self {
            TxBody::Transfer { from, to, .. } => index_ok(*from) && index_ok(*to),
            TxBody::Withdraw {
                from, recipient, ..
            } => {
                if !recipient_len_ok(recipient.len()) {
                    return Err(Error::malformed(
                        "withdrawal",
                        format!("recipient of {} bytes (20 or 32)", recipient.len()),
                    ));
                }
                index_ok(*from)
            }
        };
        if !ok {
            return Err(Error::malformed(
                "transaction",
                format!("account index at or above {}", tree::CAPACITY),
            ));
        }
        Ok(())
    }
}

/// A signed transaction as the prover holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tx {
    pub body: TxBody,
    pub nonce: u64,
    pub signature: Signature,
}

impl Tx {
    /// Signs `body` with `key` at `nonce`.
    pub fn sign(
        hasher: &Poseidon,
        domain: &Fr,
        body: TxBody,
        nonce: u64,
        key: &super::eddsa::SecretKey,
    ) -> Self {
        let signature = key.sign(&body.message(hasher, domain, nonce));
        Tx {
            body,
            nonce,
            signature,
        }
    }
}

/// The batch data posted on chain: the transactions' bodies in order, and the amounts of
/// the exit requests the batch serves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchData {
    pub txs: Vec<TxBody>,
    /// The amount each exit request ([`Deposit::Exit`]) among the consumed queue entries
    /// withdrew (the account's whole balance), in queue order.
    pub exits: Vec<u128>,
}

impl BatchData {
    /// `count (2 BE)`, then per transaction `kind (1) || from (4 BE)` and
    /// `to (4 BE) || amount (16 BE)` for a transfer or
    /// `amount (16 BE) || len (1) || recipient (len)` for a withdrawal; then
    /// `exit count (2 BE)` and each exit's `amount (16 BE)`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.txs.len() * 25 + self.exits.len() * 16);
        out.extend_from_slice(&(self.txs.len() as u16).to_be_bytes());
        for tx in &self.txs {
            out.push(tx.kind());
            out.extend_from_slice(&tx.from().to_be_bytes());
            match tx {
                TxBody::Transfer { to, amount, .. } => {
                    out.extend_from_slice(&to.to_be_bytes());
                    out.extend_from_slice(&amount.to_be_bytes());
                }
                TxBody::Withdraw {
                    amount, recipient, ..
                } => {
                    out.extend_from_slice(&amount.to_be_bytes());
                    out.push(recipient.len() as u8);
                    out.extend_from_slice(recipient);
                }
            }
        }
        out.extend_from_slice(&(self.exits.len() as u16).to_be_bytes());
        for amount in &self.exits {
            out.extend_from_slice(&amount.to_be_bytes());
        }
        out
    }

    /// Strict inverse of [`BatchData::encode`]: exact lengths, known kinds, indices inside
    /// the tree, recipients of 20 or 32 bytes, nothing left over.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let mut r = Reader { bytes, at: 0 };
        let count = u16::from_be_bytes(r.take::<2>()?) as usize;
        let mut txs = Vec::with_capacity(count.min(bytes.len() / 25));
        for i in 0..count {
            let kind = r.take::<1>()?[0];
            let from = u32::from_be_bytes(r.take::<4>()?);
            let body = match kind {
                KIND_TRANSFER => {
                    let to = u32::from_be_bytes(r.take::<4>()?);
                    let amount = u128::from_be_bytes(r.take::<16>()?);
                    TxBody::Transfer { from, to, amount }
                }
                KIND_WITHDRAW => {
                    let amount = u128::from_be_bytes(r.take::<16>()?);
                    let len = r.take::<1>()?[0] as usize;
                    if !recipient_len_ok(len) {
                        return Err(Error::malformed(
                            "batch data",
                            format!("transaction {i}: recipient of {len} bytes (20 or 32)"),
                        ));
                    }
                    let recipient = r.slice(len)?.to_vec();
                    TxBody::Withdraw {
                        from,
                        amount,
                        recipient,
                    }
                }
                other => {
                    return Err(Error::malformed(
                        "batch data",
                        format!("transaction {i} has unknown kind {other}"),
                    ))
                }
            };
            body.check_shape()
                .map_err(|e| Error::malformed("batch data", format!("transaction {i}: {e}")))?;
            txs.push(body);
        }
        let count = u16::from_be_bytes(r.take::<2>()?) as usize;
        let mut exits = Vec::with_capacity(count.min(bytes.len() / 16));
        for _ in 0..count {
            exits.push(u128::from_be_bytes(r.take::<16>()?));
        }
        if r.at != bytes.len() {
            return Err(Error::malformed(
                "batch data",
                format!("{} bytes after the last exit", bytes.len() - r.at),
            ));
        }
        Ok(BatchData { txs, exits })
    }

    /// The data commitment for a circuit of `shape`: Poseidon over every transaction
    /// slot's elements (unused slots as zeros), then one element per deposit slot: the
    /// amount an exit request withdrew, zero for a deposit or an unused slot.
    /// `exit_slots[i]` says whether the `i`-th queue entry the batch consumes is an exit
    /// request; refused when the data holds more transactions than the circuit has slots,
    /// more entries are consumed than it has deposit slots, or the exits posted do not
    /// match the exit requests consumed.
    pub fn commitment(
        &self,
        hasher: &Poseidon,
        shape: Shape,
        exit_slots: &[bool],
    ) -> Result<Fr, Error> {
        if self.txs.len() > shape.txs || exit_slots.len() > shape.deposits {
            return Err(Error::malformed(
                "batch",
                format!(
                    "{} transactions and {} queue entries do not fit a circuit of {} and {}",
                    self.txs.len(),
                    exit_slots.len(),
                    shape.txs,
                    shape.deposits
                ),
            ));
        }
        let requested = exit_slots.iter().filter(|e| **e).count();
        if requested != self.exits.len() {
            return Err(Error::malformed(
                "batch data",
                format!(
                    "{} exit amounts for the {requested} exit requests the batch consumes",
                    self.exits.len()
                ),
            ));
        }
        let mut elements = Vec::with_capacity(shape.txs * SLOT_ELEMENTS + shape.deposits);
        for tx in &self.txs {
            elements.extend_from_slice(&tx.slot());
        }
        elements.resize(shape.txs * SLOT_ELEMENTS, Fr::zero());
        let mut exits = self.exits.iter();
        for is_exit in exit_slots {
            let amount = if *is_exit {
                exits.next().copied().unwrap_or_default()
            } else {
                0
            };
            elements.push(Fr::from(amount));
        }
        elements.resize(shape.txs * SLOT_ELEMENTS + shape.deposits, Fr::zero());
        Ok(hasher.hash(Domain::Data, &elements))
    }

    /// The withdrawals the transactions make, in order (the exits are paid to the
    /// recipients their L1 requests named).
    pub fn withdrawals(&self) -> Vec<Withdrawal> {
        self.txs
            .iter()
            .filter_map(|tx| match tx {
                TxBody::Withdraw {
                    amount, recipient, ..
                } => Some(Withdrawal {
                    recipient: recipient.clone(),
                    amount: *amount,
                }),
                TxBody::Transfer { .. } => None,
            })
            .collect()
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn slice(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let Some(end) = end else {
            return Err(Error::malformed(
                "batch data",
                format!("truncated at byte {}", self.at),
            ));
        };
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        Ok(self.slice(N)?.try_into().expect("length checked"))
    }
}

/// The rollup's identity inside signatures and statements: `keccak(tag || chain id
/// length (1) || chain id || contract address)` reduced into the field.
pub fn rollup_domain(chain_id: &str, contract: &[u8]) -> Fr {
    use sha3::{Digest, Keccak256};
    let digest = Keccak256::new()
        .chain_update(b"settle/validity/domain")
        .chain_update([chain_id.len().min(255) as u8])
        .chain_update(chain_id.as_bytes())
        .chain_update(contract)
        .finalize();
    <Fr as ark_ff::PrimeField>::from_be_bytes_mod_order(&digest)
}

/// Public inputs of the batch circuit: the statement's one hash
/// ([`Statement::public_input`]).
pub const STATEMENT_INPUTS: usize = 1;

/// Checks (`groth16::check_circuit_key` for [`STATEMENT_INPUTS`] inputs) and prepares a
/// verifying key for the batch circuit: what the contract runs at instantiate and on every
/// key proposal, the browser package's `checkBatchKey` and the tools.
pub fn prepare_batch_key<B: super::groth16::PairingBackend + ?Sized>(
    vk: super::groth16::VerifyingKey,
    backend: &B,
) -> Result<super::groth16::PreparedKey, crate::Error> {
    super::groth16::prepare_circuit_key(vk, STATEMENT_INPUTS, backend)
}

/// What a batch proof proves, all of it fixed by the chain or the posted data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Statement {
    pub domain: Fr,
    pub prev_state_root: Fr,
    pub new_state_root: Fr,
    pub data_commitment: Fr,
    pub deposits_before: Fr,
    pub deposits_after: Fr,
}

impl Statement {
    /// The proof's one public input:
    /// `Poseidon_Statement(domain, prev, new, data, deposits before, deposits after)`.
    pub fn public_input(&self, hasher: &Poseidon) -> Fr {
        hasher.hash(
            Domain::Statement,
            &[
                self.domain,
                self.prev_state_root,
                self.new_state_root,
                self.data_commitment,
                self.deposits_before,
                self.deposits_after,
            ],
        )
    }
}

/// The fixed shape of a circuit: how many deposit and transaction slots a batch has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub deposits: usize,
    pub txs: usize,
}

/// A deposit step as the circuit sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepositStep {
    pub deposit: Deposit,
    /// The account it lands in (a new one: the count before it).
    pub index: u64,
    /// The account before (none for a new one).
    pub before: Option<Account>,
    pub path: Path,
}

/// A transaction step as the circuit sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxStep {
    pub tx: Tx,
    /// The sender before, and its path before the step.
    pub sender: Account,
    pub sender_path: Path,
    /// For a transfer: the recipient after the sender's update, and its path then.
    pub recipient: Option<(Account, Path)>,
}

/// Everything the circuit needs for one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchWitness {
    pub shape: Shape,
    pub statement: Statement,
    pub prev_accounts_root: Fr,
    pub prev_count: u64,
    pub deposits: Vec<DepositStep>,
    pub txs: Vec<TxStep>,
}

/// The operator's full ledger.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    accounts: Vec<Account>,
    tree: Tree,
}

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    pub fn account(&self, index: u32) -> Option<&Account> {
        self.accounts.get(index as usize)
    }

    pub fn accounts_root(&self) -> Fr {
        self.tree.root()
    }

    pub fn state_root(&self) -> Fr {
        state_root(
            self.tree.hasher(),
            &self.tree.root(),
            self.accounts.len() as u64,
        )
    }

    pub fn hasher(&self) -> &Poseidon {
        self.tree.hasher()
    }

    /// The path of account `index` in the current tree (what an exodus exit presents).
    pub fn path(&self, index: u32) -> Result<Path, Error> {
        self.tree.path(index as u64)
    }

    /// First account holding `key`.
    pub fn find(&self, key: &PublicKey) -> Option<u32> {
        self.accounts
            .iter()
            .position(|a| a.key == *key)
            .map(|i| i as u32)
    }

    /// Sum of all balances.
    pub fn total_balance(&self) -> u128 {
        self.accounts.iter().map(|a| a.balance).sum()
    }

    fn write(&mut self, index: u64, account: Account) -> Result<(), Error> {
        let leaf = account.leaf(self.tree.hasher());
        self.tree.set(index, leaf)?;
        if index as usize == self.accounts.len() {
            self.accounts.push(account);
        } else {
            self.accounts[index as usize] = account;
        }
        Ok(())
    }

    /// Applies a deposit; refused (and nothing changes) only for a deposit the contract
    /// would never queue: a full tree, an unknown account or a balance overflow.
    pub fn apply_deposit(&mut self, deposit: &Deposit) -> Result<DepositStep, Error> {
        let refuse = |reason: &str| {
            Err(Error::malformed(
                "deposit",
                alloc::string::String::from(reason),
            ))
        };
        match *deposit {
            Deposit::NewAccount { key, amount } => {
                let index = self.accounts.len() as u64;
                if index >= tree::CAPACITY {
                    return refuse("the account tree is full");
                }
                let path = self.tree.path(index)?;
                self.write(
                    index,
                    Account {
                        key,
                        balance: amount,
                        nonce: 0,
                    },
                )?;
                Ok(DepositStep {
                    deposit: *deposit,
                    index,
                    before: None,
                    path,
                })
            }
            Deposit::Credit { account, amount } => {
                let Some(before) = self.account(account).copied() else {
                    return refuse("no such account");
                };
                let Ok(balance) = credit(before.balance, amount) else {
                    return refuse("the balance would overflow");
                };
                let path = self.tree.path(account as u64)?;
                self.write(account as u64, Account { balance, ..before })?;
                Ok(DepositStep {
                    deposit: *deposit,
                    index: account as u64,
                    before: Some(before),
                    path,
                })
            }
            Deposit::Exit { account } => {
                let Some(before) = self.account(account).copied() else {
                    return refuse("no such account");
                };
                let path = self.tree.path(account as u64)?;
                self.write(
                    account as u64,
                    Account {
                        balance: 0,
                        ..before
                    },
                )?;
                Ok(DepositStep {
                    deposit: *deposit,
                    index: account as u64,
                    before: Some(before),
                    path,
                })
            }
        }
    }

    /// Why `tx` cannot go into a batch now, if it cannot (nothing changes).
    pub fn check_tx(&self, domain: &Fr, tx: &Tx) -> Result<(), NoOp> {
        if let Some(reason) = tx.body.shape_noop() {
            return Err(reason);
        }
        let from = tx.body.from();
        let sender = self
            .account(from)
            .ok_or(NoOp::UnknownAccount { index: from })?;
        let message = tx.body.message(self.hasher(), domain, tx.nonce);
        if !sender.key.verify(&message, &tx.signature) {
            return Err(NoOp::BadSignature);
        }
        let (remaining, _) = debit(sender.balance, sender.nonce, tx.nonce, tx.body.amount())?;
        if let TxBody::Transfer { to, amount, .. } = tx.body {
            let recipient = self.account(to).ok_or(NoOp::UnknownAccount { index: to })?;
            // The recipient is credited after the sender is debited (a self-transfer
            // credits the debited balance back).
            let base = if to == from {
                remaining
            } else {
                recipient.balance
            };
            credit(base, amount)?;
        }
        Ok(())
    }

    /// Applies a valid transaction; an invalid one is refused with its reason and changes
    /// nothing.
    pub fn apply_tx(&mut self, domain: &Fr, tx: &Tx) -> Result<TxStep, Error> {
        if let Some(reason) = self.check_tx(domain, tx).err() {
            return Err(Error::malformed("transaction", format!("{reason}")));
        }
        let (sender, sender_path, recipient) = self.apply_body(&tx.body, tx.nonce)?;
        Ok(TxStep {
            tx: tx.clone(),
            sender,
            sender_path,
            recipient,
        })
    }

    /// The effect of a body already found valid at the sender's `nonce` (by
    /// [`Ledger::check_tx`], or by a batch's proof): the sender debited
    /// ([`crate::ledger::debit`]), then a transfer's recipient credited. Returns the sender
    /// and, for a transfer, the recipient before their updates, each with its path then.
    #[allow(clippy::type_complexity)]
    fn apply_body(
        &mut self,
        body: &TxBody,
        nonce: u64,
    ) -> Result<(Account, Path, Option<(Account, Path)>), Error> {
        body.check_shape()?;
        let refused = |reason: NoOp| Error::malformed("transaction", format!("{reason}"));
        let from = body.from();
        let sender = *self
            .account(from)
            .ok_or(NoOp::UnknownAccount { index: from })
            .map_err(refused)?;
        let sender_path = self.tree.path(from as u64)?;
        let (balance, nonce) =
            debit(sender.balance, sender.nonce, nonce, body.amount()).map_err(refused)?;
        self.write(
            from as u64,
            Account {
                balance,
                nonce,
                ..sender
            },
        )?;
        let recipient = match *body {
            TxBody::Transfer { to, amount, .. } => {
                let before = *self
                    .account(to)
                    .ok_or(NoOp::UnknownAccount { index: to })
                    .map_err(refused)?;
                let path = self.tree.path(to as u64)?;
                let balance = credit(before.balance, amount).map_err(refused)?;
                self.write(to as u64, Account { balance, ..before })?;
                Some((before, path))
            }
            TxBody::Withdraw { .. } => None,
        };
        Ok((sender, sender_path, recipient))
    }

    /// Follows a batch the contract accepted from public data alone: the deposits it
    /// consumed (the contract's `deposit` queries, in queue order) and its posted data (the
    /// `submit_batch` message's `data`). Each transaction is applied at its sender's
    /// current nonce without its signature, which the batch's proof has checked.
    /// `state_root` is the contract's record of the batch (its `batch` query); a ledger
    /// that does not arrive there is an error ([`Error::ReplayMismatch`]) and is left as it
    /// was. This is how any user rebuilds the account tree, and so an exodus exit, without
    /// the operator.
    pub fn replay_batch(
        &mut self,
        deposits: &[Deposit],
        data: &BatchData,
        state_root: &Fr,
    ) -> Result<(), Error> {
        let saved = self.clone();
        let result = self.replay_batch_inner(deposits, data, state_root);
        if result.is_err() {
            *self = saved;
        }
        result
    }

    fn replay_batch_inner(
        &mut self,
        deposits: &[Deposit],
        data: &BatchData,
        state_root: &Fr,
    ) -> Result<(), Error> {
        let mut exits = Vec::new();
        for d in deposits {
            let step = self.apply_deposit(d)?;
            if let (Deposit::Exit { .. }, Some(before)) = (d, step.before) {
                exits.push(before.balance);
            }
        }
        if exits != data.exits {
            return Err(Error::malformed(
                "batch data",
                format!(
                    "exit amounts {:?} where the ledger withdrew {exits:?}",
                    data.exits
                ),
            ));
        }
        for (i, body) in data.txs.iter().enumerate() {
            let nonce = self.account(body.from()).map(|a| a.nonce).unwrap_or(0);
            self.apply_body(body, nonce)
                .map_err(|e| Error::malformed("batch data", format!("transaction {i}: {e}")))?;
        }
        let root = self.state_root();
        if root != *state_root {
            return Err(Error::ReplayMismatch {
                computed: super::field::fr_to_hex(&root),
                expected: super::field::fr_to_hex(state_root),
            });
        }
        Ok(())
    }

    /// Applies a whole batch (deposits first, then transactions) and returns the witness
    /// for the circuit of `shape`, the data to post and the withdrawals it pays. On any
    /// refusal the ledger is left as it was.
    pub fn apply_batch(
        &mut self,
        shape: Shape,
        domain: &Fr,
        deposits_before: &Fr,
        deposits: &[Deposit],
        txs: &[Tx],
    ) -> Result<(BatchWitness, BatchData), Error> {
        if deposits.len() > shape.deposits || txs.len() > shape.txs {
            return Err(Error::malformed(
                "batch",
                format!(
                    "{} deposits and {} transactions do not fit a circuit of {} and {}",
                    deposits.len(),
                    txs.len(),
                    shape.deposits,
                    shape.txs
                ),
            ));
        }
        let saved = self.clone();
        let result = self.apply_batch_inner(shape, domain, deposits_before, deposits, txs);
        if result.is_err() {
            *self = saved;
        }
        result
    }

    fn apply_batch_inner(
        &mut self,
        shape: Shape,
        domain: &Fr,
        deposits_before: &Fr,
        deposits: &[Deposit],
        txs: &[Tx],
    ) -> Result<(BatchWitness, BatchData), Error> {
        let prev_accounts_root = self.accounts_root();
        let prev_count = self.accounts.len() as u64;
        let prev_state_root = self.state_root();
        let mut head = *deposits_before;
        let mut deposit_steps = Vec::with_capacity(deposits.len());
        let mut exits = Vec::new();
        for d in deposits {
            head = d.chain(self.hasher(), &head);
            let step = self.apply_deposit(d)?;
            if let (Deposit::Exit { .. }, Some(before)) = (d, step.before) {
                exits.push(before.balance);
            }
            deposit_steps.push(step);
        }
        let mut tx_steps = Vec::with_capacity(txs.len());
        for (i, tx) in txs.iter().enumerate() {
            let step = self
                .apply_tx(domain, tx)
                .map_err(|e| Error::malformed("batch", format!("transaction {i}: {e}")))?;
            tx_steps.push(step);
        }
        let data = BatchData {
            txs: txs.iter().map(|t| t.body.clone()).collect(),
            exits,
        };
        let exit_slots: Vec<bool> = deposits.iter().map(Deposit::is_exit).collect();
        let data_commitment = data.commitment(self.hasher(), shape, &exit_slots)?;
        let statement = Statement {
            domain: *domain,
            prev_state_root,
            new_state_root: self.state_root(),
            data_commitment,
            deposits_before: *deposits_before,
            deposits_after: head,
        };
        Ok((
            BatchWitness {
                shape,
                statement,
                prev_accounts_root,
                prev_count,
                deposits: deposit_steps,
                txs: tx_steps,
            },
            data,
        ))
    }
}

/// What an account key signs to leave in exodus mode:
/// `Poseidon_Exit(domain, account, e1 of the recipient, len | r[31] << 8)`.
/// Refused for a recipient of neither 20 nor 32 bytes.
pub fn exit_message(
    hasher: &Poseidon,
    domain: &Fr,
    account: u32,
    recipient: &[u8],
) -> Result<Fr, Error> {
    let body = TxBody::Withdraw {
        from: account,
        amount: 0,
        recipient: recipient.to_vec(),
    };
    body.check_shape()?;
    let [e0, e1] = body.slot();
    Ok(hasher.hash(Domain::Exit, &[*domain, e0, e1]))
}

/// What an account key signs to ask on L1 for a full exit ([`Deposit::Exit`]):
/// `Poseidon_ExitRequest(domain, e0, e1)` of a withdrawal body from `account` whose amount
/// field carries `sequence` (the number of exit requests the contract has taken for that
/// account before: a signed request is used once). Refused for a recipient of neither 20
/// nor 32 bytes.
pub fn exit_request_message(
    hasher: &Poseidon,
    domain: &Fr,
    account: u32,
    recipient: &[u8],
    sequence: u64,
) -> Result<Fr, Error> {
    let body = TxBody::Withdraw {
        from: account,
        amount: sequence as u128,
        recipient: recipient.to_vec(),
    };
    body.check_shape()?;
    let [e0, e1] = body.slot();
    Ok(hasher.hash(Domain::ExitRequest, &[*domain, e0, e1]))
}
