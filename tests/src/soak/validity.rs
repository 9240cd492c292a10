//! The validity rollup under soak: deposits opening accounts and crediting them (by
//! index and key), L2 transfers and withdrawals in proven batches (real Groth16 proofs of
//! the smallest circuit, keys cached per shape), batches with a bad proof or wrong public
//! data, L1 exit requests and their service by the next batches, claims of credited
//! withdrawals, key rotation (proposed, cancelled, applied after its timelock and only once
//! the exit requests queued before it were served), the admin's two-step transfer, time
//! passing into exodus, exodus exits (and twice), reclaims of unconsumed entries, and
//! invalid or unauthorised messages. After an exodus has run its course the soak deploys a
//! fresh rollup on the same chain and carries on.
//!
//! The model is plain: the accounts the proven state holds (key, balance, nonce), the
//! priority queue, the credits, the exodus clock (written from the documented rule), the
//! admin and key state, and every bank balance. The operator's ledger (settle-core) proves
//! the batches; the model checks that ledger, and the contract's state root, against its
//! own accounts after every batch.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use cosmwasm_std::{Addr, Binary, Coin, Uint128};
use cw_multi_test::AppResponse;
use rand::rngs::StdRng;
use rand::Rng;

use settle_core::validity::eddsa::SecretKey;
use settle_core::validity::field::{fr_to_bytes, Fr};
use settle_core::validity::ledger::{exit_message, Deposit, Shape, Tx, TxBody};
use settle_testing::{keys_for, msg_shape, Operator, ValiditySuite, ValiditySuiteBuilder};
use validity_rollup::msg::{
    ConfigResponse, DepositTarget, ExecuteMsg, QueryMsg, SolvencyResponse, StatusResponse,
};

use super::{err_text, expect, storage_bytes, Machine, Outcome};

const DENOM: &str = settle_testing::VALIDITY_DENOM;
/// A denom the rollup does not take.
const OTHER: &str = "uother";
const FUNDS: u128 = 1_000_000_000_000;
const USERS: usize = 4;
/// Keys per user (accounts may share a key).
const KEYS_PER_USER: usize = 2;
/// The circuit shapes the soak proves with: the first at deployment and by rotation (to
/// the same key), the second by rotation only with `SOAK_ROTATE_SHAPE` set (its setup and
/// proofs cost more).
const SHAPES: [Shape; 2] = [
    Shape {
        deposits: 1,
        txs: 1,
    },
    Shape {
        deposits: 2,
        txs: 1,
    },
];
const EXODUS_AFTER: u64 = 2_000;
const KEY_TIMELOCK: u64 = 4_000;
const MIN_DEPOSIT: u128 = 10;
const MIN_NEW_ACCOUNT: u128 = 100;
const MAX_PENDING: u64 = 12;
/// L2 transactions waiting for a batch at most.
const MEMPOOL: usize = 6;

/// How many times more often the ops that cost no proof come (`SOAK_SPREAD`, default 1).
/// A proof costs seconds and the other ops milliseconds, so a 100,000-op run at the
/// default mix takes hours; with `SOAK_SPREAD=K` the ops that neither prove nor add to the
/// operator's queue or mempool (bad batches, claims, key and admin changes, exodus exits,
/// garbage, time passing) weigh K times more and each time step is K times shorter, so the
/// same traffic reaches each batch, with K times more of everything else between batches.
/// Cancelling a key proposal keeps its weight: the timelock takes K times more ops to
/// pass, and K times more cancels would stop every rotation before it applies.
fn spread() -> u32 {
    std::env::var("SOAK_SPREAD")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|k| *k >= 1)
        .unwrap_or(1)
}

/// Faults of a deposit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepositFault {
    None,
    /// Below the minimum (for a new account: below `min_new_account`).
    TooSmall,
    /// In a denom the rollup does not hold.
    WrongDenom,
    /// A new account's key is no point; a credit names another key than the opener's.
    WrongKey,
    /// A credit to an index no deposit opens.
    NoAccount,
    /// No coin attached.
    NoFunds,
}

/// Faults of an L2 transaction (the operator leaves a bad one out of its batch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxFault {
    None,
    /// Signed by a key that holds no account.
    BadSignature,
    /// One past the account's nonce.
    WrongNonce,
    /// More than the balance.
    Overdraft,
    /// To an account that does not exist.
    NoRecipient,
}

/// A tampered copy of an honest batch (with its fresh, valid proof) sent first: refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// One more account than the proof's statement.
    Count,
    /// Another accounts root.
    Root,
    /// A withdrawal or transfer amount changed in the posted data (or an exit amount
    /// added when there is no transaction).
    Data,
    /// One deposit fewer (or one more) consumed.
    Deposits,
    /// A negated: the Groth16 malleability of a valid proof.
    NegatedA,
}

/// A batch refused whatever the state (cheap: it reuses the last accepted proof).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadBatch {
    /// The last accepted batch again.
    Replay,
    /// The next honest batch with the last accepted batch's proof.
    StaleProof,
    /// An account count below the current one.
    CountBack,
    /// More deposits than are pending.
    TooManyDeposits,
    /// Bytes that are no proof.
    GarbageProof,
}

/// Faults of an exit request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitFault {
    None,
    /// Signed by a key that did not open the account.
    BadSignature,
    /// Signs the sequence after the expected one.
    WrongSequence,
    /// An account no deposit opens.
    NoAccount,
    /// A bond below `min_deposit`.
    SmallBond,
}

/// Faults of an exodus exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExodusFault {
    None,
    /// Signed by another key.
    BadSignature,
    /// One more than the proven balance (the leaf is not in the tree).
    WrongBalance,
}

/// One soak operation (accounts, queue entries and users by index, resolved when applied).
#[derive(Clone, Debug)]
pub enum Op {
    DepositNew {
        user: u8,
        key: u8,
        amount: u64,
        fault: DepositFault,
    },
    DepositCredit {
        user: u8,
        account: u16,
        amount: u64,
        fault: DepositFault,
    },
    /// Off-chain: an L2 transfer (or withdrawal to `recipient`'s L1 address) joins the
    /// operator's mempool; `bps` of the sender's balance at batch time.
    L2Tx {
        from: u16,
        to: u16,
        bps: u16,
        withdraw: bool,
        recipient: u8,
        fault: TxFault,
    },
    /// The operator proves and submits its next batch (up to `deposits` queue entries
    /// and the mempool's valid transactions), after a tampered copy if `tamper`.
    Batch {
        deposits: u8,
        tamper: Option<Tamper>,
    },
    BadBatch {
        kind: BadBatch,
        deposits: u8,
    },
    RequestExit {
        account: u16,
        recipient: u8,
        by: u8,
        bond: u64,
        fault: ExitFault,
    },
    Claim {
        user: u8,
    },
    ProposeKey {
        by_admin: bool,
        shape: u8,
        garbage: bool,
    },
    ApplyKey {
        by: u8,
    },
    CancelKey {
        by_admin: bool,
    },
    /// The admin (or not) names candidate `to` (0: the deployer, 1: `admin2`).
    ProposeAdmin {
        by_admin: bool,
        to: u8,
    },
    /// Candidate `by` (2: an outsider) accepts.
    AcceptAdmin {
        by: u8,
    },
    CancelAdmin {
        by_admin: bool,
    },
    Advance {
        seconds: u64,
    },
    ExodusExit {
        account: u16,
        recipient: u8,
        fault: ExodusFault,
    },
    Reclaim {
        index: u16,
    },
    /// A message every state refuses: a deposit without funds, a claim with funds, batch
    /// data that does not decode, a key proposal with a zero-slot shape.
    Garbage {
        kind: u8,
    },
    /// Once exodus has started: a fresh rollup on the same chain.
    Redeploy,
}

