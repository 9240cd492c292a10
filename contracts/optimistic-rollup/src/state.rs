use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, HexBinary, Timestamp, Uint128};
use cw_storage_plus::{Item, Map};

use crate::msg::{BatchStatus, DepositTo};

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
}

#[cw_serde]
pub struct Status {
    pub next_batch: u64,
    pub finalized: u64,
    pub deposit_count: u64,
    pub deposit_cursor: u64,
    pub deposit_head: HexBinary,
}

#[cw_serde]
pub struct Totals {
    pub deposited: Uint128,
    pub withdrawn: Uint128,
    pub bonds: Uint128,
}

#[cw_serde]
pub struct Proposer {
    pub bond: Uint128,
    pub last_batch: Option<u64>,
}

#[cw_serde]
pub struct DepositRecord {
    pub depositor: Addr,
    pub to: DepositTo,
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
}

#[cw_serde]
pub struct Payout {
    pub recipient: Addr,
    pub amount: Uint128,
    pub height: u64,
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const STATUS: Item<Status> = Item::new("status");
pub const TOTALS: Item<Totals> = Item::new("totals");
pub const PROPOSERS: Map<&Addr, Proposer> = Map::new("proposers");
pub const DEPOSITS: Map<u64, DepositRecord> = Map::new("deposits");
pub const BATCHES: Map<u64, BatchRecord> = Map::new("batches");
/// Withdrawal nullifiers: `(batch, index)` present = paid.
pub const PAID: Map<(u64, u32), Payout> = Map::new("paid");
