#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, BankMsg, Binary, Coin, Deps, DepsMut, Env, Event, HexBinary, MessageInfo,
    Order, Response, StdError, StdResult, Storage, Uint128, Uint256,
};
use cw2::set_contract_version;
use cw_storage_plus::Bound;
use cw_utils::{must_pay, nonpayable};

use settle_core::validity::eddsa::{PublicKey, Signature};
use settle_core::validity::field::{fr_from_bytes, fr_to_bytes, Fr};
use settle_core::validity::groth16::{self, PreparedKey, Proof, VerifyingKey};
use settle_core::validity::ledger::{
    exit_message, exit_request_message, prepare_batch_key, rollup_domain, state_root, Account,
    BatchData, Deposit, Statement,
};
use settle_core::validity::policy::{self, QueueRules};
use settle_core::validity::poseidon::Poseidon;
use settle_core::validity::tree::{self, root_from_path};
use settle_host::upgrade;
use settle_host::HostPairing;

use crate::error::ContractError;
use crate::msg::{
    AccountResponse, BatchResponse, CheckBatchResponse, ConfigResponse, CreditResponse,
    DenomSolvency, DepositTarget, ExecuteMsg, ExitedResponse, InstantiateMsg, MigrateMsg,
    PendingKey, PendingKeyResponse, QueryMsg, QueuedDepositResponse, Shape, SolvencyResponse,
    StatusResponse, VerifyProofResponse,
};
use crate::state::{
    BatchRecord, Config, DepositRecord, Pending, Status, StoredEntry, ACCOUNT_KEYS, BATCHES,
    CONFIG, CREDITS, DEPOSITS, EXITED, EXIT_SEQUENCE, HEADS, KEY, PENDING, PENDING_ADMIN,
    PENDING_EXITS, PENDING_KEY, STATUS,
};
use settle_core::admin::{AdminRole, Timelocked};

pub const CONTRACT_NAME: &str = "crates.io:validity-rollup";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Type of every event this contract emits (`wasm-validity` on chain).
pub const EVENT: &str = "validity";
/// Longest exodus delay or key timelock a config may set: ten years.
pub const MAX_PERIOD_SECONDS: u64 = 10 * 365 * 24 * 3600;
/// Largest circuit shape accepted (slots per batch).
pub const MAX_SLOTS: u32 = 4096;

fn event(action: &str) -> Event {
    Event::new(EVENT).add_attribute("action", action)
}

fn keccak(bytes: &[u8]) -> Binary {
    Binary::from(settle_core::hash::keccak256(bytes).to_vec())
}

fn fr(bytes: &[u8]) -> Fr {
    // Stored elements were canonical when written.
    fr_from_bytes("stored element", bytes).expect("stored elements are canonical")
}

fn bin(x: &Fr) -> Binary {
    Binary::from(fr_to_bytes(x).to_vec())
}

fn hex(x: &Fr) -> Binary {
    Binary::from(fr_to_bytes(x).to_vec())
}

fn check_shape(shape: &Shape) -> Result<(), ContractError> {
    // At least one deposit slot: deposits are forced, a batch must be able to consume them.
    if shape.txs == 0 || shape.txs > MAX_SLOTS || shape.deposits == 0 || shape.deposits > MAX_SLOTS
    {
        return Err(ContractError::InvalidConfig {
            reason: format!(
                "a circuit shape needs 1..={MAX_SLOTS} transaction slots and 1..={MAX_SLOTS} deposit slots"
            ),
        });
    }
    Ok(())
}

fn check_period(name: &str, seconds: u64) -> Result<(), ContractError> {
    if seconds == 0 || seconds > MAX_PERIOD_SECONDS {
        return Err(ContractError::InvalidConfig {
            reason: format!("{name} must be in 1..={MAX_PERIOD_SECONDS} seconds, got {seconds}"),
        });
    }
    Ok(())
}

