//! The L2 ledger and its state transition.
//!
//! The transition is **total and deterministic**: every deposit and every byte string in a
//! batch is a step with a defined effect. An invalid transaction (undecodable bytes, an
//! unknown account, a bad or high-s signature, a wrong nonce, a short balance, an
//! overflow) is a recorded no-op ([`NoOp`]) and never a panic, so any step of any batch can
//! be re-executed on its own in a one-step fraud proof. The only errors are
//! [`Error::MissingWitness`] (a partial state that lacks a touched account) and a full
//! withdrawal tree, which the protocol limits below make impossible on an accepted batch.
//!
//! The rules are written once here, over two small traits, so the same code runs on the
//! operator's full [`Ledger`] and on a witness-backed partial state inside the contract.

use alloc::vec::Vec;

use crate::codec::DecodeError;
use crate::crypto::{is_low_s, Verifier};
use crate::error::Error;
use crate::hash::{hash_leaf, keccak256_concat, Hash, DEPOSIT_TAG, STATE_TAG, ZERO_HASH};
use crate::smt::SparseMerkleTree;
use crate::tx::{signing_hash_of_payload, Domain, SignedTx, TxBody};

/// Depth of the account tree (indexed by account id).
pub const ACCOUNT_TREE_DEPTH: usize = 32;
/// Depth of a batch's withdrawal tree (withdrawals numbered from 0 in execution order).
pub const WITHDRAWAL_TREE_DEPTH: usize = 16;
/// Largest batch a rollup may accept, in bytes of transaction data.
pub const MAX_BATCH_BYTES_LIMIT: u32 = 512 * 1024;
/// Most deposits one batch may consume.
pub const MAX_DEPOSITS_PER_BATCH: u64 = 1024;

// Every withdrawal and every deposit refund of a batch within the limits above fits in its
// withdrawal tree, so "the withdrawal tree is full" cannot happen on an accepted batch.
const _: () = assert!(
    (MAX_BATCH_BYTES_LIMIT as u64 / crate::tx::MIN_TX_LEN as u64) + MAX_DEPOSITS_PER_BATCH
        < 1 << WITHDRAWAL_TREE_DEPTH
);

/// A compressed secp256k1 public key.
pub type PubKey = [u8; 33];

/// One L2 account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub pubkey: PubKey,
    pub balance: u128,
    pub nonce: u64,
}

impl Account {
    /// `pubkey || balance (16 bytes BE) || nonce (8 bytes BE)`.
    pub fn encode(&self) -> [u8; 57] {
        let mut out = [0u8; 57];
        out[..33].copy_from_slice(&self.pubkey);
        out[33..49].copy_from_slice(&self.balance.to_be_bytes());
        out[49..].copy_from_slice(&self.nonce.to_be_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let b: [u8; 57] = crate::error::exact("account", bytes)?;
        Ok(Account {
            pubkey: b[..33].try_into().expect("33"),
            balance: u128::from_be_bytes(b[33..49].try_into().expect("16")),
            nonce: u64::from_be_bytes(b[49..].try_into().expect("8")),
        })
    }

    /// The account's leaf in the account tree. An empty slot is [`ZERO_HASH`].
    pub fn leaf(&self) -> Hash {
        hash_leaf(&self.encode())
    }
}

/// The leaf of an optional account (empty slot = [`ZERO_HASH`]).
pub fn account_leaf(account: Option<&Account>) -> Hash {
    account.map(Account::leaf).unwrap_or(ZERO_HASH)
}

/// Where a deposit goes on L2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositTarget {
    /// Open a new account with this key at the next free index.
    NewAccount(PubKey),
    /// Credit an existing account.
    Account(u32),
}

/// A deposit from the L1 queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deposit {
    /// Position in the queue (0-based).
    pub index: u64,
    pub target: DepositTarget,
    pub amount: u128,
    /// The depositor's canonical L1 address: where a deposit that cannot be credited is
    /// refunded (as a withdrawal).
    pub refund_to: Vec<u8>,
}

