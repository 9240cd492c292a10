//! Proving a batch: synthesize the circuit with the native ledger's witness, check it is
//! satisfied (so a bad witness is a typed error, never an invalid proof), then Groth16.

use ark_bls12_381::Bls12_381;
use ark_groth16::Groth16;
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use settle_core::validity::ledger::{BatchWitness, Shape};
use settle_core::validity::poseidon::Poseidon;
use settle_core::validity::Fr;

use crate::circuit::{BatchCircuit, Part};
use crate::keys::{proof_to_bytes, ProvingKey, PROOF_LEN};
use crate::Error;

/// Where a proof is. Synthesis and the check take a small part of the time; the Groth16
/// step (FFTs and multi-scalar multiplications) takes the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Building the constraint system with the witness.
    Synthesizing {
        shape: Shape,
        deposits: usize,
        txs: usize,
    },
    /// Evaluating every constraint on the witness.
    Checking { constraints: usize },
    /// The Groth16 prover proper.
    Proving { constraints: usize },
    /// The proof is ready.
    Done,
}

/// The one public input of `witness`'s proof: [`settle_core::validity::ledger::Statement::public_input`].
pub fn public_input(witness: &BatchWitness) -> Fr {
    witness.statement.public_input(&Poseidon::new())
}

/// Proves `witness` (from [`settle_core::validity::ledger::Ledger::apply_batch`]) with
/// `pk`: `A || B || C` compressed ([`PROOF_LEN`] bytes). Natively, the stages and their
/// times go to stderr; use [`prove_with_progress`] to show them elsewhere (a browser).
pub fn prove<R: RngCore + CryptoRng>(
    pk: &ProvingKey,
    witness: &BatchWitness,
    rng: &mut R,
) -> Result<[u8; PROOF_LEN], Error> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut reporter = StderrReporter::new();
        prove_with_progress(pk, witness, rng, &mut |stage| reporter.report(stage))
    }
    #[cfg(target_arch = "wasm32")]
    {
        prove_with_progress(pk, witness, rng, &mut |_| {})
    }
}

/// [`prove`], telling `progress` each [`Stage`] as it starts (the browser shows it; on
/// wasm32 the caller keeps the clock, `std::time` has none there).
pub fn prove_with_progress<R: RngCore + CryptoRng>(
    pk: &ProvingKey,
    witness: &BatchWitness,
    rng: &mut R,
    progress: &mut dyn FnMut(Stage),
) -> Result<[u8; PROOF_LEN], Error> {
    prove_dyn(pk, witness, rng, progress)
}

/// The non-generic prover behind [`prove_with_progress`] (see [`crate::keys::ProverRng`]).
fn prove_dyn(
    pk: &ProvingKey,
    witness: &BatchWitness,
    mut rng: &mut dyn crate::keys::ProverRng,
    progress: &mut dyn FnMut(Stage),
) -> Result<[u8; PROOF_LEN], Error> {
    if witness.shape != pk.shape {
        return Err(Error::ShapeMismatch {
            key: pk.shape,
            batch: witness.shape,
        });
    }
    progress(Stage::Synthesizing {
        shape: witness.shape,
        deposits: witness.deposits.len(),
        txs: witness.txs.len(),
    });
    let circuit = BatchCircuit::new(witness)?;
    let synthesized = circuit.synthesize_for_proof()?;
    let matrices = &synthesized.matrices;
    let constraints = matrices.num_constraints;
    if pk.key.a_query.len() != synthesized.assignment.len() {
        return Err(Error::malformed(
            "proving key",
            format!(
                "{} variables, the circuit has {}",
                pk.key.a_query.len(),
                synthesized.assignment.len()
            ),
        ));
    }

    progress(Stage::Checking { constraints });
    if let Some(constraint) = synthesized.first_unsatisfied() {
        return Err(Error::Unsatisfied {
            part: synthesized
                .layout
                .part_of(constraint)
                .unwrap_or(Part::Close),
            constraint,
        });
    }

    progress(Stage::Proving { constraints });
    let r = Fr::rand(&mut rng);
    let s = Fr::rand(&mut rng);
    let proof = Groth16::<Bls12_381>::create_proof_with_reduction_and_matrices(
        &pk.key,
        r,
        s,
        matrices,
        matrices.num_instance_variables,
        constraints,
        &synthesized.assignment,
    )?;
    progress(Stage::Done);
    Ok(proof_to_bytes(&proof))
}

/// Prints the stages with elapsed times.
#[cfg(not(target_arch = "wasm32"))]
struct StderrReporter {
    start: std::time::Instant,
    last: std::time::Instant,
}

#[cfg(not(target_arch = "wasm32"))]
impl StderrReporter {
    fn new() -> Self {
        let now = std::time::Instant::now();
        StderrReporter {
            start: now,
            last: now,
        }
    }

    fn report(&mut self, stage: Stage) {
        let now = std::time::Instant::now();
        let step = (now - self.last).as_secs_f64();
        self.last = now;
        match stage {
            Stage::Synthesizing {
                shape,
                deposits,
                txs,
            } => eprintln!(
                "proving batch of {txs} txs and {deposits} deposits \
                 ({} + {} slots): synthesizing…",
                shape.txs, shape.deposits
            ),
            Stage::Checking { constraints } => {
                eprintln!("  {constraints} constraints synthesized in {step:.2} s; checking…")
            }
            Stage::Proving { .. } => eprintln!("  checked in {step:.2} s; proving…"),
            Stage::Done => eprintln!(
                "  proved in {step:.2} s ({:.2} s in all)",
                (now - self.start).as_secs_f64()
            ),
        }
    }
}
