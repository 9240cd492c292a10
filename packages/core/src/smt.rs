//! Fixed-depth sparse Merkle tree with cached default nodes and compact proofs.
//!
//! ```text
//!  level DEPTH            root
//!                       /      \
//!  level 1          N(a,b)      D1          D(k) = root of an all-empty subtree of height k:
//!                   /   \      /  \         D(0) = ZERO_HASH, D(k+1) = N(D(k), D(k))
//!  level 0         a     b    0    0        (a table, never recomputed)
//!  index           0     1    2    3
//! ```
//!
//! Only non-default nodes are stored. A [`CompactProof`] carries a bitmap with one bit per
//! level (set = the sibling there is not a default node) and only the non-default
//! siblings, so a proof for an account in a sparsely filled depth-32 tree is a few hundred
//! bytes rather than 1 KiB. A [`SparseMultiProof`] witnesses several leaves at once, and the
//! same witness gives the root after those leaves change, which is what a one-step fraud
//! proof needs.
//!
//! The account tree uses depth 32 (indexed by account id); each batch's withdrawals
//! form a depth-16 tree filled from index 0.

use alloc::vec::Vec;
use hashbrown::HashMap;

use crate::error::Error;
use crate::hash::{hash_node, Hash, ZERO_HASH};

/// Deepest tree supported (the account tree).
pub const MAX_DEPTH: usize = 32;

/// `DEFAULT_NODES[k]` is the root of an empty subtree of height `k`
/// (`D(0) = 0^32`, `D(k+1) = keccak(0x01 || D(k) || D(k))`). Computed by
/// `compute_default_nodes` and pinned by the test `default_table_matches_definition`.
pub const DEFAULT_NODES: [Hash; MAX_DEPTH + 1] = include!("smt_defaults.in");

/// Root of an empty subtree of height `level`.
pub fn default_node(level: usize) -> Hash {
    DEFAULT_NODES[level]
}

/// The table behind [`DEFAULT_NODES`], computed from its definition.
pub fn compute_default_nodes() -> [Hash; MAX_DEPTH + 1] {
    let mut t = [ZERO_HASH; MAX_DEPTH + 1];
    for k in 1..=MAX_DEPTH {
        t[k] = hash_node(&t[k - 1], &t[k - 1]);
    }
    t
}

/// A proof for one leaf: a bitmap (bit `k` set = the level-`k` sibling is non-default)
/// and the non-default siblings from the leaf up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompactProof {
    pub bitmap: u32,
    pub siblings: Vec<Hash>,
}

impl CompactProof {
    /// Wire form: the bitmap big-endian in `ceil(depth / 8)` bytes, then the siblings.
    pub fn to_bytes(&self, depth: usize) -> Vec<u8> {
        let nbytes = depth.div_ceil(8);
        let mut out = Vec::with_capacity(nbytes + 32 * self.siblings.len());
        out.extend_from_slice(&self.bitmap.to_be_bytes()[4 - nbytes..]);
        for s in &self.siblings {
            out.extend_from_slice(s);
        }
        out
    }

    /// Parses the wire form, checking that the bitmap and the sibling count agree.
    pub fn from_bytes(depth: usize, bytes: &[u8]) -> Result<Self, Error> {
        let nbytes = depth.div_ceil(8);
        if bytes.len() < nbytes || !(bytes.len() - nbytes).is_multiple_of(32) {
            return Err(Error::malformed(
                "sparse merkle proof",
                alloc::format!(
                    "{} bytes is not a {nbytes}-byte bitmap followed by 32-byte hashes",
                    bytes.len()
                ),
            ));
        }
        let mut bm = [0u8; 4];
        bm[4 - nbytes..].copy_from_slice(&bytes[..nbytes]);
        let proof = CompactProof {
            bitmap: u32::from_be_bytes(bm),
            siblings: bytes[nbytes..]
                .chunks_exact(32)
                .map(|c| c.try_into().expect("chunks of 32"))
                .collect(),
        };
        proof.check_shape(depth)?;
        Ok(proof)
    }

