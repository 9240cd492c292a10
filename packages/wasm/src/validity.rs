//! The validity (zk) rollup (core `validity`, prover `settle-zk`): Jubjub keys and their
//! signatures, the rollup domain, the Poseidon ledger and its batches, the Groth16 prover,
//! Groth16 verification of any proof (the batch circuit's or one snarkjs made), snarkjs's
//! JSON, and the validity-rollup contract's messages.
//!
//! Field elements (roots, domains, messages, public inputs) are 32-byte big-endian hex,
//! canonical (below the BLS12-381 scalar modulus); Jubjub keys are `x || y` (64 bytes),
//! signatures `R || S` (96 bytes), Groth16 proofs `A || B || C` compressed (192 bytes).
//! As in [`crate::channel`], every builder is plain Rust (`ZkLedger::sign`,
//! `ZkLedger::batch`, `submit_batch`, `exodus_withdraw`, ...) so a native test runs the
//! real contract on its output; the `#[wasm_bindgen]` functions only convert.

use cosmwasm_std::{Binary, Uint128};
use js_sys::{Function, Reflect};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use settle_core::ledger::NoOp;
use settle_core::validity::eddsa::{PublicKey, SecretKey, Signature};
use settle_core::validity::field::{fr_from_bytes, fr_to_bytes, Fr};
use settle_core::validity::groth16::{self, ArkBackend, Proof, VerifyingKey, PROOF_LEN};
use settle_core::validity::ledger::{
    self, BatchData, BatchWitness, Deposit, Ledger, Shape, Statement, Tx, TxBody,
};
use settle_core::validity::snarkjs;
use settle_zk::{ProvingKey, Stage};
pub use validity_rollup::msg::{DepositTarget, ExecuteMsg, QueryMsg};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::convert::{self, from_js, to_hex, to_js, Base64, Dec, Failure, HexBytes, JsResult};
use crate::msg::Verdict;

#[wasm_bindgen(typescript_custom_section)]
const TS_VALIDITY_TYPES: &str = r#"
/** A circuit shape: deposit and transaction slots per batch (the contract's `config.shape`). */
export interface ZkShape { deposits: number; txs: number; }
/** Where a deposit goes (the contract's snake_case `{ new_account: { pubkey } }` is accepted too); `pubkey` is a Jubjub key, `x || y` (64 bytes). */
export type ZkDepositTarget = { newAccount: { pubkey: Hex } } | { account: { index: number; pubkey: Hex } } | { exit: { account: number } };
/** A queued deposit: the contract's `deposit` query response (`{ target, amount, ... }`) is one as it is. */
export interface ZkDeposit { target: ZkDepositTarget; amount: Decimal; }
/** `from` defaults to the first account of the key, `nonce` to the account's (0 for an account a deposit of the same batch opens). */
export interface ZkTransferArgs { from?: number; to: number; amount: Decimal; nonce?: Decimal; }
/** `recipient`: canonical L1 address bytes (hex, 20 or 32 bytes), see `canonicalAddress`. */
export interface ZkWithdrawalArgs { from?: number; recipient: Hex; amount: Decimal; nonce?: Decimal; }
/** A signed transaction as the prover holds it (the batch data carries all but `nonce` and `signature`). */
export interface ZkTx {
  kind: "transfer" | "withdraw";
  from: number;
  to?: number;
  recipient?: Hex;
  amount: Decimal;
  nonce: Decimal;
  /** `R || S`, 96 bytes. */
  signature: Hex;
}
/** What a batch proof proves; its hash is the proof's one public input. */
export interface ZkStatement {
  domain: Hex;
  prevStateRoot: Hex;
  newStateRoot: Hex;
  dataCommitment: Hex;
  depositsBefore: Hex;
  depositsAfter: Hex;
}
/** A withdrawal the batch credits to its recipient (who claims it with `validityClaimMsg`): canonical recipient (hex) and amount. */
export interface ZkWithdrawal { recipient: Hex; amount: string; }
/** `ZkLedger.applyBatch`'s result: the witness to prove (`ZkProver.prove`) and the parts of `submitBatchMsg` (`{ ...batch, proof }` is its argument). */
export interface ZkBatch {
  witness: ZkWitness;
  shape: ZkShape;
  /** The batch data, base64 (what `submit_batch` posts). */
  data: string;
  /** Deposits consumed. */
  deposits: number;
  txs: number;
  newAccountsRoot: Hex;
  newAccountCount: number;
  statement: ZkStatement;
  publicInput: Hex;
  withdrawals: ZkWithdrawal[];
  /** The amount each exit request (`{ exit: { account } }`) among the consumed deposits withdrew (the account's whole balance), in queue order: posted in the data after the transactions; the contract credits each to the recipient the request named. */
  exits: string[];
}
/** `submitBatchMsg`'s and `checkBatchQuery`'s argument (snake_case accepted); `data` base64, `proof` 192 bytes hex. */
export interface SubmitBatchArgs { data: string; deposits: number; newAccountsRoot: Hex; newAccountCount: number; proof: Hex; }
export type ZkStage = "synthesizing" | "checking" | "proving" | "done";
/** `synthesizing`: `{ deposits, txs }` (the batch's); `checking` and `proving`: `{ constraints }`; `done`: `{}`. */
export interface ZkStageInfo { deposits?: number; txs?: number; constraints?: number; }
export type ValidityDepositMsg = MessageOf<ValidityRollupExecuteMsg, "deposit">;
export type SubmitBatchMsg = MessageOf<ValidityRollupExecuteMsg, "submit_batch">;
export type ExodusWithdrawMsg = MessageOf<ValidityRollupExecuteMsg, "exodus_withdraw">;
export type RequestExitMsg = MessageOf<ValidityRollupExecuteMsg, "request_exit">;
export type ValidityAccountQuery = MessageOf<ValidityRollupQueryMsg, "account">;
/** The contract's `account` query response: the key that opened the account (none if no deposit opens it yet) and the `sequence` the next exit request signs. */
export type ValidityAccountResponse = ValidityRollupAccountResponse;
export type ReclaimDepositMsg = MessageOf<ValidityRollupExecuteMsg, "reclaim_deposit">;
export type ValidityClaimMsg = MessageOf<ValidityRollupExecuteMsg, "claim">;
export type ValidityCreditQuery = MessageOf<ValidityRollupQueryMsg, "credit">;
export type CheckBatchQuery = MessageOf<ValidityRollupQueryMsg, "check_batch">;
export type VerifyProofQuery = MessageOf<ValidityRollupQueryMsg, "verify_proof">;
"#;

// ---- values on the wire -------------------------------------------------------------

/// A field element from hex (32 bytes, canonical: the core's errors name `what`).
pub fn fr_arg(what: &'static str, s: &str) -> JsResult<Fr> {
    Ok(fr_from_bytes(what, &convert::hex_bytes(what, s)?)?)
}

