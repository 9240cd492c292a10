//! The core reproduces the committed parity vectors, section by section.
//!
//! `tests/vectors/parity-v1.json` is written by `cargo xtask vectors` from this crate
//! (schema: `tests/vectors/README.md`) and checked by every consumer: here natively, the
//! contract in cw-multi-test and the optimized artifact in cosmwasm-vm
//! (`tests/tests/parity.rs`, `tests/tests/vm_parity.rs` at the workspace root), and the
//! npm package. Each expected value is recomputed from the entry's inputs with the core
//! API, every proof goes through the core's verifiers, and every negative case must fail
//! with exactly the recorded message.
#![cfg(feature = "native")]

use std::sync::OnceLock;

use serde_json::{json, Value};
use settle_core::batch::{data_root, split_steps, verify_withdrawal, Output, WithdrawalClaim};
use settle_core::channel::{
    payment_hash, payout, verify_cosigned, ChannelDomain, ChannelState, Htlc, Party, PenaltyRules,
    StaleClose,
};
use settle_core::codec::split_amount;
use settle_core::crypto::{is_low_s, L2Key, NativeVerifier, Verifier, SECP256K1_HALF_ORDER};
use settle_core::dispute::{genesis_root, one_step, BatchContext, OneStepProof, Parent, StepKind};
use settle_core::hash::{
    hash_leaf, hash_node, keccak256, Hash, DEPOSIT_TAG, LEAF_TAG, NODE_TAG, OUTPUT_TAG, STATE_TAG,
    TX_DOMAIN_TAG, ZERO_HASH,
};
use settle_core::ledger::{
    apply_tx, state_root, Account, AccountStore, Deposit, DepositEffect, DepositTarget, Ledger,
    TxEffect, Withdrawal, WithdrawalList,
};
use settle_core::merkle::{self, merkle_root, MerkleTree, MultiProof, Proof};
use settle_core::node::Node;
use settle_core::smt::{self, CompactProof, SparseMerkleTree, SparseMultiProof, DEFAULT_NODES};
use settle_core::tx::{Domain, SignedTx, Transfer, TxBody, Withdraw};

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/parity-v1.json");

fn vectors() -> &'static Value {
    static VECTORS: OnceLock<Value> = OnceLock::new();
    VECTORS.get_or_init(|| {
        let text = std::fs::read_to_string(FILE)
            .unwrap_or_else(|e| panic!("{FILE}: {e} (run `cargo xtask vectors`)"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{FILE}: {e}"))
    })
}

// ---------------------------------------------------------------------------------------
// Reading the JSON (hex bytes, decimal strings for u64/u128, numbers for indices).

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k:?} is not a string in {v}"))
}

fn bytes(v: &Value, k: &str) -> Vec<u8> {
    hex::decode(s(v, k)).unwrap_or_else(|e| panic!("{k:?}: {e}"))
}

fn to_hash(text: &str) -> Hash {
    let b = hex::decode(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    b.try_into()
        .unwrap_or_else(|b: Vec<u8>| panic!("{text:?} is {} bytes, not 32", b.len()))
}

fn h32(v: &Value, k: &str) -> Hash {
    to_hash(s(v, k))
}

fn num(v: &Value, k: &str) -> u64 {
    v[k].as_u64()
        .unwrap_or_else(|| panic!("{k:?} is not a number in {v}"))
}

fn dec(v: &Value, k: &str) -> u128 {
    s(v, k)
        .parse()
        .unwrap_or_else(|e| panic!("{k:?} is not a decimal: {e}"))
}

fn arr<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v[k].as_array()
        .unwrap_or_else(|| panic!("{k:?} is not an array in {v}"))
}

fn hashes(v: &Value, k: &str) -> Vec<Hash> {
    arr(v, k)
        .iter()
        .map(|h| to_hash(h.as_str().expect("hex string")))
        .collect()
}

fn nums(v: &Value, k: &str) -> Vec<u64> {
    arr(v, k)
        .iter()
        .map(|n| n.as_u64().expect("number"))
        .collect()
}

fn hx(b: impl AsRef<[u8]>) -> String {
    hex::encode(b)
}

fn expect_error<T: std::fmt::Debug, E: std::fmt::Display>(
    case: &Value,
    result: Result<T, E>,
) -> String {
    match result {
        Ok(v) => panic!("{}: accepted ({v:?})", s(case, "description")),
        Err(e) => e.to_string(),
    }
}

fn body(v: &Value) -> TxBody {
    match s(v, "kind") {
        "transfer" => TxBody::Transfer(Transfer {
            from: num(v, "from") as u32,
            to: num(v, "to") as u32,
            amount: dec(v, "amount"),
            nonce: dec(v, "nonce") as u64,
        }),
        "withdraw" => TxBody::Withdraw(Withdraw {
            from: num(v, "from") as u32,
            amount: dec(v, "amount"),
            nonce: dec(v, "nonce") as u64,
            recipient: bytes(v, "recipient"),
        }),
        other => panic!("unknown body kind {other:?}"),
    }
}

fn tx_effect(e: &TxEffect) -> Value {
    match e {
        TxEffect::Transferred { from, to, amount } => {
            json!({"effect": "transferred", "from": from, "to": to, "amount": amount.to_string()})
        }
        TxEffect::Withdrew {
            from,
            amount,
            withdrawal_index,
        } => json!({
            "effect": "withdrew", "from": from, "amount": amount.to_string(),
            "withdrawalIndex": withdrawal_index
        }),
        TxEffect::NoOp(reason) => json!({"effect": "noOp", "reason": reason.to_string()}),
    }
}

fn deposit_effect(deposit: u64, e: &DepositEffect) -> Value {
    match e {
        DepositEffect::Opened { account } => {
            json!({"effect": "opened", "deposit": deposit, "account": account})
        }
        DepositEffect::Credited { account } => {
            json!({"effect": "credited", "deposit": deposit, "account": account})
        }
        DepositEffect::Refunded { withdrawal_index } => {
            json!({"effect": "refunded", "deposit": deposit, "withdrawalIndex": withdrawal_index})
        }
    }
}

// ---------------------------------------------------------------------------------------

#[test]
fn provenance_and_layout() {
    let v = vectors();
    let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "provenance",
        "hashing",
        "merkle",
        "sparseTree",
        "transactions",
        "rollup",
        "oneStep",
        "channel",
        "validity",
    ];
    let mut got = top.clone();
    got.sort_unstable();
    expected.sort_unstable();
    assert_eq!(got, expected);
    let p = &v["provenance"];
    assert_eq!(s(p, "generator"), "cargo xtask vectors");
    assert_eq!(num(p, "formatVersion"), 1);
    assert!(!s(p, "settleCoreVersion").is_empty());
    for section in [
        "hashing",
        "merkle",
        "sparseTree",
        "transactions",
        "rollup",
        "oneStep",
        "channel",
        "validity",
    ] {
        assert!(
            !s(&p["sections"], section).is_empty(),
            "no description of {section}"
        );
    }
}

