//! Messages of the optimistic-rollup contract, in the suite's one API style
//! (ARCHITECTURE.md "API conventions": times in unix seconds, bytes as `Binary`, `Addr` in
//! answers, enums for verdicts, the same names as the other contracts for the same
//! things).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Uint128, Uint256};

pub use settle_host::solvency::{DenomSolvency, SolvencyResponse};

#[cw_serde]
pub struct InstantiateMsg {
    /// Who may change the config (bech32; validated). Defaults to the instantiating address.
    pub admin: Option<String>,
    /// Native denom of the value that moves through the rollup (deposits, withdrawals).
    pub denom: String,
    /// Native denom of proposer bonds (may equal `denom`).
    pub bond_denom: String,
    /// Bond a proposer must hold to post batches (in `bond_denom`).
    pub proposer_bond: Uint128,
    /// Seconds a batch stays challengeable before it can be finalized (1 ..= ten years).
    pub challenge_window: u64,
    /// Seconds after which a queued deposit must be consumed by the next batch (at most
    /// ten years).
    pub force_inclusion_seconds: u64,
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
    /// The least value allowed.
    pub min: u64,
    /// The greatest value allowed.
    pub max: u64,
}

/// An inclusive range of an amount.
#[cw_serde]
#[derive(Copy)]
pub struct AmountRange {
    /// The least amount allowed.
    pub min: Uint128,
    /// The greatest amount allowed.
    pub max: Uint128,
}

/// What the admin may ever set, fixed at instantiate. Absolute limits (settle-core
/// `admin::optimistic`): `challenge_window.min` >= 300 s, `clock_seconds.min` >= 300 s,
/// `min_answer_seconds.min` >= 60 s, every period at most ten years, bonds at least 1,
/// `max_batch_bytes` in 1..=524288, `reward_bps` in 0..=10000.
#[cw_serde]
pub struct ConfigBounds {
    /// Seconds.
    pub challenge_window: Range,
    /// Seconds.
    pub force_inclusion_seconds: Range,
    /// Bytes.
    pub max_batch_bytes: Range,
    /// In `bond_denom`.
    pub proposer_bond: AmountRange,
    /// In `bond_denom`.
    pub challenger_bond: AmountRange,
    /// Seconds.
    pub clock_seconds: Range,
    /// Seconds.
    pub min_answer_seconds: Range,
    /// Basis points.
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
    /// Receives the rest of a slashed bond (bech32; validated).
    pub treasury: String,
}

/// Where a deposit is credited on L2.
#[cw_serde]
pub enum DepositTarget {
    /// Open a new L2 account for this key.
    NewAccount {
        /// 33-byte compressed secp256k1 point.
        pubkey: Binary,
    },
    /// Top up an existing L2 account. If it does not exist, the deposit is refunded to the
    /// depositor as a withdrawal of the batch that consumes it.
    Account {
        /// The L2 account index.
        account: u32,
    },
    /// Top up an L2 account, refused unless that index was opened (or is queued to open)
    /// with `pubkey`: a new account queued ahead of the one the depositor meant cannot
    /// take the credit. On L2 it is the same credit as `account`.
    AccountWithKey {
        /// The L2 account index.
        account: u32,
        /// 33-byte compressed secp256k1 point that opened the account.
        pubkey: Binary,
    },
}

impl DepositTarget {
    /// The core's view of the target. Checks the key's length only; the contract also
    /// checks that it is a point on the curve (through the host) before accepting it.
    pub fn target(&self) -> Result<settle_core::ledger::DepositTarget, settle_core::Error> {
        Ok(match self {
            DepositTarget::NewAccount { pubkey } => settle_core::ledger::DepositTarget::NewAccount(
                settle_core::error::exact("L2 public key", pubkey.as_slice())?,
            ),
            DepositTarget::Account { account } | DepositTarget::AccountWithKey { account, .. } => {
                settle_core::ledger::DepositTarget::Account(*account)
            }
        })
    }
}

