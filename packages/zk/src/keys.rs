//! Groth16 keys for a batch circuit, their files, and the wire formats the contract reads.
//!
//! - Key files: a 16-byte header `magic (6: "SZK-PK" or "SZK-VK") || version (1) = 1 ||
//!   form (1) || deposit slots (4 BE) || transaction slots (4 BE)`, then the arkworks
//!   serialization of the key, compressed (form 0, the default) or uncompressed (form 1:
//!   twice the size, but loading skips a square root per point, which is most of the time
//!   a compressed key takes to load).
//! - Verifying key, wire format (what the contract is instantiated with):
//!   `alpha_g1 (48) || beta_g2 (96) || gamma_g2 (96) || delta_g2 (96) || count (4 BE) ||
//!   ic[0..count] (48 each)`, `count` = public inputs + 1 = 2: 436 bytes.
//! - Proof: `A (G1, 48) || B (G2, 96) || C (G1, 48)`: [`PROOF_LEN`] bytes.
//!
//! Every point is arkworks' `serialize_compressed` for BLS12-381, which is the zcash/IETF
//! form (big-endian x, flags in the top three bits: compressed, infinity, sign of y) that
//! the CosmWasm host functions parse. Decoding checks that each point is on its curve and
//! in the prime-order subgroup.

use std::path::Path;

use ark_bls12_381::{Bls12_381, G1Affine, G2Affine};
use ark_groth16::{Groth16, Proof};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use ark_snark::SNARK;
use ark_std::rand::{CryptoRng, RngCore};
use settle_core::validity::ledger::Shape;
use settle_core::validity::Fr;

use crate::circuit::BatchCircuit;
use crate::Error;

/// Bytes of a compressed G1 point.
pub const G1_LEN: usize = 48;
/// Bytes of a compressed G2 point.
pub const G2_LEN: usize = 96;
/// Bytes of a proof: `A || B || C`.
pub const PROOF_LEN: usize = G1_LEN + G2_LEN + G1_LEN;
/// Bytes of the verifying key's wire form for one public input.
pub const VK_WIRE_LEN: usize = G1_LEN + 3 * G2_LEN + 4 + 2 * G1_LEN;

const PK_MAGIC: &[u8; 6] = b"SZK-PK";
const VK_MAGIC: &[u8; 6] = b"SZK-VK";
const VERSION: u8 = 1;
const HEADER_LEN: usize = 16;

/// A proving key and the shape of the circuit it was made for.
#[derive(Clone, PartialEq)]
pub struct ProvingKey {
    pub shape: Shape,
    pub key: ark_groth16::ProvingKey<Bls12_381>,
}

impl core::fmt::Debug for ProvingKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "ProvingKey({} deposits, {} txs, {} variables)",
            self.shape.deposits,
            self.shape.txs,
            self.key.a_query.len()
        )
    }
}

/// A verifying key and the shape of the circuit it was made for.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifyingKey {
    pub shape: Shape,
    pub key: ark_groth16::VerifyingKey<Bls12_381>,
}

/// The circuit-specific Groth16 setup for `shape` (toxic waste drawn from `rng` and
/// dropped). Synthesizes [`BatchCircuit::blank`]; takes tens of seconds for a few slots.
pub fn setup<R: RngCore + CryptoRng>(
    shape: Shape,
    rng: &mut R,
) -> Result<(ProvingKey, VerifyingKey), Error> {
    setup_dyn(shape, rng)
}

/// Any cryptographic RNG, as a trait object: the public entry points are generic over the
/// RNG only in a shim that calls a non-generic function, so the whole of arkworks' setup
/// and prover is instantiated (and optimised) in this crate, not in every caller's
/// (a test crate built without optimisation made proving ~50x slower).
pub trait ProverRng: RngCore + CryptoRng {}
impl<T: RngCore + CryptoRng + ?Sized> ProverRng for T {}

fn setup_dyn(
    shape: Shape,
    mut rng: &mut dyn ProverRng,
) -> Result<(ProvingKey, VerifyingKey), Error> {
    let (pk, vk) =
        Groth16::<Bls12_381>::circuit_specific_setup(BatchCircuit::blank(shape), &mut rng)?;
    Ok((
        ProvingKey { shape, key: pk },
        VerifyingKey { shape, key: vk },
    ))
}

fn header(magic: &[u8; 6], compress: Compress, shape: Shape) -> Result<Vec<u8>, Error> {
    let slots = |n: usize| {
        u32::try_from(n).map_err(|_| Error::malformed("key header", format!("{n} slots")))
    };
    let mut out = Vec::with_capacity(HEADER_LEN);
    out.extend_from_slice(magic);
    out.push(VERSION);
    out.push(match compress {
        Compress::Yes => 0,
        Compress::No => 1,
    });
    out.extend_from_slice(&slots(shape.deposits)?.to_be_bytes());
    out.extend_from_slice(&slots(shape.txs)?.to_be_bytes());
    Ok(out)
}

