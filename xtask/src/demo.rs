//! `cargo xtask demo`: the whole optimistic-rollup story on an embedded chain
//! (cw-multi-test), no external service. Users deposit real bank coins, sign L2
//! transfers with the core, a bonded proposer posts the batch, a second proposer posts a
//! fraudulent batch that a watcher challenges and removes with a fraud proof, the
//! challenge window passes, outputs finalize, withdrawals are proven and paid, and the
//! books reconcile. Then a payment channel: an HTLC paid with its preimage and a close
//! with a revoked state punished through an authorised watchtower.

use cosmwasm_std::Coin;
use optimistic_rollup::msg::BatchStatus;
use optimistic_rollup::msg::GamePhase;
use settle_core::batch::encode_batch;
use settle_core::crypto::L2Key;
use settle_core::ledger::TxEffect;
use settle_core::tx::SignedTx;
use settle_testing::{Claim, Play, SuiteBuilder, BOND_DENOM, DENOM};

const USERS: usize = 40;
const TRANSFERS: usize = 500;
const WITHDRAWALS: usize = 12;
const DEPOSIT: u128 = 10_000_000; // 10 coins of 6 decimals

/// A tiny deterministic generator, so every run tells the same story.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % bound
    }
}

fn coins(v: u128) -> String {
    format!("{}.{:06}", v / 1_000_000, v % 1_000_000)
}

pub fn run(args: &[String]) -> Result<(), String> {
    if args.is_empty() {
        embedded()
    } else {
        on_node(args)
    }
}

const NODE_USAGE: &str = "usage: cargo xtask demo [--node URL [--from NAME | --mnemonic-env VAR] [--gas-price PRICE] [--prefix P]]

  (no arguments)      the story on an embedded chain (cw-multi-test), nothing else needed
  --node URL          the story on a wasmd chain through signed transactions (its CometBFT
                      RPC; http://127.0.0.1:26657 for `cargo xtask localnet`); the chain's
                      staking denom must be `stake`, as on the local network
  --from NAME         the paying account: a test account of the local network (alice, bob,
                      carol, dave; default dave)
  --mnemonic-env VAR  read the paying account's mnemonic from the environment variable VAR
  --gas-price PRICE   fee per gas (default 0.025stake)
  --prefix P          the chain's bech32 prefix (default wasm)";

/// The demo's optimistic-rollup story on a chain: as many users, transfers and
/// withdrawals as on the embedded chain.
const ON_CHAIN: crate::e2e::Scale = crate::e2e::Scale {
    users: USERS,
    transfers: TRANSFERS,
    withdrawals: WITHDRAWALS,
};

/// `cargo xtask demo --node URL`: the end-to-end flows (`cargo xtask e2e`'s) told as a
/// story on a running chain, one after the other, with the demo's scale for the
/// optimistic rollup: every wallet and contract with its address, every transaction with
/// its block, hash and gas used.
fn on_node(args: &[String]) -> Result<(), String> {
    let mut node = None;
    let mut from = "dave".to_string();
    let mut mnemonic_env = None;
    let mut gas_price = crate::localnet::GAS_PRICE.to_string();
    let mut prefix = "wasm".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or(format!("{a} needs a value\n{NODE_USAGE}"))
        };
        match a.as_str() {
            "--node" => node = Some(value()?),
            "--from" => from = value()?,
            "--mnemonic-env" => mnemonic_env = Some(value()?),
            "--gas-price" => gas_price = value()?,
            "--prefix" => prefix = value()?,
            "-h" | "--help" => {
                println!("{NODE_USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}\n{NODE_USAGE}")),
        }
    }
    let node = node.ok_or(format!("--node is required with arguments\n{NODE_USAGE}"))?;
    // Each flow gets its own handle on the paying wallet (a wallet is not `Clone`).
    let wallet = || crate::deploy::signer(mnemonic_env.as_deref(), &from, &prefix);
    let payer = wallet()?;
    // The artifacts of this tree.
    crate::dist::run()?;
    crate::deploy::block_on(async {
        let client = settle_client::Client::connect(&node, &prefix, &gas_price)
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "settle demo on {} (chain {}, height {}), paid by {}",
            client.url(),
            client.chain_id(),
            client.height().await.map_err(|e| e.to_string())?,
            payer.address()
        );
        let mut codes = Vec::new();
        for contract in crate::dist::CONTRACTS {
            let stored = client
                .store_code(&payer, &crate::deploy::artifact(contract)?)
                .await
                .map_err(|e| format!("store {contract}: {e}"))?;
            println!(
                "  {contract} stored as code {} (block {}, tx {}, gas {})",
                stored.code_id, stored.outcome.height, stored.outcome.hash, stored.outcome.gas_used
            );
            codes.push((*contract, stored.code_id));
        }
        let run = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut failed = Vec::new();
        for (i, (name, flow)) in crate::e2e::flows().into_iter().enumerate() {
            println!("\n{}. {name}", i + 1);
            let mut ctx = crate::e2e::Ctx::new(
                client.clone(),
                codes.clone(),
                wallet()?,
                format!("demo/{run}/{i}"),
            );
            ctx.narrate = true;
            ctx.scale = ON_CHAIN;
            let started = std::time::Instant::now();
            match flow(ctx).await {
                Ok(summary) => println!(
                    "  done in {:.0} s: {summary}",
                    started.elapsed().as_secs_f64()
                ),
                Err(e) => {
                    println!("  FAILED: {e}");
                    failed.push(name);
                }
            }
        }
        if failed.is_empty() {
            println!("\nthe story holds on chain {}", client.chain_id());
            Ok(())
        } else {
            Err(format!("failed on chain: {}", failed.join("; ")))
        }
    })?
}

