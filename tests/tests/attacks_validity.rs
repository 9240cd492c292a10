//! The attack catalog (SECURITY.md) against the validity-rollup contract: each `attack_`
//! test performs one named attack on an embedded chain with real bank balances and real
//! Groth16 proofs, and checks that it fails closed: the typed error, an unchanged status,
//! unchanged balances and credits, and a contract that still holds exactly what it owes.
//!
//! Every test uses the smallest useful circuit (2 deposits, 1 transaction), so the whole
//! file runs one key setup and a handful of proofs.

use std::sync::OnceLock;

use cosmwasm_std::{Addr, Binary, Coin, HexBinary, Uint128};
use cw_multi_test::Executor;
use settle_core::validity::eddsa::SecretKey;
use settle_core::validity::field::fr_to_bytes;
use settle_core::validity::groth16::{self, g1_from_ark, g1_to_ark, g2_from_ark, g2_to_ark};
use settle_core::validity::ledger::{BatchData, TxBody};
use settle_testing::{
    assert_refused, msg_shape, ProvenBatch, ValiditySuite, ValiditySuiteBuilder, VALIDITY_DENOM,
};
use validity_rollup::msg::{DepositTarget, ExecuteMsg, QueryMsg, StatusResponse};

const PEOPLE: [&str; 6] = ["alice", "bob", "carol", "mallory", "operator", "admin"];

fn key(label: &str) -> SecretKey {
    let mut seed = [0u8; 32];
    seed[..label.len()].copy_from_slice(label.as_bytes());
    SecretKey::from_seed(&seed)
}

fn builder() -> ValiditySuiteBuilder {
    ValiditySuiteBuilder::new()
        .with_shape(2, 1)
        .with_exodus_after(3_600)
        .with_key_timelock(7_200)
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .with_funds("mallory", 1_000)
}

/// alice (account 0, 600) and bob (account 1, 400) after one proven batch. Every fresh
/// suite has the same contract address, deposits and so statement: the batch is proven
/// once per process and shared.
fn two_accounts() -> ValiditySuite {
    static FIRST: OnceLock<ProvenBatch> = OnceLock::new();
    let mut s = builder().build();
    let (alice, bob, op) = (s.addr("alice"), s.addr("bob"), s.addr("operator"));
    s.deposit_new_account(&alice, &key("alice"), 600).unwrap();
    s.deposit_new_account(&bob, &key("bob"), 400).unwrap();
    let batch = FIRST.get_or_init(|| s.prove(2, &[]).unwrap()).clone();
    s.execute(&op, &batch.msg(), &[]).unwrap();
    s.op.follow(&batch);
    s
}

/// Batch 1 on [`two_accounts`]: bob withdraws 100 to carol (proven once per process).
fn withdrawal_batch(s: &mut ValiditySuite) -> ProvenBatch {
    static SECOND: OnceLock<ProvenBatch> = OnceLock::new();
    SECOND
        .get_or_init(|| {
            let out = s.withdrawal(&key("bob"), &s.addr("carol"), 100);
            s.prove(0, &[out]).unwrap()
        })
        .clone()
}

/// What a refused message must leave as it was.
#[derive(Debug, PartialEq)]
struct Snapshot {
    status: StatusResponse,
    balances: Vec<u128>,
    credits: Vec<u128>,
    contract: u128,
}

fn snapshot(s: &ValiditySuite) -> Snapshot {
    Snapshot {
        status: s.status(),
        balances: PEOPLE.iter().map(|p| s.balance_of(&s.addr(p))).collect(),
        credits: PEOPLE.iter().map(|p| s.credit_of(&s.addr(p))).collect(),
        contract: s.balance_of(&s.contract),
    }
}

fn assert_solvent(s: &ValiditySuite) {
    let solvency = s.solvency();
    assert!(
        solvency.solvent
            && solvency.denoms.len() == 1
            && solvency.denoms[0].held == solvency.denoms[0].owed,
        "{solvency:?}"
    );
}

