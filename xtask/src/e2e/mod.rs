//! `cargo xtask e2e`: the suite's flows on a real wasmd network, through signed
//! transactions and queries only (settle-client), with the chain's own clock and gas.
//!
//! It builds what is missing (the node from Go modules, the artifacts), starts a network
//! on loopback in a fresh home, stores every artifact once, runs each flow (each
//! instantiates its own contract with short windows and funds its own wallets from one
//! test account, so flows run side by side), stops the network and prints
//! `N passed, N failed`.

mod challenger;
mod channels;
mod clients;
mod operator;
mod operator_service;
mod optimistic;
mod process;
mod validity;
mod watchtower;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use settle_client::{Client, Error, TxOutcome, Wallet};
use sha2::{Digest, Sha256};

use crate::localnet::{Network, Options, Wasmd, DENOM, GAS_PRICE, TEST_ACCOUNTS};
use crate::util;

const USAGE: &str = "usage: cargo xtask e2e [--validators N] [--only FLOW]";

/// What a flow gets: a client of the network, the stored code ids, and a funder.
pub struct Ctx {
    pub client: Client,
    /// `(contract, code id)` of every stored artifact.
    pub codes: Vec<(&'static str, u64)>,
    /// A funded test account that pays for the flow's wallets.
    pub funder: Wallet,
    /// Names the flow's wallets apart from other flows' and networks'.
    pub tag: String,
    /// Tells the story as it goes (`cargo xtask demo --node`): every wallet and contract
    /// with its address, every transaction with its block, hash and gas.
    pub narrate: bool,
    /// How big the optimistic rollup's story is.
    pub scale: Scale,
    /// Role of each wallet the flow made, by address (for the narration).
    names: RefCell<BTreeMap<String, String>>,
}

/// How many L2 users, transfers and withdrawals the optimistic rollup's flow has.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub users: usize,
    pub transfers: usize,
    pub withdrawals: usize,
}

impl Scale {
    /// The end-to-end test's: two accounts, a transfer and a withdrawal.
    pub const TEST: Scale = Scale {
        users: 2,
        transfers: 1,
        withdrawals: 1,
    };
}

impl Ctx {
    pub fn new(
        client: Client,
        codes: Vec<(&'static str, u64)>,
        funder: Wallet,
        tag: String,
    ) -> Ctx {
        Ctx {
            client,
            codes,
            funder,
            tag,
            narrate: false,
            scale: Scale::TEST,
            names: RefCell::default(),
        }
    }

    /// A line of the story (printed only when narrating).
    pub fn say(&self, line: impl AsRef<str>) {
        if self.narrate {
            println!("  {}", line.as_ref());
        }
    }

    fn name_of(&self, address: &str) -> String {
        self.names
            .borrow()
            .get(address)
            .cloned()
            .unwrap_or_else(|| address.to_string())
    }

    pub fn code(&self, contract: &str) -> Result<u64, String> {
        self.codes
            .iter()
            .find(|(c, _)| *c == contract)
            .map(|(_, id)| *id)
            .ok_or(format!("{contract} was not stored"))
    }

    /// The secp256k1 secret of `role`'s wallet (for a client outside this process).
    pub fn secret(&self, role: &str) -> [u8; 32] {
        Sha256::digest(format!("settle-e2e/{}/{role}", self.tag)).into()
    }

    /// A fresh wallet for `role`, funded with `amount` of the staking denom by the funder.
    pub async fn wallet(&self, role: &str, amount: u128) -> Result<Wallet, String> {
        let w = Wallet::from_secret(&self.secret(role), &self.client.prefix)
            .map_err(|e| e.to_string())?;
        self.names
            .borrow_mut()
            .insert(w.address().to_string(), role.to_string());
        if amount > 0 {
            self.client
                .send_coins(&self.funder, w.address(), amount, DENOM)
                .await
                .map_err(|e| format!("fund {role}: {e}"))?;
        }
        self.say(format!(
            "{role:<12} {} (funded with {amount} {DENOM})",
            w.address()
        ));
        Ok(w)
    }

    pub async fn execute(
        &self,
        who: &Wallet,
        contract: &str,
        msg: &impl Serialize,
        funds: &[(u128, &str)],
    ) -> Result<TxOutcome, String> {
        let out = self
            .client
            .execute(who, contract, msg, funds)
            .await
            .map_err(|e| e.to_string())?;
        if self.narrate {
            let action = action_of(msg);
            let paid: Vec<String> = funds.iter().map(|(a, d)| format!("{a}{d}")).collect();
            println!(
                "    block {:>6}  tx {}  gas {:>9}  {:<12} {action}{}",
                out.height,
                out.hash,
                out.gas_used,
                self.name_of(who.address()),
                if paid.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", paid.join(", "))
                }
            );
        }
        Ok(out)
    }

