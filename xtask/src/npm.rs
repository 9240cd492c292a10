//! `cargo xtask npm`: the npm package `@settle/wasm` in `packages/wasm/pkg/`.
//!
//! 1. the wasm-bindgen CLI of exactly the version `Cargo.lock` pins for the `wasm-bindgen`
//!    crate (the two must match): the one on PATH or in `$CARGO_HOME/bin`, else
//!    `cargo install wasm-bindgen-cli --version <it>` (without `--locked`, see
//!    ../shared/TOOLCHAIN.md; about 3.5 min cold);
//! 2. `cargo build --release --locked --lib --target wasm32-unknown-unknown -p settle-wasm`;
//! 3. `wasm-bindgen --target web|nodejs|bundler` into `pkg/web`, `pkg/node`, `pkg/bundler`;
//! 4. binaryen's `wasm-opt -Os` on the `.wasm` (the finder and `--enable` flags of
//!    `dist.rs`; no bulk-memory lowering, browsers and Node run it), skipped with a warning
//!    when no wasm-opt can be had;
//! 5. `pkg/package.json` (conditional `exports`: Node gets the CommonJS `node` build, every
//!    other importer the ES-module `web` build; explicit `./web`, `./node`, `./bundler`),
//!    `pkg/node/package.json` (`"type": "commonjs"`, with the `inline_js` snippets under
//!    `pkg/node/snippets/` rewritten as CommonJS), and `pkg/README.md` (a copy of
//!    `packages/wasm/README.md`).
//!
//! `npm::test` runs the `#[wasm_bindgen_test]` suite under Node with
//! `wasm-bindgen-test-runner`, then `node --test packages/wasm/tests-js/` on the built package.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::dist;
use crate::util::{self, cargo_bin, file_size, root, step};

/// The crate behind the package.
const CRATE: &str = "settle-wasm";
/// The package's name on npm.
const NPM_NAME: &str = "@settle/wasm";
/// Where the package is written, relative to the workspace root (git-ignored).
pub const PKG_DIR: &str = "packages/wasm/pkg";
/// The module file names wasm-bindgen writes (from the crate's lib name).
const MODULE: &str = "settle_wasm";
/// `(wasm-bindgen --target, directory in pkg/)`.
const TARGETS: &[(&str, &str)] = &[("web", "web"), ("nodejs", "node"), ("bundler", "bundler")];

/// The `--enable` flags of `dist.rs` (the features rustc 1.95 emits), then size
/// optimization; unlike a contract, the package keeps bulk memory.
const WASM_OPT_FLAGS: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-multivalue",
    "--enable-reference-types",
    "-Os",
    "--strip-debug",
    "--strip-producers",
];

