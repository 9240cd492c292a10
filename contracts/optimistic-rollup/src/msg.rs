//! Messages of the optimistic-rollup contract. Byte strings: `HexBinary` for fixed-size
//! hashes and keys (readable), `Binary` (base64 in JSON) for bulk data, where every byte
//! costs the sender 10 gas.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, HexBinary, Timestamp, Uint128, Uint256};

#[cw_serde]
pub struct InstantiateMsg {
    /// Who may change the config. Defaults to the instantiating address.
    pub admin: Option<String>,
    /// Native denom of the value that moves through the rollup (deposits, withdrawals).
    pub denom: String,
    /// Native denom of proposer bonds (may equal `denom`).
    pub bond_denom: String,
    /// Bond a proposer must hold to post batches.
    pub proposer_bond: Uint128,
    /// Seconds a batch stays challengeable before it can be finalized (1 ..= ten years).
    pub challenge_window: u64,
    /// Seconds after which a queued deposit must be consumed by the next batch (at most
    /// ten years).
    pub force_inclusion_delay: u64,
    /// Largest batch, in bytes of transaction data (1 ..= 524288).
    pub max_batch_bytes: u32,
    /// Fraud-proof game parameters.
    pub dispute: DisputeParams,
    /// Ranges the admin's config changes must stay in, fixed for the contract's life (each
    /// inside the absolute floors and ceilings of settle-core `admin::optimistic`; the
    /// values above must lie inside them). Omitted: every parameter is pinned to its value
    /// above (only the treasury can change).
    pub bounds: Option<ConfigBounds>,
}

/// An inclusive range of seconds, bytes or basis points.
#[cw_serde]
#[derive(Copy)]
pub struct Range {
    pub min: u64,
    pub max: u64,
}

/// An inclusive range of an amount.
#[cw_serde]
#[derive(Copy)]
pub struct AmountRange {
    pub min: Uint128,
    pub max: Uint128,
}

/// What the admin may ever set, fixed at instantiate. Absolute limits (settle-core
/// `admin::optimistic`): `challenge_window.min` >= 300 s, `clock_seconds.min` >= 300 s,
/// `min_answer_seconds.min` >= 60 s, every period at most ten years, bonds at least 1,
/// `max_batch_bytes` in 1..=524288, `reward_bps` in 0..=10000.
#[cw_serde]
pub struct ConfigBounds {
    pub challenge_window: Range,
    pub force_inclusion_delay: Range,
    pub max_batch_bytes: Range,
    pub proposer_bond: AmountRange,
    pub challenger_bond: AmountRange,
    pub clock_seconds: Range,
    pub min_answer_seconds: Range,
    pub reward_bps: Range,
}

/// Parameters of the fraud-proof game. The clock rules of a game are fixed when it opens.
#[cw_serde]
pub struct DisputeParams {
    /// `bond_denom` funds a challenger attaches to open a game (positive).
    pub challenger_bond: Uint128,
    /// Seconds on each side's chess clock (1 ..= ten years).
    pub clock_seconds: u64,
    /// Least seconds the side to move has when its turn starts (1 ..= `clock_seconds`).
    pub min_answer_seconds: u64,
    /// Share of a slashed proposer bond paid to the winning challenger, in basis points
    /// (0 ..= 10000); the rest goes to `treasury`.
    pub reward_bps: u16,
    /// Receives the rest of a slashed bond.
    pub treasury: String,
}

/// Where a deposit is credited on L2.
#[cw_serde]
pub enum DepositTo {
    /// Open a new L2 account for this key (33-byte compressed secp256k1 point).
    NewAccount { pubkey: HexBinary },
    /// Top up an existing L2 account. If it does not exist, the deposit is refunded to the
    /// depositor as a withdrawal of the batch that consumes it.
    Account { index: u32 },
    /// Top up L2 account `index`, refused unless that index was opened (or is queued to
    /// open) with `pubkey` (33-byte compressed secp256k1 point): a new account queued
    /// ahead of the one the depositor meant cannot take the credit. On L2 it is the same
    /// credit as `account`.
    AccountWithKey { index: u32, pubkey: HexBinary },
}

