//! `cargo xtask localnet [--validators N] [--home DIR] [--smoke]`: a wasmd network on loopback.
//!
//! The node is wasmd [`WASMD_VERSION`], built by the project from Go modules only (the Go
//! module in `chain/`, see `chain/README.md`) and cached in
//! `target/chain/wasmd-<version>/` beside its `libwasmvm` shared library, so a warm run does
//! not rebuild. [`Network`] is the reusable part: it initialises a fresh home (one CometBFT
//! node per validator, free loopback ports, fast blocks, a test keyring with the funded
//! [`TEST_ACCOUNTS`]), starts the nodes, waits for blocks and stops them again when dropped
//! (SIGTERM, then SIGKILL after a grace period), so a test or a tool that starts a network
//! leaves no process behind even when it fails half-way.
//!
//! The task itself starts a network, prints its endpoints and accounts and runs until
//! Ctrl-C. With `--smoke` it instead stores every optimized artifact of `artifacts/`
//! (gzipped), instantiates each with a valid message, queries it, prints the gas each
//! transaction used and stops.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nix::sys::signal::{SigSet, Signal};
use nix::unistd::Pid;
use serde_json::Value;
use sha2::{Digest, Sha256};

use settle_client::Client;

use crate::util::{self, root, step};

/// The wasmd release the project builds (the newest of the line that runs cosmwasm-std 3
/// contracts: wasmvm 3, Cosmos SDK 0.53, CometBFT 0.38). Must match `chain/go.mod`.
pub const WASMD_VERSION: &str = "v0.61.14";

/// The Go toolchain wasmd is built with, fetched from the Go module proxy by any Go >= 1.21
/// (`GOTOOLCHAIN`). Go 1.26 cannot build wasmd v0.61.14: its bytedance/sonic v1.14.2 only
/// compiles up to Go 1.25 ("undefined: GoMapIterator").
pub const GO_TOOLCHAIN: &str = "go1.25.14";

/// The package built (wasmd's own `main`), named as a `tool` in `chain/go.mod`.
const WASMD_PACKAGE: &str = "github.com/CosmWasm/wasmd/cmd/wasmd";

/// wasmd's module and where it lists the capabilities it offers contracts.
const WASMD_MODULE: &str = "github.com/CosmWasm/wasmd";
const CAPABILITIES_GO: &str = "x/wasm/keeper/capabilities.go";

/// What wasmd v0.61.14 offers contracts: its `BuiltInCapabilities()`. No `cosmwasm_3_0`
/// (cosmwasm-vm's test defaults have it). `cargo xtask dist` refuses an artifact requiring
/// anything else; [`Wasmd::ensure`] checks this list against the source it builds.
pub const WASMD_CAPABILITIES: &[&str] = &[
    "iterator",
    "staking",
    "stargate",
    "cosmwasm_1_1",
    "cosmwasm_1_2",
    "cosmwasm_1_3",
    "cosmwasm_1_4",
    "cosmwasm_2_0",
    "cosmwasm_2_1",
    "cosmwasm_2_2",
    "ibc2",
];

/// An error when the artifact `name` requires a capability wasmd does not offer.
pub fn check_capabilities(name: &str, wasm: &[u8]) -> Result<(), String> {
    let required = required_capabilities(wasm)?;
    let missing: Vec<&String> = required
        .iter()
        .filter(|c| !WASMD_CAPABILITIES.contains(&c.as_str()))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name} requires {missing:?}, which wasmd {WASMD_VERSION} does not offer (it offers {}): \
             drop the cosmwasm-std feature that asks for it",
            WASMD_CAPABILITIES.join(", ")
        ))
    }
}

/// The node's capabilities, one a line, written beside the cached binary.
const CAPABILITIES_FILE: &str = "capabilities.txt";

/// The Go module that ships `libwasmvm.<arch>.so` in `internal/api`.
const WASMVM_MODULE: &str = "github.com/CosmWasm/wasmvm/v3";

/// Build flags, as wasmd's Makefile sets them (without the `ledger` tag, which needs
/// hidapi): `-checklinkname=0` lets bytedance/sonic link, the `-X`s name the binary, and
/// `$ORIGIN` in the rpath finds the copied `libwasmvm` beside the cached binary.
const GO_BUILD_FLAGS: &[&str] = &[
    "-buildvcs=false",
    "-trimpath",
    "-tags",
    "netgo",
    "-ldflags",
    "-checklinkname=0 \
     -X github.com/cosmos/cosmos-sdk/version.Name=wasm \
     -X github.com/cosmos/cosmos-sdk/version.AppName=wasmd \
     -X github.com/cosmos/cosmos-sdk/version.Version=v0.61.14 \
     -extldflags=-Wl,-rpath,$ORIGIN",
];

/// The chain id of every local network.
pub const CHAIN_ID: &str = "settle-local";

/// The staking and fee denomination.
pub const DENOM: &str = "stake";

/// Every node's `minimum-gas-prices`; transactions pay fees like on a public chain.
pub const GAS_PRICE: &str = "0.025stake";

/// CometBFT's pause after a commit (wasmd init writes 5 s): fast blocks for tests.
pub const TIMEOUT_COMMIT: &str = "300ms";

/// Each test account's genesis balance.
const ACCOUNT_FUNDS: &str = "1000000000000000stake";

/// Each validator operator's genesis balance and self-delegation.
const VALIDATOR_FUNDS: &str = "1000000000000stake";
const SELF_BOND: &str = "100000000stake";