/// Decodes, checks (core `check_circuit_key`: one public input, no identity point, beta,
/// gamma and delta distinct) and prepares a verifying key for the batch circuit.
fn prepare_key(deps: Deps, bytes: &[u8]) -> Result<PreparedKey, ContractError> {
    let vk = VerifyingKey::decode(bytes)?;
    Ok(prepare_batch_key(vk, &HostPairing(deps.api))?)
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let admin = match msg.admin {
        Some(a) => deps.api.addr_validate(&a)?,
        None => info.sender.clone(),
    };
    if msg.denom.is_empty() {
        return Err(ContractError::InvalidConfig {
            reason: "denom is empty".into(),
        });
    }
    check_shape(&msg.shape)?;
    check_period("exodus_after_seconds", msg.exodus_after_seconds)?;
    check_period("key_timelock_seconds", msg.key_timelock_seconds)?;
    policy::check_key_timelock(msg.key_timelock_seconds, msg.exodus_after_seconds)?;
    let rules = QueueRules {
        min_deposit: msg.min_deposit.u128(),
        min_new_account: msg.min_new_account.u128(),
        max_pending: msg.max_pending,
    };
    rules.check()?;
    let prepared = prepare_key(deps.as_ref(), msg.verifying_key.as_slice())?;
    deps.storage.set(KEY, &prepared.encode());

    let domain = rollup_domain(&env.block.chain_id, env.contract.address.as_bytes());
    let hasher = Poseidon::new();
    let empty_root = tree::default_nodes(&hasher)[tree::DEPTH];
    let config = Config {
        admin,
        denom: msg.denom,
        shape: msg.shape,
        exodus_after: msg.exodus_after_seconds,
        key_timelock: msg.key_timelock_seconds,
        min_deposit: msg.min_deposit,
        min_new_account: msg.min_new_account,
        max_pending: msg.max_pending,
        domain: bin(&domain),
        vk_hash: keccak(msg.verifying_key.as_slice()),
    };
    CONFIG.save(deps.storage, &config)?;
    STATUS.save(
        deps.storage,
        &Status {
            batches: 0,
            state_root: bin(&state_root(&hasher, &empty_root, 0)),
            accounts_root: bin(&empty_root),
            account_count: 0,
            cursor: 0,
            queued: 0,
            queued_new_accounts: 0,
            head: bin(&Fr::from(0u64)),
            last_batch_time: env.block.time.seconds(),
            served_at: env.block.time.seconds(),
            oldest_pending: None,
            locked: Uint128::zero(),
            credited: Uint128::zero(),
        },
    )?;
    set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_event(
        event("instantiate")
            .add_attribute("admin", config.admin.as_str())
            .add_attribute("denom", &config.denom)
            .add_attribute("shape_deposits", config.shape.deposits.to_string())
            .add_attribute("shape_txs", config.shape.txs.to_string())
            .add_attribute("exodus_after", config.exodus_after.to_string())
            .add_attribute("key_timelock", config.key_timelock.to_string())
            .add_attribute("min_deposit", config.min_deposit.to_string())
            .add_attribute("min_new_account", config.min_new_account.to_string())
            .add_attribute("max_pending", config.max_pending.to_string())
            .add_attribute("domain", HexBinary::from(config.domain.as_slice()).to_hex())
            .add_attribute(
                "vk_hash",
                HexBinary::from(config.vk_hash.as_slice()).to_hex(),
            ),
    ))
}

/// When exodus starts if nothing changes (settle-core `policy::exodus_at`).
fn exodus_at(config: &Config, status: &Status) -> u64 {
    policy::exodus_at(
        config.exodus_after,
        status.last_batch_time,
        status.served_at,
        status.oldest_pending,
    )
}

fn queue_rules(config: &Config) -> QueueRules {
    QueueRules {
        min_deposit: config.min_deposit.u128(),
        min_new_account: config.min_new_account.u128(),
        max_pending: config.max_pending,
    }
}

fn ensure_live(config: &Config, status: &Status, env: &Env) -> Result<(), ContractError> {
    let at = exodus_at(config, status);
    if env.block.time.seconds() >= at {
        return Err(ContractError::Exodus { since: at });
    }
    Ok(())
}

fn ensure_exodus(config: &Config, status: &Status, env: &Env) -> Result<(), ContractError> {
    let at = exodus_at(config, status);
    if env.block.time.seconds() < at {
        return Err(ContractError::NotExodus { at });
    }
    Ok(())
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Deposit { target } => execute_deposit(deps, env, info, target),
        ExecuteMsg::SubmitBatch {
            data,
            deposits_consumed: deposits,
            new_accounts_root,
            new_account_count,
            proof,
        } => {
            nonpayable(&info)?;
            let batch = BatchInput {
                data: &data,
                deposits,
                new_accounts_root: &new_accounts_root,
                new_account_count,
                proof: &proof,
            };
            execute_submit_batch(deps, env, info, batch)
        }
        ExecuteMsg::ExodusWithdraw {
            account,
            pubkey,
            balance,
            nonce,
            path,
            recipient,
            signature,
        } => {
            nonpayable(&info)?;
            let exit = Exit {
                account,
                pubkey: &pubkey,
                balance: balance.u128(),
                nonce,
                path: &path,
                recipient: &recipient,
                signature: &signature,
            };
            execute_exodus_withdraw(deps, env, exit)
        }
        ExecuteMsg::RequestExit {
            account,
            recipient,
            signature,
        } => execute_request_exit(deps, env, info, account, &recipient, &signature),
        ExecuteMsg::Claim {} => {
            nonpayable(&info)?;
            execute_claim(deps, info)
        }
        ExecuteMsg::ReclaimDeposit { deposit: index } => {
            nonpayable(&info)?;
            execute_reclaim_deposit(deps, env, index)
        }
        ExecuteMsg::ProposeKey {
            verifying_key,
            shape,
        } => execute_propose_key(deps, env, info, verifying_key, shape),
        ExecuteMsg::ApplyKey {} => {
            nonpayable(&info)?;
            execute_apply_key(deps, env)
        }
        ExecuteMsg::ProposeAdmin { admin } => execute_propose_admin(deps, info, admin),
        ExecuteMsg::AcceptAdmin {} => execute_accept_admin(deps, info),
        ExecuteMsg::CancelAdmin {} => execute_cancel_admin(deps, info),
        ExecuteMsg::CancelKey {} => {
            nonpayable(&info)?;
            let config = CONFIG.load(deps.storage)?;
            admin_role(deps.storage, &config)?
                .check(&info.sender, "cancel a key")
                .map_err(settle_core::Error::from)?;
            if PENDING.may_load(deps.storage)?.is_none() {
                return Err(ContractError::NoPendingKey);
            }
            PENDING.remove(deps.storage);
            deps.storage.remove(PENDING_KEY);
            Ok(Response::new().add_event(event("cancel_key")))
        }
    }
}

