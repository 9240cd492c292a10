//! OpenZeppelin `StandardMerkleTree` multiproofs (`settle_core::oz`), two ways:
//!
//! - soundness: over a tree of fuzz-chosen values, a forged multiproof (flags, proof
//!   hashes, leaves) may verify only values that are in the tree (the flag forgery of
//!   advisory GHSA-wprv-93r4-jj2p is exactly such a proof);
//! - differential: the core's verifier against an independent oracle written here from
//!   OpenZeppelin's published rules (`MerkleProof.processMultiProof` of contracts 4.9.2
//!   and later): leaves are `keccak256(keccak256(abi.encode(address, uint256)))`, pairs
//!   are hashed sorted, `leaves + proof == flags + 1`, and every proof hash must be used.

use sha3::{Digest, Keccak256};

use settle_core::hash::Hash;
use settle_core::oz::{self, Address, StandardMerkleTree, U256};

use crate::input::Input;

fn keccak(parts: &[&[u8]]) -> Hash {
    let mut h = Keccak256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// The oracle's leaf: `keccak256(keccak256(abi.encode(address, uint256)))`.
pub fn oracle_leaf(address: &Address, amount: &U256) -> Hash {
    let mut word = [0u8; 32];
    word[12..].copy_from_slice(address);
    keccak(&[&keccak(&[&word, amount])])
}

/// `Hashes.commutativeKeccak256`: the smaller word first.
fn oracle_pair(a: &Hash, b: &Hash) -> Hash {
    if a <= b {
        keccak(&[a, b])
    } else {
        keccak(&[b, a])
    }
}

/// What the oracle says about a multiproof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oracle {
    /// Reverts (a length check, or an array read out of bounds).
    Revert,
    /// Returns this root, having read only hashes it had computed.
    Root(Hash),
    /// Returns this root, but read a slot of `hashes` before writing it (Solidity's zeroed
    /// memory): the case the core refuses outright.
    RootFromUnwritten(Hash),
}

/// `MerkleProof.processMultiProof` as OpenZeppelin Contracts (>= 4.9.2) specifies it,
/// with Solidity's semantics: memory arrays start zeroed, reads past an array's end revert.
pub fn oracle_process(leaves: &[Hash], proof: &[Hash], flags: &[bool]) -> Oracle {
    let (leaves_len, proof_len, total) = (leaves.len(), proof.len(), flags.len());
    if leaves_len + proof_len != total + 1 {
        return Oracle::Revert;
    }
    let mut hashes = vec![[0u8; 32]; total];
    let (mut leaf_pos, mut hash_pos, mut proof_pos) = (0, 0, 0);
    let mut unwritten = false;
    for (i, flag) in flags.iter().enumerate() {
        let mut next = |leaf_pos: &mut usize, hash_pos: &mut usize| -> Option<Hash> {
            if *leaf_pos < leaves_len {
                *leaf_pos += 1;
                Some(leaves[*leaf_pos - 1])
            } else {
                let h = *hashes.get(*hash_pos)?;
                if *hash_pos >= i {
                    unwritten = true;
                }
                *hash_pos += 1;
                Some(h)
            }
        };
        let Some(a) = next(&mut leaf_pos, &mut hash_pos) else {
            return Oracle::Revert;
        };
        let b = if *flag {
            next(&mut leaf_pos, &mut hash_pos)
        } else {
            proof_pos += 1;
            proof.get(proof_pos - 1).copied()
        };
        let Some(b) = b else {
            return Oracle::Revert;
        };
        hashes[i] = oracle_pair(&a, &b);
    }
    let root = if total > 0 {
        if proof_pos != proof_len {
            return Oracle::Revert;
        }
        hashes[total - 1]
    } else if leaves_len > 0 {
        leaves[0]
    } else {
        proof[0]
    };
    if unwritten {
        Oracle::RootFromUnwritten(root)
    } else {
        Oracle::Root(root)
    }
}

fn values(input: &mut Input) -> Vec<(Address, U256)> {
    let n = 1 + input.u8() as usize % 16;
    (0..n)
        .map(|_| {
            let address: Address = input.array();
            let mut amount: U256 = input.array();
            // amounts mostly small, sometimes any uint256
            if input.bool() {
                amount[..28].fill(0);
            }
            (address, amount)
        })
        .collect()
}

