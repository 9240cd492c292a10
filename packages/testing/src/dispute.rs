//! Fraud-proof games in the [`Suite`]: proposers that tell the truth or lie about a
//! batch, challengers that play honestly or not, and the one-step proof built from the
//! mirror node's replay.

use cosmwasm_std::{Addr, Binary, Coin, StdError, StdResult};
use cw_multi_test::AppResponse;

use optimistic_rollup::msg::{
    ExecuteMsg, GameMove, GamePhase, GameResponse, MoveCheckResponse, QueryMsg,
};
use settle_core::crypto::NativeVerifier;
use settle_core::hash::{keccak256_concat, Hash};
use settle_core::node::Proposal;

use crate::app::SuiteApp;
use crate::suite::Suite;

/// What a proposer claims about a batch: the root it posts (position `n`) and the roots it
/// answers with in games.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The true root at every position.
    Honest,
    /// True roots before `position`, altered ones from there on: a wrong state after
    /// step `position - 1`.
    WrongFrom(u64),
    /// Every step state true, but the output root composed with a wrong deposit cursor.
    WrongOutput,
}

/// How a challenger answers the defender's roots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Play {
    /// Agrees exactly with the true roots.
    Honest,
    /// Disagrees with every root.
    DisagreeAll,
    /// Agrees with every root.
    AgreeAll,
}

fn altered(root: &Hash) -> Hash {
    keccak256_concat(&[b"a lie", root])
}

fn hex(h: &Hash) -> Binary {
    Binary::from(h.as_slice())
}

impl<A: SuiteApp> Suite<A> {
    pub(crate) fn record_claim(&mut self, index: u64, roots: Option<Vec<Hash>>) {
        self.claims.truncate(index as usize);
        self.claims.resize(index as usize, None);
        self.claims.push(roots);
    }

    /// The true root at every position of batch `batch`, from the mirror node's replay
    /// (panics if the node has no such batch; see [`Suite::try_true_roots`]).
    pub fn true_roots(&self, batch: u64) -> Vec<Hash> {
        self.try_true_roots(batch)
            .expect("the node replays its own batch")
    }

    /// The true root at every position of batch `batch`, from the mirror node's replay.
    pub fn try_true_roots(&self, batch: u64) -> StdResult<Vec<Hash>> {
        self.node
            .trace(batch)
            .and_then(|t| t.roots(&NativeVerifier))
            .map_err(|e| StdError::msg(format!("batch {batch}: {e}")))
    }

    /// What the proposer of `batch` claims at every position.
    pub fn claimed_roots(&self, batch: u64) -> Vec<Hash> {
        match self.claims.get(batch as usize) {
            Some(Some(roots)) => roots.clone(),
            _ => self.true_roots(batch),
        }
    }

    /// Like [`Suite::propose`], but posts the output root of `claim` and defends it in
    /// games.
    pub fn propose_claiming(
        &mut self,
        proposer: &Addr,
        data: Vec<u8>,
        claim: Claim,
    ) -> StdResult<Proposal> {
        self.sync()?;
        let before = self.node.clone();
        let mut proposal = self
            .node
            .propose(&NativeVerifier, data)
            .map_err(StdError::msg)?;
        let index = proposal.index;
        let mut roots = match self.try_true_roots(index) {
            Ok(roots) => roots,
            Err(e) => {
                self.node = before;
                return Err(e);
            }
        };
        let n = roots.len() - 1;
        match claim {
            Claim::Honest => {}
            Claim::WrongFrom(position) => {
                for r in roots.iter_mut().skip(position as usize) {
                    *r = altered(r);
                }
            }
            Claim::WrongOutput => {
                let mut output = self.node.batch_result(index).expect("just applied").output;
                output.deposit_cursor += 1;
                roots[n] = output.root();
            }
        }
        proposal.output_root = roots[n];
        let res = self.propose_raw(
            proposer,
            proposal.data.clone(),
            proposal.deposits_consumed,
            proposal.output_root.to_vec(),
        );
        if let Err(e) = res {
            self.node = before;
            return Err(e);
        }
        self.record_claim(index, Some(roots));
        self.signed.clear();
        Ok(proposal)
    }

    /// Opens a game on `batch` with the configured challenger bond; returns its id.
    pub fn challenge(&mut self, challenger: &Addr, batch: u64) -> StdResult<u64> {
        let bond = self.try_config()?.dispute.challenger_bond;
        let coin = Coin::new(bond, self.bond_denom.clone());
        let res = self.execute(challenger, &ExecuteMsg::Challenge { batch }, &[coin])?;
        event_attr(&res, "challenge", "game")
            .and_then(|g| g.parse().ok())
            .ok_or_else(|| StdError::msg("no game id in the challenge event"))
    }

    /// Game `id` (panics if there is none; see [`Suite::try_game`]).
    pub fn game(&self, id: u64) -> GameResponse {
        self.query_or_panic(&QueryMsg::Game { game: id })
    }

