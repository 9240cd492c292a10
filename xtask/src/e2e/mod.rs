//! `cargo xtask e2e`: the suite's flows on a real wasmd network, through signed
//! transactions and queries only (settle-client), with the chain's own clock and gas.
//!
//! It builds what is missing (the node from Go modules, the artifacts), starts a network
//! on loopback in a fresh home, stores every artifact once, runs each flow (each
//! instantiates its own contract with short windows and funds its own wallets from one
//! test account, so flows run side by side), stops the network and prints
//! `N passed, N failed`.

mod optimistic;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use settle_client::{Client, Error, TxOutcome, Wallet};
use sha2::{Digest, Sha256};

use crate::localnet::{Network, Options, Wasmd, DENOM, GAS_PRICE};
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
}

impl Ctx {
    pub fn code(&self, contract: &str) -> Result<u64, String> {
        self.codes
            .iter()
            .find(|(c, _)| *c == contract)
            .map(|(_, id)| *id)
            .ok_or(format!("{contract} was not stored"))
    }

    /// A fresh wallet for `role`, funded with `amount` of the staking denom by the funder.
    pub async fn wallet(&self, role: &str, amount: u128) -> Result<Wallet, String> {
        let secret = Sha256::digest(format!("settle-e2e/{}/{role}", self.tag));
        let w = Wallet::from_secret(&secret, &self.client.prefix).map_err(|e| e.to_string())?;
        if amount > 0 {
            self.client
                .send_coins(&self.funder, w.address(), amount, DENOM)
                .await
                .map_err(|e| format!("fund {role}: {e}"))?;
        }
        Ok(w)
    }

    pub async fn execute(
        &self,
        who: &Wallet,
        contract: &str,
        msg: &impl Serialize,
        funds: &[(u128, &str)],
    ) -> Result<TxOutcome, String> {
        self.client
            .execute(who, contract, msg, funds)
            .await
            .map_err(|e| e.to_string())
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
            Err(Error::Simulate { log }) if log.contains(expected) => Ok(()),
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

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A flow: a name and what it does on a context.
type FlowFn = for<'a> fn(&'a Ctx) -> Pin<Box<dyn Future<Output = Result<String, String>> + 'a>>;

/// Every flow: registering one is one line here.
fn flows() -> Vec<(&'static str, FlowFn)> {
    vec![(
        "optimistic-rollup: deposit, propose, a lie challenged to the one-step proof, finalize, withdraw",
        |c| Box::pin(optimistic::flow(c)),
    )]
}

pub fn run(args: &[String]) -> Result<(), String> {
    let mut validators = vec![1usize];
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
    for contract in crate::dist::CONTRACTS {
        crate::deploy::artifact(contract)?;
    }
    let mut passed = 0;
    let mut failed = Vec::new();
    for n in validators {
        let options = Options {
            validators: n,
            ..Options::default()
        };
        util::step(&format!("a {n}-validator wasmd network"));
        let mut net = Network::init(wasmd.clone(), &options)?;
        net.start()?;
        let rpc = net.nodes[0].rpc_url();
        let chosen: Vec<(&str, FlowFn)> = flows()
            .into_iter()
            .filter(|(name, _)| only.as_deref().is_none_or(|o| name.contains(o)))
            .collect();
        let results = crate::deploy::block_on(async {
            let client = Client::connect(&rpc, "wasm", GAS_PRICE)
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
            let mut results = Vec::new();
            for (i, (name, flow)) in chosen.iter().enumerate() {
                let ctx = Ctx {
                    client: client.clone(),
                    codes: codes.clone(),
                    funder: crate::deploy::test_wallet("alice", "wasm")?,
                    tag: format!("{n}v/{i}"),
                };
                let started = Instant::now();
                let res = flow(&ctx).await;
                results.push((name.to_string(), started.elapsed(), res));
            }
            Ok::<_, String>(results)
        })??;
        for (name, took, res) in results {
            match res {
                Ok(summary) => {
                    passed += 1;
                    println!(
                        "ok    [{n}v] {name} ({:.0} s)\n      {summary}",
                        took.as_secs_f64()
                    );
                }
                Err(e) => {
                    println!(
                        "FAIL  [{n}v] {name} ({:.0} s)\n      {e}",
                        took.as_secs_f64()
                    );
                    failed.push(format!("[{n}v] {name}"));
                }
            }
        }
        drop(net);
    }
    println!("\ne2e: {passed} passed, {} failed", failed.len());
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("failed: {}", failed.join("; ")))
    }
}
