//! The core's parity vectors (`packages/core/tests/vectors/parity-v1.json`), compiled in:
//! the real states, proofs and keys some targets check against.

use std::sync::OnceLock;

use serde_json::Value;

pub const PARITY_JSON: &str = include_str!("../../packages/core/tests/vectors/parity-v1.json");
pub const OZ_JSON: &str = include_str!("../../packages/core/tests/vectors/oz-standard-merkle.json");

pub fn parity() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| serde_json::from_str(PARITY_JSON).expect("parity vectors parse"))
}

pub fn oz() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| serde_json::from_str(OZ_JSON).expect("oz vectors parse"))
}

/// Bytes of a hex string (an optional `0x` prefix).
pub fn unhex(v: &Value) -> Vec<u8> {
    let s = v.as_str().expect("a hex string");
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).expect("hex")
}

pub fn hash(v: &Value) -> [u8; 32] {
    unhex(v).try_into().expect("32 bytes")
}

/// A number that the vectors write as a JSON number or a decimal string.
pub fn num(v: &Value) -> u128 {
    match v {
        Value::Number(n) => n.as_u64().expect("an integer") as u128,
        Value::String(s) => s.parse().expect("a decimal string"),
        other => panic!("not a number: {other}"),
    }
}
