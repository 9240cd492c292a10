//! The validity rollup on an embedded chain with real bank balances and real Groth16
//! proofs (settle-zk, keys from a seeded test setup): deposits, batches final at once,
//! withdrawals paid in the same transaction, every kind of bad batch refused with nothing
//! changed, exodus, and verifying-key rotation.

use cosmwasm_std::{Binary, Coin, Uint128};
use settle_core::validity::eddsa::SecretKey;
use settle_core::validity::field::fr_to_bytes;
use settle_testing::{assert_refused, ValiditySuite, ValiditySuiteBuilder, VALIDITY_DENOM};
use validity_rollup::msg::{
    CheckBatchResponse, DepositTarget, ExecuteMsg, QueryMsg, StatusResponse, VerifyProofResponse,
};

fn key(label: &str) -> SecretKey {
    let mut seed = [0u8; 32];
    seed[..label.len()].copy_from_slice(label.as_bytes());
    SecretKey::from_seed(&seed)
}

/// What a refused message must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    status: StatusResponse,
    contract_balance: u128,
    balances: Vec<u128>,
}

fn snapshot(s: &ValiditySuite, labels: &[&str]) -> Snapshot {
    Snapshot {
        status: s.status(),
        contract_balance: s.balance_of(&s.contract),
        balances: labels.iter().map(|l| s.balance_of(&s.addr(l))).collect(),
    }
}

fn assert_solvent(s: &ValiditySuite) {
    let solvency = s.solvency();
    assert!(solvency.solvent, "{solvency:?}");
    assert_eq!(solvency.denoms.len(), 1, "{solvency:?}");
    let sheet = &solvency.denoms[0];
    assert_eq!(sheet.held, sheet.owed, "{solvency:?}");
    // What the contract owes is exactly the L2 supply plus the queued deposits plus the
    // withdrawals credited and not yet claimed.
    let status = s.status();
    // Queued deposits and exit requests' bonds, as the contract reports each entry.
    let queued: u128 = (status.deposit_cursor..status.deposit_count)
        .map(|index| {
            let d: validity_rollup::msg::QueuedDepositResponse = s
                .query(&QueryMsg::QueuedDeposit { deposit: index })
                .expect("a queued entry");
            if d.reclaimed {
                0
            } else {
                d.amount.u128()
            }
        })
        .sum();
    let credited = status.credited.u128();
    assert_eq!(
        sheet.owed.to_string(),
        (s.op.ledger.total_balance() + queued + credited).to_string()
    );
}

/// alice (account 0, 600) and bob (account 1, 400) on L2 after one batch.
fn two_accounts() -> ValiditySuite {
    let mut s = ValiditySuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .build();
    let (alice, bob, operator) = (s.addr("alice"), s.addr("bob"), s.addr("operator"));
    s.deposit_new_account(&alice, &key("alice"), 600).unwrap();
    s.deposit_new_account(&bob, &key("bob"), 400).unwrap();
    s.submit(&operator, 2, &[]).unwrap();
    s
}

#[test]
fn deposits_batches_and_withdrawals_move_real_money() {
    let mut s = two_accounts();
    let (carol, operator) = (s.addr("carol"), s.addr("operator"));
    assert_eq!(s.balance_of(&s.addr("alice")), 400);
    assert_eq!(s.balance_of(&s.addr("bob")), 600);
    let status = s.status();
    assert_eq!(status.batches, 1);
    assert_eq!(status.account_count, 2);
    assert_eq!(status.deposit_cursor, 2);
    assert_eq!(
        status.state_root.as_slice(),
        fr_to_bytes(&s.op.ledger.state_root())
    );
    assert_solvent(&s);

    // alice pays bob 250; bob withdraws 500 to carol's L1 address: final at once,
    // credited to carol, who claims it.
    let pay = s.transfer(&key("alice"), 1, 250);
    let out = s.withdrawal(&key("bob"), &carol, 500);
    let res = s.submit(&operator, 0, &[pay, out]).unwrap();
    assert_eq!(s.credit_of(&carol), 500);
    assert_eq!(s.balance_of(&s.addr("carol")), 0);
    assert_eq!(s.op.ledger.account(0).unwrap().balance, 350);
    assert_eq!(s.op.ledger.account(1).unwrap().balance, 150);
    assert_eq!(s.balance_of(&s.contract), 1_000);
    assert_eq!(s.status().credited, Uint128::new(500));
    let ev = res
        .events
        .iter()
        .find(|e| e.ty == "wasm-validity")
        .expect("event");
    let attr = |k: &str| {
        ev.attributes
            .iter()
            .find(|a| a.key == k)
            .map(|a| a.value.clone())
    };
    assert_eq!(attr("action").as_deref(), Some("submit_batch"));
    assert_eq!(attr("withdrawals").as_deref(), Some("1"));
    assert_eq!(attr("credited").as_deref(), Some("500"));
    let status = s.status();
    assert_eq!(status.batches, 2);
    assert_eq!(
        status.state_root.as_slice(),
        fr_to_bytes(&s.op.ledger.state_root())
    );
    assert_solvent(&s);
    s.claim(&carol).unwrap();
    assert_eq!(s.balance_of(&s.addr("carol")), 500);
    assert_eq!(s.credit_of(&carol), 0);
    assert_eq!(s.balance_of(&s.contract), 500);
    assert_refused(s.claim(&carol), "nothing is credited to");
    assert_solvent(&s);
}

