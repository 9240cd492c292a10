//! The OPTIMIZED artifact (`artifacts/optimistic_rollup.wasm`, from `cargo xtask dist`) in
//! cosmwasm-vm: it passes the chain's static checks, runs the whole happy path, and plays
//! whole fraud-proof games (bisection, one-step proof, stakes, batch removal). The
//! payment-channels artifact (`artifacts/payment_channels.wasm`) passes the same checks and
//! runs a channel's whole life: cooperative close, stale close disputed by a watchtower,
//! settlement with the penalty, HTLCs claimed and refunded.

use cosmwasm_std::{Addr, Coin, Timestamp, Uint128, Uint256};
use optimistic_rollup::msg::{BatchResponse, BatchStatus, QueryMsg, WithdrawalStatus};
use optimistic_rollup::msg::{
    DepositTarget, GameMove, GamePhase, MoveCheckResponse, ProposerResponse, Side,
    WithdrawalStatusResponse,
};
use optimistic_rollup::ContractError;
use payment_channels::msg::ChannelPhase;
use payment_channels::ContractError as ChannelError;
use settle_core::batch::encode_batch;
use settle_core::channel::{payment_hash, ChannelDomain, ChannelState, Htlc, Party as CoreParty};
use settle_core::crypto::L2Key;
use settle_core::dispute::{max_moves, reward_split, OneStepProof, StepKind};
use settle_core::ledger::TxEffect;
use settle_core::Error as CoreError;
use settle_tests::scenario::user_keys;
use settle_tests::vm::{
    altered_root, bank_sends, read_artifact, static_check, ChannelParams, Harness, Refused,
    RollupParams, VmChannels, VmRollup,
};

const CONTRACT: &str = "optimistic-rollup";

/// `migrate` on the artifacts with state in flight (`migrate_...` tests).
#[path = "vm/migrate.rs"]
mod migrate;

/// Asserts a refusal carries `expected`'s message (errors reach us as strings in the VM).
fn assert_refused<T: std::fmt::Debug>(result: Result<T, Refused>, expected: ContractError) {
    let expected = expected.to_string();
    match result {
        Ok(v) => panic!("expected the contract to refuse with {expected:?}, it accepted: {v:?}"),
        Err(e) => {
            assert!(
                !e.vm_error,
                "the VM failed instead of the contract refusing: {e}"
            );
            assert!(
                e.error.contains(&expected),
                "expected refusal {expected:?}, got {:?}",
                e.error
            );
        }
    }
}

#[test]
fn artifact_passes_the_chains_static_checks() {
    let wasm = read_artifact(CONTRACT).unwrap_or_else(|e| panic!("{e}"));
    if let Err(e) = static_check(&wasm) {
        if e.contains("bulk memory") {
            panic!(
                "the artifact still has bulk-memory instructions (wasm-opt lowering missing?): {e}"
            );
        }
        panic!("static check failed: {e}");
    }
    let h = Harness::load(CONTRACT);
    assert_eq!(h.wasm_bytes, wasm.len());
    // The optimistic rollup needs nothing beyond what every CosmWasm chain offers, so
    // it deploys on chains still running wasmvm 1.x.
    let caps = h.required_capabilities();
    assert_eq!(caps, vec!["iterator".to_string()], "{caps:?}");
}

/// The payment-channels artifact passes the chain's checks and instantiates (its whole
/// lifecycle: `payment_channels_lifecycle_on_the_optimized_artifact`).
#[test]
fn payment_channels_artifact_passes_the_chains_static_checks() {
    let wasm = read_artifact("payment-channels").unwrap_or_else(|e| panic!("{e}"));
    static_check(&wasm).unwrap_or_else(|e| panic!("static check failed: {e}"));
    let mut h = Harness::load("payment-channels");
    let caps = h.required_capabilities();
    assert_eq!(caps, vec!["iterator".to_string()], "{caps:?}");
    let admin = h.addr("admin");
    let info = h.info(&admin, &[]);
    let done = h
        .instantiate(
            &info,
            &payment_channels::msg::InstantiateMsg {
                penalty_share_bps: None,
                watchtower_fee_bps: 1_000,
                max_dispute_window: 86_400,
            },
        )
        .unwrap_or_else(|e| panic!("instantiate: {e}"));
    assert!(done.gas.cosmwasm_gas > 0);
}

