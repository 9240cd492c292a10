//! `cargo xtask gas`: builds the artifacts (`dist`), then runs the gas report on them in
//! cosmwasm-vm (`settle-tests`' `gas-report` binary, dev profile so it shares the build
//! with `cargo test -p settle-tests --features vm`). Prints the rollup's table (the happy
//! path, then fraud-proof games: challenge, moves, one-step proofs, timeout) with the games'
//! figures, then the payment-channels table (open, fund, cooperative close, unilateral
//! close, dispute, settle, reveal_preimage, settle_htlc), and writes
//! `target/gas-report.json` (the rows of both).

use crate::util::{self, step};

pub fn run() -> Result<(), String> {
    crate::dist::run()?;
    report()
}

/// The gas report on artifacts already in `artifacts/`.
pub fn report() -> Result<(), String> {
    step("gas report (cosmwasm-vm, optimized artifacts)");
    util::cargo(&[
        "run",
        "--locked",
        "-p",
        "settle-tests",
        "--features",
        "vm",
        "--bin",
        "gas-report",
    ])
}
