//! `cargo xtask deploy --node URL ...`: stores the optimized artifacts on a chain,
//! instantiates each contract with its configuration and writes the deployments file
//! (code ids, checksums, addresses, the transactions and their gas) that the other tools
//! read. Signed transactions through `settle-client` (cosmrs), nothing else.

use std::path::PathBuf;

use serde_json::Value;
use settle_client::{Client, Deployment, Deployments, Wallet};

use crate::localnet::{DENOM, GAS_PRICE, TEST_ACCOUNTS};
use crate::util;

const USAGE: &str = "usage: cargo xtask deploy --node URL [--from NAME | --mnemonic-env VAR] \
[--admin ADDR] [--treasury ADDR] [--config FILE] [--out FILE] [--gas-price PRICE] [--prefix P]

  --node URL          the chain's CometBFT RPC (http://127.0.0.1:26657 for `cargo xtask localnet`)
  --from NAME         a test account of the local network (alice, bob, carol, dave; default alice)
  --mnemonic-env VAR  read the deployer's mnemonic from the environment variable VAR instead
  --admin ADDR        who may migrate the contracts (default: nobody; x/wasm's admin can
                      migrate at once, so give it to governance or a timelock, never a hot key)
  --treasury ADDR     the optimistic rollup's treasury (default: the deployer)
  --config FILE       a JSON object {contract: instantiate message} replacing the defaults
  --out FILE          the deployments file (default target/deployments/<chain-id>.json)
  --gas-price PRICE   fee per gas (default 0.025stake)
  --prefix P          the chain's bech32 prefix (default wasm)";

