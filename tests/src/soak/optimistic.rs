//! The optimistic rollup's soak: random deposits, L2 transfers and withdrawals, honest and
//! lying batches, fraud-proof games played one move at a time by honest and dishonest
//! sides, time passing, finalization, withdrawals (valid, replayed, forged), bonds, config
//! changes, the admin transfer, credits and junk, against a plain model.
//!
//! The model keeps its own L2 ledger (accounts, nonces, the deposit queue, each batch's
//! withdrawals), every bank balance of every actor, the bonds, games, credits, config and
//! admin, and predicts whether the chain accepts each message. After every step it checks
//! that every bank balance is the model's to the unit, that the contract holds exactly
//! what it owes per denom (and that its `solvency` query says so), that what the contract
//! owes in the value denom is what the L2 owes its users (balances, queued deposits,
//! proven-but-unpaid withdrawals), that the operator node's ledger is the model's, and that
//! each honest user's L1 balance plus what it is owed is its genesis plus what others sent
//! it on L2.
//!
//! The actors: four honest users and `eve` (who also sends junk and forgeries), an honest
//! proposer and `mallory` (a bonded proposer who posts lying roots), an honest `challenger`
//! and `troll` (who challenges true batches and plays at random), the admin and its
//! would-be successor, and two treasuries. The honest parties are diligent: before time
//! passes, the honest challenger challenges the earliest lying batch whose window would
//! close, and every honest player whose clock would run out moves (so an honest side can
//! only lose if the contract is wrong). The model asserts that honest sides never lose.
//!
//! The operator node keeps every batch's ledger, and the contract's storage grows with
//! every deposit and batch, so the soak redeploys a fresh rollup every [`EPOCH`] operations
//! (a `redeploy` op, recorded in the sequence like any other).

use std::collections::{BTreeMap, BTreeSet};

use cosmwasm_std::{Addr, Binary, Coin, StdResult, Uint128};
use cw_multi_test::AppResponse;
use rand::rngs::StdRng;
use rand::Rng;

use optimistic_rollup::msg::{
    DepositTarget, DisputeParams, ExecuteMsg, GamePhase, GameResponse, OutputPreimage,
};
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_core::hash::{keccak256_concat, Hash};
use settle_core::node::WithdrawalProof;
use settle_testing::{event_attr, Suite, SuiteBuilder, BOND_DENOM, DENOM};

use super::{Machine, Outcome};

/// Operations between two deployments (`SOAK_EPOCH` overrides it, for longer-lived state).
pub const EPOCH: u64 = 1_500;

fn epoch_len() -> u64 {
    std::env::var("SOAK_EPOCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(EPOCH)
}
/// A denom the rollup does not take.
const OTHER: &str = "uatom";
const DENOMS: [&str; 3] = [DENOM, BOND_DENOM, OTHER];
/// Most L2 accounts the soak opens in one deployment (the node keeps a ledger per batch).
const MAX_ACCOUNTS: usize = 40;
/// Most L2 transactions waiting in the operator's mempool.
const MAX_MEMPOOL: usize = 12;
/// Keys per user.
const KEYS_PER_USER: u32 = 6;

/// Everyone the soak knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Who {
    U0,
    U1,
    U2,
    U3,
    Eve,
    Proposer,
    Mallory,
    Challenger,
    Troll,
    Admin,
    Admin2,
    Treasury,
    Treasury2,
    Anyone,
}

const ALL: [Who; 14] = [
    Who::U0,
    Who::U1,
    Who::U2,
    Who::U3,
    Who::Eve,
    Who::Proposer,
    Who::Mallory,
    Who::Challenger,
    Who::Troll,
    Who::Admin,
    Who::Admin2,
    Who::Treasury,
    Who::Treasury2,
    Who::Anyone,
];
/// Users with L2 accounts (the four honest ones and eve).
const USERS: [Who; 5] = [Who::U0, Who::U1, Who::U2, Who::U3, Who::Eve];

impl Who {
    fn label(self) -> &'static str {
        match self {
            Who::U0 => "user0",
            Who::U1 => "user1",
            Who::U2 => "user2",
            Who::U3 => "user3",
            Who::Eve => "eve",
            Who::Proposer => "proposer",
            Who::Mallory => "mallory",
            Who::Challenger => "challenger",
            Who::Troll => "troll",
            Who::Admin => "admin",
            Who::Admin2 => "admin2",
            Who::Treasury => "treasury",
            Who::Treasury2 => "treasury2",
            Who::Anyone => "anyone",
        }
    }

    fn user(i: u8) -> Who {
        USERS[i as usize % USERS.len()]
    }

    fn honest_user(self) -> bool {
        matches!(self, Who::U0 | Who::U1 | Who::U2 | Who::U3)
    }

    /// Plays games honestly and acts before its clock runs out.
    fn honest_player(self) -> bool {
        matches!(self, Who::Proposer | Who::Challenger)
    }

    fn genesis(self) -> Vec<(&'static str, u128)> {
        match self {
            Who::U0 | Who::U1 | Who::U2 | Who::U3 => {
                vec![(DENOM, 1_000_000_000), (OTHER, 1_000_000)]
            }
            Who::Eve => vec![
                (DENOM, 1_000_000_000),
                (OTHER, 1_000_000),
                (BOND_DENOM, 10_000_000),
            ],
            // plus the 10,000 the suite gives them
            Who::Proposer | Who::Challenger => vec![(BOND_DENOM, 1_000_000_000_000)],
            Who::Mallory | Who::Troll => vec![(BOND_DENOM, 1_000_000_000_000)],
            _ => vec![],
        }
    }
}

/// Where a deposit goes.
#[derive(Clone, Copy, Debug)]
pub enum DepTo {
    /// A new account for one of the depositor's keys.
    New(u32),
    /// An existing account (index modulo the accounts there are).
    Existing(u32),
    /// An index past every account: refunded by the batch that consumes it.
    Unknown,
}

/// What is wrong with a deposit, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepFlaw {
    None,
    /// One unit: the contract has no minimum, so it is accepted.
    OneUnit,
    WrongDenom,
    Zero,
    TwoCoins,
    MoreThanHeld,
}

/// How a game move is made.
#[derive(Clone, Copy, Debug)]
pub enum MoveBy {
    /// The side to move plays honestly (a defender by its claim).
    Honest,
    /// The side to move plays as it likes (honest players still play honestly).
    Wild(u8),
    /// The side not to move tries.
    OutOfTurn,
    /// The side to move answers the wrong position.
    WrongPosition,
    /// Eve makes the expected move (only a one-step proof is open to anyone).
    Stranger,
}

/// How a lying batch lies.
#[derive(Clone, Copy, Debug)]
pub enum Lie {
    /// Every root from this position (scaled into `1..=steps`) on is altered.
    WrongFrom(u8),
    /// The step states are true, the output root is not.
    WrongOutput,
}

/// A withdrawal attempt on L1.
#[derive(Clone, Copy, Debug)]
pub enum WithdrawKind {
    /// A proven, unpaid withdrawal of a final batch.
    Valid,
    /// A paid one again.
    Twice,
    /// A valid proof with the recipient changed.
    OtherRecipient,
    /// A withdrawal of a batch that is not final.
    NotFinal,
    /// A proof saved from a batch that was removed.
    Removed,
    /// A valid proof with one field broken (variant).
    Broken(u8),
}

/// One soak operation: plain data, resolved against the model when applied.
#[derive(Clone, Debug)]
pub enum Op {
    Deposit {
        user: u8,
        to: DepTo,
        amount: u64,
        flaw: DepFlaw,
    },
    L2Transfer {
        from: u8,
        to: u8,
        pct: u8,
        nonce_skew: u8,
    },
    L2Withdraw {
        from: u8,
        recipient: u8,
        pct: u8,
        nonce_skew: u8,
    },
    /// The honest proposer posts the mempool and the pending deposits (`partial`: fewer
    /// deposits than pending, which force inclusion may refuse).
    ProposeHonest {
        partial: Option<u8>,
    },
    /// Mallory posts the mempool with a lie, or with the truth.
    ProposeMallory {
        lie: Option<Lie>,
    },
    Challenge {
        by: Who,
        batch: u8,
        bond_skew: i8,
    },
    Move {
        game: u8,
        by: MoveBy,
    },
    Resolve {
        game: u8,
        ended: bool,
    },
    Advance {
        seconds: u64,
    },
    Finalize {
        which: u8,
    },
    Withdraw {
        kind: WithdrawKind,
        hint: u16,
        sender: u8,
    },
    Bond {
        who: Who,
        amount: u64,
        wrong_denom: bool,
    },
    Unbond {
        who: Who,
    },
    ProposeConfig {
        by: Who,
        field: u8,
        value: u64,
        valid: bool,
    },
    ApplyConfig {
        by: Who,
    },
    CancelConfig {
        by: Who,
    },
    ProposeAdmin {
        by: Who,
        to: Who,
    },
    AcceptAdmin {
        by: Who,
    },
    CancelAdmin {
        by: Who,
    },
    Claim {
        who: Who,
    },
    Junk {
        kind: u8,
    },
    Redeploy,
}

// ---------------------------------------------------------------------------------------
// The model

#[derive(Clone, Debug)]
struct MAcct {
    owner: Who,
    key: u32,
    balance: u128,
    nonce: u64,
}

/// The L2 as the model sees it after the last live batch.
#[derive(Clone, Debug, Default)]
struct L2 {
    accounts: Vec<MAcct>,
    /// Deposits consumed.
    cursor: u64,
    /// Value each user received from others on L2 minus what it sent them.
    net: BTreeMap<Who, i128>,
}

#[derive(Clone, Debug)]
enum MTarget {
    New(u32),
    Account(u32),
}

#[derive(Clone, Debug)]
struct MDeposit {
    depositor: Who,
    target: MTarget,
    amount: u128,
    queued_at: u64,
}

#[derive(Clone, Debug)]
enum MBody {
    Transfer { to: u32, amount: u128 },
    Withdraw { to: Who, amount: u128 },
}

#[derive(Clone, Debug)]
struct MTx {
    from: u32,
    key: u32,
    nonce: u64,
    body: MBody,
}

