//! The attack catalog (SECURITY.md) against the optimistic-rollup contract: each
//! `attack_` test performs one named attack on an embedded chain with real bank balances
//! and checks that it fails closed: the typed error, an unchanged snapshot of every query
//! and balance, and a contract that still reconciles to the last unit.

use cosmwasm_std::{Addr, Api, Binary, Coin, Uint128, Uint256};
use optimistic_rollup::msg::{
    DepositTarget, DisputeParams, ExecuteMsg, GamePhase, OutputPreimage, QueryMsg, Side,
};
use optimistic_rollup::ContractError;
use settle_core::admin::AdminError;
use settle_core::batch::{encode_batch, Output};
use settle_core::crypto::L2Key;
use settle_core::dispute::Side as CoreSide;
use settle_core::hash::ZERO_HASH;
use settle_core::ledger::{Withdrawal, WithdrawalList, WithdrawalSink};
use settle_core::Error as CoreError;
use settle_testing::{
    assert_refused, Claim, ConfigChange, Play, Suite, SuiteBuilder, BOND_DENOM, DENOM,
};
use settle_tests::scenario::user_keys;

const PEOPLE: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "mallory",
    "proposer",
    "builder",
    "admin",
    "challenger",
    "treasury",
    "friend",
];

/// Everything a refused message must leave untouched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    queries: Vec<String>,
    balances: Vec<(String, Uint256, Uint256)>,
    contract: (Uint256, Uint256),
}

fn snapshot(s: &Suite) -> Snapshot {
    let q = |m: &QueryMsg| -> String {
        let v: serde_json::Value = s.app.wrap().query_wasm_smart(&s.rollup, m).unwrap();
        v.to_string()
    };
    let bal = |a: &Addr, d: &str| s.app.wrap().query_balance(a, d).unwrap().amount;
    Snapshot {
        queries: vec![
            q(&QueryMsg::Status {}),
            q(&QueryMsg::Batches {
                start_after: None,
                limit: None,
            }),
            q(&QueryMsg::Games {
                batch: None,
                start_after: None,
                limit: None,
            }),
            q(&QueryMsg::Solvency {}),
            q(&QueryMsg::Config {}),
            q(&QueryMsg::PendingConfig {}),
            q(&QueryMsg::PendingAdmin {}),
        ],
        balances: PEOPLE
            .iter()
            .map(|p| {
                let a = s.addr(p);
                (p.to_string(), bal(&a, DENOM), bal(&a, BOND_DENOM))
            })
            .collect(),
        contract: (bal(&s.rollup, DENOM), bal(&s.rollup, BOND_DENOM)),
    }
}

/// Runs `f`, expects the refusal `expected`, and checks that nothing changed and the
/// contract still reconciles.
fn refused<T: std::fmt::Debug>(
    s: &mut Suite,
    expected: impl std::fmt::Display,
    f: impl FnOnce(&mut Suite) -> cosmwasm_std::StdResult<T>,
) {
    let before = snapshot(s);
    let res = f(s);
    assert_refused(res, expected);
    assert_eq!(snapshot(s), before, "a refused message changed state");
    s.assert_reconciles();
}

/// A bonded proposer, alice (account 0) and bob (account 1); batch 0 finalized with two
/// withdrawals (0: alice -> carol 200, 1: bob -> bob 150); batch 1 (a transfer) inside
/// its window.
fn world() -> (Suite, L2Key, L2Key) {
    let mut s = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 500)
        .with_funds("mallory", 1_000)
        .with_coins("mallory", vec![Coin::new(5_000u128, BOND_DENOM)])
        .build();
    let (ka, kb) = user_keys();
    let (alice, bob, carol) = (s.addr("alice"), s.addr("bob"), s.addr("carol"));
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    s.deposit_new_account(&alice, &ka, 600).unwrap();
    s.deposit_new_account(&bob, &kb, 300).unwrap();
    let txs = vec![
        s.withdrawal(&ka, 0, &carol, 200, 0),
        s.withdrawal(&kb, 1, &bob, 150, 0),
    ];
    s.propose(&proposer, encode_batch(&txs)).unwrap();
    s.a_challenge_window_passes();
    s.finalize(0).unwrap();
    let t = s.transfer(&ka, 0, 1, 10, 1);
    s.propose(&proposer, encode_batch(&[t])).unwrap();
    (s, ka, kb)
}

