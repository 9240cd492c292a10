//! Groth16 verification over BLS12-381 through a [`PairingBackend`]: the chain's host
//! functions in the contract (`deps.api.bls12_381_*`), arkworks ([`ArkBackend`]) in tools,
//! tests and the browser. The verifier itself does no curve arithmetic: it checks byte
//! forms, lays out points and asks the backend two questions.
//!
//! # The equation, rearranged for the host
//!
//! A proof `(A, B, C)` for public inputs `x_1..x_n` is valid when
//!
//! ```text
//! e(A, B) = e(α, β) · e(vk_x, γ) · e(C, δ)        vk_x = IC_0 + x_1·IC_1 + ... + x_n·IC_n
//! ```
//!
//! The chain's `bls12_381_pairing_equality(ps, qs, r, s)` answers
//! `∏ e(ps[i], qs[i]) == e(r, s)`, so the equation is asked exactly as written, with
//! `ps = [α, vk_x, C]`, `qs = [β, γ, δ]`, `r = A`, `s = B`: one host call with four pairs
//! and no negation (arkworks' verifier negates `γ` and `δ` instead and compares with a
//! precomputed `e(α, β)`; it is the same check). `e(α, β)` cannot be precomputed here: the
//! host takes no target-group input.
//!
//! # `vk_x`: one scalar multiplication in wasm, with the endomorphism
//!
//! CosmWasm has no scalar-multiplication host function, so `x_i·IC_i` runs in wasm
//! (arkworks; BLS12-381's G1 multiplication uses the GLV endomorphism, two half-length
//! scalars). Measured in cosmwasm-vm 3.0.10 with a 255-bit scalar: about 5,400 SDK gas
//! (756M CosmWasm gas), against about 13,100 for plain double-and-add.
//!
//! The other way, adding precomputed doublings `2^j·IC_i` with the host's cheap
//! `bls12_381_aggregate_g1`, avoids the multiplication but not its cost: the contract must
//! read the 255-point table (12,240 bytes, ~37,700 SDK gas at 3 gas per byte read) and the
//! host sums about 128 points (~11,500), nine times the multiplication.
//!
//! So [`prepare`] checks the key through the backend (the host decodes every point: on the
//! curve, in the subgroup), decompresses the `IC` points once, and the contract stores them
//! uncompressed in the [`PreparedKey`] (96 bytes each, read back without a square root);
//! [`public_input_point`] multiplies and adds them and compresses `vk_x` for the pairing
//! call.
//!
//! # Points on the wire
//!
//! Every point is arkworks' compressed form, which is the zcash one the host functions parse
//! ([`G1`]: 48 bytes, [`G2`]: 96 bytes, `x.c1 || x.c0` for G2): the top three bits of the
//! first byte are the flags (compressed `0x80`, identity `0x40`, larger `y` `0x20`), the rest
//! is `x` big endian. The verifier checks the byte form (flags, `x` below the modulus,
//! identity) itself and leaves "on the curve and in the subgroup" to the backend.
//!
//! - [`Proof`]: `A || B || C`, 192 bytes ([`PROOF_LEN`]); none of them may be the identity.
//! - [`VerifyingKey`]: `α || β || γ || δ || count (4 bytes, big endian) || IC_0 .. IC_{count-1}`.
//! - [`PreparedKey`]: the key's encoding, then `IC_0 .. IC_{count-1}` uncompressed
//!   (`x || y` big-endian, 96 bytes each, the identity as zeros).

use alloc::format;
use alloc::vec::Vec;

use ark_bls12_381::{Bls12_381, Fq, G1Affine, G1Projective, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInteger, BigInteger384, PrimeField, Zero};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

use super::field::{fr_from_bytes, Fr};
use crate::error::Error;

/// Bytes of a compressed G1 point.
pub const G1_LEN: usize = 48;
/// Bytes of a compressed G2 point.
pub const G2_LEN: usize = 96;
/// Bytes of a proof: `A (G1) || B (G2) || C (G1)`.
pub const PROOF_LEN: usize = G1_LEN + G2_LEN + G1_LEN;
/// At most this many `IC` points in a key (so at most 63 public inputs).
pub const MAX_IC_POINTS: usize = 64;
/// Bytes of a verifying key before its `IC` points: `α, β, γ, δ` and the count.
pub const VERIFYING_KEY_FIXED_LEN: usize = G1_LEN + 3 * G2_LEN + 4;

/// A compressed G1 point (zcash flag format), as the host functions take it.
pub type G1 = [u8; G1_LEN];
/// A compressed G2 point (zcash flag format, `x.c1 || x.c0`), as the host functions take it.
pub type G2 = [u8; G2_LEN];

const FLAG_COMPRESSED: u8 = 0x80;
const FLAG_INFINITY: u8 = 0x40;
const FLAG_LARGEST: u8 = 0x20;
const FLAGS: u8 = FLAG_COMPRESSED | FLAG_INFINITY | FLAG_LARGEST;

/// The identity of G1 in compressed form.
pub const G1_IDENTITY: G1 = identity::<G1_LEN>();
/// The identity of G2 in compressed form.
pub const G2_IDENTITY: G2 = identity::<G2_LEN>();

const fn identity<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    out[0] = FLAG_COMPRESSED | FLAG_INFINITY;
    out
}

const NOT_IN_GROUP: &str = "not on the curve or not in the prime-order subgroup";
const IS_IDENTITY: &str = "it is the identity (the point at infinity)";

/// The pairing operations the verifier needs, with the semantics of CosmWasm's host
/// functions. The contract implements it over `deps.api`, [`ArkBackend`] over arkworks.
pub trait PairingBackend {
    /// Sum of concatenated compressed G1 points (each must be on the curve and in the
    /// subgroup; the identity is allowed). Mirrors `deps.api.bls12_381_aggregate_g1`: an
    /// empty list or a length that is not a multiple of 48 is an error.
    fn g1_sum(&self, points: &[u8]) -> Result<G1, Error>;

    /// Whether `p` is on the curve and in the subgroup (the identity is).
    fn g1_valid(&self, p: &G1) -> bool;

    /// Whether `p` is on the curve and in the subgroup (the identity is).
    fn g2_valid(&self, p: &G2) -> bool;

    /// `∏ e(ps[i], qs[i]) == e(r, s)` over concatenated compressed points. Mirrors
    /// `deps.api.bls12_381_pairing_equality`: an invalid point, or `ps` and `qs` of
    /// different counts, is an error.
    fn pairing_equality(&self, ps: &[u8], qs: &[u8], r: &G1, s: &G2) -> Result<bool, Error>;
}