#[test]
fn hashing() {
    let v = &vectors()["hashing"];
    let t = &v["tags"];
    assert_eq!(bytes(t, "leaf"), [LEAF_TAG]);
    assert_eq!(bytes(t, "node"), [NODE_TAG]);
    assert_eq!(bytes(t, "state"), STATE_TAG);
    assert_eq!(bytes(t, "output"), OUTPUT_TAG);
    assert_eq!(bytes(t, "txDomain"), TX_DOMAIN_TAG);
    assert_eq!(bytes(t, "deposit"), DEPOSIT_TAG);
    for c in arr(v, "keccak256") {
        assert_eq!(keccak256(&bytes(c, "input")), h32(c, "output"), "{c}");
    }
    for c in arr(v, "hashLeaf") {
        assert_eq!(hash_leaf(&bytes(c, "data")), h32(c, "hash"), "{c}");
    }
    for c in arr(v, "hashNode") {
        assert_eq!(
            hash_node(&h32(c, "left"), &h32(c, "right")),
            h32(c, "hash"),
            "{c}"
        );
    }
}

fn merkle_proof(v: &Value) -> Proof {
    Proof {
        index: num(v, "index"),
        leaf_count: num(v, "leafCount"),
        siblings: hashes(v, "siblings"),
    }
}

fn merkle_multiproof(v: &Value) -> MultiProof {
    MultiProof {
        indices: nums(v, "indices"),
        leaf_count: num(v, "leafCount"),
        hashes: hashes(v, "hashes"),
    }
}

#[test]
fn merkle_trees() {
    let v = &vectors()["merkle"];
    let sizes: Vec<u64> = arr(v, "trees")
        .iter()
        .map(|t| num(t, "leafCount"))
        .collect();
    assert_eq!(sizes, [1, 2, 3, 5, 8, 13]);
    for t in arr(v, "trees") {
        let data: Vec<Vec<u8>> = arr(t, "data")
            .iter()
            .map(|d| hex::decode(d.as_str().unwrap()).unwrap())
            .collect();
        let n = num(t, "leafCount");
        assert_eq!(data.len() as u64, n);
        let tree = MerkleTree::from_data(&data);
        let root = h32(t, "root");
        assert_eq!(tree.leaves(), hashes(t, "leaves"));
        assert_eq!(tree.root(), root);
        assert_eq!(merkle_root(tree.leaves().to_vec()), root);
        let proofs = arr(t, "proofs");
        assert_eq!(proofs.len() as u64, n, "a proof for every leaf");
        for (i, p) in proofs.iter().enumerate() {
            let recorded = merkle_proof(p);
            assert_eq!(tree.prove(i as u64).unwrap(), recorded);
            assert_eq!(merkle::verify(&root, &tree.leaves()[i], &recorded), Ok(()));
            assert_eq!(merkle::verify_data(&root, &data[i], &recorded), Ok(()));
        }
        let m = &t["multiproof"];
        let proof = merkle_multiproof(&m["proof"]);
        let leaves = hashes(m, "leaves");
        let expected: Vec<Hash> = proof
            .indices
            .iter()
            .map(|&i| tree.leaves()[i as usize])
            .collect();
        assert_eq!(leaves, expected);
        assert_eq!(tree.prove_many(&proof.indices).unwrap(), proof);
        assert_eq!(merkle::verify_many(&root, &leaves, &proof), Ok(()));
        let mdata: Vec<Vec<u8>> = arr(m, "data")
            .iter()
            .map(|d| hex::decode(d.as_str().unwrap()).unwrap())
            .collect();
        assert_eq!(merkle::verify_many_data(&root, &mdata, &proof), Ok(()));
    }
}

#[test]
fn merkle_negative_cases() {
    let v = &vectors()["merkle"];
    let cases = arr(v, "negative");
    assert!(!cases.is_empty());
    for c in cases {
        let root = h32(c, "root");
        let got = match s(c, "kind") {
            "single" => {
                let data = bytes(c, "data");
                assert_eq!(hash_leaf(&data), h32(c, "leaf"));
                let proof = merkle_proof(&c["proof"]);
                assert_eq!(
                    merkle::verify_data(&root, &data, &proof),
                    merkle::verify(&root, &h32(c, "leaf"), &proof)
                );
                expect_error(c, merkle::verify_data(&root, &data, &proof))
            }
            "multi" => {
                let data: Vec<Vec<u8>> = arr(c, "data")
                    .iter()
                    .map(|d| hex::decode(d.as_str().unwrap()).unwrap())
                    .collect();
                let proof = merkle_multiproof(&c["proof"]);
                assert_eq!(
                    merkle::verify_many_data(&root, &data, &proof),
                    merkle::verify_many(&root, &hashes(c, "leaves"), &proof)
                );
                expect_error(c, merkle::verify_many_data(&root, &data, &proof))
            }
            other => panic!("unknown kind {other:?}"),
        };
        assert_eq!(got, s(c, "error"), "{}", s(c, "description"));
    }
}

fn sparse_tree_case<const D: usize>(t: &Value) {
    let pairs: Vec<(u64, Hash)> = arr(t, "leaves")
        .iter()
        .map(|l| (num(l, "index"), h32(l, "leaf")))
        .collect();
    let tree = SparseMerkleTree::<D>::from_leaves(pairs.clone()).unwrap();
    let mut incremental = SparseMerkleTree::<D>::new();
    for (i, h) in &pairs {
        incremental.set(*i, *h).unwrap();
    }
    let root = h32(t, "root");
    assert_eq!(tree.root(), root, "depth {D}");
    assert_eq!(incremental.root(), root, "depth {D}");
    for p in arr(t, "proofs") {
        let index = num(p, "index");
        let leaf = h32(p, "leaf");
        assert_eq!(tree.leaf(index).unwrap(), leaf);
        let recorded = CompactProof {
            bitmap: num(p, "bitmap") as u32,
            siblings: hashes(p, "siblings"),
        };
        assert_eq!(
            tree.prove(index).unwrap(),
            recorded,
            "depth {D} index {index}"
        );
        let wire = bytes(p, "wire");
        assert_eq!(recorded.to_bytes(D), wire);
        assert_eq!(CompactProof::from_bytes(D, &wire).unwrap(), recorded);
        assert_eq!(smt::verify(D, &root, index, &leaf, &recorded), Ok(()));
    }
    let m = &t["multiproof"];
    let w = SparseMultiProof {
        indices: nums(m, "indices"),
        present: arr(m, "present")
            .iter()
            .map(|b| b.as_bool().expect("bool"))
            .collect(),
        hashes: hashes(m, "hashes"),
    };
    assert_eq!(tree.prove_many(&w.indices).unwrap(), w);
    let old = hashes(m, "oldLeaves");
    let current: Vec<Hash> = w.indices.iter().map(|&i| tree.leaf(i).unwrap()).collect();
    assert_eq!(old, current);
    assert_eq!(h32(m, "oldRoot"), root);
    assert_eq!(w.verify(D, &root, &old), Ok(()));
    let new = hashes(m, "newLeaves");
    let new_root = h32(m, "newRoot");
    assert_eq!(w.compute_root(D, &new).unwrap(), new_root);
    let mut updated = tree.clone();
    for (&i, h) in w.indices.iter().zip(&new) {
        updated.set(i, *h).unwrap();
    }
    assert_eq!(updated.root(), new_root);
}

#[test]
fn sparse_trees() {
    let v = &vectors()["sparseTree"];
    assert_eq!(hashes(v, "defaultNodes"), DEFAULT_NODES);
    let depths: Vec<u64> = arr(v, "trees").iter().map(|t| num(t, "depth")).collect();
    assert_eq!(depths, [32, 16]);
    for t in arr(v, "trees") {
        match num(t, "depth") {
            32 => sparse_tree_case::<32>(t),
            16 => sparse_tree_case::<16>(t),
            d => panic!("no tree of depth {d} in the core's uses"),
        }
    }
}

