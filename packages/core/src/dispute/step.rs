//! The steps of a batch, the state between them, and the one-step proof.
//!
//! ```text
//!  position:  0          1           1+m          1+m+k        2+m+k = n
//!             │  open    │ deposits  │  tx steps  │   close    │
//!   parent output ──> start ──> ... ──> ... ──> final state ──> output root
//!   (or genesis)      state
//!
//!  step j goes from position j to j+1:
//!   j = 0            Open:    parent output preimage -> StepState{parent state, no withdrawals}
//!   1 <= j <= m      Deposit: queue entry deposits_from + j - 1, applied by `apply_deposit`
//!   m < j <= m + k   Tx:      step j - m - 1 of the data, applied by `apply_tx`
//!   j = m + k + 1    Close:   StepState -> Output{..}.root()
//! ```
//!
//! The root at every inner position is [`StepState::root`]; position 0 is the parent's
//! output root (or [`genesis_root`]) and position `n` the output root the proposer
//! posted, so both ends are known on chain. A one-step proof carries the preimage of the
//! pre-state root and witnesses for what the step touches; [`one_step`] re-executes the
//! step with the very functions the operator ran and returns the post-state root.

use alloc::vec::Vec;

use crate::batch::{DataCommitment, Output};
use crate::codec::{put_varint, Reader};
use crate::crypto::Verifier;
use crate::error::Error;
use crate::hash::{hash_leaf, keccak256_concat, Hash, GENESIS_TAG, STEP_TAG};
use crate::ledger::{
    account_leaf, apply_deposit, apply_tx, state_root, Account, AccountStore, Deposit, Withdrawal,
    WithdrawalSink, ACCOUNT_TREE_DEPTH, WITHDRAWAL_TREE_DEPTH,
};
use crate::merkle;
use crate::smt::{self, CompactProof, SparseMultiProof, DEFAULT_NODES};
use crate::tx::Domain;

/// Root of an empty batch withdrawal tree.
pub fn empty_withdrawals_root() -> Hash {
    DEFAULT_NODES[WITHDRAWAL_TREE_DEPTH]
}

/// State root of the empty ledger.
pub fn empty_state_root() -> Hash {
    state_root(&DEFAULT_NODES[ACCOUNT_TREE_DEPTH], 0)
}

/// The agreed root before batch 0: `keccak(tag || empty state root)`.
pub fn genesis_root() -> Hash {
    keccak256_concat(&[GENESIS_TAG, &empty_state_root()])
}

/// The state between two steps of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepState {
    pub accounts_root: Hash,
    pub account_count: u64,
    /// Root of the batch's withdrawal tree so far.
    pub withdrawals_root: Hash,
    pub withdrawal_count: u64,
}

/// Bytes of an encoded [`StepState`].
pub const STEP_STATE_LEN: usize = 80;

impl StepState {
    /// The L2 state root (what an output root commits to).
    pub fn state_root(&self) -> Hash {
        state_root(&self.accounts_root, self.account_count)
    }

    /// `keccak(tag || state_root || withdrawals_root || withdrawal_count (8 BE))`.
    pub fn root(&self) -> Hash {
        step_root(
            &self.state_root(),
            &self.withdrawals_root,
            self.withdrawal_count,
        )
    }

    /// `accounts_root || account_count (8 BE) || withdrawals_root || withdrawal_count (8 BE)`.
    pub fn encode(&self) -> [u8; STEP_STATE_LEN] {
        let mut out = [0u8; STEP_STATE_LEN];
        out[..32].copy_from_slice(&self.accounts_root);
        out[32..40].copy_from_slice(&self.account_count.to_be_bytes());
        out[40..72].copy_from_slice(&self.withdrawals_root);
        out[72..].copy_from_slice(&self.withdrawal_count.to_be_bytes());
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let b: [u8; STEP_STATE_LEN] = crate::error::exact("step state", bytes)?;
        Ok(StepState {
            accounts_root: b[..32].try_into().expect("32"),
            account_count: u64::from_be_bytes(b[32..40].try_into().expect("8")),
            withdrawals_root: b[40..72].try_into().expect("32"),
            withdrawal_count: u64::from_be_bytes(b[72..].try_into().expect("8")),
        })
    }
}

fn step_root(state_root: &Hash, withdrawals_root: &Hash, withdrawal_count: u64) -> Hash {
    keccak256_concat(&[
        STEP_TAG,
        state_root,
        withdrawals_root,
        &withdrawal_count.to_be_bytes(),
    ])
}