#[derive(Clone, Debug)]
enum Entry {
    New { account: u32, key: usize },
    Credit { account: u32 },
    Exit { account: u32, recipient: Addr },
}

#[derive(Clone, Debug)]
struct QueueEntry {
    entry: Entry,
    amount: u128,
    depositor: Addr,
    time: u64,
    reclaimed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Account {
    key: usize,
    balance: u128,
    nonce: u64,
}

/// Credits a batch earns: (recipient, amount).
type Credits = Vec<(Addr, u128)>;

#[derive(Clone, Debug)]
struct TxRecipe {
    from: u16,
    to: u16,
    bps: u16,
    withdraw: bool,
    recipient: u8,
    fault: TxFault,
}

/// One deployment's model.
#[derive(Clone, Debug)]
struct Rollup {
    contract: Addr,
    shape: Shape,
    /// Accounts in the last proven state.
    accounts: Vec<Account>,
    /// The key that opened each account (queued or proven), by index.
    opened: Vec<usize>,
    queue: Vec<QueueEntry>,
    cursor: usize,
    batches: u64,
    last_batch: u64,
    served_at: u64,
    credits: BTreeMap<Addr, u128>,
    exited: BTreeSet<u32>,
    exit_sequence: BTreeMap<u32, u64>,
    admin: Addr,
    pending_admin: Option<Addr>,
    /// Proposed key: its shape index and when it applies.
    pending_key: Option<(usize, u64)>,
    mempool: Vec<TxRecipe>,
    /// The last accepted batch's message (for replays and stale proofs).
    last_batch_msg: Option<ExecuteMsg>,
    /// It changed nothing (no entry, no transaction), under this shape's key: the same
    /// statement holds again while no batch moves the state, so a replay is valid.
    last_noop: Option<Shape>,
    /// Ops since exodus started.
    in_exodus_ops: u64,
}

impl Rollup {
    fn exodus_at(&self) -> u64 {
        let since = match self.queue.get(self.cursor) {
            Some(head) => self.last_batch.min(head.time.max(self.served_at)),
            None => self.last_batch,
        };
        since + EXODUS_AFTER
    }

    fn pending(&self) -> u64 {
        (self.queue.len() - self.cursor) as u64
    }

    /// What the contract holds for L2 balances and queued entries.
    fn locked(&self) -> u128 {
        let balances: u128 = self
            .accounts
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.exited.contains(&(*i as u32)))
            .map(|(_, a)| a.balance)
            .sum();
        let queued: u128 = self.queue[self.cursor..]
            .iter()
            .filter(|q| !q.reclaimed)
            .map(|q| q.amount)
            .sum();
        balances + queued
    }

    fn credited(&self) -> u128 {
        self.credits.values().sum()
    }
}

/// Time spent proving, and how many proofs.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProvingCost {
    pub proofs: u64,
    pub time: Duration,
}

/// The validity-rollup contract, its users, operator and the model.
pub struct ValiditySoak {
    suite: ValiditySuite,
    users: Vec<Addr>,
    operator: Addr,
    admin2: Addr,
    outsider: Addr,
    keys: Vec<SecretKey>,
    /// A key that opens no account.
    mallory: SecretKey,
    r: Rollup,
    /// Every contract deployed so far (earlier ones keep what exodus left).
    contracts: Vec<Addr>,
    /// (address, denom 0 = the rollup's, 1 = the other) -> balance.
    bank: BTreeMap<(Addr, usize), u128>,
    /// The last step accepted a batch: compare the proven state with the model.
    batch_done: bool,
    pub cost: ProvingCost,
    /// `SOAK_SPREAD`: see [`spread`].
    spread: u32,
    /// L2 transactions the operator left out of its batches as invalid.
    pub dropped_txs: u64,
    pub included_txs: u64,
}

fn key_of(label: &str) -> SecretKey {
    let h = settle_core::hash::keccak256(label.as_bytes());
    SecretKey::from_seed(&h)
}

impl ValiditySoak {
    fn now(&self) -> u64 {
        self.suite.app.block_info().time.seconds()
    }

    fn live(&self) -> bool {
        self.now() < self.r.exodus_at()
    }

    fn bal(&self, who: &Addr, denom: usize) -> u128 {
        self.bank.get(&(who.clone(), denom)).copied().unwrap_or(0)
    }

    fn move_funds(&mut self, from: &Addr, to: &Addr, denom: usize, amount: u128) {
        *self.bank.entry((from.clone(), denom)).or_default() -= amount;
        *self.bank.entry((to.clone(), denom)).or_default() += amount;
    }

