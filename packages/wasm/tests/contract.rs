//! The messages the package builds, read back with the contract's own `ExecuteMsg` and
//! executed on an embedded chain (settle-testing's `Suite`): the contract accepts them
//! and pays, and a fraud-proof game played with the package's moves against a lying
//! proposer ends with the challenger's win. Native only; `web.rs` checks the same
//! builders through wasm-bindgen.
#![cfg(not(target_arch = "wasm32"))]

use cosmwasm_std::Coin;
use optimistic_rollup::msg::{
    DepositTo, ExecuteMsg as ContractMsg, GamePhase, MoveCheckResponse, QueryMsg as ContractQuery,
    Side as ContractSide,
};
use serde::Serialize;
use settle_core::batch::{encode_batch, verify_withdrawal, WithdrawalClaim};
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_core::dispute::Side;
use settle_testing::{Claim, SuiteBuilder, BOND_DENOM, DENOM};
use settle_wasm::convert::Fixed;
use settle_wasm::dispute::{next_move, ContextJs, GameJs};
use settle_wasm::msg::{self, BatchCommitmentJs, MoveJs, MoveProof};
use settle_wasm::node::{DepositToJs, ProposalJs, WithdrawalProofJs};

/// Our message's JSON, parsed by the contract's type (which denies unknown fields).
fn as_contract_msg(m: &msg::ExecuteMsg) -> ContractMsg {
    serde_json::from_value(serde_json::to_value(m).unwrap())
        .expect("the contract's ExecuteMsg reads the package's JSON")
}

fn json_of<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn the_contract_accepts_and_pays_what_the_package_builds() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 1_000).build();
    suite.bond_proposer().unwrap();
    let (alice, bob, anyone) = (suite.addr("alice"), suite.addr("bob"), suite.addr("anyone"));
    let proposer = suite.proposer.clone();

    // the signing domain is the one the contract reports
    let chain_id = suite.app.block_info().chain_id;
    assert_eq!(
        settle_wasm::tx::domain(&chain_id, suite.rollup.as_str()),
        suite.config().domain.to_hex()
    );

    // deposit { to: new_account }
    let key = L2Key::from_label("alice");
    let ours = msg::deposit(&DepositToJs::NewAccount {
        pubkey: Fixed(key.public_key()),
    })
    .unwrap();
    let ContractMsg::Deposit { to } = as_contract_msg(&ours) else {
        panic!("a deposit message");
    };
    assert!(
        matches!(&to, DepositTo::NewAccount { pubkey } if pubkey.as_slice() == key.public_key())
    );
    suite.deposit(&alice, to, 600).unwrap();
    let ContractMsg::Deposit { to } =
        as_contract_msg(&msg::deposit(&DepositToJs::Account { index: 0 }).unwrap())
    else {
        panic!("a deposit message");
    };
    suite.deposit(&alice, to, 100).unwrap();

    // propose_batch from the node's proposal
    let w = suite.withdrawal(&key, 0, &bob, 250, 0);
    let proposal = suite.node.propose(&NativeVerifier, w.encode()).unwrap();
    let m = as_contract_msg(&msg::propose_batch(ProposalJs::from(proposal)));
    suite.execute(&proposer, &m, &[]).unwrap();
    suite.a_challenge_window_passes();
    suite.finalize(0).unwrap();

    // the contract's batch query response is a BatchCommitment as it is
    let stored: BatchCommitmentJs =
        serde_json::from_value(json_of(&suite.batch(0))).expect("aliases match the response");
    let core_proof = suite.withdrawal_proof(0, 0);
    assert_eq!(
        verify_withdrawal(
            &stored.output_root.0,
            stored.batch,
            stored.deposit_cursor,
            &stored.data_root.0,
            &WithdrawalClaim {
                index: core_proof.index,
                recipient: &core_proof.recipient,
                amount: core_proof.amount,
                state_root: core_proof.state_root,
                withdrawals_root: core_proof.withdrawals_root,
                proof: &core_proof.proof,
            }
        ),
        Ok(())
    );

    // withdraw: the same message the Suite builds with cosmwasm-std's types, and it pays
    let proof = WithdrawalProofJs::from(core_proof.clone());
    let m = as_contract_msg(&msg::withdraw(proof.clone(), bob.as_str()).unwrap());
    assert_eq!(m, suite.withdraw_msg(&core_proof));
    suite.execute(&anyone, &m, &[]).unwrap();
    assert_eq!(suite.balance(&bob, DENOM), 250);
    suite.assert_reconciles();

    // a recipient other than the one the withdrawal names is refused before the chain
    let err = msg::withdraw(proof, alice.as_str()).unwrap_err();
    assert!(err.message().contains("but the withdrawal pays"), "{err:?}");
}

fn as_contract_query(q: &msg::QueryMsg) -> ContractQuery {
    serde_json::from_value(serde_json::to_value(q).unwrap())
        .expect("the contract's QueryMsg reads the package's JSON")
}

