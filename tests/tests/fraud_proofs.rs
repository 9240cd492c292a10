//! Fraud-proof games on an embedded chain with real bank balances: fraudulent proposers
//! caught at every kind of step, lying challengers, timeouts, last-second moves,
//! concurrent challengers, removal of descendants, and solvency after every game.

use cosmwasm_std::{Addr, Binary, Coin};
use optimistic_rollup::msg::{
    BatchStatus, DisputeParams, ExecuteMsg, GameMove, GamePhase, MoveOutcome, Resolution, Side,
};
use optimistic_rollup::ContractError;
use settle_core::batch::encode_batch;
use settle_core::dispute::{Side as CoreSide, StepKind};
use settle_core::Error as CoreError;
use settle_testing::{
    assert_refused, Claim, ConfigChange, Play, Suite, SuiteBuilder, BOND_DENOM, DENOM,
};
use settle_tests::scenario::user_keys;

const BOND: u128 = 1_000;
const CHALLENGER_BOND: u128 = 500;
const START: u128 = 10_000;

/// Two users with L2 accounts; batch data of `n` transfers and a withdrawal, not yet
/// proposed (the deposits are pending, so the batch starts with two deposit steps).
fn setup(n: u64) -> (Suite, Vec<u8>) {
    setup_with(n, SuiteBuilder::new())
}

/// Clocks longer than the challenge window, so games can outlast it.
fn long_clocks() -> SuiteBuilder {
    SuiteBuilder::new().with_dispute(DisputeParams {
        challenger_bond: CHALLENGER_BOND.into(),
        clock_seconds: 200_000,
        min_answer_seconds: 300,
        reward_bps: 5_000,
        treasury: String::new(),
    })
}

fn setup_with(n: u64, builder: SuiteBuilder) -> (Suite, Vec<u8>) {
    let mut suite = builder
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .with_coins("other", vec![Coin::new(START, BOND_DENOM)])
        .build();
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    let (ka, kb) = user_keys();
    suite.bond_proposer().unwrap();
    suite.deposit_new_account(&alice, &ka, 600).unwrap();
    suite.deposit_new_account(&bob, &kb, 400).unwrap();
    let mut txs: Vec<_> = (0..n).map(|i| suite.transfer(&ka, 0, 1, 1, i)).collect();
    txs.push(suite.withdrawal(&kb, 1, &bob, 50, 0));
    (suite, encode_batch(&txs))
}

fn challenger(suite: &Suite) -> Addr {
    suite.addr("challenger")
}

/// Position `p` of a batch with `deposits` deposits: the root after the open step is
/// position 1, after deposit d position 2 + d, after transaction t position 2 + deposits + t.
fn after_tx(deposits: u64, t: u64) -> u64 {
    2 + deposits + t
}

/// A fraudulent proposer against an honest challenger, caught at the step `claim` lies
/// about; returns the kind of step the game was narrowed to.
fn fraud_is_caught(claim: Claim) -> StepKind {
    let (mut suite, data) = setup(9);
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    suite.propose_claiming(&proposer, data, claim).unwrap();
    let ctx = suite.node.batch_context(0).unwrap();
    let id = suite.challenge(&ch, 0).unwrap();
    assert_eq!(suite.batch(0).open_games, 1);
    suite.assert_reconciles();
    let step = suite.bisect_to_one_step(id, Play::Honest).unwrap();
    let g = suite.game(id);
    assert!(g.moves <= settle_core::dispute::max_moves(ctx.steps()));
    // the honest challenger settles it with the one-step proof
    suite.prove_step(&ch, id).unwrap();
    let g = suite.game(id);
    assert_eq!(
        g.phase,
        GamePhase::Resolved {
            winner: Side::Challenger,
            reason: optimistic_rollup::msg::Resolution::Proof
        }
    );
    // the proposer's bond is slashed: half to the challenger (plus its bond back), half
    // to the treasury
    assert_eq!(suite.balance(&ch, BOND_DENOM), START + BOND / 2);
    let treasury = suite.addr("treasury");
    assert_eq!(suite.credit(&treasury), BOND / 2);
    assert_eq!(suite.balance(&proposer, BOND_DENOM), START - BOND);
    assert_eq!(suite.proposer_info(&proposer).bond.u128(), 0);
    assert_refused(
        suite.unbond(&proposer),
        ContractError::NoBond {
            address: proposer.to_string(),
        },
    );
    // the batch is gone, its deposits are back in the queue
    let status = suite.status();
    assert_eq!((status.next_batch, status.deposit_cursor), (0, 0));
    assert_eq!(suite.node.batch_count(), 0);
    suite.assert_reconciles();
    ctx.step_kind(step).unwrap()
}

