//! Fraud proofs (core `dispute`): the replay of a batch that answers every move of a
//! bisection game (`BatchTrace`, from `RollupNode.batchTrace`), the one-step proof's
//! check (`oneStep`) and its decoding (`decodeOneStepProof`), and the agreed root before
//! batch 0 (`genesisRoot`). The game's messages are in [`crate::msg`].
//!
//! The contract's `game` and `dispute_context` query responses are read as the contract
//! returns them (snake_case); the honest move comes from core `BatchTrace::honest_move`,
//! the post-state root from core `one_step` with the k256 verifier.

use crate::convert::to_js_nulls;
use std::cell::RefCell;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use settle_core::crypto::NativeVerifier;
use settle_core::dispute::{
    self as core_dispute, genesis_root, AccountWitness, BatchContext, Game, HonestMove,
    OneStepProof, Parent, Phase, Side, StepKind, StepState,
};
use settle_core::ledger::Deposit;
use settle_core::tx::Domain;
use settle_core::Hash;
use wasm_bindgen::prelude::*;

use crate::convert::{
    self, from_js, number, to_hex, Dec, Failure, Fixed, Hex32, HexBytes, JsResult,
};
use crate::msg::{self, ExecuteMsg};
use crate::node::{AccountJs, DepositJs};
use crate::sparse::CompactProofJs;

#[wasm_bindgen(typescript_custom_section)]
const TS_DISPUTE_TYPES: &str = r#"
/** Which rule step `j` of a batch runs: the open step (0), a deposit of the L1 queue, transaction step `index` of the batch data, or the close step (the last). */
export type StepKind =
  | { kind: "open" }
  | { kind: "deposit"; queueIndex: number }
  | { kind: "tx"; index: number }
  | { kind: "close" };
/** The previous batch's output as the contract stores it. */
export interface ParentOutput { outputRoot: Hex; depositCursor: number; dataRoot: Hex; }
/** What the settlement layer knows about a disputed batch (`BatchTrace.context`). `anchorRoot` is the agreed root at position 0 (the parent's output root, or `genesisRoot()`), `outputRoot` the posted one at position `steps`. */
export interface DisputeContext {
  batch: number;
  parent: ParentOutput | null;
  anchorRoot: Hex;
  depositsFrom: number;
  deposits: number;
  txSteps: number;
  dataRoot: Hex;
  outputRoot: Hex;
  steps: number;
}
/** The contract's `dispute_context` query response, as it comes (the generated type). */
export type DisputeContextResponse = OptimisticRollupDisputeContextResponse;
/** The context `oneStep` needs: a `DisputeContext`, the contract's `dispute_context` response, or `{ batchIndex, parent, depositsFrom, deposits, txSteps, dataRoot }` (the parity vectors' shape); other fields are ignored. */
export type OneStepContext =
  | DisputeContext
  | DisputeContextResponse
  | { batchIndex: number; parent: ParentOutput | null; depositsFrom: number; deposits: number; txSteps: number; dataRoot: Hex };
/** `deposit`: the queue entry a deposit step applies (`null` for other steps); `proof`: the wire bytes, or their hex. */
export interface OneStepArgs {
  context: OneStepContext;
  domain: Hex;
  step: number;
  preRoot: Hex;
  deposit?: Deposit | null;
  proof: Uint8Array | Hex;
}

export type Side = OptimisticRollupSide;
export type GamePhase = OptimisticRollupGamePhase;
/** The contract's `game` query response, as it comes (the generated type; `nextMove` reads `game`, `batch`, `steps`, `lo`, `hi`, `lo_root`, `hi_root`, `phase`; roots in base64, hex accepted). */
export type GameResponse = OptimisticRollupGameResponse;
export type GameTerms = OptimisticRollupGameTerms;

/** A step state: the root between two steps is `keccak("settle/step/v1" || stateRoot || withdrawalsRoot || withdrawalCount)`. */
export interface StepState {
  accountsRoot: Hex;
  accountCount: number;
  withdrawalsRoot: Hex;
  withdrawalCount: number;
  stateRoot: Hex;
  root: Hex;
}
/** The accounts a step touches (`account: null` for an empty slot) and the sparse witness (depth 32) that proves them against the pre-state's accounts root. */
export interface AccountWitness {
  accounts: { index: number; account: Account | null }[];
  present: boolean[];
  hashes: Hex[];
}
/** A decoded one-step proof. `withdrawalSlot`: the compact depth-16 proof that the next withdrawal slot is empty (when the step records a withdrawal). */
export type DecodedOneStepProof =
  | { kind: "open"; parent: { stateRoot: Hex; withdrawalsRoot: Hex } | null }
  | { kind: "deposit"; pre: StepState; accounts: AccountWitness; withdrawalSlot: SparseProof | null }
  | { kind: "tx"; pre: StepState; tx: Hex; treeRoot: Hex; txSiblings: Hex[]; accounts: AccountWitness; withdrawalSlot: SparseProof | null }
  | { kind: "close"; pre: StepState };

