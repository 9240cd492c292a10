#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    to_json_binary, Addr, BankMsg, Binary, Coin, Deps, DepsMut, Env, Event, HexBinary, MessageInfo,
    Order, Response, StdResult, Storage, Timestamp, Uint128, Uint256,
};
use cw2::set_contract_version;
use cw_storage_plus::Bound;
use cw_utils::{may_pay, must_pay, nonpayable, one_coin};

use settle_core::channel::{
    check_cooperative, check_distinct_keys, check_reclaim, dispute, htlc_outcome, join_deadline,
    payment_hash, payout, verify_cosigned, verify_join, ChannelDomain, ChannelState, Closing,
    Disputer, HtlcOutcome, Party as CoreParty, PenaltyRules, Revocation as CoreRevocation, BPS,
    MAX_WATCHTOWER_FEE_BPS,
};
use settle_core::crypto::valid_pubkey;
use settle_core::ledger::PubKey;
use settle_host::upgrade;
use settle_host::HostVerifier;

use crate::error::ContractError;
use crate::msg::{
    ChannelPhase, ChannelResponse, ChannelsResponse, CloseCheckResponse, CloseOutcome,
    ConfigResponse, DenomSolvency, ExecuteMsg, InstantiateMsg, MigrateMsg, Party, PreimageResponse,
    QueryMsg, Revocation, SignedState, SolvencyResponse,
};
use crate::state::{Channel, Config, Phase, CHANNELS, CONFIG, NEXT_CHANNEL, OWED, PREIMAGES};

pub const CONTRACT_NAME: &str = "crates.io:payment-channels";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Type of every event this contract emits (`wasm-channel` on chain); the `action`
/// attribute says what happened.
pub const EVENT: &str = "channel";
/// Longest dispute window a config may allow: ten years.
pub const MAX_PERIOD_SECONDS: u64 = 10 * 365 * 24 * 3600;

const DEFAULT_LIMIT: u32 = 30;
const MAX_LIMIT: u32 = 100;

fn event(action: &str, id: u64) -> Event {
    Event::new(EVENT)
        .add_attribute("action", action)
        .add_attribute("channel", id.to_string())
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let rules = PenaltyRules {
        share_bps: msg.penalty_share_bps.unwrap_or(BPS),
        watchtower_fee_bps: msg.watchtower_fee_bps,
    };
    rules.check().map_err(|e| ContractError::InvalidConfig {
        reason: e.to_string(),
    })?;
    if msg.max_dispute_window == 0 || msg.max_dispute_window > MAX_PERIOD_SECONDS {
        return Err(ContractError::InvalidConfig {
            reason: format!(
                "max_dispute_window must be in 1..={MAX_PERIOD_SECONDS}, got {}",
                msg.max_dispute_window
            ),
        });
    }
    let domain = ChannelDomain::new(&env.block.chain_id, env.contract.address.as_str());
    let config = Config {
        penalty_share_bps: rules.share_bps,
        watchtower_fee_bps: rules.watchtower_fee_bps,
        max_dispute_window: msg.max_dispute_window,
        domain: HexBinary::from(domain.0.as_slice()),
    };
    CONFIG.save(deps.storage, &config)?;
    NEXT_CHANNEL.save(deps.storage, &0)?;
    set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_event(
        Event::new(EVENT)
            .add_attribute("action", "instantiate")
            .add_attribute("penalty_share_bps", rules.share_bps.to_string())
            .add_attribute("watchtower_fee_bps", rules.watchtower_fee_bps.to_string())
            .add_attribute("max_dispute_window", msg.max_dispute_window.to_string())
            .add_attribute("domain", config.domain.to_hex()),
    ))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    msg: ExecuteMsg,
) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Open {
            counterparty,
            pubkey_a,
            pubkey_b,
            dispute_window,
            join_window,
        } => execute_open(
            deps,
            env,
            info,
            counterparty,
            [pubkey_a, pubkey_b],
            dispute_window,
            join_window,
        ),
        ExecuteMsg::Join { channel, signature } => {
            execute_join(deps, env, info, channel, signature)
        }
        ExecuteMsg::Reclaim { channel } => execute_reclaim(deps, env, info, channel),
        ExecuteMsg::Fund { channel } => execute_fund(deps, info, channel),
        ExecuteMsg::CooperativeClose { channel, signed } => {
            execute_cooperative_close(deps, info, channel, signed)
        }
        ExecuteMsg::Close { channel, signed } => execute_close_or_dispute(
            deps,
            env,
            info,
            channel,
            CloseArgs {
                signed: Some(signed),
                revocation: None,
                authorisation: None,
            },
            false,
        ),
        ExecuteMsg::Dispute {
            channel,
            signed,
            revocation,
            authorisation,
        } => execute_close_or_dispute(
            deps,
            env,
            info,
            channel,
            CloseArgs {
                signed,
                revocation,
                authorisation,
            },
            true,
        ),
        ExecuteMsg::Settle { channel } => execute_settle(deps, env, info, channel),
        ExecuteMsg::RevealPreimage { preimage } => {
            execute_reveal_preimage(deps, env, info, preimage)
        }
        ExecuteMsg::SettleHtlc { channel, htlc } => {
            execute_settle_htlc(deps, env, info, channel, htlc)
        }
    }
}