/// A field element as hex.
pub fn fr_hex(x: &Fr) -> String {
    to_hex(fr_to_bytes(x))
}

/// A serde visitor of hex strings (or base64, as the contract's answers carry bytes),
/// converting the bytes with `parse`.
struct HexVisitor<T>(&'static str, fn(&[u8]) -> JsResult<T>);

/// The bytes of a value written as hex or base64 (the contract's answers): hex when it
/// starts with `0x` or every character is a hex digit (the base64 of a value of 32 bytes
/// or more is all hex digits with a chance below 2^-88), base64 otherwise. The callers
/// check the size.
fn hex_or_base64(what: &str, s: &str) -> JsResult<Vec<u8>> {
    if s.starts_with("0x") || s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return convert::hex_bytes(what, s);
    }
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| Failure(format!("{what}: {s:?} is neither hex nor base64 ({e})")))
}

/// Bytes in a contract message: base64 (CosmWasm's `Binary`).
/// Bytes as the contract's `Binary`.
fn bin(bytes: impl AsRef<[u8]>) -> Binary {
    Binary::from(bytes.as_ref())
}

impl<T> Visitor<'_> for HexVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        write!(f, "{} as a hex string", self.0)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        hex_or_base64(self.0, s)
            .and_then(|b| (self.1)(&b))
            .map_err(|e| E::custom(e.0))
    }
}

/// A canonical field element as hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrHex(pub Fr);

impl Serialize for FrHex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&fr_hex(&self.0))
    }
}

impl<'de> Deserialize<'de> for FrHex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(HexVisitor("field element", |b| {
            Ok(FrHex(fr_from_bytes("field element", b)?))
        }))
    }
}

/// A Jubjub public key as hex (`x || y`), checked as the contract checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZkPubkey(pub PublicKey);

impl Serialize for ZkPubkey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(self.0.encode()))
    }
}

impl<'de> Deserialize<'de> for ZkPubkey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(HexVisitor("jubjub public key", |b| {
            Ok(ZkPubkey(PublicKey::decode(b)?))
        }))
    }
}

/// A Jubjub signature as hex (`R || S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZkSignature(pub Signature);

impl Serialize for ZkSignature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(self.0.encode()))
    }
}

impl<'de> Deserialize<'de> for ZkSignature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(HexVisitor("jubjub signature", |b| {
            Ok(ZkSignature(Signature::decode(b)?))
        }))
    }
}

/// A Groth16 proof as hex, in well-formed compressed form ([`Proof::decode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProofHex(pub Proof);

impl Serialize for ProofHex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(self.0.encode()))
    }
}

impl<'de> Deserialize<'de> for ProofHex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(HexVisitor("groth16 proof", |b| {
            Ok(ProofHex(Proof::decode(b)?))
        }))
    }
}

/// `{ deposits, txs }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShapeJs {
    pub deposits: usize,
    pub txs: usize,
}

impl From<ShapeJs> for Shape {
    fn from(s: ShapeJs) -> Shape {
        Shape {
            deposits: s.deposits,
            txs: s.txs,
        }
    }
}

impl From<Shape> for ShapeJs {
    fn from(s: Shape) -> ShapeJs {
        ShapeJs {
            deposits: s.deposits,
            txs: s.txs,
        }
    }
}

/// Bytes given as a `Uint8Array` or as hex.
fn bytes_or_hex(what: &str, value: &JsValue) -> JsResult<Vec<u8>> {
    if let Some(s) = value.as_string() {
        return convert::hex_bytes(what, &s);
    }
    match value.dyn_ref::<js_sys::Uint8Array>() {
        Some(a) => Ok(a.to_vec()),
        None => Err(Failure::new(format!(
            "{what}: expected a Uint8Array or a hex string"
        ))),
    }
}

// ---- Jubjub keys -------------------------------------------------------------------

/// An account key of the validity rollup (EdDSA over Jubjub, core `validity::eddsa`).
#[wasm_bindgen]
pub struct ZkKey {
    seed: [u8; 32],
    pub(crate) key: SecretKey,
}

impl ZkKey {
    /// The key of a 32-byte seed.
    pub fn of_seed(seed: [u8; 32]) -> ZkKey {
        ZkKey {
            seed,
            key: SecretKey::from_seed(&seed),
        }
    }

    /// The core's key.
    pub fn secret_key(&self) -> &SecretKey {
        &self.key
    }
}

#[wasm_bindgen]
impl ZkKey {
    /// A fresh random key (the platform's CSPRNG: `crypto.getRandomValues`).
    pub fn generate() -> JsResult<ZkKey> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed)?;
        Ok(ZkKey::of_seed(seed))
    }

    /// The key of 32 seed bytes (a `Uint8Array` or hex); any 32 bytes make a key.
    #[wasm_bindgen(js_name = fromSeed)]
    pub fn from_seed(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | Hex")] seed: JsValue,
    ) -> JsResult<ZkKey> {
        let bytes = bytes_or_hex("seed", &seed)?;
        Ok(ZkKey::of_seed(settle_core::error::exact("seed", &bytes)?))
    }

    /// The 32 seed bytes (hex): keep them secret.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> String {
        to_hex(self.seed)
    }

    /// The public key, `x || y` (64 bytes, hex): what a `new_account` deposit names.
    #[wasm_bindgen(getter, js_name = publicKey)]
    pub fn public_key(&self) -> String {
        to_hex(self.key.public_key().encode())
    }

    /// The signature (`R || S`, 96 bytes, hex; deterministic) on a message, a field
    /// element (hex): a transaction's or an exit's message.
    pub fn sign(&self, message: &str) -> JsResult<String> {
        Ok(to_hex(self.key.sign(&fr_arg("message", message)?).encode()))
    }
}

/// Whether `signature` is `pubkey`'s on `message` (core `PublicKey::verify`): a key or
/// signature that does not decode, or a false signature, is `valid: false` with the
/// core's reason. Throws only for an argument that is not hex.
pub fn zk_verify_bytes(pubkey: &[u8], message: &[u8], signature: &[u8]) -> Verdict {
    let result = (|| -> JsResult<()> {
        let key = PublicKey::decode(pubkey)?;
        let message = fr_from_bytes("message", message)?;
        let signature = Signature::decode(signature)?;
        if key.verify(&message, &signature) {
            Ok(())
        } else {
            Err(NoOp::BadSignature.into())
        }
    })();
    Verdict {
        valid: result.is_ok(),
        reason: result.err().map(|e| e.0),
    }
}

#[wasm_bindgen(js_name = zkVerify, unchecked_return_type = "Verdict")]
pub fn zk_verify(pubkey: &str, message: &str, signature: &str) -> JsResult<JsValue> {
    to_js(&zk_verify_bytes(
        &convert::hex_bytes("jubjub public key", pubkey)?,
        &convert::hex_bytes("message", message)?,
        &convert::hex_bytes("jubjub signature", signature)?,
    ))
}