#[test]
fn a_lie_at_the_first_step_is_caught() {
    assert_eq!(fraud_is_caught(Claim::WrongFrom(1)), StepKind::Open);
}

#[test]
fn a_lie_at_a_deposit_is_caught() {
    assert_eq!(
        fraud_is_caught(Claim::WrongFrom(2)),
        StepKind::Deposit { queue_index: 0 }
    );
}

#[test]
fn a_lie_at_the_first_middle_and_last_transaction_is_caught() {
    // 9 transfers and a withdrawal: transactions 0..=9
    for t in [0, 5, 9] {
        assert_eq!(
            fraud_is_caught(Claim::WrongFrom(after_tx(2, t))),
            StepKind::Tx { index: t },
            "transaction {t}"
        );
    }
}

#[test]
fn a_wrong_output_composition_is_caught_at_the_close_step() {
    assert_eq!(fraud_is_caught(Claim::WrongOutput), StepKind::Close);
}

#[test]
fn an_honest_proposer_beats_lying_challengers() {
    for play in [Play::DisagreeAll, Play::AgreeAll] {
        let (mut suite, data) = setup(6);
        let proposer = suite.proposer.clone();
        let ch = challenger(&suite);
        suite.propose(&proposer, data).unwrap();
        let id = suite.challenge(&ch, 0).unwrap();
        suite.bisect_to_one_step(id, play).unwrap();
        // every root the defender gave is true, so whichever step the game narrowed to,
        // its proof (sent here by the challenger itself) yields the defender's root
        suite.prove_step(&ch, id).unwrap();
        let g = suite.game(id);
        assert!(
            matches!(
                g.phase,
                GamePhase::Resolved {
                    winner: Side::Defender,
                    ..
                }
            ),
            "{play:?}: {:?}",
            g.phase
        );
        // the challenger's bond went to the proposer
        assert_eq!(suite.balance(&ch, BOND_DENOM), START - CHALLENGER_BOND);
        assert_eq!(
            suite.balance(&proposer, BOND_DENOM),
            START - BOND + CHALLENGER_BOND
        );
        assert_eq!(suite.batch(0).open_games, 0);
        suite.assert_reconciles();
        suite.a_challenge_window_passes();
        suite.finalize(0).unwrap();
        assert_eq!(suite.batch(0).status, BatchStatus::Finalized);
        // the honest withdrawal is paid
        let bob = suite.addr("bob");
        suite.withdraw(&bob, 0, 0).unwrap();
        suite.assert_reconciles();
    }
}

#[test]
fn a_silent_defender_loses_on_time() {
    let (mut suite, data) = setup(3);
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    suite
        .propose_claiming(&proposer, data, Claim::WrongFrom(3))
        .unwrap();
    let id = suite.challenge(&ch, 0).unwrap();
    suite.advance(3_599);
    assert_refused(
        suite.resolve_game(id),
        CoreError::ClockRunning {
            side: CoreSide::Defender,
            left: 1,
        },
    );
    suite.advance(1);
    assert_refused(
        suite.defend(id),
        CoreError::ClockExpired {
            side: CoreSide::Defender,
        },
    );
    suite.resolve_game(id).unwrap();
    assert!(matches!(
        suite.game(id).phase,
        GamePhase::Resolved {
            winner: Side::Challenger,
            reason: optimistic_rollup::msg::Resolution::Timeout
        }
    ));
    assert_eq!(suite.status().next_batch, 0);
    assert_eq!(suite.balance(&ch, BOND_DENOM), START + BOND / 2);
    suite.assert_reconciles();
}

