//! `settle watchtower` on a real chain, as a process: a and b open and fund a channel and
//! sign states; b hands the newest one (version 4), a's revocation of version 3 and its
//! authorisation to the watchtower over HTTP, then goes offline (sends nothing more).
//! The process is killed (SIGKILL) after the hand-in and restarted from its database. a
//! closes with the revoked version 3; the process is killed again with its dispute
//! recorded and not yet broadcast; restarted, it alone disputes inside the window, once
//! (the newer state and a's revocation): a forfeits its balance, b gets it less the
//! watchtower's fee, the watchtower its fee, all checked on chain. SIGTERM stops it.

use std::time::{Duration, Instant};

use cosmwasm_std::Binary;
use payment_channels::msg::{ChannelPhase, ExecuteMsg, InstantiateMsg, QueryMsg, Revocation};
use serde_json::{json, Value};
use settle_client::Wallet;
use settle_core::channel::{revocation_hash, watchtower_hash, ChannelDomain};
use settle_core::crypto::L2Key;

use super::channels::{state, Channels, FUNDED};
use super::process::Service;
use super::Ctx;
use crate::localnet::DENOM;

/// The environment variable the process reads its mnemonic from.
const KEY_ENV: &str = "SETTLE_E2E_WATCHTOWER_MNEMONIC";
/// Seconds between the watchtower's rounds: the channel's 45 s window holds fifteen, and its
/// last three (9 s) leave time to resend the dispute lost in the crash.
const POLL: u64 = 3;
/// Where the second process stops (and is killed): its dispute recorded, not broadcast.
const PAUSE: &str = "watchtower-before-dispute";
/// The contract's watchtower fee (10 % of a forfeit).
const FEE_BPS: u16 = 1_000;