/// The rollup's domain element (hex): binds the chain id and the contract address (its
/// bech32 string, as the contract hashes `env.contract.address`), so a transaction or an
/// exit signed for one rollup is void on any other. The contract's `config` query returns
/// the same value.
#[wasm_bindgen(js_name = rollupDomain)]
pub fn rollup_domain(
    #[wasm_bindgen(js_name = chainId)] chain_id: &str,
    #[wasm_bindgen(js_name = contractAddress)] contract_address: &str,
) -> String {
    fr_hex(&ledger::rollup_domain(
        chain_id,
        contract_address.as_bytes(),
    ))
}

/// What an account key signs to leave in exodus mode (hex): core `exit_message` of the
/// account and the recipient's canonical address bytes (hex, 20 or 32 bytes).
#[wasm_bindgen(js_name = exitMessage)]
pub fn exit_message(domain: &str, account: u32, recipient: &str) -> JsResult<String> {
    let recipient = convert::hex_bytes("recipient", recipient)?;
    let hasher = settle_core::validity::poseidon::Poseidon::new();
    Ok(fr_hex(&ledger::exit_message(
        &hasher,
        &fr_arg("domain", domain)?,
        account,
        &recipient,
    )?))
}

/// What an account key signs to ask on L1 for a full exit (hex): core
/// `exit_request_message` of the account, the recipient's canonical address bytes (hex, 20
/// or 32 bytes) and `sequence` (the `exit_sequence` of the contract's `account` query:
/// the number of exit requests taken for the account before).
#[wasm_bindgen(js_name = exitRequestMessage)]
pub fn exit_request_message(
    domain: &str,
    account: u32,
    #[wasm_bindgen(js_name = recipientCanonical)] recipient_canonical: &str,
    sequence: f64,
) -> JsResult<String> {
    let recipient = convert::hex_bytes("recipient", recipient_canonical)?;
    let hasher = settle_core::validity::poseidon::Poseidon::new();
    Ok(fr_hex(&ledger::exit_request_message(
        &hasher,
        &fr_arg("domain", domain)?,
        account,
        &recipient,
        convert::uint("sequence", sequence)?,
    )?))
}

// ---- the ledger ----------------------------------------------------------------------

/// `{ newAccount: { pubkey } }`, `{ account: { index, pubkey } }` (the key that opened
/// the account) or, as the contract's `deposit` query reports a queued exit request,
/// `{ exit: { account } }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ZkTargetJs {
    #[serde(alias = "new_account")]
    NewAccount {
        pubkey: ZkPubkey,
    },
    Account {
        #[serde(alias = "account")]
        index: u32,
        pubkey: ZkPubkey,
    },
    Exit {
        account: u32,
    },
}

/// `{ target, amount }` (other fields, as the contract's `deposit` response has, are
/// ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkDepositJs {
    pub target: ZkTargetJs,
    pub amount: Dec<u128>,
}

impl From<ZkDepositJs> for Deposit {
    fn from(d: ZkDepositJs) -> Deposit {
        match d.target {
            ZkTargetJs::NewAccount { pubkey } => Deposit::NewAccount {
                key: pubkey.0,
                amount: d.amount.0,
            },
            ZkTargetJs::Account { index, .. } => Deposit::Credit {
                account: index,
                amount: d.amount.0,
            },
            ZkTargetJs::Exit { account } => Deposit::Exit { account },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ZkTxKind {
    Transfer,
    Withdraw,
}

/// A signed transaction: `{ kind, from, to | recipient, amount, nonce, signature }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZkTxJs {
    pub kind: ZkTxKind,
    pub from: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<HexBytes>,
    pub amount: Dec<u128>,
    pub nonce: Dec<u64>,
    pub signature: ZkSignature,
}

impl ZkTxJs {
    /// The core's transaction (a transfer needs `to`, a withdrawal `recipient`).
    pub fn to_core(&self) -> JsResult<Tx> {
        let body = match self.kind {
            ZkTxKind::Transfer => TxBody::Transfer {
                from: self.from,
                to: self
                    .to
                    .ok_or_else(|| Failure::new("a transfer needs `to`"))?,
                amount: self.amount.0,
            },
            ZkTxKind::Withdraw => TxBody::Withdraw {
                from: self.from,
                amount: self.amount.0,
                recipient: self
                    .recipient
                    .clone()
                    .ok_or_else(|| Failure::new("a withdrawal needs `recipient`"))?
                    .0,
            },
        };
        Ok(Tx {
            body,
            nonce: self.nonce.0,
            signature: self.signature.0,
        })
    }
}

impl From<&Tx> for ZkTxJs {
    fn from(tx: &Tx) -> Self {
        let (kind, to, recipient) = match &tx.body {
            TxBody::Transfer { to, .. } => (ZkTxKind::Transfer, Some(*to), None),
            TxBody::Withdraw { recipient, .. } => {
                (ZkTxKind::Withdraw, None, Some(HexBytes(recipient.clone())))
            }
        };
        ZkTxJs {
            kind,
            from: tx.body.from(),
            to,
            recipient,
            amount: Dec(tx.body.amount()),
            nonce: Dec(tx.nonce),
            signature: ZkSignature(tx.signature),
        }
    }
}

/// `signTransfer`'s argument.
#[derive(Debug, Clone, Deserialize)]
pub struct ZkTransferArgs {
    #[serde(default)]
    pub from: Option<u32>,
    pub to: u32,
    pub amount: Dec<u128>,
    #[serde(default)]
    pub nonce: Option<Dec<u64>>,
}

/// `signWithdrawal`'s argument.
#[derive(Debug, Clone, Deserialize)]
pub struct ZkWithdrawalArgs {
    #[serde(default)]
    pub from: Option<u32>,
    pub recipient: HexBytes,
    pub amount: Dec<u128>,
    #[serde(default)]
    pub nonce: Option<Dec<u64>>,
}

/// `{ pubkey, balance, nonce }`.
#[derive(Debug, Clone, Serialize)]
pub struct ZkAccountJs {
    pub pubkey: ZkPubkey,
    pub balance: Dec<u128>,
    pub nonce: Dec<u64>,
}

/// `{ domain, prevStateRoot, newStateRoot, dataCommitment, depositsBefore, depositsAfter }`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementJs {
    pub domain: FrHex,
    pub prev_state_root: FrHex,
    pub new_state_root: FrHex,
    pub data_commitment: FrHex,
    pub deposits_before: FrHex,
    pub deposits_after: FrHex,
}

impl From<&Statement> for StatementJs {
    fn from(s: &Statement) -> Self {
        StatementJs {
            domain: FrHex(s.domain),
            prev_state_root: FrHex(s.prev_state_root),
            new_state_root: FrHex(s.new_state_root),
            data_commitment: FrHex(s.data_commitment),
            deposits_before: FrHex(s.deposits_before),
            deposits_after: FrHex(s.deposits_after),
        }
    }
}

/// `{ recipient, amount }`.
#[derive(Debug, Clone, Serialize)]
pub struct ZkWithdrawalJs {
    pub recipient: HexBytes,
    pub amount: Dec<u128>,
}

/// A batch applied to the ledger: everything but the witness (see [`ZkWitness`]).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ZkBatchJs {
    pub shape: ShapeJs,
    pub data: Base64,
    pub deposits: u64,
    pub txs: usize,
    pub new_accounts_root: FrHex,
    pub new_account_count: u64,
    pub statement: StatementJs,
    pub public_input: FrHex,
    pub withdrawals: Vec<ZkWithdrawalJs>,
    /// What each exit request among the consumed deposits withdrew, in queue order.
    pub exits: Vec<Dec<u128>>,
}