impl DepositTo {
    /// The core's view of the target. Checks the key's length only; the contract also
    /// checks that it is a point on the curve (through the host) before accepting it.
    pub fn target(&self) -> Result<settle_core::ledger::DepositTarget, settle_core::Error> {
        Ok(match self {
            DepositTo::NewAccount { pubkey } => settle_core::ledger::DepositTarget::NewAccount(
                settle_core::error::exact("L2 public key", pubkey.as_slice())?,
            ),
            DepositTo::Account { index } | DepositTo::AccountWithKey { index, .. } => {
                settle_core::ledger::DepositTarget::Account(*index)
            }
        })
    }
}

/// The parts of an output root that a withdrawal proof needs besides what the contract
/// already stores (batch index, deposit cursor, data root).
#[cw_serde]
pub struct OutputPreimage {
    /// 32-byte L2 state root after the batch.
    pub state_root: HexBinary,
    /// 32-byte root of the batch's withdrawal tree (depth 16).
    pub withdrawals_root: HexBinary,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Adds the attached `bond_denom` funds to the sender's proposer bond.
    Bond {},
    /// Returns the sender's whole bond. Refused while any batch it proposed is not final.
    Unbond {},
    /// Queues a deposit of the attached `denom` funds (exactly one coin) for L2.
    Deposit { to: DepositTo },
    /// Posts a batch (bonded proposers only).
    ProposeBatch {
        /// The encoded L2 transactions, back to back (see settle-core `tx`). Anyone can
        /// rebuild the L2 state from the posted data and the deposit queue.
        data: Binary,
        /// How many queued deposits, after those consumed by earlier batches, this batch
        /// applies first: at most 1,024 (settle-core `MAX_DEPOSITS_PER_BATCH`). Force
        /// inclusion (settle-core `inclusion`): a deposit is overdue once its `include_by`
        /// has passed; a batch must consume every overdue deposit, or 1,024 deposits, so
        /// a batch of `min(pending, 1,024)` deposits is always accepted and a backlog
        /// drains oldest-first a full batch at a time.
        deposits_consumed: u64,
        /// The 32-byte output root the proposer claims after applying the batch.
        output_root: HexBinary,
    },
    /// Finalizes batch `index` once its challenge window has passed. Batches finalize in
    /// order. Anyone may call.
    Finalize { index: u64 },
    /// Pays an L2 withdrawal proven against a finalized output. Anyone may call; the
    /// funds go to `recipient`. Each `(batch, index)` pays once.
    Withdraw {
        batch: u64,
        /// Position of the withdrawal in the batch's withdrawal tree.
        index: u32,
        /// L1 address the withdrawal names.
        recipient: String,
        amount: Uint128,
        output: OutputPreimage,
        /// Compact sparse-Merkle proof: a 2-byte bitmap then the non-default siblings
        /// (32 bytes each), from the leaf up.
        proof: Binary,
    },
    /// Admin: proposes new parameters (omitted ones stay). Each must lie inside the bounds
    /// fixed at instantiate. The change waits a timelock of the challenge window in force
    /// (measured now and again when it applies), then `apply_config` makes it the config:
    /// a new window binds batches proposed afterwards, new dispute terms games opened
    /// afterwards; nothing in flight changes. One change pending at a time.
    ProposeConfig {
        proposer_bond: Option<Uint128>,
        challenge_window: Option<u64>,
        force_inclusion_delay: Option<u64>,
        max_batch_bytes: Option<u32>,
        dispute: Option<DisputeParams>,
    },
    /// Anyone, once the pending change's timelock has passed: applies it.
    ApplyConfig {},
    /// Admin: drops the pending change.
    CancelConfig {},
    /// Admin: names a successor. The role moves only when the successor accepts.
    ProposeAdmin { admin: String },
    /// The named successor: takes the admin role.
    AcceptAdmin {},
    /// Admin: withdraws the nomination.
    CancelAdmin {},
    /// Pays the sender its credit (the treasury's share of slashed bonds, in
    /// `bond_denom`): credited when a game settles, withdrawn by its owner.
    Claim {},
    /// Opens a fraud-proof game against a proposed batch inside its challenge window,
    /// with exactly `challenger_bond` of `bond_denom` attached. The batch (and so every
    /// later one) cannot finalize until the game is resolved.
    Challenge { batch: u64 },
    /// Defender (the batch's proposer): commits to the 32-byte step root at `position`,
    /// the midpoint the game asks for.
    Bisect {
        game: u64,
        position: u64,
        root: HexBinary,
    },
    /// Challenger: agrees or disagrees with the defender's root at `position`.
    Choose {
        game: u64,
        position: u64,
        agree: bool,
    },
    /// Anyone: settles a game narrowed to one step with a one-step proof (settle-core
    /// `OneStepProof` wire bytes) of step `step`.
    ProveStep { game: u64, step: u64, proof: Binary },
    /// Anyone: ends a game whose running clock has run out, or releases the bond of a
    /// game whose batch was removed by another game. A game whose clock had already run
    /// out when its batch was removed was decided first: it settles as decided (the winner
    /// is paid), not as void.
    ResolveGame { game: u64 },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(ConfigResponse)]
    Config {},
    /// Counters of the batch chain and the deposit queue.
    #[returns(StatusResponse)]
    Status {},
    #[returns(BatchResponse)]
    Batch { index: u64 },
    /// Batches in index order.
    #[returns(BatchesResponse)]
    Batches {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    #[returns(ProposerResponse)]
    Proposer { address: String },
    #[returns(DepositResponse)]
    Deposit { index: u64 },
    /// Deposits in queue order (what a proposer or verifier replays).
    #[returns(DepositsResponse)]
    Deposits {
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// Whether withdrawal `index` of `batch` can be paid yet.
    #[returns(WithdrawalStatusResponse)]
    WithdrawalStatus { batch: u64, index: u32 },
    /// Assets held against every liability.
    #[returns(SolvencyResponse)]
    Solvency {},
    /// Checks a proof with the same core code the browser package runs, without changing
    /// anything: a Merkle proof (ours or OpenZeppelin's), or a withdrawal claim against a
    /// stored batch (a dry run of `withdraw`: would it pay?).
    #[returns(ProofCheckResponse)]
    CheckProof { proof: Box<ProofToCheck> },
    /// A fraud-proof game, with its clocks as of the current block.
    #[returns(GameResponse)]
    Game { id: u64 },
    /// Games in id order, optionally only those on one batch.
    #[returns(GamesResponse)]
    Games {
        batch: Option<u64>,
        start_after: Option<u64>,
        limit: Option<u32>,
    },
    /// What the game needs to replay a batch: its step count, kinds and parent.
    #[returns(DisputeContextResponse)]
    DisputeContext { batch: u64 },
    /// The config change waiting for its timelock, if any.
    #[returns(PendingConfigResponse)]
    PendingConfig {},
    /// The admin and the successor it named, if any.
    #[returns(PendingAdminResponse)]
    PendingAdmin {},
    /// What `address` can withdraw with `claim`.
    #[returns(CreditResponse)]
    Credit { address: String },
    /// Whether `sender` could make `move` now, and what it would do (a dry run).
    #[returns(MoveCheckResponse)]
    CheckMove {
        game: u64,
        sender: String,
        #[serde(rename = "move")]
        game_move: GameMove,
    },
}

/// A move to dry-run with `check_move` (the fields of the matching execute message).
#[cw_serde]
pub enum GameMove {
    Bisect { position: u64, root: HexBinary },
    Choose { position: u64, agree: bool },
    ProveStep { step: u64, proof: Binary },
    Resolve {},
}

#[cw_serde]
pub struct MoveCheckResponse {
    pub valid: bool,
    /// Why not, in the contract's words.
    pub reason: Option<String>,
    /// What the move would do ("the challenger wins", "position 12 becomes agreed", ...).
    pub outcome: Option<String>,
}

#[cw_serde]
pub enum Side {
    Defender,
    Challenger,
}

#[cw_serde]
pub enum GamePhase {
    /// The defender must post the root at `position`.
    Bisect { position: u64 },
    /// The challenger must agree or disagree with `root` at `position`.
    Choose { position: u64, root: HexBinary },
    /// Narrowed to step `step`: anyone may prove it.
    OneStep { step: u64 },
    /// Over: `winner` won, by `reason` ("proof", "timeout").
    Resolved { winner: Side, reason: String },
    /// The batch was removed by another game: the challenger's bond is released by
    /// `resolve_game` (or was, if `bond_returned`).
    Void { bond_returned: bool },
}

/// The economic terms of a game, fixed when it opens: settlement reads these, never the
/// config in force when it ends.
#[cw_serde]
pub struct GameTerms {
    /// The challenger's bond (returned to it, or paid to the defender).
    pub challenger_bond: Uint128,
    /// The defender's proposer bond when the game opened (what it stands to lose; the
    /// whole bond it holds when the game ends is slashed).
    pub proposer_stake: Uint128,
    /// Share of the slashed bond paid to a winning challenger.
    pub reward_bps: u16,
    /// Credited with the rest of the slashed bond.
    pub treasury: Addr,
    pub clock_seconds: u64,
    pub min_answer_seconds: u64,
}

#[cw_serde]
pub struct GameResponse {
    pub id: u64,
    pub batch: u64,
    pub defender: Addr,
    pub challenger: Addr,
    pub bond: Uint128,
    /// Steps of the batch (positions `0..=steps`).
    pub steps: u64,
    pub lo: u64,
    pub hi: u64,
    pub lo_root: HexBinary,
    pub hi_root: HexBinary,
    pub phase: GamePhase,
    /// Seconds left on each clock now.
    pub defender_left: u64,
    pub challenger_left: u64,
    /// When the running clock runs out (none once over).
    pub deadline: Option<Timestamp>,
    pub moves: u32,
    pub opened_at: Timestamp,
    pub terms: GameTerms,
}

#[cw_serde]
pub struct GamesResponse {
    pub games: Vec<GameResponse>,
}

#[cw_serde]
pub struct ParentOutput {
    pub output_root: HexBinary,
    pub deposit_cursor: u64,
    pub data_root: HexBinary,
}

#[cw_serde]
pub struct DisputeContextResponse {
    pub batch: u64,
    /// `None` for batch 0 (the parent is genesis).
    pub parent: Option<ParentOutput>,
    /// The agreed root at position 0.
    pub anchor_root: HexBinary,
    pub deposits_from: u64,
    pub deposits: u64,
    pub tx_steps: u64,
    pub data_root: HexBinary,
    pub output_root: HexBinary,
    /// Positions run `0..=steps`.
    pub steps: u64,
}

/// A proof for the `check_proof` query.
/// One `["address", "uint256"]` value of an OpenZeppelin `StandardMerkleTree`.
#[cw_serde]
pub struct OzValue {
    /// 20-byte address.
    pub address: HexBinary,
    pub amount: Uint256,
}

#[cw_serde]
pub enum ProofToCheck {
    /// settle-core's binary Merkle tree: `leaf` is the leaf DATA (any length), hashed with
    /// the leaf domain (`keccak256(0x00 || data)`) by the contract, so an inner node cannot
    /// pass as a leaf; `siblings` from the leaf up.
    Merkle {
        root: HexBinary,
        leaf: HexBinary,
        index: u64,
        leaf_count: u64,
        siblings: Vec<HexBinary>,
    },
    /// OpenZeppelin `StandardMerkleTree` over `["address", "uint256"]`: one value and its
    /// `getProof` (as `MerkleProof.verify` in Solidity checks it).
    OpenZeppelin {
        root: HexBinary,
        /// 20-byte address.
        address: HexBinary,
        amount: Uint256,
        proof: Vec<HexBinary>,
    },
    /// An OpenZeppelin multiproof (`StandardMerkleTree.verifyMultiProof`): the VALUES in the
    /// order the verifier consumes them (the order of `getMultiProof`'s `leaves`), each
    /// hashed as a leaf by the contract, so an inner node cannot pass as a leaf.
    OpenZeppelinMulti {
        root: HexBinary,
        leaves: Vec<OzValue>,
        proof: Vec<HexBinary>,
        proof_flags: Vec<bool>,
    },
    /// A one-step fraud proof, checked on its own (no game): valid when re-executing
    /// step `step` of the described batch from `pre_root` gives `post_root`.
    OneStep(OneStepCheck),
    /// The fields of a `withdraw` message: valid when it would pay now.
    Withdrawal {
        batch: u64,
        index: u32,
        recipient: String,
        amount: Uint128,
        output: OutputPreimage,
        proof: Binary,
    },
}

/// The fields of a one-step proof check (`check_proof`).
#[cw_serde]
pub struct OneStepCheck {
    pub context: DisputeContext,
    /// 32-byte L2 signing domain the batch's transactions are signed for.
    pub domain: HexBinary,
    pub step: u64,
    pub pre_root: HexBinary,
    /// The queue entry a deposit step applies.
    pub deposit: Option<StepDeposit>,
    /// settle-core `OneStepProof` wire bytes.
    pub proof: Binary,
    pub post_root: HexBinary,
}

/// A batch as a one-step proof sees it (see the `dispute_context` query).
#[cw_serde]
pub struct DisputeContext {
    pub batch: u64,
    /// `None` for batch 0 (the parent is genesis).
    pub parent: Option<ParentOutput>,
    pub deposits_from: u64,
    pub deposits: u64,
    pub tx_steps: u64,
    pub data_root: HexBinary,
}

/// A deposit of the L1 queue as the L2 applies it.
#[cw_serde]
pub struct StepDeposit {
    pub index: u64,
    pub to: DepositTo,
    pub amount: Uint128,
    /// The depositor's canonical address (where a refund goes).
    pub refund_to: HexBinary,
}

#[cw_serde]
pub struct ProofCheckResponse {
    pub valid: bool,
    /// Why not, in the core's (or the contract's) words.
    pub reason: Option<String>,
}

#[cw_serde]
pub struct ConfigResponse {
    pub admin: Addr,
    pub denom: String,
    pub bond_denom: String,
    pub proposer_bond: Uint128,
    pub challenge_window: u64,
    pub force_inclusion_delay: u64,
    pub max_batch_bytes: u32,
    /// The L2 signing domain: keccak of the chain id and this contract's address.
    pub domain: HexBinary,
    pub dispute: DisputeConfigResponse,
    /// What the admin may ever set (fixed at instantiate).
    pub bounds: ConfigBounds,
}

/// Parameters a pending change will put in force (all of them, changed or not).
#[cw_serde]
pub struct PendingConfig {
    pub proposer_bond: Uint128,
    pub challenge_window: u64,
    pub force_inclusion_delay: u64,
    pub max_batch_bytes: u32,
    pub dispute: DisputeConfigResponse,
    pub proposed_at: Timestamp,
    /// Earliest time `apply_config` takes it (later if the window in force grows).
    pub applies_at: Timestamp,
}

#[cw_serde]
pub struct PendingConfigResponse {
    pub pending: Option<PendingConfig>,
}

#[cw_serde]
pub struct PendingAdminResponse {
    pub admin: Addr,
    /// Named by the admin, not yet accepted.
    pub pending: Option<Addr>,
}

#[cw_serde]
pub struct CreditResponse {
    pub address: Addr,
    pub amount: Uint128,
    pub denom: String,
}

#[cw_serde]
pub struct DisputeConfigResponse {
    pub challenger_bond: Uint128,
    pub clock_seconds: u64,
    pub min_answer_seconds: u64,
    pub reward_bps: u16,
    pub treasury: Addr,
}

#[cw_serde]
pub struct StatusResponse {
    /// Index the next proposed batch gets.
    pub next_batch: u64,
    /// Number of finalized batches (= index of the next batch to finalize).
    pub finalized: u64,
    /// Deposits queued so far.
    pub deposit_count: u64,
    /// Deposits consumed by proposed batches.
    pub deposit_cursor: u64,
    /// Head of the deposit hash chain.
    pub deposit_head: HexBinary,
}

#[cw_serde]
pub enum BatchStatus {
    /// Posted; its challenge window runs until `finalizes_at`, and it cannot finalize
    /// while a game on it is open.
    Proposed,
    /// Final: its withdrawals can be paid.
    Finalized,
}

#[cw_serde]
pub struct BatchResponse {
    pub index: u64,
    pub proposer: Addr,
    pub output_root: HexBinary,
    /// Merkle root over the batch's transaction steps.
    pub data_root: HexBinary,
    pub data_bytes: u32,
    /// Number of transaction steps the data splits into.
    pub tx_steps: u32,
    /// Deposit queue position before and after this batch.
    pub deposits_from: u64,
    pub deposits_to: u64,
    pub proposed_at: Timestamp,
    pub finalizes_at: Timestamp,
    pub status: BatchStatus,
    /// Fraud-proof games on this batch not yet resolved.
    pub open_games: u32,
}

#[cw_serde]
pub struct BatchesResponse {
    pub batches: Vec<BatchResponse>,
}

#[cw_serde]
pub struct ProposerResponse {
    pub address: Addr,
    pub bond: Uint128,
    /// Whether the bond is enough to post batches.
    pub bonded: bool,
    pub last_batch: Option<u64>,
}

#[cw_serde]
pub struct DepositResponse {
    pub index: u64,
    pub depositor: Addr,
    pub to: DepositTo,
    pub amount: Uint128,
    pub queued_at: Timestamp,
    /// Its force-inclusion deadline: from this time on the next batch must consume it
    /// (or a full batch of 1,024 deposits before it). `force_inclusion_delay` after the
    /// later of `queued_at` and the last removal that put deposits back in the queue
    /// (whole seconds), so a deposit a removal puts back always gets a whole delay.
    pub include_by: Timestamp,
    /// Head of the hash chain after this deposit.
    pub chain_head: HexBinary,
}

#[cw_serde]
pub struct DepositsResponse {
    pub deposits: Vec<DepositResponse>,
}

#[cw_serde]
pub enum WithdrawalStatus {
    /// The batch does not exist yet or its challenge window is open.
    NotYetProvable { finalizes_at: Option<Timestamp> },
    /// The batch is final and this withdrawal has not been paid.
    Provable {},
    /// Paid to `recipient`.
    Paid {
        recipient: Addr,
        amount: Uint128,
        height: u64,
    },
}

#[cw_serde]
pub struct WithdrawalStatusResponse {
    pub batch: u64,
    pub index: u32,
    pub status: WithdrawalStatus,
}

#[cw_serde]
pub struct Liabilities {
    /// Deposits received and not yet paid back out by withdrawals (kept as one balance,
    /// not as the difference of two ever-growing totals).
    pub deposits_outstanding: Uint128,
    /// Proposer bonds held.
    pub bonds: Uint128,
    /// Challenger bonds held by open games (and void games not yet released).
    pub challenger_bonds: Uint128,
    /// Credits not yet claimed (in `bond_denom`).
    pub credits: Uint128,
}

#[cw_serde]
pub struct DenomSolvency {
    pub denom: String,
    /// The contract's bank balance.
    pub held: Uint256,
    /// What the contract owes in this denom.
    pub owed: Uint256,
    /// `held - owed` when positive (funds sent to the contract outside any message).
    pub surplus: Uint256,
    /// `owed - held` when positive: must always be zero.
    pub deficit: Uint256,
}

#[cw_serde]
pub struct SolvencyResponse {
    pub liabilities: Liabilities,
    /// One entry per denom (one if `denom == bond_denom`).
    pub denoms: Vec<DenomSolvency>,
    /// Total deposited since instantiation: a statistic that saturates at `u128::MAX`
    /// (it never gates anything; `liabilities.deposits_outstanding` is what is owed).
    pub total_deposited: Uint128,
    /// Total withdrawn since instantiation: a statistic that saturates at `u128::MAX`.
    pub total_withdrawn: Uint128,
    /// No deficit in any denom.
    pub solvent: bool,
}
