//! Binary Merkle tree over domain-separated Keccak-256 leaves, with single and
//! multi-leaf proofs.
//!
//! ```text
//!                 root = N(N(N(a,b), N(c,d)), e)
//!                /                          \
//!         N(N(a,b), N(c,d))                  e        <- an odd node is carried up
//!          /            \                    |           unchanged, never duplicated
//!      N(a,b)          N(c,d)                e
//!      /    \          /    \                |
//!     a      b        c      d               e        <- leaves: L(data) = keccak(0x00 || data)
//! ```
//!
//! A proof binds the leaf count: the verifier needs it to know at which levels the path
//! carries a node up without a sibling. The root of an empty tree is [`ZERO_HASH`].

use alloc::vec::Vec;

use crate::error::Error;
use crate::hash::{hash_leaf, hash_node, Hash, ZERO_HASH};

/// A binary Merkle tree that keeps every layer, for building proofs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleTree {
    /// `layers[0]` are the leaf hashes, the last layer is the root alone.
    layers: Vec<Vec<Hash>>,
}

/// A proof that one leaf is in a tree of `leaf_count` leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub index: u64,
    pub leaf_count: u64,
    /// Sibling hashes from the leaf up; levels where the node is carried up have none.
    pub siblings: Vec<Hash>,
}

/// A proof that several leaves are in a tree of `leaf_count` leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiProof {
    /// Strictly increasing leaf indices.
    pub indices: Vec<u64>,
    pub leaf_count: u64,
    /// The hashes the verifier cannot compute, in the order the verifier consumes them
    /// (level by level from the leaves, left to right).
    pub hashes: Vec<Hash>,
}

impl MerkleTree {
    /// Builds a tree over already-hashed leaves.
    pub fn from_leaf_hashes(leaves: Vec<Hash>) -> Self {
        let mut layers = Vec::new();
        let mut current = leaves;
        while current.len() > 1 {
            let next = next_layer(&current);
            layers.push(current);
            current = next;
        }
        layers.push(current);
        MerkleTree { layers }
    }

    /// Hashes each item as a leaf (`keccak(0x00 || item)`) and builds the tree.
    pub fn from_data<I, T>(items: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        Self::from_leaf_hashes(items.into_iter().map(|i| hash_leaf(i.as_ref())).collect())
    }

    /// Number of leaves.
    pub fn len(&self) -> usize {
        self.layers[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.layers[0].is_empty()
    }

    /// The root; [`ZERO_HASH`] for an empty tree.
    pub fn root(&self) -> Hash {
        self.layers
            .last()
            .and_then(|l| l.first())
            .copied()
            .unwrap_or(ZERO_HASH)
    }

    /// The leaf hashes, in order.
    pub fn leaves(&self) -> &[Hash] {
        &self.layers[0]
    }

    /// A proof for the leaf at `index`.
    pub fn prove(&self, index: u64) -> Result<Proof, Error> {
        let len = self.len() as u64;
        if index >= len {
            return Err(Error::IndexOutOfRange { index, len });
        }
        let mut siblings = Vec::new();
        let mut idx = index as usize;
        for layer in &self.layers[..self.layers.len() - 1] {
            let sib = idx ^ 1;
            if sib < layer.len() {
                siblings.push(layer[sib]);
            }
            idx >>= 1;
        }
        Ok(Proof {
            index,
            leaf_count: len,
            siblings,
        })
    }

    /// One proof for several leaves. `indices` must be strictly increasing.
    pub fn prove_many(&self, indices: &[u64]) -> Result<MultiProof, Error> {
        let len = self.len() as u64;
        check_indices(indices, len)?;
        let mut known: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
        let mut hashes = Vec::new();
        for layer in &self.layers[..self.layers.len() - 1] {
            let mut next = Vec::with_capacity(known.len());
            let mut i = 0;
            while i < known.len() {
                let idx = known[i];
                let sib = idx ^ 1;
                if idx.is_multiple_of(2) && known.get(i + 1) == Some(&sib) {
                    i += 2;
                } else {
                    if sib < layer.len() {
                        hashes.push(layer[sib]);
                    }
                    i += 1;
                }
                next.push(idx >> 1);
            }
            known = next;
        }
        Ok(MultiProof {
            indices: indices.to_vec(),
            leaf_count: len,
            hashes,
        })
    }
}

fn next_layer(layer: &[Hash]) -> Vec<Hash> {
    layer
        .chunks(2)
        .map(|pair| match pair {
            [l, r] => hash_node(l, r),
            [single] => *single,
            _ => unreachable!("chunks(2) yields one or two items"),
        })
        .collect()
}

/// The root over `leaves` without keeping the layers (what a contract needs).
pub fn merkle_root(mut leaves: Vec<Hash>) -> Hash {
    if leaves.is_empty() {
        return ZERO_HASH;
    }
    let mut width = leaves.len();
    while width > 1 {
        let mut w = 0;
        let mut r = 0;
        while r < width {
            leaves[w] = if r + 1 < width {
                hash_node(&leaves[r], &leaves[r + 1])
            } else {
                leaves[r]
            };
            w += 1;
            r += 2;
        }
        width = w;
    }
    leaves[0]
}

fn check_indices(indices: &[u64], len: u64) -> Result<(), Error> {
    if len == 0 {
        return Err(Error::EmptyTree);
    }
    if indices.is_empty() {
        return Err(Error::NoLeaves);
    }
    if indices.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::UnsortedIndices);
    }
    let last = indices[indices.len() - 1];
    if last >= len {
        return Err(Error::IndexOutOfRange { index: last, len });
    }
    Ok(())
}

