//! Admin powers: the one rule every contract's admin follows.
//!
//! ```text
//!  propose (admin) ──── timelock ────> apply (anyone, at or after the eta)
//!        │                                   the change binds only what starts
//!        └──> cancel (admin)                 afterwards (batches, games, channels)
//!
//!  admin ── propose_admin(new) ──> pending ── accept (new) ──> admin = new
//!                                     └──── cancel (admin) ──> none
//! ```
//!
//! - No power is instant: a change is a [`Timelocked`] value that applies no earlier than
//!   its eta, and the delay is at least the protection window users rely on (the challenge
//!   window, the exit window), measured when the change is proposed *and* when it is applied
//!   ([`Timelocked::may_apply`] takes the window in force then).
//! - No power is unbounded: every parameter lives inside [`Bounds`] fixed at instantiate,
//!   and the bounds themselves inside absolute floors and ceilings the contract documents
//!   (for the optimistic rollup: [`optimistic`]).
//! - The role moves in two steps ([`AdminRole`]): the admin names a successor, the
//!   successor accepts; until then the old admin keeps the role and may cancel.
//!
//! Generic over the address and value types so each contract (and the browser package)
//! uses the same code with its own types.

use alloc::string::{String, ToString};
use core::fmt::Display;

/// Why an admin action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminError {
    #[error("only the admin ({admin}) may {action}, not {sender}")]
    NotAdmin {
        action: &'static str,
        admin: String,
        sender: String,
    },

    #[error("only the proposed admin ({pending}) may accept the role, not {sender}")]
    NotPendingAdmin { pending: String, sender: String },

    #[error("no admin transfer is pending")]
    NoPendingAdmin,

    #[error("{new} is already the admin")]
    SameAdmin { new: String },

    #[error("a change is already pending (applies at {applies_at}): cancel it first")]
    AlreadyPending { applies_at: u64 },

    #[error("no change is pending")]
    NothingPending,

    #[error("the change is timelocked until {applies_at} (now {now})")]
    Timelocked { applies_at: u64, now: u64 },

    #[error("{what} must be in {min}..={max}, got {value}")]
    OutOfBounds {
        what: &'static str,
        value: String,
        min: String,
        max: String,
    },

    #[error("bounds of {what} must satisfy {floor} <= min <= max <= {ceiling}, got {min}..={max}")]
    BadBounds {
        what: &'static str,
        min: String,
        max: String,
        floor: String,
        ceiling: String,
    },

    #[error("time overflows: {what}")]
    TimeOverflow { what: &'static str },
}

/// An inclusive range a parameter must stay in, fixed at instantiate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds<T> {
    pub min: T,
    pub max: T,
}

impl<T: PartialOrd + Copy + Display> Bounds<T> {
    /// Bounds for `what`, checked against the absolute `floor` and `ceiling` the contract
    /// refuses to go past: `floor <= min <= max <= ceiling`.
    pub fn new(
        what: &'static str,
        min: T,
        max: T,
        floor: T,
        ceiling: T,
    ) -> Result<Self, AdminError> {
        if !(floor <= min && min <= max && max <= ceiling) {
            return Err(AdminError::BadBounds {
                what,
                min: min.to_string(),
                max: max.to_string(),
                floor: floor.to_string(),
                ceiling: ceiling.to_string(),
            });
        }
        Ok(Bounds { min, max })
    }

    /// Bounds that allow `value` only (what a contract pins when no bounds are given).
    pub fn pinned(value: T) -> Self {
        Bounds {
            min: value,
            max: value,
        }
    }

    /// `value` if it lies in `min..=max`.
    pub fn check(&self, what: &'static str, value: T) -> Result<T, AdminError> {
        if value < self.min || value > self.max {
            return Err(AdminError::OutOfBounds {
                what,
                value: value.to_string(),
                min: self.min.to_string(),
                max: self.max.to_string(),
            });
        }
        Ok(value)
    }
}