#[test]
fn sparse_negative_cases() {
    let v = &vectors()["sparseTree"];
    let cases = arr(v, "negative");
    assert!(!cases.is_empty());
    for c in cases {
        let depth = num(c, "depth") as usize;
        let root = h32(c, "root");
        let got = match s(c, "kind") {
            "single" => expect_error(
                c,
                CompactProof::from_bytes(depth, &bytes(c, "wire"))
                    .and_then(|p| smt::verify(depth, &root, num(c, "index"), &h32(c, "leaf"), &p)),
            ),
            "multi" => {
                let w = SparseMultiProof {
                    indices: nums(c, "indices"),
                    present: arr(c, "present")
                        .iter()
                        .map(|b| b.as_bool().expect("bool"))
                        .collect(),
                    hashes: hashes(c, "hashes"),
                };
                expect_error(c, w.verify(depth, &root, &hashes(c, "leaves")))
            }
            other => panic!("unknown kind {other:?}"),
        };
        assert_eq!(got, s(c, "error"), "{}", s(c, "description"));
    }
}

#[test]
fn transaction_domains_and_keys() {
    let v = &vectors()["transactions"];
    for d in arr(v, "domains") {
        assert_eq!(
            Domain::new(s(d, "chainId"), s(d, "contract")).0,
            h32(d, "domain"),
            "{}",
            s(d, "description")
        );
    }
    for k in arr(v, "keys") {
        let secret = h32(k, "secret");
        let key = L2Key::from_secret(&secret).unwrap();
        assert_eq!(hx(key.public_key()), s(k, "publicKey"));
        if let Some(label) = k["label"].as_str() {
            assert_eq!(L2Key::from_label(label).secret_bytes(), secret, "{label}");
        }
    }
}

#[test]
fn signed_transactions() {
    let v = &vectors()["transactions"];
    for c in arr(v, "signed") {
        let what = s(c, "description");
        let domain = Domain(h32(c, "domain"));
        let key = L2Key::from_secret(&h32(c, "secret")).unwrap();
        assert_eq!(hx(key.public_key()), s(c, "publicKey"), "{what}");
        let body = body(&c["body"]);
        assert_eq!(body.check(), Ok(()), "{what}");
        let (exp, mantissa) = split_amount(body.amount());
        assert_eq!(exp as u64, num(c, "amountExponent"), "{what}");
        assert_eq!(mantissa, dec(c, "amountMantissa"), "{what}");
        assert_eq!(hx(body.payload()), s(c, "payload"), "{what}");
        let hash = body.signing_hash(&domain);
        assert_eq!(hash, h32(c, "signingHash"), "{what}");
        // RFC 6979 and low-s normalization make the signature a function of its inputs.
        let tx = SignedTx::sign(body, &domain, &key);
        assert_eq!(hx(tx.signature), s(c, "signature"), "{what}");
        assert!(is_low_s(&tx.signature), "{what}");
        assert!(
            NativeVerifier.secp256k1_verify(&hash, &tx.signature, &key.public_key()),
            "{what}"
        );
        let encoded = bytes(c, "encoded");
        assert_eq!(tx.encode(), encoded, "{what}");
        assert_eq!(SignedTx::decode(&encoded), Ok(tx), "{what}");
        assert_eq!(
            SignedTx::payload_of(&encoded),
            bytes(c, "payload"),
            "{what}"
        );
    }
}

#[test]
fn malformed_transactions() {
    let v = &vectors()["transactions"];
    let domain = Domain::new("chain-a", "contract1");
    for c in arr(v, "malformed") {
        let encoded = bytes(c, "encoded");
        let got = expect_error(c, SignedTx::decode(&encoded));
        assert_eq!(got, s(c, "error"), "{}", s(c, "description"));
        // As a batch step it is a recorded no-op, whatever the ledger holds.
        let mut ledger = Ledger::new();
        let mut withdrawals = WithdrawalList::default();
        let effect = apply_tx(
            &mut ledger,
            &mut withdrawals,
            &domain,
            &NativeVerifier,
            &encoded,
        )
        .unwrap();
        assert_eq!(
            tx_effect(&effect),
            json!({"effect": "noOp", "reason": s(c, "noOp")}),
            "{}",
            s(c, "description")
        );
    }
}

#[test]
fn high_s_twin_is_a_no_op() {
    let c = &vectors()["transactions"]["highS"];
    assert_eq!(h32(c, "halfOrder"), SECP256K1_HALF_ORDER);
    let n = h32(c, "curveOrder");
    let sig: [u8; 64] = bytes(c, "signature").try_into().unwrap();
    let twin: [u8; 64] = bytes(c, "highSSignature").try_into().unwrap();
    assert_eq!(sig[..32], twin[..32], "same r");
    // s + s' = n
    let mut carry = 0u16;
    let mut sum = [0u8; 32];
    for i in (0..32).rev() {
        let t = sig[32 + i] as u16 + twin[32 + i] as u16 + carry;
        sum[i] = t as u8;
        carry = t >> 8;
    }
    assert_eq!((sum, carry), (n, 0));
    assert!(is_low_s(&sig) && !is_low_s(&twin));

    let domain = Domain(h32(c, "domain"));
    let body = body(&c["body"]);
    let encoded = bytes(c, "encoded");
    let twin_encoded = bytes(c, "highSEncoded");
    assert_eq!(
        SignedTx {
            body: body.clone(),
            signature: sig
        }
        .encode(),
        encoded
    );
    assert_eq!(
        SignedTx {
            body,
            signature: twin
        }
        .encode(),
        twin_encoded
    );
    let apply = |bytes: &[u8]| {
        let mut ledger = Ledger::new();
        for (i, a) in arr(c, "accounts").iter().enumerate() {
            assert_eq!(num(a, "index"), i as u64);
            ledger
                .open(Account {
                    pubkey: bytes_of(a, "pubkey"),
                    balance: dec(a, "balance"),
                    nonce: dec(a, "nonce") as u64,
                })
                .unwrap();
        }
        let mut w = WithdrawalList::default();
        tx_effect(&apply_tx(&mut ledger, &mut w, &domain, &NativeVerifier, bytes).unwrap())
    };
    assert_eq!(apply(&encoded), c["effect"]);
    assert_eq!(apply(&twin_encoded), c["highSEffect"]);
}

fn bytes_of<const N: usize>(v: &Value, k: &str) -> [u8; N] {
    bytes(v, k)
        .try_into()
        .unwrap_or_else(|b: Vec<u8>| panic!("{k:?} is {} bytes, not {N}", b.len()))
}

fn deposit_of(d: &Value) -> Deposit {
    let t = &d["target"];
    let target = match s(t, "kind") {
        "newAccount" => DepositTarget::NewAccount(bytes_of(t, "pubkey")),
        "account" => DepositTarget::Account(num(t, "index") as u32),
        other => panic!("unknown deposit target {other:?}"),
    };
    Deposit {
        index: num(d, "index"),
        target,
        amount: dec(d, "amount"),
        refund_to: bytes(d, "refundTo"),
    }
}