    fn exec(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<AppResponse, String> {
        self.suite.execute(sender, msg, funds).map_err(err_text)
    }

    fn user(&self, u: u8) -> Addr {
        self.users[u as usize % USERS].clone()
    }

    fn canonical(&self, a: &Addr) -> Vec<u8> {
        self.suite.canonical(a)
    }

    fn fingerprint_now(&self) -> Vec<u8> {
        self.fingerprint()
    }

    /// A fresh deployment's model (and the operator's).
    fn fresh_rollup(suite: &ValiditySuite) -> Rollup {
        let now = suite.app.block_info().time.seconds();
        Rollup {
            contract: suite.contract.clone(),
            shape: SHAPES[0],
            accounts: vec![],
            opened: vec![],
            queue: vec![],
            cursor: 0,
            batches: 0,
            last_batch: now,
            served_at: now,
            credits: BTreeMap::new(),
            exited: BTreeSet::new(),
            exit_sequence: BTreeMap::new(),
            admin: suite.admin.clone(),
            pending_admin: None,
            pending_key: None,
            mempool: vec![],
            last_batch_msg: None,
            last_noop: None,
            in_exodus_ops: 0,
        }
    }

    fn step_deposit_new(
        &mut self,
        user: u8,
        key: u8,
        amount: u64,
        fault: DepositFault,
    ) -> Result<Outcome, String> {
        let sender = self.user(user);
        let key_idx = (user as usize % USERS) * KEYS_PER_USER + key as usize % KEYS_PER_USER;
        let amount = match fault {
            DepositFault::TooSmall => MIN_NEW_ACCOUNT - 1,
            _ => (amount as u128).max(MIN_NEW_ACCOUNT),
        };
        let pubkey = if fault == DepositFault::WrongKey {
            vec![0xff; 64]
        } else {
            self.keys[key_idx].public_key().encode().to_vec()
        };
        let (funds, denom) = match fault {
            DepositFault::WrongDenom => (vec![Coin::new(amount, OTHER)], 1),
            DepositFault::NoFunds => (vec![], 0),
            _ => (vec![Coin::new(amount, DENOM)], 0),
        };
        let predicted = self.live()
            && matches!(fault, DepositFault::None | DepositFault::NoAccount)
            && self.r.pending() < MAX_PENDING
            && self.bal(&sender, denom) >= amount;
        let msg = ExecuteMsg::Deposit {
            target: DepositTarget::NewAccount {
                pubkey: Binary::from(pubkey),
            },
        };
        let res = self.exec(&sender, &msg, &funds);
        let out = expect("deposit (new account)", predicted, &res)?;
        if out == Outcome::Accepted {
            let contract = self.r.contract.clone();
            self.move_funds(&sender, &contract, 0, amount);
            let account = self.r.opened.len() as u32;
            self.r.opened.push(key_idx);
            let now = self.now();
            self.r.queue.push(QueueEntry {
                entry: Entry::New {
                    account,
                    key: key_idx,
                },
                amount,
                depositor: sender,
                time: now,
                reclaimed: false,
            });
            self.suite.op.queue.push(Deposit::NewAccount {
                key: self.keys[key_idx].public_key(),
                amount,
            });
        }
        Ok(out)
    }

    fn step_deposit_credit(
        &mut self,
        user: u8,
        account: u16,
        amount: u64,
        fault: DepositFault,
    ) -> Result<Outcome, String> {
        let sender = self.user(user);
        let opened = self.r.opened.len();
        let account = if fault == DepositFault::NoAccount || opened == 0 {
            opened as u32 + account as u32 % 3
        } else {
            (account as usize % opened) as u32
        };
        let amount = match fault {
            DepositFault::TooSmall => MIN_DEPOSIT - 1,
            _ => (amount as u128).max(MIN_DEPOSIT),
        };
        let key_idx = self.r.opened.get(account as usize).copied();
        let pubkey = match (fault, key_idx) {
            (DepositFault::WrongKey, _) | (_, None) => self.mallory.public_key().encode().to_vec(),
            (_, Some(k)) => self.keys[k].public_key().encode().to_vec(),
        };
        let (funds, denom) = match fault {
            DepositFault::WrongDenom => (vec![Coin::new(amount, OTHER)], 1),
            DepositFault::NoFunds => (vec![], 0),
            _ => (vec![Coin::new(amount, DENOM)], 0),
        };
        let predicted = self.live()
            && fault == DepositFault::None
            && key_idx.is_some()
            && self.r.pending() < MAX_PENDING
            && self.bal(&sender, denom) >= amount;
        let msg = ExecuteMsg::Deposit {
            target: DepositTarget::Account {
                account,
                pubkey: Binary::from(pubkey),
            },
        };
        let res = self.exec(&sender, &msg, &funds);
        let out = expect("deposit (credit)", predicted, &res)?;
        if out == Outcome::Accepted {
            let contract = self.r.contract.clone();
            self.move_funds(&sender, &contract, 0, amount);
            let now = self.now();
            self.r.queue.push(QueueEntry {
                entry: Entry::Credit { account },
                amount,
                depositor: sender,
                time: now,
                reclaimed: false,
            });
            self.suite
                .op
                .queue
                .push(Deposit::Credit { account, amount });
        }
        Ok(out)
    }

    fn step_l2_tx(&mut self, recipe: TxRecipe) -> Result<Outcome, String> {
        if self.r.mempool.len() >= MEMPOOL {
            return Ok(Outcome::Refused);
        }
        self.r.mempool.push(recipe);
        Ok(Outcome::Accepted)
    }

    /// The model's accounts after consuming the next `n` queue entries: returns the new
    /// accounts, the exit amounts and the credits the entries earn (recipient, amount).
    fn consume(&self, n: usize) -> (Vec<Account>, Vec<u128>, Vec<(Addr, u128)>) {
        let mut accounts = self.r.accounts.clone();
        let mut exits = vec![];
        let mut credits = vec![];
        for q in &self.r.queue[self.r.cursor..self.r.cursor + n] {
            match &q.entry {
                Entry::New { account, key } => {
                    assert_eq!(*account as usize, accounts.len(), "accounts open in order");
                    accounts.push(Account {
                        key: *key,
                        balance: q.amount,
                        nonce: 0,
                    });
                }
                Entry::Credit { account } => accounts[*account as usize].balance += q.amount,
                Entry::Exit { account, recipient } => {
                    let a = &mut accounts[*account as usize];
                    exits.push(a.balance);
                    credits.push((recipient.clone(), a.balance));
                    credits.push((q.depositor.clone(), q.amount));
                    a.balance = 0;
                }
            }
        }
        (accounts, exits, credits)
    }

    /// Resolves mempool recipes against `accounts` (updated in place for the valid ones):
    /// the signed transactions, whether each is valid, and the withdrawals' credits.
    fn resolve_txs(
        &self,
        accounts: &mut [Account],
        recipes: &[TxRecipe],
    ) -> (Vec<(Tx, bool)>, Credits) {
        let op = &self.suite.op;
        let mut out = vec![];
        let mut credits = vec![];
        for r in recipes {
            let n = accounts.len();
            let from = if n == 0 { 0 } else { r.from as usize % n };
            let sender = accounts.get(from).copied().unwrap_or(Account {
                key: 0,
                balance: 0,
                nonce: 0,
            });
            let mut amount = sender.balance * r.bps as u128 / 10_000;
            if r.fault == TxFault::Overdraft {
                amount = sender.balance + 1;
            }
            let nonce = sender.nonce + u64::from(r.fault == TxFault::WrongNonce);
            let to = if r.fault == TxFault::NoRecipient {
                n as u32 + r.to as u32 % 3
            } else if n == 0 {
                0
            } else {
                (r.to as usize % n) as u32
            };
            let recipient_addr = self.user(r.recipient);
            let body = if r.withdraw {
                TxBody::Withdraw {
                    from: from as u32,
                    amount,
                    recipient: self.canonical(&recipient_addr),
                }
            } else {
                TxBody::Transfer {
                    from: from as u32,
                    to,
                    amount,
                }
            };
            let key = if r.fault == TxFault::BadSignature {
                &self.mallory
            } else {
                &self.keys[sender.key]
            };
            let tx = Tx::sign(op.ledger.hasher(), &op.domain, body, nonce, key);
            let valid = from < n
                && r.fault != TxFault::BadSignature
                && nonce == sender.nonce
                && amount > 0
                && amount <= sender.balance
                && (r.withdraw || (to as usize) < n);
            if valid {
                accounts[from].balance -= amount;
                accounts[from].nonce += 1;
                if r.withdraw {
                    credits.push((recipient_addr, amount));
                } else {
                    accounts[to as usize].balance += amount;
                }
            }
            out.push((tx, valid));
        }
        (out, credits)
    }

    fn step_batch(&mut self, deposits: u8, tamper: Option<Tamper>) -> Result<Outcome, String> {
        let shape = self.r.shape;
        let n = (deposits as usize)
            .min(self.r.pending() as usize)
            .min(shape.deposits);
        let (mut accounts, exits, mut credits) = self.consume(n);
        let take = self.r.mempool.len().min(shape.txs);
        let recipes: Vec<TxRecipe> = self.r.mempool[..take].to_vec();
        let (txs, tx_credits) = self.resolve_txs(&mut accounts, &recipes);
        credits.extend(tx_credits);
        // The core ledger agrees with the model on which transactions are valid.
        {
            let op = &self.suite.op;
            let mut ledger = op.ledger.clone();
            for d in &op.queue[op.cursor..op.cursor + n] {
                ledger
                    .apply_deposit(d)
                    .map_err(|e| format!("batch: the ledger refuses queued entry {d:?}: {e}"))?;
            }
            for (tx, valid) in &txs {
                let ok = ledger.apply_tx(&op.domain, tx).is_ok();
                if ok != *valid {
                    return Err(format!(
                        "batch: the ledger finds {:?} {}, the model {}",
                        tx.body,
                        if ok { "valid" } else { "invalid" },
                        if *valid { "valid" } else { "invalid" }
                    ));
                }
            }
        }
        let valid: Vec<Tx> = txs
            .iter()
            .filter(|(_, v)| *v)
            .map(|(t, _)| t.clone())
            .collect();
        if !self.live() {
            // The operator still tries; the contract refuses every batch in exodus.
            let data = settle_core::validity::ledger::BatchData {
                exits,
                ..Default::default()
            };
            let msg = ExecuteMsg::SubmitBatch {
                data: Binary::from(data.encode()),
                deposits_consumed: n as u64,
                new_accounts_root: Binary::from(vec![0u8; 32]),
                new_account_count: accounts.len() as u64,
                proof: Binary::from(vec![0u8; settle_zk::PROOF_LEN]),
            };
            let operator = self.operator.clone();
            let res = self.exec(&operator, &msg, &[]);
            return expect("batch (in exodus)", false, &res);
        }
        let started = Instant::now();
        let batch = self
            .suite
            .op
            .prove(n, &valid)
            .map_err(|e| format!("batch: the operator cannot prove its batch: {e}"))?;
        self.cost.proofs += 1;
        self.cost.time += started.elapsed();
        let operator = self.operator.clone();
        if let Some(t) = tamper {
            let before = self.fingerprint_now();
            let msg = tampered(&batch, t, &self.r);
            let res = self.exec(&operator, &msg, &[]);
            expect("batch (tampered, valid proof)", false, &res)?;
            if self.fingerprint_now() != before {
                return Err(format!("a refused tampered batch ({t:?}) changed state"));
            }
        }
        let msg = batch.msg();
        let res = self.exec(&operator, &msg, &[]);
        let out = expect("batch", true, &res)?;
        self.suite.op.follow(&batch);
        let now = self.now();
        let pending = self.r.pending();
        if n as u64 >= pending.min(shape.deposits as u64) {
            self.r.served_at = now;
        }
        self.r.last_batch = now;
        self.r.cursor += n;
        self.r.batches += 1;
        self.r.accounts = accounts;
        for (to, amount) in credits {
            *self.r.credits.entry(to).or_default() += amount;
        }
        self.r.credits.retain(|_, v| *v > 0);
        self.r.mempool.drain(..take);
        self.included_txs += valid.len() as u64;
        self.dropped_txs += (txs.len() - valid.len()) as u64;
        self.r.last_batch_msg = Some(msg);
        self.r.last_noop = (n == 0 && valid.is_empty()).then_some(shape);
        self.batch_done = true;
        Ok(out)
    }

    fn step_bad_batch(&mut self, kind: BadBatch, deposits: u8) -> Result<Outcome, String> {
        let status = self.status();
        let msg = match (kind, self.r.last_batch_msg.clone()) {
            (BadBatch::Replay, Some(m)) => m,
            (BadBatch::StaleProof | BadBatch::CountBack | BadBatch::TooManyDeposits, Some(m)) => {
                let ExecuteMsg::SubmitBatch { proof, .. } = m else {
                    unreachable!()
                };
                let n = (deposits as usize)
                    .min(self.r.pending() as usize)
                    .min(self.r.shape.deposits);
                let op = &self.suite.op;
                let mut ledger = op.ledger.clone();
                let (_, data) = ledger
                    .apply_batch(
                        op.shape,
                        &op.domain,
                        &op.head,
                        &op.queue[op.cursor..op.cursor + n],
                        &[],
                    )
                    .map_err(|e| format!("bad batch: the honest data does not build: {e}"))?;
                let mut count = ledger.accounts().len() as u64;
                let mut consumed = n as u64;
                match kind {
                    BadBatch::CountBack => count = status.account_count.saturating_sub(1),
                    BadBatch::TooManyDeposits => consumed = self.r.pending() + 1,
                    _ => {}
                }
                ExecuteMsg::SubmitBatch {
                    data: Binary::from(data.encode()),
                    deposits_consumed: consumed,
                    new_accounts_root: Binary::from(fr_to_bytes(&ledger.accounts_root()).to_vec()),
                    new_account_count: count,
                    proof,
                }
            }
            _ => ExecuteMsg::SubmitBatch {
                data: Binary::from(settle_core::validity::ledger::BatchData::default().encode()),
                deposits_consumed: 0,
                new_accounts_root: Binary::from(vec![0u8; 32]),
                new_account_count: status.account_count,
                proof: Binary::from(vec![7u8; settle_zk::PROOF_LEN]),
            },
        };
        // The one such batch that is valid: the last batch changed nothing and this is the
        // same message (its statement, from the same state under the same key, holds).
        let predicted = self.live()
            && self.r.last_noop == Some(self.r.shape)
            && self.r.last_batch_msg.as_ref() == Some(&msg);
        let operator = self.operator.clone();
        let res = self.exec(&operator, &msg, &[]);
        let out = expect("replayed or stale batch", predicted, &res)?;
        if out == Outcome::Accepted {
            let now = self.now();
            if self.r.pending() == 0 {
                self.r.served_at = now;
            }
            self.r.last_batch = now;
            self.r.batches += 1;
            self.batch_done = true;
        }
        Ok(out)
    }

    fn step_request_exit(
        &mut self,
        account: u16,
        recipient: u8,
        by: u8,
        bond: u64,
        fault: ExitFault,
    ) -> Result<Outcome, String> {
        let opened = self.r.opened.len();
        let account = if fault == ExitFault::NoAccount || opened == 0 {
            opened as u32 + account as u32 % 3
        } else {
            (account as usize % opened) as u32
        };
        let recipient = self.user(recipient);
        let sender = self.user(by);
        let bond = match fault {
            ExitFault::SmallBond => MIN_DEPOSIT - 1,
            _ => (bond as u128).max(MIN_DEPOSIT),
        };
        let sequence = self.r.exit_sequence.get(&account).copied().unwrap_or(0)
            + u64::from(fault == ExitFault::WrongSequence);
        let key = match (fault, self.r.opened.get(account as usize)) {
            (ExitFault::BadSignature, _) | (_, None) => self.mallory.clone(),
            (_, Some(k)) => self.keys[*k].clone(),
        };
        let msg = self.suite.op.exit_request_msg(
            &key,
            account,
            recipient.as_str(),
            &self.canonical(&recipient),
            sequence,
        );
        let predicted = self.live()
            && fault == ExitFault::None
            && (account as usize) < opened
            && self.r.pending() < MAX_PENDING
            && self.bal(&sender, 0) >= bond;
        let res = self.exec(&sender, &msg, &[Coin::new(bond, DENOM)]);
        let out = expect("request exit", predicted, &res)?;
        if out == Outcome::Accepted {
            let contract = self.r.contract.clone();
            self.move_funds(&sender, &contract, 0, bond);
            *self.r.exit_sequence.entry(account).or_default() += 1;
            let now = self.now();
            self.r.queue.push(QueueEntry {
                entry: Entry::Exit { account, recipient },
                amount: bond,
                depositor: sender,
                time: now,
                reclaimed: false,
            });
            self.suite.op.queue.push(Deposit::Exit { account });
        }
        Ok(out)
    }

    fn step_claim(&mut self, user: u8) -> Result<Outcome, String> {
        let who = self.user(user);
        let amount = self.r.credits.get(&who).copied().unwrap_or(0);
        let res = self.exec(&who, &ExecuteMsg::Claim {}, &[]);
        let out = expect("claim", amount > 0, &res)?;
        if out == Outcome::Accepted {
            let contract = self.r.contract.clone();
            self.move_funds(&contract, &who, 0, amount);
            self.r.credits.remove(&who);
        }
        Ok(out)
    }

    fn admin_or_not(&self, by_admin: bool) -> Addr {
        if by_admin {
            self.r.admin.clone()
        } else {
            self.outsider.clone()
        }
    }

    fn step_propose_key(
        &mut self,
        by_admin: bool,
        shape: u8,
        garbage: bool,
    ) -> Result<Outcome, String> {
        let sender = self.admin_or_not(by_admin);
        let si = shape as usize % SHAPES.len();
        let key = if garbage {
            vec![0u8; 100]
        } else {
            keys_for(SHAPES[si]).verifying.to_wire()
        };
        let predicted = by_admin && !garbage && self.r.pending_key.is_none();
        let msg = ExecuteMsg::ProposeKey {
            verifying_key: Binary::from(key),
            shape: msg_shape(SHAPES[si]),
        };
        let res = self.exec(&sender, &msg, &[]);
        let out = expect("propose key", predicted, &res)?;
        if out == Outcome::Accepted {
            self.r.pending_key = Some((si, self.now() + KEY_TIMELOCK));
        }
        Ok(out)
    }

    fn step_apply_key(&mut self, by: u8) -> Result<Outcome, String> {
        let sender = self.user(by);
        let now = self.now();
        let predicted = match self.r.pending_key {
            Some((_, applies_at)) => {
                now >= applies_at
                    && !self.r.queue[self.r.cursor..]
                        .iter()
                        .any(|q| matches!(q.entry, Entry::Exit { .. }) && q.time < applies_at)
            }
            None => false,
        };
        let res = self.exec(&sender, &ExecuteMsg::ApplyKey {}, &[]);
        let out = expect("apply key", predicted, &res)?;
        if out == Outcome::Accepted {
            let (si, _) = self.r.pending_key.take().expect("predicted");
            self.r.shape = SHAPES[si];
            self.suite.op.keys = keys_for(SHAPES[si]);
            self.suite.op.shape = SHAPES[si];
        }
        Ok(out)
    }

    fn step_cancel_key(&mut self, by_admin: bool) -> Result<Outcome, String> {
        let sender = self.admin_or_not(by_admin);
        let predicted = by_admin && self.r.pending_key.is_some();
        let res = self.exec(&sender, &ExecuteMsg::CancelKey {}, &[]);
        let out = expect("cancel key", predicted, &res)?;
        if out == Outcome::Accepted {
            self.r.pending_key = None;
        }
        Ok(out)
    }

    fn candidate(&self, i: u8) -> Addr {
        match i % 3 {
            0 => self.suite.admin.clone(),
            1 => self.admin2.clone(),
            _ => self.outsider.clone(),
        }
    }

    fn step_propose_admin(&mut self, by_admin: bool, to: u8) -> Result<Outcome, String> {
        let sender = self.admin_or_not(by_admin);
        let new = self.candidate(to % 2);
        let predicted = by_admin && new != self.r.admin;
        let res = self.exec(
            &sender,
            &ExecuteMsg::ProposeAdmin {
                admin: new.to_string(),
            },
            &[],
        );
        let out = expect("propose admin", predicted, &res)?;
        if out == Outcome::Accepted {
            self.r.pending_admin = Some(new);
        }
        Ok(out)
    }

    fn step_accept_admin(&mut self, by: u8) -> Result<Outcome, String> {
        let sender = self.candidate(by);
        let predicted = self.r.pending_admin.as_ref() == Some(&sender);
        let res = self.exec(&sender, &ExecuteMsg::AcceptAdmin {}, &[]);
        let out = expect("accept admin", predicted, &res)?;
        if out == Outcome::Accepted {
            self.r.admin = self.r.pending_admin.take().expect("predicted");
        }
        Ok(out)
    }

    fn step_cancel_admin(&mut self, by_admin: bool) -> Result<Outcome, String> {
        let sender = self.admin_or_not(by_admin);
        let predicted = by_admin && self.r.pending_admin.is_some();
        let res = self.exec(&sender, &ExecuteMsg::CancelAdmin {}, &[]);
        let out = expect("cancel admin", predicted, &res)?;
        if out == Outcome::Accepted {
            self.r.pending_admin = None;
        }
        Ok(out)
    }

    fn step_exodus_exit(
        &mut self,
        account: u16,
        recipient: u8,
        fault: ExodusFault,
    ) -> Result<Outcome, String> {
        let recipient = self.user(recipient);
        let canonical = self.canonical(&recipient);
        let ledger = &self.suite.op.ledger;
        let n = ledger.accounts().len();
        let (msg, index, balance) = if n == 0 {
            (
                ExecuteMsg::ExodusWithdraw {
                    account: 0,
                    pubkey: Binary::from(self.mallory.public_key().encode().to_vec()),
                    balance: Uint128::new(1),
                    nonce: 0,
                    path: vec![Binary::from(vec![0u8; 32]); 20],
                    recipient: recipient.to_string(),
                    signature: Binary::from(self.mallory.sign(&Fr::from(1u64)).encode().to_vec()),
                },
                0u32,
                0u128,
            )
        } else {
            let index = (account as usize % n) as u32;
            let a = *ledger.account(index).expect("in range");
            let path = ledger.path(index).map_err(|e| e.to_string())?;
            let message = exit_message(ledger.hasher(), &self.suite.op.domain, index, &canonical)
                .map_err(|e| e.to_string())?;
            let key = match fault {
                ExodusFault::BadSignature => &self.mallory,
                _ => &self.keys[self.r.accounts[index as usize].key],
            };
            let balance = a.balance + u128::from(fault == ExodusFault::WrongBalance);
            (
                ExecuteMsg::ExodusWithdraw {
                    account: index,
                    pubkey: Binary::from(a.key.encode().to_vec()),
                    balance: Uint128::new(balance),
                    nonce: a.nonce,
                    path: path
                        .iter()
                        .map(|x| Binary::from(fr_to_bytes(x).to_vec()))
                        .collect(),
                    recipient: recipient.to_string(),
                    signature: Binary::from(key.sign(&message).encode().to_vec()),
                },
                index,
                a.balance,
            )
        };
        let predicted =
            !self.live() && n > 0 && fault == ExodusFault::None && !self.r.exited.contains(&index);
        let sender = self.outsider.clone();
        let res = self.exec(&sender, &msg, &[]);
        let out = expect("exodus exit", predicted, &res)?;
        if out == Outcome::Accepted {
            let model = self.r.accounts[index as usize].balance;
            if model != balance {
                return Err(format!(
                    "exodus exit of account {index}: the proven ledger holds {balance}, the model {model}"
                ));
            }
            let contract = self.r.contract.clone();
            self.move_funds(&contract, &recipient, 0, balance);
            self.r.exited.insert(index);
        }
        Ok(out)
    }

    fn step_reclaim(&mut self, index: u16) -> Result<Outcome, String> {
        let len = self.r.queue.len();
        let index = if len == 0 { 0 } else { index as usize % len };
        let predicted =
            !self.live() && index < len && index >= self.r.cursor && !self.r.queue[index].reclaimed;
        let sender = self.outsider.clone();
        let res = self.exec(
            &sender,
            &ExecuteMsg::ReclaimDeposit {
                deposit: index as u64,
            },
            &[],
        );
        let out = expect("reclaim deposit", predicted, &res)?;
        if out == Outcome::Accepted {
            let q = self.r.queue[index].clone();
            let contract = self.r.contract.clone();
            self.move_funds(&contract, &q.depositor, 0, q.amount);
            self.r.queue[index].reclaimed = true;
        }
        Ok(out)
    }

    fn step_garbage(&mut self, kind: u8) -> Result<Outcome, String> {
        let user = self.users[0].clone();
        let res = match kind % 4 {
            0 => self.exec(
                &user,
                &ExecuteMsg::Deposit {
                    target: DepositTarget::NewAccount {
                        pubkey: Binary::from(self.keys[0].public_key().encode().to_vec()),
                    },
                },
                &[],
            ),
            1 => self.exec(&user, &ExecuteMsg::Claim {}, &[Coin::new(5u128, DENOM)]),
            2 => self.exec(
                &user,
                &ExecuteMsg::SubmitBatch {
                    data: Binary::from(vec![9u8; 7]),
                    deposits_consumed: 0,
                    new_accounts_root: Binary::from(vec![0u8; 32]),
                    new_account_count: self.r.accounts.len() as u64,
                    proof: Binary::from(vec![0u8; settle_zk::PROOF_LEN]),
                },
                &[],
            ),
            _ => {
                let admin = self.r.admin.clone();
                self.exec(
                    &admin,
                    &ExecuteMsg::ProposeKey {
                        verifying_key: Binary::from(keys_for(SHAPES[0]).verifying.to_wire()),
                        shape: validity_rollup::msg::Shape {
                            deposits: 0,
                            txs: 1,
                        },
                    },
                    &[],
                )
            }
        };
        expect("invalid message", false, &res)
    }

    fn step_redeploy(&mut self) -> Result<Outcome, String> {
        if self.live() {
            return Ok(Outcome::Refused);
        }
        let msg = ValiditySuiteBuilder::new()
            .with_shape(SHAPES[0].deposits, SHAPES[0].txs)
            .with_exodus_after(EXODUS_AFTER)
            .with_key_timelock(KEY_TIMELOCK)
            .with_min_deposits(MIN_DEPOSIT, MIN_NEW_ACCOUNT)
            .with_max_pending(MAX_PENDING)
            .instantiate_msg();
        let contract = self
            .suite
            .instantiate_another(&msg)
            .map_err(|e| format!("redeploy: {}", err_text(e)))?;
        self.suite.contract = contract.clone();
        let config: ConfigResponse = self.suite.query(&QueryMsg::Config {}).map_err(err_text)?;
        let domain =
            settle_core::validity::field::fr_from_bytes("domain", config.domain.as_slice())
                .map_err(|e| e.to_string())?;
        self.suite.op = Operator::new(domain, SHAPES[0], keys_for(SHAPES[0]));
        self.r = Self::fresh_rollup(&self.suite);
        self.contracts.push(contract);
        Ok(Outcome::Accepted)
    }

    fn status(&self) -> StatusResponse {
        self.suite.status()
    }

    fn chain_balance(&self, who: &Addr, denom: usize) -> u128 {
        let c = self
            .suite
            .app
            .wrap()
            .query_balance(who.as_str(), [DENOM, OTHER][denom])
            .expect("balance");
        Uint128::try_from(c.amount).expect("fits").u128()
    }

    fn known_addresses(&self) -> Vec<Addr> {
        let mut all = self.users.clone();
        all.push(self.operator.clone());
        all.push(self.admin2.clone());
        all.push(self.outsider.clone());
        all.push(self.suite.admin.clone());
        all.extend(self.contracts.iter().cloned());
        all
    }
}

impl Drop for ValiditySoak {
    /// With `SOAK_STATS` set: what proving cost and what the operator left out.
    fn drop(&mut self) {
        if std::env::var_os("SOAK_STATS").is_some() {
            eprintln!(
                "validity-rollup stats: {} proofs in {:.1} s ({:.2} s each), {} transactions included, {} invalid ones left out",
                self.cost.proofs,
                self.cost.time.as_secs_f64(),
                self.cost.time.as_secs_f64() / self.cost.proofs.max(1) as f64,
                self.included_txs,
                self.dropped_txs
            );
        }
    }
}

/// A copy of `batch` changed as `t` says (its proof no longer fits).
fn tampered(batch: &settle_testing::ProvenBatch, t: Tamper, r: &Rollup) -> ExecuteMsg {
    let ExecuteMsg::SubmitBatch {
        data,
        deposits_consumed: deposits,
        new_accounts_root,
        new_account_count,
        proof,
    } = batch.msg()
    else {
        unreachable!()
    };
    let mut m = (data, deposits, new_accounts_root, new_account_count, proof);
    match t {
        Tamper::Count => m.3 += 1,
        Tamper::Root => m.2 = Binary::from(fr_to_bytes(&Fr::from(12_345u64)).to_vec()),
        Tamper::Data => {
            let mut d = batch.data.clone();
            match d.txs.first_mut() {
                Some(TxBody::Transfer { amount, .. } | TxBody::Withdraw { amount, .. }) => {
                    *amount += 1
                }
                None => match d.exits.first_mut() {
                    Some(e) => *e += 1,
                    None => d.txs.push(TxBody::Transfer {
                        from: 0,
                        to: 0,
                        amount: 1,
                    }),
                },
            }
            m.0 = Binary::from(d.encode());
        }
        Tamper::Deposits => {
            let pending = (r.queue.len() - r.cursor) as u64;
            m.1 = if m.1 > 0 {
                m.1 - 1
            } else {
                (m.1 + 1).min(pending.max(1))
            };
        }
        Tamper::NegatedA => {
            let mut p = m.4.to_vec();
            p[0] ^= 0x20;
            m.4 = Binary::from(p);
        }
    }
    ExecuteMsg::SubmitBatch {
        data: m.0,
        deposits_consumed: m.1,
        new_accounts_root: m.2,
        new_account_count: m.3,
        proof: m.4,
    }
}

impl Machine for ValiditySoak {
    type Op = Op;
    const NAME: &'static str = "validity-rollup";

