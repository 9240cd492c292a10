//! Figures of the batch circuit: constraints per slot, setup and proving times, sizes.
//!
//! ```text
//! cargo run --release -p settle-zk --example figures            # counts, {1,1} and {2,4}
//! cargo run --release -p settle-zk --example figures -- counts   # constraint counts only
//! cargo run --release -p settle-zk --example figures -- small    # counts and {1,1} only
//! cargo run --release -p settle-zk --example figures -- keys     # all, and key decoding
//! ```
//!
//! Prints, asserts nothing (figures come from here, never from timed tests).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, OptimizationGoal};
use rand::rngs::StdRng;
use rand::SeedableRng;
use settle_core::validity::ledger::{Shape, TxBody};
use settle_zk::{prove, public_input, setup, BatchCircuit, Part};

fn counts() {
    println!("## Constraints (R1CS, linear combinations inlined)");
    let shapes = [
        Shape {
            deposits: 0,
            txs: 0,
        },
        Shape {
            deposits: 1,
            txs: 1,
        },
        Shape {
            deposits: 1,
            txs: 2,
        },
        Shape {
            deposits: 2,
            txs: 1,
        },
        Shape {
            deposits: 2,
            txs: 4,
        },
    ];
    let mut total = std::collections::HashMap::new();
    for shape in shapes {
        let m = BatchCircuit::blank(shape).measure().expect("synthesis");
        total.insert((shape.deposits, shape.txs), m.constraints);
        println!(
            "shape {{deposits: {}, txs: {}}}: {} constraints, {} witness variables, {} instance \
             variables (statement part {}, deposit slot {}, tx slot {}, close {})",
            shape.deposits,
            shape.txs,
            m.constraints,
            m.witness_variables,
            m.instance_variables,
            m.layout.size_of(Part::Statement),
            if shape.deposits > 0 {
                m.layout.size_of(Part::Deposit(0))
            } else {
                0
            },
            if shape.txs > 0 {
                m.layout.size_of(Part::Tx(0))
            } else {
                0
            },
            m.layout.size_of(Part::Close),
        );
    }
    let per_tx = total[&(1, 2)] - total[&(1, 1)];
    let per_deposit = total[&(2, 1)] - total[&(1, 1)];
    println!("per transaction slot ({{1,2}} - {{1,1}}): {per_tx} constraints");
    println!("per deposit slot ({{2,1}} - {{1,1}}): {per_deposit} constraints");
}

/// Constraints of the building blocks, synthesized alone (setup mode).
fn gadgets() {
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::boolean::Boolean;
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_relations::r1cs::SynthesisMode;
    use settle_core::validity::poseidon::Domain;
    use settle_core::validity::Fr;
    use settle_zk::gadgets::eddsa::{witness_point, witness_scalar_bits};
    use settle_zk::gadgets::{roots_from_path, verify_signature, GeneratorPowers, PoseidonVar};

    let count = |f: &dyn Fn(ark_relations::r1cs::ConstraintSystemRef<Fr>)| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        f(cs.clone());
        cs.finalize();
        cs.num_constraints()
    };
    let inputs = |cs: &ark_relations::r1cs::ConstraintSystemRef<Fr>, n: usize| -> Vec<FpVar<Fr>> {
        (0..n)
            .map(|_| FpVar::new_witness(cs.clone(), || Ok(Fr::from(0u64))).unwrap())
            .collect()
    };
    println!("\n## Building blocks");
    for n in [2, 4, 5] {
        let c = count(&|cs| {
            let x = inputs(&cs, n);
            let _ = PoseidonVar::new(cs).hash(Domain::Node, &x).unwrap();
        });
        println!("Poseidon of {n} inputs: {c} constraints");
    }
    let c = count(&|cs| {
        let x = inputs(&cs, 2 + 20);
        let bits: Vec<_> = (0..20)
            .map(|_| Boolean::new_witness(cs.clone(), || Ok(false)).unwrap())
            .collect();
        let _ = roots_from_path(&PoseidonVar::new(cs), &x[0], &x[1], &bits, &x[2..]).unwrap();
    });
    println!("account update (old and new root from one path of 20): {c} constraints");
    let c = count(&|cs| {
        let a = witness_point(&cs, None).unwrap();
        let r = witness_point(&cs, None).unwrap();
        let s = witness_scalar_bits(&cs, None).unwrap();
        let m = inputs(&cs, 1);
        let e = Boolean::new_witness(cs.clone(), || Ok(true)).unwrap();
        let hasher = PoseidonVar::new(cs);
        verify_signature(&hasher, &GeneratorPowers::new(), &a, &r, &s, &m[0], &e).unwrap();
    });
    println!("EdDSA verification (with its Poseidon challenge): {c} constraints");
}

