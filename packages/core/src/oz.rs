//! Interop mode: byte-for-byte OpenZeppelin `StandardMerkleTree` for `(address, uint256)`
//! leaves, so proofs made by Ethereum tooling (`@openzeppelin/merkle-tree`, Solidity's
//! `MerkleProof`) verify here and ours verify there.
//!
//! Differences from [`crate::merkle`], all dictated by OpenZeppelin's format:
//! - leaf = `keccak256(keccak256(abi.encode(address, uint256)))` (double hash instead of a tag);
//! - inner node = `keccak256(min(a, b) || max(a, b))` (sorted pairs, no position bits);
//! - the tree is a complete binary tree in array form (`tree[0]` is the root, the leaves fill
//!   the end in reverse), with the leaves sorted by hash first.
//!
//! ```text
//!   tree = [ root, n1, n2, l3, l2, l1, l0 ]      children of i: 2i+1, 2i+2
//!            0     1   2   3   4   5   6         sibling of i: i+1 if i is odd, i-1 if even
//! ```

use alloc::vec::Vec;

use crate::error::Error;
use crate::hash::{keccak256, keccak256_concat, Hash};

/// An Ethereum address.
pub type Address = [u8; 20];
/// A `uint256`, big-endian.
pub type U256 = [u8; 32];

/// `uint256` big-endian bytes of a `u128`.
pub fn u256_from_u128(v: u128) -> U256 {
    let mut out = [0u8; 32];
    out[16..].copy_from_slice(&v.to_be_bytes());
    out
}

/// OpenZeppelin's leaf hash for `["address", "uint256"]`.
pub fn leaf_hash(address: &Address, amount: &U256) -> Hash {
    let mut encoded = [0u8; 64];
    encoded[12..32].copy_from_slice(address);
    encoded[32..].copy_from_slice(amount);
    keccak256(&keccak256(&encoded))
}

/// Byte-wise (big-endian) order of two hashes, compared as four 64-bit words: the same
/// order as `a.cmp(b)`, without a call to `memcmp` (a byte loop in wasm32).
fn cmp_hash(a: &Hash, b: &Hash) -> core::cmp::Ordering {
    let word = |h: &Hash, i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&h[8 * i..8 * i + 8]);
        u64::from_be_bytes(w)
    };
    (0..4)
        .map(|i| word(a, i).cmp(&word(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(core::cmp::Ordering::Equal)
}

/// OpenZeppelin's commutative pair hash.
pub fn hash_pair(a: &Hash, b: &Hash) -> Hash {
    if cmp_hash(a, b).is_le() {
        keccak256_concat(&[a, b])
    } else {
        keccak256_concat(&[b, a])
    }
}

/// A `StandardMerkleTree` over `(address, uint256)` values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardMerkleTree {
    tree: Vec<Hash>,
    values: Vec<(Address, U256)>,
    /// For each value (in insertion order), its position in `tree`.
    tree_index: Vec<usize>,
}

/// An OpenZeppelin multiproof: `leaves` in the order the verifier consumes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OzMultiProof {
    pub leaves: Vec<Hash>,
    pub proof: Vec<Hash>,
    pub proof_flags: Vec<bool>,
}

impl StandardMerkleTree {
    /// Builds the tree as `StandardMerkleTree.of(values, ["address", "uint256"])` does
    /// (with its default `sortLeaves: true`).
    pub fn of(values: Vec<(Address, U256)>) -> Result<Self, Error> {
        if values.is_empty() {
            return Err(Error::EmptyTree);
        }
        let mut hashed: Vec<(Hash, usize)> = values
            .iter()
            .enumerate()
            .map(|(i, (a, v))| (leaf_hash(a, v), i))
            .collect();
        // By hash, equal hashes (repeated values) in insertion order: what OpenZeppelin's
        // stable sort gives, with the cheaper unstable sort.
        hashed.sort_unstable_by(|x, y| cmp_hash(&x.0, &y.0).then(x.1.cmp(&y.1)));
        let n = hashed.len();
        let mut tree = alloc::vec![[0u8; 32]; 2 * n - 1];
        let mut tree_index = alloc::vec![0usize; n];
        let len = tree.len();
        for (i, (h, value_index)) in hashed.iter().enumerate() {
            tree[len - 1 - i] = *h;
            tree_index[*value_index] = len - 1 - i;
        }
        for i in (0..len - n).rev() {
            tree[i] = hash_pair(&tree[2 * i + 1], &tree[2 * i + 2]);
        }
        Ok(StandardMerkleTree {
            tree,
            values,
            tree_index,
        })
    }