fn claim_check(c: &Value) -> Result<(), settle_core::Error> {
    let recipient = bytes(c, "recipientCanonical");
    let proof = bytes(c, "proof");
    verify_withdrawal(
        &h32(c, "outputRoot"),
        num(c, "batch"),
        num(c, "depositCursor"),
        &h32(c, "dataRoot"),
        &WithdrawalClaim {
            index: num(c, "index") as u32,
            recipient: &recipient,
            amount: dec(c, "amount"),
            state_root: h32(c, "stateRoot"),
            withdrawals_root: h32(c, "withdrawalsRoot"),
            proof: &proof,
        },
    )
}

#[test]
fn rollup_scenario_replays_on_the_node() {
    let r = &vectors()["rollup"];
    let domain = Domain::new(s(r, "chainId"), s(r, "contract"));
    assert_eq!(domain.0, h32(r, "domain"));
    for u in arr(r, "users") {
        if let Some(k) = u["l2Key"].as_object() {
            let label = k["label"].as_str().expect("a label");
            let key = L2Key::from_label(label);
            assert_eq!(hx(key.secret_bytes()), k["secret"]);
            assert_eq!(hx(key.public_key()), k["publicKey"]);
        }
    }

    let mut node = Node::new(domain);
    let mut head = ZERO_HASH;
    let users = arr(r, "users");
    for d in arr(r, "deposits") {
        let deposit = deposit_of(d);
        let depositor = users
            .iter()
            .find(|u| u["label"] == d["depositor"])
            .expect("depositor is a user");
        assert_eq!(s(depositor, "address"), s(d, "address"));
        assert_eq!(s(depositor, "canonical"), s(d, "refundTo"));
        assert_eq!(hx(deposit.encode()), s(d, "encoding"));
        head = deposit.chain(&head);
        assert_eq!(hx(head), s(d, "chainHead"));
        node.observe_deposit(deposit).unwrap();
    }

    let batches = arr(r, "batches");
    assert!(batches.len() >= 2);
    let mut cursor = 0;
    for (b, v) in batches.iter().enumerate() {
        let b = b as u64;
        assert_eq!(num(v, "index"), b);
        let data = bytes(v, "data");
        let consumed = num(v, "depositsConsumed");
        let proposal = node
            .propose_with(&NativeVerifier, data.clone(), consumed)
            .unwrap();
        assert_eq!(proposal.index, b);
        assert_eq!(hx(proposal.output_root), s(v, "outputRoot"), "batch {b}");
        let result = node.batch(b).unwrap();
        let o = result.output;
        assert_eq!(o.deposit_cursor, num(v, "depositCursor"));
        assert_eq!(o.deposit_cursor, cursor + consumed);

        let effects: Vec<Value> = result
            .deposit_effects
            .iter()
            .enumerate()
            .map(|(k, e)| deposit_effect(cursor + k as u64, e))
            .collect();
        assert_eq!(effects, arr(v, "depositEffects"), "batch {b}");

        let steps = split_steps(&data);
        let recorded = arr(v, "steps");
        assert_eq!(steps.len(), recorded.len(), "batch {b}");
        assert_eq!(steps.len(), result.tx_effects.len());
        for ((step, rec), effect) in steps.iter().zip(recorded).zip(&result.tx_effects) {
            let what = s(rec, "description");
            assert_eq!(hx(step), s(rec, "bytes"), "{what}");
            assert_eq!(hx(hash_leaf(step)), s(rec, "leaf"), "{what}");
            assert_eq!(tx_effect(effect), rec["effect"], "{what}");
        }
        assert_eq!(o.data_root, h32(v, "dataRoot"));
        assert_eq!(data_root(&data), o.data_root);

        let accounts = node.ledger.accounts();
        let recorded = arr(v, "accounts");
        assert_eq!(accounts.len(), recorded.len(), "batch {b}");
        assert_eq!(node.ledger.account_count(), num(v, "accountCount"));
        for (i, (a, rec)) in accounts.iter().zip(recorded).enumerate() {
            assert_eq!(num(rec, "index"), i as u64);
            assert_eq!(hx(a.pubkey), s(rec, "pubkey"));
            assert_eq!(a.balance, dec(rec, "balance"), "batch {b} account {i}");
            assert_eq!(a.nonce, dec(rec, "nonce") as u64, "batch {b} account {i}");
            assert_eq!(hx(a.encode()), s(rec, "encoding"));
            assert_eq!(
                Account::decode(&bytes(rec, "encoding")).unwrap(),
                *a,
                "batch {b} account {i}"
            );
            assert_eq!(hx(a.leaf()), s(rec, "leaf"));
        }
        let accounts_root = h32(v, "accountsRoot");
        assert_eq!(node.ledger.accounts_root(), accounts_root);
        let rebuilt = SparseMerkleTree::<32>::from_leaves(
            recorded.iter().map(|a| (num(a, "index"), h32(a, "leaf"))),
        )
        .unwrap();
        assert_eq!(rebuilt.root(), accounts_root);
        assert_eq!(
            state_root(&accounts_root, num(v, "accountCount")),
            h32(v, "stateRoot")
        );
        assert_eq!(o.state_root, h32(v, "stateRoot"));

        let withdrawals = arr(v, "withdrawals");
        assert_eq!(withdrawals.len(), result.withdrawals.items.len());
        for (i, w) in withdrawals.iter().enumerate() {
            assert_eq!(num(w, "batch"), b);
            assert_eq!(num(w, "index"), i as u64);
            let p = node.withdrawal_proof(b, i as u32).unwrap();
            assert_eq!(hx(&p.recipient), s(w, "recipientCanonical"));
            assert_eq!(p.amount, dec(w, "amount"));
            assert_eq!(hx(&p.proof), s(w, "proof"));
            assert_eq!(p.state_root, h32(w, "stateRoot"));
            assert_eq!(p.withdrawals_root, h32(w, "withdrawalsRoot"));
            assert_eq!(num(w, "depositCursor"), o.deposit_cursor);
            assert_eq!(h32(w, "dataRoot"), o.data_root);
            assert_eq!(h32(w, "outputRoot"), o.root());
            let leaf = Withdrawal {
                recipient: p.recipient.clone(),
                amount: p.amount,
            }
            .leaf();
            assert_eq!(hx(leaf), s(w, "leaf"));
            assert_eq!(claim_check(w), Ok(()), "batch {b} withdrawal {i}");
        }
        assert_eq!(o.withdrawals_root, h32(v, "withdrawalsRoot"));
        assert_eq!(
            Output {
                batch_index: b,
                state_root: h32(v, "stateRoot"),
                withdrawals_root: h32(v, "withdrawalsRoot"),
                deposit_cursor: num(v, "depositCursor"),
                data_root: h32(v, "dataRoot"),
            }
            .root(),
            h32(v, "outputRoot")
        );
        cursor = o.deposit_cursor;
    }
    assert_eq!(cursor, arr(r, "deposits").len() as u64);
    assert!(node.pending_deposits().is_empty());
}

#[test]
fn rollup_negative_claims() {
    let r = &vectors()["rollup"];
    let batches = arr(r, "batches");
    let claims = arr(r, "negativeClaims");
    assert!(!claims.is_empty());
    for c in claims {
        // Every claim is checked against a batch of the scenario, as the contract would.
        let b = &batches[num(c, "batch") as usize];
        for k in ["outputRoot", "dataRoot"] {
            assert_eq!(s(c, k), s(b, k), "{}", s(c, "description"));
        }
        assert_eq!(num(c, "depositCursor"), num(b, "depositCursor"));
        let got = expect_error(c, claim_check(c));
        assert_eq!(got, s(c, "error"), "{}", s(c, "description"));
    }
}

