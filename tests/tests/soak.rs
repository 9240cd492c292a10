//! The short soak the test command runs (`cargo test --workspace`): a few thousand random
//! operations on the optimistic rollup against its model (tests/src/soak). The seed is
//! random unless `SOAK_SEED` is set, and printed either way, so a failure can be replayed
//! (`SOAK_SEED=<seed> cargo test -p settle-tests --test soak`, or `cargo xtask soak --ops N
//! --seed <seed>`). `SOAK_OPS` changes the length. Long runs: `cargo xtask soak`.

use std::time::Duration;

use settle_tests::soak::optimistic::OptimisticSoak;
use settle_tests::soak::{run, Machine};

/// Operations per contract in the test command: about 16 s of CPU in the dev profile.
const OPS: u64 = 3_000;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

fn short_soak<M: Machine>() {
    let seed = env_u64("SOAK_SEED").unwrap_or_else(rand::random);
    let ops = env_u64("SOAK_OPS").unwrap_or(OPS);
    eprintln!(
        "{} soak: {ops} ops, seed {seed} (replay: SOAK_SEED={seed})",
        M::NAME
    );
    let report = run::<M>(ops, seed, Duration::from_secs(60));
    eprint!("{}", report.render());
    assert_eq!(report.violations(), 0, "\n{}", report.render());
    assert_eq!(report.ops, ops, "the soak stopped early");
}

#[test]
fn optimistic_rollup_short_soak() {
    short_soak::<OptimisticSoak>();
}
