#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, BankMsg, Binary, Coin, Deps, DepsMut, Env, Event, HexBinary, MessageInfo,
    Order, Response, StdResult, Uint128, Uint256,
};
use cw2::set_contract_version;
use cw_storage_plus::Bound;
use cw_utils::{must_pay, nonpayable};
use settle_host::upgrade;

use settle_core::admin::{optimistic, AdminError, AdminRole, Bounds, Timelocked};
use settle_core::batch::{commit_data, verify_withdrawal, WithdrawalClaim};
use settle_core::crypto::valid_pubkey;
use settle_core::hash::{Hash, ZERO_HASH};
use settle_core::inclusion::Queue;
use settle_core::ledger::{Deposit, DepositTarget, MAX_BATCH_BYTES_LIMIT};
use settle_core::oz;
use settle_core::tx::Domain;

use crate::dispute::{self, live_batch};
use crate::error::ContractError;
use crate::msg::{
    AmountRange, BatchResponse, BatchStatus, BatchesResponse, ConfigBounds, ConfigResponse,
    CreditResponse, DenomSolvency, DepositTarget as MsgTarget, DepositsResponse,
    DisputeConfigResponse, DisputeParams, ExecuteMsg, GameMove, InstantiateMsg, Liabilities,
    MigrateMsg, OutputPreimage, PendingAdminResponse, PendingConfig, PendingConfigResponse,
    ProofCheckResponse, ProofToCheck, ProposerResponse, QueryMsg, QueuedDepositResponse, Range,
    SolvencyResponse, StatusResponse, WithdrawalStatus, WithdrawalStatusResponse,
};
use crate::state::{
    BatchRecord, Config, DepositRecord, DisputeConfig, Payout, PendingChange, Status, StoredBounds,
    StoredTarget, Totals, ACCOUNTS_QUEUED, ACCOUNT_KEYS, BATCHES, BOUNDS, CONFIG, CREDITS,
    CREDIT_TOTAL, DEPOSITS, PAID, PENDING_ADMIN, PENDING_CONFIG, PROPOSERS, STATUS, TOTALS,
};
use settle_host::HostVerifier;

pub const CONTRACT_NAME: &str = "crates.io:optimistic-rollup";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

pub(crate) const DEFAULT_LIMIT: u32 = 30;
pub(crate) const MAX_LIMIT: u32 = 100;

/// Type of every event this contract emits (shown as `wasm-rollup` on chain); the
/// `action` attribute says what happened.
pub const EVENT: &str = "rollup";

pub(crate) fn event(action: &str) -> Event {
    Event::new(EVENT).add_attribute("action", action)
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
        None => info.sender,
    };
    for (name, denom) in [("denom", &msg.denom), ("bond_denom", &msg.bond_denom)] {
        if denom.is_empty() {
            return Err(ContractError::InvalidConfig {
                reason: format!("{name} must not be empty"),
            });
        }
    }
    validate_params(
        msg.proposer_bond,
        msg.challenge_window,
        msg.force_inclusion_seconds,
        msg.max_batch_bytes,
    )?;
    let dispute = dispute_config(deps.as_ref(), &msg.dispute)?;
    let bounds = msg.bounds.clone().unwrap_or_else(|| {
        pinned_bounds(
            msg.proposer_bond,
            msg.challenge_window,
            msg.force_inclusion_seconds,
            msg.max_batch_bytes,
            &dispute,
        )
    });
    check_bounds(&bounds)?;
    check_in_bounds(
        &bounds,
        msg.proposer_bond,
        msg.challenge_window,
        msg.force_inclusion_seconds,
        msg.max_batch_bytes,
        &dispute,
    )?;
    BOUNDS.save(deps.storage, &StoredBounds::from(&bounds))?;
    CREDIT_TOTAL.save(deps.storage, &Uint128::zero())?;
    let domain = Domain::new(&env.block.chain_id, env.contract.address.as_str());
    let config = Config {
        admin,
        denom: msg.denom,
        bond_denom: msg.bond_denom,
        proposer_bond: msg.proposer_bond,
        challenge_window: msg.challenge_window,
        force_inclusion_delay: msg.force_inclusion_seconds,
        max_batch_bytes: msg.max_batch_bytes,
        domain: HexBinary::from(domain.0.as_slice()),
        dispute,
    };
    CONFIG.save(deps.storage, &config)?;
    STATUS.save(
        deps.storage,
        &Status {
            next_batch: 0,
            finalized: 0,
            deposit_count: 0,
            deposit_cursor: 0,
            deposit_head: HexBinary::from(ZERO_HASH.as_slice()),
            proposals: 0,
            next_game: 0,
            deposits_rewound_at: None,
        },
    )?;
    TOTALS.save(
        deps.storage,
        &Totals {
            outstanding: Uint128::zero(),
            deposited: Uint128::zero(),
            withdrawn: Uint128::zero(),
            bonds: Uint128::zero(),
            challenger_bonds: Uint128::zero(),
        },
    )?;
    ACCOUNTS_QUEUED.save(deps.storage, &0)?;
    set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_event(
        event("instantiate")
            .add_attribute("admin", config.admin.as_str())
            .add_attribute("denom", &config.denom)
            .add_attribute("bond_denom", &config.bond_denom)
            .add_attribute("proposer_bond", config.proposer_bond.to_string())
            .add_attribute("challenge_window", config.challenge_window.to_string())
            .add_attribute("domain", config.domain.to_hex())
            .add_attributes(dispute_attributes(&config.dispute)),
    ))
}

/// The game parameters as event attributes (instantiate and update_config).
fn dispute_attributes(d: &DisputeConfig) -> Vec<(&'static str, String)> {
    vec![
        ("challenger_bond", d.challenger_bond.to_string()),
        ("clock_seconds", d.clock_seconds.to_string()),
        ("min_answer_seconds", d.min_answer_seconds.to_string()),
        ("reward_bps", d.reward_bps.to_string()),
        ("treasury", d.treasury.to_string()),
    ]
}

