//! The bindings as JS sees them, run under Node by wasm-bindgen-test-runner:
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test -p settle-wasm --target wasm32-unknown-unknown
//! ```
//!
//! Inputs are built with `JSON.parse` and outputs read with `JSON.stringify`, so every
//! assertion is on the JSON a dApp would see; expected values come from settle-core
//! directly, so the bindings are checked against the rules they wrap.
#![cfg(target_arch = "wasm32")]

use base64::Engine as _;
use js_sys::Uint8Array;
use serde_json::{json, Value};
use settle_core::crypto::L2Key as CoreKey;
use settle_core::tx::{Domain, SignedTx, Transfer, TxBody};
use settle_wasm::node::{self, RollupNode};
use settle_wasm::tx::{self, L2Key};
use settle_wasm::{hash, merkle, msg, oz, sparse, Failure};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const CHAIN: &str = "test-1";
const ROLLUP: &str = "wasm1rollupcontract";

/// A JS value from JSON (`JSON.parse`).
fn js(v: Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).expect("valid JSON")
}

/// The JSON of a JS value (`JSON.stringify`).
fn json(v: &JsValue) -> Value {
    let text: String = js_sys::JSON::stringify(v).expect("serializable").into();
    serde_json::from_str(&text).expect("JSON")
}

/// The message of the JS `Error` a failed call throws.
fn thrown<T>(result: Result<T, Failure>) -> String {
    let Err(failure) = result else {
        panic!("expected the call to throw");
    };
    let value: JsValue = failure.into();
    let error: js_sys::Error = value.dyn_into().expect("a JS Error");
    error.message().into()
}

fn hex(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(bytes)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn bytes(a: &[u8]) -> Uint8Array {
    Uint8Array::from(a)
}

// ---- keys ------------------------------------------------------------------------

#[wasm_bindgen_test]
fn keys_match_the_core_and_round_trip() {
    let alice = L2Key::from_label("alice");
    let core = CoreKey::from_label("alice");
    assert_eq!(alice.public_key(), hex(core.public_key()));
    assert_eq!(alice.secret(), hex(core.secret_bytes()));
    let again = L2Key::from_secret(&format!("0x{}", alice.secret())).unwrap();
    assert_eq!(again.public_key(), alice.public_key());

    let (a, b) = (L2Key::generate().unwrap(), L2Key::generate().unwrap());
    assert_ne!(a.secret(), b.secret());
    assert_eq!(a.public_key().len(), 66);
    assert!(matches!(&a.public_key()[..2], "02" | "03"));
    let a_again = L2Key::from_secret(&a.secret()).unwrap();
    assert_eq!(a_again.public_key(), a.public_key());

    // zero is not a scalar: the core's error, as a JS Error
    let zero = "00".repeat(32);
    assert_eq!(
        thrown(L2Key::from_secret(&zero)),
        CoreKey::from_secret(&[0; 32]).unwrap_err().to_string()
    );
    assert_eq!(
        thrown(L2Key::from_secret("abcd")),
        "expected 32 bytes for secret, got 2"
    );
    assert!(thrown(L2Key::from_secret("xyz")).starts_with("secret: \"xyz\" is not hex"));
}

// ---- transactions and batch data --------------------------------------------------

#[wasm_bindgen_test]
fn signing_decoding_and_batches_match_the_core() {
    let d = tx::domain(CHAIN, ROLLUP);
    let domain = Domain::new(CHAIN, ROLLUP);
    assert_eq!(d, hex(domain.0));
    let alice = L2Key::from_label("alice");
    let core_alice = CoreKey::from_label("alice");

    let t = tx::sign_transfer(
        &alice,
        &d,
        js(json!({"from": 0, "to": 1, "amount": "25000000", "nonce": "0"})),
    )
    .unwrap();
    let body = TxBody::Transfer(Transfer {
        from: 0,
        to: 1,
        amount: 25_000_000,
        nonce: 0,
    });
    // RFC 6979 signatures are deterministic: the very bytes the core makes
    assert_eq!(
        t,
        SignedTx::sign(body.clone(), &domain, &core_alice).encode()
    );
    assert_eq!(
        json(&tx::decode_tx(&t).unwrap()),
        json!({"kind": "transfer", "from": 0, "to": 1, "amount": "25000000", "nonce": "0",
               "signature": hex(&t[t.len() - 64..])})
    );
    assert_eq!(
        tx::signing_hash(&d, &t).unwrap(),
        hex(body.signing_hash(&domain))
    );

    // numbers are accepted for amounts and nonces; recipients are canonical hex
    let recipient = "ab".repeat(20);
    let w = tx::sign_withdrawal(
        &alice,
        &d,
        js(json!({"from": 0, "recipient": format!("0x{recipient}"), "amount": 7, "nonce": 1})),
    )
    .unwrap();
    let decoded = json(&tx::decode_tx(&w).unwrap());
    assert_eq!(decoded["kind"], "withdraw");
    assert_eq!(decoded["recipient"], recipient);
    assert_eq!(decoded["amount"], "7");
    assert_eq!(decoded["nonce"], "1");
    assert!(decoded.get("to").is_none());

    let data = tx::encode_batch(vec![bytes(&t), bytes(&w)]).unwrap();
    assert_eq!(data, [t.clone(), w.clone()].concat());
    let steps = tx::split_steps(&data);
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1].to_vec(), w);
    assert_eq!(
        tx::data_root(&data),
        hex(settle_core::batch::data_root(&data))
    );
    // an undecodable tail is one final step, as the contract counts it
    let mut tail = data.clone();
    tail.extend_from_slice(&[0xe0, 1, 2]);
    assert_eq!(tx::split_steps(&tail).len(), 3);

    // the core's decode errors
    assert_eq!(thrown(tx::decode_tx(&t[..10])), "input ends inside a value");
    assert_eq!(
        thrown(tx::encode_batch(vec![bytes(&t), bytes(&t[..10])])),
        "transaction 1: input ends inside a value"
    );
    assert_eq!(
        thrown(tx::signing_hash(&d, &[0xe0; 80])),
        "unknown transaction kind 7"
    );
    // a withdrawal's recipient must be 1..=64 bytes (the core's check)
    assert_eq!(
        thrown(tx::sign_withdrawal(
            &alice,
            &d,
            js(json!({"from": 0, "recipient": "", "amount": "1", "nonce": "0"}))
        )),
        "length 0 out of range"
    );
    assert!(thrown(tx::sign_transfer(
        &alice,
        &d,
        js(json!({"from": 0, "to": 1, "amount": "-5", "nonce": "0"}))
    ))
    .contains("\"-5\""));
    assert!(thrown(tx::sign_transfer(
        &alice,
        &d,
        js(json!({"from": 0, "to": 1, "nonce": "0"}))
    ))
    .contains("missing field `amount`"));
    assert_eq!(
        thrown(tx::sign_transfer(
            &alice,
            "beef",
            js(json!({"from": 0, "to": 1, "amount": "1", "nonce": "0"}))
        )),
        "expected 32 bytes for domain, got 2"
    );
}

