use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};

use crate::msg::{AmountRange, BatchStatus, ConfigBounds, DepositTarget, GameTerms, Range};

/// A deposit target as stored (the layout of the records written before the API style
/// changed: keys in hex, the account as `index`); answers show it as a [`DepositTarget`].
#[cw_serde]
pub enum StoredTarget {
    /// Open a new L2 account for this 33-byte key.
    NewAccount { pubkey: HexBinary },
    /// Top up account `index`.
    Account { index: u32 },
    /// Top up account `index`, opened with `pubkey`.
    AccountWithKey { index: u32, pubkey: HexBinary },
}

impl StoredTarget {
    /// The target as messages carry it.
    pub fn to_msg(&self) -> DepositTarget {
        match self {
            StoredTarget::NewAccount { pubkey } => DepositTarget::NewAccount {
                pubkey: Binary::from(pubkey.as_slice()),
            },
            StoredTarget::Account { index } => DepositTarget::Account { account: *index },
            StoredTarget::AccountWithKey { index, pubkey } => DepositTarget::AccountWithKey {
                account: *index,
                pubkey: Binary::from(pubkey.as_slice()),
            },
        }
    }

    /// The target of a message, to store.
    pub fn from_msg(target: &DepositTarget) -> Self {
        match target {
            DepositTarget::NewAccount { pubkey } => StoredTarget::NewAccount {
                pubkey: HexBinary::from(pubkey.as_slice()),
            },
            DepositTarget::Account { account } => StoredTarget::Account { index: *account },
            DepositTarget::AccountWithKey { account, pubkey } => StoredTarget::AccountWithKey {
                index: *account,
                pubkey: HexBinary::from(pubkey.as_slice()),
            },
        }
    }
}

#[cw_serde]
pub struct Config {
    pub admin: Addr,
    pub denom: String,
    pub bond_denom: String,
    pub proposer_bond: Uint128,
    pub challenge_window: u64,
    pub force_inclusion_delay: u64,
    pub max_batch_bytes: u32,
    pub domain: HexBinary,
    pub dispute: DisputeConfig,
}

#[cw_serde]
pub struct DisputeConfig {
    pub challenger_bond: Uint128,
    pub clock_seconds: u64,
    pub min_answer_seconds: u64,
    pub reward_bps: u16,
    pub treasury: Addr,
}

#[cw_serde]
pub struct Status {
    pub next_batch: u64,
    pub finalized: u64,
    pub deposit_count: u64,
    pub deposit_cursor: u64,
    pub deposit_head: HexBinary,
    /// Batches ever proposed (each batch's `uid`; indices are reused after a removal).
    pub proposals: u64,
    /// Id of the next game.
    pub next_game: u64,
    /// When a removal last put consumed deposits back in the queue: every deposit still
    /// queued is due `force_inclusion_delay` after this at the earliest
    /// (`settle_core::inclusion`).
    #[serde(default)]
    pub deposits_rewound_at: Option<Timestamp>,
}

#[cw_serde]
pub struct Totals {
    /// Deposits received and not yet paid back out by withdrawals: what the rollup owes
    /// its L2 users. The only deposit total that gates anything (it is at most what the
    /// contract holds in `denom`, so it cannot overflow in honest use).
    pub outstanding: Uint128,
    /// Statistics only, saturating at `u128::MAX`: never gate a deposit or a withdrawal.
    pub deposited: Uint128,
    pub withdrawn: Uint128,
    pub bonds: Uint128,
    /// Challenger bonds of games not yet settled.
    pub challenger_bonds: Uint128,
}

#[cw_serde]
#[derive(Default)]
pub struct Proposer {
    pub bond: Uint128,
    pub last_batch: Option<u64>,
    /// Proposal number (`uid`) of `last_batch`: the bond is locked only while that very
    /// batch is in the chain and not final (a batch removed with a fraudulent ancestor
    /// frees it).
    #[serde(default)]
    pub last_uid: Option<u64>,
    /// Games it defends that have not ended (void ones included until resolved): they may
    /// still slash the bond, so it stays locked.
    #[serde(default)]
    pub defending: u32,
}

#[cw_serde]
pub struct DepositRecord {
    pub depositor: Addr,
    pub to: StoredTarget,
    pub amount: Uint128,
    pub queued_at: Timestamp,
    pub chain_head: HexBinary,
}

#[cw_serde]
pub struct BatchRecord {
    pub proposer: Addr,
    pub output_root: HexBinary,
    pub data_root: HexBinary,
    pub data_bytes: u32,
    pub tx_steps: u32,
    pub deposits_from: u64,
    pub deposits_to: u64,
    pub proposed_at: Timestamp,
    pub finalizes_at: Timestamp,
    pub status: BatchStatus,
    /// Proposal number: tells a batch from a removed one that had the same index.
    pub uid: u64,
    pub open_games: u32,
}

