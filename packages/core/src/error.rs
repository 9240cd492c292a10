//! The core's one error type. Every message is lower case and carries the values
//! involved, so a contract can wrap it (`#[error(transparent)]`) and a browser can show it.

use alloc::string::String;

/// Everything that can go wrong when building or checking a proof or a message.
///
/// Note that an *invalid L2 transaction* is not an error: the state transition is total
/// and records it as a no-op (see [`crate::ledger::NoOp`]). Errors are for malformed
/// proofs and witnesses, which a verifier must reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("leaf index {index} out of range for a tree of {len} leaves")]
    IndexOutOfRange { index: u64, len: u64 },

    #[error("an empty tree has no proofs")]
    EmptyTree,

    #[error("merkle proof has {got} sibling hashes, expected {expected}")]
    ProofLength { got: usize, expected: usize },

    #[error("multiproof covers {expected} leaves, {got} given")]
    LeafCount { got: usize, expected: usize },

    #[error("merkle multiproof runs out of sibling hashes ({got} given)")]
    ProofTooShort { got: usize },

    #[error("merkle root mismatch: the proof gives {computed}, expected {expected}")]
    RootMismatch { computed: String, expected: String },

    #[error("leaf indices must be strictly increasing")]
    UnsortedIndices,

    #[error("a multiproof needs at least one leaf")]
    NoLeaves,

    #[error("malformed {what}: {reason}")]
    Malformed { what: &'static str, reason: String },

    #[error("expected {expected} bytes for {what}, got {got}")]
    Length {
        what: &'static str,
        expected: usize,
        got: usize,
    },

    #[error("batch consumes {consumed} deposits, at most {max} per batch")]
    TooManyDeposits { consumed: u64, max: u64 },

    #[error("batch consumes deposits up to {requested} but only {available} exist")]
    DepositsUnavailable { requested: u64, available: u64 },

    #[error(
        "deposit {index} was due for inclusion at {deadline} and must be consumed by this batch \
         (a batch consumes every overdue deposit, or {max})"
    )]
    ForcedDepositSkipped { index: u64, deadline: u64, max: u64 },

    #[error("output preimage does not match the output root of batch {batch}")]
    OutputMismatch { batch: u64 },

    #[error("no such batch ({index}): {count} applied so far")]
    NoSuchBatch { index: u64, count: u64 },

    #[error("account {index} is not covered by the witness")]
    MissingWitness { index: u64 },

    #[error("invalid secp256k1 key: {0}")]
    InvalidKey(String),

    #[error("no step {step}: the batch has steps 0..{steps} (positions 0..={steps})")]
    NoSuchStep { step: u64, steps: u64 },

    #[error("no position {position}: positions run 0..={steps}")]
    NoSuchPosition { position: u64, steps: u64 },

    #[error("state of channel {got} offered to channel {expected}")]
    WrongChannel { expected: u64, got: u64 },

    #[error("the state allocates {declared} of {party}'s funding, which holds {held}")]
    Overfunded {
        party: crate::channel::Party,
        declared: u128,
        held: u128,
    },

    #[error("the state allocates {allocated}, its funding is {funded}")]
    Misallocated { allocated: u128, funded: u128 },

    #[error("HTLC {index} has a zero amount")]
    ZeroHtlc { index: usize },

    #[error("{count} HTLCs, at most {} per state", crate::channel::MAX_HTLCS)]
    TooManyHtlcs { count: usize },

    #[error("a final state carries no HTLCs, this one has {count}")]
    FinalWithHtlcs { count: usize },

    #[error("amounts overflow")]
    AmountOverflow,

    #[error("bad signature of {party} on the channel state")]
    BadStateSignature { party: crate::channel::Party },

    #[error("version {version} does not replace version {current}")]
    NotNewer { version: u64, current: u64 },

    #[error("a cooperative close needs a final state")]
    NotFinal,

    #[error("both parties of a channel have the same key: each needs its own")]
    SameKeys,

    #[error("bad join signature: the counterparty's key did not sign this channel, address and key pair")]
    BadJoinSignature,

    #[error("bad revocation signature of {party} on version {version}")]
    BadRevocation {
        party: crate::channel::Party,
        version: u64,
    },

    #[error("a revocation of version {revoked} does not cover the closed version {closed}")]
    RevocationTooOld { revoked: u64, closed: u64 },

    #[error("bad watchtower authorisation: {party} did not authorise {watchtower}")]
    BadWatchtowerAuthorisation {
        party: crate::channel::Party,
        watchtower: String,
    },

    #[error("the dispute brings neither a newer state nor a new proof of a stale close")]
    NothingToDispute,

    #[error("{closer} was proven to have closed with a revoked state: the channel settles with its penalty after the window")]
    PenaltyEarned { closer: crate::channel::Party },

    #[error("version {version} is older than the pending close's version {pending}")]
    OlderThanPending { version: u64, pending: u64 },

    #[error("the join window must be 1..={max} seconds, got {got}")]
    JoinWindow { got: u64, max: u64 },

    #[error("the join window closed at {deadline} (now {now})")]
    JoinClosed { deadline: u64, now: u64 },

    #[error("the counterparty may join until {deadline} (now {now}): no reclaim before")]
    JoinOpen { deadline: u64, now: u64 },

    #[error("the proof's pre-state gives root {computed}, the agreed root is {expected}")]
    PreStateMismatch { computed: String, expected: String },

    #[error("the game is over: the {winner} won")]
    GameOver { winner: crate::dispute::Side },

    #[error("the {side}'s clock has run out: the game can only be resolved")]
    ClockExpired { side: crate::dispute::Side },

    #[error("the {side}'s clock still runs ({left} s left)")]
    ClockRunning {
        side: crate::dispute::Side,
        left: u64,
    },

    #[error("it is the {expected}'s turn")]
    NotYourTurn { expected: crate::dispute::Side },

    #[error("a move at position {position} does not fit the game, which waits for a {phase} move")]
    WrongMove { phase: &'static str, position: u64 },

    #[error("{what} is not a canonical field element (it must be below the modulus)")]
    NotCanonical { what: &'static str },

    #[error("{what} is not a valid point: {reason}")]
    InvalidPoint {
        what: &'static str,
        reason: &'static str,
    },

    #[error("the verifying key takes {expected} public input(s), {got} given")]
    PublicInputCount { expected: usize, got: usize },

    #[error("groth16 proof rejected: the pairing equation does not hold")]
    ProofRejected,

    #[error("degenerate verifying key: {reason}")]
    DegenerateKey { reason: String },

    #[error("a deposit of {amount} is below the minimum of {min}{what}")]
    DepositTooSmall {
        amount: u128,
        min: u128,
        what: &'static str,
    },

    #[error("the deposit queue is full: {pending} deposits pending, at most {max}")]
    QueueFull { pending: u64, max: u64 },

    #[error("invalid deposit rules: {reason}")]
    BadQueueRules { reason: String },

    #[error("a key timelock of {timelock} s is too short: at least {min} s (twice the operator's exit deadline of {deadline} s)")]
    TimelockTooShort {
        timelock: u64,
        min: u64,
        deadline: u64,
    },

    #[error("account {account} was opened with another key: a credit names the key that opened the account")]
    AccountKeyMismatch { account: u32 },

    #[error("the exit request queued at {index} (at {queued_at}) waits to be served: the pending key applies only once every exit request queued before {applies_at} is served")]
    ExitsBeforeKey {
        index: u64,
        queued_at: u64,
        applies_at: u64,
    },

    #[error(transparent)]
    Admin(#[from] crate::admin::AdminError),

    #[error(
        "the replayed ledger's state root is {computed}, the batch's recorded root is {expected}"
    )]
    ReplayMismatch { computed: String, expected: String },
}

impl Error {
    pub(crate) fn root_mismatch(computed: &crate::Hash, expected: &crate::Hash) -> Self {
        Error::RootMismatch {
            computed: hex::encode(computed),
            expected: hex::encode(expected),
        }
    }

    pub(crate) fn malformed(what: &'static str, reason: impl Into<String>) -> Self {
        Error::Malformed {
            what,
            reason: reason.into(),
        }
    }
}

/// Checks that `bytes` is exactly `N` long and returns it as an array.
pub fn exact<const N: usize>(what: &'static str, bytes: &[u8]) -> Result<[u8; N], Error> {
    bytes.try_into().map_err(|_| Error::Length {
        what,
        expected: N,
        got: bytes.len(),
    })
}
