//! # payment-channels
//!
//! Two-party payment channels settled on a CosmWasm chain. The parties fund a channel in
//! a native denom, move money off-chain with states both sign (settle-core `channel`),
//! and close it cooperatively at once, or unilaterally through a dispute window in which
//! anyone holding a newer co-signed state (the other party, a watchtower) replaces the
//! closer's; a closer proven stale forfeits its balance. HTLCs are paid to their payee
//! when the preimage was revealed before their timeout, back to their payer after it.
//!
//! ```text
//!  Open ──> [Open] ──Fund...──┬── CooperativeClose(final state) ──────────────> [Closed]
//!                             └── Close(state) ──> [Closing until deadline]
//!                                    Dispute(newer state) replaces it, marks it stale
//!                                 ──Settle──> [Settled] ──SettleHtlc(i)...──> [Closed]
//!  RevealPreimage(p): records sha256(p) and when (any time before an HTLC's timeout)
//! ```
//!
//! The contract holds no rule of its own: state encoding, signatures, allocation,
//! penalties, payouts and HTLC outcomes are `settle_core::channel`.

pub mod contract;
pub mod error;
pub mod msg;
pub mod state;

pub use crate::error::ContractError;