/// The artifact of each contract (built by `cargo xtask dist` when one is missing).
pub fn artifact(contract: &str) -> Result<Vec<u8>, String> {
    let root = util::root();
    let file = |c: &str| {
        root.join(crate::dist::ARTIFACTS_DIR)
            .join(format!("{}.wasm", c.replace('-', "_")))
    };
    if crate::dist::CONTRACTS.iter().any(|c| !file(c).exists()) {
        crate::dist::run()?;
    }
    let path = file(contract);
    std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The instantiate message a deployment uses unless told otherwise: production-like
/// windows (a day to challenge, an hour per dispute move).
pub fn default_instantiate_msg(contract: &str, treasury: &str) -> Result<Value, String> {
    let v = match contract {
        "optimistic-rollup" => serde_json::to_value(optimistic_rollup::msg::InstantiateMsg {
            admin: None,
            denom: DENOM.into(),
            bond_denom: DENOM.into(),
            proposer_bond: 1_000u128.into(),
            challenge_window: 86_400,
            force_inclusion_seconds: 3_600,
            max_batch_bytes: 128 * 1024,
            dispute: optimistic_rollup::msg::DisputeParams {
                challenger_bond: 500u128.into(),
                clock_seconds: 3_600,
                min_answer_seconds: 300,
                reward_bps: 5_000,
                treasury: treasury.to_string(),
            },
            bounds: Some(settle_testing::default_bounds()),
        }),
        "payment-channels" => serde_json::to_value(payment_channels::msg::InstantiateMsg {
            penalty_share_bps: None,
            watchtower_fee_bps: 1_000,
            max_dispute_window: 86_400,
        }),
        "validity-rollup" => {
            let mut msg = settle_testing::ValiditySuiteBuilder::new().instantiate_msg();
            msg.denom = DENOM.into();
            serde_json::to_value(msg)
        }
        other => return Err(format!("no instantiate message for {other}")),
    };
    v.map_err(|e| format!("{contract}: {e}"))
}

/// Stores and instantiates each `(contract, instantiate message)` in order, printing one
/// line per transaction.
pub async fn deploy(
    client: &Client,
    wallet: &Wallet,
    plan: &[(&str, Value)],
    admin: Option<&str>,
) -> Result<Deployments, String> {
    let mut out = Deployments {
        chain_id: client.chain_id().to_string(),
        node: client.url().to_string(),
        deployer: wallet.address().to_string(),
        contracts: Default::default(),
    };
    for (contract, msg) in plan {
        let wasm = artifact(contract)?;
        let stored = client
            .store_code(wallet, &wasm)
            .await
            .map_err(|e| format!("store {contract}: {e}"))?;
        println!(
            "stored {contract}: code {} ({} B wasm, {} B gzipped), block {}, gas {}, tx {}",
            stored.code_id,
            wasm.len(),
            stored.upload_bytes,
            stored.outcome.height,
            stored.outcome.gas_used,
            stored.outcome.hash
        );
        let inst = client
            .instantiate(wallet, stored.code_id, msg, contract, admin, &[])
            .await
            .map_err(|e| format!("instantiate {contract}: {e}"))?;
        println!(
            "instantiated {contract}: {} (block {}, gas {}, tx {})",
            inst.address, inst.outcome.height, inst.outcome.gas_used, inst.outcome.hash
        );
        out.contracts.insert(
            contract.to_string(),
            Deployment {
                code_id: stored.code_id,
                checksum: stored.checksum,
                address: inst.address,
                admin: admin.map(str::to_string),
                store_tx: stored.outcome.hash,
                store_height: stored.outcome.height,
                store_gas_used: stored.outcome.gas_used,
                instantiate_tx: inst.outcome.hash,
                instantiate_height: inst.outcome.height,
                instantiate_gas_used: inst.outcome.gas_used,
                instantiate_msg: msg.clone(),
            },
        );
    }
    Ok(out)
}

/// The wallet of a local test account.
pub fn test_wallet(name: &str, prefix: &str) -> Result<Wallet, String> {
    let (_, mnemonic) = TEST_ACCOUNTS
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or(format!(
            "no test account {name:?}; there are {:?}",
            TEST_ACCOUNTS.map(|a| a.0)
        ))?;
    Wallet::from_mnemonic(mnemonic, prefix).map_err(|e| e.to_string())
}

/// The wallet that signs: the mnemonic in environment variable `mnemonic_env` if given,
/// else the local test account `from`.
pub fn signer(mnemonic_env: Option<&str>, from: &str, prefix: &str) -> Result<Wallet, String> {
    match mnemonic_env {
        Some(var) => {
            let phrase = std::env::var(var).map_err(|_| format!("${var} is not set"))?;
            Wallet::from_mnemonic(&phrase, prefix).map_err(|e| e.to_string())
        }
        None => test_wallet(from, prefix),
    }
}

/// Runs a future on a one-thread runtime (xtask is otherwise synchronous).
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    Ok(rt.block_on(f))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut node = None;
    let mut from = "alice".to_string();
    let mut mnemonic_env = None;
    let mut admin = None;
    let mut treasury = None;
    let mut config = None;
    let mut out = None;
    let mut gas_price = GAS_PRICE.to_string();
    let mut prefix = "wasm".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or(format!("{a} needs a value\n{USAGE}"))
        };
        match a.as_str() {
            "--node" => node = Some(value()?),
            "--from" => from = value()?,
            "--mnemonic-env" => mnemonic_env = Some(value()?),
            "--admin" => admin = Some(value()?),
            "--treasury" => treasury = Some(value()?),
            "--config" => config = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--gas-price" => gas_price = value()?,
            "--prefix" => prefix = value()?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let node = node.ok_or(format!("--node is required\n{USAGE}"))?;
    let wallet = signer(mnemonic_env.as_deref(), &from, &prefix)?;
    let overrides: serde_json::Map<String, Value> = match &config {
        None => Default::default(),
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    for name in overrides.keys() {
        if !crate::dist::CONTRACTS.contains(&name.as_str()) {
            return Err(format!(
                "{}: no contract {name:?}; there are {:?}",
                config
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                crate::dist::CONTRACTS
            ));
        }
    }
    let treasury = treasury.unwrap_or_else(|| wallet.address().to_string());
    let mut plan = Vec::new();
    for contract in crate::dist::CONTRACTS {
        let msg = match overrides.get(*contract) {
            Some(m) => m.clone(),
            None => default_instantiate_msg(contract, &treasury)?,
        };
        plan.push((*contract, msg));
    }
    util::step(&format!("deploy to {node} as {}", wallet.address()));
    let deployments = block_on(async {
        let client = Client::connect(&node, &prefix, &gas_price)
            .await
            .map_err(|e| e.to_string())?;
        deploy(&client, &wallet, &plan, admin.as_deref()).await
    })??;
    let out = out.unwrap_or_else(|| {
        util::target_dir(&util::root())
            .join("deployments")
            .join(format!("{}.json", deployments.chain_id))
    });
    deployments.save(&out).map_err(|e| e.to_string())?;
    println!(
        "\n{:<18} {:>5} {:<66} address",
        "contract", "code", "checksum"
    );
    for (name, d) in &deployments.contracts {
        println!(
            "{name:<18} {:>5} {:<66} {}",
            d.code_id, d.checksum, d.address
        );
    }
    println!("deployments written to {}", out.display());
    Ok(())
}