/// The root at position 1: the parent's state, no withdrawals yet.
pub fn start_root(parent_state_root: &Hash) -> Hash {
    step_root(parent_state_root, &empty_withdrawals_root(), 0)
}

/// What came before the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    /// Batch 0: the empty ledger.
    Genesis,
    /// The previous batch's output, as the chain stores it.
    Output {
        output_root: Hash,
        deposit_cursor: u64,
        data_root: Hash,
    },
}

impl Parent {
    /// The agreed root at position 0.
    pub fn root(&self) -> Hash {
        match self {
            Parent::Genesis => genesis_root(),
            Parent::Output { output_root, .. } => *output_root,
        }
    }
}

/// What the settlement layer knows about a disputed batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchContext {
    pub batch_index: u64,
    pub parent: Parent,
    /// Queue position of the batch's first deposit.
    pub deposits_from: u64,
    /// Deposits the batch consumed (`m`).
    pub deposits: u64,
    /// Transaction steps of the batch data (`k`).
    pub tx_steps: u64,
    /// The batch's data root ([`DataCommitment::root`]).
    pub data_root: Hash,
}

/// Which rule step `j` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Open,
    /// Applies deposit `queue_index` of the L1 queue.
    Deposit {
        queue_index: u64,
    },
    /// Applies transaction step `index` of the batch data.
    Tx {
        index: u64,
    },
    Close,
}

impl BatchContext {
    /// Number of steps `n`: open, `m` deposits, `k` transactions, close.
    pub fn steps(&self) -> u64 {
        self.deposits
            .saturating_add(self.tx_steps)
            .saturating_add(2)
    }

    /// A context the chain could have stored: its step count and deposit cursor fit in
    /// 64 bits (a hand-made one may not).
    pub fn check(&self) -> Result<(), Error> {
        let fits = self
            .deposits
            .checked_add(self.tx_steps)
            .and_then(|n| n.checked_add(2))
            .is_some()
            && self.deposits_from.checked_add(self.deposits).is_some();
        if !fits {
            return Err(Error::malformed(
                "batch context",
                "its step count or deposit cursor does not fit in 64 bits",
            ));
        }
        Ok(())
    }

    pub fn step_kind(&self, step: u64) -> Result<StepKind, Error> {
        self.check()?;
        let (m, k) = (self.deposits, self.tx_steps);
        Ok(match step {
            0 => StepKind::Open,
            j if j <= m => StepKind::Deposit {
                queue_index: self.deposits_from + j - 1,
            },
            j if j <= m + k => StepKind::Tx { index: j - m - 1 },
            j if j == m + k + 1 => StepKind::Close,
            _ => {
                return Err(Error::NoSuchStep {
                    step,
                    steps: self.steps(),
                })
            }
        })
    }

    /// The output this batch must produce from a final step state.
    pub fn output(&self, last: &StepState) -> Output {
        Output {
            batch_index: self.batch_index,
            state_root: last.state_root(),
            withdrawals_root: last.withdrawals_root,
            // `check` keeps this in range for any context a step was run on
            deposit_cursor: self.deposits_from.saturating_add(self.deposits),
            data_root: self.data_root,
        }
    }
}

/// Accounts a step touches, with a witness against the pre-state accounts root.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountWitness {
    /// Strictly increasing indices with their current value (`None` = empty slot).
    pub accounts: Vec<(u32, Option<Account>)>,
    /// Sibling hashes and flags for those indices (empty when no account is covered).
    pub present: Vec<bool>,
    pub hashes: Vec<Hash>,
}

impl AccountWitness {
    fn multiproof(&self) -> SparseMultiProof {
        SparseMultiProof {
            indices: self.accounts.iter().map(|(i, _)| *i as u64).collect(),
            present: self.present.clone(),
            hashes: self.hashes.clone(),
        }
    }

    fn leaves(&self) -> Vec<Hash> {
        self.accounts
            .iter()
            .map(|(_, a)| account_leaf(a.as_ref()))
            .collect()
    }

    /// The accounts root this witness proves, with the accounts as they are now.
    pub fn root(&self) -> Result<Option<Hash>, Error> {
        if self.accounts.is_empty() {
            if self.present.is_empty() && self.hashes.is_empty() {
                return Ok(None);
            }
            return Err(Error::malformed(
                "account witness",
                "hashes given for no accounts",
            ));
        }
        self.multiproof()
            .compute_root(ACCOUNT_TREE_DEPTH, &self.leaves())
            .map(Some)
    }
}

