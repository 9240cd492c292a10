//! `cargo xtask <task>`: the project's tasks, in Rust.
//!
//! - `demo`    the end-to-end story on an embedded chain (the main job)
//! - `test`    every test the project has (what CI runs after fmt and clippy)
//! - `dist`    optimized contract artifacts in artifacts/ with checksums
//! - `gas`     the gas table from the artifacts in cosmwasm-vm
//! - `schema`  regenerate schema/ (`--check` fails if the committed files drift)

mod schema;
mod util;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <demo|test|dist|gas|schema [--check]>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("schema") => schema::run(args.iter().any(|a| a == "--check")),
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

/// Every test: unit, property and cw-multi-test suites, then the schema drift check.
fn test() -> Result<(), String> {
    util::step("cargo test --workspace");
    util::cargo(&["test", "--workspace", "--locked"])?;
    util::step("schema drift check");
    schema::run(true)?;
    Ok(())
}
