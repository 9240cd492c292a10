//! The bisection game with chess clocks.
//!
//! ```text
//!  positions   0 ──── 1 ──── 2 ─── ... ─── mid ─── ... ─── n-1 ──── n
//!              │                             │                       │
//!        anchor root                  defender's root         claimed output
//!        (agreed: the                 when asked              root (disputed)
//!        parent output)
//!
//!  lo, hi: root(lo) agreed, root(hi) disputed.  Each round:
//!    defender   bisect(mid, root)      mid = lo + (hi - lo) / 2
//!    challenger choose(mid, agree)     agree: lo = mid   disagree: hi = mid
//!  until hi - lo = 1: anyone proves step lo (see `step`); the root it yields
//!  equals root(hi) -> the defender wins, otherwise the challenger wins.
//! ```
//!
//! Each side has a chess clock (a total budget of seconds); only the clock of the side to
//! move runs. A side whose clock runs out loses. When the turn passes, the side that must
//! answer gets at least `min_answer` seconds left (its clock is topped up to it), so a
//! move in the last second never wins by leaving the other side no time. In the one-step
//! phase the challenger's clock runs: a challenger that cannot prove the step loses.
//! Once a winner is known (a proof, or a clock that ran out) no move is accepted.

use crate::error::Error;
use crate::hash::Hash;

/// The two sides of a game.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The proposer of the batch, defending its output root.
    Defender,
    /// Who opened the game, claiming the output root is wrong.
    Challenger,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Defender => Side::Challenger,
            Side::Challenger => Side::Defender,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Side::Defender => "defender",
            Side::Challenger => "challenger",
        }
    }
}

impl core::fmt::Display for Side {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Time rules of a game, fixed when it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockRules {
    /// Seconds on each side's clock at the start.
    pub budget: u64,
    /// Least time the side to move has when its turn starts.
    pub min_answer: u64,
}

impl ClockRules {
    /// Both positive, and the extension no larger than the budget.
    pub fn check(&self) -> Result<(), Error> {
        if self.budget == 0 || self.min_answer == 0 || self.min_answer > self.budget {
            return Err(Error::malformed(
                "clock rules",
                alloc::format!(
                    "need 0 < min_answer <= budget, got min_answer {} and budget {}",
                    self.min_answer,
                    self.budget
                ),
            ));
        }
        Ok(())
    }
}

/// What the game waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The defender must commit to the state root at `position`.
    Bisect { position: u64 },
    /// The challenger must say whether it agrees with `root` at `position`.
    Choose { position: u64, root: Hash },
    /// The dispute is one step, from `step` to `step + 1`: anyone may prove it.
    OneStep { step: u64 },
    /// Over.
    Resolved { winner: Side },
}

/// How a game ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The one-step proof decided.
    Proven,
    /// The side to move let its clock run out.
    Timeout,
}

/// A bisection game over positions `0..=steps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Game {
    /// Highest position agreed on.
    pub lo: u64,
    /// Lowest position in dispute.
    pub hi: u64,
    pub lo_root: Hash,
    pub hi_root: Hash,
    /// The defender's root at the midpoint, awaiting the challenger's choice.
    pub mid_root: Option<Hash>,
    /// Seconds left on each clock when the current turn started.
    pub defender_left: u64,
    pub challenger_left: u64,
    /// When the current turn started (seconds).
    pub turn_started: u64,
    /// Least time the side to move has when its turn starts.
    pub min_answer: u64,
    /// Moves played (bisections and choices).
    pub moves: u32,
    pub winner: Option<Side>,
}

impl Game {
    /// Opens a game over `steps` steps: `anchor_root` is the agreed root at position 0,
    /// `claimed_root` the disputed root at position `steps`. The defender moves first.
    pub fn new(
        steps: u64,
        anchor_root: Hash,
        claimed_root: Hash,
        now: u64,
        rules: ClockRules,
    ) -> Result<Game, Error> {
        rules.check()?;
        if steps == 0 {
            return Err(Error::malformed("game", "a game needs at least one step"));
        }
        Ok(Game {
            lo: 0,
            hi: steps,
            lo_root: anchor_root,
            hi_root: claimed_root,
            mid_root: None,
            defender_left: rules.budget,
            challenger_left: rules.budget,
            turn_started: now,
            min_answer: rules.min_answer,
            moves: 0,
            winner: None,
        })
    }

    /// The midpoint the defender answers for.
    pub fn mid(&self) -> u64 {
        self.lo + (self.hi - self.lo) / 2
    }