    pub fn root(&self) -> Hash {
        self.tree[0]
    }

    pub fn values(&self) -> &[(Address, U256)] {
        &self.values
    }

    /// Leaf hash of the value at `value_index` (insertion order).
    pub fn leaf(&self, value_index: usize) -> Result<Hash, Error> {
        self.tree_position(value_index).map(|t| self.tree[t])
    }

    fn tree_position(&self, value_index: usize) -> Result<usize, Error> {
        self.tree_index
            .get(value_index)
            .copied()
            .ok_or(Error::IndexOutOfRange {
                index: value_index as u64,
                len: self.values.len() as u64,
            })
    }

    /// `getProof(valueIndex)`.
    pub fn proof(&self, value_index: usize) -> Result<Vec<Hash>, Error> {
        let mut i = self.tree_position(value_index)?;
        // One sibling per level above the node: floor(log2(i + 1)) of them.
        let mut proof = Vec::with_capacity((usize::BITS - 1 - (i + 1).leading_zeros()) as usize);
        while i > 0 {
            let sibling = if i % 2 == 1 { i + 1 } else { i - 1 };
            proof.push(self.tree[sibling]);
            i = (i - 1) / 2;
        }
        Ok(proof)
    }

    /// `getMultiProof(valueIndices)`.
    pub fn multi_proof(&self, value_indices: &[usize]) -> Result<OzMultiProof, Error> {
        let mut indices = value_indices
            .iter()
            .map(|&v| self.tree_position(v))
            .collect::<Result<Vec<_>, _>>()?;
        indices.sort_unstable_by(|a, b| b.cmp(a));
        if indices.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::UnsortedIndices);
        }
        let mut stack: alloc::collections::VecDeque<usize> = indices.iter().copied().collect();
        let mut proof = Vec::new();
        let mut proof_flags = Vec::new();
        while let Some(&j) = stack.front() {
            if j == 0 {
                break;
            }
            stack.pop_front();
            let s = if j % 2 == 1 { j + 1 } else { j - 1 };
            if stack.front() == Some(&s) {
                proof_flags.push(true);
                stack.pop_front();
            } else {
                proof_flags.push(false);
                proof.push(self.tree[s]);
            }
            stack.push_back((j - 1) / 2);
        }
        if indices.is_empty() {
            proof.push(self.tree[0]);
        }
        Ok(OzMultiProof {
            leaves: indices.iter().map(|&i| self.tree[i]).collect(),
            proof,
            proof_flags,
        })
    }
}

/// `MerkleProof.processProof`: the root a single proof leads to.
pub fn process_proof(leaf: &Hash, proof: &[Hash]) -> Hash {
    proof.iter().fold(*leaf, |acc, p| hash_pair(&acc, p))
}

/// `StandardMerkleTree.verify(root, leafEncoding, value, proof)`: checks the VALUE
/// `(address, amount)`, hashed as an OpenZeppelin leaf (double keccak of its abi encoding)
/// by the verifier itself, so an inner node can never pass as a leaf. The form for
/// untrusted input.
pub fn verify_value(
    root: &Hash,
    address: &Address,
    amount: &U256,
    proof: &[Hash],
) -> Result<(), Error> {
    verify(root, &leaf_hash(address, amount), proof)
}

/// `StandardMerkleTree.verifyMultiProof` over VALUES, in the order the verifier consumes
/// them (the order of `getMultiProof`'s `leaves`), each hashed as a leaf by the verifier.
/// The form for untrusted input.
pub fn verify_multi_proof_values(
    root: &Hash,
    values: &[(Address, U256)],
    proof: &[Hash],
    proof_flags: &[bool],
) -> Result<(), Error> {
    let mp = OzMultiProof {
        leaves: values.iter().map(|(a, v)| leaf_hash(a, v)).collect(),
        proof: proof.to_vec(),
        proof_flags: proof_flags.to_vec(),
    };
    verify_multi_proof(root, &mp)
}

