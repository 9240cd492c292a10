//! Writes the seed corpora under `corpus/<target>/` from real encodings. Run by hand
//! (`cargo test -p settle-fuzz --test seeds -- --ignored`) when a target's input layout
//! changes; the committed corpora are these seeds minimised with `cargo fuzz cmin`, plus
//! what fuzzing found and `cargo xtask fuzz --merge` kept.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cosmwasm_std::{to_json_vec, Binary, Uint128};
use serde_json::Value;
use settle_core::batch::encode_batch;
use settle_core::tx::{SignedTx, Transfer, TxBody, Withdraw};
use settle_core::validity::field::fr_to_bytes;
use settle_core::validity::groth16::prepare_circuit_key;
use settle_core::validity::groth16::ArkBackend;
use settle_core::validity::Fr;
use settle_fuzz::contracts::{addr, channels, optimistic, validity as vcontract};
use settle_fuzz::vectors::{oz, parity, unhex};
use settle_fuzz::{codec, validity, TARGETS};

/// A small deterministic generator for structure-driven targets (any bytes are an input).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn arr(v: &Value) -> &Vec<Value> {
    v.as_array().expect("an array")
}

fn seeds() -> BTreeMap<&'static str, Vec<Vec<u8>>> {
    let p = parity();
    let mut s: BTreeMap<&'static str, Vec<Vec<u8>>> = BTreeMap::new();
    let mut add = |t: &'static str, b: Vec<u8>| s.entry(t).or_default().push(b);

    // optimistic codecs
    for t in arr(&p["transactions"]["signed"]) {
        add("tx_decode", unhex(&t["encoded"]));
    }
    for t in arr(&p["transactions"]["malformed"]) {
        add("tx_decode", unhex(&t["encoded"]));
    }
    add(
        "tx_decode",
        unhex(&p["transactions"]["highS"]["highSEncoded"]),
    );
    for b in arr(&p["rollup"]["batches"]) {
        add("batch_data", unhex(&b["data"]));
    }
    let keys = codec::keys();
    let d = codec::domain();
    let mine = encode_batch(&[
        SignedTx::sign(
            TxBody::Transfer(Transfer {
                from: 0,
                to: 1,
                amount: 1_000,
                nonce: 0,
            }),
            &d,
            &keys[0],
        ),
        SignedTx::sign(
            TxBody::Transfer(Transfer {
                from: 1,
                to: 2,
                amount: 250_000,
                nonce: 0,
            }),
            &d,
            &keys[1],
        ),
        SignedTx::sign(
            TxBody::Withdraw(Withdraw {
                from: 0,
                amount: 5_000,
                nonce: 1,
                recipient: vec![9; 20],
            }),
            &d,
            &keys[0],
        ),
        SignedTx::sign(
            TxBody::Transfer(Transfer {
                from: 2,
                to: 0,
                amount: 7,
                nonce: 0,
            }),
            &d,
            &keys[2],
        ),
    ]);
    add(
        "tx_decode",
        SignedTx::decode_prefix(&mine).expect("decodes").0.encode(),
    );
    add("batch_data", mine);

    // structure-driven targets: the input is a recipe, any bytes will do
    for t in [
        "merkle_proof",
        "merkle_multiproof",
        "smt_compact",
        "smt_multiproof",
        "oz_multiproof",
        "diff_zk_circuit",
    ] {
        for (i, len) in [24usize, 64, 160, 400].iter().enumerate() {
            add(t, noise(i as u64 + t.len() as u64 * 31, *len));
        }
    }
    for t in arr(&oz()["trees"]).iter().take(4) {
        // a tree's values as the recipe's leaves
        let mut b = vec![(arr(&t["values"]).len() as u8).saturating_sub(1)];
        for v in arr(&t["values"]) {
            b.extend(unhex(&v[0]));
            b.extend(noise(b.len() as u64, 33));
        }
        add("oz_multiproof", b);
    }
    // diff_zk_circuit: opening 1000, deposit 500, a transfer of 300 to account 1, nonce 0,
    // key 1 (accepted); the same signed by key 2 (refused); an overspend (refused)
    let zk = |kind: u8, to: u8, amount_mode: u8, amount: u64, nonce: u8, signer: u8| {
        let mut b = 1000u64.to_be_bytes().to_vec();
        b.extend(500u32.to_be_bytes());
        b.extend([kind, to, amount_mode]);
        if amount_mode == 0 || amount_mode == 3 {
            b.extend(amount.to_be_bytes());
        } else if amount_mode == 2 {
            b.push(amount as u8);
        }
        b.extend([nonce, signer, 0]);
        b
    };
    add("diff_zk_circuit", zk(0, 1, 0, 300, 0, 0));
    add("diff_zk_circuit", zk(0, 1, 0, 300, 0, 1));
    add("diff_zk_circuit", zk(1, 0, 3, 5_000, 0, 0));
    add("diff_zk_circuit", zk(1, 0, 1, 0, 0, 0));
    add("diff_zk_circuit", zk(0, 0, 0, 300, 1, 0));

    // channels
    let chan = &p["channel"];
    for st in arr(&chan["states"]).iter().chain(arr(&chan["negative"])) {
        let mut b = unhex(&st["signatureA"]);
        b.extend(unhex(&st["signatureB"]));
        b.push(0);
        for f in arr(&st["funding"]) {
            b.extend(settle_fuzz::vectors::num(f).to_be_bytes());
        }
        let enc = if st["encoding"].is_string() {
            &st["encoding"]
        } else {
            &st["state"]
        };
        if let Some(e) = enc.as_str() {
            b.extend(hex::decode(e).expect("hex"));
            add("channel_state", b.clone());
            add(
                "diff_wasm",
                [vec![0u8], hex::decode(e).expect("hex")].concat(),
            );
        }
        if st["state"].is_object() {
            add(
                "diff_wasm",
                [vec![1u8], st["state"].to_string().into_bytes()].concat(),
            );
        }
    }

    // fraud proofs
    for (i, c) in arr(&p["oneStep"]["cases"]).iter().enumerate() {
        add(
            "one_step_proof",
            [vec![i as u8], unhex(&c["proof"])].concat(),
        );
    }
    for c in arr(&p["oneStep"]["negative"]) {
        add("one_step_proof", [vec![3u8], unhex(&c["proof"])].concat());
    }
    let case = &settle_fuzz::dispute::cases()[3];
    if let Ok(settle_core::dispute::step::OneStepProof::Tx { pre, .. }) =
        settle_core::dispute::step::OneStepProof::decode(&case.proof)
    {
        add("step_state", pre.encode().to_vec());
    }
    let rules = settle_core::dispute::ClockRules {
        budget: 3_600,
        min_answer: 300,
    };
    let game = settle_core::dispute::Game::new(12, [1; 32], [2; 32], 1_000, rules).expect("a game");
    add("step_state", game.encode());
    add("step_state", noise(5, 80));
    add("step_state", noise(6, 150));

    // validity
    let v = &p["validity"];
    for b in arr(&v["batches"]).iter().chain(arr(&v["refusedBatches"])) {
        add("validity_batch", [vec![1u8, 0], unhex(&b["data"])].concat());
        add(
            "validity_batch",
            [vec![0u8, 2, 1, 0], unhex(&b["data"])].concat(),
        );
    }
    for c in arr(&v["proofChecks"]) {
        let proof = unhex(&c["proof"]);
        let inputs = arr(&c["publicInputs"]);
        let mut b = vec![0u8];
        b.extend(&proof);
        if proof.len() != 192 {
            b = [
                vec![0xf0u8 | (proof.len() as u8).wrapping_sub(192) & 0x0f],
                proof.clone(),
            ]
            .concat();
        }
        b.push(inputs.len() as u8);
        for x in inputs {
            b.extend(unhex(x));
        }
        add("groth16_proof", b);
        for x in inputs {
            add("validity_field", [vec![0u8], unhex(x)].concat());
        }
    }
    for u in arr(&v["users"])
        .iter()
        .filter(|u| u["zkPublicKey"].is_string())
    {
        add(
            "validity_field",
            [vec![2u8], unhex(&u["zkPublicKey"])].concat(),
        );
        add(
            "validity_field",
            [
                vec![1u8],
                u["zkPublicKey"].as_str().expect("hex").as_bytes()[..64].to_vec(),
            ]
            .concat(),
        );
    }
    for sig in arr(&v["signatures"]) {
        add(
            "validity_field",
            [vec![3u8], unhex(&sig["signature"]), unhex(&sig["message"])].concat(),
        );
    }
    let seven = Fr::from(7u64);
    add(
        "validity_field",
        [
            vec![3u8],
            validity::zk_keys()[0].sign(&seven).encode().to_vec(),
            fr_to_bytes(&seven).to_vec(),
        ]
        .concat(),
    );
    let (vk, _) = validity::vector_key();
    add("groth16_key", [vec![0u8], vk.encode()].concat());
    let prepared = prepare_circuit_key(vk.clone(), 1, &ArkBackend).expect("prepares");
    add("groth16_key", [vec![1u8], prepared.encode()].concat());
    let fixtures =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/interop/snarkjs/fixtures");
    for f in ["vk.json", "proof.json", "public.json"] {
        add(
            "snarkjs_json",
            std::fs::read(fixtures.join(f)).expect("fixture"),
        );
    }

    // wasm decoders
    for t in [
        "123",
        "0x1f",
        "0X00ff",
        "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        "115792089237316195423570985008687907853269984665640564039457584007913129639936",
        "0x",
        "12a",
    ] {
        add("diff_wasm", [vec![2u8], t.as_bytes().to_vec()].concat());
    }
    for t in [
        "0x3e8c4603dfd781b124906f4763d89efc2e92faaa00a2a63e65c5c8f92802d1c1",
        "3e8c4603dfd781b124906f4763d89efc2e92faaa00a2a63e65c5c8f92802d1",
        "0xZZ",
    ] {
        add("diff_wasm", [vec![3u8], t.as_bytes().to_vec()].concat());
    }
    for who in ["alice", "bob"] {
        add(
            "diff_wasm",
            [vec![4u8], addr(who).as_bytes().to_vec()].concat(),
        );
    }
    add(
        "diff_wasm",
        [
            vec![4u8],
            b"cosmwasm1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v".to_vec(),
        ]
        .concat(),
    );

    // contracts: sender, funds, minutes passed, then the message
    let msg = |sender: u8, funds: u8, minutes: u16, json: Vec<u8>| {
        [vec![sender, funds], minutes.to_be_bytes().to_vec(), json].concat()
    };
    {
        use optimistic_rollup::msg::{DepositTarget, ExecuteMsg, QueryMsg};
        let data = optimistic::batch_data();
        let msgs = vec![
            (1, 2, 0, to_json_vec(&ExecuteMsg::Bond {})),
            (1, 0, 0, to_json_vec(&ExecuteMsg::Unbond {})),
            (
                3,
                1,
                0,
                to_json_vec(&ExecuteMsg::Deposit {
                    target: DepositTarget::Account { account: 0 },
                }),
            ),
            (
                3,
                1,
                0,
                to_json_vec(&ExecuteMsg::Deposit {
                    target: DepositTarget::NewAccount {
                        pubkey: Binary::from(vec![2; 33]),
                    },
                }),
            ),
            (
                1,
                0,
                5,
                to_json_vec(&ExecuteMsg::ProposeBatch {
                    data: Binary::from(data.clone()),
                    deposits_consumed: 0,
                    output_root: Binary::from(vec![0; 32]),
                }),
            ),
            (1, 0, 2000, to_json_vec(&ExecuteMsg::Finalize { batch: 0 })),
            (
                3,
                0,
                2000,
                to_json_vec(&ExecuteMsg::Withdraw {
                    batch: 0,
                    index: 0,
                    recipient: addr("alice").to_string(),
                    amount: Uint128::new(50_000),
                    output: optimistic_rollup::msg::OutputPreimage {
                        state_root: Binary::from(vec![0; 32]),
                        withdrawals_root: Binary::from(vec![0; 32]),
                    },
                    proof: Binary::from(vec![0; 2]),
                }),
            ),
            (2, 2, 0, to_json_vec(&ExecuteMsg::Challenge { batch: 0 })),
            (
                1,
                0,
                1,
                to_json_vec(&ExecuteMsg::Bisect {
                    game: 0,
                    position: 2,
                    root: Binary::from(vec![1; 32]),
                }),
            ),
            (
                2,
                0,
                1,
                to_json_vec(&ExecuteMsg::Choose {
                    game: 0,
                    position: 2,
                    agree: true,
                }),
            ),
            (
                1,
                0,
                1,
                to_json_vec(&ExecuteMsg::ProveStep {
                    game: 0,
                    step: 4,
                    proof: Binary::from(settle_fuzz::dispute::cases()[3].proof.clone()),
                }),
            ),
            (2, 0, 100, to_json_vec(&ExecuteMsg::ResolveGame { game: 0 })),
            (
                0,
                0,
                0,
                to_json_vec(&ExecuteMsg::ProposeAdmin {
                    admin: addr("bob").to_string(),
                }),
            ),
            (4, 0, 0, to_json_vec(&ExecuteMsg::AcceptAdmin {})),
            (2, 0, 0, to_json_vec(&ExecuteMsg::Claim {})),
            (0, 0, 0, to_json_vec(&QueryMsg::Status {})),
            (0, 0, 0, to_json_vec(&QueryMsg::Solvency {})),
        ];
        for (a, b, c, j) in msgs {
            add("contract_optimistic", msg(a, b, c, j.expect("json")));
        }
        add(
            "contract_optimistic",
            msg(1, 0, 0, br#"{"propose_config":{}}"#.to_vec()),
        );
    }
    {
        use payment_channels::msg::{ExecuteMsg, QueryMsg, SignedState};
        let st = &arr(&chan["states"])[1];
        let signed = SignedState {
            state: Binary::from(unhex(&st["encoding"])),
            signature_a: cosmwasm_std::Binary::from(unhex(&st["signatureA"])),
            signature_b: cosmwasm_std::Binary::from(unhex(&st["signatureB"])),
        };
        let msgs = vec![
            (3, 1, 0, to_json_vec(&channels::open_msg())),
            (
                4,
                3,
                0,
                to_json_vec(&ExecuteMsg::Join {
                    channel: 0,
                    signature: cosmwasm_std::Binary::from(vec![1; 64]),
                }),
            ),
            (3, 0, 2000, to_json_vec(&ExecuteMsg::Reclaim { channel: 0 })),
            (4, 1, 0, to_json_vec(&ExecuteMsg::Fund { channel: 1 })),
            (
                3,
                0,
                0,
                to_json_vec(&ExecuteMsg::CooperativeClose {
                    channel: 1,
                    signed: signed.clone(),
                }),
            ),
            (
                3,
                0,
                0,
                to_json_vec(&ExecuteMsg::Close {
                    channel: 1,
                    signed: signed.clone(),
                }),
            ),
            (
                4,
                0,
                1,
                to_json_vec(&ExecuteMsg::Dispute {
                    channel: 1,
                    signed: Some(signed),
                    revocation: None,
                    authorisation: None,
                }),
            ),
            (4, 0, 100, to_json_vec(&ExecuteMsg::Settle { channel: 1 })),
            (
                5,
                0,
                0,
                to_json_vec(&ExecuteMsg::RevealPreimage {
                    preimage: cosmwasm_std::Binary::from(vec![3; 32]),
                }),
            ),
            (
                3,
                0,
                0,
                to_json_vec(&ExecuteMsg::SettleHtlc {
                    channel: 1,
                    htlc: 0,
                }),
            ),
            (0, 0, 0, to_json_vec(&QueryMsg::Channel { channel: 1 })),
        ];
        for (a, b, c, j) in msgs {
            add("contract_channels", msg(a, b, c, j.expect("json")));
        }
    }
    {
        use validity_rollup::msg::{DepositTarget, ExecuteMsg, QueryMsg, Shape};
        let b0 = &arr(&v["batches"])[0];
        let msgs = vec![
            (
                3,
                1,
                0,
                to_json_vec(&ExecuteMsg::Deposit {
                    target: DepositTarget::Account {
                        account: 0,
                        pubkey: Binary::from(validity::zk_keys()[0].public_key().encode().to_vec()),
                    },
                }),
            ),
            (
                1,
                0,
                1,
                to_json_vec(&ExecuteMsg::SubmitBatch {
                    data: Binary::from(unhex(&b0["data"])),
                    deposits_consumed: 2,
                    new_accounts_root: Binary::from(unhex(&b0["newAccountsRoot"])),
                    new_account_count: 2,
                    proof: Binary::from(unhex(&b0["proof"])),
                }),
            ),
            (
                3,
                0,
                3000,
                to_json_vec(&ExecuteMsg::ExodusWithdraw {
                    account: 0,
                    pubkey: Binary::from(vec![0; 64]),
                    balance: Uint128::new(10_000),
                    nonce: 0,
                    path: vec![Binary::from(vec![0; 32]); 20],
                    recipient: addr("alice").to_string(),
                    signature: Binary::from(vec![0; 96]),
                }),
            ),
            (
                3,
                0,
                0,
                to_json_vec(&ExecuteMsg::RequestExit {
                    account: 0,
                    recipient: addr("alice").to_string(),
                    signature: Binary::from(vec![0; 96]),
                }),
            ),
            (3, 0, 0, to_json_vec(&ExecuteMsg::Claim {})),
            (
                3,
                0,
                3000,
                to_json_vec(&ExecuteMsg::ReclaimDeposit { deposit: 0 }),
            ),
            (
                0,
                0,
                0,
                to_json_vec(&ExecuteMsg::ProposeKey {
                    verifying_key: vcontract::instantiate_msg().verifying_key,
                    shape: Shape {
                        deposits: 2,
                        txs: 1,
                    },
                }),
            ),
            (0, 0, 5000, to_json_vec(&ExecuteMsg::ApplyKey {})),
            (0, 0, 0, to_json_vec(&QueryMsg::Config {})),
        ];
        for (a, b, c, j) in msgs {
            add("contract_validity", msg(a, b, c, j.expect("json")));
        }
    }
    s
}

#[test]
#[ignore = "writes the seed corpora; run by hand"]
fn write_seed_corpora() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let seeds = seeds();
    for (name, _) in TARGETS {
        let inputs = seeds
            .get(name)
            .unwrap_or_else(|| panic!("no seeds for {name}"));
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).expect("corpus folder");
        for input in inputs {
            let file = dir.join(format!(
                "seed-{}",
                &hex::encode(settle_core::hash::keccak256(input))[..16]
            ));
            std::fs::write(file, input).expect("write a seed");
        }
    }
}
