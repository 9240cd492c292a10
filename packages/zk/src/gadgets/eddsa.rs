//! EdDSA over Jubjub as constraints: [`settle_core::validity::eddsa::PublicKey::verify`].
//!
//! The native rule, term by term:
//!
//! | native                                          | here                                        |
//! |-------------------------------------------------|---------------------------------------------|
//! | `A`, `R` decoded "on the curve"                 | `a·x² + y² = 1 + d·x²·y²` for both          |
//! | `S` canonical, below the subgroup order `ℓ`     | 252 bits, `≤ ℓ - 1`                         |
//! | `h = Poseidon_Challenge(R.x, R.y, A.x, A.y, m)` | the Poseidon gadget                         |
//! | `h` used as the full integer                    | its 255 canonical bits (below `p`)          |
//! | `8·S·B == 8·R + 8·h·A`                          | `8·(S·B − (R + h·A))` is the identity       |
//!
//! `S·B` is a fixed-base multiplication over precomputed `2^i·B` (two bits per addition);
//! `h·A` is double-and-add. Jubjub's addition law is complete (`d` is not a square), so the
//! formulas never divide by zero for points on the curve.

use ark_ec::twisted_edwards::TECurveConfig;
use ark_ec::{AdditiveGroup as _, AffineRepr};
use ark_ed_on_bls12_381::constraints::EdwardsVar;
use ark_ed_on_bls12_381::{EdwardsAffine, EdwardsProjective, Fr as JubjubScalar, JubjubConfig};
use ark_ff::{BigInteger, Field, PrimeField};
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::convert::ToBitsGadget;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::groups::CurveVar;
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use settle_core::validity::poseidon::Domain;
use settle_core::validity::Fr;

use super::{witness, witness_bit, PoseidonVar};

/// Bits of a Jubjub scalar (`ℓ` has 252).
pub const SCALAR_BITS: usize = JubjubScalar::MODULUS_BIT_SIZE as usize;

/// `2^i·B` for every bit of a scalar, `B` the core's generator
/// ([`settle_core::validity::eddsa::generator`]).
#[derive(Debug, Clone)]
pub struct GeneratorPowers(Vec<EdwardsProjective>);

impl Default for GeneratorPowers {
    fn default() -> Self {
        let mut powers = Vec::with_capacity(SCALAR_BITS);
        let mut p = settle_core::validity::eddsa::generator().into_group();
        for _ in 0..SCALAR_BITS {
            powers.push(p);
            p.double_in_place();
        }
        GeneratorPowers(powers)
    }
}

impl GeneratorPowers {
    pub fn new() -> Self {
        Self::default()
    }
}

/// Allocates a point's coordinates as witnesses (no check: see [`enforce_on_curve`]).
pub fn witness_point(
    cs: &ConstraintSystemRef<Fr>,
    point: Option<EdwardsAffine>,
) -> Result<EdwardsVar, SynthesisError> {
    Ok(EdwardsVar::new(
        witness(cs, point.map(|p| p.x))?,
        witness(cs, point.map(|p| p.y))?,
    ))
}

/// Allocates a scalar's [`SCALAR_BITS`] bits, least significant first (no range check:
/// [`verify_signature`] asks for `S < ℓ`).
pub fn witness_scalar_bits(
    cs: &ConstraintSystemRef<Fr>,
    scalar: Option<JubjubScalar>,
) -> Result<Vec<Boolean<Fr>>, SynthesisError> {
    let bits = scalar.map(|s| s.into_bigint().to_bits_le());
    (0..SCALAR_BITS)
        .map(|i| witness_bit(cs, bits.as_ref().map(|b| b[i])))
        .collect()
}

/// Enforces `a·x² + y² = 1 + d·x²·y²` (three constraints).
pub fn enforce_on_curve(p: &EdwardsVar) -> Result<(), SynthesisError> {
    let x2 = p.x.square()?;
    let y2 = p.y.square()?;
    let lhs = &x2 * JubjubConfig::COEFF_A + &y2 - Fr::ONE;
    let d_x2 = &x2 * JubjubConfig::COEFF_D;
    d_x2.mul_equals(&y2, &lhs)
}

