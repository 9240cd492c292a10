//! OpenZeppelin `StandardMerkleTree` interop (core `oz`) for `["address", "uint256"]`
//! values, with `@openzeppelin/merkle-tree`'s conventions: hashes as `0x`-hex, values as
//! `[address, amount]` with the amount a decimal (or `0x`-hex) string.

use core::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use settle_core::oz::{self, Address};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::convert::{self, from_js, to_0x, to_js, Fixed, Hex0x, JsResult, U256};

/// `[address, amount]`: a 20-byte `0x`-hex address and a `uint256` amount (a decimal or
/// `0x`-hex string, or a safe integer). Exactly two elements, as OpenZeppelin's ABI
/// encoding of `["address", "uint256"]` demands: a third is refused, not dropped.
pub struct OzValue(pub Fixed<20>, pub U256);

impl<'de> Deserialize<'de> for OzValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OzValueVisitor)
    }
}

struct OzValueVisitor;

impl<'de> Visitor<'de> for OzValueVisitor {
    type Value = OzValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an [address, amount] pair")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OzValue, A::Error> {
        let address = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let amount = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        let mut len = 2;
        while seq.next_element::<de::IgnoredAny>()?.is_some() {
            len += 1;
        }
        if len > 2 {
            return Err(de::Error::invalid_length(len, &self));
        }
        Ok(OzValue(address, amount))
    }
}

// The fast way across the JS/wasm boundary for the common input, an array of
// `[string, string]`: the strings' ASCII bytes, comma-separated, written straight into a
// Rust buffer (a `&mut [u8]` reaches JS as a view of wasm memory). Serde's way costs two
// string copies and a dozen calls per value, and JS garbage that matters when a page
// holds a million values. Returns the length the values take, having written them only
// if that fits `out`; or -1 for anything else (amounts as numbers or bigints, holes,
// other shapes, non-ASCII text), which takes serde's way, the one that words the errors.
#[wasm_bindgen(inline_js = r#"
export function packOzValues(values, out) {
  if (!Array.isArray(values) || values.length === 0) return -1;
  const cap = out.length;
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Array.isArray(v) || v.length !== 2) return -1;
    const address = v[0];
    const amount = v[1];
    if (typeof address !== 'string' || typeof amount !== 'string') return -1;
    const end = at + address.length + amount.length + 2;
    if (end > cap) {
      at = end;
      continue;
    }
    for (let j = 0; j < address.length; j++) {
      const c = address.charCodeAt(j);
      if (c > 0x7f) return -1;
      out[at++] = c;
    }
    out[at++] = 44;
    for (let j = 0; j < amount.length; j++) {
      const c = amount.charCodeAt(j);
      if (c > 0x7f) return -1;
      out[at++] = c;
    }
    out[at++] = 44;
  }
  return at - 1;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = packOzValues)]
    fn pack_oz_values(values: &JsValue, out: &mut [u8]) -> f64;
}

/// The values read through [`pack_oz_values`], or `None` when serde must read them: the
/// input is not an array of string pairs, or a string does not parse, or one holds a
/// comma (then the bytes have more than the `2 n` fields they must have). The parsers are
/// serde's own ([`Fixed::parse`], [`convert::u256`]), so both ways accept the same values.
fn packed_values(values: &JsValue) -> Option<Vec<(Address, oz::U256)>> {
    if !js_sys::Array::is_array(values) {
        return None;
    }
    let n = values.unchecked_ref::<js_sys::Array>().length() as usize;
    // Room for a 42-character address and a 20-digit amount; if the values need more,
    // the first call says how much and the second fills a buffer of that size.
    let mut cap = n.checked_mul(64)?;
    for _ in 0..2 {
        let mut packed = vec![0u8; cap];
        let len = pack_oz_values(values, &mut packed);
        if len < 0.0 {
            return None;
        }
        let len = len as usize;
        if len > cap {
            cap = len + 1;
            continue;
        }
        packed.truncate(len);
        return parse_packed(&packed, n);
    }
    None
}

fn parse_packed(packed: &[u8], n: usize) -> Option<Vec<(Address, oz::U256)>> {
    let mut fields = core::str::from_utf8(packed).ok()?.split(',');
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let address = Fixed::<20>::parse(fields.next()?).ok()?;
        let amount = convert::u256(fields.next()?).ok()?;
        out.push((address.0, amount));
    }
    fields.next().is_none().then_some(out)
}

/// `{ leaves, proof, proofFlags }` as `@openzeppelin/merkle-tree`'s `getMultiProof` gives
/// it: the leaves are VALUES in the order the verifier consumes them, hashed as leaves by
/// the verifier (so an inner node can never pass as a leaf).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OzMultiProofJs {
    pub leaves: Vec<OzValue>,
    pub proof: Vec<Hex0x>,
    pub proof_flags: Vec<bool>,
}

/// What `getMultiProof` returns: values as `[0x-address, decimal amount]`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OzMultiProofOut {
    pub leaves: Vec<(String, String)>,
    pub proof: Vec<Hex0x>,
    pub proof_flags: Vec<bool>,
}

fn hashes_0x(hashes: Vec<settle_core::Hash>) -> Vec<Hex0x> {
    hashes.into_iter().map(Hex0x).collect()
}

