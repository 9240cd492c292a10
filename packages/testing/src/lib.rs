//! # settle-testing
//!
//! cw-multi-test suites for the settlement contracts, for this project's tests and for
//! integrators: a [`Suite`] around the optimistic rollup with an operator [`Node`] that
//! follows the chain, a [`ChannelSuite`] around payment channels and a
//! [`ValiditySuite`] around the validity rollup with a real Groth16 prover. A test reads
//! like the story it checks:
//!
//! ```
//! # #[cfg(not(feature = "optimistic"))]
//! # fn main() {}
//! # #[cfg(feature = "optimistic")]
//! # fn main() {
//! use settle_testing::{L2Key, SuiteBuilder};
//!
//! let mut suite = SuiteBuilder::new().with_funds("alice", 1_000).build();
//! let alice = suite.addr("alice");
//! let key = L2Key::from_label("alice-l2");
//! suite.deposit_new_account(&alice, &key, 600).unwrap();
//! suite.bond_proposer().unwrap();
//! let proposer = suite.proposer.clone();
//! suite.propose(&proposer, vec![]).unwrap(); // batch 0 opens alice's L2 account
//! let exit = suite.signed_withdrawal(&key, &alice, 250).unwrap();
//! suite.propose_txs(&proposer, &[exit]).unwrap(); // batch 1 withdraws 250 to L1
//! suite.a_challenge_window_passes();
//! suite.finalize(0).unwrap();
//! suite.finalize(1).unwrap();
//! suite.withdraw(&alice, 1, 0).unwrap();
//! assert_eq!(suite.balance(&alice, "uusd"), 1_000 - 600 + 250);
//! suite.assert_reconciles();
//! # }
//! ```
//!
//! ## Integrators
//!
//! - Boxed contracts for your own `App` ([`contract_optimistic_rollup`],
//!   [`contract_payment_channels`], [`contract_validity_rollup`], cw-plus style, for any
//!   custom message and query type) and instantiate helpers that return the address
//!   ([`instantiate_optimistic_rollup`] and its siblings).
//! - Suites on your chain: `build_on(app)` deploys on any `App` with a `MockApi` (any
//!   address prefix) and a `BankKeeper`, custom modules included ([`SuiteApp`]); wrap the
//!   app in [`shared`] to put several suites and your own contracts on one chain.
//!   `Suite::attach` and its siblings follow a contract deployed some other way; every
//!   suite's fields are public.
//! - The suites follow the chain: [`Suite::sync`] reads the contract's deposit queue,
//!   so a deposit your contract makes is consumed by the next batch, and any divergence
//!   between the node and the contract is an error ([`ValiditySuite::sync`] likewise).
//! - One style: `balance(addr, denom)`, `execute(sender, msg, &[Coin])`, `query(msg)
//!   -> StdResult<_>`, `try_` forms of the helpers that panic, `signed_transfer` /
//!   `signed_withdrawal` tracking L2 indices and nonces in both rollups.
//! - One feature per system (`optimistic`, `channels`, `validity`, all on by default):
//!   `default-features = false, features = ["optimistic"]` builds without settle-zk,
//!   arkworks' prover or rayon.
//!
//! Fraud proofs: [`Suite::propose_claiming`] posts a batch with a lie ([`Claim`]),
//! [`Suite::challenge`] opens a game, [`Suite::bisect_to_one_step`] plays it out (the
//! defender by its claim, the challenger as [`Play`] says) and [`Suite::prove_step`]
//! settles it with the mirror node's one-step proof.
//!
//! Admin: [`Suite::propose_config`] proposes a [`ConfigChange`] and
//! [`Suite::config_change_applies`] waits out its timelock and applies it; slashed stakes
//! owed to the treasury are read with [`Suite::credit`] and withdrawn with
//! [`Suite::claim`].
//!
//! Validity rollup: a [`ValiditySuite`] (built by [`ValiditySuiteBuilder`]) deploys the
//! validity-rollup contract with Groth16 keys from a (seeded, test-only) setup, keeps the
//! operator's ledger and proves every batch it submits with `settle-zk`.
//!
//! Payment channels: a [`ChannelSuite`] (built by [`ChannelSuiteBuilder`]) deploys the
//! payment-channels contract and signs states, joins, revocations and watchtower
//! authorisations with settle-core for the parties (`open_channel` proposes and joins).

mod app;
#[cfg(feature = "channels")]
mod channels;
#[cfg(feature = "optimistic")]
mod dispute;
#[cfg(feature = "optimistic")]
mod suite;
#[cfg(feature = "validity")]
mod validity;

pub use app::{advance, assert_refused, coins, event_attr_of, shared, Shared, SuiteApp};

/// The suite's denom and block defaults, shared by every system.
#[cfg(not(feature = "optimistic"))]
pub(crate) mod suite {
    /// Seconds a block lasts unless a builder's `with_block_time` says otherwise.
    pub const BLOCK_SECONDS: u64 = 5;
}
#[cfg(not(feature = "optimistic"))]
pub use suite::BLOCK_SECONDS;

// The core's types a test needs, so a basic test imports from this crate only.
pub use cosmwasm_std::{Addr, Coin, StdError, StdResult};
pub use cw_multi_test::{App, AppBuilder, AppResponse, Contract, ContractWrapper, Executor};
pub use settle_core;
pub use settle_core::batch::encode_batch;
pub use settle_core::crypto::{L2Key, NativeVerifier};
pub use settle_core::ledger::Deposit;
pub use settle_core::node::{Node, Proposal, WithdrawalProof};
pub use settle_core::tx::SignedTx;

#[cfg(feature = "optimistic")]
pub use dispute::{event_attr, Claim, Play};
#[cfg(feature = "optimistic")]
pub use optimistic_rollup;
#[cfg(feature = "optimistic")]
pub use optimistic_rollup::msg::DepositTarget;
#[cfg(feature = "optimistic")]
pub use suite::{
    contract_optimistic_rollup, default_bounds, instantiate_optimistic_rollup, ConfigChange, Suite,
    SuiteBuilder, Synced, BLOCK_SECONDS, BOND_DENOM, DENOM,
};

#[cfg(feature = "channels")]
pub use channels::{
    contract_payment_channels, instantiate_payment_channels, ChannelSuite, ChannelSuiteBuilder,
    CHANNEL_DENOM, JOIN_WINDOW,
};
#[cfg(feature = "channels")]
pub use payment_channels;
#[cfg(feature = "channels")]
pub use settle_core::channel::{ChannelDomain, ChannelState};

#[cfg(feature = "validity")]
pub use settle_core::validity::eddsa::SecretKey;
#[cfg(feature = "validity")]
pub use validity::{
    contract_validity_rollup, exodus_msg, instantiate_validity_rollup, keys_for, msg_shape, Keys,
    Operator, ProvenBatch, ValiditySuite, ValiditySuiteBuilder, VALIDITY_DENOM,
};
#[cfg(feature = "validity")]
pub use validity_rollup;

/// The two L2 keys of the project's scenarios (alice's and bob's), for tests that need
/// two users.
pub fn user_keys() -> (L2Key, L2Key) {
    (L2Key::from_label("alice-l2"), L2Key::from_label("bob-l2"))
}
