//! The suite's binary Merkle tree (core `merkle`): leaves tagged `0x00`, nodes `0x01`, an
//! odd node carried up unchanged.

use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use settle_core::error::Error;
use settle_core::hash::hash_leaf;
use settle_core::merkle::{self, MultiProof, Proof};
use wasm_bindgen::prelude::*;

use crate::convert::{self, from_js, to_hex, to_js, Hex32, JsResult};

/// `{ index, leafCount, siblings }`: a proof for one leaf.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProofJs {
    pub index: u64,
    pub leaf_count: u64,
    pub siblings: Vec<Hex32>,
}

impl From<Proof> for ProofJs {
    fn from(p: Proof) -> Self {
        ProofJs {
            index: p.index,
            leaf_count: p.leaf_count,
            siblings: p.siblings.into_iter().map(convert::Fixed).collect(),
        }
    }
}

impl From<ProofJs> for Proof {
    fn from(p: ProofJs) -> Self {
        Proof {
            index: p.index,
            leaf_count: p.leaf_count,
            siblings: p.siblings.into_iter().map(|h| h.0).collect(),
        }
    }
}

/// `{ indices, leafCount, hashes }`: one proof for several leaves.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiProofJs {
    pub indices: Vec<u64>,
    pub leaf_count: u64,
    pub hashes: Vec<Hex32>,
}

impl From<MultiProof> for MultiProofJs {
    fn from(p: MultiProof) -> Self {
        MultiProofJs {
            indices: p.indices,
            leaf_count: p.leaf_count,
            hashes: p.hashes.into_iter().map(convert::Fixed).collect(),
        }
    }
}

impl From<MultiProofJs> for MultiProof {
    fn from(p: MultiProofJs) -> Self {
        MultiProof {
            indices: p.indices,
            leaf_count: p.leaf_count,
            hashes: p.hashes.into_iter().map(|h| h.0).collect(),
        }
    }
}

/// A binary Merkle tree that keeps its layers, for building proofs.
#[wasm_bindgen]
pub struct MerkleTree {
    tree: merkle::MerkleTree,
}

#[wasm_bindgen]
impl MerkleTree {
    /// Hashes each item as a leaf (`keccak256(0x00 || item)`) and builds the tree.
    #[wasm_bindgen(constructor)]
    pub fn new(items: Vec<Uint8Array>) -> MerkleTree {
        MerkleTree {
            tree: merkle::MerkleTree::from_data(items.iter().map(Uint8Array::to_vec)),
        }
    }

    /// A tree over leaf hashes (hex) that are already hashed.
    #[wasm_bindgen(js_name = fromLeafHashes)]
    pub fn from_leaf_hashes(leaves: Vec<String>) -> JsResult<MerkleTree> {
        let leaves = leaves
            .iter()
            .map(|l| convert::hash("leaf", l))
            .collect::<JsResult<Vec<_>>>()?;
        Ok(MerkleTree {
            tree: merkle::MerkleTree::from_leaf_hashes(leaves),
        })
    }

    /// The root (hex); 32 zero bytes for an empty tree.
    #[wasm_bindgen(getter)]
    pub fn root(&self) -> String {
        to_hex(self.tree.root())
    }

    /// The number of leaves.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.tree.len()
    }

    /// The leaf hash (hex) at `index`.
    pub fn leaf(&self, index: f64) -> JsResult<String> {
        let leaves = self.tree.leaves();
        let leaf =
            leaves
                .get(convert::position("index", index)?)
                .ok_or(Error::IndexOutOfRange {
                    index: convert::uint("index", index)?,
                    len: leaves.len() as u64,
                })?;
        Ok(to_hex(leaf))
    }

    /// A proof for the leaf at `index`.
    #[wasm_bindgen(unchecked_return_type = "MerkleProof")]
    pub fn prove(&self, index: f64) -> JsResult<JsValue> {
        let proof = self.tree.prove(convert::uint("index", index)?)?;
        to_js(&ProofJs::from(proof))
    }

    /// One proof for the leaves at `indices` (strictly increasing).
    #[wasm_bindgen(js_name = proveMany, unchecked_return_type = "MerkleMultiProof")]
    pub fn prove_many(&self, indices: Vec<f64>) -> JsResult<JsValue> {
        let indices = indices
            .into_iter()
            .map(|i| convert::uint("index", i))
            .collect::<JsResult<Vec<_>>>()?;
        to_js(&MultiProofJs::from(self.tree.prove_many(&indices)?))
    }
}

/// The leaf hash (hex) of `data`: `keccak256(0x00 || data)`.
#[wasm_bindgen(js_name = hashLeaf)]
pub fn hash_leaf_js(data: &[u8]) -> String {
    to_hex(hash_leaf(data))
}

fn check(root: &str, data: &[u8], proof: JsValue) -> JsResult<Result<(), Error>> {
    let proof: ProofJs = from_js(proof)?;
    Ok(merkle::verify_data(
        &convert::hash("root", root)?,
        data,
        &proof.into(),
    ))
}

fn check_many(root: &str, data: Vec<Uint8Array>, proof: JsValue) -> JsResult<Result<(), Error>> {
    let proof: MultiProofJs = from_js(proof)?;
    let data: Vec<Vec<u8>> = data.iter().map(Uint8Array::to_vec).collect();
    Ok(merkle::verify_many_data(
        &convert::hash("root", root)?,
        &data,
        &proof.into(),
    ))
}

/// Whether `proof` puts the leaf DATA `data` under `root`. The data is hashed as a leaf
/// (`keccak256(0x00 || data)`) here, so an inner node can never pass as a leaf. Throws
/// only for an argument that cannot be read.
#[wasm_bindgen(js_name = merkleVerify)]
pub fn merkle_verify(
    root: &str,
    data: &[u8],
    #[wasm_bindgen(unchecked_param_type = "MerkleProof")] proof: JsValue,
) -> JsResult<bool> {
    Ok(check(root, data, proof)?.is_ok())
}

/// As `merkleVerify`, but throws the core's reason when the proof fails.
#[wasm_bindgen(js_name = merkleCheck)]
pub fn merkle_check(
    root: &str,
    data: &[u8],
    #[wasm_bindgen(unchecked_param_type = "MerkleProof")] proof: JsValue,
) -> JsResult<()> {
    Ok(check(root, data, proof)??)
}

/// Whether `proof` puts the leaf DATA `data` (in the order of `proof.indices`, each hashed
/// as a leaf here) under `root`. Throws only for an argument that cannot be read.
#[wasm_bindgen(js_name = merkleVerifyMany)]
pub fn merkle_verify_many(
    root: &str,
    data: Vec<Uint8Array>,
    #[wasm_bindgen(unchecked_param_type = "MerkleMultiProof")] proof: JsValue,
) -> JsResult<bool> {
    Ok(check_many(root, data, proof)?.is_ok())
}

/// As `merkleVerifyMany`, but throws the core's reason when the proof fails.
#[wasm_bindgen(js_name = merkleCheckMany)]
pub fn merkle_check_many(
    root: &str,
    data: Vec<Uint8Array>,
    #[wasm_bindgen(unchecked_param_type = "MerkleMultiProof")] proof: JsValue,
) -> JsResult<()> {
    Ok(check_many(root, data, proof)??)
}
