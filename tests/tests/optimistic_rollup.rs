//! The happy path on an embedded chain with real bank balances: deposits, signed L2
//! transfers, a batch, the challenge window, finalization, withdrawals, solvency.

use cosmwasm_std::Uint128;
use optimistic_rollup::msg::{BatchStatus, WithdrawalStatus};
use optimistic_rollup::ContractError;
use settle_core::batch::encode_batch;
use settle_core::ledger::TxEffect;
use settle_testing::{assert_refused, SuiteBuilder, BOND_DENOM, DENOM};
use settle_tests::scenario::user_keys;

#[test]
fn deposit_transfer_batch_finalize_withdraw() {
    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 500)
        .build();
    let (alice, bob, carol) = (suite.addr("alice"), suite.addr("bob"), suite.addr("carol"));
    let proposer = suite.proposer.clone();
    let (ka, kb) = user_keys();

    suite.bond_proposer().unwrap();
    assert!(suite.proposer_info(&proposer).bonded);
    assert_eq!(suite.balance(&proposer, BOND_DENOM), 9_000);

    assert_eq!(suite.deposit_new_account(&alice, &ka, 600).unwrap(), 0);
    assert_eq!(suite.deposit_new_account(&bob, &kb, 300).unwrap(), 1);
    assert_eq!(suite.balance(&alice, DENOM), 400);
    assert_eq!(suite.balance(&suite.rollup.clone(), DENOM), 900);
    suite.assert_reconciles();

    // L2: accounts 0 (alice) and 1 (bob) are opened by the deposits of this batch.
    let txs = vec![
        suite.transfer(&ka, 0, 1, 100, 0),
        suite.transfer(&kb, 1, 0, 50, 0),
        suite.withdrawal(&ka, 0, &carol, 200, 1),
        suite.withdrawal(&kb, 1, &bob, 150, 1),
    ];
    let data = encode_batch(&txs);
    let proposal = suite.propose(&proposer, data.clone()).unwrap();
    assert_eq!(proposal.deposits_consumed, 2);
    let applied = suite.node.batch(0).unwrap();
    assert_eq!(applied.applied(), 4, "{:?}", applied.tx_effects);
    assert!(applied
        .tx_effects
        .iter()
        .all(|e| !matches!(e, TxEffect::NoOp(_))));
    assert_eq!(suite.node.ledger.accounts()[0].balance, 350);
    assert_eq!(suite.node.ledger.accounts()[1].balance, 200);

    let batch = suite.batch(0);
    assert_eq!(batch.status, BatchStatus::Proposed);
    assert_eq!(batch.tx_steps, 4);
    assert_eq!(batch.data_bytes as usize, data.len());
    assert_eq!((batch.deposits_from, batch.deposits_to), (0, 2));
    assert_eq!(
        batch.output_root.as_slice(),
        proposal.output_root.as_slice()
    );
    assert_eq!(
        batch.data_root.as_slice(),
        settle_core::batch::data_root(&data).as_slice()
    );

    // Not provable while the window is open.
    assert!(matches!(
        suite.withdrawal_status(0, 0),
        WithdrawalStatus::NotYetProvable {
            finalizes_at: Some(_)
        }
    ));
    assert_refused(
        suite.withdraw(&carol, 0, 0),
        ContractError::NotFinal { index: 0 },
    );
    assert_refused(
        suite.finalize(0),
        ContractError::WindowOpen {
            index: 0,
            finalizes_at: batch.finalizes_at,
        },
    );

    suite.a_challenge_window_passes();
    suite.finalize(0).unwrap();
    assert_eq!(suite.batch(0).status, BatchStatus::Finalized);
    assert_eq!(suite.withdrawal_status(0, 0), WithdrawalStatus::Provable {});

    // Anyone may submit the proof; the money goes to the recipient named on L2.
    let relayer = suite.addr("relayer");
    let res = suite.withdraw(&relayer, 0, 0).unwrap();
    let ev = res
        .events
        .iter()
        .find(|e| e.ty == "wasm-rollup")
        .expect("rollup event");
    assert!(ev
        .attributes
        .iter()
        .any(|a| a.key == "action" && a.value == "withdraw"));
    suite.withdraw(&bob, 0, 1).unwrap();
    assert_eq!(suite.balance(&carol, DENOM), 200);
    assert_eq!(suite.balance(&bob, DENOM), 200 + 150);
    assert!(matches!(
        suite.withdrawal_status(0, 0),
        WithdrawalStatus::Paid { .. }
    ));

    let s_status = suite.status();
    assert_eq!(s_status.total_deposited, Uint128::new(900));
    assert_eq!(s_status.total_withdrawn, Uint128::new(350));
    assert_eq!(s_status.liabilities.deposits_outstanding, Uint128::new(550));
    assert_eq!(s_status.liabilities.bonds, Uint128::new(1_000));
    // What is left on L1 is exactly what L2 balances hold.
    assert_eq!(suite.node.ledger.total_balance(), 550);
    suite.assert_reconciles();

    // The proposer's batches are final: the bond comes back in full.
    suite.unbond(&proposer).unwrap();
    assert_eq!(suite.balance(&proposer, BOND_DENOM), 10_000);
    suite.assert_reconciles();
}