/// Builds the npm package.
pub fn build() -> Result<(), String> {
    let started = Instant::now();
    let root = root();
    let cli = wasm_bindgen_cli(&root)?;

    let built = util::build_wasm_lib(&root, CRATE)?;
    let rustc_size = file_size(&built)?;

    let pkg = root.join(PKG_DIR);
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    }
    let wasm_opt = dist::find_wasm_opt(&root)
        .map_err(|e| {
            eprintln!("warning: no wasm-opt ({e}); the .wasm stays as wasm-bindgen wrote it")
        })
        .ok();
    // wasm-bindgen writes the same .wasm for every target: optimize it once.
    let mut optimized: Option<(Vec<u8>, PathBuf)> = None;
    let mut sizes = Vec::new();
    for (target, dir) in TARGETS {
        step(&format!(
            "wasm-bindgen --target {target} -> {PKG_DIR}/{dir}"
        ));
        let out_dir = pkg.join(dir);
        util::run(
            Command::new(&cli)
                .args(["--target", target, "--out-dir"])
                .arg(&out_dir)
                .arg(&built),
        )?;
        let wasm = out_dir.join(format!("{MODULE}_bg.wasm"));
        let bindgen_size = file_size(&wasm)?;
        if let Some(wasm_opt) = &wasm_opt {
            let original = read(&wasm)?;
            match &optimized {
                Some((bytes, done)) if *bytes == original => copy(done, &wasm)?,
                _ => {
                    step(&format!("wasm-opt -Os {PKG_DIR}/{dir}/{MODULE}_bg.wasm"));
                    util::run(
                        Command::new(wasm_opt)
                            .args(WASM_OPT_FLAGS)
                            .arg(&wasm)
                            .arg("-o")
                            .arg(&wasm),
                    )?;
                    optimized = Some((original, wasm.clone()));
                }
            }
        }
        sizes.push((dir, bindgen_size, file_size(&wasm)?));
    }

    let version = locked_version(&root, CRATE)?;
    write(&pkg.join("package.json"), &package_json(&version))?;
    write(
        &pkg.join("node/package.json"),
        "{\n  \"type\": \"commonjs\"\n}\n",
    )?;
    commonjs_snippets(&pkg.join("node/snippets"))?;
    copy(
        &root.join("packages/wasm/README.md"),
        &pkg.join("README.md"),
    )?;

    eprintln!();
    println!("{MODULE}.wasm from rustc: {rustc_size} bytes");
    for (dir, bindgen, last) in sizes {
        println!(
            "{PKG_DIR}/{dir}/{MODULE}_bg.wasm: {last} bytes ({bindgen} from wasm-bindgen{})",
            if wasm_opt.is_some() {
                ", then wasm-opt -Os"
            } else {
                ""
            }
        );
    }
    println!(
        "{PKG_DIR}: {NPM_NAME}@{version} written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The `#[wasm_bindgen_test]` suite under Node, then the Node tests of the built package
/// (`cargo xtask npm` first).
pub fn test() -> Result<(), String> {
    let root = root();
    let cli = wasm_bindgen_cli(&root)?;
    util::ensure_wasm_target()?;
    step(&format!(
        "wasm-bindgen-test under Node: cargo test -p {CRATE} --target wasm32-unknown-unknown"
    ));
    util::run(
        Command::new(cargo_bin())
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                cli.with_file_name("wasm-bindgen-test-runner"),
            )
            .args([
                "test",
                "--locked",
                "-p",
                CRATE,
                "--target",
                "wasm32-unknown-unknown",
            ]),
    )?;
    if !root.join(PKG_DIR).join("node/package.json").exists() {
        return Err(format!(
            "{PKG_DIR} is missing or incomplete: run `cargo xtask npm` first"
        ));
    }
    // The Node tests cross-check against @openzeppelin/merkle-tree from tests/interop.
    let interop = root.join("tests/interop");
    if !interop.join("node_modules").exists() {
        step("npm ci in tests/interop (@openzeppelin/merkle-tree)");
        util::run(
            Command::new("npm")
                .args(["ci", "--silent", "--no-audit", "--no-fund"])
                .current_dir(&interop),
        )?;
    }
    step("node --test packages/wasm/tests-js/");
    util::run(Command::new("node").args(["--test", "packages/wasm/tests-js/"]))
}

/// package.json: Node (`require` and `import`) gets the CommonJS `node` build, which
/// loads its .wasm synchronously; browsers, bundlers and other ES-module importers get
/// the `web` build (call its default export `init()` once; bundlers resolve its
/// `new URL("settle_wasm_bg.wasm", import.meta.url)` as an asset). `./bundler` is the
/// build for bundlers with ES-module WebAssembly integration (webpack's
/// `asyncWebAssembly`, vite-plugin-wasm).
fn package_json(version: &str) -> String {
    let entry = |dir: &str| {
        format!("{{ \"types\": \"./{dir}/{MODULE}.d.ts\", \"default\": \"./{dir}/{MODULE}.js\" }}")
    };
    format!(
        r#"{{
  "name": "{NPM_NAME}",
  "version": "{version}",
  "description": "settle-core for browsers and Node: L2 keys and transactions, batches, Merkle and OpenZeppelin proofs, withdrawal proofs, fraud-proof moves, channel states, validity-rollup batches with their Groth16 proofs (Jubjub keys, a wasm prover, snarkjs conversion) and the contracts' messages, made by the same Rust core as the contracts.",
  "license": "Apache-2.0",
  "type": "module",
  "main": "./node/{MODULE}.js",
  "module": "./web/{MODULE}.js",
  "types": "./web/{MODULE}.d.ts",
  "exports": {{
    ".": {{
      "node": {node},
      "browser": {web},
      "import": {web},
      "default": {web}
    }},
    "./web": {web},
    "./node": {node},
    "./bundler": {bundler},
    "./web/{MODULE}_bg.wasm": "./web/{MODULE}_bg.wasm",
    "./package.json": "./package.json"
  }},
  "peerDependencies": {{ "@settle/clients": "*" }},
  "peerDependenciesMeta": {{ "@settle/clients": {{ "optional": true }} }},
  "files": ["web/", "node/", "bundler/", "README.md"],
  "sideEffects": ["./bundler/{MODULE}.js", "./*/snippets/*"],
  "keywords": ["cosmwasm", "rollup", "merkle", "wasm"]
}}
"#,
        node = entry("node"),
        web = entry("web"),
        bundler = entry("bundler"),
    )
}

