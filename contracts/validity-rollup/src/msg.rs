//! Messages of the validity-rollup contract, in the suite's one API style (ARCHITECTURE.md
//! "API conventions": times in unix seconds, bytes as `Binary`, `Addr` in answers, the same
//! names as the other contracts for the same things).

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Binary, Uint128};

pub use settle_host::solvency::{DenomSolvency, SolvencyResponse};

/// The circuit a verifying key belongs to: how many deposits and transactions one batch
/// holds at most (unused slots are padding).
#[cw_serde]
#[derive(Copy)]
pub struct Shape {
    /// Deposit slots per batch.
    pub deposits: u32,
    /// Transaction slots per batch.
    pub txs: u32,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// May propose and cancel verifying keys (bech32; validated); defaults to the sender.
    pub admin: Option<String>,
    /// The native denom the rollup holds.
    pub denom: String,
    /// Groth16 verifying key of the batch circuit (settle-core wire form: alpha, beta,
    /// gamma, delta compressed, then the count and the IC points; `settle-zk` writes it).
    pub verifying_key: Binary,
    /// The circuit the key belongs to.
    pub shape: Shape,
    /// Seconds without a verified batch, or with the deposit at the head of the queue
    /// left unconsumed since it was queued or since the last batch that consumed
    /// `min(pending, shape.deposits)` deposits (whichever is later), after which the
    /// rollup enters exodus mode (settle-core `validity::policy::exodus_at`).
    pub exodus_after_seconds: u64,
    /// Seconds between proposing a verifying key and applying it: at least twice
    /// `exodus_after_seconds` (settle-core `validity::policy::check_key_timelock`), so that
    /// a user who sees a proposal can leave, or exodus starts, before the key applies.
    pub key_timelock_seconds: u64,
    /// The smallest deposit accepted (at least 1).
    pub min_deposit: Uint128,
    /// The smallest deposit that opens an account (at least `min_deposit`): what filling
    /// the account tree with dust would lock per account.
    pub min_new_account: Uint128,
    /// At most this many deposits pending (queued, not yet consumed by a batch), 1 to
    /// 65,536. A deposit that would exceed it is refused.
    pub max_pending: u64,
}

/// Where a deposit is credited on L2.
#[cw_serde]
pub enum DepositTarget {
    /// Open a new L2 account with this key. The deposit's event reports the account index
    /// it opens (`account`).
    NewAccount {
        /// 64-byte Jubjub key `x || y` (32-byte big-endian field elements).
        pubkey: Binary,
    },
    /// Credit an account: it must exist, or be opened by a deposit queued before this one,
    /// and `pubkey` must be the key that opened it, so that a credit never lands in an
    /// account someone else opened at that index.
    Account {
        /// The L2 account index.
        account: u32,
        /// 64-byte Jubjub key `x || y` that opened the account.
        pubkey: Binary,
    },
}

