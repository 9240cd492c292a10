//! OpenZeppelin `StandardMerkleTree` interop (core `oz`) for `["address", "uint256"]`
//! values, with `@openzeppelin/merkle-tree`'s conventions: hashes as `0x`-hex, values as
//! `[address, amount]` with the amount a decimal (or `0x`-hex) string.

use serde::{Deserialize, Serialize};
use settle_core::oz::{self, Address, OzMultiProof};
use wasm_bindgen::prelude::*;

use crate::convert::{self, from_js, to_0x, to_js, Fixed, Hex0x, JsResult, U256};

/// `[address, amount]`: a 20-byte `0x`-hex address and a `uint256` amount (a decimal or
/// `0x`-hex string, or a safe integer).
#[derive(Deserialize)]
pub struct OzValue(pub Fixed<20>, pub U256);

/// `{ leaves, proof, proofFlags }`: the leaves are leaf hashes in the order the verifier
/// consumes them (what Solidity's `MerkleProof.multiProofVerify` takes).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OzMultiProofJs {
    pub leaves: Vec<Hex0x>,
    pub proof: Vec<Hex0x>,
    pub proof_flags: Vec<bool>,
}

fn hashes_0x(hashes: Vec<settle_core::Hash>) -> Vec<Hex0x> {
    hashes.into_iter().map(Hex0x).collect()
}

impl From<OzMultiProof> for OzMultiProofJs {
    fn from(mp: OzMultiProof) -> Self {
        OzMultiProofJs {
            leaves: hashes_0x(mp.leaves),
            proof: hashes_0x(mp.proof),
            proof_flags: mp.proof_flags,
        }
    }
}

impl From<OzMultiProofJs> for OzMultiProof {
    fn from(mp: OzMultiProofJs) -> Self {
        OzMultiProof {
            leaves: mp.leaves.into_iter().map(|h| h.0).collect(),
            proof: mp.proof.into_iter().map(|h| h.0).collect(),
            proof_flags: mp.proof_flags,
        }
    }
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
        let values: Vec<OzValue> = from_js(values)?;
        let values: Vec<(Address, oz::U256)> = values
            .into_iter()
            .map(|OzValue(address, amount)| (address.0, amount.0))
            .collect();
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
    #[wasm_bindgen(js_name = getProof)]
    pub fn get_proof(&self, index: f64) -> JsResult<Vec<String>> {
        let proof = self.tree.proof(convert::position("index", index)?)?;
        Ok(proof.into_iter().map(to_0x).collect())
    }

    /// `getMultiProof(indices)`, with the leaves as leaf hashes.
    #[wasm_bindgen(js_name = getMultiProof, unchecked_return_type = "OzMultiProof")]
    pub fn get_multi_proof(&self, indices: Vec<f64>) -> JsResult<JsValue> {
        let indices = indices
            .into_iter()
            .map(|i| convert::position("index", i))
            .collect::<JsResult<Vec<_>>>()?;
        to_js(&OzMultiProofJs::from(self.tree.multi_proof(&indices)?))
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
    Ok(oz::verify(
        &convert::hash("root", root)?,
        &oz::leaf_hash(&address.0, &amount.0),
        &proof,
    )
    .is_ok())
}

/// `MerkleProof.multiProofVerify` with `{ leaves (leaf hashes), proof, proofFlags }`.
#[wasm_bindgen(js_name = ozVerifyMultiProof)]
pub fn oz_verify_multi_proof(
    root: &str,
    #[wasm_bindgen(js_name = multiProof, unchecked_param_type = "OzMultiProof")]
    multi_proof: JsValue,
) -> JsResult<bool> {
    let mp: OzMultiProofJs = from_js(multi_proof)?;
    Ok(oz::verify_multi_proof(&convert::hash("root", root)?, &mp.into()).is_ok())
}