    /// A message the contract must refuse: the simulation's error must contain `expected`.
    pub async fn refused(
        &self,
        who: &Wallet,
        contract: &str,
        msg: &impl Serialize,
        funds: &[(u128, &str)],
        expected: &str,
    ) -> Result<(), String> {
        match self.client.execute(who, contract, msg, funds).await {
            Ok(out) => Err(format!(
                "accepted (tx {}), expected a refusal containing {expected:?}",
                out.hash
            )),
            Err(Error::Simulate { log }) if log.contains(expected) => {
                self.say(format!(
                    "{} is refused by the contract, as it must be: \"{expected}\"",
                    action_of(msg)
                ));
                Ok(())
            }
            Err(e) => Err(format!("refused, but not with {expected:?}: {e}")),
        }
    }

    pub async fn query<T: DeserializeOwned>(
        &self,
        contract: &str,
        msg: &impl Serialize,
    ) -> Result<T, String> {
        self.client
            .query(contract, msg)
            .await
            .map_err(|e| e.to_string())
    }

    /// Instantiates the stored `contract` with `msg` (no chain admin), signed by the funder.
    pub async fn instantiate(
        &self,
        contract: &str,
        msg: &impl Serialize,
    ) -> Result<String, String> {
        self.client
            .instantiate(
                &self.funder,
                self.code(contract)?,
                msg,
                &format!("e2e {contract}"),
                None,
                &[],
            )
            .await
            .map(|i| {
                self.say(format!(
                    "{contract} instantiated at {} (block {}, tx {}, gas {})",
                    i.address, i.outcome.height, i.outcome.hash, i.outcome.gas_used
                ));
                i.address
            })
            .map_err(|e| format!("instantiate {contract}: {e}"))
    }

    /// The bank balance of `address` in the staking denom.
    pub async fn balance(&self, address: &str) -> Result<u128, String> {
        self.client
            .balance(address, DENOM)
            .await
            .map_err(|e| e.to_string())
    }