    fn new(_seed: u64) -> Self {
        let mut b = ValiditySuiteBuilder::new()
            .with_shape(SHAPES[0].deposits, SHAPES[0].txs)
            .with_exodus_after(EXODUS_AFTER)
            .with_key_timelock(KEY_TIMELOCK)
            .with_min_deposits(MIN_DEPOSIT, MIN_NEW_ACCOUNT)
            .with_max_pending(MAX_PENDING);
        let labels: Vec<String> = (0..USERS).map(|i| format!("vuser{i}")).collect();
        for l in &labels {
            b = b.with_funds(l, FUNDS);
        }
        let mut suite = b.build();
        let users: Vec<Addr> = labels.iter().map(|l| suite.addr(l)).collect();
        let holders = users.clone();
        suite.app.init_modules(|router, _, storage| {
            for h in &holders {
                router
                    .bank
                    .init_balance(
                        storage,
                        h,
                        vec![Coin::new(FUNDS, DENOM), Coin::new(FUNDS, OTHER)],
                    )
                    .expect("genesis balances");
            }
        });
        let mut bank = BTreeMap::new();
        for u in &users {
            bank.insert((u.clone(), 0), FUNDS);
            bank.insert((u.clone(), 1), FUNDS);
        }
        let keys = (0..USERS * KEYS_PER_USER)
            .map(|i| key_of(&format!("soak-validity-key-{i}")))
            .collect();
        let r = Self::fresh_rollup(&suite);
        let contracts = vec![suite.contract.clone()];
        ValiditySoak {
            operator: suite.addr("operator"),
            admin2: suite.addr("admin2"),
            outsider: suite.addr("voutsider"),
            users,
            keys,
            mallory: key_of("soak-validity-mallory"),
            r,
            contracts,
            bank,
            batch_done: false,
            cost: ProvingCost::default(),
            spread: spread(),
            dropped_txs: 0,
            included_txs: 0,
            suite,
        }
    }