/// `sender` sends `msg` (with `funds` of the rollup's denom): refused with `expected`,
/// nothing changed, still solvent.
fn refused(s: &mut ValiditySuite, sender: &Addr, msg: &ExecuteMsg, funds: u128, expected: &str) {
    let before = snapshot(s);
    let coins = if funds > 0 {
        vec![Coin::new(funds, VALIDITY_DENOM)]
    } else {
        vec![]
    };
    assert_refused(s.execute(sender, msg, &coins), expected);
    assert_eq!(snapshot(s), before, "a refused message changed state");
    assert_solvent(s);
}

fn with_proof(b: &ProvenBatch, proof: Vec<u8>) -> ExecuteMsg {
    let mut m = b.msg();
    if let ExecuteMsg::SubmitBatch { proof: p, .. } = &mut m {
        *p = Binary::from(proof);
    }
    m
}

/// The same proof with A and B negated: another valid proof of the same statement.
fn negated(proof: &[u8]) -> Vec<u8> {
    let p = groth16::Proof::decode(proof).unwrap();
    let a = g1_to_ark("a", &p.a).unwrap();
    let b = g2_to_ark("b", &p.b).unwrap();
    groth16::Proof {
        a: g1_from_ark(&-a),
        b: g2_from_ark(&-b),
        c: p.c,
    }
    .encode()
    .to_vec()
}

/// Groth16 malleability: batch 1 (bob withdraws 100 to carol) is accepted; its proof
/// with A and B negated (still a valid proof of the same statement) is posted again to
/// pay carol twice. The statement binds the previous state root, which moved: rejected.
/// Carol's credit is claimed once.
#[test]
fn attack_groth16_malleated_proof_replays_a_batch() {
    let mut s = two_accounts();
    let (carol, op) = (s.addr("carol"), s.addr("operator"));
    let batch = withdrawal_batch(&mut s);
    let twin = with_proof(&batch, negated(&batch.proof));
    // the twin verifies where the original does (a dry run before the batch lands)
    let check: validity_rollup::msg::CheckBatchResponse = s
        .query(&QueryMsg::CheckBatch {
            data: Binary::from(batch.data.encode()),
            deposits_consumed: 0,
            new_accounts_root: Binary::from(fr_to_bytes(&batch.new_accounts_root).to_vec()),
            new_account_count: batch.new_account_count,
            proof: Binary::from(negated(&batch.proof)),
        })
        .unwrap();
    assert!(check.valid, "{check:?}");
    s.execute(&op, &batch.msg(), &[]).unwrap();
    s.op.follow(&batch);
    assert_eq!(s.credit_of(&carol), 100);
    for replay in [twin, batch.msg()] {
        refused(
            &mut s,
            &op,
            &replay,
            0,
            "groth16 proof rejected: the pairing equation does not hold",
        );
    }
    s.claim(&carol).unwrap();
    refused(
        &mut s,
        &carol,
        &ExecuteMsg::Claim {},
        0,
        &format!("nothing is credited to {carol}"),
    );
    assert_eq!(s.balance_of(&s.addr("carol")), 100);
}

/// A batch proven for another deployment (same keys, same deposits, another contract
/// address: another domain in the statement) replayed here.
#[test]
fn attack_batch_proven_for_another_contract_replayed() {
    let mut s = builder().build();
    let (alice, bob, op) = (s.addr("alice"), s.addr("bob"), s.addr("operator"));
    let other = s.instantiate_another(&builder().instantiate_msg()).unwrap();
    // the same two deposits on both contracts
    for c in [s.contract.clone(), other.clone()] {
        for (who, k, amount) in [(&alice, "alice", 300u128), (&bob, "bob", 200)] {
            let msg = ExecuteMsg::Deposit {
                target: DepositTarget::NewAccount {
                    pubkey: Binary::from(key(k).public_key().encode().to_vec()),
                },
            };
            s.app
                .execute_contract(
                    who.clone(),
                    c.clone(),
                    &msg,
                    &[Coin::new(amount, VALIDITY_DENOM)],
                )
                .unwrap();
        }
    }
    s.op.queue.extend([
        settle_core::validity::ledger::Deposit::NewAccount {
            key: key("alice").public_key(),
            amount: 300,
        },
        settle_core::validity::ledger::Deposit::NewAccount {
            key: key("bob").public_key(),
            amount: 200,
        },
    ]);
    let batch = s.prove(2, &[]).unwrap();
    let before = s
        .app
        .wrap()
        .query_wasm_smart::<StatusResponse>(&other, &QueryMsg::Status {});
    assert_refused(
        s.app
            .execute_contract(op.clone(), other.clone(), &batch.msg(), &[]),
        "groth16 proof rejected",
    );
    assert_eq!(
        s.app
            .wrap()
            .query_wasm_smart::<StatusResponse>(&other, &QueryMsg::Status {})
            .unwrap(),
        before.unwrap()
    );
    // on the contract it was proven for it goes through
    s.execute(&op, &batch.msg(), &[]).unwrap();
}

