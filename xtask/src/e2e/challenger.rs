//! `settle challenger` on a real chain, as a process with nobody's help: a lying proposer
//! posts a batch whose output root is false from one step on; the real `settle` binary
//! (a config file and a key in an environment variable, nothing else) finds the lie from
//! chain data, opens a game and plays it to the one-step proof while the liar defends its
//! lie move by move. Mid-game the process is killed (SIGKILL) and restarted from the same
//! database: it resumes, never opens a second game, never sends a move twice. It wins: the
//! liar's batch removed, its bond slashed, bond and reward paid to the challenger and the
//! treasury's share (the challenger is the treasury here, so the credit path runs too)
//! claimed. Then SIGTERM stops it cleanly.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use optimistic_rollup::msg::{
    CreditResponse, ExecuteMsg, GamePhase, GamesResponse, ProposerResponse, QueryMsg, Side,
};
use settle_client::Wallet;
use settle_core::batch::encode_batch;
use settle_core::crypto::L2Key;
use settle_core::node::Node;
use settle_core::tx::Domain;
use settle_services::challenger::ChallengerStore;

use super::optimistic::{instantiate_msg, Rollup, BOND, CHALLENGER_BOND};
use super::process::Service;
use super::Ctx;
use crate::localnet::DENOM;

const DEPOSIT: u128 = 1_000_000;
/// Transfers in the lying batch (enough steps for several bisections).
const TRANSFERS: u64 = 8;
/// The environment variable the process reads its mnemonic from.
const KEY_ENV: &str = "SETTLE_E2E_CHALLENGER_MNEMONIC";
/// Seconds between the challenger's rounds.
const POLL: u64 = 2;
/// How long the whole game may take (the contract's clocks are 300 s a side).
const GAME_TIMEOUT: Duration = Duration::from_secs(300);

/// The `settle` binary the e2e run built before the networks started.
async fn settle_binary() -> Result<PathBuf, String> {
    let bin = super::settle_binary();
    if !bin.exists() {
        return Err(format!(
            "{} is missing: the e2e run builds it first",
            bin.display()
        ));
    }
    Ok(bin)
}

/// The sum of the fees (in the staking denom) a transaction's `tx` events name.
fn fee_of(events: &[settle_client::Event]) -> Result<u128, String> {
    let fee = events
        .iter()
        .filter(|e| e.kind == "tx")
        .flat_map(|e| e.attributes.iter())
        .find(|(k, _)| k == "fee")
        .map(|(_, v)| v.clone())
        .ok_or("a transaction without a fee event")?;
    fee.strip_suffix(DENOM)
        .and_then(|a| a.parse().ok())
        .ok_or(format!("a fee of {fee:?}, not in {DENOM}"))
}

