//! The payroll's messages.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, Uint128};

use crate::state::Config;

/// Instantiates the payroll (funds attached stay in the contract).
#[cw_serde]
pub struct InstantiateMsg {
    /// The optimistic rollup (bech32; validated).
    pub rollup: String,
    /// The payment-channels contract (bech32; validated).
    pub channels: String,
    /// The denom paid.
    pub denom: String,
}

/// What the owner asks the payroll to do.
#[cw_serde]
pub enum ExecuteMsg {
    /// Deposits `amount` into the rollup, opening an L2 account for `pubkey`.
    PayIntoRollup {
        /// The payee's 33-byte compressed secp256k1 L2 key.
        pubkey: Binary,
        /// The amount (in the payroll's denom).
        amount: Uint128,
    },
    /// Opens a channel from the payroll (party A) to `payee` funded with `amount`.
    OpenChannel {
        /// The payee's address (bech32; validated by the channels contract).
        payee: String,
        /// The payroll's 33-byte state key (the owner holds the secret off chain).
        pubkey_a: Binary,
        /// The payee's 33-byte state key.
        pubkey_b: Binary,
        /// The amount (in the payroll's denom).
        amount: Uint128,
        /// Seconds a unilateral close stays open to disputes.
        dispute_window: u64,
        /// Seconds the payee has to join.
        join_window: u64,
    },
}

/// What the payroll answers.
#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The configuration.
    #[returns(Config)]
    Config {},
}