#[test]
fn bad_batches_are_refused_and_change_nothing() {
    let mut s = two_accounts();
    let (alice, operator) = (s.addr("alice"), s.addr("operator"));
    s.deposit_to(&alice, 0, 50).unwrap();
    let pay = s.transfer(&key("alice"), 1, 100);
    let good = s.prove(1, &[pay]).unwrap();
    let labels = ["alice", "bob", "operator"];
    let before = snapshot(&s, &labels);

    let with = |f: &dyn Fn(&mut ExecuteMsg)| {
        let mut m = good.msg();
        f(&mut m);
        m
    };
    let root_plus_one = {
        let mut r = good.new_accounts_root;
        r += settle_core::validity::Fr::from(1u64);
        Binary::from(fr_to_bytes(&r).to_vec())
    };
    let cases: Vec<(&str, ExecuteMsg, &str)> = vec![
        (
            "another new root",
            with(&|m| {
                if let ExecuteMsg::SubmitBatch {
                    new_accounts_root, ..
                } = m
                {
                    *new_accounts_root = root_plus_one.clone();
                }
            }),
            "proof rejected",
        ),
        (
            "another account count",
            with(&|m| {
                if let ExecuteMsg::SubmitBatch {
                    new_account_count, ..
                } = m
                {
                    *new_account_count += 1;
                }
            }),
            "proof rejected",
        ),
        (
            "tampered data (a larger amount)",
            with(&|m| {
                if let ExecuteMsg::SubmitBatch { data, .. } = m {
                    let mut bytes = data.to_vec();
                    // The transfer amount's last byte (before the 2-byte exit count).
                    let last = bytes.len() - 3;
                    bytes[last] ^= 1;
                    *data = Binary::from(bytes);
                }
            }),
            "proof rejected",
        ),
        (
            "a deposit left out",
            with(&|m| {
                if let ExecuteMsg::SubmitBatch {
                    deposits_consumed: deposits,
                    ..
                } = m
                {
                    *deposits = 0;
                }
            }),
            "proof rejected",
        ),
        (
            "more deposits than pending",
            with(&|m| {
                if let ExecuteMsg::SubmitBatch {
                    deposits_consumed: deposits,
                    ..
                } = m
                {
                    *deposits = 2;
                }
            }),
            "2 deposits, 1 are pending",
        ),
        (
            "a flipped proof byte",
            with(&|m| {
                if let ExecuteMsg::SubmitBatch { proof, .. } = m {
                    let mut bytes = proof.to_vec();
                    bytes[60] ^= 0x10;
                    *proof = Binary::from(bytes);
                }
            }),
            "",
        ),
        (
            "a short proof",
            with(&|m| {
                if let ExecuteMsg::SubmitBatch { proof, .. } = m {
                    *proof = Binary::from(proof.as_slice()[..191].to_vec());
                }
            }),
            "expected 192 bytes",
        ),
        (
            "a root above the field modulus",
            with(&|m| {
                if let ExecuteMsg::SubmitBatch {
                    new_accounts_root, ..
                } = m
                {
                    *new_accounts_root = Binary::from(vec![0xff; 32]);
                }
            }),
            "not a canonical field element",
        ),
        (
            "undecodable data",
            with(&|m| {
                if let ExecuteMsg::SubmitBatch { data, .. } = m {
                    *data = Binary::from(vec![0, 1, 9]);
                }
            }),
            "malformed batch data",
        ),
    ];
    for (what, msg, expected) in cases {
        let res = s.execute(&operator, &msg, &[]);
        assert!(res.is_err(), "{what}: accepted");
        assert_refused(res, expected);
        assert_eq!(snapshot(&s, &labels), before, "{what} changed state");
    }
    // Funds sent with a batch are refused.
    assert_refused(
        s.execute(&alice, &good.msg(), &[Coin::new(1u128, VALIDITY_DENOM)]),
        "",
    );
    // The good batch goes through once; its replay no longer matches the state.
    s.execute(&operator, &good.msg(), &[]).unwrap();
    s.op.follow(&good);
    let after = snapshot(&s, &labels);
    assert_refused(s.execute(&operator, &good.msg(), &[]), "");
    assert_eq!(snapshot(&s, &labels), after);
    assert_solvent(&s);
}

#[test]
fn deposits_that_could_not_be_consumed_are_refused() {
    let mut s = two_accounts();
    let alice = s.addr("alice");
    let before = snapshot(&s, &["alice"]);
    // An account no queued deposit opens.
    assert_refused(s.deposit_to(&alice, 2, 10), "no account 2 will exist");
    // A key that is not on Jubjub, and one of small order.
    let bad_key = ExecuteMsg::Deposit {
        target: DepositTarget::NewAccount {
            pubkey: Binary::from(vec![1u8; 64]),
        },
    };
    assert_refused(
        s.execute(&alice, &bad_key, &[Coin::new(10u128, VALIDITY_DENOM)]),
        "jubjub public key",
    );
    let mut identity = vec![0u8; 64];
    identity[63] = 1;
    let small = ExecuteMsg::Deposit {
        target: DepositTarget::NewAccount {
            pubkey: Binary::from(identity),
        },
    };
    assert_refused(
        s.execute(&alice, &small, &[Coin::new(10u128, VALIDITY_DENOM)]),
        "small order",
    );
    // No funds, or the wrong denom.
    let to_alice = ExecuteMsg::Deposit {
        target: DepositTarget::Account {
            account: 0,
            pubkey: Binary::from(key("alice").public_key().encode().to_vec()),
        },
    };
    assert_refused(s.execute(&alice, &to_alice, &[]), "");
    assert_eq!(snapshot(&s, &["alice"]), before);
}

#[test]
fn exodus_lets_users_leave_with_their_last_proven_balance_once() {
    let mut s = ValiditySuiteBuilder::new()
        .with_exodus_after(3_600)
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .build();
    let (alice, bob, operator) = (s.addr("alice"), s.addr("bob"), s.addr("operator"));
    s.deposit_new_account(&alice, &key("alice"), 600).unwrap();
    s.deposit_new_account(&bob, &key("bob"), 400).unwrap();
    s.submit(&operator, 2, &[]).unwrap();
    // bob queues another deposit that the operator never includes.
    s.deposit_to(&bob, 1, 100).unwrap();
    let exit = s.exodus_msg(&key("alice"), &s.addr("alice-cold"));
    assert_refused(s.execute(&operator, &exit, &[]), "not in exodus mode");

    s.advance(3_600);
    assert!(s.status().exodus);
    // Frozen: no batch, no deposit.
    let late = s.prove(1, &[]).unwrap();
    assert_refused(s.execute(&operator, &late.msg(), &[]), "exodus mode");
    assert_refused(s.deposit_to(&bob, 1, 5), "exodus mode");

    // alice leaves with her 600 to the address she signed for; anyone can send it.
    let labels = ["alice-cold", "bob"];
    let before = snapshot(&s, &labels);
    let mut forged = exit.clone();
    if let ExecuteMsg::ExodusWithdraw { balance, .. } = &mut forged {
        *balance = Uint128::new(6_000);
    }
    assert_refused(s.execute(&bob, &forged, &[]), "not in the last proven");
    let mut redirected = exit.clone();
    if let ExecuteMsg::ExodusWithdraw { recipient, .. } = &mut redirected {
        *recipient = bob.to_string();
    }
    assert_refused(
        s.execute(&bob, &redirected, &[]),
        "not signed by the account",
    );
    assert_eq!(snapshot(&s, &labels), before);
    s.execute(&bob, &exit, &[]).unwrap();
    assert_eq!(s.balance_of(&s.addr("alice-cold")), 600);
    assert_refused(s.execute(&bob, &exit, &[]), "already exited");
    // bob's queued deposit comes back to him, once; consumed deposits do not.
    s.execute(&bob, &ExecuteMsg::ReclaimDeposit { deposit: 2 }, &[])
        .unwrap();
    assert_eq!(s.balance_of(&s.addr("bob")), 1_000 - 400);
    assert_refused(
        s.execute(&bob, &ExecuteMsg::ReclaimDeposit { deposit: 2 }, &[]),
        "already reclaimed",
    );
    assert_refused(
        s.execute(&bob, &ExecuteMsg::ReclaimDeposit { deposit: 1 }, &[]),
        "consumed by a batch",
    );
    // bob exits too; the rollup is empty and still solvent.
    let bob_exit = s.exodus_msg(&key("bob"), &bob);
    s.execute(&alice, &bob_exit, &[]).unwrap();
    assert_eq!(s.balance_of(&s.addr("bob")), 1_000);
    assert_eq!(s.balance_of(&s.contract), 0);
    assert_eq!(s.status().locked, Uint128::zero());
}

