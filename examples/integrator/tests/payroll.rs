//! The payroll in its own App beside the optimistic rollup and the payment channels
//! (and the validity rollup), as an integrator tests it: everything it needs comes from
//! settle-testing.

use cosmwasm_std::{Binary, Uint128};
use settle_testing::{
    assert_refused, event_attr_of, shared, Addr, App, ChannelState, ChannelSuite,
    ChannelSuiteBuilder, Contract, ContractWrapper, Executor, L2Key, SecretKey, Shared, Suite,
    SuiteBuilder, ValiditySuiteBuilder,
};

use payroll::msg::{ExecuteMsg, InstantiateMsg};

/// One App shared by the suites and the test.
type Chain = Shared<App>;

/// The payroll contract for cw-multi-test.
fn contract_payroll() -> Box<dyn Contract<cosmwasm_std::Empty>> {
    Box::new(ContractWrapper::new(
        payroll::contract::execute,
        payroll::contract::instantiate,
        payroll::contract::query,
    ))
}

/// One chain: the rollup (the owner funded with 10,000 uusd), the channels, and the
/// payroll instantiated by the owner with 5,000 uusd.
fn deploy() -> (Chain, Suite<Chain>, ChannelSuite<Chain>, Addr) {
    let app = shared(App::default());
    let rollup = SuiteBuilder::new()
        .with_funds("owner", 10_000)
        .build_on(app.clone())
        .unwrap();
    let channels = ChannelSuiteBuilder::new().build_on(app.clone()).unwrap();
    let owner = rollup.addr("owner");
    let code = app.borrow_mut().store_code(contract_payroll());
    let payroll = app
        .borrow_mut()
        .instantiate_contract(
            code,
            owner,
            &InstantiateMsg {
                rollup: rollup.rollup.to_string(),
                channels: channels.contract.to_string(),
                denom: "uusd".into(),
            },
            &rollup.coins(5_000),
            "payroll",
            None,
        )
        .unwrap();
    (app, rollup, channels, payroll)
}

/// The payroll deposits 1,200 into the rollup for alice's L2 key; the suite's node sees
/// the deposit (the payroll made it, not the suite), the next batch opens alice's
/// account, and alice withdraws 700 to her own address on L1.
#[test]
fn the_payroll_pays_into_the_rollup_and_the_payee_withdraws() {
    let (app, mut rollup, _, payroll) = deploy();
    let (owner, alice) = (rollup.addr("owner"), rollup.addr("alice"));
    let key = L2Key::from_label("alice-l2");
    let pay = ExecuteMsg::PayIntoRollup {
        pubkey: Binary::from(key.public_key().as_slice()),
        amount: Uint128::new(1_200),
    };
    app.borrow_mut()
        .execute_contract(owner, payroll.clone(), &pay, &[])
        .unwrap();

    rollup.bond_proposer().unwrap();
    let proposer = rollup.proposer.clone();
    let opened = rollup.propose(&proposer, vec![]).unwrap();
    assert_eq!(opened.deposits_consumed, 1, "the payroll's deposit");
    let exit = rollup.signed_withdrawal(&key, &alice, 700).unwrap();
    rollup.propose_txs(&proposer, &[exit]).unwrap();
    rollup.a_challenge_window_passes();
    rollup.finalize(0).unwrap();
    rollup.finalize(1).unwrap();
    rollup.withdraw(&alice, 1, 0).unwrap();

    assert_eq!(rollup.balance_of(&alice), 700);
    assert_eq!(rollup.balance_of(&payroll), 5_000 - 1_200);
    assert_eq!(rollup.balance_of(&rollup.rollup.clone()), 1_200 - 700);
    rollup.assert_reconciles();
}

/// The payroll opens a channel of 800 to bob, bob joins, and the two close
/// cooperatively on a state that gives bob 300: the payroll gets 500 back at once.
#[test]
fn the_payroll_funds_a_channel_and_closes_it_cooperatively() {
    let (app, _, mut channels, payroll) = deploy();
    let (owner, bob) = (channels.addr("owner"), channels.addr("bob"));
    let payroll_key = L2Key::from_label("payroll-state-key");
    let bob_key = L2Key::from_label("bob-l2");
    let keys = [&payroll_key, &bob_key];
    let open = ExecuteMsg::OpenChannel {
        payee: bob.to_string(),
        pubkey_a: Binary::from(payroll_key.public_key().as_slice()),
        pubkey_b: Binary::from(bob_key.public_key().as_slice()),
        amount: Uint128::new(800),
        dispute_window: 3_600,
        join_window: 3_600,
    };
    let res = app
        .borrow_mut()
        .execute_contract(owner.clone(), payroll.clone(), &open, &[])
        .unwrap();
    let id: u64 = event_attr_of(&res, "channel", "open", "channel")
        .expect("the channels contract's open event")
        .parse()
        .unwrap();
    channels.join(&bob, id, keys, 0).unwrap();
    channels.assert_reconciles();

    let state = ChannelState {
        channel_id: id,
        version: 1,
        funded: [800, 0],
        balances: [500, 300],
        htlcs: vec![],
        is_final: true,
    };
    let signed = channels.sign(&state, keys);
    let close = settle_testing::payment_channels::msg::ExecuteMsg::CooperativeClose {
        channel: id,
        signed,
    };
    channels.execute(&bob, &close, &[]).unwrap();

    assert_eq!(channels.balance_of(&bob), 300);
    assert_eq!(channels.balance_of(&payroll), 5_000 - 800 + 500);
    assert_eq!(channels.balance_of(&channels.contract.clone()), 0);
    channels.assert_reconciles();

    // Only the owner pays.
    let stranger = channels.addr("stranger");
    assert_refused(
        app.borrow_mut()
            .execute_contract(stranger, payroll, &open, &[]),
        "only the owner",
    );
}

/// The validity rollup on the same chain: a deposit, a proven batch that opens the
/// account, a proven withdrawal, and the claim (the test the profile settings in
/// Cargo.toml keep fast).
#[test]
fn the_validity_rollup_runs_on_the_same_chain() {
    let (app, _, _, _) = deploy();
    let mut zk = ValiditySuiteBuilder::new()
        .with_funds("carol", 1_000)
        .build_on(app.clone())
        .unwrap();
    let (carol, admin) = (zk.addr("carol"), zk.admin.clone());
    let key = SecretKey::from_seed(&[7; 32]);
    zk.deposit_new_account(&carol, &key, 600).unwrap();
    zk.submit(&admin, 1, &[]).unwrap();
    let exit = zk.signed_withdrawal(&key, &carol, 250).unwrap();
    zk.submit(&admin, 0, &[exit]).unwrap();
    zk.claim(&carol).unwrap();
    assert_eq!(zk.balance_of(&carol), 1_000 - 600 + 250);
    zk.assert_reconciles();
}
