//! The compact canonical binary encoding of L2 data.
//!
//! The chain charges 10 gas for every byte of a transaction, and a batch travels as base64
//! inside a JSON message, so bytes are the main cost of settling a batch. Integers are
//! unsigned LEB128 varints; amounts are `mantissa * 10^exponent` with the exponent in the
//! low five bits of the transaction's tag byte, so round amounts take one or two bytes
//! while every `u128` stays representable.
//!
//! Every encoding is canonical: a varint must be minimal and an amount must use the
//! largest exponent its digits allow, so one value has exactly one byte string and a
//! signed payload cannot be re-encoded into another.

use alloc::vec::Vec;

/// Why a byte string is not a valid encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The input ended inside a value.
    Truncated,
    /// A varint with a redundant trailing zero group, or an amount that is not maximally
    /// scaled.
    NonCanonical,
    /// A value too large for its type.
    Overflow,
    /// A tag byte that names no known kind.
    UnknownKind(u8),
    /// A length field outside its allowed range.
    BadLength(u8),
    /// Bytes left over after a complete value.
    TrailingBytes,
}

impl core::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DecodeError::Truncated => write!(f, "input ends inside a value"),
            DecodeError::NonCanonical => write!(f, "non-canonical encoding"),
            DecodeError::Overflow => write!(f, "value overflows its type"),
            DecodeError::UnknownKind(k) => write!(f, "unknown transaction kind {k}"),
            DecodeError::BadLength(l) => write!(f, "length {l} out of range"),
            DecodeError::TrailingBytes => write!(f, "bytes left after a complete transaction"),
        }
    }
}

/// Appends `v` as an unsigned LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u128) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Length of `v` as a varint.
pub fn varint_len(mut v: u128) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Largest decimal exponent an amount's tag can carry.
pub const MAX_EXPONENT: u8 = 31;

/// Splits `amount` into its canonical `(exponent, mantissa)`.
pub fn split_amount(amount: u128) -> (u8, u128) {
    if amount == 0 {
        return (0, 0);
    }
    let (mut exp, mut mantissa) = (0u8, amount);
    while exp < MAX_EXPONENT && mantissa % 10 == 0 {
        mantissa /= 10;
        exp += 1;
    }
    (exp, mantissa)
}

/// Joins a decoded `(exponent, mantissa)`, rejecting non-canonical and overflowing pairs.
pub fn join_amount(exp: u8, mantissa: u128) -> Result<u128, DecodeError> {
    if mantissa == 0 {
        return if exp == 0 {
            Ok(0)
        } else {
            Err(DecodeError::NonCanonical)
        };
    }
    if exp < MAX_EXPONENT && mantissa.is_multiple_of(10) {
        return Err(DecodeError::NonCanonical);
    }
    10u128
        .checked_pow(exp as u32)
        .and_then(|p| mantissa.checked_mul(p))
        .ok_or(DecodeError::Overflow)
}

/// A cursor over an encoded byte string.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self.buf.get(self.pos).ok_or(DecodeError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        Ok(self.bytes(N)?.try_into().expect("length checked"))
    }

    /// A minimal LEB128 varint of at most `max_bits` bits.
    pub fn varint(&mut self, max_bits: u32) -> Result<u128, DecodeError> {
        let mut value: u128 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            let group = (b & 0x7f) as u128;
            if shift >= max_bits || (shift > 0 && group >> (max_bits - shift).min(127) != 0) {
                return Err(DecodeError::Overflow);
            }
            value |= group << shift;
            if b & 0x80 == 0 {
                if b == 0 && shift > 0 {
                    return Err(DecodeError::NonCanonical);
                }
                return Ok(value);
            }
            shift += 7;
        }
    }

    pub fn varint_u32(&mut self) -> Result<u32, DecodeError> {
        Ok(self.varint(32)? as u32)
    }

    pub fn varint_u64(&mut self) -> Result<u64, DecodeError> {
        Ok(self.varint(64)? as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn varints_are_minimal_and_bounded() {
        let mut r = Reader::new(&[0x80, 0x00]);
        assert_eq!(r.varint(64), Err(DecodeError::NonCanonical));
        // 2^32 does not fit a u32
        let mut v = Vec::new();
        put_varint(&mut v, 1 << 32);
        assert_eq!(Reader::new(&v).varint_u32(), Err(DecodeError::Overflow));
        assert_eq!(Reader::new(&v).varint_u64(), Ok(1 << 32));
        let mut m = Vec::new();
        put_varint(&mut m, u32::MAX as u128);
        assert_eq!(Reader::new(&m).varint_u32(), Ok(u32::MAX));
        assert_eq!(Reader::new(&[0xff]).varint(64), Err(DecodeError::Truncated));
        let mut big = Vec::new();
        put_varint(&mut big, u128::MAX);
        assert_eq!(big.len(), 19);
        assert_eq!(Reader::new(&big).varint(128), Ok(u128::MAX));
    }

    #[test]
    fn amounts_split_canonically() {
        assert_eq!(split_amount(25_000_000), (6, 25));
        assert_eq!(split_amount(0), (0, 0));
        assert_eq!(split_amount(u128::MAX), (0, u128::MAX));
        assert_eq!(join_amount(5, 10), Err(DecodeError::NonCanonical));
        assert_eq!(join_amount(3, 0), Err(DecodeError::NonCanonical));
        assert_eq!(join_amount(31, 1_000_000_000), Err(DecodeError::Overflow));
        // 10^38 needs exponent 31 and mantissa 10^7, which is allowed at the cap
        assert_eq!(split_amount(10u128.pow(38)), (31, 10_000_000));
        assert_eq!(join_amount(31, 10_000_000), Ok(10u128.pow(38)));
    }

    proptest! {
        #[test]
        fn varint_round_trips(v in any::<u128>(), bits in prop::sample::select(vec![32u32, 64, 128])) {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            prop_assert_eq!(out.len(), varint_len(v));
            let fits = bits == 128 || v >> bits == 0;
            let got = Reader::new(&out).varint(bits);
            if fits { prop_assert_eq!(got, Ok(v)); } else { prop_assert_eq!(got, Err(DecodeError::Overflow)); }
        }

        #[test]
        fn amount_round_trips(v in any::<u128>(), zeros in 0u32..38) {
            let v = v.checked_mul(10u128.pow(zeros)).unwrap_or(v);
            let (e, m) = split_amount(v);
            prop_assert_eq!(join_amount(e, m), Ok(v));
        }
    }
}
