//! Keys, signing, transactions and batch data (core `crypto`, `tx`, `batch`).

use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use settle_core::batch;
use settle_core::crypto;
use settle_core::tx::{self, SignedTx, TxBody};
use wasm_bindgen::prelude::*;

use crate::convert::{self, from_js, to_hex, to_js, Dec, Fixed, HexBytes, JsResult};

/// The signing domain of a rollup deployment (hex): binds the chain id and the contract
/// address, so a transaction signed for one rollup is void on any other. The contract's
/// `config` query returns the same value.
#[wasm_bindgen(js_name = domain)]
pub fn domain(
    #[wasm_bindgen(js_name = chainId)] chain_id: &str,
    #[wasm_bindgen(js_name = contractAddress)] contract_address: &str,
) -> String {
    to_hex(tx::Domain::new(chain_id, contract_address).0)
}

/// An L2 account key (secp256k1, the curve of Cosmos account keys).
#[wasm_bindgen]
pub struct L2Key {
    pub(crate) key: crypto::L2Key,
}

#[wasm_bindgen]
impl L2Key {
    /// A fresh random key (the platform's CSPRNG: `crypto.getRandomValues`).
    pub fn generate() -> JsResult<L2Key> {
        loop {
            let mut secret = [0u8; 32];
            getrandom::getrandom(&mut secret)?;
            // All but about 2^-128 of 32-byte strings are valid scalars.
            if let Ok(key) = crypto::L2Key::from_secret(&secret) {
                return Ok(L2Key { key });
            }
        }
    }

    /// The key with these 32 secret bytes (hex).
    #[wasm_bindgen(js_name = fromSecret)]
    pub fn from_secret(secret: &str) -> JsResult<L2Key> {
        let secret = convert::hex_array("secret", secret)?;
        Ok(L2Key {
            key: crypto::L2Key::from_secret(&secret)?,
        })
    }

    /// A key derived from a label, for demos and tests only: anyone who knows the label
    /// knows the key.
    #[wasm_bindgen(js_name = fromLabel)]
    pub fn from_label(label: &str) -> L2Key {
        L2Key {
            key: crypto::L2Key::from_label(label),
        }
    }

    /// The 33-byte compressed public key (hex): what a `new_account` deposit names.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> String {
        to_hex(self.key.public_key())
    }

    /// The 32 secret bytes (hex).
    #[wasm_bindgen(getter)]
    pub fn secret(&self) -> String {
        to_hex(self.key.secret_bytes())
    }
}

/// `{ from, to, amount, nonce }` of a transfer.
#[derive(Deserialize)]
pub struct TransferArgs {
    pub from: u32,
    pub to: u32,
    pub amount: Dec<u128>,
    pub nonce: Dec<u64>,
}

/// `{ from, recipient, amount, nonce }` of a withdrawal; `recipient` is canonical hex.
#[derive(Deserialize)]
pub struct WithdrawalArgs {
    pub from: u32,
    pub recipient: HexBytes,
    pub amount: Dec<u128>,
    pub nonce: Dec<u64>,
}

fn sign(key: &L2Key, domain: &str, body: TxBody) -> JsResult<Vec<u8>> {
    body.check()?;
    Ok(SignedTx::sign(body, &convert::domain(domain)?, &key.key).encode())
}

/// A signed transfer, encoded (the bytes a batch carries).
#[wasm_bindgen(js_name = signTransfer)]
pub fn sign_transfer(
    key: &L2Key,
    domain: &str,
    #[wasm_bindgen(unchecked_param_type = "TransferArgs")] transfer: JsValue,
) -> JsResult<Vec<u8>> {
    let t: TransferArgs = from_js(transfer)?;
    sign(
        key,
        domain,
        TxBody::Transfer(tx::Transfer {
            from: t.from,
            to: t.to,
            amount: t.amount.0,
            nonce: t.nonce.0,
        }),
    )
}