    /// What the game waits for (ignoring clocks: see [`Game::timed_out`]).
    pub fn phase(&self) -> Phase {
        if let Some(winner) = self.winner {
            Phase::Resolved { winner }
        } else if self.hi - self.lo <= 1 {
            Phase::OneStep { step: self.lo }
        } else if let Some(root) = self.mid_root {
            Phase::Choose {
                position: self.mid(),
                root,
            }
        } else {
            Phase::Bisect {
                position: self.mid(),
            }
        }
    }

    /// The side whose clock runs, if the game is not over.
    pub fn to_move(&self) -> Option<Side> {
        match self.phase() {
            Phase::Bisect { .. } => Some(Side::Defender),
            Phase::Choose { .. } | Phase::OneStep { .. } => Some(Side::Challenger),
            Phase::Resolved { .. } => None,
        }
    }

    fn stored_left(&self, side: Side) -> u64 {
        match side {
            Side::Defender => self.defender_left,
            Side::Challenger => self.challenger_left,
        }
    }

    fn stored_left_mut(&mut self, side: Side) -> &mut u64 {
        match side {
            Side::Defender => &mut self.defender_left,
            Side::Challenger => &mut self.challenger_left,
        }
    }

    /// Seconds left on `side`'s clock at `now`.
    pub fn time_left(&self, side: Side, now: u64) -> u64 {
        let left = self.stored_left(side);
        if self.to_move() == Some(side) {
            left.saturating_sub(now.saturating_sub(self.turn_started))
        } else {
            left
        }
    }

    /// When the running clock runs out (`None` once the game is over).
    pub fn deadline(&self) -> Option<u64> {
        let side = self.to_move()?;
        Some(self.turn_started.saturating_add(self.stored_left(side)))
    }

    /// The side that has lost on time at `now`, if any (a clock at zero has run out).
    pub fn timed_out(&self, now: u64) -> Option<Side> {
        let side = self.to_move()?;
        (self.time_left(side, now) == 0).then_some(side)
    }

    /// The winner at `now`: decided, or the side whose clock did not run out.
    pub fn winner_at(&self, now: u64) -> Option<Side> {
        self.winner.or_else(|| self.timed_out(now).map(Side::other))
    }

    fn check_turn(&self, now: u64, mover: Option<Side>) -> Result<(), Error> {
        if let Some(winner) = self.winner {
            return Err(Error::GameOver { winner });
        }
        if let Some(side) = self.timed_out(now) {
            return Err(Error::ClockExpired { side });
        }
        if let (Some(mover), Some(to_move)) = (mover, self.to_move()) {
            if mover != to_move {
                return Err(Error::NotYourTurn { expected: to_move });
            }
        }
        Ok(())
    }

    /// Charges the running clock for the turn that ends at `now`, starts the next turn and
    /// tops the next mover's clock up to `min_answer`.
    fn end_turn(&mut self, now: u64, mover: Side) {
        let spent = now.saturating_sub(self.turn_started);
        let left = self.stored_left_mut(mover);
        *left = left.saturating_sub(spent);
        self.turn_started = now;
        self.moves = self.moves.saturating_add(1);
        if let Some(next) = self.to_move() {
            let min = self.min_answer;
            let left = self.stored_left_mut(next);
            *left = (*left).max(min);
        }
    }

    /// The defender commits to `root` at `position` (which must be the midpoint asked for).
    pub fn bisect(&mut self, now: u64, position: u64, root: Hash) -> Result<(), Error> {
        self.check_turn(now, Some(Side::Defender))?;
        match self.phase() {
            Phase::Bisect { position: p } if p == position => {
                self.mid_root = Some(root);
                self.end_turn(now, Side::Defender);
                Ok(())
            }
            phase => Err(Error::WrongMove {
                phase: phase_name(&phase),
                position,
            }),
        }
    }

    /// The challenger agrees or disagrees with the defender's root at `position`.
    pub fn choose(&mut self, now: u64, position: u64, agree: bool) -> Result<(), Error> {
        self.check_turn(now, Some(Side::Challenger))?;
        match self.phase() {
            Phase::Choose { position: p, root } if p == position => {
                if agree {
                    self.lo = p;
                    self.lo_root = root;
                } else {
                    self.hi = p;
                    self.hi_root = root;
                }
                self.mid_root = None;
                self.end_turn(now, Side::Challenger);
                Ok(())
            }
            phase => Err(Error::WrongMove {
                phase: phase_name(&phase),
                position,
            }),
        }
    }

