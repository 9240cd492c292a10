//! The `validity` section: a validity-rollup scenario with real Groth16 proofs.
//!
//! The deployment is the first contract a `settle_testing::ValiditySuite` instantiates
//! (its chain id, address and so rollup domain); the keys are the suite's seeded test
//! keys for the shape (`settle_testing::keys_for`, NOT a ceremony); the ledger, the batch
//! data, the statements and the exits are settle-core's (`validity::ledger`), the proofs
//! settle-zk's with a seeded RNG, so the file is the same on every run. Every negative
//! case carries the error the core returns for it, found by running the core's check.

use serde::Serialize;
use sha2::{Digest, Sha256};

use settle_core::validity::eddsa::SecretKey;
use settle_core::validity::field::{fr_from_bytes, fr_to_bytes, Fr};
use settle_core::validity::groth16::{self, ArkBackend, PreparedKey, VerifyingKey};
use settle_core::validity::ledger::{
    exit_message, exit_request_message, rollup_domain, state_root, BatchData, Deposit, Ledger,
    Shape, Statement, Tx, TxBody,
};
use settle_core::validity::poseidon::Poseidon;
use settle_testing::{Operator, ProvenBatch, ValiditySuiteBuilder, VALIDITY_DENOM};

use super::{hx, refused};

/// Batches of up to 2 deposits and 1 transaction: four batches cover new accounts, a
/// credit, a transfer, a withdrawal, a batch without deposits and an L1 exit request
/// served (then a credit to the emptied account).
const SHAPE: Shape = Shape {
    deposits: 2,
    txs: 1,
};
/// Seconds without a batch before exodus (the suite's default).
const EXODUS_AFTER: u64 = 86_400;

