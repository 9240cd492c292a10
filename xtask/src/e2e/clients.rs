//! The dApp's path on the chain: `clients/tests/chain.test.ts` under Node, one flow of
//! each contract through the generated TypeScript clients (`@settle/clients`), CosmJS's
//! signing client and `@settle/wasm`'s Node build, with two wallets this flow funds.
//!
//! [`prepare`] compiles the test once (tsc, into `target/clients-test`) before the
//! networks start; [`flow`] runs it against one network and reports its lines.

use std::path::PathBuf;
use std::process::Command;

use settle_testing::ValiditySuiteBuilder;

use super::{optimistic, Ctx};
use crate::localnet::{DENOM, GAS_PRICE};
use crate::util;

/// The compiled test (tsc keeps the repository's layout under `outDir`).
fn compiled() -> PathBuf {
    util::root().join("target/clients-test/clients/tests/chain.test.js")
}

/// @settle/wasm's Node build.
fn wasm_pkg() -> PathBuf {
    util::root().join("packages/wasm/pkg/node/settle_wasm.js")
}

/// The clients' npm packages, the wasm package's Node build (built if missing) and the
/// test compiled with tsc (which also checks that every message @settle/wasm returns has
/// the generated clients' type).
pub fn prepare() -> Result<(), String> {
    let root = util::root();
    util::ensure_node()?;
    let clients = root.join("clients");
    if !clients.join("node_modules").exists() {
        util::step("npm ci in clients (@cosmjs, typescript)");
        util::run(
            Command::new("npm")
                .args(["ci", "--silent", "--no-audit", "--no-fund"])
                .current_dir(&clients),
        )?;
    }
    if !wasm_pkg().exists() {
        crate::npm::build()?;
    }
    util::step("tsc -p clients/tests (the Node test of the generated clients)");
    util::run(
        Command::new("npx")
            .args(["tsc", "-p", "tests"])
            .current_dir(&clients),
    )
}

pub async fn flow(ctx: &Ctx) -> Result<String, String> {
    if !compiled().exists() {
        return Err(format!(
            "{} is missing: the e2e run compiles it first",
            compiled().display()
        ));
    }
    // Two wallets: A deploys and sends most, B is the counterparty and the claimer.
    let a = ctx.wallet("clients-a", 50_000_000_000).await?;
    ctx.wallet("clients-b", 5_000_000_000).await?;
    let codes: serde_json::Map<String, serde_json::Value> = ctx
        .codes
        .iter()
        .map(|(c, id)| (c.to_string(), (*id).into()))
        .collect();
    let rollup_init = optimistic::instantiate_msg(a.address());
    let mut validity_init = ValiditySuiteBuilder::new()
        .with_shape(1, 1)
        .with_exodus_after(3_600)
        .instantiate_msg();
    validity_init.denom = DENOM.into();
    let out = tokio::process::Command::new("node")
        .arg(compiled())
        .env("NODE_PATH", util::root().join("clients/node_modules"))
        .env("SETTLE_RPC", ctx.client.url())
        .env("SETTLE_PREFIX", &ctx.client.prefix)
        .env("SETTLE_GAS_PRICE", GAS_PRICE)
        .env("SETTLE_KEY_A", hex::encode(ctx.secret("clients-a")))
        .env("SETTLE_KEY_B", hex::encode(ctx.secret("clients-b")))
        .env("SETTLE_DENOM", DENOM)
        .env("SETTLE_CODES", serde_json::Value::Object(codes).to_string())
        .env("SETTLE_OR_INIT", json(&rollup_init)?)
        .env("SETTLE_VALIDITY_INIT", json(&validity_init)?)
        .env("SETTLE_WASM_PKG", wasm_pkg())
        .output()
        .await
        .map_err(|e| format!("node: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        ctx.say(line);
    }
    if !out.status.success() {
        return Err(format!(
            "the Node test failed ({}):\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let flows: Vec<&str> = stdout.lines().filter(|l| l.starts_with("ok")).collect();
    if flows.len() != 3 {
        return Err(format!(
            "expected 3 flows to pass, the test said:\n{stdout}"
        ));
    }
    Ok(flows.join("\n        "))
}

/// JSON text of a message.
fn json<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}
