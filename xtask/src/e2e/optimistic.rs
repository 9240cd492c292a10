//! The optimistic rollup on a real chain: a user deposits into a new L2 account; an honest
//! proposer posts a batch with a transfer and a withdrawal; a second proposer posts a
//! batch whose output root lies from one step on; a challenger plays the bisection against
//! the lie to one step and wins with the one-step proof (the liar's bond slashed, its
//! batch removed); the honest batch finalizes after its window and the withdrawal is paid.
//! The operator's work is settle-core's `Node`, as in the cw-multi-test suites; the
//! contract sees only signed transactions.

use cosmwasm_std::{Binary, Uint128};
use optimistic_rollup::msg::{
    BatchResponse, BatchStatus, DepositTarget, DisputeParams, ExecuteMsg, GamePhase, GameResponse,
    InstantiateMsg, ProposerResponse, QueryMsg, Side, SolvencyResponse, StatusResponse,
};
use settle_client::Wallet;
use settle_core::batch::encode_batch;
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_core::hash::{keccak256_concat, Hash};
use settle_core::ledger::Deposit;
use settle_core::node::Node;
use settle_core::tx::Domain;
use settle_services::follow::Follower;

use super::{canonical, Ctx};
use crate::localnet::DENOM;

pub(super) const BOND: u128 = 1_000;
pub(super) const CHALLENGER_BOND: u128 = 500;
/// The floors the contract allows (five minutes to challenge, five per clock).
const WINDOW: u64 = 300;
const CLOCK: u64 = 300;
const DEPOSIT: u128 = 1_000_000;
const WITHDRAWAL: u128 = 250_000;

fn hex(h: &Hash) -> Binary {
    Binary::from(h.as_slice())
}

/// A rollup on chain and the operator's node beside it (the challenger flow's liar too).
pub(super) struct Rollup<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) address: String,
    pub(super) node: Node,
}

impl Rollup<'_> {
    pub(super) async fn status(&self) -> Result<StatusResponse, String> {
        self.ctx.query(&self.address, &QueryMsg::Status {}).await
    }

    pub(super) async fn batch(&self, index: u64) -> Result<BatchResponse, String> {
        self.ctx
            .query(&self.address, &QueryMsg::Batch { batch: index })
            .await
    }

    pub(super) async fn game(&self, id: u64) -> Result<GameResponse, String> {
        self.ctx
            .query(&self.address, &QueryMsg::Game { game: id })
            .await
    }

    pub(super) async fn deposit(
        &mut self,
        who: &Wallet,
        key: &L2Key,
        amount: u128,
    ) -> Result<u64, String> {
        let to = DepositTarget::NewAccount {
            pubkey: Binary::from(key.public_key().as_slice()),
        };
        self.ctx
            .execute(
                who,
                &self.address,
                &ExecuteMsg::Deposit { target: to.clone() },
                &[(amount, DENOM)],
            )
            .await?;
        let index = self.status().await?.deposit_count - 1;
        self.node
            .observe_deposit(Deposit {
                index,
                target: to.target().map_err(|e| e.to_string())?,
                amount,
                refund_to: canonical(who.address())?,
            })
            .map_err(|e| format!("the node refuses deposit {index}: {e}"))?;
        Ok(index)
    }

    /// Posts the node's next batch of `data`, with `claimed` as its output root if given.
    pub(super) async fn propose(
        &mut self,
        proposer: &Wallet,
        data: Vec<u8>,
        lie_from: Option<u64>,
    ) -> Result<(u64, Vec<Hash>), String> {
        let proposal = self
            .node
            .propose(&NativeVerifier, data)
            .map_err(|e| format!("the node cannot build the batch: {e}"))?;
        let mut roots = self
            .node
            .trace(proposal.index)
            .and_then(|t| t.roots(&NativeVerifier))
            .map_err(|e| e.to_string())?;
        if let Some(position) = lie_from {
            for r in roots.iter_mut().skip(position as usize) {
                *r = keccak256_concat(&[b"a lie", r]);
            }
        }
        let output_root = *roots.last().ok_or("a batch without roots")?;
        self.ctx
            .execute(
                proposer,
                &self.address,
                &ExecuteMsg::ProposeBatch {
                    data: Binary::new(proposal.data.clone()),
                    deposits_consumed: proposal.deposits_consumed,
                    output_root: hex(&output_root),
                },
                &[],
            )
            .await?;
        Ok((proposal.index, roots))
    }
}

