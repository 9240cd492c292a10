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

/// A JS array of strings as Rust strings.
fn strings(array: js_sys::Array) -> Vec<String> {
    array
        .iter()
        .map(|v| v.as_string().expect("a string"))
        .collect()
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

/// Hex (a `0x` prefix allowed) as a contract message carries the bytes: base64.
fn b64h(h: &Value) -> String {
    b64(&hex::decode(h.as_str().expect("hex").trim_start_matches("0x")).expect("hex"))
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
        assert!(merkle::merkle_verify(&tree.root(), item, proof.clone()).unwrap());
        merkle::merkle_check(&tree.root(), item, proof).unwrap();
        // the leaf HASH is not the leaf's data: hashed again, it is refused
        assert!(!merkle::merkle_verify(
            &tree.root(),
            &core.leaves()[i],
            tree.prove(i as f64).unwrap()
        )
        .unwrap());
    }
    let proof = json(&tree.prove(3.0).unwrap());
    assert_eq!(proof["index"], 3);
    assert_eq!(proof["leafCount"], 7);

    // a proof for another leaf: false, and the core's reason when asked
    let wrong = tree.prove(2.0).unwrap();
    assert!(!merkle::merkle_verify(&tree.root(), &items[3], wrong.clone()).unwrap());
    assert!(thrown(merkle::merkle_check(&tree.root(), &items[3], wrong))
        .starts_with("merkle root mismatch: the proof gives "));
    let mut short = proof.clone();
    short["siblings"].as_array_mut().unwrap().pop();
    assert_eq!(
        thrown(merkle::merkle_check(&tree.root(), &items[3], js(short))),
        "merkle proof has 2 sibling hashes, expected 3"
    );

    let many = tree.prove_many(vec![1.0, 4.0, 6.0]).unwrap();
    let picked = vec![bytes(&items[1]), bytes(&items[4]), bytes(&items[6])];
    assert!(merkle::merkle_verify_many(&tree.root(), picked.clone(), many.clone()).unwrap());
    merkle::merkle_check_many(&tree.root(), picked, many.clone()).unwrap();
    let swapped = vec![bytes(&items[4]), bytes(&items[1]), bytes(&items[6])];
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
            &items[0],
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
        let proof = strings(tree.get_proof(i as f64).unwrap());
        let expected: Vec<String> = core
            .proof(i)
            .unwrap()
            .iter()
            .map(|h| format!("0x{}", hex(h)))
            .collect();
        assert_eq!(proof, expected);
        assert!(oz::oz_verify(&tree.root(), js(values[i].clone()), proof).unwrap());
    }
    // a proof of another value does not verify
    let other = strings(tree.get_proof(1.0).unwrap());
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
        json!({"batch": 0, "output_root": o["outputRoot"], "data_root": o["dataRoot"],
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
                            "output": {"state_root": b64h(&p["stateRoot"]), "withdrawals_root": b64h(&p["withdrawalsRoot"])},
                            "proof": b64(&proof_bytes)}})
    );
    // another address than the withdrawal names: the contract would refuse the proof
    let other = tx::human_address(&"43".repeat(20), "wasm").unwrap();
    assert!(thrown(msg::withdraw_msg(proof, &other)).contains("but the withdrawal pays"));

    let pr = json(&f.proposal);
    assert_eq!(
        json(&msg::propose_batch_msg(f.proposal.clone()).unwrap()),
        json!({"propose_batch": {"data": b64(&f.data), "deposits_consumed": 3,
                                 "output_root": b64h(&pr["outputRoot"])}})
    );

    let pk = f.alice.public_key();
    assert_eq!(
        json(&msg::deposit_msg(js(json!({"newAccount": {"pubkey": pk}}))).unwrap()),
        json!({"deposit": {"target": {"new_account": {"pubkey": b64h(&json!(pk))}}}})
    );
    assert_eq!(
        json(&msg::deposit_msg(js(json!({"account": {"index": 3}}))).unwrap()),
        json!({"deposit": {"target": {"account": {"account": 3}}}})
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

// ---- fraud proofs --------------------------------------------------------------------

use settle_core::crypto::NativeVerifier;
use settle_core::dispute::{
    one_step as core_one_step, ClockRules, Game, OneStepProof, Phase, Side, StepKind,
};
use settle_wasm::dispute::{self, BatchTrace};

/// The flow's node after a second batch: deposit 3 credits alice, alice pays bob 10, a
/// transfer from bob signed with alice's key, bob withdraws 20, an undecodable tail.
fn two_batches() -> Flow {
    let mut f = flow();
    f.node
        .observe_deposit(js(json!({"index": 3, "to": {"account": {"index": 0}},
                                   "amount": "40", "refundTo": "22".repeat(20)})))
        .unwrap();
    let t = tx::sign_transfer(
        &f.alice,
        &f.domain,
        js(json!({"from": 0, "to": 1, "amount": "10", "nonce": "1"})),
    )
    .unwrap();
    let forged = tx::sign_transfer(
        &f.alice,
        &f.domain,
        js(json!({"from": 1, "to": 0, "amount": "10", "nonce": "1"})),
    )
    .unwrap();
    let w = tx::sign_withdrawal(
        &f.bob,
        &f.domain,
        js(json!({"from": 1, "recipient": "33".repeat(20), "amount": "20", "nonce": "1"})),
    )
    .unwrap();
    let mut data = tx::encode_batch(vec![bytes(&t), bytes(&forged), bytes(&w)]).unwrap();
    data.extend_from_slice(&[0xe0, 1, 2]);
    f.node.propose(data).unwrap();
    f
}

/// `oneStep`'s arguments for step `step` of `trace`, from its own roots and proof.
fn one_step_args(trace: &BatchTrace, step: u64, proof: &[u8]) -> Value {
    let kind = json(&trace.step_kind(step as f64).unwrap());
    let deposit = match kind["queueIndex"].as_f64() {
        Some(q) => json(&trace.deposit(q).unwrap()),
        None => Value::Null,
    };
    json!({"context": json(&trace.context().unwrap()), "domain": trace.domain(), "step": step,
           "preRoot": trace.root_at(step as f64).unwrap(), "deposit": deposit,
           "proof": hex(proof)})
}

#[wasm_bindgen_test]
fn batch_traces_prove_every_step_to_the_next_root() {
    let f = two_batches();
    let n = &f.node;
    assert_eq!(
        dispute::genesis_root_js(),
        hex(settle_core::dispute::genesis_root())
    );
    for b in 0..2u64 {
        let trace = n.batch_trace(b as f64).unwrap();
        let core = trace.core();
        let output = json(&n.batch_output(b as f64).unwrap());
        assert_eq!(trace.batch_index(), b as f64);
        assert_eq!(trace.domain(), f.domain);
        let steps = trace.steps() as u64;
        assert_eq!(steps, core.ctx.steps());
        let ctx = json(&trace.context().unwrap());
        let anchor = if b == 0 {
            dispute::genesis_root_js()
        } else {
            json(&n.batch_output(0.0).unwrap())["outputRoot"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let parent = if b == 0 {
            Value::Null
        } else {
            let o = json(&n.batch_output(0.0).unwrap());
            json!({"outputRoot": o["outputRoot"], "depositCursor": o["depositCursor"],
                   "dataRoot": o["dataRoot"]})
        };
        assert_eq!(
            ctx,
            json!({"batch": b, "parent": parent, "anchorRoot": anchor,
                   "depositsFrom": if b == 0 { 0 } else { 3 },
                   "deposits": if b == 0 { 3 } else { 1 },
                   "txSteps": if b == 0 { 3 } else { 4 }, "dataRoot": output["dataRoot"],
                   "outputRoot": output["outputRoot"], "steps": steps})
        );
        // the true roots run from the agreed anchor to the posted output root
        let roots = trace.roots().unwrap();
        assert_eq!(roots.len() as u64, steps + 1);
        assert_eq!(roots[0], anchor);
        assert_eq!(
            roots[steps as usize],
            output["outputRoot"].as_str().unwrap()
        );
        let core_roots = core.roots(&NativeVerifier).unwrap();
        assert_eq!(roots, core_roots.iter().map(hex).collect::<Vec<_>>());
        assert_eq!(
            thrown(trace.root_at((steps + 1) as f64)),
            format!("no position {}: positions run 0..={steps}", steps + 1)
        );
        for j in 0..steps {
            let kind = json(&trace.step_kind(j as f64).unwrap());
            let expected = match core.ctx.step_kind(j).unwrap() {
                StepKind::Open => json!({"kind": "open"}),
                StepKind::Deposit { queue_index } => {
                    json!({"kind": "deposit", "queueIndex": queue_index})
                }
                StepKind::Tx { index } => json!({"kind": "tx", "index": index}),
                StepKind::Close => json!({"kind": "close"}),
            };
            assert_eq!(kind, expected);
            let proof = trace.proof(j as f64).unwrap();
            assert_eq!(proof, core.proof(&NativeVerifier, j).unwrap().encode());
            assert_eq!(
                dispute::one_step(js(one_step_args(&trace, j, &proof))).unwrap(),
                trace.root_at((j + 1) as f64).unwrap(),
                "batch {b} step {j}"
            );
            // the proof as a Uint8Array works too
            let mut args = one_step_args(&trace, j, &proof);
            args["proof"] = Value::Null;
            let args = js(args);
            js_sys::Reflect::set(&args, &"proof".into(), &bytes(&proof)).unwrap();
            assert_eq!(
                dispute::one_step(args).unwrap(),
                trace.root_at((j + 1) as f64).unwrap()
            );
            // decoded, it is the kind of its step
            let decoded = json(&dispute::decode_one_step_proof(&proof).unwrap());
            assert_eq!(decoded["kind"], kind["kind"]);
            if kind["kind"] != "open" {
                assert_eq!(decoded["pre"]["root"], roots[j as usize]);
            }
        }
        assert_eq!(
            thrown(trace.step_kind(steps as f64)),
            format!("no step {steps}: the batch has steps 0..{steps} (positions 0..={steps})")
        );
    }

    // what the decoded proofs say: the withdrawal step of batch 0 (step 5: open, three
    // deposits, the transfer) witnesses bob's account and the empty withdrawal slot 1
    let trace = n.batch_trace(0.0).unwrap();
    let d = json(&dispute::decode_one_step_proof(&trace.proof(5.0).unwrap()).unwrap());
    assert_eq!(d["kind"], "tx");
    assert_eq!(d["pre"]["withdrawalCount"], 1);
    assert_eq!(d["pre"]["accountCount"], 2);
    assert_eq!(
        d["accounts"]["accounts"],
        json!([{"index": 1, "account": {"pubkey": f.bob.public_key(), "balance": "600",
                                         "nonce": "0"}}])
    );
    assert!(d["withdrawalSlot"]["bitmap"].is_number());
    let steps = tx::split_steps(&f.data);
    assert_eq!(d["tx"], hex(steps[1].to_vec()));
    // the refunded deposit (step 3) records a withdrawal without touching an account
    let d = json(&dispute::decode_one_step_proof(&trace.proof(3.0).unwrap()).unwrap());
    assert_eq!(d["kind"], "deposit");
    assert_eq!(
        d["accounts"],
        json!({"accounts": [], "present": [], "hashes": []})
    );
    assert!(d["withdrawalSlot"].is_object());
    assert_eq!(
        json(&dispute::decode_one_step_proof(&trace.proof(0.0).unwrap()).unwrap()),
        json!({"kind": "open", "parent": null})
    );
    let d = json(&dispute::decode_one_step_proof(&trace.proof(7.0).unwrap()).unwrap());
    assert_eq!(d["kind"], "close");
    assert_eq!(d["pre"]["root"], trace.root_at(7.0).unwrap());
    let trace1 = n.batch_trace(1.0).unwrap();
    let out0 = json(&n.batch_output(0.0).unwrap());
    assert_eq!(
        json(&dispute::decode_one_step_proof(&trace1.proof(0.0).unwrap()).unwrap()),
        json!({"kind": "open", "parent": {"stateRoot": out0["stateRoot"],
                                          "withdrawalsRoot": out0["withdrawalsRoot"]}})
    );
    // the contract's snake_case context works as it is
    let ctx = json(&trace1.context().unwrap());
    let mut args = one_step_args(&trace1, 0, &trace1.proof(0.0).unwrap());
    args["context"] = json!({"batch": 1, "parent": {"output_root": ctx["parent"]["outputRoot"],
        "deposit_cursor": 3, "data_root": ctx["parent"]["dataRoot"]},
        "anchor_root": ctx["anchorRoot"], "deposits_from": 3, "deposits": 1, "tx_steps": 4,
        "data_root": ctx["dataRoot"], "output_root": ctx["outputRoot"], "steps": 7});
    let pre = args.as_object_mut().unwrap().remove("preRoot").unwrap();
    args["pre_root"] = pre;
    assert_eq!(
        dispute::one_step(js(args)).unwrap(),
        trace1.root_at(1.0).unwrap()
    );
}

#[wasm_bindgen_test]
fn one_step_refuses_proofs_that_prove_nothing_with_the_core_message() {
    let f = two_batches();
    let trace = f.node.batch_trace(1.0).unwrap();
    let core = trace.core();
    let roots = core.roots(&NativeVerifier).unwrap();
    // the core's own verdict on the same inputs
    let core_error = |step: u64, pre: &[u8; 32], wire: &[u8], with_deposit: bool| {
        OneStepProof::decode(wire)
            .and_then(|p| {
                let d = core.deposit(core.ctx.deposits_from).unwrap();
                core_one_step(
                    &core.ctx,
                    &core.domain,
                    &NativeVerifier,
                    step,
                    pre,
                    with_deposit.then_some(d),
                    &p,
                )
            })
            .unwrap_err()
            .to_string()
    };
    let run = |step: u64, pre: &str, wire: &[u8], deposit: bool| {
        let mut args = one_step_args(&trace, step, wire);
        args["preRoot"] = json!(pre);
        if !deposit {
            args["deposit"] = Value::Null;
        }
        thrown(dispute::one_step(js(args)))
    };
    let tx_step = 2; // open, one deposit, then the transfer
    let good = trace.proof(tx_step as f64).unwrap();
    let pre = hex(roots[tx_step as usize]);

    // cut short, and one byte too many
    let cut = &good[..good.len() - 5];
    let got = run(tx_step, &pre, cut, false);
    assert_eq!(got, core_error(tx_step, &roots[2], cut, false));
    assert_eq!(got, "malformed one-step proof: input ends inside a value");
    let mut long = good.clone();
    long.push(0);
    assert_eq!(
        run(tx_step, &pre, &long, false),
        "malformed one-step proof: 1 bytes left after the proof"
    );
    assert_eq!(
        run(tx_step, &pre, &[9], false),
        "malformed one-step proof: unknown step kind 9"
    );
    // a pre-state that is not the agreed root's preimage
    let mut tampered = good.clone();
    tampered[1] ^= 1;
    let got = run(tx_step, &pre, &tampered, false);
    assert_eq!(got, core_error(tx_step, &roots[2], &tampered, false));
    assert!(
        got.starts_with("the proof's pre-state gives root "),
        "{got}"
    );
    // the right proof from another agreed root
    assert!(
        run(tx_step, &hex(roots[1]), &good, false).starts_with("the proof's pre-state gives root ")
    );
    // a transaction proof offered for the deposit step
    assert_eq!(
        run(1, &hex(roots[1]), &good, true),
        "malformed one-step proof: step 1 is a deposit step, the proof is for a transaction step"
    );
    // the deposit step without its deposit
    let dp = trace.proof(1.0).unwrap();
    assert_eq!(
        run(1, &hex(roots[1]), &dp, false),
        "malformed one-step proof: the deposit of this step is missing"
    );
    // a witness lying about a balance
    let mut p = OneStepProof::decode(&good).unwrap();
    if let OneStepProof::Tx { accounts, .. } = &mut p {
        accounts.accounts[0].1.as_mut().unwrap().balance += 1;
    }
    let wire = p.encode();
    let got = run(tx_step, &pre, &wire, false);
    assert_eq!(got, core_error(tx_step, &roots[2], &wire, false));
    assert!(got.starts_with("merkle root mismatch: "), "{got}");
    // unreadable arguments say which
    assert!(
        thrown(dispute::one_step(js(json!({"domain": trace.domain()}))))
            .starts_with("missing field `")
    );
    assert_eq!(
        thrown(dispute::decode_one_step_proof(&[])),
        "malformed one-step proof: input ends inside a value"
    );
}

/// The contract's `game` response for a core game on `batch` (the fields the contract
/// fills from its store; clocks and addresses as dummies).
fn game_response(id: u64, batch: u64, steps: u64, g: &Game) -> Value {
    let phase = match g.phase() {
        Phase::Bisect { position } => json!({"bisect": {"position": position}}),
        Phase::Choose { position, root } => {
            json!({"choose": {"position": position, "root": hex(root)}})
        }
        Phase::OneStep { step } => json!({"one_step": {"step": step}}),
        Phase::Resolved { winner } => {
            json!({"resolved": {"winner": winner.name(), "reason": "proof"}})
        }
    };
    json!({"id": id, "batch": batch, "defender": "wasm1defender", "challenger": "wasm1challenger",
           "bond": "500", "steps": steps, "lo": g.lo, "hi": g.hi, "lo_root": hex(g.lo_root),
           "hi_root": hex(g.hi_root), "phase": phase, "defender_left": g.defender_left,
           "challenger_left": g.challenger_left, "deadline": "1700000000000000000",
           "moves": g.moves, "opened_at": "1690000000000000000"})
}

#[wasm_bindgen_test]
fn next_move_plays_an_honest_challenger_to_a_win_against_a_liar() {
    let f = two_batches();
    let trace = f.node.batch_trace(0.0).unwrap();
    let steps = trace.steps() as u64;
    let truth: Vec<[u8; 32]> = trace.core().roots(&NativeVerifier).unwrap();
    let rules = ClockRules {
        budget: 1_000,
        min_answer: 10,
    };
    for first_lie in 1..=steps {
        let claim = |p: u64| {
            if p >= first_lie {
                settle_core::hash::keccak256_concat(&[b"lie", &truth[p as usize]])
            } else {
                truth[p as usize]
            }
        };
        let mut g = Game::new(steps, truth[0], claim(steps), 0, rules).unwrap();
        let mut now = 0;
        let winner = loop {
            now += 1;
            let response = js(game_response(7, 0, steps, &g));
            let defender = trace.next_move(response.clone(), "defender").unwrap();
            let challenger = json(&trace.next_move(response, "challenger").unwrap());
            match g.phase() {
                Phase::Bisect { position } => {
                    // the honest defender would send the true root; this one lies
                    assert_eq!(
                        json(&defender),
                        json!({"bisect": {"game": 7, "position": position,
                                          "root": b64(&truth[position as usize])}})
                    );
                    assert_eq!(challenger, Value::Null, "not the challenger's turn");
                    g.bisect(now, position, claim(position)).unwrap();
                }
                Phase::Choose { position, .. } => {
                    assert!(defender.is_null());
                    let agree = claim(position) == truth[position as usize];
                    assert_eq!(
                        challenger,
                        json!({"choose": {"game": 7, "position": position, "agree": agree}})
                    );
                    g.choose(now, position, agree).unwrap();
                }
                Phase::OneStep { step } => {
                    let m = &challenger["prove_step"];
                    assert_eq!(m["game"], 7);
                    assert_eq!(m["step"], step);
                    let wire = base64::engine::general_purpose::STANDARD
                        .decode(m["proof"].as_str().unwrap())
                        .unwrap();
                    // what the contract does with it
                    let proof = OneStepProof::decode(&wire).unwrap();
                    let core = trace.core();
                    let d = match core.ctx.step_kind(step).unwrap() {
                        StepKind::Deposit { queue_index } => {
                            Some(core.deposit(queue_index).unwrap())
                        }
                        _ => None,
                    };
                    let post = core_one_step(
                        &core.ctx,
                        &core.domain,
                        &NativeVerifier,
                        step,
                        &g.lo_root,
                        d,
                        &proof,
                    )
                    .unwrap();
                    break g.conclude(now, step, &post).unwrap();
                }
                Phase::Resolved { .. } => unreachable!("concluded above"),
            }
        };
        assert_eq!(winner, Side::Challenger, "lie from position {first_lie}");
        // over: nothing left to do for either side
        let over = js(game_response(7, 0, steps, &g));
        assert!(trace
            .next_move(over.clone(), "challenger")
            .unwrap()
            .is_null());
        assert!(trace.next_move(over, "defender").unwrap().is_null());
    }

    // a void game, and responses that do not fit this trace
    let g = Game::new(steps, truth[0], truth[steps as usize], 0, rules).unwrap();
    let mut void = game_response(1, 0, steps, &g);
    void["phase"] = json!({"void": {"bond_returned": false}});
    assert!(trace.next_move(js(void), "challenger").unwrap().is_null());
    assert_eq!(
        thrown(trace.next_move(js(game_response(1, 1, 8, &g)), "challenger")),
        format!("game 1 is on batch 1 (8 steps), this trace is of batch 0 ({steps} steps)")
    );
    let mut skewed = game_response(1, 0, steps, &g);
    skewed["phase"] = json!({"bisect": {"position": 1}});
    assert_eq!(
        thrown(trace.next_move(js(skewed), "defender")),
        format!(
            "game 1: its phase Bisect {{ position: 1 }} does not follow from lo 0 and hi {steps}"
        )
    );
    let mut upside_down = game_response(1, 0, steps, &g);
    upside_down["lo"] = json!(5);
    upside_down["hi"] = json!(5);
    assert_eq!(
        thrown(trace.next_move(js(upside_down), "defender")),
        format!("game 1: lo 5 and hi 5 do not fit 0 <= lo < hi <= steps ({steps})")
    );
    assert_eq!(
        thrown(trace.next_move(js(game_response(1, 0, steps, &g)), "referee")),
        "side: \"referee\" is not \"defender\" or \"challenger\""
    );
    // a one-step phase whose agreed root is false: no honest proof exists
    let mut g = Game::new(steps, truth[0], truth[steps as usize], 0, rules).unwrap();
    g.lo = 2;
    g.hi = 3;
    g.lo_root = [9; 32];
    assert!(trace
        .next_move(js(game_response(1, 0, steps, &g)), "challenger")
        .unwrap()
        .is_null());
}

#[wasm_bindgen_test]
fn game_messages_have_the_contract_shape() {
    let f = two_batches();
    let trace = f.node.batch_trace(1.0).unwrap();
    let root = trace.root_at(3.0).unwrap();
    assert_eq!(
        json(&msg::challenge_msg(1.0).unwrap()),
        json!({"challenge": {"batch": 1}})
    );
    assert_eq!(
        json(&msg::bisect_msg(4.0, 3.0, &format!("0x{root}")).unwrap()),
        json!({"bisect": {"game": 4, "position": 3, "root": b64h(&json!(root))}})
    );
    assert_eq!(
        json(&msg::choose_msg(4.0, 3.0, false).unwrap()),
        json!({"choose": {"game": 4, "position": 3, "agree": false}})
    );
    let proof = trace.proof(2.0).unwrap();
    assert_eq!(
        json(&msg::prove_step_msg(4.0, 2.0, &proof).unwrap()),
        json!({"prove_step": {"game": 4, "step": 2, "proof": b64(&proof)}})
    );
    assert_eq!(
        json(&msg::resolve_game_msg(4.0).unwrap()),
        json!({"resolve_game": {"game": 4}})
    );
    assert_eq!(json(&msg::claim_msg().unwrap()), json!({"claim": {}}));
    // bytes that are no proof are refused with the core's decode error
    assert_eq!(
        thrown(msg::prove_step_msg(4.0, 2.0, &proof[..40])),
        OneStepProof::decode(&proof[..40]).unwrap_err().to_string()
    );
    assert_eq!(
        thrown(msg::bisect_msg(4.0, 3.0, "abcd")),
        "expected 32 bytes for root, got 2"
    );
    assert_eq!(
        thrown(msg::challenge_msg(-1.0)),
        "batch: -1 is not a non-negative safe integer"
    );

    // check_move: the contract's GameMove, or the move's own execute message
    let sender = "wasm1challenger";
    let q = |mv: Value| json(&msg::check_move_query(4.0, sender, js(mv)).unwrap());
    assert_eq!(
        q(json!({"resolve_game": {}})),
        json!({"check_move": {"game": 4, "sender": sender, "move": {"resolve_game": {}}}})
    );
    assert_eq!(
        q(json!({"resolve_game": {"game": 4}})),
        json!({"check_move": {"game": 4, "sender": sender, "move": {"resolve_game": {}}}})
    );
    assert_eq!(
        q(json!({"choose": {"game": 4, "position": 3, "agree": true}})),
        json!({"check_move": {"game": 4, "sender": sender,
                              "move": {"choose": {"position": 3, "agree": true}}}})
    );
    let expected = json!({"check_move": {"game": 4, "sender": sender,
                          "move": {"prove_step": {"step": 2, "proof": b64(&proof)}}}});
    assert_eq!(
        json(
            &msg::check_move_query(4.0, sender, msg::prove_step_msg(4.0, 2.0, &proof).unwrap())
                .unwrap()
        ),
        expected
    );
    let with_bytes = js(json!({"prove_step": {"step": 2}}));
    let inner = js_sys::Reflect::get(&with_bytes, &"prove_step".into()).unwrap();
    js_sys::Reflect::set(&inner, &"proof".into(), &bytes(&proof)).unwrap();
    assert_eq!(
        json(&msg::check_move_query(4.0, sender, with_bytes).unwrap()),
        expected
    );
    assert_eq!(
        thrown(msg::check_move_query(
            4.0,
            sender,
            js(json!({"bisect": {"game": 5, "position": 3, "root": root}}))
        )),
        "the move is for game 5, not game 4"
    );
    assert!(
        thrown(msg::check_move_query(4.0, sender, js(json!({"jump": {}}))))
            .starts_with("unknown variant `jump`")
    );
}

#[wasm_bindgen_test]
fn roll_back_forgets_batches_and_their_deposits_return() {
    let mut f = two_batches();
    let before = json(&f.node.batch_output(1.0).unwrap());
    f.node.roll_back(1.0).unwrap();
    assert_eq!(f.node.batch_count(), 1.0);
    let pending = json(&f.node.pending_deposits().unwrap());
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(pending[0]["index"], 3);
    assert_eq!(
        f.node.state_root(),
        json(&f.node.batch_output(0.0).unwrap())["stateRoot"]
    );
    assert_eq!(
        thrown(f.node.batch_trace(1.0)),
        "no such batch (1): 1 applied so far"
    );
    assert_eq!(
        thrown(f.node.roll_back(3.0)),
        "no such batch (3): 1 applied so far"
    );
    // an empty batch in its place has another output
    f.node.propose_with(vec![], 0.0).unwrap();
    assert_ne!(json(&f.node.batch_output(1.0).unwrap()), before);
    f.node.roll_back(0.0).unwrap();
    assert_eq!(f.node.batch_count(), 0.0);
    assert_eq!(
        json(&f.node.pending_deposits().unwrap())
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

// ---- payment channels --------------------------------------------------------------

mod channels {
    use super::*;
    use settle_core::channel::{
        payment_hash, payout, ChannelDomain, ChannelState, Htlc, Party, PenaltyRules, StaleClose,
    };
    use settle_wasm::channel;

    const CONTRACT: &str = "wasm1channelscontract";

    fn core_state() -> ChannelState {
        ChannelState {
            channel_id: 7,
            version: 3,
            funded: [1_000, 500],
            balances: [900, 400],
            htlcs: vec![Htlc {
                amount: 200,
                payment_hash: payment_hash(&[9; 32]).unwrap(),
                timeout: 1_000,
                payer: Party::A,
            }],
            is_final: false,
        }
    }

    fn state_json() -> Value {
        json!({
            "channelId": 7, "version": "3", "funded": ["1000", "500"], "balances": ["900", "400"],
            "htlcs": [{
                "amount": "200",
                "paymentHash": hex(payment_hash(&[9; 32]).unwrap()),
                "timeout": "1000",
                "payer": "a",
            }],
            "isFinal": false,
        })
    }

    #[wasm_bindgen_test]
    fn states_round_trip_through_their_encoding() {
        let s = core_state();
        let bytes = channel::encode_channel_state(js(state_json())).unwrap();
        assert_eq!(bytes, s.encode());
        assert_eq!(
            json(&channel::decode_channel_state(&bytes).unwrap()),
            state_json()
        );
        // numbers and bigints are read too; htlcs and isFinal may be left out
        let plain = js(json!({"channelId": 1, "version": 2, "funded": [5, 0], "balances": [5, 0]}));
        let b = channel::encode_channel_state(plain).unwrap();
        assert_eq!(
            ChannelState::decode(&b).unwrap(),
            ChannelState {
                channel_id: 1,
                version: 2,
                funded: [5, 0],
                balances: [5, 0],
                htlcs: vec![],
                is_final: false
            }
        );
        // a Uint8Array is an encoding
        let again = channel::encode_channel_state(super::bytes(&bytes).into()).unwrap();
        assert_eq!(again, bytes);
        assert_eq!(
            thrown(channel::decode_channel_state(&bytes[1..])),
            ChannelState::decode(&bytes[1..]).unwrap_err().to_string()
        );
    }

    #[wasm_bindgen_test]
    fn signatures_verify_and_tampering_fails_with_the_core_message() {
        let domain = channel::channel_domain(CHAIN, CONTRACT);
        assert_eq!(domain, hex(ChannelDomain::new(CHAIN, CONTRACT).0));
        let (ka, kb) = (L2Key::from_label("ch-a"), L2Key::from_label("ch-b"));
        let hash = channel::channel_signing_hash(&domain, js(state_json())).unwrap();
        assert_eq!(
            hash,
            hex(core_state().signing_hash(&ChannelDomain::new(CHAIN, CONTRACT)))
        );
        let sa = channel::sign_channel_state(&ka, &domain, js(state_json())).unwrap();
        let sb = channel::sign_channel_state(&kb, &domain, js(state_json())).unwrap();
        assert_eq!(
            sa,
            hex(CoreKey::from_label("ch-a")
                .sign_prehash(&hex::decode(&hash).unwrap().try_into().unwrap()))
        );
        let args = |state: Value, sa: &str, sb: &str, funding: Value| {
            js(json!({
                "domain": domain, "state": state, "pubkeyA": ka.public_key(), "pubkeyB": kb.public_key(),
                "signatureA": sa, "signatureB": sb, "channelId": 7, "funding": funding,
            }))
        };
        let ok =
            channel::verify_channel_state(args(state_json(), &sa, &sb, json!(["1000", "500"])))
                .unwrap();
        assert_eq!(json(&ok), json!({"valid": true}));
        let mut tampered = state_json();
        tampered["version"] = json!("4");
        let bad = channel::verify_channel_state(args(tampered, &sa, &sb, json!(["1000", "500"])))
            .unwrap();
        assert_eq!(
            json(&bad),
            json!({"valid": false, "reason": "bad signature of party a on the channel state"})
        );
        let short =
            channel::verify_channel_state(args(state_json(), &sa, &sb, json!(["1000", "499"])))
                .unwrap();
        assert_eq!(
            json(&short)["reason"],
            json!("the state allocates 500 of party b's funding, which holds 499")
        );
        // an over-allocated state is not signed
        let mut over = state_json();
        over["balances"] = json!(["901", "400"]);
        assert_eq!(
            thrown(channel::sign_channel_state(&ka, &domain, js(over))),
            "the state allocates 1501, its funding is 1500"
        );
        // the contract's SignedState and messages
        let signed = channel::signed_state_js(js(state_json()), &sa, &sb).unwrap();
        let expected = json!({"state": b64(&core_state().encode()), "signature_a": b64h(&json!(sa)), "signature_b": b64h(&json!(sb))});
        assert_eq!(json(&signed), expected);
        assert_eq!(
            json(&channel::dispute_channel_msg(7.0, signed.clone(), JsValue::UNDEFINED).unwrap()),
            json!({"dispute": {"channel": 7, "signed": expected, "revocation": null, "authorisation": null}})
        );
        assert_eq!(
            json(
                &channel::check_close_query(7.0, "wasm1alice", signed, JsValue::UNDEFINED).unwrap()
            ),
            json!({"check_close": {"channel": 7, "sender": "wasm1alice", "signed": expected, "revocation": null, "authorisation": null}})
        );
        assert_eq!(
            json(&channel::settle_htlc_msg(7.0, 0.0).unwrap()),
            json!({"settle_htlc": {"channel": 7, "htlc": 0}})
        );
        assert_eq!(
            json(&channel::fund_channel_msg(7.0).unwrap()),
            json!({"fund": {"channel": 7}})
        );
        assert_eq!(
            json(&channel::settle_channel_msg(7.0).unwrap()),
            json!({"settle": {"channel": 7}})
        );
        assert_eq!(
            json(&channel::open_channel_msg(js(json!({
                "counterparty": "wasm1bob", "pubkeyA": ka.public_key(), "pubkeyB": kb.public_key(), "disputeWindow": 600, "joinWindow": 3600,
            })))
            .unwrap()),
            json!({"open": {"counterparty": "wasm1bob", "pubkey_a": b64h(&json!(ka.public_key())), "pubkey_b": b64h(&json!(kb.public_key())), "dispute_window": 600, "join_window": 3600}})
        );
        // equal keys are refused (core `check_distinct_keys`)
        assert_eq!(
            thrown(channel::open_channel_msg(js(json!({
                "counterparty": "wasm1bob", "pubkeyA": ka.public_key(), "pubkeyB": ka.public_key(), "disputeWindow": 600, "joinWindow": 3600,
            })))),
            settle_core::Error::SameKeys.to_string()
        );
        // the join: b's key over the core's join hash; a's key cannot sign it
        let join_args = json!({
            "domain": domain, "channelId": 7, "counterparty": "wasm1bob",
            "pubkeyA": ka.public_key(), "pubkeyB": kb.public_key(),
        });
        let core_domain = ChannelDomain::new(CHAIN, CONTRACT);
        let (pa, pb) = (
            CoreKey::from_label("ch-a").public_key(),
            CoreKey::from_label("ch-b").public_key(),
        );
        assert_eq!(
            channel::channel_join_hash(js(join_args.clone())).unwrap(),
            hex(settle_core::channel::join_hash(
                &core_domain,
                7,
                "wasm1bob",
                [&pa, &pb]
            ))
        );
        let join_sig = channel::sign_channel_join(&kb, js(join_args.clone())).unwrap();
        assert_eq!(
            json(&channel::join_channel_msg(7.0, &join_sig).unwrap()),
            json!({"join": {"channel": 7, "signature": b64h(&json!(join_sig))}})
        );
        assert!(channel::sign_channel_join(&ka, js(join_args)).is_err());
        assert_eq!(
            json(&channel::reclaim_channel_msg(7.0).unwrap()),
            json!({"reclaim": {"channel": 7}})
        );
        // a revocation and a watchtower authorisation, in a dispute without a newer state
        assert_eq!(
            channel::channel_revocation_hash(&domain, 7.0, js(json!("3"))).unwrap(),
            hex(settle_core::channel::revocation_hash(&core_domain, 7, 3))
        );
        let revocation =
            json(&channel::revoke_channel_state(&ka, &domain, 7.0, js(json!(3))).unwrap());
        assert_eq!(revocation["version"], json!(3));
        let auth = channel::authorise_watchtower(&kb, &domain, 7.0, "wasm1tower").unwrap();
        assert_eq!(
            channel::channel_watchtower_hash(&domain, 7.0, "wasm1tower").unwrap(),
            hex(settle_core::channel::watchtower_hash(
                &core_domain,
                7,
                "wasm1tower"
            ))
        );
        assert_eq!(
            json(
                &channel::dispute_channel_msg(
                    7.0,
                    JsValue::NULL,
                    js(json!({"revocation": revocation, "authorisation": auth}))
                )
                .unwrap()
            ),
            json!({"dispute": {"channel": 7, "signed": null, "revocation": revocation, "authorisation": b64h(&json!(auth))}})
        );
        assert_eq!(
            thrown(channel::dispute_channel_msg(
                7.0,
                JsValue::NULL,
                JsValue::UNDEFINED
            )),
            settle_core::Error::NothingToDispute.to_string()
        );
        let bad_signed =
            js(json!({"state": b64(&[1, 2, 3]), "signature_a": sa, "signature_b": sb}));
        assert_eq!(
            thrown(channel::cooperative_close_msg(7.0, bad_signed)),
            "malformed channel state: 3 bytes is too short"
        );
    }

    #[wasm_bindgen_test]
    fn payouts_are_the_cores() {
        let got = channel::channel_payout(js(json!({
            "state": state_json(), "funding": ["1000", "800"],
            "stale": {"closer": "a", "byWatchtower": true},
            "penaltyShareBps": 10_000, "watchtowerFeeBps": 1_000,
        })))
        .unwrap();
        let want = payout(
            &core_state(),
            [1_000, 800],
            Some(StaleClose {
                closer: Party::A,
                by_watchtower: true,
            }),
            PenaltyRules {
                share_bps: 10_000,
                watchtower_fee_bps: 1_000,
            },
        )
        .unwrap();
        assert_eq!(
            json(&got),
            json!({
                "parties": [want.parties[0].to_string(), want.parties[1].to_string()],
                "watchtower": want.watchtower.to_string(),
                "htlcs": want.htlcs.to_string(),
            })
        );
        // defaults: the whole balance forfeited, no watchtower fee; null stale = no penalty
        let plain = channel::channel_payout(js(json!({
            "state": hex(core_state().encode()), "funding": ["1000", "500"], "stale": null,
        })))
        .unwrap();
        assert_eq!(
            json(&plain),
            json!({"parties": ["900", "400"], "watchtower": "0", "htlcs": "200"})
        );
        assert_eq!(
            thrown(channel::payment_hash("00")),
            settle_core::channel::payment_hash(&[0])
                .unwrap_err()
                .to_string()
        );
    }
}

// ---- the validity rollup -----------------------------------------------------------

mod validity {
    use super::*;
    use settle_core::validity::eddsa::{PublicKey, SecretKey};
    use settle_core::validity::field::{fr_to_bytes, Fr};
    use settle_core::validity::ledger::{
        self as core_ledger, Deposit, Ledger, Shape, Tx, TxBody as ZkBody,
    };
    use settle_core::validity::poseidon::Poseidon;
    use settle_wasm::validity::{self, ZkKey, ZkLedger, ZkProver};

    const VK: &str = include_str!("../../../tests/interop/snarkjs/fixtures/vk.json");
    const PROOF: &str = include_str!("../../../tests/interop/snarkjs/fixtures/proof.json");
    const PUBLIC: &str = include_str!("../../../tests/interop/snarkjs/fixtures/public.json");

    fn fr_hex(x: &Fr) -> String {
        hex(fr_to_bytes(x))
    }

    fn domain() -> Fr {
        core_ledger::rollup_domain(CHAIN, ROLLUP.as_bytes())
    }

    fn seed(n: u8) -> [u8; 32] {
        [n; 32]
    }

    #[wasm_bindgen_test]
    fn jubjub_keys_and_signatures_are_the_cores() {
        let core = SecretKey::from_seed(&seed(1));
        let k = ZkKey::from_seed(bytes(&seed(1)).into()).unwrap();
        assert_eq!(k.public_key(), hex(core.public_key().encode()));
        assert_eq!(k.seed(), hex(seed(1)));
        let again = ZkKey::from_seed(JsValue::from_str(&format!("0x{}", k.seed()))).unwrap();
        assert_eq!(again.public_key(), k.public_key());
        let (a, b) = (ZkKey::generate().unwrap(), ZkKey::generate().unwrap());
        assert_ne!(a.seed(), b.seed());
        assert_eq!(a.public_key().len(), 128);

        let m = Fr::from(42u64);
        let sig = k.sign(&fr_hex(&m)).unwrap();
        assert_eq!(sig, hex(core.sign(&m).encode()));
        assert_eq!(sig.len(), 192);
        let verdict = |pk: &str, m: &str, s: &str| json(&validity::zk_verify(pk, m, s).unwrap());
        assert_eq!(
            verdict(&k.public_key(), &fr_hex(&m), &sig),
            json!({"valid": true})
        );
        assert_eq!(
            verdict(&k.public_key(), &fr_hex(&Fr::from(43u64)), &sig),
            json!({"valid": false, "reason": "bad signature"})
        );
        // the identity is on the curve but of small order: the core's refusal
        let identity = format!("{}{}01", "00".repeat(32), "00".repeat(31));
        assert_eq!(
            verdict(&identity, &fr_hex(&m), &sig)["reason"],
            json!(PublicKey::decode(&hex::decode(&identity).unwrap())
                .unwrap_err()
                .to_string())
        );
        assert_eq!(
            verdict(&k.public_key(), &fr_hex(&m), &sig[..190])["reason"],
            json!("expected 96 bytes for jubjub signature, got 95")
        );
        // a message at or above the modulus is not a field element
        let modulus = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";
        assert_eq!(
            thrown(k.sign(modulus)),
            "message is not a canonical field element (it must be below the modulus)"
        );
        assert_eq!(
            thrown(ZkKey::from_seed(bytes(&[1; 31]).into())),
            "expected 32 bytes for seed, got 31"
        );
        assert_eq!(
            thrown(ZkKey::from_seed(JsValue::from_f64(1.0))),
            "seed: expected a Uint8Array or a hex string"
        );
        assert!(thrown(validity::zk_verify("zz", "00", "00")).contains("is not hex"));
    }

    #[wasm_bindgen_test]
    fn the_exit_request_message_is_the_cores() {
        let message =
            core_ledger::exit_request_message(&Poseidon::new(), &domain(), 3, &[7; 20], 5).unwrap();
        assert_eq!(
            validity::exit_request_message(&fr_hex(&domain()), 3, &hex([7; 20]), 5.0).unwrap(),
            fr_hex(&message)
        );
        // the sequence is signed: another sequence, another message
        assert_ne!(
            validity::exit_request_message(&fr_hex(&domain()), 3, &hex([7; 20]), 6.0).unwrap(),
            fr_hex(&message)
        );
        // and it differs from the exodus exit message of the same account and recipient
        assert_ne!(
            validity::exit_message(&fr_hex(&domain()), 3, &hex([7; 20])).unwrap(),
            fr_hex(&message)
        );
        assert_eq!(
            thrown(validity::exit_request_message(
                &fr_hex(&domain()),
                3,
                "",
                0.0
            )),
            core_ledger::exit_request_message(&Poseidon::new(), &domain(), 3, &[], 0)
                .unwrap_err()
                .to_string()
        );
    }

    #[wasm_bindgen_test]
    fn the_domain_and_exit_message_are_the_cores() {
        assert_eq!(validity::rollup_domain(CHAIN, ROLLUP), fr_hex(&domain()));
        let message = core_ledger::exit_message(&Poseidon::new(), &domain(), 3, &[7; 20]).unwrap();
        assert_eq!(
            validity::exit_message(&fr_hex(&domain()), 3, &hex([7; 20])).unwrap(),
            fr_hex(&message)
        );
        assert_eq!(
            thrown(validity::exit_message(&fr_hex(&domain()), 3, "")),
            core_ledger::exit_message(&Poseidon::new(), &domain(), 3, &[])
                .unwrap_err()
                .to_string()
        );
    }

    #[wasm_bindgen_test]
    fn the_ledger_signs_checks_and_applies_batches_as_the_core_does() {
        let d = fr_hex(&domain());
        let (ka, kb) = (
            ZkKey::from_seed(bytes(&seed(1)).into()).unwrap(),
            ZkKey::from_seed(bytes(&seed(2)).into()).unwrap(),
        );
        let (ca, cb) = (
            SecretKey::from_seed(&seed(1)),
            SecretKey::from_seed(&seed(2)),
        );
        let mut ledger = ZkLedger::new();
        let mut core = Ledger::new();

        // bob's account is opened outside a batch; alice's by the batch's deposit
        let dep_b = json!({"target": {"newAccount": {"pubkey": kb.public_key()}}, "amount": "40"});
        assert_eq!(ledger.apply_deposit(js(dep_b)).unwrap(), 0);
        core.apply_deposit(&Deposit::NewAccount {
            key: cb.public_key(),
            amount: 40,
        })
        .unwrap();
        assert_eq!(ledger.state_root(), fr_hex(&core.state_root()));
        assert_eq!(
            json(&ledger.account(0).unwrap()),
            json!({"pubkey": kb.public_key(), "balance": "40", "nonce": "0"})
        );
        assert!(ledger.account(1).unwrap().is_undefined());
        assert_eq!(ledger.find_account(&kb.public_key()).unwrap(), Some(0));
        assert_eq!(ledger.find_account(&ka.public_key()).unwrap(), None);
        let path: Vec<String> = core.path(0).unwrap().iter().map(fr_hex).collect();
        assert_eq!(json(&ledger.path(0).unwrap()), json!(path));
        // a credit to no account is refused with the core's error
        let credit =
            json!({"target": {"account": {"index": 5, "pubkey": kb.public_key()}}, "amount": "1"});
        assert_eq!(
            thrown(ledger.apply_deposit(js(credit))),
            core.clone()
                .apply_deposit(&Deposit::Credit {
                    account: 5,
                    amount: 1
                })
                .unwrap_err()
                .to_string()
        );

        // alice's key holds no account yet: `from` must be given, the nonce is 0
        assert_eq!(
            thrown(ledger.sign_transfer(&ka, &d, js(json!({"to": 0, "amount": "30"})))),
            "no account holds this key: give `from`"
        );
        let t = ledger
            .sign_transfer(&ka, &d, js(json!({"from": 1, "to": 0, "amount": 30})))
            .unwrap();
        let core_t = Tx::sign(
            core.hasher(),
            &domain(),
            ZkBody::Transfer {
                from: 1,
                to: 0,
                amount: 30,
            },
            0,
            &ca,
        );
        assert_eq!(
            json(&t),
            json!({"kind": "transfer", "from": 1, "to": 0, "amount": "30", "nonce": "0",
                   "signature": hex(core_t.signature.encode())})
        );
        // not yet: account 1 does not exist before the batch
        assert_eq!(
            ledger.check_tx(&d, t.clone()).unwrap().as_deref(),
            Some("no account 1")
        );
        let recipient = hex([0xab; 20]);
        let w = ledger
            .sign_withdrawal(&kb, &d, js(json!({"recipient": recipient, "amount": "15"})))
            .unwrap();
        assert_eq!(json(&w)["from"], json!(0));
        assert_eq!(ledger.check_tx(&d, w.clone()).unwrap(), None);
        // a body that can never be in a batch is not signed
        assert_eq!(
            thrown(ledger.sign_withdrawal(&kb, &d, js(json!({"recipient": "", "amount": "1"})))),
            ZkBody::Withdraw {
                from: 0,
                amount: 1,
                recipient: vec![]
            }
            .shape_noop()
            .unwrap()
            .to_string()
        );

        // the batch: the core's witness, statement and data
        let dep_a =
            json!({"target": {"new_account": {"pubkey": ka.public_key()}}, "amount": "100"});
        let shape = json!({"deposits": 1, "txs": 2});
        let zero = fr_hex(&Fr::from(0u64));
        let batch = ledger
            .apply_batch(
                js(shape.clone()),
                &d,
                &zero,
                js(json!([dep_a])),
                js(json!([json(&t), json(&w)])),
            )
            .unwrap();
        let (witness, data) = core
            .apply_batch(
                Shape {
                    deposits: 1,
                    txs: 2,
                },
                &domain(),
                &Fr::from(0u64),
                &[Deposit::NewAccount {
                    key: ca.public_key(),
                    amount: 100,
                }],
                &[
                    core_t,
                    Tx::sign(
                        core.hasher(),
                        &domain(),
                        ZkBody::Withdraw {
                            from: 0,
                            amount: 15,
                            recipient: vec![0xab; 20],
                        },
                        0,
                        &cb,
                    ),
                ],
            )
            .unwrap();
        let s = &witness.statement;
        let mut got = json(&batch);
        assert!(got.as_object_mut().unwrap().remove("witness").is_some());
        assert_eq!(
            got,
            json!({
                "shape": shape, "data": b64(&data.encode()), "deposits": 1, "txs": 2,
                "newAccountsRoot": fr_hex(&core.accounts_root()), "newAccountCount": 2,
                "statement": {
                    "domain": fr_hex(&s.domain), "prevStateRoot": fr_hex(&s.prev_state_root),
                    "newStateRoot": fr_hex(&s.new_state_root),
                    "dataCommitment": fr_hex(&s.data_commitment),
                    "depositsBefore": fr_hex(&s.deposits_before),
                    "depositsAfter": fr_hex(&s.deposits_after),
                },
                "publicInput": fr_hex(&s.public_input(&Poseidon::new())),
                "withdrawals": [{"recipient": recipient, "amount": "15"}],
                "exits": [],
            })
        );
        assert_eq!(ledger.state_root(), fr_hex(&core.state_root()));
        assert_eq!(ledger.accounts_root(), fr_hex(&core.accounts_root()));
        assert_eq!(ledger.account_count(), 2);

        // a replay is refused with the core's reason, and changes nothing
        let before = ledger.state_root();
        let t2 = ledger
            .sign_transfer(&ka, &d, js(json!({"to": 0, "amount": 1, "nonce": "0"})))
            .unwrap();
        assert_eq!(
            ledger.check_tx(&d, t2.clone()).unwrap().as_deref(),
            Some("nonce 0, expected 1")
        );
        let err =
            thrown(ledger.apply_batch(js(shape), &d, &zero, js(json!([])), js(json!([json(&t2)]))));
        assert_eq!(
            err,
            "malformed batch: transaction 0: malformed transaction: nonce 0, expected 1"
        );
        assert_eq!(ledger.state_root(), before);
        // too many for the shape
        assert_eq!(
            thrown(ledger.apply_batch(
                js(json!({"deposits": 0, "txs": 0})),
                &d,
                &zero,
                js(json!([dep_b_again(&kb)])),
                js(json!([]))
            )),
            "malformed batch: 1 deposits and 0 transactions do not fit a circuit of 0 and 0"
        );
        // a copy moves on its own
        let mut copy = ledger.duplicate();
        copy.apply_deposit(js(
            json!({"target": {"account": {"index": 1, "pubkey": ka.public_key()}}, "amount": "5"}),
        ))
        .unwrap();
        assert_ne!(copy.state_root(), ledger.state_root());
        assert_eq!(json(&copy.account(1).unwrap())["balance"], json!("75"));

        // an exit request (the contract's `deposit` query reports `{ exit: { account,
        // recipient } }`): the batch empties the account and posts what it withdrew, as
        // the core's ledger does; a follower replays it from the chain data
        let exit = json!({"target": {"exit": {"account": 1, "recipient": "x"}}, "amount": "1"});
        let mut exiting = ledger.duplicate();
        let mut follower = ledger.duplicate();
        let batch = exiting
            .apply_batch(
                js(json!({"deposits": 1, "txs": 1})),
                &d,
                &zero,
                js(json!([exit.clone()])),
                js(json!([])),
            )
            .unwrap();
        let mut core_exit = core.clone();
        let (_, data) = core_exit
            .apply_batch(
                Shape {
                    deposits: 1,
                    txs: 1,
                },
                &domain(),
                &Fr::from(0u64),
                &[Deposit::Exit { account: 1 }],
                &[],
            )
            .unwrap();
        let got = json(&batch);
        assert_eq!(got["exits"], json!(["70"]));
        assert_eq!(got["withdrawals"], json!([]));
        assert_eq!(got["data"], json!(b64(&data.encode())));
        assert_eq!(data.exits, vec![70]);
        assert_eq!(exiting.state_root(), fr_hex(&core_exit.state_root()));
        assert_eq!(json(&exiting.account(1).unwrap())["balance"], json!("0"));
        let data_b64 = got["data"].as_str().unwrap().to_string();
        // a replay that posts another amount than the ledger withdrew is refused
        let mut lying = data.clone();
        lying.exits = vec![69];
        assert!(thrown(follower.replay_batch(
            js(json!([exit.clone()])),
            &b64(&lying.encode()),
            &exiting.state_root()
        ))
        .contains("exit amounts [69] where the ledger withdrew [70]"));
        follower
            .replay_batch(js(json!([exit])), &data_b64, &exiting.state_root())
            .unwrap();
        assert_eq!(follower.state_root(), exiting.state_root());
        // an exit is no deposit target
        assert_eq!(
            thrown(validity::validity_deposit_msg(js(
                json!({"exit": {"account": 1}})
            ))),
            "an exit is no deposit target: use exitRequestMsg"
        );
    }

    fn dep_b_again(kb: &ZkKey) -> Value {
        json!({"target": {"newAccount": {"pubkey": kb.public_key()}}, "amount": "1"})
    }

    #[wasm_bindgen_test]
    fn snarkjs_fixtures_convert_and_verify_and_tampering_fails_with_the_cores_reason() {
        let vk = validity::snarkjs_verifying_key(JsValue::from_str(VK)).unwrap();
        // an object works as well as the text
        let vk_object = js(serde_json::from_str(VK).unwrap());
        assert_eq!(validity::snarkjs_verifying_key(vk_object).unwrap(), vk);
        let core_vk = settle_core::validity::snarkjs::verifying_key_from_json(VK).unwrap();
        assert_eq!(vk, hex(core_vk.encode()));
        let proof = validity::snarkjs_proof(JsValue::from_str(PROOF)).unwrap();
        assert_eq!(proof.len(), 384);
        let inputs = validity::snarkjs_public_inputs(JsValue::from_str(PUBLIC)).unwrap();
        let input = json(&inputs)[0].as_str().unwrap().to_string();
        let check = |proof: &str, inputs: Value| {
            json(&validity::verify_groth16(&vk, proof, js(inputs)).unwrap())
        };
        assert_eq!(check(&proof, json!([input])), json!({"valid": true}));
        let mut other = hex::decode(&input).unwrap();
        other[31] ^= 1;
        assert_eq!(
            check(&proof, json!([hex(&other)])),
            json!({"valid": false, "reason": "groth16 proof rejected: the pairing equation does not hold"})
        );
        assert_eq!(
            check(&proof, json!([])),
            json!({"valid": false, "reason": "the verifying key takes 1 public input(s), 0 given"})
        );
        assert_eq!(
            check(&proof[..380], json!([input]))["reason"],
            json!("expected 192 bytes for groth16 proof, got 190")
        );
        // snarkjs's own errors are the core's
        assert_eq!(
            thrown(validity::snarkjs_proof(JsValue::from_str("{}"))),
            settle_core::validity::snarkjs::proof_from_json("{}")
                .unwrap_err()
                .to_string()
        );
        assert_eq!(
            thrown(validity::snarkjs_public_inputs(js(json!(["-1"])))),
            settle_core::validity::snarkjs::public_inputs_from_json("[\"-1\"]")
                .unwrap_err()
                .to_string()
        );
        assert!(
            thrown(validity::verify_groth16("zz", &proof, js(json!([])))).contains("is not hex")
        );
    }

    #[wasm_bindgen_test]
    fn contract_messages_have_the_contract_shape() {
        let kb = ZkKey::from_seed(bytes(&seed(2)).into()).unwrap();
        assert_eq!(
            json(
                &validity::validity_deposit_msg(js(
                    json!({"newAccount": {"pubkey": kb.public_key()}})
                ))
                .unwrap()
            ),
            json!({"deposit": {"target": {"new_account": {"pubkey": b64h(&json!(kb.public_key()))}}}})
        );
        assert_eq!(
            json(
                &validity::validity_deposit_msg(js(
                    json!({"account": {"index": 4, "pubkey": kb.public_key()}})
                ))
                .unwrap()
            ),
            json!({"deposit": {"target": {"account": {"account": 4, "pubkey": b64h(&json!(kb.public_key()))}}}})
        );
        let bad_key = format!("{}{}02", "00".repeat(32), "00".repeat(31));
        assert_eq!(
            thrown(validity::validity_deposit_msg(js(
                json!({"newAccount": {"pubkey": bad_key}})
            ))),
            "jubjub public key is not a valid point: not on the Jubjub curve"
        );

        let proof = validity::snarkjs_proof(JsValue::from_str(PROOF)).unwrap();
        let data = core_ledger::BatchData {
            txs: vec![ZkBody::Transfer {
                from: 0,
                to: 1,
                amount: 5,
            }],
            exits: vec![],
        }
        .encode();
        let root = fr_hex(&Fr::from(7u64));
        let args = json!({"data": b64(&data), "deposits": 0, "newAccountsRoot": root,
                          "newAccountCount": 2, "proof": proof, "statement": {}, "witness": null});
        let body = json!({"data": b64(&data), "deposits_consumed": 0, "new_accounts_root": b64h(&json!(root)),
                          "new_account_count": 2, "proof": b64h(&json!(proof))});
        assert_eq!(
            json(&validity::submit_batch_msg(js(args.clone())).unwrap()),
            json!({"submit_batch": body})
        );
        assert_eq!(
            json(&validity::check_batch_query(js(args)).unwrap()),
            json!({"check_batch": body})
        );
        // snake_case is read too; data that does not decode is the core's error
        let mut snake = body.clone();
        snake["data"] = json!(b64(&[0, 1]));
        assert_eq!(
            thrown(validity::submit_batch_msg(js(snake))),
            core_ledger::BatchData::decode(&[0, 1])
                .unwrap_err()
                .to_string()
        );
        let mut short = body.clone();
        short["proof"] = json!(&proof[..10]);
        assert_eq!(
            thrown(validity::submit_batch_msg(js(short))),
            "expected 192 bytes for groth16 proof, got 5"
        );

        assert_eq!(
            json(&validity::verify_proof_query(&proof, js(json!(["01"]))).unwrap()),
            json!({"verify_proof": {"proof": b64h(&json!(proof)), "public_inputs": ["AQ=="]}})
        );
        assert_eq!(
            json(&validity::reclaim_deposit_msg(3.0).unwrap()),
            json!({"reclaim_deposit": {"deposit": 3}})
        );
        assert_eq!(
            json(&validity::validity_account_query(2).unwrap()),
            json!({"account": {"account": 2}})
        );

        // an exit from the ledger of the last proven batch
        let d = fr_hex(&domain());
        let mut ledger = ZkLedger::new();
        ledger
            .apply_deposit(js(
                json!({"target": {"newAccount": {"pubkey": kb.public_key()}}, "amount": "40"}),
            ))
            .unwrap();
        let recipient = super::recipient_address();
        let m = json(&validity::exodus_withdraw_msg(&ledger, &kb, &d, &recipient, None).unwrap());
        let canonical = settle_wasm::convert::canonical(&recipient).unwrap();
        let message =
            core_ledger::exit_message(&Poseidon::new(), &domain(), 0, &canonical).unwrap();
        assert_eq!(
            m,
            json!({"exodus_withdraw": {
                "account": 0, "pubkey": b64h(&json!(kb.public_key())), "balance": "40", "nonce": 0,
                "path": json(&ledger.path(0).unwrap()).as_array().unwrap().iter().map(b64h).collect::<Vec<_>>(),
                "recipient": recipient,
                "signature": b64(&SecretKey::from_seed(&seed(2)).sign(&message).encode()),
            }})
        );
        assert_eq!(
            thrown(validity::exodus_withdraw_msg(
                &ledger,
                &kb,
                &d,
                &recipient,
                Some(1)
            )),
            "no account 1"
        );
        assert!(thrown(validity::exodus_withdraw_msg(
            &ledger, &kb, &d, "nope", None
        ))
        .starts_with("invalid bech32 address \"nope\""));

        // an L1 exit request, signed at the sequence the contract's account query gives
        let m = json(&validity::exit_request_msg(&kb, &d, 0, &recipient, 2.0).unwrap());
        let message =
            core_ledger::exit_request_message(&Poseidon::new(), &domain(), 0, &canonical, 2)
                .unwrap();
        assert_eq!(
            m,
            json!({"request_exit": {
                "account": 0, "recipient": recipient,
                "signature": b64(&SecretKey::from_seed(&seed(2)).sign(&message).encode()),
            }})
        );
        assert!(thrown(validity::exit_request_msg(&kb, &d, 0, "nope", 0.0))
            .starts_with("invalid bech32 address \"nope\""));
        assert_eq!(
            thrown(validity::exit_request_msg(&kb, &d, 0, &recipient, -1.0)),
            "sequence: -1 is not a non-negative safe integer"
        );

        // a key file that is not one: settle-zk's error
        assert_eq!(
            thrown(ZkProver::from_trusted_bytes(b"not a key")),
            "malformed proving key: does not start with SZK-PK"
        );
    }
}