/// Bad statements and bad points: a zero (empty) accounts root claimed as proven, a root
/// at or above the field modulus, identity points in the proof, wrong proof lengths.
#[test]
fn attack_zero_root_modulus_identity_points_and_lengths() {
    let mut s = two_accounts();
    let op = s.addr("operator");
    let batch = withdrawal_batch(&mut s);
    let with_root = |root: Vec<u8>| {
        let mut m = batch.msg();
        if let ExecuteMsg::SubmitBatch {
            new_accounts_root, ..
        } = &mut m
        {
            *new_accounts_root = Binary::from(root);
        }
        m
    };
    let r = HexBinary::from_hex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001")
        .unwrap()
        .to_vec();
    let mut identity_a = batch.proof.to_vec();
    identity_a[..48].copy_from_slice(&groth16::G1_IDENTITY);
    let cases: Vec<(ExecuteMsg, &str)> = vec![
        (
            with_root(vec![0; 32]),
            "groth16 proof rejected: the pairing equation does not hold",
        ),
        (with_root(r), "not a canonical field element"),
        (with_root(vec![0xff; 32]), "not a canonical field element"),
        (with_root(vec![0; 31]), "expected 32 bytes"),
        (with_proof(&batch, identity_a), "proof point a"),
        (
            with_proof(&batch, batch.proof[..191].to_vec()),
            "expected 192 bytes for groth16 proof, got 191",
        ),
        (
            with_proof(&batch, [batch.proof.to_vec(), vec![0]].concat()),
            "expected 192 bytes for groth16 proof, got 193",
        ),
    ];
    for (msg, expected) in cases {
        refused(&mut s, &op, &msg, 0, expected);
    }
    s.execute(&op, &batch.msg(), &[]).unwrap();
}

/// The operator censors bob's L1 exit request: it leaves it queued (or consumes it and
/// posts no exit amount); its deadline passes, exodus starts, batches stop, and bob
/// leaves with his last proven balance and takes his bond back.
#[test]
fn attack_exit_request_censorship() {
    let mut s = two_accounts();
    let (bob, op) = (s.addr("bob"), s.addr("operator"));
    s.request_exit(&bob, &key("bob"), &bob, 5).unwrap();
    let mut missing = s.prove(1, &[]).unwrap();
    missing.data.exits = vec![];
    refused(
        &mut s,
        &op,
        &missing.msg(),
        0,
        "the batch posts 0 exit amounts for 1 exit requests",
    );
    s.advance(3_600);
    assert!(s.status().exodus);
    // now not even a batch that serves it is taken
    refused(&mut s, &op, &missing.msg(), 0, "exodus mode");
    let before = s.balance_of(&s.addr("bob"));
    let exit = s.exodus_msg(&key("bob"), &bob);
    s.execute(&bob, &exit, &[]).unwrap();
    let queued = s.status().deposit_count - 1;
    s.execute(&bob, &ExecuteMsg::ReclaimDeposit { deposit: queued }, &[])
        .unwrap();
    assert_eq!(s.balance_of(&s.addr("bob")), before + 400 + 5);
    assert_solvent(&s);
}

