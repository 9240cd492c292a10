//! Binary Merkle proofs and multiproofs (`settle_core::merkle`). A tree is built from
//! fuzz-chosen leaf data; its own proofs must verify, and a proof the fuzzer forged
//! (indices, leaf count, sibling hashes from the tree's real nodes or from the input, leaf
//! data) may verify only for data that is a leaf of the tree: an inner node can never
//! pass as leaf data (the leaf and node domains are apart).

use settle_core::hash::Hash;
use settle_core::merkle::{verify_data, verify_many_data, MerkleTree, MultiProof, Proof};

use crate::input::Input;

/// Leaf data (1 to 24 leaves of 0 to 7 bytes) and the tree over them.
fn tree(input: &mut Input) -> (Vec<Vec<u8>>, MerkleTree) {
    let n = 1 + input.u8() as usize % 24;
    let leaves: Vec<Vec<u8>> = (0..n)
        .map(|_| {
            let len = input.u8() as usize % 8;
            input.bytes(len).to_vec()
        })
        .collect();
    let tree = MerkleTree::from_data(&leaves);
    (leaves, tree)
}

/// Every sibling of every single-leaf proof: the tree's real inner nodes and leaves.
fn node_pool(tree: &MerkleTree) -> Vec<Hash> {
    let mut pool: Vec<Hash> = tree.leaves().to_vec();
    for i in 0..tree.len() as u64 {
        pool.extend(tree.prove(i).expect("index in range").siblings);
    }
    pool.push(tree.root());
    pool
}

/// A hash: from the pool of real nodes or straight from the input.
fn hash(input: &mut Input, pool: &[Hash]) -> Hash {
    if input.bool() {
        pool[input.below(pool.len())]
    } else {
        input.array()
    }
}

/// A count the fuzzer may lie about: small, near the truth, or any `u64`.
fn count(input: &mut Input, truth: u64) -> u64 {
    match input.u8() % 4 {
        0 => truth,
        1 => truth.wrapping_add(input.u8() as u64).wrapping_sub(8),
        2 => input.u8() as u64,
        _ => input.u64(),
    }
}

/// Leaf data the fuzzer offers: a real leaf or its own bytes (which may be 64 bytes of
/// two real children: the second-preimage attempt).
fn data(input: &mut Input, leaves: &[Vec<u8>], pool: &[Hash]) -> Vec<u8> {
    match input.u8() % 3 {
        0 => leaves[input.below(leaves.len())].clone(),
        1 => [hash(input, pool), hash(input, pool)].concat(),
        _ => input.short_bytes().to_vec(),
    }
}

/// Edits a list of hashes: keep, replace, drop or insert, as the input says.
fn edit(input: &mut Input, hashes: &mut Vec<Hash>, pool: &[Hash]) {
    for _ in 0..input.u8() % 4 {
        let op = input.u8();
        let at = if hashes.is_empty() {
            0
        } else {
            input.below(hashes.len())
        };
        match op % 4 {
            0 if at < hashes.len() => hashes[at] = hash(input, pool),
            1 if at < hashes.len() => {
                hashes.remove(at);
            }
            2 => hashes.insert(at, hash(input, pool)),
            _ => hashes.reverse(),
        }
    }
}

/// Single-leaf proofs.
pub fn merkle_proof(data_in: &[u8]) {
    let mut input = Input::new(data_in);
    let (leaves, tree) = tree(&mut input);
    let root = tree.root();
    let index = input.below(leaves.len());
    let honest = tree.prove(index as u64).expect("index in range");
    verify_data(&root, &leaves[index], &honest).expect("an honest proof verifies");

    let pool = node_pool(&tree);
    let mut siblings = honest.siblings.clone();
    edit(&mut input, &mut siblings, &pool);
    let forged = Proof {
        index: count(&mut input, honest.index),
        leaf_count: count(&mut input, honest.leaf_count),
        siblings,
    };
    let offered = data(&mut input, &leaves, &pool);
    if verify_data(&root, &offered, &forged).is_ok() {
        assert!(
            leaves.contains(&offered),
            "a proof verified data that is no leaf: {forged:?} {offered:?}"
        );
    }
}

/// Multiproofs.
pub fn merkle_multiproof(data_in: &[u8]) {
    let mut input = Input::new(data_in);
    let (leaves, tree) = tree(&mut input);
    let root = tree.root();
    let mask = input.u32();
    let mut indices: Vec<u64> = (0..leaves.len() as u64)
        .filter(|i| mask >> (i % 32) & 1 == 1)
        .collect();
    if indices.is_empty() {
        indices.push(0);
    }
    let honest = tree.prove_many(&indices).expect("indices in range");
    let honest_data: Vec<&Vec<u8>> = indices.iter().map(|i| &leaves[*i as usize]).collect();
    verify_many_data(&root, &honest_data, &honest).expect("an honest multiproof verifies");

    let pool = node_pool(&tree);
    let mut hashes = honest.hashes.clone();
    edit(&mut input, &mut hashes, &pool);
    let mut forged_indices = honest.indices.clone();
    for _ in 0..input.u8() % 3 {
        match input.u8() % 3 {
            0 if !forged_indices.is_empty() => {
                let at = input.below(forged_indices.len());
                forged_indices[at] = count(&mut input, forged_indices[at]);
            }
            1 if !forged_indices.is_empty() => {
                forged_indices.remove(input.below(forged_indices.len()));
            }
            _ => forged_indices.push(count(&mut input, leaves.len() as u64)),
        }
    }
    let forged = MultiProof {
        indices: forged_indices,
        leaf_count: count(&mut input, honest.leaf_count),
        hashes,
    };
    let mut offered: Vec<Vec<u8>> = honest_data.into_iter().cloned().collect();
    offered.resize(forged.indices.len(), Vec::new());
    for _ in 0..input.u8() % 3 {
        if !offered.is_empty() {
            let at = input.below(offered.len());
            offered[at] = data(&mut input, &leaves, &pool);
        }
    }
    if verify_many_data(&root, &offered, &forged).is_ok() {
        for d in &offered {
            assert!(
                leaves.contains(d),
                "a multiproof verified data that is no leaf: {forged:?} {d:?}"
            );
        }
    }
}