#[test]
fn a_deposit_left_waiting_starts_exodus_even_while_batches_come() {
    let mut s = ValiditySuiteBuilder::new()
        .with_exodus_after(3_600)
        .with_funds("alice", 1_000)
        .build();
    let (alice, operator) = (s.addr("alice"), s.addr("operator"));
    s.deposit_new_account(&alice, &key("alice"), 500).unwrap();
    s.submit(&operator, 1, &[]).unwrap();
    s.deposit_to(&alice, 0, 100).unwrap();
    s.advance(1_800);
    // A batch that ignores the deposit does not reset its clock.
    let pay = s.transfer(&key("alice"), 0, 1);
    s.submit(&operator, 0, &[pay]).unwrap();
    s.advance(1_800);
    let status = s.status();
    assert!(status.exodus, "{status:?}");
}

#[test]
fn check_batch_and_verify_proof_answer_without_writing() {
    let mut s = two_accounts();
    let pay = s.transfer(&key("alice"), 1, 10);
    let batch = s.prove(0, &[pay]).unwrap();
    let ExecuteMsg::SubmitBatch {
        data,
        deposits_consumed: deposits,
        new_accounts_root,
        new_account_count,
        proof,
    } = batch.msg()
    else {
        unreachable!()
    };
    let check: CheckBatchResponse = s
        .query(&QueryMsg::CheckBatch {
            data: data.clone(),
            deposits_consumed: deposits,
            new_accounts_root: new_accounts_root.clone(),
            new_account_count,
            proof: proof.clone(),
        })
        .unwrap();
    assert!(check.valid, "{check:?}");
    let expected = settle_zk::public_input(&batch.witness);
    assert_eq!(
        check.public_input.unwrap().as_slice(),
        fr_to_bytes(&expected)
    );
    let wrong: CheckBatchResponse = s
        .query(&QueryMsg::CheckBatch {
            data,
            deposits_consumed: deposits,
            new_accounts_root,
            new_account_count: new_account_count + 1,
            proof: proof.clone(),
        })
        .unwrap();
    assert!(!wrong.valid);
    assert!(wrong.reason.unwrap().contains("proof rejected"));
    // The generic verifier: the same proof against its public input, and another input.
    let verify = |input: settle_core::validity::Fr| -> VerifyProofResponse {
        s.query(&QueryMsg::VerifyProof {
            proof: proof.clone(),
            public_inputs: vec![Binary::from(fr_to_bytes(&input).to_vec())],
        })
        .unwrap()
    };
    assert!(verify(expected).valid);
    let other = verify(expected + settle_core::validity::Fr::from(1u64));
    assert!(!other.valid);
    let none: VerifyProofResponse = s
        .query(&QueryMsg::VerifyProof {
            proof: proof.clone(),
            public_inputs: vec![],
        })
        .unwrap();
    assert!(none.reason.unwrap().contains("public input"));
}

#[test]
fn key_rotation_waits_for_its_timelock_and_exits_stay_provable() {
    use settle_core::validity::ledger::Shape;
    let mut s = ValiditySuiteBuilder::new()
        .with_key_timelock(2_000)
        .with_exodus_after(1_000)
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .build();
    let (alice, bob, op, admin) = (
        s.addr("alice"),
        s.addr("bob"),
        s.addr("operator"),
        s.admin.clone(),
    );
    s.deposit_new_account(&alice, &key("alice"), 600).unwrap();
    s.deposit_new_account(&bob, &key("bob"), 400).unwrap();
    s.submit(&op, 2, &[]).unwrap();

    // The new circuit: batches of one deposit and one transaction.
    let small = Shape {
        deposits: 1,
        txs: 1,
    };
    let new_keys = settle_testing::keys_for(small);
    let propose = ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(new_keys.verifying.to_wire()),
        shape: settle_testing::msg_shape(small),
    };
    assert_refused(
        s.execute(&alice, &propose, &[]),
        "only the admin (cosmwasm1",
    );
    let garbage = ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(vec![0u8; 100]),
        shape: settle_testing::msg_shape(small),
    };
    assert_refused(s.execute(&admin, &garbage, &[]), "");
    assert_refused(
        s.execute(&alice, &ExecuteMsg::ApplyKey {}, &[]),
        "no verifying key is proposed",
    );
    s.execute(&admin, &propose, &[]).unwrap();
    assert_refused(
        s.execute(&alice, &ExecuteMsg::ApplyKey {}, &[]),
        "the change is timelocked until",
    );
    // One change at a time: a second proposal waits for the first to apply or be
    // cancelled (it could not shorten the wait anyway).
    assert_refused(
        s.execute(&admin, &propose, &[]),
        "a change is already pending",
    );
    // Until it applies, the old key rules.
    let pay = s.transfer(&key("alice"), 1, 100);
    s.submit(&op, 0, &[pay]).unwrap();
    // An exit message built now, against the state proven under the old key.
    let alice_exit = s.exodus_msg(&key("alice"), &alice);

    // The operator keeps batching while the key waits (the timelock is two exodus
    // deadlines: without batches the rollup would be in exodus before the key applies).
    s.advance(700);
    s.submit(&op, 0, &[]).unwrap();
    s.advance(700);
    s.submit(&op, 0, &[]).unwrap();
    s.advance(600);
    s.execute(&alice, &ExecuteMsg::ApplyKey {}, &[]).unwrap();
    let config: validity_rollup::msg::ConfigResponse = s.query(&QueryMsg::Config {}).unwrap();
    assert_eq!(config.shape, settle_testing::msg_shape(small));
    // A proof under the old key no longer verifies.
    let pay = s.transfer(&key("bob"), 0, 10);
    let old = s.prove(0, std::slice::from_ref(&pay)).unwrap();
    let before = snapshot(&s, &["alice", "bob"]);
    assert_refused(s.execute(&op, &old.msg(), &[]), "proof rejected");
    assert_eq!(snapshot(&s, &["alice", "bob"]), before);
    // The operator switches to the new key: its proof for the same batch is what the
    // contract now takes (asked as a dry run, so the proven state stays as it was).
    s.op.keys = new_keys;
    s.op.shape = small;
    let new = s.prove(0, &[pay]).unwrap();
    let ExecuteMsg::SubmitBatch {
        data,
        deposits_consumed: deposits,
        new_accounts_root,
        new_account_count,
        proof,
    } = new.msg()
    else {
        unreachable!()
    };
    let check: CheckBatchResponse = s
        .query(&QueryMsg::CheckBatch {
            data,
            deposits_consumed: deposits,
            new_accounts_root,
            new_account_count,
            proof,
        })
        .unwrap();
    assert!(check.valid, "{check:?}");

    // The operator stops. The exit alice built before the rotation, against the root
    // proven under the old key, still pays: exits are proven against the account tree,
    // not against a verifying key.
    s.advance(86_400);
    s.execute(&bob, &alice_exit, &[]).unwrap();
    assert_eq!(s.balance_of(&s.addr("alice")), 400 + 500);
    // Cancelling: a proposal can be withdrawn, then nothing applies.
    let again = ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(s.op.keys.verifying.to_wire()),
        shape: settle_testing::msg_shape(small),
    };
    s.execute(&admin, &again, &[]).unwrap();
    s.execute(&admin, &ExecuteMsg::CancelKey {}, &[]).unwrap();
    assert_refused(
        s.execute(&alice, &ExecuteMsg::ApplyKey {}, &[]),
        "no verifying key is proposed",
    );
}