/// Funded test accounts (name, mnemonic), in the test keyring of every network's client
/// home (made with `wasmd keys mnemonic`). Test keys only: never fund them anywhere else.
pub const TEST_ACCOUNTS: [(&str, &str); 8] = [
    ("alice", "zone loyal renew stereo girl pupil banner claim hello brother loan jelly monster stool arrive soap call gather silk coach they fancy bleak tent"),
    ("bob", "veteran portion bulk infant salon witness record patrol hope right repair convince coach safe animal muffin sweet easily claw coach door audit muscle antique"),
    ("carol", "cotton giraffe vague multiply worth decade switch depth fork acquire over grief strong pluck inquiry negative alpha sudden carry credit stock yellow sister all"),
    ("dave", "penalty lift hurt amateur blur cupboard crawl ivory vicious rude squeeze minor quote cheese asset bike level style proof suffer glide toward drill dance"),
    ("erin", "jungle mix much renew artwork ordinary grain sand kangaroo great innocent fame people chunk salad win walnut use oxygen fuel era neutral release rose"),
    ("frank", "rabbit egg nothing unknown volcano bleak key engage panel whale wire slice horn wire exercise guitar wisdom shrimp panda frown friend pulse parent rubber"),
    ("grace", "shallow silent enact doll tragic crane icon panic skate regular exhibit year wife pear ranch hammer mesh wing erosion pride pumpkin glove margin major"),
    ("heidi", "mechanic patrol end begin renew chunk view chase oak garden below famous solution success cigar regret service aerobic soup hole isolate sheriff manual baby"),
];

/// `cargo xtask localnet [--validators N] [--home DIR] [--smoke]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut options = Options::default();
    let mut smoke = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--validators" => {
                let n = args.next().ok_or("--validators needs a number")?;
                options.validators = n
                    .parse()
                    .ok()
                    .filter(|n| (1..=16).contains(n))
                    .ok_or(format!("--validators {n}: expected 1 to 16"))?;
            }
            "--home" => {
                let dir = args.next().ok_or("--home needs a directory")?;
                options.home = Some(PathBuf::from(dir));
            }
            "--smoke" => smoke = true,
            other => return Err(format!("localnet: unknown argument {other:?}")),
        }
    }
    // Before any thread or child exists: Ctrl-C and SIGTERM are taken by a waiting thread
    // (children get an empty signal mask from std's spawn).
    let stop = catch_stop_signals()?;
    let wasmd = Wasmd::ensure()?;
    step(&format!(
        "localnet: {} validator(s), wasmd {WASMD_VERSION}",
        options.validators
    ));
    let mut net = Network::init(wasmd, &options)?;
    net.start()?;
    net.print_summary()?;
    net.print_block_producers()?;
    if smoke {
        return run_smoke(&mut net);
    }
    println!("\nrunning; Ctrl-C stops every node");
    loop {
        match stop.recv_timeout(Duration::from_secs(1)) {
            Ok(signal) => {
                eprintln!("\n{signal}: stopping {} node(s)", net.nodes.len());
                break;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => net.check_running()?,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let home = net.home.clone();
    let kept = !net.remove_home;
    drop(net);
    if kept {
        eprintln!("stopped; home kept in {}", home.display());
    } else {
        eprintln!("stopped; home removed");
    }
    Ok(())
}

/// Set when SIGINT or SIGTERM arrived (loops that wait check it).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Blocks SIGINT and SIGTERM in the calling thread (call it first, from `main`'s thread,
/// so every later thread inherits the mask) and starts a thread that waits for them; the
/// receiver gets one message per signal and [`interrupted`] turns true.
pub fn catch_stop_signals() -> Result<mpsc::Receiver<Signal>, String> {
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    set.thread_block()
        .map_err(|e| format!("cannot block SIGINT/SIGTERM: {e}"))?;
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        while let Ok(signal) = set.wait() {
            INTERRUPTED.store(true, Ordering::SeqCst);
            if tx.send(signal).is_err() {
                break;
            }
        }
    });
    Ok(rx)
}

/// Whether a stop signal arrived (see [`catch_stop_signals`]).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The wasmd binary cached under `target/chain/wasmd-<version>/`, with its `libwasmvm`.
#[derive(Debug, Clone)]
pub struct Wasmd {
    pub bin: PathBuf,
    pub lib_dir: PathBuf,
}