/// The parts of an output root that a withdrawal proof needs besides what the contract
/// already stores (batch index, deposit cursor, data root).
#[cw_serde]
pub struct OutputPreimage {
    /// 32-byte L2 state root after the batch.
    pub state_root: Binary,
    /// 32-byte root of the batch's withdrawal tree (depth 16).
    pub withdrawals_root: Binary,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Adds the attached `bond_denom` funds to the sender's proposer bond.
    Bond {},
    /// Returns the sender's whole bond. Refused while any batch it proposed is not final.
    Unbond {},
    /// Queues a deposit of the attached `denom` funds (exactly one coin) for L2.
    Deposit {
        /// Where the deposit is credited on L2.
        target: DepositTarget,
    },
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
        output_root: Binary,
    },
    /// Finalizes a batch once its challenge window has passed. Batches finalize in
    /// order. Anyone may call.
    Finalize {
        /// The batch's index.
        batch: u64,
    },
    /// Pays an L2 withdrawal proven against a finalized output. Anyone may call; the
    /// funds go to `recipient`. Each `(batch, index)` pays once.
    Withdraw {
        /// The finalized batch whose withdrawal tree holds the withdrawal.
        batch: u64,
        /// Position of the withdrawal in the batch's withdrawal tree.
        index: u32,
        /// L1 address the withdrawal names (bech32; validated).
        recipient: String,
        /// The amount the withdrawal names (in `denom`).
        amount: Uint128,
        /// The parts of the batch's output root the proof needs.
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
        /// New proposer bond (in `bond_denom`).
        proposer_bond: Option<Uint128>,
        /// New challenge window, in seconds.
        challenge_window: Option<u64>,
        /// New force-inclusion period, in seconds.
        force_inclusion_seconds: Option<u64>,
        /// New largest batch, in bytes.
        max_batch_bytes: Option<u32>,
        /// New dispute terms (all of them).
        dispute: Option<DisputeParams>,
    },
    /// Anyone, once the pending change's timelock has passed: applies it.
    ApplyConfig {},
    /// Admin: drops the pending change.
    CancelConfig {},
    /// Admin: names a successor. The role moves only when the successor accepts.
    ProposeAdmin {
        /// The successor's address (bech32; validated).
        admin: String,
    },
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
    Challenge {
        /// The challenged batch's index.
        batch: u64,
    },
    /// Defender (the batch's proposer): commits to the step root at `position`, the
    /// midpoint the game asks for.
    Bisect {
        /// The game's id.
        game: u64,
        /// The step position the game asks for.
        position: u64,
        /// The 32-byte step root the defender claims at `position`.
        root: Binary,
    },
    /// Challenger: agrees or disagrees with the defender's root at `position`.
    Choose {
        /// The game's id.
        game: u64,
        /// The position of the root answered.
        position: u64,
        /// Whether the challenger agrees with the defender's root there.
        agree: bool,
    },
    /// Anyone: settles a game narrowed to one step with a one-step proof of step `step`.
    ProveStep {
        /// The game's id.
        game: u64,
        /// The step the game narrowed to.
        step: u64,
        /// settle-core `OneStepProof` wire bytes.
        proof: Binary,
    },
    /// Anyone: ends a game whose running clock has run out, or releases the bond of a
    /// game whose batch was removed by another game. A game whose clock had already run
    /// out when its batch was removed was decided first: it settles as decided (the winner
    /// is paid), not as void.
    ResolveGame {
        /// The game's id.
        game: u64,
    },
}