/// An exodus exit paid twice, a forged balance, a redirected recipient, an exit before
/// exodus: refused; the one honest exit pays once.
#[test]
fn attack_exodus_exit_twice() {
    let mut s = two_accounts();
    let (alice, mallory) = (s.addr("alice"), s.addr("mallory"));
    let exit = s.exodus_msg(&key("alice"), &alice);
    refused(&mut s, &mallory, &exit, 0, "not in exodus mode");
    s.advance(3_600);
    let mut forged = exit.clone();
    if let ExecuteMsg::ExodusWithdraw { balance, .. } = &mut forged {
        *balance = Uint128::new(1_000);
    }
    refused(
        &mut s,
        &mallory,
        &forged,
        0,
        "not in the last proven account tree",
    );
    let mut redirected = exit.clone();
    if let ExecuteMsg::ExodusWithdraw { recipient, .. } = &mut redirected {
        *recipient = mallory.to_string();
    }
    refused(
        &mut s,
        &mallory,
        &redirected,
        0,
        "the exit is not signed by the account's key",
    );
    s.execute(&mallory, &exit, &[]).unwrap();
    assert_eq!(s.balance_of(&s.addr("alice")), 400 + 600);
    refused(&mut s, &mallory, &exit, 0, "account 0 has already exited");
}

/// A deposit left out past its deadline: the rollup enters exodus (no more batches or
/// deposits), and the depositor takes the deposit back, once; a consumed deposit cannot
/// be reclaimed on top of the balance it became.
#[test]
fn attack_deposit_censorship_past_the_deadline() {
    let mut s = two_accounts();
    let (alice, mallory, op) = (s.addr("alice"), s.addr("mallory"), s.addr("operator"));
    s.deposit_to(&alice, 0, 50).unwrap();
    refused(
        &mut s,
        &alice,
        &ExecuteMsg::ReclaimDeposit { deposit: 2 },
        0,
        "not in exodus mode",
    );
    s.advance(3_600);
    assert!(s.status().exodus);
    let late = ExecuteMsg::SubmitBatch {
        data: Binary::from(BatchData::default().encode()),
        deposits_consumed: 1,
        new_accounts_root: Binary::from(vec![0; 32]),
        new_account_count: 2,
        proof: Binary::from(vec![0; 192]),
    };
    refused(&mut s, &op, &late, 0, "exodus mode");
    let deposit = ExecuteMsg::Deposit {
        target: DepositTarget::NewAccount {
            pubkey: Binary::from(key("m").public_key().encode().to_vec()),
        },
    };
    refused(&mut s, &mallory, &deposit, 10, "exodus mode");
    refused(
        &mut s,
        &alice,
        &ExecuteMsg::ReclaimDeposit { deposit: 0 },
        0,
        "deposit 0 was consumed by a batch",
    );
    s.execute(&mallory, &ExecuteMsg::ReclaimDeposit { deposit: 2 }, &[])
        .unwrap();
    assert_eq!(
        s.balance_of(&s.addr("alice")),
        400,
        "back to the depositor, not the sender"
    );
    refused(
        &mut s,
        &alice,
        &ExecuteMsg::ReclaimDeposit { deposit: 2 },
        0,
        "deposit 2 was already reclaimed",
    );
}

/// The admin proposes a new verifying key and applies it at once, then a second early;
/// the key rules only after its timelock (two exodus deadlines).
#[test]
fn attack_key_rotation_before_its_timelock() {
    let mut s = builder().build();
    let (admin, mallory) = (s.admin.clone(), s.addr("mallory"));
    let propose = ExecuteMsg::ProposeKey {
        verifying_key: Binary::from(s.op.keys.verifying.to_wire()),
        shape: msg_shape(s.op.shape),
    };
    refused(&mut s, &mallory, &propose, 0, "only the admin");
    s.execute(&admin, &propose, &[]).unwrap();
    let t0 = s.app.block_info().time.seconds();
    for wait in [0, 7_199] {
        s.advance(wait);
        let now = s.app.block_info().time.seconds();
        refused(
            &mut s,
            &admin,
            &ExecuteMsg::ApplyKey {},
            0,
            &format!("the change is timelocked until {} (now {now})", t0 + 7_200),
        );
    }
    refused(&mut s, &admin, &propose, 0, "a change is already pending");
    s.advance(1);
    s.execute(&mallory, &ExecuteMsg::ApplyKey {}, &[]).unwrap();
}

