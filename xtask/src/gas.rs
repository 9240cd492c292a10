//! `cargo xtask gas [--chain [--node URL]]`: builds the artifacts (`dist`), then runs the
//! gas report on them in cosmwasm-vm (`settle-tests`' `gas-report` binary, dev profile so
//! it shares the build with `cargo test -p settle-tests --features vm`). Prints the rollup's
//! table (the happy path, then fraud-proof games: challenge, moves, one-step proofs,
//! timeout) with the games' figures, then the payment-channels table (open, fund,
//! cooperative close, unilateral close, dispute, settle, reveal_preimage, settle_htlc) and
//! the validity rollup's, and writes `target/gas-report.json` (the rows of all three).
//!
//! With `--chain` the same script runs beside a wasmd network (feature `chain` of
//! settle-tests): a fresh single-validator network started and stopped here, as
//! `cargo xtask e2e` does, or the node at `--node URL` (its `alice` test account pays).
//! Every instantiate and execute is then also a signed transaction on the chain, and a
//! last table prints, per row, the gas_used the chain charged beside the model's figure
//! for the whole transaction and their ratio.

use std::process::Command;

use crate::localnet::{Network, Options, Wasmd, TEST_ACCOUNTS};
use crate::util::{self, step};

const USAGE: &str = "usage: cargo xtask gas [--chain [--node URL]] [--accounts N]";

pub fn run(args: &[String]) -> Result<(), String> {
    let mut chain = false;
    let mut node = None;
    let mut accounts = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--chain" => chain = true,
            "--node" => node = Some(it.next().ok_or(USAGE)?.clone()),
            "--accounts" => accounts = Some(it.next().ok_or(USAGE)?.clone()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if node.is_some() && !chain {
        return Err(format!("--node goes with --chain\n{USAGE}"));
    }
    let mut extra: Vec<String> = Vec::new();
    if let Some(n) = accounts {
        extra.extend(["--accounts".into(), n]);
    }
    if !chain {
        crate::dist::run()?;
        return report_with(&extra);
    }
    // The node first: a cold build of it is the longest step.
    let wasmd = match node {
        Some(_) => None,
        None => Some(Wasmd::ensure()?),
    };
    crate::dist::run()?;
    let mut net = None;
    let url = match (node, wasmd) {
        (Some(url), _) => url,
        (None, Some(wasmd)) => {
            step("a 1-validator wasmd network for the gas report");
            let mut n = Network::init(wasmd, &Options::default())?;
            n.start()?;
            let url = n.nodes[0].rpc_url();
            net = Some(n);
            url
        }
        (None, None) => unreachable!("a node or a network"),
    };
    step(&format!(
        "gas report beside the chain at {url} (cosmwasm-vm and signed transactions)"
    ));
    let (_, mnemonic) = TEST_ACCOUNTS[0];
    let mut cmd = Command::new(util::cargo_bin());
    cmd.args([
        "run",
        "--locked",
        "-p",
        "settle-tests",
        "--features",
        "chain",
        "--bin",
        "gas-report",
        "--",
        "--chain",
        &url,
    ])
    .args(&extra)
    .env("SETTLE_GAS_FUNDER", mnemonic);
    let result = util::run(&mut cmd);
    // The network stops (and its home goes) when dropped, whatever the report did.
    drop(net);
    result
}

/// The gas report on artifacts already in `artifacts/` (cosmwasm-vm alone).
pub fn report() -> Result<(), String> {
    report_with(&[])
}

fn report_with(extra: &[String]) -> Result<(), String> {
    step("gas report (cosmwasm-vm, optimized artifacts)");
    let mut args = vec![
        "run",
        "--locked",
        "-p",
        "settle-tests",
        "--features",
        "vm",
        "--bin",
        "gas-report",
    ];
    if !extra.is_empty() {
        args.push("--");
        args.extend(extra.iter().map(String::as_str));
    }
    util::cargo(&args)
}
