//! `cargo xtask schema`: runs each contract's `write_api!` binary and keeps its output in
//! schema/<contract>/, then generates the TypeScript clients from it into clients/src
//! (@cosmwasm/ts-codegen, `clients/codegen.mjs`) and type-checks them (`tsc --noEmit`).
//! With `--check`, fails when the committed schemas or clients differ from what the
//! contracts' types generate.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::util::{self, cargo_bin, root};

/// Contracts with a schema binary.
pub const CONTRACTS: &[&str] = &["optimistic-rollup", "payment-channels", "validity-rollup"];

pub fn run_for(contract: &str, check: bool) -> Result<(), String> {
    let root = root();
    let scratch = root.join("target/schema-gen").join(contract);
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    util::run(
        Command::new(cargo_bin())
            .args([
                "run",
                "--quiet",
                "--locked",
                "--package",
                contract,
                "--bin",
                "schema",
                "--features",
                "schema",
            ])
            .env("CARGO_TARGET_DIR", root.join("target"))
            .current_dir(&scratch),
    )?;
    let generated = scratch.join("schema");
    let committed = root.join("schema").join(contract);
    if check {
        let diff = differences(&generated, &committed)?;
        if !diff.is_empty() {
            return Err(format!(
                "schema/{contract} is out of date ({}): run `cargo xtask schema` and commit",
                diff.join(", ")
            ));
        }
        eprintln!("schema/{contract} is up to date");
    } else {
        let _ = fs::remove_dir_all(&committed);
        copy_dir(&generated, &committed)?;
        eprintln!("wrote schema/{contract}");
    }
    Ok(())
}

pub fn run(check: bool) -> Result<(), String> {
    for c in CONTRACTS {
        run_for(c, check)?;
    }
    clients(check)
}

/// The clients generated from schema/ (into clients/src, or a scratch folder compared
/// with it under `--check`), then type-checked.
fn clients(check: bool) -> Result<(), String> {
    let root = root();
    let dir = root.join("clients");
    util::ensure_node()?;
    if !dir.join("node_modules").exists() {
        util::step("npm ci in clients (@cosmwasm/ts-codegen, typescript, @cosmjs)");
        util::run(
            Command::new("npm")
                .args(["ci", "--silent", "--no-audit", "--no-fund"])
                .current_dir(&dir),
        )?;
    }
    let committed = dir.join("src");
    let out = if check {
        root.join("target/clients-gen")
    } else {
        committed.clone()
    };
    util::run(
        Command::new("node")
            .arg("codegen.mjs")
            .arg(&out)
            .current_dir(&dir),
    )?;
    if check {
        let diff = differences(&out, &committed)?;
        if !diff.is_empty() {
            return Err(format!(
                "clients/src is out of date ({}): run `cargo xtask schema` and commit",
                diff.join(", ")
            ));
        }
        eprintln!("clients/src is up to date");
    } else {
        eprintln!("wrote clients/src");
    }
    util::run(
        Command::new("npx")
            .args(["--no-install", "tsc", "--noEmit", "-p", "."])
            .current_dir(&dir),
    )?;
    eprintln!("clients/src type-checks");
    Ok(())
}

fn files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let p = entry.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("inside").display().to_string();
                out.push((rel, fs::read(&p).map_err(|e| e.to_string())?));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn differences(a: &Path, b: &Path) -> Result<Vec<String>, String> {
    let (fa, fb) = (files(a)?, files(b)?);
    let mut diff = Vec::new();
    for (name, content) in &fa {
        match fb.iter().find(|(n, _)| n == name) {
            None => diff.push(format!("{name} missing")),
            Some((_, c)) if c != content => diff.push(format!("{name} changed")),
            _ => {}
        }
    }
    for (name, _) in &fb {
        if !fa.iter().any(|(n, _)| n == name) {
            diff.push(format!("{name} is stale"));
        }
    }
    Ok(diff)
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    for (rel, content) in files(from)? {
        let dest = to.join(&rel);
        fs::create_dir_all(dest.parent().expect("file in a dir")).map_err(|e| e.to_string())?;
        fs::write(&dest, content).map_err(|e| e.to_string())?;
    }
    Ok(())
}
