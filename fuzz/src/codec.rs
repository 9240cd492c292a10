//! The optimistic rollup's compact encodings: one transaction (`tx::SignedTx`) and batch
//! data (`batch`: steps, data commitment, the total state transition).

use std::sync::OnceLock;

use settle_core::batch::{apply_batch, commit_data, data_root, data_tree, split_steps};
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_core::ledger::{Deposit, DepositTarget, Ledger, TxEffect};
use settle_core::tx::{Domain, SignedTx};

/// The signing domain of the fuzzed rollup (the seeds are signed for it).
pub fn domain() -> Domain {
    Domain::new("settle-fuzz", "cosmwasm1fuzzrollup")
}

/// The keys of the fuzzed rollup's accounts 0, 1 and 2.
pub fn keys() -> [L2Key; 3] {
    ["fuzz-alice", "fuzz-bob", "fuzz-carol"].map(L2Key::from_label)
}

/// Balances the seeded ledger opens its accounts with.
pub const BALANCES: [u128; 3] = [1_000_000, 250_000, u128::MAX - 2_000_000];

/// A ledger with three accounts (the last one near `u128::MAX`; the total still fits).
pub fn seeded_ledger() -> Ledger {
    static LEDGER: OnceLock<Ledger> = OnceLock::new();
    LEDGER
        .get_or_init(|| {
            let mut ledger = Ledger::new();
            let deposits: Vec<Deposit> = keys()
                .iter()
                .zip(BALANCES)
                .enumerate()
                .map(|(i, (k, amount))| Deposit {
                    index: i as u64,
                    target: DepositTarget::NewAccount(k.public_key()),
                    amount,
                    refund_to: vec![i as u8; 20],
                })
                .collect();
            apply_batch(
                &mut ledger,
                &domain(),
                &NativeVerifier,
                0,
                0,
                &deposits,
                &[],
            )
            .expect("deposits apply");
            ledger
        })
        .clone()
}

/// `SignedTx::decode` / `decode_prefix`: a decoded transaction re-encodes to exactly the
/// bytes it came from (one byte string per transaction), and both decoders agree.
pub fn tx_decode(data: &[u8]) {
    match SignedTx::decode(data) {
        Ok(tx) => {
            assert_eq!(
                tx.encode(),
                data,
                "decode accepted a non-canonical encoding"
            );
            assert!(
                tx.body.check().is_ok(),
                "decoded a body that cannot be encoded"
            );
            assert_eq!(SignedTx::payload_of(data), tx.body.payload().as_slice());
            assert_eq!(
                SignedTx::decode_prefix(data).map(|(_, n)| n),
                Ok(data.len())
            );
        }
        Err(e) => {
            if let Ok((tx, used)) = SignedTx::decode_prefix(data) {
                assert!(
                    used < data.len(),
                    "prefix took everything but decode said {e}"
                );
                assert_eq!(tx.encode(), &data[..used], "prefix decode not canonical");
            }
        }
    }
}

/// Batch data: the steps split the data exactly (every step but the last a whole
/// transaction), the commitments agree with each other, and the total state transition
/// applies any data to a seeded ledger without error, conserving value.
pub fn batch_data(data: &[u8]) {
    let steps = split_steps(data);
    assert_eq!(steps.concat(), data, "steps do not cover the data");
    for (i, step) in steps.iter().enumerate() {
        assert!(!step.is_empty(), "empty step {i}");
        if i + 1 < steps.len() {
            assert!(
                SignedTx::decode(step).is_ok(),
                "inner step {i} does not decode"
            );
        }
    }
    let commitment = commit_data(data);
    assert_eq!(commitment.steps, steps.len() as u64);
    assert_eq!(data_tree(data).root(), commitment.tree_root);

    let mut ledger = seeded_ledger();
    let before = ledger.total_balance();
    let result = apply_batch(&mut ledger, &domain(), &NativeVerifier, 1, 3, &[], data)
        .expect("the state transition is total: an in-memory ledger never lacks a witness");
    assert_eq!(result.tx_effects.len(), steps.len());
    assert_eq!(result.output.data_root, data_root(data));
    assert_eq!(result.output.state_root, ledger.state_root());
    let withdrawn: u128 = result
        .tx_effects
        .iter()
        .map(|e| match e {
            TxEffect::Withdrew { amount, .. } => *amount,
            _ => 0,
        })
        .sum();
    assert_eq!(
        ledger.total_balance() + withdrawn,
        before,
        "the batch created or destroyed value"
    );
}