/// Whether a compressed point is the identity, after checking its byte form: the
/// compression flag set, no sort flag on the identity, the identity's other bits zero, and
/// every `x` coordinate (one for G1, two for G2) below the base field modulus.
fn point_form(what: &'static str, bytes: &[u8]) -> Result<bool, Error> {
    let flags = bytes[0] & FLAGS;
    if flags & FLAG_COMPRESSED == 0 {
        return Err(Error::InvalidPoint {
            what,
            reason: "not in compressed form (flag 0x80 clear)",
        });
    }
    let mut first = [0u8; G1_LEN];
    first.copy_from_slice(&bytes[..G1_LEN]);
    first[0] &= !FLAGS;
    if flags & FLAG_INFINITY != 0 {
        if flags & FLAG_LARGEST != 0 || first.iter().chain(&bytes[G1_LEN..]).any(|b| *b != 0) {
            return Err(Error::InvalidPoint {
                what,
                reason: "malformed identity (flags 0xc0 and all other bits zero expected)",
            });
        }
        return Ok(true);
    }
    let below_modulus = |x: &[u8]| {
        let mut limbs = [0u64; 6];
        for (k, chunk) in x.chunks_exact(8).enumerate() {
            limbs[5 - k] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
        }
        BigInteger384::new(limbs) < Fq::MODULUS
    };
    if !below_modulus(&first) || !bytes[G1_LEN..].chunks_exact(G1_LEN).all(below_modulus) {
        return Err(Error::InvalidPoint {
            what,
            reason: "x coordinate not below the base field modulus",
        });
    }
    Ok(false)
}

/// [`point_form`], refusing the identity.
fn non_identity_form(what: &'static str, bytes: &[u8]) -> Result<(), Error> {
    if point_form(what, bytes)? {
        return Err(Error::InvalidPoint {
            what,
            reason: IS_IDENTITY,
        });
    }
    Ok(())
}

/// A Groth16 verifying key with compressed points. `ic` has one point per public input
/// plus `IC_0`, the constant term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    pub alpha_g1: G1,
    pub beta_g2: G2,
    pub gamma_g2: G2,
    pub delta_g2: G2,
    pub ic: Vec<G1>,
}

impl VerifyingKey {
    /// The number of public inputs a proof under this key takes (`ic.len() - 1`).
    pub fn public_inputs(&self) -> usize {
        self.ic.len().saturating_sub(1)
    }

    /// Bytes of [`VerifyingKey::encode`]'s output.
    pub fn encoded_len(&self) -> usize {
        VERIFYING_KEY_FIXED_LEN + G1_LEN * self.ic.len()
    }

    /// `α || β || γ || δ || count (u32 big endian) || IC_0 .. IC_{count-1}`.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.extend_from_slice(&self.alpha_g1);
        out.extend_from_slice(&self.beta_g2);
        out.extend_from_slice(&self.gamma_g2);
        out.extend_from_slice(&self.delta_g2);
        out.extend_from_slice(&(self.ic.len() as u32).to_be_bytes());
        for p in &self.ic {
            out.extend_from_slice(p);
        }
        out
    }

    /// Decodes [`VerifyingKey::encode`]'s form strictly: the exact length for its count,
    /// a count of 1 to [`MAX_IC_POINTS`], every point in well-formed compressed form and
    /// `α, β, γ, δ` not the identity. Curve and subgroup membership is
    /// [`VerifyingKey::check`]'s job (it needs a backend).
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let (vk, len) = Self::decode_prefix("verifying key", bytes)?;
        if len != bytes.len() {
            return Err(Error::Length {
                what: "verifying key",
                expected: len,
                got: bytes.len(),
            });
        }
        Ok(vk)
    }

    /// Decodes a key at the start of `bytes`; returns it and its length.
    fn decode_prefix(what: &'static str, bytes: &[u8]) -> Result<(Self, usize), Error> {
        if bytes.len() < VERIFYING_KEY_FIXED_LEN {
            return Err(Error::Length {
                what,
                expected: VERIFYING_KEY_FIXED_LEN + G1_LEN,
                got: bytes.len(),
            });
        }
        let count_at = VERIFYING_KEY_FIXED_LEN - 4;
        let count = u32::from_be_bytes(
            bytes[count_at..VERIFYING_KEY_FIXED_LEN]
                .try_into()
                .expect("4 bytes"),
        ) as usize;
        if count == 0 || count > MAX_IC_POINTS {
            return Err(Error::malformed(
                what,
                format!("{count} ic points, expected 1 to {MAX_IC_POINTS}"),
            ));
        }
        let len = VERIFYING_KEY_FIXED_LEN + G1_LEN * count;
        if bytes.len() < len {
            return Err(Error::Length {
                what,
                expected: len,
                got: bytes.len(),
            });
        }
        let g1 = |at: usize| -> G1 { bytes[at..at + G1_LEN].try_into().expect("48 bytes") };
        let g2 = |at: usize| -> G2 { bytes[at..at + G2_LEN].try_into().expect("96 bytes") };
        let vk = VerifyingKey {
            alpha_g1: g1(0),
            beta_g2: g2(G1_LEN),
            gamma_g2: g2(G1_LEN + G2_LEN),
            delta_g2: g2(G1_LEN + 2 * G2_LEN),
            ic: (0..count)
                .map(|i| g1(VERIFYING_KEY_FIXED_LEN + i * G1_LEN))
                .collect(),
        };
        vk.check_form()?;
        Ok((vk, len))
    }

    /// The byte-level checks: count bound, well-formed points, `α, β, γ, δ` not the identity.
    fn check_form(&self) -> Result<(), Error> {
        if self.ic.is_empty() || self.ic.len() > MAX_IC_POINTS {
            return Err(Error::malformed(
                "verifying key",
                format!("{} ic points, expected 1 to {MAX_IC_POINTS}", self.ic.len()),
            ));
        }
        non_identity_form("verifying key alpha_g1", &self.alpha_g1)?;
        non_identity_form("verifying key beta_g2", &self.beta_g2)?;
        non_identity_form("verifying key gamma_g2", &self.gamma_g2)?;
        non_identity_form("verifying key delta_g2", &self.delta_g2)?;
        for p in &self.ic {
            point_form("verifying key ic point", p)?;
        }
        Ok(())
    }

    /// Checks the key: the byte forms and count of [`VerifyingKey::decode`], and every point
    /// on the curve and in the subgroup according to `backend` (one question per point).
    pub fn check<B: PairingBackend + ?Sized>(&self, backend: &B) -> Result<(), Error> {
        self.check_form()?;
        let g1s = [("verifying key alpha_g1", &self.alpha_g1)];
        let g2s = [
            ("verifying key beta_g2", &self.beta_g2),
            ("verifying key gamma_g2", &self.gamma_g2),
            ("verifying key delta_g2", &self.delta_g2),
        ];
        let ics = self.ic.iter().map(|p| ("verifying key ic point", p));
        for (what, p) in g1s.into_iter().chain(ics) {
            if !backend.g1_valid(p) {
                return Err(Error::InvalidPoint {
                    what,
                    reason: NOT_IN_GROUP,
                });
            }
        }
        for (what, p) in g2s {
            if !backend.g2_valid(p) {
                return Err(Error::InvalidPoint {
                    what,
                    reason: NOT_IN_GROUP,
                });
            }
        }
        Ok(())
    }
}

