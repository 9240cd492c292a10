//! # payment-channels
//!
//! Two-party payment channels settled on a CosmWasm chain. The opener proposes a channel
//! in a native denom; the counterparty joins by proving its channel key (or the opener
//! reclaims after the join deadline). The parties move money off-chain with states both
//! sign (settle-core `channel`), revoking each state once they hold the next one with both
//! signatures, and close cooperatively at once, or unilaterally through a dispute window
//! in which anyone holding a newer co-signed state replaces the closer's; a closer whose
//! own revocation of its state is posted forfeits its balance (a watchtower the wronged
//! party authorised earns a capped fee). HTLCs are paid to their payee when the preimage
//! was revealed before their timeout, back to their payer after it.
//!
//! ```text
//!  Open ──> [Proposed until join deadline] ──Reclaim (A, after it)──────────> [Closed]
//!             └──Join (B, key proven)──> [Open] ──Fund...──┐
//!      ┌───────────────────────────────────────────────────┘
//!      ├── CooperativeClose(final state) ───────────────────────────────────> [Closed]
//!      └── Close(state) ──> [Closing until deadline]
//!             Dispute(newer state and/or the closer's revocation): replaces it / marks it
//!             stale; CooperativeClose only with a state at least as new, never once stale
//!          ──Settle──> [Settled] ──SettleHtlc(i)...──> [Closed]
//!  RevealPreimage(p): records sha256(p) and when (any time before an HTLC's timeout)
//! ```
//!
//! The contract holds no rule of its own: state encoding, signatures, allocation,
//! penalties, payouts and HTLC outcomes are `settle_core::channel`.

pub mod contract;
pub mod error;
pub mod msg;
pub mod state;

#[cfg(test)]
mod migrate_tests;

pub use crate::error::ContractError;