#[test]
fn later_deposits_credit_existing_accounts_and_unknown_ones_are_refunded() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 1_000).build();
    let alice = suite.addr("alice");
    let proposer = suite.proposer.clone();
    let (ka, _) = user_keys();
    suite.bond_proposer().unwrap();
    suite.deposit_new_account(&alice, &ka, 100).unwrap();
    suite.propose(&proposer, vec![]).unwrap();
    use optimistic_rollup::msg::DepositTarget;
    suite
        .deposit(&alice, DepositTarget::Account { account: 0 }, 40)
        .unwrap();
    suite
        .deposit(&alice, DepositTarget::Account { account: 7 }, 60)
        .unwrap();
    suite.propose(&proposer, vec![]).unwrap();
    assert_eq!(suite.node.ledger.accounts()[0].balance, 140);
    // the deposit to a missing account became withdrawal 0 of batch 1, back to alice
    suite.a_challenge_window_passes();
    suite.finalize(0).unwrap();
    suite.finalize(1).unwrap();
    suite.withdraw(&alice, 1, 0).unwrap();
    assert_eq!(suite.balance(&alice, DENOM), 1_000 - 200 + 60);
    suite.assert_reconciles();
}

#[test]
fn bonds_in_the_value_denom_reconcile_in_one_balance() {
    let mut suite = SuiteBuilder::new()
        .with_bonds_in_value_denom()
        .with_funds("proposer", 5_000)
        .with_funds("alice", 100)
        .build();
    let alice = suite.addr("alice");
    let (ka, _) = user_keys();
    suite.bond_proposer().unwrap();
    suite.deposit_new_account(&alice, &ka, 100).unwrap();
    let s = suite.solvency();
    assert_eq!(s.denoms.len(), 1);
    assert_eq!(s.denoms[0].owed, cosmwasm_std::Uint256::from(1_100u128));
    suite.assert_reconciles();
}

#[test]
fn migrate_keeps_state_and_records_the_version() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 10).build();
    let alice = suite.addr("alice");
    let (ka, _) = user_keys();
    suite.deposit_new_account(&alice, &ka, 10).unwrap();
    let (admin, rollup, code) = (suite.admin.clone(), suite.rollup.clone(), suite.code);
    use cw_multi_test::Executor;
    suite
        .app
        .migrate_contract(admin, rollup, &optimistic_rollup::msg::MigrateMsg {}, code)
        .unwrap();
    assert_eq!(suite.status().deposit_count, 1);
    suite.assert_reconciles();
}

/// I1: the lifetime totals of a long-lived rollup reach `u128::MAX` (here written into
/// the contract's state, as after years of honest flow). Deposits and withdrawals still
/// work: they are gated only by the outstanding balance, and the totals saturate as
/// statistics.
#[test]
fn i1_lifetime_totals_near_u128_max_refuse_no_deposit() {
    use optimistic_rollup::state::TOTALS;
    let mut suite = SuiteBuilder::new().with_funds("alice", 1_000).build();
    let alice = suite.addr("alice");
    let proposer = suite.proposer.clone();
    let (ka, _) = user_keys();
    suite.bond_proposer().unwrap();
    suite.deposit_new_account(&alice, &ka, 100).unwrap();
    let rollup = suite.rollup.clone();
    {
        let mut store = suite.app.contract_storage_mut(&rollup);
        let mut totals = TOTALS.load(store.as_ref()).unwrap();
        assert_eq!(totals.outstanding, Uint128::new(100));
        // as if u128::MAX - 10 had flowed in and u128::MAX - 110 back out
        totals.deposited = Uint128::MAX - Uint128::new(10);
        totals.withdrawn = Uint128::MAX - Uint128::new(110);
        TOTALS.save(store.as_mut(), &totals).unwrap();
    }
    // the next deposit passes the old lifetime total's end
    suite
        .deposit(
            &alice,
            optimistic_rollup::msg::DepositTarget::Account { account: 0 },
            50,
        )
        .unwrap();
    let s = suite.solvency();
    let s_status = suite.status();
    assert_eq!(s_status.liabilities.deposits_outstanding, Uint128::new(150));
    assert_eq!(s_status.total_deposited, Uint128::MAX);
    assert!(s.solvent);
    // withdrawals are gated by the outstanding balance only, and still pay
    let carol = suite.addr("carol");
    let data = encode_batch(&[suite.withdrawal(&ka, 0, &carol, 120, 0)]);
    suite.propose(&proposer, data).unwrap();
    suite.a_challenge_window_passes();
    suite.finalize(0).unwrap();
    suite.withdraw(&carol, 0, 0).unwrap();
    assert_eq!(suite.balance(&carol, DENOM), 120);
    let s_status = suite.status();
    assert_eq!(s_status.liabilities.deposits_outstanding, Uint128::new(30));
    assert_eq!(s_status.total_withdrawn, Uint128::MAX);
    suite.assert_reconciles();
}