fn to_core(p: &Party) -> CoreParty {
    match p {
        Party::A => CoreParty::A,
        Party::B => CoreParty::B,
    }
}

fn from_core(p: CoreParty) -> Party {
    match p {
        CoreParty::A => Party::A,
        CoreParty::B => Party::B,
    }
}

fn amount128(amount: Uint256) -> Result<Uint128, ContractError> {
    Uint128::try_from(amount).map_err(|_| ContractError::AmountTooLarge {
        amount: amount.to_string(),
    })
}

fn pubkey(deps: Deps, party: &'static str, key: &Binary) -> Result<PubKey, ContractError> {
    let k: PubKey = key
        .as_slice()
        .try_into()
        .map_err(|_| ContractError::Length {
            what: "public key",
            expected: 33,
            got: key.len(),
        })?;
    if !valid_pubkey(&HostVerifier(deps.api), &k) {
        return Err(ContractError::InvalidPubkey { party });
    }
    Ok(k)
}

fn add_owed(storage: &mut dyn Storage, denom: &str, amount: Uint128) -> StdResult<()> {
    let owed = OWED.may_load(storage, denom)?.unwrap_or_default();
    OWED.save(storage, denom, &owed.checked_add(amount)?)
}

fn sub_owed(storage: &mut dyn Storage, denom: &str, amount: Uint128) -> StdResult<()> {
    let owed = OWED.may_load(storage, denom)?.unwrap_or_default();
    OWED.save(storage, denom, &owed.checked_sub(amount)?)
}

fn send(to: &Addr, amount: u128, denom: &str) -> Option<BankMsg> {
    (amount > 0).then(|| BankMsg::Send {
        to_address: to.to_string(),
        amount: vec![Coin::new(amount, denom)],
    })
}

fn execute_open(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    counterparty: String,
    keys: [Binary; 2],
    dispute_window: u64,
    join_window: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let coin = one_coin(&info)?;
    let amount = amount128(coin.amount)?;
    let b = deps.api.addr_validate(&counterparty)?;
    if b == info.sender {
        return Err(ContractError::InvalidChannel {
            reason: "a channel needs two different parties".into(),
        });
    }
    if dispute_window == 0 || dispute_window > config.max_dispute_window {
        return Err(ContractError::InvalidChannel {
            reason: format!(
                "dispute_window must be in 1..={}, got {dispute_window}",
                config.max_dispute_window
            ),
        });
    }
    let [pubkey_a, pubkey_b] = keys;
    let pubkey_a = pubkey(deps.as_ref(), "party a", &pubkey_a)?;
    let pubkey_b = pubkey(deps.as_ref(), "party b", &pubkey_b)?;
    check_distinct_keys([&pubkey_a, &pubkey_b])?;
    let join_deadline =
        Timestamp::from_seconds(join_deadline(env.block.time.seconds(), join_window)?);
    let id = NEXT_CHANNEL.load(deps.storage)?;
    NEXT_CHANNEL.save(deps.storage, &(id + 1))?;
    CHANNELS.save(
        deps.storage,
        id,
        &Channel {
            a: info.sender.clone(),
            b: b.clone(),
            pubkey_a: HexBinary::from(pubkey_a.as_slice()),
            pubkey_b: HexBinary::from(pubkey_b.as_slice()),
            denom: coin.denom.clone(),
            funded_a: amount,
            funded_b: Uint128::zero(),
            dispute_window,
            phase: Phase::Proposed { join_deadline },
            state: None,
        },
    )?;
    add_owed(deps.storage, &coin.denom, amount)?;
    Ok(Response::new().add_event(
        event("open", id)
            .add_attribute("a", info.sender.as_str())
            .add_attribute("b", b.as_str())
            .add_attribute("denom", coin.denom)
            .add_attribute("amount", amount.to_string())
            .add_attribute("dispute_window", dispute_window.to_string())
            .add_attribute("join_deadline", join_deadline.seconds().to_string()),
    ))
}