#[test]
fn a_silent_challenger_loses_on_time() {
    let (mut suite, data) = setup(3);
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    suite.propose(&proposer, data).unwrap();
    let id = suite.challenge(&ch, 0).unwrap();
    suite.defend(id).unwrap();
    suite.advance(3_600);
    assert_refused(
        suite.answer(id, Play::Honest),
        CoreError::ClockExpired {
            side: CoreSide::Challenger,
        },
    );
    suite.resolve_game(id).unwrap();
    assert!(matches!(
        suite.game(id).phase,
        GamePhase::Resolved {
            winner: Side::Defender,
            ..
        }
    ));
    assert_eq!(suite.status().next_batch, 1);
    assert_eq!(
        suite.balance(&proposer, BOND_DENOM),
        START - BOND + CHALLENGER_BOND
    );
    suite.assert_reconciles();
}

#[test]
fn last_second_moves_leave_the_other_side_its_minimum_answer_time() {
    let (mut suite, data) = setup(20);
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    suite
        .propose_claiming(&proposer, data, Claim::WrongFrom(10))
        .unwrap();
    let id = suite.challenge(&ch, 0).unwrap();
    // the defender moves one second before its flag falls
    suite.advance(3_599);
    suite.defend(id).unwrap();
    assert_eq!(suite.game(id).defender_left, 1);
    // the challenger too
    suite.advance(3_599);
    suite.answer(id, Play::Honest).unwrap();
    let g = suite.game(id);
    assert_eq!(g.challenger_left, 1);
    // the defender, down to one second, gets the five-minute minimum to answer
    assert_eq!(g.defender_left, 300);
    let now = suite.app.block_info().time.seconds();
    assert_eq!(g.clock_runs_out_at, Some(now + 300));
    suite.advance(299);
    suite.defend(id).unwrap();
    // and so does the challenger, to the end
    let step = suite.bisect_to_one_step(id, Play::Honest).unwrap();
    assert!(suite.game(id).challenger_left >= 300 - 1);
    suite.prove_step(&ch, id).unwrap();
    assert!(step > 0);
    assert_eq!(suite.status().next_batch, 0);
    suite.assert_reconciles();
}

#[test]
fn concurrent_challengers_of_a_fraudulent_batch() {
    let (mut suite, data) = setup_with(8, long_clocks());
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    let other = suite.addr("other");
    suite
        .propose_claiming(&proposer, data, Claim::WrongFrom(6))
        .unwrap();
    let first = suite.challenge(&ch, 0).unwrap();
    let second = suite.challenge(&other, 0).unwrap();
    assert_eq!(suite.batch(0).open_games, 2);
    suite.assert_reconciles();
    suite.a_challenge_window_passes();
    assert_refused(
        suite.finalize(0),
        ContractError::GamesOpen { index: 0, open: 2 },
    );
    // the second challenger plays faster and wins
    suite.bisect_to_one_step(second, Play::Honest).unwrap();
    suite.prove_step(&other, second).unwrap();
    assert_eq!(suite.balance(&other, BOND_DENOM), START + BOND / 2);
    // the first game's batch is gone: it is void and its bond goes back
    assert_eq!(
        suite.game(first).phase,
        GamePhase::Void {
            bond_returned: false
        }
    );
    assert_refused(suite.defend(first), "game 0 does not wait for the defender");
    let root = Binary::from([1u8; 32].as_slice());
    assert_refused(
        suite.execute(
            &proposer,
            &ExecuteMsg::Bisect {
                game: first,
                position: 1,
                root,
            },
            &[],
        ),
        ContractError::GameVoid {
            id: first,
            batch: 0,
        },
    );
    suite.resolve_game(first).unwrap();
    assert_eq!(
        suite.game(first).phase,
        GamePhase::Void {
            bond_returned: true
        }
    );
    assert_eq!(suite.balance(&ch, BOND_DENOM), START);
    assert_refused(
        suite.resolve_game(first),
        ContractError::GameEnded {
            id: first,
            ended_by: "void".into(),
        },
    );
    suite.assert_reconciles();
}

#[test]
fn concurrent_lying_challengers_each_pay_the_proposer() {
    let (mut suite, data) = setup_with(4, long_clocks());
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    let other = suite.addr("other");
    suite.propose(&proposer, data).unwrap();
    let a = suite.challenge(&ch, 0).unwrap();
    let b = suite.challenge(&other, 0).unwrap();
    suite.bisect_to_one_step(a, Play::DisagreeAll).unwrap();
    suite.bisect_to_one_step(b, Play::DisagreeAll).unwrap();
    // the honest defender settles both itself
    suite.prove_step(&proposer, a).unwrap();
    suite.a_challenge_window_passes();
    assert_refused(
        suite.finalize(0),
        ContractError::GamesOpen { index: 0, open: 1 },
    );
    suite.prove_step(&proposer, b).unwrap();
    suite.finalize(0).unwrap();
    assert_eq!(
        suite.balance(&proposer, BOND_DENOM),
        START - BOND + 2 * CHALLENGER_BOND
    );
    suite.assert_reconciles();
}