/// What the circuit proves for one batch (core `BatchWitness`): give it to
/// `ZkProver.prove`.
#[wasm_bindgen]
pub struct ZkWitness {
    pub(crate) witness: BatchWitness,
}

impl ZkWitness {
    /// The core's witness.
    pub fn witness(&self) -> &BatchWitness {
        &self.witness
    }
}

#[wasm_bindgen]
impl ZkWitness {
    /// The proof's one public input (hex): `Poseidon_Statement(...)` of the statement.
    #[wasm_bindgen(getter, js_name = publicInput)]
    pub fn public_input(&self) -> String {
        fr_hex(&settle_zk::public_input(&self.witness))
    }
}

/// The validity rollup's L2 ledger (core `validity::ledger::Ledger`): accounts keyed by
/// Jubjub keys in the depth-20 Poseidon tree. An operator applies batches to it and
/// proves them; a user keeps one (rebuilt from the proven batches) for an exodus exit.
#[wasm_bindgen]
#[derive(Clone, Default)]
pub struct ZkLedger {
    pub(crate) ledger: Ledger,
}

impl ZkLedger {
    /// The core's ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The account `key` signs for, when `from` is not given: the first holding it.
    fn sender(&self, key: &ZkKey, from: Option<u32>) -> JsResult<u32> {
        match from {
            Some(from) => Ok(from),
            None => self
                .ledger
                .find(&key.key.public_key())
                .ok_or_else(|| Failure::new("no account holds this key: give `from`")),
        }
    }

    /// `body` signed by `key` under `domain` at `nonce` (by default the account's, 0 for
    /// an account not opened yet). A body that can never be in a batch is not signed.
    pub fn sign(
        &self,
        key: &ZkKey,
        domain: &Fr,
        body: TxBody,
        nonce: Option<u64>,
    ) -> JsResult<ZkTxJs> {
        if let Some(reason) = body.shape_noop() {
            return Err(reason.into());
        }
        let nonce = nonce.unwrap_or_else(|| {
            self.ledger
                .account(body.from())
                .map(|a| a.nonce)
                .unwrap_or(0)
        });
        let tx = Tx::sign(self.ledger.hasher(), domain, body, nonce, &key.key);
        Ok(ZkTxJs::from(&tx))
    }

    /// A transfer signed by `key`.
    pub fn transfer(&self, key: &ZkKey, domain: &Fr, args: ZkTransferArgs) -> JsResult<ZkTxJs> {
        let body = TxBody::Transfer {
            from: self.sender(key, args.from)?,
            to: args.to,
            amount: args.amount.0,
        };
        self.sign(key, domain, body, args.nonce.map(|n| n.0))
    }

    /// A withdrawal signed by `key`.
    pub fn withdrawal(&self, key: &ZkKey, domain: &Fr, args: ZkWithdrawalArgs) -> JsResult<ZkTxJs> {
        let body = TxBody::Withdraw {
            from: self.sender(key, args.from)?,
            amount: args.amount.0,
            recipient: args.recipient.0,
        };
        self.sign(key, domain, body, args.nonce.map(|n| n.0))
    }

    /// Applies a batch (core `Ledger::apply_batch`); on a refusal the ledger is unchanged.
    pub fn batch(
        &mut self,
        shape: ShapeJs,
        domain: &Fr,
        deposits_before: &Fr,
        deposits: &[ZkDepositJs],
        txs: &[ZkTxJs],
    ) -> JsResult<(ZkWitness, ZkBatchJs)> {
        let deposits: Vec<Deposit> = deposits.iter().map(|d| (*d).into()).collect();
        let txs = txs
            .iter()
            .map(ZkTxJs::to_core)
            .collect::<JsResult<Vec<_>>>()?;
        let (witness, data) =
            self.ledger
                .apply_batch(shape.into(), domain, deposits_before, &deposits, &txs)?;
        let summary = ZkBatchJs {
            shape,
            data: Base64(data.encode()),
            deposits: deposits.len() as u64,
            txs: txs.len(),
            new_accounts_root: FrHex(self.ledger.accounts_root()),
            new_account_count: self.ledger.accounts().len() as u64,
            statement: StatementJs::from(&witness.statement),
            public_input: FrHex(settle_zk::public_input(&witness)),
            withdrawals: data
                .withdrawals()
                .into_iter()
                .map(|w| ZkWithdrawalJs {
                    recipient: HexBytes(w.recipient),
                    amount: Dec(w.amount),
                })
                .collect(),
            exits: data.exits.iter().copied().map(Dec).collect(),
        };
        Ok((ZkWitness { witness }, summary))
    }

    /// Follows an accepted batch from chain data alone (core `Ledger::replay_batch`).
    pub fn replay(
        &mut self,
        deposits: &[ZkDepositJs],
        data: &[u8],
        state_root: &Fr,
    ) -> JsResult<()> {
        let deposits: Vec<Deposit> = deposits.iter().map(|d| (*d).into()).collect();
        let data = BatchData::decode(data)?;
        Ok(self.ledger.replay_batch(&deposits, &data, state_root)?)
    }

    /// Account `index`, if it exists.
    pub fn account_js(&self, index: u32) -> Option<ZkAccountJs> {
        self.ledger.account(index).map(|a| ZkAccountJs {
            pubkey: ZkPubkey(a.key),
            balance: Dec(a.balance),
            nonce: Dec(a.nonce),
        })
    }
}

#[wasm_bindgen]
impl ZkLedger {
    /// An empty ledger (the contract's state at instantiation).
    #[wasm_bindgen(constructor)]
    pub fn new() -> ZkLedger {
        ZkLedger::default()
    }

    /// A copy (apply a batch to it, keep this one until the contract accepts the batch).
    #[wasm_bindgen(js_name = clone)]
    pub fn duplicate(&self) -> ZkLedger {
        self.clone()
    }

    /// Applies one deposit outside any batch and returns the account it landed in; refused
    /// (the core's error) for a deposit the contract never queues.
    #[wasm_bindgen(js_name = applyDeposit)]
    pub fn apply_deposit(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ZkDeposit")] deposit: JsValue,
    ) -> JsResult<u32> {
        let d: ZkDepositJs = from_js(deposit)?;
        Ok(self.ledger.apply_deposit(&d.into())?.index as u32)
    }

