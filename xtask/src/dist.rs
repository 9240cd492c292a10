//! `cargo xtask dist`: chain-grade contract artifacts in `artifacts/`.
//!
//! For each contract: `cargo build --release --locked --lib --target wasm32-unknown-unknown`
//! with the workspace release profile, then binaryen's `wasm-opt` lowers the bulk-memory
//! instructions rustc emits (`memory.copy`/`memory.fill`, which CosmWasm's static check
//! rejects) and shrinks the module. Writes `artifacts/<contract_underscored>.wasm` and
//! `artifacts/checksums.txt` (`<sha256 hex>  <file name>` per line, as cosmwasm/optimizer).
//!
//! wasm-opt comes from, in order: `target/tools/node_modules/.bin/wasm-opt`; a `wasm-opt` on
//! PATH if it is version >= 116 and knows `--llvm-memory-copy-fill-lowering`; else the npm
//! package `binaryen` is installed into `target/tools` (Debian's binaryen is too old).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::util::{self, file_size, root, step};

/// Contracts built into artifacts (crate names).
pub const CONTRACTS: &[&str] = &["optimistic-rollup", "payment-channels", "validity-rollup"];

/// Where the artifacts go, relative to the workspace root.
pub const ARTIFACTS_DIR: &str = "artifacts";

/// The npm package installed when no suitable wasm-opt is found.
const BINARYEN_NPM: &str = "binaryen@132.0.0";

/// Oldest binaryen release with `--llvm-memory-copy-fill-lowering`.
const MIN_WASM_OPT_VERSION: u32 = 116;

/// The lowering that makes rustc 1.95's output pass CosmWasm's check (../shared/TOOLCHAIN.md),
/// then size optimization and stripping of custom sections a chain does not need.
const WASM_OPT_FLAGS: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-multivalue",
    "--enable-reference-types",
    "--llvm-memory-copy-fill-lowering",
    "--strip-debug",
    "--strip-producers",
];

/// wasm-opt's optimisation level for a contract: `-Os` (size) unless the contract needs
/// another. The validity rollup does arithmetic on BLS12-381's 381-bit field (arkworks), whose
/// fully unrolled Montgomery conversion has 106 wasm locals after rustc and `-Os`; a chain
/// refuses a function with more than [`MAX_LOCALS`] at upload. `-O4` coalesces them (under
/// 90) at a 1% larger artifact. [`max_locals`] checks every artifact either way.
fn opt_level(contract: &str) -> &'static str {
    match contract {
        "validity-rollup" => "-O4",
        _ => "-Os",
    }
}

/// Most locals a function may declare for CosmWasm's upload check (cosmwasm-vm 3).
pub const MAX_LOCALS: u64 = 100;

fn leb128(bytes: &[u8], at: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*at).ok_or("truncated wasm")?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
        shift += 7;
        if shift > 63 {
            return Err("malformed LEB128 in wasm".into());
        }
    }
}

/// The largest number of locals any function of `wasm` declares (its code section).
pub fn max_locals(wasm: &[u8]) -> Result<u64, String> {
    let mut at = 8; // magic and version
    let mut max = 0;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb128(wasm, &mut at)? as usize;
        let end = at + size;
        if id == 10 {
            let mut p = at;
            let count = leb128(wasm, &mut p)?;
            for _ in 0..count {
                let body = leb128(wasm, &mut p)? as usize;
                let body_end = p + body;
                let groups = leb128(wasm, &mut p)?;
                let mut locals = 0u64;
                for _ in 0..groups {
                    locals += leb128(wasm, &mut p)?;
                    p += 1; // value type
                }
                max = max.max(locals);
                p = body_end;
            }
        }
        at = end;
    }
    Ok(max)
}

/// One built artifact.
#[derive(Debug, Clone)]
pub struct Artifact {
    pub file_name: String,
    pub bytes: u64,
    pub sha256: String,
}

pub fn run() -> Result<(), String> {
    build_all().map(|_| ())
}