    /// Waits until the chain's block time is past `unix_seconds` (a window's end).
    pub async fn wait_past(&self, unix_seconds: u64) -> Result<(), String> {
        let wait = Duration::from_secs(unix_seconds.saturating_sub(now_unix()) + 120);
        self.client
            .wait_until_time(unix_seconds + 1, wait)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The message's name: the one key of its JSON object (`propose_batch`, `withdraw`...).
fn action_of(msg: &impl Serialize) -> String {
    serde_json::to_value(msg)
        .ok()
        .and_then(|v| v.as_object().and_then(|o| o.keys().next().cloned()))
        .unwrap_or_default()
}

/// Bech32 address → the canonical bytes a contract stores (what L2 messages name).
pub fn canonical(address: &str) -> Result<Vec<u8>, String> {
    let id: settle_client::cosmrs::AccountId =
        address.parse().map_err(|e| format!("{address}: {e}"))?;
    Ok(id.to_bytes())
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A flow: what it does with its own context; the flows of a network run side by side
/// (most of their time is the chain's clock running out a window).
pub type FlowFn = fn(Ctx) -> Pin<Box<dyn Future<Output = Result<String, String>>>>;

/// Every flow: registering one is one line here.
pub fn flows() -> Vec<(&'static str, FlowFn)> {
    vec![
        (
            "optimistic-rollup: deposit, propose, a lie challenged to the one-step proof, finalize, withdraw",
            |c| Box::pin(async move { optimistic::flow(&c).await }),
        ),
        (
            "payment-channels: cooperative close, a stale close punished by a watchtower, an HTLC claimed and one refunded",
            |c| Box::pin(async move { channels::flow(&c).await }),
        ),
        (
            "operator (settle-services): submitted txs posted or refused with a reason, a crash between post and database write recovered from the chain",
            |c| Box::pin(async move { operator::flow(&c).await }),
        ),
        (
            "validity-rollup: proven batches, a withdrawal claimed, a bad proof refused, an exodus exit",
            |c| Box::pin(async move { validity::flow(&c).await }),
        ),
    ]
}

/// The flow that runs outside this process: the Node test of the generated TypeScript
/// clients with @settle/wasm (e2e only; `demo --node` tells the story of [`flows`]).
const CLIENTS_FLOW: &str =
    "typescript clients (Node): each contract through @settle/clients, CosmJS and @settle/wasm";

/// The flow of the `settle operator` process (e2e only: it builds and runs the binary).
const OPERATOR_SERVICE_FLOW: &str = "operator service (settle operator): txs over HTTP posted, killed -9 at three points of a round and restarted, nothing lost or posted twice, a withdrawal served once final";

/// The flow of the `settle challenger` process (e2e only, as the operator's).
const CHALLENGER_FLOW: &str = "settle challenger (process): a lie found, disputed and won alone, a SIGKILL mid-game resumed from its database, the credit claimed";

/// The flow of the `settle watchtower` process (e2e only, as the operator's).
const WATCHTOWER_FLOW: &str = "settle watchtower (process): a stale channel close punished while the victim is offline, killed -9 after the hand-in and before its broadcast and resumed from its database, one dispute, the fee earned";

/// The `settle` binary the process flows run ([`build_settle`] makes it).
pub fn settle_binary() -> std::path::PathBuf {
    util::target_dir(&util::root()).join("debug/settle")
}

/// Builds the `settle` binary before the networks start (once, not per network).
fn build_settle() -> Result<(), String> {
    util::step("cargo build -p settle-services --bin settle");
    util::run(std::process::Command::new(util::cargo_bin()).args([
        "build",
        "--locked",
        "-p",
        "settle-services",
        "--bin",
        "settle",
    ]))
}

/// What `cargo xtask e2e` runs: [`flows`], the service processes and the Node test of
/// the clients.
pub fn e2e_flows() -> Vec<(&'static str, FlowFn)> {
    let mut all = flows();
    all.push((CHALLENGER_FLOW, |c| {
        Box::pin(async move { challenger::flow(&c).await })
    }));
    all.push((WATCHTOWER_FLOW, |c| {
        Box::pin(async move { watchtower::flow(&c).await })
    }));
    all.push((OPERATOR_SERVICE_FLOW, |c| {
        Box::pin(async move { operator_service::flow(&c).await })
    }));
    all.push((CLIENTS_FLOW, |c| {
        Box::pin(async move { clients::flow(&c).await })
    }));
    all
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut validators = vec![1usize, 4];
    let mut only = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--validators" => {
                validators = vec![it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|v| *v > 0)
                    .ok_or(format!("--validators takes a positive number\n{USAGE}"))?]
            }
            "--only" => only = Some(it.next().ok_or(USAGE)?.clone()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let wasmd = Wasmd::ensure()?;
    // The artifacts of this tree (a stale artifacts/ would test other code).
    crate::dist::run()?;
    on_networks(wasmd, &validators, only.as_deref())
}

/// The flows whose name contains `only` (all without it) on a network of each size in
/// `validators`, side by side, with the artifacts already in `artifacts/`; prints each
/// check and `e2e: N passed, N failed`.
pub fn on_networks(wasmd: Wasmd, validators: &[usize], only: Option<&str>) -> Result<(), String> {
    let chosen: Vec<(&str, FlowFn)> = e2e_flows()
        .into_iter()
        .filter(|(name, _)| only.is_none_or(|o| name.contains(o)))
        .collect();
    if chosen.is_empty() {
        return Err(format!("no flow matches {only:?}"));
    }
    if chosen.iter().any(|(name, _)| *name == CLIENTS_FLOW) {
        clients::prepare()?;
    }
    if chosen
        .iter()
        .any(|(name, _)| [OPERATOR_SERVICE_FLOW, CHALLENGER_FLOW, WATCHTOWER_FLOW].contains(name))
    {
        build_settle()?;
    }
    // The networks run side by side: most of a flow's time is the chain's clock running
    // out a window, so a second network costs little more than the first.
    let outcomes: Vec<Outcome> = std::thread::scope(|s| {
        let handles: Vec<_> = validators
            .iter()
            .map(|&n| {
                let (wasmd, chosen) = (wasmd.clone(), &chosen);
                s.spawn(move || on_network(wasmd, n, chosen))
            })
            .collect();
        handles
            .into_iter()
            .zip(validators)
            .map(|(h, n)| {
                h.join().unwrap_or_else(|_| Outcome {
                    report: String::new(),
                    passed: 0,
                    failed: vec![format!("[{n}v] the network's thread panicked")],
                })
            })
            .collect()
    });
    let mut passed = 0;
    let mut failed = Vec::new();
    for o in outcomes {
        print!("{}", o.report);
        passed += o.passed;
        failed.extend(o.failed);
    }
    println!("\ne2e: {passed} passed, {} failed", failed.len());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join("; ")))
    }
}