    /// Checks that a one-step proof of `step` can settle the game at `now` (call it before
    /// the costlier re-execution).
    pub fn check_one_step(&self, now: u64, step: u64) -> Result<(), Error> {
        self.check_turn(now, None)?;
        match self.phase() {
            Phase::OneStep { step: s } if s == step => Ok(()),
            phase => Err(Error::WrongMove {
                phase: phase_name(&phase),
                position: step,
            }),
        }
    }

    /// Settles the one-step phase with the root a checked one-step proof of `step` yields
    /// from `lo_root`: equal to `hi_root`, the defender wins; otherwise the challenger.
    pub fn conclude(&mut self, now: u64, step: u64, post_root: &Hash) -> Result<Side, Error> {
        self.check_one_step(now, step)?;
        let winner = if post_root == &self.hi_root {
            Side::Defender
        } else {
            Side::Challenger
        };
        self.winner = Some(winner);
        Ok(winner)
    }

    /// Ends a game whose running clock has run out; the other side wins.
    pub fn resolve_timeout(&mut self, now: u64) -> Result<Side, Error> {
        if let Some(winner) = self.winner {
            return Err(Error::GameOver { winner });
        }
        match self.timed_out(now) {
            Some(loser) => {
                self.winner = Some(loser.other());
                Ok(loser.other())
            }
            None => {
                let side = self.to_move().expect("no winner yet");
                Err(Error::ClockRunning {
                    side,
                    left: self.time_left(side, now),
                })
            }
        }
    }
}

/// Bytes of an encoded [`Game`] without a midpoint root (with one: 32 more).
pub const GAME_LEN: usize = 118;

impl Game {
    /// A compact fixed layout for storage: `lo, hi (8 BE each) || lo_root || hi_root ||
    /// has_mid (1) [|| mid_root] || defender_left, challenger_left, turn_started,
    /// min_answer (8 BE each) || moves (4 BE) || winner (0 none, 1 defender, 2 challenger)`.
    pub fn encode(&self) -> alloc::vec::Vec<u8> {
        let mut out = alloc::vec::Vec::with_capacity(GAME_LEN + 32);
        out.extend_from_slice(&self.lo.to_be_bytes());
        out.extend_from_slice(&self.hi.to_be_bytes());
        out.extend_from_slice(&self.lo_root);
        out.extend_from_slice(&self.hi_root);
        match &self.mid_root {
            Some(r) => {
                out.push(1);
                out.extend_from_slice(r);
            }
            None => out.push(0),
        }
        for v in [
            self.defender_left,
            self.challenger_left,
            self.turn_started,
            self.min_answer,
        ] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        out.extend_from_slice(&self.moves.to_be_bytes());
        out.push(match self.winner {
            None => 0,
            Some(Side::Defender) => 1,
            Some(Side::Challenger) => 2,
        });
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Game, Error> {
        let bad = || Error::malformed("game", alloc::format!("{} bytes", bytes.len()));
        let has_mid = *bytes.get(80).ok_or_else(bad)?;
        let len = GAME_LEN + 32 * has_mid as usize;
        if has_mid > 1 || bytes.len() != len {
            return Err(bad());
        }
        let u64_at = |i: usize| u64::from_be_bytes(bytes[i..i + 8].try_into().expect("8"));
        let hash_at = |i: usize| -> Hash { bytes[i..i + 32].try_into().expect("32") };
        let rest = 81 + 32 * has_mid as usize;
        Ok(Game {
            lo: u64_at(0),
            hi: u64_at(8),
            lo_root: hash_at(16),
            hi_root: hash_at(48),
            mid_root: (has_mid == 1).then(|| hash_at(81)),
            defender_left: u64_at(rest),
            challenger_left: u64_at(rest + 8),
            turn_started: u64_at(rest + 16),
            min_answer: u64_at(rest + 24),
            moves: u32::from_be_bytes(bytes[rest + 32..rest + 36].try_into().expect("4")),
            winner: match bytes[rest + 36] {
                0 => None,
                1 => Some(Side::Defender),
                2 => Some(Side::Challenger),
                _ => return Err(bad()),
            },
        })
    }
}

fn phase_name(phase: &Phase) -> &'static str {
    match phase {
        Phase::Bisect { .. } => "bisect",
        Phase::Choose { .. } => "choose",
        Phase::OneStep { .. } => "one-step",
        Phase::Resolved { .. } => "resolved",
    }
}