    fn generate(&mut self, rng: &mut StdRng) -> Op {
        let live = self.live();
        if !live {
            self.r.in_exodus_ops += 1;
        }
        let accounts = self.r.accounts.len().max(1) as u16;
        let opened = self.r.opened.len().max(1) as u16;
        if !live {
            // Exodus: users leave, depositors take back what no batch consumed; after a
            // while a fresh rollup.
            let unexited = (0..self.r.accounts.len() as u32).any(|i| !self.r.exited.contains(&i));
            let unreclaimed = self.r.queue[self.r.cursor..].iter().any(|q| !q.reclaimed);
            let done = !unexited && !unreclaimed && self.r.credits.is_empty();
            if done || self.r.in_exodus_ops > 60 {
                return Op::Redeploy;
            }
            let unexited: Vec<u16> = (0..self.r.accounts.len() as u16)
                .filter(|i| !self.r.exited.contains(&(*i as u32)))
                .collect();
            return match rng.gen_range(0..20) {
                0..=7 => Op::ExodusExit {
                    account: if unexited.is_empty() || rng.gen_bool(0.15) {
                        rng.gen_range(0..accounts)
                    } else {
                        unexited[rng.gen_range(0..unexited.len())]
                    },
                    recipient: rng.gen_range(0..USERS as u8),
                    fault: match rng.gen_range(0..10) {
                        0 => ExodusFault::BadSignature,
                        1 => ExodusFault::WrongBalance,
                        _ => ExodusFault::None,
                    },
                },
                8..=11 => Op::Reclaim {
                    index: if rng.gen_bool(0.85) {
                        self.r.cursor as u16 + rng.gen_range(0..(self.r.pending() as u16).max(1))
                    } else {
                        rng.gen_range(0..(self.r.queue.len() as u16 + 1))
                    },
                },
                12..=14 => Op::Claim {
                    user: rng.gen_range(0..USERS as u8),
                },
                15 => Op::DepositNew {
                    user: rng.gen_range(0..USERS as u8),
                    key: rng.gen_range(0..2),
                    amount: rng.gen_range(100..100_000),
                    fault: DepositFault::None,
                },
                16 => Op::Batch {
                    deposits: 1,
                    tamper: None,
                },
                17 => Op::RequestExit {
                    account: rng.gen_range(0..opened),
                    recipient: rng.gen_range(0..USERS as u8),
                    by: rng.gen_range(0..USERS as u8),
                    bond: 50,
                    fault: ExitFault::None,
                },
                18 => Op::ApplyKey {
                    by: rng.gen_range(0..USERS as u8),
                },
                _ => Op::Advance {
                    seconds: rng.gen_range(1..1_000),
                },
            };
        }
        // Batches: a small share, more when the queue or the mempool fills.
        let batch_weight = 1
            + u32::from(self.r.pending() >= MAX_PENDING / 2) * 2
            + u32::from(self.r.mempool.len() >= MEMPOOL);
        // A due key proposal is applied (or found blocked by an earlier exit request).
        let now = self.now();
        let key_due = self
            .r
            .pending_key
            .is_some_and(|(_, applies_at)| now >= applies_at);
        let k = self.spread;
        let weights: [(u32, u8); 16] = [
            (5, 0),                               // deposit new
            (3, 1),                               // deposit credit
            (5, 2),                               // l2 tx
            (batch_weight, 3),                    // batch
            (3 * k, 4),                           // bad batch
            (2, 5),                               // request exit
            (3 * k, 6),                           // claim
            (2 * k, 7),                           // propose key
            (if key_due { 6 } else { 1 } * k, 8), // apply key
            (1, 9),      // cancel key: unspread, or a proposal never outlives its timelock
            (k, 10),     // propose admin
            (k, 11),     // accept admin
            (k, 12),     // cancel admin
            (8 * k, 13), // advance
            (2 * k, 14), // exodus exit / reclaim out of exodus
            (3 * k, 15), // garbage
        ];
        let total: u32 = weights.iter().map(|w| w.0).sum();
        let mut roll = rng.gen_range(0..total);
        let mut kind = 0;
        for (w, k) in weights {
            if roll < w {
                kind = k;
                break;
            }
            roll -= w;
        }
        match kind {
            0 => Op::DepositNew {
                user: rng.gen_range(0..USERS as u8),
                key: rng.gen_range(0..2),
                amount: rng.gen_range(100..1_000_000),
                fault: match rng.gen_range(0..16) {
                    0 => DepositFault::TooSmall,
                    1 => DepositFault::WrongDenom,
                    2 => DepositFault::WrongKey,
                    3 => DepositFault::NoFunds,
                    _ => DepositFault::None,
                },
            },
            1 => Op::DepositCredit {
                user: rng.gen_range(0..USERS as u8),
                account: rng.gen_range(0..opened),
                amount: rng.gen_range(10..500_000),
                fault: match rng.gen_range(0..16) {
                    0 => DepositFault::TooSmall,
                    1 => DepositFault::WrongDenom,
                    2 => DepositFault::WrongKey,
                    3 => DepositFault::NoAccount,
                    _ => DepositFault::None,
                },
            },
            2 => Op::L2Tx {
                from: rng.gen_range(0..accounts),
                to: rng.gen_range(0..accounts),
                bps: rng.gen_range(0..=10_000),
                withdraw: rng.gen_bool(0.35),
                recipient: rng.gen_range(0..USERS as u8),
                fault: match rng.gen_range(0..14) {
                    0 => TxFault::BadSignature,
                    1 => TxFault::WrongNonce,
                    2 => TxFault::Overdraft,
                    3 => TxFault::NoRecipient,
                    _ => TxFault::None,
                },
            },
            3 => Op::Batch {
                deposits: rng.gen_range(0..3),
                tamper: match rng.gen_range(0..12) {
                    0 => Some(Tamper::Count),
                    1 => Some(Tamper::Root),
                    2 => Some(Tamper::Data),
                    3 => Some(Tamper::Deposits),
                    4 => Some(Tamper::NegatedA),
                    _ => None,
                },
            },
            4 => Op::BadBatch {
                kind: match rng.gen_range(0..5) {
                    0 => BadBatch::Replay,
                    1 => BadBatch::StaleProof,
                    2 => BadBatch::CountBack,
                    3 => BadBatch::TooManyDeposits,
                    _ => BadBatch::GarbageProof,
                },
                deposits: rng.gen_range(0..3),
            },
            5 => Op::RequestExit {
                account: rng.gen_range(0..opened),
                recipient: rng.gen_range(0..USERS as u8),
                by: rng.gen_range(0..USERS as u8),
                bond: rng.gen_range(10..1_000),
                fault: match rng.gen_range(0..12) {
                    0 => ExitFault::BadSignature,
                    1 => ExitFault::WrongSequence,
                    2 => ExitFault::NoAccount,
                    3 => ExitFault::SmallBond,
                    _ => ExitFault::None,
                },
            },
            6 => Op::Claim {
                // Mostly a user with something credited.
                user: match self
                    .users
                    .iter()
                    .position(|u| self.r.credits.contains_key(u))
                {
                    Some(i) if rng.gen_bool(0.7) => i as u8,
                    _ => rng.gen_range(0..USERS as u8),
                },
            },
            7 => Op::ProposeKey {
                by_admin: rng.gen_bool(0.8),
                shape: if std::env::var_os("SOAK_ROTATE_SHAPE").is_some() {
                    rng.gen_range(0..SHAPES.len() as u8)
                } else {
                    0
                },
                garbage: rng.gen_bool(0.1),
            },
            8 => Op::ApplyKey {
                by: rng.gen_range(0..USERS as u8),
            },
            9 => Op::CancelKey {
                by_admin: rng.gen_bool(0.25),
            },
            10 => Op::ProposeAdmin {
                by_admin: rng.gen_bool(0.8),
                to: rng.gen_range(0..2),
            },
            11 => Op::AcceptAdmin {
                // Mostly the nominee.
                by: match &self.r.pending_admin {
                    Some(p) if rng.gen_bool(0.7) => u8::from(*p == self.admin2),
                    _ => rng.gen_range(0..3),
                },
            },
            12 => Op::CancelAdmin {
                by_admin: rng.gen_bool(0.7),
            },
            13 => Op::Advance {
                seconds: match rng.gen_range(0u64..100) {
                    // A proposed key waits out its timelock sooner.
                    0..=39 if self.r.pending_key.is_some() => rng.gen_range(60..600),
                    0..=79 => rng.gen_range(1..60),
                    80..=98 => rng.gen_range(60..600),
                    _ => rng.gen_range(2_000u64..6_000),
                }
                .div_ceil(u64::from(k)),
            },
            14 => {
                if rng.gen_bool(0.5) {
                    Op::ExodusExit {
                        account: rng.gen_range(0..accounts),
                        recipient: rng.gen_range(0..USERS as u8),
                        fault: ExodusFault::None,
                    }
                } else {
                    Op::Reclaim {
                        index: rng.gen_range(0..(self.r.queue.len() as u16 + 1)),
                    }
                }
            }
            _ => Op::Garbage { kind: rng.gen() },
        }
    }

