//! The messages the package builds, read back with the contract's own `ExecuteMsg` and
//! executed on an embedded chain (settle-testing's `Suite`): the contract accepts them
//! and pays. Native only; `web.rs` checks the same builders through wasm-bindgen.
#![cfg(not(target_arch = "wasm32"))]

use optimistic_rollup::msg::{DepositTo, ExecuteMsg as ContractMsg};
use serde::Serialize;
use settle_core::batch::{verify_withdrawal, WithdrawalClaim};
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_testing::{SuiteBuilder, DENOM};
use settle_wasm::convert::Fixed;
use settle_wasm::msg::{self, BatchCommitmentJs};
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