impl ExecuteMsg {
    /// The `withdraw` that claims `proof` (what settle-core's operator `Node` proves) for
    /// `recipient`, the bech32 form of the proof's canonical recipient.
    pub fn withdraw_of(
        proof: &settle_core::node::WithdrawalProof,
        recipient: impl Into<String>,
    ) -> ExecuteMsg {
        ExecuteMsg::Withdraw {
            batch: proof.batch,
            index: proof.index,
            recipient: recipient.into(),
            amount: Uint128::new(proof.amount),
            output: OutputPreimage {
                state_root: Binary::from(proof.state_root.as_slice()),
                withdrawals_root: Binary::from(proof.withdrawals_root.as_slice()),
            },
            proof: Binary::new(proof.proof.clone()),
        }
    }
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The contract's parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// Counters of the batch chain and the deposit queue, and what the contract owes.
    #[returns(StatusResponse)]
    Status {},
    /// One batch.
    #[returns(BatchResponse)]
    Batch {
        /// The batch's index.
        batch: u64,
    },
    /// Batches in index order.
    #[returns(BatchesResponse)]
    Batches {
        /// List batches with a greater index only.
        start_after: Option<u64>,
        /// At most this many (default 10, at most 30).
        limit: Option<u32>,
    },
    /// A proposer's bond.
    #[returns(ProposerResponse)]
    Proposer {
        /// The proposer's address (bech32; validated).
        address: String,
    },
    /// One entry of the deposit queue.
    #[returns(QueuedDepositResponse)]
    QueuedDeposit {
        /// The deposit's queue index.
        deposit: u64,
    },
    /// Deposits in queue order (what a proposer or verifier replays).
    #[returns(DepositsResponse)]
    Deposits {
        /// List deposits with a greater queue index only.
        start_after: Option<u64>,
        /// At most this many (default 10, at most 30).
        limit: Option<u32>,
    },
    /// Whether withdrawal `index` of `batch` can be paid yet.
    #[returns(WithdrawalStatusResponse)]
    WithdrawalStatus {
        /// The batch's index.
        batch: u64,
        /// Position of the withdrawal in the batch's withdrawal tree.
        index: u32,
    },
    /// Assets held against every liability.
    #[returns(SolvencyResponse)]
    Solvency {},
    /// Checks a proof with the same core code the browser package runs, without changing
    /// anything: a Merkle proof (ours or OpenZeppelin's), or a withdrawal claim against a
    /// stored batch (a dry run of `withdraw`: would it pay?).
    #[returns(ProofCheckResponse)]
    CheckProof {
        /// The proof to check.
        proof: Box<ProofToCheck>,
    },
    /// A fraud-proof game, with its clocks as of the current block.
    #[returns(GameResponse)]
    Game {
        /// The game's id.
        game: u64,
    },
    /// Games in id order, optionally only those on one batch.
    #[returns(GamesResponse)]
    Games {
        /// Only the games on this batch.
        batch: Option<u64>,
        /// List games with a greater id only.
        start_after: Option<u64>,
        /// At most this many (default 10, at most 30).
        limit: Option<u32>,
    },
    /// What the game needs to replay a batch: its step count, kinds and parent.
    #[returns(DisputeContextResponse)]
    DisputeContext {
        /// The batch's index.
        batch: u64,
    },
    /// The config change waiting for its timelock, if any.
    #[returns(PendingConfigResponse)]
    PendingConfig {},
    /// The admin and the successor it named, if any.
    #[returns(PendingAdminResponse)]
    PendingAdmin {},
    /// What `address` can withdraw with `claim`.
    #[returns(CreditResponse)]
    Credit {
        /// The address (bech32; validated).
        address: String,
    },
    /// Whether `sender` could make `move` now, and what it would do (a dry run).
    #[returns(MoveCheckResponse)]
    CheckMove {
        /// The game's id.
        game: u64,
        /// The address that would send the move (bech32; validated).
        sender: String,
        /// The move, as its execute message carries it.
        #[serde(rename = "move")]
        game_move: GameMove,
    },
}

/// A move to dry-run with `check_move`: the execute message of the same name, without
/// its `game`.
#[cw_serde]
pub enum GameMove {
    /// As `bisect`.
    Bisect {
        /// The step position the game asks for.
        position: u64,
        /// The 32-byte step root claimed there.
        root: Binary,
    },
    /// As `choose`.
    Choose {
        /// The position of the root answered.
        position: u64,
        /// Whether the challenger agrees.
        agree: bool,
    },
    /// As `prove_step`.
    ProveStep {
        /// The step the game narrowed to.
        step: u64,
        /// settle-core `OneStepProof` wire bytes.
        proof: Binary,
    },
    /// As `resolve_game`.
    ResolveGame {},
}