/// The root a single-leaf proof leads to.
pub fn compute_root(
    leaf: &Hash,
    index: u64,
    leaf_count: u64,
    siblings: &[Hash],
) -> Result<Hash, Error> {
    if leaf_count == 0 {
        return Err(Error::EmptyTree);
    }
    if index >= leaf_count {
        return Err(Error::IndexOutOfRange {
            index,
            len: leaf_count,
        });
    }
    let expected = path_length(index, leaf_count);
    if siblings.len() != expected {
        return Err(Error::ProofLength {
            got: siblings.len(),
            expected,
        });
    }
    let mut node = *leaf;
    let mut idx = index;
    let mut width = leaf_count;
    let mut sibs = siblings.iter();
    while width > 1 {
        let sib = idx ^ 1;
        if sib < width {
            // `path_length` counted exactly these levels, so a sibling is there.
            let s = sibs.next().ok_or(Error::ProofLength {
                got: siblings.len(),
                expected,
            })?;
            node = if idx.is_multiple_of(2) {
                hash_node(&node, s)
            } else {
                hash_node(s, &node)
            };
        }
        idx >>= 1;
        width = width.div_ceil(2);
    }
    Ok(node)
}

fn path_length(index: u64, leaf_count: u64) -> usize {
    let (mut idx, mut width, mut n) = (index, leaf_count, 0);
    while width > 1 {
        if (idx ^ 1) < width {
            n += 1;
        }
        idx >>= 1;
        width = width.div_ceil(2);
    }
    n
}

/// Checks a single-leaf proof of the leaf DATA `data` against `root`: the verifier hashes
/// it with the leaf domain (`keccak(0x00 || data)`) itself, so an inner node (its two
/// children as 64 bytes of "data") can never pass as a leaf. The form for untrusted input.
pub fn verify_data(root: &Hash, data: &[u8], proof: &Proof) -> Result<(), Error> {
    verify(root, &hash_leaf(data), proof)
}

/// Checks a multiproof of the leaf DATA `data` (in the order of `proof.indices`) against
/// `root`, hashing each item with the leaf domain: the form for untrusted input.
pub fn verify_many_data<T: AsRef<[u8]>>(
    root: &Hash,
    data: &[T],
    proof: &MultiProof,
) -> Result<(), Error> {
    let leaves: Vec<Hash> = data.iter().map(|d| hash_leaf(d.as_ref())).collect();
    verify_many(root, &leaves, proof)
}

/// Checks a single-leaf proof against `root`, given the leaf HASH. Only for a hash the
/// caller computed itself from the leaf's data (never a hash from untrusted input: an
/// inner node would pass as a leaf); untrusted callers use [`verify_data`].
pub fn verify(root: &Hash, leaf: &Hash, proof: &Proof) -> Result<(), Error> {
    let computed = compute_root(leaf, proof.index, proof.leaf_count, &proof.siblings)?;
    if &computed == root {
        Ok(())
    } else {
        Err(Error::root_mismatch(&computed, root))
    }
}

