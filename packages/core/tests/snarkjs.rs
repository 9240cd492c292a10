//! snarkjs interop: a Groth16 proof over BLS12-381 made by circom + snarkjs verifies with
//! `validity::groth16` and the arkworks backend, and every tampering is refused with its
//! typed error.
//!
//! Fixtures: `tests/interop/snarkjs/fixtures/` (written by
//! `tests/interop/snarkjs/generate.mjs` from `circuit.circom` and `input.json`, with
//! circom2 and snarkjs from npm; see the README there).
#![cfg(feature = "validity")]

use ark_bls12_381::{Bls12_381, Fq, G1Affine, G1Projective, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, One, PrimeField, Zero};
use ark_serialize::CanonicalDeserialize;
use serde_json::{json, Value};
use settle_core::validity::groth16::{
    prepare, public_input_point, verify, ArkBackend, PairingBackend, PreparedKey, Proof,
    VerifyingKey, G1_IDENTITY, G1_LEN, G1_UNCOMPRESSED_LEN, G2_LEN, PROOF_LEN,
};
use settle_core::validity::snarkjs::{
    proof_from_json, public_inputs_from_json, verifying_key_from_json,
};
use settle_core::validity::Fr;
use settle_core::Error;

/// The committed fixtures, or fresh ones from the directory in `SNARKJS_FIXTURES`
/// (`tests/interop/snarkjs/run.sh` sets it after running `generate.mjs`).
fn load(name: &str, committed: &'static str) -> String {
    match std::env::var_os("SNARKJS_FIXTURES") {
        Some(dir) => std::fs::read_to_string(std::path::Path::new(&dir).join(name))
            .unwrap_or_else(|e| panic!("{name} in SNARKJS_FIXTURES: {e}")),
        None => committed.to_owned(),
    }
}

fn vk_json() -> String {
    load(
        "vk.json",
        include_str!("../../../tests/interop/snarkjs/fixtures/vk.json"),
    )
}

fn proof_json() -> String {
    load(
        "proof.json",
        include_str!("../../../tests/interop/snarkjs/fixtures/proof.json"),
    )
}

fn public_json() -> String {
    load(
        "public.json",
        include_str!("../../../tests/interop/snarkjs/fixtures/public.json"),
    )
}

const NOT_IN_GROUP: &str = "not on the curve or not in the prime-order subgroup";

struct Fixture {
    key: PreparedKey,
    proof: Proof,
    inputs: Vec<Fr>,
}

fn fixture() -> Fixture {
    let vk = verifying_key_from_json(&vk_json()).unwrap();
    Fixture {
        key: prepare(vk, &ArkBackend).unwrap(),
        proof: proof_from_json(&proof_json()).unwrap(),
        inputs: public_inputs_from_json(&public_json()).unwrap(),
    }
}

fn g1(p: &[u8]) -> G1Affine {
    G1Affine::deserialize_compressed(p).unwrap()
}

fn g2(p: &[u8]) -> G2Affine {
    G2Affine::deserialize_compressed(p).unwrap()
}

fn edit(json: &str, f: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(json).unwrap();
    f(&mut v);
    v.to_string()
}

#[test]
fn the_snarkjs_proof_verifies() {
    let Fixture { key, proof, inputs } = fixture();
    assert_eq!(key.public_inputs(), 1);
    assert_eq!(inputs.len(), 1);
    verify(&key, &proof, &inputs, &ArkBackend).unwrap();

    // vk_x is IC_0 + x·IC_1 computed by arkworks directly.
    let direct = (g1(&key.vk.ic[0]).into_group() + g1(&key.vk.ic[1]) * inputs[0]).into_affine();
    assert_eq!(g1(&public_input_point(&key, &inputs).unwrap()), direct);

    // And arkworks' own Groth16 verifier agrees on the converted key and proof.
    let ark_vk = ark_groth16::VerifyingKey::<Bls12_381> {
        alpha_g1: g1(&key.vk.alpha_g1),
        beta_g2: g2(&key.vk.beta_g2),
        gamma_g2: g2(&key.vk.gamma_g2),
        delta_g2: g2(&key.vk.delta_g2),
        gamma_abc_g1: key.vk.ic.iter().map(|p| g1(p)).collect(),
    };
    let ark_proof = ark_groth16::Proof::<Bls12_381> {
        a: g1(&proof.a),
        b: g2(&proof.b),
        c: g1(&proof.c),
    };
    let pvk = ark_groth16::prepare_verifying_key(&ark_vk);
    assert!(ark_groth16::Groth16::<Bls12_381>::verify_proof(&pvk, &ark_proof, &inputs).unwrap());
}