fn execute_deposit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    target: DepositTarget,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut status = STATUS.load(deps.storage)?;
    ensure_live(&config, &status, &env)?;
    let paid = must_pay(&info, &config.denom)?;
    let amount = Uint128::try_from(paid).map_err(|_| ContractError::DepositTooLarge {
        amount: paid.to_string(),
    })?;
    let locked = status
        .locked
        .checked_add(amount)
        .map_err(|_| ContractError::DepositTooLarge {
            amount: amount.to_string(),
        })?;
    queue_rules(&config).check_deposit(
        matches!(target, DepositTarget::NewAccount { .. }),
        amount.u128(),
        status.queued - status.cursor,
    )?;
    let (deposit, account, entry) = match target {
        DepositTarget::NewAccount { pubkey } => {
            if status.queued_new_accounts >= tree::CAPACITY {
                return Err(ContractError::AccountsFull);
            }
            let deposit = Deposit::NewAccount {
                key: PublicKey::decode(pubkey.as_slice())?,
                amount: amount.u128(),
            };
            // Accounts open in queue order: this one gets the next index.
            let account = status.queued_new_accounts as u32;
            ACCOUNT_KEYS.save(deps.storage, account, &Binary::from(pubkey.as_slice()))?;
            status.queued_new_accounts += 1;
            let entry = StoredEntry::NewAccount {
                pubkey: HexBinary::from(pubkey.as_slice()),
                account,
            };
            (deposit, account, entry)
        }
        DepositTarget::Account {
            account: index,
            pubkey,
        } => {
            let opened = ACCOUNT_KEYS.may_load(deps.storage, index)?;
            policy::check_account_key(
                index,
                opened.as_ref().map(|k| k.as_slice()),
                pubkey.as_slice(),
                status.queued_new_accounts,
            )?;
            let deposit = Deposit::Credit {
                account: index,
                amount: amount.u128(),
            };
            let entry = StoredEntry::Account {
                index,
                pubkey: HexBinary::from(pubkey.as_slice()),
            };
            (deposit, index, entry)
        }
    };
    status.locked = locked;
    let (index, head) = enqueue(
        deps.storage,
        &env,
        &mut status,
        &deposit,
        DepositRecord {
            depositor: info.sender.clone(),
            amount,
            target: entry,
            time: env.block.time.seconds(),
            reclaimed: false,
        },
    )?;
    Ok(Response::new().add_event(
        event("deposit")
            .add_attribute("index", index.to_string())
            .add_attribute("depositor", info.sender.as_str())
            .add_attribute("account", account.to_string())
            .add_attribute("amount", amount.to_string())
            .add_attribute("head", hex(&head).to_hex()),
    ))
}

/// Appends an entry to the priority queue: its record, the deposit chain's next head and
/// the status (saved). Returns the entry's queue index and the new head.
fn enqueue(
    storage: &mut dyn Storage,
    env: &Env,
    status: &mut Status,
    deposit: &Deposit,
    record: DepositRecord,
) -> Result<(u64, Fr), ContractError> {
    let hasher = Poseidon::new();
    let prev_head = if status.queued == 0 {
        Fr::from(0u64)
    } else {
        fr(HEADS.load(storage, status.queued)?.as_slice())
    };
    let head = deposit.chain(&hasher, &prev_head);
    let index = status.queued;
    DEPOSITS.save(storage, index, &record)?;
    HEADS.save(storage, index + 1, &bin(&head))?;
    status.queued += 1;
    if status.oldest_pending.is_none() {
        status.oldest_pending = Some(env.block.time.seconds());
    }
    STATUS.save(storage, status)?;
    Ok((index, head))
}

/// An L1 exit request (see `ExecuteMsg::RequestExit`).
fn execute_request_exit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    account: u32,
    recipient: &str,
    signature: &Binary,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut status = STATUS.load(deps.storage)?;
    ensure_live(&config, &status, &env)?;
    let paid = must_pay(&info, &config.denom)?;
    let bond = Uint128::try_from(paid).map_err(|_| ContractError::DepositTooLarge {
        amount: paid.to_string(),
    })?;
    let locked = status
        .locked
        .checked_add(bond)
        .map_err(|_| ContractError::DepositTooLarge {
            amount: bond.to_string(),
        })?;
    queue_rules(&config).check_deposit(false, bond.u128(), status.queued - status.cursor)?;
    let Some(pubkey) = ACCOUNT_KEYS.may_load(deps.storage, account)? else {
        return Err(ContractError::NoAccount {
            account,
            queued: status.queued_new_accounts,
        });
    };
    let key = PublicKey::decode(pubkey.as_slice())?;
    let recipient = deps.api.addr_validate(recipient)?;
    let recipient_bytes = deps.api.addr_canonicalize(recipient.as_str())?;
    let sequence = EXIT_SEQUENCE
        .may_load(deps.storage, account)?
        .unwrap_or_default();
    let message = exit_request_message(
        &Poseidon::new(),
        &fr(config.domain.as_slice()),
        account,
        recipient_bytes.as_slice(),
        sequence,
    )?;
    let signature = Signature::decode(signature.as_slice())?;
    if !key.verify(&message, &signature) {
        return Err(ContractError::BadExitSignature);
    }
    EXIT_SEQUENCE.save(deps.storage, account, &(sequence + 1))?;
    status.locked = locked;
    let (index, head) = enqueue(
        deps.storage,
        &env,
        &mut status,
        &Deposit::Exit { account },
        DepositRecord {
            depositor: info.sender.clone(),
            amount: bond,
            target: StoredEntry::Exit {
                account,
                recipient: recipient.to_string(),
            },
            time: env.block.time.seconds(),
            reclaimed: false,
        },
    )?;
    PENDING_EXITS.save(deps.storage, index, &())?;
    Ok(Response::new().add_event(
        event("request_exit")
            .add_attribute("index", index.to_string())
            .add_attribute("account", account.to_string())
            .add_attribute("recipient", recipient.as_str())
            .add_attribute("sequence", sequence.to_string())
            .add_attribute("requester", info.sender.as_str())
            .add_attribute("bond", bond.to_string())
            .add_attribute("head", hex(&head).to_hex()),
    ))
}

