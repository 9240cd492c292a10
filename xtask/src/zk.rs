//! `cargo xtask zk-setup`: Groth16 keys for the validity rollup's batch circuit, written to
//! files: what the operator's prover loads and what the contract's `instantiate` (or
//! `propose_key`) takes.
//!
//! ```text
//! cargo xtask zk-setup [--deposits K] [--txs N] [--out DIR] [--seed HEX]
//! ```
//!
//! Writes, in `DIR` (default `target/zk-keys/<K>x<N>`):
//! - `proving-key.bin`: settle-zk's uncompressed proving key (loads in a fraction of a
//!   second; the compressed form takes tens of seconds to decompress);
//! - `verifying-key.bin`: settle-zk's verifying key file (shape and arkworks key);
//! - `verifying-key.hex`: the contract's wire form (`InstantiateMsg.verifying_key`);
//! - `instantiate.json`: an `InstantiateMsg` using it.
//!
//! This is a single-party setup: whoever runs it knows the toxic waste and could forge
//! proofs. Production keys need a multi-party ceremony (a powers-of-tau phase and a
//! circuit-specific phase with independent contributors); see README.md.

use std::path::PathBuf;
use std::time::Instant;

use settle_core::validity::ledger::Shape;

use crate::util::{root, step};

struct Args {
    shape: Shape,
    out: Option<PathBuf>,
    seed: Option<[u8; 32]>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut shape = Shape {
        deposits: 2,
        txs: 4,
    };
    let mut out = None;
    let mut seed = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--deposits" => {
                shape.deposits = value()?.parse().map_err(|e| format!("--deposits: {e}"))?
            }
            "--txs" => shape.txs = value()?.parse().map_err(|e| format!("--txs: {e}"))?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--seed" => {
                let bytes = hex::decode(value()?).map_err(|e| format!("--seed: {e}"))?;
                seed = Some(
                    bytes
                        .try_into()
                        .map_err(|_| "--seed takes 32 bytes of hex".to_string())?,
                );
            }
            other => return Err(format!("zk-setup: unknown argument {other:?}")),
        }
    }
    if shape.txs == 0 {
        return Err("--txs must be at least 1".into());
    }
    Ok(Args { shape, out, seed })
}

/// Where the keys of `shape` go by default.
pub fn default_dir(shape: Shape) -> PathBuf {
    root()
        .join("target/zk-keys")
        .join(format!("{}x{}", shape.deposits, shape.txs))
}

pub fn run(args: &[String]) -> Result<(), String> {
    let args = parse(args)?;
    let dir = args.out.unwrap_or_else(|| default_dir(args.shape));
    write_keys(args.shape, &dir, args.seed).map(|_| ())
}

/// Runs the setup for `shape` and writes the four files into `dir`. With a seed the keys
/// are reproducible (tests, the demo); without one the toxic waste comes from the OS.
/// What identifies the circuit a key was made for: its constraint and variable counts
/// (`BatchCircuit::measure` of a blank circuit; about a second). Written next to the keys
/// as `circuit.txt`, so that a key made for an older circuit is not taken for current.
pub fn circuit_fingerprint(shape: Shape) -> Result<String, String> {
    let m = settle_zk::BatchCircuit::blank(shape)
        .measure()
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "{} deposits x {} transactions: {} constraints, {} instance and {} witness variables\n",
        shape.deposits, shape.txs, m.constraints, m.instance_variables, m.witness_variables
    ))
}

/// Whether `dir` holds a proving key made for today's circuit of `shape`.
pub fn keys_current(shape: Shape, dir: &std::path::Path) -> Result<bool, String> {
    if !dir.join("proving-key.bin").exists() {
        return Ok(false);
    }
    let stamp = std::fs::read_to_string(dir.join("circuit.txt")).unwrap_or_default();
    Ok(stamp == circuit_fingerprint(shape)?)
}

pub fn write_keys(
    shape: Shape,
    dir: &std::path::Path,
    seed: Option<[u8; 32]>,
) -> Result<(settle_zk::ProvingKey, settle_zk::VerifyingKey), String> {
    use rand::SeedableRng;
    step(&format!(
        "Groth16 setup for batches of {} deposits and {} transactions",
        shape.deposits, shape.txs
    ));
    let started = Instant::now();
    let (pk, vk) = match seed {
        Some(s) => settle_zk::setup(shape, &mut rand::rngs::StdRng::from_seed(s)),
        None => settle_zk::setup(shape, &mut rand::rngs::OsRng),
    }
    .map_err(|e| e.to_string())?;
    eprintln!("setup took {:.1} s", started.elapsed().as_secs_f64());
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = |name: &str| dir.join(name);
    pk.save_uncompressed(file("proving-key.bin"))
        .map_err(|e| e.to_string())?;
    std::fs::write(file("circuit.txt"), circuit_fingerprint(shape)?)
        .map_err(|e| format!("circuit.txt: {e}"))?;
    vk.save(file("verifying-key.bin"))
        .map_err(|e| e.to_string())?;
    // The contract's own key check (the same function it runs at instantiate).
    settle_core::validity::ledger::prepare_batch_key(
        settle_core::validity::groth16::VerifyingKey::decode(&vk.to_wire())
            .map_err(|e| e.to_string())?,
        &settle_core::validity::groth16::ArkBackend,
    )
    .map_err(|e| format!("the new verifying key: {e}"))?;
    let wire = hex::encode(vk.to_wire());
    std::fs::write(file("verifying-key.hex"), format!("{wire}\n"))
        .map_err(|e| format!("verifying-key.hex: {e}"))?;
    // The contract's own message type: what the file says is what the contract takes.
    let instantiate = validity_rollup::msg::InstantiateMsg {
        admin: None,
        denom: "uzk".into(),
        verifying_key: cosmwasm_std::Binary::from(vk.to_wire()),
        shape: validity_rollup::msg::Shape {
            deposits: u32::try_from(shape.deposits).map_err(|e| e.to_string())?,
            txs: u32::try_from(shape.txs).map_err(|e| e.to_string())?,
        },
        exodus_after_seconds: 86_400,
        key_timelock_seconds: 7 * 86_400,
        min_deposit: cosmwasm_std::Uint128::one(),
        min_new_account: cosmwasm_std::Uint128::one(),
        max_pending: 1_024,
    };
    std::fs::write(
        file("instantiate.json"),
        serde_json::to_string_pretty(&instantiate).expect("json") + "\n",
    )
    .map_err(|e| format!("instantiate.json: {e}"))?;
    for name in [
        "proving-key.bin",
        "verifying-key.bin",
        "verifying-key.hex",
        "instantiate.json",
    ] {
        let bytes = std::fs::metadata(file(name)).map(|m| m.len()).unwrap_or(0);
        println!("{}: {bytes} bytes", file(name).display());
    }
    if seed.is_some() {
        println!("(seeded: reproducible test keys, not for production)");
    } else {
        println!("(single-party setup: production keys need a ceremony, see README.md)");
    }
    Ok((pk, vk))
}
