//! Optimistic-rollup messages built from L2 data: each builder returns the contract's own
//! `ExecuteMsg` / `QueryMsg` value (`optimistic_rollup::msg`, no type declared here), so the
//! JSON is what the contract parses (snake_case, `Uint128` as a decimal string, `Binary` as
//! base64). In TypeScript they are typed by the generated client's types
//! (`@settle/clients`, `OptimisticRollup.types`). Also the withdrawal check the contract
//! runs (core `batch::verify_withdrawal`).
//!
//! The builders are plain Rust (`deposit`, `propose_batch`, `withdraw`, `prove_step`,
//! `check_move`, ...); the `#[wasm_bindgen]` functions only convert.

use core::fmt;

use base64::Engine as _;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use settle_core::batch::{verify_withdrawal as core_verify_withdrawal, WithdrawalClaim};
use settle_core::crypto::{valid_pubkey, NativeVerifier};
use settle_core::dispute::OneStepProof;
use settle_core::error::Error;
use wasm_bindgen::prelude::*;

use cosmwasm_std::{Binary, Uint128};
pub use optimistic_rollup::msg::{DepositTarget, ExecuteMsg, GameMove, OutputPreimage, QueryMsg};

use crate::convert::{
    self, from_js, to_hex, to_js, Dec, Failure, Fixed, Hex32, HexBytes, JsResult, Wire,
};
use crate::node::{DepositToJs, ProposalJs, WithdrawalProofJs};

/// `{ deposit: { to } }`. A new account's key must be a compressed secp256k1 point (the
/// contract refuses the deposit otherwise).
pub fn deposit(to: &DepositToJs) -> JsResult<ExecuteMsg> {
    let to = match to {
        DepositToJs::NewAccount { pubkey } => {
            if !valid_pubkey(&NativeVerifier, &pubkey.0) {
                return Err(Error::InvalidKey("not a compressed secp256k1 point".into()).into());
            }
            DepositTarget::NewAccount {
                pubkey: Binary::from(pubkey.0),
            }
        }
        DepositToJs::Account { index } => DepositTarget::Account { account: *index },
    };
    Ok(ExecuteMsg::Deposit { target: to })
}

/// `{ propose_batch: { data, deposits_consumed, output_root } }`.
pub fn propose_batch(proposal: ProposalJs) -> ExecuteMsg {
    ExecuteMsg::ProposeBatch {
        data: Binary::new(proposal.data.0),
        deposits_consumed: proposal.deposits_consumed,
        output_root: Binary::from(proposal.output_root.0),
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
        amount: Uint128::new(proof.amount.0),
        output: OutputPreimage {
            state_root: Binary::from(proof.state_root.0),
            withdrawals_root: Binary::from(proof.withdrawals_root.0),
        },
        proof: Binary::new(proof.proof.0),
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
/// The contract's `batch` query response (`output_root`, `batch`, `deposits_to`,
/// `data_root`, roots in base64) is accepted as it is.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchCommitmentJs {
    #[serde(alias = "output_root")]
    pub output_root: Hex32,
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

// ---- fraud-proof games ---------------------------------------------------------------

/// `{ challenge: { batch } }`.
pub fn challenge(batch: u64) -> ExecuteMsg {
    ExecuteMsg::Challenge { batch }
}

/// `{ bisect: { game, position, root } }`.
pub fn bisect(game: u64, position: u64, root: Hex32) -> ExecuteMsg {
    ExecuteMsg::Bisect {
        game,
        position,
        root: Binary::from(root.0),
    }
}

/// `{ choose: { game, position, agree } }`.
pub fn choose(game: u64, position: u64, agree: bool) -> ExecuteMsg {
    ExecuteMsg::Choose {
        game,
        position,
        agree,
    }
}

/// `{ prove_step: { game, step, proof } }`. The proof must decode (core
/// `OneStepProof::decode`, as the contract decodes it first).
pub fn prove_step(game: u64, step: u64, proof: &[u8]) -> JsResult<ExecuteMsg> {
    OneStepProof::decode(proof)?;
    Ok(ExecuteMsg::ProveStep {
        game,
        step,
        proof: Binary::from(proof),
    })
}

/// `{ resolve_game: { game } }`.
pub fn resolve_game(game: u64) -> ExecuteMsg {
    ExecuteMsg::ResolveGame { game }
}

/// `{ claim: {} }`.
pub fn claim() -> ExecuteMsg {
    ExecuteMsg::Claim {}
}

/// Proof bytes in a move: a base64 string (as in the contract's messages) or a
/// `Uint8Array`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveProof(pub Vec<u8>);

impl<'de> Deserialize<'de> for MoveProof {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MoveProofVisitor)
    }
}

struct MoveProofVisitor;

