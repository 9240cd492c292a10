//! What the payroll refuses.

use cosmwasm_std::StdError;
use thiserror::Error;

/// The payroll's errors.
#[derive(Error, Debug)]
pub enum ContractError {
    /// A chain error.
    #[error(transparent)]
    Std(#[from] StdError),
    /// Only the owner pays.
    #[error("only the owner ({owner}) may pay, not {sender}")]
    Unauthorized {
        /// The owner.
        owner: String,
        /// Who sent the message.
        sender: String,
    },
    /// A payment of nothing.
    #[error("a payment must be more than zero")]
    ZeroAmount,
}
