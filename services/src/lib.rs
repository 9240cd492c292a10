//! The off-chain agents that run beside the settlement contracts, as one binary
//! (`settle`). Protocol rules stay in settle-core and chain access in settle-client; this
//! crate only wires them to the chain, a configuration and the operator's storage.
//!
//! - [`follow`]: an optimistic rollup's L2 state rebuilt and kept in step from chain data
//!   alone (queries and the transactions that posted each batch).
//! - [`challenger`]: the challenger's round (check every batch, open a game on a false
//!   root, play it to the end with the core's honest moves) and its database.
//! - [`config`]: the TOML configuration every service reads, checked against the chain.
//! - [`operator`]: the operator's round: sync, account for every submitted transaction,
//!   build the next batch with the core, post it; crash-safe by construction.
//! - [`service`]: what every long-running service shares (SIGINT/SIGTERM, backoff) and
//!   `settle operator` itself: the HTTP API beside a loop of rounds.
//! - [`api`]: the operator's HTTP JSON API, `/health`, `/metrics`, `/openapi.json`.
//! - [`metrics`]: the Prometheus metrics a service serves.
//! - [`watchtower`]: the watchtower's round (stale channel closes answered with the
//!   newer state and the closer's revocation) and its database; [`watchtower_api`] its
//!   HTTP API.
//! - [`store`]: the operator's database (SQLite): every submitted L2 transaction until it
//!   is in a posted batch or refused with a reason.

pub mod api;
pub mod challenger;
pub mod config;
pub mod follow;
pub mod metrics;
pub mod operator;
pub mod service;
pub mod store;
pub mod watchtower;
pub mod watchtower_api;

/// Unix seconds now (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What stops a service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration that cannot be used (a file, a key, a contract or a chain that is
    /// not the one it names).
    #[error("configuration: {0}")]
    Config(String),
    /// Chain data that does not fit together.
    #[error("chain data: {0}")]
    Chain(String),
    /// The chain client's error (RPC, query, transaction).
    #[error(transparent)]
    Client(#[from] settle_client::Error),
    /// The service's database.
    #[error("database: {0}")]
    Store(String),
    /// The L2 rules refused something the chain holds.
    #[error("L2 rules: {0}")]
    Core(#[from] settle_core::Error),
}