fn timings(shape: Shape, decode: bool) {
    println!(
        "\n## Shape {{deposits: {}, txs: {}}}",
        shape.deposits, shape.txs
    );
    let mut rng = StdRng::seed_from_u64(42);
    let t = Instant::now();
    let (pk, vk) = setup(shape, &mut rng).expect("setup");
    println!("setup: {:.2} s", t.elapsed().as_secs_f64());
    let pk_bytes = pk.to_bytes().expect("serialize");
    let vk_bytes = vk.to_bytes().expect("serialize");
    let pk_uncompressed = pk.to_bytes_uncompressed().expect("serialize");
    println!(
        "proving key: {} bytes compressed, {} uncompressed ({} variables, {} h-query points); \
         verifying key: {} bytes (arkworks), {} bytes (wire)",
        pk_bytes.len(),
        pk_uncompressed.len(),
        pk.key.a_query.len(),
        pk.key.h_query.len(),
        vk_bytes.len(),
        vk.to_wire().len()
    );
    if decode {
        let t = Instant::now();
        let _ = settle_zk::ProvingKey::from_bytes(&pk_bytes).expect("decode");
        println!(
            "proving key decode (checked): {:.2} s",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        let _ = settle_zk::ProvingKey::from_trusted_bytes(&pk_bytes).expect("decode");
        println!(
            "proving key decode (trusted): {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }
    let t = Instant::now();
    let _ = settle_zk::ProvingKey::from_trusted_bytes(&pk_uncompressed).expect("decode");
    println!(
        "proving key decode (uncompressed, trusted): {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let _ = settle_zk::ProvingKey::from_bytes(&pk_uncompressed).expect("decode");
    println!(
        "proving key decode (uncompressed, checked): {:.2} s",
        t.elapsed().as_secs_f64()
    );

    // A full batch for the shape: deposits open accounts, transfers between them.
    let mut rollup = common::Rollup::default();
    let deposits: Vec<_> = (0..shape.deposits)
        .map(|i| common::new_account(i as u8 + 1, 1_000_000))
        .collect();
    let mut preview = common::Rollup::default();
    preview.apply(
        Shape {
            deposits: shape.deposits,
            txs: 0,
        },
        &deposits,
        &[],
    );
    let accounts = shape.deposits.max(1) as u32;
    let txs: Vec<_> = (0..shape.txs)
        .map(|i| {
            let from = i as u32 % accounts;
            let body = TxBody::Transfer {
                from,
                to: (from + 1) % accounts,
                amount: 10 + i as u128,
            };
            let nonce = (i as u32 / accounts) as u64;
            preview.sign_at(&common::key(from as u8 + 1), body, nonce)
        })
        .collect();
    let txs = if shape.deposits == 0 { vec![] } else { txs };
    let (witness, _) = rollup.apply(shape, &deposits, &txs);
    let t = Instant::now();
    let proof = prove(&pk, &witness, &mut rng).expect("prove");
    println!(
        "proof: {} bytes, {:.2} s to prove {} txs",
        proof.len(),
        t.elapsed().as_secs_f64(),
        witness.txs.len()
    );
    let t = Instant::now();
    let ok = vk.verify(&public_input(&witness), &proof).expect("verify");
    println!("native verify: {ok} in {:.3} s", t.elapsed().as_secs_f64());
}

fn synthesis(shape: Shape) {
    let (_, witness, _) = common::sample_batch(shape);
    let t = Instant::now();
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    BatchCircuit::new(&witness)
        .unwrap()
        .generate_constraints(cs.clone())
        .unwrap();
    let synth = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let before = cs.is_satisfied().unwrap();
    println!(
        "\ncheck before inlining: {:.2} s ({before})",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    cs.finalize();
    let fin = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let ok = cs.is_satisfied().unwrap();
    println!(
        "\nsynthesis of {{{}, {}}} with its witness: {synth:.2} s, inlining {fin:.2} s, \
         check {:.2} s ({ok})",
        shape.deposits,
        shape.txs,
        t.elapsed().as_secs_f64()
    );
}

fn main() {
    let what = std::env::args().nth(1).unwrap_or_default();
    counts();
    gadgets();
    synthesis(Shape {
        deposits: 2,
        txs: 2,
    });
    match what.as_str() {
        "counts" => {}
        "small" => timings(
            Shape {
                deposits: 1,
                txs: 1,
            },
            false,
        ),
        _ => {
            let decode = what == "keys";
            timings(
                Shape {
                    deposits: 1,
                    txs: 1,
                },
                decode,
            );
            timings(
                Shape {
                    deposits: 2,
                    txs: 4,
                },
                decode,
            );
        }
    }
}