/// Multiproofs over a fuzz-built tree: the core against the oracle, and soundness.
pub fn oz_multiproof(data: &[u8]) {
    let mut input = Input::new(data);
    let values = values(&mut input);
    let tree = StandardMerkleTree::of(values.clone()).expect("non-empty");
    let root = tree.root();
    let leaf_of = |v: &(Address, U256)| oracle_leaf(&v.0, &v.1);
    for v in &values {
        assert_eq!(oz::leaf_hash(&v.0, &v.1), leaf_of(v), "leaf hashes differ");
    }

    let mask = input.u16();
    let chosen: Vec<usize> = (0..values.len()).filter(|i| mask >> i & 1 == 1).collect();
    let honest = tree.multi_proof(&chosen).expect("indices in range");
    // The honest proof's leaves in the verifier's order, as values.
    let mut offered: Vec<(Address, U256)> = honest
        .leaves
        .iter()
        .map(|h| {
            *values
                .iter()
                .find(|v| leaf_of(v) == *h)
                .expect("a leaf of the tree")
        })
        .collect();
    oz::verify_multi_proof_values(&root, &offered, &honest.proof, &honest.proof_flags)
        .expect("an honest multiproof verifies");

    // Real nodes to forge with: every leaf, every hash of every single proof, the root.
    let mut pool: Vec<Hash> = values.iter().map(leaf_of).collect();
    for i in 0..values.len() {
        pool.extend(tree.proof(i).expect("in range"));
    }
    pool.push(root);
    let mut proof = honest.proof.clone();
    let mut flags = honest.proof_flags.clone();
    for _ in 0..input.u8() % 6 {
        match input.u8() % 8 {
            0 if !flags.is_empty() => {
                let i = input.below(flags.len());
                flags[i] = !flags[i];
            }
            1 => flags.push(input.bool()),
            2 if !flags.is_empty() => {
                flags.remove(input.below(flags.len()));
            }
            3 => {
                let at = input.below(proof.len() + 1);
                let h = pool[input.below(pool.len())];
                proof.insert(at, h);
            }
            4 if !proof.is_empty() => {
                proof.remove(input.below(proof.len()));
            }
            5 if !offered.is_empty() => {
                offered.remove(input.below(offered.len()));
            }
            6 => {
                // a value of the tree, or one that is not
                let v = if input.bool() {
                    values[input.below(values.len())]
                } else {
                    (input.array(), input.array())
                };
                offered.insert(input.below(offered.len() + 1), v);
            }
            _ => {
                if !proof.is_empty() {
                    let i = input.below(proof.len());
                    proof[i] = input.array();
                }
            }
        }
    }

    let leaves: Vec<Hash> = offered.iter().map(leaf_of).collect();
    let core = oz::process_multi_proof(&oz::OzMultiProof {
        leaves: leaves.clone(),
        proof: proof.clone(),
        proof_flags: flags.clone(),
    });
    match (oracle_process(&leaves, &proof, &flags), &core) {
        (Oracle::Root(want), Ok(got)) => assert_eq!(*got, want, "core and oracle roots differ"),
        (Oracle::Root(want), Err(e)) => {
            panic!("the core refused what OpenZeppelin accepts ({want:?}): {e}")
        }
        (Oracle::Revert, Ok(got)) => panic!("the core accepted what OpenZeppelin refuses: {got:?}"),
        // Reading an unwritten slot: OpenZeppelin hashes a zero word, the core refuses.
        (Oracle::RootFromUnwritten(_), Ok(got)) => {
            panic!("the core accepted a proof that consumes a hash before it exists: {got:?}")
        }
        (Oracle::Revert | Oracle::RootFromUnwritten(_), Err(_)) => {}
    }
    let verdict = oz::verify_multi_proof_values(&root, &offered, &proof, &flags);
    assert_eq!(verdict.is_ok(), core.as_ref() == Ok(&root));
    if verdict.is_ok() {
        for v in &offered {
            assert!(
                values.contains(v),
                "a forged multiproof proved {v:?}, not in the tree"
            );
        }
    }
}