/// Checks and stores the game parameters.
fn dispute_config(deps: Deps, p: &DisputeParams) -> Result<DisputeConfig, ContractError> {
    let invalid = |reason: String| Err(ContractError::InvalidConfig { reason });
    if p.challenger_bond.is_zero() {
        return invalid("dispute.challenger_bond must be positive".into());
    }
    if p.clock_seconds > MAX_PERIOD_SECONDS {
        return invalid(format!(
            "dispute.clock_seconds must be at most {MAX_PERIOD_SECONDS} seconds (ten years), got {}",
            p.clock_seconds
        ));
    }
    if p.min_answer_seconds == 0 || p.min_answer_seconds > p.clock_seconds {
        return invalid(format!(
            "dispute.min_answer_seconds must be in 1..=clock_seconds ({}), got {}",
            p.clock_seconds, p.min_answer_seconds
        ));
    }
    if p.reward_bps > settle_core::dispute::game::BPS {
        return invalid(format!(
            "dispute.reward_bps must be at most {}, got {}",
            settle_core::dispute::game::BPS,
            p.reward_bps
        ));
    }
    Ok(DisputeConfig {
        challenger_bond: p.challenger_bond,
        clock_seconds: p.clock_seconds,
        min_answer_seconds: p.min_answer_seconds,
        reward_bps: p.reward_bps,
        treasury: deps.api.addr_validate(&p.treasury)?,
    })
}

/// Bounds that allow exactly these values (what instantiate without `bounds` fixes).
fn pinned_bounds(
    proposer_bond: Uint128,
    challenge_window: u64,
    force_inclusion_delay: u64,
    max_batch_bytes: u32,
    dispute: &DisputeConfig,
) -> ConfigBounds {
    ConfigBounds {
        challenge_window: pin(challenge_window),
        force_inclusion_seconds: pin(force_inclusion_delay),
        max_batch_bytes: pin(max_batch_bytes as u64),
        proposer_bond: AmountRange {
            min: proposer_bond,
            max: proposer_bond,
        },
        challenger_bond: AmountRange {
            min: dispute.challenger_bond,
            max: dispute.challenger_bond,
        },
        clock_seconds: pin(dispute.clock_seconds),
        min_answer_seconds: pin(dispute.min_answer_seconds),
        reward_bps: pin(dispute.reward_bps as u64),
    }
}

fn pin(value: u64) -> Range {
    Range {
        min: value,
        max: value,
    }
}

fn seconds_bounds(
    what: &'static str,
    r: &Range,
    floor: u64,
    ceiling: u64,
) -> Result<Bounds<u64>, ContractError> {
    Ok(Bounds::new(what, r.min, r.max, floor, ceiling)?)
}

fn amount_bounds(what: &'static str, r: &AmountRange) -> Result<Bounds<u128>, ContractError> {
    Ok(Bounds::new(
        what,
        r.min.u128(),
        r.max.u128(),
        optimistic::BOND_FLOOR,
        u128::MAX,
    )?)
}

/// The bounds as settle-core checks them, each inside its absolute floor and ceiling.
struct CoreBounds {
    challenge_window: Bounds<u64>,
    force_inclusion_delay: Bounds<u64>,
    max_batch_bytes: Bounds<u64>,
    proposer_bond: Bounds<u128>,
    challenger_bond: Bounds<u128>,
    clock_seconds: Bounds<u64>,
    min_answer_seconds: Bounds<u64>,
    reward_bps: Bounds<u64>,
}

fn check_bounds(b: &ConfigBounds) -> Result<CoreBounds, ContractError> {
    use optimistic::{CHALLENGE_WINDOW_FLOOR, CLOCK_FLOOR, MIN_ANSWER_FLOOR, PERIOD_CEILING};
    Ok(CoreBounds {
        challenge_window: seconds_bounds(
            "challenge_window",
            &b.challenge_window,
            CHALLENGE_WINDOW_FLOOR,
            PERIOD_CEILING,
        )?,
        force_inclusion_delay: seconds_bounds(
            "force_inclusion_delay",
            &b.force_inclusion_seconds,
            0,
            PERIOD_CEILING,
        )?,
        max_batch_bytes: seconds_bounds(
            "max_batch_bytes",
            &b.max_batch_bytes,
            1,
            MAX_BATCH_BYTES_LIMIT as u64,
        )?,
        proposer_bond: amount_bounds("proposer_bond", &b.proposer_bond)?,
        challenger_bond: amount_bounds("dispute.challenger_bond", &b.challenger_bond)?,
        clock_seconds: seconds_bounds(
            "dispute.clock_seconds",
            &b.clock_seconds,
            CLOCK_FLOOR,
            PERIOD_CEILING,
        )?,
        min_answer_seconds: seconds_bounds(
            "dispute.min_answer_seconds",
            &b.min_answer_seconds,
            MIN_ANSWER_FLOOR,
            PERIOD_CEILING,
        )?,
        reward_bps: seconds_bounds(
            "dispute.reward_bps",
            &b.reward_bps,
            0,
            settle_core::dispute::game::BPS as u64,
        )?,
    })
}

/// Every parameter inside the bounds fixed at instantiate.
fn check_in_bounds(
    bounds: &ConfigBounds,
    proposer_bond: Uint128,
    challenge_window: u64,
    force_inclusion_delay: u64,
    max_batch_bytes: u32,
    d: &DisputeConfig,
) -> Result<(), ContractError> {
    let b = check_bounds(bounds)?;
    b.proposer_bond
        .check("proposer_bond", proposer_bond.u128())?;
    b.challenge_window
        .check("challenge_window", challenge_window)?;
    b.force_inclusion_delay
        .check("force_inclusion_delay", force_inclusion_delay)?;
    b.max_batch_bytes
        .check("max_batch_bytes", max_batch_bytes as u64)?;
    b.challenger_bond
        .check("dispute.challenger_bond", d.challenger_bond.u128())?;
    b.clock_seconds
        .check("dispute.clock_seconds", d.clock_seconds)?;
    b.min_answer_seconds
        .check("dispute.min_answer_seconds", d.min_answer_seconds)?;
    b.reward_bps
        .check("dispute.reward_bps", d.reward_bps as u64)?;
    Ok(())
}

/// Longest challenge window or force-inclusion delay: ten years. Deadlines are block time
/// plus these, and must stay far from the end of `Timestamp`'s range.
pub const MAX_PERIOD_SECONDS: u64 = optimistic::PERIOD_CEILING;

