//! Bad input against the optimistic-rollup contract. Every case must be refused with the
//! expected typed error, change no state and move no funds: each one compares a full
//! snapshot (chain status, batches, solvency, every participant's balances) before and
//! after.

use cosmwasm_std::{Binary, Coin, Uint128, Uint256};
use cw_utils::PaymentError;
use optimistic_rollup::msg::{
    DepositTarget, DisputeParams, ExecuteMsg, OutputPreimage, QueryMsg, QueuedDepositResponse,
};
use optimistic_rollup::ContractError;
use settle_core::admin::AdminError;
use settle_core::batch::{encode_batch, Output};
use settle_core::crypto::L2Key;
use settle_core::hash::ZERO_HASH;
use settle_core::ledger::{Withdrawal, WithdrawalList, WithdrawalSink};
use settle_testing::{assert_refused, Claim, Suite, SuiteBuilder, BOND_DENOM, DENOM};
use settle_tests::scenario::user_keys;

const PEOPLE: &[&str] = &[
    "alice",
    "bob",
    "carol",
    "mallory",
    "proposer",
    "admin",
    "rich",
    "challenger",
    "treasury",
];

/// Everything a refused message must leave untouched.
#[derive(Debug, PartialEq)]
struct Snapshot {
    status: String,
    batches: String,
    games: String,
    solvency: String,
    config: String,
    pending: (String, String),
    balances: Vec<(String, Uint256, Uint256)>,
    contract: (Uint256, Uint256),
}

