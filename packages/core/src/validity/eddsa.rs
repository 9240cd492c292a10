//! EdDSA over Jubjub (the twisted Edwards curve over the BLS12-381 scalar field) with a
//! Poseidon challenge: the signature the validity rollup's circuit checks for every
//! transaction, and the contract checks for an exodus exit.
//!
//! - A key is a point `A = a·B`, `B` the generator of the prime-order subgroup. On the wire
//!   it is `x || y` (64 bytes, each coordinate a canonical big-endian field element), so
//!   neither the circuit nor the contract decompresses.
//! - A signature is `R || S`: `R = r·B` as `x || y` (64 bytes) and `S = r + h·a mod ℓ`
//!   (32 bytes big-endian, below the subgroup order ℓ): 96 bytes.
//! - The challenge is `h = Poseidon_Challenge(R.x, R.y, A.x, A.y, m)`, used as the full
//!   integer below the field modulus.
//! - Verification is cofactored: `8·S·B == 8·R + 8·h·A`. Small-order components of `R` or
//!   `A` cannot change the verdict, so only "on the curve" is asked of them; a key whose
//!   multiple by 8 is the identity is refused ([`PublicKey::decode`]), because with it any
//!   `(R, S)` with `8·S·B = 8·R` would verify.
//! - Signing is deterministic: `(a, prefix) = SHA-512(tag || secret)`,
//!   `r = SHA-512(prefix || m) mod ℓ`.

use ark_ec::twisted_edwards::TECurveConfig;
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ed_on_bls12_381::{EdwardsAffine, EdwardsProjective, Fr as JubjubScalar, JubjubConfig};
use ark_ff::{AdditiveGroup, BigInteger, PrimeField, Zero};
use sha2::{Digest, Sha512};

use super::field::{fr_from_bytes, fr_to_bytes, Fr};
use super::poseidon::{hash, Domain};
use crate::error::Error;

/// Bytes of a public key on the wire.
pub const PUBLIC_KEY_LEN: usize = 64;
/// Bytes of a signature on the wire.
pub const SIGNATURE_LEN: usize = 96;

const KEY_TAG: &[u8] = b"settle/validity/jubjub-key";

/// A point given as two canonical coordinates, checked to be on Jubjub.
fn decode_point(what: &'static str, bytes: &[u8]) -> Result<EdwardsAffine, Error> {
    if bytes.len() != 64 {
        return Err(Error::Length {
            what,
            expected: 64,
            got: bytes.len(),
        });
    }
    let x = fr_from_bytes(what, &bytes[..32])?;
    let y = fr_from_bytes(what, &bytes[32..])?;
    let p = EdwardsAffine::new_unchecked(x, y);
    if !p.is_on_curve() {
        return Err(Error::InvalidPoint {
            what,
            reason: "not on the Jubjub curve",
        });
    }
    Ok(p)
}

fn encode_point(p: &EdwardsAffine) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&fr_to_bytes(&p.x));
    out[32..].copy_from_slice(&fr_to_bytes(&p.y));
    out
}

/// `8·p`.
fn clear_cofactor(p: &EdwardsProjective) -> EdwardsProjective {
    let mut q = *p;
    for _ in 0..3 {
        q.double_in_place();
    }
    q
}

/// An account key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(EdwardsAffine);

impl PublicKey {
    /// Decodes `x || y`: canonical coordinates, on the curve, and not of small order.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let p = decode_point("jubjub public key", bytes)?;
        if clear_cofactor(&p.into_group()).is_zero() {
            return Err(Error::InvalidPoint {
                what: "jubjub public key",
                reason: "of small order (every signature would verify)",
            });
        }
        Ok(PublicKey(p))
    }

    /// From coordinates (the account leaf holds them), with [`PublicKey::decode`]'s checks.
    pub fn from_coordinates(x: Fr, y: Fr) -> Result<Self, Error> {
        let mut bytes = [0u8; 64];
        bytes[..32].copy_from_slice(&fr_to_bytes(&x));
        bytes[32..].copy_from_slice(&fr_to_bytes(&y));
        Self::decode(&bytes)
    }

    pub fn encode(&self) -> [u8; PUBLIC_KEY_LEN] {
        encode_point(&self.0)
    }

    /// `(x, y)`, as the account leaf and the circuit take them.
    pub fn coordinates(&self) -> (Fr, Fr) {
        (self.0.x, self.0.y)
    }

    pub fn point(&self) -> EdwardsAffine {
        self.0
    }

    /// Checks `signature` on `message` (see the module docs for the equation).
    pub fn verify(&self, message: &Fr, signature: &Signature) -> bool {
        let h = challenge(&signature.r, &self.0, message);
        let lhs = EdwardsProjective::generator() * signature.s;
        let rhs = signature.r.into_group() + self.0.mul_bigint(h.into_bigint());
        clear_cofactor(&lhs) == clear_cofactor(&rhs)
    }
}

/// `R || S`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub r: EdwardsAffine,
    pub s: JubjubScalar,
}

