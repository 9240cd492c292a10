//! # settle-fuzz
//!
//! Fuzz targets for every decoder of untrusted bytes or JSON in the suite, each
//! contract's entry points, and differential checks. Each target is a plain
//! `pub fn(data: &[u8])` that panics only on a real bug: a decoder that panics, a
//! verifier that accepts what it must refuse, two implementations that disagree.
//!
//! - The libFuzzer binaries (`libfuzzer/`, a separate cargo-fuzz manifest outside the
//!   workspace, nightly only) call these functions; `cargo xtask fuzz` runs them.
//! - `tests/replay.rs` replays every committed input under `corpus/<target>/` on stable
//!   inside `cargo test`, with no fuzzing engine.
//!
//! Each target's seeds come from real encodings (the core's parity vectors, signed
//! transactions and batches, real proofs); `tests/seeds.rs` writes them.
#![forbid(unsafe_code)]

pub mod channel;
pub mod codec;
pub mod contracts;
pub mod diff;
pub mod dispute;
pub mod input;
pub mod merkle;
pub mod oz;
pub mod smt;
pub mod validity;
pub mod vectors;

/// A fuzz target.
pub type Target = fn(&[u8]);

/// Every target by name (the name of its libFuzzer binary and of its corpus folder).
pub const TARGETS: &[(&str, Target)] = &[
    ("tx_decode", codec::tx_decode),
    ("batch_data", codec::batch_data),
    ("merkle_proof", merkle::merkle_proof),
    ("merkle_multiproof", merkle::merkle_multiproof),
    ("smt_compact", smt::smt_compact),
    ("smt_multiproof", smt::smt_multiproof),
    ("oz_multiproof", oz::oz_multiproof),
    ("channel_state", channel::channel_state),
    ("one_step_proof", dispute::one_step_proof),
    ("step_state", dispute::step_state),
    ("validity_batch", validity::validity_batch),
    ("validity_field", validity::validity_field),
    ("groth16_proof", validity::groth16_proof),
    ("groth16_key", validity::groth16_key),
    ("snarkjs_json", validity::snarkjs_json),
    (
        "contract_optimistic",
        contracts::optimistic::contract_optimistic,
    ),
    ("contract_channels", contracts::channels::contract_channels),
    ("contract_validity", contracts::validity::contract_validity),
    ("diff_wasm", diff::wasm_decoders),
    ("diff_zk_circuit", diff::zk_circuit),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