impl Wasmd {
    /// The cached node, built first when it is missing or was built from another `chain/`
    /// (a stamp of go.mod, go.sum, the toolchain and the flags).
    pub fn ensure() -> Result<Wasmd, String> {
        let root = root();
        let dir = util::target_dir(&root)
            .join("chain")
            .join(format!("wasmd-{WASMD_VERSION}"));
        let wasmd = Wasmd {
            bin: dir.join("wasmd"),
            lib_dir: dir.clone(),
        };
        let stamp = build_stamp(&root)?;
        let stamp_file = dir.join("build-stamp.txt");
        let cached = fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp);
        let complete = wasmd.bin.exists() && dir.join(CAPABILITIES_FILE).exists();
        if !(cached && complete && wasmd.version().is_ok()) {
            build(&root, &dir)?;
            fs::write(&stamp_file, &stamp).map_err(|e| format!("{}: {e}", stamp_file.display()))?;
        }
        let offered = wasmd.capabilities()?;
        if offered != WASMD_CAPABILITIES {
            return Err(format!(
                "wasmd {WASMD_VERSION} offers {offered:?}; WASMD_CAPABILITIES in \
                 xtask/src/localnet.rs says {WASMD_CAPABILITIES:?}: update it"
            ));
        }
        let version = wasmd.version()?;
        if version != WASMD_VERSION.trim_start_matches('v') && version != WASMD_VERSION {
            return Err(format!(
                "{} reports version {version:?}, expected {WASMD_VERSION}",
                wasmd.bin.display()
            ));
        }
        Ok(wasmd)
    }

    /// `wasmd` with `LD_LIBRARY_PATH` leading to the cached `libwasmvm`.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.env("LD_LIBRARY_PATH", self.library_path());
        cmd
    }

    fn library_path(&self) -> std::ffi::OsString {
        let mut path = self.lib_dir.clone().into_os_string();
        if let Some(old) = std::env::var_os("LD_LIBRARY_PATH").filter(|p| !p.is_empty()) {
            path.push(":");
            path.push(old);
        }
        path
    }

    /// Runs `wasmd <args>` (with `stdin` written to it) and returns its stdout; a failure
    /// is an error carrying stderr.
    pub fn output(&self, args: &[&str], stdin: Option<&str>) -> Result<String, String> {
        let mut cmd = self.command();
        cmd.args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = format!("wasmd {}", args.join(" "));
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {shown}: {e}"))?;
        if let (Some(input), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(input.as_bytes())
                .map_err(|e| format!("{shown}: writing stdin: {e}"))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| format!("{shown}: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "{shown} failed with {}:\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// The capabilities this wasmd offers contracts (its `BuiltInCapabilities()`, read from
    /// its source at build time): a contract requiring another is refused at upload.
    pub fn capabilities(&self) -> Result<Vec<String>, String> {
        let file = self.lib_dir.join(CAPABILITIES_FILE);
        let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        Ok(text.lines().map(str::to_string).collect())
    }

    /// `wasmd version`.
    pub fn version(&self) -> Result<String, String> {
        // The Cosmos SDK prints the version on stdout or stderr depending on its release.
        let out = self
            .command()
            .arg("version")
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.bin.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} version failed: {}",
                self.bin.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        Ok(text.trim().to_string())
    }
}

/// A digest of what the cached binary was built from.
fn build_stamp(root: &Path) -> Result<String, String> {
    let mut hasher = Sha256::new();
    for file in ["go.mod", "go.sum"] {
        let path = root.join("chain").join(file);
        hasher.update(fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    hasher.update(GO_TOOLCHAIN);
    for flag in GO_BUILD_FLAGS {
        hasher.update(flag);
    }
    Ok(format!(
        "wasmd {WASMD_VERSION} {GO_TOOLCHAIN} {}\n",
        hex::encode(hasher.finalize())
    ))
}

/// `go` in `chain/` with the pinned toolchain, cgo on (wasmvm) and the committed go.sum as
/// the only source of module versions.
fn go(root: &Path) -> Command {
    let mut cmd = Command::new("nice");
    cmd.args(["-n", "10", "go"])
        .current_dir(root.join("chain"))
        .env("GOTOOLCHAIN", GO_TOOLCHAIN)
        .env("CGO_ENABLED", "1")
        .env("GOFLAGS", "-mod=readonly");
    cmd
}

/// The directory of `module` in the module cache (downloaded if missing).
fn module_dir(root: &Path, module: &str) -> Result<PathBuf, String> {
    let out = go(root)
        .args(["list", "-m", "-f", "{{.Dir}}", module])
        .output()
        .map_err(|e| format!("go list -m {module}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "go list -m {module} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// The quoted names in `BuiltInCapabilities()` of wasmd's `capabilities.go`.
fn parse_capabilities(go_source: &str) -> Result<Vec<String>, String> {
    let body = go_source
        .split("func BuiltInCapabilities()")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .ok_or("no BuiltInCapabilities() in wasmd's capabilities.go")?;
    let names: Vec<String> = body
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        return Err("BuiltInCapabilities() lists nothing".into());
    }
    Ok(names)
}

/// Builds wasmd into `dir`, copies `libwasmvm` beside it and writes the capability list.
fn build(root: &Path, dir: &Path) -> Result<(), String> {
    let found = Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        return Err(format!(
            "`go` is not on PATH: wasmd {WASMD_VERSION} is built from Go modules; install Go 1.21 \
             or later (it fetches {GO_TOOLCHAIN} from the Go module proxy) and a C compiler (cgo)"
        ));
    }
    let lib = match std::env::consts::ARCH {
        "x86_64" => "libwasmvm.x86_64.so",
        "aarch64" => "libwasmvm.aarch64.so",
        other => return Err(format!("wasmvm ships no shared library for {other}")),
    };
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    step(&format!(
        "building wasmd {WASMD_VERSION} from Go modules (chain/, {GO_TOOLCHAIN}; cold: about 10 min on 2 cores)"
    ));
    let started = Instant::now();
    let partial = dir.join("wasmd.partial");
    util::run(
        go(root)
            .arg("build")
            .args(GO_BUILD_FLAGS)
            .arg("-o")
            .arg(&partial)
            .arg(WASMD_PACKAGE),
    )?;
    let source = module_dir(root, WASMVM_MODULE)?
        .join("internal/api")
        .join(lib);
    // The module cache's copy is read-only: replace, do not overwrite, an older copy.
    let _ = fs::remove_file(dir.join(lib));
    fs::copy(&source, dir.join(lib)).map_err(|e| format!("{}: {e}", source.display()))?;
    // The capabilities this wasmd offers contracts, from its source (x/wasm/keeper).
    let source = module_dir(root, WASMD_MODULE)?.join(CAPABILITIES_GO);
    let capabilities = parse_capabilities(
        &fs::read_to_string(&source).map_err(|e| format!("{}: {e}", source.display()))?,
    )?;
    let file = dir.join(CAPABILITIES_FILE);
    fs::write(&file, capabilities.join("\n") + "\n")
        .map_err(|e| format!("{}: {e}", file.display()))?;
    fs::rename(&partial, dir.join("wasmd")).map_err(|e| format!("{}: {e}", dir.display()))?;
    eprintln!(
        "built {} in {:.0} s",
        dir.join("wasmd").display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// How a [`Network`] is set up.
#[derive(Debug, Clone)]
pub struct Options {
    /// Validators, one node each, all on this host.
    pub validators: usize,
    /// Where the network's files go; must not exist or be empty, and is kept. `None`: a
    /// fresh directory under `target/localnet/`, removed when the network is dropped.
    pub home: Option<PathBuf>,
    /// CometBFT's `timeout_commit` (block pace).
    pub timeout_commit: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            validators: 1,
            home: None,
            timeout_commit: TIMEOUT_COMMIT.to_string(),
        }
    }
}

/// One validator's node: its home and loopback ports.
#[derive(Debug)]
pub struct Node {
    pub moniker: String,
    pub home: PathBuf,
    /// CometBFT node id (peers dial `<id>@127.0.0.1:<p2p_port>`).
    pub node_id: String,
    /// The validator's operator account (`wasm1...`).
    pub operator: String,
    pub rpc_port: u16,
    pub grpc_port: u16,
    pub api_port: u16,
    pub p2p_port: u16,
    pub abci_port: u16,
    child: Option<Child>,
}

impl Node {
    /// CometBFT RPC (what `wasmd --node` and tendermint-rpc take).
    pub fn rpc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.rpc_port)
    }

    /// Cosmos SDK gRPC.
    pub fn grpc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.grpc_port)
    }

    /// Cosmos SDK REST (LCD) API.
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.api_port)
    }

    /// Whether the node's process runs.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }
}

