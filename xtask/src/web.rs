//! `cargo xtask web`: the browser dApp in `web/`, built and driven in Chromium.
//!
//! 1. Chromium at `/usr/bin/chromium` (Debian's package; installed with apt-get when
//!    missing and we are root: about 45 s here);
//! 2. the npm package `packages/wasm/pkg` (`npm::build`; the page imports its web build);
//! 3. `npm ci` in `web/` when `node_modules` is missing or older than the lockfile (the
//!    lockfile must not record registry URLs: npm is set up here to omit `resolved`);
//! 4. the validity rollup's proving key for batches of 1 deposit and 1 transaction,
//!    `target/zk-keys/1x1/proving-key.bin` (26 MB, never committed): when it is missing,
//!    or was made for another circuit (its `circuit.txt`, `zk::circuit_fingerprint`, does
//!    not match the circuit's constraint and variable counts), the Groth16 setup runs natively (`zk::write_keys`, what `cargo xtask zk-setup
//!    --deposits 1 --txs 1` does; about 5-15 s): a single-party test setup, not a ceremony;
//! 5. `npm run build` (`web/scripts/prepare.mjs` copies the parity vectors into
//!    `web/public` and the proving key into `web/public/zk/1x1.pk` with its list
//!    `zk/keys.json`, both git-ignored; then it type-checks and bundles with vite into
//!    `web/dist`);
//! 6. `npm run build:node` + `node web/tests/parity-node.mjs`: the page's parity runner
//!    (`src/parity.ts`) bundled for Node checks the vectors with the package's Node build;
//! 7. `node web/tests/e2e.mjs`: serves `web/dist` on loopback, drives the whole flow in
//!    headless Chromium through playwright-core (the optimistic rollup; the validity
//!    rollup with a batch proven in the page's Web Worker, printing the proving time) and
//!    the parity page, saves `target/web/flow.png`, `validity.png` and `parity.png`, and
//!    ends with `N passed, M failed`.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use settle_core::validity::ledger::Shape;

use crate::util::{self, root, run as run_cmd, step};

/// The browser the end-to-end test drives (Debian's `chromium`).
const CHROMIUM: &str = "/usr/bin/chromium";

/// The circuit shape of the proving key the page proves with (`web/public/zk/1x1.pk`).
const WEB_ZK_SHAPE: Shape = Shape {
    deposits: 1,
    txs: 1,
};

/// `cargo xtask web`: builds the npm package, then [`test`].
pub fn run() -> Result<(), String> {
    crate::npm::build()?;
    test()
}

/// Everything but the package build (`cargo xtask test` has just built it).
pub fn test() -> Result<(), String> {
    let root = root();
    let web = root.join("web");
    let mut timings: Vec<(&str, f64)> = Vec::new();

    let started = Instant::now();
    let installed = ensure_chromium()?;
    timings.push((
        if installed {
            "apt-get install chromium"
        } else {
            "chromium check"
        },
        started.elapsed().as_secs_f64(),
    ));

    check_lockfile(&web.join("package-lock.json"))?;
    if needs_install(&web) {
        step("npm ci in web/");
        let started = Instant::now();
        run_cmd(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&web),
        )?;
        timings.push(("npm ci", started.elapsed().as_secs_f64()));
    }

    let keys = crate::zk::default_dir(WEB_ZK_SHAPE);
    if !crate::zk::keys_current(WEB_ZK_SHAPE, &keys)? {
        let started = Instant::now();
        crate::zk::write_keys(WEB_ZK_SHAPE, &keys, None)?;
        timings.push(("zk-setup 1x1", started.elapsed().as_secs_f64()));
    }

    step("npm run build in web/ (vite: web/dist)");
    let started = Instant::now();
    run_cmd(Command::new("npm").args(["run", "build"]).current_dir(&web))?;
    timings.push(("npm run build", started.elapsed().as_secs_f64()));

    step("parity vectors under Node with the page's runner (web/tests/parity-node.mjs)");
    let started = Instant::now();
    run_cmd(
        Command::new("npm")
            .args(["run", "build:node"])
            .current_dir(&web),
    )?;
    run_cmd(Command::new("node").arg("web/tests/parity-node.mjs"))?;
    timings.push(("parity under Node", started.elapsed().as_secs_f64()));

    step("node web/tests/e2e.mjs (the dApp and the parity vectors in headless Chromium)");
    let started = Instant::now();
    let e2e = run_cmd(Command::new("node").arg("web/tests/e2e.mjs"));
    timings.push(("e2e", started.elapsed().as_secs_f64()));

    let summary: Vec<String> = timings
        .iter()
        .map(|(what, s)| format!("{what} {s:.1} s"))
        .collect();
    eprintln!("\nweb timings: {}", summary.join(", "));
    e2e
}

/// Makes sure Chromium is installed; returns whether it had to be installed.
fn ensure_chromium() -> Result<bool, String> {
    if Path::new(CHROMIUM).exists() {
        print_version();
        return Ok(false);
    }
    if !util::is_root() {
        return Err(format!(
            "{CHROMIUM} is missing: install Debian's chromium (`sudo apt-get install -y chromium`)"
        ));
    }
    step("apt-get install chromium (missing; about 45 s)");
    run_cmd(Command::new("apt-get").args(["update", "-qq"]))?;
    run_cmd(
        Command::new("apt-get")
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y", "-qq", "chromium"]),
    )?;
    if !Path::new(CHROMIUM).exists() {
        return Err(format!(
            "apt-get installed chromium but {CHROMIUM} is missing"
        ));
    }
    print_version();
    Ok(true)
}

fn print_version() {
    if let Ok(out) = Command::new(CHROMIUM).arg("--version").output() {
        let version = String::from_utf8_lossy(&out.stdout);
        if !version.trim().is_empty() {
            eprintln!("browser: {}", version.trim());
        }
    }
}

/// The committed lockfile names no registry: npm here omits `resolved`
/// (`omit-lockfile-registry-resolved`), and it must stay that way.
fn check_lockfile(lockfile: &Path) -> Result<(), String> {
    let text = fs::read_to_string(lockfile).map_err(|e| format!("{}: {e}", lockfile.display()))?;
    if text.contains("\"resolved\"") {
        return Err(format!(
            "{} records `resolved` registry URLs: regenerate it with \
             `npm install --omit-lockfile-registry-resolved` in web/",
            lockfile.display()
        ));
    }
    Ok(())
}

/// `npm ci` is needed when `node_modules` is missing or older than the lockfile.
fn needs_install(web: &Path) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(&web.join("node_modules/.package-lock.json")),
        modified(&web.join("package-lock.json")),
    ) {
        (Some(installed), Some(locked)) => installed < locked,
        (None, _) => true,
        (Some(_), None) => false,
    }
}
