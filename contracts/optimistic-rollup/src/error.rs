use cosmwasm_std::{StdError, Uint128};
use cw_utils::PaymentError;
use thiserror::Error;

/// Every way an execute message can be refused. A refused message changes no state and
/// moves no funds.
#[derive(Error, Debug)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error(transparent)]
    Payment(#[from] PaymentError),

    #[error(transparent)]
    Core(#[from] settle_core::Error),

    #[error(transparent)]
    Overflow(#[from] cosmwasm_std::OverflowError),

    #[error(transparent)]
    Admin(#[from] settle_core::admin::AdminError),

    #[error("{address} has no credit to claim")]
    NoCredit { address: String },

    #[error("invalid config: {reason}")]
    InvalidConfig { reason: String },

    #[error("{address} is not a bonded proposer (bond {bond}, required {required})")]
    NotBonded {
        address: String,
        bond: Uint128,
        required: Uint128,
    },

    #[error("{address} has no bond")]
    NoBond { address: String },

    #[error("bond is locked until batch {batch} is final")]
    BondLocked { batch: u64 },

    #[error(
        "bond of {address} is locked while it defends {games} open game(s): resolve them first"
    )]
    DefendingGames { address: String, games: u32 },

    #[error("amount {amount} exceeds the largest L2 amount (2^128 - 1)")]
    AmountTooLarge { amount: String },

    #[error("invalid L2 public key: {reason}")]
    InvalidPubkey { reason: String },

    #[error("empty batch: no transaction data and no deposits consumed")]
    EmptyBatch,

    #[error("batch data is {size} bytes, the limit is {max}")]
    BatchTooLarge { size: usize, max: u32 },

    #[error("expected {expected} bytes for {what}, got {got}")]
    Length {
        what: &'static str,
        expected: usize,
        got: usize,
    },

    #[error("no such batch ({index})")]
    NoSuchBatch { index: u64 },

    #[error("batches finalize in order: batch {next} is next, not {index}")]
    OutOfOrder { index: u64, next: u64 },

    #[error("batch {index} is already final")]
    AlreadyFinal { index: u64 },

    #[error("challenge window of batch {index} is open until {finalizes_at}")]
    WindowOpen { index: u64, finalizes_at: u64 },

    #[error("batch {index} is not final: withdrawals are provable only against finalized outputs")]
    NotFinal { index: u64 },

    #[error("withdrawal {index} of batch {batch} is already paid")]
    AlreadyPaid { batch: u64, index: u32 },

    #[error("zero-amount withdrawal")]
    ZeroAmount,

    #[error("withdrawal of {amount} exceeds the rollup's outstanding deposits ({outstanding})")]
    ExceedsDeposits {
        amount: Uint128,
        outstanding: Uint128,
    },

    #[error("no such deposit ({index})")]
    NoSuchDeposit { index: u64 },

    /// `migrate` refused (settle-host `upgrade`).
    #[error(transparent)]
    Migrate(#[from] settle_host::upgrade::MigrateError),

    #[error("a challenge needs a bond of exactly {required}, {sent} sent")]
    WrongChallengerBond { sent: Uint128, required: Uint128 },

    #[error("challenge window of batch {index} closed at {finalizes_at}")]
    WindowClosed { index: u64, finalizes_at: u64 },

    #[error("batch {index} has {open} open fraud-proof games")]
    GamesOpen { index: u64, open: u32 },

    #[error("step {step} yields root {computed}, not {expected}")]
    StepMismatch {
        step: u64,
        computed: String,
        expected: String,
    },

    #[error("no such game ({id})")]
    NoSuchGame { id: u64 },

    #[error("game {id} has ended ({ended_by})")]
    GameEnded { id: u64, ended_by: String },

    #[error("game {id} is void: batch {batch} was removed by another game; resolve it to release the bond")]
    GameVoid { id: u64, batch: u64 },

    #[error("only the {side} of game {id} may make this move, not {sender}")]
    NotPlayer {
        id: u64,
        side: &'static str,
        sender: String,
    },
}
