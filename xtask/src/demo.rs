//! `cargo xtask demo`: the whole optimistic-rollup story on an embedded chain
//! (cw-multi-test), no external service. Users deposit real bank coins, sign L2
//! transfers with the core, a bonded proposer posts the batch, a second proposer posts a
//! fraudulent batch that a watcher challenges and removes with a fraud proof, the
//! challenge window passes, outputs finalize, withdrawals are proven and paid, and the
//! books reconcile.

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
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: u64) -> u64 {
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

pub fn run() -> Result<(), String> {
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
        batch.index,
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
    println!(
        "   the watcher gets {} {BOND_DENOM} (its bond + half the slash), the treasury {}",
        suite.balance(&watcher, BOND_DENOM) - slashed_before,
        suite.balance(&suite.addr("treasury"), BOND_DENOM)
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
    let l2_total = suite.node.ledger.total_balance();
    println!("\n8. solvency");
    println!(
        "   deposited {} - withdrawn {} = outstanding {} {DENOM}",
        coins(s.total_deposited.u128()),
        coins(s.total_withdrawn.u128()),
        coins(s.liabilities.deposits_outstanding.u128())
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
        && s.liabilities.deposits_outstanding.u128() == l2_total;
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
    Ok(())
}

fn last_line(s: &str) -> String {
    s.rsplit("error: ").next().unwrap_or(s).trim().to_string()
}