/// A signed withdrawal to `recipient` (canonical address bytes, hex), encoded.
#[wasm_bindgen(js_name = signWithdrawal)]
pub fn sign_withdrawal(
    key: &L2Key,
    domain: &str,
    #[wasm_bindgen(unchecked_param_type = "WithdrawalArgs")] withdrawal: JsValue,
) -> JsResult<Vec<u8>> {
    let w: WithdrawalArgs = from_js(withdrawal)?;
    sign(
        key,
        domain,
        TxBody::Withdraw(tx::Withdraw {
            from: w.from,
            amount: w.amount.0,
            nonce: w.nonce.0,
            recipient: w.recipient.0,
        }),
    )
}

/// A decoded transaction as JS sees it.
#[derive(Serialize)]
pub struct DecodedTx {
    pub kind: &'static str,
    pub from: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<HexBytes>,
    pub amount: Dec<u128>,
    pub nonce: Dec<u64>,
    pub signature: Fixed<64>,
}

impl From<SignedTx> for DecodedTx {
    fn from(tx: SignedTx) -> Self {
        let (kind, to, recipient) = match &tx.body {
            TxBody::Transfer(t) => ("transfer", Some(t.to), None),
            TxBody::Withdraw(w) => ("withdraw", None, Some(HexBytes(w.recipient.clone()))),
        };
        DecodedTx {
            kind,
            from: tx.body.signer(),
            to,
            recipient,
            amount: Dec(tx.body.amount()),
            nonce: Dec(tx.body.nonce()),
            signature: Fixed(tx.signature),
        }
    }
}

/// Decodes exactly one encoded transaction.
#[wasm_bindgen(js_name = decodeTx, unchecked_return_type = "DecodedTx")]
pub fn decode_tx(bytes: &[u8]) -> JsResult<JsValue> {
    to_js(&DecodedTx::from(SignedTx::decode(bytes)?))
}

/// Batch data: the transactions back to back. Each must decode as one transaction.
#[wasm_bindgen(js_name = encodeBatch)]
pub fn encode_batch(txs: Vec<Uint8Array>) -> JsResult<Vec<u8>> {
    let decoded = txs
        .iter()
        .enumerate()
        .map(|(i, t)| {
            SignedTx::decode(&t.to_vec())
                .map_err(|e| convert::Failure(format!("transaction {i}: {e}")))
        })
        .collect::<JsResult<Vec<_>>>()?;
    Ok(batch::encode_batch(&decoded))
}

/// The steps batch data splits into (one per transaction; an undecodable tail is one
/// final step), as the contract and the fraud proofs see them.
#[wasm_bindgen(js_name = splitSteps)]
pub fn split_steps(data: &[u8]) -> Vec<Uint8Array> {
    batch::split_steps(data)
        .into_iter()
        .map(Uint8Array::from)
        .collect()
}

/// The batch's data root (hex): the Merkle root over its steps.
#[wasm_bindgen(js_name = dataRoot)]
pub fn data_root(data: &[u8]) -> String {
    to_hex(batch::data_root(data))
}

/// The 32-byte hash (hex) a transaction's signature covers under `domain`, computed as
/// the ledger does: `keccak256(domain || payload)`.
#[wasm_bindgen(js_name = signingHash)]
pub fn signing_hash(
    domain: &str,
    #[wasm_bindgen(js_name = txBytes)] tx_bytes: &[u8],
) -> JsResult<String> {
    SignedTx::decode(tx_bytes)?;
    Ok(to_hex(tx::signing_hash_of_payload(
        &convert::domain(domain)?,
        SignedTx::payload_of(tx_bytes),
    )))
}

/// The canonical bytes (hex) of a bech32 address: what a withdrawal names and a deposit
/// refunds to.
#[wasm_bindgen(js_name = canonicalAddress)]
pub fn canonical_address(address: &str) -> JsResult<String> {
    Ok(to_hex(convert::canonical(address)?))
}

/// The bech32 address of canonical bytes (hex) under `prefix` (e.g. `"wasm"`).
#[wasm_bindgen(js_name = humanAddress)]
pub fn human_address(canonical: &str, prefix: &str) -> JsResult<String> {
    convert::human(&convert::hex_bytes("canonical address", canonical)?, prefix)
}