/// The core deposit a `deposit` query describes.
fn deposit_of(
    r: &validity_rollup::msg::QueuedDepositResponse,
) -> settle_core::validity::ledger::Deposit {
    use settle_core::validity::eddsa::PublicKey;
    use settle_core::validity::ledger::Deposit;
    use validity_rollup::msg::QueueEntry;
    match &r.target {
        QueueEntry::NewAccount { pubkey, .. } => Deposit::NewAccount {
            key: PublicKey::decode(pubkey.as_slice()).expect("the contract queued a valid key"),
            amount: r.amount.u128(),
        },
        QueueEntry::Account { account, .. } => Deposit::Credit {
            account: *account,
            amount: r.amount.u128(),
        },
        QueueEntry::Exit { account, .. } => Deposit::Exit { account: *account },
    }
}

#[test]
fn a_user_rebuilds_the_ledger_from_chain_data_and_exits_without_the_operator() {
    use settle_core::validity::field::fr_from_bytes;
    use settle_core::validity::ledger::{BatchData, Ledger};
    use validity_rollup::msg::{BatchResponse, ConfigResponse, QueuedDepositResponse};

    let mut s = ValiditySuiteBuilder::new()
        .with_exodus_after(3_600)
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .build();
    let (alice, bob, operator) = (s.addr("alice"), s.addr("bob"), s.addr("operator"));
    // Every submit_batch the operator posts, as the chain's blocks show it.
    let mut posted = Vec::new();
    let mut post =
        |s: &mut ValiditySuite, deposits: usize, txs: &[settle_core::validity::ledger::Tx]| {
            let batch = s.prove(deposits, txs).unwrap();
            s.execute(&operator, &batch.msg(), &[]).unwrap();
            s.op.follow(&batch);
            posted.push(batch.msg());
        };
    s.deposit_new_account(&alice, &key("alice"), 600).unwrap();
    s.deposit_new_account(&bob, &key("bob"), 400).unwrap();
    post(&mut s, 2, &[]);
    let pay = s.transfer(&key("alice"), 1, 250);
    let out = s.withdrawal(&key("bob"), &s.addr("bob-cold"), 50);
    post(&mut s, 0, &[pay, out]);
    s.deposit_to(&alice, 0, 30).unwrap();
    let back = s.transfer(&key("bob"), 0, 100);
    post(&mut s, 1, &[back]);
    let cold = s.addr("bob-cold");
    s.claim(&cold).unwrap();
    assert_eq!(s.balance_of(&s.addr("bob-cold")), 50);

    // The operator vanishes. alice rebuilds the ledger from the contract's queries and the
    // posted data alone: no operator, no signatures, no nonces.
    s.advance(3_600);
    let config: ConfigResponse = s.query(&QueryMsg::Config {}).unwrap();
    let domain = fr_from_bytes("domain", config.domain.as_slice()).unwrap();
    let status = s.status();
    assert!(status.exodus);
    let mut ledger = Ledger::new();
    let mut next_deposit = 0;
    for (i, msg) in posted.iter().enumerate() {
        let record: BatchResponse = s.query(&QueryMsg::Batch { batch: i as u64 }).unwrap();
        let deposits: Vec<_> = (next_deposit..next_deposit + record.deposits_consumed)
            .map(|index| {
                deposit_of(
                    &s.query::<QueuedDepositResponse>(&QueryMsg::QueuedDeposit { deposit: index })
                        .unwrap(),
                )
            })
            .collect();
        next_deposit += record.deposits_consumed;
        let ExecuteMsg::SubmitBatch { data, .. } = msg else {
            unreachable!("only batches are posted")
        };
        let root = fr_from_bytes("state root", record.state_root.as_slice()).unwrap();
        ledger
            .replay_batch(
                &deposits,
                &BatchData::decode(data.as_slice()).unwrap(),
                &root,
            )
            .unwrap();
    }
    assert_eq!(
        Binary::from(fr_to_bytes(&ledger.state_root()).to_vec()),
        status.state_root
    );
    assert_eq!(ledger.accounts(), s.op.ledger.accounts());

    // Both leave with exits built from that ledger.
    let alice_cold = s.addr("alice-cold");
    let exit = settle_testing::exodus_msg(
        &ledger,
        &domain,
        &key("alice"),
        alice_cold.as_str(),
        &s.canonical(&alice_cold),
    );
    s.execute(&bob, &exit, &[]).unwrap();
    assert_eq!(s.balance_of(&s.addr("alice-cold")), 600 - 250 + 30 + 100);
    let exit = settle_testing::exodus_msg(
        &ledger,
        &domain,
        &key("bob"),
        bob.as_str(),
        &s.canonical(&bob),
    );
    s.execute(&alice, &exit, &[]).unwrap();
    assert_eq!(
        s.balance_of(&s.addr("bob")),
        1_000 - 400 + 400 + 250 - 50 - 100
    );
    assert_eq!(s.balance_of(&s.contract), 0);
}

/// The batch key with one of its parts changed, in wire form.
fn altered_key(s: &ValiditySuite, change: impl Fn(&mut CoreKey)) -> Binary {
    let mut vk = CoreKey::decode(&s.op.keys.verifying.to_wire()).unwrap();
    change(&mut vk);
    Binary::from(vk.encode())
}

use settle_core::validity::groth16::{VerifyingKey as CoreKey, G1_IDENTITY};

