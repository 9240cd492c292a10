use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Binary, HexBinary, Uint128, Uint256};

/// The circuit a verifying key belongs to: how many deposits and transactions one batch
/// holds at most (unused slots are padding).
#[cw_serde]
#[derive(Copy)]
pub struct Shape {
    pub deposits: u32,
    pub txs: u32,
}

#[cw_serde]
pub struct InstantiateMsg {
    /// May propose and cancel verifying keys; defaults to the sender.
    pub admin: Option<String>,
    /// The native denom the rollup holds.
    pub denom: String,
    /// Groth16 verifying key of the batch circuit (settle-core wire form: alpha, beta,
    /// gamma, delta compressed, then the count and the IC points; `settle-zk` writes it).
    pub verifying_key: HexBinary,
    pub shape: Shape,
    /// Seconds without a verified batch, or with the deposit at the head of the queue
    /// left unconsumed since it was queued or since the last batch that consumed
    /// `min(pending, shape.deposits)` deposits (whichever is later), after which the
    /// rollup enters exodus mode (settle-core `validity::policy::exodus_at`).
    pub exodus_after: u64,
    /// Seconds between proposing a verifying key and applying it: at least twice
    /// `exodus_after` (settle-core `validity::policy::check_key_timelock`), so that a user
    /// who sees a proposal can leave, or exodus starts, before the key applies.
    pub key_timelock: u64,
    /// The smallest deposit accepted (at least 1).
    pub min_deposit: Uint128,
    /// The smallest deposit that opens an account (at least `min_deposit`): what filling
    /// the account tree with dust would lock per account.
    pub min_new_account: Uint128,
    /// At most this many deposits pending (queued, not yet consumed by a batch), 1 to
    /// 65,536. A deposit that would exceed it is refused.
    pub max_pending: u64,
}

#[cw_serde]
pub enum DepositTarget {
    /// Open a new L2 account with this Jubjub key (`x || y`, 64 bytes). The deposit's
    /// event reports the account index it opens (`account`).
    NewAccount { pubkey: HexBinary },
    /// Credit an account: it must exist, or be opened by a deposit queued before this one,
    /// and `pubkey` must be the key that opened it (64 bytes), so that a credit never lands
    /// in an account someone else opened at that index.
    Account { index: u32, pubkey: HexBinary },
}