    fn kind(op: &Op) -> &'static str {
        match op {
            Op::DepositNew { .. } => "deposit (new account)",
            Op::DepositCredit { .. } => "deposit (credit)",
            Op::L2Tx { withdraw: true, .. } => "l2 withdrawal (mempool)",
            Op::L2Tx { .. } => "l2 transfer (mempool)",
            Op::Batch {
                tamper: Some(_), ..
            } => "batch (after a tampered copy)",
            Op::Batch { .. } => "batch",
            Op::BadBatch { .. } => "replayed or stale batch",
            Op::RequestExit { .. } => "request_exit",
            Op::Claim { .. } => "claim",
            Op::ProposeKey { .. } => "propose_key",
            Op::ApplyKey { .. } => "apply_key",
            Op::CancelKey { .. } => "cancel_key",
            Op::ProposeAdmin { .. } => "propose_admin",
            Op::AcceptAdmin { .. } => "accept_admin",
            Op::CancelAdmin { .. } => "cancel_admin",
            Op::Advance { .. } => "time passes",
            Op::ExodusExit { .. } => "exodus_withdraw",
            Op::Reclaim { .. } => "reclaim_deposit",
            Op::Garbage { .. } => "invalid message",
            Op::Redeploy => "redeploy (after exodus)",
        }
    }