impl Deposit {
    /// `index (8 BE) || 0x00 pubkey | 0x01 account (4 BE) || amount (16 BE) || len || refund_to`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.refund_to.len());
        out.extend_from_slice(&self.index.to_be_bytes());
        match &self.target {
            DepositTarget::NewAccount(pk) => {
                out.push(0);
                out.extend_from_slice(pk);
            }
            DepositTarget::Account(i) => {
                out.push(1);
                out.extend_from_slice(&i.to_be_bytes());
            }
        }
        out.extend_from_slice(&self.amount.to_be_bytes());
        out.push(self.refund_to.len().min(255) as u8);
        out.extend_from_slice(&self.refund_to[..self.refund_to.len().min(255)]);
        out
    }

    /// Next head of the deposit queue's hash chain: `keccak(tag || head || encode())`.
    pub fn chain(&self, head: &Hash) -> Hash {
        keccak256_concat(&[DEPOSIT_TAG, head, &self.encode()])
    }
}

/// A withdrawal recorded by a batch, payable on L1 once the batch is final.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    /// Canonical L1 address bytes.
    pub recipient: Vec<u8>,
    pub amount: u128,
}

impl Withdrawal {
    /// Leaf in the batch's withdrawal tree: `H_leaf(amount (16 BE) || recipient)`.
    pub fn leaf(&self) -> Hash {
        crate::hash::keccak256_concat(&[
            &[crate::hash::LEAF_TAG],
            &self.amount.to_be_bytes(),
            &self.recipient,
        ])
    }
}

/// Commitment to the L2 state: `keccak(tag || accounts_root || account_count (8 BE))`.
pub fn state_root(accounts_root: &Hash, account_count: u64) -> Hash {
    keccak256_concat(&[STATE_TAG, accounts_root, &account_count.to_be_bytes()])
}

/// Read and write access to accounts, full or witnessed.
pub trait AccountStore {
    /// Number of accounts opened so far (accounts are numbered `0..count`).
    fn account_count(&self) -> u64;
    /// The account at `index`; `Ok(None)` for an unopened index.
    fn account(&self, index: u32) -> Result<Option<Account>, Error>;
    /// Overwrites an existing account.
    fn update(&mut self, index: u32, account: Account) -> Result<(), Error>;
    /// Opens a new account at index `account_count()`.
    fn open(&mut self, account: Account) -> Result<(), Error>;
}

/// The batch's withdrawals so far.
pub trait WithdrawalSink {
    fn withdrawal_count(&self) -> u64;
    fn push(&mut self, withdrawal: Withdrawal) -> Result<(), Error>;
}

/// Why a transaction changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoOp {
    Undecodable(DecodeError),
    UnknownAccount { index: u32 },
    HighS,
    BadSignature,
    BadNonce { expected: u64, got: u64 },
    NonceExhausted,
    ZeroAmount,
    InsufficientBalance { balance: u128, amount: u128 },
    BalanceOverflow,
    WithdrawalsFull,
}

impl core::fmt::Display for NoOp {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            NoOp::Undecodable(e) => write!(f, "undecodable: {e}"),
            NoOp::UnknownAccount { index } => write!(f, "no account {index}"),
            NoOp::HighS => write!(f, "high-s signature"),
            NoOp::BadSignature => write!(f, "bad signature"),
            NoOp::BadNonce { expected, got } => write!(f, "nonce {got}, expected {expected}"),
            NoOp::NonceExhausted => write!(f, "nonce exhausted"),
            NoOp::ZeroAmount => write!(f, "zero amount"),
            NoOp::InsufficientBalance { balance, amount } => {
                write!(f, "balance {balance} is short of {amount}")
            }
            NoOp::BalanceOverflow => write!(f, "recipient balance would overflow"),
            NoOp::WithdrawalsFull => write!(f, "withdrawal tree of the batch is full"),
        }
    }
}

/// What a transaction step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxEffect {
    Transferred {
        from: u32,
        to: u32,
        amount: u128,
    },
    Withdrew {
        from: u32,
        amount: u128,
        withdrawal_index: u64,
    },
    NoOp(NoOp),
}

/// What a deposit step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepositEffect {
    Opened {
        account: u32,
    },
    Credited {
        account: u32,
    },
    /// Could not be credited (no such account, a balance overflow, the account space is
    /// full): refunded to the depositor as withdrawal `withdrawal_index` of the batch.
    Refunded {
        withdrawal_index: u64,
    },
}