impl Signature {
    /// Decodes `R.x || R.y || S`: `R` on the curve, `S` below the subgroup order.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() != SIGNATURE_LEN {
            return Err(Error::Length {
                what: "jubjub signature",
                expected: SIGNATURE_LEN,
                got: bytes.len(),
            });
        }
        let r = decode_point("signature point R", &bytes[..64])?;
        let s = JubjubScalar::from_be_bytes_mod_order(&bytes[64..]);
        if s.into_bigint().to_bytes_be()[..] != bytes[64..] {
            return Err(Error::NotCanonical {
                what: "signature scalar S",
            });
        }
        Ok(Signature { r, s })
    }

    pub fn encode(&self) -> [u8; SIGNATURE_LEN] {
        let mut out = [0u8; SIGNATURE_LEN];
        out[..64].copy_from_slice(&encode_point(&self.r));
        out[64..].copy_from_slice(&self.s.into_bigint().to_bytes_be());
        out
    }
}

/// The challenge `h` (a base-field element, used as an integer).
pub fn challenge(r: &EdwardsAffine, a: &EdwardsAffine, message: &Fr) -> Fr {
    hash(Domain::Challenge, &[r.x, r.y, a.x, a.y, *message])
}

/// A signing key: 32 secret bytes.
#[derive(Clone)]
pub struct SecretKey {
    scalar: JubjubScalar,
    prefix: [u8; 32],
    public: PublicKey,
}

impl core::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "SecretKey(public {})", hex::encode(self.public.encode()))
    }
}

impl SecretKey {
    /// Derives the key from 32 secret bytes (any value works).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let digest = Sha512::new_with_prefix(KEY_TAG)
            .chain_update(seed)
            .finalize();
        let mut scalar = JubjubScalar::from_le_bytes_mod_order(&digest[..32]);
        if scalar.is_zero() {
            // Probability 2^-252; any fixed non-zero value keeps the function total.
            scalar = JubjubScalar::from(1u64);
        }
        let mut prefix = [0u8; 32];
        prefix.copy_from_slice(&digest[32..]);
        let public = PublicKey((EdwardsProjective::generator() * scalar).into_affine());
        SecretKey {
            scalar,
            prefix,
            public,
        }
    }

    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// Signs a message (a field element: every signed thing is hashed to one first).
    pub fn sign(&self, message: &Fr) -> Signature {
        let digest = Sha512::new_with_prefix(self.prefix)
            .chain_update(fr_to_bytes(message))
            .finalize();
        let r = JubjubScalar::from_le_bytes_mod_order(&digest);
        let big_r = (EdwardsProjective::generator() * r).into_affine();
        let h = challenge(&big_r, &self.public.0, message);
        let h = JubjubScalar::from_le_bytes_mod_order(&h.into_bigint().to_bytes_le());
        Signature {
            r: big_r,
            s: r + h * self.scalar,
        }
    }
}

/// The subgroup generator `B`'s coordinates (the circuit's fixed base).
pub fn generator() -> EdwardsAffine {
    EdwardsAffine::generator()
}

/// Jubjub's twisted Edwards coefficients `(a, d)`.
pub fn curve_coefficients() -> (Fr, Fr) {
    (JubjubConfig::COEFF_A, JubjubConfig::COEFF_D)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> SecretKey {
        SecretKey::from_seed(&[n; 32])
    }

    #[test]
    fn sign_verify_round_trip_and_wire_forms() {
        let k = key(1);
        let m = Fr::from(42u64);
        let sig = k.sign(&m);
        assert!(k.public_key().verify(&m, &sig));
        assert!(!k.public_key().verify(&Fr::from(43u64), &sig));
        assert!(!key(2).public_key().verify(&m, &sig));
        let back = Signature::decode(&sig.encode()).unwrap();
        assert_eq!(back, sig);
        let pk = PublicKey::decode(&k.public_key().encode()).unwrap();
        assert_eq!(pk, k.public_key());
        // Deterministic.
        assert_eq!(k.sign(&m), sig);
    }

    #[test]
    fn malformed_inputs_are_refused() {
        let k = key(3);
        let sig = k.sign(&Fr::from(1u64)).encode();
        // S at or above the subgroup order.
        let mut bad = sig;
        bad[64..].copy_from_slice(&[0xff; 32]);
        assert_eq!(
            Signature::decode(&bad),
            Err(Error::NotCanonical {
                what: "signature scalar S"
            })
        );
        // R off the curve.
        let mut bad = sig;
        bad[63] ^= 1;
        assert!(matches!(
            Signature::decode(&bad),
            Err(Error::InvalidPoint { .. })
        ));
        assert!(matches!(
            Signature::decode(&sig[..95]),
            Err(Error::Length { .. })
        ));
        // The identity (0, 1) is on the curve but of small order.
        let mut identity = [0u8; 64];
        identity[63] = 1;
        assert!(matches!(
            PublicKey::decode(&identity),
            Err(Error::InvalidPoint { .. })
        ));
    }
}
