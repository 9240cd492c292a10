//! Poseidon as constraints: the core's hash ([`settle_core::validity::poseidon`]) with the
//! same parameters, the same duplex sponge (arkworks' `PoseidonSpongeVar`, the gadget twin
//! of the `PoseidonSponge` the core uses) and the same domain separation: the capacity
//! element starts at [`initial_capacity`]`(domain, len)` instead of zero.
//!
//! Absorbing `len` elements at rate 2 and squeezing one costs `ceil(len / 2)` permutations
//! (`max(1, ..)` for an empty input), exactly like the native sponge; a permutation is 8 full
//! and 57 partial rounds of `x^5` S-boxes (3 constraints each): 243 constraints, a little
//! less when the first round's inputs are constants.

use ark_crypto_primitives::sponge::constraints::CryptographicSpongeVar;
use ark_crypto_primitives::sponge::poseidon::constraints::PoseidonSpongeVar;
use ark_crypto_primitives::sponge::poseidon::PoseidonConfig;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::{ConstraintSystemRef, SynthesisError};
use settle_core::validity::poseidon::{config, initial_capacity, Domain};
use settle_core::validity::Fr;

/// A Poseidon gadget that keeps its parameters (built once per circuit).
#[derive(Clone)]
pub struct PoseidonVar {
    cs: ConstraintSystemRef<Fr>,
    config: PoseidonConfig<Fr>,
}

impl core::fmt::Debug for PoseidonVar {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PoseidonVar")
    }
}

impl PoseidonVar {
    /// A hasher writing into `cs`, with the core's [`config`].
    pub fn new(cs: ConstraintSystemRef<Fr>) -> Self {
        PoseidonVar {
            cs,
            config: config(),
        }
    }

    /// `Poseidon_domain(inputs)`: the constraints computing
    /// [`settle_core::validity::poseidon::hash`]`(domain, inputs)`.
    pub fn hash(&self, domain: Domain, inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
        let mut sponge = PoseidonSpongeVar::new(self.cs.clone(), &self.config);
        sponge.state[0] = FpVar::constant(initial_capacity(domain, inputs.len()));
        sponge.absorb(&inputs.to_vec())?;
        let mut out = sponge.squeeze_field_elements(1)?;
        Ok(out.remove(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::ConstraintSystem;
    use ark_std::UniformRand;
    use settle_core::validity::poseidon::hash;

    /// The gadget's absorb/squeeze match the native sponge for every length the circuit
    /// uses (1 to 8, and the Data domain's longer inputs), in every domain.
    #[test]
    fn gadget_matches_native_for_lengths_0_to_8_and_16() {
        let mut rng = ark_std::test_rng();
        for len in (0..=8).chain([16, 17]) {
            for domain in [Domain::Node, Domain::Leaf, Domain::Data, Domain::Statement] {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let values: Vec<Fr> = (0..len).map(|_| Fr::rand(&mut rng)).collect();
                let vars: Vec<FpVar<Fr>> = values
                    .iter()
                    .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)).unwrap())
                    .collect();
                let out = PoseidonVar::new(cs.clone()).hash(domain, &vars).unwrap();
                assert_eq!(out.value().unwrap(), hash(domain, &values), "len {len}");
                assert!(cs.is_satisfied().unwrap());
            }
        }
    }

    #[test]
    fn a_wrong_output_is_unsatisfiable() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = FpVar::new_witness(cs.clone(), || Ok(Fr::from(1u64))).unwrap();
        let b = FpVar::new_witness(cs.clone(), || Ok(Fr::from(2u64))).unwrap();
        let out = PoseidonVar::new(cs.clone())
            .hash(Domain::Node, &[a, b])
            .unwrap();
        let claimed = FpVar::new_input(cs.clone(), || {
            Ok(hash(Domain::Leaf, &[1u64.into(), 2u64.into()]))
        })
        .unwrap();
        ark_r1cs_std::eq::EqGadget::enforce_equal(&out, &claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