/// Applies one deposit. Deposits always succeed somewhere: credited on L2 or refunded.
pub fn apply_deposit<S: AccountStore, W: WithdrawalSink>(
    accounts: &mut S,
    withdrawals: &mut W,
    deposit: &Deposit,
) -> Result<DepositEffect, Error> {
    match deposit.target {
        DepositTarget::NewAccount(pubkey) => {
            let count = accounts.account_count();
            if count < 1 << ACCOUNT_TREE_DEPTH {
                accounts.open(Account {
                    pubkey,
                    balance: deposit.amount,
                    nonce: 0,
                })?;
                return Ok(DepositEffect::Opened {
                    account: count as u32,
                });
            }
        }
        DepositTarget::Account(index) => {
            if let Some(mut acc) = accounts.account(index)? {
                if let Some(b) = acc.balance.checked_add(deposit.amount) {
                    acc.balance = b;
                    accounts.update(index, acc)?;
                    return Ok(DepositEffect::Credited { account: index });
                }
            }
        }
    }
    let withdrawal_index = withdrawals.withdrawal_count();
    if withdrawal_index >= 1 << WITHDRAWAL_TREE_DEPTH {
        return Err(Error::malformed(
            "batch",
            "withdrawal tree is full (exceeds the protocol limits)",
        ));
    }
    withdrawals.push(Withdrawal {
        recipient: deposit.refund_to.clone(),
        amount: deposit.amount,
    })?;
    Ok(DepositEffect::Refunded { withdrawal_index })
}

/// The spending rule every ledger shares (this one and the validity rollup's, whose circuit
/// is tested against it): a signed spend of `amount` with nonce `tx_nonce` from an account
/// holding `balance` at nonce `nonce` leaves `(balance - amount, nonce + 1)`, or is refused
/// for a nonce other than the account's, an exhausted nonce, a zero amount or a short
/// balance (checked in that order).
pub fn debit(balance: u128, nonce: u64, tx_nonce: u64, amount: u128) -> Result<(u128, u64), NoOp> {
    if tx_nonce != nonce {
        return Err(NoOp::BadNonce {
            expected: nonce,
            got: tx_nonce,
        });
    }
    let next_nonce = nonce.checked_add(1).ok_or(NoOp::NonceExhausted)?;
    if amount == 0 {
        return Err(NoOp::ZeroAmount);
    }
    let remaining = balance
        .checked_sub(amount)
        .ok_or(NoOp::InsufficientBalance { balance, amount })?;
    Ok((remaining, next_nonce))
}

/// The crediting rule every ledger shares: a balance never wraps.
pub fn credit(balance: u128, amount: u128) -> Result<u128, NoOp> {
    balance.checked_add(amount).ok_or(NoOp::BalanceOverflow)
}

/// Applies one encoded transaction (exactly one step's bytes).
pub fn apply_tx<S: AccountStore, W: WithdrawalSink, V: Verifier + ?Sized>(
    accounts: &mut S,
    withdrawals: &mut W,
    domain: &Domain,
    verifier: &V,
    bytes: &[u8],
) -> Result<TxEffect, Error> {
    let tx = match SignedTx::decode(bytes) {
        Ok(tx) => tx,
        Err(e) => return Ok(TxEffect::NoOp(NoOp::Undecodable(e))),
    };
    let from = tx.body.signer();
    let Some(mut sender) = accounts.account(from)? else {
        return Ok(TxEffect::NoOp(NoOp::UnknownAccount { index: from }));
    };
    if !is_low_s(&tx.signature) {
        return Ok(TxEffect::NoOp(NoOp::HighS));
    }
    let hash = signing_hash_of_payload(domain, SignedTx::payload_of(bytes));
    if !verifier.secp256k1_verify(&hash, &tx.signature, &sender.pubkey) {
        return Ok(TxEffect::NoOp(NoOp::BadSignature));
    }
    let amount = tx.body.amount();
    let (remaining, next_nonce) = match debit(sender.balance, sender.nonce, tx.body.nonce(), amount)
    {
        Ok(v) => v,
        Err(reason) => return Ok(TxEffect::NoOp(reason)),
    };
    match tx.body {
        TxBody::Transfer(t) => {
            if t.to == from {
                // A self-transfer only spends the nonce.
                sender.nonce = next_nonce;
                accounts.update(from, sender)?;
            } else {
                let Some(mut recipient) = accounts.account(t.to)? else {
                    return Ok(TxEffect::NoOp(NoOp::UnknownAccount { index: t.to }));
                };
                let credited = match credit(recipient.balance, amount) {
                    Ok(b) => b,
                    Err(reason) => return Ok(TxEffect::NoOp(reason)),
                };
                sender.balance = remaining;
                sender.nonce = next_nonce;
                recipient.balance = credited;
                accounts.update(from, sender)?;
                accounts.update(t.to, recipient)?;
            }
            Ok(TxEffect::Transferred {
                from,
                to: t.to,
                amount,
            })
        }
        TxBody::Withdraw(w) => {
            let withdrawal_index = withdrawals.withdrawal_count();
            if withdrawal_index >= 1 << WITHDRAWAL_TREE_DEPTH {
                return Ok(TxEffect::NoOp(NoOp::WithdrawalsFull));
            }
            sender.balance = remaining;
            sender.nonce = next_nonce;
            accounts.update(from, sender)?;
            withdrawals.push(Withdrawal {
                recipient: w.recipient,
                amount,
            })?;
            Ok(TxEffect::Withdrew {
                from,
                amount,
                withdrawal_index,
            })
        }
    }
}