/// A one-step proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OneStepProof {
    /// The parent output's state and withdrawals roots (none for batch 0).
    Open {
        parent: Option<(Hash, Hash)>,
    },
    Deposit {
        pre: StepState,
        accounts: AccountWitness,
        /// Proof that withdrawal slot `pre.withdrawal_count` is empty (needed when the
        /// deposit is refunded).
        withdrawal_slot: Option<CompactProof>,
    },
    Tx {
        pre: StepState,
        /// The step's bytes, exactly as in the batch data.
        tx: Vec<u8>,
        /// Root of the batch's step tree (bound to the data root with the step count).
        tree_root: Hash,
        /// Siblings of the step's leaf in the step tree.
        tx_siblings: Vec<Hash>,
        accounts: AccountWitness,
        /// Proof that withdrawal slot `pre.withdrawal_count` is empty (needed by a
        /// withdrawal).
        withdrawal_slot: Option<CompactProof>,
    },
    Close {
        pre: StepState,
    },
}

const KIND_OPEN: u8 = 0;
const KIND_DEPOSIT: u8 = 1;
const KIND_TX: u8 = 2;
const KIND_CLOSE: u8 = 3;
/// Most bytes a one-step proof may take (a step is at most one batch's data).
pub const MAX_PROOF_BYTES: usize = crate::ledger::MAX_BATCH_BYTES_LIMIT as usize + 64 * 1024;

fn bad(reason: impl Into<alloc::string::String>) -> Error {
    Error::malformed("one-step proof", reason)
}

fn put_hashes(out: &mut Vec<u8>, hashes: &[Hash]) {
    put_varint(out, hashes.len() as u128);
    for h in hashes {
        out.extend_from_slice(h);
    }
}

fn put_witness(out: &mut Vec<u8>, w: &AccountWitness) {
    put_varint(out, w.accounts.len() as u128);
    for (i, a) in &w.accounts {
        put_varint(out, *i as u128);
        match a {
            Some(a) => {
                out.push(1);
                out.extend_from_slice(&a.encode());
            }
            None => out.push(0),
        }
    }
    put_varint(out, w.present.len() as u128);
    let mut bits = alloc::vec![0u8; w.present.len().div_ceil(8)];
    for (i, p) in w.present.iter().enumerate() {
        if *p {
            bits[i / 8] |= 1 << (i % 8);
        }
    }
    out.extend_from_slice(&bits);
    put_hashes(out, &w.hashes);
}

fn put_slot(out: &mut Vec<u8>, slot: &Option<CompactProof>) {
    match slot {
        Some(p) => {
            out.push(1);
            out.extend_from_slice(&p.to_bytes(WITHDRAWAL_TREE_DEPTH));
        }
        None => out.push(0),
    }
}

struct ProofReader<'a>(Reader<'a>);