export type ChallengeMsg = MessageOf<OptimisticRollupExecuteMsg, "challenge">;
export type BisectMsg = MessageOf<OptimisticRollupExecuteMsg, "bisect">;
export type ChooseMsg = MessageOf<OptimisticRollupExecuteMsg, "choose">;
export type ProveStepMsg = MessageOf<OptimisticRollupExecuteMsg, "prove_step">;
export type ResolveGameMsg = MessageOf<OptimisticRollupExecuteMsg, "resolve_game">;
export type ClaimMsg = MessageOf<OptimisticRollupExecuteMsg, "claim">;
/** A game move's execute message (what `nextMove` returns). */
export type GameMoveMsg = BisectMsg | ChooseMsg | ProveStepMsg | ResolveGameMsg;
/** The contract's `GameMove` (`root`: base64 or hex; `proof`: base64, or a Uint8Array). */
export type GameMove =
  | { bisect: { position: number; root: Base64 | Hex } }
  | { choose: { position: number; agree: boolean } }
  | { prove_step: { step: number; proof: string | Uint8Array } }
  | { resolve_game: {} };
export type CheckMoveQuery = MessageOf<OptimisticRollupQueryMsg, "check_move">;
"#;

// ---- contexts ---------------------------------------------------------------------

/// `{ outputRoot, depositCursor, dataRoot }` (snake_case accepted).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentJs {
    #[serde(alias = "output_root")]
    pub output_root: Hex32,
    #[serde(alias = "deposit_cursor")]
    pub deposit_cursor: u64,
    #[serde(alias = "data_root")]
    pub data_root: Hex32,
}

/// The batch context `oneStep` reads: the contract's `dispute_context` response (its
/// snake_case or this package's camelCase), `batchIndex` accepted for `batch`. The
/// derived fields (`anchor_root`, `output_root`, `steps`) are not read.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextJs {
    #[serde(alias = "batchIndex", alias = "batch_index")]
    pub batch: u64,
    pub parent: Option<ParentJs>,
    #[serde(alias = "deposits_from")]
    pub deposits_from: u64,
    pub deposits: u64,
    #[serde(alias = "tx_steps")]
    pub tx_steps: u64,
    #[serde(alias = "data_root")]
    pub data_root: Hex32,
}

impl From<&ContextJs> for BatchContext {
    fn from(c: &ContextJs) -> Self {
        BatchContext {
            batch_index: c.batch,
            parent: match &c.parent {
                None => Parent::Genesis,
                Some(p) => Parent::Output {
                    output_root: p.output_root.0,
                    deposit_cursor: p.deposit_cursor,
                    data_root: p.data_root.0,
                },
            },
            deposits_from: c.deposits_from,
            deposits: c.deposits,
            tx_steps: c.tx_steps,
            data_root: c.data_root.0,
        }
    }
}

/// `BatchTrace.context`: the `dispute_context` response's fields, camelCase.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextOut {
    pub batch: u64,
    pub parent: Option<ParentJs>,
    pub anchor_root: Hex32,
    pub deposits_from: u64,
    pub deposits: u64,
    pub tx_steps: u64,
    pub data_root: Hex32,
    pub output_root: Hex32,
    pub steps: u64,
}

/// `{ kind: "open" | "deposit" | "tx" | "close", queueIndex?, index? }`.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum StepKindJs {
    Open,
    Deposit {
        #[serde(rename = "queueIndex")]
        queue_index: u64,
    },
    Tx {
        index: u64,
    },
    Close,
}

impl From<StepKind> for StepKindJs {
    fn from(k: StepKind) -> Self {
        match k {
            StepKind::Open => StepKindJs::Open,
            StepKind::Deposit { queue_index } => StepKindJs::Deposit { queue_index },
            StepKind::Tx { index } => StepKindJs::Tx { index },
            StepKind::Close => StepKindJs::Close,
        }
    }
}