    /// A transfer signed by `key` for the rollup `domain` (`rollupDomain`).
    #[wasm_bindgen(js_name = signTransfer, unchecked_return_type = "ZkTx")]
    pub fn sign_transfer(
        &self,
        key: &ZkKey,
        domain: &str,
        #[wasm_bindgen(unchecked_param_type = "ZkTransferArgs")] args: JsValue,
    ) -> JsResult<JsValue> {
        to_js(&self.transfer(key, &fr_arg("domain", domain)?, from_js(args)?)?)
    }

    /// A withdrawal signed by `key` for the rollup `domain`.
    #[wasm_bindgen(js_name = signWithdrawal, unchecked_return_type = "ZkTx")]
    pub fn sign_withdrawal(
        &self,
        key: &ZkKey,
        domain: &str,
        #[wasm_bindgen(unchecked_param_type = "ZkWithdrawalArgs")] args: JsValue,
    ) -> JsResult<JsValue> {
        to_js(&self.withdrawal(key, &fr_arg("domain", domain)?, from_js(args)?)?)
    }

    /// Why `tx` cannot go into a batch now (core `Ledger::check_tx`), or `undefined`.
    #[wasm_bindgen(js_name = checkTx)]
    pub fn check_tx(
        &self,
        domain: &str,
        #[wasm_bindgen(unchecked_param_type = "ZkTx")] tx: JsValue,
    ) -> JsResult<Option<String>> {
        let tx = from_js::<ZkTxJs>(tx)?.to_core()?;
        Ok(self
            .ledger
            .check_tx(&fr_arg("domain", domain)?, &tx)
            .err()
            .map(|r| r.to_string()))
    }

    /// `Poseidon_State(accounts root, account count)` (hex): the contract's `state_root`.
    #[wasm_bindgen(getter, js_name = stateRoot)]
    pub fn state_root(&self) -> String {
        fr_hex(&self.ledger.state_root())
    }

    /// The account tree's root (hex): the contract's `accounts_root`.
    #[wasm_bindgen(getter, js_name = accountsRoot)]
    pub fn accounts_root(&self) -> String {
        fr_hex(&self.ledger.accounts_root())
    }

    #[wasm_bindgen(getter, js_name = accountCount)]
    pub fn account_count(&self) -> u32 {
        self.ledger.accounts().len() as u32
    }

    /// Account `index` (`{ pubkey, balance, nonce }`), or `undefined`.
    #[wasm_bindgen(unchecked_return_type = "Account | undefined")]
    pub fn account(&self, index: u32) -> JsResult<JsValue> {
        match self.account_js(index) {
            Some(a) => to_js(&a),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The first account holding the Jubjub key `pubkey` (hex), or `undefined`.
    #[wasm_bindgen(js_name = findAccount)]
    pub fn find_account(&self, pubkey: &str) -> JsResult<Option<u32>> {
        let key = PublicKey::decode(&convert::hex_bytes("jubjub public key", pubkey)?)?;
        Ok(self.ledger.find(&key))
    }

    /// The Merkle path of account `index` (20 siblings, hex, leaf level first).
    #[wasm_bindgen(unchecked_return_type = "Hex[]")]
    pub fn path(&self, index: u32) -> JsResult<JsValue> {
        let path: Vec<FrHex> = self.ledger.path(index)?.into_iter().map(FrHex).collect();
        to_js(&path)
    }

    /// Follows a batch the contract accepted, from chain data alone, as any user can
    /// (core `Ledger::replay_batch`): the `deposits` it consumed (the contract's `deposit`
    /// query responses, in order; the batch query's `deposits_consumed` says how many),
    /// its posted `data` (base64, the `submit_batch` message's) and its `stateRoot` (the
    /// `batch` query's `state_root`). Transactions apply without their signatures, which
    /// the batch's proof checked. Refused, and nothing changes, when the ledger does not
    /// arrive at `stateRoot`. With every batch replayed, `exodusWithdrawMsg` builds any
    /// account's exit without the operator.
    #[wasm_bindgen(js_name = replayBatch)]
    pub fn replay_batch(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ZkDeposit[]")] deposits: JsValue,
        data: &str,
        #[wasm_bindgen(js_name = stateRoot)] state_root: &str,
    ) -> JsResult<()> {
        let deposits: Vec<ZkDepositJs> = from_js(deposits)?;
        let data: Base64 = from_js(JsValue::from_str(data))?;
        let root = fr_arg("stateRoot", state_root)?;
        self.replay(&deposits, &data.0, &root)
    }

    /// Applies a batch: the `deposits` (the contract's queue from its cursor on; its head
    /// there is `depositsBefore`, the `status` query's `deposit_head`), then `txs`, for the
    /// circuit of `shape` (core `Ledger::apply_batch`). The ledger moves to the batch's
    /// state; a refused batch (the core's error) changes nothing. Returns the witness to
    /// prove and the parts of `submitBatchMsg`.
    #[wasm_bindgen(js_name = applyBatch, unchecked_return_type = "ZkBatch")]
    pub fn apply_batch(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "ZkShape")] shape: JsValue,
        domain: &str,
        #[wasm_bindgen(js_name = depositsBefore)] deposits_before: &str,
        #[wasm_bindgen(unchecked_param_type = "ZkDeposit[]")] deposits: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ZkTx[]")] txs: JsValue,
    ) -> JsResult<JsValue> {
        let shape: ShapeJs = from_js(shape)?;
        let domain = fr_arg("domain", domain)?;
        let before = fr_arg("depositsBefore", deposits_before)?;
        let deposits: Vec<ZkDepositJs> = from_js(deposits)?;
        let txs: Vec<ZkTxJs> = from_js(txs)?;
        let (witness, summary) = self.batch(shape, &domain, &before, &deposits, &txs)?;
        let out = to_js(&summary)?;
        Reflect::set(&out, &"witness".into(), &witness.into())
            .map_err(|_| Failure::new("cannot attach the witness"))?;
        Ok(out)
    }
}

// ---- proving -------------------------------------------------------------------------

/// `{ deposits, txs }` or `{ constraints }`.
#[derive(Serialize, Default)]
struct StageInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    deposits: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    txs: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    constraints: Option<usize>,
}

/// A stage's name and details, as `prove`'s callback receives them.
fn stage_js(stage: Stage) -> (&'static str, StageInfo) {
    match stage {
        Stage::Synthesizing { deposits, txs, .. } => (
            "synthesizing",
            StageInfo {
                deposits: Some(deposits),
                txs: Some(txs),
                ..StageInfo::default()
            },
        ),
        Stage::Checking { constraints } => (
            "checking",
            StageInfo {
                constraints: Some(constraints),
                ..StageInfo::default()
            },
        ),
        Stage::Proving { constraints } => (
            "proving",
            StageInfo {
                constraints: Some(constraints),
                ..StageInfo::default()
            },
        ),
        Stage::Done => ("done", StageInfo::default()),
    }
}

