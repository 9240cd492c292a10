//! Fixed-depth sparse Merkle trees (core `smt`): compact proofs in their wire form (what
//! the contract's `withdraw` takes as `proof`) and as `{ bitmap, siblings }`, single-leaf
//! roots and checks, multi-leaf witnesses, and the default nodes.
//!
//! Every function takes the tree's `depth` (32 for the account tree, 16 for a batch's
//! withdrawal tree; any depth from 0 to 32 works).

use serde::{Deserialize, Serialize};
use settle_core::error::Error;
use settle_core::hash::ZERO_HASH;
use settle_core::smt::{self, CompactProof, SparseMultiProof};
use settle_core::Hash;
use wasm_bindgen::prelude::*;

use crate::convert::{self, from_js, to_hex, to_js, Fixed, Hex32, JsResult};

/// `{ bitmap, siblings }`: a compact proof (bit `l` of `bitmap` set = the sibling at
/// level `l` is not the default node; `siblings` the non-default ones, from the leaf up).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompactProofJs {
    pub bitmap: u32,
    pub siblings: Vec<Hex32>,
}

impl From<CompactProof> for CompactProofJs {
    fn from(p: CompactProof) -> Self {
        CompactProofJs {
            bitmap: p.bitmap,
            siblings: p.siblings.into_iter().map(Fixed).collect(),
        }
    }
}

impl From<CompactProofJs> for CompactProof {
    fn from(p: CompactProofJs) -> Self {
        CompactProof {
            bitmap: p.bitmap,
            siblings: p.siblings.into_iter().map(|h| h.0).collect(),
        }
    }
}

/// `{ indices, present, hashes }`: a witness for several leaves of one tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SparseWitnessJs {
    pub indices: Vec<u64>,
    pub present: Vec<bool>,
    pub hashes: Vec<Hex32>,
}

impl From<SparseWitnessJs> for SparseMultiProof {
    fn from(w: SparseWitnessJs) -> Self {
        SparseMultiProof {
            indices: w.indices,
            present: w.present,
            hashes: w.hashes.into_iter().map(|h| h.0).collect(),
        }
    }
}

/// A compact proof from its wire form (hex): an argument error throws, a malformed
/// proof is the core's error.
fn wire(depth: usize, proof: &str) -> JsResult<Result<CompactProof, Error>> {
    Ok(CompactProof::from_bytes(
        depth,
        &convert::hex_bytes("proof", proof)?,
    ))
}

fn leaves(leaves: &[String]) -> JsResult<Vec<Hash>> {
    leaves.iter().map(|l| convert::hash("leaf", l)).collect()
}

fn check(
    depth: f64,
    root: &str,
    index: f64,
    leaf: &str,
    proof: &str,
) -> JsResult<Result<(), Error>> {
    let depth = convert::depth("depth", depth)?;
    let root = convert::hash("root", root)?;
    let index = convert::uint("index", index)?;
    let leaf = convert::hash("leaf", leaf)?;
    Ok(wire(depth, proof)?.and_then(|p| smt::verify(depth, &root, index, &leaf, &p)))
}

fn check_many(
    depth: f64,
    root: &str,
    witness: JsValue,
    leaf_hashes: Vec<String>,
) -> JsResult<Result<(), Error>> {
    let depth = convert::depth("depth", depth)?;
    let root = convert::hash("root", root)?;
    let witness: SparseMultiProof = from_js::<SparseWitnessJs>(witness)?.into();
    Ok(witness.verify(depth, &root, &leaves(&leaf_hashes)?))
}

/// The root (hex) that `proof` (wire form, hex) leads to from the leaf hash `leaf` at
/// `index`. Throws the core's error for a malformed proof or an index outside the tree.
#[wasm_bindgen(js_name = sparseComputeRoot)]
pub fn sparse_compute_root(depth: f64, index: f64, leaf: &str, proof: &str) -> JsResult<String> {
    let depth = convert::depth("depth", depth)?;
    let index = convert::uint("index", index)?;
    let leaf = convert::hash("leaf", leaf)?;
    let proof = wire(depth, proof)??;
    Ok(to_hex(smt::compute_root(depth, index, &leaf, &proof)?))
}