fn execute_join(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
    signature_hex: Binary,
) -> Result<Response, ContractError> {
    let mut ch = load(deps.storage, id)?;
    let Phase::Proposed { join_deadline } = ch.phase else {
        return Err(wrong_phase(id, &ch, "proposed"));
    };
    if info.sender != ch.b {
        return Err(ContractError::WrongParty {
            id,
            party: "b",
            action: "join",
        });
    }
    let amount = amount128(may_pay(&info, &ch.denom)?)?;
    let keys = ch.keys();
    verify_join(
        &HostVerifier(deps.api),
        &domain(deps.storage)?,
        id,
        info.sender.as_str(),
        [&keys[0], &keys[1]],
        &signature("join signature", &signature_hex)?,
        env.block.time.seconds(),
        join_deadline.seconds(),
    )?;
    ch.funded_b = ch.funded_b.checked_add(amount)?;
    ch.phase = Phase::Open;
    CHANNELS.save(deps.storage, id, &ch)?;
    add_owed(deps.storage, &ch.denom, amount)?;
    Ok(Response::new().add_event(
        event("join", id)
            .add_attribute("b", info.sender.as_str())
            .add_attribute("amount", amount.to_string()),
    ))
}

fn execute_reclaim(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut ch = load(deps.storage, id)?;
    let Phase::Proposed { join_deadline } = ch.phase else {
        return Err(wrong_phase(id, &ch, "proposed"));
    };
    if info.sender != ch.a {
        return Err(ContractError::WrongParty {
            id,
            party: "a",
            action: "reclaim",
        });
    }
    check_reclaim(env.block.time.seconds(), join_deadline.seconds())?;
    let amount = ch.funded_a.checked_add(ch.funded_b)?;
    ch.phase = Phase::Closed;
    CHANNELS.save(deps.storage, id, &ch)?;
    sub_owed(deps.storage, &ch.denom, amount)?;
    Ok(Response::new()
        .add_messages(send(&ch.a, amount.u128(), &ch.denom))
        .add_event(event("reclaim", id).add_attribute("amount", amount.to_string())))
}

fn load(storage: &dyn Storage, id: u64) -> Result<Channel, ContractError> {
    CHANNELS
        .may_load(storage, id)?
        .ok_or(ContractError::NoSuchChannel { id })
}

fn party_of(ch: &Channel, who: &Addr) -> Option<CoreParty> {
    if who == ch.a {
        Some(CoreParty::A)
    } else if who == ch.b {
        Some(CoreParty::B)
    } else {
        None
    }
}

fn must_be_party(ch: &Channel, id: u64, who: &Addr) -> Result<CoreParty, ContractError> {
    party_of(ch, who).ok_or_else(|| ContractError::NotAParty {
        id,
        sender: who.to_string(),
    })
}

fn phase_name(p: &Phase) -> &'static str {
    match p {
        Phase::Proposed { .. } => "proposed",
        Phase::Open => "open",
        Phase::Closing { .. } => "closing",
        Phase::Settled { .. } => "settled",
        Phase::Closed => "closed",
    }
}

fn wrong_phase(id: u64, ch: &Channel, needed: &'static str) -> ContractError {
    ContractError::WrongPhase {
        id,
        phase: phase_name(&ch.phase),
        needed,
    }
}

