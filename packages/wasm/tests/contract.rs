//! The messages the package builds, read back with the contract's own `ExecuteMsg` and
//! executed on an embedded chain (settle-testing's `Suite`): the contract accepts them
//! and pays, and a fraud-proof game played with the package's moves against a lying
//! proposer ends with the challenger's win; the validity rollup accepts a batch the
//! package's prover proved and pays an exodus exit the package signed, and a contract made
//! with a converted snarkjs key answers `verify_proof` as `verifyGroth16` does. Native
//! only; `web.rs` checks the same builders through wasm-bindgen.
#![cfg(not(target_arch = "wasm32"))]

use cosmwasm_std::Coin;
use optimistic_rollup::msg::{
    DepositTarget, ExecuteMsg as ContractMsg, GamePhase, MoveCheckResponse,
    QueryMsg as ContractQuery, Side as ContractSide,
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

/// The message through its JSON and back (the package builds the contract's own type; this
/// checks the JSON round trip the chain does, with unknown fields denied).
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
    let ContractMsg::Deposit { target: to } = as_contract_msg(&ours) else {
        panic!("a deposit message");
    };
    assert!(
        matches!(&to, DepositTarget::NewAccount { pubkey } if pubkey.as_slice() == key.public_key())
    );
    suite.deposit(&alice, to, 600).unwrap();
    let ContractMsg::Deposit { target: to } =
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
    assert_eq!(as_contract_msg(&msg::claim()), ContractMsg::Claim {});
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
        MoveJs::ResolveGame { game: None },
        MoveJs::ProveStep {
            game: Some(4),
            step: 1,
            proof: MoveProof(proof.clone()),
        },
    ] {
        as_contract_query(&msg::check_move(4, alice.as_str(), mv).unwrap());
    }
}

// ---- payment channels -------------------------------------------------------------

mod channels {
    use cosmwasm_std::{Addr, Coin, Empty};
    use cw_multi_test::{App, ContractWrapper, Executor};
    use payment_channels::msg::{
        ChannelPhase, CloseCheckResponse, ConfigResponse, ExecuteMsg as ChannelMsg, InstantiateMsg,
        QueryMsg as ChannelQuery,
    };
    use serde_json::json;
    use settle_wasm::channel::{
        self, ChannelStateJs, ExecuteMsg as ChannelExecuteMsg, PayoutArgs, PayoutJs, StateArg,
        VerifyArgs,
    };
    use settle_wasm::convert::Dec;
    use settle_wasm::tx::L2Key;

    const DENOM: &str = "uusd";
    const WINDOW: u64 = 600;

    fn as_msg(m: &ChannelExecuteMsg) -> ChannelMsg {
        serde_json::from_value(serde_json::to_value(m).unwrap())
            .expect("the contract's ExecuteMsg reads the package's JSON")
    }

    fn balance(app: &App, who: &Addr) -> u128 {
        app.wrap()
            .query_balance(who, DENOM)
            .unwrap()
            .amount
            .to_string()
            .parse()
            .unwrap()
    }

    fn state(v: serde_json::Value) -> StateArg {
        StateArg::Object(serde_json::from_value::<ChannelStateJs>(v).expect("a ChannelState"))
    }

    struct Parties {
        ka: L2Key,
        kb: L2Key,
        domain: String,
    }

    impl Parties {
        /// The contract's `SignedState` of `s`, signed by both with the package.
        fn signed(&self, s: &StateArg) -> channel::SignedStateJs {
            let sa = channel::sign_state(&self.ka, &self.domain, s).unwrap();
            let sb = channel::sign_state(&self.kb, &self.domain, s).unwrap();
            channel::signed_state(s, &sa, &sb).unwrap()
        }
    }

    fn predicted(s: &StateArg, funding: [u128; 2], stale: serde_json::Value) -> PayoutJs {
        let args: PayoutArgs = serde_json::from_value(json!({
            // the encoding as hex: the package reads it as the state
            "state": hex::encode(s.state().unwrap().encode()),
            "funding": [funding[0].to_string(), funding[1].to_string()],
            "stale": stale,
            // the contract's config response names the rules so
            "penalty_share_bps": 10_000,
            "watchtower_fee_bps": 1_000,
        }))
        .unwrap();
        channel::payout(&args).unwrap()
    }