#[test]
fn happy_path_on_the_optimized_artifact() {
    let (mut r, inst) = VmRollup::deploy(RollupParams::default());
    assert!(inst.gas.cosmwasm_gas > 0 && inst.gas.kv_gas > 0);
    let (alice, bob, carol) = (r.h.addr("alice"), r.h.addr("bob"), r.h.addr("carol"));
    let proposer = r.proposer.clone();
    let (ka, kb) = user_keys();
    let (denom, bond_denom) = (r.params.denom.clone(), r.params.bond_denom.clone());

    let bonded = r.bond_proposer().unwrap();
    assert!(bonded.gas.sdk_gas > bonded.gas.kv_gas);
    let p: ProposerResponse = r.h.query(&QueryMsg::Proposer {
        address: proposer.to_string(),
    });
    assert!(p.bonded);

    let d0 = r.deposit_new_account(&alice, &ka, 600).unwrap();
    r.deposit_new_account(&bob, &kb, 300).unwrap();
    // opening an account checks the key with the host's secp256k1 (real crypto in the VM)
    assert!(d0.gas.cosmwasm_gas > 10_000_000, "{:?}", d0.gas);
    // x = 2^256 - 1 is not a field element: no point has it
    let mut off_curve = vec![0xff; 33];
    off_curve[0] = 0x02;
    assert_refused(
        r.deposit(
            &alice,
            DepositTarget::NewAccount {
                pubkey: off_curve.into(),
            },
            1,
        ),
        ContractError::InvalidPubkey {
            reason: "not a compressed secp256k1 point".into(),
        },
    );

    // L2: accounts 0 (alice) and 1 (bob) are opened by the deposits of this batch.
    let txs = vec![
        r.transfer(&ka, 0, 1, 100, 0),
        r.transfer(&kb, 1, 0, 50, 0),
        r.withdrawal(&ka, 0, &carol, 200, 1),
        r.withdrawal(&kb, 1, &bob, 150, 1),
    ];
    let data = encode_batch(&txs);
    let (proposal, _) = r.propose(data.clone()).unwrap();
    assert_eq!(proposal.deposits_consumed, 2);
    let applied = r.node.batch(0).unwrap();
    assert!(applied
        .tx_effects
        .iter()
        .all(|e| !matches!(e, TxEffect::NoOp(_))));
    let batch: BatchResponse = r.h.query(&QueryMsg::Batch { batch: 0 });
    assert_eq!(batch.status, BatchStatus::Proposed);
    assert_eq!(batch.tx_steps, 4);
    assert_eq!(batch.data_bytes as usize, data.len());
    assert_eq!(
        batch.output_root.as_slice(),
        proposal.output_root.as_slice()
    );
    assert_eq!(
        batch.data_root.as_slice(),
        settle_core::batch::data_root(&data).as_slice()
    );

    // Refused before finality, and the refusal changes nothing.
    assert_refused(
        r.withdraw(&carol, 0, 0),
        ContractError::NotFinal { index: 0 },
    );
    assert_refused(
        r.finalize(0),
        ContractError::WindowOpen {
            index: 0,
            finalizes_at: batch.finalizes_at,
        },
    );
    assert_refused(r.unbond(&proposer), ContractError::BondLocked { batch: 0 });

    r.a_challenge_window_passes();
    r.finalize(0).unwrap();
    let batch: BatchResponse = r.h.query(&QueryMsg::Batch { batch: 0 });
    assert_eq!(batch.status, BatchStatus::Finalized);

    // Anyone may submit the proof; the money goes to the recipient named on L2.
    let relayer = r.h.addr("relayer");
    let paid = r.withdraw(&relayer, 0, 0).unwrap();
    assert_eq!(
        bank_sends(&paid.response),
        vec![(carol.to_string(), vec![Coin::new(200u128, denom.clone())])]
    );
    let paid_bob = r.withdraw(&bob, 0, 1).unwrap();
    assert_eq!(
        bank_sends(&paid_bob.response),
        vec![(bob.to_string(), vec![Coin::new(150u128, denom.clone())])]
    );
    assert_refused(
        r.withdraw(&relayer, 0, 0),
        ContractError::AlreadyPaid { batch: 0, index: 0 },
    );
    let st: WithdrawalStatusResponse =
        r.h.query(&QueryMsg::WithdrawalStatus { batch: 0, index: 0 });
    assert!(
        matches!(st.status, WithdrawalStatus::Paid { ref recipient, amount, .. }
        if *recipient == carol && amount == Uint128::new(200))
    );

    // Solvency: the querier reports what the bank would hold for the contract.
    let s = r.solvency();
    assert!(!s.solvent, "nothing held yet: {s:?}");
    // 900 deposited - 350 withdrawn in the value denom; the 1,000 bond in the bond denom.
    let expected = vec![
        Coin::new(550u128, denom.clone()),
        Coin::new(1_000u128, bond_denom.clone()),
    ];
    assert_eq!(r.held.get(&denom), Some(&550));
    assert_eq!(r.held.get(&bond_denom), Some(&1_000));
    r.h.set_contract_balance(expected);
    let s = r.solvency();
    let s_status = r.status();
    assert!(s.solvent, "{s:?}");
    assert_eq!(s_status.total_deposited, Uint128::new(900));
    assert_eq!(s_status.total_withdrawn, Uint128::new(350));
    assert_eq!(s_status.liabilities.deposits_outstanding, Uint128::new(550));
    assert_eq!(s_status.liabilities.bonds, Uint128::new(1_000));
    for d in &s.denoms {
        assert_eq!(d.held, d.owed, "{} does not reconcile: {s:?}", d.denom);
    }
    assert_eq!(r.node.ledger.total_balance(), 550);

    // The proposer's batches are final: the bond comes back in full.
    let unbonded = r.unbond(&proposer).unwrap();
    assert_eq!(
        bank_sends(&unbonded.response),
        vec![(
            proposer.to_string(),
            vec![Coin::new(1_000u128, bond_denom.clone())]
        )]
    );
    r.sync_bank();
    let s = r.solvency();
    let s_status = r.status();
    assert!(s.solvent && s_status.liabilities.bonds.is_zero(), "{s:?}");
    for d in &s.denoms {
        assert_eq!(d.held, d.owed, "{} does not reconcile: {s:?}", d.denom);
    }
}

#[test]
fn a_refused_call_leaves_no_trace_and_still_costs_gas() {
    let (mut r, _) = VmRollup::deploy(RollupParams::default());
    let alice = r.h.addr("alice");
    let (ka, _) = user_keys();
    // wrong denom: refused by the contract before any write
    let wrong = Coin::new(5u128, "uatom");
    let e = r
        .execute(
            &alice,
            &optimistic_rollup::msg::ExecuteMsg::Deposit {
                target: DepositTarget::NewAccount {
                    pubkey: ka.public_key().to_vec().into(),
                },
            },
            &[wrong],
        )
        .unwrap_err();
    assert!(!e.vm_error && e.gas.cosmwasm_gas > 0, "{e:?}");
    assert!(r.held.is_empty());
    let status: optimistic_rollup::msg::StatusResponse = r.h.query(&QueryMsg::Status {});
    assert_eq!(status.deposit_count, 0);
    r.deposit_new_account(&alice, &ka, 10).unwrap();
    let status: optimistic_rollup::msg::StatusResponse = r.h.query(&QueryMsg::Status {});
    assert_eq!(status.deposit_count, 1);
}

