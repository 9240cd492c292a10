//! # settle-core
//!
//! The protocol rules of the settlement suite, written once and used by the CosmWasm
//! contracts, the wasm-bindgen package and the native tools alike.
//!
//! - [`admin`]: admin powers: timelocked changes, bounds fixed at instantiate, the
//!   two-step admin transfer.
//! - [`hash`]: Keccak-256 with leaf/node domain tags and per-structure tags.
//! - [`merkle`]: binary Merkle tree, proofs and multiproofs.
//! - [`oz`]: OpenZeppelin `StandardMerkleTree` interop for `(address, uint256)` leaves.
//! - [`smt`]: fixed-depth sparse Merkle tree with compact proofs and multi-leaf witnesses.
//! - [`codec`], [`tx`]: the compact canonical encoding of L2 transactions and what is signed.
//! - [`ledger`]: accounts, deposits, withdrawals and the total state transition.
//! - [`batch`]: batch data, its commitment, the output root, applying a batch.
//! - [`inclusion`]: force inclusion: how many queued deposits the next batch must consume.
//! - [`node`]: an operator's view of a rollup (deposit mirror, batches, withdrawal proofs).
//! - [`crypto`]: the [`crypto::Verifier`] trait the chain or k256 implements.
//! - [`channel`]: payment channels: co-signed states, allocation, penalties, HTLCs and
//!   payouts.
//! - [`dispute`]: fraud proofs: the bisection game with chess clocks, the one-step proof
//!   and the honest player's replay.
//!
//! No CosmWasm dependency; `no_std` + `alloc` without the default `std` feature.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod admin;
pub mod batch;
pub mod channel;
pub mod codec;
pub mod crypto;
pub mod dispute;
pub mod error;
pub mod hash;
pub mod inclusion;
pub mod ledger;
pub mod merkle;
pub mod node;
pub mod oz;
pub mod smt;
pub mod tx;
#[cfg(feature = "validity")]
pub mod validity;

pub use error::Error;
pub use hash::Hash;