    fn step(&mut self, op: &Op) -> Result<Outcome, String> {
        self.batch_done = false;
        match *op {
            Op::DepositNew {
                user,
                key,
                amount,
                fault,
            } => self.step_deposit_new(user, key, amount, fault),
            Op::DepositCredit {
                user,
                account,
                amount,
                fault,
            } => self.step_deposit_credit(user, account, amount, fault),
            Op::L2Tx {
                from,
                to,
                bps,
                withdraw,
                recipient,
                fault,
            } => self.step_l2_tx(TxRecipe {
                from,
                to,
                bps,
                withdraw,
                recipient,
                fault,
            }),
            Op::Batch { deposits, tamper } => self.step_batch(deposits, tamper),
            Op::BadBatch { kind, deposits } => self.step_bad_batch(kind, deposits),
            Op::RequestExit {
                account,
                recipient,
                by,
                bond,
                fault,
            } => self.step_request_exit(account, recipient, by, bond, fault),
            Op::Claim { user } => self.step_claim(user),
            Op::ProposeKey {
                by_admin,
                shape,
                garbage,
            } => self.step_propose_key(by_admin, shape, garbage),
            Op::ApplyKey { by } => self.step_apply_key(by),
            Op::CancelKey { by_admin } => self.step_cancel_key(by_admin),
            Op::ProposeAdmin { by_admin, to } => self.step_propose_admin(by_admin, to),
            Op::AcceptAdmin { by } => self.step_accept_admin(by),
            Op::CancelAdmin { by_admin } => self.step_cancel_admin(by_admin),
            Op::Advance { seconds } => {
                self.suite.advance(seconds);
                Ok(Outcome::Accepted)
            }
            Op::ExodusExit {
                account,
                recipient,
                fault,
            } => self.step_exodus_exit(account, recipient, fault),
            Op::Reclaim { index } => self.step_reclaim(index),
            Op::Garbage { kind } => self.step_garbage(kind),
            Op::Redeploy => self.step_redeploy(),
        }
    }