/// Enforces, when `enforce` holds, that `(r, s_bits)` is a valid signature by `key` on
/// `message`. The curve checks on `key` and `r` and the range of `S` hold always, so the
/// caller's placeholder for an unused slot must be points on the curve (the identity) and
/// `S = 0`.
pub fn verify_signature(
    hasher: &PoseidonVar,
    powers: &GeneratorPowers,
    key: &EdwardsVar,
    r: &EdwardsVar,
    s_bits: &[Boolean<Fr>],
    message: &FpVar<Fr>,
    enforce: &Boolean<Fr>,
) -> Result<(), SynthesisError> {
    assert_eq!(s_bits.len(), SCALAR_BITS, "scalar bits");
    enforce_on_curve(key)?;
    enforce_on_curve(r)?;
    let l_minus_one = (-JubjubScalar::ONE).into_bigint();
    Boolean::enforce_smaller_or_equal_than_le(s_bits, l_minus_one)?;

    let h = hasher.hash(
        Domain::Challenge,
        &[
            r.x.clone(),
            r.y.clone(),
            key.x.clone(),
            key.y.clone(),
            message.clone(),
        ],
    )?;
    let h_bits = h.to_bits_le()?;

    let mut s_b = EdwardsVar::zero();
    s_b.precomputed_base_scalar_mul_le(s_bits.iter().zip(powers.0.iter()))?;
    let h_a = key.scalar_mul_le(h_bits.iter())?;
    let rhs = r + &h_a;
    let mut diff = s_b - &rhs;
    for _ in 0..3 {
        diff.double_in_place()?;
    }
    diff.conditional_enforce_equal(&EdwardsVar::zero(), enforce)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_relations::r1cs::ConstraintSystem;
    use settle_core::validity::eddsa::{SecretKey, Signature};

    fn check(key: EdwardsAffine, sig: &Signature, message: Fr, enforce: bool) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let hasher = PoseidonVar::new(cs.clone());
        let powers = GeneratorPowers::new();
        let a = witness_point(&cs, Some(key)).unwrap();
        let r = witness_point(&cs, Some(sig.r)).unwrap();
        let s = witness_scalar_bits(&cs, Some(sig.s)).unwrap();
        let m = witness(&cs, Some(message)).unwrap();
        let e = witness_bit(&cs, Some(enforce)).unwrap();
        verify_signature(&hasher, &powers, &a, &r, &s, &m, &e).unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn generator_is_the_group_generator() {
        assert_eq!(
            settle_core::validity::eddsa::generator(),
            EdwardsProjective::generator().into_affine()
        );
    }

    #[test]
    fn gadget_agrees_with_native_verification() {
        let k = SecretKey::from_seed(&[7; 32]);
        let other = SecretKey::from_seed(&[8; 32]);
        let m = Fr::from(1234u64);
        let sig = k.sign(&m);
        let a = k.public_key().point();
        assert!(k.public_key().verify(&m, &sig));
        assert!(check(a, &sig, m, true));
        // Wrong message, wrong key, wrong S: refused natively and here.
        assert!(!check(a, &sig, m + Fr::ONE, true));
        assert!(!check(other.public_key().point(), &sig, m, true));
        let bad = Signature {
            s: sig.s + JubjubScalar::ONE,
            ..sig
        };
        assert!(!k.public_key().verify(&m, &bad));
        assert!(!check(a, &bad, m, true));
        // Not enforced: anything on the curve passes.
        assert!(check(a, &bad, m, false));
    }

    #[test]
    fn a_small_order_component_of_r_verifies_as_natively() {
        // Cofactored verification: a signature whose R carries a point of order 2
        // (T = (0, -1)) is valid natively, and so it must be here.
        use settle_core::validity::eddsa::{challenge, PublicKey};
        let a = JubjubScalar::from(123456789u64);
        let a_point = (EdwardsProjective::generator() * a).into_affine();
        let key = PublicKey::from_coordinates(a_point.x, a_point.y).unwrap();
        let m = Fr::from(5u64);
        let t = EdwardsAffine::new_unchecked(Fr::from(0u64), -Fr::ONE);
        assert!(t.is_on_curve());
        let r = JubjubScalar::from(987654321u64);
        let big_r = (EdwardsProjective::generator() * r + t).into_affine();
        let h = challenge(&big_r, &a_point, &m);
        let h = JubjubScalar::from_le_bytes_mod_order(&h.into_bigint().to_bytes_le());
        let sig = Signature {
            r: big_r,
            s: r + h * a,
        };
        assert!(key.verify(&m, &sig));
        assert!(check(a_point, &sig, m, true));
    }
}