/// A game on a batch whose proposer lies from position 3 on; returns (suite, game id).
fn lying_batch_challenged() -> (Suite, u64) {
    let mut s = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .build();
    let (ka, kb) = user_keys();
    let (alice, bob, ch) = (s.addr("alice"), s.addr("bob"), s.addr("challenger"));
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    s.deposit_new_account(&alice, &ka, 600).unwrap();
    s.deposit_new_account(&bob, &kb, 400).unwrap();
    let txs: Vec<_> = (0..6).map(|i| s.transfer(&ka, 0, 1, 1, i)).collect();
    s.propose_claiming(&proposer, encode_batch(&txs), Claim::WrongFrom(5))
        .unwrap();
    let id = s.challenge(&ch, 0).unwrap();
    (s, id)
}

fn bisect_msg(game: u64, position: u64) -> ExecuteMsg {
    ExecuteMsg::Bisect {
        game,
        position,
        root: Binary::from([7u8; 32].as_slice()),
    }
}

fn mid(s: &Suite, id: u64) -> u64 {
    match s.game(id).phase {
        GamePhase::Bisect { position } => position,
        other => panic!("the defender's turn, not {other:?}"),
    }
}

#[test]
fn attack_withdrawal_paid_twice() {
    let (mut s, _, _) = world();
    let (carol, mallory) = (s.addr("carol"), s.addr("mallory"));
    s.withdraw(&mallory, 0, 0).unwrap();
    assert_eq!(s.balance(&carol, DENOM), 200);
    refused(
        &mut s,
        ContractError::AlreadyPaid { batch: 0, index: 0 },
        |s| s.withdraw(&carol, 0, 0),
    );
    assert_eq!(s.balance(&carol, DENOM), 200);
}

/// Withdrawal 0 of batch 0, paid, then proven again against batch 1 (final too) with the
/// same roots and proof: the output root binds the batch index, so it does not verify.
#[test]
fn attack_withdrawal_reproven_against_another_batch() {
    let (mut s, _, _) = world();
    let carol = s.addr("carol");
    s.a_challenge_window_passes();
    s.finalize(1).unwrap();
    s.withdraw(&carol, 0, 0).unwrap();
    let mut msg = s.withdraw_msg(&s.withdrawal_proof(0, 0));
    if let ExecuteMsg::Withdraw { batch, .. } = &mut msg {
        *batch = 1;
    }
    refused(&mut s, CoreError::OutputMismatch { batch: 1 }, |s| {
        s.execute(&carol, &msg, &[])
    });
    assert_eq!(s.balance(&carol, DENOM), 200);
}

/// A withdrawal proven against a batch still inside its challenge window.
#[test]
fn attack_withdrawal_against_a_non_final_root() {
    let (mut s, ka, _) = world();
    let carol = s.addr("carol");
    let proposer = s.proposer.clone();
    let w = s.withdrawal(&ka, 0, &carol, 5, 2);
    s.propose(&proposer, encode_batch(&[w])).unwrap();
    let msg = s.withdraw_msg(&s.withdrawal_proof(2, 0));
    refused(&mut s, ContractError::NotFinal { index: 2 }, |s| {
        s.execute(&carol, &msg, &[])
    });
    // one second before the window closes it is still not final
    s.advance(s.challenge_window - 1);
    refused(&mut s, ContractError::NotFinal { index: 2 }, |s| {
        s.execute(&carol, &msg, &[])
    });
}

