use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary, HexBinary, Uint128};
use cw_storage_plus::{Item, Map};

use crate::msg::{QueueEntry, Shape};

/// A queue entry as stored (the layout of the entries written before the API style
/// changed: keys in hex, the exit recipient as a string); answers show it as a
/// [`QueueEntry`].
#[cw_serde]
pub enum StoredEntry {
    /// A deposit opening account `account` with `pubkey`.
    NewAccount { pubkey: HexBinary, account: u32 },
    /// A deposit crediting account `index` (opened with `pubkey`).
    Account { index: u32, pubkey: HexBinary },
    /// A full exit of `account` to `recipient` (validated when queued).
    Exit { account: u32, recipient: String },
}

impl StoredEntry {
    /// The entry as the `queued_deposit` query shows it.
    pub fn to_msg(&self) -> QueueEntry {
        match self {
            StoredEntry::NewAccount { pubkey, account } => QueueEntry::NewAccount {
                pubkey: Binary::from(pubkey.as_slice()),
                account: *account,
            },
            StoredEntry::Account { index, pubkey } => QueueEntry::Account {
                account: *index,
                pubkey: Binary::from(pubkey.as_slice()),
            },
            StoredEntry::Exit { account, recipient } => QueueEntry::Exit {
                account: *account,
                recipient: Addr::unchecked(recipient),
            },
        }
    }
}

#[cw_serde]
pub struct Config {
    pub admin: Addr,
    pub denom: String,
    pub shape: Shape,
    pub exodus_after: u64,
    pub key_timelock: u64,
    /// The smallest deposit.
    pub min_deposit: Uint128,
    /// The smallest deposit that opens an account.
    pub min_new_account: Uint128,
    /// At most this many deposits pending.
    pub max_pending: u64,
    /// The rollup's domain element (32 bytes).
    pub domain: Binary,
    /// keccak256 of the current verifying key's wire form.
    pub vk_hash: Binary,
}

#[cw_serde]
pub struct Status {
    pub batches: u64,
    pub state_root: Binary,
    pub accounts_root: Binary,
    pub account_count: u64,
    /// Deposits consumed.
    pub cursor: u64,
    /// Deposits queued.
    pub queued: u64,
    /// New-account deposits queued (= the account count once all are consumed).
    pub queued_new_accounts: u64,
    /// Head of the deposit chain at the cursor.
    pub head: Binary,
    pub last_batch_time: u64,
    /// Time of the last batch that served the deposit queue (settle-core
    /// `policy::keeps_up`), or of instantiation.
    pub served_at: u64,
    /// Queue time of the deposit at the cursor, if any is pending.
    pub oldest_pending: Option<u64>,
    /// Funds held for L2 balances and queued deposits.
    pub locked: Uint128,
    /// Withdrawals credited by batches and not yet claimed (held besides `locked`).
    pub credited: Uint128,
}

#[cw_serde]
pub struct DepositRecord {
    /// Who queued it (and is repaid by `reclaim_deposit` in exodus).
    pub depositor: Addr,
    /// The deposit, or an exit request's bond.
    pub amount: Uint128,
    pub target: StoredEntry,
    pub time: u64,
    pub reclaimed: bool,
}

#[cw_serde]
pub struct BatchRecord {
    pub state_root: Binary,
    pub accounts_root: Binary,
    pub account_count: u64,
    pub deposits_consumed: u64,
    pub transactions: u32,
    pub withdrawals: u32,
    pub time: u64,
}

#[cw_serde]
pub struct Pending {
    pub vk_hash: Binary,
    pub shape: Shape,
    pub proposed_at: u64,
    pub applies_at: u64,
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const STATUS: Item<Status> = Item::new("status");
pub const DEPOSITS: Map<u64, DepositRecord> = Map::new("deposits");
/// Head of the deposit chain after `n` deposits (raw 32 bytes), `n >= 1`.
pub const HEADS: Map<u64, Binary> = Map::new("heads");
pub const BATCHES: Map<u64, BatchRecord> = Map::new("batches");
pub const EXITED: Map<u32, ()> = Map::new("exited");
/// The key (`x || y`, 64 bytes) that opened each account, recorded when its opening
/// deposit is queued (accounts open in queue order).
pub const ACCOUNT_KEYS: Map<u32, Binary> = Map::new("account_keys");
/// Exit requests taken per account (the sequence the next request signs).
pub const EXIT_SEQUENCE: Map<u32, u64> = Map::new("exit_sequence");
/// Queue indices of the exit requests no batch has consumed yet.
pub const PENDING_EXITS: Map<u64, ()> = Map::new("pending_exits");
pub const PENDING: Item<Pending> = Item::new("pending");
/// The admin's named successor, until it accepts.
pub const PENDING_ADMIN: Item<Addr> = Item::new("pending_admin");
/// Withdrawals credited to an L1 address (its canonical bytes, as the batch names it) and
/// not yet claimed.
pub const CREDITS: Map<&[u8], Uint128> = Map::new("credits");

/// Raw storage keys of the prepared verifying keys (settle-core `PreparedKey` encoding,
/// kept out of JSON: the verifier reads it on every batch and pays per byte).
pub const KEY: &[u8] = b"key";
pub const PENDING_KEY: &[u8] = b"pending_key";
