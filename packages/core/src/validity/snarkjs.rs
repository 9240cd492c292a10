//! snarkjs's Groth16 JSON for the curve `bls12381`: the verifying key
//! (`snarkjs zkey export verificationkey`), the proof and the public signals
//! (`snarkjs groth16 prove` / `fullprove`), read into [`groth16`](super::groth16)'s types.
//!
//! Numbers are decimal strings. A G1 point is `[x, y, z]` and a G2 point
//! `[[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]` in Jacobian coordinates, as ffjavascript
//! writes and reads them: `z = 1` is an affine point (what snarkjs exports), `z = 0` the
//! identity, and any other `z` is converted (`x / z², y / z³`). Parsing is strict: digits
//! only, no leading zeros, every coordinate below the base field modulus
//! ([`Error::NotCanonical`]), every point on the curve and in the prime-order subgroup
//! ([`Error::InvalidPoint`]), every public input below the scalar field modulus `r`.
//!
//! Test vectors: `tests/interop/snarkjs` (a circom circuit, the script that runs circom and
//! snarkjs, and the fixtures it wrote).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::str::FromStr;

use ark_bls12_381::{Fq, Fq2, G1Affine, G2Affine};
use ark_ec::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{One, PrimeField, Zero};
use serde::Deserialize;

use super::field::Fr;
use super::groth16::{g1_from_ark, g2_from_ark, Proof, VerifyingKey, MAX_IC_POINTS};
use crate::error::Error;

/// The `protocol` snarkjs writes for Groth16.
pub const PROTOCOL: &str = "groth16";
/// The `curve` snarkjs writes for BLS12-381.
pub const CURVE: &str = "bls12381";

#[derive(Deserialize)]
struct VkJson {
    protocol: String,
    curve: String,
    #[serde(rename = "nPublic")]
    n_public: u64,
    vk_alpha_1: Vec<String>,
    vk_beta_2: Vec<Vec<String>>,
    vk_gamma_2: Vec<Vec<String>>,
    vk_delta_2: Vec<Vec<String>>,
    #[serde(rename = "IC")]
    ic: Vec<Vec<String>>,
}

#[derive(Deserialize)]
struct ProofJson {
    protocol: Option<String>,
    curve: Option<String>,
    pi_a: Vec<String>,
    pi_b: Vec<Vec<String>>,
    pi_c: Vec<String>,
}

/// Reads a verifying key (`verification_key.json`). `IC` must hold `nPublic + 1` points, at
/// most [`MAX_IC_POINTS`]. The points are checked here (on the curve, in the subgroup);
/// [`VerifyingKey::check`] adds that `α, β, γ, δ` are not the identity.
pub fn verifying_key_from_json(json: &str) -> Result<VerifyingKey, Error> {
    const WHAT: &str = "snarkjs verifying key";
    let vk: VkJson =
        serde_json::from_str(json).map_err(|e| Error::malformed(WHAT, format!("{e}")))?;
    check_header(WHAT, Some(&vk.protocol), Some(&vk.curve))?;
    if vk.ic.is_empty() || vk.ic.len() > MAX_IC_POINTS {
        return Err(Error::malformed(
            WHAT,
            format!("{} IC points, expected 1 to {MAX_IC_POINTS}", vk.ic.len()),
        ));
    }
    if vk.n_public != vk.ic.len() as u64 - 1 {
        return Err(Error::malformed(
            WHAT,
            format!(
                "nPublic is {} but IC has {} points (nPublic + 1 expected)",
                vk.n_public,
                vk.ic.len()
            ),
        ));
    }
    Ok(VerifyingKey {
        alpha_g1: g1("vk_alpha_1", &vk.vk_alpha_1)?,
        beta_g2: g2("vk_beta_2", &vk.vk_beta_2)?,
        gamma_g2: g2("vk_gamma_2", &vk.vk_gamma_2)?,
        delta_g2: g2("vk_delta_2", &vk.vk_delta_2)?,
        ic: vk
            .ic
            .iter()
            .map(|p| g1("IC", p))
            .collect::<Result<_, _>>()?,
    })
}