/// How a game ended.
#[cw_serde]
#[derive(Copy)]
pub enum Resolution {
    /// A one-step proof settled it.
    Proof,
    /// The loser's clock ran out.
    Timeout,
}

/// What a move would do.
#[cw_serde]
pub enum MoveOutcome {
    /// After a bisection: the challenger must agree or disagree at `position`.
    ChallengerToAnswer {
        /// The position of the root just posted.
        position: u64,
    },
    /// After a choice: positions `lo..hi` remain in dispute; the defender bisects next.
    Narrowed {
        /// The agreed position.
        lo: u64,
        /// The disputed position.
        hi: u64,
    },
    /// After a choice: narrowed to one step, which anyone may now prove.
    NarrowedToStep {
        /// The step to prove.
        step: u64,
    },
    /// The game ends: `winner` wins.
    Wins {
        /// The side that wins.
        winner: Side,
        /// How.
        by: Resolution,
    },
    /// The game's batch was removed by another game: the challenger's bond goes back.
    BondReleased {},
}

#[cw_serde]
pub struct MoveCheckResponse {
    /// Whether the move would be accepted now.
    pub valid: bool,
    /// Why not: the message of the error the contract would refuse it with.
    pub reason: Option<String>,
    /// What the move would do, when valid.
    pub outcome: Option<MoveOutcome>,
}

/// A side of a fraud-proof game.
#[cw_serde]
pub enum Side {
    /// The batch's proposer.
    Defender,
    /// Who opened the game.
    Challenger,
}

#[cw_serde]
pub enum GamePhase {
    /// The defender must post the root at `position`.
    Bisect {
        /// The step position asked for.
        position: u64,
    },
    /// The challenger must agree or disagree with `root` at `position`.
    Choose {
        /// The position of the defender's root.
        position: u64,
        /// The defender's 32-byte step root there.
        root: Binary,
    },
    /// Narrowed to one step: anyone may prove it.
    OneStep {
        /// The step to prove.
        step: u64,
    },
    /// Over.
    Resolved {
        /// The side that won.
        winner: Side,
        /// How.
        reason: Resolution,
    },
    /// The batch was removed by another game: the challenger's bond is released by
    /// `resolve_game`.
    Void {
        /// Whether it was already released.
        bond_returned: bool,
    },
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
    /// Seconds on each side's chess clock.
    pub clock_seconds: u64,
    /// Least seconds the side to move has when its turn starts.
    pub min_answer_seconds: u64,
}

#[cw_serde]
pub struct GameResponse {
    /// The game's id.
    pub game: u64,
    /// The challenged batch's index.
    pub batch: u64,
    /// The batch's proposer.
    pub defender: Addr,
    /// Who opened the game.
    pub challenger: Addr,
    /// The challenger's bond (in `bond_denom`).
    pub bond: Uint128,
    /// Steps of the batch (positions `0..=steps`).
    pub steps: u64,
    /// The highest position both sides agree on.
    pub lo: u64,
    /// The lowest position in dispute.
    pub hi: u64,
    /// The 32-byte step root at `lo`.
    pub lo_root: Binary,
    /// The defender's 32-byte step root at `hi`.
    pub hi_root: Binary,
    /// Whose move it is, or how it ended.
    pub phase: GamePhase,
    /// Seconds left on the defender's clock now.
    pub defender_left: u64,
    /// Seconds left on the challenger's clock now.
    pub challenger_left: u64,
    /// Unix seconds at which the running clock runs out (none once over).
    pub clock_runs_out_at: Option<u64>,
    /// Moves made so far.
    pub moves: u32,
    /// Unix seconds of the block that opened the game.
    pub opened_at: u64,
    /// The economic terms, fixed when it opened.
    pub terms: GameTerms,
}

#[cw_serde]
pub struct GamesResponse {
    /// The games of the page, in id order.
    pub games: Vec<GameResponse>,
}