/// What an entry of the priority queue does: a deposit, or an L1 exit request.
#[cw_serde]
pub enum QueueEntry {
    /// A deposit opening an account (the index it opens is `account`).
    NewAccount { pubkey: HexBinary, account: u32 },
    /// A deposit crediting the account `index` (opened with `pubkey`).
    Account { index: u32, pubkey: HexBinary },
    /// A full exit of `account` to `recipient`; the entry's amount is the requester's
    /// bond, returned to it when a batch serves the request.
    Exit { account: u32, recipient: String },
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Queue a deposit of the funds sent (exactly one coin of the rollup's denom), at
    /// least `min_deposit` (`min_new_account` to open an account), while fewer than
    /// `max_pending` deposits are pending. The event reports the deposit's queue index.
    Deposit { target: DepositTarget },
    /// A batch with its validity proof. Final at once; its withdrawals are credited to
    /// their recipients, who `claim` them.
    SubmitBatch {
        /// The batch data (settle-core `validity::ledger::BatchData` encoding).
        data: Binary,
        /// How many queued deposits the batch consumes (from the cursor on).
        deposits: u64,
        /// The account tree root after the batch (32 bytes big-endian, canonical).
        new_accounts_root: HexBinary,
        /// The number of accounts after the batch.
        new_account_count: u64,
        /// The Groth16 proof: A (48) || B (96) || C (48), compressed.
        proof: HexBinary,
    },
    /// Exodus mode only: pay an account's balance under the last verified root to the
    /// recipient its key signed. Once per account; anyone may send it.
    ExodusWithdraw {
        account: u32,
        pubkey: HexBinary,
        balance: Uint128,
        nonce: u64,
        /// The account's Merkle path in the last verified tree (20 siblings, leaf first).
        path: Vec<HexBinary>,
        recipient: String,
        /// EdDSA signature (96 bytes) on the exit message of (account, recipient).
        signature: HexBinary,
    },
    /// An L1 exit request, for when the operator leaves a user's withdrawals out of its
    /// batches: joins the deposit queue, so the next batches must serve it in order (or
    /// exodus starts, settle-core `validity::policy::exodus_at`). The batch that consumes
    /// it withdraws the account's whole balance and credits it to `recipient` (who
    /// `claim`s it). Signed by the account's key over settle-core
    /// `validity::ledger::exit_request_message(domain, account, recipient, sequence)`,
    /// where `sequence` is the number of exit requests taken for the account before
    /// (the `exit_requests` query): each signature is used once. Anyone may send it with
    /// the signature; it carries a bond of at least `min_deposit` (one coin of the
    /// rollup's denom), returned to the sender when the request is served (or reclaimed
    /// with `reclaim_deposit` in exodus). The event reports the queue index.
    RequestExit {
        account: u32,
        recipient: String,
        /// EdDSA signature (96 bytes) on the exit request message.
        signature: HexBinary,
    },
    /// Pays the sender every withdrawal credited to its address (at any time, in exodus
    /// too).
    Claim {},
    /// Exodus mode only: return a deposit no batch consumed to its depositor.
    ReclaimDeposit { index: u64 },
    /// Admin: propose a new verifying key (and its circuit shape); applies after the
    /// timelock. Refused while another key is pending (cancel it first). A degenerate key is refused (settle-core `ledger::prepare_batch_key`: not
    /// exactly one public input, an identity point, beta, gamma and delta not distinct).
    ProposeKey {
        verifying_key: HexBinary,
        shape: Shape,
    },
    /// Anyone, once the timelock has passed and every exit request queued before it
    /// passed has been served (settle-core `validity::policy::check_exits_served`):
    /// switch to the proposed key.
    ApplyKey {},
    /// Admin: withdraw the proposed key.
    CancelKey {},
    /// Admin: names a successor. The role moves only when the successor accepts.
    ProposeAdmin { admin: String },
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
    #[returns(ConfigResponse)]
    Config {},
    #[returns(StatusResponse)]
    Status {},
    #[returns(DepositResponse)]
    Deposit { index: u64 },
    #[returns(BatchResponse)]
    Batch { index: u64 },
    #[returns(PendingKeyResponse)]
    PendingKey {},
    /// Dry run of `SubmitBatch`: the statement and public input the contract would use,
    /// and whether the proof verifies.
    #[returns(CheckBatchResponse)]
    CheckBatch {
        data: Binary,
        deposits: u64,
        new_accounts_root: HexBinary,
        new_account_count: u64,
        proof: HexBinary,
    },
    /// Checks any Groth16 proof against the current verifying key with the given public
    /// inputs (32-byte big-endian field elements), e.g. one made by snarkjs.
    #[returns(VerifyProofResponse)]
    VerifyProof {
        proof: HexBinary,
        public_inputs: Vec<HexBinary>,
    },
    /// Withdrawals credited to `address` and not yet claimed.
    #[returns(CreditResponse)]
    Credit { address: String },
    #[returns(ExitedResponse)]
    Exited { account: u32 },
    /// The key that opened account `index` (also while its opening deposit is queued),
    /// and the number of exit requests taken for it (the next request signs this
    /// `sequence`).
    #[returns(AccountResponse)]
    Account { index: u32 },
    /// Assets held vs what is owed (every L2 balance, every queued deposit and every
    /// unclaimed withdrawal credit).
    #[returns(SolvencyResponse)]
    Solvency {},
}

#[cw_serde]
pub struct ConfigResponse {
    pub admin: String,
    /// The successor the admin named, until it accepts.
    pub pending_admin: Option<String>,
    pub denom: String,
    pub shape: Shape,
    pub exodus_after: u64,
    pub key_timelock: u64,
    pub min_deposit: Uint128,
    pub min_new_account: Uint128,
    pub max_pending: u64,
    /// The rollup's domain element (signatures and statements bind it).
    pub domain: HexBinary,
    /// keccak256 of the verifying key's wire form, to compare with a key file.
    pub verifying_key_hash: HexBinary,
}

#[cw_serde]
pub struct StatusResponse {
    pub batches: u64,
    pub state_root: HexBinary,
    pub accounts_root: HexBinary,
    pub account_count: u64,
    /// Deposits consumed by batches.
    pub deposit_cursor: u64,
    /// Deposits ever queued.
    pub deposits_queued: u64,
    /// Head of the deposit chain at the cursor.
    pub deposit_head: HexBinary,
    pub last_batch_time: u64,
    /// Time of the last batch that consumed `min(pending, shape.deposits)` deposits.
    pub served_at: u64,
    /// When exodus starts (or started) if no batch comes.
    pub exodus_at: u64,
    pub exodus: bool,
    /// Funds the rollup holds for L2 balances and queued deposits.
    pub locked: Uint128,
    /// Withdrawals credited and not yet claimed.
    pub credited: Uint128,
}

#[cw_serde]
pub struct CreditResponse {
    pub address: String,
    /// What `claim {}` from this address pays now.
    pub amount: Uint128,
}

#[cw_serde]
pub struct DepositResponse {
    pub index: u64,
    pub depositor: String,
    /// The deposit, or the exit request's bond.
    pub amount: Uint128,
    pub target: QueueEntry,
    pub time: u64,
    pub consumed: bool,
    pub reclaimed: bool,
    /// Head of the deposit chain after this deposit.
    pub head: HexBinary,
}

#[cw_serde]
pub struct BatchResponse {
    pub index: u64,
    pub state_root: HexBinary,
    pub accounts_root: HexBinary,
    pub account_count: u64,
    pub deposits_consumed: u64,
    pub transactions: u32,
    pub withdrawals: u32,
    pub time: u64,
}

#[cw_serde]
pub struct PendingKeyResponse {
    pub pending: Option<PendingKey>,
}

#[cw_serde]
pub struct PendingKey {
    pub verifying_key_hash: HexBinary,
    pub shape: Shape,
    pub proposed_at: u64,
    pub applies_at: u64,
}

#[cw_serde]
pub struct CheckBatchResponse {
    pub valid: bool,
    /// Why the batch would be refused, if it would.
    pub reason: Option<String>,
    /// The statement's public input (when the batch got that far).
    pub public_input: Option<HexBinary>,
    pub data_commitment: Option<HexBinary>,
    pub new_state_root: Option<HexBinary>,
}

#[cw_serde]
pub struct VerifyProofResponse {
    pub valid: bool,
    pub reason: Option<String>,
}

#[cw_serde]
pub struct AccountResponse {
    pub index: u32,
    /// The key that opened it (`x || y`), or none if no deposit opens it yet.
    pub pubkey: Option<HexBinary>,
    /// Exit requests taken for the account so far: the next one signs this number.
    pub exit_sequence: u64,
}

#[cw_serde]
pub struct ExitedResponse {
    pub exited: bool,
}

#[cw_serde]
pub struct SolvencyResponse {
    pub denom: String,
    pub held: Uint256,
    pub owed: Uint256,
    pub surplus: Uint256,
    pub deficit: Uint256,
    pub solvent: bool,
}