#[test]
fn the_package_plays_a_fraud_proof_game_on_the_contract_and_wins() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .build();
    suite.bond_proposer().unwrap();
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    let (ka, kb) = (L2Key::from_label("alice"), L2Key::from_label("bob"));
    suite.deposit_new_account(&alice, &ka, 600).unwrap();
    suite.deposit_new_account(&bob, &kb, 400).unwrap();
    let txs = [
        suite.transfer(&ka, 0, 1, 5, 0),
        suite.transfer(&kb, 1, 0, 7, 0),
        suite.withdrawal(&kb, 1, &bob, 50, 1),
        suite.transfer(&ka, 0, 1, 1, 9), // a stale nonce: a no-op
    ];
    let proposer = suite.proposer.clone();
    // the proposer lies from position 4 on (the state after the first transfer)
    suite
        .propose_claiming(&proposer, encode_batch(&txs), Claim::WrongFrom(4))
        .unwrap();

    // the dispute_context response is a context oneStep reads as it is
    let response = suite
        .app
        .wrap()
        .query_wasm_smart::<serde_json::Value>(
            &suite.rollup,
            &ContractQuery::DisputeContext { batch: 0 },
        )
        .unwrap();
    let ctx: ContextJs = serde_json::from_value(response.clone()).unwrap();
    let trace = suite.node.trace(0).unwrap();
    assert_eq!(
        settle_core::dispute::BatchContext::from(&ctx),
        trace.ctx,
        "{response}"
    );
    let truth = trace.roots(&NativeVerifier).unwrap();

    // challenge with the package's message and the bond attached
    let challenger = suite.addr("challenger");
    let bond = suite.config().dispute.challenger_bond;
    let m = as_contract_msg(&msg::challenge(0));
    suite
        .execute(&challenger, &m, &[Coin::new(bond, BOND_DENOM)])
        .unwrap();
    let id = 0;

    // the honest challenger plays every move with next_move on the contract's response
    let mut moves = 0;
    loop {
        let response = serde_json::to_value(suite.game(id)).unwrap();
        let game: GameJs = serde_json::from_value(response.clone())
            .unwrap_or_else(|e| panic!("{e}: the package reads {response}"));
        if let GamePhase::Resolved { winner, .. } = suite.game(id).phase {
            assert_eq!(winner, ContractSide::Challenger);
            assert_eq!(
                next_move(&trace, &truth, &game, Side::Challenger).unwrap(),
                None
            );
            break;
        }
        match next_move(&trace, &truth, &game, Side::Challenger).unwrap() {
            None => {
                // the defender's turn: it answers with its claim
                assert!(matches!(suite.game(id).phase, GamePhase::Bisect { .. }));
                suite.defend(id).unwrap();
            }
            Some(ours) => {
                // the contract's dry run accepts the move, then the move itself
                let mv: MoveJs = serde_json::from_value(serde_json::to_value(&ours).unwrap())
                    .expect("a move message is a move");
                let q = as_contract_query(&msg::check_move(id, challenger.as_str(), mv).unwrap());
                let check: MoveCheckResponse = suite
                    .app
                    .wrap()
                    .query_wasm_smart(&suite.rollup, &q)
                    .unwrap();
                assert!(check.valid, "{check:?} for {ours:?}");
                suite
                    .execute(&challenger, &as_contract_msg(&ours), &[])
                    .unwrap();
                suite.follow_removals();
            }
        }
        moves += 1;
        assert!(moves < 64, "the game does not end");
    }
    // the honest defender's moves are what the lying one would have needed to send
    let defender_game: GameJs = serde_json::from_value(serde_json::json!({
        "id": id, "batch": 0, "steps": trace.ctx.steps(), "lo": 0, "hi": trace.ctx.steps(),
        "lo_root": hex::encode(truth[0]), "hi_root": hex::encode(truth[truth.len() - 1]),
        "phase": {"bisect": {"position": trace.ctx.steps() / 2}},
    }))
    .unwrap();
    let m = next_move(&trace, &truth, &defender_game, Side::Defender)
        .unwrap()
        .unwrap();
    assert!(matches!(as_contract_msg(&m), ContractMsg::Bisect { .. }));

    // the other builders read back as the contract's messages
    assert_eq!(
        as_contract_msg(&msg::resolve_game(3)),
        ContractMsg::ResolveGame { game: 3 }
    );
    assert_eq!(
        as_contract_msg(&msg::choose(1, 2, true)),
        ContractMsg::Choose {
            game: 1,
            position: 2,
            agree: true
        }
    );
    let proof = trace.proof(&NativeVerifier, 1).unwrap().encode();
    assert!(matches!(
        as_contract_msg(&msg::prove_step(1, 1, &proof).unwrap()),
        ContractMsg::ProveStep { game: 1, step: 1, proof: p } if p.as_slice() == proof.as_slice()
    ));
    for mv in [
        MoveJs::Resolve { game: None },
        MoveJs::ProveStep {
            game: Some(4),
            step: 1,
            proof: MoveProof(proof.clone()),
        },
    ] {
        as_contract_query(&msg::check_move(4, alice.as_str(), mv).unwrap());
    }
}
