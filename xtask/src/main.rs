//! `cargo xtask <task>`: the project's tasks, in Rust.
//!
//! - `demo`    the end-to-end story on an embedded chain (the main job); `--node URL`: on a chain
//! - `test`    every test the project has (what CI runs after fmt and clippy)
//! - `dist`    optimized contract artifacts in artifacts/ with checksums
//! - `deploy`  store and instantiate the artifacts on a chain (`--node URL`), write the deployments file
//! - `e2e`     the flows on a real wasmd network through signed transactions (settle-client)
//! - `gas`     the gas table from the artifacts in cosmwasm-vm (`--chain`: beside a wasmd network, real gas_used)
//! - `localnet` a wasmd network on loopback (`--validators N`, `--home DIR`, `--smoke`)
//! - `npm`     the wasm-bindgen npm package in packages/wasm/pkg (web, node, bundler)
//! - `bench`   Merkle speed: the npm package vs @openzeppelin/merkle-tree vs native
//! - `web`     the browser dApp built and driven in headless Chromium (Playwright)
//! - `schema`  regenerate schema/ (`--check` fails if the committed files drift)
//! - `vectors` regenerate the parity vectors (`--check` fails if the committed file drifts)
//! - `soak`    the model-based soak of every contract (`--ops N [--seed S] [--only NAME]`)
//! - `zk-setup` Groth16 keys for the validity rollup's circuit, written to files
//! - `fuzz`    coverage-guided fuzzing of every target in fuzz/ (cargo-fuzz, nightly)

mod bench;
mod demo;
mod deploy;
mod dist;
mod e2e;
mod fuzz;
mod gas;
mod integrator;
mod localnet;
mod npm;
mod schema;
mod soak;
mod util;
mod vectors;
mod web;
mod zk;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <demo [--node URL ...]|test|deploy --node URL [...]|dist|e2e [--validators N] [--only FLOW]|gas [--chain [--node URL]] [--accounts N]|localnet [--validators N] [--home DIR] [--smoke]|npm|web|bench [log2..]|schema [--check]|soak --ops N [--seed S] [--only NAME]|fuzz [--seconds S] [--target NAME]... [--jobs J] [--merge]|vectors [--check]|zk-setup [--deposits K] [--txs N] [--out DIR] [--seed HEX]>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bench") => bench::run(&args[1..]),
        Some("demo") => demo::run(&args[1..]),
        Some("test") => test(),
        Some("deploy") => deploy::run(&args[1..]),
        Some("dist") => dist::run(),
        Some("e2e") => e2e::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("gas") => gas::run(&args[1..]),
        Some("localnet") => localnet::run(&args[1..]),
        Some("npm") => npm::build(),
        Some("schema") => schema::run(args.iter().any(|a| a == "--check")),
        Some("soak") => soak::run(&args[1..]),
        Some("vectors") => vectors::run(args.iter().any(|a| a == "--check")),
        Some("web") => web::run(),
        Some("zk-setup") => zk::run(&args[1..]),
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task {other:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every test: unit, property and cw-multi-test suites (and the committed fuzz corpora,
/// replayed on stable by `fuzz/tests/replay.rs`), the schema drift check, the
/// OpenZeppelin interop check against the npm package, the wasm-bindgen package (built,
/// tested in Rust under Node and from JS in Node), the parity vectors under Node and the
/// web dApp in headless Chromium, then the optimized artifacts in cosmwasm-vm and the gas
/// report (so CI prints the figures), and last the end-to-end flows on a 1-validator and a
/// 4-validator wasmd network (`cargo xtask e2e`).
fn test() -> Result<(), String> {
    // What a fresh machine lacks and the run needs, installed first (each skipped when present).
    util::ensure_wasm_target()?;
    util::ensure_node()?;
    // The wasmd node (cached under target/chain/; cold, a Go build of about 10 minutes,
    // much of it fetching modules) is built meanwhile, at a lower priority than the tests.
    let node = std::thread::spawn(localnet::Wasmd::ensure);
    util::step("cargo test --workspace");
    util::cargo(&["test", "--workspace", "--locked"])?;
    integrator::run()?;
    util::step("schema drift check");
    schema::run(true)?;
    util::step("parity vector drift check");
    vectors::run(true)?;
    util::step("OpenZeppelin StandardMerkleTree interop, both ways, fresh random trees");
    util::run(std::process::Command::new("bash").arg("tests/interop/run.sh"))?;
    util::step("snarkjs interop: a fresh circom2 circuit, setup and proof on BLS12-381");
    util::run(std::process::Command::new("bash").arg("tests/interop/snarkjs/run.sh"))?;
    npm::build()?;
    npm::test()?;
    web::test()?;
    dist::run()?;
    util::step("cargo test -p settle-tests --features vm --test vm (optimized artifacts)");
    util::cargo(&[
        "test",
        "--locked",
        "-p",
        "settle-tests",
        "--features",
        "vm",
        "--test",
        "vm",
        "--test",
        "vm_parity",
    ])?;
    gas::report()?;
    let wasmd = node
        .join()
        .map_err(|_| "the wasmd build's thread panicked".to_string())??;
    e2e::on_networks(wasmd, &[1, 4], None)
}
