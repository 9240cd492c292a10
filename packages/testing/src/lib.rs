//! # settle-testing
//!
//! A [`Suite`] around a cw-multi-test `App` with the optimistic-rollup contract deployed
//! and real bank balances, plus an operator [`Node`] (from settle-core) that mirrors every
//! deposit and batch, so a test reads like the story it checks:
//!
//! ```no_run
//! use settle_testing::SuiteBuilder;
//! use settle_core::crypto::L2Key;
//!
//! let mut suite = SuiteBuilder::new().with_funds("alice", 1_000).build();
//! let alice = suite.addr("alice");
//! let key = L2Key::from_label("alice-l2");
//! suite.deposit_new_account(&alice, &key, 600).unwrap();
//! let proposer = suite.proposer.clone();
//! suite.propose(&proposer, vec![]).unwrap();
//! suite.a_challenge_window_passes();
//! suite.finalize(0).unwrap();
//! ```
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

mod channels;
mod dispute;
mod suite;
mod validity;

pub use channels::{ChannelSuite, ChannelSuiteBuilder, CHANNEL_DENOM, JOIN_WINDOW};
pub use dispute::{event_attr, event_attr_of, Claim, Play};
pub use settle_core::node::{Node, Proposal, WithdrawalProof};
pub use suite::{
    assert_refused, default_bounds, ConfigChange, Suite, SuiteBuilder, BOND_DENOM, DENOM,
};
pub use validity::{
    exodus_msg, keys_for, msg_shape, Keys, Operator, ProvenBatch, ValiditySuite,
    ValiditySuiteBuilder, VALIDITY_DENOM,
};