/// A credit (or an exit request) names an account by index and by key; the index must
/// have been opened (or queued to open) with that key, so a new account queued ahead
/// of the one the depositor meant (a front-runner's) cannot take the credit. Both
/// rollups: the validity rollup's credits and exit requests, the optimistic rollup's
/// `account_with_key` deposits. `opened_with` is the key that
/// opened it, `None` when no new-account deposit for that index is queued yet.
pub fn check_account_key(
    account: u32,
    opened_with: Option<&[u8]>,
    named: &[u8],
    queued_accounts: u64,
) -> Result<(), Error> {
    match opened_with {
        None => Err(Error::malformed(
            "account",
            alloc::format!(
                "no account {account} will exist when this entry is consumed ({queued_accounts} queued)"
            ),
        )),
        Some(key) if key != named => Err(Error::AccountKeyMismatch { account }),
        Some(_) => Ok(()),
    }
}

/// The operator's full ledger: every account and the account tree.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    accounts: Vec<Account>,
    tree: SparseMerkleTree<ACCOUNT_TREE_DEPTH>,
}

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    pub fn accounts_root(&self) -> Hash {
        self.tree.root()
    }

    /// The state commitment that goes into an output root.
    pub fn state_root(&self) -> Hash {
        state_root(&self.accounts_root(), self.accounts.len() as u64)
    }

    /// Index of the first account holding `pubkey`.
    pub fn find(&self, pubkey: &PubKey) -> Option<u32> {
        self.accounts
            .iter()
            .position(|a| &a.pubkey == pubkey)
            .map(|i| i as u32)
    }

    /// A compact proof of account `index` against [`Ledger::accounts_root`].
    pub fn prove(&self, index: u32) -> Result<crate::smt::CompactProof, Error> {
        self.tree.prove(index as u64)
    }

    /// A witness for several accounts (strictly increasing indices).
    pub fn prove_many(&self, indices: &[u64]) -> Result<crate::smt::SparseMultiProof, Error> {
        self.tree.prove_many(indices)
    }

    /// Sum of all balances.
    pub fn total_balance(&self) -> u128 {
        self.accounts.iter().map(|a| a.balance).sum()
    }
}

impl AccountStore for Ledger {
    fn account_count(&self) -> u64 {
        self.accounts.len() as u64
    }

    fn account(&self, index: u32) -> Result<Option<Account>, Error> {
        Ok(self.accounts.get(index as usize).copied())
    }

    fn update(&mut self, index: u32, account: Account) -> Result<(), Error> {
        let slot = self
            .accounts
            .get_mut(index as usize)
            .ok_or(Error::MissingWitness {
                index: index as u64,
            })?;
        *slot = account;
        self.tree.set(index as u64, account.leaf())
    }

    fn open(&mut self, account: Account) -> Result<(), Error> {
        let index = self.accounts.len() as u64;
        self.accounts.push(account);
        self.tree.set(index, account.leaf())
    }
}

/// A batch's withdrawals, kept in full with their tree.
#[derive(Debug, Clone, Default)]
pub struct WithdrawalList {
    pub items: Vec<Withdrawal>,
    tree: SparseMerkleTree<WITHDRAWAL_TREE_DEPTH>,
}

impl WithdrawalList {
    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// A compact proof for withdrawal `index` against [`WithdrawalList::root`].
    pub fn prove(&self, index: u64) -> Result<crate::smt::CompactProof, Error> {
        self.tree.prove(index)
    }
}

impl WithdrawalSink for WithdrawalList {
    fn withdrawal_count(&self) -> u64 {
        self.items.len() as u64
    }

    fn push(&mut self, withdrawal: Withdrawal) -> Result<(), Error> {
        let index = self.items.len() as u64;
        self.tree.set(index, withdrawal.leaf())?;
        self.items.push(withdrawal);
        Ok(())
    }
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::crypto::{L2Key, NativeVerifier};
    use crate::tx::{Transfer, Withdraw};
    use proptest::prelude::*;