/// The parent batch's output, as a one-step proof needs it.
#[cw_serde]
pub struct ParentOutput {
    /// The parent's 32-byte output root.
    pub output_root: Binary,
    /// Deposits consumed up to the end of the parent.
    pub deposit_cursor: u64,
    /// The parent's 32-byte data root.
    pub data_root: Binary,
}

#[cw_serde]
pub struct DisputeContextResponse {
    /// The batch's index.
    pub batch: u64,
    /// `None` for batch 0 (the parent is genesis).
    pub parent: Option<ParentOutput>,
    /// The agreed 32-byte root at position 0.
    pub anchor_root: Binary,
    /// The queue index of the first deposit the batch applies.
    pub deposits_from: u64,
    /// How many deposits the batch applies.
    pub deposits: u64,
    /// How many transaction steps the batch has.
    pub tx_steps: u64,
    /// The batch's 32-byte data root.
    pub data_root: Binary,
    /// The batch's claimed 32-byte output root.
    pub output_root: Binary,
    /// Positions run `0..=steps`.
    pub steps: u64,
}

/// One `["address", "uint256"]` value of an OpenZeppelin `StandardMerkleTree`.
#[cw_serde]
pub struct OzValue {
    /// 20-byte address.
    pub address: Binary,
    /// The amount.
    pub amount: Uint256,
}

/// A proof for the `check_proof` query.
#[cw_serde]
pub enum ProofToCheck {
    /// settle-core's binary Merkle tree: `leaf` is the leaf DATA (any length), hashed with
    /// the leaf domain (`keccak256(0x00 || data)`) by the contract, so an inner node cannot
    /// pass as a leaf; `siblings` from the leaf up.
    Merkle {
        /// The 32-byte root.
        root: Binary,
        /// The leaf data (any length).
        leaf: Binary,
        /// The leaf's position.
        index: u64,
        /// Leaves in the tree.
        leaf_count: u64,
        /// 32-byte siblings, from the leaf up.
        siblings: Vec<Binary>,
    },
    /// OpenZeppelin `StandardMerkleTree` over `["address", "uint256"]`: one value and its
    /// `getProof` (as `MerkleProof.verify` in Solidity checks it).
    OpenZeppelin {
        /// The 32-byte root.
        root: Binary,
        /// 20-byte address.
        address: Binary,
        /// The amount.
        amount: Uint256,
        /// 32-byte proof hashes (`getProof`).
        proof: Vec<Binary>,
    },
    /// An OpenZeppelin multiproof (`StandardMerkleTree.verifyMultiProof`): the VALUES in the
    /// order the verifier consumes them (the order of `getMultiProof`'s `leaves`), each
    /// hashed as a leaf by the contract, so an inner node cannot pass as a leaf.
    OpenZeppelinMulti {
        /// The 32-byte root.
        root: Binary,
        /// The values, in the order the verifier consumes them.
        leaves: Vec<OzValue>,
        /// 32-byte proof hashes (`getMultiProof`'s `proof`).
        proof: Vec<Binary>,
        /// `getMultiProof`'s `proofFlags`.
        proof_flags: Vec<bool>,
    },
    /// A one-step fraud proof, checked on its own (no game): valid when re-executing
    /// step `step` of the described batch from `pre_root` gives `post_root`.
    OneStep(OneStepCheck),
    /// The fields of a `withdraw` message: valid when it would pay now.
    Withdrawal {
        /// As in `withdraw`.
        batch: u64,
        /// As in `withdraw`.
        index: u32,
        /// As in `withdraw` (bech32; validated).
        recipient: String,
        /// As in `withdraw`.
        amount: Uint128,
        /// As in `withdraw`.
        output: OutputPreimage,
        /// As in `withdraw`: the compact sparse-Merkle proof.
        proof: Binary,
    },
}