// ---- games ------------------------------------------------------------------------

/// `"defender"` or `"challenger"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SideJs {
    Defender,
    Challenger,
}

impl From<SideJs> for Side {
    fn from(s: SideJs) -> Self {
        match s {
            SideJs::Defender => Side::Defender,
            SideJs::Challenger => Side::Challenger,
        }
    }
}

/// A side from its name.
pub fn side(name: &str) -> JsResult<Side> {
    match name {
        "defender" => Ok(Side::Defender),
        "challenger" => Ok(Side::Challenger),
        other => Err(Failure::new(format!(
            "side: {other:?} is not \"defender\" or \"challenger\""
        ))),
    }
}

/// The contract's `GamePhase`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GamePhaseJs {
    Bisect {
        position: u64,
    },
    Choose {
        position: u64,
        root: Hex32,
    },
    #[serde(alias = "oneStep")]
    OneStep {
        step: u64,
    },
    Resolved {
        winner: SideJs,
    },
    Void {},
}

/// The fields of the contract's `GameResponse` a move depends on (the rest is ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct GameJs {
    #[serde(alias = "game")]
    pub id: u64,
    pub batch: u64,
    pub steps: u64,
    pub lo: u64,
    pub hi: u64,
    #[serde(alias = "loRoot")]
    pub lo_root: Hex32,
    #[serde(alias = "hiRoot")]
    pub hi_root: Hex32,
    pub phase: GamePhaseJs,
}

impl GameJs {
    /// The core game in the state the response describes (`None` for a void game), its
    /// phase checked against the one the core derives from `lo` and `hi`. Clocks are not
    /// rebuilt: no move depends on them.
    pub fn to_core(&self) -> JsResult<Option<Game>> {
        let what = |reason: String| Failure::new(format!("game {}: {reason}", self.id));
        if !(self.lo < self.hi && self.hi <= self.steps) {
            return Err(what(format!(
                "lo {} and hi {} do not fit 0 <= lo < hi <= steps ({})",
                self.lo, self.hi, self.steps
            )));
        }
        let (mid_root, winner) = match &self.phase {
            GamePhaseJs::Void {} => return Ok(None),
            GamePhaseJs::Choose { root, .. } => (Some(root.0), None),
            GamePhaseJs::Resolved { winner } => (None, Some(Side::from(*winner))),
            GamePhaseJs::Bisect { .. } | GamePhaseJs::OneStep { .. } => (None, None),
        };
        let game = Game {
            lo: self.lo,
            hi: self.hi,
            lo_root: self.lo_root.0,
            hi_root: self.hi_root.0,
            mid_root,
            defender_left: 0,
            challenger_left: 0,
            turn_started: 0,
            min_answer: 1,
            moves: 0,
            winner,
        };
        let fits = match (&self.phase, game.phase()) {
            (GamePhaseJs::Bisect { position }, Phase::Bisect { position: p }) => *position == p,
            (GamePhaseJs::Choose { position, .. }, Phase::Choose { position: p, .. }) => {
                *position == p
            }
            (GamePhaseJs::OneStep { step }, Phase::OneStep { step: s }) => *step == s,
            (GamePhaseJs::Resolved { .. }, Phase::Resolved { .. }) => true,
            _ => false,
        };
        if !fits {
            return Err(what(format!(
                "its phase {:?} does not follow from lo {} and hi {}",
                self.phase, self.lo, self.hi
            )));
        }
        Ok(Some(game))
    }
}

/// The execute message of the move an honest `side` makes in `game` (core
/// `BatchTrace::honest_move` over the true `roots`), or `None`.
pub fn next_move(
    trace: &core_dispute::BatchTrace,
    roots: &[Hash],
    game: &GameJs,
    side: Side,
) -> JsResult<Option<ExecuteMsg>> {
    if game.batch != trace.ctx.batch_index || game.steps != trace.ctx.steps() {
        return Err(Failure::new(format!(
            "game {} is on batch {} ({} steps), this trace is of batch {} ({} steps)",
            game.id,
            game.batch,
            game.steps,
            trace.ctx.batch_index,
            trace.ctx.steps()
        )));
    }
    let Some(core_game) = game.to_core()? else {
        return Ok(None);
    };
    Ok(
        match trace.honest_move(&NativeVerifier, &core_game, side, roots)? {
            None => None,
            Some(HonestMove::Bisect { position, root }) => {
                Some(msg::bisect(game.id, position, Fixed(root)))
            }
            Some(HonestMove::Choose { position, agree }) => {
                Some(msg::choose(game.id, position, agree))
            }
            Some(HonestMove::Prove { step, proof }) => {
                Some(msg::prove_step(game.id, step, &proof.encode())?)
            }
        },
    )
}

