//! `cargo xtask bench [log2 sizes]`: the Merkle benchmark of the browser package against
//! @openzeppelin/merkle-tree and the native core (packages/wasm/bench/merkle.mjs). It
//! prints figures; nothing here asserts a speed.

use std::process::Command;

use crate::util::{self, cargo_bin, root, step, target_dir};

pub fn run(sizes: &[String]) -> Result<(), String> {
    let root = root();
    crate::npm::build()?;
    if !root.join("tests/interop/node_modules").exists() {
        util::run(
            Command::new("npm")
                .args(["ci", "--silent", "--no-audit", "--no-fund"])
                .current_dir(root.join("tests/interop")),
        )?;
    }
    step("native core: cargo build --release --example merkle_bench");
    util::run(Command::new(cargo_bin()).args([
        "build",
        "--release",
        "--locked",
        "-p",
        "settle-core",
        "--example",
        "merkle_bench",
    ]))?;
    let native = target_dir(&root).join("release/examples/merkle_bench");
    step("node packages/wasm/bench/merkle.mjs");
    util::run(
        Command::new("node")
            .arg("--max-old-space-size=8192")
            .arg("packages/wasm/bench/merkle.mjs")
            .args(sizes)
            .env("NATIVE_BENCH", native),
    )
}