/// Whether `proof` (wire form, hex) puts the leaf hash `leaf` at `index` under `root`.
/// Throws only for an argument that cannot be read.
#[wasm_bindgen(js_name = sparseVerify)]
pub fn sparse_verify(
    depth: f64,
    root: &str,
    index: f64,
    leaf: &str,
    proof: &str,
) -> JsResult<bool> {
    Ok(check(depth, root, index, leaf, proof)?.is_ok())
}

/// As `sparseVerify`, but throws the core's reason when the proof fails (the wire form
/// is parsed first, then checked).
#[wasm_bindgen(js_name = sparseCheck)]
pub fn sparse_check(depth: f64, root: &str, index: f64, leaf: &str, proof: &str) -> JsResult<()> {
    Ok(check(depth, root, index, leaf, proof)??)
}

/// The parts of a proof's wire form (hex): the bitmap big-endian in `ceil(depth / 8)`
/// bytes, then the siblings. Throws the core's error when they disagree.
#[wasm_bindgen(js_name = sparseProofFromBytes, unchecked_return_type = "SparseProof")]
pub fn sparse_proof_from_bytes(depth: f64, proof: &str) -> JsResult<JsValue> {
    let depth = convert::depth("depth", depth)?;
    to_js(&CompactProofJs::from(wire(depth, proof)??))
}

/// The wire form (hex) of a proof's parts. Throws the core's error for a bitmap with
/// bits above `depth` or a sibling count that does not match it.
#[wasm_bindgen(js_name = sparseProofToBytes)]
pub fn sparse_proof_to_bytes(
    depth: f64,
    #[wasm_bindgen(unchecked_param_type = "SparseProof")] proof: JsValue,
) -> JsResult<String> {
    let depth = convert::depth("depth", depth)?;
    let proof: CompactProof = from_js::<CompactProofJs>(proof)?.into();
    // The core checks a proof's shape wherever it uses one (computing a root); the wire
    // form alone would drop bitmap bits above `depth` without a word.
    smt::compute_root(depth, 0, &ZERO_HASH, &proof)?;
    Ok(to_hex(proof.to_bytes(depth)))
}

/// The root (hex) of the tree whose leaves at `witness.indices` are the leaf hashes
/// `leaves` and whose other nodes are as witnessed: with the old leaves the old root,
/// with updated leaves the root after the update. Throws the core's error for a witness
/// that does not fit the leaves.
#[wasm_bindgen(js_name = sparseWitnessRoot)]
pub fn sparse_witness_root(
    depth: f64,
    #[wasm_bindgen(unchecked_param_type = "SparseWitness")] witness: JsValue,
    leaves: Vec<String>,
) -> JsResult<String> {
    let depth = convert::depth("depth", depth)?;
    let witness: SparseMultiProof = from_js::<SparseWitnessJs>(witness)?.into();
    Ok(to_hex(
        witness.compute_root(depth, &self::leaves(&leaves)?)?,
    ))
}

/// Whether `witness` puts the leaf hashes `leaves` (in the order of `witness.indices`)
/// under `root`. Throws only for an argument that cannot be read.
#[wasm_bindgen(js_name = sparseVerifyMany)]
pub fn sparse_verify_many(
    depth: f64,
    root: &str,
    #[wasm_bindgen(unchecked_param_type = "SparseWitness")] witness: JsValue,
    leaves: Vec<String>,
) -> JsResult<bool> {
    Ok(check_many(depth, root, witness, leaves)?.is_ok())
}

/// As `sparseVerifyMany`, but throws the core's reason when the witness fails.
#[wasm_bindgen(js_name = sparseCheckMany)]
pub fn sparse_check_many(
    depth: f64,
    root: &str,
    #[wasm_bindgen(unchecked_param_type = "SparseWitness")] witness: JsValue,
    leaves: Vec<String>,
) -> JsResult<()> {
    Ok(check_many(depth, root, witness, leaves)??)
}

/// The root (hex) of an empty subtree of height `level` (0 to 32): 32 zero bytes at
/// level 0, then `hashNode(d, d)` of the level below.
#[wasm_bindgen(js_name = defaultNode)]
pub fn default_node(level: f64) -> JsResult<String> {
    Ok(to_hex(smt::default_node(convert::depth("level", level)?)))
}
