//! The short model-based soak of the payment-channels contract and the validity rollup
//! (tests/src/soak): a seed from `SOAK_SEED` (or random, printed), the number of
//! operations from `SOAK_OPS` (or the default below). A violation fails the test with the
//! report: the seed and the shortest failing sequence found.
//!
//! A long run: `SOAK_OPS=20000 SOAK_SEED=7 cargo test -p settle-tests --test soak_cv -- --nocapture`.

use std::time::Duration;

use settle_tests::soak::channels::ChannelsSoak;
use settle_tests::soak::validity::ValiditySoak;
use settle_tests::soak::{run, Machine, Report};

fn seed() -> u64 {
    match std::env::var("SOAK_SEED") {
        Ok(s) => s.parse().expect("SOAK_SEED is a u64"),
        Err(_) => rand::random(),
    }
}

fn ops(default: u64) -> u64 {
    std::env::var("SOAK_OPS")
        .map(|s| s.parse().expect("SOAK_OPS is a u64"))
        .unwrap_or(default)
}

fn soak<M: Machine>(default_ops: u64) -> Report {
    let seed = seed();
    println!("{}: seed {seed}", M::NAME);
    let report = run::<M>(ops(default_ops), seed, Duration::from_secs(60));
    println!("{}", report.render());
    assert!(report.failure.is_none(), "{}", report.render());
    report
}

#[test]
fn payment_channels_soak() {
    let r = soak::<ChannelsSoak>(3_000);
    println!(
        "payment-channels: {:.0} ops/s",
        r.ops as f64 / r.elapsed.as_secs_f64()
    );
}

#[test]
fn validity_rollup_soak() {
    let r = soak::<ValiditySoak>(300);
    println!(
        "validity-rollup: {:.1} ops/s",
        r.ops as f64 / r.elapsed.as_secs_f64()
    );
}
