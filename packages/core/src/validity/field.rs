//! The BLS12-381 scalar field `Fr` on the wire: 32 bytes big-endian, canonical (below the
//! modulus), and the packing of small integers into one element.

use alloc::string::String;
use ark_ff::{BigInteger, Field, PrimeField};

use crate::error::Error;

pub use ark_bls12_381::Fr;

/// Canonical 32-byte big-endian encoding.
pub fn fr_to_bytes(x: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&x.into_bigint().to_bytes_be());
    out
}

/// Decodes a canonical 32-byte big-endian element; a value at or above the modulus is
/// refused (it would alias a smaller one).
pub fn fr_from_bytes(what: &'static str, bytes: &[u8]) -> Result<Fr, Error> {
    if bytes.len() != 32 {
        return Err(Error::Length {
            what,
            expected: 32,
            got: bytes.len(),
        });
    }
    let x = Fr::from_be_bytes_mod_order(bytes);
    if fr_to_bytes(&x)[..] != bytes[..] {
        return Err(Error::NotCanonical { what });
    }
    Ok(x)
}

/// Lower-case hex of [`fr_to_bytes`] (64 characters).
pub fn fr_to_hex(x: &Fr) -> String {
    hex::encode(fr_to_bytes(x))
}

/// Decodes [`fr_to_hex`]'s form (an optional `0x` prefix is accepted).
pub fn fr_from_hex(what: &'static str, s: &str) -> Result<Fr, Error> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    let bytes = hex::decode(s).map_err(|e| Error::malformed(what, alloc::format!("{e}")))?;
    fr_from_bytes(what, &bytes)
}

/// The element `x` for an integer below 2^128.
pub fn fr_from_u128(x: u128) -> Fr {
    Fr::from(x)
}

/// The low 128 bits of `x`, and whether `x` fits in them.
pub fn fr_to_u128(x: &Fr) -> Option<u128> {
    let bytes = fr_to_bytes(x);
    if bytes[..16].iter().any(|b| *b != 0) {
        return None;
    }
    Some(u128::from_be_bytes(
        bytes[16..].try_into().expect("16 bytes"),
    ))
}

/// Packs `(value, width in bits)` pairs, least significant first, into one element. The
/// widths must sum to at most 252 bits so the result is always canonical and unique.
pub fn pack(fields: &[(u128, u32)]) -> Fr {
    let mut acc = Fr::from(0u64);
    let mut shift = 0u32;
    for &(value, width) in fields {
        debug_assert!(
            width >= 128 || value >> width == 0,
            "value wider than its field"
        );
        acc += Fr::from(value) * Fr::from(2u64).pow([shift as u64]);
        shift += width;
    }
    debug_assert!(shift <= 252, "packed fields exceed 252 bits");
    acc
}

/// Inverse of [`pack`]: splits `x` into fields of the given widths (least significant
/// first); `None` when `x` has bits above the last field.
pub fn unpack<const N: usize>(x: &Fr, widths: [u32; N]) -> Option<[u128; N]> {
    let bits = x.into_bigint().to_bits_le();
    let mut out = [0u128; N];
    let mut at = 0usize;
    for (k, w) in widths.iter().enumerate() {
        let mut v = 0u128;
        for j in 0..*w as usize {
            if bits[at + j] {
                v |= 1u128 << j;
            }
        }
        out[k] = v;
        at += *w as usize;
    }
    if bits[at..].iter().any(|b| *b) {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{One, Zero};

    #[test]
    fn canonical_bytes_round_trip_and_refuse_the_modulus() {
        for x in [Fr::zero(), Fr::one(), -Fr::one(), Fr::from(123456789u64)] {
            assert_eq!(fr_from_bytes("x", &fr_to_bytes(&x)).unwrap(), x);
            assert_eq!(fr_from_hex("x", &fr_to_hex(&x)).unwrap(), x);
        }
        let modulus = Fr::MODULUS.to_bytes_be();
        assert_eq!(
            fr_from_bytes("x", &modulus),
            Err(Error::NotCanonical { what: "x" })
        );
        assert!(matches!(
            fr_from_bytes("x", &[0u8; 31]),
            Err(Error::Length { .. })
        ));
    }

    #[test]
    fn pack_unpack_round_trip() {
        let fields = [
            (2u128, 8u32),
            (u32::MAX as u128, 32),
            (7, 32),
            (u128::MAX, 128),
            (31, 8),
        ];
        let x = pack(&fields);
        let back = unpack(&x, [8, 32, 32, 128, 8]).unwrap();
        assert_eq!(back, [2, u32::MAX as u128, 7, u128::MAX, 31]);
        assert!(unpack(&x, [8, 32, 32, 128]).is_none());
        assert_eq!(fr_to_u128(&Fr::from(u128::MAX)), Some(u128::MAX));
        assert_eq!(fr_to_u128(&(Fr::from(u128::MAX) + Fr::one())), None);
    }
}