/// Every denom's bank balance (as the harness tracks it) equals what the contract owes.
fn assert_reconciles(r: &mut VmRollup) -> optimistic_rollup::msg::SolvencyResponse {
    r.sync_bank();
    let s = r.solvency();
    assert!(s.solvent, "{s:?}");
    for d in &s.denoms {
        assert_eq!(d.held, d.owed, "{} does not reconcile: {s:?}", d.denom);
    }
    s
}

fn ustake(r: &VmRollup, amount: u128) -> Vec<Coin> {
    vec![Coin::new(amount, r.params.bond_denom.clone())]
}

/// Opens `n` L2 accounts (one deposit of 10,000 each) and returns their keys and L1
/// depositors.
fn open_accounts(r: &mut VmRollup, n: usize, label: &str) -> (Vec<L2Key>, Vec<Addr>) {
    let keys: Vec<L2Key> = (0..n)
        .map(|i| L2Key::from_label(&format!("{label}-key-{i}")))
        .collect();
    let users: Vec<Addr> = (0..n).map(|i| r.h.addr(&format!("{label}-{i}"))).collect();
    for (user, key) in users.iter().zip(&keys) {
        r.deposit_new_account(user, key, 10_000).unwrap();
    }
    (keys, users)
}

#[test]
fn a_fraudulent_batch_loses_its_game_on_the_optimized_artifact() {
    let (mut r, _) = VmRollup::deploy(RollupParams::default());
    let (denom, bond_denom) = (r.params.denom.clone(), r.params.bond_denom.clone());
    let proposer = r.proposer.clone();
    let watcher = r.h.addr("watcher");
    let stranger = r.h.addr("stranger");
    let carol = r.h.addr("carol");
    let treasury = Addr::unchecked(r.params.treasury.clone());
    r.bond_proposer().unwrap();

    // Batch 0 (honest) opens accounts 0..3.
    let (mut keys, mut users) = open_accounts(&mut r, 3, "game");
    r.propose(Vec::new()).unwrap();
    // Batch 1 opens account 3 by a deposit, then 20 transfers and a withdrawal to carol.
    let (k3, u3) = open_accounts(&mut r, 1, "late");
    keys.extend(k3);
    users.extend(u3);
    let mut nonces = [0u64; 4];
    let mut txs = Vec::new();
    for i in 0..20usize {
        let (from, to) = (i % 4, (i + 1) % 4);
        txs.push(r.transfer(
            &keys[from],
            from as u32,
            to as u32,
            10 + i as u128,
            nonces[from],
        ));
        nonces[from] += 1;
    }
    txs.push(r.withdrawal(&keys[0], 0, &carol, 1_000, nonces[0]));
    let data = encode_batch(&txs);

    // The proposer lies about the output root; the node still applies the batch honestly.
    let truth = r.preview(data.clone());
    let lie = altered_root(&truth.output_root);
    let (proposal, _) = r.propose_with_root(data.clone(), lie).unwrap();
    assert_eq!(proposal.index, 1);
    assert_eq!(proposal.output_root, truth.output_root);
    assert_eq!(r.posted_roots[1], lie);
    let stored: BatchResponse = r.h.query(&QueryMsg::Batch { batch: 1 });
    assert_eq!(stored.output_root.as_slice(), lie.as_slice());
    // a watcher that replays the batch sees the lie; the withdrawal claim is ready early
    let roots = r.true_roots(1);
    let n = roots.len() as u64 - 1;
    assert_eq!(
        n,
        1 + 1 + 21 + 1,
        "open, one deposit, 21 transactions, close"
    );
    assert_eq!(roots[n as usize], truth.output_root);
    assert_ne!(roots[n as usize], lie);
    let claim = r.withdraw_msg(&r.withdrawal_proof(1, 0));

    // The challenge: exactly the challenger bond, inside the window.
    assert_refused(
        r.execute(
            &watcher,
            &optimistic_rollup::msg::ExecuteMsg::Challenge { batch: 1 },
            &ustake(&r, 499),
        ),
        ContractError::WrongChallengerBond {
            sent: Uint128::new(499),
            required: Uint128::new(500),
        },
    );
    let (id, opened) = r.challenge(&watcher, 1).unwrap();
    assert!(bank_sends(&opened.response).is_empty());
    let g = r.game(id);
    assert_eq!((g.batch, g.steps, g.lo, g.hi), (1, n, 0, n));
    assert_eq!(g.defender, proposer);
    assert_eq!(g.challenger, watcher);
    assert_eq!(g.bond, Uint128::new(500));
    assert_eq!(
        g.lo_root.as_slice(),
        roots[0].as_slice(),
        "batch 0's output root"
    );
    assert_eq!(g.hi_root.as_slice(), lie.as_slice());
    assert_eq!(g.phase, GamePhase::Bisect { position: n / 2 });
    let stored: BatchResponse = r.h.query(&QueryMsg::Batch { batch: 1 });
    assert_eq!(stored.open_games, 1);
    // only the defender bisects
    assert_refused(
        r.bisect(&stranger, id, n / 2, roots[(n / 2) as usize]),
        ContractError::NotPlayer {
            id,
            side: "defender",
            sender: stranger.to_string(),
        },
    );

    // The liar defends with the true roots before position k and altered ones from k on
    // (consistent with its posted root at n); the honest challenger agrees exactly with
    // the true roots.
    let k = 12u64;
    let liar = |p: u64| {
        let t = roots[p as usize];
        if p < k {
            t
        } else {
            altered_root(&t)
        }
    };
    let played = r
        .play_bisection(id, liar, |p, root| roots[p as usize] == *root)
        .unwrap();
    let step = played.step;
    assert_eq!(step, k - 1, "the first lie is at position k");
    assert_eq!(
        r.node.batch_context(1).unwrap().step_kind(step),
        Ok(StepKind::Tx { index: 9 })
    );
    let g = r.game(id);
    assert_eq!(g.phase, GamePhase::OneStep { step });
    assert_eq!(g.moves as usize, played.moves());
    assert_eq!(played.bisects.len(), played.chooses.len());
    assert!(
        played.moves() <= max_moves(n) as usize,
        "{} moves",
        played.moves()
    );
    assert!(played
        .bisects
        .iter()
        .chain(&played.chooses)
        .all(|m| bank_sends(&m.response).is_empty()));

    // The one-step proof: a dry run says what it does, then anyone sends it.
    let proof = r.step_proof(1, step);
    assert!(matches!(proof, OneStepProof::Tx { .. }));
    let bytes = proof.encode();
    let check: MoveCheckResponse = r.h.query(&QueryMsg::CheckMove {
        game: id,
        sender: stranger.to_string(),
        game_move: GameMove::ProveStep {
            step,
            proof: bytes.clone().into(),
        },
    });
    assert!(check.valid, "{check:?}");
    assert_eq!(
        check.outcome,
        Some(optimistic_rollup::msg::MoveOutcome::Wins {
            winner: optimistic_rollup::msg::Side::Challenger,
            by: optimistic_rollup::msg::Resolution::Proof,
        })
    );
    // a proof of another step proves nothing here
    let wrong = r.step_proof(1, step + 1).encode();
    assert!(r.prove_step(&stranger, id, step + 1, wrong).is_err());
    let held_stake = r.held[&bond_denom];
    assert_eq!(held_stake, 1_000 + 500);
    let proven = r.prove_step(&watcher, id, step, bytes).unwrap();

    // The stakes: the proposer's bond slashed, half of it plus the challenger's own bond
    // to the challenger, the rest credited to the treasury (which claims it: pull).
    let (reward, rest) = reward_split(1_000, r.params.reward_bps).unwrap();
    assert_eq!((reward, rest), (500, 500));
    assert_eq!(
        bank_sends(&proven.response),
        vec![(watcher.to_string(), ustake(&r, 500 + reward))]
    );
    assert_eq!(r.held[&bond_denom], rest);
    let claimed = r.claim(&treasury).unwrap();
    assert_eq!(
        bank_sends(&claimed.response),
        vec![(treasury.to_string(), ustake(&r, rest))]
    );
    assert_eq!(r.held[&bond_denom], 0);
    assert!(r.claim(&treasury).is_err(), "a credit pays once");
    let g = r.game(id);
    assert_eq!(
        g.phase,
        GamePhase::Resolved {
            winner: Side::Challenger,
            reason: optimistic_rollup::msg::Resolution::Proof
        }
    );
    assert_eq!(g.clock_runs_out_at, None);
    let p: ProposerResponse = r.h.query(&QueryMsg::Proposer {
        address: proposer.to_string(),
    });
    assert!(p.bond.is_zero() && !p.bonded, "{p:?}");
    // nothing moves once decided
    let again = r.resolve_game(&stranger, id).unwrap_err();
    assert!(!again.vm_error, "{again}");

    // The batch (and every later one) is gone: the chain and the node roll back.
    let status = r.status();
    assert_eq!(status.next_batch, 1);
    assert_eq!(
        status.deposit_cursor, 3,
        "batch 1's deposit is pending again"
    );
    assert_eq!(status.deposit_count, 4);
    let e = r.h.query_raw(&QueryMsg::Batch { batch: 1 }).unwrap_err();
    assert!(
        e.error
            .contains(&ContractError::NoSuchBatch { index: 1 }.to_string()),
        "{e}"
    );
    assert_eq!(r.node.batch_count(), 1);
    assert_eq!(r.posted_roots.len(), 1);
    assert_eq!(r.node.pending_deposits().len(), 1);

    // Solvency reconciles with what the bank holds after the payouts.
    let s = assert_reconciles(&mut r);
    let s_status = r.status();
    assert!(
        s_status.liabilities.bonds.is_zero() && s_status.liabilities.challenger_bonds.is_zero(),
        "{s:?}"
    );
    assert_eq!(
        s_status.liabilities.deposits_outstanding,
        Uint128::new(40_000)
    );
    assert_eq!(r.held.get(&denom), Some(&40_000));

    // The withdrawal of the removed batch is refused, even after its window.
    r.a_challenge_window_passes();
    assert_refused(r.finalize(1), ContractError::NoSuchBatch { index: 1 });
    assert_refused(
        r.execute(&carol, &claim, &[]),
        ContractError::NoSuchBatch { index: 1 },
    );
    r.finalize(0).unwrap();

    // The chain goes on: an honest proposal of the same data takes index 1 again, and
    // the same withdrawal pays once it is final.
    r.bond_proposer().unwrap();
    let (again, _) = r.propose(data).unwrap();
    assert_eq!((again.index, again.output_root), (1, truth.output_root));
    assert_refused(
        r.execute(&carol, &claim, &[]),
        ContractError::NotFinal { index: 1 },
    );
    r.a_challenge_window_passes();
    r.finalize(1).unwrap();
    let paid = r.execute(&carol, &claim, &[]).unwrap();
    assert_eq!(
        bank_sends(&paid.response),
        vec![(carol.to_string(), vec![Coin::new(1_000u128, denom.clone())])]
    );
    assert_reconciles(&mut r);
    let s_status = r.status();
    assert_eq!(s_status.liabilities.bonds, Uint128::new(1_000));
    assert_eq!(r.node.ledger.total_balance(), 39_000);
}

