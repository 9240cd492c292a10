//! Fraud-proof games: the adapter between the chain and settle-core's `dispute` rules.
//! Loads a game, runs the core move, stores it, and settles the stakes when it ends.
//!
//! A game refers to its batch by index and by proposal number (`uid`): when another game
//! removes the batch, the index may be reused, and the game becomes void (its bond is
//! released by `resolve_game`). Removal is O(1): the batch chain is cut at the removed
//! index and later records are dead until overwritten.

use cosmwasm_std::{
    Addr, Api, BankMsg, Binary, Coin, Deps, DepsMut, Env, HexBinary, MessageInfo, Order,
    OverflowError, Response, StdResult, Storage, Uint128,
};
use cw_storage_plus::Bound;

use settle_core::dispute::{
    one_step, reward_split, BatchContext, ClockRules, Game, OneStepProof, Parent, Phase,
    Side as CoreSide, StepKind,
};
use settle_core::ledger::Deposit;
use settle_core::tx::Domain;

use crate::contract::{core_deposit, credit, event, hash32, paid};
use crate::error::ContractError;
use crate::msg::{
    BatchStatus, DisputeContextResponse, GameMove, GamePhase, GameResponse, GameTerms,
    GamesResponse, MoveCheckResponse, MoveOutcome, OneStepCheck, ParentOutput, Resolution, Side,
};
use crate::state::{
    BatchRecord, Config, GameInfo, Status, BATCHES, BATCH_GAMES, CONFIG, DEPOSITS, GAMES,
    GAME_STATES, PROPOSERS, REMOVALS, STATUS, TOTALS,
};
use settle_host::HostVerifier;

fn from_core(side: CoreSide) -> Side {
    match side {
        CoreSide::Defender => Side::Defender,
        CoreSide::Challenger => Side::Challenger,
    }
}

impl GameInfo {
    fn player(&self, side: CoreSide) -> &Addr {
        match side {
            CoreSide::Defender => &self.defender,
            CoreSide::Challenger => &self.challenger,
        }
    }
}

fn load_game(storage: &dyn Storage, id: u64) -> Result<(GameInfo, Game), ContractError> {
    let info = GAMES
        .may_load(storage, id)?
        .ok_or(ContractError::NoSuchGame { id })?;
    let game = Game::decode(GAME_STATES.load(storage, id)?.as_slice())?;
    Ok((info, game))
}

fn save_state(storage: &mut dyn Storage, id: u64, game: &Game) -> StdResult<()> {
    GAME_STATES.save(storage, id, &Binary::new(game.encode()))
}

/// The batch at `index` if it is part of the current chain.
pub fn live_batch(
    storage: &dyn Storage,
    status: &Status,
    index: u64,
) -> Result<BatchRecord, ContractError> {
    if index >= status.next_batch {
        return Err(ContractError::NoSuchBatch { index });
    }
    BATCHES
        .may_load(storage, index)?
        .ok_or(ContractError::NoSuchBatch { index })
}

/// The game's batch, or `None` if another game removed it.
fn game_batch(
    storage: &dyn Storage,
    status: &Status,
    g: &GameInfo,
) -> Result<Option<BatchRecord>, ContractError> {
    Ok(match live_batch(storage, status, g.batch) {
        Ok(b) if b.uid == g.batch_uid => Some(b),
        Ok(_) | Err(ContractError::NoSuchBatch { .. }) => None,
        Err(e) => return Err(e),
    })
}

/// What the chain knows about batch `index` for the one-step proof.
fn batch_context(
    storage: &dyn Storage,
    index: u64,
    batch: &BatchRecord,
) -> Result<BatchContext, ContractError> {
    let parent = match index.checked_sub(1) {
        None => Parent::Genesis,
        Some(p) => {
            let pb = BATCHES
                .may_load(storage, p)?
                .ok_or(ContractError::NoSuchBatch { index: p })?;
            Parent::Output {
                output_root: hash32("output root", &pb.output_root)?,
                deposit_cursor: pb.deposits_to,
                data_root: hash32("data root", &pb.data_root)?,
            }
        }
    };
    Ok(BatchContext {
        batch_index: index,
        parent,
        deposits_from: batch.deposits_from,
        deposits: batch.deposits_to - batch.deposits_from,
        tx_steps: batch.tx_steps as u64,
        data_root: hash32("data root", &batch.data_root)?,
    })
}