/// Basis points in one whole.
pub const BPS: u16 = 10_000;

/// Splits a slashed bond between the winning challenger (`reward_bps` of it, rounded
/// down) and the treasury (the rest): `(reward, treasury)`, which add up to `slashed`.
pub fn reward_split(slashed: u128, reward_bps: u16) -> Result<(u128, u128), Error> {
    if reward_bps > BPS {
        return Err(Error::malformed(
            "reward share",
            alloc::format!("{reward_bps} basis points is more than {BPS}"),
        ));
    }
    // slashed * bps may overflow u128: split the product so it cannot
    let bps = reward_bps as u128;
    let whole = BPS as u128;
    let reward = (slashed / whole) * bps + (slashed % whole) * bps / whole;
    Ok((reward, slashed - reward))
}

/// Most moves (bisections plus choices) a game over `steps` steps can take before the
/// one-step proof: two per halving.
pub fn max_moves(steps: u64) -> u32 {
    let mut span = steps;
    let mut rounds = 0;
    while span > 1 {
        span = span.div_ceil(2);
        rounds += 1;
    }
    2 * rounds
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: ClockRules = ClockRules {
        budget: 100,
        min_answer: 10,
    };

    fn root(i: u64) -> Hash {
        let mut h = [0u8; 32];
        h[..8].copy_from_slice(&i.to_be_bytes());
        h
    }

    /// Plays a game where the truth diverges from the defender's roots from `first_bad`.
    fn play(steps: u64, first_bad: u64) -> Game {
        let truth = |p: u64| root(p);
        let claim = |p: u64| {
            if p >= first_bad {
                root(1000 + p)
            } else {
                root(p)
            }
        };
        let mut g = Game::new(steps, truth(0), claim(steps), 0, RULES).unwrap();
        let mut t = 0;
        while let Phase::Bisect { position } = g.phase() {
            t += 1;
            g.bisect(t, position, claim(position)).unwrap();
            t += 1;
            g.choose(t, position, claim(position) == truth(position))
                .unwrap();
        }
        assert!(g.moves <= max_moves(steps));
        g
    }

    #[test]
    fn bisection_finds_the_first_wrong_step() {
        for steps in [1u64, 2, 3, 7, 8, 100, 1002] {
            for first_bad in [1, steps / 2 + 1, steps] {
                let g = play(steps, first_bad.max(1));
                assert_eq!(
                    g.phase(),
                    Phase::OneStep {
                        step: first_bad.max(1) - 1
                    }
                );
                assert_eq!(g.lo_root, root(g.lo));
                assert_ne!(g.hi_root, root(g.hi));
            }
        }
        assert_eq!(max_moves(1002), 20);
    }

    #[test]
    fn moves_are_checked_for_turn_phase_and_position() {
        let mut g = Game::new(8, root(0), root(8), 0, RULES).unwrap();
        assert_eq!(
            g.choose(1, 4, true),
            Err(Error::NotYourTurn {
                expected: Side::Defender
            })
        );
        assert_eq!(
            g.bisect(1, 3, root(3)),
            Err(Error::WrongMove {
                phase: "bisect",
                position: 3
            })
        );
        assert!(g.conclude(1, 0, &root(1)).is_err());
        g.bisect(1, 4, root(4)).unwrap();
        assert_eq!(
            g.bisect(2, 4, root(4)),
            Err(Error::NotYourTurn {
                expected: Side::Challenger
            })
        );
        let before = g.clone();
        assert!(g.choose(2, 5, true).is_err());
        assert_eq!(g, before, "a refused move changes nothing");
    }

    #[test]
    fn clocks_are_charged_and_topped_up_to_the_minimum_answer_time() {
        let mut g = Game::new(8, root(0), root(8), 0, RULES).unwrap();
        assert_eq!(g.deadline(), Some(100));
        g.bisect(95, 4, root(4)).unwrap();
        assert_eq!(g.defender_left, 5, "the defender's clock ran 95 seconds");
        assert_eq!(
            g.time_left(Side::Defender, 1_000),
            5,
            "and stops when it is not to move"
        );
        g.choose(100, 4, false).unwrap();
        assert_eq!(g.challenger_left, 95);
        assert_eq!(
            g.defender_left, 10,
            "5 seconds left is topped up to min_answer"
        );
        assert_eq!(g.deadline(), Some(110));
        assert_eq!((g.lo, g.hi), (0, 4));
    }

    #[test]
    fn last_second_moves_leave_the_answer_time() {
        let mut g = Game::new(8, root(0), root(8), 0, RULES).unwrap();
        g.bisect(99, 4, root(4)).unwrap(); // one second before the defender's flag falls
        assert_eq!(g.defender_left, 1);
        // the challenger answers in its last second too
        g.choose(99 + 99, 4, true).unwrap();
        assert_eq!(g.challenger_left, 1);
        // the defender had 1 second left: it gets min_answer to answer
        assert_eq!(g.defender_left, 10);
        assert_eq!(g.deadline(), Some(198 + 10));
        assert_eq!(g.time_left(Side::Defender, 203), 5);
        assert_eq!(g.timed_out(207), None);
        assert_eq!(g.timed_out(208), Some(Side::Defender));
        assert_eq!(
            g.bisect(208, 6, root(6)),
            Err(Error::ClockExpired {
                side: Side::Defender
            })
        );
        assert_eq!(
            g.resolve_timeout(207),
            Err(Error::ClockRunning {
                side: Side::Defender,
                left: 1
            })
        );
        assert_eq!(g.resolve_timeout(208), Ok(Side::Challenger));
        assert_eq!(
            g.choose(209, 6, true),
            Err(Error::GameOver {
                winner: Side::Challenger
            })
        );
        assert_eq!(
            g.resolve_timeout(500),
            Err(Error::GameOver {
                winner: Side::Challenger
            })
        );
    }

    #[test]
    fn one_step_decides_and_then_nothing_moves() {
        let mut g = play(4, 3);
        assert_eq!(g.phase(), Phase::OneStep { step: 2 });
        assert_eq!(g.to_move(), Some(Side::Challenger));
        let now = g.turn_started + 1;
        assert!(g.conclude(now, 1, &root(3)).is_err());
        // the true root of position 3 differs from the defender's claim there
        assert_eq!(g.conclude(now, 2, &root(3)), Ok(Side::Challenger));
        assert_eq!(
            g.conclude(now, 2, &g.hi_root.clone()),
            Err(Error::GameOver {
                winner: Side::Challenger
            })
        );
        // an honest defender: the proof yields its root
        let mut g = play(4, 5);
        let hi = g.hi_root;
        let now = g.turn_started + 1;
        assert_eq!(g.conclude(now, 3, &hi), Ok(Side::Defender));
        // a challenger that cannot prove loses on time
        let mut g = play(4, 5);
        let deadline = g.deadline().unwrap();
        assert_eq!(
            g.conclude(deadline, 3, &root(0)),
            Err(Error::ClockExpired {
                side: Side::Challenger
            })
        );
        assert_eq!(g.resolve_timeout(deadline), Ok(Side::Defender));
    }

    #[test]
    fn games_round_trip_through_their_storage_form() {
        let mut g = Game::new(9, root(0), root(9), 7, RULES).unwrap();
        for _ in 0..3 {
            let bytes = g.encode();
            assert_eq!(bytes.len(), GAME_LEN + 32 * g.mid_root.is_some() as usize);
            assert_eq!(Game::decode(&bytes), Ok(g.clone()));
            assert!(Game::decode(&bytes[1..]).is_err());
            match g.phase() {
                Phase::Bisect { position } => g.bisect(8, position, root(position)).unwrap(),
                Phase::Choose { position, .. } => g.choose(9, position, true).unwrap(),
                _ => {}
            }
        }
        g.winner = Some(Side::Challenger);
        assert_eq!(Game::decode(&g.encode()), Ok(g));
    }

    #[test]
    fn rewards_split_without_loss_or_overflow() {
        assert_eq!(reward_split(1_000, 5_000), Ok((500, 500)));
        assert_eq!(reward_split(999, 3_333), Ok((332, 667)));
        assert_eq!(reward_split(7, 0), Ok((0, 7)));
        assert_eq!(reward_split(7, BPS), Ok((7, 0)));
        let (r, t) = reward_split(u128::MAX, 9_999).unwrap();
        assert_eq!(r + t, u128::MAX);
        assert!(reward_split(1, BPS + 1).is_err());
    }

    #[test]
    fn rules_are_checked() {
        for (budget, min_answer) in [(0, 0), (10, 0), (10, 11)] {
            assert!(Game::new(2, root(0), root(2), 0, ClockRules { budget, min_answer }).is_err());
        }
        assert!(Game::new(0, root(0), root(0), 0, RULES).is_err());
    }
}