#[test]
fn v2_degenerate_keys_are_refused_at_proposal_and_at_instantiate() {
    let mut s = two_accounts();
    let admin = s.admin.clone();
    let shape = validity_rollup::msg::Shape {
        deposits: 2,
        txs: 2,
    };
    let cases = [
        (
            "beta=gamma=delta",
            altered_key(&s, |k| {
                k.gamma_g2 = k.beta_g2;
                k.delta_g2 = k.beta_g2;
            }),
            "degenerate verifying key: beta_g2 equals gamma_g2",
        ),
        (
            "gamma=delta",
            altered_key(&s, |k| k.delta_g2 = k.gamma_g2),
            "degenerate verifying key: gamma_g2 equals delta_g2",
        ),
        (
            "identity IC_1",
            altered_key(&s, |k| k.ic[1] = G1_IDENTITY),
            "degenerate verifying key: ic point 1 is the identity",
        ),
        (
            "identity IC_0",
            altered_key(&s, |k| k.ic[0] = G1_IDENTITY),
            "degenerate verifying key: ic point 0 is the identity",
        ),
        (
            "two public inputs",
            altered_key(&s, |k| {
                let p = k.ic[1];
                k.ic.push(p)
            }),
            "so 2 ic points, the key has 3",
        ),
        (
            "no public input",
            altered_key(&s, |k| {
                k.ic.pop();
            }),
            "so 2 ic points, the key has 1",
        ),
    ];
    let before = snapshot(&s, &["alice", "bob"]);
    for (name, verifying_key, reason) in cases {
        let propose = ExecuteMsg::ProposeKey {
            verifying_key: verifying_key.clone(),
            shape,
        };
        let res = s.execute(&admin, &propose, &[]);
        assert!(res.is_err(), "{name} accepted");
        assert_refused(res, reason);
        let pending: validity_rollup::msg::PendingKeyResponse =
            s.query(&QueryMsg::PendingKey {}).unwrap();
        assert_eq!(pending.pending, None, "{name}");
        let mut msg = ValiditySuiteBuilder::new().instantiate_msg();
        msg.verifying_key = verifying_key;
        assert_refused(s.instantiate_another(&msg), reason);
    }
    assert_eq!(snapshot(&s, &["alice", "bob"]), before);
    // The real key still goes through.
    let propose = ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(s.op.keys.verifying.to_wire()),
        shape,
    };
    s.execute(&admin, &propose, &[]).unwrap();
}

#[test]
fn v2_key_timelock_must_outlast_the_exit_deadline() {
    let mut s = two_accounts();
    // Two deadlines: one for a user to see the proposal and ask to leave, one for the
    // operator to serve it (or for exodus to start) before the key applies.
    let mut msg = ValiditySuiteBuilder::new()
        .with_exodus_after(86_400)
        .with_key_timelock(2 * 86_400 - 1)
        .instantiate_msg();
    assert_refused(
        s.instantiate_another(&msg),
        "a key timelock of 172799 s is too short: at least 172800 s",
    );
    msg.key_timelock_seconds = 600;
    assert_refused(s.instantiate_another(&msg), "too short");
    msg.key_timelock_seconds = 2 * 86_400;
    s.instantiate_another(&msg).unwrap();

    // With the suite's week against a day, a proposal applies no earlier than a week on.
    let admin = s.admin.clone();
    let now = s.app.block_info().time.seconds();
    let propose = ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(s.op.keys.verifying.to_wire()),
        shape: validity_rollup::msg::Shape {
            deposits: 2,
            txs: 2,
        },
    };
    s.execute(&admin, &propose, &[]).unwrap();
    let pending: validity_rollup::msg::PendingKeyResponse =
        s.query(&QueryMsg::PendingKey {}).unwrap();
    assert_eq!(pending.pending.unwrap().applies_at, now + 7 * 86_400);
    // If the operator stops while the key waits, exodus starts before it applies.
    let status = s.status();
    assert!(status.exodus_at < now + 7 * 86_400, "{status:?}");
}

#[test]
fn z3_withdrawals_are_credited_so_no_recipient_can_block_a_batch_and_claims_pay() {
    let mut s = two_accounts();
    let (carol, mallory, operator) = (s.addr("carol"), s.addr("mallory"), s.addr("operator"));
    // Two withdrawals in one batch: one to carol, one to a 32-byte address nobody holds a
    // key for (a module or contract address a bank may refuse to pay). The batch moves
    // no coin at all, so whatever a bank would say about a recipient cannot revert it.
    let out = s.withdrawal(&key("bob"), &carol, 300);
    let nobody = vec![0xab; 32];
    let out2 = s.op.withdrawal(&key("alice"), nobody.clone(), 200);
    let res = s.submit(&operator, 0, &[out, out2]).unwrap();
    assert!(
        !res.events.iter().any(|e| e.ty == "transfer"),
        "the batch sent coins: {:?}",
        res.events
    );
    assert_eq!(s.balance_of(&s.addr("carol")), 0);
    assert_eq!(s.credit_of(&carol), 300);
    assert_eq!(s.balance_of(&s.contract), 1_000);
    let status = s.status();
    assert_eq!(status.credited, Uint128::new(500));
    assert_eq!(status.locked, Uint128::new(500));
    assert_solvent(&s);

    // Only the credited address claims; nothing for anyone else; once.
    assert_refused(s.claim(&mallory), "nothing is credited to");
    assert_refused(
        s.execute(
            &carol,
            &ExecuteMsg::Claim {},
            &[Coin::new(1u128, VALIDITY_DENOM)],
        ),
        "",
    );
    s.claim(&carol).unwrap();
    assert_eq!(s.balance_of(&s.addr("carol")), 300);
    assert_refused(s.claim(&carol), "nothing is credited to");
    assert_eq!(s.status().credited, Uint128::new(200));
    assert_solvent(&s);

    // Credits survive exodus: a recipient claims after the operator stops.
    let out = s.withdrawal(&key("bob"), &carol, 50);
    s.submit(&operator, 0, &[out]).unwrap();
    s.advance(86_400);
    assert!(s.status().exodus);
    s.claim(&carol).unwrap();
    assert_eq!(s.balance_of(&s.addr("carol")), 350);
}

#[test]
fn z1_a_deposit_flood_cannot_start_exodus_while_the_operator_posts_full_batches() {
    let mut s = ValiditySuiteBuilder::new()
        .with_exodus_after(100)
        .with_key_timelock(200)
        .with_funds("mallory", 1_000)
        .build();
    let (mallory, op) = (s.addr("mallory"), s.addr("operator"));
    // A flood of one-unit deposits, three batches' worth, all at t0.
    for i in 0..6 {
        s.deposit_new_account(&mallory, &key(&format!("m{i}")), 1)
            .unwrap();
    }
    // The operator posts a full batch (the circuit's 2 deposits) every 60 s: the head
    // deposit waits longer than exodus_after, but the queue is served at the rate the
    // circuit allows, so exodus does not start.
    for _ in 0..3 {
        s.advance(60);
        s.submit(&op, 2, &[]).unwrap();
        let status = s.status();
        assert!(!status.exodus, "{status:?}");
        assert_eq!(status.served_at, s.app.block_info().time.seconds());
    }
    assert_eq!(s.status().deposit_cursor, 6);

    // An operator that posts batches but leaves deposits out still meets its deadline.
    for i in 6..9 {
        s.deposit_new_account(&mallory, &key(&format!("m{i}")), 1)
            .unwrap();
    }
    s.advance(60);
    s.submit(&op, 0, &[]).unwrap();
    let status = s.status();
    assert_eq!(status.exodus_at, status.served_at + 100, "{status:?}");
    s.advance(40);
    assert!(s.status().exodus);
    assert_solvent(&s);
}