#[wasm_bindgen_test]
fn addresses_convert_both_ways() {
    // BIP-173's valid bech32 vector: the 32 data characters are the 5-bit values 0..31
    let address = "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw";
    let canonical = "00443214c74254b635cf84653a56d7c675be77df";
    assert_eq!(tx::canonical_address(address).unwrap(), canonical);
    assert_eq!(tx::human_address(canonical, "abcdef").unwrap(), address);
    // a bech32m checksum (BIP-350's vector) is not a Cosmos address
    assert!(thrown(tx::canonical_address(
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx"
    ))
    .starts_with("invalid bech32 address"));
    assert!(thrown(tx::human_address(canonical, "")).starts_with("invalid bech32 prefix"));
}

// ---- Merkle trees -----------------------------------------------------------------

#[wasm_bindgen_test]
fn merkle_proofs_verify_and_tampering_fails_with_the_core_reason() {
    let items: Vec<Vec<u8>> = (0u32..7).map(|i| i.to_be_bytes().to_vec()).collect();
    let tree = merkle::MerkleTree::new(items.iter().map(|i| bytes(i)).collect());
    let core = settle_core::merkle::MerkleTree::from_data(&items);
    assert_eq!(tree.root(), hex(core.root()));
    assert_eq!(tree.length(), 7);
    let leaves: Vec<String> = core.leaves().iter().map(hex).collect();
    assert_eq!(
        merkle::MerkleTree::from_leaf_hashes(leaves.clone())
            .unwrap()
            .root(),
        tree.root()
    );
    for (i, item) in items.iter().enumerate() {
        let leaf = tree.leaf(i as f64).unwrap();
        assert_eq!(leaf, merkle::hash_leaf_js(item));
        let proof = tree.prove(i as f64).unwrap();
        assert!(merkle::merkle_verify(&tree.root(), &leaf, proof.clone()).unwrap());
        merkle::merkle_check(&tree.root(), &leaf, proof).unwrap();
    }
    let proof = json(&tree.prove(3.0).unwrap());
    assert_eq!(proof["index"], 3);
    assert_eq!(proof["leafCount"], 7);

    // a proof for another leaf: false, and the core's reason when asked
    let wrong = tree.prove(2.0).unwrap();
    assert!(!merkle::merkle_verify(&tree.root(), &leaves[3], wrong.clone()).unwrap());
    assert!(
        thrown(merkle::merkle_check(&tree.root(), &leaves[3], wrong))
            .starts_with("merkle root mismatch: the proof gives ")
    );
    let mut short = proof.clone();
    short["siblings"].as_array_mut().unwrap().pop();
    assert_eq!(
        thrown(merkle::merkle_check(&tree.root(), &leaves[3], js(short))),
        "merkle proof has 2 sibling hashes, expected 3"
    );

    let many = tree.prove_many(vec![1.0, 4.0, 6.0]).unwrap();
    let picked = vec![leaves[1].clone(), leaves[4].clone(), leaves[6].clone()];
    assert!(merkle::merkle_verify_many(&tree.root(), picked.clone(), many.clone()).unwrap());
    merkle::merkle_check_many(&tree.root(), picked, many.clone()).unwrap();
    let swapped = vec![leaves[4].clone(), leaves[1].clone(), leaves[6].clone()];
    assert!(!merkle::merkle_verify_many(&tree.root(), swapped.clone(), many.clone()).unwrap());
    assert!(
        thrown(merkle::merkle_check_many(&tree.root(), swapped, many))
            .starts_with("merkle root mismatch")
    );

    assert_eq!(
        thrown(tree.prove(7.0)),
        "leaf index 7 out of range for a tree of 7 leaves"
    );
    assert_eq!(
        thrown(tree.leaf(9.0)),
        "leaf index 9 out of range for a tree of 7 leaves"
    );
    assert_eq!(
        thrown(tree.prove_many(vec![4.0, 1.0])),
        "leaf indices must be strictly increasing"
    );
    assert_eq!(
        thrown(tree.prove(-1.0)),
        "index: -1 is not a non-negative safe integer"
    );
    assert_eq!(
        thrown(merkle::merkle_verify(
            "00",
            &leaves[0],
            tree.prove(0.0).unwrap()
        )),
        "expected 32 bytes for root, got 1"
    );
}

