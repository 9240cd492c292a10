//! The validity rollup's account tree: a sparse binary Merkle tree of fixed depth
//! [`DEPTH`] over Poseidon, indexed by account number. An empty leaf is zero; a node is
//! `Poseidon_Node(left, right)`; empty subtrees use cached default nodes.

use alloc::vec::Vec;
use hashbrown::HashMap;

use super::field::Fr;
use super::poseidon::{Domain, Poseidon};
use crate::error::Error;
use ark_ff::Zero;

/// Depth of the account tree: 2^20 (1,048,576) accounts.
pub const DEPTH: usize = 20;
/// Number of account slots.
pub const CAPACITY: u64 = 1 << DEPTH;

/// `defaults[l]`: the root of an empty subtree of height `l` (`defaults[0]` = empty leaf).
pub fn default_nodes(hasher: &Poseidon) -> [Fr; DEPTH + 1] {
    let mut out = [Fr::zero(); DEPTH + 1];
    for l in 0..DEPTH {
        out[l + 1] = hasher.hash(Domain::Node, &[out[l], out[l]]);
    }
    out
}

/// A Merkle path: the sibling at each level, leaf level first.
pub type Path = Vec<Fr>;

/// The root a leaf at `index` gives with `path`.
pub fn root_from_path(hasher: &Poseidon, leaf: Fr, index: u64, path: &[Fr]) -> Result<Fr, Error> {
    if path.len() != DEPTH {
        return Err(Error::ProofLength {
            got: path.len(),
            expected: DEPTH,
        });
    }
    if index >= CAPACITY {
        return Err(Error::IndexOutOfRange {
            index,
            len: CAPACITY,
        });
    }
    let mut node = leaf;
    for (level, sibling) in path.iter().enumerate() {
        node = if (index >> level) & 1 == 0 {
            hasher.hash(Domain::Node, &[node, *sibling])
        } else {
            hasher.hash(Domain::Node, &[*sibling, node])
        };
    }
    Ok(node)
}

/// The operator's full tree (only non-default nodes are stored).
#[derive(Debug, Clone)]
pub struct Tree {
    hasher: Poseidon,
    defaults: [Fr; DEPTH + 1],
    /// `(level, index) -> node`, level 0 = leaves.
    nodes: HashMap<(u8, u64), Fr>,
}

impl Default for Tree {
    fn default() -> Self {
        let hasher = Poseidon::new();
        let defaults = default_nodes(&hasher);
        Tree {
            hasher,
            defaults,
            nodes: HashMap::new(),
        }
    }
}

impl Tree {
    pub fn new() -> Self {
        Self::default()
    }

    fn node(&self, level: usize, index: u64) -> Fr {
        self.nodes
            .get(&(level as u8, index))
            .copied()
            .unwrap_or(self.defaults[level])
    }

    pub fn root(&self) -> Fr {
        self.node(DEPTH, 0)
    }

    pub fn leaf(&self, index: u64) -> Fr {
        self.node(0, index)
    }

    /// Sets leaf `index` and rehashes its path.
    pub fn set(&mut self, index: u64, leaf: Fr) -> Result<(), Error> {
        if index >= CAPACITY {
            return Err(Error::IndexOutOfRange {
                index,
                len: CAPACITY,
            });
        }
        self.nodes.insert((0, index), leaf);
        let mut i = index;
        for level in 0..DEPTH {
            let (l, r) = if i & 1 == 0 {
                (self.node(level, i), self.node(level, i + 1))
            } else {
                (self.node(level, i - 1), self.node(level, i))
            };
            i >>= 1;
            let parent = self.hasher.hash(Domain::Node, &[l, r]);
            self.nodes.insert((level as u8 + 1, i), parent);
        }
        Ok(())
    }

    /// The path of leaf `index`.
    pub fn path(&self, index: u64) -> Result<Path, Error> {
        if index >= CAPACITY {
            return Err(Error::IndexOutOfRange {
                index,
                len: CAPACITY,
            });
        }
        Ok((0..DEPTH)
            .map(|level| self.node(level, (index >> level) ^ 1))
            .collect())
    }

    pub fn hasher(&self) -> &Poseidon {
        &self.hasher
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_verify_and_track_updates() {
        let mut t = Tree::new();
        let empty = t.root();
        assert_eq!(empty, default_nodes(t.hasher())[DEPTH]);
        for (i, v) in [(0u64, 5u64), (1, 6), (CAPACITY - 1, 7), (12345, 8)] {
            t.set(i, Fr::from(v)).unwrap();
        }
        for i in [0u64, 1, 2, 12345, CAPACITY - 1] {
            let path = t.path(i).unwrap();
            assert_eq!(
                root_from_path(t.hasher(), t.leaf(i), i, &path).unwrap(),
                t.root()
            );
            assert_ne!(
                root_from_path(t.hasher(), t.leaf(i) + Fr::from(1u64), i, &path).unwrap(),
                t.root()
            );
        }
        assert!(t.set(CAPACITY, Fr::from(1u64)).is_err());
        assert!(matches!(
            root_from_path(t.hasher(), Fr::zero(), 0, &[]),
            Err(Error::ProofLength { .. })
        ));
    }
}