/// What one network's run found: its report lines, and which checks passed or failed.
struct Outcome {
    report: String,
    passed: usize,
    failed: Vec<String>,
}

/// Starts an `n`-validator network in a fresh home, runs the flows on it (and, with
/// several validators, stops and restarts one of them meanwhile), and tears it down.
fn on_network(wasmd: Wasmd, n: usize, chosen: &[(&str, FlowFn)]) -> Outcome {
    let mut out = Outcome {
        report: String::new(),
        passed: 0,
        failed: Vec::new(),
    };
    let mut note = |ok: bool, name: String, detail: &str| {
        let mark = if ok { "ok  " } else { "FAIL" };
        out.report
            .push_str(&format!("{mark}  {name}\n      {detail}\n"));
        if ok {
            out.passed += 1;
        } else {
            out.failed.push(name);
        }
    };
    let options = Options {
        validators: n,
        ..Options::default()
    };
    util::step(&format!("a {n}-validator wasmd network"));
    let mut net = match Network::init(wasmd, &options).and_then(|mut net| net.start().map(|()| net))
    {
        Ok(net) => net,
        Err(e) => {
            note(false, format!("[{n}v] the network starts"), &e);
            return out;
        }
    };
    let rpc: Vec<String> = net.nodes.iter().map(|n| n.rpc_url()).collect();
    // With several validators, the last one is stopped while the flows run and
    // restarted from its home; the flows must not notice.
    let (results, chaos) = std::thread::scope(|s| {
        let flows = s.spawn(|| crate::deploy::block_on(run_flows(&rpc[0], chosen, n)));
        let chaos = (n > 1).then(|| stop_and_restart(&mut net, n - 1));
        let results = flows
            .join()
            .map_err(|_| "the flows' thread panicked".to_string())
            .and_then(|r| r)
            .and_then(|r| r);
        (results, chaos)
    });
    let codes = match results {
        Ok((codes, results)) => {
            for (name, took, res) in results {
                let name = format!("[{n}v] {name} ({:.0} s)", took.as_secs_f64());
                match res {
                    Ok(summary) => note(true, name, &summary),
                    Err(e) => note(false, name, &e),
                }
            }
            codes
        }
        Err(e) => {
            note(false, format!("[{n}v] the artifacts are stored"), &e);
            Vec::new()
        }
    };
    if let Some(chaos) = chaos {
        let name = format!(
            "[{n}v] validator {} stopped mid-flow, restarted from its home, same contract state",
            n - 1
        );
        match chaos
            .and_then(|stop| same_state(&mut net, n - 1, &codes).map(|s| format!("{stop}; {s}")))
        {
            Ok(detail) => note(true, name, &detail),
            Err(e) => note(false, name, &e),
        }
    }
    drop(net);
    out
}

type FlowResult = (String, Duration, Result<String, String>);