    fn check_shape(&self, depth: usize) -> Result<(), Error> {
        if depth < 32 && self.bitmap >> depth != 0 {
            return Err(Error::malformed(
                "sparse merkle proof",
                alloc::format!("bitmap {:#x} has bits above depth {depth}", self.bitmap),
            ));
        }
        let expected = self.bitmap.count_ones() as usize;
        if self.siblings.len() != expected {
            return Err(Error::ProofLength {
                got: self.siblings.len(),
                expected,
            });
        }
        Ok(())
    }
}

fn check_index(depth: usize, index: u64) -> Result<(), Error> {
    let len = 1u64 << depth;
    if index >= len {
        return Err(Error::IndexOutOfRange { index, len });
    }
    Ok(())
}

/// The root that `proof` leads to from `leaf` at `index` in a tree of `depth` levels.
pub fn compute_root(
    depth: usize,
    index: u64,
    leaf: &Hash,
    proof: &CompactProof,
) -> Result<Hash, Error> {
    check_index(depth, index)?;
    proof.check_shape(depth)?;
    let mut node = *leaf;
    let mut sibs = proof.siblings.iter();
    #[allow(clippy::needless_range_loop)] // `level` is also a bit position
    for level in 0..depth {
        let sib = if proof.bitmap >> level & 1 == 1 {
            *sibs.next().expect("check_shape counted the siblings")
        } else {
            DEFAULT_NODES[level]
        };
        node = if (index >> level) & 1 == 0 {
            hash_node(&node, &sib)
        } else {
            hash_node(&sib, &node)
        };
    }
    Ok(node)
}

/// Checks that `leaf` sits at `index` under `root`.
pub fn verify(
    depth: usize,
    root: &Hash,
    index: u64,
    leaf: &Hash,
    proof: &CompactProof,
) -> Result<(), Error> {
    let computed = compute_root(depth, index, leaf, proof)?;
    if &computed == root {
        Ok(())
    } else {
        Err(Error::root_mismatch(&computed, root))
    }
}

/// A witness for several leaves of one tree.
///
/// Walking the levels from the leaves up, left to right, every node whose sibling the
/// verifier cannot compute takes one flag from `present`: `true` takes the next hash
/// from `hashes`, `false` means the sibling is the default node of that level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparseMultiProof {
    pub indices: Vec<u64>,
    pub present: Vec<bool>,
    pub hashes: Vec<Hash>,
}

impl SparseMultiProof {
    /// Root of the tree whose leaves at `self.indices` are `leaves` and whose other
    /// nodes are as witnessed. Called with the old leaves it gives the old root, with
    /// updated leaves the new root.
    pub fn compute_root(&self, depth: usize, leaves: &[Hash]) -> Result<Hash, Error> {
        if self.indices.is_empty() {
            return Err(Error::NoLeaves);
        }
        if leaves.len() != self.indices.len() {
            return Err(Error::LeafCount {
                got: leaves.len(),
                expected: self.indices.len(),
            });
        }
        if self.indices.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::UnsortedIndices);
        }
        check_index(depth, *self.indices.last().expect("non-empty"))?;
        let mut known: Vec<(u64, Hash)> = self
            .indices
            .iter()
            .copied()
            .zip(leaves.iter().copied())
            .collect();
        let mut flags = self.present.iter();
        let mut hashes = self.hashes.iter();
        let bad = |what: &str| {
            Error::malformed(
                "sparse multiproof",
                alloc::format!("{what} do not match the leaf set"),
            )
        };
        #[allow(clippy::needless_range_loop)] // `level` indexes the default-node table
        for level in 0..depth {
            let mut next = Vec::with_capacity(known.len());
            let mut i = 0;
            while i < known.len() {
                let (idx, h) = known[i];
                let parent = if idx % 2 == 0 && known.get(i + 1).map(|k| k.0) == Some(idx + 1) {
                    let r = known[i + 1].1;
                    i += 2;
                    hash_node(&h, &r)
                } else {
                    i += 1;
                    let sib = match flags.next() {
                        Some(true) => *hashes.next().ok_or_else(|| bad("hashes"))?,
                        Some(false) => DEFAULT_NODES[level],
                        None => return Err(bad("flags")),
                    };
                    if idx % 2 == 0 {
                        hash_node(&h, &sib)
                    } else {
                        hash_node(&sib, &h)
                    }
                };
                next.push((idx >> 1, parent));
            }
            known = next;
        }
        if flags.next().is_some() {
            return Err(bad("flags"));
        }
        if hashes.next().is_some() {
            return Err(bad("hashes"));
        }
        Ok(known[0].1)
    }

    /// Checks the witness against `root`.
    pub fn verify(&self, depth: usize, root: &Hash, leaves: &[Hash]) -> Result<(), Error> {
        let computed = self.compute_root(depth, leaves)?;
        if &computed == root {
            Ok(())
        } else {
            Err(Error::root_mismatch(&computed, root))
        }
    }
}