pub fn execute_challenge(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    index: u64,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    let bond = paid(&info, &config.bond_denom)?;
    if bond != config.dispute.challenger_bond {
        return Err(ContractError::WrongChallengerBond {
            sent: bond,
            required: config.dispute.challenger_bond,
        });
    }
    let mut status = STATUS.load(deps.storage)?;
    let mut batch = live_batch(deps.storage, &status, index)?;
    if batch.status == BatchStatus::Finalized {
        return Err(ContractError::AlreadyFinal { index });
    }
    if env.block.time.seconds() >= batch.finalizes_at.seconds() {
        return Err(ContractError::WindowClosed {
            index,
            finalizes_at: batch.finalizes_at.seconds(),
        });
    }
    let ctx = batch_context(deps.storage, index, &batch)?;
    let claimed = hash32("output root", &batch.output_root)?;
    let rules = ClockRules {
        budget: config.dispute.clock_seconds,
        min_answer: config.dispute.min_answer_seconds,
    };
    let game = Game::new(
        ctx.steps(),
        ctx.parent.root(),
        claimed,
        env.block.time.seconds(),
        rules,
    )?;
    let id = status.next_game;
    let mut defender = PROPOSERS
        .may_load(deps.storage, &batch.proposer)?
        .unwrap_or_default();
    // the terms of this game, whatever the config says later
    let terms = GameTerms {
        challenger_bond: bond,
        proposer_stake: defender.bond,
        reward_bps: config.dispute.reward_bps,
        treasury: config.dispute.treasury.clone(),
        clock_seconds: config.dispute.clock_seconds,
        min_answer_seconds: config.dispute.min_answer_seconds,
    };
    defender.defending = defender
        .defending
        .checked_add(1)
        .ok_or(OverflowError::new(cosmwasm_std::OverflowOperation::Add))?;
    PROPOSERS.save(deps.storage, &batch.proposer, &defender)?;
    GAMES.save(
        deps.storage,
        id,
        &GameInfo {
            batch: index,
            batch_uid: batch.uid,
            defender: batch.proposer.clone(),
            challenger: info.sender.clone(),
            bond,
            steps: ctx.steps(),
            opened_at: env.block.time,
            terms,
            ended_by: None,
        },
    )?;
    save_state(deps.storage, id, &game)?;
    BATCH_GAMES.save(deps.storage, (index, id), &())?;
    batch.open_games = batch
        .open_games
        .checked_add(1)
        .ok_or(OverflowError::new(cosmwasm_std::OverflowOperation::Add))?;
    BATCHES.save(deps.storage, index, &batch)?;
    status.next_game += 1;
    STATUS.save(deps.storage, &status)?;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.challenger_bonds = totals.challenger_bonds.checked_add(bond)?;
    TOTALS.save(deps.storage, &totals)?;
    Ok(Response::new().add_event(
        event("challenge")
            .add_attribute("game", id.to_string())
            .add_attribute("batch", index.to_string())
            .add_attribute("challenger", info.sender.as_str())
            .add_attribute("defender", batch.proposer.as_str())
            .add_attribute("bond", bond.to_string())
            .add_attribute("steps", ctx.steps().to_string())
            .add_attribute("deadline", game.deadline().unwrap_or(0).to_string()),
    ))
}

/// How a move turned out.
enum Outcome {
    /// The game goes on; what comes next.
    Moved(MoveOutcome),
    /// The game is over. Carries what the move already loaded, for settling the stakes
    /// without reading it again. `batch` is `None` for a game its clock had decided
    /// before another game removed its batch.
    Won {
        winner: CoreSide,
        by: &'static str,
        status: Status,
        batch: Option<Box<BatchRecord>>,
        config: Option<Box<Config>>,
    },
    /// The batch is gone: the bond goes back to the challenger.
    Void,
}