/// wasm-bindgen writes the crate's `inline_js` snippets as ES modules for every target, and
/// its `nodejs` glue `require()`s them: that needs Node's require(esm) (20.19 or later),
/// and fails under `pkg/node/package.json`'s `"type": "commonjs"`. Our snippets are plain
/// `export function` declarations; rewrite them as CommonJS so the `node` build loads in
/// any Node. Any other `import`/`export` form stops the build instead of being guessed at.
fn commonjs_snippets(dir: &Path) -> Result<(), String> {
    if !dir.exists() {
        return Ok(());
    }
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let path = entry.map_err(|e| format!("{}: {e}", d.display()))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "js") {
                files.push(path);
            }
        }
    }
    for file in files {
        let source = String::from_utf8(read(&file)?)
            .map_err(|e| format!("{}: not UTF-8 ({e})", file.display()))?;
        let mut names = Vec::new();
        let mut out = String::from("'use strict';\n");
        for line in source.lines() {
            if let Some(rest) = line.strip_prefix("export function ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                    .collect();
                names.push(name);
                out.push_str(&line["export ".len()..]);
            } else if line.trim_start().starts_with("export ")
                || line.trim_start().starts_with("import ")
            {
                return Err(format!(
                    "{}: only `export function` snippets can be made CommonJS, found {line:?}",
                    file.display()
                ));
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        out.push_str(&format!("module.exports = {{ {} }};\n", names.join(", ")));
        write(&file, &out)?;
    }
    Ok(())
}

/// The wasm-bindgen CLI whose version equals the `wasm-bindgen` crate's in Cargo.lock,
/// installed with cargo if there is none.
fn wasm_bindgen_cli(root: &Path) -> Result<PathBuf, String> {
    let version = locked_version(root, "wasm-bindgen")?;
    let installed = cargo_home_bin().join("wasm-bindgen");
    for candidate in [PathBuf::from("wasm-bindgen"), installed.clone()] {
        if cli_version(&candidate).as_deref() == Some(version.as_str()) {
            return Ok(candidate);
        }
    }
    step(&format!(
        "cargo install wasm-bindgen-cli --version {version} (none of that version found; ~3.5 min)"
    ));
    let started = Instant::now();
    util::run(Command::new(cargo_bin()).args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &version,
    ]))?;
    eprintln!(
        "wasm-bindgen-cli {version} installed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    match cli_version(&installed) {
        Some(v) if v == version => Ok(installed),
        other => Err(format!(
            "{} reports version {other:?} after installing {version}",
            installed.display()
        )),
    }
}

/// `x.y.z` from `wasm-bindgen --version` ("wasm-bindgen 0.2.130").
fn cli_version(cli: &Path) -> Option<String> {
    let out = Command::new(cli).arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .map(str::to_string)
}

/// Where `cargo install` puts binaries.
fn cargo_home_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
}

/// The version Cargo.lock records for the package `name` (the first entry of that name).
fn locked_version(root: &Path, name: &str) -> Result<String, String> {
    let path = root.join("Cargo.lock");
    let lock = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let marker = format!("name = \"{name}\"\nversion = \"");
    let start = lock
        .find(&marker)
        .map(|i| i + marker.len())
        .ok_or_else(|| format!("{name} is not in {}", path.display()))?;
    let len = lock[start..]
        .find('"')
        .ok_or_else(|| format!("malformed {}", path.display()))?;
    Ok(lock[start..start + len].to_string())
}

/// Cargo's target directory (`CARGO_TARGET_DIR` if set, else `<root>/target`), as dist.rs.
fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("{} -> {}: {e}", from.display(), to.display()))
}