#[test]
fn an_honest_proposer_beats_a_lying_challenger_on_the_optimized_artifact() {
    let (mut r, _) = VmRollup::deploy(RollupParams::default());
    let proposer = r.proposer.clone();
    let griefer = r.h.addr("griefer");
    let relayer = r.h.addr("relayer");
    r.bond_proposer().unwrap();
    let (keys, _) = open_accounts(&mut r, 2, "honest");
    r.propose(Vec::new()).unwrap();
    let txs = vec![
        r.transfer(&keys[0], 0, 1, 100, 0),
        r.transfer(&keys[1], 1, 0, 40, 0),
    ];
    let (proposal, _) = r.propose(encode_batch(&txs)).unwrap();
    let roots = r.true_roots(1);
    assert_eq!(roots.last(), Some(&proposal.output_root));
    let n = roots.len() as u64 - 1;
    assert_eq!(n, 4);

    // The griefer disputes a true root and then disagrees with every true root the
    // defender posts: the game narrows to the open step.
    let (id, _) = r.challenge(&griefer, 1).unwrap();
    let played = r
        .play_bisection(id, |p| roots[p as usize], |_, _| false)
        .unwrap();
    assert_eq!(played.step, 0);
    assert_eq!(played.moves(), 4, "a short game: 2 bisections, 2 choices");
    let proof = r.step_proof(1, 0);
    assert!(
        matches!(proof, OneStepProof::Open { parent: Some(_) }),
        "batch 1 opens from batch 0's output: {proof:?}"
    );
    // the defender proves the step: it yields its own root, so the defender wins
    let won = r.prove_step(&proposer, id, 0, proof.encode()).unwrap();
    assert_eq!(
        bank_sends(&won.response),
        vec![(proposer.to_string(), ustake(&r, 500))]
    );
    let g = r.game(id);
    assert_eq!(
        g.phase,
        GamePhase::Resolved {
            winner: Side::Defender,
            reason: optimistic_rollup::msg::Resolution::Proof
        }
    );
    let status = r.status();
    assert_eq!(status.next_batch, 2, "nothing removed");
    let stored: BatchResponse = r.h.query(&QueryMsg::Batch { batch: 1 });
    assert_eq!(stored.open_games, 0);
    let p: ProposerResponse = r.h.query(&QueryMsg::Proposer {
        address: proposer.to_string(),
    });
    assert_eq!(p.bond, Uint128::new(1_000));
    assert_reconciles(&mut r);
    let s_status = r.status();
    assert!(s_status.liabilities.challenger_bonds.is_zero());

    // A challenger that stops answering loses on time.
    let (id, _) = r.challenge(&griefer, 1).unwrap();
    let g = r.game(id);
    let GamePhase::Bisect { position } = g.phase else {
        panic!("{g:?}")
    };
    r.h.advance(5);
    r.bisect(&proposer, id, position, roots[position as usize])
        .unwrap();
    let g = r.game(id);
    assert!(matches!(g.phase, GamePhase::Choose { .. }), "{g:?}");
    let deadline = Timestamp::from_seconds(g.clock_runs_out_at.expect("a running clock"));
    let early = r.resolve_game(&relayer, id).unwrap_err();
    assert!(
        !early.vm_error && early.error.contains("challenger"),
        "{early}"
    );
    r.h.env.block.time = deadline;
    let timed_out = r.resolve_game(&relayer, id).unwrap();
    assert_eq!(
        bank_sends(&timed_out.response),
        vec![(proposer.to_string(), ustake(&r, 500))]
    );
    assert_eq!(
        r.game(id).phase,
        GamePhase::Resolved {
            winner: Side::Defender,
            reason: optimistic_rollup::msg::Resolution::Timeout
        }
    );
    assert_eq!(r.node.batch_count(), 2);

    // Both batches finalize; the proposer's bond and the two forfeited bonds reconcile.
    r.a_challenge_window_passes();
    r.finalize(0).unwrap();
    r.finalize(1).unwrap();
    assert_eq!(r.held[&r.params.bond_denom], 1_000);
    assert_reconciles(&mut r);
}