/// The fields of a one-step proof check (`check_proof`).
#[cw_serde]
pub struct OneStepCheck {
    /// The batch the step belongs to.
    pub context: DisputeContext,
    /// 32-byte L2 signing domain the batch's transactions are signed for.
    pub domain: Binary,
    /// The step re-executed.
    pub step: u64,
    /// The 32-byte step root before the step.
    pub pre_root: Binary,
    /// The queue entry a deposit step applies.
    pub deposit: Option<StepDeposit>,
    /// settle-core `OneStepProof` wire bytes.
    pub proof: Binary,
    /// The 32-byte step root claimed after the step.
    pub post_root: Binary,
}

/// A batch as a one-step proof sees it (see the `dispute_context` query).
#[cw_serde]
pub struct DisputeContext {
    /// The batch's index.
    pub batch: u64,
    /// `None` for batch 0 (the parent is genesis).
    pub parent: Option<ParentOutput>,
    /// The queue index of the first deposit the batch applies.
    pub deposits_from: u64,
    /// How many deposits the batch applies.
    pub deposits: u64,
    /// How many transaction steps the batch has.
    pub tx_steps: u64,
    /// The batch's 32-byte data root.
    pub data_root: Binary,
}

/// A deposit of the L1 queue as the L2 applies it.
#[cw_serde]
pub struct StepDeposit {
    /// The deposit's queue index.
    pub index: u64,
    /// Where it is credited.
    pub target: DepositTarget,
    /// The amount (in `denom`).
    pub amount: Uint128,
    /// The depositor's canonical address (where a refund goes).
    pub refund_to: Binary,
}

#[cw_serde]
pub struct ProofCheckResponse {
    /// Whether the proof verifies.
    pub valid: bool,
    /// Why not: the message of the core's (or the contract's) error.
    pub reason: Option<String>,
}

#[cw_serde]
pub struct ConfigResponse {
    /// Who may change the config.
    pub admin: Addr,
    /// Native denom of deposits and withdrawals.
    pub denom: String,
    /// Native denom of bonds.
    pub bond_denom: String,
    /// Bond a proposer must hold to post batches.
    pub proposer_bond: Uint128,
    /// Seconds a batch stays challengeable.
    pub challenge_window: u64,
    /// Seconds after which a queued deposit must be consumed.
    pub force_inclusion_seconds: u64,
    /// Largest batch, in bytes of transaction data.
    pub max_batch_bytes: u32,
    /// The 32-byte L2 signing domain: keccak of the chain id and this contract's address.
    pub domain: Binary,
    /// Terms of games opened now.
    pub dispute: DisputeConfigResponse,
    /// What the admin may ever set (fixed at instantiate).
    pub bounds: ConfigBounds,
}

/// Parameters a pending change will put in force (all of them, changed or not).
#[cw_serde]
pub struct PendingConfig {
    /// Bond a proposer must hold.
    pub proposer_bond: Uint128,
    /// Seconds a batch stays challengeable.
    pub challenge_window: u64,
    /// Seconds after which a queued deposit must be consumed.
    pub force_inclusion_seconds: u64,
    /// Largest batch, in bytes.
    pub max_batch_bytes: u32,
    /// Terms of games opened after it applies.
    pub dispute: DisputeConfigResponse,
    /// Unix seconds of the proposal.
    pub proposed_at: u64,
    /// Earliest unix seconds at which `apply_config` takes it (later if the window in
    /// force grows).
    pub applies_at: u64,
}

#[cw_serde]
pub struct PendingConfigResponse {
    /// The change waiting for its timelock, if any.
    pub pending: Option<PendingConfig>,
}

#[cw_serde]
pub struct PendingAdminResponse {
    /// The admin.
    pub admin: Addr,
    /// Named by the admin, not yet accepted.
    pub pending: Option<Addr>,
}

#[cw_serde]
pub struct CreditResponse {
    /// The address.
    pub address: Addr,
    /// What `claim {}` from this address pays now.
    pub amount: Uint128,
    /// The denom it is paid in (`bond_denom`).
    pub denom: String,
}

