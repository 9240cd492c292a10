//! `cargo xtask soak --ops N [--seed S] [--only NAME] [--shrink-seconds T]`: the
//! model-based soak of every contract in cw-multi-test (settle-tests' `soak` binary,
//! tests/src/soak). Builds it in the `soak` profile (the dev profile at opt-level 2, with
//! overflow checks and unwinding; about ten times the dev profile's ops per second) and
//! passes the arguments through; fails when any contract's soak finds a violation.

use crate::util::{self, step};

pub fn run(args: &[String]) -> Result<(), String> {
    if !args
        .iter()
        .any(|a| a == "--ops" || a == "-h" || a == "--help")
    {
        return Err("soak needs --ops N".into());
    }
    step("model-based soak (cw-multi-test, soak profile)");
    let mut cargo = vec![
        "run",
        "--locked",
        "--profile",
        "soak",
        "-p",
        "settle-tests",
        "--bin",
        "soak",
        "--",
    ];
    cargo.extend(args.iter().map(String::as_str));
    util::cargo(&cargo)
}