/// A Groth16 proof with compressed points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proof {
    pub a: G1,
    pub b: G2,
    pub c: G1,
}

impl Proof {
    /// `A || B || C` ([`PROOF_LEN`] bytes).
    pub fn encode(&self) -> [u8; PROOF_LEN] {
        let mut out = [0u8; PROOF_LEN];
        out[..G1_LEN].copy_from_slice(&self.a);
        out[G1_LEN..G1_LEN + G2_LEN].copy_from_slice(&self.b);
        out[G1_LEN + G2_LEN..].copy_from_slice(&self.c);
        out
    }

    /// Decodes `A || B || C` strictly: exactly [`PROOF_LEN`] bytes, each point in
    /// well-formed compressed form and none of them the identity. Curve and subgroup
    /// membership is the backend's to check (during [`verify`]).
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() != PROOF_LEN {
            return Err(Error::Length {
                what: "groth16 proof",
                expected: PROOF_LEN,
                got: bytes.len(),
            });
        }
        let proof = Proof {
            a: bytes[..G1_LEN].try_into().expect("48 bytes"),
            b: bytes[G1_LEN..G1_LEN + G2_LEN].try_into().expect("96 bytes"),
            c: bytes[G1_LEN + G2_LEN..].try_into().expect("48 bytes"),
        };
        proof.check_form()?;
        Ok(proof)
    }

    /// [`Proof::decode`]'s byte-level checks on a proof built field by field.
    pub fn check_form(&self) -> Result<(), Error> {
        non_identity_form("proof point a", &self.a)?;
        non_identity_form("proof point b", &self.b)?;
        non_identity_form("proof point c", &self.c)
    }
}

/// A verifying key checked by [`prepare`], with its `IC` points decompressed for
/// [`public_input_point`]. The contract stores it with [`PreparedKey::encode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedKey {
    pub vk: VerifyingKey,
    /// `vk.ic`, decompressed.
    pub ic: Vec<G1Affine>,
}

/// Bytes of an uncompressed G1 point (`x || y`).
pub const G1_UNCOMPRESSED_LEN: usize = 2 * G1_LEN;

impl PreparedKey {
    /// The number of public inputs a proof under this key takes.
    pub fn public_inputs(&self) -> usize {
        self.vk.public_inputs()
    }

    /// Bytes of [`PreparedKey::encode`]'s output.
    pub fn encoded_len(&self) -> usize {
        self.vk.encoded_len() + self.ic.len() * G1_UNCOMPRESSED_LEN
    }