/// A lying batch carries bob's withdrawal and an honest builder's batch sits on top.
/// The lie is proven: the withdrawal can never be paid (its batch is gone, and the index
/// reused by an honest batch does not take the old proof), and the descendant can never
/// finalize.
#[test]
fn attack_withdrawal_against_a_removed_root_and_its_descendant_finalized() {
    let mut s = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .with_coins("builder", vec![Coin::new(1_000u128, BOND_DENOM)])
        .build();
    let (ka, kb) = user_keys();
    let (alice, bob, ch, builder) = (
        s.addr("alice"),
        s.addr("bob"),
        s.addr("challenger"),
        s.addr("builder"),
    );
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    s.bond(&builder, 1_000).unwrap();
    s.deposit_new_account(&alice, &ka, 600).unwrap();
    s.deposit_new_account(&bob, &kb, 400).unwrap();
    let lie = encode_batch(&[s.withdrawal(&kb, 1, &bob, 50, 0)]);
    s.propose_claiming(&proposer, lie, Claim::WrongFrom(3))
        .unwrap();
    let child = encode_batch(&[s.transfer(&ka, 0, 1, 5, 0)]);
    s.propose(&builder, child).unwrap();
    let stale = s.withdraw_msg(&s.withdrawal_proof(0, 0));
    let id = s.challenge(&ch, 0).unwrap();
    s.bisect_to_one_step(id, Play::Honest).unwrap();
    s.prove_step(&ch, id).unwrap();
    assert_eq!(
        s.status().next_batch,
        0,
        "the lie and its descendant are gone"
    );
    s.a_challenge_window_passes();
    refused(&mut s, ContractError::NoSuchBatch { index: 1 }, |s| {
        s.finalize(1)
    });
    refused(&mut s, ContractError::NoSuchBatch { index: 0 }, |s| {
        s.execute(&bob, &stale, &[])
    });
    // index 0 is reused by an honest batch (another withdrawal to bob) that finalizes:
    // the removed batch's proof does not verify against it
    let honest = encode_batch(&[s.withdrawal(&kb, 1, &bob, 60, 0)]);
    s.propose(&builder, honest).unwrap();
    s.a_challenge_window_passes();
    s.finalize(0).unwrap();
    refused(&mut s, CoreError::OutputMismatch { batch: 0 }, |s| {
        s.execute(&bob, &stale, &[])
    });
    let before = s.balance(&bob, DENOM);
    s.withdraw(&bob, 0, 0).unwrap();
    assert_eq!(s.balance(&bob, DENOM), before + 60);
    s.assert_reconciles();
}

/// A proposer leaves a deposit out past its force-inclusion deadline: its batch is
/// refused; before the deadline the same batch is fine, and consuming it is always fine.
#[test]
fn attack_deposit_censored_past_its_deadline() {
    let mut s = SuiteBuilder::new().with_funds("alice", 1_000).build();
    let (ka, _) = user_keys();
    let alice = s.addr("alice");
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    s.deposit_new_account(&alice, &ka, 600).unwrap();
    s.propose(&proposer, vec![]).unwrap();
    let queued_at = s.app.block_info().time.seconds();
    s.deposit(&alice, DepositTarget::Account { account: 0 }, 100)
        .unwrap();
    let data = encode_batch(&[s.transfer(&ka, 0, 0, 1, 0)]);
    s.advance(3_600);
    let expected = CoreError::ForcedDepositSkipped {
        index: 1,
        deadline: queued_at + 3_600,
        max: 1_024,
    };
    refused(&mut s, expected, |s| {
        s.propose_consuming(&proposer, data.clone(), 0)
    });
    s.propose_consuming(&proposer, data, 1).unwrap();
    assert_eq!(s.status().deposit_cursor, 2);
}

/// Moves out of turn: the challenger bisects, the challenger chooses while the defender
/// must answer, a stranger moves for the defender.
#[test]
fn attack_game_move_out_of_turn() {
    let (mut s, id) = lying_batch_challenged();
    let (ch, mallory) = (s.addr("challenger"), s.addr("mallory"));
    let m = mid(&s, id);
    refused(
        &mut s,
        ContractError::NotPlayer {
            id,
            side: "defender",
            sender: ch.to_string(),
        },
        |s| s.execute(&ch, &bisect_msg(id, m), &[]),
    );
    refused(
        &mut s,
        CoreError::NotYourTurn {
            expected: CoreSide::Defender,
        },
        |s| {
            s.execute(
                &ch,
                &ExecuteMsg::Choose {
                    game: id,
                    position: m,
                    agree: false,
                },
                &[],
            )
        },
    );
    refused(
        &mut s,
        ContractError::NotPlayer {
            id,
            side: "defender",
            sender: mallory.to_string(),
        },
        |s| s.execute(&mallory, &bisect_msg(id, m), &[]),
    );
}