#[test]
fn descendants_of_a_removed_batch_are_removed_and_their_withdrawals_never_paid() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .with_coins("builder", vec![Coin::new(BOND, BOND_DENOM)])
        .build();
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    let (ka, kb) = user_keys();
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    // an honest second proposer builds on the fraud
    let builder = suite.addr("builder");
    suite.bond_proposer().unwrap();
    suite.bond(&builder, BOND).unwrap();
    suite.deposit_new_account(&alice, &ka, 600).unwrap();
    suite.deposit_new_account(&bob, &kb, 400).unwrap();
    // batch 0: honest
    let b0 = encode_batch(&[suite.transfer(&ka, 0, 1, 10, 0)]);
    suite.propose(&proposer, b0).unwrap();
    // batch 1: a lie; batch 2 on top of it, with a withdrawal
    suite
        .deposit(
            &alice,
            optimistic_rollup::msg::DepositTarget::Account { account: 0 },
            100,
        )
        .unwrap();
    let b1 = encode_batch(&[suite.transfer(&ka, 0, 1, 20, 1)]);
    suite
        .propose_claiming(&proposer, b1, Claim::WrongFrom(3))
        .unwrap();
    let b2 = encode_batch(&[suite.withdrawal(&kb, 1, &bob, 30, 0)]);
    suite.propose(&builder, b2).unwrap();
    let descendant_game = suite.challenge(&ch, 2).unwrap();
    let id = suite.challenge(&ch, 1).unwrap();
    suite.bisect_to_one_step(id, Play::Honest).unwrap();
    // keep the proof of the withdrawal in batch 2 before the node forgets it
    let stale = suite.withdraw_msg(&suite.withdrawal_proof(2, 0));
    suite.prove_step(&ch, id).unwrap();
    let status = suite.status();
    assert_eq!(status.next_batch, 1, "batches 1 and 2 removed");
    assert_eq!(
        status.deposit_cursor, 2,
        "the deposit of batch 1 is queued again"
    );
    assert_eq!(suite.node.batch_count(), 1);
    assert!(matches!(
        suite.game(descendant_game).phase,
        GamePhase::Void { .. }
    ));
    suite.resolve_game(descendant_game).unwrap();
    // the honest builder keeps its bond
    assert_eq!(suite.proposer_info(&builder).bond.u128(), BOND);
    suite.assert_reconciles();
    // the chain goes on: batch 1 again, honest this time, with the withdrawal
    let again = encode_batch(&[suite.withdrawal(&kb, 1, &bob, 30, 0)]);
    suite.propose(&builder, again).unwrap();
    assert_eq!(suite.status().deposit_cursor, 3);
    suite.a_challenge_window_passes();
    suite.finalize(0).unwrap();
    suite.finalize(1).unwrap();
    // the removed batch 2's withdrawal can never be paid
    assert_refused(
        suite.execute(&bob, &stale, &[]),
        ContractError::NoSuchBatch { index: 2 },
    );
    let bob_before = suite.balance(&bob, DENOM);
    suite.withdraw(&bob, 1, 0).unwrap();
    assert_eq!(suite.balance(&bob, DENOM), bob_before + 30);
    suite.assert_reconciles();
}

