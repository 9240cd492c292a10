//! Paths of the account tree as constraints: [`settle_core::validity::tree::root_from_path`]
//! with the index given as its [`DEPTH`] low bits (bit `l` says whether the node at level
//! `l` is a right child).
//!
//! ```text
//!                 root
//!               /      \
//!         node(1)      sibling[1]          bit 1 = 0: node on the left
//!        /      \
//!  sibling[0]   leaf                       bit 0 = 1: node on the right
//! ```

use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::r1cs::SynthesisError;
use settle_core::validity::poseidon::Domain;
use settle_core::validity::tree::DEPTH;
use settle_core::validity::Fr;

use super::PoseidonVar;

/// The root `leaf` gives at the index of `bits` with `path` (siblings, leaf level first):
/// per level one selection (1 constraint) and one `Poseidon_Node`.
pub fn root_from_path(
    hasher: &PoseidonVar,
    leaf: &FpVar<Fr>,
    bits: &[Boolean<Fr>],
    path: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    assert_eq!(bits.len(), DEPTH, "index bits");
    assert_eq!(path.len(), DEPTH, "path length");
    let mut node = leaf.clone();
    for (bit, sibling) in bits.iter().zip(path) {
        let left = bit.select(sibling, &node)?;
        let right = &node + sibling - &left;
        node = hasher.hash(Domain::Node, &[left, right])?;
    }
    Ok(node)
}

/// The roots before and after replacing `old` by `new` at one index: the same path read
/// twice, the selections shared.
pub fn roots_from_path(
    hasher: &PoseidonVar,
    old: &FpVar<Fr>,
    new: &FpVar<Fr>,
    bits: &[Boolean<Fr>],
    path: &[FpVar<Fr>],
) -> Result<(FpVar<Fr>, FpVar<Fr>), SynthesisError> {
    assert_eq!(bits.len(), DEPTH, "index bits");
    assert_eq!(path.len(), DEPTH, "path length");
    let (mut a, mut b) = (old.clone(), new.clone());
    for (bit, sibling) in bits.iter().zip(path) {
        let a_left = bit.select(sibling, &a)?;
        let a_right = &a + sibling - &a_left;
        let b_left = bit.select(sibling, &b)?;
        let b_right = &b + sibling - &b_left;
        a = hasher.hash(Domain::Node, &[a_left, a_right])?;
        b = hasher.hash(Domain::Node, &[b_left, b_right])?;
    }
    Ok((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::{witness, witness_bit};
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::ConstraintSystem;
    use settle_core::validity::tree::{self, Tree};

    #[test]
    fn gadget_roots_match_the_native_tree() {
        let mut t = Tree::new();
        for (i, v) in [(0u64, 5u64), (1, 6), (tree::CAPACITY - 1, 7), (12345, 8)] {
            t.set(i, Fr::from(v)).unwrap();
        }
        for index in [0u64, 1, 2, 12345, tree::CAPACITY - 1] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let hasher = PoseidonVar::new(cs.clone());
            let bits: Vec<_> = (0..DEPTH)
                .map(|l| witness_bit(&cs, Some((index >> l) & 1 == 1)).unwrap())
                .collect();
            let path: Vec<_> = t
                .path(index)
                .unwrap()
                .iter()
                .map(|s| witness(&cs, Some(*s)).unwrap())
                .collect();
            let leaf = witness(&cs, Some(t.leaf(index))).unwrap();
            let new = witness(&cs, Some(Fr::from(99u64))).unwrap();
            let root = root_from_path(&hasher, &leaf, &bits, &path).unwrap();
            assert_eq!(root.value().unwrap(), t.root());
            let (old_root, new_root) = roots_from_path(&hasher, &leaf, &new, &bits, &path).unwrap();
            assert_eq!(old_root.value().unwrap(), t.root());
            let mut after = t.clone();
            after.set(index, Fr::from(99u64)).unwrap();
            assert_eq!(new_root.value().unwrap(), after.root());
            assert!(cs.is_satisfied().unwrap());
        }
    }
}