fn read_header<'a>(
    what: &'static str,
    magic: &[u8; 6],
    bytes: &'a [u8],
) -> Result<(Shape, Compress, &'a [u8]), Error> {
    if bytes.len() < HEADER_LEN || &bytes[..6] != magic {
        return Err(Error::malformed(
            what,
            format!("does not start with {}", String::from_utf8_lossy(magic)),
        ));
    }
    if bytes[6] != VERSION {
        return Err(Error::malformed(
            what,
            format!("version {} (expected {VERSION})", bytes[6]),
        ));
    }
    let compress = match bytes[7] {
        0 => Compress::Yes,
        1 => Compress::No,
        other => return Err(Error::malformed(what, format!("unknown form {other}"))),
    };
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let shape = Shape {
        deposits: word(8) as usize,
        txs: word(12) as usize,
    };
    Ok((shape, compress, &bytes[HEADER_LEN..]))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

impl ProvingKey {
    /// The file form: header and arkworks compressed key (48 bytes a G1 point).
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        self.encode(Compress::Yes)
    }

    /// The file form with uncompressed points: twice the size, much quicker to load.
    pub fn to_bytes_uncompressed(&self) -> Result<Vec<u8>, Error> {
        self.encode(Compress::No)
    }

    fn encode(&self, compress: Compress) -> Result<Vec<u8>, Error> {
        let mut out = header(PK_MAGIC, compress, self.shape)?;
        out.reserve(self.key.serialized_size(compress));
        self.key
            .serialize_with_mode(&mut out, compress)
            .map_err(Error::serialization("proving key"))?;
        Ok(out)
    }

    /// Decodes either file form, checking every point (on the curve, in the subgroup).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::decode(bytes, Validate::Yes)
    }

    /// [`ProvingKey::from_bytes`] without the curve and subgroup checks, for a key file the
    /// caller made itself (a bad point only yields proofs that do not verify).
    pub fn from_trusted_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Self::decode(bytes, Validate::No)
    }

    fn decode(bytes: &[u8], validate: Validate) -> Result<Self, Error> {
        let (shape, compress, mut rest) = read_header("proving key", PK_MAGIC, bytes)?;
        let key = ark_groth16::ProvingKey::deserialize_with_mode(&mut rest, compress, validate)
            .map_err(Error::serialization("proving key"))?;
        if !rest.is_empty() {
            return Err(Error::malformed(
                "proving key",
                format!("{} bytes after the key", rest.len()),
            ));
        }
        Ok(ProvingKey { shape, key })
    }

    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_file(path.as_ref(), &self.to_bytes()?)
    }

    /// Writes the uncompressed form ([`ProvingKey::to_bytes_uncompressed`]).
    pub fn save_uncompressed(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_file(path.as_ref(), &self.to_bytes_uncompressed()?)
    }

    /// Reads a file [`ProvingKey::save`] (or `save_uncompressed`) wrote, with
    /// [`ProvingKey::from_bytes`]'s checks.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::from_bytes(&read_file(path.as_ref())?)
    }

    /// Reads a key file without the point checks ([`ProvingKey::from_trusted_bytes`]).
    pub fn load_trusted(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::from_trusted_bytes(&read_file(path.as_ref())?)
    }

    /// The verifying key inside.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey {
            shape: self.shape,
            key: self.key.vk.clone(),
        }
    }
}

