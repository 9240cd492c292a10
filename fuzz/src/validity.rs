//! The validity rollup's decoders (`settle_core::validity`): batch data, field elements,
//! Jubjub keys and signatures, Groth16 proofs and keys (`verify_encoded`, with the host's
//! pairing, cosmwasm-std's `MockApi`, against arkworks), and snarkjs JSON.

use std::sync::OnceLock;

use cosmwasm_std::testing::MockApi;
use settle_core::validity::eddsa::{PublicKey, SecretKey, Signature};
use settle_core::validity::field::{fr_from_bytes, fr_from_hex, fr_to_bytes, fr_to_hex};
use settle_core::validity::groth16::{
    verify_encoded, ArkBackend, PreparedKey, Proof, VerifyingKey, PROOF_LEN,
};
use settle_core::validity::ledger::{prepare_batch_key, BatchData, Deposit, Ledger, Shape};
use settle_core::validity::{snarkjs, Fr};
use settle_host::HostPairing;

use crate::input::Input;
use crate::vectors::{parity, unhex};

/// The vectors' verifying key (a real circuit's, shape 2 deposits / 1 transaction).
pub fn vector_key() -> &'static (VerifyingKey, PreparedKey) {
    static KEY: OnceLock<(VerifyingKey, PreparedKey)> = OnceLock::new();
    KEY.get_or_init(|| {
        let vk = VerifyingKey::decode(&unhex(&parity()["validity"]["verifyingKey"]))
            .expect("the vectors' key decodes");
        let prepared = prepare_batch_key(vk.clone(), &ArkBackend).expect("the key prepares");
        (vk, prepared)
    })
}

/// The public inputs of the vectors' valid proofs (the only statements proven).
pub fn proven_inputs() -> &'static Vec<Vec<u8>> {
    static INPUTS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    INPUTS.get_or_init(|| {
        parity()["validity"]["proofChecks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["valid"].as_bool() == Some(true))
            .map(|c| {
                c["publicInputs"]
                    .as_array()
                    .expect("inputs")
                    .iter()
                    .map(unhex)
                    .collect::<Vec<_>>()
                    .concat()
            })
            .collect()
    })
}

/// Key seeds of the fuzzed validity ledger's accounts.
pub fn zk_keys() -> [SecretKey; 3] {
    [[1u8; 32], [2u8; 32], [3u8; 32]].map(|s| SecretKey::from_seed(&s))
}

/// A validity ledger with three accounts.
pub fn seeded_ledger() -> Ledger {
    static LEDGER: OnceLock<Ledger> = OnceLock::new();
    LEDGER
        .get_or_init(|| {
            let mut ledger = Ledger::new();
            for (k, amount) in zk_keys().iter().zip([1_000_000u128, 5_000, u128::MAX / 4]) {
                ledger
                    .apply_deposit(&Deposit::NewAccount {
                        key: k.public_key(),
                        amount,
                    })
                    .expect("deposit applies");
            }
            ledger
        })
        .clone()
}

/// Batch data: `BatchData::decode` is the strict inverse of `encode`; replaying decoded
/// data from the seeded ledger against a claimed root either arrives there or leaves the
/// ledger as it was; the data commitment never panics.
pub fn validity_batch(data: &[u8]) {
    let mut input = Input::new(data);
    let claim_own_root = input.bool();
    let exit_slots: Vec<bool> = (0..input.u8() % 4).map(|_| input.bool()).collect();
    let bytes = input.rest();
    let Ok(batch) = BatchData::decode(bytes) else {
        return;
    };
    assert_eq!(
        batch.encode(),
        bytes,
        "decode accepted a non-canonical batch"
    );
    let _ = batch.commitment(
        seeded_ledger().hasher(),
        Shape {
            deposits: 2,
            txs: 2,
        },
        &exit_slots,
    );
    let mut ledger = seeded_ledger();
    let before = ledger.state_root();
    // The root a replay must reach: what applying the data gives (found by a scratch
    // replay against a root no ledger has), or the root before (a lie when data moved).
    let mut scratch = ledger.clone();
    let target = if claim_own_root {
        let _ = scratch.replay_batch(&[], &batch, &Fr::from(0u64));
        scratch.state_root()
    } else {
        before
    };
    match ledger.replay_batch(&[], &batch, &target) {
        Ok(()) => assert_eq!(ledger.state_root(), target),
        Err(_) => assert_eq!(
            ledger.state_root(),
            before,
            "a refused replay changed the ledger"
        ),
    }
    assert!(ledger.total_balance() <= seeded_ledger().total_balance());
}

/// Field elements and Jubjub keys and signatures: canonical decoding (a value at or above
/// the modulus is refused, one value has one encoding).
pub fn validity_field(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.u8();
    let bytes = input.rest();
    match mode % 4 {
        0 => {
            if let Ok(x) = fr_from_bytes("fuzz", bytes) {
                assert_eq!(fr_to_bytes(&x), bytes, "two encodings of one field element");
            }
        }
        1 => {
            if let Ok(s) = core::str::from_utf8(bytes) {
                if let Ok(x) = fr_from_hex("fuzz", s) {
                    let digits = s.strip_prefix("0x").unwrap_or(s);
                    assert_eq!(fr_to_hex(&x), digits.to_ascii_lowercase());
                }
            }
        }
        2 => {
            if let Ok(k) = PublicKey::decode(bytes) {
                assert_eq!(k.encode(), bytes, "two encodings of one key");
                assert_eq!(
                    PublicKey::from_coordinates(k.coordinates().0, k.coordinates().1),
                    Ok(k)
                );
            }
        }
        _ => {
            let (sig, msg) = bytes.split_at(bytes.len().min(96));
            if let Ok(s) = Signature::decode(sig) {
                assert_eq!(s.encode(), sig, "two encodings of one signature");
                let key = zk_keys()[0].public_key();
                let message = fr_from_bytes("message", msg).unwrap_or(Fr::from(7u64));
                if key.verify(&message, &s) {
                    // EdDSA here is deterministic: the key's own signature is the only
                    // one the fuzzer could have (it has no secret).
                    assert_eq!(zk_keys()[0].sign(&message).encode()[..], sig[..]);
                }
            }
        }
    }
}

