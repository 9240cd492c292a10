//! The suites follow the chain: a deposit made around the suite (by another contract, or
//! straight through the `App`) is seen and consumed by the next batch, and a node that
//! diverges from the contract is reported, never ignored. Several suites share one chain
//! with its own address prefix.

use cosmwasm_std::testing::MockApi;
use cosmwasm_std::Binary;
use settle_testing::optimistic_rollup::msg::ExecuteMsg;
use settle_testing::{
    assert_refused, shared, AppBuilder, ChannelSuiteBuilder, Deposit, DepositTarget, Executor,
    L2Key, SuiteApp, SuiteBuilder, Synced, ValiditySuiteBuilder,
};

/// A deposit sent straight through the `App` (as an integrator's contract would send it)
/// is seen by the next sync and consumed by the next batch; the withdrawal pays.
#[test]
fn a_deposit_made_around_the_suite_is_followed() {
    let mut s = SuiteBuilder::new().with_funds("alice", 1_000).build();
    let alice = s.addr("alice");
    let key = L2Key::from_label("alice-l2");
    let msg = ExecuteMsg::Deposit {
        target: DepositTarget::NewAccount {
            pubkey: Binary::from(key.public_key().as_slice()),
        },
    };
    let (rollup, funds) = (s.rollup.clone(), s.coins(600));
    s.app
        .execute_contract(alice.clone(), rollup, &msg, &funds)
        .unwrap();
    assert_eq!(s.node.deposit_count(), 0, "the node has not looked yet");
    assert_eq!(
        s.sync().unwrap(),
        Synced {
            deposits: 1,
            rolled_back_from: None
        }
    );
    assert_eq!(s.sync().unwrap().deposits, 0, "seen once");
    s.bond_proposer().unwrap();
    let proposer = s.proposer.clone();
    let p = s.propose(&proposer, vec![]).unwrap();
    assert_eq!(p.deposits_consumed, 1);
    let w = s.signed_withdrawal(&key, &alice, 600).unwrap();
    s.propose_txs(&proposer, &[w]).unwrap();
    s.a_challenge_window_passes();
    s.finalize(0).unwrap();
    s.finalize(1).unwrap();
    s.withdraw(&alice, 1, 0).unwrap();
    assert_eq!(s.balance_of(&alice), 1_000);
    s.assert_reconciles();
}

/// A deposit the node holds that the contract does not, or one that differs from the
/// contract's, stops the next batch with an error that says so.
#[test]
fn a_node_that_diverges_from_the_contract_is_reported() {
    let mut s = SuiteBuilder::new().with_funds("alice", 1_000).build();
    let alice = s.addr("alice");
    let key = L2Key::from_label("alice-l2");
    s.bond_proposer().unwrap();
    let proposer = s.proposer.clone();
    let refund_to = s.canonical(&alice);

    // A deposit only the node has.
    let mut ghost = s.node.clone();
    ghost
        .observe_deposit(Deposit {
            index: 0,
            target: settle_testing::settle_core::ledger::DepositTarget::Account(0),
            amount: 5,
            refund_to: refund_to.clone(),
        })
        .unwrap();
    let honest = std::mem::replace(&mut s.node, ghost);
    assert_refused(
        s.propose(&proposer, vec![]),
        "the node has 1 deposits but the contract only 0",
    );
    s.node = honest;

    // The same index with another amount.
    s.deposit_new_account(&alice, &key, 600).unwrap();
    let mut wrong = settle_testing::Node::new(s.node.domain);
    wrong
        .observe_deposit(Deposit {
            index: 0,
            target: settle_testing::settle_core::ledger::DepositTarget::NewAccount(
                key.public_key(),
            ),
            amount: 601,
            refund_to,
        })
        .unwrap();
    s.node = wrong;
    assert_refused(s.propose(&proposer, vec![]), "deposit 0 diverges");
    assert_eq!(s.status().next_batch, 0, "nothing was posted");
}

/// Queries and withdrawals that the caller gets wrong are errors, not panics.
#[test]
fn try_forms_return_errors() {
    let mut s = SuiteBuilder::new().build();
    let anyone = s.addr("anyone");
    assert!(s.try_batch(3).is_err());
    assert!(s.try_withdrawal_proof(3, 0).is_err());
    assert!(s.withdraw(&anyone, 3, 0).is_err());
    assert!(s.try_game(0).is_err());
    assert!(s.account_of(&L2Key::from_label("nobody")).is_err());
}

/// The rollup and the channels on one chain with the `juno` prefix, an entry queued on
/// the validity rollup around its suite followed by its operator, and an operator queue
/// that holds an entry the contract does not is reported.
#[test]
fn several_suites_share_one_chain_with_its_own_prefix() {
    let app = shared(
        AppBuilder::default()
            .with_api(MockApi::default().with_prefix("juno"))
            .build(|_, _, _| {}),
    );
    let mut rollup = SuiteBuilder::new()
        .with_denom("ujuno")
        .with_funds("alice", 1_000)
        .build_on(app.clone())
        .unwrap();
    let mut channels = ChannelSuiteBuilder::new()
        .with_denom("ujuno")
        .with_funds("bob", 500)
        .with_funds_in("bob", 70, "uatom")
        .build_on(app.clone())
        .unwrap();
    let mut validity = ValiditySuiteBuilder::new()
        .with_denom("ujuno")
        .with_funds("carol", 300)
        .build_on(app.clone())
        .unwrap();
    let alice = rollup.addr("alice");
    assert!(alice.as_str().starts_with("juno1"));
    assert_eq!(app.borrow().addr_make("alice"), alice);

    rollup
        .deposit_new_account(&alice, &L2Key::from_label("alice-l2"), 400)
        .unwrap();
    let (bob, dan) = (channels.addr("bob"), channels.addr("dan"));
    let keys = (L2Key::from_label("bob-l2"), L2Key::from_label("dan-l2"));
    let id = channels
        .open_channel(&bob, &dan, [&keys.0, &keys.1], 500, 600)
        .unwrap();
    let atom = channels
        .open_channel_in(
            &bob,
            &dan,
            [&keys.0, &keys.1],
            cosmwasm_std::Coin::new(70u128, "uatom"),
            600,
        )
        .unwrap();
    assert_ne!(id, atom);
    assert_eq!(channels.balance(&channels.contract, "uatom"), 70);
    channels.assert_reconciles();

    let carol = validity.addr("carol");
    let key = settle_testing::SecretKey::from_seed(&[3; 32]);
    let deposit = settle_testing::validity_rollup::msg::ExecuteMsg::Deposit {
        target: settle_testing::validity_rollup::msg::DepositTarget::NewAccount {
            pubkey: Binary::from(key.public_key().encode().to_vec()),
        },
    };
    let contract = validity.contract.clone();
    app.borrow_mut()
        .execute_contract(carol.clone(), contract, &deposit, &validity.coins(300))
        .unwrap();
    assert_eq!(validity.sync().unwrap(), 1);
    let admin = validity.admin.clone();
    validity.submit(&admin, 1, &[]).unwrap();
    assert_eq!(validity.account_of(&key).unwrap(), 0);
    validity
        .op
        .queue
        .push(settle_testing::settle_core::validity::ledger::Deposit::Exit { account: 0 });
    assert_refused(
        validity.submit(&admin, 1, &[]),
        "the operator queued 2 entries but the contract only 1",
    );
    assert_eq!(validity.balance_of(&validity.contract), 300);
    assert_eq!(rollup.balance_of(&rollup.rollup), 400);
    rollup.assert_reconciles();
}