/// Reads a proof (`proof.json`). `protocol` and `curve`, when present, must be snarkjs's
/// Groth16 over BLS12-381. The points are checked (on the curve, in the subgroup, none the
/// identity), so the result passes [`Proof::check_form`].
pub fn proof_from_json(json: &str) -> Result<Proof, Error> {
    const WHAT: &str = "snarkjs proof";
    let proof: ProofJson =
        serde_json::from_str(json).map_err(|e| Error::malformed(WHAT, format!("{e}")))?;
    check_header(WHAT, proof.protocol.as_deref(), proof.curve.as_deref())?;
    let proof = Proof {
        a: g1("pi_a", &proof.pi_a)?,
        b: g2("pi_b", &proof.pi_b)?,
        c: g1("pi_c", &proof.pi_c)?,
    };
    proof.check_form()?;
    Ok(proof)
}

/// Reads the public signals (`public.json`): an array of decimal strings, each below the
/// scalar field modulus `r` ([`Error::NotCanonical`] otherwise).
pub fn public_inputs_from_json(json: &str) -> Result<Vec<Fr>, Error> {
    const WHAT: &str = "snarkjs public inputs";
    let inputs: Vec<String> =
        serde_json::from_str(json).map_err(|e| Error::malformed(WHAT, format!("{e}")))?;
    inputs
        .iter()
        .map(|s| decimal::<Fr>("public input", s))
        .collect()
}

fn check_header(
    what: &'static str,
    protocol: Option<&str>,
    curve: Option<&str>,
) -> Result<(), Error> {
    if let Some(p) = protocol.filter(|p| *p != PROTOCOL) {
        return Err(Error::malformed(
            what,
            format!("protocol is \"{p}\", expected \"{PROTOCOL}\""),
        ));
    }
    if let Some(c) = curve.filter(|c| *c != CURVE) {
        return Err(Error::malformed(
            what,
            format!("curve is \"{c}\", expected \"{CURVE}\""),
        ));
    }
    Ok(())
}

/// A canonical decimal: digits only, no leading zero (but `"0"`), below the modulus.
fn decimal<F: PrimeField>(what: &'static str, s: &str) -> Result<F, Error> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return Err(Error::malformed(
            what,
            format!("\"{s}\" is not a decimal number without leading zeros"),
        ));
    }
    // Too many limbs and at-or-above the modulus are the same refusal.
    F::BigInt::from_str(s)
        .ok()
        .and_then(F::from_bigint)
        .ok_or(Error::NotCanonical { what })
}

fn coordinates<'a>(what: &'static str, p: &'a [String]) -> Result<&'a [String], Error> {
    if p.len() == 2 || p.len() == 3 {
        Ok(p)
    } else {
        Err(Error::malformed(
            what,
            format!("{} coordinates, expected [x, y, z]", p.len()),
        ))
    }
}

/// An `x, y, z` triple (`z` defaulting to one) as an affine point, checked.
fn affine<P: SWCurveConfig>(
    what: &'static str,
    [x, y, z]: [P::BaseField; 3],
) -> Result<Affine<P>, Error> {
    let p = if z.is_zero() {
        return Ok(Affine::<P>::zero());
    } else if z.is_one() {
        Affine::<P>::new_unchecked(x, y)
    } else {
        // Jacobian, as ffjavascript keeps points: (x / z^2, y / z^3).
        Projective::<P>::new_unchecked(x, y, z).into_affine()
    };
    if !p.is_on_curve() {
        return Err(Error::InvalidPoint {
            what,
            reason: "not on the curve",
        });
    }
    if !p.is_in_correct_subgroup_assuming_on_curve() {
        return Err(Error::InvalidPoint {
            what,
            reason: "not in the prime-order subgroup",
        });
    }
    Ok(p)
}

