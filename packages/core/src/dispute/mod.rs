//! Fraud proofs: the bisection game over a batch's steps ([`game`]), the steps and the
//! one-step proof that re-executes one of them ([`step`]), and the honest player's replay
//! that answers every move ([`trace`]).
//!
//! A challenger disputes a batch's output root; the game narrows the dispute to one step
//! whose pre-state both sides agreed on, and [`step::one_step`] settles it with the
//! ledger's own transition (`apply_deposit`, `apply_tx`), run on witnessed state.

pub mod game;
pub mod step;
pub mod trace;

pub use game::{max_moves, reward_split, ClockRules, Game, Phase, Resolution, Side};
pub use step::{
    genesis_root, one_step, start_root, AccountWitness, BatchContext, OneStepProof, Parent,
    StepKind, StepState,
};
pub use trace::{BatchTrace, HonestMove};

#[cfg(all(test, feature = "native"))]
mod tests;