    fn domain() -> Domain {
        Domain::new("test-1", "rollup")
    }

    fn setup(n: usize, balance: u128) -> (Ledger, WithdrawalList, Vec<L2Key>) {
        let keys: Vec<L2Key> = (0..n)
            .map(|i| L2Key::from_label(&format!("k{i}")))
            .collect();
        let mut l = Ledger::new();
        let mut w = WithdrawalList::default();
        for (i, k) in keys.iter().enumerate() {
            let d = Deposit {
                index: i as u64,
                target: DepositTarget::NewAccount(k.public_key()),
                amount: balance,
                refund_to: vec![0xaa; 20],
            };
            assert_eq!(
                apply_deposit(&mut l, &mut w, &d),
                Ok(DepositEffect::Opened { account: i as u32 })
            );
        }
        (l, w, keys)
    }

    fn signed(body: TxBody, key: &L2Key) -> Vec<u8> {
        SignedTx::sign(body, &domain(), key).encode()
    }

    fn apply(l: &mut Ledger, w: &mut WithdrawalList, bytes: &[u8]) -> TxEffect {
        apply_tx(l, w, &domain(), &NativeVerifier, bytes).unwrap()
    }

    #[test]
    fn transfer_and_withdraw_apply_and_invalid_ones_are_no_ops() {
        let (mut l, mut w, k) = setup(2, 100);
        let t = signed(
            TxBody::Transfer(Transfer {
                from: 0,
                to: 1,
                amount: 30,
                nonce: 0,
            }),
            &k[0],
        );
        assert_eq!(
            apply(&mut l, &mut w, &t),
            TxEffect::Transferred {
                from: 0,
                to: 1,
                amount: 30
            }
        );
        // replay: the nonce moved on
        let root = l.state_root();
        assert_eq!(
            apply(&mut l, &mut w, &t),
            TxEffect::NoOp(NoOp::BadNonce {
                expected: 1,
                got: 0
            })
        );
        assert_eq!(l.state_root(), root);
        // signed by the wrong key
        let forged = signed(
            TxBody::Transfer(Transfer {
                from: 0,
                to: 1,
                amount: 1,
                nonce: 1,
            }),
            &k[1],
        );
        assert_eq!(
            apply(&mut l, &mut w, &forged),
            TxEffect::NoOp(NoOp::BadSignature)
        );
        // signed for another rollup
        let other = SignedTx::sign(
            TxBody::Transfer(Transfer {
                from: 0,
                to: 1,
                amount: 1,
                nonce: 1,
            }),
            &Domain::new("test-1", "other-rollup"),
            &k[0],
        )
        .encode();
        assert_eq!(
            apply(&mut l, &mut w, &other),
            TxEffect::NoOp(NoOp::BadSignature)
        );
        let short = signed(
            TxBody::Transfer(Transfer {
                from: 0,
                to: 1,
                amount: 71,
                nonce: 1,
            }),
            &k[0],
        );
        assert_eq!(
            apply(&mut l, &mut w, &short),
            TxEffect::NoOp(NoOp::InsufficientBalance {
                balance: 70,
                amount: 71
            })
        );
        let unknown = signed(
            TxBody::Transfer(Transfer {
                from: 0,
                to: 9,
                amount: 1,
                nonce: 1,
            }),
            &k[0],
        );
        assert_eq!(
            apply(&mut l, &mut w, &unknown),
            TxEffect::NoOp(NoOp::UnknownAccount { index: 9 })
        );
        assert_eq!(
            apply(&mut l, &mut w, &[0xff, 1, 2]),
            TxEffect::NoOp(NoOp::Undecodable(DecodeError::UnknownKind(7)))
        );
        assert_eq!(l.state_root(), root);
        let wd = signed(
            TxBody::Withdraw(Withdraw {
                from: 1,
                amount: 130,
                nonce: 0,
                recipient: vec![0xbb; 20],
            }),
            &k[1],
        );
        assert_eq!(
            apply(&mut l, &mut w, &wd),
            TxEffect::Withdrew {
                from: 1,
                amount: 130,
                withdrawal_index: 0
            }
        );
        assert_eq!(l.total_balance(), 70);
        assert_eq!(
            w.items,
            vec![Withdrawal {
                recipient: vec![0xbb; 20],
                amount: 130
            }]
        );
        let p = w.prove(0).unwrap();
        assert_eq!(
            crate::smt::verify(WITHDRAWAL_TREE_DEPTH, &w.root(), 0, &w.items[0].leaf(), &p),
            Ok(())
        );
    }