fn signature(what: &'static str, s: &Binary) -> Result<[u8; 64], ContractError> {
    s.as_slice().try_into().map_err(|_| ContractError::Length {
        what,
        expected: 64,
        got: s.len(),
    })
}

fn domain(storage: &dyn Storage) -> Result<ChannelDomain, ContractError> {
    let config = CONFIG.load(storage)?;
    Ok(ChannelDomain(
        config
            .domain
            .as_slice()
            .try_into()
            .expect("32 bytes at instantiate"),
    ))
}

/// Decodes a signed state and checks it belongs to the channel, allocates what it may,
/// and carries both parties' signatures (all the core's rules).
fn checked_state(
    deps: Deps,
    id: u64,
    ch: &Channel,
    signed: &SignedState,
) -> Result<ChannelState, ContractError> {
    let state = ChannelState::decode(signed.state.as_slice())?;
    state.check(id, ch.funding())?;
    let keys = ch.keys();
    let sigs = [
        signature("signature of party a", &signed.signature_a)?,
        signature("signature of party b", &signed.signature_b)?,
    ];
    verify_cosigned(
        &HostVerifier(deps.api),
        &domain(deps.storage)?,
        &state,
        [&keys[0], &keys[1]],
        [&sigs[0], &sigs[1]],
    )?;
    Ok(state)
}

/// The core's view of a pending close and its current state.
fn pending(ch: &Channel) -> Result<Option<(Closing, ChannelState)>, ContractError> {
    let Phase::Closing {
        ref closer,
        closed_version,
        stale,
        ref watchtower,
        ..
    } = ch.phase
    else {
        return Ok(None);
    };
    let current = ChannelState::decode(ch.state.as_ref().expect("closing").as_slice())?;
    Ok(Some((
        Closing {
            closer: to_core(closer),
            closed_version,
            stale,
            by_watchtower: watchtower.is_some(),
        },
        current,
    )))
}

fn rules(config: &Config) -> PenaltyRules {
    PenaltyRules {
        share_bps: config.penalty_share_bps,
        watchtower_fee_bps: config.watchtower_fee_bps,
    }
}

fn execute_fund(deps: DepsMut, info: MessageInfo, id: u64) -> Result<Response, ContractError> {
    let mut ch = load(deps.storage, id)?;
    let p = must_be_party(&ch, id, &info.sender)?;
    if ch.phase != Phase::Open {
        return Err(wrong_phase(id, &ch, "open"));
    }
    let amount = amount128(must_pay(&info, &ch.denom)?)?;
    let funded = ch.funded_mut(p).checked_add(amount)?;
    *ch.funded_mut(p) = funded;
    CHANNELS.save(deps.storage, id, &ch)?;
    add_owed(deps.storage, &ch.denom, amount)?;
    Ok(Response::new().add_event(
        event("fund", id)
            .add_attribute("party", p.name())
            .add_attribute("amount", amount.to_string())
            .add_attribute("funded", funded.to_string()),
    ))
}

fn execute_cooperative_close(
    deps: DepsMut,
    info: MessageInfo,
    id: u64,
    signed: SignedState,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut ch = load(deps.storage, id)?;
    if !matches!(ch.phase, Phase::Open | Phase::Closing { .. }) {
        return Err(wrong_phase(id, &ch, "open or closing"));
    }
    let state = checked_state(deps.as_ref(), id, &ch, &signed)?;
    let pending = pending(&ch)?;
    check_cooperative(&state, pending.as_ref().map(|(c, s)| (c, s)))?;
    let config = CONFIG.load(deps.storage)?;
    let out = payout(&state, ch.funding(), None, rules(&config))?;
    ch.phase = Phase::Closed;
    ch.state = Some(signed.state);
    CHANNELS.save(deps.storage, id, &ch)?;
    let total = Uint128::new(out.parties[0]).checked_add(Uint128::new(out.parties[1]))?;
    sub_owed(deps.storage, &ch.denom, total)?;
    Ok(Response::new()
        .add_messages(send(&ch.a, out.parties[0], &ch.denom))
        .add_messages(send(&ch.b, out.parties[1], &ch.denom))
        .add_event(
            event("cooperative_close", id)
                .add_attribute("version", state.version.to_string())
                .add_attribute("paid_a", out.parties[0].to_string())
                .add_attribute("paid_b", out.parties[1].to_string()),
        ))
}