/// The admin proposes degenerate keys (γ = δ, an identity input point): refused, nothing
/// pending.
#[test]
fn attack_degenerate_verifying_key() {
    let mut s = builder().build();
    let admin = s.admin.clone();
    let vk = groth16::VerifyingKey::decode(&s.op.keys.verifying.to_wire()).unwrap();
    for (bad, reason) in [
        (
            groth16::VerifyingKey {
                delta_g2: vk.gamma_g2,
                ..vk.clone()
            },
            "degenerate verifying key: gamma_g2 equals delta_g2",
        ),
        (
            groth16::VerifyingKey {
                ic: vec![vk.ic[0], groth16::G1_IDENTITY],
                ..vk.clone()
            },
            "degenerate verifying key: ic point 1 is the identity",
        ),
    ] {
        let propose = ExecuteMsg::ProposeKey {
            verifying_key: Binary::from(bad.encode()),
            shape: msg_shape(s.op.shape),
        };
        refused(&mut s, &admin, &propose, 0, reason);
    }
}

/// Mallory's new account lands first at the index alice meant for her top-up: the
/// top-up names alice's key, so it is refused instead of crediting mallory.
#[test]
fn attack_deposit_credited_to_the_wrong_l2_account() {
    let mut s = builder().build();
    let (alice, mallory) = (s.addr("alice"), s.addr("mallory"));
    s.deposit_new_account(&mallory, &key("mallory"), 1).unwrap();
    s.deposit_new_account(&alice, &key("alice"), 100).unwrap();
    let meant_for_alice = ExecuteMsg::Deposit {
        target: DepositTarget::Account {
            account: 0,
            pubkey: Binary::from(key("alice").public_key().encode().to_vec()),
        },
    };
    refused(
        &mut s,
        &alice,
        &meant_for_alice,
        500,
        "account 0 was opened with another key",
    );
}

/// Dust deposits to fill the queue (and the account tree): below the minimum, refused;
/// at the cap of pending deposits, refused.
#[test]
fn attack_dust_deposits_fill_the_queue() {
    let mut s = builder()
        .with_min_deposits(10, 100)
        .with_max_pending(2)
        .build();
    let mallory = s.addr("mallory");
    let open = |k: &str| ExecuteMsg::Deposit {
        target: DepositTarget::NewAccount {
            pubkey: Binary::from(key(k).public_key().encode().to_vec()),
        },
    };
    refused(
        &mut s,
        &mallory,
        &open("m0"),
        99,
        "a deposit of 99 is below the minimum of 100 to open an account",
    );
    s.deposit_new_account(&mallory, &key("m1"), 100).unwrap();
    let credit = ExecuteMsg::Deposit {
        target: DepositTarget::Account {
            account: 0,
            pubkey: Binary::from(key("m1").public_key().encode().to_vec()),
        },
    };
    refused(
        &mut s,
        &mallory,
        &credit,
        9,
        "a deposit of 9 is below the minimum of 10",
    );
    s.deposit_to(&mallory, 0, 10).unwrap();
    refused(
        &mut s,
        &mallory,
        &credit,
        10,
        "the deposit queue is full: 2 deposits pending, at most 2",
    );
}

/// Gas exhaustion: a batch with more transactions than the circuit's slots (every loop
/// over posted data is bounded by the shape fixed with the key) is refused before any
/// proof work; a small-order key never enters the account tree.
#[test]
fn attack_gas_exhaustion_through_an_oversized_batch() {
    let mut s = builder().build();
    let (op, mallory) = (s.addr("operator"), s.addr("mallory"));
    let data = BatchData {
        txs: vec![
            TxBody::Transfer {
                from: 0,
                to: 1,
                amount: 1
            };
            2
        ],
        exits: vec![],
    };
    let msg = ExecuteMsg::SubmitBatch {
        data: Binary::from(data.encode()),
        deposits_consumed: 0,
        new_accounts_root: Binary::from(vec![0; 32]),
        new_account_count: 0,
        proof: Binary::from(vec![0; 192]),
    };
    refused(
        &mut s,
        &op,
        &msg,
        0,
        "the batch holds 2 transactions, the circuit takes at most 1",
    );
    let mut small_order = vec![0u8; 64];
    small_order[63] = 1;
    let msg = ExecuteMsg::Deposit {
        target: DepositTarget::NewAccount {
            pubkey: Binary::from(small_order),
        },
    };
    refused(&mut s, &mallory, &msg, 10, "small order");
}
