//! `settle operator` as a process on the chain: its HTTP API takes signed L2
//! transactions, its rounds post them, finalize the batch after its window and serve the
//! withdrawal's proof and message; killed with SIGKILL at chosen points of a round (after
//! the batch is built, before the post, after the post and before the database write) and
//! restarted from its database, it loses no transaction and posts nothing twice; SIGTERM
//! stops it cleanly.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use optimistic_rollup::msg::{ExecuteMsg, QueryMsg, StatusResponse};
use serde_json::{json, Value};
use settle_client::Wallet;
use settle_core::crypto::L2Key;
use settle_core::node::Node;
use settle_core::tx::SignedTx;
use sha2::{Digest, Sha256};

use super::process::Service;
use super::Ctx;
use crate::localnet::{CHAIN_ID, DENOM};
use crate::util;

use super::operator::DEPOSIT;

fn binary() -> PathBuf {
    super::settle_binary()
}

/// The operator's HTTP API.
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn get(&self, path: &str) -> Result<(u16, Value), String> {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        let code = r.status().as_u16();
        let text = r.text().await.map_err(|e| format!("GET {path}: {e}"))?;
        Ok((
            code,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    async fn submit(&self, tx: &SignedTx) -> Result<Value, String> {
        let r = self
            .http
            .post(format!("{}/v1/txs", self.base))
            .json(&json!({ "tx": hex::encode(tx.encode()) }))
            .send()
            .await
            .map_err(|e| format!("POST /v1/txs: {e}"))?;
        let code = r.status().as_u16();
        let body: Value = r.json().await.map_err(|e| format!("POST /v1/txs: {e}"))?;
        if code != 202 {
            return Err(format!("POST /v1/txs answered {code}: {body}"));
        }
        Ok(body)
    }

    /// Waits until transaction `id` is posted; its batch.
    async fn posted(&self, id: &str, within: Duration) -> Result<u64, String> {
        let started = Instant::now();
        loop {
            if let Ok((200, v)) = self.get(&format!("/v1/txs/{id}")).await {
                match v["status"].as_str() {
                    Some("posted") => return v["batch"].as_u64().ok_or(format!("{v}")),
                    Some("refused") => return Err(format!("tx {id} refused: {v}")),
                    _ => {}
                }
            }
            if started.elapsed() > within {
                return Err(format!("tx {id} not posted after {within:?}"));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    async fn healthy(&self, within: Duration) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok((200, _)) = self.get("/health").await {
                return Ok(());
            }
            if started.elapsed() > within {
                return Err(format!("/health not ok after {within:?}"));
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("a free port: {e}"))
}

async fn status(ctx: &Ctx, contract: &str) -> Result<StatusResponse, String> {
    ctx.query(contract, &QueryMsg::Status {}).await
}

pub async fn flow(ctx: &Ctx) -> Result<String, String> {
    if !binary().exists() {
        return Err(format!(
            "{} is missing: the e2e run builds it first",
            binary().display()
        ));
    }
    // The operator's key: a mnemonic (what a service's configuration takes), in the
    // process's environment only.
    let mnemonic = Wallet::mnemonic_of(
        Sha256::digest(format!("settle-e2e/{}/operator-service", ctx.tag)).into(),
    );
    let op_wallet =
        Wallet::from_mnemonic(&mnemonic, &ctx.client.prefix).map_err(|e| e.to_string())?;
    ctx.client
        .send_coins(&ctx.funder, op_wallet.address(), 10_000_000, DENOM)
        .await
        .map_err(|e| format!("fund the operator: {e}"))?;
    let user = ctx.wallet("svc-user", 10_000_000).await?;
    let keys = [
        L2Key::from_label("svc-user-0"),
        L2Key::from_label("svc-user-1"),
    ];
    let contract = super::operator::rollup_with_deposits(ctx, &op_wallet, &user, &keys).await?;

    let dir = util::target_dir(&util::root())
        .join("e2e")
        .join(format!("svc-{}", ctx.tag.replace('/', "-")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let port = free_port()?;
    let config = format!(
        "[chain]\nrpc = {:?}\nchain_id = {CHAIN_ID:?}\nprefix = {:?}\n\n\
         [key]\nmnemonic_env = \"SETTLE_OPERATOR_MNEMONIC\"\n\n\
         [rollup]\ncontract = {contract:?}\ncode_id = {}\n\n\
         [operator]\ndatabase = \"operator.sqlite\"\nlisten = \"127.0.0.1:{port}\"\npoll_seconds = 1\n",
        ctx.client.url(),
        ctx.client.prefix,
        ctx.code("optimistic-rollup")?,
    );
    std::fs::write(dir.join("operator.toml"), config).map_err(|e| e.to_string())?;
    let api = Api {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| e.to_string())?,
        base: format!("http://127.0.0.1:{port}"),
    };
    // Transactions are signed by the users with the rollup's domain (the API takes them
    // as bytes: the operator holds no user key).
    let node = Node::new(settle_core::tx::Domain(
        ctx.query::<optimistic_rollup::msg::ConfigResponse>(&contract, &QueryMsg::Config {})
            .await?
            .domain
            .as_slice()
            .try_into()
            .map_err(|_| "the domain is not 32 bytes")?,
    ));
    let sign = |from: u32, to: u32, amount: u128, nonce: u64| {
        node.sign_transfer(&keys[from as usize], from, to, amount, nonce)
    };

    let mut runs = 0;
    let mut start = |pause: Option<&str>| {
        runs += 1;
        Service::spawn(
            "operator",
            &dir.join("operator.toml"),
            ("SETTLE_OPERATOR_MNEMONIC", &mnemonic),
            &dir.join(format!("operator-{runs}.log")),
            pause,
        )
    };
    let mut op = start(None)?;
    api.healthy(Duration::from_secs(60)).await?;
    // A transfer and a withdrawal (of account 1, to the user's L1 address).
    let t0 = sign(0, 1, 1_000, 0);
    let recipient = super::canonical(user.address())?;
    let w = node.sign_withdrawal(&keys[1], 1, recipient, 250_000, 0);
    let submitted = Instant::now();
    let a0 = api.submit(&t0).await?;
    let aw = api.submit(&w).await?;
    let id0 = a0["id"].as_str().ok_or("no id")?.to_string();
    let idw = aw["id"].as_str().ok_or("no id")?.to_string();
    let b0 = api.posted(&id0, Duration::from_secs(60)).await?;
    let in_batch = submitted.elapsed();
    if api.posted(&idw, Duration::from_secs(10)).await? != b0 {
        return Err("the transfer and the withdrawal went to different batches".into());
    }
    // The same transaction again is not a second one.
    let again = api.submit(&t0).await?;
    if again["status"] != "posted" || again["batch"] != b0 {
        return Err(format!("a resubmission answered {again}"));
    }
    // A transaction that is not one is refused at the door with the decoder's reason.
    let (code, _) = {
        let r = api
            .http
            .post(format!("{}/v1/txs", api.base))
            .json(&json!({ "tx": "00ff" }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        (r.status().as_u16(), ())
    };
    if code != 400 {
        return Err(format!("junk transaction answered {code}, not 400"));
    }

    // Kill -9 at each point of a round, restart, and see the transaction posted once.
    let mut crashes = Vec::new();
    for (nonce, point) in [(1u64, "built"), (2, "before_post"), (3, "after_post")] {
        op.kill();
        op = start(Some(point))?;
        // Its first round (nothing to build) makes it healthy; the next builds the tx.
        api.healthy(Duration::from_secs(60)).await?;
        let tx = sign(0, 1, 10, nonce);
        let id = api.submit(&tx).await?["id"]
            .as_str()
            .ok_or("no id")?
            .to_string();
        op.wait_log(&format!("paused at {point}"), Duration::from_secs(60))
            .await?;
        let before = status(ctx, &contract).await?.next_batch;
        op.kill();
        op = start(None)?;
        // Killed with its post possibly broadcast (from "before_post" on), the operator
        // builds nothing until the chain shows that batch or the in-flight grace passes.
        let batch = api
            .posted(
                &id,
                settle_services::operator::IN_FLIGHT_GRACE + Duration::from_secs(60),
            )
            .await?;
        let after = status(ctx, &contract).await?.next_batch;
        // One new batch holds it: posted once, whether the crash came before or after
        // the post reached the chain.
        if after != before + u64::from(point != "after_post") || batch + 1 != after {
            return Err(format!(
                "killed at {point}: {before} batches before the restart, {after} after, tx in batch {batch}"
            ));
        }
        crashes.push(format!("{point}: batch {batch}"));
    }

    // The withdrawal: refused while the window runs, served (with the contract's message)
    // once the operator has finalized the batch.
    let path = format!("/v1/withdrawals/{b0}/0");
    let (code, early) = api.get(&path).await?;
    if code != 409 {
        return Err(format!("{path} before finality answered {code}: {early}"));
    }
    let finalizes_at = ctx
        .query::<optimistic_rollup::msg::BatchResponse>(&contract, &QueryMsg::Batch { batch: b0 })
        .await?
        .finalizes_at;
    ctx.wait_past(finalizes_at).await?;
    let started = Instant::now();
    let served = loop {
        let (code, v) = api.get(&path).await?;
        if code == 200 {
            break v;
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err(format!("{path} after the window answered {code}: {v}"));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let to_final = submitted.elapsed();
    let msg: ExecuteMsg =
        serde_json::from_value(served["msg"].clone()).map_err(|e| format!("{served}: {e}"))?;
    let before = ctx.balance(user.address()).await?;
    let paid = ctx.execute(&op_wallet, &contract, &msg, &[]).await?;
    let gained = ctx.balance(user.address()).await? - before;
    if gained != 250_000 {
        return Err(format!("the withdrawal paid {gained}, not 250000"));
    }
    let (_, account) = api.get("/v1/accounts/1").await?;
    if account["balance"] != json!((DEPOSIT + 1_000 + 30 - 250_000).to_string()) {
        return Err(format!("account 1 is {account}"));
    }
    let (_, metrics) = api.get("/metrics").await?;
    let metrics = metrics.as_str().unwrap_or_default().to_string();
    if !metrics.contains("settle_operator_batches_posted_total") {
        return Err(format!("/metrics lacks the batch counter:\n{metrics}"));
    }
    let (code, doc) = api.get("/openapi.json").await?;
    if code != 200 || doc["openapi"] != "3.1.0" {
        return Err(format!("/openapi.json answered {code}"));
    }
    let exit = op.terminate(Duration::from_secs(30)).await?;
    if !exit.success() || !op.log().contains("operator stopped") {
        return Err(format!("SIGTERM: exit {exit}:\n{}", op.log()));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(format!(
        "txs in batch {b0} {:.1} s after submission, final and its withdrawal served {:.0} s after; \
         killed -9 at {} and restarted: each tx posted once; withdrawal paid (gas {}); SIGTERM exit 0",
        in_batch.as_secs_f64(),
        to_final.as_secs_f64(),
        crashes.join(", "),
        paid.gas_used
    ))
}