/// The root a multiproof leads to, given the leaf hashes in the order of `proof.indices`.
pub fn compute_root_many(leaves: &[Hash], proof: &MultiProof) -> Result<Hash, Error> {
    check_indices(&proof.indices, proof.leaf_count)?;
    if leaves.len() != proof.indices.len() {
        return Err(Error::LeafCount {
            got: leaves.len(),
            expected: proof.indices.len(),
        });
    }
    let mut known: Vec<(u64, Hash)> = proof
        .indices
        .iter()
        .copied()
        .zip(leaves.iter().copied())
        .collect();
    let mut hashes = proof.hashes.iter();
    let mut width = proof.leaf_count;
    let short = || Error::ProofTooShort {
        got: proof.hashes.len(),
    };
    while width > 1 {
        let mut next = Vec::with_capacity(known.len());
        let mut i = 0;
        while i < known.len() {
            let (idx, h) = known[i];
            let sib = idx ^ 1;
            let parent = if idx % 2 == 0 && known.get(i + 1).map(|k| k.0) == Some(sib) {
                let r = known[i + 1].1;
                i += 2;
                hash_node(&h, &r)
            } else {
                i += 1;
                if sib < width {
                    let s = hashes.next().ok_or_else(short)?;
                    if idx % 2 == 0 {
                        hash_node(&h, s)
                    } else {
                        hash_node(s, &h)
                    }
                } else {
                    h
                }
            };
            next.push((idx >> 1, parent));
        }
        known = next;
        width = width.div_ceil(2);
    }
    let used = proof.hashes.len() - hashes.len();
    if used != proof.hashes.len() {
        return Err(Error::ProofLength {
            got: proof.hashes.len(),
            expected: used,
        });
    }
    Ok(known[0].1)
}