/// What a close or dispute carries.
struct CloseArgs {
    signed: Option<SignedState>,
    revocation: Option<Revocation>,
    authorisation: Option<Binary>,
}

/// What a close or dispute by `sender` does, without storing it: the channel after it,
/// the state it posted (if any) and what happened, in words.
fn run_close(
    deps: Deps,
    env: &Env,
    id: u64,
    sender: &Addr,
    args: &CloseArgs,
) -> Result<(Channel, Option<ChannelState>, CloseOutcome), ContractError> {
    let mut ch = load(deps.storage, id)?;
    let now = env.block.time;
    let newer = args
        .signed
        .as_ref()
        .map(|s| checked_state(deps, id, &ch, s))
        .transpose()?;
    match ch.phase.clone() {
        Phase::Open => {
            let closer = must_be_party(&ch, id, sender)?;
            let state = newer.ok_or(ContractError::NoState)?;
            let deadline = now.plus_seconds(ch.dispute_window);
            ch.phase = Phase::Closing {
                closer: from_core(closer),
                closed_version: state.version,
                deadline,
                stale: false,
                watchtower: None,
            };
            ch.state = args.signed.as_ref().map(|s| s.state.clone());
            let what = CloseOutcome::Closes {
                closer: from_core(closer),
                version: state.version,
                dispute_ends_at: deadline.seconds(),
            };
            Ok((ch, Some(state), what))
        }
        Phase::Closing {
            closer,
            closed_version,
            deadline,
            watchtower,
            ..
        } => {
            if now.seconds() >= deadline.seconds() {
                return Err(ContractError::WindowClosed {
                    id,
                    deadline: deadline.seconds(),
                });
            }
            let (closing, current) = pending(&ch)?.expect("closing");
            let revocation = args
                .revocation
                .as_ref()
                .map(|r| {
                    Ok::<_, ContractError>(CoreRevocation {
                        version: r.version,
                        signature: signature("revocation signature", &r.signature)?,
                    })
                })
                .transpose()?;
            let authorisation = args
                .authorisation
                .as_ref()
                .map(|a| signature("watchtower authorisation", a))
                .transpose()?;
            let by = match party_of(&ch, sender) {
                Some(p) => Disputer::Party(p),
                None => Disputer::Other(sender.as_str()),
            };
            let keys = ch.keys();
            let out = dispute(
                &HostVerifier(deps.api),
                &domain(deps.storage)?,
                id,
                [&keys[0], &keys[1]],
                &closing,
                &current,
                newer.as_ref(),
                revocation.as_ref(),
                by,
                authorisation.as_ref(),
            )?;
            let what = CloseOutcome::Disputes {
                replaced_by: newer.as_ref().map(|n| n.version),
                replaced: newer.as_ref().map(|_| current.version),
                proves_stale: out.proves_stale,
                by_watchtower: out.proves_stale && out.closing.by_watchtower,
            };
            let watchtower = if out.proves_stale {
                out.closing.by_watchtower.then(|| sender.clone())
            } else {
                watchtower
            };
            ch.phase = Phase::Closing {
                closer,
                closed_version,
                deadline,
                stale: out.closing.stale,
                watchtower,
            };
            if let Some(s) = &args.signed {
                ch.state = Some(s.state.clone());
            }
            Ok((ch, newer, what))
        }
        _ => Err(wrong_phase(id, &ch, "open or closing")),
    }
}