/// Moves at positions the game does not ask for: beside the midpoint, past the last
/// position, and a one-step proof while the game still bisects.
#[test]
fn attack_game_move_out_of_range() {
    let (mut s, id) = lying_batch_challenged();
    let (ch, proposer) = (s.addr("challenger"), s.proposer.clone());
    let m = mid(&s, id);
    let steps = s.game(id).steps;
    for position in [m + 1, m - 1, steps + 1, u64::MAX] {
        refused(
            &mut s,
            CoreError::WrongMove {
                phase: "bisect",
                position,
            },
            |s| s.execute(&proposer, &bisect_msg(id, position), &[]),
        );
    }
    let proof = s.one_step_proof(0, 0);
    refused(
        &mut s,
        CoreError::WrongMove {
            phase: "bisect",
            position: 0,
        },
        |s| {
            s.execute(
                &ch,
                &ExecuteMsg::ProveStep {
                    game: id,
                    step: 0,
                    proof: Binary::new(proof),
                },
                &[],
            )
        },
    );
}

/// After the one-step proof decided the game (and removed the batch), nobody moves,
/// proves or resolves it again.
#[test]
fn attack_game_move_after_resolution() {
    let (mut s, id) = lying_batch_challenged();
    let (ch, proposer) = (s.addr("challenger"), s.proposer.clone());
    let step = s.bisect_to_one_step(id, Play::Honest).unwrap();
    let proof = s.one_step_proof(0, step);
    s.prove_step(&ch, id).unwrap();
    assert!(matches!(
        s.game(id).phase,
        GamePhase::Resolved {
            winner: Side::Challenger,
            ..
        }
    ));
    let ended = |id| ContractError::GameEnded {
        id,
        ended_by: "proof".into(),
    };
    refused(&mut s, ended(id), |s| {
        s.execute(&proposer, &bisect_msg(id, 1), &[])
    });
    refused(&mut s, ended(id), |s| {
        s.execute(
            &ch,
            &ExecuteMsg::ProveStep {
                game: id,
                step,
                proof: Binary::new(proof),
            },
            &[],
        )
    });
    refused(&mut s, ended(id), |s| s.resolve_game(id));
}

/// The challenger claims the win on time while the defender's clock still runs, one
/// second before it runs out too.
#[test]
fn attack_early_timeout_claim() {
    let (mut s, id) = lying_batch_challenged();
    refused(
        &mut s,
        CoreError::ClockRunning {
            side: CoreSide::Defender,
            left: 3_600,
        },
        |s| s.resolve_game(id),
    );
    s.advance(3_599);
    refused(
        &mut s,
        CoreError::ClockRunning {
            side: CoreSide::Defender,
            left: 1,
        },
        |s| s.resolve_game(id),
    );
    s.advance(1);
    s.resolve_game(id).unwrap();
}

/// The challenger waits until the defender is down to one second, then answers at the
/// last second of its own clock, hoping the defender cannot answer in time: the
/// defender's clock is topped up to the minimum answer time, and a timeout claim inside
/// it is refused.
#[test]
fn attack_last_second_move_without_clock_extension() {
    let (mut s, id) = lying_batch_challenged();
    s.advance(3_599);
    s.defend(id).unwrap();
    s.advance(3_599);
    s.answer(id, Play::Honest).unwrap();
    let g = s.game(id);
    assert_eq!((g.defender_left, g.challenger_left), (300, 1));
    refused(
        &mut s,
        CoreError::ClockRunning {
            side: CoreSide::Defender,
            left: 300,
        },
        |s| s.resolve_game(id),
    );
    s.advance(299);
    s.defend(id).unwrap();
    assert_eq!(s.game(id).challenger_left, 300);
}

/// The admin changes the dispute terms (no challenger reward, the whole slash to a
/// friend, another challenger bond) while a game is open; the change waits its timelock,
/// applies, and the open game still pays by the terms it opened with.
#[test]
fn attack_admin_changes_an_open_games_terms() {
    let (mut s, id) = lying_batch_challenged();
    let (ch, treasury, friend) = (s.addr("challenger"), s.addr("treasury"), s.addr("friend"));
    let opened = s.game(id).terms;
    s.propose_config(ConfigChange {
        dispute: Some(DisputeParams {
            challenger_bond: Uint128::new(5),
            clock_seconds: 300,
            min_answer_seconds: 60,
            reward_bps: 0,
            treasury: friend.to_string(),
        }),
        ..ConfigChange::default()
    })
    .unwrap();
    s.config_change_applies().unwrap();
    assert_eq!(s.config().dispute.reward_bps, 0);
    assert_eq!(s.game(id).terms, opened, "the open game keeps its terms");
    let ch_before = s.balance(&ch, BOND_DENOM);
    // the silent defender lost on time under its own clock; settled by the old terms
    s.resolve_game(id).unwrap();
    assert_eq!(s.balance(&ch, BOND_DENOM), ch_before + 500 + 500);
    assert_eq!(s.credit(&treasury), 500);
    assert_eq!(s.credit(&friend), 0);
    s.assert_reconciles();
}