/// Runs `mv` by `sender` on a copy of game `id` at the current block, without storing.
/// Shared by the execute messages and the `check_move` dry run.
fn run_move(
    deps: Deps,
    env: &Env,
    id: u64,
    sender: &Addr,
    mv: &GameMove,
) -> Result<(GameInfo, Game, Outcome), ContractError> {
    let (record, mut game) = load_game(deps.storage, id)?;
    let status = STATUS.load(deps.storage)?;
    let batch = game_batch(deps.storage, &status, &record)?;
    let now = env.block.time.seconds();
    let Some(batch) = batch else {
        if record.ended_by.is_some() {
            return Err(ContractError::GameEnded {
                id,
                ended_by: record.ended_by.clone().unwrap_or_default(),
            });
        }
        // A game its clock decided before the removal is settled as decided.
        if let Some(winner) = decided_before_removal(deps.storage, &record, &game)? {
            return match mv {
                GameMove::ResolveGame {} => {
                    game.winner = Some(winner);
                    Ok((
                        record,
                        game,
                        Outcome::Won {
                            winner,
                            by: "timeout",
                            status,
                            batch: None,
                            config: None,
                        },
                    ))
                }
                _ => Err(settle_core::Error::ClockExpired {
                    side: winner.other(),
                }
                .into()),
            };
        }
        return match mv {
            GameMove::ResolveGame {} => Ok((record, game, Outcome::Void)),
            _ => Err(ContractError::GameVoid {
                id,
                batch: record.batch,
            }),
        };
    };
    let check_player = |side: CoreSide| {
        if record.player(side) != sender {
            Err(ContractError::NotPlayer {
                id,
                side: side.name(),
                sender: sender.to_string(),
            })
        } else {
            Ok(())
        }
    };
    let outcome = match mv {
        GameMove::Bisect { position, root } => {
            check_player(CoreSide::Defender)?;
            game.bisect(now, *position, hash32("root", root)?)?;
            Outcome::Moved(MoveOutcome::ChallengerToAnswer {
                position: *position,
            })
        }
        GameMove::Choose { position, agree } => {
            check_player(CoreSide::Challenger)?;
            game.choose(now, *position, *agree)?;
            Outcome::Moved(match game.phase() {
                Phase::OneStep { step } => MoveOutcome::NarrowedToStep { step },
                _ => MoveOutcome::Narrowed {
                    lo: game.lo,
                    hi: game.hi,
                },
            })
        }
        GameMove::ProveStep { step, proof } => {
            let config = CONFIG.load(deps.storage)?;
            let domain = Domain(hash32("domain", &config.domain)?);
            let ctx = batch_context(deps.storage, record.batch, &batch)?;
            let proof = OneStepProof::decode(proof.as_slice())?;
            let deposit = step_deposit(deps.storage, deps.api, &ctx, *step)?;
            // the phase and clock are checked before the (costlier) re-execution
            game.check_one_step(now, *step)?;
            let post = one_step(
                &ctx,
                &domain,
                &HostVerifier(deps.api),
                *step,
                &game.lo_root,
                deposit.as_ref(),
                &proof,
            )?;
            let winner = game.conclude(now, *step, &post)?;
            Outcome::Won {
                winner,
                by: "proof",
                status,
                batch: Some(Box::new(batch)),
                config: Some(Box::new(config)),
            }
        }
        GameMove::ResolveGame {} => {
            let winner = game.resolve_timeout(now)?;
            Outcome::Won {
                winner,
                by: "timeout",
                status,
                batch: Some(Box::new(batch)),
                config: None,
            }
        }
    };
    Ok((record, game, outcome))
}

/// Most removals `removed_at` reads past before it gives up: each one is a slashed
/// proposer bond, taken while the game's batch was live.
const MAX_REMOVAL_SCAN: usize = 100;

/// When the game's batch was removed, if it was (see [`REMOVALS`]): the first removal
/// after the batch was proposed (`until_uid > uid`) that cut at or below it
/// (`from_uid <= uid`). The removals skipped took only batches above it while it was
/// live; past [`MAX_REMOVAL_SCAN`] of them the game counts as void (its bond goes back).
fn removed_at(storage: &dyn Storage, record: &GameInfo) -> StdResult<Option<u64>> {
    let uid = record.batch_uid;
    for entry in REMOVALS
        .range(
            storage,
            Some(Bound::exclusive((uid, u64::MAX))),
            None,
            Order::Ascending,
        )
        .take(MAX_REMOVAL_SCAN)
    {
        let ((_, not_from), at) = entry?;
        if !not_from <= uid {
            return Ok(Some(at));
        }
    }
    Ok(None)
}

