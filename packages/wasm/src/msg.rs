//! The optimistic-rollup contract's `ExecuteMsg` JSON (as `contracts/optimistic-rollup/src/msg.rs`
//! serializes it: snake_case, `Uint128` as a decimal string, `HexBinary` as hex, `Binary`
//! as base64), and the withdrawal check the contract runs (core `batch::verify_withdrawal`).
//!
//! The builders are plain Rust (`deposit`, `propose_batch`, `withdraw`) so a native test
//! can read their JSON back with the contract's own `ExecuteMsg`; the `#[wasm_bindgen]`
//! functions only convert.

use serde::{Deserialize, Serialize};
use settle_core::batch::{verify_withdrawal as core_verify_withdrawal, WithdrawalClaim};
use settle_core::crypto::{valid_pubkey, NativeVerifier};
use settle_core::error::Error;
use wasm_bindgen::prelude::*;

use crate::convert::{self, from_js, to_hex, to_js, Base64, Dec, Fixed, Hex32, HexBytes, JsResult};
use crate::node::{DepositToJs, ProposalJs, WithdrawalProofJs};

/// The subset of the contract's `ExecuteMsg` a client builds from L2 data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecuteMsg {
    Deposit {
        to: DepositTo,
    },
    ProposeBatch {
        data: Base64,
        deposits_consumed: u64,
        output_root: Hex32,
    },
    Withdraw {
        batch: u64,
        index: u32,
        recipient: String,
        amount: Dec<u128>,
        output: OutputPreimage,
        proof: Base64,
    },
}

/// The contract's `DepositTo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DepositTo {
    NewAccount { pubkey: Fixed<33> },
    Account { index: u32 },
}

/// The contract's `OutputPreimage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputPreimage {
    pub state_root: Hex32,
    pub withdrawals_root: Hex32,
}

/// `{ deposit: { to } }`. A new account's key must be a compressed secp256k1 point (the
/// contract refuses the deposit otherwise).
pub fn deposit(to: &DepositToJs) -> JsResult<ExecuteMsg> {
    let to = match to {
        DepositToJs::NewAccount { pubkey } => {
            if !valid_pubkey(&NativeVerifier, &pubkey.0) {
                return Err(Error::InvalidKey("not a compressed secp256k1 point".into()).into());
            }
            DepositTo::NewAccount { pubkey: *pubkey }
        }
        DepositToJs::Account { index } => DepositTo::Account { index: *index },
    };
    Ok(ExecuteMsg::Deposit { to })
}

/// `{ propose_batch: { data, deposits_consumed, output_root } }`.
pub fn propose_batch(proposal: ProposalJs) -> ExecuteMsg {
    ExecuteMsg::ProposeBatch {
        data: proposal.data,
        deposits_consumed: proposal.deposits_consumed,
        output_root: proposal.output_root,
    }
}

/// `{ withdraw: { batch, index, recipient, amount, output, proof } }`. `recipient` must be
/// the bech32 form of the withdrawal's canonical recipient: the contract canonicalizes it
/// and the proof covers those bytes.
pub fn withdraw(proof: WithdrawalProofJs, recipient: &str) -> JsResult<ExecuteMsg> {
    let canonical = convert::canonical(recipient)?;
    if canonical != proof.recipient.0 {
        return Err(convert::Failure::new(format!(
            "recipient {recipient} is {}, but the withdrawal pays {}",
            to_hex(&canonical),
            to_hex(&proof.recipient.0)
        )));
    }
    Ok(ExecuteMsg::Withdraw {
        batch: proof.batch,
        index: proof.index,
        recipient: recipient.to_string(),
        amount: proof.amount,
        output: OutputPreimage {
            state_root: proof.state_root,
            withdrawals_root: proof.withdrawals_root,
        },
        proof: Base64(proof.proof.0),
    })
}

/// The contract message that queues a deposit to `to`.
#[wasm_bindgen(js_name = depositMsg, unchecked_return_type = "DepositMsg")]
pub fn deposit_msg(
    #[wasm_bindgen(unchecked_param_type = "DepositTo")] to: JsValue,
) -> JsResult<JsValue> {
    to_js(&deposit(&from_js(to)?)?)
}

/// The contract message that posts `proposal` (what `RollupNode.propose` returns).
#[wasm_bindgen(js_name = proposeBatchMsg, unchecked_return_type = "ProposeBatchMsg")]
pub fn propose_batch_msg(
    #[wasm_bindgen(unchecked_param_type = "Proposal")] proposal: JsValue,
) -> JsResult<JsValue> {
    to_js(&propose_batch(from_js(proposal)?))
}

/// The contract message that pays a withdrawal to `recipient` (bech32).
#[wasm_bindgen(js_name = withdrawMsg, unchecked_return_type = "WithdrawMsg")]
pub fn withdraw_msg(
    #[wasm_bindgen(unchecked_param_type = "WithdrawalProof")] proof: JsValue,
    recipient: &str,
) -> JsResult<JsValue> {
    to_js(&withdraw(from_js(proof)?, recipient)?)
}

/// `{ outputRoot, batch, depositCursor, dataRoot }`: what the contract stores of a batch.
/// The contract's `batch` query response (`output_root`, `index`, `deposits_to`,
/// `data_root`) is accepted as it is.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchCommitmentJs {
    #[serde(alias = "output_root")]
    pub output_root: Hex32,
    #[serde(alias = "index")]
    pub batch: u64,
    #[serde(alias = "deposits_to")]
    pub deposit_cursor: u64,
    #[serde(alias = "data_root")]
    pub data_root: Hex32,
}

/// `{ index, recipient, amount, stateRoot, withdrawalsRoot, proof }` (a `WithdrawalProof`
/// will do).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimJs {
    pub index: u32,
    pub recipient: HexBytes,
    pub amount: Dec<u128>,
    pub state_root: Hex32,
    pub withdrawals_root: Hex32,
    pub proof: HexBytes,
}

/// `{ valid, reason? }`.
#[derive(Serialize)]
pub struct Verdict {
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The check the contract runs before it pays a withdrawal (core
/// `batch::verify_withdrawal`): `valid: false` carries the core's reason. Throws only for
/// an argument that cannot be read.
#[wasm_bindgen(js_name = verifyWithdrawal, unchecked_return_type = "Verdict")]
pub fn verify_withdrawal(
    #[wasm_bindgen(unchecked_param_type = "BatchCommitment")] batch: JsValue,
    #[wasm_bindgen(unchecked_param_type = "WithdrawalClaim")] claim: JsValue,
) -> JsResult<JsValue> {
    let b: BatchCommitmentJs = from_js(batch)?;
    let c: ClaimJs = from_js(claim)?;
    let result = core_verify_withdrawal(
        &b.output_root.0,
        b.batch,
        b.deposit_cursor,
        &b.data_root.0,
        &WithdrawalClaim {
            index: c.index,
            recipient: &c.recipient.0,
            amount: c.amount.0,
            state_root: c.state_root.0,
            withdrawals_root: c.withdrawals_root.0,
            proof: &c.proof.0,
        },
    );
    to_js(&Verdict {
        valid: result.is_ok(),
        reason: result.err().map(|e| e.to_string()),
    })
}