/// The admin proposes a one-day challenge window change and tries to apply it at once and
/// a second early; a second change cannot be queued behind it to shorten the wait.
#[test]
fn attack_config_change_before_its_timelock() {
    let (mut s, _, _) = world();
    let (admin, mallory) = (s.admin.clone(), s.addr("mallory"));
    let window = s.config().challenge_window;
    s.propose_config(ConfigChange {
        challenge_window: Some(300),
        ..ConfigChange::default()
    })
    .unwrap();
    let t0 = s.app.block_info().time.seconds();
    for wait in [0, window - 1] {
        s.advance(wait);
        let now = s.app.block_info().time.seconds();
        refused(
            &mut s,
            AdminError::Timelocked {
                applies_at: t0 + window,
                now,
            },
            |s| s.execute(&admin, &ExecuteMsg::ApplyConfig {}, &[]),
        );
    }
    refused(
        &mut s,
        AdminError::AlreadyPending {
            applies_at: t0 + window,
        },
        |s| {
            let msg = ConfigChange {
                challenge_window: Some(301),
                ..ConfigChange::default()
            }
            .msg();
            s.execute(&admin, &msg, &[])
        },
    );
    s.advance(1);
    s.execute(&mallory, &ExecuteMsg::ApplyConfig {}, &[])
        .unwrap();
    assert_eq!(s.config().challenge_window, 300);
}

/// Mallory proposes herself as admin, accepts a nomination made for someone else, and
/// proposes a config change: all refused; the admin role never moves without the
/// nominee's acceptance.
#[test]
fn attack_admin_role_taken_without_acceptance() {
    let (mut s, _, _) = world();
    let (admin, mallory, carol) = (s.admin.clone(), s.addr("mallory"), s.addr("carol"));
    let nominate = |to: &Addr| ExecuteMsg::ProposeAdmin {
        admin: to.to_string(),
    };
    refused(
        &mut s,
        AdminError::NotAdmin {
            action: "propose a new admin",
            admin: admin.to_string(),
            sender: mallory.to_string(),
        },
        |s| s.execute(&mallory, &nominate(&mallory), &[]),
    );
    s.execute(&admin, &nominate(&carol), &[]).unwrap();
    refused(
        &mut s,
        AdminError::NotPendingAdmin {
            pending: carol.to_string(),
            sender: mallory.to_string(),
        },
        |s| s.execute(&mallory, &ExecuteMsg::AcceptAdmin {}, &[]),
    );
    refused(
        &mut s,
        AdminError::NotAdmin {
            action: "propose a config change",
            admin: admin.to_string(),
            sender: carol.to_string(),
        },
        |s| {
            let msg = ConfigChange {
                challenge_window: Some(600),
                ..ConfigChange::default()
            }
            .msg();
            s.execute(&carol, &msg, &[])
        },
    );
    assert_eq!(s.config().admin, admin);
}

/// An unchallenged lie finalizes an output paying mallory 10,000 while 900 was ever
/// deposited: the withdrawal is capped by the deposits outstanding, so the bonds held in
/// the same denom are never paid out.
#[test]
fn attack_finalized_lie_pays_more_than_was_deposited() {
    let mut s = SuiteBuilder::new()
        .with_bonds_in_value_denom()
        .with_funds("proposer", 50_000)
        .with_funds("alice", 1_000)
        .build();
    let (ka, _) = user_keys();
    let (alice, mallory) = (s.addr("alice"), s.addr("mallory"));
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    s.deposit_new_account(&alice, &ka, 900).unwrap();
    let mut lie = WithdrawalList::default();
    lie.push(Withdrawal {
        recipient: s.canonical(&mallory),
        amount: 10_000,
    })
    .unwrap();
    let output = Output {
        batch_index: 0,
        state_root: ZERO_HASH,
        withdrawals_root: lie.root(),
        deposit_cursor: 1,
        data_root: settle_core::batch::data_root(&[]),
    };
    s.propose_raw(&proposer, vec![], 1, output.root().to_vec())
        .unwrap();
    s.a_challenge_window_passes();
    s.finalize(0).unwrap();
    let msg = ExecuteMsg::Withdraw {
        batch: 0,
        index: 0,
        recipient: mallory.to_string(),
        amount: Uint128::new(10_000),
        output: OutputPreimage {
            state_root: Binary::from(ZERO_HASH.as_slice()),
            withdrawals_root: Binary::from(lie.root().as_slice()),
        },
        proof: Binary::new(lie.prove(0).unwrap().to_bytes(16)),
    };
    refused(
        &mut s,
        ContractError::ExceedsDeposits {
            amount: Uint128::new(10_000),
            outstanding: Uint128::new(900),
        },
        |s| s.execute(&mallory, &msg, &[]),
    );
    assert_eq!(s.balance(&mallory, DENOM), 0);
}