fn validate_params(
    proposer_bond: Uint128,
    challenge_window: u64,
    force_inclusion_delay: u64,
    max_batch_bytes: u32,
) -> Result<(), ContractError> {
    let invalid = |reason: String| Err(ContractError::InvalidConfig { reason });
    for (name, seconds) in [
        ("challenge_window", challenge_window),
        ("force_inclusion_delay", force_inclusion_delay),
    ] {
        if seconds > MAX_PERIOD_SECONDS {
            return invalid(format!(
                "{name} must be at most {MAX_PERIOD_SECONDS} seconds (ten years), got {seconds}"
            ));
        }
    }
    if proposer_bond.is_zero() {
        return invalid("proposer_bond must be positive".into());
    }
    if challenge_window == 0 {
        return invalid("challenge_window must be at least one second".into());
    }
    if max_batch_bytes == 0 || max_batch_bytes > MAX_BATCH_BYTES_LIMIT {
        return invalid(format!(
            "max_batch_bytes must be in 1..={MAX_BATCH_BYTES_LIMIT}, got {max_batch_bytes}"
        ));
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
        ExecuteMsg::Bond {} => execute_bond(deps, info),
        ExecuteMsg::Unbond {} => execute_unbond(deps, info),
        ExecuteMsg::Deposit { target: to } => execute_deposit(deps, env, info, to),
        ExecuteMsg::ProposeBatch {
            data,
            deposits_consumed,
            output_root,
        } => execute_propose_batch(deps, env, info, data, deposits_consumed, output_root),
        ExecuteMsg::Finalize { batch: index } => execute_finalize(deps, env, info, index),
        ExecuteMsg::Withdraw {
            batch,
            index,
            recipient,
            amount,
            output,
            proof,
        } => execute_withdraw(
            deps, env, info, batch, index, recipient, amount, output, proof,
        ),
        ExecuteMsg::ProposeConfig {
            proposer_bond,
            challenge_window,
            force_inclusion_seconds,
            max_batch_bytes,
            dispute,
        } => execute_propose_config(
            deps,
            env,
            info,
            proposer_bond,
            challenge_window,
            force_inclusion_seconds,
            max_batch_bytes,
            dispute,
        ),
        ExecuteMsg::ApplyConfig {} => execute_apply_config(deps, env, info),
        ExecuteMsg::CancelConfig {} => execute_cancel_config(deps, info),
        ExecuteMsg::ProposeAdmin { admin } => execute_propose_admin(deps, info, admin),
        ExecuteMsg::AcceptAdmin {} => execute_accept_admin(deps, info),
        ExecuteMsg::CancelAdmin {} => execute_cancel_admin(deps, info),
        ExecuteMsg::Claim {} => execute_claim(deps, info),
        ExecuteMsg::Challenge { batch } => dispute::execute_challenge(deps, env, info, batch),
        ExecuteMsg::Bisect {
            game,
            position,
            root,
        } => dispute::execute_move(deps, env, info, game, GameMove::Bisect { position, root }),
        ExecuteMsg::Choose {
            game,
            position,
            agree,
        } => dispute::execute_move(deps, env, info, game, GameMove::Choose { position, agree }),
        ExecuteMsg::ProveStep { game, step, proof } => {
            dispute::execute_move(deps, env, info, game, GameMove::ProveStep { step, proof })
        }
        ExecuteMsg::ResolveGame { game } => {
            dispute::execute_move(deps, env, info, game, GameMove::ResolveGame {})
        }
    }
}

/// The one coin of `denom` attached to the message, as a `Uint128` (L2 balances are u128).
pub(crate) fn paid(info: &MessageInfo, denom: &str) -> Result<Uint128, ContractError> {
    let amount = must_pay(info, denom)?;
    Uint128::try_from(amount).map_err(|_| ContractError::AmountTooLarge {
        amount: amount.to_string(),
    })
}

fn execute_bond(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = paid(&info, &config.bond_denom)?;
    let mut proposer = PROPOSERS
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default();
    proposer.bond = proposer.bond.checked_add(amount)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.bonds = totals.bonds.checked_add(amount)?;
    PROPOSERS.save(deps.storage, &info.sender, &proposer)?;
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new().add_event(
        event("bond")
            .add_attribute("proposer", info.sender.as_str())
            .add_attribute("amount", amount.to_string())
            .add_attribute("bond", proposer.bond.to_string()),
    ))
}

fn execute_unbond(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let status = STATUS.load(deps.storage)?;
    let proposer = PROPOSERS
        .may_load(deps.storage, &info.sender)?
        .filter(|p| !p.bond.is_zero())
        .ok_or_else(|| ContractError::NoBond {
            address: info.sender.to_string(),
        })?;
    // Locked while its last batch is in the chain and not final, or a game it defends
    // is open. A batch that was removed (its own fraud slashed the bond already; an
    // ancestor's fraud took an honest batch with it) locks nothing.
    if let Some(batch) = proposer.last_batch {
        let live = live_batch(deps.storage, &status, batch)
            .ok()
            .filter(|b| proposer.last_uid.is_none_or(|uid| b.uid == uid));
        if live.is_some_and(|b| b.status != BatchStatus::Finalized) {
            return Err(ContractError::BondLocked { batch });
        }
    }
    if proposer.defending > 0 {
        return Err(ContractError::DefendingGames {
            address: info.sender.to_string(),
            games: proposer.defending,
        });
    }
    let mut totals = TOTALS.load(deps.storage)?;
    totals.bonds = totals.bonds.checked_sub(proposer.bond)?;
    TOTALS.save(deps.storage, &totals)?;
    PROPOSERS.remove(deps.storage, &info.sender);
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: vec![Coin::new(proposer.bond, config.bond_denom)],
        })
        .add_event(
            event("unbond")
                .add_attribute("proposer", info.sender.as_str())
                .add_attribute("amount", proposer.bond.to_string()),
        ))
}

fn deposit_target(deps: Deps, to: &MsgTarget) -> Result<DepositTarget, ContractError> {
    let target = to.target()?;
    if let DepositTarget::NewAccount(key) = &target {
        if !valid_pubkey(&HostVerifier(deps.api), key) {
            return Err(ContractError::InvalidPubkey {
                reason: "not a compressed secp256k1 point".into(),
            });
        }
    }
    Ok(target)
}

