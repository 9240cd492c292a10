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

/// The target every contract and the browser package are built for.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Installs the wasm32 target with `rustup target add` when the active toolchain lacks it.
///
/// `rust-toolchain.toml` lists the target, but rustup installs what it lists only when
/// auto-install is on; machines with `RUSTUP_AUTO_INSTALL=0` (and rustup versions that
/// install a toolchain's extra targets lazily) start without it, and the first wasm32 build
/// then fails with E0463 ("can't find crate for `core`"). Without rustup (a distribution's
/// rustc) the target's standard library must come from elsewhere: the error says so.
pub fn ensure_wasm_target() -> Result<(), String> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if sysroot.join("lib/rustlib").join(WASM_TARGET).exists() {
        return Ok(());
    }
    step(&format!("rustup target add {WASM_TARGET} (missing)"));
    run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
        .map_err(|e| format!("{e}
the {WASM_TARGET} target is missing and rustup could not add it: install it for the toolchain in rust-toolchain.toml"))?;
    if sysroot.join("lib/rustlib").join(WASM_TARGET).exists() {
        Ok(())
    } else {
        Err(format!(
            "rustup added {WASM_TARGET}, but {} still lacks it: is rustup managing a toolchain other than the one rustc runs?",
            sysroot.display()
        ))
    }
}

/// Installs Node.js and npm with apt-get (Debian's packages) when `node` is not on PATH; as
/// root only, otherwise the error says what to install.
pub fn ensure_node() -> Result<(), String> {
    let found = |cmd: &str| {
        Command::new(cmd)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if found("node") && found("npm") {
        return Ok(());
    }
    if !is_root() {
        return Err("node and npm are missing: install Node.js 20 or later with npm".into());
    }
    step("apt-get install nodejs npm (missing)");
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .args(["install", "-y", "-qq", "nodejs", "npm"]))?;
    if found("node") && found("npm") {
        Ok(())
    } else {
        Err("apt-get installed nodejs and npm but `node --version` still fails".into())
    }
}

/// Whether this process runs as root (may use apt-get).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Builds `package`'s library as a wasm32 `cdylib` with the workspace release profile:
/// `cargo rustc --release --lib --target wasm32-unknown-unknown -p <package> --crate-type cdylib`;
/// returns the built `.wasm` (before any wasm-opt).
///
/// The packages' manifests declare only an `rlib`: a `cdylib` in `[lib] crate-type` makes
/// cargo write the library under a name without its hash (`libpayment_channels.rlib`), so
/// two builds of it with different features or dependencies (the workspace's tests, a
/// single package's run) overwrite each other, and a crate compiled against one copy then
/// finds the other (E0460, "found possibly newer version of crate"). Asking for the
/// `cdylib` here, for the wasm32 build only, keeps every native output hashed.
pub fn build_wasm_lib(root: &Path, package: &str) -> Result<PathBuf, String> {
    ensure_wasm_target()?;
    step(&format!(
        "cargo rustc --release (wasm32 cdylib) -p {package}"
    ));
    run(Command::new(cargo_bin()).args([
        "rustc",
        "--release",
        "--locked",
        "--lib",
        "--target",
        WASM_TARGET,
        "-p",
        package,
        "--crate-type",
        "cdylib",
    ]))?;
    Ok(target_dir(root)
        .join(WASM_TARGET)
        .join("release")
        .join(format!("{}.wasm", package.replace('-', "_"))))
}
