/// What went wrong talking to the chain; each variant says what the chain answered.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The node could not be reached or answered something else than CometBFT RPC.
    #[error("rpc: {0}")]
    Rpc(String),
    /// A key, an address or a coin that cannot be used.
    #[error("{0}")]
    Key(String),
    /// The address has never received anything, so it has no account to sign with.
    #[error("account {0} does not exist on chain (fund it first)")]
    NoAccount(String),
    /// An ABCI query the node answered with an error (a contract's query error, for one).
    #[error("query {path} failed (code {code}): {log}")]
    Query {
        path: String,
        code: u32,
        log: String,
    },
    /// The simulation refused the transaction (nothing was broadcast, nothing paid).
    #[error("the transaction was refused in simulation: {log}")]
    Simulate { log: String },
    /// The node refused the transaction before a block (CheckTx): no fee was taken.
    #[error("the node refused the transaction at CheckTx (code {code} in {codespace}): {log}")]
    CheckTx {
        code: u32,
        codespace: String,
        log: String,
    },
    /// The transaction is in a block but failed there: its fee is paid, its messages
    /// changed nothing.
    #[error("transaction {hash} failed in block {height} (code {code} in {codespace}, {gas_used} gas): {log}")]
    Tx {
        hash: String,
        height: u64,
        code: u32,
        codespace: String,
        log: String,
        gas_used: u64,
    },
    /// A broadcast transaction that no block took in time.
    #[error("transaction {hash} was not in a block after {seconds} s (last answer: {last})")]
    Timeout {
        hash: String,
        seconds: u64,
        last: String,
    },
    /// A height or a block time not reached in time.
    #[error("{0}")]
    Wait(String),
    /// Bytes the client could not encode or decode.
    #[error("decode: {0}")]
    Decode(String),
    /// An answer without what it must hold.
    #[error("{0}")]
    Missing(String),
}

impl Error {
    /// The chain's own words for a refused message (simulation, CheckTx or block), so a
    /// caller can look for a contract error's text.
    pub fn chain_log(&self) -> Option<&str> {
        match self {
            Error::Simulate { log }
            | Error::CheckTx { log, .. }
            | Error::Tx { log, .. }
            | Error::Query { log, .. } => Some(log),
            _ => None,
        }
    }
}