impl<'a> ProofReader<'a> {
    fn byte(&mut self) -> Result<u8, Error> {
        self.0.byte().map_err(|e| bad(alloc::format!("{e}")))
    }
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        self.0.bytes(n).map_err(|e| bad(alloc::format!("{e}")))
    }
    fn hash(&mut self) -> Result<Hash, Error> {
        Ok(self.bytes(32)?.try_into().expect("32"))
    }
    fn count(&mut self, what: &str, max: usize) -> Result<usize, Error> {
        let n = self
            .0
            .varint_u64()
            .map_err(|e| bad(alloc::format!("{e}")))?;
        if n > max as u64 {
            return Err(bad(alloc::format!("{n} {what} is more than {max}")));
        }
        Ok(n as usize)
    }
    fn flag(&mut self) -> Result<bool, Error> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(bad(alloc::format!("flag byte {b} is not 0 or 1"))),
        }
    }
    fn hashes(&mut self, max: usize) -> Result<Vec<Hash>, Error> {
        let n = self.count("hashes", max)?;
        (0..n).map(|_| self.hash()).collect()
    }
    fn state(&mut self) -> Result<StepState, Error> {
        StepState::decode(self.bytes(STEP_STATE_LEN)?)
    }
    fn witness(&mut self) -> Result<AccountWitness, Error> {
        // a step touches at most two accounts; a few more are tolerated
        let n = self.count("accounts", 8)?;
        let mut accounts = Vec::with_capacity(n);
        for _ in 0..n {
            let i = self
                .0
                .varint_u32()
                .map_err(|e| bad(alloc::format!("{e}")))?;
            let a = if self.flag()? {
                Some(Account::decode(self.bytes(57)?)?)
            } else {
                None
            };
            accounts.push((i, a));
        }
        let nflags = self.count("flags", 8 * ACCOUNT_TREE_DEPTH)?;
        let bits = self.bytes(nflags.div_ceil(8))?;
        let present: Vec<bool> = (0..nflags)
            .map(|i| bits[i / 8] >> (i % 8) & 1 == 1)
            .collect();
        if nflags % 8 != 0 && bits[nflags / 8] >> (nflags % 8) != 0 {
            return Err(bad("padding bits of the flags are set"));
        }
        let hashes = self.hashes(8 * ACCOUNT_TREE_DEPTH)?;
        Ok(AccountWitness {
            accounts,
            present,
            hashes,
        })
    }
    fn slot(&mut self) -> Result<Option<CompactProof>, Error> {
        if !self.flag()? {
            return Ok(None);
        }
        let bitmap = self.bytes(2)?;
        let n = (u16::from_be_bytes([bitmap[0], bitmap[1]])).count_ones() as usize;
        let mut raw = bitmap.to_vec();
        raw.extend_from_slice(self.bytes(32 * n)?);
        Ok(Some(CompactProof::from_bytes(WITHDRAWAL_TREE_DEPTH, &raw)?))
    }
}

impl OneStepProof {
    /// The canonical wire form (what the contract's `ProveStep` carries).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            OneStepProof::Open { parent } => {
                out.push(KIND_OPEN);
                match parent {
                    Some((s, w)) => {
                        out.push(1);
                        out.extend_from_slice(s);
                        out.extend_from_slice(w);
                    }
                    None => out.push(0),
                }
            }
            OneStepProof::Deposit {
                pre,
                accounts,
                withdrawal_slot,
            } => {
                out.push(KIND_DEPOSIT);
                out.extend_from_slice(&pre.encode());
                put_witness(&mut out, accounts);
                put_slot(&mut out, withdrawal_slot);
            }
            OneStepProof::Tx {
                pre,
                tx,
                tree_root,
                tx_siblings,
                accounts,
                withdrawal_slot,
            } => {
                out.push(KIND_TX);
                out.extend_from_slice(&pre.encode());
                put_varint(&mut out, tx.len() as u128);
                out.extend_from_slice(tx);
                out.extend_from_slice(tree_root);
                put_hashes(&mut out, tx_siblings);
                put_witness(&mut out, accounts);
                put_slot(&mut out, withdrawal_slot);
            }
            OneStepProof::Close { pre } => {
                out.push(KIND_CLOSE);
                out.extend_from_slice(&pre.encode());
            }
        }
        out
    }

    /// Parses the wire form; every length is bounded and nothing may trail.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_PROOF_BYTES {
            return Err(bad(alloc::format!(
                "{} bytes is more than {MAX_PROOF_BYTES}",
                bytes.len()
            )));
        }
        let mut r = ProofReader(Reader::new(bytes));
        let proof = match r.byte()? {
            KIND_OPEN => OneStepProof::Open {
                parent: if r.flag()? {
                    Some((r.hash()?, r.hash()?))
                } else {
                    None
                },
            },
            KIND_DEPOSIT => OneStepProof::Deposit {
                pre: r.state()?,
                accounts: r.witness()?,
                withdrawal_slot: r.slot()?,
            },
            KIND_TX => {
                let pre = r.state()?;
                let len = r.count("transaction bytes", MAX_PROOF_BYTES)?;
                let tx = r.bytes(len)?.to_vec();
                OneStepProof::Tx {
                    pre,
                    tx,
                    tree_root: r.hash()?,
                    tx_siblings: r.hashes(64)?,
                    accounts: r.witness()?,
                    withdrawal_slot: r.slot()?,
                }
            }
            KIND_CLOSE => OneStepProof::Close { pre: r.state()? },
            k => return Err(bad(alloc::format!("unknown step kind {k}"))),
        };
        if r.0.position() != bytes.len() {
            return Err(bad(alloc::format!(
                "{} bytes left after the proof",
                bytes.len() - r.0.position()
            )));
        }
        Ok(proof)
    }

    fn kind_name(&self) -> &'static str {
        match self {
            OneStepProof::Open { .. } => "open",
            OneStepProof::Deposit { .. } => "deposit",
            OneStepProof::Tx { .. } => "transaction",
            OneStepProof::Close { .. } => "close",
        }
    }
}