    #[test]
    fn the_contract_closes_disputes_and_settles_what_the_package_signs() {
        let mut app = App::default();
        let api = *app.api();
        let (alice, bob, tower, owner) = (
            api.addr_make("alice"),
            api.addr_make("bob"),
            api.addr_make("watchtower"),
            api.addr_make("owner"),
        );
        app.init_modules(|router, _, storage| {
            for who in [&alice, &bob] {
                router
                    .bank
                    .init_balance(storage, who, vec![Coin::new(10_000u128, DENOM)])
                    .unwrap();
            }
        });
        let code = app.store_code(Box::new(ContractWrapper::<_, _, _, _, _, _, Empty>::new(
            payment_channels::contract::execute,
            payment_channels::contract::instantiate,
            payment_channels::contract::query,
        )));
        let contract = app
            .instantiate_contract(
                code,
                owner,
                &InstantiateMsg {
                    penalty_share_bps: None,
                    watchtower_fee_bps: 1_000,
                    max_dispute_window: 3_600,
                },
                &[],
                "channels",
                None,
            )
            .unwrap();

        // the channel domain is the one the contract reports
        let config: ConfigResponse = app
            .wrap()
            .query_wasm_smart(&contract, &ChannelQuery::Config {})
            .unwrap();
        let domain = channel::channel_domain(&app.block_info().chain_id, contract.as_str());
        assert_eq!(domain, config.domain.to_hex());
        let p = Parties {
            ka: L2Key::from_label("channel-alice"),
            kb: L2Key::from_label("channel-bob"),
            domain,
        };

        // open (alice funds 1000) and join (bob proves his key and adds 500), with the
        // package's messages
        let open = channel::open(
            serde_json::from_value(json!({
                "counterparty": bob.as_str(),
                "pubkeyA": p.ka.public_key(),
                "pubkeyB": p.kb.public_key(),
                "disputeWindow": WINDOW,
                "joinWindow": 3_600,
            }))
            .unwrap(),
        )
        .unwrap();
        app.execute_contract(
            alice.clone(),
            contract.clone(),
            &as_msg(&open),
            &[Coin::new(1_000u128, DENOM)],
        )
        .unwrap();
        let join_args = |id: u64| -> channel::JoinArgs {
            serde_json::from_value(json!({
                "domain": p.domain, "channelId": id, "counterparty": bob.as_str(),
                "pubkeyA": p.ka.public_key(), "pubkeyB": p.kb.public_key(),
            }))
            .unwrap()
        };
        // alice's key cannot sign bob's join
        assert!(channel::join_signature(&p.ka, &join_args(0)).is_err());
        let join = |id: u64| {
            as_msg(
                &channel::join(id, &channel::join_signature(&p.kb, &join_args(id)).unwrap())
                    .unwrap(),
            )
        };
        app.execute_contract(
            bob.clone(),
            contract.clone(),
            &join(0),
            &[Coin::new(500u128, DENOM)],
        )
        .unwrap();

        // v1 favours alice; v2 moves money to bob and holds an HTLC from alice to bob
        let preimage = "42".repeat(32);
        let hash = channel::payment_hash(&preimage).unwrap();
        let v1 = state(json!({
            "channelId": 0, "version": "1", "funded": ["1000", "500"],
            "balances": ["900", "600"],
        }));
        let v2 = state(json!({
            "channelId": 0, "version": 2, "funded": ["1000", "500"],
            "balances": ["600", "800"],
            "htlcs": [{"amount": "100", "paymentHash": hash, "timeout": "4102444800", "payer": "a"}],
            "isFinal": false,
        }));
        let (s1, s2) = (p.signed(&v1), p.signed(&v2));
        // the package's check agrees with the contract's
        let verdict = channel::verify(
            &serde_json::from_value::<VerifyArgs>(json!({
                "domain": p.domain, "state": hex::encode(&s2.state.0),
                "pubkeyA": p.ka.public_key(), "pubkeyB": p.kb.public_key(),
                "signatureA": hex::encode(s2.signature_a.0), "signatureB": hex::encode(s2.signature_b.0),
                "channelId": 0, "funding": ["1000", "500"],
            }))
            .unwrap(),
        );
        assert!(verdict.valid, "{:?}", verdict.reason);

        // alice got v2 with both signatures and revoked v1; bob authorised his watchtower
        let revocation = channel::revoke(&p.ka, &p.domain, 0, 1).unwrap();
        let auth = channel::authorise(&p.kb, &p.domain, 0, tower.as_str()).unwrap();

        // alice closes with the revoked v1: the dry run says so first
        let q = channel::check_close(0, alice.as_str(), s1.clone()).unwrap();
        let check: CloseCheckResponse = app
            .wrap()
            .query_wasm_smart(&contract, &serde_json::to_value(&q).unwrap())
            .unwrap();
        assert!(check.valid, "{check:?}");
        let close = as_msg(&channel::with_signed("close", 0, s1).unwrap());
        assert!(matches!(close, ChannelMsg::Close { channel: 0, .. }));
        app.execute_contract(alice.clone(), contract.clone(), &close, &[])
            .unwrap();

        // bob's watchtower disputes with v2 and alice's revocation of v1
        let extras: channel::DisputeExtras = serde_json::from_value(json!({
            "revocation": serde_json::to_value(&revocation).unwrap(),
            "authorisation": auth,
        }))
        .unwrap();
        let q =
            channel::check_dispute(0, tower.as_str(), Some(s2.clone()), extras.clone()).unwrap();
        let check: CloseCheckResponse = app
            .wrap()
            .query_wasm_smart(&contract, &serde_json::to_value(&q).unwrap())
            .unwrap();
        assert!(check.valid, "{check:?}");
        assert!(
            matches!(
                check.outcome,
                Some(payment_channels::msg::CloseOutcome::Disputes {
                    replaced_by: Some(2),
                    replaced: Some(1),
                    proves_stale: true,
                    by_watchtower: true,
                })
            ),
            "{check:?}"
        );
        let dispute = as_msg(&channel::dispute(0, Some(s2.clone()), extras).unwrap());
        assert!(matches!(dispute, ChannelMsg::Dispute { channel: 0, .. }));
        app.execute_contract(tower.clone(), contract.clone(), &dispute, &[])
            .unwrap();

        // the preimage is revealed, the window passes, the channel settles
        let reveal = as_msg(&channel::reveal_preimage(&preimage).unwrap());
        app.execute_contract(bob.clone(), contract.clone(), &reveal, &[])
            .unwrap();
        app.update_block(|b| b.time = b.time.plus_seconds(WINDOW + 1));
        let settle = as_msg(&ChannelExecuteMsg::Settle { channel: 0 });
        app.execute_contract(tower.clone(), contract.clone(), &settle, &[])
            .unwrap();

        // what the package predicted: alice forfeits her 600, 10% of it to the watchtower
        let out = predicted(
            &v2,
            [1_000, 500],
            json!({"closer": "a", "byWatchtower": true}),
        );
        assert_eq!(
            out,
            PayoutJs {
                parties: [Dec(0), Dec(1_340)],
                watchtower: Dec(60),
                htlcs: Dec(100)
            }
        );
        assert_eq!(balance(&app, &alice), 10_000 - 1_000 + out.parties[0].0);
        assert_eq!(balance(&app, &bob), 10_000 - 500 + out.parties[1].0);
        assert_eq!(balance(&app, &tower), out.watchtower.0);
        assert_eq!(balance(&app, &contract), out.htlcs.0);

        // the HTLC goes to bob, its payee
        let htlc = as_msg(&ChannelExecuteMsg::SettleHtlc {
            channel: 0,
            htlc: 0,
        });
        app.execute_contract(alice.clone(), contract.clone(), &htlc, &[])
            .unwrap();
        assert_eq!(balance(&app, &bob), 10_000 - 500 + out.parties[1].0 + 100);
        assert_eq!(balance(&app, &contract), 0);

        // channel 1: a cooperative close with a final state pays what the package says
        app.execute_contract(
            alice.clone(),
            contract.clone(),
            &as_msg(&open),
            &[Coin::new(300u128, DENOM)],
        )
        .unwrap();
        app.execute_contract(
            bob.clone(),
            contract.clone(),
            &join(1),
            &[Coin::new(200u128, DENOM)],
        )
        .unwrap();
        // a state signed for channel 0 is refused on channel 1 with the core's message
        let q = channel::check_close(1, alice.as_str(), p.signed(&v1)).unwrap();
        let check: CloseCheckResponse = app
            .wrap()
            .query_wasm_smart(&contract, &serde_json::to_value(&q).unwrap())
            .unwrap();
        assert!(!check.valid);
        assert_eq!(
            check.reason.as_deref(),
            Some("state of channel 0 offered to channel 1")
        );
        let fin = state(json!({
            "channelId": 1, "version": "7", "funded": ["300", "200"],
            "balances": ["120", "380"], "isFinal": true,
        }));
        let out = predicted(&fin, [300, 200], serde_json::Value::Null);
        let (a0, b0) = (balance(&app, &alice), balance(&app, &bob));
        let coop = as_msg(&channel::with_signed("cooperative_close", 1, p.signed(&fin)).unwrap());
        app.execute_contract(tower.clone(), contract.clone(), &coop, &[])
            .unwrap();
        assert_eq!(balance(&app, &alice), a0 + out.parties[0].0);
        assert_eq!(balance(&app, &bob), b0 + out.parties[1].0);
        assert_eq!(out.parties.map(|d| d.0), [120, 380]);
        let ch: payment_channels::msg::ChannelResponse = app
            .wrap()
            .query_wasm_smart(&contract, &ChannelQuery::Channel { channel: 1 })
            .unwrap();
        assert_eq!(ch.phase, ChannelPhase::Closed {});
    }
}

