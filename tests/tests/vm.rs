//! The OPTIMIZED artifact (`artifacts/optimistic_rollup.wasm`, from `cargo xtask dist`) in
//! cosmwasm-vm: it passes the chain's static checks and runs the whole happy path.

use cosmwasm_std::{Coin, Uint128};
use optimistic_rollup::msg::{BatchResponse, BatchStatus, QueryMsg, WithdrawalStatus};
use optimistic_rollup::msg::{DepositTo, ProposerResponse, WithdrawalStatusResponse};
use optimistic_rollup::ContractError;
use settle_core::batch::encode_batch;
use settle_core::ledger::TxEffect;
use settle_tests::scenario::user_keys;
use settle_tests::vm::{
    bank_sends, read_artifact, static_check, Harness, Refused, RollupParams, VmRollup,
};

const CONTRACT: &str = "optimistic-rollup";

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
            DepositTo::NewAccount {
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
    let batch: BatchResponse = r.h.query(&QueryMsg::Batch { index: 0 });
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
    let batch: BatchResponse = r.h.query(&QueryMsg::Batch { index: 0 });
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
    assert!(s.solvent, "{s:?}");
    assert_eq!(s.total_deposited, Uint128::new(900));
    assert_eq!(s.total_withdrawn, Uint128::new(350));
    assert_eq!(s.liabilities.deposits_outstanding, Uint128::new(550));
    assert_eq!(s.liabilities.bonds, Uint128::new(1_000));
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
    assert!(s.solvent && s.liabilities.bonds.is_zero(), "{s:?}");
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
                to: DepositTo::NewAccount {
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
