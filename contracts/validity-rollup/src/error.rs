use cosmwasm_std::StdError;
use cw_utils::PaymentError;
use thiserror::Error;

/// Every way a message can be refused. A refused message changes no state and moves no
/// funds.
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

    #[error("invalid config: {reason}")]
    InvalidConfig { reason: String },

    #[error("the rollup is in exodus mode since {since}: batches and deposits are closed")]
    Exodus { since: u64 },

    #[error("the rollup is not in exodus mode (it enters it {at} if nothing changes)")]
    NotExodus { at: u64 },

    #[error("deposit of {amount} would take the rollup's holdings past 2^128 - 1")]
    DepositTooLarge { amount: String },

    #[error("the account tree is full: no more new accounts can be queued")]
    AccountsFull,

    #[error("the batch consumes {requested} deposits, {pending} are pending and the circuit takes at most {max}")]
    TooManyDeposits {
        requested: u64,
        pending: u64,
        max: u64,
    },

    #[error("the batch holds {count} transactions, the circuit takes at most {max}")]
    TooManyTransactions { count: usize, max: usize },

    #[error("account count {got} is below the previous count {previous}")]
    CountWentBack { got: u64, previous: u64 },

    #[error("no verifying key is proposed")]
    NoPendingKey,

    #[error("account {account} has already exited")]
    AlreadyExited { account: u32 },

    #[error("the exit's account leaf is not in the last proven account tree")]
    NotInTree,

    #[error("the exit is not signed by the account's key")]
    BadExitSignature,

    #[error("no account {account} exists or is queued to open ({queued} queued)")]
    NoAccount { account: u32, queued: u64 },

    #[error("the batch posts {posted} exit amounts for {requested} exit requests")]
    ExitCountMismatch { posted: usize, requested: usize },

    #[error("no deposit {index}")]
    NoSuchDeposit { index: u64 },

    #[error("deposit {index} was consumed by a batch; its amount is in the account tree")]
    DepositConsumed { index: u64 },

    #[error("deposit {index} was already reclaimed")]
    DepositReclaimed { index: u64 },

    #[error("nothing is credited to {address}")]
    NothingToClaim { address: String },

    #[error("the batch pays {paid} but the rollup holds {locked}")]
    Insolvent { paid: String, locked: String },

    /// `migrate` refused (settle-host `upgrade`).
    #[error(transparent)]
    Migrate(#[from] settle_host::upgrade::MigrateError),
}
