//! The validity (zk) rollup's rules, shared by the `validity-rollup` contract, the
//! `settle-zk` circuit and prover, and the browser package.
//!
//! - [`field`]: the BLS12-381 scalar field on the wire and integer packing.
//! - [`eddsa`]: EdDSA over Jubjub with a Poseidon challenge (cofactored verification).
//! - [`poseidon`]: the one hash (Poseidon, width 3, x^5) with per-use domains.
//! - [`ledger`]: accounts, deposits, transactions, batch data, the statement (the proof's
//!   one public input) and the circuit's witness.
//! - [`tree`]: the Poseidon sparse Merkle tree of accounts (depth 20).
//! - [`groth16`]: Groth16 verification over a [`groth16::PairingBackend`] (the chain's host
//!   pairing functions, or arkworks natively), with doubling tables for the public inputs.
//! - [`policy`]: the contract's timing rules: key timelock against the exit deadline, the
//!   deposit queue's bounds and the operator's deadline (exodus).
//! - [`snarkjs`]: snarkjs's Groth16 JSON (verifying key, proof, public inputs) for BLS12-381.
pub mod eddsa;
pub mod field;
pub mod groth16;
pub mod ledger;
pub mod policy;
pub mod poseidon;
pub mod snarkjs;
pub mod tree;

pub use field::Fr;

#[cfg(test)]
mod tests;
