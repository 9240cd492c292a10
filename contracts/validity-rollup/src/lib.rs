//! # validity-rollup
//!
//! A validity (zk) rollup settled on a CosmWasm chain. Users deposit a native denom into
//! a queue; anyone submits a batch (its transaction data, how many queued deposits it
//! consumes, the new account root and count, and a Groth16 proof). The contract
//! recomputes the proof's one public input from the posted data and its own state
//! (Poseidon, in wasm), checks the proof with the chain's BLS12-381 host functions, and the
//! batch is final at once: its withdrawals are paid in the same transaction.
//!
//! ```text
//!  Deposit ──> queue (Poseidon hash chain) ──┐
//!  SubmitBatch(data, deposits, root, count, proof) ──> verified state, withdrawals paid
//!  no batch (or a deposit left waiting) for `exodus_after` seconds ──> [Exodus]:
//!     ExodusWithdraw(account, Merkle path, signature) pays the last proven balance once;
//!     ReclaimDeposit(i) returns an unconsumed deposit to its depositor
//!  ProposeKey (admin) ──timelock──> ApplyKey (anyone)      CancelKey (admin)
//! ```
//!
//! Every rule is settle-core's `validity` module: the statement and its hash, the batch
//! data, the deposit chain, the account tree, EdDSA over Jubjub and Groth16 verification
//! (over `settle_host::HostPairing`). The contract stores and moves money.

pub mod contract;
pub mod error;
pub mod msg;
pub mod state;

#[cfg(test)]
mod migrate_tests;

pub use crate::error::ContractError;