/// The winner of a game on a removed batch whose running clock had run out when the
/// batch was removed (the core's `winner_at` at the removal time); `None` = void.
fn decided_before_removal(
    storage: &dyn Storage,
    record: &GameInfo,
    game: &Game,
) -> StdResult<Option<CoreSide>> {
    Ok(removed_at(storage, record)?.and_then(|at| game.winner_at(at)))
}

/// The queue entry a deposit step applies.
fn step_deposit(
    storage: &dyn Storage,
    api: &dyn Api,
    ctx: &BatchContext,
    step: u64,
) -> Result<Option<Deposit>, ContractError> {
    match ctx.step_kind(step)? {
        StepKind::Deposit { queue_index } => {
            let d = DEPOSITS
                .may_load(storage, queue_index)?
                .ok_or(ContractError::NoSuchDeposit { index: queue_index })?;
            Ok(Some(core_deposit(api, queue_index, &d)?))
        }
        _ => Ok(None),
    }
}

pub fn execute_move(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
    mv: GameMove,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    let (mut record, game, outcome) = run_move(deps.as_ref(), &env, id, &info.sender, &mv)?;
    let action = match &mv {
        GameMove::Bisect { .. } => "bisect",
        GameMove::Choose { .. } => "choose",
        GameMove::ProveStep { .. } => "prove_step",
        GameMove::ResolveGame {} => "resolve_game",
    };
    let ev = event(action)
        .add_attribute("game", id.to_string())
        .add_attribute("batch", record.batch.to_string())
        .add_attribute("sender", info.sender.as_str());
    match outcome {
        Outcome::Moved(what) => {
            save_state(deps.storage, id, &game)?;
            let ev = ev
                .add_attribute("lo", game.lo.to_string())
                .add_attribute("hi", game.hi.to_string())
                .add_attribute("next", describe(&what))
                .add_attribute("deadline", game.deadline().unwrap_or(0).to_string());
            Ok(Response::new().add_event(ev))
        }
        Outcome::Void => {
            record.ended_by = Some("void".into());
            GAMES.save(deps.storage, id, &record)?;
            release_defender(deps.storage, &record.defender)?;
            let config = CONFIG.load(deps.storage)?;
            let mut totals = TOTALS.load(deps.storage)?;
            totals.challenger_bonds = totals.challenger_bonds.checked_sub(record.bond)?;
            TOTALS.save(deps.storage, &totals)?;
            Ok(Response::new()
                .add_messages(send(&record.challenger, record.bond, &config.bond_denom))
                .add_event(
                    ev.add_attribute("outcome", "void")
                        .add_attribute("refunded", record.bond.to_string()),
                ))
        }
        Outcome::Won {
            winner,
            by,
            status,
            batch,
            config,
        } => {
            record.ended_by = Some(by.into());
            GAMES.save(deps.storage, id, &record)?;
            save_state(deps.storage, id, &game)?;
            let config = match config {
                Some(c) => *c,
                None => CONFIG.load(deps.storage)?,
            };
            settle(
                deps,
                &env,
                &record,
                winner,
                Loaded {
                    config,
                    status,
                    batch: batch.map(|b| *b),
                },
                ev.add_attribute("ended_by", by),
            )
        }
    }
}

fn send(to: &Addr, amount: Uint128, denom: &str) -> Option<BankMsg> {
    (!amount.is_zero()).then(|| BankMsg::Send {
        to_address: to.to_string(),
        amount: vec![Coin::new(amount, denom)],
    })
}

/// What the move that decided a game already read: the config, the chain status and the
/// game's batch (`None` if another game removed it after this one was decided).
struct Loaded {
    config: Config,
    status: Status,
    batch: Option<BatchRecord>,
}

/// One game fewer that the defender's bond waits for.
fn release_defender(storage: &mut dyn Storage, defender: &Addr) -> StdResult<()> {
    if let Some(mut p) = PROPOSERS.may_load(storage, defender)? {
        p.defending = p.defending.saturating_sub(1);
        PROPOSERS.save(storage, defender, &p)?;
    }
    Ok(())
}