struct BatchInput<'a> {
    data: &'a Binary,
    deposits: u64,
    new_accounts_root: &'a Binary,
    new_account_count: u64,
    proof: &'a Binary,
}

/// A batch checked up to (and including) its proof.
struct CheckedBatch {
    data: BatchData,
    statement: Statement,
    public_input: Fr,
    new_accounts_root: Fr,
    /// Queue indices of the exit requests the batch consumes, in order.
    exits: Vec<u64>,
}

/// Why a batch is refused, with the statement and public input when it got that far.
struct Refusal {
    error: ContractError,
    statement: Option<(Statement, Fr)>,
}

/// Everything `SubmitBatch` checks, without writing: shared with the `check_batch` query.
fn check_batch(
    deps: Deps,
    config: &Config,
    status: &Status,
    batch: &BatchInput,
) -> Result<CheckedBatch, Box<Refusal>> {
    let no = |error: ContractError| {
        Box::new(Refusal {
            error,
            statement: None,
        })
    };
    let data = BatchData::decode(batch.data.as_slice()).map_err(|e| no(e.into()))?;
    let max_txs = config.shape.txs as usize;
    if data.txs.len() > max_txs {
        return Err(no(ContractError::TooManyTransactions {
            count: data.txs.len(),
            max: max_txs,
        }));
    }
    let pending = status.queued - status.cursor;
    if batch.deposits > pending || batch.deposits > config.shape.deposits as u64 {
        return Err(no(ContractError::TooManyDeposits {
            requested: batch.deposits,
            pending,
            max: config.shape.deposits as u64,
        }));
    }
    if batch.new_account_count < status.account_count {
        return Err(no(ContractError::CountWentBack {
            got: batch.new_account_count,
            previous: status.account_count,
        }));
    }
    let new_accounts_root = fr_from_bytes("new_accounts_root", batch.new_accounts_root.as_slice())
        .map_err(|e| no(e.into()))?;
    let proof = Proof::decode(batch.proof.as_slice()).map_err(|e| no(e.into()))?;
    let after = status.cursor + batch.deposits;
    let deposits_after = if batch.deposits == 0 {
        fr(status.head.as_slice())
    } else {
        let head = HEADS.load(deps.storage, after).map_err(|e| no(e.into()))?;
        fr(head.as_slice())
    };
    let hasher = Poseidon::new();
    let exits = pending_exits(deps.storage, status.cursor, after).map_err(no)?;
    let mut exit_slots = vec![false; (after - status.cursor) as usize];
    for index in &exits {
        exit_slots[(index - status.cursor) as usize] = true;
    }
    let requested = exits.len();
    if requested != data.exits.len() {
        return Err(no(ContractError::ExitCountMismatch {
            posted: data.exits.len(),
            requested,
        }));
    }
    let shape = settle_core::validity::ledger::Shape {
        deposits: config.shape.deposits as usize,
        txs: max_txs,
    };
    let data_commitment = data
        .commitment(&hasher, shape, &exit_slots)
        .map_err(|e| no(e.into()))?;
    let statement = Statement {
        domain: fr(config.domain.as_slice()),
        prev_state_root: fr(status.state_root.as_slice()),
        new_state_root: state_root(&hasher, &new_accounts_root, batch.new_account_count),
        data_commitment,
        deposits_before: fr(status.head.as_slice()),
        deposits_after,
    };
    let public_input = statement.public_input(&hasher);
    let refused = |error: ContractError| {
        Box::new(Refusal {
            error,
            statement: Some((statement, public_input)),
        })
    };
    let key = load_key(deps.storage).map_err(refused)?;
    groth16::verify(&key, &proof, &[public_input], &HostPairing(deps.api))
        .map_err(|e| refused(e.into()))?;
    Ok(CheckedBatch {
        data,
        statement,
        public_input,
        new_accounts_root,
        exits,
    })
}

/// The queue indices among `from..to` (what a batch consumes, at most `shape.deposits`)
/// that are exit requests, in order.
fn pending_exits(storage: &dyn Storage, from: u64, to: u64) -> Result<Vec<u64>, ContractError> {
    Ok(PENDING_EXITS
        .keys(
            storage,
            Some(Bound::inclusive(from)),
            Some(Bound::exclusive(to)),
            Order::Ascending,
        )
        .collect::<StdResult<Vec<u64>>>()?)
}