#[test]
fn z1_dust_deposits_are_refused_and_the_pending_queue_is_capped() {
    let mut s = ValiditySuiteBuilder::new()
        .with_min_deposits(10, 100)
        .with_max_pending(3)
        .with_funds("alice", 10_000)
        .build();
    let (alice, op) = (s.addr("alice"), s.addr("operator"));
    let new_account = |pubkey: &SecretKey| ExecuteMsg::Deposit {
        target: DepositTarget::NewAccount {
            pubkey: Binary::from(pubkey.public_key().encode().to_vec()),
        },
    };
    let pay = |n: u128| [Coin::new(n, VALIDITY_DENOM)];
    let before = snapshot(&s, &["alice"]);
    // Dust cannot open accounts (nor fill the account tree).
    assert_refused(
        s.execute(&alice, &new_account(&key("a")), &pay(99)),
        "a deposit of 99 is below the minimum of 100 to open an account",
    );
    assert_eq!(snapshot(&s, &["alice"]), before);
    s.deposit_new_account(&alice, &key("alice"), 100).unwrap();
    // Credits have their own minimum.
    let credit = ExecuteMsg::Deposit {
        target: DepositTarget::Account {
            account: 0,
            pubkey: Binary::from(key("alice").public_key().encode().to_vec()),
        },
    };
    assert_refused(
        s.execute(&alice, &credit, &pay(9)),
        "a deposit of 9 is below the minimum of 10",
    );
    s.deposit_to(&alice, 0, 10).unwrap();
    s.deposit_to(&alice, 0, 10).unwrap();
    // The cap: 3 pending, a fourth is refused and changes nothing.
    let before = snapshot(&s, &["alice"]);
    assert_refused(
        s.execute(&alice, &credit, &pay(10)),
        "the deposit queue is full: 3 deposits pending, at most 3",
    );
    assert_eq!(snapshot(&s, &["alice"]), before);
    // A batch consumes two; two more fit.
    s.submit(&op, 2, &[]).unwrap();
    s.deposit_to(&alice, 0, 10).unwrap();
    s.deposit_to(&alice, 0, 10).unwrap();
    assert_refused(s.execute(&alice, &credit, &pay(10)), "queue is full");
    assert_solvent(&s);

    // Bounds fixed at instantiate.
    let base = ValiditySuiteBuilder::new();
    for (msg, reason) in [
        (
            base.clone().with_min_deposits(0, 0).instantiate_msg(),
            "min_deposit must be at least 1",
        ),
        (
            base.clone().with_min_deposits(10, 9).instantiate_msg(),
            "min_new_account (9) must be at least min_deposit (10)",
        ),
        (
            base.clone().with_max_pending(0).instantiate_msg(),
            "max_pending must be in 1..=65536",
        ),
        (
            base.clone().with_max_pending(1 << 20).instantiate_msg(),
            "max_pending must be in 1..=65536",
        ),
    ] {
        assert_refused(s.instantiate_another(&msg), reason);
    }
    let mut no_deposit_slots = base.instantiate_msg();
    no_deposit_slots.shape.deposits = 0;
    assert_refused(
        s.instantiate_another(&no_deposit_slots),
        "1..=4096 deposit slots",
    );
}

/// A withheld withdrawal: the operator keeps posting batches but never includes bob's
/// signed withdrawal. Bob asks on L1 and the next batches must serve the request.
#[test]
fn v1_an_exit_request_is_served_by_the_next_batches_or_exodus_starts() {
    let mut s = two_accounts();
    let (alice, bob, carol, operator) = (
        s.addr("alice"),
        s.addr("bob"),
        s.addr("carol"),
        s.addr("operator"),
    );
    let pay = |n: u128| [Coin::new(n, VALIDITY_DENOM)];
    // The operator includes alice's transfer to bob and leaves bob's withdrawal out.
    let t = s.transfer(&key("alice"), 1, 100);
    s.submit(&operator, 0, &[t]).unwrap();
    assert_eq!(s.op.ledger.account(1).unwrap().balance, 500);

    // Refused requests change nothing: no bond, a signature of another key, of another
    // recipient, an account that does not exist.
    let before = snapshot(&s, &["alice", "bob"]);
    let good = s.exit_request_msg(&key("bob"), 1, &carol).unwrap();
    assert_refused(s.execute(&bob, &good, &[]), "");
    let forged = s.exit_request_msg(&key("alice"), 1, &carol).unwrap();
    assert_refused(
        s.execute(&alice, &forged, &pay(1)),
        "the exit is not signed by the account's key",
    );
    let ExecuteMsg::RequestExit { signature, .. } = good.clone() else {
        unreachable!()
    };
    let redirected = ExecuteMsg::RequestExit {
        account: 1,
        recipient: alice.to_string(),
        signature: signature.clone(),
    };
    assert_refused(
        s.execute(&alice, &redirected, &pay(1)),
        "the exit is not signed by the account's key",
    );
    let nobody = ExecuteMsg::RequestExit {
        account: 7,
        recipient: carol.to_string(),
        signature,
    };
    assert_refused(s.execute(&bob, &nobody, &pay(1)), "no account 7");
    assert_eq!(snapshot(&s, &["alice", "bob"]), before);

    // Anyone may post bob's signed request (here alice pays the bond).
    s.request_exit(&alice, &key("bob"), &carol, 1).unwrap();
    assert_solvent(&s);
    // The same signature is used once: a replay is refused.
    assert_refused(
        s.execute(&alice, &good, &pay(1)),
        "the exit is not signed by the account's key",
    );

    // A batch that skips the queue does not serve it; a day later exodus starts even
    // though batches keep coming.
    s.advance(3_600);
    s.submit(&operator, 0, &[]).unwrap();
    assert!(!s.status().exodus);
    // The operator cannot post less than bob holds, nor leave the request out.
    let mut short = s.prove(1, &[]).unwrap();
    short.data.exits = vec![499];
    assert_refused(
        s.execute(&operator, &short.msg(), &[]),
        "groth16 proof rejected: the pairing equation does not hold",
    );
    let mut missing = s.prove(1, &[]).unwrap();
    missing.data.exits = vec![];
    assert_refused(
        s.execute(&operator, &missing.msg(), &[]),
        "the batch posts 0 exit amounts for 1 exit requests",
    );
    // Served: bob's whole balance to carol, the bond back to alice, both by claim.
    let res = s.submit(&operator, 1, &[]).unwrap();
    assert!(res.events.iter().any(|e| e
        .attributes
        .iter()
        .any(|a| a.key == "exited" && a.value == "500")));
    assert_eq!(s.op.ledger.account(1).unwrap().balance, 0);
    assert_eq!(s.credit_of(&carol), 500);
    assert_eq!(s.credit_of(&alice), 1);
    s.claim(&carol).unwrap();
    s.claim(&alice).unwrap();
    assert_eq!(s.balance_of(&s.addr("carol")), 500);
    assert_solvent(&s);

    // A second request signs the next sequence; an operator that ignores it lets exodus
    // start while it keeps posting batches.
    let t = s.transfer(&key("alice"), 1, 50);
    s.submit(&operator, 0, &[t]).unwrap();
    s.request_exit(&bob, &key("bob"), &bob, 1).unwrap();
    for _ in 0..4 {
        s.advance(6 * 3_600);
        if s.status().exodus {
            break;
        }
        s.submit(&operator, 0, &[]).unwrap();
    }
    assert!(s.status().exodus);
    // In exodus bob leaves with his proven 50 and takes his bond back.
    let exit = s.exodus_msg(&key("bob"), &bob);
    let bob_before = s.balance_of(&s.addr("bob"));
    s.execute(&bob, &exit, &[]).unwrap();
    let queued = s.status().deposit_count - 1;
    s.execute(&bob, &ExecuteMsg::ReclaimDeposit { deposit: queued }, &[])
        .unwrap();
    assert_eq!(s.balance_of(&s.addr("bob")), bob_before + 51);
    // (The operator's ledger does not know of exodus exits: only the contract's books.)
    let solvency = s.solvency();
    assert!(
        solvency.solvent && solvency.denoms.iter().all(|d| d.held == d.owed),
        "{solvency:?}"
    );
}