pub async fn flow(ctx: &Ctx) -> Result<String, String> {
    settle_binary().await?;
    let liar = ctx.wallet("liar", 10_000_000).await?;
    let user = ctx.wallet("user", 2 * DEPOSIT + 10_000_000).await?;
    // The challenger's key: a fresh mnemonic, handed to the process in its environment.
    let phrase = Wallet::mnemonic_of(ctx.secret("challenger"));
    let challenger =
        Wallet::from_mnemonic(&phrase, &ctx.client.prefix).map_err(|e| e.to_string())?;
    ctx.client
        .send_coins(&ctx.funder, challenger.address(), 10_000_000, DENOM)
        .await
        .map_err(|e| format!("fund the challenger: {e}"))?;
    // The challenger is also the treasury: the treasury's share of the slashed bond is a
    // credit it withdraws with `claim`.
    let address = ctx
        .instantiate("optimistic-rollup", &instantiate_msg(challenger.address()))
        .await?;
    let code_id = ctx.code("optimistic-rollup")?;
    let config: optimistic_rollup::msg::ConfigResponse =
        ctx.query(&address, &QueryMsg::Config {}).await?;
    let domain = Domain(
        config
            .domain
            .as_slice()
            .try_into()
            .map_err(|_| "the domain is not 32 bytes")?,
    );
    let mut r = Rollup {
        ctx,
        address: address.clone(),
        node: Node::new(domain),
    };
    ctx.execute(&liar, &address, &ExecuteMsg::Bond {}, &[(BOND, DENOM)])
        .await?;
    let keys = [
        L2Key::from_label("chal-user-0"),
        L2Key::from_label("chal-user-1"),
    ];
    for k in &keys {
        r.deposit(&user, k, DEPOSIT).await?;
    }

    // The challenger process: a config file, a database, a key in its environment.
    let dir = crate::util::target_dir(&crate::util::root())
        .join("e2e")
        .join(format!("{}-challenger", ctx.tag.replace('/', "-")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let db = dir.join("challenger.sqlite");
    let log = dir.join("challenger.log");
    let cfg = dir.join("challenger.toml");
    std::fs::write(
        &cfg,
        format!(
            "[chain]\nrpc = {:?}\nchain_id = {:?}\n\n[key]\nmnemonic_env = {KEY_ENV:?}\n\n\
             [rollup]\ncontract = {address:?}\ncode_id = {code_id}\n\n\
             [challenger]\ndatabase = {:?}\npoll_seconds = {POLL}\n",
            ctx.client.url(),
            ctx.client.chain_id(),
            db.display().to_string(),
        ),
    )
    .map_err(|e| format!("{}: {e}", cfg.display()))?;
    let mut process = Service::spawn("challenger", &cfg, (KEY_ENV, &phrase), &log, None)?;
    let balance_before = ctx.balance(challenger.address()).await?;

    // The lie: transfers back and forth, the claimed roots false from the middle on.
    let mut nonces = [0u64; 2];
    let txs: Vec<_> = (0..TRANSFERS)
        .map(|i| {
            let from = (i % 2) as usize;
            let tx = r.node.sign_transfer(
                &keys[from],
                from as u32,
                1 - from as u32,
                100 + i as u128,
                nonces[from],
            );
            nonces[from] += 1;
            tx
        })
        .collect();
    let steps = TRANSFERS + 2 + 2; // open, two deposits, the transfers, close
    let (bad, claimed) = r
        .propose(&liar, encode_batch(&txs), Some(steps / 2))
        .await?;
    let lie_posted = Instant::now();
    ctx.say(format!(
        "batch {bad}: {TRANSFERS} transfers whose output root lies from step {} on, posted by the liar",
        steps / 2
    ));

    // The liar defends its lie; the process plays alone. Mid-game it is killed and
    // restarted from the same database.
    let mut restarted_at_moves = None;
    let mut bisections = 0;
    let (game, won_after) = loop {
        if lie_posted.elapsed() > GAME_TIMEOUT {
            return Err(format!(
                "no win {} s after the lie (log: {})",
                GAME_TIMEOUT.as_secs(),
                log.display()
            ));
        }
        if !process.alive()? {
            return Err(format!("the challenger exited (log: {})", log.display()));
        }
        let games: GamesResponse = ctx
            .query(
                &address,
                &QueryMsg::Games {
                    batch: Some(bad),
                    start_after: None,
                    limit: None,
                },
            )
            .await?;
        if games.games.len() > 1 {
            return Err(format!("{} games opened on batch {bad}", games.games.len()));
        }
        let Some(g) = games.games.first() else {
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        if g.challenger.as_str() != challenger.address() {
            return Err(format!("game {} was opened by {}", g.game, g.challenger));
        }
        match &g.phase {
            GamePhase::Bisect { position } => {
                ctx.execute(
                    &liar,
                    &address,
                    &ExecuteMsg::Bisect {
                        game: g.game,
                        position: *position,
                        root: cosmwasm_std::Binary::from(claimed[*position as usize].as_slice()),
                    },
                    &[],
                )
                .await?;
                bisections += 1;
            }
            GamePhase::Resolved {
                winner: Side::Challenger,
                ..
            } => break (g.game, lie_posted.elapsed()),
            GamePhase::Resolved { winner, reason } => {
                return Err(format!(
                    "game {} won by the {winner:?} ({reason:?})",
                    g.game
                ))
            }
            GamePhase::Void { .. } => return Err(format!("game {} is void", g.game)),
            GamePhase::Choose { .. } | GamePhase::OneStep { .. } => {}
        }
        // One choice made: a crash mid-game, then a restart from the same database.
        if restarted_at_moves.is_none() && g.moves >= 2 {
            process.kill();
            restarted_at_moves = Some(g.moves);
            ctx.say(format!(
                "the challenger killed (SIGKILL) after move {} of game {}; restarted",
                g.moves, g.game
            ));
            process = Service::spawn("challenger", &cfg, (KEY_ENV, &phrase), &log, None)?;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let restarted_at_moves = restarted_at_moves.ok_or("the game ended before the restart")?;

    // The win: the lie removed, the liar slashed, the credit claimed.
    let status: optimistic_rollup::msg::StatusResponse =
        ctx.query(&address, &QueryMsg::Status {}).await?;
    if status.next_batch != bad {
        return Err(format!(
            "the lying batch {bad} is still there (next batch {})",
            status.next_batch
        ));
    }
    let liar_info: ProposerResponse = ctx
        .query(
            &address,
            &QueryMsg::Proposer {
                address: liar.address().to_string(),
            },
        )
        .await?;
    if !liar_info.bond.is_zero() {
        return Err(format!("the liar keeps a bond of {}", liar_info.bond));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let credit: CreditResponse = ctx
            .query(
                &address,
                &QueryMsg::Credit {
                    address: challenger.address().to_string(),
                },
            )
            .await?;
        if credit.amount.is_zero() {
            break;
        }
        if Instant::now() > deadline {
            return Err(format!("the credit of {} was never claimed", credit.amount));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    // SIGTERM: the round under way finishes, the database closes, exit 0.
    let exit = process.terminate(Duration::from_secs(30)).await?;
    if !exit.success() {
        return Err(format!("the challenger exited with {exit} on SIGTERM"));
    }

    // Everything the challenger sent, from the chain: one challenge, each choice once,
    // one proof, one claim; no transaction failed (its sequence counts them all).
    let mut fees = 0u128;
    let mut sent = Vec::new();
    for tx in ctx
        .client
        .contract_txs(&address, 0)
        .await
        .map_err(|e| e.to_string())?
    {
        let mine: Vec<ExecuteMsg> = tx
            .calls
            .iter()
            .filter(|c| c.sender == challenger.address())
            .map(|c| serde_json::from_slice(&c.msg).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()?;
        if !mine.is_empty() {
            fees += fee_of(&tx.events)?;
            let gas = ctx
                .client
                .wait_for_tx(&tx.hash)
                .await
                .map_err(|e| e.to_string())?
                .gas_used;
            sent.extend(mine.into_iter().map(|m| (m, gas)));
        }
    }
    let (_, sequence) = ctx
        .client
        .account(challenger.address())
        .await
        .map_err(|e| e.to_string())?;
    if sequence != sent.len() as u64 {
        return Err(format!(
            "the challenger signed {sequence} transactions but {} succeeded",
            sent.len()
        ));
    }
    let count = |f: fn(&ExecuteMsg) -> bool| sent.iter().filter(|(m, _)| f(m)).count();
    let challenges = count(|m| matches!(m, ExecuteMsg::Challenge { .. }));
    let proofs = count(|m| matches!(m, ExecuteMsg::ProveStep { .. }));
    let claims = count(|m| matches!(m, ExecuteMsg::Claim {}));
    let mut positions: Vec<u64> = sent
        .iter()
        .filter_map(|(m, _)| match m {
            ExecuteMsg::Choose { position, .. } => Some(*position),
            _ => None,
        })
        .collect();
    let choices = positions.len();
    positions.sort_unstable();
    positions.dedup();
    if (challenges, proofs, claims) != (1, 1, 1) || positions.len() != choices {
        return Err(format!(
            "the challenger sent {challenges} challenges, {proofs} proofs, {claims} claims and \
             {choices} choices at {} positions",
            positions.len()
        ));
    }
    // Bond back with the reward at the proof, the treasury's share by the claim: the whole
    // slashed bond, less the fees.
    let balance_after = ctx.balance(challenger.address()).await?;
    if balance_after + fees != balance_before + BOND {
        return Err(format!(
            "the challenger's balance went from {balance_before} to {balance_after} with \
             {fees} in fees, not up by the slashed bond {BOND} (its bond {CHALLENGER_BOND} back)"
        ));
    }
    // Its database agrees with the chain.
    let store = ChallengerStore::open(&db)
        .await
        .map_err(|e| e.to_string())?;
    let recorded = store.moves(game).await.map_err(|e| e.to_string())?;
    store.close().await;
    if recorded.len() != choices + proofs + claims || recorded.iter().any(|m| m.tx_hash.is_none()) {
        return Err(format!(
            "the database records {} moves ({} without a block), the chain {}",
            recorded.len(),
            recorded.iter().filter(|m| m.tx_hash.is_none()).count(),
            choices + proofs + claims
        ));
    }
    let gas = |f: fn(&ExecuteMsg) -> bool| -> Vec<u64> {
        sent.iter().filter(|(m, _)| f(m)).map(|(_, g)| *g).collect()
    };
    let choose_gas = gas(|m| matches!(m, ExecuteMsg::Choose { .. }));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(format!(
        "game {game} on batch {bad} won by the `settle challenger` process alone in {:.0} s \
         from the lie ({bisections} bisections by the liar, {choices} choices, killed and \
         restarted after move {restarted_at_moves}); gas: challenge {}, choose {:?}, \
         prove_step {}, claim {}; liar's bond {BOND} slashed, batch removed, credit claimed, \
         balance +{BOND} less {fees} fees; one game, no move twice; stopped by SIGTERM",
        won_after.as_secs_f64(),
        gas(|m| matches!(m, ExecuteMsg::Challenge { .. }))[0],
        choose_gas,
        gas(|m| matches!(m, ExecuteMsg::ProveStep { .. }))[0],
        gas(|m| matches!(m, ExecuteMsg::Claim {}))[0],
    ))
}
