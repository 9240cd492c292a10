//! snarkjs interop on the contract: a proof made by snarkjs (Groth16 on BLS12-381, a circom
//! circuit compiled with circom2; `tests/interop/snarkjs/`) verifies on the
//! validity-rollup contract, whose verifying key is snarkjs's own, converted by
//! settle-core's `validity::snarkjs` (what the browser package's `snarkjsVerifyingKey`,
//! `snarkjsProof` and `snarkjsPublicInputs` call). The committed fixtures, or fresh ones
//! from `SNARKJS_FIXTURES` (`tests/interop/snarkjs/run.sh` sets it).

use cosmwasm_std::Binary;
use cw_multi_test::{App, ContractWrapper, Executor};
use settle_core::validity::field::fr_to_bytes;
use settle_core::validity::snarkjs;
use validity_rollup::msg::{InstantiateMsg, QueryMsg, Shape, VerifyProofResponse};

fn load(name: &str, committed: &'static str) -> String {
    match std::env::var_os("SNARKJS_FIXTURES") {
        Some(dir) => std::fs::read_to_string(std::path::Path::new(&dir).join(name))
            .unwrap_or_else(|e| panic!("{name} in SNARKJS_FIXTURES: {e}")),
        None => committed.to_owned(),
    }
}

#[test]
fn a_snarkjs_proof_verifies_on_the_contract_with_the_snarkjs_key() {
    let vk = snarkjs::verifying_key_from_json(&load(
        "vk.json",
        include_str!("../interop/snarkjs/fixtures/vk.json"),
    ))
    .expect("snarkjs key");
    let proof = snarkjs::proof_from_json(&load(
        "proof.json",
        include_str!("../interop/snarkjs/fixtures/proof.json"),
    ))
    .expect("snarkjs proof");
    let inputs = snarkjs::public_inputs_from_json(&load(
        "public.json",
        include_str!("../interop/snarkjs/fixtures/public.json"),
    ))
    .expect("snarkjs public inputs");
    assert_eq!(inputs.len(), 1, "the fixture circuit has one public output");

    let mut app = App::default();
    let code = app.store_code(Box::new(ContractWrapper::new(
        validity_rollup::contract::execute,
        validity_rollup::contract::instantiate,
        validity_rollup::contract::query,
    )));
    let admin = app.api().addr_make("admin");
    let contract = app
        .instantiate_contract(
            code,
            admin,
            &InstantiateMsg {
                admin: None,
                denom: "uzk".into(),
                verifying_key: Binary::from(vk.encode()),
                shape: Shape {
                    deposits: 1,
                    txs: 1,
                },
                exodus_after_seconds: 86_400,
                key_timelock_seconds: 2 * 86_400,
                min_deposit: cosmwasm_std::Uint128::new(1),
                min_new_account: cosmwasm_std::Uint128::new(1),
                max_pending: 1_024,
            },
            &[],
            "validity-rollup (snarkjs key)",
            None,
        )
        .expect("the contract takes snarkjs's verifying key");
    let ask = |proof: &[u8], input: settle_core::validity::Fr| -> VerifyProofResponse {
        app.wrap()
            .query_wasm_smart(
                &contract,
                &QueryMsg::VerifyProof {
                    proof: Binary::from(proof.to_vec()),
                    public_inputs: vec![Binary::from(fr_to_bytes(&input).to_vec())],
                },
            )
            .expect("query")
    };
    let bytes = proof.encode();
    let ok = ask(&bytes, inputs[0]);
    assert!(ok.valid, "{ok:?}");
    // Another public input, or a proof with a flipped sort bit in A: rejected.
    let wrong = ask(&bytes, inputs[0] + settle_core::validity::Fr::from(1u64));
    assert!(!wrong.valid);
    assert!(wrong.reason.unwrap().contains("proof rejected"));
    let mut flipped = bytes;
    flipped[0] ^= 0x20;
    let bad = ask(&flipped, inputs[0]);
    assert!(!bad.valid, "{bad:?}");
}