fn load_key(storage: &dyn Storage) -> Result<PreparedKey, ContractError> {
    let bytes = storage.get(KEY).expect("a key is set at instantiate");
    Ok(PreparedKey::decode(&bytes)?)
}

fn execute_submit_batch(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    batch: BatchInput,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut status = STATUS.load(deps.storage)?;
    ensure_live(&config, &status, &env)?;
    let checked = check_batch(deps.as_ref(), &config, &status, &batch).map_err(|r| r.error)?;

    // Withdrawals: credited to their recipients (canonical bytes, as the batch names them),
    // who claim them with `claim {}`. No bank send here: a recipient the bank refuses
    // cannot block a proven batch.
    let withdrawals = checked.data.withdrawals();
    let mut paid = Uint128::zero();
    for w in &withdrawals {
        let amount = Uint128::new(w.amount);
        paid = paid.checked_add(amount)?;
        let credit = CREDITS
            .may_load(deps.storage, w.recipient.as_slice())?
            .unwrap_or_default()
            .checked_add(amount)?;
        CREDITS.save(deps.storage, w.recipient.as_slice(), &credit)?;
    }
    // Exit requests served: the account's whole balance to the recipient the request
    // named, the bond back to whoever posted it; credited like the withdrawals.
    let served = &checked.exits;
    let mut exited = Uint128::zero();
    for (queue_index, amount) in served.iter().zip(&checked.data.exits) {
        let record = DEPOSITS.load(deps.storage, *queue_index)?;
        let StoredEntry::Exit { recipient, .. } = &record.target else {
            return Err(ContractError::Std(cosmwasm_std::StdError::msg(
                "a pending exit names a queue entry that is no exit request",
            )));
        };
        let amount = Uint128::new(*amount);
        exited = exited.checked_add(amount)?;
        paid = paid.checked_add(amount)?.checked_add(record.amount)?;
        let recipient = deps.api.addr_canonicalize(recipient)?;
        let depositor = deps.api.addr_canonicalize(record.depositor.as_str())?;
        for (to, value) in [(recipient, amount), (depositor, record.amount)] {
            let credit = CREDITS
                .may_load(deps.storage, to.as_slice())?
                .unwrap_or_default()
                .checked_add(value)?;
            CREDITS.save(deps.storage, to.as_slice(), &credit)?;
        }
        PENDING_EXITS.remove(deps.storage, *queue_index);
    }
    status.locked = status
        .locked
        .checked_sub(paid)
        .map_err(|_| ContractError::Insolvent {
            paid: paid.to_string(),
            locked: status.locked.to_string(),
        })?;
    status.credited = status.credited.checked_add(paid)?;

    let index = status.batches;
    let now = env.block.time.seconds();
    status.batches += 1;
    status.state_root = bin(&checked.statement.new_state_root);
    status.accounts_root = bin(&checked.new_accounts_root);
    status.account_count = batch.new_account_count;
    if policy::keeps_up(
        batch.deposits,
        status.queued - status.cursor,
        config.shape.deposits as u64,
    ) {
        status.served_at = now;
    }
    status.cursor += batch.deposits;
    status.head = bin(&checked.statement.deposits_after);
    status.last_batch_time = now;
    status.oldest_pending = if status.cursor < status.queued {
        Some(DEPOSITS.load(deps.storage, status.cursor)?.time)
    } else {
        None
    };
    STATUS.save(deps.storage, &status)?;
    BATCHES.save(
        deps.storage,
        index,
        &BatchRecord {
            state_root: status.state_root.clone(),
            accounts_root: status.accounts_root.clone(),
            account_count: status.account_count,
            deposits_consumed: batch.deposits,
            transactions: checked.data.txs.len() as u32,
            withdrawals: withdrawals.len() as u32,
            time: now,
        },
    )?;
    Ok(Response::new().add_event(
        event("submit_batch")
            .add_attribute("batch", index.to_string())
            .add_attribute("submitter", info.sender.as_str())
            .add_attribute(
                "state_root",
                hex(&checked.statement.new_state_root).to_hex(),
            )
            .add_attribute("public_input", hex(&checked.public_input).to_hex())
            .add_attribute("deposits", batch.deposits.to_string())
            .add_attribute("transactions", checked.data.txs.len().to_string())
            .add_attribute("withdrawals", withdrawals.len().to_string())
            .add_attribute("exits", served.len().to_string())
            .add_attribute("exited", exited.to_string())
            .add_attribute("credited", paid.to_string()),
    ))
}

/// Pays the sender every withdrawal credited to its address.
fn execute_claim(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut status = STATUS.load(deps.storage)?;
    let canonical = deps.api.addr_canonicalize(info.sender.as_str())?;
    let amount = CREDITS
        .may_load(deps.storage, canonical.as_slice())?
        .unwrap_or_default();
    if amount.is_zero() {
        return Err(ContractError::NothingToClaim {
            address: info.sender.into_string(),
        });
    }
    status.credited = status.credited.checked_sub(amount)?;
    CREDITS.remove(deps.storage, canonical.as_slice());
    STATUS.save(deps.storage, &status)?;
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: vec![Coin::new(amount, config.denom)],
        })
        .add_event(
            event("claim")
                .add_attribute("recipient", info.sender.as_str())
                .add_attribute("amount", amount.to_string()),
        ))
}

struct Exit<'a> {
    account: u32,
    pubkey: &'a Binary,
    balance: u128,
    nonce: u64,
    path: &'a [Binary],
    recipient: &'a str,
    signature: &'a Binary,
}