fn embedded() -> Result<(), String> {
    let window = 3_600;
    let mut b = SuiteBuilder::new()
        .with_challenge_window(window)
        .with_coins("mallory", vec![Coin::new(1_000u128, BOND_DENOM)]);
    let labels: Vec<String> = (0..USERS).map(|i| format!("user{i:02}")).collect();
    for l in &labels {
        b = b.with_funds(l, DEPOSIT);
    }
    let mut suite = b.build();
    let e = |e: cosmwasm_std::StdError| e.to_string();
    let proposer = suite.proposer.clone();
    let users: Vec<_> = labels.iter().map(|l| suite.addr(l)).collect();
    let keys: Vec<L2Key> = labels.iter().map(|l| L2Key::from_label(l)).collect();

    println!("settle demo: an optimistic rollup settled on an embedded CosmWasm chain");
    println!("  rollup contract  {}", suite.rollup);
    println!(
        "  challenge window {window} s, proposer bond {} {}",
        suite.config().proposer_bond,
        suite.bond_denom
    );

    suite.bond_proposer().map_err(e)?;
    for (u, k) in users.iter().zip(&keys) {
        suite.deposit_new_account(u, k, DEPOSIT).map_err(e)?;
    }
    println!(
        "\n1. deposits: {USERS} users deposit {} {DENOM} each ({} in all)",
        coins(DEPOSIT),
        coins(DEPOSIT * USERS as u128)
    );

    // Batch 0 opens the accounts; batch 1 carries the L2 traffic.
    suite.propose(&proposer, vec![]).map_err(e)?;
    let mut rng = Lcg(2026);
    let mut nonces = vec![0u64; USERS];
    let mut txs: Vec<SignedTx> = Vec::new();
    for _ in 0..TRANSFERS {
        let from = rng.next(USERS as u64) as usize;
        let mut to = rng.next(USERS as u64) as usize;
        if to == from {
            to = (to + 1) % USERS;
        }
        let amount = (1 + rng.next(50)) as u128 * 10_000;
        txs.push(suite.transfer(&keys[from], from as u32, to as u32, amount, nonces[from]));
        nonces[from] += 1;
    }
    let transfer_bytes = encode_batch(&txs).len();
    // One replayed transaction: the ledger records it as a no-op, nothing more.
    txs.push(txs[0].clone());
    let mut withdrawn = Vec::new();
    for i in 0..WITHDRAWALS {
        let u = i * 3 % USERS;
        let amount = 1_000_000 + i as u128 * 100_000;
        txs.push(suite.withdrawal(&keys[u], u as u32, &users[u], amount, nonces[u]));
        nonces[u] += 1;
        withdrawn.push((u, amount));
    }
    let data = encode_batch(&txs);
    let proposal = suite.propose(&proposer, data.clone()).map_err(e)?;
    let result = suite.node.batch(proposal.index).expect("applied");
    let no_ops = result
        .tx_effects
        .iter()
        .filter(|x| matches!(x, TxEffect::NoOp(_)))
        .count();
    let json_len = format!("{:?}", cosmwasm_std::Binary::new(data.clone()).to_base64()).len();
    println!(
        "\n2. L2 transactions signed with secp256k1 (the core's ledger, run by the proposer):"
    );
    println!(
        "   {TRANSFERS} transfers + 1 replay + {WITHDRAWALS} withdrawals = {} transactions",
        txs.len()
    );
    println!(
        "   {} of them applied, {no_ops} recorded as a no-op (the replay: bad nonce)",
        result.applied()
    );
    println!(
        "   batch data {} bytes; transfers alone {transfer_bytes} bytes = {:.1} bytes per transfer",
        data.len(),
        transfer_bytes as f64 / TRANSFERS as f64
    );
    println!("   in the JSON message (base64) {json_len} bytes: {:.0} sdk gas per transfer at 10 gas/byte",
        10.0 * json_len as f64 / txs.len() as f64);
    let batch = suite.batch(proposal.index);
    println!(
        "\n3. batch {} proposed: {} steps, deposits {}..{}, output root {}",
        batch.batch,
        batch.tx_steps,
        batch.deposits_from,
        batch.deposits_to,
        &batch.output_root.to_hex()[..16]
    );

    let early = suite.withdraw(&users[0], proposal.index, 0);
    println!(
        "   a withdrawal tried inside the window is refused: {}",
        early
            .err()
            .map(|x| last_line(&x.to_string()))
            .unwrap_or_else(|| "NOT REFUSED".into())
    );

    // A second proposer posts a batch whose state goes wrong at its fourth transfer.
    let mallory = suite.addr("mallory");
    let watcher = suite.addr("challenger");
    suite.bond(&mallory, 1_000).map_err(e)?;
    let extra: Vec<SignedTx> = (0..8)
        .map(|i| {
            let from = 5 + i % 3;
            let tx = suite.transfer(&keys[from], from as u32, 0, 10_000, nonces[from]);
            nonces[from] += 1;
            tx
        })
        .collect();
    let extra_data = encode_batch(&extra);
    let bad = suite
        .propose_claiming(&mallory, extra_data.clone(), Claim::WrongFrom(5))
        .map_err(e)?;
    println!(
        "\n4. fraud: mallory posts batch {} ({} transfers) with a wrong output root",
        bad.index,
        extra.len()
    );
    let game = suite.challenge(&watcher, bad.index).map_err(e)?;
    let steps = suite.game(game).steps;
    let step = suite.bisect_to_one_step(game, Play::Honest).map_err(e)?;
    let g = suite.game(game);
    let proof_len = suite.one_step_proof(bad.index, step).len();
    let kind = suite
        .node
        .batch_context(bad.index)
        .and_then(|c| c.step_kind(step))
        .map_err(|x| x.to_string())?;
    let slashed_before = suite.balance(&watcher, BOND_DENOM);
    suite.prove_step(&watcher, game).map_err(e)?;
    let won = suite.game(game);
    println!(
        "   a watcher challenges (bond {} {BOND_DENOM}); bisection over {steps} steps takes {} moves",
        g.bond, g.moves
    );
    println!(
        "   and narrows to step {step} ({kind:?}); its one-step proof ({proof_len} bytes) re-executes it on chain"
    );
    println!(
        "   result: {}; batch {} removed (next batch {}), mallory's bond slashed:",
        match won.phase {
            GamePhase::Resolved { winner, .. } => format!("{winner:?} wins"),
            other => format!("{other:?}"),
        },
        bad.index,
        suite.status().next_batch
    );
    let treasury = suite.addr("treasury");
    let credit = suite.credit(&treasury);
    suite.claim(&treasury).map_err(e)?;
    println!(
        "   the watcher gets {} {BOND_DENOM} (its bond + half the slash); the treasury is credited {credit}",
        suite.balance(&watcher, BOND_DENOM) - slashed_before,
    );
    println!(
        "   and withdraws it with `claim` ({} {BOND_DENOM}): nothing is pushed to it while a game settles",
        suite.balance(&treasury, BOND_DENOM)
    );
    let reposted = suite.propose(&proposer, extra_data).map_err(e)?;
    println!(
        "   the honest proposer posts the same transfers again as batch {}",
        reposted.index
    );

    suite.a_challenge_window_passes();
    let status = suite.status();
    for i in status.finalized..status.next_batch {
        suite.finalize(i).map_err(e)?;
    }
    let finalized = (0..suite.status().next_batch)
        .filter(|&i| suite.batch(i).status == BatchStatus::Finalized)
        .count();
    println!("\n5. the challenge window passes; {finalized} outputs finalized");

    let relayer = suite.addr("relayer");
    let mut paid = 0u128;
    for (i, (u, amount)) in withdrawn.iter().enumerate() {
        let before = suite.balance(&users[*u], DENOM);
        suite
            .withdraw(&relayer, proposal.index, i as u32)
            .map_err(e)?;
        let after = suite.balance(&users[*u], DENOM);
        assert_eq!(after - before, *amount, "paid what L2 recorded");
        paid += amount;
    }
    let again = suite.withdraw(&relayer, proposal.index, 0);
    println!(
        "\n6. {WITHDRAWALS} withdrawals proven against the final output and paid: {} {DENOM}",
        coins(paid)
    );
    println!(
        "   paying one again is refused: {}",
        again
            .err()
            .map(|x| last_line(&x.to_string()))
            .unwrap_or_else(|| "NOT REFUSED".into())
    );

    println!("\n7. final balances (first five users): L1 bank | L2 account");
    for i in 0..5 {
        println!(
            "   {}  {:>10} | {:>10}",
            labels[i],
            coins(suite.balance(&users[i], DENOM)),
            coins(suite.node.ledger.accounts()[i].balance)
        );
    }
    let s = suite.solvency();
    let st = suite.status();
    let l2_total = suite.node.ledger.total_balance();
    println!("\n8. solvency");
    println!(
        "   deposited {} - withdrawn {} = outstanding {} {DENOM}",
        coins(st.total_deposited.u128()),
        coins(st.total_withdrawn.u128()),
        coins(st.liabilities.deposits_outstanding.u128())
    );
    println!("   L2 balances sum to {} {DENOM}", coins(l2_total));
    for d in &s.denoms {
        println!(
            "   {:<7} held {:>14}  owed {:>14}  surplus {}  deficit {}",
            d.denom, d.held, d.owed, d.surplus, d.deficit
        );
    }
    let reconciles = s.solvent
        && s.denoms.iter().all(|d| d.held == d.owed)
        && st.liabilities.deposits_outstanding.u128() == l2_total;
    println!(
        "   {}",
        if reconciles {
            "reconciles to the last unit"
        } else {
            "DOES NOT RECONCILE"
        }
    );
    if !reconciles {
        return Err("the books do not reconcile".into());
    }
    channels()
}