/// Groth16 from wire bytes: `verify_encoded` under the vectors' key with arkworks and with
/// the host's pairing (they must agree), and only the statements the vectors proved may
/// pass. Input: `length tweak (1) || proof (192) || input count (1) || inputs (32 each)`.
pub fn groth16_proof(data: &[u8]) {
    let mut input = Input::new(data);
    let tweak = input_len_tweak(&mut input);
    let proof = input.bytes(PROOF_LEN + tweak);
    let count = input.u8() % 3;
    let inputs: Vec<&[u8]> = (0..count).map(|_| input.bytes(32)).collect();
    let (_, key) = vector_key();
    let api = MockApi::default();
    let ark = verify_encoded(key, proof, &inputs, &ArkBackend);
    let host = verify_encoded(key, proof, &inputs, &HostPairing(&api));
    assert_eq!(
        ark.is_ok(),
        host.is_ok(),
        "arkworks and the host disagree: {ark:?} {host:?}"
    );
    if ark.is_ok() {
        let statement = inputs.concat();
        assert!(
            proven_inputs().contains(&statement),
            "a proof verified for a statement nobody proved: {}",
            hex::encode(&statement)
        );
        let p = Proof::decode(proof).expect("verified");
        assert_eq!(p.encode().as_slice(), proof);
    }
}

/// A proof length a little off now and then (the input's first byte, when it says so).
fn input_len_tweak(input: &mut Input) -> usize {
    let b = input.u8();
    if b & 0xf0 == 0xf0 {
        (b & 0x0f) as usize
    } else {
        0
    }
}

/// Groth16 verifying keys: `VerifyingKey::decode` (strict inverse of `encode`), `check`
/// and `prepare_batch_key` with arkworks and the host (they must agree), then a real
/// proof under the fuzzed key; and `PreparedKey::decode`.
pub fn groth16_key(data: &[u8]) {
    let mut input = Input::new(data);
    let prepared_form = input.bool();
    let bytes = input.rest();
    if prepared_form {
        if let Ok(k) = PreparedKey::decode(bytes) {
            assert_eq!(k.encode(), bytes, "two encodings of one prepared key");
        }
        return;
    }
    let Ok(vk) = VerifyingKey::decode(bytes) else {
        return;
    };
    assert_eq!(vk.encode(), bytes, "two encodings of one verifying key");
    let api = MockApi::default();
    let host = HostPairing(&api);
    let (ark_check, host_check) = (vk.check(&ArkBackend), vk.check(&host));
    assert_eq!(
        ark_check.is_ok(),
        host_check.is_ok(),
        "key check: {ark_check:?} {host_check:?}"
    );
    let (Ok(ark_key), Ok(host_key)) = (
        prepare_batch_key(vk.clone(), &ArkBackend),
        prepare_batch_key(vk.clone(), &host),
    ) else {
        return;
    };
    assert_eq!(
        ark_key.encode(),
        host_key.encode(),
        "the backends prepared different keys"
    );
    let check = &parity()["validity"]["proofChecks"][0];
    let proof = unhex(&check["proof"]);
    let inputs: Vec<Vec<u8>> = check["publicInputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .map(unhex)
        .collect();
    let a = verify_encoded(&ark_key, &proof, &inputs, &ArkBackend);
    let h = verify_encoded(&host_key, &proof, &inputs, &host);
    assert_eq!(
        a.is_ok(),
        h.is_ok(),
        "a real proof under a fuzzed key: {a:?} {h:?}"
    );
}

/// snarkjs JSON: `verification_key.json`, `proof.json`, `public.json`. What parses is well
/// formed for the wire (a proof passes `check_form` and round-trips; inputs are canonical).
pub fn snarkjs_json(data: &[u8]) {
    let Ok(json) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = snarkjs::proof_from_json(json) {
        assert!(p.check_form().is_ok(), "a parsed proof is not well formed");
        assert_eq!(Proof::decode(&p.encode()), Ok(p));
    }
    if let Ok(vk) = snarkjs::verifying_key_from_json(json) {
        // the wire form reads back the same key (unless a point is the identity, which
        // the wire form refuses and `check` refuses too)
        match VerifyingKey::decode(&vk.encode()) {
            Ok(k) => assert_eq!(k, vk, "snarkjs and wire forms of a key differ"),
            Err(_) => assert!(vk.check(&ArkBackend).is_err()),
        }
    }
    if let Ok(inputs) = snarkjs::public_inputs_from_json(json) {
        for x in inputs {
            assert_eq!(fr_from_bytes("input", &fr_to_bytes(&x)), Ok(x));
        }
    }
}