    /// Game `id`.
    pub fn try_game(&self, id: u64) -> StdResult<GameResponse> {
        self.query(&QueryMsg::Game { game: id })
    }

    /// Dry-runs a move (the `check_move` query).
    pub fn check_move(&self, id: u64, sender: &Addr, mv: GameMove) -> MoveCheckResponse {
        self.query_or_panic(&QueryMsg::CheckMove {
            game: id,
            sender: sender.to_string(),
            game_move: mv,
        })
    }

    /// The defender answers the position the game asks for with its claim.
    pub fn defend(&mut self, id: u64) -> StdResult<AppResponse> {
        let g = self.try_game(id)?;
        let GamePhase::Bisect { position } = g.phase else {
            return Err(StdError::msg(format!(
                "game {id} does not wait for the defender: {:?}",
                g.phase
            )));
        };
        let root = self.claimed_roots(g.batch)[position as usize];
        self.execute(
            &g.defender,
            &ExecuteMsg::Bisect {
                game: id,
                position,
                root: hex(&root),
            },
            &[],
        )
    }

    /// The challenger answers the defender's root as `play` says.
    pub fn answer(&mut self, id: u64, play: Play) -> StdResult<AppResponse> {
        let g = self.try_game(id)?;
        let GamePhase::Choose { position, root } = g.phase else {
            return Err(StdError::msg(format!(
                "game {id} does not wait for the challenger: {:?}",
                g.phase
            )));
        };
        let agree = match play {
            Play::Honest => {
                self.true_roots(g.batch)[position as usize].as_slice() == root.as_slice()
            }
            Play::DisagreeAll => false,
            Play::AgreeAll => true,
        };
        self.execute(
            &g.challenger,
            &ExecuteMsg::Choose {
                game: id,
                position,
                agree,
            },
            &[],
        )
    }

    /// Plays the bisection (the defender by its claim, the challenger by `play`) until
    /// one step is left; returns that step.
    pub fn bisect_to_one_step(&mut self, id: u64, play: Play) -> StdResult<u64> {
        loop {
            match self.try_game(id)?.phase {
                GamePhase::Bisect { .. } => self.defend(id)?,
                GamePhase::Choose { .. } => self.answer(id, play)?,
                GamePhase::OneStep { step } => return Ok(step),
                other => return Err(StdError::msg(format!("game {id} is over: {other:?}"))),
            };
        }
    }

    /// The one-step proof of `step` of `batch` from the mirror node's replay (panics if
    /// the node cannot prove it; see [`Suite::try_one_step_proof`]).
    pub fn one_step_proof(&self, batch: u64, step: u64) -> Vec<u8> {
        self.try_one_step_proof(batch, step)
            .expect("the node proves its own batch")
    }

    /// The one-step proof of `step` of `batch` from the mirror node's replay.
    pub fn try_one_step_proof(&self, batch: u64, step: u64) -> StdResult<Vec<u8>> {
        self.node
            .trace(batch)
            .and_then(|t| t.proof(&NativeVerifier, step))
            .map(|p| p.encode())
            .map_err(|e| StdError::msg(format!("step {step} of batch {batch}: {e}")))
    }

    /// `sender` settles a game in its one-step phase with the true proof, then the mirror
    /// node follows any removal.
    pub fn prove_step(&mut self, sender: &Addr, id: u64) -> StdResult<AppResponse> {
        let g = self.try_game(id)?;
        let GamePhase::OneStep { step } = g.phase else {
            return Err(StdError::msg(format!(
                "game {id} is not at one step: {:?}",
                g.phase
            )));
        };
        let proof = self.try_one_step_proof(g.batch, step)?;
        let res = self.execute(
            sender,
            &ExecuteMsg::ProveStep {
                game: id,
                step,
                proof: Binary::new(proof),
            },
            &[],
        )?;
        self.follow_removals();
        Ok(res)
    }

    /// Anyone resolves a game on time (or releases a void game's bond).
    pub fn resolve_game(&mut self, id: u64) -> StdResult<AppResponse> {
        let anyone = self.addr("anyone");
        let res = self.execute(&anyone, &ExecuteMsg::ResolveGame { game: id }, &[])?;
        self.follow_removals();
        Ok(res)
    }

    /// Rolls the mirror node back past batches the chain removed (panics if the chain
    /// cannot be read; [`Suite::sync`] does it and returns errors).
    pub fn follow_removals(&mut self) {
        let next = self.status().next_batch;
        self.roll_back_to(next).expect("the node has the batch");
    }
}

/// The value of attribute `key` on the rollup's event with action `action`.
pub fn event_attr(res: &AppResponse, action: &str, key: &str) -> Option<String> {
    crate::app::event_attr_of(res, optimistic_rollup::contract::EVENT, action, key)
}