/// Checks a multiproof against `root`, given the leaf HASHES. Only for hashes the caller
/// computed itself; untrusted callers use [`verify_many_data`].
pub fn verify_many(root: &Hash, leaves: &[Hash], proof: &MultiProof) -> Result<(), Error> {
    let computed = compute_root_many(leaves, proof)?;
    if &computed == root {
        Ok(())
    } else {
        Err(Error::root_mismatch(&computed, root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn data(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| (i as u32).to_be_bytes().to_vec()).collect()
    }

    #[test]
    fn small_trees_have_the_documented_shape() {
        let d = data(5);
        let l: Vec<Hash> = d.iter().map(|x| hash_leaf(x)).collect();
        let expected = hash_node(
            &hash_node(&hash_node(&l[0], &l[1]), &hash_node(&l[2], &l[3])),
            &l[4],
        );
        let tree = MerkleTree::from_data(&d);
        assert_eq!(tree.root(), expected);
        assert_eq!(merkle_root(l.clone()), expected);
        assert_eq!(MerkleTree::from_data(data(1)).root(), l[0]);
        assert_eq!(
            MerkleTree::from_data(Vec::<Vec<u8>>::new()).root(),
            ZERO_HASH
        );
        // the carried-up leaf has a one-element path
        assert_eq!(
            tree.prove(4).unwrap().siblings,
            vec![hash_node(
                &hash_node(&l[0], &l[1]),
                &hash_node(&l[2], &l[3])
            )]
        );
    }

    #[test]
    fn bad_proofs_are_typed_errors() {
        let tree = MerkleTree::from_data(data(7));
        let root = tree.root();
        let leaf = tree.leaves()[3];
        let mut proof = tree.prove(3).unwrap();
        assert_eq!(verify(&root, &leaf, &proof), Ok(()));
        assert!(matches!(
            verify(&root, &tree.leaves()[2], &proof),
            Err(Error::RootMismatch { .. })
        ));
        proof.siblings.pop();
        assert!(matches!(
            verify(&root, &leaf, &proof),
            Err(Error::ProofLength { .. })
        ));
        assert_eq!(
            tree.prove(7),
            Err(Error::IndexOutOfRange { index: 7, len: 7 })
        );
        let p = Proof {
            index: 9,
            leaf_count: 7,
            siblings: vec![],
        };
        assert!(matches!(
            verify(&root, &leaf, &p),
            Err(Error::IndexOutOfRange { .. })
        ));
        assert_eq!(tree.prove_many(&[3, 3]), Err(Error::UnsortedIndices));
        assert_eq!(tree.prove_many(&[]), Err(Error::NoLeaves));
    }

    #[test]
    fn multiproof_rejects_extra_and_missing_hashes() {
        let tree = MerkleTree::from_data(data(9));
        let idx = [1u64, 4, 8];
        let leaves: Vec<Hash> = idx.iter().map(|&i| tree.leaves()[i as usize]).collect();
        let mut proof = tree.prove_many(&idx).unwrap();
        assert_eq!(verify_many(&tree.root(), &leaves, &proof), Ok(()));
        proof.hashes.push([1; 32]);
        assert!(matches!(
            verify_many(&tree.root(), &leaves, &proof),
            Err(Error::ProofLength { .. })
        ));
        proof.hashes.truncate(proof.hashes.len() - 2);
        assert!(matches!(
            verify_many(&tree.root(), &leaves, &proof),
            Err(Error::ProofTooShort { .. })
        ));
        assert!(matches!(
            verify_many(&tree.root(), &leaves[..2], &proof),
            Err(Error::LeafCount {
                got: 2,
                expected: 3
            })
        ));
    }

    #[test]
    fn data_forms_round_trip() {
        let d = data(9);
        let tree = MerkleTree::from_data(&d);
        let root = tree.root();
        for i in 0..9u64 {
            let p = tree.prove(i).unwrap();
            assert_eq!(verify_data(&root, &d[i as usize], &p), Ok(()));
            assert!(verify_data(&root, &d[(i as usize + 1) % 9], &p).is_err());
        }
        let idx = [0u64, 3, 8];
        let mp = tree.prove_many(&idx).unwrap();
        let picked: Vec<&Vec<u8>> = idx.iter().map(|&i| &d[i as usize]).collect();
        assert_eq!(verify_many_data(&root, &picked, &mp), Ok(()));
        let swapped = [picked[1], picked[0], picked[2]];
        assert!(verify_many_data(&root, &swapped, &mp).is_err());
    }

    /// The inner node `N(l0, l1)` of a 4-leaf tree, with the proof of a 2-leaf tree whose
    /// "leaf" 0 it is: the hash-taking verifier accepts it, the data form refuses its
    /// children presented as a leaf's data.
    #[test]
    fn i2_inner_node_is_not_a_leaf() {
        let d = data(4);
        let tree = MerkleTree::from_data(&d);
        let root = tree.root();
        let l = tree.leaves();
        let inner = hash_node(&l[0], &l[1]);
        let proof = Proof {
            index: 0,
            leaf_count: 2,
            siblings: vec![hash_node(&l[2], &l[3])],
        };
        assert_eq!(
            verify(&root, &inner, &proof),
            Ok(()),
            "the hash form is fooled"
        );
        let mut children = l[0].to_vec();
        children.extend_from_slice(&l[1]);
        assert!(matches!(
            verify_data(&root, &children, &proof),
            Err(Error::RootMismatch { .. })
        ));
        let mp = MultiProof {
            indices: vec![0],
            leaf_count: 2,
            hashes: vec![hash_node(&l[2], &l[3])],
        };
        assert_eq!(verify_many(&root, &[inner], &mp), Ok(()));
        assert!(matches!(
            verify_many_data(&root, &[children], &mp),
            Err(Error::RootMismatch { .. })
        ));
    }

    proptest! {
        #[test]
        fn every_leaf_proves_and_mutations_fail(n in 1usize..70, pick in any::<prop::sample::Index>(), flip in 0usize..32) {
            let tree = MerkleTree::from_data(data(n));
            let root = tree.root();
            prop_assert_eq!(merkle_root(tree.leaves().to_vec()), root);
            for i in 0..n as u64 {
                let p = tree.prove(i).unwrap();
                prop_assert_eq!(verify(&root, &tree.leaves()[i as usize], &p), Ok(()));
            }
            let i = pick.index(n) as u64;
            let mut p = tree.prove(i).unwrap();
            let mut leaf = tree.leaves()[i as usize];
            leaf[flip] ^= 1;
            prop_assert!(verify(&root, &leaf, &p).is_err());
            if let Some(s) = p.siblings.first_mut() {
                s[flip] ^= 1;
                prop_assert!(verify(&root, &tree.leaves()[i as usize], &p).is_err());
            }
        }

        #[test]
        fn multiproofs_round_trip(n in 1usize..70, mask in any::<u128>()) {
            let tree = MerkleTree::from_data(data(n));
            let mut idx: Vec<u64> = (0..n as u64).filter(|i| mask >> (i % 128) & 1 == 1).collect();
            if idx.is_empty() { idx.push(0); }
            let proof = tree.prove_many(&idx).unwrap();
            let leaves: Vec<Hash> = idx.iter().map(|&i| tree.leaves()[i as usize]).collect();
            prop_assert_eq!(verify_many(&tree.root(), &leaves, &proof), Ok(()));
            let mut bad = leaves.clone();
            bad[0][0] ^= 0x80;
            prop_assert!(verify_many(&tree.root(), &bad, &proof).is_err());
        }
    }
}
