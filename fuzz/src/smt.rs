//! Sparse Merkle trees (`settle_core::smt`): compact proofs in their wire form and
//! multi-leaf witnesses. A verified proof or witness must name the leaf the tree really
//! holds at that index (the depth fixes every position).

use settle_core::hash::Hash;
use settle_core::smt::{self, CompactProof, SparseMerkleTree, SparseMultiProof};

use crate::input::Input;

/// A tree of `DEPTH` levels with up to 8 fuzz-placed leaves, and its real nodes.
fn tree<const DEPTH: usize>(input: &mut Input) -> (SparseMerkleTree<DEPTH>, Vec<u64>, Vec<Hash>) {
    let mask = if DEPTH >= 64 {
        u64::MAX
    } else {
        (1u64 << DEPTH) - 1
    };
    let mut tree = SparseMerkleTree::<DEPTH>::new();
    let mut indices = Vec::new();
    for _ in 0..1 + input.u8() % 8 {
        // mostly small indices, so leaves share paths
        let index = if input.bool() {
            input.u8() as u64
        } else {
            input.u64()
        } & mask;
        tree.set(index, input.array()).expect("index in range");
        indices.push(index);
    }
    let mut pool = vec![tree.root()];
    for &i in &indices {
        pool.push(tree.leaf(i).expect("in range"));
        pool.extend(tree.prove(i).expect("in range").siblings);
    }
    for d in smt::DEFAULT_NODES.iter().take(DEPTH + 1) {
        pool.push(*d);
    }
    (tree, indices, pool)
}

fn hash(input: &mut Input, pool: &[Hash]) -> Hash {
    if input.bool() {
        pool[input.below(pool.len())]
    } else {
        input.array()
    }
}

fn index(input: &mut Input, known: &[u64], depth: usize) -> u64 {
    match input.u8() % 3 {
        0 => known[input.below(known.len())],
        1 => known[input.below(known.len())] ^ (1 << (input.u8() as usize % depth.max(1))),
        _ => input.u64(),
    }
}

fn compact_at<const DEPTH: usize>(input: &mut Input) {
    let (tree, indices, pool) = tree::<DEPTH>(input);
    let root = tree.root();
    let at = indices[input.below(indices.len())];
    let honest = tree.prove(at).expect("in range");
    let wire = honest.to_bytes(DEPTH);
    assert_eq!(CompactProof::from_bytes(DEPTH, &wire).as_ref(), Ok(&honest));
    let leaf = tree.leaf(at).expect("in range");
    smt::verify(DEPTH, &root, at, &leaf, &honest).expect("an honest proof verifies");

    // A forged wire form: the honest bytes edited, or the input's own bytes.
    let mut forged = if input.bool() {
        wire.clone()
    } else {
        input.short_bytes().to_vec()
    };
    for _ in 0..input.u8() % 4 {
        match input.u8() % 4 {
            0 if !forged.is_empty() => {
                let i = input.below(forged.len());
                forged[i] ^= input.u8();
            }
            1 => forged.extend_from_slice(&hash(input, &pool)),
            2 => {
                let n = forged.len().saturating_sub(input.u8() as usize);
                forged.truncate(n);
            }
            _ => {
                // splice a real node over a sibling slot
                let nbytes = DEPTH.div_ceil(8);
                if forged.len() >= nbytes + 32 {
                    let slots = (forged.len() - nbytes) / 32;
                    let s = nbytes + 32 * input.below(slots);
                    forged[s..s + 32].copy_from_slice(&hash(input, &pool));
                }
            }
        }
    }
    let Ok(proof) = CompactProof::from_bytes(DEPTH, &forged) else {
        return;
    };
    assert_eq!(proof.to_bytes(DEPTH), forged, "two wire forms of one proof");
    let claimed_index = index(input, &indices, DEPTH);
    let claimed_leaf = hash(input, &pool);
    if smt::verify(DEPTH, &root, claimed_index, &claimed_leaf, &proof).is_ok() {
        assert_eq!(
            tree.leaf(claimed_index).ok(),
            Some(claimed_leaf),
            "a compact proof verified a leaf the tree does not hold at {claimed_index}"
        );
    }
}

/// Compact proofs: `CompactProof::from_bytes` and `smt::verify`, depth 16 or 32.
pub fn smt_compact(data: &[u8]) {
    let mut input = Input::new(data);
    if input.bool() {
        compact_at::<16>(&mut input)
    } else {
        compact_at::<32>(&mut input)
    }
}

fn multi_at<const DEPTH: usize>(input: &mut Input) {
    let (tree, mut indices, pool) = tree::<DEPTH>(input);
    indices.sort_unstable();
    indices.dedup();
    let root = tree.root();
    let honest = tree.prove_many(&indices).expect("in range");
    let leaves: Vec<Hash> = indices
        .iter()
        .map(|i| tree.leaf(*i).expect("in range"))
        .collect();
    honest
        .verify(DEPTH, &root, &leaves)
        .expect("an honest witness verifies");

    let mut forged = honest.clone();
    let mut claimed = leaves.clone();
    for _ in 0..input.u8() % 5 {
        match input.u8() % 6 {
            0 if !forged.present.is_empty() => {
                let i = input.below(forged.present.len());
                forged.present[i] = !forged.present[i];
            }
            1 => forged.present.push(input.bool()),
            2 if !forged.hashes.is_empty() => {
                let i = input.below(forged.hashes.len());
                forged.hashes[i] = hash(input, &pool);
            }
            3 => forged.hashes.push(hash(input, &pool)),
            4 => {
                let i = input.below(claimed.len());
                claimed[i] = hash(input, &pool);
            }
            _ => {
                let i = input.below(forged.indices.len());
                forged.indices[i] = index(input, &indices, DEPTH);
            }
        }
    }
    if forged.verify(DEPTH, &root, &claimed).is_ok() {
        for (i, leaf) in forged.indices.iter().zip(&claimed) {
            assert_eq!(
                tree.leaf(*i).ok(),
                Some(*leaf),
                "a witness verified a leaf the tree does not hold at {i}"
            );
        }
    }
    // Any depth the table covers, any witness: an answer or an error, never a panic.
    let depth = input.u8() as usize % (smt::MAX_DEPTH + 1);
    let _ = SparseMultiProof::compute_root(&forged, depth, &claimed);
}

/// Multi-leaf witnesses: `SparseMultiProof::verify`, depth 16 or 32.
pub fn smt_multiproof(data: &[u8]) {
    let mut input = Input::new(data);
    if input.bool() {
        multi_at::<16>(&mut input)
    } else {
        multi_at::<32>(&mut input)
    }
}