    fn check(&self) -> Result<(), String> {
        // Every bank balance the soak knows is what the model says.
        for who in self.known_addresses() {
            for d in 0..2 {
                let chain = self.chain_balance(&who, d);
                let model = self.bal(&who, d);
                if chain != model {
                    return Err(format!(
                        "{who} holds {chain} {}, the model says {model}",
                        [DENOM, OTHER][d]
                    ));
                }
            }
        }
        // The contract holds exactly what it owes: L2 balances, queued entries, credits.
        let locked = self.r.locked();
        let credited = self.r.credited();
        let held = self.bal(&self.r.contract, 0);
        if held != locked + credited {
            return Err(format!(
                "the rollup holds {held}, the model owes {locked} locked + {credited} credited"
            ));
        }
        let s: SolvencyResponse = self.suite.solvency();
        if !s.solvent
            || s.denoms.len() != 1
            || s.denoms[0].held.to_string() != held.to_string()
            || s.denoms[0].owed.to_string() != held.to_string()
        {
            return Err(format!(
                "solvency query {s:?}, the model holds and owes {held}"
            ));
        }
        let st = self.status();
        let live = self.live();
        if st.batches != self.r.batches
            || st.deposit_cursor != self.r.cursor as u64
            || st.deposit_count != self.r.queue.len() as u64
            || st.account_count != self.r.accounts.len() as u64
            || st.locked.u128() != locked
            || st.credited.u128() != credited
            || st.exodus == live
            || st.exodus_at != self.r.exodus_at()
        {
            return Err(format!(
                "status {st:?}; the model: {} batches, cursor {}, {} queued, {} accounts, locked {locked}, credited {credited}, exodus at {} ({})",
                self.r.batches,
                self.r.cursor,
                self.r.queue.len(),
                self.r.accounts.len(),
                self.r.exodus_at(),
                if live { "live" } else { "exodus" }
            ));
        }
        // Credits per address.
        for who in self.known_addresses() {
            let got = self.suite.credit_of(&who);
            let model = self.r.credits.get(&who).copied().unwrap_or(0);
            if got != model {
                return Err(format!("{who} is credited {got}, the model says {model}"));
            }
        }
        // Honest users' L2 balances: the proven ledger is the model's, account by account.
        if self.batch_done {
            let ledger = &self.suite.op.ledger;
            if st.state_root.as_slice() != fr_to_bytes(&ledger.state_root()) {
                return Err("the contract's state root is not the operator ledger's".into());
            }
            if ledger.accounts().len() != self.r.accounts.len() {
                return Err("the ledger and the model count different accounts".into());
            }
            for (i, (l, m)) in ledger.accounts().iter().zip(&self.r.accounts).enumerate() {
                if l.balance != m.balance
                    || l.nonce != m.nonce
                    || l.key != self.keys[m.key].public_key()
                {
                    return Err(format!(
                        "account {i}: the proven ledger has balance {} nonce {}, the model {} {}",
                        l.balance, l.nonce, m.balance, m.nonce
                    ));
                }
            }
        }
        Ok(())
    }

    fn fingerprint(&self) -> Vec<u8> {
        let mut out = storage_bytes(&*self.suite.app.contract_storage(&self.suite.contract));
        for who in self.known_addresses() {
            for d in 0..2 {
                out.extend_from_slice(&self.chain_balance(&who, d).to_be_bytes());
            }
        }
        out
    }
}