/// The exit requests queued during a key's timelock are served under the old key, or
/// the key waits (V2's "users can leave while a key is pending").
#[test]
fn v2_pending_key_waits_for_exit_requests_queued_before_it_applies() {
    let mut s = two_accounts();
    let (admin, bob, operator) = (s.admin.clone(), s.addr("bob"), s.addr("operator"));
    let propose = ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(s.op.keys.verifying.to_wire()),
        shape: validity_rollup::msg::Shape {
            deposits: 2,
            txs: 2,
        },
    };
    s.execute(&admin, &propose, &[]).unwrap();
    // The operator keeps posting (empty) batches; six days on, bob sees the proposal and
    // asks to leave; the operator leaves the request waiting, within its deadline, until
    // the key's time comes.
    for _ in 0..6 {
        s.advance(86_000);
        s.submit(&operator, 0, &[]).unwrap();
    }
    s.advance(74_000);
    s.submit(&operator, 0, &[]).unwrap();
    s.request_exit(&bob, &key("bob"), &bob, 1).unwrap();
    s.advance(14_790);
    s.submit(&operator, 0, &[]).unwrap();
    s.advance(10);
    assert!(!s.status().exodus);
    let before = snapshot(&s, &["bob"]);
    assert_refused(
        s.execute(&bob, &ExecuteMsg::ApplyKey {}, &[]),
        "waits to be served: the pending key applies only once every exit request queued before",
    );
    assert_eq!(snapshot(&s, &["bob"]), before);
    // Served under the old key, the key applies.
    s.submit(&operator, 1, &[]).unwrap();
    assert_eq!(s.credit_of(&bob), 401);
    s.execute(&bob, &ExecuteMsg::ApplyKey {}, &[]).unwrap();
    // A request queued after applies_at never blocks a key: a new proposal...
    s.execute(&admin, &propose, &[]).unwrap();
    for _ in 0..7 {
        s.advance(86_400 - 1);
        s.submit(&operator, 0, &[]).unwrap();
    }
    s.advance(7);
    s.request_exit(&bob, &key("alice"), &bob, 1).unwrap();
    s.execute(&bob, &ExecuteMsg::ApplyKey {}, &[]).unwrap();
    assert_solvent(&s);
}

/// A credit names the account's key: a new-account deposit that lands first cannot take
/// it, and the deposit event reports the index each new account gets.
#[test]
fn z2_a_credit_names_the_key_that_opened_the_account() {
    let mut s = ValiditySuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("mallory", 1_000)
        .build();
    let (alice, mallory, operator) = (s.addr("alice"), s.addr("mallory"), s.addr("operator"));
    let pubkey = |label: &str| Binary::from(key(label).public_key().encode().to_vec());
    // Alice opens an account; the event says which index it gets.
    let res = s.deposit_new_account(&alice, &key("alice"), 100).unwrap();
    let account = res
        .events
        .iter()
        .flat_map(|e| &e.attributes)
        .find(|a| a.key == "account")
        .map(|a| a.value.clone());
    assert_eq!(account.as_deref(), Some("0"));
    let r: validity_rollup::msg::AccountResponse =
        s.query(&QueryMsg::Account { account: 0 }).unwrap();
    assert_eq!(r.pubkey, Some(pubkey("alice")));
    // Mallory opens index 1 before alice's top-up for "her next account" lands; a credit
    // meant for alice at index 1 (with alice's key) is refused instead of paying mallory.
    s.deposit_new_account(&mallory, &key("mallory"), 100)
        .unwrap();
    let before = snapshot(&s, &["alice", "mallory"]);
    let misdirected = ExecuteMsg::Deposit {
        target: DepositTarget::Account {
            account: 1,
            pubkey: pubkey("alice"),
        },
    };
    assert_refused(
        s.execute(&alice, &misdirected, &[Coin::new(50u128, VALIDITY_DENOM)]),
        "account 1 was opened with another key",
    );
    let unopened = ExecuteMsg::Deposit {
        target: DepositTarget::Account {
            account: 2,
            pubkey: pubkey("alice"),
        },
    };
    assert_refused(
        s.execute(&alice, &unopened, &[Coin::new(50u128, VALIDITY_DENOM)]),
        "no account 2 will exist",
    );
    assert_eq!(snapshot(&s, &["alice", "mallory"]), before);
    // Naming the right key works while the opening deposit is still queued.
    s.deposit_to(&alice, 0, 50).unwrap();
    s.submit(&operator, 2, &[]).unwrap();
    s.submit(&operator, 1, &[]).unwrap();
    assert_eq!(s.op.ledger.account(0).unwrap().balance, 150);
    assert_eq!(s.op.ledger.account(1).unwrap().balance, 100);
    assert_solvent(&s);
}