fn g1(what: &'static str, p: &[String]) -> Result<[u8; 48], Error> {
    let p = coordinates(what, p)?;
    let mut c = [Fq::zero(), Fq::zero(), Fq::one()];
    for (k, s) in p.iter().enumerate() {
        c[k] = decimal::<Fq>(what, s)?;
    }
    let p: G1Affine = affine(what, c)?;
    Ok(g1_from_ark(&p))
}

fn g2(what: &'static str, p: &[Vec<String>]) -> Result<[u8; 96], Error> {
    if p.len() != 2 && p.len() != 3 {
        return Err(Error::malformed(
            what,
            format!("{} coordinates, expected [x, y, z]", p.len()),
        ));
    }
    let mut c = [Fq2::zero(), Fq2::zero(), Fq2::one()];
    for (k, pair) in p.iter().enumerate() {
        let [c0, c1] = pair.as_slice() else {
            return Err(Error::malformed(
                what,
                format!(
                    "{} components in a G2 coordinate, expected [c0, c1]",
                    pair.len()
                ),
            ));
        };
        c[k] = Fq2::new(decimal::<Fq>(what, c0)?, decimal::<Fq>(what, c1)?);
    }
    let p: G2Affine = affine(what, c)?;
    Ok(g2_from_ark(&p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validity::groth16::{G1_IDENTITY, G2_IDENTITY};
    use alloc::string::ToString;
    use ark_ff::Field;

    fn g1_json(p: &G1Affine) -> String {
        format!("[\"{}\", \"{}\", \"1\"]", p.x, p.y)
    }

    #[test]
    fn decimals_are_strict() {
        assert_eq!(decimal::<Fr>("x", "0").unwrap(), Fr::zero());
        assert_eq!(decimal::<Fr>("x", "42").unwrap(), Fr::from(42u64));
        for bad in ["", "+1", "-1", "01", "1_0", " 1", "0x10", "1e3"] {
            assert!(
                matches!(
                    decimal::<Fr>("x", bad),
                    Err(Error::Malformed { what: "x", .. })
                ),
                "{bad:?}"
            );
        }
        let r = Fr::MODULUS.to_string();
        let r_minus_1 = (-Fr::one()).to_string();
        assert_eq!(decimal::<Fr>("x", &r_minus_1).unwrap(), -Fr::one());
        assert_eq!(
            decimal::<Fr>("x", &r),
            Err(Error::NotCanonical { what: "x" })
        );
        let huge = "9".repeat(200);
        assert_eq!(
            decimal::<Fq>("x", &huge),
            Err(Error::NotCanonical { what: "x" })
        );
    }

    #[test]
    fn jacobian_and_identity_coordinates() {
        let g = G1Affine::generator();
        let z = Fq::from(7u64);
        let (x, y) = (g.x * z.square(), g.y * z.square() * z);
        let jac = [format!("{x}"), format!("{y}"), format!("{z}")];
        assert_eq!(g1("p", &jac).unwrap(), g1_from_ark(&g));
        let affine = [format!("{}", g.x), format!("{}", g.y)];
        assert_eq!(g1("p", &affine).unwrap(), g1_from_ark(&g));
        let zero = ["0".into(), "1".into(), "0".into()];
        assert_eq!(g1("p", &zero).unwrap(), G1_IDENTITY);
        let zero2 = [
            alloc::vec!["0".into(), "0".into()],
            alloc::vec!["1".into(), "0".into()],
            alloc::vec!["0".into(), "0".into()],
        ];
        assert_eq!(g2("q", &zero2).unwrap(), G2_IDENTITY);

        // Off the curve; on the curve but outside the subgroup.
        let off = [
            format!("{}", g.x),
            format!("{}", g.y + Fq::one()),
            "1".into(),
        ];
        assert_eq!(
            g1("p", &off),
            Err(Error::InvalidPoint {
                what: "p",
                reason: "not on the curve"
            })
        );
        let outside = (1u64..)
            .find_map(|i| {
                let p = G1Affine::get_point_from_x_unchecked(Fq::from(i), false)?;
                (!p.is_in_correct_subgroup_assuming_on_curve()).then_some(p)
            })
            .unwrap();
        assert_eq!(
            g1(
                "p",
                &[
                    format!("{}", outside.x),
                    format!("{}", outside.y),
                    "1".into()
                ]
            ),
            Err(Error::InvalidPoint {
                what: "p",
                reason: "not in the prime-order subgroup"
            })
        );
        assert!(matches!(
            g1("p", &["1".into()]),
            Err(Error::Malformed { what: "p", .. })
        ));
        let g2g = G2Affine::generator();
        let three = [alloc::vec![format!("{}", g2g.x.c0)]];
        assert!(matches!(g2("q", &three), Err(Error::Malformed { .. })));
    }

    #[test]
    fn headers_and_shapes_are_checked() {
        let g = G1Affine::generator();
        let h = G2Affine::generator();
        let g2_json = format!(
            "[[\"{}\", \"{}\"], [\"{}\", \"{}\"], [\"1\", \"0\"]]",
            h.x.c0, h.x.c1, h.y.c0, h.y.c1
        );
        let vk = |protocol: &str, curve: &str, n: u64, ic: usize| {
            let ics: Vec<String> = (0..ic).map(|_| g1_json(&g)).collect();
            format!(
                "{{\"protocol\":\"{protocol}\",\"curve\":\"{curve}\",\"nPublic\":{n},\
                 \"vk_alpha_1\":{a},\"vk_beta_2\":{b},\"vk_gamma_2\":{b},\"vk_delta_2\":{b},\
                 \"IC\":[{ics}]}}",
                a = g1_json(&g),
                b = g2_json,
                ics = ics.join(",")
            )
        };
        let ok = verifying_key_from_json(&vk("groth16", "bls12381", 1, 2)).unwrap();
        assert_eq!(ok.public_inputs(), 1);
        assert_eq!(ok.alpha_g1, g1_from_ark(&g));
        assert_eq!(ok.beta_g2, g2_from_ark(&h));
        for (json, needle) in [
            (vk("plonk", "bls12381", 1, 2), "protocol is \"plonk\""),
            (vk("groth16", "bn128", 1, 2), "curve is \"bn128\""),
            (vk("groth16", "bls12381", 2, 2), "nPublic is 2"),
            (vk("groth16", "bls12381", 0, 0), "0 IC points"),
            (vk("groth16", "bls12381", 64, 65), "65 IC points"),
            ("{}".into(), "missing field"),
            ("[".into(), "EOF"),
        ] {
            match verifying_key_from_json(&json) {
                Err(Error::Malformed {
                    what: "snarkjs verifying key",
                    reason,
                }) => assert!(reason.contains(needle), "{reason}"),
                other => panic!("{needle}: {other:?}"),
            }
        }

        let proof = |a: &str| {
            format!(
                "{{\"pi_a\":{a},\"pi_b\":{g2_json},\"pi_c\":{c}}}",
                c = g1_json(&g)
            )
        };
        let p = proof_from_json(&proof(&g1_json(&g))).unwrap();
        assert_eq!(p.a, g1_from_ark(&g));
        assert_eq!(
            proof_from_json(&proof("[\"0\", \"1\", \"0\"]")),
            Err(Error::InvalidPoint {
                what: "proof point a",
                reason: "it is the identity (the point at infinity)"
            })
        );
        assert!(matches!(
            public_inputs_from_json("[1]"),
            Err(Error::Malformed {
                what: "snarkjs public inputs",
                ..
            })
        ));
        assert_eq!(
            public_inputs_from_json("[\"1\", \"0\"]").unwrap(),
            alloc::vec![Fr::one(), Fr::zero()]
        );
    }
}
