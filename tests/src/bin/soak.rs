//! `soak --ops N [--seed S] [--only NAME] [--shrink-seconds T]`: the model-based soak of
//! every contract (tests/src/soak), in cw-multi-test. Prints each contract's report (ops,
//! a count of each message kind accepted and refused, violations) and, on a violation, the
//! seed and the shortest failing sequence found; exits non-zero on any violation.
//! `cargo xtask soak` builds and runs it.

use std::process::ExitCode;
use std::time::Duration;

use settle_tests::soak::channels::ChannelsSoak;
use settle_tests::soak::optimistic::OptimisticSoak;
use settle_tests::soak::validity::ValiditySoak;
use settle_tests::soak::{run, Machine, Report};

type Runner = fn(u64, u64, Duration) -> Report;

fn entry<M: Machine>() -> (&'static str, Runner) {
    (M::NAME, run::<M>)
}

/// Every contract's soak: registering one is one line here.
fn machines() -> Vec<(&'static str, Runner)> {
    vec![
        entry::<OptimisticSoak>(),
        entry::<ChannelsSoak>(),
        entry::<ValiditySoak>(),
    ]
}

const USAGE: &str = "usage: soak --ops N [--seed S] [--only NAME] [--shrink-seconds T]";

fn main() -> ExitCode {
    match main_inner() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("soak: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn main_inner() -> Result<ExitCode, String> {
    let mut ops = None;
    let mut seed = None;
    let mut only = None;
    let mut shrink = 120u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--ops" => ops = Some(number(&value("--ops")?)?),
            "--seed" => seed = Some(number(&value("--seed")?)?),
            "--only" => only = Some(value("--only")?),
            "--shrink-seconds" => shrink = number(&value("--shrink-seconds")?)?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let ops = ops.ok_or("--ops is required")?;
    let seed = seed.unwrap_or_else(rand::random);
    let all = machines();
    let chosen: Vec<_> = all
        .iter()
        .filter(|(name, _)| only.as_deref().is_none_or(|o| o == *name))
        .collect();
    if chosen.is_empty() {
        let names: Vec<_> = all.iter().map(|(n, _)| *n).collect();
        return Err(format!("no soak named {only:?}; there are {names:?}"));
    }
    println!("soak: {ops} ops per contract, seed {seed}");
    let mut failed = Vec::new();
    for (name, runner) in chosen {
        let report = runner(ops, seed, Duration::from_secs(shrink));
        print!("{}", report.render());
        let rate = report.ops as f64 / report.elapsed.as_secs_f64().max(1e-9);
        println!("  {rate:.0} ops/s");
        if report.violations() > 0 {
            failed.push(*name);
        }
    }
    if failed.is_empty() {
        println!("soak: 0 violations");
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "soak: violations in {failed:?}; replay with --seed {seed} --only {}",
            failed[0]
        );
        Ok(ExitCode::FAILURE)
    }
}

fn number(s: &str) -> Result<u64, String> {
    s.replace('_', "")
        .parse()
        .map_err(|e| format!("{s:?} is not a number: {e}"))
}