/// Accounts backed by a witness: reads and writes must stay inside it.
struct WitnessedAccounts {
    count: u64,
    accounts: Vec<(u32, Option<Account>)>,
}

impl WitnessedAccounts {
    fn slot(&mut self, index: u32) -> Result<&mut Option<Account>, Error> {
        self.accounts
            .iter_mut()
            .find(|(i, _)| *i == index)
            .map(|(_, a)| a)
            .ok_or(Error::MissingWitness {
                index: index as u64,
            })
    }
}

impl AccountStore for WitnessedAccounts {
    fn account_count(&self) -> u64 {
        self.count
    }

    fn account(&self, index: u32) -> Result<Option<Account>, Error> {
        // Indices at or past the count are unopened, as in the full ledger.
        if index as u64 >= self.count {
            return Ok(None);
        }
        self.accounts
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, a)| *a)
            .ok_or(Error::MissingWitness {
                index: index as u64,
            })
    }

    fn update(&mut self, index: u32, account: Account) -> Result<(), Error> {
        *self.slot(index)? = Some(account);
        Ok(())
    }

    fn open(&mut self, account: Account) -> Result<(), Error> {
        let index = u32::try_from(self.count).map_err(|_| bad("the account tree is full"))?;
        *self.slot(index)? = Some(account);
        self.count += 1;
        Ok(())
    }
}

/// The withdrawal tree backed by a proof that its next slot is empty.
struct WitnessedWithdrawals {
    count: u64,
    root: Hash,
    slot: Option<CompactProof>,
}

impl WithdrawalSink for WitnessedWithdrawals {
    fn withdrawal_count(&self) -> u64 {
        self.count
    }

    fn push(&mut self, withdrawal: Withdrawal) -> Result<(), Error> {
        let proof = self
            .slot
            .take()
            .ok_or_else(|| bad("the step records a withdrawal: give the empty-slot proof"))?;
        smt::verify(
            WITHDRAWAL_TREE_DEPTH,
            &self.root,
            self.count,
            &crate::hash::ZERO_HASH,
            &proof,
        )?;
        self.root = smt::compute_root(
            WITHDRAWAL_TREE_DEPTH,
            self.count,
            &withdrawal.leaf(),
            &proof,
        )?;
        self.count += 1;
        Ok(())
    }
}

/// Runs one deposit or transaction step on witnessed state and returns the post-state.
fn run_witnessed(
    pre: &StepState,
    accounts: &AccountWitness,
    withdrawal_slot: &Option<CompactProof>,
    run: impl FnOnce(&mut WitnessedAccounts, &mut WitnessedWithdrawals) -> Result<(), Error>,
) -> Result<StepState, Error> {
    if let Some(root) = accounts.root()? {
        if root != pre.accounts_root {
            return Err(Error::root_mismatch(&root, &pre.accounts_root));
        }
    }
    let mut store = WitnessedAccounts {
        count: pre.account_count,
        accounts: accounts.accounts.clone(),
    };
    let mut sink = WitnessedWithdrawals {
        count: pre.withdrawal_count,
        root: pre.withdrawals_root,
        slot: withdrawal_slot.clone(),
    };
    run(&mut store, &mut sink)?;
    let after = AccountWitness {
        accounts: store.accounts,
        ..accounts.clone()
    };
    Ok(StepState {
        accounts_root: after.root()?.unwrap_or(pre.accounts_root),
        account_count: store.count,
        withdrawals_root: sink.root,
        withdrawal_count: sink.count,
    })
}

fn check_pre(pre: &StepState, pre_root: &Hash) -> Result<(), Error> {
    let root = pre.root();
    if &root != pre_root {
        return Err(Error::PreStateMismatch {
            computed: hex::encode(root),
            expected: hex::encode(pre_root),
        });
    }
    Ok(())
}