// ---- the validity rollup -------------------------------------------------------------

mod validity {
    use cosmwasm_std::{Binary, Coin};
    use cw_multi_test::{App, ContractWrapper, Executor};
    use serde::Serialize;
    use serde_json::json;
    use settle_core::validity::field::fr_to_bytes;
    use settle_core::validity::ledger::{self as core_ledger, Shape};
    use settle_core::validity::poseidon::Poseidon;
    use settle_testing::{keys_for, Operator, ValiditySuiteBuilder, VALIDITY_DENOM};
    use settle_wasm::convert::Dec;
    use settle_wasm::validity::{
        self, fr_arg, ExecuteMsg as ValidityExecuteMsg, QueryMsg as ValidityQueryMsg, ShapeJs,
        SubmitBatchArgs, ZkDepositJs, ZkKey, ZkLedger, ZkProver, ZkTargetJs, ZkTransferArgs,
        ZkWithdrawalArgs,
    };
    use validity_rollup::msg::{
        CheckBatchResponse, ConfigResponse, ExecuteMsg as RollupMsg, InstantiateMsg,
        QueryMsg as RollupQuery, QueuedDepositResponse, Shape as MsgShape, StatusResponse,
        VerifyProofResponse,
    };

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/interop/snarkjs/fixtures/"
    );

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{FIXTURES}{name}")).expect("the snarkjs fixtures")
    }

    /// The message through its JSON and back (the package builds the contract's own type; this
    /// checks the JSON round trip the chain does, with unknown fields denied).
    fn as_msg(m: &ValidityExecuteMsg) -> RollupMsg {
        serde_json::from_value(serde_json::to_value(m).unwrap())
            .expect("the contract's ExecuteMsg reads the package's JSON")
    }

    fn as_query(q: &ValidityQueryMsg) -> RollupQuery {
        serde_json::from_value(serde_json::to_value(q).unwrap())
            .expect("the contract's QueryMsg reads the package's JSON")
    }

    fn json_of<T: Serialize>(v: &T) -> serde_json::Value {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn the_validity_contract_accepts_batches_and_exits_the_package_builds_and_proves() {
        let shape = ShapeJs {
            deposits: 1,
            txs: 1,
        };
        let mut suite = ValiditySuiteBuilder::new()
            .with_shape(1, 1)
            .with_exodus_after(3_600)
            .with_funds("alice", 1_000)
            .build();
        let (alice, bob, carol, operator) = (
            suite.addr("alice"),
            suite.addr("bob"),
            suite.addr("carol"),
            suite.addr("operator"),
        );
        let config: ConfigResponse = suite.query(&RollupQuery::Config {}).unwrap();

        // the domain is the one the contract computes from its address string
        let chain_id = suite.app.block_info().chain_id;
        let domain_hex = validity::rollup_domain(&chain_id, suite.contract.as_str());
        assert_eq!(domain_hex, config.domain.to_hex());
        let domain = fr_arg("domain", &domain_hex).unwrap();

        // the package's prover, with the suite's keys (a test setup) and its verifying key
        let keys = keys_for(Shape {
            deposits: 1,
            txs: 1,
        });
        let prover = ZkProver::of_key(keys.proving.clone());
        let vk = keys.verifying.to_wire();
        let mut ledger = ZkLedger::default();

        // the package's key check is the contract's: the real key passes, a degenerate one
        // (gamma = delta) is refused by both with the same reason
        assert!(validity::check_batch_key_bytes(&vk).valid);
        let mut bad = settle_core::validity::groth16::VerifyingKey::decode(&vk).unwrap();
        bad.delta_g2 = bad.gamma_g2;
        let verdict = validity::check_batch_key_bytes(&bad.encode());
        assert!(!verdict.valid);
        let admin = suite.admin.clone();
        let refused = suite
            .execute(
                &admin,
                &RollupMsg::ProposeKey {
                    verifying_key: Binary::from(bad.encode()),
                    shape: config.shape,
                },
                &[],
            )
            .unwrap_err();
        assert!(
            format!("{refused:#}").contains(verdict.reason.as_deref().unwrap()),
            "{refused:#} / {:?}",
            verdict.reason
        );

        // a deposit built by the package opens alice's account
        let ka = ZkKey::of_seed([1; 32]);
        let target = ZkTargetJs::NewAccount {
            pubkey: validity::ZkPubkey(ka.secret_key().public_key()),
        };
        let m = as_msg(&ValidityExecuteMsg::Deposit {
            target: target.try_into().unwrap(),
        });
        suite
            .execute(&alice, &m, &[Coin::new(600u128, VALIDITY_DENOM)])
            .unwrap();

        // the contract's deposit response is a ZkDeposit as it is, its status the head
        let response: serde_json::Value = suite
            .query(&RollupQuery::QueuedDeposit { deposit: 0 })
            .unwrap();
        let deposit: ZkDepositJs = serde_json::from_value(response.clone()).unwrap();
        assert_eq!(deposit.target, target, "{response}");
        let _: QueuedDepositResponse = serde_json::from_value(response).unwrap();
        let status: StatusResponse = suite.query(&RollupQuery::Status {}).unwrap();
        assert_eq!(status.state_root.to_hex(), ledger_state_root(&ledger));
        let head = fr_arg("deposit_head", &status.deposit_head.to_hex()).unwrap();

        // batch 0: the deposit and a withdrawal from the account it opens (nonce 0)
        let w = ledger
            .withdrawal(
                &ka,
                &domain,
                serde_json::from_value::<ZkWithdrawalArgs>(json!({
                    "from": 0, "recipient": hex::encode(suite.canonical(&bob)), "amount": "250",
                }))
                .unwrap(),
            )
            .unwrap();
        let mut next = ledger.clone();
        let (witness, batch) = next.batch(shape, &domain, &head, &[deposit], &[w]).unwrap();
        let proof = prover.prove_bytes(witness.witness(), &mut |_| {}).unwrap();
        let public_input = hex::decode(json_of(&batch.public_input).as_str().unwrap()).unwrap();
        let verdict = validity::verify_groth16_bytes(&vk, &proof, &[&public_input]);
        assert!(verdict.valid, "{:?}", verdict.reason);

        // `{ ...batch, proof }` is submit_batch's argument; the dry run agrees first
        let mut args = json_of(&batch);
        args["proof"] = json!(hex::encode(proof));
        let args: SubmitBatchArgs = serde_json::from_value(args).unwrap();
        let check: CheckBatchResponse = suite
            .query(&as_query(&validity::check_batch(args.clone())))
            .unwrap();
        assert!(check.valid, "{check:?}");
        assert_eq!(
            check.public_input.unwrap().as_slice(),
            public_input.as_slice()
        );
        let m = as_msg(&validity::submit_batch(args).unwrap());
        assert!(matches!(
            m,
            RollupMsg::SubmitBatch {
                deposits_consumed: 1,
                ..
            }
        ));
        suite.execute(&operator, &m, &[]).unwrap();
        ledger = next;
        // the withdrawal is credited to bob; the package's claim message pays it
        let credit: validity_rollup::msg::CreditResponse = suite
            .query(&as_query(&ValidityQueryMsg::Credit {
                address: bob.to_string(),
            }))
            .unwrap();
        assert_eq!(credit.amount.u128(), 250);
        assert_eq!(suite.balance_of(&bob), 0);
        suite
            .execute(&bob, &as_msg(&ValidityExecuteMsg::Claim {}), &[])
            .unwrap();
        assert_eq!(suite.balance_of(&bob), 250);
        let status: StatusResponse = suite.query(&RollupQuery::Status {}).unwrap();
        assert_eq!(status.state_root.to_hex(), ledger_state_root(&ledger));
        assert_eq!(
            status.accounts_root.to_hex(),
            json_of(&batch.new_accounts_root)
        );

        // the verify_proof query the package builds: the contract's verdict is the package's
        let inputs = [hex::encode(&public_input)];
        let q = validity::verify_proof(&hex::encode(proof), &inputs).unwrap();
        let answer: VerifyProofResponse = suite.query(&as_query(&q)).unwrap();
        assert!(answer.valid, "{answer:?}");
        let mut other = public_input.clone();
        other[31] ^= 1;
        let q = validity::verify_proof(&hex::encode(proof), &[hex::encode(&other)]).unwrap();
        let answer: VerifyProofResponse = suite.query(&as_query(&q)).unwrap();
        let ours = validity::verify_groth16_bytes(&vk, &proof, &[other]);
        assert!(!answer.valid);
        assert_eq!(answer.reason, ours.reason);
        assert_eq!(
            ours.reason.as_deref(),
            Some("groth16 proof rejected: the pairing equation does not hold")
        );

        // a transfer the ledger refuses is refused with the core's reason
        let t = ledger
            .transfer(
                &ka,
                &domain,
                ZkTransferArgs {
                    from: None,
                    to: 0,
                    amount: Dec(1_000),
                    nonce: None,
                },
            )
            .unwrap();
        assert_eq!(t.nonce, Dec(1));
        assert_eq!(
            ledger
                .ledger()
                .check_tx(&domain, &t.to_core().unwrap())
                .unwrap_err()
                .to_string(),
            "balance 350 is short of 1000"
        );

        // exodus: the operator stops; alice leaves with her last proven balance
        suite.advance(3_601);
        let exit = validity::exodus_withdraw(&ledger, &ka, &domain, carol.as_str(), None).unwrap();
        let m = as_msg(&exit);
        // the message settle-testing's operator builds from the same ledger
        let mut op = Operator::new(suite.op.domain, suite.op.shape, suite.op.keys.clone());
        op.ledger = ledger.ledger().clone();
        let canonical = suite.canonical(&carol);
        assert_eq!(
            m,
            op.exodus_msg(ka.secret_key(), carol.as_str(), &canonical)
        );
        suite.execute(&operator, &m, &[]).unwrap();
        assert_eq!(suite.balance_of(&carol), 350);
        assert!(suite.solvency().solvent);
        // the key of another account is refused before the chain
        let kb = ZkKey::of_seed([2; 32]);
        assert_eq!(
            validity::exodus_withdraw(&ledger, &kb, &domain, carol.as_str(), Some(0))
                .unwrap_err()
                .message(),
            "account 0 is held by another key"
        );
        // reclaim_deposit reads back too
        assert_eq!(
            as_msg(&ValidityExecuteMsg::ReclaimDeposit { deposit: 4 }),
            RollupMsg::ReclaimDeposit { deposit: 4 }
        );
    }

    /// V1: the package's signed `request_exit` is taken by the contract (the signature is
    /// the one the contract checks, at the sequence its `account` query gives), queued as
    /// `{ exit: { account } }`, and the package's ledger serves it in a batch the contract
    /// accepts: the account's balance goes to the recipient, the bond back to the sender.
    #[test]
    fn the_validity_contract_serves_an_exit_request_the_package_signs() {
        let shape = ShapeJs {
            deposits: 1,
            txs: 1,
        };
        let mut suite = ValiditySuiteBuilder::new()
            .with_shape(1, 1)
            .with_funds("alice", 1_000)
            .with_funds("bob", 10)
            .build();
        let (alice, bob, carol, operator) = (
            suite.addr("alice"),
            suite.addr("bob"),
            suite.addr("carol"),
            suite.addr("operator"),
        );
        let config: ConfigResponse = suite.query(&RollupQuery::Config {}).unwrap();
        let domain_hex = config.domain.to_hex();
        let domain = fr_arg("domain", &domain_hex).unwrap();
        let keys = keys_for(Shape {
            deposits: 1,
            txs: 1,
        });
        let prover = ZkProver::of_key(keys.proving.clone());
        let mut ledger = ZkLedger::default();
        let head = |suite: &settle_testing::ValiditySuite| {
            let status: StatusResponse = suite.query(&RollupQuery::Status {}).unwrap();
            fr_arg("deposit_head", &status.deposit_head.to_hex()).unwrap()
        };
        let prove_and_submit = |suite: &mut settle_testing::ValiditySuite,
                                ledger: &mut ZkLedger,
                                index: u64| {
            let deposit: ZkDepositJs = serde_json::from_value(
                suite
                    .query(&RollupQuery::QueuedDeposit { deposit: index })
                    .unwrap(),
            )
            .unwrap();
            let mut next = ledger.clone();
            let (witness, batch) = next
                .batch(shape, &domain, &head(suite), &[deposit], &[])
                .unwrap();
            let proof = prover.prove_bytes(witness.witness(), &mut |_| {}).unwrap();
            let mut args = json_of(&batch);
            args["proof"] = json!(hex::encode(proof));
            let m = as_msg(&validity::submit_batch(serde_json::from_value(args).unwrap()).unwrap());
            suite.execute(&operator, &m, &[]).unwrap();
            *ledger = next;
            (deposit, batch)
        };

        // alice opens account 0 with 600; a batch consumes it
        let ka = ZkKey::of_seed([1; 32]);
        let pubkey = validity::ZkPubkey(ka.secret_key().public_key());
        let m = as_msg(&ValidityExecuteMsg::Deposit {
            target: ZkTargetJs::NewAccount { pubkey }.try_into().unwrap(),
        });
        suite
            .execute(&alice, &m, &[Coin::new(600u128, VALIDITY_DENOM)])
            .unwrap();
        prove_and_submit(&mut suite, &mut ledger, 0);

        // the account query the package builds: the key that opened it, sequence 0
        let q: validity_rollup::msg::AccountResponse = suite
            .query(&as_query(&ValidityQueryMsg::Account { account: 0 }))
            .unwrap();
        assert_eq!(q.pubkey.unwrap().to_hex(), ka.public_key());
        assert_eq!(q.exit_sequence, 0);

        // the package's exit request message is the core's
        let canonical = suite.canonical(&carol);
        let message =
            core_ledger::exit_request_message(&Poseidon::new(), &domain, 0, &canonical, 0).unwrap();
        assert_eq!(
            validity::exit_request_message(&domain_hex, 0, &hex::encode(&canonical), 0.0).unwrap(),
            hex::encode(fr_to_bytes(&message))
        );
        // ... and the message the Suite's operator builds from it
        let request = validity::request_exit(&ka, &domain, 0, carol.as_str(), 0).unwrap();
        let m = as_msg(&request);
        assert_eq!(
            m,
            suite
                .op
                .exit_request_msg(ka.secret_key(), 0, carol.as_str(), &canonical, 0)
        );
        // signed at a stale sequence or by another key, the contract refuses it
        let stale = validity::request_exit(&ka, &domain, 0, carol.as_str(), 1).unwrap();
        let bond = [Coin::new(1u128, VALIDITY_DENOM)];
        assert!(suite.execute(&bob, &as_msg(&stale), &bond).is_err());
        let kb = ZkKey::of_seed([2; 32]);
        let forged = validity::request_exit(&kb, &domain, 0, carol.as_str(), 0).unwrap();
        assert!(suite.execute(&bob, &as_msg(&forged), &bond).is_err());
        // bob posts alice's signed request with a bond
        suite.execute(&bob, &m, &bond).unwrap();
        assert_eq!(suite.balance_of(&bob), 9);
        let q: validity_rollup::msg::AccountResponse = suite
            .query(&as_query(&ValidityQueryMsg::Account { account: 0 }))
            .unwrap();
        assert_eq!(q.exit_sequence, 1);

        // the queued entry reads as a ZkDeposit `{ exit: { account: 0 } }`; the package's
        // ledger serves it: the batch posts the 600 it withdrew
        let (deposit, batch) = prove_and_submit(&mut suite, &mut ledger, 1);
        assert_eq!(deposit.target, ZkTargetJs::Exit { account: 0 });
        assert_eq!(json_of(&batch)["exits"], json!(["600"]));
        assert!(batch.withdrawals.is_empty());
        assert_eq!(ledger.ledger().account(0).unwrap().balance, 0);
        let status: StatusResponse = suite.query(&RollupQuery::Status {}).unwrap();
        assert_eq!(status.state_root.to_hex(), ledger_state_root(&ledger));
        // carol claims the 600, bob his bond (both credited by the batch)
        for who in [&carol, &bob] {
            suite
                .execute(who, &as_msg(&ValidityExecuteMsg::Claim {}), &[])
                .unwrap();
        }
        assert_eq!(suite.balance_of(&carol), 600);
        assert_eq!(suite.balance_of(&bob), 10);
        assert!(suite.solvency().solvent);
    }

    fn ledger_state_root(ledger: &ZkLedger) -> String {
        hex::encode(fr_to_bytes(&ledger.ledger().state_root()))
    }

    #[test]
    fn snarkjs_proofs_convert_and_the_contract_agrees_with_the_package() {
        let vk = validity::snarkjs_vk(&fixture("vk.json")).unwrap();
        let proof = validity::snarkjs_proof_hex(&fixture("proof.json")).unwrap();
        let inputs = validity::snarkjs_inputs(&fixture("public.json")).unwrap();
        assert_eq!(proof.len(), 2 * 192);
        assert_eq!(inputs.len(), 1);
        let bytes = |h: &str| hex::decode(h).unwrap();
        let verdict =
            validity::verify_groth16_bytes(&bytes(&vk), &bytes(&proof), &[bytes(&inputs[0])]);
        assert!(verdict.valid, "{:?}", verdict.reason);

        // a contract instantiated with the converted key answers verify_proof the same
        let mut app = App::default();
        let admin = app.api().addr_make("admin");
        let code = app.store_code(Box::new(ContractWrapper::new(
            validity_rollup::contract::execute,
            validity_rollup::contract::instantiate,
            validity_rollup::contract::query,
        )));
        let contract = app
            .instantiate_contract(
                code,
                admin,
                &InstantiateMsg {
                    admin: None,
                    denom: VALIDITY_DENOM.into(),
                    verifying_key: Binary::from_hex(&vk).unwrap(),
                    shape: MsgShape {
                        deposits: 1,
                        txs: 1,
                    },
                    exodus_after_seconds: 3_600,
                    key_timelock_seconds: 7_200,
                    min_deposit: cosmwasm_std::Uint128::new(1),
                    min_new_account: cosmwasm_std::Uint128::new(1),
                    max_pending: 1_024,
                },
                &[],
                "snarkjs",
                None,
            )
            .unwrap();
        let ask = |proof: &str, input: &str| -> VerifyProofResponse {
            let q = as_query(&validity::verify_proof(proof, &[input.to_string()]).unwrap());
            app.wrap().query_wasm_smart(&contract, &q).unwrap()
        };
        let answer = ask(&proof, &inputs[0]);
        assert!(answer.valid, "{answer:?}");

        // tampered: another input, a proof point off the curve, a non-canonical input
        let mut other = bytes(&inputs[0]);
        other[31] ^= 1;
        let mut off_curve = bytes(&proof);
        off_curve[47] ^= 1;
        let modulus = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";
        for (p, x) in [
            (bytes(&proof), other),
            (off_curve, bytes(&inputs[0])),
            (bytes(&proof), bytes(modulus)),
        ] {
            let ours = validity::verify_groth16_bytes(&bytes(&vk), &p, &[&x]);
            let theirs = ask(&hex::encode(&p), &hex::encode(&x));
            assert!(!ours.valid && !theirs.valid);
            assert_eq!(ours.reason, theirs.reason);
            assert!(ours.reason.is_some());
        }

        // the messages' other shapes read back as the contract's
        let kb = ZkKey::of_seed([9; 32]);
        let m = as_msg(&ValidityExecuteMsg::Deposit {
            target: ZkTargetJs::Account {
                index: 3,
                pubkey: validity::ZkPubkey(kb.secret_key().public_key()),
            }
            .try_into()
            .unwrap(),
        });
        assert!(matches!(
            m,
            RollupMsg::Deposit {
                target: validity_rollup::msg::DepositTarget::Account { account: 3, pubkey }
            } if pubkey.to_hex() == kb.public_key()
        ));
        let m = as_msg(&ValidityExecuteMsg::Deposit {
            target: ZkTargetJs::NewAccount {
                pubkey: validity::ZkPubkey(kb.secret_key().public_key()),
            }
            .try_into()
            .unwrap(),
        });
        assert!(matches!(
            m,
            RollupMsg::Deposit {
                target: validity_rollup::msg::DepositTarget::NewAccount { pubkey }
            } if pubkey.to_hex() == kb.public_key()
        ));
        // the exit message is the core's
        let domain = fr_arg("domain", &validity::rollup_domain("c-1", "wasm1x")).unwrap();
        let message = core_ledger::exit_message(&Poseidon::new(), &domain, 7, &[3; 20]).unwrap();
        assert_eq!(
            validity::exit_message(
                &validity::rollup_domain("c-1", "wasm1x"),
                7,
                &"03".repeat(20)
            )
            .unwrap(),
            hex::encode(fr_to_bytes(&message))
        );
    }
}