fn execute_exodus_withdraw(deps: DepsMut, env: Env, exit: Exit) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut status = STATUS.load(deps.storage)?;
    ensure_exodus(&config, &status, &env)?;
    if EXITED.has(deps.storage, exit.account) {
        return Err(ContractError::AlreadyExited {
            account: exit.account,
        });
    }
    let key = PublicKey::decode(exit.pubkey.as_slice())?;
    let path = exit
        .path
        .iter()
        .map(|h| fr_from_bytes("path element", h.as_slice()))
        .collect::<Result<Vec<_>, _>>()?;
    let hasher = Poseidon::new();
    let leaf = Account {
        key,
        balance: exit.balance,
        nonce: exit.nonce,
    }
    .leaf(&hasher);
    let root = root_from_path(&hasher, leaf, exit.account as u64, &path)?;
    if root != fr(status.accounts_root.as_slice()) || (exit.account as u64) >= status.account_count
    {
        return Err(ContractError::NotInTree);
    }
    let recipient = deps.api.addr_validate(exit.recipient)?;
    let recipient_bytes = deps.api.addr_canonicalize(recipient.as_str())?;
    let signature = Signature::decode(exit.signature.as_slice())?;
    let message = exit_message(
        &hasher,
        &fr(config.domain.as_slice()),
        exit.account,
        recipient_bytes.as_slice(),
    )?;
    if !key.verify(&message, &signature) {
        return Err(ContractError::BadExitSignature);
    }
    let amount = Uint128::new(exit.balance);
    status.locked = status
        .locked
        .checked_sub(amount)
        .map_err(|_| ContractError::Insolvent {
            paid: amount.to_string(),
            locked: status.locked.to_string(),
        })?;
    STATUS.save(deps.storage, &status)?;
    EXITED.save(deps.storage, exit.account, &())?;
    let mut res = Response::new().add_event(
        event("exodus_withdraw")
            .add_attribute("account", exit.account.to_string())
            .add_attribute("recipient", recipient.as_str())
            .add_attribute("amount", amount.to_string()),
    );
    if !amount.is_zero() {
        res = res.add_message(BankMsg::Send {
            to_address: recipient.into_string(),
            amount: vec![Coin::new(amount, config.denom)],
        });
    }
    Ok(res)
}

fn execute_reclaim_deposit(deps: DepsMut, env: Env, index: u64) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let mut status = STATUS.load(deps.storage)?;
    ensure_exodus(&config, &status, &env)?;
    let Some(mut record) = DEPOSITS.may_load(deps.storage, index)? else {
        return Err(ContractError::NoSuchDeposit { index });
    };
    if index < status.cursor {
        return Err(ContractError::DepositConsumed { index });
    }
    if record.reclaimed {
        return Err(ContractError::DepositReclaimed { index });
    }
    record.reclaimed = true;
    status.locked =
        status
            .locked
            .checked_sub(record.amount)
            .map_err(|_| ContractError::Insolvent {
                paid: record.amount.to_string(),
                locked: status.locked.to_string(),
            })?;
    DEPOSITS.save(deps.storage, index, &record)?;
    STATUS.save(deps.storage, &status)?;
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: record.depositor.to_string(),
            amount: vec![Coin::new(record.amount, config.denom)],
        })
        .add_event(
            event("reclaim_deposit")
                .add_attribute("index", index.to_string())
                .add_attribute("depositor", record.depositor.as_str())
                .add_attribute("amount", record.amount.to_string()),
        ))
}

fn execute_propose_key(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    verifying_key: Binary,
    shape: Shape,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    admin_role(deps.storage, &config)?
        .check(&info.sender, "propose a key")
        .map_err(settle_core::Error::from)?;
    check_shape(&shape)?;
    // Both are fixed at instantiate; checked again so no proposal ever waits less.
    policy::check_key_timelock(config.key_timelock, config.exodus_after)?;
    let prepared = prepare_key(deps.as_ref(), verifying_key.as_slice())?;
    let now = env.block.time.seconds();
    // One change at a time, waiting the timelock (settle-core `admin::Timelocked`).
    let existing = PENDING.may_load(deps.storage)?.map(|p| key_change(&p));
    let lock = Timelocked::propose(&existing, (), now, config.key_timelock)
        .map_err(settle_core::Error::from)?;
    let pending = Pending {
        vk_hash: keccak(verifying_key.as_slice()),
        shape,
        proposed_at: lock.proposed_at,
        applies_at: lock.eta,
    };
    deps.storage.set(PENDING_KEY, &prepared.encode());
    PENDING.save(deps.storage, &pending)?;
    Ok(Response::new().add_event(
        event("propose_key")
            .add_attribute(
                "vk_hash",
                HexBinary::from(pending.vk_hash.as_slice()).to_hex(),
            )
            .add_attribute("shape_deposits", shape.deposits.to_string())
            .add_attribute("shape_txs", shape.txs.to_string())
            .add_attribute("applies_at", pending.applies_at.to_string()),
    ))
}

/// The pending key as settle-core's timelocked change.
fn key_change(p: &Pending) -> Timelocked<()> {
    Timelocked {
        value: (),
        proposed_at: p.proposed_at,
        eta: p.applies_at,
    }
}