/// The watchtower's HTTP API.
struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(&self, path: &str, body: Option<&Value>) -> Result<(u16, Value), String> {
        let url = format!("{}{path}", self.base);
        let req = match body {
            Some(b) => self.http.post(&url).json(b),
            None => self.http.get(&url),
        };
        let r = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let code = r.status().as_u16();
        let text = r.text().await.map_err(|e| format!("{path}: {e}"))?;
        Ok((
            code,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }

    async fn healthy(&self, p: &Service, within: Duration) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok((200, _)) = self.call("/health", None).await {
                return Ok(());
            }
            if started.elapsed() > within {
                return Err(format!("/health not ok after {within:?}:\n{}", p.log()));
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

pub async fn flow(ctx: &Ctx) -> Result<String, String> {
    let a = ctx.wallet("a", 10_000_000).await?;
    let b = ctx.wallet("b", 10_000_000).await?;
    // Pays the fee of `settle`, so a and b move by payouts only after the close.
    let keeper = ctx.wallet("keeper", 10_000_000).await?;
    // The watchtower's key: a fresh mnemonic, handed to the process in its environment.
    let phrase = Wallet::mnemonic_of(ctx.secret("watchtower"));
    let tower = Wallet::from_mnemonic(&phrase, &ctx.client.prefix).map_err(|e| e.to_string())?;
    ctx.client
        .send_coins(&ctx.funder, tower.address(), 10_000_000, DENOM)
        .await
        .map_err(|e| format!("fund the watchtower: {e}"))?;
    let address = ctx
        .instantiate(
            "payment-channels",
            &InstantiateMsg {
                penalty_share_bps: None,
                watchtower_fee_bps: FEE_BPS,
                max_dispute_window: 86_400,
            },
        )
        .await?;
    let code_id = ctx.code("payment-channels")?;
    let config: payment_channels::msg::ConfigResponse =
        ctx.query(&address, &QueryMsg::Config {}).await?;
    let domain = ChannelDomain(
        config
            .domain
            .as_slice()
            .try_into()
            .map_err(|_| "the domain is not 32 bytes")?,
    );
    let ch = Channels {
        ctx,
        address: address.clone(),
        domain,
        keys: [L2Key::from_label("e2e-wt-a"), L2Key::from_label("e2e-wt-b")],
        a,
        b,
    };
    let id = ch.open().await?;

    // The process: a config file, a database, a key in its environment.
    let dir = crate::util::target_dir(&crate::util::root())
        .join("e2e")
        .join(format!("{}-watchtower", ctx.tag.replace('/', "-")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let port = free_port()?;
    let cfg = dir.join("watchtower.toml");
    let log = dir.join("watchtower.log");
    std::fs::write(
        &cfg,
        format!(
            "[chain]\nrpc = {:?}\nchain_id = {:?}\n\n[key]\nmnemonic_env = {KEY_ENV:?}\n\n\
             [channels]\ncontract = {address:?}\ncode_id = {code_id}\n\n\
             [watchtower]\ndatabase = {:?}\nlisten = \"127.0.0.1:{port}\"\npoll_seconds = {POLL}\n",
            ctx.client.url(),
            ctx.client.chain_id(),
            dir.join("watchtower.sqlite").display().to_string(),
        ),
    )
    .map_err(|e| format!("{}: {e}", cfg.display()))?;
    // A configuration naming another code is refused before anything starts.
    let wrong = dir.join("wrong-code.toml");
    let text = std::fs::read_to_string(&cfg).map_err(|e| e.to_string())?;
    std::fs::write(
        &wrong,
        text.replace(
            &format!("code_id = {code_id}"),
            &format!("code_id = {}", code_id + 1000),
        ),
    )
    .map_err(|e| format!("{}: {e}", wrong.display()))?;
    let wrong_log = dir.join("wrong-code.log");
    let mut refused = Service::spawn("watchtower", &wrong, (KEY_ENV, &phrase), &wrong_log, None)?;
    let exit = refused.exited(Duration::from_secs(30)).await?;
    if exit.success() || !refused.log().contains("runs code") {
        return Err(format!(
            "a configuration naming another code: {exit}\n{}",
            refused.log()
        ));
    }
    let mut process = Service::spawn("watchtower", &cfg, (KEY_ENV, &phrase), &log, None)?;
    let api = Api {
        http: reqwest::Client::new(),
        base: format!("http://127.0.0.1:{port}"),
    };
    api.healthy(&process, Duration::from_secs(60)).await?;

    // Off-chain: versions 3 and 4 signed by both; a revokes 3 once both hold 4.
    let v3 = ch.sign(&state(id, 3, 900, vec![], false));
    let v4 = ch.sign(&state(id, 4, 400, vec![], false));
    let revocation = Revocation {
        version: 3,
        signature: Binary::from(
            ch.keys[0]
                .sign_prehash(&revocation_hash(&domain, id, 3))
                .as_slice(),
        ),
    };
    let authorisation = Binary::from(
        ch.keys[1]
            .sign_prehash(&watchtower_hash(&domain, id, tower.address()))
            .as_slice(),
    );
    let path = format!("/v1/channels/{id}/states");
    // What it refuses: an authorisation of another watchtower, then (once it holds 4) 3.
    let elsewhere = Binary::from(
        ch.keys[1]
            .sign_prehash(&watchtower_hash(&domain, id, keeper.address()))
            .as_slice(),
    );
    let (code, body) = api
        .call(
            &path,
            Some(&json!({ "signed": v4, "revocation": revocation, "authorisation": elsewhere })),
        )
        .await?;
    if code != 400 || !body.to_string().contains("authorisation") {
        return Err(format!(
            "another watchtower's authorisation answered {code}: {body}"
        ));
    }
    let (code, body) = api
        .call(
            &path,
            Some(
                &json!({ "signed": v4, "revocation": revocation, "authorisation": authorisation }),
            ),
        )
        .await?;
    if code != 200 || body["party"] != "b" || body["version"] != 4 || body["revoked_version"] != 3 {
        return Err(format!("the hand-in answered {code}: {body}"));
    }
    let (code, body) = api
        .call(
            &path,
            Some(&json!({ "signed": v3, "authorisation": authorisation })),
        )
        .await?;
    if code != 409 {
        return Err(format!("an older state answered {code}: {body}"));
    }
    // b goes offline: from here on it sends nothing.
    let (_, b_sequence) = ctx
        .client
        .account(ch.b.address())
        .await
        .map_err(|e| e.to_string())?;
    ctx.say(format!(
        "channel {id}: b handed version 4, a's revocation of 3 and its authorisation to the watchtower, and went offline"
    ));

    // A crash after the hand-in; the restarted process holds it from its database (and
    // will stop just before its dispute's broadcast, to crash there too).
    process.kill();
    process = Service::spawn("watchtower", &cfg, (KEY_ENV, &phrase), &log, Some(PAUSE))?;
    api.healthy(&process, Duration::from_secs(60)).await?;
    let (code, body) = api.call(&format!("/v1/channels/{id}"), None).await?;
    if code != 200 || body["version"] != 4 {
        return Err(format!("after the restart it holds {code}: {body}"));
    }

    // a closes with the revoked version 3.
    let t1 = ctx.balance(tower.address()).await?;
    let close = ctx
        .execute(
            &ch.a,
            &address,
            &ExecuteMsg::Close {
                channel: id,
                signed: v3,
            },
            &[],
        )
        .await?;
    let closed_at = Instant::now();
    let (a1, b1) = (ch.balance(&ch.a).await?, ch.balance(&ch.b).await?);
    // The second crash: the dispute recorded and not broadcast; a third process finds it
    // in flight in its database and sends it before the window ends, once.
    let started = Instant::now();
    while !process.log().contains(&format!("paused at {PAUSE}")) {
        if started.elapsed() > Duration::from_secs(10) {
            return Err(format!(
                "the watchtower never reached {PAUSE}:\n{}",
                process.log()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    process.kill();
    process = Service::spawn("watchtower", &cfg, (KEY_ENV, &phrase), &log, None)?;
    ctx.say("the watchtower killed (SIGKILL) with its dispute recorded and not sent; restarted");
    let dispute_ends_at = loop {
        match ch.channel(id).await?.phase {
            ChannelPhase::Closing {
                stale: true,
                watchtower: Some(w),
                version: 4,
                dispute_ends_at,
                ..
            } if w.as_str() == tower.address() => break dispute_ends_at,
            ChannelPhase::Closing {
                dispute_ends_at, ..
            } => {
                let now = ctx.client.block_time().await.map_err(|e| e.to_string())?;
                if now >= dispute_ends_at {
                    return Err(format!(
                        "the window ended without the watchtower's dispute:\n{}",
                        process.log()
                    ));
                }
            }
            other => return Err(format!("channel {id} is {other:?} after the close")),
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let disputed_after = closed_at.elapsed();
    let t_disputed = ctx.balance(tower.address()).await?;
    let dispute_fee = t1.saturating_sub(t_disputed);
    ctx.say(format!(
        "a closed with revoked version 3; the watchtower process proved it stale {:.1} s later",
        disputed_after.as_secs_f64()
    ));
    ctx.wait_past(dispute_ends_at).await?;
    ctx.execute(&keeper, &address, &ExecuteMsg::Settle { channel: id }, &[])
        .await?;
    let (a2, b2, t2) = (
        ch.balance(&ch.a).await?,
        ch.balance(&ch.b).await?,
        ctx.balance(tower.address()).await?,
    );
    // Version 4 gives a 400 and b 1,100; a forfeits its 400, 10 % of it to the watchtower.
    let forfeit = 400u128;
    let fee = forfeit * u128::from(FEE_BPS) / 10_000;
    let total = FUNDED[0] + FUNDED[1];
    if a2 != a1 {
        return Err(format!(
            "the stale closer went from {a1} to {a2} at settlement"
        ));
    }
    if b2 != b1 + (total - forfeit) + (forfeit - fee) {
        return Err(format!(
            "b went from {b1} to {b2}, not up by {}",
            total - fee
        ));
    }
    if t2 != t_disputed + fee {
        return Err(format!(
            "the watchtower went from {t_disputed} to {t2}, not up by its fee {fee}"
        ));
    }
    let (_, b_sequence_after) = ctx
        .client
        .account(ch.b.address())
        .await
        .map_err(|e| e.to_string())?;
    if b_sequence_after != b_sequence {
        return Err("b sent a transaction while offline".into());
    }
    // One dispute, recorded with its block; the metrics say so.
    let (_, body) = api.call(&format!("/v1/channels/{id}"), None).await?;
    let disputes = body["disputes"].as_array().cloned().unwrap_or_default();
    if disputes.len() != 1 || disputes[0]["tx_hash"].is_null() {
        return Err(format!("the watchtower records {body}"));
    }
    let gas = disputes[0]["gas_used"].as_u64().unwrap_or(0);
    let (_, metrics) = api.call("/metrics", None).await?;
    let metrics = metrics.as_str().unwrap_or_default().to_string();
    if !metrics.contains("settle_watchtower_disputes_won_total 1")
        || !metrics.contains("settle_watchtower_disputes_sent_total 1")
    {
        return Err(format!("/metrics after the win:\n{metrics}"));
    }
    let (_, sequence) = ctx
        .client
        .account(tower.address())
        .await
        .map_err(|e| e.to_string())?;
    if sequence != 1 {
        return Err(format!(
            "the watchtower signed {sequence} transactions, not one dispute"
        ));
    }
    let exit = process.terminate(Duration::from_secs(30)).await?;
    if !exit.success() {
        return Err(format!("the watchtower exited with {exit} on SIGTERM"));
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(format!(
        "stale close (version 3 of 4, close {} gas) punished by the `settle watchtower` process \
         alone {:.1} s after it (dispute {gas} gas, fee {dispute_fee}), killed and restarted \
         after the hand-in and before its broadcast; b offline got {} of {total}, the watchtower {fee}, a 0; one \
         dispute; stopped by SIGTERM",
        close.gas_used,
        disputed_after.as_secs_f64(),
        total - fee,
    ))
}