/// A funded test account.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub mnemonic: String,
    pub address: String,
}

/// A local wasmd network; its nodes stop (and a temporary home goes) when it is dropped.
///
/// The nodes run in their own process group (a terminal's Ctrl-C reaches the owner, which
/// stops them in order) and, where util-linux `setpriv` exists, with a parent-death signal
/// (SIGTERM) so they also stop when the owner is killed outright. That signal follows the
/// THREAD that started a node: start and keep a network on one thread.
#[derive(Debug)]
pub struct Network {
    pub wasmd: Wasmd,
    pub chain_id: String,
    pub home: PathBuf,
    /// Home of the client side: the test keyring holding [`TEST_ACCOUNTS`].
    pub client_home: PathBuf,
    pub nodes: Vec<Node>,
    pub accounts: Vec<Account>,
    remove_home: bool,
}

impl Network {
    /// Writes a fresh network's files (genesis with the funded accounts and every
    /// validator's gentx, configs on free loopback ports); starts nothing.
    pub fn init(wasmd: Wasmd, options: &Options) -> Result<Network, String> {
        let (home, remove_home) = match &options.home {
            Some(dir) => {
                let empty = fs::read_dir(dir).map_or(true, |mut d| d.next().is_none());
                if !empty {
                    return Err(format!(
                        "{} is not empty: a network starts from a fresh home",
                        dir.display()
                    ));
                }
                (std::path::absolute(dir).map_err(|e| e.to_string())?, false)
            }
            None => {
                let nanos = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos());
                let dir = util::target_dir(&root())
                    .join("localnet")
                    .join(format!("{}-{nanos}", std::process::id()));
                (dir, true)
            }
        };
        fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
        let mut net = Network {
            wasmd,
            chain_id: CHAIN_ID.to_string(),
            client_home: home.join("client"),
            home,
            nodes: Vec::new(),
            accounts: Vec::new(),
            remove_home,
        };
        net.write_files(options)?;
        Ok(net)
    }

    fn write_files(&mut self, options: &Options) -> Result<(), String> {
        let n = options.validators;
        let ports = free_ports(5 * n)?;
        let w = self.wasmd.clone();
        for i in 0..n {
            let moniker = format!("node{i}");
            let home = self.home.join(&moniker);
            let h = home.to_str().ok_or("home path is not UTF-8")?;
            w.output(
                &[
                    "init",
                    &moniker,
                    "--chain-id",
                    &self.chain_id,
                    "--default-denom",
                    DENOM,
                    "--home",
                    h,
                ],
                None,
            )?;
            let key = w.output(
                &[
                    "keys",
                    "add",
                    "validator",
                    "--keyring-backend",
                    "test",
                    "--home",
                    h,
                    "--output",
                    "json",
                ],
                None,
            )?;
            let operator = json_field(&key, "address")?;
            let node_id = w
                .output(&["comet", "show-node-id", "--home", h], None)?
                .trim()
                .to_string();
            let p = &ports[5 * i..5 * i + 5];
            self.nodes.push(Node {
                moniker,
                home,
                node_id,
                operator,
                rpc_port: p[0],
                grpc_port: p[1],
                api_port: p[2],
                p2p_port: p[3],
                abci_port: p[4],
                child: None,
            });
        }
        let client = self.client_home.to_str().ok_or("home path is not UTF-8")?;
        for (name, mnemonic) in TEST_ACCOUNTS {
            let key = w.output(
                &[
                    "keys",
                    "add",
                    name,
                    "--recover",
                    "--keyring-backend",
                    "test",
                    "--home",
                    client,
                    "--output",
                    "json",
                ],
                Some(&format!("{mnemonic}\n")),
            )?;
            self.accounts.push(Account {
                name: name.to_string(),
                mnemonic: mnemonic.to_string(),
                address: json_field(&key, "address")?,
            });
        }
        // Genesis: every account on node0, then each validator's gentx against a copy of it.
        let home0 = self.nodes[0]
            .home
            .to_str()
            .ok_or("home path is not UTF-8")?;
        let funded = self
            .nodes
            .iter()
            .map(|node| (node.operator.clone(), VALIDATOR_FUNDS))
            .chain(
                self.accounts
                    .iter()
                    .map(|a| (a.address.clone(), ACCOUNT_FUNDS)),
            );
        for (address, coins) in funded {
            w.output(
                &[
                    "genesis",
                    "add-genesis-account",
                    &address,
                    coins,
                    "--home",
                    home0,
                ],
                None,
            )?;
        }
        let gentxs = self.home.join("gentxs");
        fs::create_dir_all(&gentxs).map_err(|e| format!("{}: {e}", gentxs.display()))?;
        let genesis0 = self.nodes[0].home.join("config/genesis.json");
        for node in &self.nodes {
            let h = node.home.to_str().ok_or("home path is not UTF-8")?;
            let genesis = node.home.join("config/genesis.json");
            if genesis != genesis0 {
                copy(&genesis0, &genesis)?;
            }
            let out = gentxs.join(format!("{}.json", node.moniker));
            w.output(
                &[
                    "genesis",
                    "gentx",
                    "validator",
                    SELF_BOND,
                    "--chain-id",
                    &self.chain_id,
                    "--keyring-backend",
                    "test",
                    "--home",
                    h,
                    "--ip",
                    "127.0.0.1",
                    "--output-document",
                    out.to_str().ok_or("home path is not UTF-8")?,
                ],
                None,
            )?;
        }
        w.output(
            &[
                "genesis",
                "collect-gentxs",
                "--gentx-dir",
                gentxs.to_str().ok_or("home path is not UTF-8")?,
                "--home",
                home0,
            ],
            None,
        )?;
        w.output(&["genesis", "validate", "--home", home0], None)?;
        for node in &self.nodes[1..] {
            copy(&genesis0, &node.home.join("config/genesis.json"))?;
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let peers: Vec<String> = self
                .nodes
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, peer)| format!("{}@127.0.0.1:{}", peer.node_id, peer.p2p_port))
                .collect();
            let q = |s: String| format!("{s:?}");
            set_toml(
                &node.home.join("config/config.toml"),
                &[
                    (
                        "",
                        "proxy_app",
                        q(format!("tcp://127.0.0.1:{}", node.abci_port)),
                    ),
                    (
                        "rpc",
                        "laddr",
                        q(format!("tcp://127.0.0.1:{}", node.rpc_port)),
                    ),
                    ("rpc", "pprof_laddr", q(String::new())),
                    (
                        "p2p",
                        "laddr",
                        q(format!("tcp://127.0.0.1:{}", node.p2p_port)),
                    ),
                    ("p2p", "external_address", q(String::new())),
                    ("p2p", "persistent_peers", q(peers.join(","))),
                    ("p2p", "addr_book_strict", "false".into()),
                    ("p2p", "allow_duplicate_ip", "true".into()),
                    ("p2p", "pex", "false".into()),
                    (
                        "consensus",
                        "timeout_commit",
                        q(options.timeout_commit.clone()),
                    ),
                ],
            )?;
            set_toml(
                &node.home.join("config/app.toml"),
                &[
                    ("", "minimum-gas-prices", q(GAS_PRICE.into())),
                    ("api", "enable", "true".into()),
                    (
                        "api",
                        "address",
                        q(format!("tcp://127.0.0.1:{}", node.api_port)),
                    ),
                    ("grpc", "enable", "true".into()),
                    (
                        "grpc",
                        "address",
                        q(format!("127.0.0.1:{}", node.grpc_port)),
                    ),
                ],
            )?;
        }
        Ok(())
    }

    /// Starts every node and waits until each has committed block 2.
    pub fn start(&mut self) -> Result<(), String> {
        for i in 0..self.nodes.len() {
            self.start_node(i)?;
        }
        self.wait_for_height(2, Duration::from_secs(90))?;
        Ok(())
    }

    /// Starts node `i` from its home (its log is appended to `<home>/node.log`).
    pub fn start_node(&mut self, i: usize) -> Result<(), String> {
        let node = &mut self.nodes[i];
        if node.is_running() {
            return Ok(());
        }
        let log_path = node.home.join("node.log");
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("{}: {e}", log_path.display()))?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = if has_setpriv() {
            let mut cmd = Command::new("setpriv");
            cmd.args(["--pdeathsig", "TERM", "--"]).arg(&self.wasmd.bin);
            cmd
        } else {
            Command::new(&self.wasmd.bin)
        };
        cmd.env("LD_LIBRARY_PATH", self.wasmd.library_path())
            .arg("start")
            .arg("--log_no_color")
            .arg("--home")
            .arg(&node.home)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .process_group(0);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", node.moniker))?;
        node.child = Some(child);
        Ok(())
    }

    /// Stops node `i` (SIGTERM; SIGKILL after 15 s) and waits for its process.
    pub fn stop_node(&mut self, i: usize) {
        if let Some(mut child) = self.nodes[i].child.take() {
            terminate(&mut child, Duration::from_secs(15));
        }
    }

    /// An error (with the end of its log) when a started node is no longer running.
    pub fn check_running(&mut self) -> Result<(), String> {
        for node in &mut self.nodes {
            if node.child.is_some() && !node.is_running() {
                let status = node
                    .child
                    .as_mut()
                    .and_then(|c| c.try_wait().ok().flatten());
                node.child = None;
                return Err(format!(
                    "{} exited ({status:?}); end of {}:\n{}",
                    node.moniker,
                    node.home.join("node.log").display(),
                    log_tail(&node.home.join("node.log"), 25)
                ));
            }
        }
        Ok(())
    }

    /// The latest committed height that node `i` reports.
    pub fn height(&self, i: usize) -> Result<u64, String> {
        let status = rpc_get(self.nodes[i].rpc_port, "/status")?;
        status["result"]["sync_info"]["latest_block_height"]
            .as_str()
            .and_then(|h| h.parse().ok())
            .ok_or(format!("/status without a height: {status}"))
    }

    /// Waits until every running node has committed `height`.
    pub fn wait_for_height(&mut self, height: u64, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            self.check_running()?;
            let mut all = true;
            for i in 0..self.nodes.len() {
                if self.nodes[i].child.is_some() && self.height(i).map_or(true, |h| h < height) {
                    all = false;
                }
            }
            if all {
                return Ok(());
            }
            if interrupted() {
                return Err("interrupted".into());
            }
            if Instant::now() > deadline {
                let logs: Vec<String> = self
                    .nodes
                    .iter()
                    .map(|n| {
                        let log = n.home.join("node.log");
                        format!("--- {}:\n{}", log.display(), log_tail(&log, 10))
                    })
                    .collect();
                return Err(format!(
                    "no block {height} after {} s\n{}",
                    timeout.as_secs(),
                    logs.join("\n")
                ));
            }
            thread::sleep(Duration::from_millis(200));
        }
    }

    /// Blocks `from..=to` as node `i` has them: (height, proposer address, signatures).
    pub fn blocks(
        &self,
        i: usize,
        from: u64,
        to: u64,
    ) -> Result<Vec<(u64, String, usize)>, String> {
        (from..=to)
            .map(|h| {
                let block = rpc_get(self.nodes[i].rpc_port, &format!("/block?height={h}"))?;
                let proposer = block["result"]["block"]["header"]["proposer_address"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let commit = rpc_get(self.nodes[i].rpc_port, &format!("/commit?height={h}"))?;
                let signed = commit["result"]["signed_header"]["commit"]["signatures"]
                    .as_array()
                    .map_or(0, |sigs| {
                        sigs.iter()
                            .filter(|s| s["block_id_flag"].as_u64() == Some(2))
                            .count()
                    });
                Ok((h, proposer, signed))
            })
            .collect()
    }

    /// Endpoints, accounts and the first blocks, printed.
    pub fn print_summary(&self) -> Result<(), String> {
        println!("\nchain id {}  home {}", self.chain_id, self.home.display());
        for (i, node) in self.nodes.iter().enumerate() {
            println!(
                "{}: height {:>3}  rpc {}  grpc {}  rest {}  p2p 127.0.0.1:{}",
                node.moniker,
                self.height(i)?,
                node.rpc_url(),
                node.grpc_url(),
                node.api_url(),
                node.p2p_port,
            );
        }
        println!(
            "\nfunded test accounts ({ACCOUNT_FUNDS} each; keyring-backend test, --home {}):",
            self.client_home.display()
        );
        for a in &self.accounts {
            println!("  {:<6} {}\n         {}", a.name, a.address, a.mnemonic);
        }
        let validators = rpc_get(self.nodes[0].rpc_port, "/validators")?;
        println!(
            "\nvalidators in the set: {}; gas price {GAS_PRICE}; timeout_commit {}",
            validators["result"]["total"].as_str().unwrap_or("?"),
            self.timeout_commit()
        );
        println!(
            "e.g. {} query bank balances {} --node {}",
            self.wasmd.bin.display(),
            self.accounts[0].address,
            self.nodes[0].rpc_url()
        );
        println!(
            "     (LD_LIBRARY_PATH={}; --home {} --keyring-backend test --chain-id {} for tx)",
            self.wasmd.lib_dir.display(),
            self.client_home.display(),
            self.chain_id
        );
        Ok(())
    }

    /// For several validators: waits for two rounds of proposers and prints who proposed
    /// and how many validators signed each block (every validator should do both).
    pub fn print_block_producers(&mut self) -> Result<(), String> {
        let n = self.nodes.len();
        let to = self.height(0)? + 2 * n as u64;
        self.wait_for_height(to, Duration::from_secs(60))?;
        let blocks = self.blocks(0, 2, to)?;
        let mut proposers: Vec<&str> = blocks.iter().map(|(_, p, _)| p.as_str()).collect();
        proposers.sort_unstable();
        proposers.dedup();
        let signed: Vec<String> = blocks.iter().map(|(_, _, s)| s.to_string()).collect();
        println!(
            "blocks 2..={to}: {} distinct proposer(s) of {n} validators; signatures per commit: {}",
            proposers.len(),
            signed.join(" ")
        );
        if proposers.len() != n {
            return Err(format!(
                "only {} of {n} validators proposed a block",
                proposers.len()
            ));
        }
        Ok(())
    }

    fn timeout_commit(&self) -> String {
        let config = self.nodes[0].home.join("config/config.toml");
        fs::read_to_string(config)
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.trim_start().starts_with("timeout_commit"))
                    .map(|l| l.split('=').nth(1).unwrap_or("").trim().to_string())
            })
            .unwrap_or_default()
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // All at once (SIGTERM to every node, then wait), so no validator waits for the
        // others' consensus while they are being stopped one by one.
        for node in &mut self.nodes {
            if let Some(child) = &node.child {
                let _ = signal_pid(child.id(), Signal::SIGTERM);
            }
        }
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                terminate(&mut child, Duration::from_secs(15));
            }
        }
        if self.remove_home {
            let _ = fs::remove_dir_all(&self.home);
        }
    }
}