/// A withdrawal recorded for a 20-byte recipient, claimed for the 32-byte address that
/// starts with the same bytes (and the other way round): the leaf binds the recipient's
/// exact bytes, so only the address the L2 signer named is paid.
#[test]
fn attack_withdrawal_recipient_20_vs_32_byte_confusion() {
    let (mut s, ka, _) = world();
    let carol = s.addr("carol");
    let long = s.canonical(&carol);
    assert_eq!(long.len(), 32);
    let short = long[..20].to_vec();
    let short_addr = s
        .app
        .api()
        .addr_humanize(&short.clone().into())
        .expect("a 20-byte address");
    let proposer = s.proposer.clone();
    let tx = s.node.sign_withdrawal(&ka, 0, short.clone(), 70, 2);
    s.propose(&proposer, encode_batch(&[tx])).unwrap();
    s.a_challenge_window_passes();
    s.finalize(1).unwrap();
    s.finalize(2).unwrap();
    let p = s.withdrawal_proof(2, 0);
    assert_eq!(p.recipient, short);
    let mut msg = s.withdraw_msg(&p);
    if let ExecuteMsg::Withdraw { recipient, .. } = &mut msg {
        assert_eq!(recipient, short_addr.as_str());
        *recipient = carol.to_string();
    }
    refused(&mut s, "merkle root mismatch", |s| {
        s.execute(&carol, &msg, &[])
    });
    // withdrawal 0 of batch 0 names carol's 32 bytes; her 20-byte prefix is not paid
    let mut msg = s.withdraw_msg(&s.withdrawal_proof(0, 0));
    if let ExecuteMsg::Withdraw { recipient, .. } = &mut msg {
        *recipient = short_addr.to_string();
    }
    refused(&mut s, "merkle root mismatch", |s| {
        s.execute(&carol, &msg, &[])
    });
    s.withdraw(&carol, 2, 0).unwrap();
    assert_eq!(s.balance(&short_addr, DENOM), 70);
    assert_eq!(s.balance(&carol, DENOM), 0);
}

/// An all-zero output preimage and an empty withdrawal tree, "proving" a withdrawal
/// against a finalized batch: a zero root is a root like any other, it must recompose the
/// stored output root.
#[test]
fn attack_zero_root_accepted_as_proven() {
    let (mut s, _, _) = world();
    let mallory = s.addr("mallory");
    let empty = WithdrawalList::default();
    let msg = ExecuteMsg::Withdraw {
        batch: 0,
        index: 0,
        recipient: mallory.to_string(),
        amount: Uint128::new(1),
        output: OutputPreimage {
            state_root: Binary::from(ZERO_HASH.as_slice()),
            withdrawals_root: Binary::from(ZERO_HASH.as_slice()),
        },
        proof: Binary::new(empty.prove(0).unwrap().to_bytes(16)),
    };
    refused(&mut s, CoreError::OutputMismatch { batch: 0 }, |s| {
        s.execute(&mallory, &msg, &[])
    });
}