/// The payment-channels part of the demo: a channel proposed and joined, an HTLC paid
/// off-chain and settled on chain, and a close with a revoked state punished through the
/// wronged party's authorised watchtower.
fn channels() -> Result<(), String> {
    use payment_channels::msg::{ChannelPhase, ExecuteMsg};
    use settle_core::channel::{payment_hash, ChannelState, Htlc, Party};
    use settle_testing::ChannelSuiteBuilder;

    let e = |e: cosmwasm_std::StdError| e.to_string();
    let mut s = ChannelSuiteBuilder::new()
        .with_funds("carol", 10_000_000)
        .with_funds("dave", 10_000_000)
        .build();
    let (carol, dave, tower) = (s.addr("carol"), s.addr("dave"), s.addr("tower"));
    let (kc, kd) = (L2Key::from_label("carol-ch"), L2Key::from_label("dave-ch"));
    let keys = [&kc, &kd];
    println!("\n9. payment channels ({})", s.contract);
    let id = s
        .propose(
            &carol,
            &dave,
            keys,
            6_000_000,
            600,
            settle_testing::JOIN_WINDOW,
        )
        .map_err(e)?;
    s.join(&dave, id, keys, 4_000_000).map_err(e)?;
    println!(
        "   carol proposes channel {id} with {} {DENOM}; dave joins (signing with his channel key) and adds {}; dispute window 600 s",
        coins(6_000_000),
        coins(4_000_000)
    );
    let preimage = [7u8; 32];
    let base = |version: u64, carol_has: u128, htlcs: Vec<Htlc>| {
        let held: u128 = htlcs.iter().map(|h| h.amount).sum();
        ChannelState {
            channel_id: id,
            version,
            funded: [6_000_000, 4_000_000],
            balances: [carol_has, 10_000_000 - carol_has - held],
            htlcs,
            is_final: false,
        }
    };
    let now = s.now();
    let htlc = Htlc {
        amount: 1_000_000,
        payment_hash: payment_hash(&preimage).map_err(|x| x.to_string())?,
        timeout: now + 3_600,
        payer: Party::A,
    };
    // off-chain: version 1 pays dave 1 coin; version 2 adds an HTLC of 1 coin to dave;
    // once carol holds version 2 with both signatures she revokes version 1
    let v1 = s.sign(&base(1, 5_000_000, vec![]), keys);
    let v2 = s.sign(&base(2, 4_000_000, vec![htlc]), keys);
    let revoked = s.revoke(&kc, id, 1);
    let auth = s.authorise(&kd, id, &tower);
    println!("   off-chain: 2 co-signed states; the latest holds an HTLC of 1 coin for dave (sha256 lock, 1 h timeout);");
    println!("   carol revoked version 1 once she held version 2; dave authorised his watchtower");
    // carol cheats: she closes with version 1, which she revoked, where she still had 5 coins
    s.execute(
        &carol,
        &ExecuteMsg::Close {
            channel: id,
            signed: v1,
        },
        &[],
    )
    .map_err(e)?;
    println!("   carol closes with the revoked version 1 (5 coins hers instead of 4)");
    let dry = s.check_dispute(
        id,
        &tower,
        Some(v2.clone()),
        Some(revoked.clone()),
        Some(auth.clone()),
    );
    s.dispute(&tower, id, Some(v2), Some(revoked), Some(auth))
        .map_err(e)?;
    println!(
        "   dave's watchtower posts version 2 and carol's revocation inside the window: {}",
        dry.outcome.map(|o| format!("{o:?}")).unwrap_or_default()
    );
    s.execute(
        &dave,
        &ExecuteMsg::RevealPreimage {
            preimage: cosmwasm_std::Binary::from(preimage.as_slice()),
        },
        &[],
    )
    .map_err(e)?;
    s.advance(600);
    let anyone = s.addr("anyone");
    s.execute(&anyone, &ExecuteMsg::Settle { channel: id }, &[])
        .map_err(e)?;
    s.execute(
        &anyone,
        &ExecuteMsg::SettleHtlc {
            channel: id,
            htlc: 0,
        },
        &[],
    )
    .map_err(e)?;
    println!("   dave reveals the preimage; after the window the channel settles:");
    for (name, who, start) in [
        ("carol", &carol, 10_000_000u128),
        ("dave", &dave, 10_000_000),
    ] {
        let now = s.balance_of(who);
        println!(
            "     {name:<6} {:>10} {DENOM} ({}{})",
            coins(now),
            if now >= start { "+" } else { "-" },
            coins(now.abs_diff(start))
        );
    }
    println!(
        "     tower  {:>10} {DENOM} (10% of carol's forfeited 4 coins)",
        coins(s.balance_of(&tower))
    );
    let closed = s.channel(id).phase == ChannelPhase::Closed {};
    let sol = s.solvency();
    let reconciles = sol.solvent && sol.denoms.iter().all(|d| d.held == d.owed);
    println!(
        "   channel closed: {closed}; contract holds what it owes: {}",
        if reconciles {
            "reconciles to the last unit"
        } else {
            "DOES NOT RECONCILE"
        }
    );
    if !(closed && reconciles) {
        return Err("the channel books do not reconcile".into());
    }
    validity()
}