impl VerifyingKey {
    /// The file form: header and arkworks compressed key.
    pub fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = header(VK_MAGIC, Compress::Yes, self.shape)?;
        self.key
            .serialize_compressed(&mut out)
            .map_err(Error::serialization("verifying key"))?;
        Ok(out)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let (shape, compress, mut rest) = read_header("verifying key", VK_MAGIC, bytes)?;
        let key =
            ark_groth16::VerifyingKey::deserialize_with_mode(&mut rest, compress, Validate::Yes)
                .map_err(Error::serialization("verifying key"))?;
        if !rest.is_empty() {
            return Err(Error::malformed(
                "verifying key",
                format!("{} bytes after the key", rest.len()),
            ));
        }
        Ok(VerifyingKey { shape, key })
    }

    /// The wire form the contract takes ([`vk_to_wire`]).
    pub fn to_wire(&self) -> Vec<u8> {
        vk_to_wire(&self.key)
    }

    /// A key from its wire form, for `shape` (the wire form does not carry it). Refused
    /// unless it has exactly one public input.
    pub fn from_wire(shape: Shape, bytes: &[u8]) -> Result<Self, Error> {
        let key = vk_from_wire(bytes)?;
        if key.gamma_abc_g1.len() != 2 {
            return Err(Error::malformed(
                "verifying key",
                format!(
                    "{} public inputs (the batch circuit has one)",
                    key.gamma_abc_g1.len() - 1
                ),
            ));
        }
        Ok(VerifyingKey { shape, key })
    }

    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_file(path.as_ref(), &self.to_bytes()?)
    }

    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::from_bytes(&read_file(path.as_ref())?)
    }

    /// Writes the wire form alone (what a deployment script hands the contract).
    pub fn save_wire(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_file(path.as_ref(), &self.to_wire())
    }

    /// Checks `proof` ([`PROOF_LEN`] bytes) for `public_input` with arkworks' pairing
    /// (natively; the contract does the same with the host's pairing check).
    pub fn verify(&self, public_input: &Fr, proof: &[u8]) -> Result<bool, Error> {
        let proof = proof_from_bytes(proof)?;
        Groth16::<Bls12_381>::verify(&self.key, &[*public_input], &proof).map_err(Error::from)
    }
}

fn put<P: CanonicalSerialize>(out: &mut Vec<u8>, p: &P) {
    p.serialize_compressed(out)
        .expect("writing a point into a Vec cannot fail");
}

fn take<P: CanonicalDeserialize>(
    what: &'static str,
    bytes: &mut &[u8],
    len: usize,
) -> Result<P, Error> {
    if bytes.len() < len {
        return Err(Error::malformed(
            what,
            format!("truncated: {} bytes left, a point needs {len}", bytes.len()),
        ));
    }
    let (head, rest) = bytes.split_at(len);
    *bytes = rest;
    P::deserialize_compressed(head).map_err(Error::serialization(what))
}

/// The verifying key's wire form: `alpha_g1 || beta_g2 || gamma_g2 || delta_g2 ||
/// count (4 BE) || ic[0..count]`, compressed points.
pub fn vk_to_wire(vk: &ark_groth16::VerifyingKey<Bls12_381>) -> Vec<u8> {
    let mut out = Vec::with_capacity(G1_LEN + 3 * G2_LEN + 4 + vk.gamma_abc_g1.len() * G1_LEN);
    put(&mut out, &vk.alpha_g1);
    put(&mut out, &vk.beta_g2);
    put(&mut out, &vk.gamma_g2);
    put(&mut out, &vk.delta_g2);
    out.extend_from_slice(&(vk.gamma_abc_g1.len() as u32).to_be_bytes());
    for p in &vk.gamma_abc_g1 {
        put(&mut out, p);
    }
    out
}

/// Decodes [`vk_to_wire`]'s form: exact length, every point on its curve and in the
/// subgroup, at least one `ic` point.
pub fn vk_from_wire(bytes: &[u8]) -> Result<ark_groth16::VerifyingKey<Bls12_381>, Error> {
    const WHAT: &str = "verifying key";
    let mut rest = bytes;
    let alpha_g1: G1Affine = take(WHAT, &mut rest, G1_LEN)?;
    let beta_g2: G2Affine = take(WHAT, &mut rest, G2_LEN)?;
    let gamma_g2: G2Affine = take(WHAT, &mut rest, G2_LEN)?;
    let delta_g2: G2Affine = take(WHAT, &mut rest, G2_LEN)?;
    if rest.len() < 4 {
        return Err(Error::malformed(WHAT, "truncated before the ic count"));
    }
    let count = u32::from_be_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
    rest = &rest[4..];
    if count == 0 || rest.len() != count.saturating_mul(G1_LEN) {
        return Err(Error::malformed(
            WHAT,
            format!(
                "{count} ic points in {} bytes (48 each, at least one)",
                rest.len()
            ),
        ));
    }
    let gamma_abc_g1 = (0..count)
        .map(|_| take::<G1Affine>(WHAT, &mut rest, G1_LEN))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ark_groth16::VerifyingKey {
        alpha_g1,
        beta_g2,
        gamma_g2,
        delta_g2,
        gamma_abc_g1,
    })
}

/// `A || B || C`, compressed.
pub fn proof_to_bytes(proof: &Proof<Bls12_381>) -> [u8; PROOF_LEN] {
    let mut out = Vec::with_capacity(PROOF_LEN);
    put(&mut out, &proof.a);
    put(&mut out, &proof.b);
    put(&mut out, &proof.c);
    out.try_into().expect("48 + 96 + 48 bytes")
}