    /// The key's [`VerifyingKey::encode`], then every `IC` point uncompressed.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.extend_from_slice(&self.vk.encode());
        for p in &self.ic {
            out.extend_from_slice(&g1_coordinates(p));
        }
        out
    }

    /// Decodes [`PreparedKey::encode`]'s form: the key as [`VerifyingKey::decode`] does,
    /// then one uncompressed point (`x || y` big-endian, the identity as zeros) per `IC` entry,
    /// on the curve and equal to the key's
    /// compressed one. Subgroup membership is not re-examined: this reads back what
    /// [`prepare`] checked and the contract stored.
    pub fn decode(bytes: &[u8]) -> Result<Self, Error> {
        let (vk, at) = VerifyingKey::decode_prefix("prepared key", bytes)?;
        let expected = at + vk.ic.len() * G1_UNCOMPRESSED_LEN;
        if bytes.len() != expected {
            return Err(Error::Length {
                what: "prepared key",
                expected,
                got: bytes.len(),
            });
        }
        let ic = bytes[at..]
            .chunks_exact(G1_UNCOMPRESSED_LEN)
            .zip(&vk.ic)
            .map(|(raw, compressed)| {
                let p = g1_from_coordinates(raw)
                    .filter(|p| g1_from_ark(p) == *compressed)
                    .ok_or_else(|| {
                        Error::malformed(
                            "prepared key",
                            alloc::string::String::from("an IC point differs from the key's"),
                        )
                    })?;
                Ok(p)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(PreparedKey { vk, ic })
    }
}

/// The checks a verifying key must pass before it may guard a circuit with
/// `public_inputs` public inputs (the validity rollup's batch circuit has one), on top of
/// [`VerifyingKey::check`]'s byte forms and group membership:
///
/// - exactly `public_inputs + 1` `IC` points: a key with more or fewer is for another
///   circuit;
/// - no point is the identity (`α, β, γ, δ` and every `IC_i`): an identity `IC_i` drops
///   the input `x_i` from the equation, an identity `α` or `β` drops `e(α, β)`;
/// - `β, γ, δ` pairwise distinct: with `γ = δ` (or `β = γ`, `β = δ`) two terms of the
///   equation share a G2 point and merge, and a prover moves value between their G1
///   points at will: with `β = γ = δ`, `A = α + vk_x + C` and `B = β` prove every
///   statement.
///
/// No check on the key's points can tell whether its toxic waste is known: these refuse
/// only the keys that are broken whoever made them. The contract (instantiate and key
/// proposals), the browser package and the tools all call this one function.
pub fn check_circuit_key(vk: &VerifyingKey, public_inputs: usize) -> Result<(), Error> {
    vk.check_form()?;
    if vk.ic.len() != public_inputs + 1 {
        return Err(Error::DegenerateKey {
            reason: format!(
                "the circuit has {public_inputs} public input(s), so {} ic points, the key has {}",
                public_inputs + 1,
                vk.ic.len()
            ),
        });
    }
    for (i, p) in vk.ic.iter().enumerate() {
        if *p == G1_IDENTITY {
            return Err(Error::DegenerateKey {
                reason: format!("ic point {i} is the identity"),
            });
        }
    }
    let pairs = [
        ("beta", &vk.beta_g2, "gamma", &vk.gamma_g2),
        ("beta", &vk.beta_g2, "delta", &vk.delta_g2),
        ("gamma", &vk.gamma_g2, "delta", &vk.delta_g2),
    ];
    for (a, p, b, q) in pairs {
        if p == q {
            return Err(Error::DegenerateKey {
                reason: format!("{a}_g2 equals {b}_g2"),
            });
        }
    }
    Ok(())
}

/// [`check_circuit_key`] for a circuit with `public_inputs` inputs, then [`prepare`]: what
/// a key must pass to be stored by the contract.
pub fn prepare_circuit_key<B: PairingBackend + ?Sized>(
    vk: VerifyingKey,
    public_inputs: usize,
    backend: &B,
) -> Result<PreparedKey, Error> {
    check_circuit_key(&vk, public_inputs)?;
    prepare(vk, backend)
}

/// Checks `vk` ([`VerifyingKey::check`]: every point through the backend) and decompresses
/// its `IC` points.
pub fn prepare<B: PairingBackend + ?Sized>(
    vk: VerifyingKey,
    backend: &B,
) -> Result<PreparedKey, Error> {
    vk.check(backend)?;
    let ic = vk
        .ic
        .iter()
        .map(|p| {
            // The backend has just found the point valid: only the square root is left.
            g1_decompress(p).ok_or(Error::InvalidPoint {
                what: "verifying key ic",
                reason: NOT_IN_GROUP,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(PreparedKey { vk, ic })
}

/// A base-field element from 48 big-endian bytes, `None` at or above the modulus.
fn fq_from_be(bytes: &[u8]) -> Option<Fq> {
    let mut limbs = [0u64; 6];
    for (i, chunk) in bytes.rchunks_exact(8).enumerate() {
        limbs[i] = u64::from_be_bytes(chunk.try_into().expect("8 bytes"));
    }
    Fq::from_bigint(BigInteger384::new(limbs))
}

/// The point `x || y` (96 bytes, big-endian coordinates) if it is on the curve. Used
/// instead of arkworks' deserializers in the contract: their field reader has 106 wasm
/// locals, more than a chain's upload check allows (100) unless wasm-opt coalesces them.
/// The identity is all zeros (it has no affine coordinates; `(0, 0)` is not on the curve).
fn g1_from_coordinates(raw: &[u8]) -> Option<G1Affine> {
    if raw.iter().all(|b| *b == 0) {
        return Some(G1Affine::identity());
    }
    let p = G1Affine::new_unchecked(fq_from_be(&raw[..G1_LEN])?, fq_from_be(&raw[G1_LEN..])?);
    p.is_on_curve().then_some(p)
}

/// [`g1_from_coordinates`]' form of a point.
fn g1_coordinates(p: &G1Affine) -> [u8; G1_UNCOMPRESSED_LEN] {
    let mut out = [0u8; G1_UNCOMPRESSED_LEN];
    if let Some((x, y)) = p.xy() {
        out[..G1_LEN].copy_from_slice(&x.into_bigint().to_bytes_be());
        out[G1_LEN..].copy_from_slice(&y.into_bigint().to_bytes_be());
    }
    out
}

/// Decompresses a G1 point whose validity the backend has established (the identity
/// included), by its flags and `x`, without arkworks' deserializer (see
/// [`g1_from_coordinates`]).
fn g1_decompress(p: &G1) -> Option<G1Affine> {
    if p[0] & FLAG_INFINITY != 0 {
        return Some(G1Affine::identity());
    }
    let mut x = *p;
    x[0] &= !(FLAG_COMPRESSED | FLAG_INFINITY | FLAG_LARGEST);
    G1Affine::get_point_from_x_unchecked(fq_from_be(&x)?, p[0] & FLAG_LARGEST != 0)
}

/// `vk_x = IC_0 + Σ x_i·IC_i` (compressed): one GLV multiplication per non-zero input.
pub fn public_input_point(key: &PreparedKey, inputs: &[Fr]) -> Result<G1, Error> {
    let expected = key.public_inputs();
    if inputs.len() != expected || key.ic.len() != expected + 1 {
        return Err(Error::PublicInputCount {
            expected,
            got: inputs.len(),
        });
    }
    let mut acc: G1Projective = key.ic[0].into();
    for (x, p) in inputs.iter().zip(&key.ic[1..]) {
        if !x.is_zero() {
            acc += *p * *x;
        }
    }
    Ok(g1_from_ark(&acc.into_affine()))
}

/// Verifies `proof` for `inputs` under `key`: the proof's byte form, the input count
/// ([`Error::PublicInputCount`]), `vk_x` ([`public_input_point`]), then one
/// `backend.pairing_equality` asking `e(α, β)·e(vk_x, γ)·e(C, δ) == e(A, B)`.
///
/// A false equation is [`Error::ProofRejected`]. When the backend refuses a point, the
/// proof's points are examined (`g1_valid` / `g2_valid`, on this failure path only) so the
/// error names the culprit ([`Error::InvalidPoint`]); otherwise the backend's error is
/// returned as it is.
pub fn verify<B: PairingBackend + ?Sized>(
    key: &PreparedKey,
    proof: &Proof,
    inputs: &[Fr],
    backend: &B,
) -> Result<(), Error> {
    proof.check_form()?;
    let vk_x = public_input_point(key, inputs)?;
    let vk = &key.vk;
    let mut ps = [0u8; 3 * G1_LEN];
    ps[..G1_LEN].copy_from_slice(&vk.alpha_g1);
    ps[G1_LEN..2 * G1_LEN].copy_from_slice(&vk_x);
    ps[2 * G1_LEN..].copy_from_slice(&proof.c);
    let mut qs = [0u8; 3 * G2_LEN];
    qs[..G2_LEN].copy_from_slice(&vk.beta_g2);
    qs[G2_LEN..2 * G2_LEN].copy_from_slice(&vk.gamma_g2);
    qs[2 * G2_LEN..].copy_from_slice(&vk.delta_g2);
    match backend.pairing_equality(&ps, &qs, &proof.a, &proof.b) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::ProofRejected),
        Err(e) => {
            let culprit = if !backend.g1_valid(&proof.a) {
                Some("proof point a")
            } else if !backend.g2_valid(&proof.b) {
                Some("proof point b")
            } else if !backend.g1_valid(&proof.c) {
                Some("proof point c")
            } else {
                None
            };
            Err(match culprit {
                Some(what) => Error::InvalidPoint {
                    what,
                    reason: NOT_IN_GROUP,
                },
                None => e,
            })
        }
    }
}

/// [`verify`] from wire bytes, in the order every verifier of the suite follows (the
/// contract's `verify_proof` query, the npm package's `verifyGroth16`, the parity
/// vectors): the proof ([`Proof::decode`]), each public input as a canonical 32-byte
/// field element ([`Error::NotCanonical`] at or above the modulus), then [`verify`].
pub fn verify_encoded<B: PairingBackend + ?Sized, X: AsRef<[u8]>>(
    key: &PreparedKey,
    proof: &[u8],
    inputs: &[X],
    backend: &B,
) -> Result<(), Error> {
    let proof = Proof::decode(proof)?;
    let inputs = inputs
        .iter()
        .map(|x| fr_from_bytes("public input", x.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;
    verify(key, &proof, &inputs, backend)
}

/// Compressed form of an arkworks G1 point.
pub fn g1_from_ark(p: &G1Affine) -> G1 {
    let mut out = [0u8; G1_LEN];
    p.serialize_compressed(&mut out[..])
        .expect("a G1 point compresses to 48 bytes");
    out
}

/// Compressed form of an arkworks G2 point.
pub fn g2_from_ark(p: &G2Affine) -> G2 {
    let mut out = [0u8; G2_LEN];
    p.serialize_compressed(&mut out[..])
        .expect("a G2 point compresses to 96 bytes");
    out
}

/// Decompresses a G1 point, checking that it is on the curve and in the subgroup.
pub fn g1_to_ark(what: &'static str, p: &G1) -> Result<G1Affine, Error> {
    point_form(what, p)?;
    G1Affine::deserialize_compressed(&p[..]).map_err(|_| Error::InvalidPoint {
        what,
        reason: NOT_IN_GROUP,
    })
}

/// Decompresses a G2 point, checking that it is on the curve and in the subgroup.
pub fn g2_to_ark(what: &'static str, p: &G2) -> Result<G2Affine, Error> {
    point_form(what, p)?;
    G2Affine::deserialize_compressed(&p[..]).map_err(|_| Error::InvalidPoint {
        what,
        reason: NOT_IN_GROUP,
    })
}

/// The native [`PairingBackend`]: arkworks' BLS12-381, with the host functions' semantics
/// (the same compressed encoding, the same refusals). For tools, tests and the browser.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArkBackend;

/// Splits concatenated compressed points of `N` bytes each.
fn chunks<const N: usize>(what: &'static str, bytes: &[u8]) -> Result<Vec<[u8; N]>, Error> {
    if !bytes.len().is_multiple_of(N) {
        return Err(Error::malformed(
            what,
            format!(
                "{} bytes is not a whole number of {N}-byte points",
                bytes.len()
            ),
        ));
    }
    Ok(bytes
        .chunks_exact(N)
        .map(|p| p.try_into().expect("N bytes"))
        .collect())
}

impl PairingBackend for ArkBackend {
    fn g1_sum(&self, points: &[u8]) -> Result<G1, Error> {
        let points = chunks::<G1_LEN>("g1 points to sum", points)?;
        if points.is_empty() {
            return Err(Error::malformed("g1 points to sum", "no points"));
        }
        let mut sum = G1Projective::default();
        for p in &points {
            sum += g1_to_ark("g1 point to sum", p)?;
        }
        Ok(g1_from_ark(&sum.into_affine()))
    }

    fn g1_valid(&self, p: &G1) -> bool {
        G1Affine::deserialize_compressed(&p[..]).is_ok()
    }

    fn g2_valid(&self, p: &G2) -> bool {
        G2Affine::deserialize_compressed(&p[..]).is_ok()
    }

    fn pairing_equality(&self, ps: &[u8], qs: &[u8], r: &G1, s: &G2) -> Result<bool, Error> {
        let ps = chunks::<G1_LEN>("pairing g1 points", ps)?;
        let qs = chunks::<G2_LEN>("pairing g2 points", qs)?;
        if ps.len() != qs.len() {
            return Err(Error::malformed(
                "pairing points",
                format!("{} g1 points and {} g2 points", ps.len(), qs.len()),
            ));
        }
        let mut left = Vec::with_capacity(ps.len() + 1);
        let mut right = Vec::with_capacity(qs.len() + 1);
        for (p, q) in ps.iter().zip(&qs) {
            left.push(g1_to_ark("pairing g1 point", p)?);
            right.push(g2_to_ark("pairing g2 point", q)?);
        }
        left.push(-g1_to_ark("pairing g1 point", r)?);
        right.push(g2_to_ark("pairing g2 point", s)?);
        Ok(Bls12_381::multi_pairing(left, right).is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bls12_381::Fr as ArkFr;
    use ark_ec::{AffineRepr, PrimeGroup};
    use ark_ff::{AdditiveGroup, One, UniformRand};
    use ark_groth16::Groth16;
    use ark_relations::lc;
    use ark_relations::r1cs::{
        ConstraintSynthesizer, ConstraintSystemRef, SynthesisError, Variable,
    };
    use ark_snark::SNARK;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    /// `out = x^3 + x + 5` with `x` private and `out` public (the "cubic" example of the
    /// Groth16 literature): one public input.
    #[derive(Clone)]
    struct Cubic {
        x: Option<ArkFr>,
    }

    impl ConstraintSynthesizer<ArkFr> for Cubic {
        fn generate_constraints(
            self,
            cs: ConstraintSystemRef<ArkFr>,
        ) -> Result<(), SynthesisError> {
            let x_val = self.x;
            let sq_val = x_val.map(|x| x * x);
            let cube_val = sq_val.zip(x_val).map(|(s, x)| s * x);
            let out_val = cube_val.zip(x_val).map(|(c, x)| c + x + ArkFr::from(5u64));
            let x = cs.new_witness_variable(|| x_val.ok_or(SynthesisError::AssignmentMissing))?;
            let sq = cs.new_witness_variable(|| sq_val.ok_or(SynthesisError::AssignmentMissing))?;
            let cube =
                cs.new_witness_variable(|| cube_val.ok_or(SynthesisError::AssignmentMissing))?;
            let out = cs.new_input_variable(|| out_val.ok_or(SynthesisError::AssignmentMissing))?;
            cs.enforce_constraint(lc!() + x, lc!() + x, lc!() + sq)?;
            cs.enforce_constraint(lc!() + sq, lc!() + x, lc!() + cube)?;
            let five = ArkFr::from(5u64);
            cs.enforce_constraint(
                lc!() + cube + x + (five, Variable::One),
                lc!() + (ArkFr::one(), Variable::One),
                lc!() + out,
            )?;
            Ok(())
        }
    }

    /// Two public inputs with no constraint tying them (`a·b = c` over private witnesses
    /// besides), to exercise several tables and a zero input.
    #[derive(Clone)]
    struct TwoInputs {
        a: Option<ArkFr>,
        b: Option<ArkFr>,
    }

    impl ConstraintSynthesizer<ArkFr> for TwoInputs {
        fn generate_constraints(
            self,
            cs: ConstraintSystemRef<ArkFr>,
        ) -> Result<(), SynthesisError> {
            let a = cs.new_input_variable(|| self.a.ok_or(SynthesisError::AssignmentMissing))?;
            let b = cs.new_input_variable(|| self.b.ok_or(SynthesisError::AssignmentMissing))?;
            let ab_val = self.a.zip(self.b).map(|(a, b)| a * b);
            let ab = cs.new_witness_variable(|| ab_val.ok_or(SynthesisError::AssignmentMissing))?;
            cs.enforce_constraint(lc!() + a, lc!() + b, lc!() + ab)?;
            Ok(())
        }
    }

    fn our_vk(vk: &ark_groth16::VerifyingKey<Bls12_381>) -> VerifyingKey {
        VerifyingKey {
            alpha_g1: g1_from_ark(&vk.alpha_g1),
            beta_g2: g2_from_ark(&vk.beta_g2),
            gamma_g2: g2_from_ark(&vk.gamma_g2),
            delta_g2: g2_from_ark(&vk.delta_g2),
            ic: vk.gamma_abc_g1.iter().map(g1_from_ark).collect(),
        }
    }

    fn our_proof(proof: &ark_groth16::Proof<Bls12_381>) -> Proof {
        Proof {
            a: g1_from_ark(&proof.a),
            b: g2_from_ark(&proof.b),
            c: g1_from_ark(&proof.c),
        }
    }

    #[test]
    fn encodings_are_the_zcash_ones_the_host_parses() {
        // The generators' compressed forms as cosmwasm-core's BLS12_381_G1_GENERATOR and
        // BLS12_381_G2_GENERATOR give them (zcash serialization, x.c1 before x.c0).
        let g1 = hex::decode(
            "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb",
        )
        .unwrap();
        let g2 = hex::decode(
            "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8",
        )
        .unwrap();
        assert_eq!(g1_from_ark(&G1Affine::generator())[..], g1[..]);
        assert_eq!(g2_from_ark(&G2Affine::generator())[..], g2[..]);
        assert_eq!(g1_from_ark(&G1Affine::zero()), G1_IDENTITY);
        assert_eq!(g2_from_ark(&G2Affine::zero()), G2_IDENTITY);
    }

    #[test]
    fn ark_groth16_proofs_verify_through_the_prepared_key() {
        let mut rng = StdRng::seed_from_u64(1);
        let (pk, vk) =
            Groth16::<Bls12_381>::circuit_specific_setup(Cubic { x: None }, &mut rng).unwrap();
        let key = prepare(our_vk(&vk), &ArkBackend).unwrap();
        assert_eq!(key.public_inputs(), 1);
        assert_eq!(PreparedKey::decode(&key.encode()).unwrap(), key);
        assert_eq!(VerifyingKey::decode(&key.vk.encode()).unwrap(), key.vk);
        let pvk = Groth16::<Bls12_381>::process_vk(&vk).unwrap();

        for x in [ArkFr::from(3u64), ArkFr::rand(&mut rng), -ArkFr::one()] {
            let out = x * x * x + x + ArkFr::from(5u64);
            let proof = Groth16::<Bls12_381>::prove(&pk, Cubic { x: Some(x) }, &mut rng).unwrap();
            assert!(Groth16::<Bls12_381>::verify_with_processed_vk(&pvk, &[out], &proof).unwrap());

            // vk_x is arkworks' own prepare_inputs.
            let ark_vk_x = Groth16::<Bls12_381>::prepare_inputs(&pvk, &[out]).unwrap();
            assert_eq!(
                public_input_point(&key, &[out]).unwrap(),
                g1_from_ark(&ark_vk_x.into_affine())
            );

            let ours = our_proof(&proof);
            assert_eq!(Proof::decode(&ours.encode()).unwrap(), ours);
            verify(&key, &ours, &[out], &ArkBackend).unwrap();
            assert_eq!(
                verify(&key, &ours, &[out + ArkFr::one()], &ArkBackend),
                Err(Error::ProofRejected)
            );
            assert_eq!(
                verify(&key, &ours, &[], &ArkBackend),
                Err(Error::PublicInputCount {
                    expected: 1,
                    got: 0
                })
            );
            assert_eq!(
                verify(&key, &ours, &[out, out], &ArkBackend),
                Err(Error::PublicInputCount {
                    expected: 1,
                    got: 2
                })
            );
            // -A with -B is the same pairing: still valid. -A alone is not.
            let neg = Proof {
                a: g1_from_ark(&-proof.a),
                b: g2_from_ark(&-proof.b),
                c: ours.c,
            };
            verify(&key, &neg, &[out], &ArkBackend).unwrap();
            let neg_a = Proof { b: ours.b, ..neg };
            assert_eq!(
                verify(&key, &neg_a, &[out], &ArkBackend),
                Err(Error::ProofRejected)
            );
        }
    }

    #[test]
    fn zero_and_several_inputs() {
        let mut rng = StdRng::seed_from_u64(2);
        let (pk, vk) =
            Groth16::<Bls12_381>::circuit_specific_setup(TwoInputs { a: None, b: None }, &mut rng)
                .unwrap();
        let key = prepare(our_vk(&vk), &ArkBackend).unwrap();
        assert_eq!(key.ic.len(), 3);
        assert_eq!(PreparedKey::decode(&key.encode()).unwrap(), key);
        let pvk = Groth16::<Bls12_381>::process_vk(&vk).unwrap();
        let cases = [
            (ArkFr::zero(), ArkFr::zero()),
            (ArkFr::zero(), ArkFr::rand(&mut rng)),
            (ArkFr::rand(&mut rng), ArkFr::one()),
            (-ArkFr::one(), -ArkFr::one()),
        ];
        for (a, b) in cases {
            let proof = Groth16::<Bls12_381>::prove(
                &pk,
                TwoInputs {
                    a: Some(a),
                    b: Some(b),
                },
                &mut rng,
            )
            .unwrap();
            let ark_vk_x = Groth16::<Bls12_381>::prepare_inputs(&pvk, &[a, b]).unwrap();
            assert_eq!(
                public_input_point(&key, &[a, b]).unwrap(),
                g1_from_ark(&ark_vk_x.into_affine())
            );
            verify(&key, &our_proof(&proof), &[a, b], &ArkBackend).unwrap();
            assert_eq!(
                verify(
                    &key,
                    &our_proof(&proof),
                    &[b + ArkFr::one(), a],
                    &ArkBackend
                ),
                Err(Error::ProofRejected)
            );
        }
        assert_eq!(
            public_input_point(&key, &[ArkFr::zero(), ArkFr::zero()]).unwrap(),
            key.vk.ic[0]
        );
    }

    #[test]
    fn public_input_point_multiplies_the_ic_points() {
        let g = G1Projective::generator();
        let vk = VerifyingKey {
            alpha_g1: g1_from_ark(&G1Affine::generator()),
            beta_g2: g2_from_ark(&G2Affine::generator()),
            gamma_g2: g2_from_ark(&G2Affine::generator()),
            delta_g2: g2_from_ark(&G2Affine::generator()),
            ic: alloc::vec![
                G1_IDENTITY,
                g1_from_ark(&(g * ArkFr::from(7u64)).into_affine())
            ],
        };
        let key = prepare(vk, &ArkBackend).unwrap();
        assert_eq!(key.ic[1], (g * ArkFr::from(7u64)).into_affine());
        // x = 5: IC_0 is the identity, so vk_x = 5·7·G.
        assert_eq!(
            public_input_point(&key, &[ArkFr::from(5u64)]).unwrap(),
            g1_from_ark(&(g * ArkFr::from(35u64)).into_affine())
        );
        // x = r - 1, the largest scalar.
        assert_eq!(
            public_input_point(&key, &[-ArkFr::one()]).unwrap(),
            g1_from_ark(&(g * -ArkFr::from(7u64)).into_affine())
        );
        // x = 0 leaves IC_0, here the identity.
        assert_eq!(
            public_input_point(&key, &[ArkFr::zero()]).unwrap(),
            G1_IDENTITY
        );
    }

    #[test]
    fn malformed_proofs_are_refused_with_typed_errors() {
        let a = g1_from_ark(&G1Affine::generator());
        let b = g2_from_ark(&G2Affine::generator());
        let good = Proof { a, b, c: a }.encode();
        assert!(Proof::decode(&good).is_ok());
        assert_eq!(
            Proof::decode(&good[..191]),
            Err(Error::Length {
                what: "groth16 proof",
                expected: 192,
                got: 191
            })
        );
        let mut long = good.to_vec();
        long.push(0);
        assert!(matches!(
            Proof::decode(&long),
            Err(Error::Length { got: 193, .. })
        ));

        let with = |at: usize, bytes: &[u8]| {
            let mut p = good;
            p[at..at + bytes.len()].copy_from_slice(bytes);
            Proof::decode(&p)
        };
        let identity = |what| Error::InvalidPoint {
            what,
            reason: IS_IDENTITY,
        };
        assert_eq!(with(0, &G1_IDENTITY), Err(identity("proof point a")));
        assert_eq!(with(G1_LEN, &G2_IDENTITY), Err(identity("proof point b")));
        assert_eq!(
            with(G1_LEN + G2_LEN, &G1_IDENTITY),
            Err(identity("proof point c"))
        );

        // Uncompressed flag, identity with stray bits or the sort flag, x >= p.
        let mut uncompressed = a;
        uncompressed[0] &= 0x7f;
        assert!(matches!(
            with(0, &uncompressed),
            Err(Error::InvalidPoint {
                what: "proof point a",
                ..
            })
        ));
        let mut stray = G1_IDENTITY;
        stray[47] = 1;
        assert!(matches!(
            with(0, &stray),
            Err(Error::InvalidPoint { what: "proof point a", reason }) if reason.contains("malformed identity")
        ));
        let mut sorted_identity = G2_IDENTITY;
        sorted_identity[0] |= FLAG_LARGEST;
        assert!(matches!(
            with(G1_LEN, &sorted_identity),
            Err(Error::InvalidPoint { what: "proof point b", reason }) if reason.contains("malformed identity")
        ));
        let mut big_x = [0xffu8; G1_LEN];
        big_x[0] = 0x9f;
        assert!(matches!(
            with(G1_LEN + G2_LEN, &big_x),
            Err(Error::InvalidPoint { what: "proof point c", reason }) if reason.contains("modulus")
        ));
        let mut big_c0 = b;
        big_c0[G1_LEN..].copy_from_slice(&[0xff; G1_LEN]);
        assert!(matches!(
            with(G1_LEN, &big_c0),
            Err(Error::InvalidPoint { what: "proof point b", reason }) if reason.contains("modulus")
        ));
        // A proof assembled by hand gets the same checks in verify.
        let key = prepare(
            VerifyingKey {
                alpha_g1: a,
                beta_g2: b,
                gamma_g2: b,
                delta_g2: b,
                ic: alloc::vec![a],
            },
            &ArkBackend,
        )
        .unwrap();
        assert_eq!(
            verify(
                &key,
                &Proof {
                    a: G1_IDENTITY,
                    b,
                    c: a
                },
                &[],
                &ArkBackend
            ),
            Err(identity("proof point a"))
        );
    }

    #[test]
    fn points_off_the_curve_or_the_subgroup_are_named() {
        let mut rng = StdRng::seed_from_u64(3);
        let (pk, vk) =
            Groth16::<Bls12_381>::circuit_specific_setup(Cubic { x: None }, &mut rng).unwrap();
        let key = prepare(our_vk(&vk), &ArkBackend).unwrap();
        let x = ArkFr::from(9u64);
        let out = x * x * x + x + ArkFr::from(5u64);
        let proof =
            our_proof(&Groth16::<Bls12_381>::prove(&pk, Cubic { x: Some(x) }, &mut rng).unwrap());

        // An x with no curve point, and a curve point outside the subgroup.
        let off_curve = (0u64..)
            .map(|i| {
                let mut p = [0u8; G1_LEN];
                p[0] = FLAG_COMPRESSED;
                p[40..].copy_from_slice(&i.to_be_bytes());
                p
            })
            .find(|p| G1Affine::deserialize_compressed_unchecked(&p[..]).is_err())
            .unwrap();
        let outside = (0u64..)
            .map(|i| {
                let mut p = [0u8; G1_LEN];
                p[0] = FLAG_COMPRESSED;
                p[40..].copy_from_slice(&i.to_be_bytes());
                p
            })
            .find(|p| G1Affine::deserialize_compressed_unchecked(&p[..]).is_ok())
            .unwrap();
        assert!(!ArkBackend.g1_valid(&outside));
        for bad in [off_curve, outside] {
            for (what, tampered) in [
                ("proof point a", Proof { a: bad, ..proof }),
                ("proof point c", Proof { c: bad, ..proof }),
            ] {
                assert_eq!(
                    verify(&key, &tampered, &[out], &ArkBackend),
                    Err(Error::InvalidPoint {
                        what,
                        reason: NOT_IN_GROUP
                    })
                );
            }
        }
        let mut bad_b = proof.b;
        bad_b[95] ^= 1;
        if !ArkBackend.g2_valid(&bad_b) {
            assert_eq!(
                verify(&key, &Proof { b: bad_b, ..proof }, &[out], &ArkBackend),
                Err(Error::InvalidPoint {
                    what: "proof point b",
                    reason: NOT_IN_GROUP
                })
            );
        }

        // A key with a bad point is refused by check/prepare.
        let mut bad_vk = our_vk(&vk);
        bad_vk.ic[1] = outside;
        assert_eq!(
            prepare(bad_vk, &ArkBackend),
            Err(Error::InvalidPoint {
                what: "verifying key ic point",
                reason: NOT_IN_GROUP
            })
        );
        let mut bad_vk = our_vk(&vk);
        bad_vk.delta_g2 = G2_IDENTITY;
        assert_eq!(
            bad_vk.check(&ArkBackend),
            Err(Error::InvalidPoint {
                what: "verifying key delta_g2",
                reason: IS_IDENTITY
            })
        );
        verify(&key, &proof, &[out], &ArkBackend).unwrap();
    }

    #[test]
    fn key_encodings_are_strict() {
        let a = g1_from_ark(&G1Affine::generator());
        let b = g2_from_ark(&G2Affine::generator());
        let vk = VerifyingKey {
            alpha_g1: a,
            beta_g2: b,
            gamma_g2: b,
            delta_g2: b,
            ic: alloc::vec![a, G1_IDENTITY],
        };
        let bytes = vk.encode();
        assert_eq!(bytes.len(), VERIFYING_KEY_FIXED_LEN + 2 * G1_LEN);
        assert_eq!(VerifyingKey::decode(&bytes).unwrap(), vk);
        assert_eq!(
            VerifyingKey::decode(&bytes[..bytes.len() - 1]),
            Err(Error::Length {
                what: "verifying key",
                expected: bytes.len(),
                got: bytes.len() - 1
            })
        );
        let mut longer = bytes.clone();
        longer.extend_from_slice(&a);
        assert!(matches!(
            VerifyingKey::decode(&longer),
            Err(Error::Length {
                what: "verifying key",
                ..
            })
        ));
        for count in [0u32, 65, u32::MAX] {
            let mut b = bytes.clone();
            b[VERIFYING_KEY_FIXED_LEN - 4..VERIFYING_KEY_FIXED_LEN]
                .copy_from_slice(&count.to_be_bytes());
            assert!(matches!(
                VerifyingKey::decode(&b),
                Err(Error::Malformed {
                    what: "verifying key",
                    ..
                })
            ));
        }
        let mut id_alpha = bytes.clone();
        id_alpha[..G1_LEN].copy_from_slice(&G1_IDENTITY);
        assert!(matches!(
            VerifyingKey::decode(&id_alpha),
            Err(Error::InvalidPoint {
                what: "verifying key alpha_g1",
                ..
            })
        ));

        let key = prepare(vk, &ArkBackend).unwrap();
        let enc = key.encode();
        assert_eq!(enc.len(), key.encoded_len());
        assert_eq!(enc.len(), bytes.len() + key.ic.len() * G1_UNCOMPRESSED_LEN);
        assert!(matches!(
            PreparedKey::decode(&enc[..enc.len() - G1_LEN]),
            Err(Error::Length {
                what: "prepared key",
                ..
            })
        ));
        // A stored point that is not the key's is noticed.
        let mut swapped = enc.clone();
        let last = swapped.len() - 1;
        swapped[last] ^= 1;
        assert!(matches!(
            PreparedKey::decode(&swapped),
            Err(Error::Malformed {
                what: "prepared key",
                ..
            })
        ));
        let mut short = key.clone();
        short.ic.pop();
        assert!(matches!(
            public_input_point(&short, &[ArkFr::one()]),
            Err(Error::PublicInputCount { .. })
        ));
    }

    #[test]
    fn the_backend_mirrors_the_host_refusals() {
        let g = g1_from_ark(&G1Affine::generator());
        let h = g2_from_ark(&G2Affine::generator());
        assert!(matches!(
            ArkBackend.g1_sum(&[]),
            Err(Error::Malformed { .. })
        ));
        assert!(matches!(
            ArkBackend.g1_sum(&g[..47]),
            Err(Error::Malformed { .. })
        ));
        assert_eq!(ArkBackend.g1_sum(&g).unwrap(), g);
        let mut gg = g.to_vec();
        gg.extend_from_slice(&G1_IDENTITY);
        assert_eq!(ArkBackend.g1_sum(&gg).unwrap(), g);
        assert!(ArkBackend.g1_valid(&G1_IDENTITY) && ArkBackend.g2_valid(&G2_IDENTITY));
        // e(g, h) == e(g, h); e(2g, h) == e(g, 2h); counts must match.
        assert!(ArkBackend.pairing_equality(&g, &h, &g, &h).unwrap());
        let g2x = g1_from_ark(&(G1Projective::generator().double()).into_affine());
        assert!(!ArkBackend.pairing_equality(&g2x, &h, &g, &h).unwrap());
        assert!(ArkBackend
            .pairing_equality(&[], &[], &G1_IDENTITY, &h)
            .unwrap());
        assert!(matches!(
            ArkBackend.pairing_equality(&g, &[], &g, &h),
            Err(Error::Malformed { .. })
        ));
    }

    /// The Cubic circuit's real key (one public input).
    fn cubic_key() -> VerifyingKey {
        let mut rng = StdRng::seed_from_u64(7);
        let (_, vk) =
            Groth16::<Bls12_381>::circuit_specific_setup(Cubic { x: None }, &mut rng).unwrap();
        our_vk(&vk)
    }

    #[test]
    fn v2_a_real_key_passes_the_circuit_key_check() {
        let vk = cubic_key();
        check_circuit_key(&vk, 1).unwrap();
        let key = prepare_circuit_key(vk, 1, &ArkBackend).unwrap();
        assert_eq!(key.public_inputs(), 1);
    }

    #[test]
    fn v2_beta_gamma_delta_equal_key_is_refused_and_would_verify_anything() {
        let mut vk = cubic_key();
        vk.gamma_g2 = vk.beta_g2;
        vk.delta_g2 = vk.beta_g2;
        // The attack the check stops: `prepare` alone takes the key (every point is valid),
        // and a proof of any statement, made without a witness, verifies under it.
        let key = prepare(vk.clone(), &ArkBackend).unwrap();
        let statement = ArkFr::from(12345u64); // no x has x^3 + x + 5 = 12345 known here
        let vk_x = g1_to_ark("vk_x", &public_input_point(&key, &[statement]).unwrap()).unwrap();
        let alpha = g1_to_ark("alpha", &vk.alpha_g1).unwrap();
        let c = G1Affine::generator();
        let forged = Proof {
            a: g1_from_ark(&(alpha + vk_x + c).into_affine()),
            b: vk.beta_g2,
            c: g1_from_ark(&c),
        };
        verify(&key, &forged, &[statement], &ArkBackend).unwrap();
        // The check refuses it, and each pair alone.
        let refused = |vk: &VerifyingKey| {
            matches!(check_circuit_key(vk, 1), Err(Error::DegenerateKey { .. }))
                && matches!(
                    prepare_circuit_key(vk.clone(), 1, &ArkBackend),
                    Err(Error::DegenerateKey { .. })
                )
        };
        assert!(refused(&vk));
        let good = cubic_key();
        let mut gd = good.clone();
        gd.delta_g2 = gd.gamma_g2;
        assert!(refused(&gd));
        let mut bg = good.clone();
        bg.gamma_g2 = bg.beta_g2;
        assert!(refused(&bg));
        let mut bd = good.clone();
        bd.delta_g2 = bd.beta_g2;
        assert!(refused(&bd));
    }

    #[test]
    fn v2_identity_point_key_is_refused() {
        let good = cubic_key();
        for i in 0..good.ic.len() {
            let mut vk = good.clone();
            vk.ic[i] = G1_IDENTITY;
            assert_eq!(
                check_circuit_key(&vk, 1),
                Err(Error::DegenerateKey {
                    reason: format!("ic point {i} is the identity")
                })
            );
        }
        let mut vk = good.clone();
        vk.alpha_g1 = G1_IDENTITY;
        assert!(matches!(
            check_circuit_key(&vk, 1),
            Err(Error::InvalidPoint {
                what: "verifying key alpha_g1",
                ..
            })
        ));
        for which in 0..3 {
            let mut vk = good.clone();
            *[&mut vk.beta_g2, &mut vk.gamma_g2, &mut vk.delta_g2][which] = G2_IDENTITY;
            assert!(matches!(
                check_circuit_key(&vk, 1),
                Err(Error::InvalidPoint { .. })
            ));
        }
    }

    #[test]
    fn v2_wrong_ic_count_is_refused() {
        let good = cubic_key();
        let mut more = good.clone();
        more.ic.push(good.ic[1]);
        let mut fewer = good.clone();
        fewer.ic.pop();
        for vk in [more, fewer] {
            assert!(matches!(
                prepare_circuit_key(vk, 1, &ArkBackend),
                Err(Error::DegenerateKey { .. })
            ));
        }
        assert!(matches!(
            check_circuit_key(&good, 2),
            Err(Error::DegenerateKey { .. })
        ));
    }
}