/// Pays the stakes of a decided game by the terms it opened with and, if the proposer lost
/// on a batch still in the chain, removes that batch and every later one. The treasury's
/// share is credited (withdrawn by `claim`), never sent here, so a treasury that cannot
/// receive does not block settlement.
fn settle(
    deps: DepsMut,
    env: &Env,
    record: &GameInfo,
    winner: CoreSide,
    loaded: Loaded,
    ev: cosmwasm_std::Event,
) -> Result<Response, ContractError> {
    let Loaded {
        config,
        mut status,
        batch,
    } = loaded;
    let terms = &record.terms;
    let mut totals = TOTALS.load(deps.storage)?;
    totals.challenger_bonds = totals.challenger_bonds.checked_sub(record.bond)?;
    let ev = ev.add_attribute("winner", winner.name());
    let response = match winner {
        CoreSide::Defender => {
            release_defender(deps.storage, &record.defender)?;
            if let Some(mut batch) = batch {
                batch.open_games = batch.open_games.saturating_sub(1);
                BATCHES.save(deps.storage, record.batch, &batch)?;
            }
            Response::new()
                .add_messages(send(&record.defender, record.bond, &config.bond_denom))
                .add_event(ev.add_attribute("paid_to_defender", record.bond.to_string()))
        }
        CoreSide::Challenger => {
            // The whole bond goes; the record (and its lock on later bonds until its last
            // batch is final) stays.
            let mut slashed = Uint128::zero();
            if let Some(mut p) = PROPOSERS.may_load(deps.storage, &record.defender)? {
                slashed = p.bond;
                p.bond = Uint128::zero();
                p.defending = p.defending.saturating_sub(1);
                PROPOSERS.save(deps.storage, &record.defender, &p)?;
            }
            totals.bonds = totals.bonds.checked_sub(slashed)?;
            let (reward, rest) = reward_split(slashed.u128(), terms.reward_bps)?;
            let to_challenger = record.bond.checked_add(Uint128::new(reward))?;
            credit(deps.storage, &terms.treasury, Uint128::new(rest))?;
            let mut ev = ev
                .add_attribute("slashed", slashed.to_string())
                .add_attribute("reward", reward.to_string())
                .add_attribute("treasury", terms.treasury.as_str())
                .add_attribute("treasury_credit", rest.to_string());
            if let Some(batch) = batch {
                let removed = status.next_batch - record.batch;
                REMOVALS.save(
                    deps.storage,
                    (status.proposals, !batch.uid),
                    &env.block.time.seconds(),
                )?;
                status.next_batch = record.batch;
                if batch.deposits_from < status.deposit_cursor {
                    // the removal puts deposits back: none is overdue before a whole
                    // force-inclusion delay from now (settle_core::inclusion)
                    status.deposits_rewound_at = Some(env.block.time);
                }
                status.deposit_cursor = batch.deposits_from;
                STATUS.save(deps.storage, &status)?;
                ev = ev
                    .add_attribute("removed_from", record.batch.to_string())
                    .add_attribute("removed", removed.to_string())
                    .add_attribute("deposit_cursor", status.deposit_cursor.to_string());
            }
            Response::new()
                .add_messages(send(&record.challenger, to_challenger, &config.bond_denom))
                .add_event(ev)
        }
    };
    TOTALS.save(deps.storage, &totals)?;
    Ok(response)
}

/// How a game ended, from the word its record and events carry (`"proof"` or
/// `"timeout"`; a clock decides every game no proof settled).
fn resolution(by: &str) -> Resolution {
    if by == "proof" {
        Resolution::Proof
    } else {
        Resolution::Timeout
    }
}

/// What comes next after a move, in words, for its event.
fn describe(what: &MoveOutcome) -> String {
    match what {
        MoveOutcome::ChallengerToAnswer { position } => {
            format!("the challenger must answer for position {position}")
        }
        MoveOutcome::NarrowedToStep { step } => format!("narrowed to step {step}: prove it"),
        MoveOutcome::Narrowed { lo, hi } => format!("positions {lo}..{hi} remain in dispute"),
        MoveOutcome::Wins { winner, by } => format!("the {winner:?} wins by {by:?}").to_lowercase(),
        MoveOutcome::BondReleased {} => "the batch was removed: the bond goes back".into(),
    }
}