fn execute_deposit(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    to: MsgTarget,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let amount = paid(&info, &config.denom)?;
    let target = deposit_target(deps.as_ref(), &to)?;
    // The index a new account opens at (queue order), recorded with its key; a keyed
    // credit must name the key its index opens with (the core's rule).
    let queued = ACCOUNTS_QUEUED.may_load(deps.storage)?;
    let mut opens = None;
    match (&to, queued) {
        (MsgTarget::NewAccount { pubkey }, Some(queued)) => {
            // Past 2^32 accounts the L2 refunds the deposit: no index to record.
            if let Ok(index) = u32::try_from(queued) {
                ACCOUNT_KEYS.save(deps.storage, index, &HexBinary::from(pubkey.as_slice()))?;
                opens = Some(index);
            }
            ACCOUNTS_QUEUED.save(deps.storage, &queued.saturating_add(1))?;
        }
        (
            MsgTarget::AccountWithKey {
                account: index,
                pubkey,
            },
            queued,
        ) => {
            let opened = ACCOUNT_KEYS.may_load(deps.storage, *index)?;
            settle_core::ledger::check_account_key(
                *index,
                opened.as_ref().map(|k| k.as_slice()),
                pubkey.as_slice(),
                queued.unwrap_or_default(),
            )?;
        }
        _ => {}
    }
    let mut status = STATUS.load(deps.storage)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.outstanding = totals.outstanding.checked_add(amount)?;
    totals.deposited = totals.deposited.saturating_add(amount);
    let index = status.deposit_count;
    let record = DepositRecord {
        depositor: info.sender.clone(),
        to: StoredTarget::from_msg(&to),
        amount,
        queued_at: env.block.time,
        chain_head: HexBinary::default(),
    };
    let core_deposit = Deposit {
        target,
        ..core_deposit(deps.api, index, &record)?
    };
    let head: Hash = settle_core::error::exact("deposit head", status.deposit_head.as_slice())?;
    let new_head = HexBinary::from(core_deposit.chain(&head).as_slice());
    DEPOSITS.save(
        deps.storage,
        index,
        &DepositRecord {
            chain_head: new_head.clone(),
            ..record
        },
    )?;
    status.deposit_count += 1;
    status.deposit_head = new_head.clone();
    STATUS.save(deps.storage, &status)?;
    TOTALS.save(deps.storage, &totals)?;
    let mut ev = event("deposit")
        .add_attribute("index", index.to_string())
        .add_attribute("depositor", info.sender.as_str())
        .add_attribute("amount", amount.to_string())
        .add_attribute("denom", config.denom)
        .add_attribute("chain_head", new_head.to_hex());
    if let Some(account) = opens {
        ev = ev.add_attribute("account", account.to_string());
    }
    Ok(Response::new().add_event(ev))
}

/// The core's view of queued deposit `index` (what the L2 applies and what a one-step
/// proof of its step re-executes).
pub(crate) fn core_deposit(
    api: &dyn cosmwasm_std::Api,
    index: u64,
    d: &DepositRecord,
) -> Result<Deposit, ContractError> {
    Ok(Deposit {
        index,
        target: d.to.to_msg().target()?,
        amount: d.amount.u128(),
        refund_to: api.addr_canonicalize(d.depositor.as_str())?.to_vec(),
    })
}

/// The deposit queue as the core's force-inclusion rule sees it (times in seconds).
pub(crate) fn deposit_queue(config: &Config, status: &Status) -> Queue {
    Queue {
        cursor: status.deposit_cursor,
        count: status.deposit_count,
        delay: config.force_inclusion_delay,
        rewound_at: status.deposits_rewound_at.map(|t| t.seconds()),
    }
}

/// Bytes as a message's `Binary` (stored hashes and keys are `HexBinary`).
pub(crate) fn bin(bytes: &(impl AsRef<[u8]> + ?Sized)) -> Binary {
    Binary::from(bytes.as_ref())
}

fn execute_propose_batch(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    data: Binary,
    deposits_consumed: u64,
    output_root: Binary,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let mut status = STATUS.load(deps.storage)?;
    let mut proposer = PROPOSERS
        .may_load(deps.storage, &info.sender)?
        .unwrap_or_default();
    if proposer.bond < config.proposer_bond {
        return Err(ContractError::NotBonded {
            address: info.sender.to_string(),
            bond: proposer.bond,
            required: config.proposer_bond,
        });
    }
    if data.len() > config.max_batch_bytes as usize {
        return Err(ContractError::BatchTooLarge {
            size: data.len(),
            max: config.max_batch_bytes,
        });
    }
    if data.is_empty() && deposits_consumed == 0 {
        return Err(ContractError::EmptyBatch);
    }
    let output_root: Hash = settle_core::error::exact("output root", output_root.as_slice())?;
    // Force inclusion (the core's rule): every overdue deposit, or a full batch. One
    // deposit decides it: the first this batch leaves queued.
    let queue = deposit_queue(&config, &status);
    let deciding = match queue.deciding_deposit(deposits_consumed)? {
        Some(index) => Some(DEPOSITS.load(deps.storage, index)?.queued_at.seconds()),
        None => None,
    };
    queue.check(deposits_consumed, deciding, env.block.time.seconds())?;
    let deposits_from = status.deposit_cursor;
    let deposits_to = deposits_from + deposits_consumed;
    let commitment = commit_data(&data);
    let tx_steps = commitment.steps as u32;
    let data_root = commitment.root;
    let index = status.next_batch;
    let finalizes_at = env.block.time.plus_seconds(config.challenge_window);
    let record = BatchRecord {
        proposer: info.sender.clone(),
        output_root: HexBinary::from(output_root.as_slice()),
        data_root: HexBinary::from(data_root.as_slice()),
        data_bytes: data.len() as u32,
        tx_steps,
        deposits_from,
        deposits_to,
        proposed_at: env.block.time,
        finalizes_at,
        status: BatchStatus::Proposed,
        uid: status.proposals,
        open_games: 0,
    };
    BATCHES.save(deps.storage, index, &record)?;
    status.next_batch += 1;
    status.proposals += 1;
    status.deposit_cursor = deposits_to;
    STATUS.save(deps.storage, &status)?;
    proposer.last_batch = Some(index);
    proposer.last_uid = Some(record.uid);
    PROPOSERS.save(deps.storage, &info.sender, &proposer)?;
    Ok(Response::new().add_event(
        event("propose_batch")
            .add_attribute("index", index.to_string())
            .add_attribute("proposer", info.sender.as_str())
            .add_attribute("output_root", record.output_root.to_hex())
            .add_attribute("data_root", record.data_root.to_hex())
            .add_attribute("data_bytes", data.len().to_string())
            .add_attribute("tx_steps", tx_steps.to_string())
            .add_attribute("deposits_from", deposits_from.to_string())
            .add_attribute("deposits_to", deposits_to.to_string())
            .add_attribute("finalizes_at", finalizes_at.seconds().to_string()),
    ))
}

