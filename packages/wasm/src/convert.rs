//! Conversions between JS values and the core's types, each written once. Nothing here
//! holds a protocol rule: hex, base64, decimal strings, bech32 and serde plumbing only.
//!
//! Conventions: hashes, keys and other bytes a human reads travel as lowercase hex
//! (a leading `0x` is accepted on input); bulk data as `Uint8Array` or, inside contract
//! messages, base64; `u128` amounts and `u64` nonces as decimal strings (like CosmWasm's
//! `Uint128` JSON; a safe-integer number, or a bigint below 2^64, is accepted on input);
//! indices and counts as numbers.

use core::fmt::{self, Display};
use core::marker::PhantomData;
use core::str::FromStr;

use base64::Engine as _;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use settle_core::tx::Domain;
use settle_core::Hash;
use wasm_bindgen::{JsCast, JsValue};

/// Everything a binding throws: a JS `Error` whose message is the core's (or, for an
/// argument that cannot be read, says which).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure(message.into())
    }

    pub fn message(&self) -> &str {
        &self.0
    }
}

impl<E: Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        js_sys::Error::new(&f.0).into()
    }
}

/// What every binding returns.
pub type JsResult<T> = Result<T, Failure>;

/// A JS value read into a Rust type through serde.
pub fn from_js<T: DeserializeOwned>(value: JsValue) -> JsResult<T> {
    serde_wasm_bindgen::from_value(value).map_err(serde_failure)
}

/// A Rust value as a plain JS object (structs as objects, `None` fields left out).
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new())
        .map_err(serde_failure)
}

/// A value as a plain JS object whose `None`s are `null`, as the contract's own JSON has
/// them (every contract message goes through this: `{ signed: null }`, never a key
/// holding `undefined`).
pub fn to_js_nulls<T: Serialize + ?Sized>(value: &T) -> JsResult<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true))
        .map_err(serde_failure)
}

/// serde-wasm-bindgen's error holds a JS `Error`; keep its message, not its `toString()`.
fn serde_failure(e: serde_wasm_bindgen::Error) -> Failure {
    let value = JsValue::from(e);
    match value.dyn_ref::<js_sys::Error>() {
        Some(error) => Failure(error.message().into()),
        None => Failure(format!("{value:?}")),
    }
}

/// The digits after a `0x` (or `0X`) prefix, if there is one.
fn without_0x(s: &str) -> Option<&str> {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
}

fn not_hex(what: &str, s: &str, e: hex::FromHexError) -> Failure {
    Failure(format!("{what}: {s:?} is not hex ({e})"))
}

/// Bytes of a hex string, with or without a `0x` prefix.
pub fn hex_bytes(what: &str, s: &str) -> JsResult<Vec<u8>> {
    hex::decode(without_0x(s).unwrap_or(s)).map_err(|e| not_hex(what, s, e))
}

/// Exactly `N` bytes of a hex string (the length error is the core's).
pub fn hex_array<const N: usize>(what: &'static str, s: &str) -> JsResult<[u8; N]> {
    let digits = without_0x(s).unwrap_or(s);
    if digits.len() == 2 * N {
        // The common case, decoded in place; `hex` reports a bad digit exactly as
        // `hex_bytes` would.
        let mut out = [0u8; N];
        return hex::decode_to_slice(digits, &mut out)
            .map(|()| out)
            .map_err(|e| not_hex(what, s, e));
    }
    Ok(settle_core::error::exact(what, &hex_bytes(what, s)?)?)
}

/// A 32-byte hash from hex.
pub fn hash(what: &'static str, s: &str) -> JsResult<Hash> {
    hex_array(what, s)
}

/// A signing domain from its hex form (what [`crate::tx::domain`] returns).
pub fn domain(s: &str) -> JsResult<Domain> {
    Ok(Domain(hash("domain", s)?))
}

/// Lowercase hex without a prefix (CosmWasm's `HexBinary`).
pub fn to_hex(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(bytes)
}