pub fn query_check_move(
    deps: Deps,
    env: Env,
    id: u64,
    sender: String,
    mv: GameMove,
) -> StdResult<MoveCheckResponse> {
    let sender = deps.api.addr_validate(&sender)?;
    Ok(match run_move(deps, &env, id, &sender, &mv) {
        Ok((_, _, outcome)) => MoveCheckResponse {
            valid: true,
            reason: None,
            outcome: Some(match outcome {
                Outcome::Moved(what) => what,
                Outcome::Won { winner, by, .. } => MoveOutcome::Wins {
                    winner: from_core(winner),
                    by: resolution(by),
                },
                Outcome::Void => MoveOutcome::BondReleased {},
            }),
        },
        Err(e) => MoveCheckResponse {
            valid: false,
            reason: Some(e.to_string()),
            outcome: None,
        },
    })
}

fn game_response(
    deps: Deps,
    env: &Env,
    status: &Status,
    id: u64,
) -> Result<GameResponse, ContractError> {
    let (r, game) = load_game(deps.storage, id)?;
    let now = env.block.time.seconds();
    let void = game.winner.is_none()
        && game_batch(deps.storage, status, &r)?.is_none()
        && decided_before_removal(deps.storage, &r, &game)?.is_none();
    let phase = if void || r.ended_by.as_deref() == Some("void") {
        GamePhase::Void {
            bond_returned: r.ended_by.is_some(),
        }
    } else {
        match game.phase() {
            Phase::Bisect { position } => GamePhase::Bisect { position },
            Phase::Choose { position, root } => GamePhase::Choose {
                position,
                root: crate::contract::bin(&root),
            },
            Phase::OneStep { step } => GamePhase::OneStep { step },
            Phase::Resolved { winner } => GamePhase::Resolved {
                winner: from_core(winner),
                reason: resolution(r.ended_by.as_deref().unwrap_or_default()),
            },
        }
    };
    let running = !matches!(phase, GamePhase::Resolved { .. } | GamePhase::Void { .. });
    Ok(GameResponse {
        game: id,
        batch: r.batch,
        defender: r.defender,
        challenger: r.challenger,
        bond: r.bond,
        steps: r.steps,
        lo: game.lo,
        hi: game.hi,
        lo_root: crate::contract::bin(&game.lo_root),
        hi_root: crate::contract::bin(&game.hi_root),
        phase,
        defender_left: game.time_left(CoreSide::Defender, now),
        challenger_left: game.time_left(CoreSide::Challenger, now),
        clock_runs_out_at: if running { game.deadline() } else { None },
        moves: game.moves,
        opened_at: r.opened_at.seconds(),
        terms: r.terms,
    })
}

pub fn query_game(deps: Deps, env: Env, id: u64) -> Result<GameResponse, ContractError> {
    let status = STATUS.load(deps.storage)?;
    game_response(deps, &env, &status, id)
}