fn execute_finalize(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    index: u64,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut status = STATUS.load(deps.storage)?;
    let mut batch = live_batch(deps.storage, &status, index)?;
    if index < status.finalized {
        return Err(ContractError::AlreadyFinal { index });
    }
    if index != status.finalized {
        return Err(ContractError::OutOfOrder {
            index,
            next: status.finalized,
        });
    }
    if env.block.time.seconds() < batch.finalizes_at.seconds() {
        return Err(ContractError::WindowOpen {
            index,
            finalizes_at: batch.finalizes_at.seconds(),
        });
    }
    if batch.open_games > 0 {
        return Err(ContractError::GamesOpen {
            index,
            open: batch.open_games,
        });
    }
    batch.status = BatchStatus::Finalized;
    BATCHES.save(deps.storage, index, &batch)?;
    status.finalized += 1;
    STATUS.save(deps.storage, &status)?;
    Ok(Response::new().add_event(
        event("finalize")
            .add_attribute("index", index.to_string())
            .add_attribute("output_root", batch.output_root.to_hex()),
    ))
}

pub(crate) fn hash32(
    what: &'static str,
    bytes: &(impl AsRef<[u8]> + ?Sized),
) -> Result<Hash, ContractError> {
    Ok(settle_core::error::exact(what, bytes.as_ref())?)
}

#[allow(clippy::too_many_arguments)]
fn execute_withdraw(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    batch_index: u64,
    index: u32,
    recipient: String,
    amount: Uint128,
    output: OutputPreimage,
    proof: Binary,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let (recipient, mut totals) = check_withdrawal(
        deps.as_ref(),
        batch_index,
        index,
        &recipient,
        amount,
        &output,
        &proof,
    )?;
    totals.outstanding = totals.outstanding.checked_sub(amount)?;
    totals.withdrawn = totals.withdrawn.saturating_add(amount);
    TOTALS.save(deps.storage, &totals)?;
    PAID.save(
        deps.storage,
        (batch_index, index),
        &Payout {
            recipient: recipient.clone(),
            amount,
            height: env.block.height,
        },
    )?;
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: recipient.to_string(),
            amount: vec![Coin::new(amount, config.denom)],
        })
        .add_event(
            event("withdraw")
                .add_attribute("batch", batch_index.to_string())
                .add_attribute("index", index.to_string())
                .add_attribute("recipient", recipient.as_str())
                .add_attribute("amount", amount.to_string()),
        ))
}

/// Everything `withdraw` checks before it pays: the batch is final, the slot unpaid, the
/// claim proven against the stored output (the core's `verify_withdrawal`), and the
/// amount within the deposits outstanding. Returns the validated recipient and the totals.
fn check_withdrawal(
    deps: Deps,
    batch_index: u64,
    index: u32,
    recipient: &str,
    amount: Uint128,
    output: &OutputPreimage,
    proof: &Binary,
) -> Result<(cosmwasm_std::Addr, Totals), ContractError> {
    let batch = live_batch(deps.storage, &STATUS.load(deps.storage)?, batch_index)?;
    if batch.status != BatchStatus::Finalized {
        return Err(ContractError::NotFinal { index: batch_index });
    }
    // The nullifier first: a duplicate claim is refused before any hashing.
    if PAID.has(deps.storage, (batch_index, index)) {
        return Err(ContractError::AlreadyPaid {
            batch: batch_index,
            index,
        });
    }
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let recipient = deps.api.addr_validate(recipient)?;
    let recipient_bytes = deps.api.addr_canonicalize(recipient.as_str())?;
    verify_withdrawal(
        &hash32("output root", &batch.output_root)?,
        batch_index,
        batch.deposits_to,
        &hash32("data root", &batch.data_root)?,
        &WithdrawalClaim {
            index,
            recipient: recipient_bytes.as_slice(),
            amount: amount.u128(),
            state_root: hash32("state root", &output.state_root)?,
            withdrawals_root: hash32("withdrawals root", &output.withdrawals_root)?,
            proof: proof.as_slice(),
        },
    )?;
    let totals = TOTALS.load(deps.storage)?;
    if amount > totals.outstanding {
        return Err(ContractError::ExceedsDeposits {
            amount,
            outstanding: totals.outstanding,
        });
    }
    Ok((recipient, totals))
}

fn admin_role(storage: &dyn cosmwasm_std::Storage, config: &Config) -> StdResult<AdminRole<Addr>> {
    Ok(AdminRole {
        admin: config.admin.clone(),
        pending: PENDING_ADMIN.may_load(storage)?,
    })
}

fn pending_change(p: &PendingChange) -> Timelocked<()> {
    Timelocked {
        value: (),
        proposed_at: p.proposed_at,
        eta: p.eta,
    }
}

#[allow(clippy::too_many_arguments)]
fn execute_propose_config(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    proposer_bond: Option<Uint128>,
    challenge_window: Option<u64>,
    force_inclusion_delay: Option<u64>,
    max_batch_bytes: Option<u32>,
    dispute: Option<DisputeParams>,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    admin_role(deps.storage, &config)?.check(&info.sender, "propose a config change")?;
    let proposer_bond = proposer_bond.unwrap_or(config.proposer_bond);
    let challenge_window = challenge_window.unwrap_or(config.challenge_window);
    let force_inclusion_delay = force_inclusion_delay.unwrap_or(config.force_inclusion_delay);
    let max_batch_bytes = max_batch_bytes.unwrap_or(config.max_batch_bytes);
    let dispute = match &dispute {
        Some(d) => dispute_config(deps.as_ref(), d)?,
        None => config.dispute.clone(),
    };
    validate_params(
        proposer_bond,
        challenge_window,
        force_inclusion_delay,
        max_batch_bytes,
    )?;
    check_in_bounds(
        &BOUNDS.load(deps.storage)?.into(),
        proposer_bond,
        challenge_window,
        force_inclusion_delay,
        max_batch_bytes,
        &dispute,
    )?;
    // the timelock: the challenge window in force now (and again when it applies)
    let pending = PENDING_CONFIG
        .may_load(deps.storage)?
        .map(|p| pending_change(&p));
    let lock = Timelocked::propose(
        &pending,
        (),
        env.block.time.seconds(),
        config.challenge_window,
    )?;
    let change = PendingChange {
        proposer_bond,
        challenge_window,
        force_inclusion_delay,
        max_batch_bytes,
        dispute,
        proposed_at: lock.proposed_at,
        eta: lock.eta,
    };
    PENDING_CONFIG.save(deps.storage, &change)?;
    Ok(Response::new().add_event(
        event("propose_config")
            .add_attribute("applies_at", change.eta.to_string())
            .add_attributes(params_attributes(&change)),
    ))
}