/// The validity-rollup part of the demo: deposits, a batch of transfers and a withdrawal
/// final at once on a real Groth16 proof, a forged batch refused, then exodus.
fn validity() -> Result<(), String> {
    use settle_core::validity::eddsa::SecretKey;
    use settle_testing::ValiditySuiteBuilder;
    use std::time::Instant;

    let e = |e: cosmwasm_std::StdError| last_line(&e.to_string());
    println!("\n10. validity rollup: Groth16 over BLS12-381, checked with the host pairing");
    let t = Instant::now();
    let mut s = ValiditySuiteBuilder::new()
        .with_shape(2, 2)
        .with_exodus_after(3_600)
        .with_funds("erin", 10_000_000)
        .with_funds("frank", 10_000_000)
        .build();
    println!(
        "    keys for batches of 2 deposits + 2 transactions (seeded demo setup, NOT a \
         ceremony) in {:.1} s; contract {}",
        t.elapsed().as_secs_f64(),
        s.contract
    );
    let (erin, frank, grace, op) = (
        s.addr("erin"),
        s.addr("frank"),
        s.addr("grace"),
        s.addr("operator"),
    );
    let (ke, kf) = (
        SecretKey::from_seed(&[0xe1; 32]),
        SecretKey::from_seed(&[0xf1; 32]),
    );
    s.deposit_new_account(&erin, &ke, 6_000_000).map_err(e)?;
    s.deposit_new_account(&frank, &kf, 4_000_000).map_err(e)?;
    let t = Instant::now();
    s.submit(&op, 2, &[]).map_err(e)?;
    println!(
        "    batch 0: 2 deposits open accounts 0 and 1 (proved and verified in {:.1} s)",
        t.elapsed().as_secs_f64()
    );
    let pay = s.transfer(&ke, 1, 1_500_000);
    let out = s.withdrawal(&kf, &grace, 2_000_000);
    let batch = s.prove(0, &[pay, out])?;
    // A forged batch: the same proof claiming a different final root.
    let mut forged = batch.msg();
    if let validity_rollup::msg::ExecuteMsg::SubmitBatch {
        new_account_count, ..
    } = &mut forged
    {
        *new_account_count += 1;
    }
    let refused = s
        .execute(&op, &forged, &[])
        .err()
        .map(|x| last_line(&x.to_string()));
    println!(
        "    a forged batch (same proof, another account count): refused: {}",
        refused.as_deref().unwrap_or("ACCEPTED")
    );
    if refused.is_none() {
        return Err("a forged validity batch was accepted".into());
    }
    s.execute(&op, &batch.msg(), &[]).map_err(e)?;
    s.op.follow(&batch);
    let credited = s.credit_of(&grace);
    s.claim(&grace).map_err(e)?;
    println!(
        "    batch 1: erin pays frank 1.5, frank withdraws 2 to grace: final at once, \
         credited {} ZK to grace, who claims it: grace holds {} ZK",
        coins(credited),
        coins(s.balance_of(&s.addr("grace")))
    );
    // An operator that leaves frank's withdrawals out cannot keep his money: frank asks
    // on L1, and the next batches must serve the request (or exodus starts).
    s.request_exit(&frank, &kf, &frank, 1).map_err(e)?;
    s.submit(&op, 1, &[]).map_err(e)?;
    let exited = s.credit_of(&frank);
    s.claim(&frank).map_err(e)?;
    println!(
        "    frank requests a full exit on L1 (signed by his L2 key, bond 0.000001 ZK): \
         batch 2 must serve it, and credits him {} ZK (his whole L2 balance and the bond)",
        coins(exited)
    );
    if exited != 3_500_001 {
        return Err(format!("frank's exit credited {exited}, not 3500001"));
    }
    s.advance(3_600);
    let exit = s.exodus_msg(&ke, &erin);
    s.execute(&frank, &exit, &[]).map_err(e)?;
    let status = s.status();
    let sol = s.solvency();
    println!(
        "    no batch for an hour: exodus ({}); erin exits with her proven {} ZK (bank {} \
         ZK); contract holds what it owes: {}",
        status.exodus,
        coins(s.op.ledger.account(0).map(|a| a.balance).unwrap_or(0)),
        coins(s.balance_of(&s.addr("erin"))),
        sol.solvent && sol.denoms.iter().all(|d| d.held == d.owed)
    );
    if !(sol.solvent && sol.denoms.iter().all(|d| d.held == d.owed)) {
        return Err("the validity rollup does not reconcile".into());
    }
    Ok(())
}

fn last_line(s: &str) -> String {
    s.rsplit("error: ").next().unwrap_or(s).trim().to_string()
}