/// Re-executes step `step` of the batch from the agreed root `pre_root` and returns the
/// root after it. `deposit` is the queue entry the step consumes (deposit steps only; the
/// settlement layer supplies it from its own queue). Errors mean the proof does not
/// prove anything (wrong kind, wrong preimage, incomplete witness); they never depend on
/// whether the transaction itself is valid, which the total transition handles.
pub fn one_step<V: Verifier + ?Sized>(
    ctx: &BatchContext,
    domain: &Domain,
    verifier: &V,
    step: u64,
    pre_root: &Hash,
    deposit: Option<&Deposit>,
    proof: &OneStepProof,
) -> Result<Hash, Error> {
    let kind = ctx.step_kind(step)?;
    let parent_index = match (ctx.parent, ctx.batch_index.checked_sub(1)) {
        (Parent::Genesis, None) | (Parent::Output { .. }, Some(_)) => {
            ctx.batch_index.checked_sub(1)
        }
        (Parent::Genesis, Some(_)) => {
            return Err(bad(alloc::format!(
                "batch {} has a parent output, not genesis",
                ctx.batch_index
            )))
        }
        (Parent::Output { .. }, None) => {
            return Err(bad("batch 0 opens from genesis, it has no parent output"))
        }
    };
    match (kind, proof) {
        (StepKind::Open, OneStepProof::Open { parent }) => {
            let parent_state = match (ctx.parent, parent) {
                (Parent::Genesis, None) => empty_state_root(),
                (
                    Parent::Output {
                        output_root,
                        deposit_cursor,
                        data_root,
                    },
                    Some((state, withdrawals)),
                ) => {
                    let parent_index = parent_index.unwrap_or_default();
                    let recomposed = Output {
                        batch_index: parent_index,
                        state_root: *state,
                        withdrawals_root: *withdrawals,
                        deposit_cursor,
                        data_root,
                    };
                    if recomposed.root() != output_root {
                        return Err(Error::OutputMismatch {
                            batch: parent_index,
                        });
                    }
                    *state
                }
                (Parent::Genesis, Some(_)) => {
                    return Err(bad("batch 0 opens from genesis: give no parent output"))
                }
                (Parent::Output { .. }, None) => {
                    return Err(bad("give the parent output's state and withdrawals roots"))
                }
            };
            if pre_root != &ctx.parent.root() {
                return Err(Error::PreStateMismatch {
                    computed: hex::encode(ctx.parent.root()),
                    expected: hex::encode(pre_root),
                });
            }
            Ok(start_root(&parent_state))
        }
        (
            StepKind::Deposit { queue_index },
            OneStepProof::Deposit {
                pre,
                accounts,
                withdrawal_slot,
            },
        ) => {
            check_pre(pre, pre_root)?;
            let deposit = deposit.ok_or_else(|| bad("the deposit of this step is missing"))?;
            if deposit.index != queue_index {
                return Err(bad(alloc::format!(
                    "step {step} applies deposit {queue_index}, not {}",
                    deposit.index
                )));
            }
            let post = run_witnessed(pre, accounts, withdrawal_slot, |a, w| {
                apply_deposit(a, w, deposit).map(|_| ())
            })?;
            Ok(post.root())
        }
        (
            StepKind::Tx { index },
            OneStepProof::Tx {
                pre,
                tx,
                tree_root,
                tx_siblings,
                accounts,
                withdrawal_slot,
            },
        ) => {
            check_pre(pre, pre_root)?;
            if DataCommitment::new(*tree_root, ctx.tx_steps).root != ctx.data_root {
                return Err(bad(
                    "the step tree root does not match the batch's data root",
                ));
            }
            merkle::verify(
                tree_root,
                &hash_leaf(tx),
                &merkle::Proof {
                    index,
                    leaf_count: ctx.tx_steps,
                    siblings: tx_siblings.clone(),
                },
            )?;
            let post = run_witnessed(pre, accounts, withdrawal_slot, |a, w| {
                apply_tx(a, w, domain, verifier, tx).map(|_| ())
            })?;
            Ok(post.root())
        }
        (StepKind::Close, OneStepProof::Close { pre }) => {
            check_pre(pre, pre_root)?;
            Ok(ctx.output(pre).root())
        }
        (kind, proof) => Err(bad(alloc::format!(
            "step {step} is {}, the proof is for a {} step",
            kind_name(kind),
            proof.kind_name()
        ))),
    }
}

fn kind_name(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Open => "the open step",
        StepKind::Deposit { .. } => "a deposit step",
        StepKind::Tx { .. } => "a transaction step",
        StepKind::Close => "the close step",
    }
}
