use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (xtask's manifest is one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

pub fn step(what: &str) {
    eprintln!("\n==> {what}");
}

/// Runs a command in the workspace root; an unsuccessful exit is an error.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .current_dir_if_unset(root())
        .status()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed with {status}"))
    }
}

/// `cargo <args>` with the cargo that runs xtask.
pub fn cargo(args: &[&str]) -> Result<(), String> {
    run(Command::new(cargo_bin()).args(args))
}

pub fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

trait CurrentDir {
    fn current_dir_if_unset(&mut self, dir: PathBuf) -> &mut Self;
}

impl CurrentDir for Command {
    fn current_dir_if_unset(&mut self, dir: PathBuf) -> &mut Self {
        if self.get_current_dir().is_none() {
            self.current_dir(dir);
        }
        self
    }
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, relative to the root, or `target/`).
pub fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Size of a file in bytes.
pub fn file_size(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `cargo build --release --lib --target wasm32-unknown-unknown -p <package>`; returns the
/// built `.wasm` (release profile of the workspace, before any wasm-opt).
pub fn build_wasm_lib(root: &Path, package: &str) -> Result<PathBuf, String> {
    step(&format!("cargo build --release (wasm32) -p {package}"));
    run(Command::new(cargo_bin()).args([
        "build",
        "--release",
        "--locked",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        package,
    ]))?;
    Ok(target_dir(root)
        .join("wasm32-unknown-unknown/release")
        .join(format!("{}.wasm", package.replace('-', "_"))))
}