#[test]
fn moves_are_checked_and_dry_runs_tell_why() {
    let (mut suite, data) = setup(6);
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    let stranger = suite.addr("stranger");
    suite.propose(&proposer, data).unwrap();
    // challenges: wrong bond, no bond, no such batch
    assert_refused(
        suite.execute(
            &ch,
            &ExecuteMsg::Challenge { batch: 0 },
            &[Coin::new(499u128, BOND_DENOM)],
        ),
        ContractError::WrongChallengerBond {
            sent: 499u128.into(),
            required: 500u128.into(),
        },
    );
    assert_refused(
        suite.execute(&ch, &ExecuteMsg::Challenge { batch: 0 }, &[]),
        "No funds sent",
    );
    assert_refused(
        suite.challenge(&ch, 1),
        ContractError::NoSuchBatch { index: 1 },
    );
    let id = suite.challenge(&ch, 0).unwrap();
    let g = suite.game(id);
    let GamePhase::Bisect { position } = g.phase else {
        panic!("the defender moves first")
    };
    let root = Binary::from(suite.true_roots(0)[position as usize].as_slice());
    // dry runs
    let ok = suite.check_move(
        id,
        &proposer,
        GameMove::Bisect {
            position,
            root: root.clone(),
        },
    );
    assert!(ok.valid, "{ok:?}");
    let wrong = suite.check_move(
        id,
        &stranger,
        GameMove::Bisect {
            position,
            root: root.clone(),
        },
    );
    assert!(!wrong.valid);
    assert_eq!(
        wrong.reason.unwrap(),
        ContractError::NotPlayer {
            id,
            side: "defender",
            sender: stranger.to_string()
        }
        .to_string()
    );
    let off = suite.check_move(
        id,
        &proposer,
        GameMove::Bisect {
            position: position + 1,
            root: root.clone(),
        },
    );
    assert_eq!(
        off.reason.unwrap(),
        CoreError::WrongMove {
            phase: "bisect",
            position: position + 1
        }
        .to_string()
    );
    let early = suite.check_move(id, &stranger, GameMove::ResolveGame {});
    assert!(!early.valid);
    // refused moves change nothing
    let before = suite.game(id);
    assert_refused(
        suite.execute(
            &ch,
            &ExecuteMsg::Choose {
                game: id,
                position,
                agree: true,
            },
            &[],
        ),
        CoreError::NotYourTurn {
            expected: CoreSide::Defender,
        },
    );
    assert_refused(
        suite.execute(
            &stranger,
            &ExecuteMsg::ProveStep {
                game: id,
                step: 0,
                proof: Binary::new(vec![0]),
            },
            &[],
        ),
        "malformed one-step proof",
    );
    assert_eq!(suite.game(id), before);
    // play to the end; a malformed or wrong-step proof is refused, the true one decides
    suite.bisect_to_one_step(id, Play::DisagreeAll).unwrap();
    let GamePhase::OneStep { step } = suite.game(id).phase else {
        panic!("one step")
    };
    let proof = suite.one_step_proof(0, step);
    let mut tampered = proof.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    let res = suite.execute(
        &stranger,
        &ExecuteMsg::ProveStep {
            game: id,
            step,
            proof: Binary::new(tampered),
        },
        &[],
    );
    assert!(res.is_err());
    let dry = suite.check_move(
        id,
        &stranger,
        GameMove::ProveStep {
            step,
            proof: Binary::new(proof.clone()),
        },
    );
    assert_eq!(
        dry.outcome,
        Some(MoveOutcome::Wins {
            winner: Side::Defender,
            by: Resolution::Proof,
        })
    );
    suite.prove_step(&stranger, id).unwrap();
    // after resolution nothing moves
    assert_refused(
        suite.resolve_game(id),
        CoreError::GameOver {
            winner: CoreSide::Defender,
        },
    );
    assert_refused(
        suite.execute(
            &stranger,
            &ExecuteMsg::ProveStep {
                game: id,
                step,
                proof: Binary::new(proof),
            },
            &[],
        ),
        CoreError::GameOver {
            winner: CoreSide::Defender,
        },
    );
    // challenges after the window and on final batches are refused
    suite.a_challenge_window_passes();
    let finalizes_at = suite.batch(0).finalizes_at;
    assert_refused(
        suite.challenge(&ch, 0),
        ContractError::WindowClosed {
            index: 0,
            finalizes_at,
        },
    );
    suite.finalize(0).unwrap();
    assert_refused(
        suite.challenge(&ch, 0),
        ContractError::AlreadyFinal { index: 0 },
    );
    suite.assert_reconciles();
}