    #[test]
    fn high_s_twin_of_a_valid_signature_is_refused() {
        let (mut l, mut w, k) = setup(2, 100);
        let mut t = signed(
            TxBody::Transfer(Transfer {
                from: 0,
                to: 1,
                amount: 5,
                nonce: 0,
            }),
            &k[0],
        );
        // s' = n - s: the malleated signature that k256 would refuse and a lenient
        // verifier would accept.
        let n: [u8; 32] =
            hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
                .unwrap()
                .try_into()
                .unwrap();
        let len = t.len();
        let s = &mut t[len - 32..];
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let v = n[i] as i16 - s[i] as i16 - borrow;
            borrow = (v < 0) as i16;
            s[i] = v.rem_euclid(256) as u8;
        }
        assert_eq!(apply(&mut l, &mut w, &t), TxEffect::NoOp(NoOp::HighS));
    }

    #[test]
    fn deposits_open_credit_or_refund() {
        let (mut l, mut w, _) = setup(1, u128::MAX - 5);
        let credit = Deposit {
            index: 9,
            target: DepositTarget::Account(0),
            amount: 5,
            refund_to: vec![1],
        };
        assert_eq!(
            apply_deposit(&mut l, &mut w, &credit),
            Ok(DepositEffect::Credited { account: 0 })
        );
        let overflow = Deposit {
            amount: 1,
            ..credit.clone()
        };
        assert_eq!(
            apply_deposit(&mut l, &mut w, &overflow),
            Ok(DepositEffect::Refunded {
                withdrawal_index: 0
            })
        );
        let nowhere = Deposit {
            target: DepositTarget::Account(7),
            ..credit
        };
        assert_eq!(
            apply_deposit(&mut l, &mut w, &nowhere),
            Ok(DepositEffect::Refunded {
                withdrawal_index: 1
            })
        );
        assert_eq!(w.items.len(), 2);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Transfer {
            from: u8,
            to: u8,
            amount: u128,
            nonce_off: u8,
            signer: u8,
        },
        Withdraw {
            from: u8,
            amount: u128,
            nonce_off: u8,
        },
        Garbage(Vec<u8>),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..5, 0u8..6, 0u128..400, 0u8..2, 0u8..5).prop_map(
                |(from, to, amount, nonce_off, signer)| Op::Transfer {
                    from,
                    to,
                    amount,
                    nonce_off,
                    signer
                }
            ),
            (0u8..5, 0u128..300, 0u8..2).prop_map(|(from, amount, nonce_off)| Op::Withdraw {
                from,
                amount,
                nonce_off
            }),
            prop::collection::vec(any::<u8>(), 0..90).prop_map(Op::Garbage),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn conservation_and_tree_consistency(ops in prop::collection::vec(op(), 1..25)) {
            let (mut l, mut w, k) = setup(5, 200);
            let deposited: u128 = 5 * 200;
            for o in ops {
                let bytes = match o {
                    Op::Transfer { from, to, amount, nonce_off, signer } => {
                        let nonce = l.accounts()[from as usize].nonce + nonce_off as u64;
                        signed(TxBody::Transfer(Transfer { from: from as u32, to: to as u32, amount, nonce }), &k[signer as usize])
                    }
                    Op::Withdraw { from, amount, nonce_off } => {
                        let nonce = l.accounts()[from as usize].nonce + nonce_off as u64;
                        signed(TxBody::Withdraw(Withdraw { from: from as u32, amount, nonce, recipient: vec![from; 20] }), &k[from as usize])
                    }
                    Op::Garbage(g) => g,
                };
                let before = l.state_root();
                let eff = apply(&mut l, &mut w, &bytes);
                if let TxEffect::NoOp(_) = eff { prop_assert_eq!(l.state_root(), before); }
                let withdrawn: u128 = w.items.iter().map(|x| x.amount).sum();
                prop_assert_eq!(l.total_balance() + withdrawn, deposited);
            }
            let rebuilt = SparseMerkleTree::<ACCOUNT_TREE_DEPTH>::from_leaves(
                l.accounts().iter().enumerate().map(|(i, a)| (i as u64, a.leaf()))).unwrap();
            prop_assert_eq!(rebuilt.root(), l.accounts_root());
        }
    }
}