/// Mallory, with no bond (or after unbonding), posts a batch: refused.
#[test]
fn attack_unbonded_proposer_posts_a_batch() {
    let (mut s, _, _) = world();
    let mallory = s.addr("mallory");
    refused(
        &mut s,
        ContractError::NotBonded {
            address: mallory.to_string(),
            bond: Uint128::zero(),
            required: Uint128::new(1_000),
        },
        |s| s.propose_raw(&mallory, vec![1, 2, 3], 0, vec![9; 32]),
    );
    s.bond(&mallory, 999).unwrap();
    refused(
        &mut s,
        ContractError::NotBonded {
            address: mallory.to_string(),
            bond: Uint128::new(999),
            required: Uint128::new(1_000),
        },
        |s| s.propose_raw(&mallory, vec![1, 2, 3], 0, vec![9; 32]),
    );
}

/// Gas exhaustion: every listing the contract serves is paginated (at most 100 entries
/// per query, whatever the limit asked), so a flood of deposits cannot make a query
/// unanswerable; batches are bounded by `max_batch_bytes` and the deposits one batch may
/// consume.
#[test]
fn attack_gas_exhaustion_through_unbounded_listings() {
    let mut s = SuiteBuilder::new()
        .with_funds("mallory", 1_000)
        .with_max_batch_bytes(64)
        .build();
    let mallory = s.addr("mallory");
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    for _ in 0..120 {
        s.deposit(&mallory, DepositTarget::Account { account: 5 }, 1)
            .unwrap();
    }
    let page: optimistic_rollup::msg::DepositsResponse = s
        .app
        .wrap()
        .query_wasm_smart(
            &s.rollup,
            &QueryMsg::Deposits {
                start_after: None,
                limit: Some(u32::MAX),
            },
        )
        .unwrap();
    assert_eq!(page.deposits.len(), 100);
    refused(
        &mut s,
        ContractError::BatchTooLarge { size: 65, max: 64 },
        |s| s.propose_raw(&proposer, vec![0; 65], 0, vec![9; 32]),
    );
    refused(
        &mut s,
        CoreError::TooManyDeposits {
            consumed: 1_025,
            max: 1_024,
        },
        |s| s.propose_raw(&proposer, vec![], 1_025, vec![9; 32]),
    );
}

/// Alice sees no account and sends "open my account" and "top up account 0" together;
/// mallory's new account lands first and takes index 0. A top-up that names alice's key
/// (`account_with_key`) is refused instead of crediting mallory; naming the index alice
/// really got works. (Found by this catalog: before, a credit named only the index.)
#[test]
fn attack_deposit_credited_to_the_wrong_l2_account() {
    let mut s = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("mallory", 1_000)
        .build();
    let (ka, _) = user_keys();
    let km = L2Key::from_label("mallory-l2");
    let (alice, mallory) = (s.addr("alice"), s.addr("mallory"));
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    s.deposit_new_account(&mallory, &km, 1).unwrap();
    let res = s
        .execute(
            &alice,
            &ExecuteMsg::Deposit {
                target: DepositTarget::NewAccount {
                    pubkey: Binary::from(ka.public_key().as_slice()),
                },
            },
            &[Coin::new(100u128, DENOM)],
        )
        .unwrap();
    assert_eq!(
        settle_testing::event_attr(&res, "deposit", "account").as_deref(),
        Some("1"),
        "the deposit event says which index the new account gets"
    );
    s.node
        .observe_deposit(settle_core::ledger::Deposit {
            index: 1,
            target: settle_core::ledger::DepositTarget::NewAccount(ka.public_key()),
            amount: 100,
            refund_to: s.canonical(&alice),
        })
        .unwrap();
    let keyed = |index| DepositTarget::AccountWithKey {
        account: index,
        pubkey: Binary::from(ka.public_key().as_slice()),
    };
    let deposit = |to: DepositTarget| ExecuteMsg::Deposit { target: to };
    refused(&mut s, CoreError::AccountKeyMismatch { account: 0 }, |s| {
        s.execute(&alice, &deposit(keyed(0)), &[Coin::new(500u128, DENOM)])
    });
    refused(
        &mut s,
        "malformed account: no account 2 will exist when this entry is consumed (2 queued)",
        |s| s.execute(&alice, &deposit(keyed(2)), &[Coin::new(500u128, DENOM)]),
    );
    s.deposit(&alice, keyed(1), 500).unwrap();
    s.propose(&proposer, vec![]).unwrap();
    let balances: Vec<u128> = s.node.ledger.accounts().iter().map(|a| a.balance).collect();
    assert_eq!(
        balances,
        vec![1, 600],
        "mallory's account got nothing of alice's"
    );
    s.assert_reconciles();
}