/// A fraudulent batch 0 by the suite's proposer and an honest batch 1 built on it by
/// `builder` (bonded with its whole `BOND`).
fn fraud_with_an_honest_descendant() -> Suite {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .with_coins("builder", vec![Coin::new(BOND, BOND_DENOM)])
        .with_coins("liar", vec![Coin::new(START, BOND_DENOM)])
        .build();
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    let (ka, kb) = user_keys();
    let proposer = suite.proposer.clone();
    let builder = suite.addr("builder");
    suite.bond_proposer().unwrap();
    suite.bond(&builder, BOND).unwrap();
    suite.deposit_new_account(&alice, &ka, 600).unwrap();
    suite.deposit_new_account(&bob, &kb, 400).unwrap();
    let b0 = encode_batch(&[suite.transfer(&ka, 0, 1, 10, 0)]);
    suite
        .propose_claiming(&proposer, b0, Claim::WrongFrom(3))
        .unwrap();
    let b1 = encode_batch(&[suite.transfer(&kb, 1, 0, 5, 0)]);
    suite.propose(&builder, b1).unwrap();
    suite
}

#[test]
fn f2_a_game_keeps_the_reward_and_treasury_it_opened_with() {
    let (mut suite, data) = setup(3);
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    let (treasury, friend) = (suite.addr("treasury"), suite.addr("admins-friend"));
    suite
        .propose_claiming(&proposer, data, Claim::WrongFrom(3))
        .unwrap();
    let id = suite.challenge(&ch, 0).unwrap();
    let opened = suite.game(id).terms;
    assert_eq!(
        (
            opened.reward_bps,
            &opened.treasury,
            opened.proposer_stake.u128()
        ),
        (5_000, &treasury, BOND)
    );
    // mid-game the admin tries to take the challenger's reward: no share, and the whole
    // slash to a friend. The change waits its timelock...
    suite
        .propose_config(ConfigChange {
            dispute: Some(DisputeParams {
                challenger_bond: CHALLENGER_BOND.into(),
                clock_seconds: 3_600,
                min_answer_seconds: 300,
                reward_bps: 0,
                treasury: friend.to_string(),
            }),
            ..ConfigChange::default()
        })
        .unwrap();
    assert_eq!(suite.config().dispute.reward_bps, 5_000);
    // ...and even once applied it does not touch the open game
    suite.config_change_applies().unwrap();
    assert_eq!(suite.config().dispute.reward_bps, 0);
    assert_eq!(suite.config().dispute.treasury, friend);
    assert_eq!(suite.game(id).terms, opened);
    // the silent defender lost on time long ago: the game settles by its own terms
    suite.resolve_game(id).unwrap();
    assert_eq!(suite.balance(&ch, BOND_DENOM), START + BOND / 2);
    assert_eq!(suite.credit(&treasury), BOND / 2);
    assert_eq!(suite.credit(&friend), 0);
    suite.assert_reconciles();
    // a game opened now takes the new terms
    let (ka, _) = user_keys();
    let data = encode_batch(&[suite.transfer(&ka, 0, 1, 1, 0)]);
    suite.bond_proposer().unwrap();
    suite
        .propose_claiming(&proposer, data, Claim::WrongFrom(3))
        .unwrap();
    let id = suite.challenge(&ch, 0).unwrap();
    assert_eq!(suite.game(id).terms.reward_bps, 0);
    assert_eq!(suite.game(id).terms.treasury, friend);
}

#[test]
fn f4_slashed_stakes_are_credited_to_the_treasury_and_claimed_by_it() {
    let (mut suite, data) = setup(3);
    let proposer = suite.proposer.clone();
    let ch = challenger(&suite);
    let treasury = suite.addr("treasury");
    suite
        .propose_claiming(&proposer, data, Claim::WrongFrom(3))
        .unwrap();
    let id = suite.challenge(&ch, 0).unwrap();
    suite.advance(3_600);
    let res = suite.resolve_game(id).unwrap();
    // settlement sends nothing to the treasury: a treasury that cannot receive (a
    // blocked module account, a contract that refuses funds) cannot block slashing
    for e in res.events.iter().filter(|e| e.ty == "transfer") {
        assert!(
            !e.attributes
                .iter()
                .any(|a| a.key == "recipient" && a.value == treasury.as_str()),
            "settlement pushed funds to the treasury: {e:?}"
        );
    }
    assert_eq!(suite.balance(&treasury, BOND_DENOM), 0);
    assert_eq!(suite.credit(&treasury), BOND / 2);
    // the credit is a liability until claimed
    let status = suite.status();
    assert_eq!(status.liabilities.credits.u128(), BOND / 2);
    suite.assert_reconciles();
    // only its owner withdraws it, once
    let stranger = suite.addr("stranger");
    assert_refused(
        suite.claim(&stranger),
        ContractError::NoCredit {
            address: stranger.to_string(),
        },
    );
    suite.claim(&treasury).unwrap();
    assert_eq!(suite.balance(&treasury, BOND_DENOM), BOND / 2);
    assert_eq!(suite.credit(&treasury), 0);
    assert_refused(
        suite.claim(&treasury),
        ContractError::NoCredit {
            address: treasury.to_string(),
        },
    );
    assert_eq!(suite.status().liabilities.credits.u128(), 0);
    suite.assert_reconciles();
}

