//! # optimistic-rollup
//!
//! Settles an optimistic rollup on a CosmWasm chain. Bonded proposers post batches of L2
//! transactions with the output root they claim; the contract commits to the posted data
//! (a Merkle root over its transaction steps), keeps the deposit queue and enforces its
//! force-inclusion deadline. Inside the challenge window anyone may challenge a batch
//! with a bond: a bisection game with chess clocks narrows the dispute to one step, which
//! the contract re-executes from witnesses with the core's transition. A proposer that
//! loses is slashed and its batch and every later one are removed; a challenger that
//! loses pays its bond to the proposer. After the window, with no game open, a batch is
//! final and the withdrawals in its output can be proven and paid, once each.
//!
//! The contract holds no protocol rule of its own: encodings, commitments, output roots
//! and proofs come from `settle-core`; this crate loads state, calls the core, stores,
//! pays and emits events.
//!
//! ```text
//!  Deposit ──> queue (hash chain) ──consumed in order──┐
//!                                                      v
//!  ProposeBatch(data, deposits_consumed, output_root) ──> batch i  [Proposed]
//!                       challenge window passes ──> Finalize(i) ──> [Finalized]
//!  Challenge(i) ──> game: Bisect / Choose ... ProveStep(one-step proof) | ResolveGame
//!        challenger wins: batches i.. removed, bond slashed (reward + treasury)
//!        defender wins:   challenger bond paid to the proposer
//!  Withdraw(batch i, leaf, proof against output root) ──> bank send, nullifier set
//! ```

pub mod contract;
pub mod dispute;
pub mod error;
pub mod msg;
pub mod state;

#[cfg(test)]
mod migrate_tests;

pub use crate::error::ContractError;