// ---- the replay -------------------------------------------------------------------

/// The replay of one batch (core `BatchTrace`): the true root at every position of its
/// game, the one-step proof of every step, and the honest next move. Made by
/// `RollupNode.batchTrace(batch)`.
#[wasm_bindgen]
pub struct BatchTrace {
    trace: core_dispute::BatchTrace,
    output_root: Hash,
    /// The replayed roots, computed once (a replay is linear in the batch).
    roots: RefCell<Option<Vec<Hash>>>,
}

impl BatchTrace {
    pub(crate) fn new(trace: core_dispute::BatchTrace, output_root: Hash) -> Self {
        BatchTrace {
            trace,
            output_root,
            roots: RefCell::new(None),
        }
    }

    /// The core trace.
    pub fn core(&self) -> &core_dispute::BatchTrace {
        &self.trace
    }

    /// Runs `f` on the true roots, replaying the batch on first use.
    pub fn with_roots<T>(&self, f: impl FnOnce(&[Hash]) -> JsResult<T>) -> JsResult<T> {
        let mut cache = self.roots.borrow_mut();
        if cache.is_none() {
            *cache = Some(self.trace.roots(&NativeVerifier)?);
        }
        f(cache.as_deref().expect("filled above"))
    }
}

#[wasm_bindgen]
impl BatchTrace {
    /// Number of steps `n` (positions run `0..=n`): open, the deposits, the transaction
    /// steps, close.
    #[wasm_bindgen(getter)]
    pub fn steps(&self) -> f64 {
        number(self.trace.ctx.steps())
    }

    /// The batch this trace replays.
    #[wasm_bindgen(getter, js_name = batchIndex)]
    pub fn batch_index(&self) -> f64 {
        number(self.trace.ctx.batch_index)
    }

    /// The rollup's signing domain (hex), which `oneStep` takes.
    #[wasm_bindgen(getter)]
    pub fn domain(&self) -> String {
        to_hex(self.trace.domain.0)
    }

    /// The batch's context, with the same fields as the contract's `dispute_context`
    /// response (camelCase); `oneStep` takes it as `context`.
    #[wasm_bindgen(getter, unchecked_return_type = "DisputeContext")]
    pub fn context(&self) -> JsResult<JsValue> {
        let ctx = &self.trace.ctx;
        to_js_nulls(&ContextOut {
            batch: ctx.batch_index,
            parent: match ctx.parent {
                Parent::Genesis => None,
                Parent::Output {
                    output_root,
                    deposit_cursor,
                    data_root,
                } => Some(ParentJs {
                    output_root: Fixed(output_root),
                    deposit_cursor,
                    data_root: Fixed(data_root),
                }),
            },
            anchor_root: Fixed(ctx.parent.root()),
            deposits_from: ctx.deposits_from,
            deposits: ctx.deposits,
            tx_steps: ctx.tx_steps,
            data_root: Fixed(ctx.data_root),
            output_root: Fixed(self.output_root),
            steps: ctx.steps(),
        })
    }

    /// Which rule step `step` runs.
    #[wasm_bindgen(js_name = stepKind, unchecked_return_type = "StepKind")]
    pub fn step_kind(&self, step: f64) -> JsResult<JsValue> {
        let step = convert::uint("step", step)?;
        convert::to_js(&StepKindJs::from(self.trace.ctx.step_kind(step)?))
    }

    /// The queue entry `queueIndex` the batch consumes (the `deposit` of a deposit step's
    /// `oneStep`).
    #[wasm_bindgen(unchecked_return_type = "Deposit")]
    pub fn deposit(
        &self,
        #[wasm_bindgen(js_name = queueIndex)] queue_index: f64,
    ) -> JsResult<JsValue> {
        let index = convert::uint("queueIndex", queue_index)?;
        convert::to_js(&DepositJs::from(self.trace.deposit(index)?))
    }