/// A close's or dispute's outcome in words, for its event.
fn describe(what: &CloseOutcome, ch: &Channel) -> String {
    match what {
        CloseOutcome::Closes {
            closer,
            version,
            dispute_ends_at,
        } => format!(
            "{} closes with version {version}; disputes until {dispute_ends_at}",
            to_core(closer)
        ),
        CloseOutcome::Disputes {
            replaced_by,
            replaced,
            proves_stale,
            by_watchtower,
        } => {
            let mut words = Vec::new();
            if let (Some(new), Some(old)) = (replaced_by, replaced) {
                words.push(format!("version {new} replaces version {old}"));
            }
            if *proves_stale {
                let (closer, closed_version) = match &ch.phase {
                    Phase::Closing {
                        closer,
                        closed_version,
                        ..
                    } => (to_core(closer).to_string(), *closed_version),
                    _ => (String::from("the closer"), 0),
                };
                words.push(format!(
                    "{closer} revoked version {closed_version}: it closed with a stale state{}",
                    if *by_watchtower {
                        ", proven by an authorised watchtower"
                    } else {
                        ""
                    }
                ));
            }
            words.join("; ")
        }
    }
}

/// `close` (on an open channel, by a party) or `dispute` (on a closing one, by anyone):
/// one rule in [`run_close`], two messages so that each says what its sender means.
fn execute_close_or_dispute(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
    args: CloseArgs,
    dispute: bool,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let ch = load(deps.storage, id)?;
    let (fits, needed) = if dispute {
        (matches!(ch.phase, Phase::Closing { .. }), "closing")
    } else {
        (ch.phase == Phase::Open, "open")
    };
    if !fits {
        return Err(wrong_phase(id, &ch, needed));
    }
    let (ch, state, what) = run_close(deps.as_ref(), &env, id, &info.sender, &args)?;
    CHANNELS.save(deps.storage, id, &ch)?;
    let mut ev = event(if dispute { "dispute" } else { "close" }, id)
        .add_attribute("sender", info.sender.as_str());
    if let Some(state) = state {
        ev = ev.add_attribute("version", state.version.to_string());
    }
    Ok(Response::new().add_event(ev.add_attribute("outcome", describe(&what, &ch))))
}

fn execute_settle(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut ch = load(deps.storage, id)?;
    let Phase::Closing {
        deadline,
        watchtower,
        ..
    } = ch.phase.clone()
    else {
        return Err(wrong_phase(id, &ch, "closing"));
    };
    if env.block.time.seconds() < deadline.seconds() {
        return Err(ContractError::WindowOpen {
            id,
            deadline: deadline.seconds(),
        });
    }
    let config = CONFIG.load(deps.storage)?;
    let (closing, state) = pending(&ch)?.expect("closing");
    let out = payout(&state, ch.funding(), closing.stale_close(), rules(&config))?;
    ch.phase = if state.htlcs.is_empty() {
        Phase::Closed
    } else {
        Phase::Settled {
            htlcs_paid: vec![false; state.htlcs.len()],
        }
    };
    CHANNELS.save(deps.storage, id, &ch)?;
    let paid = Uint128::new(out.parties[0])
        .checked_add(Uint128::new(out.parties[1]))?
        .checked_add(Uint128::new(out.watchtower))?;
    sub_owed(deps.storage, &ch.denom, paid)?;
    let mut ev = event("settle", id)
        .add_attribute("version", state.version.to_string())
        .add_attribute("paid_a", out.parties[0].to_string())
        .add_attribute("paid_b", out.parties[1].to_string())
        .add_attribute("htlcs_held", out.htlcs.to_string());
    let mut res = Response::new()
        .add_messages(send(&ch.a, out.parties[0], &ch.denom))
        .add_messages(send(&ch.b, out.parties[1], &ch.denom));
    if let Some(w) = watchtower {
        ev = ev
            .add_attribute("watchtower", w.as_str())
            .add_attribute("watchtower_fee", out.watchtower.to_string());
        res = res.add_messages(send(&w, out.watchtower, &ch.denom));
    }
    Ok(res.add_event(ev))
}

fn execute_reveal_preimage(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    preimage: Binary,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let hash = payment_hash(preimage.as_slice())?;
    let revealed_at = match PREIMAGES.may_load(deps.storage, &hash)? {
        Some(t) => t,
        None => {
            let now = env.block.time.seconds();
            PREIMAGES.save(deps.storage, &hash, &now)?;
            now
        }
    };
    Ok(Response::new().add_event(
        Event::new(EVENT)
            .add_attribute("action", "reveal_preimage")
            .add_attribute("payment_hash", HexBinary::from(hash.as_slice()).to_hex())
            .add_attribute("revealed_at", revealed_at.to_string()),
    ))
}