/// Asserts a refusal by the contract (not the VM) whose message contains `expected`.
fn assert_refused_with<T: std::fmt::Debug>(
    result: Result<T, Refused>,
    expected: impl std::fmt::Display,
) -> Refused {
    let expected = expected.to_string();
    match result {
        Ok(v) => panic!("expected the contract to refuse with {expected:?}, it accepted: {v:?}"),
        Err(e) => {
            assert!(
                !e.vm_error,
                "the VM failed instead of the contract refusing: {e}"
            );
            assert!(
                e.error.contains(&expected),
                "expected refusal {expected:?}, got {:?}",
                e.error
            );
            e
        }
    }
}

/// The channels' bank balance (as the harness tracks it) equals what they owe, per denom.
fn assert_channels_reconcile(c: &mut VmChannels) -> payment_channels::msg::SolvencyResponse {
    c.sync_bank();
    let s = c.solvency();
    assert!(s.solvent, "{s:?}");
    for d in &s.denoms {
        assert_eq!(
            d.held,
            Uint256::from(c.held.get(&d.denom).copied().unwrap_or(0)),
            "{s:?}"
        );
        assert_eq!(d.held, d.owed, "{} does not reconcile: {s:?}", d.denom);
    }
    s
}

fn coins(denom: &str, amount: u128) -> Vec<Coin> {
    vec![Coin::new(amount, denom)]
}