/// F3 for the validity rollup: the admin role moves in two steps, and only the admin
/// proposes or cancels keys.
#[test]
fn f3_the_validity_admin_role_moves_only_when_the_successor_accepts() {
    let mut s = two_accounts();
    let (admin, alice, bob) = (s.admin.clone(), s.addr("alice"), s.addr("bob"));
    let config = |s: &ValiditySuite| -> validity_rollup::msg::ConfigResponse {
        s.query(&QueryMsg::Config {}).unwrap()
    };
    let propose_admin = |who: &cosmwasm_std::Addr| ExecuteMsg::ProposeAdmin {
        admin: who.to_string(),
    };
    assert_refused(
        s.execute(&alice, &propose_admin(&alice), &[]),
        "only the admin",
    );
    assert_refused(
        s.execute(&bob, &ExecuteMsg::AcceptAdmin {}, &[]),
        "no admin transfer is pending",
    );
    s.execute(&admin, &propose_admin(&bob), &[]).unwrap();
    assert_eq!(config(&s).pending_admin, Some(bob.clone()));
    // Naming bob hands nothing over: the admin still rules, alice cannot accept.
    assert_refused(
        s.execute(&alice, &ExecuteMsg::AcceptAdmin {}, &[]),
        "only the proposed admin",
    );
    s.execute(&admin, &ExecuteMsg::CancelAdmin {}, &[]).unwrap();
    assert_refused(
        s.execute(&bob, &ExecuteMsg::AcceptAdmin {}, &[]),
        "no admin transfer is pending",
    );
    s.execute(&admin, &propose_admin(&bob), &[]).unwrap();
    s.execute(&bob, &ExecuteMsg::AcceptAdmin {}, &[]).unwrap();
    let c = config(&s);
    assert_eq!((c.admin, c.pending_admin), (bob.clone(), None));
    // The old admin has no power left; the new one proposes keys.
    let propose = ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(s.op.keys.verifying.to_wire()),
        shape: validity_rollup::msg::Shape {
            deposits: 2,
            txs: 2,
        },
    };
    assert_refused(s.execute(&admin, &propose, &[]), "only the admin");
    s.execute(&bob, &propose, &[]).unwrap();
    assert_refused(
        s.execute(&admin, &ExecuteMsg::CancelKey {}, &[]),
        "only the admin",
    );
    s.execute(&bob, &ExecuteMsg::CancelKey {}, &[]).unwrap();
}

/// `migrate` over a deployed rollup (deposits pending, a pending key rotation): an upgrade
/// from an older cw2 version records the new one and changes no other byte; the same
/// version again is a no-op; a downgrade, a malformed version and another contract's code
/// are refused without a trace. (With proven batches, credits and an exit request in
/// flight, every flow finished afterwards, on the artifact: `tests/vm/migrate.rs`.)
#[test]
fn migrate_records_the_new_version_and_refuses_downgrades_and_other_contracts() {
    use cw_multi_test::{ContractWrapper, Executor};
    use validity_rollup::contract::{CONTRACT_NAME, CONTRACT_VERSION};
    use validity_rollup::msg::MigrateMsg;

    let mut s = ValiditySuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .build();
    let (alice, bob, admin) = (s.addr("alice"), s.addr("bob"), s.admin.clone());
    s.deposit_new_account(&alice, &key("alice"), 600).unwrap();
    s.deposit_new_account(&bob, &key("bob"), 400).unwrap();
    let rotate = ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(s.op.keys.verifying.to_wire()),
        shape: settle_testing::msg_shape(s.op.shape),
    };
    s.execute(&admin, &rotate, &[]).unwrap();

    let contract = s.contract.clone();
    let code = s.app.contract_data(&contract).unwrap().code_id;
    let other = s.app.store_code(Box::new(
        ContractWrapper::new(
            optimistic_rollup::contract::execute,
            optimistic_rollup::contract::instantiate,
            optimistic_rollup::contract::query,
        )
        .with_migrate(optimistic_rollup::contract::migrate),
    ));
    let cw2_raw = s
        .app
        .contract_storage(&contract)
        .get(b"contract_info")
        .expect("a cw2 record");
    let with_version =
        |v: &str| format!(r#"{{"contract":"{CONTRACT_NAME}","version":"{v}"}}"#).into_bytes();
    assert_eq!(cw2_raw, with_version(CONTRACT_VERSION));
    let state = s.app.dump_wasm_raw(&contract);

    let refusals = [
        (
            with_version("99.0.0"),
            code,
            format!(
                "cannot migrate {CONTRACT_NAME} down from version 99.0.0 to {CONTRACT_VERSION}"
            ),
        ),
        (
            with_version("0.1.0-"),
            code,
            format!("cannot migrate {CONTRACT_NAME}: version 0.1.0- is not semver"),
        ),
        (
            cw2_raw.clone(),
            other,
            format!(
                "cannot migrate: the stored state is {CONTRACT_NAME}'s, this code is {}",
                optimistic_rollup::contract::CONTRACT_NAME
            ),
        ),
    ];
    for (stored, new_code, expected) in refusals {
        s.app
            .contract_storage_mut(&contract)
            .set(b"contract_info", &stored);
        let e = s
            .app
            .migrate_contract(admin.clone(), contract.clone(), &MigrateMsg {}, new_code)
            .expect_err("migration accepted");
        assert!(format!("{e:?}").contains(&expected), "{e:?}");
        s.app
            .contract_storage_mut(&contract)
            .set(b"contract_info", &cw2_raw);
        assert_eq!(s.app.dump_wasm_raw(&contract), state, "{expected}");
        assert_eq!(
            s.app.contract_data(&contract).unwrap().code_id,
            code,
            "the old code stays"
        );
    }

    s.app
        .contract_storage_mut(&contract)
        .set(b"contract_info", &with_version("0.0.9"));
    let done = s
        .app
        .migrate_contract(admin.clone(), contract.clone(), &MigrateMsg {}, code)
        .unwrap();
    let ev = done
        .events
        .iter()
        .find(|e| e.ty == "wasm-validity")
        .expect("the migrate event");
    let attr = |k: &str| {
        ev.attributes
            .iter()
            .find(|a| a.key == k)
            .map(|a| a.value.as_str())
    };
    assert_eq!(attr("action"), Some("migrate"));
    assert_eq!(attr("from_version"), Some("0.0.9"));
    assert_eq!(attr("to_version"), Some(CONTRACT_VERSION));
    assert_eq!(
        s.app.dump_wasm_raw(&contract),
        state,
        "only the version changed"
    );

    s.app
        .migrate_contract(admin, contract.clone(), &MigrateMsg {}, code)
        .unwrap();
    assert_eq!(s.app.dump_wasm_raw(&contract), state);
    assert_solvent(&s);
}