#[cw_serde]
pub struct DisputeConfigResponse {
    /// Bond a challenger attaches to open a game.
    pub challenger_bond: Uint128,
    /// Seconds on each side's chess clock.
    pub clock_seconds: u64,
    /// Least seconds the side to move has when its turn starts.
    pub min_answer_seconds: u64,
    /// Share of a slashed bond paid to the winning challenger, in basis points.
    pub reward_bps: u16,
    /// Receives the rest of a slashed bond.
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
    /// 32-byte head of the deposit hash chain.
    pub deposit_head: Binary,
    /// What the contract owes, by kind (the `solvency` query sets it against what it
    /// holds).
    pub liabilities: Liabilities,
    /// Total deposited since instantiation: a statistic that saturates at `u128::MAX`
    /// (it never gates anything; `liabilities.deposits_outstanding` is what is owed).
    pub total_deposited: Uint128,
    /// Total withdrawn since instantiation: a statistic that saturates at `u128::MAX`.
    pub total_withdrawn: Uint128,
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
    /// The batch's index.
    pub batch: u64,
    /// Who posted it.
    pub proposer: Addr,
    /// The claimed 32-byte output root.
    pub output_root: Binary,
    /// 32-byte Merkle root over the batch's transaction steps.
    pub data_root: Binary,
    /// Bytes of transaction data.
    pub data_bytes: u32,
    /// Number of transaction steps the data splits into.
    pub tx_steps: u32,
    /// Deposit queue position before this batch.
    pub deposits_from: u64,
    /// Deposit queue position after this batch.
    pub deposits_to: u64,
    /// Unix seconds of the block that posted it.
    pub proposed_at: u64,
    /// Unix seconds at which its challenge window ends.
    pub finalizes_at: u64,
    /// Proposed or final.
    pub status: BatchStatus,
    /// Fraud-proof games on this batch not yet resolved.
    pub open_games: u32,
}

#[cw_serde]
pub struct BatchesResponse {
    /// The batches of the page, in index order.
    pub batches: Vec<BatchResponse>,
}

#[cw_serde]
pub struct ProposerResponse {
    /// The proposer.
    pub address: Addr,
    /// Its bond (in `bond_denom`).
    pub bond: Uint128,
    /// Whether the bond is enough to post batches.
    pub bonded: bool,
    /// The last batch it proposed, if any.
    pub last_batch: Option<u64>,
}

#[cw_serde]
pub struct QueuedDepositResponse {
    /// The deposit's queue index.
    pub deposit: u64,
    /// Who queued it (a refund goes back there).
    pub depositor: Addr,
    /// Where it is credited on L2.
    pub target: DepositTarget,
    /// The amount (in `denom`).
    pub amount: Uint128,
    /// Unix seconds of the block that queued it.
    pub queued_at: u64,
    /// Its force-inclusion deadline, in unix seconds: from this time on the next batch
    /// must consume it (or a full batch of 1,024 deposits before it).
    /// `force_inclusion_seconds` after the later of `queued_at` and the last removal that
    /// put deposits back in the queue, so a deposit a removal puts back always gets a
    /// whole period.
    pub include_by: u64,
    /// 32-byte head of the hash chain after this deposit.
    pub chain_head: Binary,
}

#[cw_serde]
pub struct DepositsResponse {
    /// The deposits of the page, in queue order.
    pub deposits: Vec<QueuedDepositResponse>,
}

#[cw_serde]
pub enum WithdrawalStatus {
    /// The batch does not exist yet or its challenge window is open.
    NotYetProvable {
        /// Unix seconds at which the batch's window ends (none if it does not exist).
        finalizes_at: Option<u64>,
    },
    /// The batch is final and this withdrawal has not been paid.
    Provable {},
    /// Paid.
    Paid {
        /// Who was paid.
        recipient: Addr,
        /// What was paid (in `denom`).
        amount: Uint128,
        /// The block height of the payment.
        height: u64,
    },
}

#[cw_serde]
pub struct WithdrawalStatusResponse {
    /// The batch's index.
    pub batch: u64,
    /// Position of the withdrawal in the batch's withdrawal tree.
    pub index: u32,
    /// Whether it can be paid.
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