/// A `uint256` (big-endian) in decimal.
fn decimal(v: &oz::U256) -> String {
    let mut n = *v;
    let mut digits = Vec::new();
    loop {
        let mut rem = 0u32;
        for byte in n.iter_mut() {
            let cur = (rem << 8) | u32::from(*byte);
            *byte = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
        if n.iter().all(|&b| b == 0) {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// `StandardMerkleTree.of(values, ["address", "uint256"])`, byte for byte.
#[wasm_bindgen]
pub struct StandardMerkleTree {
    tree: oz::StandardMerkleTree,
}

#[wasm_bindgen]
impl StandardMerkleTree {
    /// Builds the tree over `[address, amount]` values (leaves sorted, as OpenZeppelin's
    /// default `sortLeaves: true`).
    pub fn of(
        #[wasm_bindgen(unchecked_param_type = "OzValue[]")] values: JsValue,
    ) -> JsResult<StandardMerkleTree> {
        let values = match packed_values(&values) {
            Some(values) => values,
            None => from_js::<Vec<OzValue>>(values)?
                .into_iter()
                .map(|OzValue(address, amount)| (address.0, amount.0))
                .collect(),
        };
        Ok(StandardMerkleTree {
            tree: oz::StandardMerkleTree::of(values)?,
        })
    }

    /// The root (`0x`-hex).
    #[wasm_bindgen(getter)]
    pub fn root(&self) -> String {
        to_0x(self.tree.root())
    }

    /// The number of values.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.tree.values().len()
    }

    /// `getProof(index)`: the proof (`0x`-hex) of the value at `index` (insertion order).
    #[wasm_bindgen(js_name = getProof, unchecked_return_type = "string[]")]
    pub fn get_proof(&self, index: f64) -> JsResult<js_sys::Array> {
        let proof = self.tree.proof(convert::position("index", index)?)?;
        convert::hex_0x_array(&proof)
    }

    /// `getMultiProof(indices)`: the leaves are the values, in the order the verifier
    /// consumes them, as OpenZeppelin gives them.
    #[wasm_bindgen(js_name = getMultiProof, unchecked_return_type = "OzMultiProof")]
    pub fn get_multi_proof(&self, indices: Vec<f64>) -> JsResult<JsValue> {
        let indices = indices
            .into_iter()
            .map(|i| convert::position("index", i))
            .collect::<JsResult<Vec<_>>>()?;
        let mp = self.tree.multi_proof(&indices)?;
        // equal leaf hashes are equal values, so a leaf's value is any picked value with
        // its hash
        let picked: Vec<(settle_core::Hash, &(Address, oz::U256))> = indices
            .iter()
            .map(|&i| {
                let v = &self.tree.values()[i];
                (oz::leaf_hash(&v.0, &v.1), v)
            })
            .collect();
        let leaves =
            mp.leaves
                .iter()
                .map(|h| {
                    let (_, (a, v)) = picked.iter().find(|(p, _)| p == h).ok_or_else(|| {
                        convert::Failure::new("multiproof leaf of no picked value")
                    })?;
                    Ok((to_0x(a), decimal(v)))
                })
                .collect::<JsResult<Vec<_>>>()?;
        to_js(&OzMultiProofOut {
            leaves,
            proof: hashes_0x(mp.proof),
            proof_flags: mp.proof_flags,
        })
    }

    /// The leaf hash (`0x`-hex) of the value at `index` (insertion order).
    #[wasm_bindgen(js_name = leafHash)]
    pub fn leaf_hash(&self, index: f64) -> JsResult<String> {
        Ok(to_0x(self.tree.leaf(convert::position("index", index)?)?))
    }
}

/// `StandardMerkleTree.verify(root, ["address", "uint256"], value, proof)`.
#[wasm_bindgen(js_name = ozVerify)]
pub fn oz_verify(
    root: &str,
    #[wasm_bindgen(unchecked_param_type = "OzValue")] value: JsValue,
    proof: Vec<String>,
) -> JsResult<bool> {
    let OzValue(address, amount) = from_js(value)?;
    let proof = proof
        .iter()
        .map(|p| convert::hash("proof hash", p))
        .collect::<JsResult<Vec<_>>>()?;
    Ok(oz::verify_value(&convert::hash("root", root)?, &address.0, &amount.0, &proof).is_ok())
}

/// `StandardMerkleTree.verifyMultiProof` with `{ leaves (values), proof, proofFlags }`,
/// as `getMultiProof` gives it; each value is hashed as a leaf here.
#[wasm_bindgen(js_name = ozVerifyMultiProof)]
pub fn oz_verify_multi_proof(
    root: &str,
    #[wasm_bindgen(js_name = multiProof, unchecked_param_type = "OzMultiProof")]
    multi_proof: JsValue,
) -> JsResult<bool> {
    let mp: OzMultiProofJs = from_js(multi_proof)?;
    let values: Vec<(Address, oz::U256)> = mp.leaves.iter().map(|v| (v.0 .0, v.1 .0)).collect();
    let proof: Vec<settle_core::Hash> = mp.proof.iter().map(|h| h.0).collect();
    Ok(oz::verify_multi_proof_values(
        &convert::hash("root", root)?,
        &values,
        &proof,
        &mp.proof_flags,
    )
    .is_ok())
}