/// A change waiting for its timelock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timelocked<T> {
    pub value: T,
    /// When it was proposed (seconds).
    pub proposed_at: u64,
    /// Earliest time it may apply: `proposed_at + delay` for the delay in force then.
    pub eta: u64,
}

impl<T> Timelocked<T> {
    /// Proposes `value` at `now`, to wait `delay` seconds (the protection window in force:
    /// at least the challenge or exit window). Refused while `pending` holds a change: one
    /// change at a time, so nobody has to read a queue to know what will apply.
    pub fn propose<U>(
        pending: &Option<Timelocked<U>>,
        value: T,
        now: u64,
        delay: u64,
    ) -> Result<Self, AdminError> {
        if let Some(p) = pending {
            return Err(AdminError::AlreadyPending { applies_at: p.eta });
        }
        let eta = now.checked_add(delay).ok_or(AdminError::TimeOverflow {
            what: "proposal time plus timelock",
        })?;
        Ok(Timelocked {
            value,
            proposed_at: now,
            eta,
        })
    }

    /// When it may apply, given the protection window in force now: the later of the eta
    /// and `proposed_at + delay_now` (a window that grew meanwhile lengthens the wait).
    pub fn applies_at(&self, delay_now: u64) -> u64 {
        self.eta.max(self.proposed_at.saturating_add(delay_now))
    }

    /// Whether it may apply at `now` with `delay_now` the window in force at that moment.
    pub fn may_apply(&self, now: u64, delay_now: u64) -> Result<(), AdminError> {
        let applies_at = self.applies_at(delay_now);
        if now < applies_at {
            return Err(AdminError::Timelocked { applies_at, now });
        }
        Ok(())
    }
}

/// The admin role and its two-step transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminRole<A> {
    pub admin: A,
    /// Named by the admin, not yet accepted.
    pub pending: Option<A>,
}

impl<A: PartialEq + Clone + Display> AdminRole<A> {
    pub fn new(admin: A) -> Self {
        AdminRole {
            admin,
            pending: None,
        }
    }

    /// `Ok` if `sender` holds the role.
    pub fn check(&self, sender: &A, action: &'static str) -> Result<(), AdminError> {
        if *sender != self.admin {
            return Err(AdminError::NotAdmin {
                action,
                admin: self.admin.to_string(),
                sender: sender.to_string(),
            });
        }
        Ok(())
    }

    /// The admin names `new` as its successor (replacing any earlier nominee). Nothing
    /// changes hands until `new` accepts.
    pub fn propose(&mut self, sender: &A, new: A) -> Result<(), AdminError> {
        self.check(sender, "propose a new admin")?;
        if new == self.admin {
            return Err(AdminError::SameAdmin {
                new: new.to_string(),
            });
        }
        self.pending = Some(new);
        Ok(())
    }

    /// The nominee takes the role; returns the previous admin.
    pub fn accept(&mut self, sender: &A) -> Result<A, AdminError> {
        match &self.pending {
            None => Err(AdminError::NoPendingAdmin),
            Some(p) if p != sender => Err(AdminError::NotPendingAdmin {
                pending: p.to_string(),
                sender: sender.to_string(),
            }),
            Some(_) => {
                let new = self.pending.take().expect("checked above");
                Ok(core::mem::replace(&mut self.admin, new))
            }
        }
    }

    /// The admin withdraws its nomination; returns the nominee.
    pub fn cancel(&mut self, sender: &A) -> Result<A, AdminError> {
        self.check(sender, "cancel the admin transfer")?;
        self.pending.take().ok_or(AdminError::NoPendingAdmin)
    }
}