/// Groth16's blinding randomness: ChaCha20 seeded from the platform's CSPRNG.
fn prover_rng() -> JsResult<ChaCha20Rng> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed)?;
    Ok(ChaCha20Rng::from_seed(seed))
}

/// The batch circuit's Groth16 prover (settle-zk) with a proving key for one shape.
/// Proving is synchronous and takes seconds: in a browser, run it in a Web Worker.
#[wasm_bindgen]
pub struct ZkProver {
    key: ProvingKey,
}

impl ZkProver {
    /// The prover of a key.
    pub fn of_key(key: ProvingKey) -> ZkProver {
        ZkProver { key }
    }

    /// Proves `witness`, telling `progress` each stage: `A || B || C` (192 bytes).
    pub fn prove_bytes(
        &self,
        witness: &BatchWitness,
        progress: &mut dyn FnMut(Stage),
    ) -> JsResult<[u8; PROOF_LEN]> {
        let mut rng = prover_rng()?;
        Ok(settle_zk::prove_with_progress(
            &self.key, witness, &mut rng, progress,
        )?)
    }
}

#[wasm_bindgen]
impl ZkProver {
    /// A prover from a settle-zk proving key file (`ProvingKey::to_bytes`, or
    /// `to_bytes_uncompressed`), every point checked (on the curve, in the subgroup):
    /// settle-zk `ProvingKey::from_bytes`. Slow in wasm (about a minute for the smallest
    /// circuit under Node): prefer `fromTrustedBytes` for a key from a source you trust.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(bytes: &[u8]) -> JsResult<ZkProver> {
        Ok(ZkProver {
            key: ProvingKey::from_bytes(bytes)?,
        })
    }

    /// A prover from a key file without the point checks (settle-zk
    /// `ProvingKey::from_trusted_bytes`; the uncompressed form loads in a fraction of a
    /// second): a bad point only yields proofs that do not verify. (The witness holds no
    /// key: the batch's data is posted, and its signatures authorize only these
    /// transactions.)
    #[wasm_bindgen(js_name = fromTrustedBytes)]
    pub fn from_trusted_bytes(bytes: &[u8]) -> JsResult<ZkProver> {
        Ok(ZkProver {
            key: ProvingKey::from_trusted_bytes(bytes)?,
        })
    }

    /// The key file, uncompressed form (what `fromTrustedBytes` loads quickest; about
    /// 26 MB for the smallest circuit).
    #[wasm_bindgen(js_name = toBytes)]
    pub fn to_bytes(&self) -> JsResult<Vec<u8>> {
        Ok(self.key.to_bytes_uncompressed()?)
    }

    /// The circuit shape the key is for.
    #[wasm_bindgen(getter, unchecked_return_type = "ZkShape")]
    pub fn shape(&self) -> JsResult<JsValue> {
        to_js(&ShapeJs::from(self.key.shape))
    }

    /// The verifying key's wire form (hex): the contract's `verifying_key`.
    #[wasm_bindgen(getter, js_name = verifyingKey)]
    pub fn verifying_key(&self) -> String {
        to_hex(self.key.verifying_key().to_wire())
    }

    /// Proves a batch (`ZkBatch.witness`): the proof, 192 bytes hex (the contract's
    /// `proof`). `onProgress(stage, info)` is called as each stage starts
    /// (`"synthesizing"`, `"checking"`, `"proving"`, `"done"`); an exception it throws is
    /// rethrown once the proof is done. A witness the circuit does not accept, or of
    /// another shape, is refused with settle-zk's error.
    pub fn prove(
        &self,
        witness: &ZkWitness,
        #[wasm_bindgen(
            js_name = onProgress,
            unchecked_optional_param_type = "(stage: ZkStage, info: ZkStageInfo) => void"
        )]
        on_progress: Option<Function>,
    ) -> JsResult<String> {
        let mut thrown: Option<JsValue> = None;
        let mut report = |stage: Stage| {
            let Some(f) = &on_progress else { return };
            let (name, info) = stage_js(stage);
            let info = to_js(&info).unwrap_or(JsValue::UNDEFINED);
            if let Err(e) = f.call2(&JsValue::NULL, &name.into(), &info) {
                thrown.get_or_insert(e);
            }
        };
        let proof = self.prove_bytes(&witness.witness, &mut report)?;
        if let Some(e) = thrown {
            let message = match e.dyn_ref::<js_sys::Error>() {
                Some(error) => String::from(error.message()),
                None => e.as_string().unwrap_or_else(|| "onProgress threw".into()),
            };
            return Err(Failure::new(message));
        }
        Ok(to_hex(proof))
    }
}

/// Groth16 setup of the batch circuit for `shape` from a 32-byte seed (hex): FOR TESTS
/// AND DEMOS ONLY. It is NOT a ceremony: whoever knows the seed can prove anything.
/// Returns the prover; its `verifyingKey` is the contract's.
#[wasm_bindgen(js_name = zkSetup)]
pub fn zk_setup(
    #[wasm_bindgen(unchecked_param_type = "ZkShape")] shape: JsValue,
    seed: &str,
) -> JsResult<ZkProver> {
    let shape: ShapeJs = from_js(shape)?;
    setup(shape, convert::hex_array("seed", seed)?)
}

/// [`zk_setup`] in Rust.
pub fn setup(shape: ShapeJs, seed: [u8; 32]) -> JsResult<ZkProver> {
    let (key, _) = settle_zk::setup(shape.into(), &mut ChaCha20Rng::from_seed(seed))?;
    Ok(ZkProver { key })
}

// ---- Groth16 verification and snarkjs ----------------------------------------------------

/// Whether `proof` proves `inputs` under the verifying key `vk` (wire forms): the key
/// through `prepare`, then the contract's own checks (core `groth16::verify_encoded`)
/// over arkworks' pairing.
pub fn verify_groth16_bytes<X: AsRef<[u8]>>(vk: &[u8], proof: &[u8], inputs: &[X]) -> Verdict {
    let result = (|| -> JsResult<()> {
        let key = groth16::prepare(VerifyingKey::decode(vk)?, &ArkBackend)?;
        groth16::verify_encoded(&key, proof, inputs, &ArkBackend)?;
        Ok(())
    })();
    Verdict {
        valid: result.is_ok(),
        reason: result.err().map(|e| e.0),
    }
}

/// Whether `vk` (wire form) may be the rollup's batch key: the checks the contract makes at
/// instantiate and on `propose_key` (core `ledger::prepare_batch_key`: one public input, no
/// identity point, beta, gamma and delta distinct, every point on the curve and in the
/// subgroup).
pub fn check_batch_key_bytes(vk: &[u8]) -> Verdict {
    let result = (|| -> JsResult<()> {
        settle_core::validity::ledger::prepare_batch_key(VerifyingKey::decode(vk)?, &ArkBackend)?;
        Ok(())
    })();
    Verdict {
        valid: result.is_ok(),
        reason: result.err().map(|e| e.0),
    }
}