#[test]
fn wire_forms_round_trip() {
    let Fixture { key, proof, .. } = fixture();
    assert_eq!(Proof::decode(&proof.encode()).unwrap(), proof);
    assert_eq!(VerifyingKey::decode(&key.vk.encode()).unwrap(), key.vk);
    let stored = key.encode();
    assert_eq!(stored.len(), 340 + 2 * G1_LEN + 2 * G1_UNCOMPRESSED_LEN);
    assert_eq!(PreparedKey::decode(&stored).unwrap(), key);
}

#[test]
fn a_tampered_public_input_is_rejected() {
    let Fixture { key, proof, inputs } = fixture();
    for x in [inputs[0] + Fr::one(), Fr::zero(), -inputs[0]] {
        assert_eq!(
            verify(&key, &proof, &[x], &ArkBackend),
            Err(Error::ProofRejected)
        );
    }
    let public = edit(&public_json(), |v| {
        v[0] = json!((inputs[0] + Fr::one()).to_string());
    });
    let tampered = public_inputs_from_json(&public).unwrap();
    assert_eq!(
        verify(&key, &proof, &tampered, &ArkBackend),
        Err(Error::ProofRejected)
    );
    assert_eq!(
        verify(&key, &proof, &[], &ArkBackend),
        Err(Error::PublicInputCount {
            expected: 1,
            got: 0
        })
    );
    assert_eq!(
        verify(&key, &proof, &[inputs[0], inputs[0]], &ArkBackend),
        Err(Error::PublicInputCount {
            expected: 1,
            got: 2
        })
    );
}

#[test]
fn an_input_at_or_above_r_is_refused() {
    let r = Fr::MODULUS.to_string();
    // r + 5 written through the base field, whose modulus is larger.
    let r_plus_5 =
        (Fq::from_be_bytes_mod_order(&Fr::MODULUS.to_bytes_be()) + Fq::from(5u64)).to_string();
    for s in [r.as_str(), r_plus_5.as_str(), &"1".repeat(100)] {
        assert_eq!(
            public_inputs_from_json(&json!([s]).to_string()),
            Err(Error::NotCanonical {
                what: "public input"
            }),
            "{s}"
        );
    }
    // r - 1 is fine.
    assert_eq!(
        public_inputs_from_json(&json!([(-Fr::one()).to_string()]).to_string()).unwrap(),
        vec![-Fr::one()]
    );
}

#[test]
fn a_flipped_bit_in_a_proof_point_is_refused() {
    let Fixture { key, proof, inputs } = fixture();
    let bytes = proof.encode();

    // The sort flag of A or C picks the other square root: the point's negation, a valid
    // point, and a wrong proof. The same for B.
    for at in [0, G1_LEN, G1_LEN + G2_LEN] {
        let mut b = bytes;
        b[at] ^= 0x20;
        let tampered = Proof::decode(&b).unwrap();
        assert_eq!(
            verify(&key, &tampered, &inputs, &ArkBackend),
            Err(Error::ProofRejected),
            "sort flag at {at}"
        );
    }

    // A flipped bit of x: either no point has that x, or the point is off the subgroup.
    for (at, what) in [
        (G1_LEN - 1, "proof point a"),
        (G1_LEN + G2_LEN - 1, "proof point b"),
        (PROOF_LEN - 1, "proof point c"),
        (20, "proof point a"),
        (G1_LEN + 60, "proof point b"),
    ] {
        let mut b = bytes;
        b[at] ^= 0x01;
        let tampered = Proof::decode(&b).unwrap();
        assert_eq!(
            verify(&key, &tampered, &inputs, &ArkBackend),
            Err(Error::InvalidPoint {
                what,
                reason: NOT_IN_GROUP
            }),
            "bit flipped in byte {at}"
        );
    }

    // The compression flag cleared: refused before any pairing.
    let mut b = bytes;
    b[G1_LEN] &= 0x7f;
    assert!(matches!(
        Proof::decode(&b),
        Err(Error::InvalidPoint {
            what: "proof point b",
            ..
        })
    ));
}

