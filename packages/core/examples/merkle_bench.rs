//! Native side of the Merkle benchmark (`cargo xtask bench` runs it next to the npm
//! package and @openzeppelin/merkle-tree): builds an OpenZeppelin-compatible tree of 2^k
//! `(address, uint256)` values and makes 1,000 proofs; prints one JSON line per size with
//! the best of three runs and the root, so the caller can check all three agree.
//!
//! The values are the same deterministic ones `packages/wasm/bench/merkle.mjs` makes.

use std::time::Instant;

use settle_core::oz::{u256_from_u128, StandardMerkleTree};

/// Value `i`: a unique address (its first four bytes encode `i`) and amount `1000 i + 1`.
fn value(i: u32) -> ([u8; 20], [u8; 32]) {
    let mut address = [0u8; 20];
    for (k, b) in address.iter_mut().enumerate() {
        *b = ((i >> (8 * (k % 4))) as u8) ^ (k as u8).wrapping_mul(37);
    }
    (address, u256_from_u128(i as u128 * 1000 + 1))
}

fn main() {
    let logs: Vec<u32> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("sizes are log2 integers"))
        .collect();
    for k in if logs.is_empty() { vec![16, 20] } else { logs } {
        let n = 1u32 << k;
        let values: Vec<_> = (0..n).map(value).collect();
        let (mut build_best, mut proofs_best) = (f64::MAX, f64::MAX);
        let mut root = [0u8; 32];
        for _ in 0..3 {
            let t = Instant::now();
            let tree = StandardMerkleTree::of(values.clone()).expect("non-empty");
            build_best = build_best.min(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            let mut total = 0usize;
            for j in 0..1000u32 {
                total += tree
                    .proof((j * (n / 1000).max(1) % n) as usize)
                    .expect("in range")
                    .len();
            }
            proofs_best = proofs_best.min(t.elapsed().as_secs_f64() * 1e3);
            assert!(total > 0 || n == 1);
            root = tree.root();
        }
        println!(
            "{{\"log2\":{k},\"n\":{n},\"build_ms\":{build_best:.3},\"proofs_ms\":{proofs_best:.3},\"root\":\"0x{}\"}}",
            hex::encode(root)
        );
    }
}