/// Decodes [`proof_to_bytes`]'s form: exactly [`PROOF_LEN`] bytes, points on their curves
/// and in the subgroups.
pub fn proof_from_bytes(bytes: &[u8]) -> Result<Proof<Bls12_381>, Error> {
    const WHAT: &str = "proof";
    if bytes.len() != PROOF_LEN {
        return Err(Error::malformed(
            WHAT,
            format!("{} bytes (expected {PROOF_LEN})", bytes.len()),
        ));
    }
    let mut rest = bytes;
    Ok(Proof {
        a: take(WHAT, &mut rest, G1_LEN)?,
        b: take(WHAT, &mut rest, G2_LEN)?,
        c: take(WHAT, &mut rest, G1_LEN)?,
    })
}

/// The pairing engine of every key and proof here.
pub type Engine = Bls12_381;

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_std::UniformRand;

    fn random_vk(inputs: usize) -> ark_groth16::VerifyingKey<Bls12_381> {
        let mut rng = ark_std::test_rng();
        ark_groth16::VerifyingKey {
            alpha_g1: (G1Affine::generator() * Fr::rand(&mut rng)).into_affine(),
            beta_g2: (G2Affine::generator() * Fr::rand(&mut rng)).into_affine(),
            gamma_g2: (G2Affine::generator() * Fr::rand(&mut rng)).into_affine(),
            delta_g2: (G2Affine::generator() * Fr::rand(&mut rng)).into_affine(),
            gamma_abc_g1: (0..inputs + 1)
                .map(|_| (G1Affine::generator() * Fr::rand(&mut rng)).into_affine())
                .collect(),
        }
    }

    #[test]
    fn vk_wire_form_round_trips_with_the_documented_layout() {
        let vk = random_vk(1);
        let wire = vk_to_wire(&vk);
        assert_eq!(wire.len(), VK_WIRE_LEN);
        assert_eq!(wire[48 + 3 * 96..48 + 3 * 96 + 4], [0, 0, 0, 2]);
        // Compressed flag set on every point (the zcash form).
        for at in [0, 48, 144, 240, 340, 388] {
            assert_eq!(wire[at] & 0x80, 0x80, "point at {at} compressed");
        }
        assert_eq!(vk_from_wire(&wire).unwrap(), vk);
        let shape = Shape {
            deposits: 1,
            txs: 1,
        };
        assert_eq!(VerifyingKey::from_wire(shape, &wire).unwrap().key, vk);
        // Lengths and counts are exact.
        assert!(vk_from_wire(&wire[..wire.len() - 1]).is_err());
        let mut longer = wire.clone();
        longer.push(0);
        assert!(vk_from_wire(&longer).is_err());
        let mut zero_count = wire.clone();
        zero_count[48 + 3 * 96 + 3] = 0;
        assert!(vk_from_wire(&zero_count[..48 + 3 * 96 + 4]).is_err());
        // Two public inputs: a valid wire form, not a key of this circuit.
        let two = vk_to_wire(&random_vk(2));
        assert!(vk_from_wire(&two).is_ok());
        assert!(VerifyingKey::from_wire(shape, &two).is_err());
        // A point off the curve.
        let mut bad = wire.clone();
        bad[10] ^= 0x55;
        assert!(vk_from_wire(&bad).is_err());
    }

    #[test]
    fn proof_bytes_round_trip_and_refuse_garbage() {
        let mut rng = ark_std::test_rng();
        let proof = Proof::<Bls12_381> {
            a: (G1Affine::generator() * Fr::rand(&mut rng)).into_affine(),
            b: (G2Affine::generator() * Fr::rand(&mut rng)).into_affine(),
            c: (G1Affine::generator() * Fr::rand(&mut rng)).into_affine(),
        };
        let bytes = proof_to_bytes(&proof);
        assert_eq!(proof_from_bytes(&bytes).unwrap(), proof);
        assert!(proof_from_bytes(&bytes[..191]).is_err());
        assert!(proof_from_bytes(&[0u8; PROOF_LEN]).is_err());
    }

    #[test]
    fn key_headers_are_checked() {
        let vk = VerifyingKey {
            shape: Shape {
                deposits: 3,
                txs: 7,
            },
            key: random_vk(1),
        };
        let bytes = vk.to_bytes().unwrap();
        assert_eq!(&bytes[..6], VK_MAGIC);
        assert_eq!(VerifyingKey::from_bytes(&bytes).unwrap(), vk);
        let mut wrong = bytes.clone();
        wrong[0] = b'X';
        assert!(VerifyingKey::from_bytes(&wrong).is_err());
        assert!(ProvingKey::from_bytes(&bytes).is_err());
    }
}