/// Builds every contract in [`CONTRACTS`] and writes the checksums file.
pub fn build_all() -> Result<Vec<Artifact>, String> {
    let started = Instant::now();
    let root = root();
    let wasm_opt = find_wasm_opt(&root)?;
    let out_dir = root.join(ARTIFACTS_DIR);
    fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let mut artifacts = Vec::new();
    for contract in CONTRACTS {
        artifacts.push(build_one(&root, &wasm_opt, contract, &out_dir)?);
    }
    let mut lines: Vec<String> = artifacts
        .iter()
        .map(|a| format!("{}  {}\n", a.sha256, a.file_name))
        .collect();
    lines.sort();
    let checksums = out_dir.join("checksums.txt");
    fs::write(&checksums, lines.concat()).map_err(|e| format!("{}: {e}", checksums.display()))?;
    eprintln!();
    for a in &artifacts {
        println!("{ARTIFACTS_DIR}/{}: {} bytes", a.file_name, a.bytes);
    }
    println!(
        "{ARTIFACTS_DIR}/checksums.txt written; dist took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(artifacts)
}

fn build_one(
    root: &Path,
    wasm_opt: &Path,
    contract: &str,
    out_dir: &Path,
) -> Result<Artifact, String> {
    let underscored = contract.replace('-', "_");
    let built = util::build_wasm_lib(root, contract)?;
    let raw_size = file_size(&built)?;
    let file_name = format!("{underscored}.wasm");
    let path = out_dir.join(&file_name);
    let level = opt_level(contract);
    step(&format!(
        "wasm-opt {file_name} (lower bulk memory, {level})"
    ));
    let started = Instant::now();
    util::run(
        Command::new(wasm_opt)
            .args(WASM_OPT_FLAGS)
            .arg(level)
            .arg(&built)
            .arg("-o")
            .arg(&path),
    )?;
    let wasm = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let locals = max_locals(&wasm)?;
    if locals > MAX_LOCALS {
        return Err(format!(
            "{file_name}: a function declares {locals} locals; chains refuse more than \
             {MAX_LOCALS} at upload (see `opt_level` in xtask/src/dist.rs)"
        ));
    }
    crate::localnet::check_capabilities(&file_name, &wasm)?;
    eprintln!(
        "{file_name}: {raw_size} bytes from rustc, {} bytes after wasm-opt ({:.1} s)",
        wasm.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(Artifact {
        sha256: hex::encode(Sha256::digest(&wasm)),
        bytes: wasm.len() as u64,
        file_name,
    })
}

/// Cargo's target directory (`CARGO_TARGET_DIR` if set, else `<root>/target`).
/// A wasm-opt that can lower bulk memory: the local npm install, a recent enough one on
/// PATH, or a fresh local npm install.
pub fn find_wasm_opt(root: &Path) -> Result<PathBuf, String> {
    let tools = root.join("target/tools");
    let local = tools.join("node_modules/.bin/wasm-opt");
    if local.exists() {
        return Ok(local);
    }
    if let Some(version) = usable_version(Path::new("wasm-opt")) {
        eprintln!("using wasm-opt {version} from PATH");
        return Ok(PathBuf::from("wasm-opt"));
    }
    step(&format!(
        "installing {BINARYEN_NPM} into target/tools (no suitable wasm-opt found)"
    ));
    fs::create_dir_all(&tools).map_err(|e| format!("{}: {e}", tools.display()))?;
    util::run(
        Command::new("npm")
            .args(["install", "--prefix"])
            .arg(&tools)
            .args(["--no-save", "--no-audit", "--no-fund", BINARYEN_NPM]),
    )
    .map_err(|e| {
        format!("{e}\nwasm-opt >= {MIN_WASM_OPT_VERSION} is needed: install Node.js and npm, or put a binaryen wasm-opt on PATH")
    })?;
    if usable_version(&local).is_none() {
        return Err(format!(
            "{} was installed but does not run or lacks --llvm-memory-copy-fill-lowering",
            local.display()
        ));
    }
    Ok(local)
}

/// The version of `wasm_opt` if it runs, is >= 116 and accepts the lowering pass.
fn usable_version(wasm_opt: &Path) -> Option<u32> {
    let out = Command::new(wasm_opt).arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    // "wasm-opt version 132 (version_132)"
    let text = String::from_utf8_lossy(&out.stdout);
    let version: u32 = text
        .split_whitespace()
        .skip_while(|w| *w != "version")
        .nth(1)?
        .parse()
        .ok()?;
    if version < MIN_WASM_OPT_VERSION {
        return None;
    }
    let help = Command::new(wasm_opt).arg("--help").output().ok()?;
    String::from_utf8_lossy(&help.stdout)
        .contains("--llvm-memory-copy-fill-lowering")
        .then_some(version)
}