fn params_attributes(c: &PendingChange) -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("proposer_bond", c.proposer_bond.to_string()),
        ("challenge_window", c.challenge_window.to_string()),
        ("force_inclusion_delay", c.force_inclusion_delay.to_string()),
        ("max_batch_bytes", c.max_batch_bytes.to_string()),
    ];
    v.extend(dispute_attributes(&c.dispute));
    v
}

fn execute_apply_config(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut config = CONFIG.load(deps.storage)?;
    let change = PENDING_CONFIG
        .may_load(deps.storage)?
        .ok_or(AdminError::NothingPending)?;
    pending_change(&change).may_apply(env.block.time.seconds(), config.challenge_window)?;
    // the bounds never change, but check again: nothing outside them is ever in force
    check_in_bounds(
        &BOUNDS.load(deps.storage)?.into(),
        change.proposer_bond,
        change.challenge_window,
        change.force_inclusion_delay,
        change.max_batch_bytes,
        &change.dispute,
    )?;
    config.proposer_bond = change.proposer_bond;
    config.challenge_window = change.challenge_window;
    config.force_inclusion_delay = change.force_inclusion_delay;
    config.max_batch_bytes = change.max_batch_bytes;
    config.dispute = change.dispute.clone();
    CONFIG.save(deps.storage, &config)?;
    PENDING_CONFIG.remove(deps.storage);
    Ok(Response::new().add_event(
        event("apply_config")
            .add_attribute("sender", info.sender.as_str())
            .add_attributes(params_attributes(&change)),
    ))
}

fn execute_cancel_config(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    admin_role(deps.storage, &config)?.check(&info.sender, "cancel a config change")?;
    let change = PENDING_CONFIG
        .may_load(deps.storage)?
        .ok_or(AdminError::NothingPending)?;
    PENDING_CONFIG.remove(deps.storage);
    Ok(Response::new()
        .add_event(event("cancel_config").add_attribute("applies_at", change.eta.to_string())))
}

fn execute_propose_admin(
    deps: DepsMut,
    info: MessageInfo,
    admin: String,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let mut role = admin_role(deps.storage, &config)?;
    let new = deps.api.addr_validate(&admin)?;
    role.propose(&info.sender, new.clone())?;
    PENDING_ADMIN.save(deps.storage, &new)?;
    Ok(Response::new().add_event(
        event("propose_admin")
            .add_attribute("admin", config.admin.as_str())
            .add_attribute("pending", new.as_str()),
    ))
}

fn execute_accept_admin(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut config = CONFIG.load(deps.storage)?;
    let mut role = admin_role(deps.storage, &config)?;
    let previous = role.accept(&info.sender)?;
    config.admin = role.admin;
    CONFIG.save(deps.storage, &config)?;
    PENDING_ADMIN.remove(deps.storage);
    Ok(Response::new().add_event(
        event("accept_admin")
            .add_attribute("previous", previous.as_str())
            .add_attribute("admin", config.admin.as_str()),
    ))
}

fn execute_cancel_admin(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let mut role = admin_role(deps.storage, &config)?;
    let nominee = role.cancel(&info.sender)?;
    PENDING_ADMIN.remove(deps.storage);
    Ok(Response::new().add_event(event("cancel_admin").add_attribute("pending", nominee.as_str())))
}

/// Adds `amount` to `owner`'s credit (a pull payment in `bond_denom`).
pub(crate) fn credit(
    storage: &mut dyn cosmwasm_std::Storage,
    owner: &Addr,
    amount: Uint128,
) -> Result<(), ContractError> {
    if amount.is_zero() {
        return Ok(());
    }
    let held = CREDITS.may_load(storage, owner)?.unwrap_or_default();
    CREDITS.save(storage, owner, &held.checked_add(amount)?)?;
    let total = CREDIT_TOTAL.may_load(storage)?.unwrap_or_default();
    CREDIT_TOTAL.save(storage, &total.checked_add(amount)?)?;
    Ok(())
}

fn execute_claim(deps: DepsMut, info: MessageInfo) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let config = CONFIG.load(deps.storage)?;
    let amount = CREDITS
        .may_load(deps.storage, &info.sender)?
        .filter(|a| !a.is_zero())
        .ok_or_else(|| ContractError::NoCredit {
            address: info.sender.to_string(),
        })?;
    CREDITS.remove(deps.storage, &info.sender);
    let total = CREDIT_TOTAL.may_load(deps.storage)?.unwrap_or_default();
    CREDIT_TOTAL.save(deps.storage, &total.checked_sub(amount)?)?;
    Ok(Response::new()
        .add_message(BankMsg::Send {
            to_address: info.sender.to_string(),
            amount: vec![Coin::new(amount, config.bond_denom.clone())],
        })
        .add_event(
            event("claim")
                .add_attribute("owner", info.sender.as_str())
                .add_attribute("amount", amount.to_string())
                .add_attribute("denom", config.bond_denom),
        ))
}