/// `(label, genesis funds in uzk, has an L2 key)`.
const PEOPLE: [(&str, u128, bool); 4] = [
    ("alice", 1_000_000, true),
    ("bob", 1_000_000, true),
    ("carol", 1_000_000, true),
    ("dave", 0, false),
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValiditySection {
    chain_id: String,
    contract: String,
    denom: &'static str,
    domain: String,
    shape: ShapeV,
    exodus_after: u64,
    key_origin: &'static str,
    verifying_key: String,
    users: Vec<UserV>,
    deposits: Vec<DepositV>,
    batches: Vec<BatchV>,
    refused_batches: Vec<RefusedBatchV>,
    proof_checks: Vec<ProofCheckV>,
    signatures: Vec<SignatureV>,
    exit_requests: Vec<ExitRequestV>,
    exits: Vec<ExitV>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ShapeV {
    deposits: usize,
    txs: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserV {
    label: &'static str,
    address: String,
    canonical: String,
    funds: String,
    /// The Jubjub key's 32-byte seed (`SecretKey::from_seed`, `ZkKey.fromSeed`).
    zk_seed: Option<String>,
    zk_public_key: Option<String>,
}

/// A deposit in the npm package's `ZkDeposit` shape plus who made it and when.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DepositV {
    index: u64,
    depositor: &'static str,
    address: String,
    amount: String,
    target: TargetV,
    queued_before_batch: u64,
    /// The deposit chain's head after this deposit (the contract's `deposit` query `head`).
    head_after: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum TargetV {
    NewAccount {
        pubkey: String,
    },
    Account {
        index: u32,
        pubkey: String,
    },
    /// An L1 exit request (the entry's `amount` is the requester's bond), as the
    /// contract's `deposit` query reports it.
    Exit {
        account: u32,
        recipient: String,
    },
}

/// A signed transaction in the npm package's `ZkTx` shape plus what was signed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TxV {
    signer: &'static str,
    kind: &'static str,
    from: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recipient: Option<String>,
    amount: String,
    nonce: String,
    /// `Poseidon_TxMessage(domain, e0, e1, nonce)`, what the key signed.
    message: String,
    signature: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StatementV {
    domain: String,
    prev_state_root: String,
    new_state_root: String,
    data_commitment: String,
    deposits_before: String,
    deposits_after: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WithdrawalV {
    recipient: String,
    address: String,
    amount: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountV {
    index: u32,
    public_key: String,
    balance: String,
    nonce: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchV {
    index: u64,
    /// Deposits consumed (the next ones in the queue).
    deposits: u64,
    txs: Vec<TxV>,
    /// The posted batch data (`BatchData::encode`).
    data: String,
    new_accounts_root: String,
    new_account_count: u64,
    statement: StatementV,
    public_input: String,
    proof: String,
    withdrawals: Vec<WithdrawalV>,
    /// What each exit request the batch consumed withdrew (`BatchData::exits`).
    exits: Vec<String>,
    /// Every account after the batch.
    accounts: Vec<AccountV>,
}

/// A `submit_batch` the contract refuses when `at` batches have been accepted.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefusedBatchV {
    name: &'static str,
    at: u64,
    data: String,
    deposits: u64,
    new_accounts_root: String,
    new_account_count: u64,
    proof: String,
    error: String,
}

/// A proof and public inputs against the section's verifying key: the contract's
/// `verify_proof` query and the package's `verifyGroth16` give `{ valid, reason }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProofCheckV {
    name: &'static str,
    proof: String,
    public_inputs: Vec<String>,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignatureV {
    name: &'static str,
    public_key: String,
    message: String,
    signature: String,
    valid: bool,
}

/// An L1 exit request (`request_exit`), queued as deposit `queue_index` by `depositor`
/// with the entry's amount as its bond: `message` is `exit_request_message(domain,
/// account, canonical, sequence)`, what `signature` (by `owner`'s key) signs.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExitRequestV {
    owner: &'static str,
    depositor: &'static str,
    queue_index: u64,
    account: u32,
    recipient: String,
    canonical: String,
    sequence: u64,
    message: String,
    signature: String,
}

/// An exodus exit from the last batch's ledger, as the contract's `exodus_withdraw` takes
/// it; `message` is what `signature` signs (`exit_message`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExitV {
    owner: &'static str,
    account: u32,
    pubkey: String,
    balance: String,
    nonce: u64,
    path: Vec<String>,
    recipient: String,
    canonical: String,
    message: String,
    signature: String,
}

fn fx(x: &Fr) -> String {
    hx(fr_to_bytes(x))
}

fn zk_seed(label: &str) -> [u8; 32] {
    Sha256::digest(format!("settle parity validity key: {label}")).into()
}

struct Person {
    label: &'static str,
    address: String,
    canonical: Vec<u8>,
    key: Option<SecretKey>,
}

pub fn section() -> Result<ValiditySection, String> {
    let mut builder = ValiditySuiteBuilder::new()
        .with_shape(SHAPE.deposits, SHAPE.txs)
        .with_exodus_after(EXODUS_AFTER);
    for (label, funds, _) in PEOPLE {
        if funds > 0 {
            builder = builder.with_funds(label, funds);
        }
    }
    let suite = builder.build();
    let chain_id = suite.app.block_info().chain_id;
    let contract = suite.contract.to_string();
    let domain = rollup_domain(&chain_id, contract.as_bytes());
    if suite.op.domain != domain {
        return Err("the suite's contract reports another domain than the core computes".into());
    }
    let people: Vec<Person> = PEOPLE
        .iter()
        .map(|(label, _, has_key)| {
            let addr = suite.addr(label);
            Person {
                label,
                address: addr.to_string(),
                canonical: suite.canonical(&addr),
                key: has_key.then(|| SecretKey::from_seed(&zk_seed(label))),
            }
        })
        .collect();
    let person = |label: &str| people.iter().find(|p| p.label == label).expect("a person");
    let key = |label: &str| person(label).key.clone().expect("an L2 key");
    let users = PEOPLE
        .iter()
        .map(|(label, funds, _)| {
            let p = person(label);
            UserV {
                label,
                address: p.address.clone(),
                canonical: hx(&p.canonical),
                funds: funds.to_string(),
                zk_seed: p.key.as_ref().map(|_| hx(zk_seed(label))),
                zk_public_key: p.key.as_ref().map(|k| hx(k.public_key().encode())),
            }
        })
        .collect();

    let keys = settle_testing::keys_for(SHAPE);
    let verifying_key = keys.verifying.to_wire();
    let prepared = core(settle_core::validity::ledger::prepare_batch_key(
        core(VerifyingKey::decode(&verifying_key))?,
        &ArkBackend,
    ))?;
    let mut op = Operator::new(domain, SHAPE, keys);
    let hasher = Poseidon::new();

    // The scenario: (deposits queued before the batch, transactions of the batch).
    let mut deposits = Vec::new();
    let mut heads = vec![Fr::from(0u64)];
    let mut queue = |op: &mut Operator,
                     who: &'static str,
                     amount: u128,
                     target: Deposit,
                     batch,
                     exit_to: Option<&'static str>| {
        let head = target.chain(&hasher, heads.last().expect("a head"));
        heads.push(head);
        let index = op.queue.len() as u64;
        op.queue.push(target);
        deposits.push(DepositV {
            index,
            depositor: who,
            address: person(who).address.clone(),
            amount: amount.to_string(),
            target: match target {
                Deposit::NewAccount { key, .. } => TargetV::NewAccount {
                    pubkey: hx(key.encode()),
                },
                Deposit::Credit { account, .. } => TargetV::Account {
                    index: account,
                    pubkey: hx(op
                        .opened_key(account)
                        .expect("the scenario credits opened accounts")
                        .encode()),
                },
                Deposit::Exit { account } => TargetV::Exit {
                    account,
                    recipient: person(exit_to.expect("an exit request names its recipient"))
                        .address
                        .clone(),
                },
            },
            queued_before_batch: batch,
            head_after: fx(&head),
        });
    };
    let new_account = |label: &str, amount| Deposit::NewAccount {
        key: key(label).public_key(),
        amount,
    };

    let mut batches: Vec<(ProvenBatch, BatchV)> = Vec::new();
    let mut prove = |op: &mut Operator, n: u64, signed: Vec<(&'static str, Tx)>| {
        let txs: Vec<Tx> = signed.iter().map(|(_, t)| t.clone()).collect();
        let before = op.ledger.state_root();
        let head_before = op.head;
        let batch = op.prove(n as usize, &txs)?;
        op.follow(&batch);
        let statement = &batch.witness.statement;
        if statement.prev_state_root != before || statement.deposits_before != head_before {
            return Err("the operator's statement does not continue its ledger".to_string());
        }
        let v = BatchV {
            index: batches.len() as u64,
            deposits: n,
            txs: signed
                .iter()
                .map(|(who, t)| tx_v(&hasher, &domain, who, t))
                .collect(),
            data: hx(batch.data.encode()),
            new_accounts_root: fx(&batch.new_accounts_root),
            new_account_count: batch.new_account_count,
            statement: StatementV {
                domain: fx(&statement.domain),
                prev_state_root: fx(&statement.prev_state_root),
                new_state_root: fx(&statement.new_state_root),
                data_commitment: fx(&statement.data_commitment),
                deposits_before: fx(&statement.deposits_before),
                deposits_after: fx(&statement.deposits_after),
            },
            public_input: fx(&statement.public_input(&hasher)),
            proof: hx(batch.proof),
            withdrawals: batch
                .data
                .withdrawals()
                .iter()
                .map(|w| {
                    let to = people
                        .iter()
                        .find(|p| p.canonical == w.recipient)
                        .ok_or("a withdrawal to nobody in the scenario")?;
                    Ok(WithdrawalV {
                        recipient: hx(&w.recipient),
                        address: to.address.clone(),
                        amount: w.amount.to_string(),
                    })
                })
                .collect::<Result<_, String>>()?,
            exits: batch.data.exits.iter().map(u128::to_string).collect(),
            accounts: op
                .ledger
                .accounts()
                .iter()
                .enumerate()
                .map(|(i, a)| AccountV {
                    index: i as u32,
                    public_key: hx(a.key.encode()),
                    balance: a.balance.to_string(),
                    nonce: a.nonce.to_string(),
                })
                .collect(),
        };
        batches.push((batch, v));
        Ok::<_, String>(())
    };

    // Batch 0: alice and bob open accounts; alice pays bob.
    queue(
        &mut op,
        "alice",
        500_000,
        new_account("alice", 500_000),
        0,
        None,
    );
    queue(
        &mut op,
        "bob",
        300_000,
        new_account("bob", 300_000),
        0,
        None,
    );
    // Signed before the batch opens the accounts: nonce 0, account 0.
    let pay = Tx::sign(
        &hasher,
        &domain,
        TxBody::Transfer {
            from: 0,
            to: 1,
            amount: 120_000,
        },
        0,
        &key("alice"),
    );
    prove(&mut op, 2, vec![("alice", pay)])?;

    // Batch 1: carol tops alice up and opens her own account; bob withdraws to dave.
    queue(
        &mut op,
        "carol",
        50_000,
        Deposit::Credit {
            account: 0,
            amount: 50_000,
        },
        1,
        None,
    );
    queue(
        &mut op,
        "carol",
        70_000,
        new_account("carol", 70_000),
        1,
        None,
    );
    let out = op.withdrawal(&key("bob"), person("dave").canonical.clone(), 100_000);
    prove(&mut op, 2, vec![("bob", out)])?;

    // Batch 2: no deposit; carol pays alice.
    let pay = op.transfer(&key("carol"), 0, 20_000);
    prove(&mut op, 0, vec![("carol", pay)])?;

    // Batch 3: bob asks on L1 for a full exit to dave (the operator must serve it), and
    // carol credits bob's account again; the batch empties bob's account, posts what it
    // withdrew, then credits it.
    let bob = key("bob");
    let bob_account = op.account_of(&bob);
    let request_index = op.queue.len() as u64;
    let sequence = 0;
    let dave = person("dave");
    let message = core(exit_request_message(
        &hasher,
        &domain,
        bob_account,
        &dave.canonical,
        sequence,
    ))?;
    let exit_requests = vec![ExitRequestV {
        owner: "bob",
        depositor: "bob",
        queue_index: request_index,
        account: bob_account,
        recipient: dave.address.clone(),
        canonical: hx(&dave.canonical),
        sequence,
        message: fx(&message),
        signature: hx(bob.sign(&message).encode()),
    }];
    queue(
        &mut op,
        "bob",
        1,
        Deposit::Exit {
            account: bob_account,
        },
        3,
        Some("dave"),
    );
    queue(
        &mut op,
        "carol",
        10_000,
        Deposit::Credit {
            account: bob_account,
            amount: 10_000,
        },
        3,
        None,
    );
    prove(&mut op, 2, vec![])?;

    let refused_batches = refused_batches(&prepared, &hasher, &domain, &heads, &batches)?;
    let proof_checks = proof_checks(&prepared, &batches)?;
    let signatures = signatures(&hasher, &domain, &batches, &key("alice"))?;

    // Exodus: every account leaves from the last batch's ledger; bob sends his to dave.
    let mut exits = Vec::new();
    for (owner, to) in [("alice", "alice"), ("bob", "dave"), ("carol", "carol")] {
        let k = key(owner);
        let recipient = person(to);
        let account = op.account_of(&k);
        let a = *op.ledger.account(account).ok_or("an account")?;
        let message = core(exit_message(
            &hasher,
            &domain,
            account,
            &recipient.canonical,
        ))?;
        exits.push(ExitV {
            owner,
            account,
            pubkey: hx(a.key.encode()),
            balance: a.balance.to_string(),
            nonce: a.nonce,
            path: core(op.ledger.path(account))?.iter().map(fx).collect(),
            recipient: recipient.address.clone(),
            canonical: hx(&recipient.canonical),
            message: fx(&message),
            signature: hx(k.sign(&message).encode()),
        });
    }

    Ok(ValiditySection {
        chain_id,
        contract,
        denom: VALIDITY_DENOM,
        domain: fx(&domain),
        shape: ShapeV {
            deposits: SHAPE.deposits,
            txs: SHAPE.txs,
        },
        exodus_after: EXODUS_AFTER,
        key_origin: "settle_testing::keys_for(shape): settle_zk::setup with a seeded RNG. \
            Test keys, NOT from a ceremony.",
        verifying_key: hx(&verifying_key),
        users,
        deposits,
        batches: batches.into_iter().map(|(_, v)| v).collect(),
        refused_batches,
        proof_checks,
        signatures,
        exit_requests,
        exits,
    })
}

fn core<T>(r: Result<T, settle_core::Error>) -> Result<T, String> {
    super::core(r)
}

fn tx_v(hasher: &Poseidon, domain: &Fr, signer: &'static str, tx: &Tx) -> TxV {
    let (kind, to, recipient) = match &tx.body {
        TxBody::Transfer { to, .. } => ("transfer", Some(*to), None),
        TxBody::Withdraw { recipient, .. } => ("withdraw", None, Some(hx(recipient))),
    };
    TxV {
        signer,
        kind,
        from: tx.body.from(),
        to,
        recipient,
        amount: tx.body.amount().to_string(),
        nonce: tx.nonce.to_string(),
        message: fx(&tx.body.message(hasher, domain, tx.nonce)),
        signature: hx(tx.signature.encode()),
    }
}

/// The batch fields `submit_batch` posts.
struct Claim {
    data: Vec<u8>,
    deposits: u64,
    root: Fr,
    count: u64,
    proof: Vec<u8>,
}

impl Claim {
    fn of(b: &ProvenBatch) -> Claim {
        Claim {
            data: b.data.encode(),
            deposits: b.deposits,
            root: b.new_accounts_root,
            count: b.new_account_count,
            proof: b.proof.to_vec(),
        }
    }
}

/// Tampered `submit_batch` messages and the core's verdict on each, with the statement
/// built from the contract's state after `at` batches exactly as `check_batch` builds it:
/// the posted data's commitment, the claimed root and count, the deposit heads.
fn refused_batches(
    key: &PreparedKey,
    hasher: &Poseidon,
    domain: &Fr,
    heads: &[Fr],
    batches: &[(ProvenBatch, BatchV)],
) -> Result<Vec<RefusedBatchV>, String> {
    let (b0, b1) = (&batches[0].0, &batches[1].0);
    let mut cases: Vec<(&'static str, u64, Claim)> = Vec::new();

    let mut c = Claim::of(b0);
    let mut data = b0.data.clone();
    if let TxBody::Transfer { amount, .. } = &mut data.txs[0] {
        *amount += 1;
    }
    c.data = data.encode();
    cases.push((
        "the data changed after proving (a transfer of one more)",
        0,
        c,
    ));

    let mut c = Claim::of(b0);
    c.root += Fr::from(1u64);
    cases.push(("another new accounts root", 0, c));

    let mut c = Claim::of(b0);
    c.count += 1;
    cases.push(("one account more than the proof", 0, c));

    let mut c = Claim::of(b0);
    c.deposits = 1;
    cases.push(("one deposit fewer than the proof consumed", 0, c));

    let mut c = Claim::of(b0);
    c.proof = b1.proof.to_vec();
    cases.push(("batch 1's proof posted for batch 0", 0, c));

    cases.push(("batch 0 replayed after it was accepted", 1, Claim::of(b0)));

    let mut c = Claim::of(b1);
    c.proof[0] ^= 0x20; // the sign flag of A: -A
    cases.push(("the proof's A negated", 1, c));

    cases
        .into_iter()
        .map(|(name, at, c)| {
            // The contract's state after `at` batches.
            let (prev, cursor, count_before) = match at.checked_sub(1) {
                None => (Ledger::new().state_root(), 0u64, 0u64),
                Some(i) => {
                    let b = &batches[i as usize].0;
                    let consumed: u64 = batches[..=i as usize].iter().map(|b| b.0.deposits).sum();
                    (
                        b.witness.statement.new_state_root,
                        consumed,
                        b.new_account_count,
                    )
                }
            };
            if c.count < count_before {
                return Err(format!("{name}: the count goes back (another error)"));
            }
            let verdict = (|| {
                let data = BatchData::decode(&c.data)?;
                let statement = Statement {
                    domain: *domain,
                    prev_state_root: prev,
                    new_state_root: state_root(hasher, &c.root, c.count),
                    // The refused claims are at batches 0 and 1, which consume no exit
                    // request.
                    data_commitment: data.commitment(
                        hasher,
                        SHAPE,
                        &vec![false; c.deposits as usize],
                    )?,
                    deposits_before: heads[cursor as usize],
                    deposits_after: heads[(cursor + c.deposits) as usize],
                };
                let input = fr_to_bytes(&statement.public_input(hasher));
                groth16::verify_encoded(key, &c.proof, &[input], &ArkBackend)
            })();
            Ok(RefusedBatchV {
                name,
                at,
                data: hx(&c.data),
                deposits: c.deposits,
                new_accounts_root: fx(&c.root),
                new_account_count: c.count,
                proof: hx(&c.proof),
                error: refused(name, verdict)?,
            })
        })
        .collect()
}

/// The BLS12-381 scalar field's modulus, big-endian: the smallest non-canonical input.
const FR_MODULUS: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

fn proof_checks(
    key: &PreparedKey,
    batches: &[(ProvenBatch, BatchV)],
) -> Result<Vec<ProofCheckV>, String> {
    if fr_from_bytes("modulus", &FR_MODULUS).is_ok()
        || fr_from_bytes("r - 1", &{
            let mut m = FR_MODULUS;
            m[31] -= 1;
            m
        })
        .is_err()
    {
        return Err("FR_MODULUS is not the scalar field's modulus".into());
    }
    let input = |i: usize| {
        fr_to_bytes(
            &batches[i]
                .0
                .witness
                .statement
                .public_input(&Poseidon::new()),
        )
    };
    let proof = |i: usize| batches[i].0.proof.to_vec();
    /// `(name, proof bytes, public inputs)`.
    type Case = (&'static str, Vec<u8>, Vec<Vec<u8>>);
    let mut cases: Vec<Case> = Vec::new();
    for i in 0..batches.len() {
        let name: &'static str = ["batch 0", "batch 1", "batch 2", "batch 3"]
            .get(i)
            .ok_or("more batches than names")?;
        cases.push((name, proof(i), vec![input(i).to_vec()]));
    }
    cases.push((
        "batch 0's proof for batch 1's input",
        proof(0),
        vec![input(1).to_vec()],
    ));
    let mut plus_one = input(0);
    plus_one[31] ^= 1;
    cases.push(("an input one bit off", proof(0), vec![plus_one.to_vec()]));
    cases.push((
        "an input at the field modulus",
        proof(0),
        vec![FR_MODULUS.to_vec()],
    ));
    cases.push((
        "an input of 31 bytes",
        proof(0),
        vec![input(0)[1..].to_vec()],
    ));
    cases.push(("no input", proof(0), vec![]));
    cases.push((
        "two inputs",
        proof(0),
        vec![input(0).to_vec(), input(0).to_vec()],
    ));
    cases.push((
        "a proof of 191 bytes",
        proof(0)[..191].to_vec(),
        vec![input(0).to_vec()],
    ));
    let mut swapped = proof(0);
    let (a, c) = (swapped[..48].to_vec(), swapped[144..].to_vec());
    swapped[..48].copy_from_slice(&c);
    swapped[144..].copy_from_slice(&a);
    cases.push(("A and C swapped", swapped, vec![input(0).to_vec()]));
    let mut off_curve = proof(0);
    off_curve[47] ^= 1; // A's x: off the curve or outside the subgroup
    cases.push(("A's x changed", off_curve, vec![input(0).to_vec()]));
    let mut uncompressed = proof(0);
    uncompressed[48] &= 0x7f; // B without its compression flag
    cases.push((
        "B without the compression flag",
        uncompressed,
        vec![input(0).to_vec()],
    ));

    cases
        .into_iter()
        .map(|(name, proof, inputs)| {
            let verdict = groth16::verify_encoded(key, &proof, &inputs, &ArkBackend);
            let expect_valid = name.starts_with("batch ") && !name.contains("proof for");
            if verdict.is_ok() != expect_valid {
                return Err(format!("proof check {name:?}: the core says {verdict:?}"));
            }
            Ok(ProofCheckV {
                name,
                proof: hx(&proof),
                public_inputs: inputs.iter().map(hx).collect(),
                valid: verdict.is_ok(),
                error: verdict.err().map(|e| e.to_string()),
            })
        })
        .collect()
}

fn signatures(
    hasher: &Poseidon,
    domain: &Fr,
    batches: &[(ProvenBatch, BatchV)],
    alice: &SecretKey,
) -> Result<Vec<SignatureV>, String> {
    let tx = &batches[0].0.txs[0];
    let message = tx.body.message(hasher, domain, tx.nonce);
    let public = alice.public_key();
    let good = tx.signature;
    let other_domain = rollup_domain("another-chain", b"another contract");
    let mut cases = vec![
        (
            "alice's transfer in batch 0",
            public,
            message,
            good.encode(),
        ),
        (
            "the same signature on the next nonce",
            public,
            tx.body.message(hasher, domain, tx.nonce + 1),
            good.encode(),
        ),
        (
            "the same signature for another rollup",
            public,
            tx.body.message(hasher, &other_domain, tx.nonce),
            good.encode(),
        ),
    ];
    let bob = SecretKey::from_seed(&zk_seed("bob")).public_key();
    cases.push((
        "bob's key on alice's signature",
        bob,
        message,
        good.encode(),
    ));
    let mut s_changed = good.encode();
    s_changed[95] ^= 1;
    cases.push(("S changed", public, message, s_changed));
    cases
        .into_iter()
        .map(|(name, key, message, signature)| {
            let valid = settle_core::validity::eddsa::Signature::decode(&signature)
                .map(|s| key.verify(&message, &s))
                .unwrap_or(false);
            if valid != name.starts_with("alice's") {
                return Err(format!("signature case {name:?}: the core says {valid}"));
            }
            Ok(SignatureV {
                name,
                public_key: hx(key.encode()),
                message: fx(&message),
                signature: hx(signature),
                valid,
            })
        })
        .collect()
}