fn signal_pid(pid: u32, signal: Signal) -> Result<(), String> {
    let pid = i32::try_from(pid).map_err(|e| e.to_string())?;
    nix::sys::signal::kill(Pid::from_raw(pid), signal).map_err(|e| e.to_string())
}

/// SIGTERM, then SIGKILL when `grace` passes; always reaps the process.
fn terminate(child: &mut Child, grace: Duration) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = signal_pid(child.id(), Signal::SIGTERM);
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn has_setpriv() -> bool {
    Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `n` distinct free loopback ports (all bound at once, then released), none handed out
/// before by this process: networks set up side by side bind their ports only when their
/// nodes start, so the kernel alone could give two of them the same port.
fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    static HANDED_OUT: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut handed_out = HANDED_OUT.lock().map_err(|_| "port registry poisoned")?;
    let mut listeners = Vec::new();
    let mut ports = Vec::new();
    while ports.len() < n {
        let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| format!("no free loopback port: {e}"))?;
        let port = l.local_addr().map_err(|e| e.to_string())?.port();
        if !handed_out.contains(&port) {
            handed_out.push(port);
            ports.push(port);
        }
        // Held until all are chosen, so the kernel does not offer the same one twice.
        listeners.push(l);
        if listeners.len() > 10 * n + 100 {
            return Err(format!("no {n} fresh loopback ports"));
        }
    }
    Ok(ports)
}

