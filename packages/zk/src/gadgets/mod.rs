//! The circuit's building blocks: Poseidon, the account tree's paths, EdDSA over Jubjub and
//! small integer checks. Each one mirrors a native rule of `settle_core::validity` and is
//! tested against it.

pub mod eddsa;
pub mod poseidon;
pub mod tree;

use ark_ff::{AdditiveGroup, Field};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use settle_core::validity::Fr;

pub use eddsa::{verify_signature, GeneratorPowers};
pub use poseidon::PoseidonVar;
pub use tree::{root_from_path, roots_from_path};

/// A witness element; `None` (setup) leaves it unassigned.
pub fn witness(
    cs: &ConstraintSystemRef<Fr>,
    value: Option<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    FpVar::new_witness(cs.clone(), || {
        value.ok_or(SynthesisError::AssignmentMissing)
    })
}

/// A witness bit; `None` (setup) leaves it unassigned. One booleanity constraint.
pub fn witness_bit(
    cs: &ConstraintSystemRef<Fr>,
    value: Option<bool>,
) -> Result<Boolean<Fr>, SynthesisError> {
    Boolean::new_witness(cs.clone(), || {
        value.ok_or(SynthesisError::AssignmentMissing)
    })
}

/// `Σ bits[i]·2^i`, a linear combination (no constraint).
pub fn from_bits(bits: &[Boolean<Fr>]) -> FpVar<Fr> {
    debug_assert!(bits.len() < 254, "a sum of that many bits could wrap");
    let mut acc = FpVar::zero();
    let mut power = Fr::ONE;
    for bit in bits {
        acc += FpVar::from(bit.clone()) * power;
        power.double_in_place();
    }
    acc
}

/// Enforces `x < 2^bits` and returns the bits, least significant first: `bits + 1`
/// constraints.
pub fn range_check(x: &FpVar<Fr>, bits: usize) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    let (bits, _) = x.to_bits_le_with_top_bits_zero(bits)?;
    Ok(bits)
}

/// Enforces that every bit is zero (one constraint: their sum is zero, and a sum of fewer
/// than `p` bits is zero only if each is).
pub fn enforce_zero_bits(bits: &[Boolean<Fr>]) -> Result<(), SynthesisError> {
    let mut sum = FpVar::zero();
    for bit in bits {
        sum += FpVar::from(bit.clone());
    }
    sum.enforce_equal(&FpVar::zero())
}

/// Enforces `a < b` when `condition` holds, for `a < 2^n` and `b <= 2^n` (`n + 1` bits):
/// `condition · (b - 1 - a)` must fit in `n + 1` bits, which a negative difference (a huge
/// field element) cannot.
pub fn enforce_less_than(
    a: &FpVar<Fr>,
    b: &FpVar<Fr>,
    n: usize,
    condition: &Boolean<Fr>,
) -> Result<(), SynthesisError> {
    let diff = b - a - Fr::ONE;
    let gated = condition.select(&diff, &FpVar::zero())?;
    range_check(&gated, n + 1)?;
    Ok(())
}

/// Enforces `x != 0` when `condition` holds (one constraint: `x · w = condition` for a
/// witness `w`, the inverse of `x` or zero). Unlike arkworks' `conditional_enforce_not_equal`,
/// a zero `x` gives an unsatisfied constraint, not a synthesis error.
pub fn enforce_nonzero_if(x: &FpVar<Fr>, condition: &Boolean<Fr>) -> Result<(), SynthesisError> {
    let cs = x.cs().or(condition.cs());
    let inverse = FpVar::new_witness(cs, || {
        let enforce = condition.value()?;
        let x = x.value()?;
        Ok(match (enforce, x.inverse()) {
            (true, Some(inverse)) => inverse,
            _ => Fr::ZERO,
        })
    })?;
    x.mul_equals(&inverse, &FpVar::from(condition.clone()))
}

/// Enforces `a == b` when `condition` holds (one constraint).
pub fn enforce_equal_if(
    a: &FpVar<Fr>,
    b: &FpVar<Fr>,
    condition: &Boolean<Fr>,
) -> Result<(), SynthesisError> {
    a.conditional_enforce_equal(b, condition)
}

/// `2^n` as a field element.
pub fn two_to(n: u64) -> Fr {
    Fr::from(2u64).pow([n])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_relations::r1cs::ConstraintSystem;

    fn check_less(a: u64, b: u64, condition: bool) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let av = witness(&cs, Some(a.into())).unwrap();
        let bv = witness(&cs, Some(b.into())).unwrap();
        let c = witness_bit(&cs, Some(condition)).unwrap();
        enforce_less_than(&av, &bv, 20, &c).unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn less_than_is_exact_at_the_edges() {
        assert!(check_less(0, 1, true));
        assert!(!check_less(0, 0, true));
        assert!(!check_less(5, 5, true));
        assert!(check_less(4, 5, true));
        assert!(!check_less(6, 5, true));
        assert!(check_less((1 << 20) - 1, 1 << 20, true));
        assert!(!check_less((1 << 20) - 1, 0, true));
        assert!(check_less(6, 5, false));
    }

    #[test]
    fn nonzero_is_unsatisfied_not_an_error_for_zero() {
        for (x, condition, ok) in [(0u64, true, false), (0, false, true), (5, true, true)] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let v = witness(&cs, Some(x.into())).unwrap();
            let c = witness_bit(&cs, Some(condition)).unwrap();
            enforce_nonzero_if(&v, &c).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), ok, "{x} {condition}");
        }
    }

    #[test]
    fn range_checks_are_exact() {
        for (x, bits, ok) in [
            (Fr::from(u64::MAX), 64, true),
            (Fr::from(u64::MAX) + Fr::ONE, 64, false),
            (-Fr::ONE, 128, false),
            (Fr::from(u128::MAX), 128, true),
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let v = witness(&cs, Some(x)).unwrap();
            range_check(&v, bits).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), ok, "{x} in {bits} bits");
        }
    }
}