impl<'de> Visitor<'de> for MoveProofVisitor {
    type Value = MoveProof;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("proof bytes as a base64 string or a Uint8Array")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<MoveProof, E> {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(MoveProof)
            .map_err(|e| E::custom(format!("{s:?} is not base64 ({e})")))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<MoveProof, E> {
        Ok(MoveProof(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<MoveProof, E> {
        Ok(MoveProof(v))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<MoveProof, A::Error> {
        let mut out = Vec::new();
        while let Some(b) = seq.next_element::<u8>()? {
            out.push(b);
        }
        Ok(MoveProof(out))
    }
}

/// A move to dry-run: the contract's `GameMove` (`{ bisect: { position, root } }`,
/// `{ choose: { position, agree } }`, `{ prove_step: { step, proof } }`,
/// `{ resolve_game: {} }`), or the execute message of the move as `nextMove` returns it
/// (its `game` must then be the game asked about).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveJs {
    Bisect {
        game: Option<u64>,
        position: u64,
        root: Wire<32>,
    },
    Choose {
        game: Option<u64>,
        position: u64,
        agree: bool,
    },
    #[serde(alias = "proveStep")]
    ProveStep {
        game: Option<u64>,
        step: u64,
        proof: MoveProof,
    },
    #[serde(alias = "resolveGame")]
    ResolveGame { game: Option<u64> },
}

/// `{ check_move: { game, sender, move } }`.
pub fn check_move(game: u64, sender: &str, mv: MoveJs) -> JsResult<QueryMsg> {
    let (named, game_move) = match mv {
        MoveJs::Bisect {
            game,
            position,
            root,
        } => (
            game,
            GameMove::Bisect {
                position,
                root: Binary::from(root.0),
            },
        ),
        MoveJs::Choose {
            game,
            position,
            agree,
        } => (game, GameMove::Choose { position, agree }),
        MoveJs::ProveStep { game, step, proof } => (
            game,
            GameMove::ProveStep {
                step,
                proof: Binary::new(proof.0),
            },
        ),
        MoveJs::ResolveGame { game } => (game, GameMove::ResolveGame {}),
    };
    if let Some(named) = named.filter(|&g| g != game) {
        return Err(Failure::new(format!(
            "the move is for game {named}, not game {game}"
        )));
    }
    Ok(QueryMsg::CheckMove {
        game,
        sender: sender.to_string(),
        game_move,
    })
}

/// The message that opens a fraud-proof game on batch `batch` (send it with the
/// contract's challenger bond attached).
#[wasm_bindgen(js_name = challengeMsg, unchecked_return_type = "ChallengeMsg")]
pub fn challenge_msg(batch: f64) -> JsResult<JsValue> {
    to_js(&challenge(convert::uint("batch", batch)?))
}

/// The defender's move: the step root (hex) at `position`, the midpoint the game asks for.
#[wasm_bindgen(js_name = bisectMsg, unchecked_return_type = "BisectMsg")]
pub fn bisect_msg(game: f64, position: f64, root: &str) -> JsResult<JsValue> {
    to_js(&bisect(
        convert::uint("game", game)?,
        convert::uint("position", position)?,
        Fixed(convert::hash("root", root)?),
    ))
}

/// The challenger's move: agree or not with the defender's root at `position`.
#[wasm_bindgen(js_name = chooseMsg, unchecked_return_type = "ChooseMsg")]
pub fn choose_msg(game: f64, position: f64, agree: bool) -> JsResult<JsValue> {
    to_js(&choose(
        convert::uint("game", game)?,
        convert::uint("position", position)?,
        agree,
    ))
}

/// The message that settles a game narrowed to step `step` with a one-step proof (the
/// bytes `BatchTrace.proof` returns); throws the core's error if they do not decode.
#[wasm_bindgen(js_name = proveStepMsg, unchecked_return_type = "ProveStepMsg")]
pub fn prove_step_msg(game: f64, step: f64, proof: &[u8]) -> JsResult<JsValue> {
    to_js(&prove_step(
        convert::uint("game", game)?,
        convert::uint("step", step)?,
        proof,
    )?)
}

/// The message that ends a game whose running clock has run out.
#[wasm_bindgen(js_name = resolveGameMsg, unchecked_return_type = "ResolveGameMsg")]
pub fn resolve_game_msg(game: f64) -> JsResult<JsValue> {
    to_js(&resolve_game(convert::uint("game", game)?))
}

/// The message that withdraws the sender's credit (the treasury's share of slashed bonds
/// is credited when a game settles, never sent: see the `credit` query).
#[wasm_bindgen(js_name = claimMsg, unchecked_return_type = "ClaimMsg")]
pub fn claim_msg() -> JsResult<JsValue> {
    to_js(&claim())
}

/// The `check_move` query: would `sender` (bech32) be allowed to make `move` in game
/// `game` now, and what would it do? `move` is a `GameMove` or the execute message of the
/// move (what `nextMove` returns).
#[wasm_bindgen(js_name = checkMoveQuery, unchecked_return_type = "CheckMoveQuery")]
pub fn check_move_query(
    game: f64,
    sender: &str,
    #[wasm_bindgen(js_name = "move", unchecked_param_type = "GameMove | GameMoveMsg")]
    game_move: JsValue,
) -> JsResult<JsValue> {
    to_js(&check_move(
        convert::uint("game", game)?,
        sender,
        from_js(game_move)?,
    )?)
}