#[derive(Clone, Debug)]
struct MBatch {
    proposer: Who,
    lie: bool,
    uid: u64,
    finalizes_at: u64,
    finalized: bool,
    deposits_from: u64,
    before: L2,
    withdrawals: Vec<(Who, u128)>,
    true_roots: Vec<Hash>,
    claimed: Vec<Hash>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum S {
    D,
    C,
}

impl S {
    fn other(self) -> S {
        match self {
            S::D => S::C,
            S::C => S::D,
        }
    }
}

#[derive(Clone, Debug)]
struct MGame {
    id: u64,
    batch: u64,
    uid: u64,
    defender: Who,
    challenger: Who,
    bond: u128,
    reward_bps: u16,
    treasury: Who,
    ended: bool,
    /// Set when its batch was removed: the side that had already won on time, if any.
    removed: Option<Option<S>>,
}

impl MGame {
    fn player(&self, s: S) -> Who {
        match s {
            S::D => self.defender,
            S::C => self.challenger,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
struct MConfig {
    proposer_bond: u128,
    challenge_window: u64,
    force_inclusion_delay: u64,
    max_batch_bytes: u32,
    challenger_bond: u128,
    clock_seconds: u64,
    min_answer_seconds: u64,
    reward_bps: u16,
    treasury: Who,
}

#[derive(Clone, Debug, Default)]
struct Model {
    l1: BTreeMap<(Who, &'static str), u128>,
    genesis_value: BTreeMap<Who, u128>,
    l2: L2,
    deposits: Vec<MDeposit>,
    rewound_at: Option<u64>,
    mempool: Vec<MTx>,
    batches: Vec<MBatch>,
    finalized: u64,
    proposals: u64,
    next_game: u64,
    games: Vec<MGame>,
    bonds: BTreeMap<Who, u128>,
    last_batch: BTreeMap<Who, (u64, u64)>,
    credits: BTreeMap<Who, u128>,
    paid: BTreeSet<(u64, u32)>,
    outstanding: u128,
    config: Option<MConfig>,
    pending_config: Option<(MConfig, u64, u64)>,
    admin: Option<Who>,
    pending_admin: Option<Who>,
    /// Withdrawal proofs of batches that were removed, for replays.
    stale: Vec<WithdrawalProof>,
}

impl Model {
    fn l1(&self, who: Who, denom: &'static str) -> u128 {
        self.l1.get(&(who, denom)).copied().unwrap_or(0)
    }

    fn add(&mut self, who: Who, denom: &'static str, amount: u128) {
        *self.l1.entry((who, denom)).or_default() += amount;
    }

    fn sub(&mut self, who: Who, denom: &'static str, amount: u128) -> Result<(), String> {
        let e = self.l1.entry((who, denom)).or_default();
        *e = e
            .checked_sub(amount)
            .ok_or_else(|| format!("model: {who:?} pays {amount} {denom} it does not hold"))?;
        Ok(())
    }

    fn config(&self) -> &MConfig {
        self.config.as_ref().expect("deployed")
    }

    fn bond(&self, who: Who) -> u128 {
        self.bonds.get(&who).copied().unwrap_or(0)
    }

    fn live(&self, batch: u64, uid: u64) -> bool {
        self.batches
            .get(batch as usize)
            .is_some_and(|b| b.uid == uid)
    }

    fn open_games(&self, batch: u64) -> usize {
        let Some(b) = self.batches.get(batch as usize) else {
            return 0;
        };
        self.games
            .iter()
            .filter(|g| !g.ended && g.batch == batch && g.uid == b.uid)
            .count()
    }

    fn defending(&self, who: Who) -> usize {
        self.games
            .iter()
            .filter(|g| !g.ended && g.defender == who)
            .count()
    }

    fn pending_deposits(&self) -> u64 {
        self.deposits.len() as u64 - self.l2.cursor
    }

    /// The first live lying batch (its ancestors are all true).
    fn earliest_lie(&self) -> Option<u64> {
        self.batches.iter().position(|b| b.lie).map(|i| i as u64)
    }

    /// Whether every live batch before `batch` tells the truth.
    fn clean(&self, batch: u64) -> bool {
        self.earliest_lie().is_none_or(|l| l >= batch)
    }

    /// Unpaid withdrawals of live batches.
    fn unpaid(&self) -> impl Iterator<Item = (u64, u32, Who, u128)> + '_ {
        self.batches.iter().enumerate().flat_map(move |(b, batch)| {
            batch
                .withdrawals
                .iter()
                .enumerate()
                .filter(move |(i, _)| !self.paid.contains(&(b as u64, *i as u32)))
                .map(move |(i, (who, amount))| (b as u64, i as u32, *who, *amount))
        })
    }

    /// What the rollup owes `who` in the value denom: its L2 balances, its queued
    /// deposits, its proven-but-unpaid withdrawals.
    fn owed(&self, who: Who) -> u128 {
        let balances: u128 = self
            .l2
            .accounts
            .iter()
            .filter(|a| a.owner == who)
            .map(|a| a.balance)
            .sum();
        let queued: u128 = self.deposits[self.l2.cursor as usize..]
            .iter()
            .filter(|d| d.depositor == who)
            .map(|d| d.amount)
            .sum();
        let unpaid: u128 = self
            .unpaid()
            .filter(|(_, _, w, _)| *w == who)
            .map(|(_, _, _, a)| a)
            .sum();
        balances + queued + unpaid
    }
}

/// Moves `amount` of L2 value from `from` to `to` in the per-user net.
fn shift(net: &mut BTreeMap<Who, i128>, from: Who, to: Who, amount: u128) {
    if from != to {
        *net.entry(from).or_default() -= amount as i128;
        *net.entry(to).or_default() += amount as i128;
    }
}

/// The L2 rules, plainly: deposits open, credit or refund; a transaction applies if its
/// account exists, the signing key is the account's, the nonce is the account's, the
/// amount is positive and covered, and a transfer's recipient exists; otherwise it is a
/// no-op. Returns the batch's withdrawals.
fn apply_l2(l2: &mut L2, deposits: &[MDeposit], txs: &[MTx]) -> Vec<(Who, u128)> {
    let mut out = Vec::new();
    for d in deposits {
        match d.target {
            MTarget::New(key) => l2.accounts.push(MAcct {
                owner: d.depositor,
                key,
                balance: d.amount,
                nonce: 0,
            }),
            MTarget::Account(i) => match l2.accounts.get_mut(i as usize) {
                Some(a) => {
                    a.balance += d.amount;
                    let owner = a.owner;
                    shift(&mut l2.net, d.depositor, owner, d.amount);
                }
                None => out.push((d.depositor, d.amount)),
            },
        }
        l2.cursor += 1;
    }
    for tx in txs {
        let Some(a) = l2.accounts.get(tx.from as usize) else {
            continue;
        };
        let amount = match tx.body {
            MBody::Transfer { amount, .. } | MBody::Withdraw { amount, .. } => amount,
        };
        if a.key != tx.key || a.nonce != tx.nonce || amount == 0 || amount > a.balance {
            continue;
        }
        let owner = a.owner;
        match tx.body {
            MBody::Transfer { to, amount } => {
                if to == tx.from {
                    l2.accounts[tx.from as usize].nonce += 1;
                    continue;
                }
                let Some(r) = l2.accounts.get_mut(to as usize) else {
                    continue;
                };
                r.balance += amount;
                let recipient = r.owner;
                let a = &mut l2.accounts[tx.from as usize];
                a.balance -= amount;
                a.nonce += 1;
                shift(&mut l2.net, owner, recipient, amount);
            }
            MBody::Withdraw { to, amount } => {
                let a = &mut l2.accounts[tx.from as usize];
                a.balance -= amount;
                a.nonce += 1;
                out.push((to, amount));
                shift(&mut l2.net, owner, to, amount);
            }
        }
    }
    out
}

fn altered(root: &Hash) -> Hash {
    keccak256_concat(&[b"a lie", root])
}

/// What the model expects of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pred {
    Accept,
    Refuse,
    /// The model does not decide this one (the chain's answer is followed).
    Either,
}

fn short(e: &impl std::fmt::Display) -> String {
    let s = e.to_string();
    let s = s.lines().next().unwrap_or_default().to_string();
    if s.len() > 300 {
        format!("{}...", &s[..300])
    } else {
        s
    }
}

/// Checks the chain's answer against the prediction.
fn judge(what: &str, pred: Pred, res: &StdResult<AppResponse>) -> Result<Outcome, String> {
    match (pred, res) {
        (Pred::Refuse, Ok(_)) => Err(format!("{what}: accepted, the model refuses it")),
        (Pred::Accept, Err(e)) => Err(format!(
            "{what}: refused ({}), the model accepts it",
            short(e)
        )),
        (_, Ok(_)) => Ok(Outcome::Accepted),
        (_, Err(_)) => Ok(Outcome::Refused),
    }
}

// ---------------------------------------------------------------------------------------
// The machine

/// The optimistic rollup under soak.
pub struct OptimisticSoak {
    s: Suite,
    m: Model,
    seed: u64,
    epoch: u64,
    ops_in_epoch: u64,
    keys: Vec<L2Key>,
    addrs: BTreeMap<Who, Addr>,
    /// The bond denom of this deployment: `ustake`, or the value denom itself.
    bd: &'static str,
}

impl OptimisticSoak {
    fn deploy(seed: u64, epoch: u64, keys: Vec<L2Key>) -> Self {
        // splitmix64 of the seed and the epoch: each deployment its own parameters
        let mut mix = seed ^ epoch.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        mix = (mix ^ (mix >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        mix = (mix ^ (mix >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        mix ^= mix >> 31;
        let pick = |n: u64, shift: u32| (mix >> shift) % n;
        let challenge_window = [300, 3_600, 86_400][pick(3, 0) as usize];
        let clock_seconds = [300, 3_600][pick(2, 4) as usize];
        let min_answer_seconds = [60, 300][pick(2, 8) as usize];
        let force_inclusion_delay = [0, 600, 3_600][pick(3, 12) as usize];
        let reward_bps = [0u16, 5_000, 10_000, 3_333][pick(4, 16) as usize];
        // one deployment in four takes bonds in the value denom (one balance for both)
        let bd = if pick(4, 20) == 0 { DENOM } else { BOND_DENOM };
        let mut b = SuiteBuilder::new()
            .with_challenge_window(challenge_window)
            .with_force_inclusion_delay(force_inclusion_delay)
            .with_max_batch_bytes(4_096)
            .with_dispute(DisputeParams {
                challenger_bond: Uint128::new(500),
                clock_seconds,
                min_answer_seconds,
                reward_bps,
                treasury: String::new(),
            });
        if bd == DENOM {
            b = b.with_bonds_in_value_denom();
        }
        let mut m = Model::default();
        for who in ALL {
            let mut coins: Vec<(&'static str, u128)> = who
                .genesis()
                .into_iter()
                .map(|(d, a)| (if d == BOND_DENOM { bd } else { d }, a))
                .collect();
            // the suite's own starter funds: 10,000 in the bond denom
            if matches!(who, Who::Proposer | Who::Challenger) {
                m.add(who, bd, 10_000);
            }
            for (denom, amount) in &coins {
                m.add(who, denom, *amount);
            }
            m.genesis_value.insert(
                who,
                coins.iter().filter(|c| c.0 == DENOM).map(|c| c.1).sum(),
            );
            if !coins.is_empty() {
                b = b.with_coins(
                    who.label(),
                    coins
                        .drain(..)
                        .map(|(d, a)| Coin::new(a, d))
                        .collect::<Vec<_>>(),
                );
            }
        }
        let s = b.build();
        let addrs = ALL.iter().map(|w| (*w, s.addr(w.label()))).collect();
        m.config = Some(MConfig {
            proposer_bond: 1_000,
            challenge_window,
            force_inclusion_delay,
            max_batch_bytes: 4_096,
            challenger_bond: 500,
            clock_seconds,
            min_answer_seconds,
            reward_bps,
            treasury: Who::Treasury,
        });
        m.admin = Some(Who::Admin);
        OptimisticSoak {
            s,
            m,
            seed,
            epoch,
            ops_in_epoch: 0,
            keys,
            addrs,
            bd,
        }
    }

    fn addr(&self, who: Who) -> Addr {
        self.addrs[&who].clone()
    }

    fn now(&self) -> u64 {
        self.s.app.block_info().time.seconds()
    }

    fn exec(&mut self, who: Who, msg: &ExecuteMsg, funds: &[Coin]) -> StdResult<AppResponse> {
        let a = self.addr(who);
        self.s.execute(&a, msg, funds)
    }

    fn key_of(&self, user: Who, k: u32) -> u32 {
        let u = USERS.iter().position(|w| *w == user).unwrap_or(0) as u32;
        u * KEYS_PER_USER + k % KEYS_PER_USER
    }

    // --- deposits and the L2 --------------------------------------------------------

    fn deposit(
        &mut self,
        user: u8,
        to: DepTo,
        amount: u64,
        flaw: DepFlaw,
    ) -> Result<Outcome, String> {
        let who = Who::user(user);
        let accounts = self.m.l2.accounts.len() as u32;
        let (to_msg, target) = match to {
            DepTo::New(k) => {
                let key = self.key_of(who, k);
                let pubkey = Binary::from(self.keys[key as usize].public_key().as_slice());
                (DepositTarget::NewAccount { pubkey }, MTarget::New(key))
            }
            DepTo::Existing(i) if accounts > 0 => {
                let index = i % accounts;
                (
                    DepositTarget::Account { account: index },
                    MTarget::Account(index),
                )
            }
            DepTo::Existing(_) | DepTo::Unknown => {
                let index = accounts + 3;
                (
                    DepositTarget::Account { account: index },
                    MTarget::Account(index),
                )
            }
        };
        let amount = match flaw {
            DepFlaw::OneUnit => 1,
            DepFlaw::Zero => 0,
            DepFlaw::MoreThanHeld => self.m.l1(who, DENOM) + 1,
            _ => amount as u128,
        };
        let coins = match flaw {
            DepFlaw::WrongDenom => vec![Coin::new(amount, OTHER)],
            DepFlaw::TwoCoins => vec![Coin::new(amount, DENOM), Coin::new(1u128, OTHER)],
            _ => vec![Coin::new(amount, DENOM)],
        };
        let pred = match flaw {
            DepFlaw::None | DepFlaw::OneUnit => Pred::Accept,
            _ => Pred::Refuse,
        };
        let a = self.addr(who);
        let res = self
            .s
            .deposit_coins(&a, to_msg, &coins)
            .map(|_| AppResponse::default());
        let out = judge("deposit", pred, &res)?;
        if out == Outcome::Accepted {
            self.m.sub(who, DENOM, amount)?;
            self.m.outstanding += amount;
            let now = self.now();
            self.m.deposits.push(MDeposit {
                depositor: who,
                target,
                amount,
                queued_at: now,
            });
        }
        Ok(out)
    }

    /// Queues an L2 transaction in the operator's mempool (no chain message).
    fn queue_tx(&mut self, from: u8, body: MBody, nonce_skew: u8) -> Result<Outcome, String> {
        let n = self.m.l2.accounts.len();
        if n == 0 || self.m.mempool.len() >= MAX_MEMPOOL {
            return Ok(Outcome::Refused);
        }
        let from = from as usize % n;
        let a = &self.m.l2.accounts[from];
        // the nonce after the mempool's earlier transactions from this account
        let queued = self
            .m
            .mempool
            .iter()
            .filter(|t| t.from == from as u32)
            .count() as u64;
        let nonce = a.nonce + queued + u64::from(nonce_skew % 4 == 3);
        self.m.mempool.push(MTx {
            from: from as u32,
            key: a.key,
            nonce,
            body,
        });
        Ok(Outcome::Accepted)
    }

    fn l2_amount(&self, from: u8, pct: u8) -> u128 {
        let n = self.m.l2.accounts.len();
        if n == 0 {
            return 0;
        }
        self.m.l2.accounts[from as usize % n].balance * pct as u128 / 100
    }

    // --- batches --------------------------------------------------------------------

    /// Encodes the mempool as the batch's transaction data.
    fn mempool_data(&self) -> Vec<u8> {
        let mut data = Vec::new();
        for tx in &self.m.mempool {
            let key = &self.keys[tx.key as usize];
            let signed = match &tx.body {
                MBody::Transfer { to, amount } => self
                    .s
                    .node
                    .sign_transfer(key, tx.from, *to, *amount, tx.nonce),
                MBody::Withdraw { to, amount } => {
                    let recipient = self.s.canonical(&self.addrs[to]);
                    self.s
                        .node
                        .sign_withdrawal(key, tx.from, recipient, *amount, tx.nonce)
                }
            };
            data.extend(signed.encode());
        }
        data
    }

    /// Whether force inclusion lets a batch leave deposit `first_left` queued now.
    fn may_leave(&self, first_left: u64) -> bool {
        let Some(d) = self.m.deposits.get(first_left as usize) else {
            return true;
        };
        let from = self
            .m
            .rewound_at
            .map_or(d.queued_at, |r| r.max(d.queued_at));
        self.now() < from.saturating_add(self.m.config().force_inclusion_delay)
    }

    fn propose(
        &mut self,
        who: Who,
        partial: Option<u8>,
        lie: Option<Lie>,
    ) -> Result<Outcome, String> {
        let pending = self.m.pending_deposits();
        let take = match partial {
            Some(p) if pending > 0 => p as u64 % pending,
            _ => pending.min(settle_core::ledger::MAX_DEPOSITS_PER_BATCH),
        };
        let data = self.mempool_data();
        let index = self.m.batches.len() as u64;
        if data.is_empty() && take == 0 {
            let a = self.addr(who);
            let res = self.s.propose_raw(&a, vec![], 0, vec![0; 32]);
            return judge("empty batch", Pred::Refuse, &res);
        }
        let proposal = self
            .s
            .node
            .propose_with(&NativeVerifier, data.clone(), take)
            .map_err(|e| format!("node refuses a batch the model built: {e}"))?;
        if proposal.index != index {
            return Err(format!(
                "node proposes batch {} where the model is at {index}",
                proposal.index
            ));
        }
        let true_roots = self
            .s
            .node
            .trace(index)
            .and_then(|t| t.roots(&NativeVerifier))
            .map_err(|e| format!("node cannot replay batch {index}: {e}"))?;
        let n = true_roots.len() - 1;
        let mut claimed = true_roots.clone();
        match lie {
            None => {}
            Some(Lie::WrongFrom(p)) => {
                let from = 1 + p as usize % n;
                for r in claimed.iter_mut().skip(from) {
                    *r = altered(r);
                }
            }
            Some(Lie::WrongOutput) => {
                let mut output = self.s.node.batch_result(index).expect("applied").output;
                output.deposit_cursor += 1;
                claimed[n] = output.root();
            }
        }
        let c = self.m.config().clone();
        let mut pred = if self.m.bond(who) < c.proposer_bond
            || (data.is_empty() && take == 0)
            || data.len() > c.max_batch_bytes as usize
        {
            Pred::Refuse
        } else {
            Pred::Accept
        };
        if pred == Pred::Accept && take < pending && !self.may_leave(self.m.l2.cursor + take) {
            pred = Pred::Refuse;
        }
        let a = self.addr(who);
        let res = self
            .s
            .propose_raw(&a, data.clone(), take, claimed[n].to_vec());
        let out = judge("propose_batch", pred, &res)?;
        if out == Outcome::Refused {
            self.s.node.roll_back(index).map_err(|e| e.to_string())?;
            return Ok(out);
        }
        // the model applies the same batch
        let before = self.m.l2.clone();
        let from = self.m.l2.cursor as usize;
        let deposits = self.m.deposits[from..from + take as usize].to_vec();
        let txs = std::mem::take(&mut self.m.mempool);
        let withdrawals = apply_l2(&mut self.m.l2, &deposits, &txs);
        let now = self.now();
        self.m.batches.push(MBatch {
            proposer: who,
            lie: claimed[n] != true_roots[n],
            uid: self.m.proposals,
            finalizes_at: now + c.challenge_window,
            finalized: false,
            deposits_from: from as u64,
            before,
            withdrawals,
            true_roots,
            claimed,
        });
        self.m.last_batch.insert(who, (index, self.m.proposals));
        self.m.proposals += 1;
        self.check_node(index)?;
        Ok(out)
    }

    /// The operator node's ledger and batch `index`'s withdrawals are the model's.
    fn check_node(&self, index: u64) -> Result<(), String> {
        self.check_ledger()?;
        let b = self.s.node.batch_result(index).map_err(|e| e.to_string())?;
        let model = &self.m.batches[index as usize].withdrawals;
        let node: Vec<(Vec<u8>, u128)> = b
            .withdrawals
            .items
            .iter()
            .map(|w| (w.recipient.clone(), w.amount))
            .collect();
        let want: Vec<(Vec<u8>, u128)> = model
            .iter()
            .map(|(w, a)| (self.s.canonical(&self.addrs[w]), *a))
            .collect();
        if node != want {
            return Err(format!(
                "batch {index}: node withdrawals {node:?}, the model's {model:?}"
            ));
        }
        Ok(())
    }

    /// The operator node's ledger is the model's L2.
    fn check_ledger(&self) -> Result<(), String> {
        let accounts = self.s.node.ledger.accounts();
        if accounts.len() != self.m.l2.accounts.len() {
            return Err(format!(
                "node has {} L2 accounts, the model {}",
                accounts.len(),
                self.m.l2.accounts.len()
            ));
        }
        for (i, (a, m)) in accounts.iter().zip(&self.m.l2.accounts).enumerate() {
            if a.balance != m.balance
                || a.nonce != m.nonce
                || a.pubkey != self.keys[m.key as usize].public_key()
            {
                return Err(format!(
                    "L2 account {i}: node has balance {} nonce {}, the model {m:?}",
                    a.balance, a.nonce
                ));
            }
        }
        Ok(())
    }

    // --- games ----------------------------------------------------------------------

    fn game_view(&self, id: u64) -> GameResponse {
        self.s.game(id)
    }

    /// The side to move and whether its clock has run out.
    fn to_move(v: &GameResponse) -> Option<(S, bool)> {
        match v.phase {
            GamePhase::Bisect { .. } => Some((S::D, v.defender_left == 0)),
            GamePhase::Choose { .. } | GamePhase::OneStep { .. } => {
                Some((S::C, v.challenger_left == 0))
            }
            _ => None,
        }
    }

    fn open_game_ids(&self) -> Vec<usize> {
        (0..self.m.games.len())
            .filter(|i| !self.m.games[*i].ended)
            .collect()
    }

    fn challenge(&mut self, by: Who, batch: u8, bond_skew: i8) -> Result<Outcome, String> {
        let index = if by == Who::Challenger {
            // the honest challenger only challenges the earliest lie, once
            match self.honest_target() {
                Some(i) => i,
                None => return Ok(Outcome::Refused),
            }
        } else {
            // mostly batches whose window is open, sometimes any index (final, closed,
            // past the end)
            let now = self.now();
            let open: Vec<u64> = (0..self.m.batches.len() as u64)
                .filter(|i| {
                    let b = &self.m.batches[*i as usize];
                    !b.finalized && now < b.finalizes_at
                })
                .collect();
            match open.get(batch as usize % open.len().max(1)) {
                Some(i) if !batch.is_multiple_of(8) => *i,
                _ => batch as u64 % (self.m.batches.len() as u64 + 2),
            }
        };
        let c = self.m.config().clone();
        let bond = (c.challenger_bond as i128 + bond_skew as i128).max(0) as u128;
        let now = self.now();
        let pred = match self.m.batches.get(index as usize) {
            Some(b) if bond_skew == 0 && !b.finalized && now < b.finalizes_at => Pred::Accept,
            _ => Pred::Refuse,
        };
        let res = self.exec(
            by,
            &ExecuteMsg::Challenge { batch: index },
            &[Coin::new(bond, self.bd)],
        );
        let out = judge("challenge", pred, &res)?;
        if let Ok(r) = &res {
            let id: u64 = event_attr(r, "challenge", "game")
                .and_then(|g| g.parse().ok())
                .ok_or("no game id in the challenge event")?;
            if id != self.m.next_game {
                return Err(format!(
                    "game id {id}, the model expects {}",
                    self.m.next_game
                ));
            }
            let b = &self.m.batches[index as usize];
            let game = MGame {
                id,
                batch: index,
                uid: b.uid,
                defender: b.proposer,
                challenger: by,
                bond,
                reward_bps: c.reward_bps,
                treasury: c.treasury,
                ended: false,
                removed: None,
            };
            self.m.games.push(game);
            self.m.next_game += 1;
            self.m.sub(by, self.bd, bond)?;
        }
        Ok(out)
    }

    /// The earliest live lie with no game of the honest challenger on it.
    fn honest_target(&self) -> Option<u64> {
        let i = self.m.earliest_lie()?;
        let b = &self.m.batches[i as usize];
        let taken = self
            .m
            .games
            .iter()
            .any(|g| g.challenger == Who::Challenger && g.batch == i && g.uid == b.uid);
        (!taken && !b.finalized).then_some(i)
    }

    /// For every open game, the side that has won on time now, if any (read before a
    /// move that may remove batches: a game decided before the removal settles as such).
    fn timeouts(&self) -> BTreeMap<u64, Option<S>> {
        self.m
            .games
            .iter()
            .filter(|g| !g.ended && g.removed.is_none())
            .map(|g| {
                let v = self.game_view(g.id);
                let won = Self::to_move(&v).and_then(|(s, out)| out.then_some(s.other()));
                (g.id, won)
            })
            .collect()
    }

    /// Settles game `gi` in the model as the chain reports (`winner` None = void), after
    /// checking the report against the model's prediction and the honest players.
    fn settle(
        &mut self,
        gi: usize,
        res: &AppResponse,
        predicted: Option<Option<S>>,
        timeouts: &BTreeMap<u64, Option<S>>,
    ) -> Result<(), String> {
        let g = self.m.games[gi].clone();
        let action = ["prove_step", "resolve_game"]
            .into_iter()
            .find(|a| event_attr(res, a, "game").is_some())
            .ok_or("no move event")?;
        let winner = match event_attr(res, action, "winner").as_deref() {
            Some("defender") => Some(S::D),
            Some("challenger") => Some(S::C),
            None if event_attr(res, action, "outcome").as_deref() == Some("void") => None,
            other => return Err(format!("game {}: unknown outcome {other:?}", g.id)),
        };
        if let Some(p) = predicted {
            if p != winner {
                return Err(format!(
                    "game {} ended with {winner:?}, the model expects {p:?}",
                    g.id
                ));
            }
        }
        if let Some(w) = winner {
            let loser = g.player(w.other());
            if loser.honest_player() {
                return Err(format!("game {}: honest {loser:?} lost", g.id));
            }
        }
        self.m.games[gi].ended = true;
        match winner {
            None => self.m.add(g.challenger, self.bd, g.bond),
            Some(S::D) => self.m.add(g.defender, self.bd, g.bond),
            Some(S::C) => {
                let slashed = self.m.bond(g.defender);
                if self.m.bonds.contains_key(&g.defender) {
                    self.m.bonds.insert(g.defender, 0);
                }
                // the model's own split: `reward_bps` of the slashed bond, rounded down,
                // to the challenger; the rest to the treasury (bonds here are far below
                // u128::MAX / 10,000)
                let reward = slashed * g.reward_bps as u128 / 10_000;
                let rest = slashed - reward;
                self.m.add(g.challenger, self.bd, g.bond + reward);
                if rest > 0 {
                    *self.m.credits.entry(g.treasury).or_default() += rest;
                }
                if self.m.live(g.batch, g.uid) {
                    self.remove_from(g.batch, timeouts)?;
                }
            }
        }
        Ok(())
    }

    /// Removes batch `k` and every later one (a challenger won on `k`).
    fn remove_from(&mut self, k: u64, timeouts: &BTreeMap<u64, Option<S>>) -> Result<(), String> {
        // keep some of the removed batches' withdrawal proofs for replays
        for b in k..self.m.batches.len() as u64 {
            for i in 0..self.m.batches[b as usize].withdrawals.len() as u32 {
                if self.m.stale.len() < 32 {
                    if let Ok(p) = self.s.node.withdrawal_proof(b, i) {
                        self.m.stale.push(p);
                    }
                }
            }
        }
        let first = self.m.batches[k as usize].clone();
        for g in self.m.games.iter_mut() {
            let gone = g.batch >= k
                && self
                    .m
                    .batches
                    .get(g.batch as usize)
                    .is_some_and(|b| b.uid == g.uid);
            if gone && !g.ended && g.removed.is_none() {
                g.removed = Some(timeouts.get(&g.id).copied().flatten());
            }
        }
        if first.deposits_from < self.m.l2.cursor {
            self.m.rewound_at = Some(self.now());
        }
        self.m.l2 = first.before;
        self.m.batches.truncate(k as usize);
        self.s.follow_removals();
        if self.s.node.batch_count() != k {
            return Err(format!(
                "the chain removed from {k}, the node kept {} batches",
                self.s.node.batch_count()
            ));
        }
        Ok(())
    }

    /// The honest (or as-claimed) move of the side to move, as a message and its sender.
    fn honest_move(&self, g: &MGame, v: &GameResponse, wild: Option<u8>) -> (Who, ExecuteMsg) {
        let b = &self.m.batches[g.batch as usize];
        match &v.phase {
            GamePhase::Bisect { position } => {
                let p = *position as usize;
                let root = match wild.map(|w| w % 3) {
                    None | Some(0) => b.claimed[p],
                    Some(1) => altered(&b.true_roots[p]),
                    _ => b.true_roots[p],
                };
                (
                    g.defender,
                    ExecuteMsg::Bisect {
                        game: g.id,
                        position: *position,
                        root: Binary::from(root.as_slice()),
                    },
                )
            }
            GamePhase::Choose { position, root } => {
                let agree = match wild {
                    None => b.true_roots[*position as usize].as_slice() == root.as_slice(),
                    Some(w) => w % 2 == 0,
                };
                (
                    g.challenger,
                    ExecuteMsg::Choose {
                        game: g.id,
                        position: *position,
                        agree,
                    },
                )
            }
            GamePhase::OneStep { step } => {
                let proof = match wild {
                    None => self.one_step_proof(g.batch, *step),
                    Some(w) => vec![w; 40],
                };
                (
                    g.challenger,
                    ExecuteMsg::ProveStep {
                        game: g.id,
                        step: *step,
                        proof: Binary::new(proof),
                    },
                )
            }
            _ => (g.challenger, ExecuteMsg::ResolveGame { game: g.id }),
        }
    }

    fn one_step_proof(&self, batch: u64, step: u64) -> Vec<u8> {
        self.s
            .node
            .trace(batch)
            .and_then(|t| t.proof(&NativeVerifier, step))
            .map(|p| p.encode())
            .unwrap_or_default()
    }

    /// Predicts a one-step proof from the node: accepted (and who wins) or refused.
    fn predict_proof(&self, g: &MGame, v: &GameResponse, expired: bool) -> (Pred, Option<S>) {
        if expired {
            return (Pred::Refuse, None);
        }
        if !self.m.clean(g.batch) {
            return (Pred::Either, None);
        }
        let b = &self.m.batches[g.batch as usize];
        if v.lo_root.as_slice() != b.true_roots[v.lo as usize].as_slice() {
            return (Pred::Refuse, None);
        }
        let w = if b.true_roots[v.lo as usize + 1].as_slice() == v.hi_root.as_slice() {
            S::D
        } else {
            S::C
        };
        (Pred::Accept, Some(w))
    }

    fn play(&mut self, game: u8, by: MoveBy) -> Result<Outcome, String> {
        let open = self.open_game_ids();
        if open.is_empty() {
            let id = self.m.next_game + 7;
            let res = self.exec(
                Who::Eve,
                &ExecuteMsg::Choose {
                    game: id,
                    position: 1,
                    agree: true,
                },
                &[],
            );
            return judge("move on no game", Pred::Refuse, &res);
        }
        // mostly a game that can still move (live batch, clock running), sometimes any
        let playable: Vec<usize> = open
            .iter()
            .copied()
            .filter(|gi| {
                let g = &self.m.games[*gi];
                self.m.live(g.batch, g.uid)
                    && Self::to_move(&self.game_view(g.id)).is_some_and(|(_, out)| !out)
            })
            .collect();
        let pool = if playable.is_empty() || game.is_multiple_of(5) {
            open
        } else {
            playable
        };
        self.play_game(pool[game as usize % pool.len()], by)
    }

    fn play_game(&mut self, gi: usize, by: MoveBy) -> Result<Outcome, String> {
        let g = self.m.games[gi].clone();
        let v = self.game_view(g.id);
        if !self.m.live(g.batch, g.uid) {
            // its batch is gone: only resolve_game does anything
            let (who, msg) = (
                g.defender,
                ExecuteMsg::Bisect {
                    game: g.id,
                    position: 1,
                    root: Binary::from([7u8; 32].as_slice()),
                },
            );
            let res = self.exec(who, &msg, &[]);
            return judge("move on a removed batch", Pred::Refuse, &res);
        }
        let Some((side, expired)) = Self::to_move(&v) else {
            return Err(format!(
                "open game {} has no side to move: {:?}",
                g.id, v.phase
            ));
        };
        let mover = g.player(side);
        let wild = match by {
            MoveBy::Wild(w) if !mover.honest_player() => Some(w),
            _ => None,
        };
        let (mut sender, mut msg) = self.honest_move(&g, &v, wild);
        let mut pred = Pred::Accept;
        let mut winner = None;
        match by {
            MoveBy::OutOfTurn => {
                sender = g.player(side.other());
                msg = match msg {
                    ExecuteMsg::Bisect { game, position, .. } => ExecuteMsg::Choose {
                        game,
                        position,
                        agree: true,
                    },
                    _ => ExecuteMsg::Bisect {
                        game: g.id,
                        position: v.lo + (v.hi - v.lo) / 2,
                        root: Binary::from([1u8; 32].as_slice()),
                    },
                };
                pred = Pred::Refuse;
            }
            MoveBy::WrongPosition => {
                match &mut msg {
                    ExecuteMsg::Bisect { position, .. }
                    | ExecuteMsg::Choose { position, .. }
                    | ExecuteMsg::ProveStep { step: position, .. } => *position += 1,
                    _ => {}
                }
                pred = Pred::Refuse;
            }
            MoveBy::Stranger => {
                // eve, unless she plays in this game (she may challenge)
                sender = if g.challenger == Who::Eve {
                    Who::U0
                } else {
                    Who::Eve
                };
                if !matches!(msg, ExecuteMsg::ProveStep { .. }) {
                    pred = Pred::Refuse;
                }
            }
            MoveBy::Honest | MoveBy::Wild(_) => {}
        }
        if pred == Pred::Accept {
            if let ExecuteMsg::ProveStep { .. } = msg {
                if wild.is_some() {
                    pred = Pred::Refuse;
                } else {
                    (pred, winner) = self.predict_proof(&g, &v, expired);
                }
            } else if expired {
                pred = Pred::Refuse;
            }
        }
        let is_proof = matches!(msg, ExecuteMsg::ProveStep { .. });
        let timeouts = if is_proof {
            self.timeouts()
        } else {
            BTreeMap::new()
        };
        let res = self.exec(sender, &msg, &[]);
        let out = judge(
            if is_proof { "prove_step" } else { "game move" },
            pred,
            &res,
        )?;
        if let (true, Ok(r)) = (is_proof, &res) {
            let predicted = (pred == Pred::Accept).then_some(winner);
            self.settle(gi, r, predicted, &timeouts)?;
        }
        Ok(out)
    }

    fn resolve(&mut self, game: u8, ended: bool) -> Result<Outcome, String> {
        let pool: Vec<usize> = (0..self.m.games.len())
            .filter(|i| self.m.games[*i].ended == ended)
            .collect();
        if pool.is_empty() {
            let id = self.m.next_game + 3;
            let res = self.exec(Who::Anyone, &ExecuteMsg::ResolveGame { game: id }, &[]);
            return judge("resolve_game on no game", Pred::Refuse, &res);
        }
        self.resolve_at(pool[game as usize % pool.len()])
    }

    fn resolve_at(&mut self, gi: usize) -> Result<Outcome, String> {
        let g = self.m.games[gi].clone();
        let (pred, winner) = if g.ended {
            (Pred::Refuse, None)
        } else if let Some(decided) = g.removed {
            (Pred::Accept, decided)
        } else {
            let v = self.game_view(g.id);
            match Self::to_move(&v) {
                Some((side, true)) => (Pred::Accept, Some(side.other())),
                _ => (Pred::Refuse, None),
            }
        };
        let timeouts = self.timeouts();
        let res = self.exec(Who::Anyone, &ExecuteMsg::ResolveGame { game: g.id }, &[]);
        let out = judge("resolve_game", pred, &res)?;
        if let Ok(r) = &res {
            self.settle(gi, r, Some(winner), &timeouts)?;
        }
        Ok(out)
    }

    /// Time passes; first every honest party does what would be too late afterwards.
    fn advance(&mut self, seconds: u64) -> Result<Outcome, String> {
        let target = self.now() + seconds;
        for _ in 0..256 {
            if !self.one_duty(target)? {
                self.s.advance(seconds);
                return Ok(Outcome::Accepted);
            }
        }
        Err("honest duties do not end".into())
    }

    /// Does one honest duty due by `target`; `false` when none is left.
    fn one_duty(&mut self, target: u64) -> Result<bool, String> {
        if let Some(i) = self.honest_target() {
            if self.m.batches[i as usize].finalizes_at <= target {
                let out = self.challenge(Who::Challenger, 0, 0)?;
                if out != Outcome::Accepted {
                    return Err(format!("the honest challenger could not challenge lie {i}"));
                }
                return Ok(true);
            }
        }
        for gi in self.open_game_ids() {
            let g = self.m.games[gi].clone();
            if !self.m.live(g.batch, g.uid) {
                continue;
            }
            let v = self.game_view(g.id);
            let Some((side, expired)) = Self::to_move(&v) else {
                continue;
            };
            let mover = g.player(side);
            let due = v.clock_runs_out_at.is_some_and(|d| d <= target);
            let proof_phase = matches!(v.phase, GamePhase::OneStep { .. });
            if !mover.honest_player() || !due || (proof_phase && side != S::C) {
                continue;
            }
            if expired {
                return Err(format!(
                    "honest {mover:?} let its clock in game {} run out",
                    g.id
                ));
            }
            let out = self.play_game(gi, MoveBy::Honest)?;
            if out != Outcome::Accepted {
                return Err(format!(
                    "honest {mover:?}'s move in game {} was refused",
                    g.id
                ));
            }
            return Ok(true);
        }
        Ok(false)
    }

    // --- the end of an epoch ----------------------------------------------------------

    /// Plays everything out and pays everyone: every game ends (the honest sides win or
    /// the game is void), every lie is removed, the honest users withdraw their whole L2
    /// balances, every batch finalizes and every withdrawal to an honest user is paid.
    /// Then each honest user holds its genesis plus what others sent it on L2, nothing is
    /// owed to it, and the honest proposer and challenger hold no less than at genesis.
    fn drain(&mut self) -> Result<(), String> {
        let expect = |what: &str, out: Outcome| {
            if out == Outcome::Accepted {
                Ok(())
            } else {
                Err(format!("drain: {what} was refused"))
            }
        };
        // 1. every game ends, every lie goes
        let mut rounds = 0;
        loop {
            rounds += 1;
            if rounds > 500 {
                return Err("drain: games do not end".into());
            }
            for gi in self.open_game_ids() {
                let g = self.m.games[gi].clone();
                let ready = g.removed.is_some()
                    || !self.m.live(g.batch, g.uid)
                    || Self::to_move(&self.game_view(g.id)).is_some_and(|(_, out)| out);
                if ready {
                    expect("resolve_game", self.resolve_at(gi)?)?;
                }
            }
            if self.open_game_ids().is_empty() {
                if self.m.earliest_lie().is_none() {
                    break;
                }
                if self.honest_target().is_some() {
                    expect("challenge", self.challenge(Who::Challenger, 0, 0)?)?;
                }
            }
            let c = self.m.config().clone();
            self.advance(c.clock_seconds.min(c.challenge_window) + 1)?;
        }
        // 2. a config that lets the withdrawals through, and a bonded honest proposer
        let admin = self.m.admin.ok_or("no admin")?;
        if self.m.config().max_batch_bytes < 4_096 {
            if self.m.pending_config.is_some() {
                expect("cancel_config", self.cancel_config(admin)?)?;
            }
            expect(
                "propose_config",
                self.propose_config(admin, 3, 4_096 - 64, true)?,
            )?;
            let w = self.m.config().challenge_window;
            self.advance(w + 1)?;
            expect("apply_config", self.apply_config(Who::Anyone)?)?;
        }
        let need = self
            .m
            .config()
            .proposer_bond
            .saturating_sub(self.m.bond(Who::Proposer));
        if need > 0 {
            expect("bond", self.bond(Who::Proposer, need as u64, false)?)?;
        }
        // 3. honest users withdraw everything they hold on L2
        self.m.mempool.clear();
        for _ in 0..20 {
            let todo: Vec<u32> = (0..self.m.l2.accounts.len() as u32)
                .filter(|i| {
                    let a = &self.m.l2.accounts[*i as usize];
                    a.owner.honest_user() && a.balance > 0
                })
                .take(MAX_MEMPOOL)
                .collect();
            if todo.is_empty() && self.m.pending_deposits() == 0 {
                break;
            }
            for i in todo {
                let a = self.m.l2.accounts[i as usize].clone();
                self.m.mempool.push(MTx {
                    from: i,
                    key: a.key,
                    nonce: a.nonce,
                    body: MBody::Withdraw {
                        to: a.owner,
                        amount: a.balance,
                    },
                });
            }
            expect("propose", self.propose(Who::Proposer, None, None)?)?;
        }
        // 4. everything finalizes (each batch's window is the one in force when it was
        // proposed) and every honest withdrawal is paid
        let until = self.m.batches.iter().map(|b| b.finalizes_at).max();
        if let Some(until) = until {
            self.advance(until.saturating_sub(self.now()) + 1)?;
        }
        while (self.m.finalized as usize) < self.m.batches.len() {
            expect("finalize", self.finalize(0)?)?;
        }
        loop {
            let next = self.m.unpaid().position(|(_, _, who, _)| who.honest_user());
            let Some(hint) = next else { break };
            // `withdraw` picks among the final unpaid ones, all of which are final now
            expect(
                "withdraw",
                self.withdraw(WithdrawKind::Valid, hint as u16, 1)?,
            )?;
        }
        self.check_all()?;
        for u in USERS.iter().filter(|u| u.honest_user()) {
            let owed = self.m.owed(*u);
            if owed != 0 {
                return Err(format!("drain: {u:?} is still owed {owed}"));
            }
        }
        // 5. the honest proposer takes its bond back; honest players lost nothing
        if self.m.bond(Who::Proposer) > 0 {
            expect("unbond", self.unbond(Who::Proposer)?)?;
        }
        for who in [Who::Proposer, Who::Challenger] {
            // their genesis is all bond coins (plus the suite's 10,000 in the bond denom)
            let suite_coins = 10_000;
            let genesis = suite_coins + who.genesis().iter().map(|c| c.1).sum::<u128>();
            let have = self.s.balance(&self.addrs[&who], self.bd);
            if have < genesis {
                return Err(format!(
                    "drain: honest {who:?} holds {have} of its {genesis}"
                ));
            }
        }
        Ok(())
    }

    // --- finalize and withdraw ------------------------------------------------------

    fn finalize(&mut self, which: u8) -> Result<Outcome, String> {
        let f = self.m.finalized;
        let index = match which % 6 {
            0..=2 => f,
            3 => f.saturating_sub(1),
            4 => f + 1,
            _ => f + 50,
        };
        let now = self.now();
        let pred = match self.m.batches.get(index as usize) {
            Some(b) if index == f && now >= b.finalizes_at && self.m.open_games(index) == 0 => {
                Pred::Accept
            }
            _ => Pred::Refuse,
        };
        let res = self.exec(Who::Anyone, &ExecuteMsg::Finalize { batch: index }, &[]);
        let out = judge("finalize", pred, &res)?;
        if out == Outcome::Accepted {
            self.m.batches[index as usize].finalized = true;
            self.m.finalized += 1;
        }
        Ok(out)
    }

    fn withdraw_msg(&self, p: &WithdrawalProof) -> ExecuteMsg {
        self.s.withdraw_msg(p)
    }

    fn withdraw(&mut self, kind: WithdrawKind, hint: u16, sender: u8) -> Result<Outcome, String> {
        let sender = if sender.is_multiple_of(3) {
            Who::Anyone
        } else {
            Who::user(sender)
        };
        let final_unpaid: Vec<(u64, u32, Who, u128)> = self
            .m
            .unpaid()
            .filter(|(b, ..)| self.m.batches[*b as usize].finalized)
            .collect();
        let pick = |v: &[(u64, u32, Who, u128)]| v.get(hint as usize % v.len().max(1)).copied();
        let (msg, pred, pays) = match kind {
            WithdrawKind::Valid => match pick(&final_unpaid) {
                Some((b, i, who, amount)) => {
                    let p = self.s.withdrawal_proof(b, i);
                    (
                        self.withdraw_msg(&p),
                        Pred::Accept,
                        Some((b, i, who, amount)),
                    )
                }
                None => (self.junk_withdraw(0), Pred::Refuse, None),
            },
            WithdrawKind::Twice => {
                let paid: Vec<_> = self.m.paid.iter().copied().collect();
                match paid.get(hint as usize % paid.len().max(1)) {
                    Some((b, i)) => (
                        self.withdraw_msg(&self.s.withdrawal_proof(*b, *i)),
                        Pred::Refuse,
                        None,
                    ),
                    None => (self.junk_withdraw(1), Pred::Refuse, None),
                }
            }
            WithdrawKind::OtherRecipient => match pick(&final_unpaid) {
                Some((b, i, who, _)) => {
                    let mut msg = self.withdraw_msg(&self.s.withdrawal_proof(b, i));
                    if let ExecuteMsg::Withdraw { recipient, .. } = &mut msg {
                        let thief = if who == Who::Eve { Who::U0 } else { Who::Eve };
                        *recipient = self.addr(thief).to_string();
                    }
                    (msg, Pred::Refuse, None)
                }
                None => (self.junk_withdraw(2), Pred::Refuse, None),
            },
            WithdrawKind::NotFinal => {
                let open: Vec<_> = self
                    .m
                    .unpaid()
                    .filter(|(b, ..)| !self.m.batches[*b as usize].finalized)
                    .collect();
                match pick(&open) {
                    Some((b, i, ..)) => (
                        self.withdraw_msg(&self.s.withdrawal_proof(b, i)),
                        Pred::Refuse,
                        None,
                    ),
                    None => (self.junk_withdraw(3), Pred::Refuse, None),
                }
            }
            WithdrawKind::Removed => {
                match self
                    .m
                    .stale
                    .get(hint as usize % self.m.stale.len().max(1))
                    .cloned()
                {
                    Some(p) => {
                        // valid only if the index now holds a final batch with the very
                        // same withdrawal, unpaid
                        let same = self
                            .m
                            .batches
                            .get(p.batch as usize)
                            .is_some_and(|b| b.finalized)
                            && !self.m.paid.contains(&(p.batch, p.index))
                            && self.s.node.withdrawal_proof(p.batch, p.index).ok()
                                == Some(p.clone());
                        let pays = same.then(|| {
                            let (who, amount) =
                                self.m.batches[p.batch as usize].withdrawals[p.index as usize];
                            (p.batch, p.index, who, amount)
                        });
                        (
                            self.withdraw_msg(&p),
                            if same { Pred::Accept } else { Pred::Refuse },
                            pays,
                        )
                    }
                    None => (self.junk_withdraw(4), Pred::Refuse, None),
                }
            }
            WithdrawKind::Broken(v) => match pick(&final_unpaid) {
                Some((b, i, ..)) => {
                    let p = self.s.withdrawal_proof(b, i);
                    let mut msg = self.withdraw_msg(&p);
                    if let ExecuteMsg::Withdraw {
                        amount,
                        proof,
                        output,
                        index,
                        batch,
                        recipient,
                    } = &mut msg
                    {
                        match v % 7 {
                            0 => *amount += Uint128::one(),
                            1 => {
                                let mut bytes = proof.to_vec();
                                let last = bytes.len() - 1;
                                bytes[last] ^= 1;
                                *proof = Binary::new(bytes);
                            }
                            2 => output.state_root = Binary::from(vec![0u8; 31]),
                            3 => *index += 1,
                            4 => *batch += 1,
                            5 => *recipient = "not-an-address".into(),
                            _ => *amount = Uint128::zero(),
                        }
                    }
                    (msg, Pred::Refuse, None)
                }
                None => (self.junk_withdraw(5), Pred::Refuse, None),
            },
        };
        let res = self.exec(sender, &msg, &[]);
        let out = judge("withdraw", pred, &res)?;
        if out == Outcome::Accepted {
            let (b, i, who, amount) =
                pays.ok_or("the chain paid a withdrawal the model has not")?;
            self.m.paid.insert((b, i));
            self.m.outstanding -= amount;
            self.m.add(who, DENOM, amount);
        }
        Ok(out)
    }

    /// A withdrawal with made-up fields.
    fn junk_withdraw(&self, v: u8) -> ExecuteMsg {
        ExecuteMsg::Withdraw {
            batch: v as u64,
            index: v as u32,
            recipient: self.addr(Who::Eve).to_string(),
            amount: Uint128::new(1_000),
            output: OutputPreimage {
                state_root: Binary::from([v; 32].as_slice()),
                withdrawals_root: Binary::from([v; 32].as_slice()),
            },
            proof: Binary::new(vec![0, 0]),
        }
    }

    // --- bonds, admin, credits ------------------------------------------------------

    fn bond(&mut self, who: Who, amount: u64, wrong_denom: bool) -> Result<Outcome, String> {
        let amount = amount as u128;
        let wrong = if self.bd == DENOM { OTHER } else { DENOM };
        let denom = if wrong_denom { wrong } else { self.bd };
        let pred = if wrong_denom || amount == 0 || amount > self.m.l1(who, self.bd) {
            Pred::Refuse
        } else {
            Pred::Accept
        };
        let res = self.exec(who, &ExecuteMsg::Bond {}, &[Coin::new(amount, denom)]);
        let out = judge("bond", pred, &res)?;
        if out == Outcome::Accepted {
            self.m.sub(who, self.bd, amount)?;
            *self.m.bonds.entry(who).or_default() += amount;
        }
        Ok(out)
    }

    fn unbond(&mut self, who: Who) -> Result<Outcome, String> {
        let bond = self.m.bond(who);
        let locked = self.m.last_batch.get(&who).is_some_and(|(i, uid)| {
            self.m
                .batches
                .get(*i as usize)
                .is_some_and(|b| b.uid == *uid && !b.finalized)
        });
        let pred = if bond == 0 || locked || self.m.defending(who) > 0 {
            Pred::Refuse
        } else {
            Pred::Accept
        };
        let res = self.exec(who, &ExecuteMsg::Unbond {}, &[]);
        let out = judge("unbond", pred, &res)?;
        if out == Outcome::Accepted {
            self.m.add(who, self.bd, bond);
            self.m.bonds.remove(&who);
            self.m.last_batch.remove(&who);
        }
        Ok(out)
    }

    fn propose_config(
        &mut self,
        by: Who,
        field: u8,
        value: u64,
        valid: bool,
    ) -> Result<Outcome, String> {
        let mut c = self.m.config().clone();
        let span = |lo: u64, hi: u64| lo + value % (hi - lo + 1);
        let mut msg = ExecuteMsg::ProposeConfig {
            proposer_bond: None,
            challenge_window: None,
            force_inclusion_seconds: None,
            max_batch_bytes: None,
            dispute: None,
        };
        if let ExecuteMsg::ProposeConfig {
            proposer_bond,
            challenge_window,
            force_inclusion_seconds: force_inclusion_delay,
            max_batch_bytes,
            dispute,
        } = &mut msg
        {
            match field % 5 {
                0 => {
                    c.proposer_bond = if valid {
                        span(1, 3_000) as u128
                    } else {
                        [0, 1_000_001][value as usize % 2]
                    };
                    *proposer_bond = Some(Uint128::new(c.proposer_bond));
                }
                1 => {
                    c.challenge_window = if valid {
                        span(300, 172_800)
                    } else {
                        [299, 30 * 86_400 + 1][value as usize % 2]
                    };
                    *challenge_window = Some(c.challenge_window);
                }
                2 => {
                    c.force_inclusion_delay = if valid {
                        span(0, 7_200)
                    } else {
                        7 * 86_400 + 1
                    };
                    *force_inclusion_delay = Some(c.force_inclusion_delay);
                }
                3 => {
                    c.max_batch_bytes = if valid {
                        span(64, 8_192) as u32
                    } else {
                        [0, 524_289][value as usize % 2]
                    };
                    *max_batch_bytes = Some(c.max_batch_bytes);
                }
                _ => {
                    c.challenger_bond = 1 + (value % 3_000) as u128;
                    c.clock_seconds = 300 + (value >> 12) % 6_900;
                    c.min_answer_seconds = 60 + (value >> 24) % (c.clock_seconds.min(1_800) - 59);
                    c.reward_bps = ((value >> 36) % 10_001) as u16;
                    c.treasury = if (value >> 50).is_multiple_of(2) {
                        Who::Treasury
                    } else {
                        Who::Treasury2
                    };
                    if !valid {
                        match (value >> 52) % 4 {
                            0 => c.clock_seconds = 299,
                            1 => c.reward_bps = 10_001,
                            2 => c.min_answer_seconds = c.clock_seconds + 1,
                            _ => c.challenger_bond = 0,
                        }
                    }
                    *dispute = Some(DisputeParams {
                        challenger_bond: Uint128::new(c.challenger_bond),
                        clock_seconds: c.clock_seconds,
                        min_answer_seconds: c.min_answer_seconds,
                        reward_bps: c.reward_bps,
                        treasury: self.addr(c.treasury).to_string(),
                    });
                }
            }
        }
        let now = self.now();
        let pred = if Some(by) == self.m.admin && valid && self.m.pending_config.is_none() {
            Pred::Accept
        } else {
            Pred::Refuse
        };
        let res = self.exec(by, &msg, &[]);
        let out = judge("propose_config", pred, &res)?;
        if out == Outcome::Accepted {
            let eta = now + self.m.config().challenge_window;
            self.m.pending_config = Some((c, now, eta));
        }
        Ok(out)
    }

    fn apply_config(&mut self, by: Who) -> Result<Outcome, String> {
        let now = self.now();
        let window = self.m.config().challenge_window;
        let pred = match &self.m.pending_config {
            Some((_, at, eta)) if now >= (*eta).max(at + window) => Pred::Accept,
            _ => Pred::Refuse,
        };
        let res = self.exec(by, &ExecuteMsg::ApplyConfig {}, &[]);
        let out = judge("apply_config", pred, &res)?;
        if out == Outcome::Accepted {
            let (c, ..) = self.m.pending_config.take().ok_or("nothing pending")?;
            self.m.config = Some(c);
        }
        Ok(out)
    }

    fn cancel_config(&mut self, by: Who) -> Result<Outcome, String> {
        let pred = if Some(by) == self.m.admin && self.m.pending_config.is_some() {
            Pred::Accept
        } else {
            Pred::Refuse
        };
        let res = self.exec(by, &ExecuteMsg::CancelConfig {}, &[]);
        let out = judge("cancel_config", pred, &res)?;
        if out == Outcome::Accepted {
            self.m.pending_config = None;
        }
        Ok(out)
    }

    fn admin_op(&mut self, op: &Op) -> Result<Outcome, String> {
        let admin = self.m.admin;
        let (by, msg, pred) = match *op {
            Op::ProposeAdmin { by, to } => (
                by,
                ExecuteMsg::ProposeAdmin {
                    admin: self.addr(to).to_string(),
                },
                if Some(by) == admin && Some(to) != admin {
                    Pred::Accept
                } else {
                    Pred::Refuse
                },
            ),
            Op::AcceptAdmin { by } => (
                by,
                ExecuteMsg::AcceptAdmin {},
                if self.m.pending_admin == Some(by) {
                    Pred::Accept
                } else {
                    Pred::Refuse
                },
            ),
            Op::CancelAdmin { by } => (
                by,
                ExecuteMsg::CancelAdmin {},
                if Some(by) == admin && self.m.pending_admin.is_some() {
                    Pred::Accept
                } else {
                    Pred::Refuse
                },
            ),
            _ => return Err("not an admin op".into()),
        };
        let res = self.exec(by, &msg, &[]);
        let out = judge("admin transfer", pred, &res)?;
        if out == Outcome::Accepted {
            match *op {
                Op::ProposeAdmin { to, .. } => self.m.pending_admin = Some(to),
                Op::AcceptAdmin { by } => {
                    self.m.admin = Some(by);
                    self.m.pending_admin = None;
                }
                _ => self.m.pending_admin = None,
            }
        }
        Ok(out)
    }

    fn claim(&mut self, who: Who) -> Result<Outcome, String> {
        let credit = self.m.credits.get(&who).copied().unwrap_or(0);
        let pred = if credit > 0 {
            Pred::Accept
        } else {
            Pred::Refuse
        };
        let res = self.exec(who, &ExecuteMsg::Claim {}, &[]);
        let out = judge("claim", pred, &res)?;
        if out == Outcome::Accepted {
            self.m.credits.remove(&who);
            self.m.add(who, self.bd, credit);
        }
        Ok(out)
    }

    /// Invalid or unauthorised messages: each must be refused.
    fn junk(&mut self, kind: u8) -> Result<Outcome, String> {
        let zero = Binary::from([0u8; 32].as_slice());
        let (who, msg, funds): (Who, ExecuteMsg, Vec<Coin>) = match kind % 12 {
            0 => (
                Who::Troll,
                ExecuteMsg::ProposeBatch {
                    data: Binary::new(vec![1, 2, 3]),
                    deposits_consumed: 0,
                    output_root: zero,
                },
                vec![],
            ),
            1 => (
                Who::Anyone,
                ExecuteMsg::Finalize {
                    batch: self.m.batches.len() as u64 + 9,
                },
                vec![],
            ),
            2 => (
                Who::Troll,
                ExecuteMsg::Challenge {
                    batch: self.m.batches.len() as u64 + 4,
                },
                vec![Coin::new(self.m.config().challenger_bond, self.bd)],
            ),
            3 => (
                Who::Eve,
                ExecuteMsg::ProveStep {
                    game: self.m.next_game + 11,
                    step: 0,
                    proof: Binary::new(vec![0xff; 17]),
                },
                vec![],
            ),
            4 => (
                Who::Eve,
                ExecuteMsg::Deposit {
                    target: DepositTarget::NewAccount {
                        pubkey: Binary::from([kind; 33].as_slice()),
                    },
                },
                vec![Coin::new(10u128, DENOM)],
            ),
            5 => (Who::Eve, self.junk_withdraw(kind), vec![]),
            6 => (
                Who::Anyone,
                ExecuteMsg::Finalize {
                    batch: self.m.finalized,
                },
                vec![Coin::new(5u128, DENOM)],
            ),
            7 => (Who::Troll, ExecuteMsg::CancelConfig {}, vec![]),
            8 => match self.open_game_ids().first() {
                Some(gi) => (
                    Who::Eve,
                    ExecuteMsg::Bisect {
                        game: self.m.games[*gi].id,
                        position: 1,
                        root: zero,
                    },
                    vec![],
                ),
                None => (Who::Troll, ExecuteMsg::AcceptAdmin {}, vec![]),
            },
            9 => (
                Who::Anyone,
                ExecuteMsg::ResolveGame {
                    game: self.m.next_game + 5,
                },
                vec![],
            ),
            10 => (
                Who::Proposer,
                ExecuteMsg::ProposeBatch {
                    data: Binary::new(vec![9; 10]),
                    deposits_consumed: 0,
                    output_root: Binary::from(vec![1u8; 31]),
                },
                vec![],
            ),
            _ => (
                Who::Proposer,
                ExecuteMsg::Unbond {},
                vec![Coin::new(1u128, self.bd)],
            ),
        };
        let res = self.exec(who, &msg, &funds);
        judge("junk", Pred::Refuse, &res)
    }

    // --- the invariants -------------------------------------------------------------

    fn check_all(&self) -> Result<(), String> {
        // every bank balance the soak knows, to the unit
        for who in ALL {
            for denom in DENOMS {
                let chain = self.s.balance(&self.addrs[&who], denom);
                let model = self.m.l1(who, denom);
                if chain != model {
                    return Err(format!(
                        "{who:?} holds {chain} {denom}, the model says {model}"
                    ));
                }
            }
        }
        // the contract holds exactly what it owes, per denom
        let bonds: u128 = self.m.bonds.values().sum();
        let stakes: u128 = self
            .m
            .games
            .iter()
            .filter(|g| !g.ended)
            .map(|g| g.bond)
            .sum();
        let credits: u128 = self.m.credits.values().sum();
        let owed_bond = bonds + stakes + credits;
        let rollup = &self.s.rollup;
        for denom in DENOMS {
            let owed = if denom == DENOM {
                self.m.outstanding
            } else {
                0
            } + if denom == self.bd { owed_bond } else { 0 };
            let held = self.s.balance(rollup, denom);
            if held != owed {
                return Err(format!("the contract holds {held} {denom}, it owes {owed}"));
            }
        }
        // its own solvency query agrees
        let sol = self.s.solvency();
        let status = self.s.status();
        let l = &status.liabilities;
        if l.deposits_outstanding.u128() != self.m.outstanding
            || l.bonds.u128() != bonds
            || l.challenger_bonds.u128() != stakes
            || l.credits.u128() != credits
            || !sol.solvent
            || sol.denoms.iter().any(|d| d.held != d.owed)
        {
            return Err(format!(
                "solvency query {sol:?}; the model: outstanding {}, bonds {bonds}, stakes {stakes}, credits {credits}",
                self.m.outstanding
            ));
        }
        // what the contract owes in the value denom is what the L2 owes its users
        let owed_users: u128 = USERS.iter().map(|u| self.m.owed(*u)).sum();
        if owed_users != self.m.outstanding {
            return Err(format!(
                "users are owed {owed_users} on L2, the contract holds {} for them",
                self.m.outstanding
            ));
        }
        // no honest user holds less than the model says
        for u in USERS.iter().filter(|u| u.honest_user()) {
            let have = self.m.l1(*u, DENOM) as i128 + self.m.owed(*u) as i128;
            let due = self.m.genesis_value[u] as i128 + self.m.l2.net.get(u).copied().unwrap_or(0);
            if have != due {
                return Err(format!(
                    "{u:?} holds {} and is owed {} = {have}; it should have {due}",
                    self.m.l1(*u, DENOM),
                    self.m.owed(*u)
                ));
            }
        }
        self.check_ledger()?;
        // a lie never finalizes (the honest challenger always challenges it)
        if let Some(i) = self.m.batches.iter().position(|b| b.lie && b.finalized) {
            return Err(format!("lying batch {i} finalized"));
        }
        let st = self.s.status();
        if st.next_batch != self.m.batches.len() as u64
            || st.finalized != self.m.finalized
            || st.deposit_count != self.m.deposits.len() as u64
            || st.deposit_cursor != self.m.l2.cursor
            || self.s.node.batch_count() != self.m.batches.len() as u64
        {
            return Err(format!(
                "status {st:?}; the model: {} batches, {} final, {} deposits, cursor {}",
                self.m.batches.len(),
                self.m.finalized,
                self.m.deposits.len(),
                self.m.l2.cursor
            ));
        }
        Ok(())
    }
}

impl Machine for OptimisticSoak {
    type Op = Op;
    const NAME: &'static str = "optimistic-rollup";

    fn new(seed: u64) -> Self {
        let keys = (0..USERS.len() as u32 * KEYS_PER_USER)
            .map(|k| L2Key::from_label(&format!("soak-key-{k}")))
            .collect();
        Self::deploy(seed, 0, keys)
    }

    fn generate(&mut self, rng: &mut StdRng) -> Op {
        self.ops_in_epoch += 1;
        if self.ops_in_epoch > epoch_len() {
            return Op::Redeploy;
        }
        let c = self.m.config().clone();
        // the proposers keep their bonds up most of the time
        for (who, p) in [(Who::Proposer, 0.6), (Who::Mallory, 0.3)] {
            if self.m.bond(who) < c.proposer_bond && rng.gen_bool(p * 0.3) {
                return Op::Bond {
                    who,
                    amount: (c.proposer_bond - self.m.bond(who)) as u64,
                    wrong_denom: false,
                };
            }
        }
        let games = !self.open_game_ids().is_empty();
        let final_unpaid = self
            .m
            .unpaid()
            .any(|(b, ..)| self.m.batches[b as usize].finalized);
        let user = rng.gen_range(0..5u8);
        let who3 = |rng: &mut StdRng| [Who::Proposer, Who::Mallory, Who::Eve][rng.gen_range(0..3)];
        let admins = |rng: &mut StdRng| [Who::Admin, Who::Admin2, Who::Eve][rng.gen_range(0..3)];
        match rng.gen_range(0..100u32) {
            0..=11 => {
                let to = if self.m.l2.accounts.len() + self.m.pending_deposits() as usize
                    >= MAX_ACCOUNTS
                {
                    DepTo::Existing(rng.gen())
                } else {
                    match rng.gen_range(0..10) {
                        0..=4 => DepTo::New(rng.gen()),
                        5..=8 => DepTo::Existing(rng.gen()),
                        _ => DepTo::Unknown,
                    }
                };
                let flaw = match rng.gen_range(0..20) {
                    0 => DepFlaw::OneUnit,
                    1 => DepFlaw::WrongDenom,
                    2 => DepFlaw::Zero,
                    3 => DepFlaw::TwoCoins,
                    4 => DepFlaw::MoreThanHeld,
                    _ => DepFlaw::None,
                };
                Op::Deposit {
                    user,
                    to,
                    amount: rng.gen_range(1..5_000_000),
                    flaw,
                }
            }
            12..=19 => Op::L2Transfer {
                from: rng.gen(),
                to: rng.gen(),
                pct: [0, 10, 50, 100, 150][rng.gen_range(0..5)],
                nonce_skew: rng.gen(),
            },
            20..=25 => Op::L2Withdraw {
                from: rng.gen(),
                recipient: rng.gen(),
                pct: [0, 5, 30, 100, 120][rng.gen_range(0..5)],
                nonce_skew: rng.gen(),
            },
            26..=33 => Op::ProposeHonest {
                partial: (rng.gen_range(0..6) == 0).then(|| rng.gen()),
            },
            34..=37 => Op::ProposeMallory {
                lie: match rng.gen_range(0..10) {
                    0..=4 => Some(Lie::WrongFrom(rng.gen())),
                    5..=6 => Some(Lie::WrongOutput),
                    _ => None,
                },
            },
            38..=41 => Op::Challenge {
                by: if self.honest_target().is_some() && rng.gen_bool(0.5) {
                    Who::Challenger
                } else {
                    [Who::Troll, Who::Troll, Who::Eve][rng.gen_range(0..3)]
                },
                batch: rng.gen(),
                bond_skew: if rng.gen_range(0..6) == 0 {
                    [-1, 1, -100][rng.gen_range(0..3)]
                } else {
                    0
                },
            },
            42..=59 if !games => Op::Challenge {
                by: Who::Troll,
                batch: rng.gen(),
                bond_skew: 0,
            },
            42..=59 => Op::Move {
                game: rng.gen(),
                by: match rng.gen_range(0..12) {
                    0..=4 => MoveBy::Honest,
                    5..=8 => MoveBy::Wild(rng.gen()),
                    9 => MoveBy::OutOfTurn,
                    10 => MoveBy::WrongPosition,
                    _ => MoveBy::Stranger,
                },
            },
            60..=63 => Op::Resolve {
                game: rng.gen(),
                ended: rng.gen_range(0..8) == 0,
            },
            64..=71 => Op::Advance {
                seconds: match rng.gen_range(0..20) {
                    0..=10 => rng.gen_range(1..=120),
                    11..=16 => rng.gen_range(c.min_answer_seconds..=c.clock_seconds + 60),
                    _ => {
                        let w = c.challenge_window;
                        rng.gen_range(w.saturating_sub(30).max(1)..=w + 30)
                    }
                },
            },
            72..=77 => Op::Finalize { which: rng.gen() },
            78..=82 if !final_unpaid => Op::Finalize { which: 0 },
            78..=85 => Op::Withdraw {
                kind: match rng.gen_range(0..12) {
                    0..=4 => WithdrawKind::Valid,
                    5 => WithdrawKind::Twice,
                    6 => WithdrawKind::OtherRecipient,
                    7 => WithdrawKind::NotFinal,
                    8 => WithdrawKind::Removed,
                    _ => WithdrawKind::Broken(rng.gen()),
                },
                hint: rng.gen(),
                sender: rng.gen(),
            },
            86..=88 => {
                let who = who3(rng);
                let need = c.proposer_bond.saturating_sub(self.m.bond(who)) as u64;
                Op::Bond {
                    who,
                    amount: match rng.gen_range(0..5) {
                        0 => 0,
                        1 => rng.gen_range(1..500),
                        _ => need.max(1),
                    },
                    wrong_denom: rng.gen_range(0..10) == 0,
                }
            }
            89 => Op::Unbond {
                who: [Who::Proposer, Who::Mallory, Who::Eve, Who::Troll][rng.gen_range(0..4)],
            },
            90..=91 => Op::ProposeConfig {
                by: if rng.gen_range(0..4) == 0 {
                    admins(rng)
                } else {
                    self.m.admin.unwrap_or(Who::Admin)
                },
                field: rng.gen(),
                value: rng.gen(),
                valid: rng.gen_range(0..4) != 0,
            },
            92 => Op::ApplyConfig {
                by: [Who::Anyone, Who::Eve][rng.gen_range(0..2)],
            },
            93 => match rng.gen_range(0..4) {
                0 => Op::CancelConfig { by: admins(rng) },
                1 => Op::ProposeAdmin {
                    by: admins(rng),
                    to: admins(rng),
                },
                2 => Op::AcceptAdmin { by: admins(rng) },
                _ => Op::CancelAdmin { by: admins(rng) },
            },
            94 => Op::Claim {
                who: [Who::Treasury, Who::Treasury2, Who::Eve, Who::Challenger]
                    [rng.gen_range(0..4)],
            },
            _ => Op::Junk { kind: rng.gen() },
        }
    }

    fn kind(op: &Op) -> &'static str {
        match op {
            Op::Deposit {
                flaw: DepFlaw::None | DepFlaw::OneUnit,
                ..
            } => "deposit",
            Op::Deposit { .. } => "deposit (flawed)",
            Op::L2Transfer { .. } => "l2 transfer (mempool)",
            Op::L2Withdraw { .. } => "l2 withdrawal (mempool)",
            Op::ProposeHonest { partial: None } => "propose (honest)",
            Op::ProposeHonest { .. } => "propose (honest, partial)",
            Op::ProposeMallory { lie: Some(_) } => "propose (lying)",
            Op::ProposeMallory { lie: None } => "propose (mallory, true)",
            Op::Challenge {
                by: Who::Challenger,
                ..
            } => "challenge (honest)",
            Op::Challenge { .. } => "challenge (dishonest)",
            Op::Move {
                by: MoveBy::Honest, ..
            } => "move (honest)",
            Op::Move {
                by: MoveBy::Wild(_),
                ..
            } => "move (wild)",
            Op::Move { .. } => "move (out of turn/wrong/stranger)",
            Op::Resolve { .. } => "resolve_game",
            Op::Advance { .. } => "time passes",
            Op::Finalize { .. } => "finalize",
            Op::Withdraw {
                kind: WithdrawKind::Valid,
                ..
            } => "withdraw",
            Op::Withdraw {
                kind: WithdrawKind::Twice,
                ..
            } => "withdraw (twice)",
            Op::Withdraw {
                kind: WithdrawKind::OtherRecipient,
                ..
            } => "withdraw (other recipient)",
            Op::Withdraw {
                kind: WithdrawKind::NotFinal,
                ..
            } => "withdraw (not final)",
            Op::Withdraw {
                kind: WithdrawKind::Removed,
                ..
            } => "withdraw (removed batch)",
            Op::Withdraw {
                kind: WithdrawKind::Broken(_),
                ..
            } => "withdraw (broken field)",
            Op::Bond { .. } => "bond",
            Op::Unbond { .. } => "unbond",
            Op::ProposeConfig { valid: true, .. } => "propose_config",
            Op::ProposeConfig { .. } => "propose_config (out of bounds)",
            Op::ApplyConfig { .. } => "apply_config",
            Op::CancelConfig { .. } => "cancel_config",
            Op::ProposeAdmin { .. } => "propose_admin",
            Op::AcceptAdmin { .. } => "accept_admin",
            Op::CancelAdmin { .. } => "cancel_admin",
            Op::Claim { .. } => "claim",
            Op::Junk { .. } => "junk (invalid/unauthorised)",
            Op::Redeploy => "redeploy",
        }
    }

    fn step(&mut self, op: &Op) -> Result<Outcome, String> {
        match op.clone() {
            Op::Deposit {
                user,
                to,
                amount,
                flaw,
            } => self.deposit(user, to, amount, flaw),
            Op::L2Transfer {
                from,
                to,
                pct,
                nonce_skew,
            } => {
                let n = self.m.l2.accounts.len().max(1) as u32;
                let amount = self.l2_amount(from, pct);
                self.queue_tx(
                    from,
                    MBody::Transfer {
                        to: to as u32 % (n + 1),
                        amount,
                    },
                    nonce_skew,
                )
            }
            Op::L2Withdraw {
                from,
                recipient,
                pct,
                nonce_skew,
            } => {
                let amount = self.l2_amount(from, pct);
                self.queue_tx(
                    from,
                    MBody::Withdraw {
                        to: Who::user(recipient),
                        amount,
                    },
                    nonce_skew,
                )
            }
            Op::ProposeHonest { partial } => self.propose(Who::Proposer, partial, None),
            Op::ProposeMallory { lie } => self.propose(Who::Mallory, None, lie),
            Op::Challenge {
                by,
                batch,
                bond_skew,
            } => self.challenge(by, batch, bond_skew),
            Op::Move { game, by } => self.play(game, by),
            Op::Resolve { game, ended } => self.resolve(game, ended),
            Op::Advance { seconds } => self.advance(seconds),
            Op::Finalize { which } => self.finalize(which),
            Op::Withdraw { kind, hint, sender } => self.withdraw(kind, hint, sender),
            Op::Bond {
                who,
                amount,
                wrong_denom,
            } => self.bond(who, amount, wrong_denom),
            Op::Unbond { who } => self.unbond(who),
            Op::ProposeConfig {
                by,
                field,
                value,
                valid,
            } => self.propose_config(by, field, value, valid),
            Op::ApplyConfig { by } => self.apply_config(by),
            Op::CancelConfig { by } => self.cancel_config(by),
            Op::ProposeAdmin { .. } | Op::AcceptAdmin { .. } | Op::CancelAdmin { .. } => {
                self.admin_op(op)
            }
            Op::Claim { who } => self.claim(who),
            Op::Junk { kind } => self.junk(kind),
            Op::Redeploy => {
                self.drain()?;
                let keys = std::mem::take(&mut self.keys);
                *self = Self::deploy(self.seed, self.epoch + 1, keys);
                Ok(Outcome::Accepted)
            }
        }
    }

    fn check(&self) -> Result<(), String> {
        self.check_all()
    }

    fn fingerprint(&self) -> Vec<u8> {
        let mut out = super::storage_bytes(&*self.s.app.contract_storage(&self.s.rollup));
        for who in ALL {
            for denom in DENOMS {
                out.extend(self.s.balance(&self.addrs[&who], denom).to_be_bytes());
            }
        }
        for denom in DENOMS {
            out.extend(self.s.balance(&self.s.rollup, denom).to_be_bytes());
        }
        out.extend(self.s.app.block_info().time.nanos().to_be_bytes());
        out
    }
}