    /// The true root (hex) at every position `0..=steps`: the parent's output root (or
    /// `genesisRoot()`), the step states' roots, and the batch's output root. Replays the
    /// batch once; later calls reuse the result.
    pub fn roots(&self) -> JsResult<Vec<String>> {
        self.with_roots(|roots| Ok(roots.iter().map(to_hex).collect()))
    }

    /// The true root (hex) at `position` (`0..=steps`).
    #[wasm_bindgen(js_name = rootAt)]
    pub fn root_at(&self, position: f64) -> JsResult<String> {
        let p = convert::uint("position", position)?;
        self.with_roots(|roots| {
            roots.get(p as usize).map(to_hex).ok_or_else(|| {
                settle_core::Error::NoSuchPosition {
                    position: p,
                    steps: roots.len().saturating_sub(1) as u64,
                }
                .into()
            })
        })
    }

    /// The one-step proof of step `step` (from position `step` to `step + 1`), in its wire
    /// form: what `prove_step` carries.
    pub fn proof(&self, step: f64) -> JsResult<Vec<u8>> {
        let step = convert::uint("step", step)?;
        Ok(self.trace.proof(&NativeVerifier, step)?.encode())
    }

    /// The execute message an honest `side` sends next in `game` (the contract's `game`
    /// query response, as it comes): `{ bisect }` (defender), `{ choose }` (challenger)
    /// or `{ prove_step }` (either, in the one-step phase, when the agreed root is the
    /// true one); `null` when it is not that side's move or nothing honest is left to do.
    #[wasm_bindgen(js_name = nextMove, unchecked_return_type = "BisectMsg | ChooseMsg | ProveStepMsg | null")]
    pub fn next_move(
        &self,
        #[wasm_bindgen(unchecked_param_type = "GameResponse")] game: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Side")] side: &str,
    ) -> JsResult<JsValue> {
        let game: GameJs = from_js(game)?;
        let side = self::side(side)?;
        match self.with_roots(|roots| next_move(&self.trace, roots, &game, side))? {
            Some(m) => convert::to_js(&m),
            None => Ok(JsValue::NULL),
        }
    }
}

// ---- the one-step proof -----------------------------------------------------------

/// Proof bytes: a `Uint8Array` (or array of numbers) or a hex string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofBytes(pub Vec<u8>);

impl<'de> Deserialize<'de> for ProofBytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ProofBytesVisitor)
    }
}

struct ProofBytesVisitor;