// ---------------------------------------------------------------------------------------
// oneStep

/// The rollup section applied to a node, without the checks of
/// `rollup_scenario_replays_on_the_node` (which makes sure it replays exactly).
fn rollup_node() -> Node {
    let r = &vectors()["rollup"];
    let mut node = Node::new(Domain(h32(r, "domain")));
    for d in arr(r, "deposits") {
        node.observe_deposit(deposit_of(d)).unwrap();
    }
    for b in arr(r, "batches") {
        node.propose_with(
            &NativeVerifier,
            bytes(b, "data"),
            num(b, "depositsConsumed"),
        )
        .unwrap();
    }
    node
}

fn one_step_context(v: &Value) -> BatchContext {
    let c = &v["context"];
    BatchContext {
        batch_index: num(c, "batchIndex"),
        parent: if c["parent"].is_null() {
            Parent::Genesis
        } else {
            let p = &c["parent"];
            Parent::Output {
                output_root: h32(p, "outputRoot"),
                deposit_cursor: num(p, "depositCursor"),
                data_root: h32(p, "dataRoot"),
            }
        },
        deposits_from: num(c, "depositsFrom"),
        deposits: num(c, "deposits"),
        tx_steps: num(c, "txSteps"),
        data_root: h32(c, "dataRoot"),
    }
}

/// A deposit in the npm package's shape: `{index, to: {newAccount: {pubkey}} | {account:
/// {index}}, amount, refundTo}`.
fn one_step_deposit(v: &Value) -> Option<Deposit> {
    let d = &v["deposit"];
    if d.is_null() {
        return None;
    }
    let to = &d["to"];
    let target = if to["newAccount"].is_object() {
        DepositTarget::NewAccount(bytes_of(&to["newAccount"], "pubkey"))
    } else {
        DepositTarget::Account(num(&to["account"], "index") as u32)
    };
    Some(Deposit {
        index: num(d, "index"),
        target,
        amount: dec(d, "amount"),
        refund_to: bytes(d, "refundTo"),
    })
}

/// Decode, then one_step: what every consumer runs on a case.
fn run_one_step(v: &Value) -> Result<Hash, settle_core::Error> {
    let proof = OneStepProof::decode(&bytes(v, "proof"))?;
    one_step(
        &one_step_context(v),
        &Domain(h32(v, "domain")),
        &NativeVerifier,
        num(v, "step"),
        &h32(v, "preRoot"),
        one_step_deposit(v).as_ref(),
        &proof,
    )
}

#[test]
fn one_step_proofs_give_the_post_state_root() {
    let v = &vectors()["oneStep"];
    assert_eq!(h32(v, "genesisRoot"), genesis_root());
    let node = rollup_node();
    let domain = h32(&vectors()["rollup"], "domain");
    let cases = arr(v, "cases");
    let mut kinds = std::collections::BTreeSet::new();
    for c in cases {
        let name = s(c, "name");
        let step = num(c, "step");
        let wire = bytes(c, "proof");
        // the wire form is canonical
        assert_eq!(
            OneStepProof::decode(&wire).unwrap().encode(),
            wire,
            "{name}"
        );
        assert_eq!(run_one_step(c), Ok(h32(c, "postRoot")), "{name}");

        // the case is what the rollup section's node proves for that step
        let ctx = one_step_context(c);
        assert_eq!(h32(c, "domain"), domain, "{name}");
        let b = ctx.batch_index;
        assert_eq!(node.batch_context(b).unwrap(), ctx, "{name}");
        let trace = node.trace(b).unwrap();
        let roots = trace.roots(&NativeVerifier).unwrap();
        assert_eq!(roots[step as usize], h32(c, "preRoot"), "{name}");
        assert_eq!(roots[step as usize + 1], h32(c, "postRoot"), "{name}");
        assert_eq!(
            trace.proof(&NativeVerifier, step).unwrap().encode(),
            wire,
            "{name}"
        );
        let kind = ctx.step_kind(step).unwrap();
        let expected = match kind {
            StepKind::Open => json!({"kind": "open"}),
            StepKind::Deposit { queue_index } => {
                assert_eq!(
                    one_step_deposit(c).as_ref(),
                    Some(trace.deposit(queue_index).unwrap()),
                    "{name}"
                );
                json!({"kind": "deposit", "queueIndex": queue_index})
            }
            StepKind::Tx { index } => json!({"kind": "tx", "index": index}),
            StepKind::Close => json!({"kind": "close"}),
        };
        if !matches!(kind, StepKind::Deposit { .. }) {
            assert!(c["deposit"].is_null(), "{name}");
        }
        assert_eq!(c["kind"], expected, "{name}");
        if step == 0 {
            assert_eq!(h32(c, "preRoot"), ctx.parent.root(), "{name}");
        }
        if step + 1 == ctx.steps() {
            assert_eq!(
                hx(h32(c, "postRoot")),
                s(
                    &arr(&vectors()["rollup"], "batches")[b as usize],
                    "outputRoot"
                ),
                "{name}"
            );
        }
        kinds.insert(expected["kind"].as_str().unwrap().to_string());
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["close", "deposit", "open", "tx"]
    );
}