/// [`check_batch_key_bytes`] for JS: `{ valid, reason }` for a verifying key a dApp is about
/// to propose or to trust. Throws only for an argument that is not hex.
#[wasm_bindgen(js_name = checkBatchKey, unchecked_return_type = "Verdict")]
pub fn check_batch_key(
    #[wasm_bindgen(js_name = verifyingKey)] verifying_key: &str,
) -> JsResult<JsValue> {
    to_js(&check_batch_key_bytes(&convert::hex_bytes(
        "verifying key",
        verifying_key,
    )?))
}

/// Checks any Groth16 proof over BLS12-381 (the batch circuit's, or snarkjs's converted
/// with `snarkjsProof`) as the contract's `verify_proof` query does: `{ valid, reason }`,
/// the reason being the core's. Throws only for an argument that is not hex.
#[wasm_bindgen(js_name = verifyGroth16, unchecked_return_type = "Verdict")]
pub fn verify_groth16(
    #[wasm_bindgen(js_name = verifyingKey)] verifying_key: &str,
    proof: &str,
    #[wasm_bindgen(js_name = publicInputs, unchecked_param_type = "Hex[]")] public_inputs: JsValue,
) -> JsResult<JsValue> {
    let inputs: Vec<String> = from_js(public_inputs)?;
    let inputs = inputs
        .iter()
        .map(|x| convert::hex_bytes("public input", x))
        .collect::<JsResult<Vec<_>>>()?;
    to_js(&verify_groth16_bytes(
        &convert::hex_bytes("verifying key", verifying_key)?,
        &convert::hex_bytes("groth16 proof", proof)?,
        &inputs,
    ))
}

/// A JSON argument: the text, or an object (stringified).
fn json_text(value: JsValue) -> JsResult<String> {
    if let Some(s) = value.as_string() {
        return Ok(s);
    }
    js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| Failure::new("expected JSON text or a JSON object"))
}

/// snarkjs's `verification_key.json` as the wire form (hex) the contract takes
/// (`verifying_key`), checked as the contract checks it.
pub fn snarkjs_vk(json: &str) -> JsResult<String> {
    let vk = snarkjs::verifying_key_from_json(json)?;
    vk.check(&ArkBackend)?;
    Ok(to_hex(vk.encode()))
}

/// snarkjs's `proof.json` as the 192-byte proof (hex) the contract takes.
pub fn snarkjs_proof_hex(json: &str) -> JsResult<String> {
    Ok(to_hex(snarkjs::proof_from_json(json)?.encode()))
}

/// snarkjs's `public.json` as field elements (hex).
pub fn snarkjs_inputs(json: &str) -> JsResult<Vec<String>> {
    Ok(snarkjs::public_inputs_from_json(json)?
        .iter()
        .map(fr_hex)
        .collect())
}

#[wasm_bindgen(js_name = snarkjsVerifyingKey)]
pub fn snarkjs_verifying_key(
    #[wasm_bindgen(unchecked_param_type = "string | object")] json: JsValue,
) -> JsResult<String> {
    snarkjs_vk(&json_text(json)?)
}

#[wasm_bindgen(js_name = snarkjsProof)]
pub fn snarkjs_proof(
    #[wasm_bindgen(unchecked_param_type = "string | object")] json: JsValue,
) -> JsResult<String> {
    snarkjs_proof_hex(&json_text(json)?)
}

#[wasm_bindgen(js_name = snarkjsPublicInputs, unchecked_return_type = "Hex[]")]
pub fn snarkjs_public_inputs(
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] json: JsValue,
) -> JsResult<JsValue> {
    to_js(&snarkjs_inputs(&json_text(json)?)?)
}

// ---- the contract's messages -------------------------------------------------------

impl TryFrom<ZkTargetJs> for DepositTarget {
    type Error = Failure;

    fn try_from(t: ZkTargetJs) -> Result<Self, Failure> {
        match t {
            ZkTargetJs::NewAccount { pubkey } => Ok(DepositTarget::NewAccount {
                pubkey: bin(pubkey.0.encode()),
            }),
            ZkTargetJs::Account { index, pubkey } => Ok(DepositTarget::Account {
                account: index,
                pubkey: bin(pubkey.0.encode()),
            }),
            ZkTargetJs::Exit { .. } => Err(Failure(
                "an exit is no deposit target: use exitRequestMsg".into(),
            )),
        }
    }
}

/// `submitBatchMsg`'s and `checkBatchQuery`'s argument (snake_case accepted; other
/// fields, as a `ZkBatch` has, are ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitBatchArgs {
    pub data: Base64,
    #[serde(alias = "deposits_consumed", alias = "depositsConsumed")]
    pub deposits: u64,
    #[serde(alias = "new_accounts_root")]
    pub new_accounts_root: FrHex,
    #[serde(alias = "new_account_count")]
    pub new_account_count: u64,
    pub proof: ProofHex,
}

/// `{ submit_batch: { ... } }`: the data must decode (core `BatchData::decode`), as the
/// contract decodes it first.
pub fn submit_batch(args: SubmitBatchArgs) -> JsResult<ExecuteMsg> {
    BatchData::decode(&args.data.0)?;
    Ok(ExecuteMsg::SubmitBatch {
        data: Binary::new(args.data.0),
        deposits_consumed: args.deposits,
        new_accounts_root: bin(fr_to_bytes(&args.new_accounts_root.0)),
        new_account_count: args.new_account_count,
        proof: bin(args.proof.0.encode()),
    })
}

/// `{ check_batch: { ... } }`.
pub fn check_batch(args: SubmitBatchArgs) -> QueryMsg {
    QueryMsg::CheckBatch {
        data: Binary::new(args.data.0),
        deposits_consumed: args.deposits,
        new_accounts_root: bin(fr_to_bytes(&args.new_accounts_root.0)),
        new_account_count: args.new_account_count,
        proof: bin(args.proof.0.encode()),
    }
}

/// `{ exodus_withdraw: { ... } }` of `account` (by default the first holding `key`) to
/// `recipient` (bech32), from `ledger`, which must be the ledger of the last batch the
/// contract verified: the leaf, its path and `key`'s signature on the exit message of
/// the recipient's canonical bytes.
pub fn exodus_withdraw(
    ledger: &ZkLedger,
    key: &ZkKey,
    domain: &Fr,
    recipient: &str,
    account: Option<u32>,
) -> JsResult<ExecuteMsg> {
    let canonical = convert::canonical(recipient)?;
    let account = ledger.sender(key, account)?;
    let a = *ledger
        .ledger
        .account(account)
        .ok_or(NoOp::UnknownAccount { index: account })?;
    if a.key != key.key.public_key() {
        return Err(Failure::new(format!(
            "account {account} is held by another key"
        )));
    }
    let path = ledger.ledger.path(account)?;
    let message = ledger::exit_message(ledger.ledger.hasher(), domain, account, &canonical)?;
    Ok(ExecuteMsg::ExodusWithdraw {
        account,
        pubkey: bin(a.key.encode()),
        balance: Uint128::new(a.balance),
        nonce: a.nonce,
        path: path.iter().map(|x| bin(fr_to_bytes(x))).collect(),
        recipient: recipient.to_string(),
        signature: bin(key.key.sign(&message).encode()),
    })
}

