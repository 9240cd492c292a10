//! Replays every committed input of every target (`corpus/<target>/*`) with no fuzzing
//! engine, on stable, as part of `cargo test`: every crash ever found stays fixed, and
//! every target still runs over inputs that reach deep into it.

use std::path::PathBuf;

use settle_fuzz::{target, TARGETS};

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name)
}

fn replay(name: &str) {
    let run = target(name).expect("a target of that name");
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus(name))
        .unwrap_or_else(|e| panic!("no corpus for {name}: {e}"))
        .map(|e| e.expect("a corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "the corpus of {name} is empty");
    for file in &files {
        let data = std::fs::read(file).expect("a corpus input");
        if let Err(e) = std::panic::catch_unwind(|| run(&data)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{name}: {} crashes: {msg}", file.display());
        }
    }
}

macro_rules! replay_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                replay(stringify!($name));
            }
        )*

        /// Every target has a replay test here and a libFuzzer binary in `libfuzzer/`.
        #[test]
        fn every_target_is_replayed_and_fuzzed() {
            let replayed = [$(stringify!($name)),*];
            let manifest = std::fs::read_to_string(
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("libfuzzer/Cargo.toml"),
            )
            .expect("the cargo-fuzz manifest");
            for (name, _) in TARGETS {
                assert!(replayed.contains(name), "{name} is not replayed");
                assert!(
                    manifest.contains(&format!("name = \"{name}\"")),
                    "{name} has no libFuzzer binary"
                );
            }
            assert_eq!(replayed.len(), TARGETS.len());
        }
    };
}

replay_tests!(
    tx_decode,
    batch_data,
    merkle_proof,
    merkle_multiproof,
    smt_compact,
    smt_multiproof,
    oz_multiproof,
    channel_state,
    one_step_proof,
    step_state,
    validity_batch,
    validity_field,
    groth16_proof,
    groth16_key,
    snarkjs_json,
    contract_optimistic,
    contract_channels,
    contract_validity,
    diff_wasm,
    diff_zk_circuit,
);