/// `MerkleProof.verify`: given the leaf HASH. Only for a hash the caller computed itself
/// (an inner node would pass as a leaf); untrusted callers use [`verify_value`].
pub fn verify(root: &Hash, leaf: &Hash, proof: &[Hash]) -> Result<(), Error> {
    let computed = process_proof(leaf, proof);
    if &computed == root {
        Ok(())
    } else {
        Err(Error::root_mismatch(&computed, root))
    }
}

/// `MerkleProof.processMultiProof`, with its length check.
pub fn process_multi_proof(mp: &OzMultiProof) -> Result<Hash, Error> {
    let expected = mp.proof_flags.len() + 1;
    let got = mp.proof.len() + mp.leaves.len();
    if got != expected {
        return Err(Error::ProofLength { got, expected });
    }
    let mut stack: alloc::collections::VecDeque<Hash> = mp.leaves.iter().copied().collect();
    let mut proof = mp.proof.iter();
    // The counts add up but the flags consume hashes in an impossible order.
    let short = Error::malformed(
        "multiproof",
        "proof flags consume more hashes than the leaves and proof provide at that point",
    );
    for &flag in &mp.proof_flags {
        let a = stack.pop_front().ok_or(short.clone())?;
        let b = if flag {
            stack.pop_front().ok_or(short.clone())?
        } else {
            *proof.next().ok_or(short.clone())?
        };
        stack.push_back(hash_pair(&a, &b));
    }
    match stack.pop_back() {
        Some(root) => Ok(root),
        None => proof.next().copied().ok_or(short),
    }
}