fn snapshot(s: &Suite) -> Snapshot {
    let q = |m: &QueryMsg| -> String {
        let v: serde_json::Value = s.app.wrap().query_wasm_smart(&s.rollup, m).unwrap();
        v.to_string()
    };
    let bal = |a: &cosmwasm_std::Addr, d: &str| s.app.wrap().query_balance(a, d).unwrap().amount;
    Snapshot {
        status: q(&QueryMsg::Status {}),
        batches: q(&QueryMsg::Batches {
            start_after: None,
            limit: None,
        }),
        games: q(&QueryMsg::Games {
            batch: None,
            start_after: None,
            limit: None,
        }),
        solvency: q(&QueryMsg::Solvency {}),
        config: q(&QueryMsg::Config {}),
        pending: (
            q(&QueryMsg::PendingConfig {}),
            q(&QueryMsg::PendingAdmin {}),
        ),
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

/// Runs `f`, expects the refusal `expected`, and checks that nothing changed.
fn refused<T: std::fmt::Debug>(
    s: &mut Suite,
    expected: impl std::fmt::Display,
    f: impl FnOnce(&mut Suite) -> cosmwasm_std::StdResult<T>,
) {
    let before = snapshot(s);
    let res = f(s);
    assert_refused(res, expected);
    assert_eq!(snapshot(s), before, "a refused message changed state");
}

/// A rollup with a bonded proposer, two funded users with L2 accounts, and one
/// finalized batch whose withdrawals (0: alice -> carol 200, 1: bob -> bob 150) are
/// provable. Batch 1 (a transfer) is proposed and still inside its window.
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

#[test]
fn double_withdrawal_is_refused() {
    let (mut s, _, _) = world();
    let carol = s.addr("carol");
    s.withdraw(&carol, 0, 0).unwrap();
    refused(
        &mut s,
        ContractError::AlreadyPaid { batch: 0, index: 0 },
        |s| s.withdraw(&carol, 0, 0),
    );
    s.assert_reconciles();
}

#[test]
fn withdrawal_against_a_non_final_output_is_refused() {
    let (mut s, ka, _) = world();
    // batch 1 is inside its window; make it carry a withdrawal to prove against
    let carol = s.addr("carol");
    let w = s.withdrawal(&ka, 0, &carol, 5, 2);
    let proposer = s.proposer.clone();
    s.propose(&proposer, encode_batch(&[w])).unwrap();
    let p = s.withdrawal_proof(2, 0);
    let msg = s.withdraw_msg(&p);
    refused(&mut s, ContractError::NotFinal { index: 2 }, |s| {
        s.execute(&carol, &msg, &[])
    });
    refused(&mut s, ContractError::NoSuchBatch { index: 9 }, |s| {
        let mut m = msg.clone();
        if let ExecuteMsg::Withdraw { batch, .. } = &mut m {
            *batch = 9;
        }
        s.execute(&carol, &m, &[])
    });
}

fn withdraw_msg_with(s: &Suite, edit: impl FnOnce(&mut ExecuteMsg)) -> ExecuteMsg {
    let mut msg = s.withdraw_msg(&s.withdrawal_proof(0, 0));
    edit(&mut msg);
    msg
}

#[test]
fn forged_withdrawal_proofs_are_refused() {
    let (mut s, _, _) = world();
    let mallory = s.addr("mallory");
    let p = s.withdrawal_proof(0, 0);

    // more money than the leaf says
    let m = withdraw_msg_with(&s, |m| {
        if let ExecuteMsg::Withdraw { amount, .. } = m {
            *amount = Uint128::new(201);
        }
    });
    refused(&mut s, "merkle root mismatch", |s| {
        s.execute(&mallory, &m, &[])
    });

    // redirected to another recipient
    let m = withdraw_msg_with(&s, |m| {
        if let ExecuteMsg::Withdraw { recipient, .. } = m {
            *recipient = "cosmwasm1".to_string() + &recipient[9..].replace('q', "p");
        }
    });
    let before = snapshot(&s);
    assert!(s.execute(&mallory, &m, &[]).is_err());
    assert_eq!(snapshot(&s), before);
    let m = withdraw_msg_with(&s, |m| {
        if let ExecuteMsg::Withdraw { recipient, .. } = m {
            *recipient = s.addr("mallory").to_string();
        }
    });
    refused(&mut s, "merkle root mismatch", |s| {
        s.execute(&mallory, &m, &[])
    });

    // another leaf position
    let m = withdraw_msg_with(&s, |m| {
        if let ExecuteMsg::Withdraw { index, .. } = m {
            *index = 1;
        }
    });
    refused(&mut s, "merkle root mismatch", |s| {
        s.execute(&mallory, &m, &[])
    });
    let m = withdraw_msg_with(&s, |m| {
        if let ExecuteMsg::Withdraw { index, .. } = m {
            *index = 1 << 16;
        }
    });
    refused(
        &mut s,
        settle_core::Error::IndexOutOfRange {
            index: 1 << 16,
            len: 1 << 16,
        },
        |s| s.execute(&mallory, &m, &[]),
    );

    // a flipped sibling, a truncated proof, a bitmap that disagrees with the siblings
    let mut flipped = p.proof.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let mut truncated = p.proof.clone();
    truncated.pop();
    let mut wrong_bitmap = p.proof.clone();
    wrong_bitmap[1] ^= 0x02;
    for (bad, expected) in [
        (flipped, "merkle root mismatch".to_string()),
        (truncated, "malformed sparse merkle proof".to_string()),
        (
            wrong_bitmap,
            settle_core::Error::ProofLength {
                got: 1,
                expected: 2,
            }
            .to_string(),
        ),
        (vec![], "malformed sparse merkle proof".to_string()),
    ] {
        let m = withdraw_msg_with(&s, |m| {
            if let ExecuteMsg::Withdraw { proof, .. } = m {
                *proof = Binary::new(bad);
            }
        });
        refused(&mut s, expected, |s| s.execute(&mallory, &m, &[]));
    }

    // an output preimage that is not the batch's output
    let m = withdraw_msg_with(&s, |m| {
        if let ExecuteMsg::Withdraw { output, .. } = m {
            output.state_root = Binary::from(ZERO_HASH.as_slice());
        }
    });
    refused(
        &mut s,
        settle_core::Error::OutputMismatch { batch: 0 },
        |s| s.execute(&mallory, &m, &[]),
    );
    let m = withdraw_msg_with(&s, |m| {
        if let ExecuteMsg::Withdraw { output, .. } = m {
            output.withdrawals_root = Binary::from(vec![1u8; 31]);
        }
    });
    refused(
        &mut s,
        settle_core::Error::Length {
            what: "withdrawals root",
            expected: 32,
            got: 31,
        },
        |s| s.execute(&mallory, &m, &[]),
    );
    // and funds attached to a non-payable message
    let m = s.withdraw_msg(&p);
    refused(&mut s, PaymentError::NonPayable {}, |s| {
        s.execute(&mallory, &m, &[Coin::new(1u128, DENOM)])
    });
    // the genuine proof still pays
    s.execute(&mallory, &m, &[]).unwrap();
    assert_eq!(s.balance(&s.addr("carol"), DENOM), 200);
}

#[test]
fn a_finalized_lie_cannot_pay_out_more_than_was_deposited() {
    // A proposer posts an output whose withdrawal tree pays mallory 10,000 while only 900
    // was ever deposited, and nobody challenges it. The contract still never touches the
    // bonds it holds: withdrawals are capped by outstanding deposits.
    let mut s = SuiteBuilder::new()
        .with_bonds_in_value_denom()
        .with_funds("proposer", 50_000)
        .with_funds("alice", 1_000)
        .build();
    let (ka, _) = user_keys();
    let alice = s.addr("alice");
    let mallory = s.addr("mallory");
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
    s.assert_reconciles();
}

#[test]
fn proposer_rules() {
    let (mut s, _, _) = world();
    let mallory = s.addr("mallory");
    let proposer = s.proposer.clone();
    // not bonded at all, then bonded below the requirement
    refused(
        &mut s,
        ContractError::NotBonded {
            address: mallory.to_string(),
            bond: Uint128::zero(),
            required: Uint128::new(1_000),
        },
        |s| s.propose_raw(&mallory, vec![0; 80], 0, vec![0; 32]),
    );
    s.bond(&mallory, 999).unwrap();
    refused(
        &mut s,
        ContractError::NotBonded {
            address: mallory.to_string(),
            bond: Uint128::new(999),
            required: Uint128::new(1_000),
        },
        |s| s.propose_raw(&mallory, vec![0; 80], 0, vec![0; 32]),
    );
    // an empty batch, a short output root, deposits that do not exist
    refused(&mut s, ContractError::EmptyBatch, |s| {
        s.propose_raw(&proposer, vec![], 0, vec![0; 32])
    });
    refused(
        &mut s,
        settle_core::Error::Length {
            what: "output root",
            expected: 32,
            got: 31,
        },
        |s| s.propose_raw(&proposer, vec![1], 0, vec![0; 31]),
    );
    refused(
        &mut s,
        settle_core::Error::DepositsUnavailable {
            requested: 3,
            available: 2,
        },
        |s| s.propose_raw(&proposer, vec![], 1, vec![0; 32]),
    );
    refused(
        &mut s,
        settle_core::Error::TooManyDeposits {
            consumed: 1025,
            max: 1024,
        },
        |s| s.propose_raw(&proposer, vec![], 1025, vec![0; 32]),
    );
    // the per-batch cap is checked before any cursor arithmetic: no overflow
    refused(
        &mut s,
        settle_core::Error::TooManyDeposits {
            consumed: u64::MAX,
            max: 1024,
        },
        |s| s.propose_raw(&proposer, vec![], u64::MAX, vec![0; 32]),
    );
    // funds on a non-payable message
    refused(&mut s, PaymentError::NonPayable {}, |s| {
        s.execute(
            &proposer,
            &ExecuteMsg::ProposeBatch {
                data: Binary::new(vec![1]),
                deposits_consumed: 0,
                output_root: Binary::from(vec![0; 32]),
            },
            &[Coin::new(5u128, BOND_DENOM)],
        )
    });
    // the bond of a proposer with a batch in its window is locked
    refused(&mut s, ContractError::BondLocked { batch: 1 }, |s| {
        s.unbond(&proposer)
    });
    let carol = s.addr("carol");
    refused(
        &mut s,
        ContractError::NoBond {
            address: carol.to_string(),
        },
        |s| s.unbond(&carol),
    );
}

#[test]
fn oversize_batch_is_refused() {
    let mut s = SuiteBuilder::new().with_max_batch_bytes(1_000).build();
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    refused(
        &mut s,
        ContractError::BatchTooLarge {
            size: 1_001,
            max: 1_000,
        },
        |s| s.propose_raw(&proposer, vec![7; 1_001], 0, vec![0; 32]),
    );
    s.propose_raw(&proposer, vec![7; 1_000], 0, vec![0; 32])
        .unwrap();
}

#[test]
fn a_batch_that_skips_an_overdue_deposit_is_refused() {
    let mut s = SuiteBuilder::new()
        .with_force_inclusion_delay(600)
        .with_funds("alice", 100)
        .build();
    let (ka, kb) = user_keys();
    let alice = s.addr("alice");
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    s.deposit_new_account(&alice, &ka, 10).unwrap();
    let queued_at = s.app.block_info().time;
    s.advance(300);
    s.deposit_new_account(&alice, &kb, 10).unwrap();
    // before the deadline a proposer may leave deposits queued
    s.propose_raw(&proposer, vec![1], 0, vec![0; 32]).unwrap();
    s.advance(300);
    let deadline = queued_at.seconds() + 600;
    refused(
        &mut s,
        settle_core::Error::ForcedDepositSkipped {
            index: 0,
            deadline,
            max: 1_024,
        },
        |s| s.propose_raw(&proposer, vec![1], 0, vec![0; 32]),
    );
    // consuming the first is not enough once the second is overdue too
    s.advance(300);
    refused(
        &mut s,
        settle_core::Error::ForcedDepositSkipped {
            index: 1,
            deadline: deadline + 300,
            max: 1_024,
        },
        |s| s.propose_raw(&proposer, vec![1], 1, vec![0; 32]),
    );
    s.propose_raw(&proposer, vec![1], 2, vec![0; 32]).unwrap();
}

/// `n` one-unit deposits to L2 account 0 (which does not exist: each is refunded on L2).
fn one_unit_deposits(s: &mut Suite, n: u64) {
    let alice = s.addr("alice");
    for _ in 0..n {
        s.deposit(&alice, DepositTarget::Account { account: 0 }, 1)
            .unwrap();
    }
}

/// F1: with `force_inclusion_delay = 0` every deposit is overdue as soon as it is queued;
/// 1,025 of them are more than a batch may consume. The rule admits a full batch of
/// 1,024 (oldest first), then the last one: the rollup never freezes.
#[test]
fn f1_more_overdue_deposits_than_a_batch_holds_drain_at_the_limit() {
    let mut s = SuiteBuilder::new()
        .with_force_inclusion_delay(0)
        .with_funds("alice", 2_000)
        .build();
    let proposer = s.proposer.clone();
    s.bond_proposer().unwrap();
    one_unit_deposits(&mut s, 1_025);
    let now = s.app.block_info().time.seconds();
    // fewer than a full batch leaves an overdue deposit queued
    refused(
        &mut s,
        settle_core::Error::ForcedDepositSkipped {
            index: 1_023,
            deadline: now,
            max: 1_024,
        },
        |s| s.propose_consuming(&proposer, vec![], 1_023),
    );
    let first = s.propose(&proposer, vec![]).unwrap();
    assert_eq!(first.deposits_consumed, 1_024);
    assert_eq!(
        (s.batch(0).deposits_from, s.batch(0).deposits_to),
        (0, 1_024)
    );
    // the one left is overdue: the next batch must take it
    refused(
        &mut s,
        settle_core::Error::ForcedDepositSkipped {
            index: 1_024,
            deadline: now,
            max: 1_024,
        },
        |s| s.propose_consuming(&proposer, vec![1], 0),
    );
    let second = s.propose(&proposer, vec![]).unwrap();
    assert_eq!(second.deposits_consumed, 1);
    assert_eq!(s.status().deposit_cursor, 1_025);
    s.a_challenge_window_passes();
    s.finalize(0).unwrap();
    s.finalize(1).unwrap();
    s.assert_reconciles();
}

/// F1: a fraud removal rewinds the cursor over 1,025 deposits queued long before. They
/// are not overdue retroactively (a whole delay from the removal), and once overdue they
/// drain a full batch at a time instead of freezing the rollup.
#[test]
fn f1_a_removal_that_puts_back_a_backlog_does_not_freeze_the_rollup() {
    let mut s = SuiteBuilder::new()
        .with_force_inclusion_delay(600)
        .with_funds("alice", 2_000)
        .build();
    let proposer = s.proposer.clone();
    let challenger = s.addr("challenger");
    s.bond_proposer().unwrap();
    one_unit_deposits(&mut s, 1_025);
    // a lying batch takes 1,024 deposits, an honest one on top of it the last
    s.propose_claiming(&proposer, vec![], Claim::WrongOutput)
        .unwrap();
    s.propose(&proposer, vec![]).unwrap();
    assert_eq!(s.status().deposit_cursor, 1_025);
    // the liar stays silent and loses on time: both batches go, the cursor rewinds to 0
    let game = s.challenge(&challenger, 0).unwrap();
    s.advance(3_600);
    s.resolve_game(game).unwrap();
    let status = s.status();
    assert_eq!((status.next_batch, status.deposit_cursor), (0, 0));
    let rewound_at = s.app.block_info().time;
    // every deposit is an hour old, past its own deadline, yet due a delay from the rewind
    let d0: QueuedDepositResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.rollup, &QueryMsg::QueuedDeposit { deposit: 0 })
        .unwrap();
    assert_eq!(d0.include_by, rewound_at.seconds() + 600);
    s.bond_proposer().unwrap();
    s.propose_consuming(&proposer, vec![1], 0).unwrap();
    s.advance(600);
    let deadline = rewound_at.seconds() + 600;
    refused(
        &mut s,
        settle_core::Error::ForcedDepositSkipped {
            index: 1_023,
            deadline,
            max: 1_024,
        },
        |s| s.propose_consuming(&proposer, vec![], 1_023),
    );
    assert_eq!(
        s.propose(&proposer, vec![]).unwrap().deposits_consumed,
        1_024
    );
    refused(
        &mut s,
        settle_core::Error::ForcedDepositSkipped {
            index: 1_024,
            deadline,
            max: 1_024,
        },
        |s| s.propose_consuming(&proposer, vec![1], 0),
    );
    assert_eq!(s.propose(&proposer, vec![]).unwrap().deposits_consumed, 1);
    assert_eq!(s.status().deposit_cursor, 1_025);
    s.a_challenge_window_passes();
    for i in 0..3 {
        s.finalize(i).unwrap();
    }
    s.assert_reconciles();
}

#[test]
fn finalization_rules() {
    let (mut s, _, _) = world();
    let finalizes_at = s.batch(1).finalizes_at;
    refused(&mut s, ContractError::AlreadyFinal { index: 0 }, |s| {
        s.finalize(0)
    });
    refused(
        &mut s,
        ContractError::WindowOpen {
            index: 1,
            finalizes_at,
        },
        |s| s.finalize(1),
    );
    refused(&mut s, ContractError::NoSuchBatch { index: 5 }, |s| {
        s.finalize(5)
    });
    let proposer = s.proposer.clone();
    s.propose_raw(&proposer, vec![1], 0, vec![0; 32]).unwrap();
    s.a_challenge_window_passes();
    refused(
        &mut s,
        ContractError::OutOfOrder { index: 2, next: 1 },
        |s| s.finalize(2),
    );
    s.finalize(1).unwrap();
    s.finalize(2).unwrap();
    // now every batch of the proposer is final: the bond comes back
    s.unbond(&proposer).unwrap();
    assert_eq!(s.balance(&proposer, BOND_DENOM), 10_000);
}

#[test]
fn deposit_amounts_that_overflow_are_refused() {
    let huge = Uint256::from(u128::MAX) + Uint256::from(10u128);
    let mut s = SuiteBuilder::new()
        .with_coins(
            "rich",
            vec![Coin {
                denom: DENOM.into(),
                amount: huge,
            }],
        )
        .build();
    let rich = s.addr("rich");
    let (ka, _) = user_keys();
    let pubkey = Binary::from(ka.public_key().as_slice());
    let to = DepositTarget::NewAccount { pubkey };
    // more than an L2 balance can hold in one coin
    refused(
        &mut s,
        ContractError::AmountTooLarge {
            amount: (Uint256::from(u128::MAX) + Uint256::one()).to_string(),
        },
        |s| {
            s.deposit_coins(
                &rich,
                to.clone(),
                &[Coin {
                    denom: DENOM.into(),
                    amount: Uint256::from(u128::MAX) + Uint256::one(),
                }],
            )
        },
    );
    // the contract's running total would overflow
    s.deposit(&rich, to.clone(), u128::MAX).unwrap();
    refused(&mut s, "Cannot Add with given operands", |s| {
        s.deposit(&rich, to.clone(), 1)
    });
    s.assert_reconciles();
}

#[test]
fn wrong_denoms_and_bad_keys_are_refused() {
    let mut s = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_coins(
            "alice",
            vec![
                Coin::new(1_000u128, BOND_DENOM),
                Coin::new(1_000u128, "uatom"),
            ],
        )
        .build();
    let alice = s.addr("alice");
    let (ka, _) = user_keys();
    let to = DepositTarget::NewAccount {
        pubkey: Binary::from(ka.public_key().as_slice()),
    };
    let deposit = |to: &DepositTarget| ExecuteMsg::Deposit { target: to.clone() };
    refused(&mut s, PaymentError::MissingDenom(DENOM.into()), |s| {
        s.execute(&alice, &deposit(&to), &[Coin::new(5u128, BOND_DENOM)])
    });
    refused(&mut s, PaymentError::NoFunds {}, |s| {
        s.execute(&alice, &deposit(&to), &[])
    });
    refused(&mut s, PaymentError::MultipleDenoms {}, |s| {
        s.execute(
            &alice,
            &deposit(&to),
            &[Coin::new(5u128, DENOM), Coin::new(5u128, "uatom")],
        )
    });
    refused(&mut s, PaymentError::MissingDenom(BOND_DENOM.into()), |s| {
        s.execute(&alice, &ExecuteMsg::Bond {}, &[Coin::new(5u128, DENOM)])
    });
    // keys: wrong length, the 0x05 "compact" form, an uncompressed prefix, off the curve
    let mut bad_keys = vec![(
        vec![2u8; 32],
        settle_core::Error::Length {
            what: "L2 public key",
            expected: 33,
            got: 32,
        }
        .to_string(),
    )];
    for (prefix, x) in [(0x05u8, None), (0x04, None), (0x02, Some([0xffu8; 32]))] {
        let mut k = ka.public_key().to_vec();
        k[0] = prefix;
        if let Some(x) = x {
            k[1..].copy_from_slice(&x);
        }
        bad_keys.push((
            k,
            ContractError::InvalidPubkey {
                reason: "not a compressed secp256k1 point".into(),
            }
            .to_string(),
        ));
    }
    for (key, expected) in bad_keys {
        let to = DepositTarget::NewAccount {
            pubkey: Binary::from(key),
        };
        refused(&mut s, expected, |s| {
            s.execute(&alice, &deposit(&to), &[Coin::new(5u128, DENOM)])
        });
    }
}

fn propose_config(window: Option<u64>) -> ExecuteMsg {
    ExecuteMsg::ProposeConfig {
        proposer_bond: None,
        challenge_window: window,
        force_inclusion_seconds: None,
        max_batch_bytes: None,
        dispute: None,
    }
}

#[test]
fn admin_calls_from_anyone_else_are_refused() {
    let (mut s, _, _) = world();
    let mallory = s.addr("mallory");
    let admin = s.admin.clone();
    let not_admin = |action| AdminError::NotAdmin {
        action,
        admin: admin.to_string(),
        sender: mallory.to_string(),
    };
    refused(&mut s, not_admin("propose a config change"), |s| {
        s.execute(&mallory, &propose_config(Some(3_600)), &[])
    });
    refused(&mut s, not_admin("propose a new admin"), |s| {
        s.execute(
            &mallory,
            &ExecuteMsg::ProposeAdmin {
                admin: mallory.to_string(),
            },
            &[],
        )
    });
    refused(&mut s, AdminError::NothingPending, |s| {
        s.execute(&mallory, &ExecuteMsg::ApplyConfig {}, &[])
    });
    // the admin cannot set nonsense either: every value inside the instantiate bounds
    for (msg, reason) in [
        (
            propose_config(Some(0)),
            "challenge_window must be at least one second".to_string(),
        ),
        (
            ExecuteMsg::ProposeConfig {
                proposer_bond: None,
                challenge_window: None,
                force_inclusion_seconds: None,
                max_batch_bytes: Some(1 << 20),
                dispute: None,
            },
            "max_batch_bytes must be in 1..=524288, got 1048576".to_string(),
        ),
        (
            ExecuteMsg::ProposeConfig {
                proposer_bond: Some(Uint128::zero()),
                challenge_window: None,
                force_inclusion_seconds: None,
                max_batch_bytes: None,
                dispute: None,
            },
            "proposer_bond must be positive".to_string(),
        ),
        (
            ExecuteMsg::ProposeConfig {
                proposer_bond: None,
                challenge_window: None,
                force_inclusion_seconds: Some(u64::MAX),
                max_batch_bytes: None,
                dispute: None,
            },
            format!(
                "force_inclusion_delay must be at most 315360000 seconds (ten years), got {}",
                u64::MAX
            ),
        ),
        (
            propose_config(Some(u64::MAX)),
            format!(
                "challenge_window must be at most 315360000 seconds (ten years), got {}",
                u64::MAX
            ),
        ),
    ] {
        refused(&mut s, ContractError::InvalidConfig { reason }, |s| {
            s.execute(&admin, &msg, &[])
        });
    }
    for (msg, expected) in [
        (
            propose_config(Some(60)),
            "challenge_window must be in 300..=2592000, got 60",
        ),
        (
            ExecuteMsg::ProposeConfig {
                proposer_bond: None,
                challenge_window: None,
                force_inclusion_seconds: Some(30 * 86_400),
                max_batch_bytes: None,
                dispute: None,
            },
            "force_inclusion_delay must be in 0..=604800, got 2592000",
        ),
        (
            ExecuteMsg::ProposeConfig {
                proposer_bond: Some(Uint128::new(10_000_000)),
                challenge_window: None,
                force_inclusion_seconds: None,
                max_batch_bytes: None,
                dispute: None,
            },
            "proposer_bond must be in 1..=1000000, got 10000000",
        ),
    ] {
        refused(&mut s, expected, |s| s.execute(&admin, &msg, &[]));
    }
}

#[test]
fn invalid_transactions_in_a_batch_are_no_ops_not_failures() {
    // The contract does not execute L2 transactions; the core's transition treats bad
    // ones as no-ops, so the honest output of a batch full of garbage is still provable.
    let (mut s, ka, kb) = world();
    let proposer = s.proposer.clone();
    let mut data = encode_batch(&[
        s.transfer(&kb, 0, 1, 5, 2),         // signed by the wrong key
        s.transfer(&ka, 0, 1, 1_000_000, 2), // more than alice has
        s.transfer(&ka, 0, 1, 5, 7),         // wrong nonce
    ]);
    data.extend_from_slice(&[0xee; 40]); // undecodable tail
    let before = s.node.ledger.state_root();
    s.propose(&proposer, data).unwrap();
    assert_eq!(s.node.ledger.state_root(), before);
    assert_eq!(s.batch(2).tx_steps, 4);
    assert_eq!(s.node.batch(2).unwrap().applied(), 0);
}

#[test]
fn bad_challenges_and_game_moves_change_nothing() {
    let (mut s, _, _) = world();
    let ch = s.addr("challenger");
    let mallory = s.addr("mallory");
    let proposer = s.proposer.clone();
    let challenge = ExecuteMsg::Challenge { batch: 1 };
    refused(
        &mut s,
        ContractError::WrongChallengerBond {
            sent: Uint128::new(501),
            required: Uint128::new(500),
        },
        |s| s.execute(&ch, &challenge, &[Coin::new(501u128, BOND_DENOM)]),
    );
    refused(&mut s, PaymentError::MissingDenom(BOND_DENOM.into()), |s| {
        s.execute(&mallory, &challenge, &[Coin::new(500u128, DENOM)])
    });
    refused(&mut s, ContractError::AlreadyFinal { index: 0 }, |s| {
        s.challenge(&ch, 0)
    });
    refused(&mut s, ContractError::NoSuchBatch { index: 5 }, |s| {
        s.challenge(&ch, 5)
    });
    let id = s.challenge(&ch, 1).unwrap();
    let mid = match s.game(id).phase {
        optimistic_rollup::msg::GamePhase::Bisect { position } => position,
        other => panic!("the defender moves first, not {other:?}"),
    };
    let root = Binary::from([7u8; 32].as_slice());
    let bisect = |position: u64, root: Binary| ExecuteMsg::Bisect {
        game: id,
        position,
        root,
    };
    refused(
        &mut s,
        ContractError::NotPlayer {
            id,
            side: "defender",
            sender: mallory.to_string(),
        },
        |s| s.execute(&mallory, &bisect(mid, root.clone()), &[]),
    );
    refused(
        &mut s,
        settle_core::Error::WrongMove {
            phase: "bisect",
            position: mid + 1,
        },
        |s| s.execute(&proposer, &bisect(mid + 1, root.clone()), &[]),
    );
    refused(
        &mut s,
        settle_core::Error::Length {
            what: "root",
            expected: 32,
            got: 31,
        },
        |s| {
            s.execute(
                &proposer,
                &bisect(mid, Binary::from([7u8; 31].as_slice())),
                &[],
            )
        },
    );
    refused(&mut s, PaymentError::NonPayable {}, |s| {
        s.execute(
            &proposer,
            &bisect(mid, root.clone()),
            &[Coin::new(1u128, BOND_DENOM)],
        )
    });
    refused(
        &mut s,
        settle_core::Error::NotYourTurn {
            expected: settle_core::dispute::Side::Defender,
        },
        |s| {
            s.execute(
                &ch,
                &ExecuteMsg::Choose {
                    game: id,
                    position: mid,
                    agree: true,
                },
                &[],
            )
        },
    );
    refused(&mut s, "malformed one-step proof", |s| {
        s.execute(
            &mallory,
            &ExecuteMsg::ProveStep {
                game: id,
                step: 0,
                proof: Binary::new(vec![3, 1, 2]),
            },
            &[],
        )
    });
    refused(
        &mut s,
        settle_core::Error::ClockRunning {
            side: settle_core::dispute::Side::Defender,
            left: 3_600,
        },
        |s| s.resolve_game(id),
    );
    refused(&mut s, ContractError::NoSuchGame { id: 9 }, |s| {
        s.execute(&mallory, &ExecuteMsg::ResolveGame { game: 9 }, &[])
    });
    // the window passes with the game open: no finalization, and the defender's clock
    // has run out, so no more moves either
    s.a_challenge_window_passes();
    refused(
        &mut s,
        ContractError::GamesOpen { index: 1, open: 1 },
        |s| s.finalize(1),
    );
    refused(
        &mut s,
        settle_core::Error::ClockExpired {
            side: settle_core::dispute::Side::Defender,
        },
        |s| s.execute(&proposer, &bisect(mid, root.clone()), &[]),
    );
    // and the admin cannot set nonsense game parameters
    let admin = s.admin.clone();
    let good = DisputeParams {
        challenger_bond: Uint128::new(500),
        clock_seconds: 3_600,
        min_answer_seconds: 300,
        reward_bps: 5_000,
        treasury: s.addr("treasury").to_string(),
    };
    for (bad, reason) in [
        (
            DisputeParams {
                challenger_bond: Uint128::zero(),
                ..good.clone()
            },
            "dispute.challenger_bond must be positive".to_string(),
        ),
        (
            DisputeParams {
                min_answer_seconds: 3_601,
                ..good.clone()
            },
            "dispute.min_answer_seconds must be in 1..=clock_seconds (3600), got 3601".into(),
        ),
        (
            DisputeParams {
                reward_bps: 10_001,
                ..good.clone()
            },
            "dispute.reward_bps must be at most 10000, got 10001".into(),
        ),
        (
            DisputeParams {
                clock_seconds: u64::MAX,
                ..good.clone()
            },
            format!(
                "dispute.clock_seconds must be at most {} seconds (ten years), got {}",
                optimistic_rollup::contract::MAX_PERIOD_SECONDS,
                u64::MAX
            ),
        ),
    ] {
        let msg = ExecuteMsg::ProposeConfig {
            proposer_bond: None,
            challenge_window: None,
            force_inclusion_seconds: None,
            max_batch_bytes: None,
            dispute: Some(bad),
        };
        refused(&mut s, ContractError::InvalidConfig { reason }, |s| {
            s.execute(&admin, &msg, &[])
        });
    }
}

#[test]
fn f3_an_instant_config_change_is_refused_and_a_change_waits_its_timelock() {
    let (mut s, _, _) = world();
    let admin = s.admin.clone();
    let window = s.config().challenge_window;
    let res = s
        .execute(&admin, &propose_config(Some(3_600)), &[])
        .unwrap();
    let proposed = s.app.block_info().time.seconds();
    // nothing changed: the config in force is the old one
    assert_eq!(s.config().challenge_window, window);
    let pending = s.pending_config().expect("pending");
    assert_eq!(pending.applies_at, proposed + window);
    assert!(res.events.iter().any(|e| e
        .attributes
        .iter()
        .any(|a| a.key == "action" && a.value == "propose_config")));
    // not now, and not a second before the timelock (the challenge window in force)
    let mallory = s.addr("mallory");
    refused(
        &mut s,
        AdminError::Timelocked {
            applies_at: proposed + window,
            now: proposed,
        },
        |s| s.execute(&mallory, &ExecuteMsg::ApplyConfig {}, &[]),
    );
    s.advance(window - 1);
    refused(
        &mut s,
        AdminError::Timelocked {
            applies_at: proposed + window,
            now: proposed + window - 1,
        },
        |s| s.execute(&mallory, &ExecuteMsg::ApplyConfig {}, &[]),
    );
    // a second change cannot be queued behind it
    refused(
        &mut s,
        AdminError::AlreadyPending {
            applies_at: proposed + window,
        },
        |s| s.execute(&admin, &propose_config(Some(7_200)), &[]),
    );
    s.advance(1);
    s.execute(&mallory, &ExecuteMsg::ApplyConfig {}, &[])
        .unwrap();
    assert_eq!(s.config().challenge_window, 3_600);
    assert!(s.pending_config().is_none());
    // cancel: only the admin, and the change is gone
    s.execute(&admin, &propose_config(Some(600)), &[]).unwrap();
    refused(
        &mut s,
        AdminError::NotAdmin {
            action: "cancel a config change",
            admin: admin.to_string(),
            sender: mallory.to_string(),
        },
        |s| s.execute(&mallory, &ExecuteMsg::CancelConfig {}, &[]),
    );
    s.execute(&admin, &ExecuteMsg::CancelConfig {}, &[])
        .unwrap();
    s.advance(3_600);
    refused(&mut s, AdminError::NothingPending, |s| {
        s.execute(&mallory, &ExecuteMsg::ApplyConfig {}, &[])
    });
    assert_eq!(s.config().challenge_window, 3_600);
}

#[test]
fn f3_a_one_second_window_is_refused_by_the_bounds_and_the_floor() {
    let (mut s, _, _) = world();
    let admin = s.admin.clone();
    refused(
        &mut s,
        "challenge_window must be in 300..=2592000, got 1",
        |s| s.execute(&admin, &propose_config(Some(1)), &[]),
    );
    // bounds below the absolute floor are refused at instantiate...
    let mut low = settle_testing::default_bounds();
    low.challenge_window.min = 1;
    let mut app_msg = optimistic_rollup::msg::InstantiateMsg {
        admin: None,
        denom: DENOM.into(),
        bond_denom: BOND_DENOM.into(),
        proposer_bond: Uint128::new(1_000),
        challenge_window: 86_400,
        force_inclusion_seconds: 3_600,
        max_batch_bytes: 1_024,
        dispute: DisputeParams {
            challenger_bond: Uint128::new(500),
            clock_seconds: 3_600,
            min_answer_seconds: 300,
            reward_bps: 5_000,
            treasury: s.addr("treasury").to_string(),
        },
        bounds: Some(low),
    };
    let code = s.code;
    let instantiate = |s: &mut Suite, msg: &optimistic_rollup::msg::InstantiateMsg| {
        use cw_multi_test::Executor;
        let admin = s.admin.clone();
        s.app
            .instantiate_contract(code, admin, msg, &[], "rollup", None)
    };
    assert_refused(
        instantiate(&mut s, &app_msg),
        "bounds of challenge_window must satisfy 300 <= min <= max <= 315360000, got 1..=2592000",
    );
    // ...and so is a one-second window with no bounds given (the bounds pin the values)
    app_msg.bounds = None;
    app_msg.challenge_window = 1;
    assert_refused(
        instantiate(&mut s, &app_msg),
        "bounds of challenge_window must satisfy 300 <= min <= max <= 315360000, got 1..=1",
    );
    // a value outside the bounds given is refused too
    app_msg.bounds = Some(settle_testing::default_bounds());
    app_msg.challenge_window = 299;
    assert_refused(
        instantiate(&mut s, &app_msg),
        "challenge_window must be in 300..=2592000, got 299",
    );
    // without bounds nothing but the treasury can ever change
    app_msg.bounds = None;
    app_msg.challenge_window = 86_400;
    let pinned = instantiate(&mut s, &app_msg).unwrap();
    use cw_multi_test::Executor;
    assert_refused(
        s.app.execute_contract(
            admin.clone(),
            pinned.clone(),
            &propose_config(Some(86_401)),
            &[],
        ),
        "challenge_window must be in 86400..=86400, got 86401",
    );
}

#[test]
fn f3_a_batch_proposed_before_the_change_keeps_its_window() {
    let (mut s, ka, _) = world();
    let proposer = s.proposer.clone();
    let long = s.config().challenge_window;
    s.propose_config(settle_testing::ConfigChange {
        challenge_window: Some(600),
        ..Default::default()
    })
    .unwrap();
    // a batch proposed while the change waits
    s.advance(long - 100);
    let t = s.transfer(&ka, 0, 1, 5, 2);
    s.propose(&proposer, encode_batch(&[t])).unwrap();
    let before = s.batch(2);
    assert_eq!(before.finalizes_at, before.proposed_at + long);
    s.config_change_applies().unwrap();
    assert_eq!(s.config().challenge_window, 600);
    // the batch keeps the window it was proposed under
    s.advance(600);
    assert_eq!(s.batch(2).finalizes_at, before.finalizes_at);
    s.finalize(1).unwrap();
    refused(
        &mut s,
        ContractError::WindowOpen {
            index: 2,
            finalizes_at: before.finalizes_at,
        },
        |s| s.finalize(2),
    );
    // a batch proposed now gets the new window
    let t = s.transfer(&ka, 0, 1, 5, 3);
    s.propose(&proposer, encode_batch(&[t])).unwrap();
    let after = s.batch(3);
    assert_eq!(after.finalizes_at, after.proposed_at + 600);
}

#[test]
fn f3_the_admin_role_moves_only_when_the_successor_accepts() {
    let (mut s, _, _) = world();
    let admin = s.admin.clone();
    let (mallory, carol) = (s.addr("mallory"), s.addr("carol"));
    let propose = |to: &cosmwasm_std::Addr| ExecuteMsg::ProposeAdmin {
        admin: to.to_string(),
    };
    s.execute(&admin, &propose(&carol), &[]).unwrap();
    // not effective until accepted: the old admin keeps the role
    let p = s.pending_admin();
    assert_eq!(
        (p.admin.clone(), p.pending.clone()),
        (admin.clone(), Some(carol.clone()))
    );
    assert_eq!(s.config().admin, admin);
    refused(
        &mut s,
        AdminError::NotAdmin {
            action: "propose a config change",
            admin: admin.to_string(),
            sender: carol.to_string(),
        },
        |s| s.execute(&carol, &propose_config(Some(3_600)), &[]),
    );
    // a stranger cannot accept
    refused(
        &mut s,
        AdminError::NotPendingAdmin {
            pending: carol.to_string(),
            sender: mallory.to_string(),
        },
        |s| s.execute(&mallory, &ExecuteMsg::AcceptAdmin {}, &[]),
    );
    // the admin can withdraw the nomination
    s.execute(&admin, &ExecuteMsg::CancelAdmin {}, &[]).unwrap();
    refused(&mut s, AdminError::NoPendingAdmin, |s| {
        s.execute(&carol, &ExecuteMsg::AcceptAdmin {}, &[])
    });
    // nominate again; the nominee accepts
    s.execute(&admin, &propose(&carol), &[]).unwrap();
    s.execute(&carol, &ExecuteMsg::AcceptAdmin {}, &[]).unwrap();
    assert_eq!(s.config().admin, carol);
    assert_eq!(s.pending_admin().pending, None);
    refused(
        &mut s,
        AdminError::NotAdmin {
            action: "propose a config change",
            admin: carol.to_string(),
            sender: admin.to_string(),
        },
        |s| s.execute(&admin, &propose_config(Some(3_600)), &[]),
    );
    s.execute(&carol, &propose_config(Some(3_600)), &[])
        .unwrap();
}