/// The optimistic rollup's absolute floors and ceilings: no bounds set at instantiate may
/// go past them, so no config, however its admin chooses, has a challenge window shorter
/// than [`optimistic::CHALLENGE_WINDOW_FLOOR`].
pub mod optimistic {
    /// Shortest challenge window: five minutes. Deployments choose far longer bounds (a
    /// week is usual); this floor only rules out windows nobody could challenge in.
    pub const CHALLENGE_WINDOW_FLOOR: u64 = 300;
    /// Shortest chess clock of a fraud-proof game: five minutes.
    pub const CLOCK_FLOOR: u64 = 300;
    /// Shortest minimum answer time of a game: one minute.
    pub const MIN_ANSWER_FLOOR: u64 = 60;
    /// Longest window, delay or clock: ten years (deadlines stay far from `u64::MAX`).
    pub const PERIOD_CEILING: u64 = 10 * 365 * 24 * 3600;
    /// Smallest proposer or challenger bond: one unit (a bond is never zero).
    pub const BOND_FLOOR: u128 = 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    #[test]
    fn bounds_refuse_values_outside_and_bounds_outside_the_floor() {
        let b = Bounds::new("window", 600u64, 7_200, 300, 1_000_000).unwrap();
        assert_eq!(b.check("window", 600), Ok(600));
        assert_eq!(b.check("window", 7_200), Ok(7_200));
        assert_eq!(
            b.check("window", 1).unwrap_err().to_string(),
            "window must be in 600..=7200, got 1"
        );
        assert!(b.check("window", 7_201).is_err());
        // below the floor, inverted, above the ceiling
        for (min, max) in [(1u64, 600u64), (700, 600), (600, 2_000_000)] {
            assert!(matches!(
                Bounds::new("window", min, max, 300, 1_000_000),
                Err(AdminError::BadBounds { .. })
            ));
        }
        assert_eq!(Bounds::pinned(5u64).check("x", 5), Ok(5));
        assert!(Bounds::pinned(5u64).check("x", 6).is_err());
    }

    #[test]
    fn a_change_waits_its_timelock_measured_at_proposal_and_at_apply() {
        let none: Option<Timelocked<()>> = None;
        let t = Timelocked::propose(&none, 7u8, 1_000, 600).unwrap();
        assert_eq!(t.eta, 1_600);
        assert_eq!(
            t.may_apply(1_599, 600),
            Err(AdminError::Timelocked {
                applies_at: 1_600,
                now: 1_599
            })
        );
        assert_eq!(t.may_apply(1_600, 600), Ok(()));
        // the window grew meanwhile: the wait grows with it
        assert!(t.may_apply(1_600, 900).is_err());
        assert_eq!(t.may_apply(1_900, 900), Ok(()));
        // a shorter window in force does not shorten the wait
        assert!(t.may_apply(1_400, 300).is_err());
        // one change at a time
        assert_eq!(
            Timelocked::propose(&Some(t), 8u8, 1_100, 600),
            Err(AdminError::AlreadyPending { applies_at: 1_600 })
        );
        assert!(Timelocked::propose(&none, 0u8, u64::MAX, 1).is_err());
    }

    #[test]
    fn the_admin_role_moves_only_when_the_nominee_accepts() {
        let (admin, new, stranger) = (String::from("a"), String::from("b"), String::from("m"));
        let mut role = AdminRole::new(admin.clone());
        assert!(role.propose(&stranger, stranger.clone()).is_err());
        assert!(role.propose(&admin, admin.clone()).is_err());
        assert_eq!(role.accept(&new), Err(AdminError::NoPendingAdmin));
        role.propose(&admin, new.clone()).unwrap();
        // not effective yet; a stranger cannot accept
        assert_eq!(role.admin, admin);
        assert!(matches!(
            role.accept(&stranger),
            Err(AdminError::NotPendingAdmin { .. })
        ));
        assert!(role.check(&new, "x").is_err());
        // cancel, then again and accept
        assert!(role.cancel(&new).is_err());
        assert_eq!(role.cancel(&admin), Ok(new.clone()));
        assert_eq!(role.accept(&new), Err(AdminError::NoPendingAdmin));
        role.propose(&admin, new.clone()).unwrap();
        assert_eq!(role.accept(&new), Ok(admin.clone()));
        assert_eq!(role.admin, new);
        assert_eq!(role.pending, None);
        assert!(role.check(&admin, "x").is_err());
        assert!(role.check(&new, "x").is_ok());
    }
}