/// An in-memory sparse Merkle tree of `DEPTH` levels (operators, tools, tests).
#[derive(Debug, Clone, Default)]
pub struct SparseMerkleTree<const DEPTH: usize> {
    /// Non-default nodes, keyed by `level << 32 | index`.
    nodes: HashMap<u64, Hash>,
}

fn key(level: usize, index: u64) -> u64 {
    (level as u64) << 32 | index
}

impl<const DEPTH: usize> SparseMerkleTree<DEPTH> {
    const _DEPTH_OK: () = assert!(DEPTH >= 1 && DEPTH <= MAX_DEPTH);

    pub fn new() -> Self {
        #[allow(clippy::let_unit_value)]
        let _ = Self::_DEPTH_OK;
        SparseMerkleTree {
            nodes: HashMap::new(),
        }
    }

    /// Builds the tree from `(index, leaf)` pairs in one pass per level. Later pairs
    /// overwrite earlier ones at the same index.
    pub fn from_leaves(leaves: impl IntoIterator<Item = (u64, Hash)>) -> Result<Self, Error> {
        let mut tree = Self::new();
        let mut level_nodes: Vec<(u64, Hash)> = Vec::new();
        for (i, h) in leaves {
            check_index(DEPTH, i)?;
            level_nodes.push((i, h));
        }
        level_nodes.sort_by_key(|p| p.0);
        level_nodes.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1 = later.1;
                true
            } else {
                false
            }
        });
        level_nodes.retain(|p| p.1 != DEFAULT_NODES[0]);
        #[allow(clippy::needless_range_loop)] // `level` is also a storage key part
        for level in 0..DEPTH {
            let mut next = Vec::with_capacity(level_nodes.len().div_ceil(2));
            let mut i = 0;
            while i < level_nodes.len() {
                let (idx, h) = level_nodes[i];
                tree.nodes.insert(key(level, idx), h);
                let parent = if idx % 2 == 0 {
                    if level_nodes.get(i + 1).map(|p| p.0) == Some(idx + 1) {
                        let r = level_nodes[i + 1].1;
                        tree.nodes.insert(key(level, idx + 1), r);
                        i += 2;
                        hash_node(&h, &r)
                    } else {
                        i += 1;
                        hash_node(&h, &DEFAULT_NODES[level])
                    }
                } else {
                    i += 1;
                    hash_node(&DEFAULT_NODES[level], &h)
                };
                next.push((idx >> 1, parent));
            }
            level_nodes = next;
        }
        if let Some((_, root)) = level_nodes.first() {
            tree.nodes.insert(key(DEPTH, 0), *root);
        }
        Ok(tree)
    }

    fn node(&self, level: usize, index: u64) -> Hash {
        self.nodes
            .get(&key(level, index))
            .copied()
            .unwrap_or(DEFAULT_NODES[level])
    }

    pub fn root(&self) -> Hash {
        self.node(DEPTH, 0)
    }

    pub fn leaf(&self, index: u64) -> Result<Hash, Error> {
        check_index(DEPTH, index)?;
        Ok(self.node(0, index))
    }

    /// Sets one leaf and rehashes its path (`DEPTH` hashes).
    pub fn set(&mut self, index: u64, leaf: Hash) -> Result<(), Error> {
        check_index(DEPTH, index)?;
        let mut node = leaf;
        let mut idx = index;
        for level in 0..DEPTH {
            self.store(level, idx, node);
            let sib = self.node(level, idx ^ 1);
            node = if idx.is_multiple_of(2) {
                hash_node(&node, &sib)
            } else {
                hash_node(&sib, &node)
            };
            idx >>= 1;
        }
        self.store(DEPTH, 0, node);
        Ok(())
    }

    fn store(&mut self, level: usize, index: u64, h: Hash) {
        if h == DEFAULT_NODES[level] {
            self.nodes.remove(&key(level, index));
        } else {
            self.nodes.insert(key(level, index), h);
        }
    }

    /// A compact proof for the leaf at `index`.
    pub fn prove(&self, index: u64) -> Result<CompactProof, Error> {
        check_index(DEPTH, index)?;
        let mut bitmap = 0u32;
        let mut siblings = Vec::new();
        for level in 0..DEPTH {
            let sib_index = (index >> level) ^ 1;
            if let Some(h) = self.nodes.get(&key(level, sib_index)) {
                bitmap |= 1 << level;
                siblings.push(*h);
            }
        }
        Ok(CompactProof { bitmap, siblings })
    }

    /// A witness for the leaves at `indices` (strictly increasing).
    pub fn prove_many(&self, indices: &[u64]) -> Result<SparseMultiProof, Error> {
        if indices.is_empty() {
            return Err(Error::NoLeaves);
        }
        if indices.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::UnsortedIndices);
        }
        for &i in indices {
            check_index(DEPTH, i)?;
        }
        let mut known: Vec<u64> = indices.to_vec();
        let mut present = Vec::new();
        let mut hashes = Vec::new();
        for level in 0..DEPTH {
            let mut next = Vec::with_capacity(known.len());
            let mut i = 0;
            while i < known.len() {
                let idx = known[i];
                if idx.is_multiple_of(2) && known.get(i + 1) == Some(&(idx + 1)) {
                    i += 2;
                } else {
                    i += 1;
                    match self.nodes.get(&key(level, idx ^ 1)) {
                        Some(h) => {
                            present.push(true);
                            hashes.push(*h);
                        }
                        None => present.push(false),
                    }
                }
                next.push(idx >> 1);
            }
            known = next;
        }
        Ok(SparseMultiProof {
            indices: indices.to_vec(),
            present,
            hashes,
        })
    }

    /// Number of stored (non-default) nodes.
    pub fn stored_nodes(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::hash_leaf;
    use proptest::prelude::*;

    type Tree = SparseMerkleTree<32>;

    #[test]
    fn default_table_matches_definition() {
        assert_eq!(DEFAULT_NODES, compute_default_nodes());
        assert_eq!(Tree::new().root(), DEFAULT_NODES[32]);
        assert_eq!(SparseMerkleTree::<16>::new().root(), DEFAULT_NODES[16]);
    }

    #[test]
    fn setting_a_leaf_back_to_empty_restores_the_empty_root() {
        let mut t = Tree::new();
        t.set(123_456, hash_leaf(b"x")).unwrap();
        assert_ne!(t.root(), DEFAULT_NODES[32]);
        t.set(123_456, ZERO_HASH).unwrap();
        assert_eq!(t.root(), DEFAULT_NODES[32]);
        assert_eq!(t.stored_nodes(), 0);
    }

    #[test]
    fn proofs_are_compact_and_wire_round_trip() {
        let mut t = Tree::new();
        t.set(0, hash_leaf(b"a")).unwrap();
        t.set(1, hash_leaf(b"b")).unwrap();
        t.set(u32::MAX as u64, hash_leaf(b"z")).unwrap();
        let p = t.prove(1).unwrap();
        // sibling at level 0 (leaf 0) and at the top level (the far right subtree)
        assert_eq!(p.bitmap, 1 | 1 << 31);
        assert_eq!(p.siblings.len(), 2);
        let bytes = p.to_bytes(32);
        assert_eq!(bytes.len(), 4 + 64);
        assert_eq!(CompactProof::from_bytes(32, &bytes).unwrap(), p);
        assert_eq!(verify(32, &t.root(), 1, &hash_leaf(b"b"), &p), Ok(()));
        assert!(CompactProof::from_bytes(32, &bytes[..bytes.len() - 1]).is_err());
        let mut wrong = bytes.clone();
        wrong[3] = 0; // bitmap says one sibling, two follow
        assert!(matches!(
            CompactProof::from_bytes(32, &wrong),
            Err(Error::ProofLength { .. })
        ));
        let too_high = CompactProof {
            bitmap: 1 << 20,
            siblings: vec![[0; 32]],
        };
        assert!(compute_root(16, 0, &ZERO_HASH, &too_high).is_err());
        assert_eq!(
            t.prove(1 << 32),
            Err(Error::IndexOutOfRange {
                index: 1 << 32,
                len: 1 << 32
            })
        );
    }

    proptest! {
        #[test]
        fn bulk_build_equals_incremental_and_all_proofs_verify(
            leaves in prop::collection::vec((0u64..5000, any::<[u8; 4]>()), 1..40),
            flip in 0usize..32,
        ) {
            let pairs: Vec<(u64, Hash)> = leaves.iter().map(|(i, d)| (*i, hash_leaf(d))).collect();
            let bulk = Tree::from_leaves(pairs.clone()).unwrap();
            let mut inc = Tree::new();
            for (i, h) in &pairs { inc.set(*i, *h).unwrap(); }
            prop_assert_eq!(bulk.root(), inc.root());
            for (i, _) in &pairs {
                let leaf = inc.leaf(*i).unwrap();
                let p = bulk.prove(*i).unwrap();
                prop_assert_eq!(verify(32, &inc.root(), *i, &leaf, &p), Ok(()));
                let mut bad = leaf;
                bad[flip] ^= 1;
                prop_assert!(verify(32, &inc.root(), *i, &bad, &p).is_err());
            }
        }

        #[test]
        fn multiproof_gives_old_and_new_roots(
            filled in prop::collection::btree_set(0u64..3000, 0..30),
            touched in prop::collection::btree_set(0u64..3000, 1..5),
            salt in any::<u8>(),
        ) {
            let mut t = Tree::new();
            for i in &filled { t.set(*i, hash_leaf(&i.to_be_bytes())).unwrap(); }
            let idx: Vec<u64> = touched.iter().copied().collect();
            let w = t.prove_many(&idx).unwrap();
            let old: Vec<Hash> = idx.iter().map(|i| t.leaf(*i).unwrap()).collect();
            prop_assert_eq!(w.verify(32, &t.root(), &old), Ok(()));
            let new: Vec<Hash> = idx.iter().map(|i| hash_leaf(&[salt, *i as u8])).collect();
            for (i, h) in idx.iter().zip(&new) { t.set(*i, *h).unwrap(); }
            prop_assert_eq!(w.compute_root(32, &new).unwrap(), t.root());
            let mut extra = w.clone();
            extra.present.push(false);
            prop_assert!(extra.compute_root(32, &new).is_err());
        }
    }
}
