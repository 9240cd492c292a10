//! Setup, prove and verify a real batch: two accounts opened by deposits, a transfer and
//! a withdrawal, in a circuit of two deposit and two transaction slots. The proof is
//! checked by arkworks' verifier and by the core's (the contract's) verifier over the
//! verifying key's wire form.
//!
//! About a minute on two cores. It needs the workspace's
//! `[profile.dev.package.settle-zk] opt-level = 3`: arkworks' generic code (field and curve
//! arithmetic, MSMs, FFTs) is monomorphised in this crate, so optimising the `ark-*`
//! packages alone does not reach it, and an unoptimised proof takes many minutes.

mod common;

use ark_bls12_381::Bls12_381;
use ark_ff::Field;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use common::*;
use rand::rngs::StdRng;
use rand::SeedableRng;
use settle_core::validity::groth16 as core_groth16;
use settle_core::validity::ledger::Shape;
use settle_core::validity::Fr;
use settle_zk::{
    proof_from_bytes, prove, prove_with_progress, public_input, setup, Error, ProvingKey, Stage,
    VerifyingKey, PROOF_LEN, VK_WIRE_LEN,
};

#[test]
fn a_batch_is_proven_and_verified() {
    let shape = Shape {
        deposits: 2,
        txs: 2,
    };
    let mut rng = StdRng::seed_from_u64(7);
    let (pk, vk) = setup(shape, &mut rng).expect("setup");
    let (_, witness, _) = sample_batch(shape);
    let input = public_input(&witness);

    let mut stages = Vec::new();
    let proof = prove_with_progress(&pk, &witness, &mut rng, &mut |s| stages.push(s)).unwrap();
    assert_eq!(proof.len(), PROOF_LEN);
    assert!(matches!(
        stages[0],
        Stage::Synthesizing {
            txs: 2,
            deposits: 2,
            ..
        }
    ));
    assert_eq!(stages.last(), Some(&Stage::Done));

    // arkworks' verifier, with the one public input.
    let parsed = proof_from_bytes(&proof).unwrap();
    assert!(Groth16::<Bls12_381>::verify(&vk.key, &[input], &parsed).unwrap());
    assert!(!Groth16::<Bls12_381>::verify(&vk.key, &[input + Fr::ONE], &parsed).unwrap());
    assert!(vk.verify(&input, &proof).unwrap());

    // The contract's verifier over the wire forms.
    let wire = vk.to_wire();
    assert_eq!(wire.len(), VK_WIRE_LEN);
    let key = core_groth16::VerifyingKey::decode(&wire).unwrap();
    let prepared = core_groth16::prepare(key, &core_groth16::ArkBackend).unwrap();
    let core_proof = core_groth16::Proof::decode(&proof).unwrap();
    core_groth16::verify(&prepared, &core_proof, &[input], &core_groth16::ArkBackend).unwrap();
    assert!(core_groth16::verify(
        &prepared,
        &core_proof,
        &[input + Fr::ONE],
        &core_groth16::ArkBackend
    )
    .is_err());

    // A tampered witness is refused before any proving.
    let mut wrong = witness.clone();
    wrong.statement.new_state_root += Fr::ONE;
    assert!(matches!(
        prove(&pk, &wrong, &mut rng),
        Err(Error::Unsatisfied { .. })
    ));
    // So is a batch of another shape.
    let mut other = witness.clone();
    other.shape = Shape {
        deposits: 2,
        txs: 3,
    };
    assert!(matches!(
        prove(&pk, &other, &mut rng),
        Err(Error::ShapeMismatch { .. })
    ));

    // Key files: the uncompressed form (quick to load) and the verifying key.
    let dir = std::env::temp_dir().join(format!("settle-zk-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    pk.save_uncompressed(dir.join("batch.pk")).unwrap();
    vk.save(dir.join("batch.vk")).unwrap();
    vk.save_wire(dir.join("batch.vk.wire")).unwrap();
    let loaded = ProvingKey::load_trusted(dir.join("batch.pk")).unwrap();
    assert_eq!(loaded.shape, shape);
    assert!(loaded == pk);
    assert_eq!(VerifyingKey::load(dir.join("batch.vk")).unwrap(), vk);
    let wire = std::fs::read(dir.join("batch.vk.wire")).unwrap();
    assert_eq!(VerifyingKey::from_wire(shape, &wire).unwrap(), vk);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The compressed key form (the default), on a circuit small enough to decompress fast.
#[test]
fn compressed_keys_round_trip() {
    let shape = Shape {
        deposits: 0,
        txs: 0,
    };
    let mut rng = StdRng::seed_from_u64(8);
    let (pk, vk) = setup(shape, &mut rng).unwrap();
    let bytes = pk.to_bytes().unwrap();
    assert!(bytes.len() < pk.to_bytes_uncompressed().unwrap().len());
    assert!(ProvingKey::from_bytes(&bytes).unwrap() == pk);
    assert!(ProvingKey::from_trusted_bytes(&bytes).unwrap() == pk);
    assert_eq!(
        VerifyingKey::from_bytes(&vk.to_bytes().unwrap()).unwrap(),
        vk
    );
    // An empty batch proves too.
    let (witness, _) = Rollup::default().apply(shape, &[], &[]);
    let proof = prove(&pk, &witness, &mut rng).unwrap();
    assert!(vk.verify(&public_input(&witness), &proof).unwrap());
    // Another proof of the same batch differs (zero knowledge) and verifies too.
    let again = prove(&pk, &witness, &mut rng).unwrap();
    assert_ne!(again, proof);
    assert!(vk.verify(&public_input(&witness), &again).unwrap());
    // Truncated or trailing bytes are refused.
    assert!(ProvingKey::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(ProvingKey::from_bytes(&longer).is_err());
}