fn execute_settle_htlc(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
    index: u32,
) -> Result<Response, ContractError> {
    nonpayable(&info)?;
    let mut ch = load(deps.storage, id)?;
    let Phase::Settled { mut htlcs_paid } = ch.phase.clone() else {
        return Err(wrong_phase(id, &ch, "settled"));
    };
    let state = ChannelState::decode(ch.state.as_ref().expect("settled").as_slice())?;
    let htlc = *state
        .htlcs
        .get(index as usize)
        .ok_or(ContractError::NoSuchHtlc { id, index })?;
    if htlcs_paid[index as usize] {
        return Err(ContractError::HtlcPaid { id, index });
    }
    let revealed = PREIMAGES.may_load(deps.storage, &htlc.payment_hash)?;
    let to = match htlc_outcome(&htlc, revealed, env.block.time.seconds()) {
        HtlcOutcome::Pending => {
            return Err(ContractError::HtlcPending {
                id,
                index,
                timeout: htlc.timeout,
            })
        }
        HtlcOutcome::ToPayee => htlc.payee(),
        HtlcOutcome::ToPayer => htlc.payer,
    };
    htlcs_paid[index as usize] = true;
    ch.phase = if htlcs_paid.iter().all(|p| *p) {
        Phase::Closed
    } else {
        Phase::Settled { htlcs_paid }
    };
    CHANNELS.save(deps.storage, id, &ch)?;
    sub_owed(deps.storage, &ch.denom, Uint128::new(htlc.amount))?;
    let recipient = match to {
        CoreParty::A => ch.a.clone(),
        CoreParty::B => ch.b.clone(),
    };
    Ok(Response::new()
        .add_messages(send(&recipient, htlc.amount, &ch.denom))
        .add_event(
            event("settle_htlc", id)
                .add_attribute("index", index.to_string())
                .add_attribute("to", to.name())
                .add_attribute("amount", htlc.amount.to_string()),
        ))
}

/// A chain admin pointing the contract at new code (`wasmd tx wasm migrate`). The cw2
/// rules are settle-host's `upgrade` (another contract's state, a downgrade or a malformed
/// version is refused; the same version again is a no-op). Open, closing and settled
/// channels keep their records: their funding, dispute windows, deadlines and states
/// are never touched.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let migration = upgrade::check(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // This code must read what it takes over (closing records from before
    // `closed_version` decode with 0).
    let mut config = upgrade::readable("config", CONFIG.load(deps.storage))?;
    upgrade::readable("next_channel", NEXT_CHANNEL.load(deps.storage))?;
    let mut migrated = Event::new(EVENT)
        .add_attribute("action", "migrate")
        .add_attributes(migration.attributes());
    // A deployment instantiated before the watchtower fee had its cap keeps working: its
    // fee is lowered to the cap (only the wronged parties gain), so every payout the core
    // computes stays within the rules.
    if config.watchtower_fee_bps > MAX_WATCHTOWER_FEE_BPS {
        migrated = migrated
            .add_attribute(
                "watchtower_fee_bps_was",
                config.watchtower_fee_bps.to_string(),
            )
            .add_attribute("watchtower_fee_bps", MAX_WATCHTOWER_FEE_BPS.to_string());
        config.watchtower_fee_bps = MAX_WATCHTOWER_FEE_BPS;
        CONFIG.save(deps.storage, &config)?;
    }
    migration.record(deps.storage)?;
    Ok(Response::new().add_event(migrated))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => {
            let c = CONFIG.load(deps.storage)?;
            to_json_binary(&ConfigResponse {
                penalty_share_bps: c.penalty_share_bps,
                watchtower_fee_bps: c.watchtower_fee_bps,
                max_dispute_window: c.max_dispute_window,
                domain: Binary::from(c.domain.as_slice()),
            })
        }
        QueryMsg::Channel { channel } => {
            let ch = CHANNELS.load(deps.storage, channel)?;
            to_json_binary(&channel_response(channel, ch))
        }
        QueryMsg::Channels { start_after, limit } => {
            let limit = limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize;
            let channels = CHANNELS
                .range(
                    deps.storage,
                    start_after.map(Bound::exclusive),
                    None,
                    Order::Ascending,
                )
                .take(limit)
                .map(|r| r.map(|(id, ch)| channel_response(id, ch)))
                .collect::<StdResult<_>>()?;
            to_json_binary(&ChannelsResponse { channels })
        }
        QueryMsg::Preimage { payment_hash } => to_json_binary(&PreimageResponse {
            revealed_at: PREIMAGES.may_load(deps.storage, payment_hash.as_slice())?,
        }),
        QueryMsg::CheckClose {
            channel,
            sender,
            signed,
            revocation,
            authorisation,
        } => {
            let sender = deps.api.addr_validate(&sender)?;
            let args = CloseArgs {
                signed,
                revocation,
                authorisation,
            };
            to_json_binary(&match run_close(deps, &env, channel, &sender, &args) {
                Ok((_, _, what)) => CloseCheckResponse {
                    valid: true,
                    reason: None,
                    outcome: Some(what),
                },
                Err(e) => CloseCheckResponse {
                    valid: false,
                    reason: Some(e.to_string()),
                    outcome: None,
                },
            })
        }
        QueryMsg::Solvency {} => {
            // Bounded: one query never walks more than a page of denoms.
            let owed = owed_page(deps, None, MAX_LIMIT as usize + 1)?;
            if owed.len() > MAX_LIMIT as usize {
                return Err(cosmwasm_std::StdError::msg(format!(
                    "channels are funded in more than {MAX_LIMIT} denoms: page through them with solvency_page"
                )));
            }
            to_json_binary(&solvency(deps, &env, owed)?)
        }
        QueryMsg::SolvencyPage { start_after, limit } => {
            let limit = limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize;
            let owed = owed_page(deps, start_after.as_deref(), limit)?;
            to_json_binary(&solvency(deps, &env, owed)?)
        }
    }
}