fn admin_role(storage: &dyn Storage, config: &Config) -> StdResult<AdminRole<Addr>> {
    Ok(AdminRole {
        admin: config.admin.clone(),
        pending: PENDING_ADMIN.may_load(storage)?,
    })
}

/// The admin names a successor (settle-core `admin::AdminRole`).
fn execute_propose_admin(
    deps: DepsMut,
    info: MessageInfo,
    admin: String,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let new = deps.api.addr_validate(&admin)?;
    admin_role(deps.storage, &config)?
        .propose(&info.sender, new.clone())
        .map_err(settle_core::Error::from)?;
    PENDING_ADMIN.save(deps.storage, &new)?;
    Ok(Response::new().add_event(
        event("propose_admin")
            .add_attribute("admin", config.admin.as_str())
            .add_attribute("pending", new.as_str()),
    ))
}

/// The named successor takes the role.
fn execute_accept_admin(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut config = CONFIG.load(deps.storage)?;
    let mut role = admin_role(deps.storage, &config)?;
    let previous = role
        .accept(&info.sender)
        .map_err(settle_core::Error::from)?;
    config.admin = role.admin;
    CONFIG.save(deps.storage, &config)?;
    PENDING_ADMIN.remove(deps.storage);
    Ok(Response::new().add_event(
        event("accept_admin")
            .add_attribute("previous", previous.as_str())
            .add_attribute("admin", config.admin.as_str()),
    ))
}

/// The admin withdraws its nomination.
fn execute_cancel_admin(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let nominee = admin_role(deps.storage, &config)?
        .cancel(&info.sender)
        .map_err(settle_core::Error::from)?;
    PENDING_ADMIN.remove(deps.storage);
    Ok(Response::new().add_event(event("cancel_admin").add_attribute("pending", nominee.as_str())))
}

fn execute_apply_key(deps: DepsMut, env: Env) -> Result<Response, ContractError> {
    let mut config = CONFIG.load(deps.storage)?;
    let Some(pending) = PENDING.may_load(deps.storage)? else {
        return Err(ContractError::NoPendingKey);
    };
    key_change(&pending)
        .may_apply(env.block.time.seconds(), config.key_timelock)
        .map_err(settle_core::Error::from)?;
    // Users who asked to leave before the key applies leave under the old key (V2).
    let oldest_exit = match PENDING_EXITS
        .keys(deps.storage, None, None, Order::Ascending)
        .next()
    {
        Some(index) => {
            let index = index?;
            Some((index, DEPOSITS.load(deps.storage, index)?.time))
        }
        None => None,
    };
    policy::check_exits_served(pending.applies_at, oldest_exit)?;
    let bytes = deps
        .storage
        .get(PENDING_KEY)
        .expect("a pending key has its prepared form");
    deps.storage.set(KEY, &bytes);
    deps.storage.remove(PENDING_KEY);
    PENDING.remove(deps.storage);
    config.vk_hash = pending.vk_hash.clone();
    config.shape = pending.shape;
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_event(
        event("apply_key")
            .add_attribute(
                "vk_hash",
                HexBinary::from(pending.vk_hash.as_slice()).to_hex(),
            )
            .add_attribute("shape_deposits", pending.shape.deposits.to_string())
            .add_attribute("shape_txs", pending.shape.txs.to_string()),
    ))
}