/// GET `path` from CometBFT's RPC on `port` (HTTP/1.0: no chunked body), as JSON.
pub fn rpc_get(port: u16, path: &str) -> Result<Value, String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
        .map_err(|e| format!("rpc {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .map_err(|e| format!("rpc {addr}: {e}"))?;
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .map_err(|e| format!("rpc {addr}{path}: {e}"))?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(format!("rpc {addr}{path}: no HTTP header end"))?;
    let head = String::from_utf8_lossy(&response[..split]);
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "rpc {addr}{path}: {}",
            head.lines().next().unwrap_or("")
        ));
    }
    serde_json::from_slice(&response[split + 4..]).map_err(|e| format!("rpc {addr}{path}: {e}"))
}

/// The first JSON value in a command's output (some wasmd commands print a line before it).
fn parse_json(text: &str) -> Result<Value, String> {
    let start = text
        .find(['{', '['])
        .ok_or(format!("no JSON in output: {text}"))?;
    serde_json::Deserializer::from_str(&text[start..])
        .into_iter::<Value>()
        .next()
        .ok_or(format!("no JSON in output: {text}"))?
        .map_err(|e| format!("bad JSON ({e}) in output: {text}"))
}

fn json_field(text: &str, field: &str) -> Result<String, String> {
    parse_json(text)?[field]
        .as_str()
        .map(str::to_string)
        .ok_or(format!("no {field:?} in {text}"))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copy {} -> {}: {e}", from.display(), to.display()))
}

