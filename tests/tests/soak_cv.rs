//! The short model-based soak of the payment-channels contract and the validity rollup
//! (tests/src/soak): a seed from `SOAK_SEED` (or random, printed), the number of
//! operations from `SOAK_OPS` (or the default below). A violation fails the test with the
//! report: the seed and the shortest failing sequence found.
//!
//! Long runs, one contract at a time (the test name filters; `SOAK_STATS=1` adds what the
//! settlements and the prover did; `SOAK_SHRINK_SECS` bounds the search for the shortest
//! failing sequence, 60 s by default):
//!
//! ```text
//! SOAK_OPS=20000 SOAK_SEED=7 cargo test -p settle-tests --test soak_cv payment -- --nocapture
//! SOAK_OPS=1500 SOAK_SEED=5 cargo test -p settle-tests --test soak_cv validity -- --nocapture
//! ```
//!
//! The validity rollup proves every batch with real Groth16 (the smallest circuit, one
//! deposit and one transaction; keys from `settle_testing::keys_for`, set up once per
//! process): proofs dominate its cost (5-25 s each in the debug profile here), so its
//! short run is 100 operations (about 4 proven batches).

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
    let shrink = std::env::var("SOAK_SHRINK_SECS")
        .map(|s| s.parse().expect("SOAK_SHRINK_SECS is a u64"))
        .unwrap_or(60);
    let report = run::<M>(ops(default_ops), seed, Duration::from_secs(shrink));
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
    let r = soak::<ValiditySoak>(100);
    println!(
        "validity-rollup: {:.1} ops/s",
        r.ops as f64 / r.elapsed.as_secs_f64()
    );
}