/// `{ request_exit: { ... } }`: an L1 exit request of `account` to `recipient` (bech32),
/// signed by `key` over core `exit_request_message` at `sequence` (the `exit_sequence` of
/// the contract's `account` query). Send it with a bond of at least the rollup's
/// `min_deposit` attached; the batch that serves it credits the account's whole balance
/// to `recipient` and returns the bond.
pub fn request_exit(
    key: &ZkKey,
    domain: &Fr,
    account: u32,
    recipient: &str,
    sequence: u64,
) -> JsResult<ExecuteMsg> {
    let canonical = convert::canonical(recipient)?;
    let hasher = settle_core::validity::poseidon::Poseidon::new();
    let message = ledger::exit_request_message(&hasher, domain, account, &canonical, sequence)?;
    Ok(ExecuteMsg::RequestExit {
        account,
        recipient: recipient.to_string(),
        signature: bin(key.key.sign(&message).encode()),
    })
}

/// The message that queues a deposit of the attached coin to `target`.
#[wasm_bindgen(js_name = validityDepositMsg, unchecked_return_type = "ValidityDepositMsg")]
pub fn validity_deposit_msg(
    #[wasm_bindgen(unchecked_param_type = "ZkDepositTarget")] target: JsValue,
) -> JsResult<JsValue> {
    let target: ZkTargetJs = from_js(target)?;
    to_js(&ExecuteMsg::Deposit {
        target: target.try_into()?,
    })
}

/// The message that submits a proven batch: `submitBatchMsg({ ...batch, proof })`.
#[wasm_bindgen(js_name = submitBatchMsg, unchecked_return_type = "SubmitBatchMsg")]
pub fn submit_batch_msg(
    #[wasm_bindgen(unchecked_param_type = "SubmitBatchArgs")] args: JsValue,
) -> JsResult<JsValue> {
    to_js(&submit_batch(from_js(args)?)?)
}

/// The contract's dry run of `submit_batch`: `{ valid, reason, public_input, ... }`.
#[wasm_bindgen(js_name = checkBatchQuery, unchecked_return_type = "CheckBatchQuery")]
pub fn check_batch_query(
    #[wasm_bindgen(unchecked_param_type = "SubmitBatchArgs")] args: JsValue,
) -> JsResult<JsValue> {
    to_js(&check_batch(from_js(args)?))
}

/// Exodus mode: the message that pays `key`'s account (`account`, by default the first
/// holding the key) to `recipient` (bech32) from the ledger of the last verified batch.
#[wasm_bindgen(js_name = exodusWithdrawMsg, unchecked_return_type = "ExodusWithdrawMsg")]
pub fn exodus_withdraw_msg(
    ledger: &ZkLedger,
    key: &ZkKey,
    domain: &str,
    recipient: &str,
    account: Option<u32>,
) -> JsResult<JsValue> {
    to_js(&exodus_withdraw(
        ledger,
        key,
        &fr_arg("domain", domain)?,
        recipient,
        account,
    )?)
}

/// The L1 exit request of `account` to `recipient` (bech32), signed by `key` at
/// `sequence` (the contract's `account` query's `exit_sequence`): send it with a bond of
/// at least `min_deposit`. The next batches must serve it (or exodus starts).
#[wasm_bindgen(js_name = exitRequestMsg, unchecked_return_type = "RequestExitMsg")]
pub fn exit_request_msg(
    key: &ZkKey,
    domain: &str,
    account: u32,
    recipient: &str,
    sequence: f64,
) -> JsResult<JsValue> {
    to_js(&request_exit(
        key,
        &fr_arg("domain", domain)?,
        account,
        recipient,
        convert::uint("sequence", sequence)?,
    )?)
}

/// The `account` query: the key that opened account `index` and its `exit_sequence`.
#[wasm_bindgen(js_name = validityAccountQuery, unchecked_return_type = "ValidityAccountQuery")]
pub fn validity_account_query(index: u32) -> JsResult<JsValue> {
    to_js(&QueryMsg::Account { account: index })
}

/// Exodus mode: returns deposit `index`, which no batch consumed, to its depositor.
#[wasm_bindgen(js_name = reclaimDepositMsg, unchecked_return_type = "ReclaimDepositMsg")]
pub fn reclaim_deposit_msg(index: f64) -> JsResult<JsValue> {
    to_js(&ExecuteMsg::ReclaimDeposit {
        deposit: convert::uint("index", index)?,
    })
}

/// The message that pays the sender every withdrawal batches credited to its address.
#[wasm_bindgen(js_name = validityClaimMsg, unchecked_return_type = "ValidityClaimMsg")]
pub fn validity_claim_msg() -> JsResult<JsValue> {
    to_js(&ExecuteMsg::Claim {})
}

/// The `credit` query: what `validityClaimMsg` from `address` (bech32) pays now.
#[wasm_bindgen(js_name = validityCreditQuery, unchecked_return_type = "ValidityCreditQuery")]
pub fn validity_credit_query(address: &str) -> JsResult<JsValue> {
    convert::canonical(address)?;
    to_js(&QueryMsg::Credit {
        address: address.to_string(),
    })
}

/// The `verify_proof` query: the contract checks `proof` (hex) for `publicInputs` (hex
/// field elements) against its verifying key.
#[wasm_bindgen(js_name = verifyProofQuery, unchecked_return_type = "VerifyProofQuery")]
pub fn verify_proof_query(
    proof: &str,
    #[wasm_bindgen(js_name = publicInputs, unchecked_param_type = "Hex[]")] public_inputs: JsValue,
) -> JsResult<JsValue> {
    let inputs: Vec<String> = from_js(public_inputs)?;
    to_js(&verify_proof(proof, &inputs)?)
}

/// `{ verify_proof: { proof, public_inputs } }` (hex, passed as they are: the contract
/// says what is wrong with them).
pub fn verify_proof(proof: &str, inputs: &[String]) -> JsResult<QueryMsg> {
    Ok(QueryMsg::VerifyProof {
        proof: Binary::new(convert::hex_bytes("groth16 proof", proof)?),
        public_inputs: inputs
            .iter()
            .map(|x| convert::hex_bytes("public input", x).map(Binary::new))
            .collect::<JsResult<_>>()?,
    })
}