pub fn query_games(
    deps: Deps,
    env: Env,
    batch: Option<u64>,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<GamesResponse, ContractError> {
    let status = STATUS.load(deps.storage)?;
    let limit = limit
        .unwrap_or(crate::contract::DEFAULT_LIMIT)
        .min(crate::contract::MAX_LIMIT) as usize;
    let ids: Vec<u64> = match batch {
        Some(b) => BATCH_GAMES
            .prefix(b)
            .keys(
                deps.storage,
                start_after.map(Bound::exclusive),
                None,
                Order::Ascending,
            )
            .take(limit)
            .collect::<StdResult<_>>()?,
        None => GAMES
            .keys(
                deps.storage,
                start_after.map(Bound::exclusive),
                None,
                Order::Ascending,
            )
            .take(limit)
            .collect::<StdResult<_>>()?,
    };
    let games = ids
        .into_iter()
        .map(|id| game_response(deps, &env, &status, id))
        .collect::<Result<_, _>>()?;
    Ok(GamesResponse { games })
}

pub fn query_dispute_context(
    deps: Deps,
    index: u64,
) -> Result<DisputeContextResponse, ContractError> {
    let status = STATUS.load(deps.storage)?;
    let batch = live_batch(deps.storage, &status, index)?;
    let ctx = batch_context(deps.storage, index, &batch)?;
    Ok(DisputeContextResponse {
        batch: index,
        parent: match ctx.parent {
            Parent::Genesis => None,
            Parent::Output {
                output_root,
                deposit_cursor,
                data_root,
            } => Some(ParentOutput {
                output_root: crate::contract::bin(&output_root),
                deposit_cursor,
                data_root: crate::contract::bin(&data_root),
            }),
        },
        anchor_root: crate::contract::bin(&ctx.parent.root()),
        deposits_from: ctx.deposits_from,
        deposits: ctx.deposits,
        tx_steps: ctx.tx_steps,
        data_root: crate::contract::bin(&batch.data_root),
        output_root: crate::contract::bin(&batch.output_root),
        steps: ctx.steps(),
    })
}

/// `check_proof` of a one-step proof outside any game: the core's `one_step` on the given
/// context.
pub fn check_one_step(api: &dyn Api, check: &OneStepCheck) -> Result<(), ContractError> {
    let OneStepCheck {
        context,
        domain,
        step,
        pre_root,
        deposit,
        proof,
        post_root,
    } = check;
    let step = *step;
    let ctx = BatchContext {
        batch_index: context.batch,
        parent: match &context.parent {
            None => Parent::Genesis,
            Some(p) => Parent::Output {
                output_root: hash32("parent output root", &p.output_root)?,
                deposit_cursor: p.deposit_cursor,
                data_root: hash32("parent data root", &p.data_root)?,
            },
        },
        deposits_from: context.deposits_from,
        deposits: context.deposits,
        tx_steps: context.tx_steps,
        data_root: hash32("data root", &context.data_root)?,
    };
    let deposit = deposit
        .as_ref()
        .map(|d| -> Result<Deposit, ContractError> {
            Ok(Deposit {
                index: d.index,
                target: d.target.target()?,
                amount: d.amount.u128(),
                refund_to: d.refund_to.to_vec(),
            })
        })
        .transpose()?;
    let post = one_step(
        &ctx,
        &Domain(hash32("domain", domain)?),
        &HostVerifier(api),
        step,
        &hash32("pre root", pre_root)?,
        deposit.as_ref(),
        &OneStepProof::decode(proof.as_slice())?,
    )?;
    let expected = hash32("post root", post_root)?;
    if post != expected {
        return Err(ContractError::StepMismatch {
            step,
            computed: HexBinary::from(post.as_slice()).to_hex(),
            expected: post_root.to_hex(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;
    use cosmwasm_std::Timestamp;

    fn game_on(uid: u64) -> GameInfo {
        let a = Addr::unchecked("a");
        GameInfo {
            batch: 0,
            batch_uid: uid,
            defender: a.clone(),
            challenger: a.clone(),
            bond: Uint128::one(),
            steps: 1,
            opened_at: Timestamp::from_seconds(0),
            terms: GameTerms {
                challenger_bond: Uint128::one(),
                proposer_stake: Uint128::one(),
                reward_bps: 0,
                treasury: a,
                clock_seconds: 300,
                min_answer_seconds: 60,
            },
            ended_by: None,
        }
    }

    #[test]
    fn a_batch_is_removed_by_the_first_removal_that_cuts_at_or_below_it() {
        let mut s = MockStorage::new();
        // t=10: uid 6 removed (proposals were 7); t=20: uids 5.. removed (proposals 8, so
        // uid 7, proposed after t=10, goes too); t=30, no proposal since: uids 3.. removed
        for (until, from, at) in [(7u64, 6u64, 10u64), (8, 5, 20), (8, 3, 30)] {
            REMOVALS.save(&mut s, (until, !from), &at).unwrap();
        }
        let at = |uid| removed_at(&s, &game_on(uid)).unwrap();
        assert_eq!(at(6), Some(10));
        assert_eq!(at(7), Some(20));
        assert_eq!(at(5), Some(20));
        assert_eq!(at(4), Some(30));
        assert_eq!(at(3), Some(30));
        assert_eq!(at(2), None);
        assert_eq!(at(8), None);
    }
}
