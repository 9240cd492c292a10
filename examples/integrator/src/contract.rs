//! The payroll's entry points: each payment is one message to a settlement contract.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Binary, Coin, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Uint128,
    WasmMsg,
};

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, QueryMsg};
use crate::state::{Config, CONFIG};

/// Records the owner (the sender) and the contracts it pays through.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    let config = Config {
        owner: info.sender,
        rollup: deps.api.addr_validate(&msg.rollup)?,
        channels: deps.api.addr_validate(&msg.channels)?,
        denom: msg.denom,
    };
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_attribute("action", "instantiate"))
}

/// Hands each message to its `execute_<variant>`.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.owner {
        return Err(ContractError::Unauthorized {
            owner: config.owner.to_string(),
            sender: info.sender.to_string(),
        });
    }
    match msg {
        ExecuteMsg::PayIntoRollup { pubkey, amount } => {
            execute_pay_into_rollup(&config, pubkey, amount)
        }
        ExecuteMsg::OpenChannel {
            payee,
            pubkey_a,
            pubkey_b,
            amount,
            dispute_window,
            join_window,
        } => execute_open_channel(
            &config,
            payee,
            [pubkey_a, pubkey_b],
            amount,
            dispute_window,
            join_window,
        ),
    }
}

fn funds(config: &Config, amount: Uint128) -> Result<Vec<Coin>, ContractError> {
    if amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    Ok(vec![Coin::new(amount, config.denom.clone())])
}

fn execute_pay_into_rollup(
    config: &Config,
    pubkey: Binary,
    amount: Uint128,
) -> Result<Response, ContractError> {
    let msg = optimistic_rollup::msg::ExecuteMsg::Deposit {
        target: optimistic_rollup::msg::DepositTarget::NewAccount { pubkey },
    };
    let pay = WasmMsg::Execute {
        contract_addr: config.rollup.to_string(),
        msg: to_json_binary(&msg)?,
        funds: funds(config, amount)?,
    };
    Ok(Response::new()
        .add_message(pay)
        .add_attribute("action", "pay_into_rollup")
        .add_attribute("amount", amount))
}

fn execute_open_channel(
    config: &Config,
    payee: String,
    [pubkey_a, pubkey_b]: [Binary; 2],
    amount: Uint128,
    dispute_window: u64,
    join_window: u64,
) -> Result<Response, ContractError> {
    let msg = payment_channels::msg::ExecuteMsg::Open {
        counterparty: payee.clone(),
        pubkey_a,
        pubkey_b,
        dispute_window,
        join_window,
    };
    let open = WasmMsg::Execute {
        contract_addr: config.channels.to_string(),
        msg: to_json_binary(&msg)?,
        funds: funds(config, amount)?,
    };
    Ok(Response::new()
        .add_message(open)
        .add_attribute("action", "open_channel")
        .add_attribute("payee", payee)
        .add_attribute("amount", amount))
}

/// Answers queries.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&CONFIG.load(deps.storage)?),
    }
}