/// What an entry of the priority queue does: a deposit, or an L1 exit request.
#[cw_serde]
pub enum QueueEntry {
    /// A deposit opening an account.
    NewAccount {
        /// 64-byte Jubjub key `x || y` of the new account.
        pubkey: Binary,
        /// The L2 account index it opens.
        account: u32,
    },
    /// A deposit crediting an account.
    Account {
        /// The L2 account index.
        account: u32,
        /// 64-byte Jubjub key `x || y` that opened it.
        pubkey: Binary,
    },
    /// A full exit of `account` to `recipient`; the entry's amount is the requester's
    /// bond, returned to it when a batch serves the request.
    Exit {
        /// The L2 account index.
        account: u32,
        /// The L1 address credited with the balance.
        recipient: Addr,
    },
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Queue a deposit of the funds sent (exactly one coin of the rollup's denom), at
    /// least `min_deposit` (`min_new_account` to open an account), while fewer than
    /// `max_pending` deposits are pending. The event reports the deposit's queue index.
    Deposit {
        /// Where the deposit is credited on L2.
        target: DepositTarget,
    },
    /// A batch with its validity proof. Final at once; its withdrawals are credited to
    /// their recipients, who `claim` them.
    SubmitBatch {
        /// The batch data (settle-core `validity::ledger::BatchData` encoding).
        data: Binary,
        /// How many queued deposits the batch consumes (from the cursor on).
        deposits_consumed: u64,
        /// The 32-byte account tree root after the batch (big-endian, canonical).
        new_accounts_root: Binary,
        /// The number of accounts after the batch.
        new_account_count: u64,
        /// The 192-byte Groth16 proof: A (48) || B (96) || C (48), compressed.
        proof: Binary,
    },
    /// Exodus mode only: pay an account's balance under the last verified root to the
    /// recipient its key signed. Once per account; anyone may send it.
    ExodusWithdraw {
        /// The L2 account index.
        account: u32,
        /// The account's 64-byte Jubjub key `x || y`.
        pubkey: Binary,
        /// The account's balance under the last verified root (what is paid).
        balance: Uint128,
        /// The account's nonce under the last verified root.
        nonce: u64,
        /// The account's Merkle path in the last verified tree: 20 siblings of 32 bytes,
        /// leaf first.
        path: Vec<Binary>,
        /// The L1 address paid (bech32; validated).
        recipient: String,
        /// 96-byte EdDSA signature on the exit message of (account, recipient).
        signature: Binary,
    },
    /// An L1 exit request, for when the operator leaves a user's withdrawals out of its
    /// batches: joins the deposit queue, so the next batches must serve it in order (or
    /// exodus starts, settle-core `validity::policy::exodus_at`). The batch that consumes
    /// it withdraws the account's whole balance and credits it to `recipient` (who
    /// `claim`s it). Signed by the account's key over settle-core
    /// `validity::ledger::exit_request_message(domain, account, recipient, sequence)`,
    /// where `sequence` is the number of exit requests taken for the account before
    /// (the `account` query): each signature is used once. Anyone may send it with
    /// the signature; it carries a bond of at least `min_deposit` (one coin of the
    /// rollup's denom), returned to the sender when the request is served (or reclaimed
    /// with `reclaim_deposit` in exodus). The event reports the queue index.
    RequestExit {
        /// The L2 account index.
        account: u32,
        /// The L1 address credited with the balance (bech32; validated).
        recipient: String,
        /// 96-byte EdDSA signature on the exit request message.
        signature: Binary,
    },
    /// Pays the sender every withdrawal credited to its address (at any time, in exodus
    /// too).
    Claim {},
    /// Exodus mode only: return a deposit no batch consumed to its depositor.
    ReclaimDeposit {
        /// The deposit's queue index.
        deposit: u64,
    },
    /// Admin: propose a new verifying key (and its circuit shape); applies after the
    /// timelock. Refused while another key is pending (cancel it first). A degenerate key
    /// is refused (settle-core `ledger::prepare_batch_key`: not exactly one public input,
    /// an identity point, beta, gamma and delta not distinct).
    ProposeKey {
        /// The new key's settle-core wire form (as in `instantiate`).
        verifying_key: Binary,
        /// The circuit the new key belongs to.
        shape: Shape,
    },
    /// Anyone, once the timelock has passed and every exit request queued before it
    /// passed has been served (settle-core `validity::policy::check_exits_served`):
    /// switch to the proposed key.
    ApplyKey {},
    /// Admin: withdraw the proposed key.
    CancelKey {},
    /// Admin: names a successor. The role moves only when the successor accepts.
    ProposeAdmin {
        /// The successor's address (bech32; validated).
        admin: String,
    },
    /// The named successor: takes the admin role.
    AcceptAdmin {},
    /// Admin: withdraws the nomination.
    CancelAdmin {},
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The contract's parameters.
    #[returns(ConfigResponse)]
    Config {},
    /// Counters and roots of the rollup, and what it holds.
    #[returns(StatusResponse)]
    Status {},
    /// One entry of the deposit queue (a deposit or an exit request).
    #[returns(QueuedDepositResponse)]
    QueuedDeposit {
        /// The entry's queue index.
        deposit: u64,
    },
    /// One verified batch.
    #[returns(BatchResponse)]
    Batch {
        /// The batch's index.
        batch: u64,
    },
    /// The verifying key waiting for its timelock, if any.
    #[returns(PendingKeyResponse)]
    PendingKey {},
    /// Dry run of `submit_batch`: the statement and public input the contract would use,
    /// and whether the proof verifies.
    #[returns(CheckBatchResponse)]
    CheckBatch {
        /// As in `submit_batch`.
        data: Binary,
        /// As in `submit_batch`.
        deposits_consumed: u64,
        /// As in `submit_batch`: 32 bytes.
        new_accounts_root: Binary,
        /// As in `submit_batch`.
        new_account_count: u64,
        /// As in `submit_batch`: 192 bytes.
        proof: Binary,
    },
    /// Checks any Groth16 proof against the current verifying key with the given public
    /// inputs, e.g. one made by snarkjs.
    #[returns(VerifyProofResponse)]
    VerifyProof {
        /// 192-byte compressed proof: A (48) || B (96) || C (48).
        proof: Binary,
        /// 32-byte big-endian field elements.
        public_inputs: Vec<Binary>,
    },
    /// Withdrawals credited to `address` and not yet claimed.
    #[returns(CreditResponse)]
    Credit {
        /// The L1 address (bech32; validated).
        address: String,
    },
    /// Whether the account has left by `exodus_withdraw`.
    #[returns(ExitedResponse)]
    Exited {
        /// The L2 account index.
        account: u32,
    },
    /// The key that opened an account (also while its opening deposit is queued), and
    /// the number of exit requests taken for it (the next request signs this
    /// `sequence`).
    #[returns(AccountResponse)]
    Account {
        /// The L2 account index.
        account: u32,
    },
    /// Assets held vs what is owed (every L2 balance, every queued deposit and every
    /// unclaimed withdrawal credit).
    #[returns(SolvencyResponse)]
    Solvency {},
}

#[cw_serde]
pub struct ConfigResponse {
    /// May propose and cancel verifying keys.
    pub admin: Addr,
    /// The successor the admin named, until it accepts.
    pub pending_admin: Option<Addr>,
    /// The native denom the rollup holds.
    pub denom: String,
    /// The circuit of the verifying key in force.
    pub shape: Shape,
    /// Seconds after which exodus starts without a batch (see `instantiate`).
    pub exodus_after_seconds: u64,
    /// Seconds between proposing a verifying key and applying it.
    pub key_timelock_seconds: u64,
    /// The smallest deposit accepted.
    pub min_deposit: Uint128,
    /// The smallest deposit that opens an account.
    pub min_new_account: Uint128,
    /// At most this many deposits pending.
    pub max_pending: u64,
    /// The rollup's 32-byte domain element (signatures and statements bind it).
    pub domain: Binary,
    /// 32-byte keccak256 of the verifying key's wire form, to compare with a key file.
    pub verifying_key_hash: Binary,
}

#[cw_serde]
pub struct StatusResponse {
    /// Batches verified so far (= index of the next batch).
    pub batches: u64,
    /// 32-byte L2 state root of the last verified batch.
    pub state_root: Binary,
    /// 32-byte account tree root of the last verified batch.
    pub accounts_root: Binary,
    /// Accounts in the tree after the last verified batch.
    pub account_count: u64,
    /// Deposits consumed by batches.
    pub deposit_cursor: u64,
    /// Queue entries ever queued (deposits and exit requests).
    pub deposit_count: u64,
    /// 32-byte head of the deposit chain at the cursor.
    pub deposit_head: Binary,
    /// Unix seconds of the last verified batch (instantiation before the first).
    pub last_batch_at: u64,
    /// Unix seconds of the last batch that consumed `min(pending, shape.deposits)`
    /// deposits.
    pub served_at: u64,
    /// Unix seconds at which exodus starts (or started) if no batch comes.
    pub exodus_at: u64,
    /// Whether the rollup is in exodus mode.
    pub exodus: bool,
    /// Funds the rollup holds for L2 balances and queued deposits.
    pub locked: Uint128,
    /// Withdrawals credited and not yet claimed.
    pub credited: Uint128,
}

#[cw_serde]
pub struct CreditResponse {
    /// The L1 address.
    pub address: Addr,
    /// What `claim {}` from this address pays now.
    pub amount: Uint128,
    /// The denom it is paid in.
    pub denom: String,
}

#[cw_serde]
pub struct QueuedDepositResponse {
    /// The entry's queue index.
    pub deposit: u64,
    /// Who queued it.
    pub depositor: Addr,
    /// The deposit, or the exit request's bond.
    pub amount: Uint128,
    /// What the entry does.
    pub target: QueueEntry,
    /// Unix seconds of the block that queued it.
    pub queued_at: u64,
    /// Whether a batch consumed it.
    pub consumed: bool,
    /// Whether it was reclaimed in exodus.
    pub reclaimed: bool,
    /// 32-byte head of the deposit chain after this entry.
    pub chain_head: Binary,
}

#[cw_serde]
pub struct BatchResponse {
    /// The batch's index.
    pub batch: u64,
    /// 32-byte L2 state root after the batch.
    pub state_root: Binary,
    /// 32-byte account tree root after the batch.
    pub accounts_root: Binary,
    /// Accounts in the tree after the batch.
    pub account_count: u64,
    /// Queued deposits the batch consumed.
    pub deposits_consumed: u64,
    /// L2 transactions in the batch.
    pub transactions: u32,
    /// Withdrawals the batch credited.
    pub withdrawals: u32,
    /// Unix seconds of the block that verified it.
    pub submitted_at: u64,
}

#[cw_serde]
pub struct PendingKeyResponse {
    /// The proposed key, if one is pending.
    pub pending: Option<PendingKey>,
}

#[cw_serde]
pub struct PendingKey {
    /// 32-byte keccak256 of the proposed key's wire form.
    pub verifying_key_hash: Binary,
    /// The circuit the proposed key belongs to.
    pub shape: Shape,
    /// Unix seconds of the proposal.
    pub proposed_at: u64,
    /// Unix seconds from which `apply_key` takes it.
    pub applies_at: u64,
}

#[cw_serde]
pub struct CheckBatchResponse {
    /// Whether `submit_batch` with these fields would be accepted now.
    pub valid: bool,
    /// Why not: the message of the error the contract would refuse it with.
    pub reason: Option<String>,
    /// The statement's 32-byte public input (when the batch got that far).
    pub public_input: Option<Binary>,
    /// The 32-byte commitment to the batch data (when the batch got that far).
    pub data_commitment: Option<Binary>,
    /// The 32-byte L2 state root after the batch (when the batch got that far).
    pub new_state_root: Option<Binary>,
}

#[cw_serde]
pub struct VerifyProofResponse {
    /// Whether the proof verifies.
    pub valid: bool,
    /// Why not: the message of the verifier's error.
    pub reason: Option<String>,
}

#[cw_serde]
pub struct AccountResponse {
    /// The L2 account index.
    pub account: u32,
    /// The 64-byte key that opened it (`x || y`), or none if no deposit opens it yet.
    pub pubkey: Option<Binary>,
    /// Exit requests taken for the account so far: the next one signs this number.
    pub exit_sequence: u64,
}

#[cw_serde]
pub struct ExitedResponse {
    /// Whether the account has left by `exodus_withdraw`.
    pub exited: bool,
}