/// Sets `key = value` (value already TOML) in `[section]` ("" = top level) of a TOML file
/// written by wasmd; a key that is not there is an error (the template changed).
fn set_toml(path: &Path, edits: &[(&str, &str, String)]) -> Result<(), String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut done = vec![false; edits.len()];
    let mut section = String::new();
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') && !trimmed.starts_with("[[") {
            section = trimmed.trim_matches(['[', ']']).trim().to_string();
        }
        let key = trimmed.split('=').next().unwrap_or("").trim();
        let edit = edits
            .iter()
            .position(|(s, k, _)| *s == section && *k == key && trimmed.contains('='));
        match edit {
            Some(e) if !trimmed.starts_with('#') => {
                out.push_str(&format!("{key} = {}\n", edits[e].2));
                done[e] = true;
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    if let Some(missing) = done.iter().position(|d| !d) {
        let (s, k, _) = &edits[missing];
        return Err(format!("{}: no key {k:?} in [{s}]", path.display()));
    }
    fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))
}

/// The last `n` lines of a log file.
fn log_tail(path: &Path, n: usize) -> String {
    let mut text = String::new();
    if File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .is_err()
    {
        return String::from("(no log)");
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// One smoke row: a contract stored and instantiated through signed transactions.
/// Deploys every artifact with `cargo xtask deploy`'s code (signed transactions through
/// settle-client), after checking that the node offers every capability each one requires;
/// checks each contract's config query and prints the gas used. With several validators,
/// the last one is then stopped while the others go on, restarted from its home, and must
/// answer the same configs.
fn run_smoke(net: &mut Network) -> Result<(), String> {
    let alice = &net.accounts[0];
    let wallet = crate::deploy::test_wallet(&alice.name, "wasm")?;
    if wallet.address() != alice.address {
        return Err(format!(
            "settle-client derives {} from {}'s mnemonic, the wasmd keyring {}",
            wallet.address(),
            alice.name,
            alice.address
        ));
    }
    let treasury = net.accounts[3].address.clone();
    let offered = net.wasmd.capabilities()?;
    println!("wasmd {WASMD_VERSION} offers: {}", offered.join(", "));
    let mut plan = Vec::new();
    for contract in crate::dist::CONTRACTS {
        let bytes = crate::deploy::artifact(contract)?;
        let required = required_capabilities(&bytes)?;
        let missing: Vec<&String> = required.iter().filter(|c| !offered.contains(c)).collect();
        println!("{contract}: requires {}", required.join(", "));
        if !missing.is_empty() {
            return Err(format!(
                "{contract} requires {missing:?}, which wasmd {WASMD_VERSION} does not offer ({})",
                offered.join(", ")
            ));
        }
        plan.push((
            *contract,
            crate::deploy::default_instantiate_msg(contract, &treasury)?,
        ));
    }
    let rpc: Vec<String> = net.nodes.iter().map(|n| n.rpc_url()).collect();
    let config = serde_json::json!({"config": {}});
    let deployments = crate::deploy::block_on(async {
        let client = Client::connect(&rpc[0], "wasm", GAS_PRICE)
            .await
            .map_err(|e| e.to_string())?;
        let d = crate::deploy::deploy(&client, &wallet, &plan, None).await?;
        for (name, c) in &d.contracts {
            let answer: Value = client
                .query(&c.address, &config)
                .await
                .map_err(|e| format!("{name}: config query: {e}"))?;
            println!("{name}: config {answer}");
        }
        Ok::<_, String>(d)
    })??;
    println!(
        "\nsmoke on {} validator(s), wasmd {WASMD_VERSION} (gas_used as the chain charged it):",
        net.nodes.len()
    );
    println!(
        "{:<18} {:>4} {:>10} {:>6} {:>12} {:>6}  contract",
        "contract", "code", "store gas", "height", "inst. gas", "height"
    );
    for (name, d) in &deployments.contracts {
        println!(
            "{name:<18} {:>4} {:>10} {:>6} {:>12} {:>6}  {}",
            d.code_id,
            d.store_gas_used,
            d.store_height,
            d.instantiate_gas_used,
            d.instantiate_height,
            d.address
        );
    }
    if net.nodes.len() > 1 {
        let last = net.nodes.len() - 1;
        let name = net.nodes[last].moniker.clone();
        let stopped_at = net.height(last)?;
        net.stop_node(last);
        let target = net.height(0)? + 5;
        net.wait_for_height(target, Duration::from_secs(60))?;
        println!(
            "\n{name} stopped at height {stopped_at}; the other validators went on to {target}"
        );
        net.start_node(last)?;
        net.wait_for_height(target + 2, Duration::from_secs(90))?;
        crate::deploy::block_on(async {
            let first = Client::connect(&rpc[0], "wasm", GAS_PRICE).await;
            let restarted = Client::connect(&rpc[last], "wasm", GAS_PRICE).await;
            let (first, restarted) = (
                first.map_err(|e| e.to_string())?,
                restarted.map_err(|e| e.to_string())?,
            );
            for (contract, d) in &deployments.contracts {
                let a: Value = first
                    .query(&d.address, &config)
                    .await
                    .map_err(|e| e.to_string())?;
                let b: Value = restarted
                    .query(&d.address, &config)
                    .await
                    .map_err(|e| e.to_string())?;
                if a != b {
                    return Err(format!("{name} answers another config for {contract}"));
                }
            }
            Ok::<_, String>(())
        })??;
        println!(
            "{name} restarted from its home, caught up to {} and answers every contract's config",
            net.height(last)?
        );
    }
    Ok(())
}

/// The capabilities a contract requires: its `requires_<capability>` exports.
pub fn required_capabilities(wasm: &[u8]) -> Result<Vec<String>, String> {
    fn leb(bytes: &[u8], at: &mut usize) -> Result<usize, String> {
        let mut value = 0usize;
        for shift in (0..35).step_by(7) {
            let byte = *bytes.get(*at).ok_or("truncated wasm")?;
            *at += 1;
            value |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("malformed LEB128 in wasm".into())
    }
    if wasm.get(..4) != Some(b"\0asm") {
        return Err("not a wasm module".into());
    }
    let mut at = 8;
    let mut required = Vec::new();
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at)?;
        let end = at + size;
        if id == 7 {
            let mut p = at;
            for _ in 0..leb(wasm, &mut p)? {
                let len = leb(wasm, &mut p)?;
                let name = wasm.get(p..p + len).ok_or("truncated export name")?;
                p += len;
                p += 1; // kind
                leb(wasm, &mut p)?; // index
                if let Some(cap) = std::str::from_utf8(name)
                    .ok()
                    .and_then(|n| n.strip_prefix("requires_"))
                {
                    required.push(cap.to_string());
                }
            }
        }
        at = end;
    }
    required.sort();
    Ok(required)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cosmwasm-vm harness (tests/src/vm.rs) loads the artifacts with exactly the
    /// capabilities the node offers: a contract that needs more fails there too.
    #[test]
    fn the_vm_harness_offers_the_nodes_capabilities() {
        let source = fs::read_to_string(root().join("tests/src/vm.rs")).unwrap();
        let line = source
            .lines()
            .find(|l| l.starts_with("pub const CAPABILITIES: &str = "))
            .expect("tests/src/vm.rs defines CAPABILITIES");
        let listed = line.split('"').nth(1).expect("a string literal");
        assert_eq!(listed, WASMD_CAPABILITIES.join(","));
    }

    #[test]
    fn capabilities_are_read_from_wasmd_source() {
        let go = "func BuiltInCapabilities() []string {\n\treturn []string{\n\t\t\"iterator\",\n\t\t\"ibc2\",\n\t}\n}\n";
        assert_eq!(parse_capabilities(go).unwrap(), ["iterator", "ibc2"]);
        assert!(parse_capabilities("package keeper").is_err());
    }
}