#[test]
fn f5_a_game_decided_by_its_clock_settles_before_a_removal_voids_it() {
    let mut suite = fraud_with_an_honest_descendant();
    let (ch, liar, builder) = (
        challenger(&suite),
        suite.addr("liar"),
        suite.addr("builder"),
    );
    // a liar challenges the honest batch 1, the builder answers, the liar goes silent
    let decided = suite.challenge(&liar, 1).unwrap();
    suite.defend(decided).unwrap();
    suite.advance(3_601);
    // a game on batch 1 whose clock still runs when the batch goes
    let running = suite.challenge(&ch, 1).unwrap();
    // the honest challenger removes the fraud (and batch 1 with it)
    let id = suite.challenge(&ch, 0).unwrap();
    suite.bisect_to_one_step(id, Play::Honest).unwrap();
    suite.prove_step(&ch, id).unwrap();
    assert_eq!(suite.status().next_batch, 0);
    // the game the builder had won on time is not void: it settles as decided
    assert!(!matches!(suite.game(decided).phase, GamePhase::Void { .. }));
    let GamePhase::Choose { position, .. } = suite.game(decided).phase else {
        panic!("the liar's turn")
    };
    let choose = ExecuteMsg::Choose {
        game: decided,
        position,
        agree: false,
    };
    assert_refused(
        suite.execute(&liar, &choose, &[]),
        CoreError::ClockExpired {
            side: CoreSide::Challenger,
        },
    );
    suite.resolve_game(decided).unwrap();
    assert!(matches!(
        suite.game(decided).phase,
        GamePhase::Resolved {
            winner: Side::Defender,
            reason: optimistic_rollup::msg::Resolution::Timeout
        }
    ));
    assert_eq!(suite.balance(&builder, BOND_DENOM), CHALLENGER_BOND);
    assert_eq!(suite.balance(&liar, BOND_DENOM), START - CHALLENGER_BOND);
    // the game still running at the removal is void: its bond goes back
    assert!(matches!(suite.game(running).phase, GamePhase::Void { .. }));
    let before = suite.balance(&ch, BOND_DENOM);
    suite.resolve_game(running).unwrap();
    assert_eq!(suite.balance(&ch, BOND_DENOM), before + CHALLENGER_BOND);
    assert_refused(
        suite.resolve_game(decided),
        ContractError::GameEnded {
            id: decided,
            ended_by: "timeout".into(),
        },
    );
    suite.assert_reconciles();
}

#[test]
fn i4_an_honest_proposer_removed_with_a_fraudulent_ancestor_gets_its_bond_back() {
    let mut suite = fraud_with_an_honest_descendant();
    let (ch, builder) = (challenger(&suite), suite.addr("builder"));
    let on_builder = suite.challenge(&ch, 1).unwrap();
    let id = suite.challenge(&ch, 0).unwrap();
    suite.bisect_to_one_step(id, Play::Honest).unwrap();
    suite.prove_step(&ch, id).unwrap();
    assert_eq!(suite.status().next_batch, 0, "batches 0 and 1 removed");
    // the game on its removed batch may still bind the bond until it is resolved
    assert_refused(
        suite.unbond(&builder),
        ContractError::DefendingGames {
            address: builder.to_string(),
            games: 1,
        },
    );
    // anyone (the builder itself) resolves the void game; nothing else is needed: no
    // batch has to be proposed or finalized at the removed index
    suite.resolve_game(on_builder).unwrap();
    suite.unbond(&builder).unwrap();
    assert_eq!(suite.balance(&builder, BOND_DENOM), BOND);
    // and if the index is reused by someone else's batch, it does not lock the builder's
    // (now empty) record either
    assert_refused(
        suite.unbond(&builder),
        ContractError::NoBond {
            address: builder.to_string(),
        },
    );
    suite.assert_reconciles();
}