impl<'de> Visitor<'de> for ProofBytesVisitor {
    type Value = ProofBytes;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("proof bytes as a Uint8Array or a hex string")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<ProofBytes, E> {
        convert::hex_bytes("proof", s)
            .map(ProofBytes)
            .map_err(|e| E::custom(e.0))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<ProofBytes, E> {
        Ok(ProofBytes(v.to_vec()))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<ProofBytes, E> {
        Ok(ProofBytes(v))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<ProofBytes, A::Error> {
        let mut out = Vec::new();
        while let Some(b) = seq.next_element::<u8>()? {
            out.push(b);
        }
        Ok(ProofBytes(out))
    }
}

/// `{ context, domain, step, preRoot, deposit?, proof }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OneStepArgs {
    pub context: ContextJs,
    pub domain: Hex32,
    pub step: u64,
    #[serde(alias = "pre_root")]
    pub pre_root: Hex32,
    #[serde(default)]
    pub deposit: Option<DepositJs>,
    pub proof: ProofBytes,
}

/// Decodes the proof and runs core `one_step` with the k256 verifier.
pub fn run_one_step(args: OneStepArgs) -> JsResult<Hash> {
    let proof = OneStepProof::decode(&args.proof.0)?;
    let deposit: Option<Deposit> = args.deposit.map(Into::into);
    Ok(core_dispute::one_step(
        &BatchContext::from(&args.context),
        &Domain(args.domain.0),
        &NativeVerifier,
        args.step,
        &args.pre_root.0,
        deposit.as_ref(),
        &proof,
    )?)
}

/// Checks a one-step proof as the contract does (core `one_step`): re-executes step `step`
/// of the batch from the agreed root `preRoot` and returns the root after it (hex). Throws
/// the core's error when the proof proves nothing (wrong kind, a pre-state that is not
/// `preRoot`'s preimage, a witness that does not fit, bytes that do not decode).
#[wasm_bindgen(js_name = oneStep)]
pub fn one_step(
    #[wasm_bindgen(unchecked_param_type = "OneStepArgs")] args: JsValue,
) -> JsResult<String> {
    Ok(to_hex(run_one_step(from_js(args)?)?))
}

/// The agreed root before batch 0 (hex): `keccak("settle/genesis/v1" || empty state root)`,
/// position 0 of a game on batch 0.
#[wasm_bindgen(js_name = genesisRoot)]
pub fn genesis_root_js() -> String {
    to_hex(genesis_root())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepStateJs {
    accounts_root: Hex32,
    account_count: u64,
    withdrawals_root: Hex32,
    withdrawal_count: u64,
    state_root: Hex32,
    root: Hex32,
}

impl From<&StepState> for StepStateJs {
    fn from(s: &StepState) -> Self {
        StepStateJs {
            accounts_root: Fixed(s.accounts_root),
            account_count: s.account_count,
            withdrawals_root: Fixed(s.withdrawals_root),
            withdrawal_count: s.withdrawal_count,
            state_root: Fixed(s.state_root()),
            root: Fixed(s.root()),
        }
    }
}

#[derive(Serialize)]
struct WitnessAccountJs {
    index: u32,
    account: Option<AccountJs>,
}

#[derive(Serialize)]
struct WitnessJs {
    accounts: Vec<WitnessAccountJs>,
    present: Vec<bool>,
    hashes: Vec<Hex32>,
}

impl From<&AccountWitness> for WitnessJs {
    fn from(w: &AccountWitness) -> Self {
        WitnessJs {
            accounts: w
                .accounts
                .iter()
                .map(|(index, a)| WitnessAccountJs {
                    index: *index,
                    account: a.map(|a| AccountJs {
                        pubkey: Fixed(a.pubkey),
                        balance: Dec(a.balance),
                        nonce: Dec(a.nonce),
                    }),
                })
                .collect(),
            present: w.present.clone(),
            hashes: w.hashes.iter().copied().map(Fixed).collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ParentPreimageJs {
    state_root: Hex32,
    withdrawals_root: Hex32,
}

#[derive(Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
enum DecodedProofJs {
    Open {
        parent: Option<ParentPreimageJs>,
    },
    Deposit {
        pre: StepStateJs,
        accounts: WitnessJs,
        withdrawal_slot: Option<CompactProofJs>,
    },
    Tx {
        pre: StepStateJs,
        tx: HexBytes,
        tree_root: Hex32,
        tx_siblings: Vec<Hex32>,
        accounts: WitnessJs,
        withdrawal_slot: Option<CompactProofJs>,
    },
    Close {
        pre: StepStateJs,
    },
}

impl From<&OneStepProof> for DecodedProofJs {
    fn from(p: &OneStepProof) -> Self {
        match p {
            OneStepProof::Open { parent } => DecodedProofJs::Open {
                parent: parent.map(|(s, w)| ParentPreimageJs {
                    state_root: Fixed(s),
                    withdrawals_root: Fixed(w),
                }),
            },
            OneStepProof::Deposit {
                pre,
                accounts,
                withdrawal_slot,
            } => DecodedProofJs::Deposit {
                pre: pre.into(),
                accounts: accounts.into(),
                withdrawal_slot: withdrawal_slot.clone().map(Into::into),
            },
            OneStepProof::Tx {
                pre,
                tx,
                tree_root,
                tx_siblings,
                accounts,
                withdrawal_slot,
            } => DecodedProofJs::Tx {
                pre: pre.into(),
                tx: HexBytes(tx.clone()),
                tree_root: Fixed(*tree_root),
                tx_siblings: tx_siblings.iter().copied().map(Fixed).collect(),
                accounts: accounts.into(),
                withdrawal_slot: withdrawal_slot.clone().map(Into::into),
            },
            OneStepProof::Close { pre } => DecodedProofJs::Close { pre: pre.into() },
        }
    }
}

/// A one-step proof's wire bytes, decoded (core `OneStepProof::decode`, which refuses
/// trailing bytes and unbounded lengths): its kind, the pre-state, the witnessed accounts
/// with their balances, the step's transaction bytes, ...
#[wasm_bindgen(js_name = decodeOneStepProof, unchecked_return_type = "DecodedOneStepProof")]
pub fn decode_one_step_proof(bytes: &[u8]) -> JsResult<JsValue> {
    to_js_nulls(&DecodedProofJs::from(&OneStepProof::decode(bytes)?))
}
