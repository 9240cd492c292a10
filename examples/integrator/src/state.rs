//! The payroll's storage.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::Addr;
use cw_storage_plus::Item;

/// Who pays, through which contracts, in which denom.
#[cw_serde]
pub struct Config {
    /// May pay.
    pub owner: Addr,
    /// The optimistic rollup deposits go to.
    pub rollup: Addr,
    /// The payment-channels contract channels are opened on.
    pub channels: Addr,
    /// The denom paid.
    pub denom: String,
}

/// The configuration.
pub const CONFIG: Item<Config> = Item::new("config");