/// Stores every artifact once, then runs the flows side by side on node `rpc`.
async fn run_flows(
    rpc: &str,
    chosen: &[(&str, FlowFn)],
    n: usize,
) -> Result<(Vec<u64>, Vec<FlowResult>), String> {
    let client = Client::connect(rpc, "wasm", GAS_PRICE)
        .await
        .map_err(|e| e.to_string())?;
    let funder = crate::deploy::test_wallet("alice", "wasm")?;
    let mut codes = Vec::new();
    for contract in crate::dist::CONTRACTS {
        let stored = client
            .store_code(&funder, &crate::deploy::artifact(contract)?)
            .await
            .map_err(|e| format!("store {contract}: {e}"))?;
        codes.push((*contract, stored.code_id));
    }
    // Each flow funds its wallets from its own test account (no two flows share a
    // sequence number).
    let local = tokio::task::LocalSet::new();
    let mut handles = Vec::new();
    for (i, (name, flow)) in chosen.iter().enumerate() {
        let funder = TEST_ACCOUNTS[i % TEST_ACCOUNTS.len()].0;
        let ctx = Ctx::new(
            client.clone(),
            codes.clone(),
            crate::deploy::test_wallet(funder, "wasm")?,
            format!("{n}v/{i}"),
        );
        let (name, flow) = (name.to_string(), *flow);
        handles.push(local.spawn_local(async move {
            let started = Instant::now();
            let res = flow(ctx).await;
            (name, started.elapsed(), res)
        }));
    }
    let mut results = Vec::new();
    local
        .run_until(async {
            for h in handles {
                results.push(h.await.map_err(|e| format!("a flow panicked: {e}"))?);
            }
            Ok::<_, String>(())
        })
        .await?;
    Ok((codes.iter().map(|(_, id)| *id).collect(), results))
}

/// Stops validator `i` 20 s into the flows, keeps it down 30 s (the others go on: 3 of 4
/// hold more than 2/3 of the power), then restarts it from its home.
fn stop_and_restart(net: &mut Network, i: usize) -> Result<String, String> {
    std::thread::sleep(Duration::from_secs(20));
    let stopped_at = net.height(i)?;
    net.stop_node(i);
    let resumed_from = net.height(0)?;
    std::thread::sleep(Duration::from_secs(30));
    let went_on_to = net.height(0)?;
    if went_on_to <= resumed_from {
        return Err(format!(
            "with validator {i} stopped the chain stayed at height {resumed_from}"
        ));
    }
    net.start_node(i)?;
    Ok(format!(
        "stopped at height {stopped_at}, the others went on to {went_on_to} meanwhile"
    ))
}

/// After the flows: validator `i` catches up, and answers every contract's config and
/// solvency exactly as validator 0 does.
fn same_state(net: &mut Network, i: usize, codes: &[u64]) -> Result<String, String> {
    let top = net.height(0)?;
    net.wait_for_height(top + 2, Duration::from_secs(120))?;
    let (first, restarted) = (net.nodes[0].rpc_url(), net.nodes[i].rpc_url());
    crate::deploy::block_on(async {
        let deadline = Instant::now() + Duration::from_secs(120);
        let a = Client::connect(&first, "wasm", GAS_PRICE)
            .await
            .map_err(|e| e.to_string())?;
        let b = Client::connect(&restarted, "wasm", GAS_PRICE)
            .await
            .map_err(|e| e.to_string())?;
        while b.height().await.map_err(|e| e.to_string())? < top {
            if Instant::now() > deadline {
                return Err(format!("validator {i} did not catch up to height {top}"));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        let mut checked = 0;
        for code in codes {
            let contracts = a
                .contracts_by_code(*code)
                .await
                .map_err(|e| e.to_string())?;
            for c in contracts {
                for q in [r#"{"config":{}}"#, r#"{"solvency":{}}"#] {
                    let x = a
                        .query_raw_json(&c, q.as_bytes())
                        .await
                        .map_err(|e| e.to_string())?;
                    let y = b
                        .query_raw_json(&c, q.as_bytes())
                        .await
                        .map_err(|e| e.to_string())?;
                    if x != y {
                        return Err(format!("validator {i} answers {q} of {c} differently"));
                    }
                }
                checked += 1;
            }
        }
        if checked == 0 {
            return Err("no contract to compare".into());
        }
        Ok(format!("validator {i} caught up past height {top} and answers the config and solvency of all {checked} contracts as validator 0"))
    })?
}