/// The payment-channels artifact runs every path of a channel's life in cosmwasm-vm: open,
/// join (a forged join refused) and fund; a cooperative close; a unilateral close with a
/// revoked state that the wronged party's authorised watchtower disputes with a newer state
/// carrying two HTLCs and the closer's revocation, settled after the window with the stale
/// closer's balance forfeited and the watchtower paid its fee; one HTLC claimed by its
/// payee with the revealed preimage, the other refunded after its timeout; a forged
/// signature refused without a trace; the books reconcile with the bank at every stage.
#[test]
fn payment_channels_lifecycle_on_the_optimized_artifact() {
    const WINDOW: u64 = 600;
    let (mut c, inst) = VmChannels::deploy(ChannelParams::default());
    assert!(inst.gas.cosmwasm_gas > 0 && inst.gas.kv_gas > 0);
    let denom = c.params.denom.clone();
    let (alice, bob, tower, anyone) = (
        c.h.addr("alice"),
        c.h.addr("bob"),
        c.h.addr("tower"),
        c.h.addr("anyone"),
    );
    let (ka, kb) = (
        L2Key::from_label("vm-chan-a"),
        L2Key::from_label("vm-chan-b"),
    );
    let config = c.config();
    assert_eq!(config.watchtower_fee_bps, 1_000);
    assert_eq!(config.penalty_share_bps, 10_000);
    assert_eq!(
        c.domain,
        ChannelDomain::new(&c.h.env.block.chain_id, c.h.contract_addr().as_str()),
        "the domain binds the chain id and the contract address"
    );

    // Channel 0: proposed, joined by bob (a forged join refused), funded, then a
    // cooperative close.
    let (ch0, opened) = c.propose(&alice, &bob, &ka, &kb, 1_000, WINDOW).unwrap();
    assert_eq!(ch0, 0);
    // both keys checked by the host's secp256k1 (real crypto in the VM)
    assert!(opened.gas.cosmwasm_gas > 0, "{:?}", opened.gas);
    assert!(matches!(
        c.channel(ch0).phase,
        ChannelPhase::Proposed { .. }
    ));
    assert_refused_with(
        c.join(&bob, ch0, &ka, &L2Key::from_label("not-bobs"), 0),
        CoreError::BadJoinSignature,
    );
    c.join(&bob, ch0, &ka, &kb, 0).unwrap();
    c.fund(&bob, ch0, 500).unwrap();
    let ch = c.channel(ch0);
    assert_eq!((ch.funded_a.u128(), ch.funded_b.u128()), (1_000, 500));
    assert_eq!(ch.phase, ChannelPhase::Open {});
    assert_channels_reconcile(&mut c);
    let fin = ChannelState {
        channel_id: ch0,
        version: 9,
        funded: [1_000, 500],
        balances: [700, 800],
        htlcs: vec![],
        is_final: true,
    };
    let done = c
        .cooperative_close(&anyone, ch0, c.sign(&ka, &kb, &fin))
        .unwrap();
    assert_eq!(
        bank_sends(&done.response),
        vec![
            (alice.to_string(), coins(&denom, 700)),
            (bob.to_string(), coins(&denom, 800)),
        ]
    );
    assert_eq!(c.channel(ch0).phase, ChannelPhase::Closed {});
    assert_channels_reconcile(&mut c);

    // Channel 1: alice 2,000, bob 1,000.
    let (ch1, _) = c.open(&alice, &bob, &ka, &kb, 2_000, WINDOW).unwrap();
    assert_eq!(ch1, 1);
    c.fund(&bob, ch1, 1_000).unwrap();
    let s = assert_channels_reconcile(&mut c);
    assert_eq!(s.denoms[0].owed, Uint256::from(3_000u128));
    let now = c.h.env.block.time.seconds();
    let preimage = [42u8; 32];
    let timeout = now + 10_000;
    // version 3: alice still had 2,500
    let stale = ChannelState {
        channel_id: ch1,
        version: 3,
        funded: [2_000, 1_000],
        balances: [2_500, 500],
        htlcs: vec![],
        is_final: false,
    };
    // version 4: alice 1,800, bob 900, alice pays bob 200 against the preimage and bob
    // pays alice 100 against a hash nobody reveals
    let newer = ChannelState {
        version: 4,
        balances: [1_800, 900],
        htlcs: vec![
            Htlc {
                amount: 200,
                payment_hash: payment_hash(&preimage).unwrap(),
                timeout,
                payer: CoreParty::A,
            },
            Htlc {
                amount: 100,
                payment_hash: [9; 32],
                timeout,
                payer: CoreParty::B,
            },
        ],
        ..stale.clone()
    };

    // A forged close (bob's signature in alice's place) is refused and changes nothing.
    let before = c.h.storage_snapshot();
    let held_before = c.held.clone();
    let mut forged = c.sign(&ka, &kb, &stale);
    forged.signature_a = forged.signature_b.clone();
    let e = assert_refused_with(
        c.close(&alice, ch1, forged),
        CoreError::BadStateSignature {
            party: CoreParty::A,
        },
    );
    assert!(e.gas.cosmwasm_gas > 0, "a refused call still costs gas");
    assert_eq!(
        c.h.storage_snapshot(),
        before,
        "the refusal changed storage"
    );
    assert_eq!(c.held, held_before);
    assert_eq!(c.channel(ch1).phase, ChannelPhase::Open {});

    // alice got version 4 with both signatures, revoked version 3, and closes with it
    c.close(&alice, ch1, c.sign(&ka, &kb, &stale)).unwrap();
    let deadline = match c.channel(ch1).phase {
        ChannelPhase::Closing {
            closer,
            version,
            closed_version,
            dispute_ends_at,
            stale,
            watchtower,
        } => {
            assert_eq!(
                (closer, version, closed_version, stale, watchtower),
                (payment_channels::msg::Party::A, 3, 3, false, None)
            );
            dispute_ends_at
        }
        other => panic!("closing, not {other:?}"),
    };
    let signed_newer = c.sign(&ka, &kb, &newer);
    let revocation = c.revoke(&ka, ch1, 3);
    let auth = c.authorise(&kb, ch1, &tower);
    let dry = c.check_close(
        &tower,
        ch1,
        Some(signed_newer.clone()),
        Some(revocation.clone()),
        Some(auth.clone()),
    );
    assert!(dry.valid, "{dry:?}");
    // bob's watchtower posts version 4 and alice's revocation of version 3
    let disputed = c
        .dispute(
            &tower,
            ch1,
            Some(signed_newer),
            Some(revocation),
            Some(auth),
        )
        .unwrap();
    assert!(bank_sends(&disputed.response).is_empty());
    match c.channel(ch1).phase {
        ChannelPhase::Closing {
            version,
            stale,
            watchtower,
            ..
        } => assert_eq!((version, stale, watchtower), (4, true, Some(tower.clone()))),
        other => panic!("closing, not {other:?}"),
    }
    assert_refused_with(
        c.settle(&anyone, ch1),
        ChannelError::WindowOpen { id: ch1, deadline },
    );

    // After the window: alice's 1,800 is forfeited, 10% of it to the watchtower; the
    // HTLCs' 300 stay held.
    c.h.advance(WINDOW);
    let settled = c.settle(&anyone, ch1).unwrap();
    assert_eq!(
        bank_sends(&settled.response),
        vec![
            (bob.to_string(), coins(&denom, 900 + 1_800 - 180)),
            (tower.to_string(), coins(&denom, 180)),
        ],
        "nothing for the stale closer, the forfeit to bob, the fee to the watchtower"
    );
    assert_eq!(
        c.channel(ch1).phase,
        ChannelPhase::Settled {
            version: 4,
            htlcs_paid: vec![false, false]
        }
    );
    let s = assert_channels_reconcile(&mut c);
    assert_eq!(s.denoms[0].owed, Uint256::from(300u128));

    // bob reveals the preimage before the timeout and claims HTLC 0
    let hash = payment_hash(&preimage).unwrap();
    assert_eq!(c.preimage(&hash).revealed_at, None);
    c.reveal_preimage(&bob, &preimage).unwrap();
    // recorded in whole seconds
    assert_eq!(
        c.preimage(&hash).revealed_at,
        Some(c.h.env.block.time.seconds())
    );
    let claimed = c.settle_htlc(&bob, ch1, 0).unwrap();
    assert_eq!(
        bank_sends(&claimed.response),
        vec![(bob.to_string(), coins(&denom, 200))]
    );
    assert_refused_with(
        c.settle_htlc(&anyone, ch1, 0),
        ChannelError::HtlcPaid { id: ch1, index: 0 },
    );
    assert_refused_with(
        c.settle_htlc(&anyone, ch1, 1),
        ChannelError::HtlcPending {
            id: ch1,
            index: 1,
            timeout,
        },
    );
    // HTLC 1 times out: back to its payer, bob
    c.h.env.block.time = Timestamp::from_seconds(timeout);
    let refunded = c.settle_htlc(&anyone, ch1, 1).unwrap();
    assert_eq!(
        bank_sends(&refunded.response),
        vec![(bob.to_string(), coins(&denom, 100))]
    );
    assert_eq!(c.channel(ch1).phase, ChannelPhase::Closed {});

    // Everything paid: 4,500 in, 1,500 + 2,700 + 300 out.
    let s = assert_channels_reconcile(&mut c);
    assert_eq!(c.held.get(&denom).copied(), Some(0));
    assert_eq!(s.denoms.len(), 1);
    assert!(s.denoms[0].owed.is_zero() && s.denoms[0].surplus.is_zero());
    assert_eq!(c.channels().channels.len(), 2);
}