/// At most `limit` owed denoms after `start_after`, in order.
fn owed_page(
    deps: Deps,
    start_after: Option<&str>,
    limit: usize,
) -> StdResult<Vec<(String, Uint128)>> {
    OWED.range(
        deps.storage,
        start_after.map(Bound::exclusive),
        None,
        Order::Ascending,
    )
    .take(limit)
    .collect()
}

/// What the contract holds against what it owes, for these denoms.
fn solvency(deps: Deps, env: &Env, owed: Vec<(String, Uint128)>) -> StdResult<SolvencyResponse> {
    let mut denoms = Vec::with_capacity(owed.len());
    for (denom, owed) in owed {
        let held = deps
            .querier
            .query_balance(env.contract.address.as_str(), denom.clone())?
            .amount;
        denoms.push(DenomSolvency::new(denom, held, Uint256::from(owed)));
    }
    Ok(SolvencyResponse::new(denoms))
}

fn channel_response(id: u64, ch: Channel) -> ChannelResponse {
    let version = ch
        .state
        .as_ref()
        .and_then(|s| ChannelState::decode(s.as_slice()).ok())
        .map(|s| s.version)
        .unwrap_or_default();
    ChannelResponse {
        channel: id,
        a: ch.a,
        b: ch.b,
        pubkey_a: Binary::from(ch.pubkey_a.as_slice()),
        pubkey_b: Binary::from(ch.pubkey_b.as_slice()),
        denom: ch.denom,
        funded_a: ch.funded_a,
        funded_b: ch.funded_b,
        dispute_window: ch.dispute_window,
        phase: match ch.phase {
            Phase::Proposed { join_deadline } => ChannelPhase::Proposed {
                join_by: join_deadline.seconds(),
            },
            Phase::Open => ChannelPhase::Open {},
            Phase::Closing {
                closer,
                closed_version,
                deadline,
                stale,
                watchtower,
            } => ChannelPhase::Closing {
                closer,
                version,
                closed_version,
                dispute_ends_at: deadline.seconds(),
                stale,
                watchtower,
            },
            Phase::Settled { htlcs_paid } => ChannelPhase::Settled {
                version,
                htlcs_paid,
            },
            Phase::Closed => ChannelPhase::Closed {},
        },
        state: ch.state,
    }
}