#[test]
fn wrong_lengths_and_the_identity_are_refused() {
    let Fixture { key, proof, inputs } = fixture();
    let bytes = proof.encode();
    for len in [0, 1, PROOF_LEN - 1] {
        assert_eq!(
            Proof::decode(&bytes[..len]),
            Err(Error::Length {
                what: "groth16 proof",
                expected: PROOF_LEN,
                got: len
            })
        );
    }
    let mut long = bytes.to_vec();
    long.push(0);
    assert_eq!(
        Proof::decode(&long),
        Err(Error::Length {
            what: "groth16 proof",
            expected: PROOF_LEN,
            got: PROOF_LEN + 1
        })
    );

    let identity_a = Error::InvalidPoint {
        what: "proof point a",
        reason: "it is the identity (the point at infinity)",
    };
    let mut b = bytes;
    b[..G1_LEN].copy_from_slice(&G1_IDENTITY);
    assert_eq!(Proof::decode(&b), Err(identity_a.clone()));
    let by_hand = Proof {
        a: G1_IDENTITY,
        ..proof
    };
    assert_eq!(
        verify(&key, &by_hand, &inputs, &ArkBackend),
        Err(identity_a.clone())
    );
    // snarkjs writes the identity as [0, 1, 0].
    let json = edit(&proof_json(), |v| v["pi_a"] = json!(["0", "1", "0"]));
    assert_eq!(proof_from_json(&json), Err(identity_a));
}

#[test]
fn tampered_json_is_refused_with_typed_errors() {
    let off_curve = edit(&proof_json(), |v| {
        let y = v["pi_c"][1].as_str().unwrap().parse::<Fq>().unwrap();
        v["pi_c"][1] = json!((y + Fq::one()).to_string());
    });
    assert_eq!(
        proof_from_json(&off_curve),
        Err(Error::InvalidPoint {
            what: "pi_c",
            reason: "not on the curve"
        })
    );
    let non_canonical = edit(&proof_json(), |v| {
        let p = Fq::MODULUS.to_string();
        v["pi_a"][0] = json!(p);
    });
    assert_eq!(
        proof_from_json(&non_canonical),
        Err(Error::NotCanonical { what: "pi_a" })
    );
    let bn128 = edit(&proof_json(), |v| v["curve"] = json!("bn128"));
    assert!(matches!(
        proof_from_json(&bn128),
        Err(Error::Malformed { what: "snarkjs proof", reason }) if reason.contains("bn128")
    ));
    let plonk = edit(&vk_json(), |v| v["protocol"] = json!("plonk"));
    assert!(matches!(
        verifying_key_from_json(&plonk),
        Err(Error::Malformed { what: "snarkjs verifying key", reason }) if reason.contains("plonk")
    ));
    let n_public = edit(&vk_json(), |v| v["nPublic"] = json!(2));
    assert!(matches!(
        verifying_key_from_json(&n_public),
        Err(Error::Malformed { what: "snarkjs verifying key", reason }) if reason.contains("nPublic")
    ));
    // A G2 point moved off the subgroup: the cofactor of G2 is huge, so a random point of
    // the twist (here: beta with x.c0 bumped until a curve point appears) is outside it.
    let outside = edit(&vk_json(), |v| {
        let x0 = v["vk_beta_2"][0][0]
            .as_str()
            .unwrap()
            .parse::<Fq>()
            .unwrap();
        let x1 = v["vk_beta_2"][0][1]
            .as_str()
            .unwrap()
            .parse::<Fq>()
            .unwrap();
        let p = (1u64..)
            .find_map(|k| {
                G2Affine::get_point_from_x_unchecked(
                    ark_bls12_381::Fq2::new(x0 + Fq::from(k), x1),
                    false,
                )
            })
            .unwrap();
        v["vk_beta_2"] = json!([
            [p.x.c0.to_string(), p.x.c1.to_string()],
            [p.y.c0.to_string(), p.y.c1.to_string()],
            ["1", "0"]
        ]);
    });
    assert_eq!(
        verifying_key_from_json(&outside),
        Err(Error::InvalidPoint {
            what: "vk_beta_2",
            reason: "not in the prime-order subgroup"
        })
    );
}

#[test]
fn the_backend_sums_like_arkworks() {
    let Fixture { key, .. } = fixture();
    let (a, b) = (g1(&key.vk.ic[0]), g1(&key.vk.ic[1]));
    let mut both = key.vk.ic[0].to_vec();
    both.extend_from_slice(&key.vk.ic[1]);
    let sum = ArkBackend.g1_sum(&both).unwrap();
    assert_eq!(g1(&sum), (G1Projective::from(a) + b).into_affine());
    assert!(!g1(&sum).is_zero());
}