/// The validity-rollup artifact passes the chain's checks (it needs `cosmwasm_2_1` for the
/// BLS12-381 host functions) and runs a rollup's life with real Groth16 proofs: deposits,
/// a batch opening the accounts, a batch paying a withdrawal, a tampered proof and a
/// replayed batch refused without a trace, and exodus (an exit paid once).
#[test]
fn validity_rollup_lifecycle_on_the_optimized_artifact() {
    use settle_core::validity::eddsa::SecretKey;
    use settle_core::validity::ledger::Shape;
    use settle_tests::vm::VmValidity;
    use validity_rollup::msg as vr;

    let wasm = read_artifact("validity-rollup").unwrap_or_else(|e| panic!("{e}"));
    static_check(&wasm).unwrap_or_else(|e| panic!("static check failed: {e}"));
    let (mut v, _) = VmValidity::deploy(
        Shape {
            deposits: 2,
            txs: 2,
        },
        3_600,
    );
    // The BLS12-381 host functions came with wasmvm 2.1 (`cosmwasm_2_1` implies the
    // earlier `cosmwasm_1_x` / `2_0` markers); nothing newer is needed.
    let caps = v.h.required_capabilities();
    assert!(caps.contains(&"cosmwasm_2_1".to_string()), "{caps:?}");
    assert!(
        !caps
            .iter()
            .any(|c| c == "cosmwasm_2_2" || c.starts_with("cosmwasm_3")),
        "{caps:?}"
    );
    let (alice, bob, carol, op) = (
        v.h.addr("alice"),
        v.h.addr("bob"),
        v.h.addr("carol"),
        v.h.addr("operator"),
    );
    let (ka, kb) = (
        SecretKey::from_seed(&[1; 32]),
        SecretKey::from_seed(&[2; 32]),
    );
    v.deposit_new_account(&alice, &ka, 600).unwrap();
    v.deposit_new_account(&bob, &kb, 400).unwrap();
    let open = v.op.prove(2, &[]).unwrap();
    v.submit(&op, &open).unwrap();

    let pay = v.op.transfer(&ka, 1, 250);
    let out = v.op.withdrawal(&kb, v.h.canonical(&carol), 500);
    let batch = v.op.prove(0, &[pay, out]).unwrap();

    // A flipped bit in C: refused by the contract (not the VM), storage untouched.
    let before = v.h.storage_snapshot();
    let mut bad = batch.clone();
    bad.proof[191] ^= 1;
    let e = assert_refused_with(v.execute(&op, &bad.msg(), &[]), "");
    assert!(
        e.error.contains("proof point c") || e.error.contains("proof rejected"),
        "{}",
        e.error
    );
    assert_eq!(v.h.storage_snapshot(), before);

    // The withdrawal is credited to carol (no bank send in the batch); she claims it.
    let done = v.submit(&op, &batch).unwrap();
    assert_eq!(bank_sends(&done.response), vec![]);
    assert_eq!(v.held["uzk"], 1_000);
    let done = v.execute(&carol, &vr::ExecuteMsg::Claim {}, &[]).unwrap();
    assert_eq!(
        bank_sends(&done.response),
        vec![(carol.to_string(), coins("uzk", 500))]
    );
    assert_eq!(v.held["uzk"], 500);
    // The same batch again: its statement no longer matches the chain.
    let before = v.h.storage_snapshot();
    assert_refused_with(v.execute(&op, &batch.msg(), &[]), "proof rejected");
    assert_eq!(v.h.storage_snapshot(), before);
    let status: vr::StatusResponse = v.h.query(&vr::QueryMsg::Status {});
    assert_eq!(status.batches, 2);
    assert_eq!(status.locked, Uint128::new(500));

    // An L1 exit request (V1): bob's key signs it (EdDSA checked in the artifact), a
    // forged one is refused, the next batch serves it: bob's whole 150 to carol, the
    // bond back to bob, both credited.
    let before = v.h.storage_snapshot();
    let forged =
        v.op.exit_request_msg(&ka, 1, carol.as_str(), &v.h.canonical(&carol), 0);
    assert_refused_with(
        v.execute(&bob, &forged, &coins("uzk", 1)),
        "not signed by the account's key",
    );
    assert_eq!(v.h.storage_snapshot(), before);
    v.request_exit(&bob, &kb, 1, &carol, 1).unwrap();
    let serve = v.op.prove(1, &[]).unwrap();
    assert_eq!(serve.data.exits, vec![150]);
    v.submit(&op, &serve).unwrap();
    let done = v.execute(&carol, &vr::ExecuteMsg::Claim {}, &[]).unwrap();
    assert_eq!(
        bank_sends(&done.response),
        vec![(carol.to_string(), coins("uzk", 150))]
    );
    assert_eq!(v.held["uzk"], 351);

    // Exodus: alice leaves with her proven 350, once.
    v.h.advance(3_600);
    let exit = v.op.exodus_msg(&ka, alice.as_str(), &v.h.canonical(&alice));
    let done = v.execute(&carol, &exit, &[]).unwrap();
    assert_eq!(
        bank_sends(&done.response),
        vec![(alice.to_string(), coins("uzk", 350))]
    );
    assert_refused_with(v.execute(&carol, &exit, &[]), "already exited");
    assert_eq!(v.held["uzk"], 1);
    v.execute(&bob, &vr::ExecuteMsg::Claim {}, &[]).unwrap();
    assert_eq!(v.held["uzk"], 0);
}

