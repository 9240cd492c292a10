use cosmwasm_std::StdError;
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

    #[error("invalid config: {reason}")]
    InvalidConfig { reason: String },

    #[error("invalid channel: {reason}")]
    InvalidChannel { reason: String },

    #[error("invalid public key of {party}: not a compressed secp256k1 point")]
    InvalidPubkey { party: &'static str },

    #[error("amount {amount} exceeds the largest channel amount (2^128 - 1)")]
    AmountTooLarge { amount: String },

    #[error("no such channel ({id})")]
    NoSuchChannel { id: u64 },

    #[error("{sender} is not a party of channel {id}")]
    NotAParty { id: u64, sender: String },

    #[error("channel {id} is {phase}, this needs it {needed}")]
    WrongPhase {
        id: u64,
        phase: &'static str,
        needed: &'static str,
    },

    #[error("only party {party} of channel {id} may {action}")]
    WrongParty {
        id: u64,
        party: &'static str,
        action: &'static str,
    },

    #[error("a close needs a signed state")]
    NoState,

    #[error("the dispute window of channel {id} closed at {deadline}")]
    WindowClosed { id: u64, deadline: u64 },

    #[error("the dispute window of channel {id} is open until {deadline}")]
    WindowOpen { id: u64, deadline: u64 },

    #[error("channel {id} has no HTLC {index}")]
    NoSuchHtlc { id: u64, index: u32 },

    #[error("HTLC {index} of channel {id} is already paid")]
    HtlcPaid { id: u64, index: u32 },

    #[error(
        "HTLC {index} of channel {id} is pending until {timeout} unless its preimage is revealed"
    )]
    HtlcPending { id: u64, index: u32, timeout: u64 },

    #[error("expected {expected} bytes for {what}, got {got}")]
    Length {
        what: &'static str,
        expected: usize,
        got: usize,
    },

    /// `migrate` refused (settle-host `upgrade`).
    #[error(transparent)]
    Migrate(#[from] settle_host::upgrade::MigrateError),
}