#[test]
fn one_step_negative_cases() {
    let v = &vectors()["oneStep"];
    let node = rollup_node();
    let cases = arr(v, "negative");
    assert!(!cases.is_empty());
    for c in cases {
        let name = s(c, "name");
        // every case is checked in the context the chain derives for a real batch
        let ctx = one_step_context(c);
        assert_eq!(node.batch_context(ctx.batch_index).unwrap(), ctx, "{name}");
        match run_one_step(c) {
            Ok(root) => panic!("{name}: accepted ({})", hx(root)),
            Err(e) => assert_eq!(e.to_string(), s(c, "error"), "{name}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// channel

fn pair(v: &Value, k: &str) -> [u128; 2] {
    let a = arr(v, k);
    assert_eq!(a.len(), 2, "{k:?} is not a pair in {v}");
    [0, 1].map(|i| {
        a[i].as_str()
            .and_then(|x| x.parse().ok())
            .unwrap_or_else(|| panic!("{k:?}[{i}] is not a decimal in {v}"))
    })
}

fn party(v: &Value) -> Party {
    match v.as_str() {
        Some("a") => Party::A,
        Some("b") => Party::B,
        _ => panic!("{v} is not a party"),
    }
}

/// A state from the npm package's `ChannelState` shape.
fn channel_state(v: &Value) -> ChannelState {
    ChannelState {
        channel_id: num(v, "channelId"),
        version: dec(v, "version") as u64,
        funded: pair(v, "funded"),
        balances: pair(v, "balances"),
        htlcs: arr(v, "htlcs")
            .iter()
            .map(|h| Htlc {
                amount: dec(h, "amount"),
                payment_hash: h32(h, "paymentHash"),
                timeout: s(h, "timeout").parse().unwrap(),
                payer: party(&h["payer"]),
            })
            .collect(),
        is_final: v["isFinal"].as_bool().expect("isFinal"),
    }
}

fn bytes_n<const N: usize>(v: &Value, k: &str) -> [u8; N] {
    bytes(v, k)
        .try_into()
        .unwrap_or_else(|b: Vec<u8>| panic!("{k:?} is {} bytes, not {N}", b.len()))
}

/// What the contract decides on a signed state: decode, allocation, both signatures.
fn channel_verdict(c: &Value) -> Result<(), settle_core::Error> {
    let state = ChannelState::decode(&bytes(
        c,
        if c["encoding"].is_string() {
            "encoding"
        } else {
            "state"
        },
    ))?;
    state.check(num(c, "channelId"), pair(c, "funding"))?;
    verify_cosigned(
        &NativeVerifier,
        &ChannelDomain(h32(c, "domain")),
        &state,
        [&bytes_n::<33>(c, "pubkeyA"), &bytes_n::<33>(c, "pubkeyB")],
        [
            &bytes_n::<64>(c, "signatureA"),
            &bytes_n::<64>(c, "signatureB"),
        ],
    )
}

fn payout_inputs(c: &Value) -> (ChannelState, [u128; 2], Option<StaleClose>, PenaltyRules) {
    let stale = (!c["stale"].is_null()).then(|| StaleClose {
        closer: party(&c["stale"]["closer"]),
        by_watchtower: c["stale"]["byWatchtower"].as_bool().unwrap(),
    });
    (
        ChannelState::decode(&bytes(c, "state")).unwrap(),
        pair(c, "funding"),
        stale,
        PenaltyRules {
            share_bps: num(c, "penaltyShareBps") as u16,
            watchtower_fee_bps: num(c, "watchtowerFeeBps") as u16,
        },
    )
}

#[test]
fn channel_states_encode_sign_and_verify() {
    let v = &vectors()["channel"];
    let domain = ChannelDomain::new(s(v, "chainId"), s(v, "contract"));
    assert_eq!(h32(v, "domain"), domain.0);
    // the rollup section's deployment, and not its transaction domain
    assert_eq!(s(v, "chainId"), s(&vectors()["rollup"], "chainId"));
    assert_eq!(s(v, "contract"), s(&vectors()["rollup"], "contract"));
    assert_ne!(h32(v, "domain"), h32(&vectors()["rollup"], "domain"));
    let keys = [&v["keys"]["a"], &v["keys"]["b"]].map(|k| {
        let key = L2Key::from_label(s(k, "label"));
        assert_eq!(hx(key.secret_bytes()), s(k, "secret"));
        assert_eq!(hx(key.public_key()), s(k, "publicKey"));
        key
    });
    for p in arr(v, "paymentHashes") {
        assert_eq!(
            payment_hash(&bytes(p, "preimage")),
            Ok(h32(p, "paymentHash"))
        );
    }
    for p in arr(v, "badPreimages") {
        assert_eq!(
            payment_hash(&bytes(p, "preimage")).unwrap_err().to_string(),
            s(p, "error")
        );
    }
    let cases = arr(v, "states");
    assert!(cases.len() >= 5);
    for c in cases {
        let name = s(c, "name");
        let state = channel_state(&c["state"]);
        let encoding = bytes(c, "encoding");
        assert_eq!(state.encode(), encoding, "{name}");
        assert_eq!(
            ChannelState::decode(&encoding).as_ref(),
            Ok(&state),
            "{name}"
        );
        assert_eq!(h32(c, "domain"), domain.0, "{name}");
        assert_eq!(num(c, "channelId"), state.channel_id, "{name}");
        let hash = state.signing_hash(&domain);
        assert_eq!(hx(hash), s(c, "signingHash"), "{name}");
        // RFC 6979: the same key signs the same hash the same way
        assert_eq!(
            hx(keys[0].sign_prehash(&hash)),
            s(c, "signatureA"),
            "{name}"
        );
        assert_eq!(
            hx(keys[1].sign_prehash(&hash)),
            s(c, "signatureB"),
            "{name}"
        );
        assert_eq!(s(c, "pubkeyA"), hx(keys[0].public_key()), "{name}");
        assert_eq!(s(c, "pubkeyB"), hx(keys[1].public_key()), "{name}");
        assert_eq!(channel_verdict(c), Ok(()), "{name}");
    }
}

#[test]
fn channel_payouts() {
    let v = &vectors()["channel"];
    for c in arr(v, "payouts") {
        let name = s(c, "name");
        let (state, funding, stale, rules) = payout_inputs(c);
        let p = payout(&state, funding, stale, rules).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = &c["payout"];
        assert_eq!(p.parties, pair(want, "parties"), "{name}");
        assert_eq!(p.watchtower, dec(want, "watchtower"), "{name}");
        assert_eq!(p.htlcs, dec(want, "htlcs"), "{name}");
        assert_eq!(p.total(), funding[0].checked_add(funding[1]), "{name}");
    }
    for c in arr(v, "payoutErrors") {
        let name = s(c, "name");
        let (state, funding, stale, rules) = payout_inputs(c);
        match payout(&state, funding, stale, rules) {
            Ok(p) => panic!("{name}: accepted ({p:?})"),
            Err(e) => assert_eq!(e.to_string(), s(c, "error"), "{name}"),
        }
    }
}

/// B's joins, A's revocations and B's watchtower authorisations: the core's hashes, and
/// RFC 6979 signatures by the section's keys that the core's checks accept.
#[test]
fn channel_joins_revocations_and_watchtowers() {
    use settle_core::channel::{
        join_hash, revocation_hash, verify_join, verify_revocation, watchtower_hash, Revocation,
    };
    let v = &vectors()["channel"];
    let domain = ChannelDomain(h32(v, "domain"));
    let [ka, kb] = [&v["keys"]["a"], &v["keys"]["b"]].map(|k| L2Key::from_label(s(k, "label")));
    let (pa, pb) = (ka.public_key(), kb.public_key());
    let joins = arr(v, "joins");
    assert!(!joins.is_empty());
    for j in joins {
        let (id, who) = (num(j, "channelId"), s(j, "counterparty"));
        assert_eq!(s(j, "pubkeyA"), hx(pa));
        assert_eq!(s(j, "pubkeyB"), hx(pb));
        let h = join_hash(&domain, id, who, [&pa, &pb]);
        assert_eq!(s(j, "joinHash"), hx(h), "join {id}");
        let sig: [u8; 64] = bytes(j, "signatureB").try_into().unwrap();
        assert_eq!(sig, kb.sign_prehash(&h));
        assert_eq!(
            verify_join(&NativeVerifier, &domain, id, who, [&pa, &pb], &sig, 0, 1),
            Ok(())
        );
    }
    for r in arr(v, "revocations") {
        let (id, version) = (num(r, "channelId"), num(r, "version"));
        let h = revocation_hash(&domain, id, version);
        assert_eq!(s(r, "revocationHash"), hx(h), "revocation {id} {version}");
        let rev = Revocation {
            version,
            signature: bytes(r, "signatureA").try_into().unwrap(),
        };
        assert_eq!(
            verify_revocation(&NativeVerifier, &domain, id, Party::A, &pa, &rev),
            Ok(())
        );
    }
    for w in arr(v, "watchtowers") {
        let (id, who) = (num(w, "channelId"), s(w, "watchtower"));
        let h = watchtower_hash(&domain, id, who);
        assert_eq!(s(w, "watchtowerHash"), hx(h), "watchtower {id}");
        assert_eq!(s(w, "signatureB"), hx(kb.sign_prehash(&h)));
    }
}

#[test]
fn channel_negative_cases() {
    let v = &vectors()["channel"];
    let cases = arr(v, "negative");
    assert!(cases.len() >= 10);
    for c in cases {
        let name = s(c, "name");
        match channel_verdict(c) {
            Ok(()) => panic!("{name}: accepted"),
            Err(e) => assert_eq!(e.to_string(), s(c, "error"), "{name}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// validity: the validity rollup's scenario, real Groth16 proofs verified natively.

#[cfg(feature = "validity")]
mod validity {
    use super::{arr, bytes, dec, num, s, vectors};
    use serde_json::Value;
    use settle_core::validity::eddsa::{PublicKey, SecretKey, Signature};
    use settle_core::validity::field::{fr_from_hex, fr_to_hex, Fr};
    use settle_core::validity::groth16::{self, ArkBackend, PreparedKey, VerifyingKey};
    use settle_core::validity::ledger::{
        exit_message, rollup_domain, state_root, BatchData, Deposit, Ledger, Shape, Statement, Tx,
        TxBody,
    };
    use settle_core::validity::poseidon::Poseidon;
    use settle_core::validity::tree::root_from_path;
    use settle_core::Error;

    fn section() -> &'static Value {
        &vectors()["validity"]
    }

    fn fr(v: &Value, k: &str) -> Fr {
        fr_from_hex("vector", s(v, k)).unwrap_or_else(|e| panic!("{k:?}: {e}"))
    }

    fn seed(v: &Value) -> [u8; 32] {
        bytes(v, "zkSeed").try_into().expect("a 32-byte seed")
    }

    fn key_of(label: &str) -> SecretKey {
        let u = arr(section(), "users")
            .iter()
            .find(|u| s(u, "label") == label)
            .unwrap_or_else(|| panic!("no user {label}"));
        SecretKey::from_seed(&seed(u))
    }

    fn domain() -> Fr {
        fr(section(), "domain")
    }

    /// Which of the queue entries `cursor..cursor + n` are exit requests.
    fn exit_slots(v: &Value, cursor: usize, n: u64) -> Vec<bool> {
        let entries = arr(v, "deposits");
        (cursor..cursor + n as usize)
            .map(|i| entries[i]["target"]["exit"].is_object())
            .collect()
    }

    fn shape() -> Shape {
        let v = &section()["shape"];
        Shape {
            deposits: num(v, "deposits") as usize,
            txs: num(v, "txs") as usize,
        }
    }

    fn prepared_key() -> PreparedKey {
        let vk = VerifyingKey::decode(&bytes(section(), "verifyingKey")).expect("the key decodes");
        groth16::prepare(vk, &ArkBackend).expect("the key's points are valid")
    }

    fn deposit(d: &Value) -> Deposit {
        let t = &d["target"];
        let amount = dec(d, "amount");
        if let Some(n) = t.get("newAccount") {
            Deposit::NewAccount {
                key: PublicKey::decode(&bytes(n, "pubkey")).expect("a valid key"),
                amount,
            }
        } else if let Some(e) = t.get("exit") {
            Deposit::Exit {
                account: num(e, "account") as u32,
            }
        } else {
            Deposit::Credit {
                account: num(&t["account"], "index") as u32,
                amount,
            }
        }
    }

    fn tx_body(t: &Value) -> TxBody {
        let (from, amount) = (num(t, "from") as u32, dec(t, "amount"));
        match s(t, "kind") {
            "transfer" => TxBody::Transfer {
                from,
                to: num(t, "to") as u32,
                amount,
            },
            "withdraw" => TxBody::Withdraw {
                from,
                amount,
                recipient: bytes(t, "recipient"),
            },
            other => panic!("unknown kind {other}"),
        }
    }

    #[test]
    fn deployment_and_keys() {
        let v = section();
        assert_eq!(
            fr_to_hex(&rollup_domain(s(v, "chainId"), s(v, "contract").as_bytes())),
            s(v, "domain")
        );
        let mut keyed = 0;
        for u in arr(v, "users") {
            if u["zkSeed"].is_null() {
                continue;
            }
            let key = SecretKey::from_seed(&seed(u));
            assert_eq!(hex::encode(key.public_key().encode()), s(u, "zkPublicKey"));
            keyed += 1;
        }
        assert_eq!(keyed, 3);
        assert_eq!(
            shape(),
            Shape {
                deposits: 2,
                txs: 1
            }
        );
    }

    /// Deposits, signatures, batch data, statements and accounts from the core's ledger;
    /// every batch's proof verifies for the public input the core computes.
    #[test]
    fn the_ledger_replays_the_batches_and_the_proofs_verify() {
        let v = section();
        let hasher = Poseidon::new();
        let domain = domain();
        let key = prepared_key();
        let deposits = arr(v, "deposits");
        let mut queue = Vec::new();
        let mut head = Fr::from(0u64);
        for (i, d) in deposits.iter().enumerate() {
            assert_eq!(num(d, "index"), i as u64);
            let dep = deposit(d);
            head = dep.chain(&hasher, &head);
            assert_eq!(fr_to_hex(&head), s(d, "headAfter"), "deposit {i}");
            queue.push(dep);
        }

        let mut ledger = Ledger::new();
        let mut cursor = 0usize;
        let mut heads = vec![Fr::from(0u64)];
        heads.extend(deposits.iter().map(|d| fr(d, "headAfter")));
        let mut prev = Ledger::new().state_root();
        for (b, batch) in arr(v, "batches").iter().enumerate() {
            assert_eq!(num(batch, "index"), b as u64);
            let txs: Vec<Tx> = arr(batch, "txs")
                .iter()
                .map(|t| {
                    let body = tx_body(t);
                    let nonce = dec(t, "nonce") as u64;
                    assert_eq!(
                        fr_to_hex(&body.message(&hasher, &domain, nonce)),
                        s(t, "message")
                    );
                    let tx = Tx::sign(&hasher, &domain, body, nonce, &key_of(s(t, "signer")));
                    assert_eq!(hex::encode(tx.signature.encode()), s(t, "signature"));
                    tx
                })
                .collect();
            let n = num(batch, "deposits") as usize;
            let (witness, data) = ledger
                .apply_batch(
                    shape(),
                    &domain,
                    &heads[cursor],
                    &queue[cursor..cursor + n],
                    &txs,
                )
                .unwrap_or_else(|e| panic!("batch {b}: {e}"));
            cursor += n;
            assert_eq!(hex::encode(data.encode()), s(batch, "data"));
            assert_eq!(
                fr_to_hex(&ledger.accounts_root()),
                s(batch, "newAccountsRoot")
            );
            assert_eq!(
                ledger.accounts().len() as u64,
                num(batch, "newAccountCount")
            );
            let st = &batch["statement"];
            let statement = &witness.statement;
            assert_eq!(statement.domain, fr(st, "domain"));
            assert_eq!(statement.prev_state_root, prev);
            assert_eq!(statement.prev_state_root, fr(st, "prevStateRoot"));
            assert_eq!(statement.new_state_root, fr(st, "newStateRoot"));
            assert_eq!(statement.new_state_root, ledger.state_root());
            assert_eq!(statement.data_commitment, fr(st, "dataCommitment"));
            assert_eq!(statement.deposits_before, fr(st, "depositsBefore"));
            assert_eq!(statement.deposits_after, fr(st, "depositsAfter"));
            assert_eq!(statement.deposits_after, heads[cursor]);
            let input = statement.public_input(&hasher);
            assert_eq!(fr_to_hex(&input), s(batch, "publicInput"));
            groth16::verify_encoded(
                &key,
                &bytes(batch, "proof"),
                &[bytes(batch, "publicInput")],
                &ArkBackend,
            )
            .unwrap_or_else(|e| panic!("batch {b}'s proof: {e}"));
            let paid: Vec<(String, u128)> = data
                .withdrawals()
                .iter()
                .map(|w| (hex::encode(&w.recipient), w.amount))
                .collect();
            let recorded: Vec<(String, u128)> = arr(batch, "withdrawals")
                .iter()
                .map(|w| (s(w, "recipient").to_string(), dec(w, "amount")))
                .collect();
            assert_eq!(paid, recorded, "batch {b}'s withdrawals");
            let posted: Vec<String> = data.exits.iter().map(u128::to_string).collect();
            let recorded: Vec<String> = arr(batch, "exits")
                .iter()
                .map(|x| x.as_str().expect("a decimal").to_string())
                .collect();
            assert_eq!(posted, recorded, "batch {b}'s exits");
            let accounts = arr(batch, "accounts");
            assert_eq!(accounts.len(), ledger.accounts().len());
            for (i, a) in accounts.iter().enumerate() {
                let mine = ledger.accounts()[i];
                assert_eq!(num(a, "index"), i as u64);
                assert_eq!(hex::encode(mine.key.encode()), s(a, "publicKey"));
                assert_eq!(mine.balance, dec(a, "balance"));
                assert_eq!(mine.nonce as u128, dec(a, "nonce"));
            }
            prev = statement.new_state_root;
        }
        assert_eq!(cursor, deposits.len());
    }

    /// The statement `check_batch` builds from the contract's state after `at` batches and
    /// a posted claim, then `verify_encoded`: the recorded error.
    #[test]
    fn tampered_batches_are_refused_with_the_recorded_error() {
        let v = section();
        let hasher = Poseidon::new();
        let key = prepared_key();
        let batches = arr(v, "batches");
        let mut heads = vec![Fr::from(0u64)];
        heads.extend(arr(v, "deposits").iter().map(|d| fr(d, "headAfter")));
        let cases = arr(v, "refusedBatches");
        assert!(cases.len() >= 7);
        for c in cases {
            let at = num(c, "at") as usize;
            let (prev, cursor) = match at {
                0 => (Ledger::new().state_root(), 0),
                _ => (
                    fr(&batches[at - 1]["statement"], "newStateRoot"),
                    batches[..at]
                        .iter()
                        .map(|b| num(b, "deposits") as usize)
                        .sum(),
                ),
            };
            let result = (|| -> Result<(), Error> {
                let data = BatchData::decode(&bytes(c, "data"))?;
                let statement = Statement {
                    domain: domain(),
                    prev_state_root: prev,
                    new_state_root: state_root(
                        &hasher,
                        &fr(c, "newAccountsRoot"),
                        num(c, "newAccountCount"),
                    ),
                    data_commitment: data.commitment(
                        &hasher,
                        shape(),
                        &exit_slots(v, cursor, num(c, "deposits")),
                    )?,
                    deposits_before: heads[cursor],
                    deposits_after: heads[cursor + num(c, "deposits") as usize],
                };
                let input = statement.public_input(&hasher);
                groth16::verify_encoded(
                    &key,
                    &bytes(c, "proof"),
                    &[settle_core::validity::field::fr_to_bytes(&input)],
                    &ArkBackend,
                )
            })();
            match result {
                Ok(()) => panic!("{}: accepted", s(c, "name")),
                Err(e) => assert_eq!(e.to_string(), s(c, "error"), "{}", s(c, "name")),
            }
        }
    }

    #[test]
    fn proof_checks_give_the_recorded_verdicts() {
        let key = prepared_key();
        let cases = arr(section(), "proofChecks");
        assert!(cases.len() >= 13);
        for c in cases {
            let inputs: Vec<Vec<u8>> = c["publicInputs"]
                .as_array()
                .expect("inputs")
                .iter()
                .map(|x| hex::decode(x.as_str().expect("hex")).expect("hex"))
                .collect();
            let verdict = groth16::verify_encoded(&key, &bytes(c, "proof"), &inputs, &ArkBackend);
            assert_eq!(verdict.is_ok(), c["valid"] == true, "{}", s(c, "name"));
            if let Err(e) = verdict {
                assert_eq!(e.to_string(), s(c, "error"), "{}", s(c, "name"));
            }
        }
    }

    #[test]
    fn signatures_and_exits() {
        let v = section();
        let hasher = Poseidon::new();
        for c in arr(v, "signatures") {
            let key = PublicKey::decode(&bytes(c, "publicKey")).expect("a key");
            let valid = Signature::decode(&bytes(c, "signature"))
                .map(|sig| key.verify(&fr(c, "message"), &sig))
                .unwrap_or(false);
            assert_eq!(valid, c["valid"] == true, "{}", s(c, "name"));
        }
        let last = arr(v, "batches").last().expect("batches");
        let root = fr(last, "newAccountsRoot");
        let count = num(last, "newAccountCount");
        assert_eq!(
            state_root(&hasher, &root, count),
            fr(&last["statement"], "newStateRoot")
        );
        // The L1 exit requests: the core's message, signed by the account's key, and the
        // queue entry it made.
        let deposits = arr(v, "deposits");
        for r in arr(v, "exitRequests") {
            let account = num(r, "account") as u32;
            let message = settle_core::validity::ledger::exit_request_message(
                &hasher,
                &domain(),
                account,
                &bytes(r, "canonical"),
                num(r, "sequence"),
            )
            .expect("a 20- or 32-byte recipient");
            assert_eq!(fr_to_hex(&message), s(r, "message"));
            let sig = Signature::decode(&bytes(r, "signature")).expect("a signature");
            assert!(
                key_of(s(r, "owner")).public_key().verify(&message, &sig),
                "{}'s exit request signature",
                s(r, "owner")
            );
            let entry = &deposits[num(r, "queueIndex") as usize];
            assert_eq!(num(&entry["target"]["exit"], "account") as u32, account);
            assert_eq!(s(&entry["target"]["exit"], "recipient"), s(r, "recipient"));
        }
        let exits = arr(v, "exits");
        assert_eq!(exits.len() as u64, count);
        for e in exits {
            let account = num(e, "account") as u32;
            let message = exit_message(&hasher, &domain(), account, &bytes(e, "canonical"))
                .expect("a 20- or 32-byte recipient");
            assert_eq!(fr_to_hex(&message), s(e, "message"));
            let pubkey = PublicKey::decode(&bytes(e, "pubkey")).expect("a key");
            let sig = Signature::decode(&bytes(e, "signature")).expect("a signature");
            assert!(
                pubkey.verify(&message, &sig),
                "{}'s exit signature",
                s(e, "owner")
            );
            assert_eq!(key_of(s(e, "owner")).public_key(), pubkey);
            let leaf = settle_core::validity::ledger::Account {
                key: pubkey,
                balance: dec(e, "balance"),
                nonce: num(e, "nonce"),
            }
            .leaf(&hasher);
            let path: Vec<Fr> = e["path"]
                .as_array()
                .expect("a path")
                .iter()
                .map(|x| fr_from_hex("path", x.as_str().expect("hex")).expect("an element"))
                .collect();
            assert_eq!(
                root_from_path(&hasher, leaf, account as u64, &path).expect("a full path"),
                root,
                "{}'s exit",
                s(e, "owner")
            );
        }
    }
}