/// The artifact verifies a snarkjs proof (the committed fixture of
/// `tests/interop/snarkjs/`) with snarkjs's verifying key, through the host pairing.
#[test]
fn a_snarkjs_proof_verifies_on_the_optimized_artifact() {
    use settle_core::validity::field::fr_to_bytes;
    use settle_core::validity::snarkjs;
    use validity_rollup::msg as vr;

    let vk = snarkjs::verifying_key_from_json(include_str!("../interop/snarkjs/fixtures/vk.json"))
        .unwrap();
    let proof =
        snarkjs::proof_from_json(include_str!("../interop/snarkjs/fixtures/proof.json")).unwrap();
    let inputs =
        snarkjs::public_inputs_from_json(include_str!("../interop/snarkjs/fixtures/public.json"))
            .unwrap();
    let mut h = Harness::load("validity-rollup");
    let admin = h.addr("admin");
    let info = h.info(&admin, &[]);
    h.instantiate(
        &info,
        &vr::InstantiateMsg {
            admin: None,
            denom: "uzk".into(),
            verifying_key: cosmwasm_std::Binary::from(vk.encode()),
            shape: vr::Shape {
                deposits: 1,
                txs: 1,
            },
            exodus_after_seconds: 86_400,
            key_timelock_seconds: 2 * 86_400,
            min_deposit: cosmwasm_std::Uint128::new(1),
            min_new_account: cosmwasm_std::Uint128::new(1),
            max_pending: 1_024,
        },
    )
    .unwrap_or_else(|e| panic!("instantiate: {e}"));
    let ask = |h: &mut Harness, x: settle_core::validity::Fr| -> vr::VerifyProofResponse {
        h.query(&vr::QueryMsg::VerifyProof {
            proof: cosmwasm_std::Binary::from(proof.encode().to_vec()),
            public_inputs: vec![cosmwasm_std::Binary::from(fr_to_bytes(&x).to_vec())],
        })
    };
    assert!(ask(&mut h, inputs[0]).valid);
    assert!(!ask(&mut h, inputs[0] + settle_core::validity::Fr::from(1u64)).valid);
}