/// `0x`-prefixed lowercase hex (OpenZeppelin's and Solidity's `bytes32`).
pub fn to_0x(bytes: impl AsRef<[u8]>) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Hashes as a JS array of `0x`-hex strings, made from one string (one UTF-8 decode and
/// a `split` instead of a decode per hash: a proof is read in a single crossing).
pub fn hex_0x_array(hashes: &[Hash]) -> JsResult<js_sys::Array> {
    const WIDTH: usize = 2 + 64 + 1; // "0x", the digits, a comma
    if hashes.is_empty() {
        return Ok(js_sys::Array::new());
    }
    let mut joined = vec![b','; hashes.len() * WIDTH - 1];
    for (h, out) in hashes.iter().zip(joined.chunks_mut(WIDTH)) {
        out[..2].copy_from_slice(b"0x");
        hex::encode_to_slice(h, &mut out[2..2 + 64])?;
    }
    let joined = String::from_utf8(joined)?;
    Ok(js_sys::JsString::from(joined).split(","))
}

/// The canonical bytes of a bech32 address (the original bech32 checksum, as the chain's
/// `addr_canonicalize` and cosmwasm-std's `MockApi` decode it).
pub fn canonical(address: &str) -> JsResult<Vec<u8>> {
    let checked = bech32::primitives::decode::CheckedHrpstring::new::<bech32::Bech32>(address)
        .map_err(|e| Failure(format!("invalid bech32 address {address:?}: {e}")))?;
    Ok(checked.byte_iter().collect())
}

/// The bech32 address of canonical bytes under `prefix`.
pub fn human(canonical: &[u8], prefix: &str) -> JsResult<String> {
    let hrp = bech32::Hrp::parse(prefix)
        .map_err(|e| Failure(format!("invalid bech32 prefix {prefix:?}: {e}")))?;
    bech32::encode::<bech32::Bech32>(hrp, canonical)
        .map_err(|e| Failure(format!("cannot encode the address: {e}")))
}

/// A JS number used as a `u64` index or count: it must be a non-negative safe integer.
pub fn uint(what: &str, v: f64) -> JsResult<u64> {
    if v.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&v) {
        Ok(v as u64)
    } else {
        Err(Failure(format!(
            "{what}: {v} is not a non-negative safe integer"
        )))
    }
}

/// A JS number used as a position in memory (a `usize`).
pub fn position(what: &str, v: f64) -> JsResult<usize> {
    let v = uint(what, v)?;
    usize::try_from(v).map_err(|_| Failure(format!("{what}: {v} is out of range")))
}

/// A JS number used as a sparse-tree depth or level: 0 to the core's `MAX_DEPTH` (32),
/// the heights its default-node table covers.
pub fn depth(what: &str, v: f64) -> JsResult<usize> {
    let max = settle_core::smt::MAX_DEPTH;
    match position(what, v)? {
        d if d <= max => Ok(d),
        d => Err(Failure(format!(
            "{what}: {d} is above the deepest sparse tree ({max})"
        ))),
    }
}

/// A `u64` count as a JS number (exact below 2^53, far beyond any count here).
pub fn number(v: u64) -> f64 {
    v as f64
}

// ---- serde newtypes: the same type reads an input and writes an output -------------

/// Bytes as hex (any length).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HexBytes(pub Vec<u8>);

/// Exactly `N` bytes as hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixed<const N: usize>(pub [u8; N]);

/// A 32-byte hash as plain hex.
pub type Hex32 = Fixed<32>;

/// A 32-byte hash as `0x`-hex (OpenZeppelin).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hex0x(pub Hash);

/// Bytes as base64 (CosmWasm's `Binary`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Base64(pub Vec<u8>);

/// Exactly `N` bytes in a contract message: written as base64 (CosmWasm's `Binary`, the
/// suite's one byte encoding in messages), read from hex (`0x` or hex digits only: the
/// base64 of 32 bytes or more is never all hex digits but with a chance below 2^-88) or
/// base64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wire<const N: usize>(pub [u8; N]);

/// A `u128` or `u64` as a decimal string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dec<T>(pub T);

/// A `uint256` (32 bytes big-endian) read from a decimal string, a `0x`-hex string or a
/// safe integer, as `@openzeppelin/merkle-tree` takes amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct U256(pub [u8; 32]);

/// Parses a `uint256` from decimal or `0x`-hex.
pub fn u256(s: &str) -> JsResult<[u8; 32]> {
    let too_big = || Failure(format!("{s:?} does not fit a uint256"));
    let mut out = [0u8; 32];
    if let Some(digits) = without_0x(s) {
        let padded = format!("{}{digits}", "0".repeat(digits.len() % 2));
        // The digits themselves: `hex_bytes` would strip a second `0x` ("0x0x1f" is not
        // a number).
        let bytes = hex::decode(&padded).map_err(|e| not_hex("uint256", s, e))?;
        let bytes = &bytes[bytes.iter().take_while(|b| **b == 0).count()..];
        let start = 32usize.checked_sub(bytes.len()).ok_or_else(too_big)?;
        out[start..].copy_from_slice(bytes);
        return Ok(out);
    }
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Failure(format!("{s:?} is not a decimal or 0x-hex integer")));
    }
    if s.len() <= 38 {
        // Every number of up to 38 digits fits a u128: parse it in one go.
        let v: u128 = s.parse().map_err(|_| too_big())?;
        out[16..].copy_from_slice(&v.to_be_bytes());
        return Ok(out);
    }
    for digit in s.bytes() {
        let mut carry = u32::from(digit - b'0');
        for byte in out.iter_mut().rev() {
            let v = u32::from(*byte) * 10 + carry;
            *byte = v as u8;
            carry = v >> 8;
        }
        if carry != 0 {
            return Err(too_big());
        }
    }
    Ok(out)
}

