//! Keccak-256 and the domain tags (core `hash`): the primitives every commitment of the
//! suite is built from, for a page that recomputes or inspects one.

use serde::Serialize;
use settle_core::hash::{
    self, DATA_TAG, DEPOSIT_TAG, LEAF_TAG, NODE_TAG, OUTPUT_TAG, STATE_TAG, TX_DOMAIN_TAG,
};
use wasm_bindgen::prelude::*;

use crate::convert::{self, to_hex, to_js, HexBytes, JsResult};

/// Plain Keccak-256 (hex) of `data`, with the original padding Ethereum uses.
#[wasm_bindgen]
pub fn keccak256(data: &[u8]) -> String {
    to_hex(hash::keccak256(data))
}

/// The inner-node hash (hex) of two hashes (hex): `keccak256(0x01 || left || right)`.
#[wasm_bindgen(js_name = hashNode)]
pub fn hash_node(left: &str, right: &str) -> JsResult<String> {
    Ok(to_hex(hash::hash_node(
        &convert::hash("left", left)?,
        &convert::hash("right", right)?,
    )))
}

/// `{ leaf, node, state, output, data, txDomain, deposit }`: the domain tags as hex (the
/// one-byte leaf and node prefixes, and the ASCII tags of the other commitments).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagsJs {
    pub leaf: HexBytes,
    pub node: HexBytes,
    pub state: HexBytes,
    pub output: HexBytes,
    pub data: HexBytes,
    pub tx_domain: HexBytes,
    pub deposit: HexBytes,
}

/// The domain tags every commitment prefixes, as hex.
#[wasm_bindgen(unchecked_return_type = "Tags")]
pub fn tags() -> JsResult<JsValue> {
    let hex = |tag: &[u8]| HexBytes(tag.to_vec());
    to_js(&TagsJs {
        leaf: hex(&[LEAF_TAG]),
        node: hex(&[NODE_TAG]),
        state: hex(STATE_TAG),
        output: hex(OUTPUT_TAG),
        data: hex(DATA_TAG),
        tx_domain: hex(TX_DOMAIN_TAG),
        deposit: hex(DEPOSIT_TAG),
    })
}