/// The rollup the flows instantiate: the floors for windows (a lie must be challenged
/// within five minutes), small bonds, the test suites' admin bounds.
pub fn instantiate_msg(treasury: &str) -> InstantiateMsg {
    InstantiateMsg {
        admin: None,
        denom: DENOM.into(),
        bond_denom: DENOM.into(),
        proposer_bond: BOND.into(),
        challenge_window: WINDOW,
        force_inclusion_seconds: 3_600,
        max_batch_bytes: 128 * 1024,
        dispute: DisputeParams {
            challenger_bond: CHALLENGER_BOND.into(),
            clock_seconds: CLOCK,
            min_answer_seconds: 60,
            reward_bps: 5_000,
            treasury: treasury.to_string(),
        },
        bounds: Some(settle_testing::default_bounds()),
    }
}

pub async fn flow(ctx: &Ctx) -> Result<String, String> {
    let honest = ctx.wallet("proposer", 10_000_000).await?;
    let liar = ctx.wallet("liar", 10_000_000).await?;
    let challenger = ctx.wallet("challenger", 10_000_000).await?;
    let scale = ctx.scale;
    let users = scale.users.max(2);
    let withdrawals = scale.withdrawals.clamp(1, users);
    let user = ctx
        .wallet("user", users as u128 * DEPOSIT + 10_000_000)
        .await?;
    let treasury = ctx.wallet("treasury", 0).await?;
    let address = ctx
        .instantiate("optimistic-rollup", &instantiate_msg(treasury.address()))
        .await?;
    let config: optimistic_rollup::msg::ConfigResponse =
        ctx.query(&address, &QueryMsg::Config {}).await?;
    let domain = Domain(
        config
            .domain
            .as_slice()
            .try_into()
            .map_err(|_| "the domain is not 32 bytes")?,
    );
    let mut r = Rollup {
        ctx,
        address,
        node: Node::new(domain),
    };
    for p in [&honest, &liar] {
        ctx.execute(p, &r.address, &ExecuteMsg::Bond {}, &[(BOND, DENOM)])
            .await?;
    }

    // One deposit into a new L2 account per user.
    let keys: Vec<L2Key> = (0..users)
        .map(|i| L2Key::from_label(&format!("e2e-user-{i}")))
        .collect();
    for k in &keys {
        r.deposit(&user, k, DEPOSIT).await?;
    }
    ctx.say(format!(
        "{users} deposits of {DEPOSIT} {DENOM} open L2 accounts 0..{}",
        users - 1
    ));

    // The honest batch: the deposits, transfers between the accounts, then withdrawals
    // from the first accounts to the user.
    let recipient = canonical(user.address())?;
    let mut nonces = vec![0u64; users];
    let mut rng = crate::demo::Lcg(2026);
    let mut txs = Vec::new();
    for t in 0..scale.transfers {
        // The first transfer is 0 -> 1; then random pairs.
        let from = if t == 0 {
            0
        } else {
            rng.next(users as u64) as usize
        };
        let to = (from + 1 + rng.next(users as u64 - 1) as usize) % users;
        let amount = if t == 0 {
            10_000
        } else {
            1 + rng.next(10_000) as u128
        };
        txs.push(
            r.node
                .sign_transfer(&keys[from], from as u32, to as u32, amount, nonces[from]),
        );
        nonces[from] += 1;
    }
    for (i, key) in keys.iter().enumerate().take(withdrawals) {
        txs.push(
            r.node
                .sign_withdrawal(key, i as u32, recipient.clone(), WITHDRAWAL, nonces[i]),
        );
        nonces[i] += 1;
    }
    let (good, _) = r.propose(&honest, encode_batch(&txs), None).await?;
    ctx.say(format!(
        "batch {good}: {} transfers and {withdrawals} withdrawals posted by the honest proposer",
        scale.transfers
    ));

    // A bond is never enough to post a lie: the liar's batch (a transfer 1 → 0) claims
    // a state that is wrong from its second step on.
    let lie = [r.node.sign_transfer(&keys[1], 1, 0, 500, nonces[1])];
    let (bad, claimed) = r.propose(&liar, encode_batch(&lie), Some(1)).await?;
    ctx.say(format!(
        "batch {bad}: a transfer whose output root lies from step 1 on, posted by the liar"
    ));
    // A watcher that knows nothing but the chain rebuilds the L2 state from the contract's
    // queries and the posted data, and finds the lie.
    let mut watcher = Follower::new(&ctx.client, &r.address)
        .await
        .map_err(|e| e.to_string())?;
    let seen = watcher.sync(&ctx.client).await.map_err(|e| e.to_string())?;
    if seen.divergences.iter().map(|d| d.batch).collect::<Vec<_>>() != [bad] {
        return Err(format!(
            "a follower of the chain finds divergent batches {:?}, not [{bad}]",
            seen.divergences
        ));
    }
    let truth = r
        .node
        .trace(bad)
        .and_then(|t| t.roots(&NativeVerifier))
        .map_err(|e| e.to_string())?;

    // The challenger opens a game on the lie and plays it to one step.
    let out = ctx
        .execute(
            &challenger,
            &r.address,
            &ExecuteMsg::Challenge { batch: bad },
            &[(CHALLENGER_BOND, DENOM)],
        )
        .await?;
    let game: u64 = out
        .attrs("wasm-rollup", "game")
        .next()
        .and_then(|g| g.parse().ok())
        .ok_or("no game id in the challenge's events")?;
    let mut moves = 0;
    let step = loop {
        let g = r.game(game).await?;
        match g.phase {
            GamePhase::Bisect { position } => {
                ctx.execute(
                    &liar,
                    &r.address,
                    &ExecuteMsg::Bisect {
                        game,
                        position,
                        root: hex(&claimed[position as usize]),
                    },
                    &[],
                )
                .await?;
            }
            GamePhase::Choose { position, root } => {
                let agree = truth[position as usize].as_slice() == root.as_slice();
                ctx.execute(
                    &challenger,
                    &r.address,
                    &ExecuteMsg::Choose {
                        game,
                        position,
                        agree,
                    },
                    &[],
                )
                .await?;
            }
            GamePhase::OneStep { step } => break step,
            other => return Err(format!("game {game} ended before one step: {other:?}")),
        }
        moves += 1;
    };
    let proof = r
        .node
        .trace(bad)
        .and_then(|t| t.proof(&NativeVerifier, step))
        .map_err(|e| e.to_string())?
        .encode();
    let proved = ctx
        .execute(
            &challenger,
            &r.address,
            &ExecuteMsg::ProveStep {
                game,
                step,
                proof: Binary::new(proof),
            },
            &[],
        )
        .await?;
    match r.game(game).await?.phase {
        GamePhase::Resolved {
            winner: Side::Challenger,
            ..
        } => {}
        other => return Err(format!("after the one-step proof the game is {other:?}")),
    }
    let status = r.status().await?;
    if status.next_batch != bad {
        return Err(format!(
            "the lying batch {bad} is still there (next batch {})",
            status.next_batch
        ));
    }
    r.node.roll_back(bad).map_err(|e| e.to_string())?;
    let seen = watcher.sync(&ctx.client).await.map_err(|e| e.to_string())?;
    if seen.rolled_back_from != Some(bad) {
        return Err(format!(
            "the follower did not see batch {bad} removed: {seen:?}"
        ));
    }
    let liar_info: ProposerResponse = ctx
        .query(
            &r.address,
            &QueryMsg::Proposer {
                address: liar.address().to_string(),
            },
        )
        .await?;
    if liar_info.bond != Uint128::zero() {
        return Err(format!("the liar keeps a bond of {}", liar_info.bond));
    }
    ctx.say(format!(
        "game {game}: {moves} bisection moves, the one-step proof of step {step} wins; \
         the liar's bond is slashed and batch {bad} removed"
    ));

    // The honest batch finalizes after its window; the withdrawal is paid.
    let b = r.batch(good).await?;
    ctx.wait_past(b.finalizes_at).await?;
    ctx.execute(
        &challenger,
        &r.address,
        &ExecuteMsg::Finalize { batch: good },
        &[],
    )
    .await?;
    if r.batch(good).await?.status != BatchStatus::Finalized {
        return Err(format!("batch {good} is not final after finalize"));
    }
    ctx.say(format!(
        "batch {good} is final after its {WINDOW} s challenge window"
    ));
    let withdraw_msg = |index: u32| -> Result<ExecuteMsg, String> {
        let p = r
            .node
            .withdrawal_proof(good, index)
            .map_err(|e| format!("the node has no withdrawal proof {index}: {e}"))?;
        Ok(ExecuteMsg::withdraw_of(&p, user.address()))
    };
    let before = ctx.balance(user.address()).await?;
    // The challenger pays the fees: the user's balance moves by the withdrawals alone.
    let mut paid = None;
    for i in 0..withdrawals {
        paid = Some(
            ctx.execute(&challenger, &r.address, &withdraw_msg(i as u32)?, &[])
                .await?,
        );
    }
    let paid = paid.ok_or("no withdrawal")?;
    let after = ctx.balance(user.address()).await?;
    let expected = withdrawals as u128 * WITHDRAWAL;
    if after != before + expected {
        return Err(format!(
            "the user's balance went from {before} to {after}, not up by {expected}"
        ));
    }
    ctx.say(format!(
        "{withdrawals} withdrawals of {WITHDRAWAL} {DENOM} paid to the user"
    ));
    // Paid once: the same proof again is refused.
    ctx.refused(
        &challenger,
        &r.address,
        &withdraw_msg(0)?,
        &[],
        "already paid",
    )
    .await?;
    // From chain data alone, a fresh follower arrives at the operator's own L2 state.
    let mut fresh = Follower::new(&ctx.client, &r.address)
        .await
        .map_err(|e| e.to_string())?;
    let seen = fresh.sync(&ctx.client).await.map_err(|e| e.to_string())?;
    if fresh.node.ledger.state_root() != r.node.ledger.state_root()
        || fresh.node.batch_count() != r.node.batch_count()
        || !seen.divergences.is_empty()
    {
        return Err(format!(
            "rebuilt from chain data: {} batches, state root {}; the operator: {} batches, {}",
            fresh.node.batch_count(),
            hex::encode(fresh.node.ledger.state_root()),
            r.node.batch_count(),
            hex::encode(r.node.ledger.state_root())
        ));
    }
    ctx.say(format!(
        "rebuilt from chain data alone: {} batches, {} accounts, state root {}",
        fresh.node.batch_count(),
        fresh.node.ledger.accounts().len(),
        hex::encode(fresh.node.ledger.state_root())
    ));
    let solvency: SolvencyResponse = ctx.query(&r.address, &QueryMsg::Solvency {}).await?;
    let held = ctx.balance(&r.address).await?;
    let d = solvency
        .denoms
        .iter()
        .find(|d| d.denom == DENOM)
        .ok_or("no solvency entry for the denom")?;
    if !solvency.solvent || d.held.to_string() != held.to_string() {
        return Err(format!(
            "solvency: solvent {}, contract says it holds {}, the bank {held}",
            solvency.solvent, d.held
        ));
    }
    Ok(format!(
        "game {game}: {moves} bisection moves, one-step proof of step {step} in block {} \
         ({} gas); withdrawal paid in block {} ({} gas); contract holds {held} {DENOM}, owes {}",
        proved.height, proved.gas_used, paid.height, paid.gas_used, d.owed
    ))
}