impl<'de> Deserialize<'de> for U256 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(U256Visitor)
    }
}

struct U256Visitor;

impl Visitor<'_> for U256Visitor {
    type Value = U256;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a uint256 as a decimal or 0x-hex string (or a safe integer)")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<U256, E> {
        u256(s).map(U256).map_err(|e| E::custom(e.0))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<U256, E> {
        let mut out = [0u8; 32];
        out[24..].copy_from_slice(&v.to_be_bytes());
        Ok(U256(out))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<U256, E> {
        let u = u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))?;
        self.visit_u64(u)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<U256, E> {
        Err(E::invalid_value(de::Unexpected::Float(v), &self))
    }
}

/// A serde visitor of strings, converting with `parse`.
struct StrVisitor<T>(&'static str, fn(&str) -> JsResult<T>);

impl<T> Visitor<'_> for StrVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        (self.1)(s).map_err(|e| E::custom(e.0))
    }
}

impl Serialize for HexBytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for HexBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor("a hex string", |s| {
            hex_bytes("bytes", s).map(HexBytes)
        }))
    }
}

impl<const N: usize> Serialize for Fixed<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(self.0))
    }
}

impl<const N: usize> Fixed<N> {
    /// Exactly `N` bytes from hex, named in errors by what `N` bytes usually are.
    pub fn parse(s: &str) -> JsResult<Self> {
        let what = match N {
            20 => "address",
            32 => "hash",
            33 => "public key",
            64 => "signature",
            _ => "value",
        };
        hex_array(what, s).map(Fixed)
    }
}

impl<'de, const N: usize> Deserialize<'de> for Fixed<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The contracts' answers carry bytes as base64: exactly `N` bytes of it are
        // taken too (never the length of `N` bytes of hex); anything else reads as hex.
        d.deserialize_str(StrVisitor("a hex (or base64) string", |s| {
            if s.len() != 2 * N {
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(s) {
                    if let Ok(fixed) = <[u8; N]>::try_from(bytes) {
                        return Ok(Fixed(fixed));
                    }
                }
            }
            Fixed::parse(s)
        }))
    }
}

impl<const N: usize> Serialize for Wire<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(self.0))
    }
}

impl<const N: usize> Wire<N> {
    /// Exactly `N` bytes from hex or base64, errors naming `what`.
    pub fn named(what: &str, s: &str) -> JsResult<Self> {
        Wire::parse(s).map_err(|e| Failure(format!("{what}: {}", e.0)))
    }

    /// Exactly `N` bytes from hex or base64 (see [`Wire`]).
    pub fn parse(s: &str) -> JsResult<Self> {
        if s.starts_with("0x") || s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Fixed::<N>::parse(s).map(|f| Wire(f.0));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(|e| {
                Failure(format!(
                    "{s:?} is neither {N} bytes of hex nor base64 ({e})"
                ))
            })?;
        let got = bytes.len();
        bytes
            .try_into()
            .map(Wire)
            .map_err(|_| Failure(format!("expected {N} bytes, got {got}")))
    }
}

impl<const N: usize> From<Fixed<N>> for Wire<N> {
    fn from(f: Fixed<N>) -> Self {
        Wire(f.0)
    }
}

impl<'de, const N: usize> Deserialize<'de> for Wire<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor("a hex or base64 string", Wire::parse))
    }
}

impl Serialize for Hex0x {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_0x(self.0))
    }
}

impl<'de> Deserialize<'de> for Hex0x {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor("a 0x-hex string", |s| {
            hash("hash", s).map(Hex0x)
        }))
    }
}

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrVisitor("a base64 string", |s| {
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map(Base64)
                .map_err(|e| Failure(format!("{s:?} is not base64 ({e})")))
        }))
    }
}

impl<T: Display> Serialize for Dec<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de, T> Deserialize<'de> for Dec<T>
where
    T: FromStr + TryFrom<u64>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DecVisitor(PhantomData))
    }
}

struct DecVisitor<T>(PhantomData<T>);

impl<T: FromStr + TryFrom<u64>> Visitor<'_> for DecVisitor<T> {
    type Value = Dec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a decimal string (or a safe integer) that fits a {}",
            core::any::type_name::<T>()
        )
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        s.parse::<T>()
            .map(Dec)
            .map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::try_from(v)
            .map(Dec)
            .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        let u = u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))?;
        self.visit_u64(u)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Err(E::invalid_value(de::Unexpected::Float(v), &self))
    }
}
