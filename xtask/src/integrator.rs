//! The integrator's crate (`examples/integrator/`): outside the workspace's members, with
//! its own Cargo.toml, lock and profile, depending on settle-testing by path as a project
//! outside this repository would. Built in the workspace's target directory, so the
//! dependencies it shares with the workspace (same versions, same profile settings) are
//! compiled once.

use std::process::Command;

use crate::util;

/// `cargo test --locked` of examples/integrator in the workspace's target directory.
pub fn run() -> Result<(), String> {
    let root = util::root();
    util::step("cargo test --locked --manifest-path examples/integrator/Cargo.toml");
    util::run(
        Command::new(util::cargo_bin())
            .args([
                "test",
                "--locked",
                "--manifest-path",
                "examples/integrator/Cargo.toml",
            ])
            .env("CARGO_TARGET_DIR", util::target_dir(&root)),
    )
}