/// `MerkleProof.multiProofVerify`: given the leaf HASHES. Only for hashes the caller
/// computed itself; untrusted callers use [`verify_multi_proof_values`].
pub fn verify_multi_proof(root: &Hash, mp: &OzMultiProof) -> Result<(), Error> {
    let computed = process_multi_proof(mp)?;
    if &computed == root {
        Ok(())
    } else {
        Err(Error::root_mismatch(&computed, root))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(b: u8) -> Address {
        [b; 20]
    }

    #[test]
    fn leaf_hash_is_double_keccak_of_abi_encoding() {
        // abi.encode(address(0x1111…11), uint256(5)) is 64 bytes: 12 zero bytes, the
        // address, then the amount left-padded to 32 bytes.
        let mut enc = [0u8; 64];
        enc[12..32].copy_from_slice(&addr(0x11));
        enc[63] = 5;
        assert_eq!(
            leaf_hash(&addr(0x11), &u256_from_u128(5)),
            keccak256(&keccak256(&enc))
        );
    }

    #[test]
    fn proofs_and_multiproofs_round_trip() {
        for n in 1..20u8 {
            let values: Vec<_> = (0..n)
                .map(|i| (addr(i), u256_from_u128(i as u128 * 7)))
                .collect();
            let tree = StandardMerkleTree::of(values).unwrap();
            for i in 0..n as usize {
                let leaf = tree.leaf(i).unwrap();
                assert_eq!(verify(&tree.root(), &leaf, &tree.proof(i).unwrap()), Ok(()));
            }
            let pick: Vec<usize> = (0..n as usize).step_by(3).collect();
            let mp = tree.multi_proof(&pick).unwrap();
            assert_eq!(verify_multi_proof(&tree.root(), &mp), Ok(()));
            let mut bad = mp.clone();
            bad.leaves[0][3] ^= 1;
            assert!(verify_multi_proof(&tree.root(), &bad).is_err());
            let mut short = mp.clone();
            short.proof_flags.push(true);
            assert!(matches!(
                process_multi_proof(&short),
                Err(Error::ProofLength { .. })
            ));
        }
        assert_eq!(StandardMerkleTree::of(vec![]), Err(Error::EmptyTree));
    }

    #[test]
    fn value_forms_round_trip() {
        let values: Vec<_> = (0..7u8)
            .map(|i| (addr(i), u256_from_u128(u128::from(i) + 1)))
            .collect();
        let tree = StandardMerkleTree::of(values.clone()).unwrap();
        for (i, (a, v)) in values.iter().enumerate() {
            let p = tree.proof(i).unwrap();
            assert_eq!(verify_value(&tree.root(), a, v, &p), Ok(()));
            assert!(verify_value(&tree.root(), a, &u256_from_u128(99), &p).is_err());
        }
        let mp = tree.multi_proof(&[1, 4, 6]).unwrap();
        // the values in the order the verifier consumes them (getMultiProof's leaves)
        let ordered: Vec<_> = mp
            .leaves
            .iter()
            .map(|h| *values.iter().find(|(a, v)| leaf_hash(a, v) == *h).unwrap())
            .collect();
        assert_eq!(
            verify_multi_proof_values(&tree.root(), &ordered, &mp.proof, &mp.proof_flags),
            Ok(())
        );
        let mut bad = ordered.clone();
        bad[0].1 = u256_from_u128(1000);
        assert!(verify_multi_proof_values(&tree.root(), &bad, &mp.proof, &mp.proof_flags).is_err());
    }

    /// An inner node of a 4-value tree with the rest of the path: the hash-taking verifiers
    /// accept it as a leaf; the value forms hash what they get as a leaf, so the inner
    /// node's 64 bytes of children (as address and amount) are refused.
    #[test]
    fn i2_inner_node_is_not_a_leaf() {
        let values: Vec<_> = (0..4u8)
            .map(|i| (addr(i), u256_from_u128(u128::from(i))))
            .collect();
        let tree = StandardMerkleTree::of(values).unwrap();
        let root = tree.root();
        // tree = [root, n1, n2, l.., ..]: n1 is an inner node whose sibling is n2
        let (n1, n2) = (tree.tree[1], tree.tree[2]);
        let (c1, c2) = (tree.tree[3], tree.tree[4]);
        assert_eq!(hash_pair(&c1, &c2), n1);
        assert_eq!(verify(&root, &n1, &[n2]), Ok(()), "the hash form is fooled");
        let mp = OzMultiProof {
            leaves: vec![n1],
            proof: vec![n2],
            proof_flags: vec![false],
        };
        assert_eq!(verify_multi_proof(&root, &mp), Ok(()));
        // the children, sorted as the pair hash takes them, as the 64 bytes of a value
        let (lo, hi) = if c1 <= c2 { (c1, c2) } else { (c2, c1) };
        let mut a = [0u8; 20];
        a.copy_from_slice(&lo[12..]);
        assert!(matches!(
            verify_value(&root, &a, &hi, &[n2]),
            Err(Error::RootMismatch { .. })
        ));
        assert!(matches!(
            verify_multi_proof_values(&root, &[(a, hi)], &[n2], &[false]),
            Err(Error::RootMismatch { .. })
        ));
    }

    #[test]
    fn hash_order_is_byte_order() {
        let base = keccak256(b"base");
        for i in 0..32 {
            for delta in [1u8, 0x80, 0xff] {
                let mut other = base;
                other[i] = other[i].wrapping_add(delta);
                assert_eq!(cmp_hash(&base, &other), base.cmp(&other), "byte {i}");
                assert_eq!(cmp_hash(&other, &base), other.cmp(&base), "byte {i}");
            }
        }
        assert_eq!(cmp_hash(&base, &base), core::cmp::Ordering::Equal);
    }

    #[test]
    fn repeated_values_keep_insertion_order_like_a_stable_sort() {
        // OpenZeppelin sorts with JS's stable sort: equal leaves stay in insertion order,
        // which decides each repeated value's position and so its proof.
        let values: Vec<_> = (0..60u8)
            .map(|i| (addr(i % 7), u256_from_u128(u128::from(i % 3))))
            .collect();
        let tree = StandardMerkleTree::of(values.clone()).unwrap();
        let mut stable: Vec<(Hash, usize)> = values
            .iter()
            .enumerate()
            .map(|(i, (a, v))| (leaf_hash(a, v), i))
            .collect();
        stable.sort_by_key(|x| x.0);
        let len = 2 * values.len() - 1;
        for (rank, (_, value_index)) in stable.iter().enumerate() {
            assert_eq!(tree.tree_position(*value_index), Ok(len - 1 - rank));
        }
    }
}