/// Who plays a fraud-proof game and what is at stake: written when it opens (and when it
/// ends). The moving part is in [`GAME_STATES`].
#[cw_serde]
pub struct GameInfo {
    pub batch: u64,
    pub batch_uid: u64,
    pub defender: Addr,
    pub challenger: Addr,
    pub bond: Uint128,
    pub steps: u64,
    pub opened_at: Timestamp,
    /// The economic terms in force when it opened; settlement reads these.
    pub terms: GameTerms,
    /// How it ended: "proof", "timeout", or "void" (its batch was removed by another game).
    pub ended_by: Option<String>,
}

#[cw_serde]
pub struct Payout {
    pub recipient: Addr,
    pub amount: Uint128,
    pub height: u64,
}

/// Parameters a proposed config change puts in force, and its timelock.
#[cw_serde]
pub struct PendingChange {
    pub proposer_bond: Uint128,
    pub challenge_window: u64,
    pub force_inclusion_delay: u64,
    pub max_batch_bytes: u32,
    pub dispute: DisputeConfig,
    pub proposed_at: u64,
    pub eta: u64,
}

pub const CONFIG: Item<Config> = Item::new("config");
/// What the admin may ever set: fixed at instantiate, never written again.
pub const BOUNDS: Item<StoredBounds> = Item::new("bounds");

/// [`ConfigBounds`] as stored: the layout written before the API style changed
/// (`force_inclusion_delay` for what messages call `force_inclusion_seconds`).
#[cw_serde]
pub struct StoredBounds {
    pub challenge_window: Range,
    pub force_inclusion_delay: Range,
    pub max_batch_bytes: Range,
    pub proposer_bond: AmountRange,
    pub challenger_bond: AmountRange,
    pub clock_seconds: Range,
    pub min_answer_seconds: Range,
    pub reward_bps: Range,
}

impl From<&ConfigBounds> for StoredBounds {
    fn from(b: &ConfigBounds) -> Self {
        StoredBounds {
            challenge_window: b.challenge_window,
            force_inclusion_delay: b.force_inclusion_seconds,
            max_batch_bytes: b.max_batch_bytes,
            proposer_bond: b.proposer_bond,
            challenger_bond: b.challenger_bond,
            clock_seconds: b.clock_seconds,
            min_answer_seconds: b.min_answer_seconds,
            reward_bps: b.reward_bps,
        }
    }
}

impl From<StoredBounds> for ConfigBounds {
    fn from(b: StoredBounds) -> Self {
        ConfigBounds {
            challenge_window: b.challenge_window,
            force_inclusion_seconds: b.force_inclusion_delay,
            max_batch_bytes: b.max_batch_bytes,
            proposer_bond: b.proposer_bond,
            challenger_bond: b.challenger_bond,
            clock_seconds: b.clock_seconds,
            min_answer_seconds: b.min_answer_seconds,
            reward_bps: b.reward_bps,
        }
    }
}
pub const PENDING_CONFIG: Item<PendingChange> = Item::new("pending_config");
/// The successor the admin named, until it accepts.
pub const PENDING_ADMIN: Item<Addr> = Item::new("pending_admin");
/// Pull payments (in `bond_denom`), withdrawn by `claim`.
pub const CREDITS: Map<&Addr, Uint128> = Map::new("credits");
/// Sum of [`CREDITS`] (a liability).
pub const CREDIT_TOTAL: Item<Uint128> = Item::new("credit_total");
/// Removals of the batch chain, in the order they happened: key `(until_uid, !from_uid)`,
/// value the time (seconds). A removal at time `at` removed every batch with a proposal
/// number in `from_uid..until_uid` that was still in the chain (`until_uid` = proposals so
/// far, which never decreases; the bitwise-not orders two removals with no proposal
/// between them by time, the later one cutting lower).
pub const REMOVALS: Map<(u64, u64), u64> = Map::new("removals");
pub const STATUS: Item<Status> = Item::new("status");
pub const TOTALS: Item<Totals> = Item::new("totals");
pub const PROPOSERS: Map<&Addr, Proposer> = Map::new("proposers");
pub const DEPOSITS: Map<u64, DepositRecord> = Map::new("deposits");
pub const BATCHES: Map<u64, BatchRecord> = Map::new("batches");
/// Withdrawal nullifiers: `(batch, index)` present = paid.
pub const PAID: Map<(u64, u32), Payout> = Map::new("paid");
pub const GAMES: Map<u64, GameInfo> = Map::new("games");
/// Each game's state as settle-core `Game::encode()` bytes (about 120 bytes: every move
/// writes only this).
pub const GAME_STATES: Map<u64, Binary> = Map::new("game_states");
/// `(batch index, game id)` of every game, for listing a batch's games.
pub const BATCH_GAMES: Map<(u64, u64), ()> = Map::new("batch_games");
/// The key each queued new-account deposit opens its account with, by the index it gets
/// on L2 (new accounts open in queue order, every one of them): what an
/// `account_with_key` deposit is checked against.
pub const ACCOUNT_KEYS: Map<u32, HexBinary> = Map::new("account_keys");
/// New-account deposits queued so far (the index the next one opens). Absent on a
/// deployment instantiated before keyed credits, which then refuses them.
pub const ACCOUNTS_QUEUED: Item<u64> = Item::new("accounts_queued");