/// A chain admin pointing the contract at new code (`wasmd tx wasm migrate`). The cw2
/// rules are settle-host's `upgrade` (another contract's state, a downgrade or a malformed
/// version is refused; the same version again is a no-op). It never changes the terms of
/// anything in flight: batches, games (their terms are their own snapshot), withdrawals,
/// a pending config change and the admin bounds are left as they are; it only fills what
/// a state from before a field existed lacks.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let migration = upgrade::check(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // This code must read what it takes over (the items every call loads).
    let c = upgrade::readable("config", CONFIG.load(deps.storage))?;
    upgrade::readable("status", STATUS.load(deps.storage))?;
    upgrade::readable("totals", TOTALS.load(deps.storage))?;
    // A contract from before admin bounds: every parameter pinned where it is (a change
    // of bounds is a new instantiate, never a migration's side effect), no credits yet.
    if !BOUNDS.exists(deps.storage) {
        let bounds = pinned_bounds(
            c.proposer_bond,
            c.challenge_window,
            c.force_inclusion_delay,
            c.max_batch_bytes,
            &c.dispute,
        );
        BOUNDS.save(deps.storage, &StoredBounds::from(&bounds))?;
    }
    if !CREDIT_TOTAL.exists(deps.storage) {
        CREDIT_TOTAL.save(deps.storage, &Uint128::zero())?;
    }
    migration.record(deps.storage)?;
    Ok(Response::new().add_event(event("migrate").add_attributes(migration.attributes())))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query_config(deps)?),
        QueryMsg::Status {} => to_json_binary(&query_status(deps)?),
        QueryMsg::Batch { batch: index } => to_json_binary(&query_batch(deps, index)?),
        QueryMsg::Batches { start_after, limit } => {
            to_json_binary(&query_batches(deps, start_after, limit)?)
        }
        QueryMsg::Proposer { address } => to_json_binary(&query_proposer(deps, address)?),
        QueryMsg::QueuedDeposit { deposit } => to_json_binary(&query_deposit(deps, deposit)?),
        QueryMsg::Deposits { start_after, limit } => {
            to_json_binary(&query_deposits(deps, start_after, limit)?)
        }
        QueryMsg::WithdrawalStatus { batch, index } => {
            to_json_binary(&query_withdrawal_status(deps, batch, index)?)
        }
        QueryMsg::Solvency {} => to_json_binary(&query_solvency(deps, env)?),
        QueryMsg::CheckProof { proof } => to_json_binary(&query_check_proof(deps, *proof)),
        QueryMsg::Game { game: id } => to_json_binary(&dispute::query_game(deps, env, id)?),
        QueryMsg::Games {
            batch,
            start_after,
            limit,
        } => to_json_binary(&dispute::query_games(deps, env, batch, start_after, limit)?),
        QueryMsg::DisputeContext { batch } => {
            to_json_binary(&dispute::query_dispute_context(deps, batch)?)
        }
        QueryMsg::PendingConfig {} => to_json_binary(&query_pending_config(deps)?),
        QueryMsg::PendingAdmin {} => to_json_binary(&query_pending_admin(deps)?),
        QueryMsg::Credit { address } => to_json_binary(&query_credit(deps, address)?),
        QueryMsg::CheckMove {
            game,
            sender,
            game_move,
        } => to_json_binary(&dispute::query_check_move(
            deps, env, game, sender, game_move,
        )?),
    }
}

// The larger query handlers stay out of `query`'s body (`inline(never)`): inlined, they gave the
// entry point 101 wasm locals, one more than a chain accepts at upload (xtask dist checks it).

#[inline(never)]
fn query_pending_config(deps: Deps) -> StdResult<PendingConfigResponse> {
    let Some(c) = PENDING_CONFIG.may_load(deps.storage)? else {
        return Ok(PendingConfigResponse { pending: None });
    };
    let window = CONFIG.load(deps.storage)?.challenge_window;
    Ok(PendingConfigResponse {
        pending: Some(PendingConfig {
            proposer_bond: c.proposer_bond,
            challenge_window: c.challenge_window,
            force_inclusion_seconds: c.force_inclusion_delay,
            max_batch_bytes: c.max_batch_bytes,
            dispute: dispute_response(c.dispute.clone()),
            proposed_at: c.proposed_at,
            applies_at: pending_change(&c).applies_at(window),
        }),
    })
}

#[inline(never)]
fn query_pending_admin(deps: Deps) -> StdResult<PendingAdminResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(PendingAdminResponse {
        admin: config.admin,
        pending: PENDING_ADMIN.may_load(deps.storage)?,
    })
}

#[inline(never)]
fn query_credit(deps: Deps, address: String) -> StdResult<CreditResponse> {
    let address = deps.api.addr_validate(&address)?;
    let config = CONFIG.load(deps.storage)?;
    Ok(CreditResponse {
        amount: CREDITS
            .may_load(deps.storage, &address)?
            .unwrap_or_default(),
        address,
        denom: config.bond_denom,
    })
}

#[inline(never)]
fn query_check_proof(deps: Deps, proof: ProofToCheck) -> ProofCheckResponse {
    let verdict = match proof {
        ProofToCheck::Merkle {
            root,
            leaf,
            index,
            leaf_count,
            siblings,
        } => hashes(&siblings).and_then(|siblings| {
            let proof = settle_core::merkle::Proof {
                index,
                leaf_count,
                siblings,
            };
            Ok(settle_core::merkle::verify_data(
                &hash32("root", &root)?,
                leaf.as_slice(),
                &proof,
            )?)
        }),
        ProofToCheck::OpenZeppelin {
            root,
            address,
            amount,
            proof,
        } => hashes(&proof).and_then(|proof| {
            let address: [u8; 20] = settle_core::error::exact("address", address.as_slice())?;
            Ok(oz::verify_value(
                &hash32("root", &root)?,
                &address,
                &amount.to_be_bytes(),
                &proof,
            )?)
        }),
        ProofToCheck::OpenZeppelinMulti {
            root,
            leaves,
            proof,
            proof_flags,
        } => leaves
            .iter()
            .map(|v| {
                let address: [u8; 20] = settle_core::error::exact("address", v.address.as_slice())?;
                Ok((address, v.amount.to_be_bytes()))
            })
            .collect::<Result<Vec<_>, ContractError>>()
            .and_then(|values| {
                Ok(oz::verify_multi_proof_values(
                    &hash32("root", &root)?,
                    &values,
                    &hashes(&proof)?,
                    &proof_flags,
                )?)
            }),
        ProofToCheck::OneStep(check) => dispute::check_one_step(deps.api, &check),
        ProofToCheck::Withdrawal {
            batch,
            index,
            recipient,
            amount,
            output,
            proof,
        } => check_withdrawal(deps, batch, index, &recipient, amount, &output, &proof).map(|_| ()),
    };
    match verdict {
        Ok(()) => ProofCheckResponse {
            valid: true,
            reason: None,
        },
        Err(e) => ProofCheckResponse {
            valid: false,
            reason: Some(e.to_string()),
        },
    }
}

fn hashes(items: &[Binary]) -> Result<Vec<Hash>, ContractError> {
    items.iter().map(|h| hash32("hash", h)).collect()
}

#[inline(never)]
fn query_config(deps: Deps) -> StdResult<ConfigResponse> {
    let c = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse {
        admin: c.admin,
        denom: c.denom,
        bond_denom: c.bond_denom,
        proposer_bond: c.proposer_bond,
        challenge_window: c.challenge_window,
        force_inclusion_seconds: c.force_inclusion_delay,
        max_batch_bytes: c.max_batch_bytes,
        domain: bin(&c.domain),
        dispute: dispute_response(c.dispute),
        bounds: BOUNDS.load(deps.storage)?.into(),
    })
}