#[wasm_bindgen_test]
fn openzeppelin_trees_match_the_core() {
    let values = json!([
        [
            "0x1111111111111111111111111111111111111111",
            "5000000000000000000"
        ],
        [
            "0x2222222222222222222222222222222222222222",
            "2500000000000000000"
        ],
        ["0x3333333333333333333333333333333333333333", 7],
        [
            "0x4444444444444444444444444444444444444444",
            "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        ],
        ["0x5555555555555555555555555555555555555555", "0xff"],
    ]);
    let tree = oz::StandardMerkleTree::of(js(values.clone())).unwrap();
    let core_values: Vec<([u8; 20], [u8; 32])> = vec![
        (
            [0x11; 20],
            settle_core::oz::u256_from_u128(5_000_000_000_000_000_000),
        ),
        (
            [0x22; 20],
            settle_core::oz::u256_from_u128(2_500_000_000_000_000_000),
        ),
        ([0x33; 20], settle_core::oz::u256_from_u128(7)),
        ([0x44; 20], [0xff; 32]),
        ([0x55; 20], settle_core::oz::u256_from_u128(255)),
    ];
    let core = settle_core::oz::StandardMerkleTree::of(core_values).unwrap();
    assert_eq!(tree.root(), format!("0x{}", hex(core.root())));
    assert_eq!(tree.length(), 5);
    for i in 0..5 {
        assert_eq!(
            tree.leaf_hash(i as f64).unwrap(),
            format!("0x{}", hex(core.leaf(i).unwrap()))
        );
        let proof = tree.get_proof(i as f64).unwrap();
        assert!(oz::oz_verify(&tree.root(), js(values[i].clone()), proof.clone()).unwrap());
        assert_eq!(proof.len(), core.proof(i).unwrap().len());
    }
    // a proof of another value does not verify
    let other = tree.get_proof(1.0).unwrap();
    assert!(!oz::oz_verify(&tree.root(), js(values[0].clone()), other).unwrap());

    let mp = tree.get_multi_proof(vec![0.0, 3.0]).unwrap();
    assert!(oz::oz_verify_multi_proof(&tree.root(), mp.clone()).unwrap());
    let mut bad = json(&mp);
    bad["proofFlags"].as_array_mut().unwrap().push(json!(true));
    assert!(!oz::oz_verify_multi_proof(&tree.root(), js(bad)).unwrap());

    assert_eq!(
        thrown(oz::StandardMerkleTree::of(js(json!([])))),
        "an empty tree has no proofs"
    );
    assert_eq!(
        thrown(oz::StandardMerkleTree::of(js(json!([["0x11", "1"]])))),
        "expected 20 bytes for address, got 1"
    );
    assert!(thrown(oz::StandardMerkleTree::of(js(json!([[
        "0x1111111111111111111111111111111111111111",
        "115792089237316195423570985008687907853269984665640564039457584007913129639936"
    ]]))))
    .contains("does not fit a uint256"));
    assert_eq!(
        thrown(tree.get_proof(5.0)),
        "leaf index 5 out of range for a tree of 5 leaves"
    );
}

// ---- the rollup: deposits, a batch, withdrawal proofs, contract messages ------------

/// A node with two accounts (alice 1000, bob 500) and a deposit to a missing account
/// (refunded), after one batch: alice pays bob 100, bob withdraws 250, a stale nonce.
struct Flow {
    node: RollupNode,
    domain: String,
    alice: L2Key,
    bob: L2Key,
    recipient: String,
    proposal: JsValue,
    data: Vec<u8>,
}

/// A wasmd-style address (prefix `wasm`) of 20 bytes.
fn recipient_address() -> String {
    tx::human_address(&"42".repeat(20), "wasm").unwrap()
}

fn flow() -> Flow {
    let domain = tx::domain(CHAIN, ROLLUP);
    let mut node = RollupNode::new(&domain).unwrap();
    let (alice, bob) = (L2Key::from_label("alice"), L2Key::from_label("bob"));
    let refund = "11".repeat(20);
    node.observe_deposit(js(
        json!({"index": 0, "to": {"newAccount": {"pubkey": alice.public_key()}},
                                   "amount": "1000", "refundTo": refund}),
    ))
    .unwrap();
    // the contract's snake_case spelling is accepted too
    node.observe_deposit(js(
        json!({"index": 1, "to": {"new_account": {"pubkey": bob.public_key()}},
                                   "amount": "500", "refundTo": refund}),
    ))
    .unwrap();
    node.observe_deposit(js(json!({"index": 2, "to": {"account": {"index": 7}},
                                   "amount": "30", "refundTo": refund})))
        .unwrap();
    let recipient = recipient_address();
    let canonical = tx::canonical_address(&recipient).unwrap();
    let t = tx::sign_transfer(
        &alice,
        &domain,
        js(json!({"from": 0, "to": 1, "amount": "100", "nonce": "0"})),
    )
    .unwrap();
    let w = tx::sign_withdrawal(
        &bob,
        &domain,
        js(json!({"from": 1, "recipient": canonical, "amount": "250", "nonce": "0"})),
    )
    .unwrap();
    let stale = tx::sign_transfer(
        &alice,
        &domain,
        js(json!({"from": 0, "to": 1, "amount": "1", "nonce": "5"})),
    )
    .unwrap();
    let data = tx::encode_batch(vec![bytes(&t), bytes(&w), bytes(&stale)]).unwrap();
    assert_eq!(
        json(&node.pending_deposits().unwrap())
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let proposal = node.propose(data.clone()).unwrap();
    Flow {
        node,
        domain,
        alice,
        bob,
        recipient,
        proposal,
        data,
    }
}

#[wasm_bindgen_test]
fn rollup_node_applies_deposits_and_transactions() {
    let f = flow();
    let n = &f.node;
    let output = json(&n.batch_output(0.0).unwrap());
    assert_eq!(
        json(&f.proposal),
        json!({"index": 0, "data": b64(&f.data), "depositsConsumed": 3,
               "outputRoot": output["outputRoot"]})
    );
    assert_eq!(output["depositCursor"], 3);
    assert_eq!(output["dataRoot"], tx::data_root(&f.data));
    assert_eq!(output["stateRoot"], n.state_root());
    assert_eq!(json(&n.pending_deposits().unwrap()), json!([]));
    assert_eq!(
        json(&n.batch_effects(0.0).unwrap()),
        json!([{"applied": true}, {"applied": true, "withdrawalIndex": 1},
               {"applied": false, "reason": "nonce 5, expected 1"}])
    );
    assert_eq!(
        json(&n.account(0).unwrap()),
        json!({"pubkey": f.alice.public_key(), "balance": "900", "nonce": "1"})
    );
    assert_eq!(
        json(&n.account(1).unwrap()),
        json!({"pubkey": f.bob.public_key(), "balance": "350", "nonce": "1"})
    );
    assert!(n.account(2).unwrap().is_undefined());
    assert_eq!(n.account_count(), 2.0);
    assert_eq!(n.batch_count(), 1.0);
    assert_eq!(n.find_account(&f.bob.public_key()).unwrap(), Some(1));
    assert_eq!(n.find_account(&"02".repeat(33)).unwrap(), None);

    // the account proof verifies in the core's sparse tree
    let p = json(&n.account_proof(1).unwrap());
    let proof = settle_core::smt::CompactProof {
        bitmap: p["bitmap"].as_u64().unwrap() as u32,
        siblings: p["siblings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                hex::decode(s.as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap()
            })
            .collect(),
    };
    let bob = settle_core::ledger::Account {
        pubkey: hex::decode(f.bob.public_key()).unwrap().try_into().unwrap(),
        balance: 350,
        nonce: 1,
    };
    let root: [u8; 32] = hex::decode(n.accounts_root()).unwrap().try_into().unwrap();
    assert_eq!(
        settle_core::smt::verify(
            settle_core::ledger::ACCOUNT_TREE_DEPTH,
            &root,
            1,
            &bob.leaf(),
            &proof
        ),
        Ok(())
    );

    // deposits in queue order only; the core's messages
    let mut node = RollupNode::new(&f.domain).unwrap();
    assert_eq!(
        thrown(
            node.observe_deposit(js(json!({"index": 4, "to": {"account": {"index": 0}},
                                                "amount": "1", "refundTo": "11"})))
        ),
        "malformed deposit: deposit 4 observed where 0 is next"
    );
    assert_eq!(
        thrown(node.propose_with(vec![], 1.0)),
        "malformed batch: 1 deposits requested, 0 pending"
    );
    let empty = json(&node.propose_with(vec![], 0.0).unwrap());
    assert_eq!(empty["index"], 0);
    assert_eq!(
        thrown(f.node.batch_effects(1.0)),
        "no such batch (1): 1 applied so far"
    );
}

#[wasm_bindgen_test]
fn withdrawal_proofs_verify_and_tampering_fails_with_a_reason() {
    let f = flow();
    let output = f.node.batch_output(0.0).unwrap();
    let proof = f.node.withdrawal_proof(0.0, 1).unwrap();
    let p = json(&proof);
    assert_eq!(p["batch"], 0);
    assert_eq!(p["index"], 1);
    assert_eq!(p["recipient"], tx::canonical_address(&f.recipient).unwrap());
    assert_eq!(p["amount"], "250");
    assert_eq!(
        json(&msg::verify_withdrawal(output.clone(), proof.clone()).unwrap()),
        json!({"valid": true})
    );
    // the refunded deposit is withdrawal 0, payable to the depositor
    let refund = f.node.withdrawal_proof(0.0, 0).unwrap();
    assert_eq!(json(&refund)["amount"], "30");
    assert_eq!(json(&refund)["recipient"], "11".repeat(20));
    assert_eq!(
        json(&msg::verify_withdrawal(output.clone(), refund).unwrap()),
        json!({"valid": true})
    );
    // the contract's `batch` query response is accepted as the commitment
    let o = json(&output);
    let queried = js(
        json!({"index": 0, "output_root": o["outputRoot"], "data_root": o["dataRoot"],
                            "deposits_to": 3, "proposer": "wasm1...", "status": "finalized"}),
    );
    assert_eq!(
        json(&msg::verify_withdrawal(queried, proof.clone()).unwrap()),
        json!({"valid": true})
    );

    let verdict = |claim: Value| json(&msg::verify_withdrawal(output.clone(), js(claim)).unwrap());
    let mut more = p.clone();
    more["amount"] = json!("251");
    let v = verdict(more);
    assert_eq!(v["valid"], false);
    assert!(v["reason"]
        .as_str()
        .unwrap()
        .starts_with("merkle root mismatch: the proof gives "));
    let mut other_index = p.clone();
    other_index["index"] = json!(0);
    assert_eq!(verdict(other_index)["valid"], false);
    let mut state = p.clone();
    state["stateRoot"] = json!("00".repeat(32));
    assert_eq!(
        verdict(state),
        json!({"valid": false, "reason": "output preimage does not match the output root of batch 0"})
    );
    let mut cut = p.clone();
    cut["proof"] = json!(&p["proof"].as_str().unwrap()[..10]);
    assert_eq!(
        verdict(cut)["reason"],
        "malformed sparse merkle proof: 5 bytes is not a 2-byte bitmap followed by 32-byte hashes"
    );
    // another batch's commitment
    let mut moved = json(&output);
    moved["depositCursor"] = json!(2);
    assert_eq!(
        json(&msg::verify_withdrawal(js(moved), proof.clone()).unwrap())["reason"],
        "output preimage does not match the output root of batch 0"
    );
    // unreadable arguments throw
    assert!(thrown(msg::verify_withdrawal(js(json!({})), proof)).contains("missing field"));
    assert_eq!(
        thrown(f.node.withdrawal_proof(0.0, 2)),
        "leaf index 2 out of range for a tree of 2 leaves"
    );
}

#[wasm_bindgen_test]
fn contract_messages_have_the_contract_shape() {
    let f = flow();
    let proof = f.node.withdrawal_proof(0.0, 1).unwrap();
    let p = json(&proof);
    let m = json(&msg::withdraw_msg(proof.clone(), &f.recipient).unwrap());
    let proof_bytes = hex::decode(p["proof"].as_str().unwrap()).unwrap();
    assert_eq!(
        m,
        json!({"withdraw": {"batch": 0, "index": 1, "recipient": f.recipient, "amount": "250",
                            "output": {"state_root": p["stateRoot"], "withdrawals_root": p["withdrawalsRoot"]},
                            "proof": b64(&proof_bytes)}})
    );
    // another address than the withdrawal names: the contract would refuse the proof
    let other = tx::human_address(&"43".repeat(20), "wasm").unwrap();
    assert!(thrown(msg::withdraw_msg(proof, &other)).contains("but the withdrawal pays"));

    let pr = json(&f.proposal);
    assert_eq!(
        json(&msg::propose_batch_msg(f.proposal.clone()).unwrap()),
        json!({"propose_batch": {"data": b64(&f.data), "deposits_consumed": 3,
                                 "output_root": pr["outputRoot"]}})
    );

    let pk = f.alice.public_key();
    assert_eq!(
        json(&msg::deposit_msg(js(json!({"newAccount": {"pubkey": pk}}))).unwrap()),
        json!({"deposit": {"to": {"new_account": {"pubkey": pk}}}})
    );
    assert_eq!(
        json(&msg::deposit_msg(js(json!({"account": {"index": 3}}))).unwrap()),
        json!({"deposit": {"to": {"account": {"index": 3}}}})
    );
    let mut compact = pk.clone();
    compact.replace_range(..2, "05");
    assert_eq!(
        thrown(msg::deposit_msg(js(
            json!({"newAccount": {"pubkey": compact}})
        ))),
        "invalid secp256k1 key: not a compressed secp256k1 point"
    );
    assert_eq!(
        thrown(msg::deposit_msg(js(
            json!({"newAccount": {"pubkey": "02"}})
        ))),
        "expected 33 bytes for public key, got 1"
    );
}

// ---- hashing, sparse trees, deposits -------------------------------------------------

#[wasm_bindgen_test]
fn keccak_node_hashes_and_tags_match_the_core() {
    use settle_core::hash as core;
    for input in [&b""[..], b"abc", &[0u8; 136], &[7u8; 300]] {
        assert_eq!(hash::keccak256(input), hex(core::keccak256(input)));
    }
    assert_eq!(
        hash::keccak256(b""),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    let (a, b) = ([7u8; 32], [9u8; 32]);
    assert_eq!(
        hash::hash_node(&hex(a), &format!("0x{}", hex(b))).unwrap(),
        hex(core::hash_node(&a, &b))
    );
    assert_eq!(
        thrown(hash::hash_node("00", &hex(b))),
        "expected 32 bytes for left, got 1"
    );
    assert!(thrown(hash::hash_node(&hex(a), "zz")).starts_with("right: \"zz\" is not hex"));
    assert_eq!(
        json(&hash::tags().unwrap()),
        json!({
            "leaf": "00",
            "node": "01",
            "state": hex(core::STATE_TAG),
            "output": hex(core::OUTPUT_TAG),
            "data": hex(core::DATA_TAG),
            "txDomain": hex(core::TX_DOMAIN_TAG),
            "deposit": hex(core::DEPOSIT_TAG),
        })
    );
    assert_eq!(
        json(&hash::tags().unwrap())["deposit"],
        hex("settle/deposit/v1")
    );
}

#[wasm_bindgen_test]
fn sparse_proofs_match_the_core_and_fail_with_its_reasons() {
    use settle_core::hash::hash_leaf;
    use settle_core::smt::{self, SparseMerkleTree, DEFAULT_NODES};

    for level in [0usize, 1, 16, 32] {
        assert_eq!(
            sparse::default_node(level as f64).unwrap(),
            hex(DEFAULT_NODES[level])
        );
    }
    assert_eq!(
        thrown(sparse::default_node(33.0)),
        "level: 33 is above the deepest sparse tree (32)"
    );

    let filled = [0u64, 1, 5, 1000, 4_000_000_000];
    let leaf = |i: u64| hash_leaf(&i.to_be_bytes());
    let tree = SparseMerkleTree::<32>::from_leaves(filled.iter().map(|&i| (i, leaf(i)))).unwrap();
    let root = hex(tree.root());
    for i in filled.into_iter().chain([2, 77]) {
        let core = tree.prove(i).unwrap();
        let wire = hex(core.to_bytes(32));
        let leaf = hex(tree.leaf(i).unwrap());
        assert_eq!(
            sparse::sparse_compute_root(32.0, i as f64, &leaf, &wire).unwrap(),
            root
        );
        assert!(sparse::sparse_verify(32.0, &root, i as f64, &leaf, &wire).unwrap());
        sparse::sparse_check(32.0, &root, i as f64, &leaf, &wire).unwrap();
        let parts = sparse::sparse_proof_from_bytes(32.0, &wire).unwrap();
        let siblings: Vec<String> = core.siblings.iter().map(hex).collect();
        assert_eq!(
            json(&parts),
            json!({"bitmap": core.bitmap, "siblings": siblings})
        );
        assert_eq!(sparse::sparse_proof_to_bytes(32.0, parts).unwrap(), wire);
    }

    // a proof for leaf 5 does not put another leaf there
    let wire = hex(tree.prove(5).unwrap().to_bytes(32));
    let other = hex(leaf(6));
    assert!(!sparse::sparse_verify(32.0, &root, 5.0, &other, &wire).unwrap());
    assert!(
        thrown(sparse::sparse_check(32.0, &root, 5.0, &other, &wire))
            .starts_with("merkle root mismatch: the proof gives ")
    );
    // malformed wire forms: false, or the core's reason
    let short = &wire[..wire.len() - 2];
    assert!(!sparse::sparse_verify(32.0, &root, 5.0, &hex(leaf(5)), short).unwrap());
    let n = short.len() / 2;
    assert_eq!(
        thrown(sparse::sparse_check(32.0, &root, 5.0, &hex(leaf(5)), short)),
        format!(
            "malformed sparse merkle proof: {n} bytes is not a 4-byte bitmap followed by 32-byte hashes"
        )
    );
    assert_eq!(
        thrown(sparse::sparse_compute_root(
            32.0,
            0.0,
            &hex(leaf(0)),
            "000000"
        )),
        "malformed sparse merkle proof: 3 bytes is not a 4-byte bitmap followed by 32-byte hashes"
    );
    assert_eq!(
        thrown(sparse::sparse_proof_from_bytes(
            16.0,
            &format!("0001{}", "00".repeat(64))
        )),
        "merkle proof has 2 sibling hashes, expected 1"
    );
    assert_eq!(
        thrown(sparse::sparse_compute_root(
            16.0,
            65536.0,
            &hex(leaf(0)),
            "0000"
        )),
        "leaf index 65536 out of range for a tree of 65536 leaves"
    );
    assert_eq!(
        thrown(sparse::sparse_proof_to_bytes(
            16.0,
            js(json!({"bitmap": 1 << 20, "siblings": [hex([0u8; 32])]}))
        )),
        "malformed sparse merkle proof: bitmap 0x100000 has bits above depth 16"
    );
    assert_eq!(
        thrown(sparse::sparse_proof_to_bytes(
            16.0,
            js(json!({"bitmap": 3, "siblings": [hex([0u8; 32])]}))
        )),
        "merkle proof has 1 sibling hashes, expected 2"
    );
    // arguments that cannot be read
    assert_eq!(
        thrown(sparse::sparse_verify(
            33.0,
            &root,
            0.0,
            &hex(leaf(0)),
            &wire
        )),
        "depth: 33 is above the deepest sparse tree (32)"
    );
    assert_eq!(
        thrown(sparse::sparse_verify(
            32.0,
            &root,
            0.5,
            &hex(leaf(0)),
            &wire
        )),
        "index: 0.5 is not a non-negative safe integer"
    );
    assert!(thrown(sparse::sparse_verify(
        32.0,
        &root,
        0.0,
        &hex(leaf(0)),
        "xyz"
    ))
    .starts_with("proof: \"xyz\" is not hex"));

    // a witness gives the old root with the old leaves and the new root with new ones
    let touched = [1u64, 2, 1000, 4_000_000_000];
    let core = tree.prove_many(&touched).unwrap();
    let hashes: Vec<String> = core.hashes.iter().map(hex).collect();
    let witness = json!({"indices": touched, "present": core.present, "hashes": hashes});
    let old: Vec<String> = touched
        .iter()
        .map(|&i| hex(tree.leaf(i).unwrap()))
        .collect();
    assert_eq!(
        sparse::sparse_witness_root(32.0, js(witness.clone()), old.clone()).unwrap(),
        root
    );
    assert!(sparse::sparse_verify_many(32.0, &root, js(witness.clone()), old.clone()).unwrap());
    sparse::sparse_check_many(32.0, &root, js(witness.clone()), old.clone()).unwrap();
    let mut updated = tree.clone();
    let new: Vec<String> = touched
        .iter()
        .map(|&i| {
            let h = hash_leaf(&[1, i as u8]);
            updated.set(i, h).unwrap();
            hex(h)
        })
        .collect();
    assert_eq!(
        sparse::sparse_witness_root(32.0, js(witness.clone()), new.clone()).unwrap(),
        hex(updated.root())
    );
    assert!(!sparse::sparse_verify_many(32.0, &root, js(witness.clone()), new.clone()).unwrap());
    assert!(thrown(sparse::sparse_check_many(
        32.0,
        &root,
        js(witness.clone()),
        new
    ))
    .starts_with("merkle root mismatch: the proof gives "));
    let mut extra = witness.clone();
    extra["present"].as_array_mut().unwrap().push(json!(false));
    assert_eq!(
        thrown(sparse::sparse_witness_root(32.0, js(extra), old.clone())),
        "malformed sparse multiproof: flags do not match the leaf set"
    );
    assert_eq!(
        thrown(sparse::sparse_witness_root(
            32.0,
            js(witness.clone()),
            old[1..].to_vec()
        )),
        "multiproof covers 4 leaves, 3 given"
    );
    let mut unsorted = witness.clone();
    unsorted["indices"] = json!([2, 1, 1000, 4_000_000_000u64]);
    assert_eq!(
        thrown(sparse::sparse_check_many(
            32.0,
            &root,
            js(unsorted),
            old.clone()
        )),
        "leaf indices must be strictly increasing"
    );
    assert_eq!(
        thrown(sparse::sparse_witness_root(
            32.0,
            js(json!({"indices": [], "present": [], "hashes": []})),
            vec![]
        )),
        "a multiproof needs at least one leaf"
    );
    assert_eq!(
        thrown(sparse::sparse_witness_root(
            32.0,
            js(json!({"indices": [1]})),
            vec![]
        )),
        "missing field `present`"
    );
    // the core's own check agrees
    assert_eq!(
        smt::verify(32, &tree.root(), 5, &leaf(5), &tree.prove(5).unwrap()),
        Ok(())
    );
}

#[wasm_bindgen_test]
fn deposit_encodings_and_chain_match_the_core() {
    use settle_core::ledger::{Deposit, DepositTarget};
    let alice = L2Key::from_label("alice");
    let refund = "11".repeat(20);
    let opening = json!({"index": 0, "to": {"newAccount": {"pubkey": alice.public_key()}},
                         "amount": "1000", "refundTo": refund});
    let credit = json!({"index": 1, "to": {"account": {"index": 7}},
                        "amount": 30, "refundTo": format!("0x{refund}")});
    let core = [
        Deposit {
            index: 0,
            target: DepositTarget::NewAccount(CoreKey::from_label("alice").public_key()),
            amount: 1000,
            refund_to: vec![0x11; 20],
        },
        Deposit {
            index: 1,
            target: DepositTarget::Account(7),
            amount: 30,
            refund_to: vec![0x11; 20],
        },
    ];
    assert_eq!(
        node::encode_deposit(js(opening.clone())).unwrap(),
        hex(core[0].encode())
    );
    assert_eq!(
        node::encode_deposit(js(credit.clone())).unwrap(),
        hex(core[1].encode())
    );
    assert_eq!(
        node::encode_deposit(js(credit.clone())).unwrap(),
        format!(
            "0000000000000001{}{}{}14{refund}",
            "0100000007",
            "00".repeat(15),
            "1e"
        )
    );
    let zero = hex([0u8; 32]);
    let head0 = node::deposit_chain(&zero, js(opening)).unwrap();
    assert_eq!(head0, hex(core[0].chain(&[0; 32])));
    let head1 = node::deposit_chain(&head0, js(credit.clone())).unwrap();
    assert_eq!(head1, hex(core[1].chain(&core[0].chain(&[0; 32]))));

    assert_eq!(
        thrown(node::deposit_chain("00", js(credit))),
        "expected 32 bytes for head, got 1"
    );
    assert_eq!(
        thrown(node::encode_deposit(js(
            json!({"index": 0, "to": {"account": {"index": 1}},
                                               "refundTo": refund})
        ))),
        "missing field `amount`"
    );
    assert_eq!(
        thrown(node::encode_deposit(js(
            json!({"index": 0, "to": {"newAccount": {"pubkey": "02"}},
                                               "amount": "1", "refundTo": refund})
        ))),
        "expected 33 bytes for public key, got 1"
    );
}