/// A chain admin pointing the contract at new code (`wasmd tx wasm migrate`). The cw2
/// rules are settle-host's `upgrade` (another contract's state, a downgrade or a malformed
/// version is refused; the same version again is a no-op). The queue (deposits and exit
/// requests), batches, credits, exits, the verifying key and a pending rotation with its
/// time are left as they are. A state this code cannot read (the first validity rollup's
/// layout, before deposit bounds, credits and exit requests: queue entries without keys,
/// a key for another circuit) is refused, not converted: its terms cannot be invented.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let migration = upgrade::check(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    upgrade::readable("config", CONFIG.load(deps.storage))?;
    upgrade::readable("status", STATUS.load(deps.storage))?;
    upgrade::readable("pending", PENDING.may_load(deps.storage))?;
    let key = (deps.storage.get(KEY)).ok_or_else(|| StdError::msg("no verifying key stored"));
    upgrade::readable(
        "key",
        key.and_then(|b| PreparedKey::decode(&b).map_err(StdError::msg)),
    )?;
    if let Some(b) = deps.storage.get(PENDING_KEY) {
        upgrade::readable(
            "pending_key",
            PreparedKey::decode(&b).map_err(StdError::msg),
        )?;
    }
    migration.record(deps.storage)?;
    Ok(Response::new().add_event(event("migrate").add_attributes(migration.attributes())))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => {
            let c = CONFIG.load(deps.storage)?;
            to_json_binary(&ConfigResponse {
                pending_admin: PENDING_ADMIN.may_load(deps.storage)?,
                admin: c.admin,
                denom: c.denom,
                shape: c.shape,
                exodus_after_seconds: c.exodus_after,
                key_timelock_seconds: c.key_timelock,
                min_deposit: c.min_deposit,
                min_new_account: c.min_new_account,
                max_pending: c.max_pending,
                domain: c.domain,
                verifying_key_hash: c.vk_hash,
            })
        }
        QueryMsg::Status {} => {
            let c = CONFIG.load(deps.storage)?;
            let s = STATUS.load(deps.storage)?;
            let at = exodus_at(&c, &s);
            to_json_binary(&StatusResponse {
                batches: s.batches,
                state_root: s.state_root,
                accounts_root: s.accounts_root,
                account_count: s.account_count,
                deposit_cursor: s.cursor,
                deposit_count: s.queued,
                deposit_head: s.head,
                last_batch_at: s.last_batch_time,
                served_at: s.served_at,
                exodus_at: at,
                exodus: env.block.time.seconds() >= at,
                locked: s.locked,
                credited: s.credited,
            })
        }
        QueryMsg::QueuedDeposit { deposit } => {
            let r = DEPOSITS.load(deps.storage, deposit)?;
            let s = STATUS.load(deps.storage)?;
            let next = deposit
                .checked_add(1)
                .ok_or_else(|| StdError::msg("no such deposit"))?;
            let head = HEADS.load(deps.storage, next)?;
            to_json_binary(&QueuedDepositResponse {
                deposit,
                depositor: r.depositor,
                amount: r.amount,
                target: r.target.to_msg(),
                queued_at: r.time,
                consumed: deposit < s.cursor,
                reclaimed: r.reclaimed,
                chain_head: head,
            })
        }
        QueryMsg::Account { account } => to_json_binary(&AccountResponse {
            account,
            pubkey: ACCOUNT_KEYS.may_load(deps.storage, account)?,
            exit_sequence: EXIT_SEQUENCE
                .may_load(deps.storage, account)?
                .unwrap_or_default(),
        }),
        QueryMsg::Batch { batch } => {
            let b = BATCHES.load(deps.storage, batch)?;
            to_json_binary(&BatchResponse {
                batch,
                state_root: b.state_root,
                accounts_root: b.accounts_root,
                account_count: b.account_count,
                deposits_consumed: b.deposits_consumed,
                transactions: b.transactions,
                withdrawals: b.withdrawals,
                submitted_at: b.time,
            })
        }
        QueryMsg::PendingKey {} => {
            let pending = PENDING.may_load(deps.storage)?.map(|p| PendingKey {
                verifying_key_hash: p.vk_hash,
                shape: p.shape,
                proposed_at: p.proposed_at,
                applies_at: p.applies_at,
            });
            to_json_binary(&PendingKeyResponse { pending })
        }
        QueryMsg::CheckBatch {
            data,
            deposits_consumed: deposits,
            new_accounts_root,
            new_account_count,
            proof,
        } => {
            let c = CONFIG.load(deps.storage)?;
            let s = STATUS.load(deps.storage)?;
            let batch = BatchInput {
                data: &data,
                deposits,
                new_accounts_root: &new_accounts_root,
                new_account_count,
                proof: &proof,
            };
            let live = ensure_live(&c, &s, &env);
            let res = match (live, check_batch(deps, &c, &s, &batch)) {
                (Ok(()), Ok(b)) => CheckBatchResponse {
                    valid: true,
                    reason: None,
                    public_input: Some(hex(&b.public_input)),
                    data_commitment: Some(hex(&b.statement.data_commitment)),
                    new_state_root: Some(hex(&b.statement.new_state_root)),
                },
                (Err(e), _) => CheckBatchResponse {
                    valid: false,
                    reason: Some(e.to_string()),
                    public_input: None,
                    data_commitment: None,
                    new_state_root: None,
                },
                (Ok(()), Err(refusal)) => CheckBatchResponse {
                    valid: false,
                    reason: Some(refusal.error.to_string()),
                    public_input: refusal.statement.as_ref().map(|(_, x)| hex(x)),
                    data_commitment: refusal
                        .statement
                        .as_ref()
                        .map(|(s, _)| hex(&s.data_commitment)),
                    new_state_root: refusal
                        .statement
                        .as_ref()
                        .map(|(s, _)| hex(&s.new_state_root)),
                },
            };
            to_json_binary(&res)
        }
        QueryMsg::VerifyProof {
            proof,
            public_inputs,
        } => {
            let result = load_key(deps.storage).and_then(|key| {
                Ok(groth16::verify_encoded(
                    &key,
                    proof.as_slice(),
                    &public_inputs,
                    &HostPairing(deps.api),
                )?)
            });
            to_json_binary(&VerifyProofResponse {
                valid: result.is_ok(),
                reason: result.err().map(|e| e.to_string()),
            })
        }
        QueryMsg::Credit { address } => {
            let address = deps.api.addr_validate(&address)?;
            let canonical = deps.api.addr_canonicalize(address.as_str())?;
            let amount = CREDITS
                .may_load(deps.storage, canonical.as_slice())?
                .unwrap_or_default();
            let denom = CONFIG.load(deps.storage)?.denom;
            to_json_binary(&CreditResponse {
                address,
                amount,
                denom,
            })
        }
        QueryMsg::Exited { account } => to_json_binary(&ExitedResponse {
            exited: EXITED.has(deps.storage, account),
        }),
        QueryMsg::Solvency {} => {
            let c = CONFIG.load(deps.storage)?;
            let s = STATUS.load(deps.storage)?;
            let held = deps
                .querier
                .query_balance(env.contract.address, c.denom.clone())?
                .amount;
            let owed = Uint256::from(s.locked) + Uint256::from(s.credited);
            to_json_binary(&SolvencyResponse::new(vec![DenomSolvency::new(
                c.denom, held, owed,
            )]))
        }
    }
}