fn dispute_response(d: DisputeConfig) -> DisputeConfigResponse {
    DisputeConfigResponse {
        challenger_bond: d.challenger_bond,
        clock_seconds: d.clock_seconds,
        min_answer_seconds: d.min_answer_seconds,
        reward_bps: d.reward_bps,
        treasury: d.treasury,
    }
}

#[inline(never)]
fn query_status(deps: Deps) -> StdResult<StatusResponse> {
    let s = STATUS.load(deps.storage)?;
    let totals = TOTALS.load(deps.storage)?;
    Ok(StatusResponse {
        next_batch: s.next_batch,
        finalized: s.finalized,
        deposit_count: s.deposit_count,
        deposit_cursor: s.deposit_cursor,
        deposit_head: bin(&s.deposit_head),
        liabilities: Liabilities {
            deposits_outstanding: totals.outstanding,
            bonds: totals.bonds,
            challenger_bonds: totals.challenger_bonds,
            credits: CREDIT_TOTAL.may_load(deps.storage)?.unwrap_or_default(),
        },
        total_deposited: totals.deposited,
        total_withdrawn: totals.withdrawn,
    })
}

fn batch_response(index: u64, b: BatchRecord) -> BatchResponse {
    BatchResponse {
        batch: index,
        proposer: b.proposer,
        output_root: bin(&b.output_root),
        data_root: bin(&b.data_root),
        data_bytes: b.data_bytes,
        tx_steps: b.tx_steps,
        deposits_from: b.deposits_from,
        deposits_to: b.deposits_to,
        proposed_at: b.proposed_at.seconds(),
        finalizes_at: b.finalizes_at.seconds(),
        status: b.status,
        open_games: b.open_games,
    }
}

fn query_batch(deps: Deps, index: u64) -> Result<BatchResponse, ContractError> {
    let b = live_batch(deps.storage, &STATUS.load(deps.storage)?, index)?;
    Ok(batch_response(index, b))
}

#[inline(never)]
fn query_batches(
    deps: Deps,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<BatchesResponse> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize;
    // records at or past `next_batch` belong to removed batches
    let next = STATUS.load(deps.storage)?.next_batch;
    let batches = BATCHES
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            Some(Bound::exclusive(next)),
            Order::Ascending,
        )
        .take(limit)
        .map(|r| r.map(|(i, b)| batch_response(i, b)))
        .collect::<StdResult<_>>()?;
    Ok(BatchesResponse { batches })
}

fn query_proposer(deps: Deps, address: String) -> StdResult<ProposerResponse> {
    let address = deps.api.addr_validate(&address)?;
    let config = CONFIG.load(deps.storage)?;
    let p = PROPOSERS
        .may_load(deps.storage, &address)?
        .unwrap_or_default();
    Ok(ProposerResponse {
        address,
        bonded: p.bond >= config.proposer_bond,
        bond: p.bond,
        last_batch: p.last_batch,
    })
}

fn deposit_response(queue: &Queue, index: u64, d: DepositRecord) -> QueuedDepositResponse {
    QueuedDepositResponse {
        deposit: index,
        depositor: d.depositor,
        target: d.to.to_msg(),
        amount: d.amount,
        queued_at: d.queued_at.seconds(),
        include_by: queue.deadline(d.queued_at.seconds()),
        chain_head: bin(&d.chain_head),
    }
}

fn query_deposit(deps: Deps, index: u64) -> StdResult<QueuedDepositResponse> {
    let queue = deposit_queue(&CONFIG.load(deps.storage)?, &STATUS.load(deps.storage)?);
    let d = DEPOSITS.load(deps.storage, index)?;
    Ok(deposit_response(&queue, index, d))
}

#[inline(never)]
fn query_deposits(
    deps: Deps,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<DepositsResponse> {
    let queue = deposit_queue(&CONFIG.load(deps.storage)?, &STATUS.load(deps.storage)?);
    let limit = limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize;
    let deposits = DEPOSITS
        .range(
            deps.storage,
            start_after.map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(limit)
        .map(|r| r.map(|(i, d)| deposit_response(&queue, i, d)))
        .collect::<StdResult<_>>()?;
    Ok(DepositsResponse { deposits })
}

#[inline(never)]
fn query_withdrawal_status(
    deps: Deps,
    batch: u64,
    index: u32,
) -> StdResult<WithdrawalStatusResponse> {
    let status = if let Some(p) = PAID.may_load(deps.storage, (batch, index))? {
        WithdrawalStatus::Paid {
            recipient: p.recipient,
            amount: p.amount,
            height: p.height,
        }
    } else {
        let live = batch < STATUS.load(deps.storage)?.next_batch;
        match BATCHES.may_load(deps.storage, batch)?.filter(|_| live) {
            Some(b) if b.status == BatchStatus::Finalized => WithdrawalStatus::Provable {},
            Some(b) => WithdrawalStatus::NotYetProvable {
                finalizes_at: Some(b.finalizes_at.seconds()),
            },
            None => WithdrawalStatus::NotYetProvable { finalizes_at: None },
        }
    };
    Ok(WithdrawalStatusResponse {
        batch,
        index,
        status,
    })
}

#[inline(never)]
fn query_solvency(deps: Deps, env: Env) -> StdResult<SolvencyResponse> {
    let config = CONFIG.load(deps.storage)?;
    let totals = TOTALS.load(deps.storage)?;
    let deposits_outstanding = totals.outstanding;
    let mut owed: Vec<(String, Uint256)> =
        vec![(config.denom.clone(), deposits_outstanding.into())];
    let credits = CREDIT_TOTAL.may_load(deps.storage)?.unwrap_or_default();
    let bonds = totals
        .bonds
        .checked_add(totals.challenger_bonds)?
        .checked_add(credits)?;
    if config.bond_denom == config.denom {
        owed[0].1 = owed[0].1.checked_add(bonds.into())?;
    } else {
        owed.push((config.bond_denom.clone(), bonds.into()));
    }
    let mut denoms = Vec::with_capacity(owed.len());
    for (denom, owed) in owed {
        let held = deps
            .querier
            .query_balance(env.contract.address.as_str(), denom.clone())?
            .amount;
        denoms.push(DenomSolvency::new(denom, held, owed));
    }
    Ok(SolvencyResponse::new(denoms))
}
