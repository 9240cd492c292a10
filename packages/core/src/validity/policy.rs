//! The validity rollup's timing rules, shared by the contract (which enforces them) and the
//! tools (which check a config before instantiating).
//!
//! # Key changes leave every user a way out
//!
//! A new verifying key decides which batches the contract accepts. Whoever proposes one
//! could know its toxic waste, so a proposal waits [`check_key_timelock`]'s timelock, and
//! that timelock outlasts the operator's deadline with a margin: a user who sees the
//! proposal has a whole deadline to ask for its way out, the operator a whole deadline to
//! serve it, and an operator who does not lets exodus start (after which no batch, under
//! any key, is accepted) before the key applies.
//!
//! ```text
//!  proposed                                         applies
//!     |------ margin (= deadline) ------|-- deadline --|
//!     user sees it, asks to leave       operator serves it, or exodus starts
//! ```
//!
//! Today the deadline is `exodus_after`: the longest an operator may go without a batch, or
//! leave a queued deposit or exit request unconsumed. The way out is an L1 exit request
//! (`ledger::Deposit::Exit`): it joins the deposit queue, so a batch must serve it in order
//! or exodus starts, and a pending key applies only once every exit request queued before
//! its `applies_at` is served ([`check_exits_served`]). A proposal therefore never takes a
//! user's way out away: the user asks during the timelock, and either the old key's
//! operator pays the user, or exodus starts, or the key waits.

//! # The deposit queue and the operator's deadline
//!
//! Deposits are forced: a batch must consume them in order, at most `shape.deposits` per
//! batch. The queue is bounded ([`QueueRules`]: a minimum deposit, a higher minimum to open
//! an account, so dust cannot fill the account tree, and a cap on pending deposits), and
//! the operator's deadline is measured against what batches can consume, not against the
//! wall-clock age of the oldest deposit: a batch that consumes
//! `min(pending, shape.deposits)` deposits ([`keeps_up`]) serves the queue, and exodus
//! starts ([`exodus_at`]) only when the deposit at the head has waited `exodus_after`
//! since it was queued or since the last batch that served the queue, whichever is later,
//! or when no batch at all came for `exodus_after`.
//!
//! ```text
//!  deposits:  d0 d1 d2 d3 d4 d5 ...         (a flood, all queued at t0)
//!  batches:   |--d0 d1--|--d2 d3--|--d4 d5--|   full batches, each inside exodus_after
//!  deadline:  t0+E      b1+E      b2+E           (b_i: the i-th full batch's time)
//! ```
//!
//! So a flood cannot start exodus while the operator posts full batches, and an honest
//! deposit behind a flood waits at most `max_pending / shape.deposits` full batches.

use alloc::format;

use crate::error::Error;

/// Largest pending-deposit cap a rollup may set.
pub const MAX_PENDING_DEPOSITS: u64 = 1 << 16;

/// The deposit queue's bounds, fixed at instantiate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueRules {
    /// The smallest deposit (credit or new account), at least 1.
    pub min_deposit: u128,
    /// The smallest deposit that opens an account, at least `min_deposit`.
    pub min_new_account: u128,
    /// At most this many deposits pending (queued, not consumed), 1..=[`MAX_PENDING_DEPOSITS`].
    pub max_pending: u64,
}

impl QueueRules {
    /// Checks the bounds (at instantiate).
    pub fn check(&self) -> Result<(), Error> {
        let bad = |reason: alloc::string::String| Err(Error::BadQueueRules { reason });
        if self.min_deposit == 0 {
            return bad("min_deposit must be at least 1".into());
        }
        if self.min_new_account < self.min_deposit {
            return bad(format!(
                "min_new_account ({}) must be at least min_deposit ({})",
                self.min_new_account, self.min_deposit
            ));
        }
        if self.max_pending == 0 || self.max_pending > MAX_PENDING_DEPOSITS {
            return bad(format!(
                "max_pending must be in 1..={MAX_PENDING_DEPOSITS}, got {}",
                self.max_pending
            ));
        }
        Ok(())
    }

    /// Whether a deposit of `amount` (opening an account or not) may join a queue with
    /// `pending` deposits pending.
    pub fn check_deposit(
        &self,
        new_account: bool,
        amount: u128,
        pending: u64,
    ) -> Result<(), Error> {
        let (min, what) = if new_account {
            (self.min_new_account, " to open an account")
        } else {
            (self.min_deposit, "")
        };
        if amount < min {
            return Err(Error::DepositTooSmall { amount, min, what });
        }
        if pending >= self.max_pending {
            return Err(Error::QueueFull {
                pending,
                max: self.max_pending,
            });
        }
        Ok(())
    }
}

/// Whether a batch that consumes `consumed` of the `pending` deposits serves the queue:
/// it consumes as many as the circuit takes (`shape_deposits`), or all of them.
pub fn keeps_up(consumed: u64, pending: u64, shape_deposits: u64) -> bool {
    consumed >= pending.min(shape_deposits)
}

/// When exodus starts if nothing changes: `exodus_after` after the last batch, or after
/// the head deposit's queue time or the last batch that [`keeps_up`] (`served_at`),
/// whichever of those two is later; the earlier of the two deadlines. `head_queued_at` is
/// `None` when no deposit is pending.
pub fn exodus_at(
    exodus_after: u64,
    last_batch: u64,
    served_at: u64,
    head_queued_at: Option<u64>,
) -> u64 {
    let since = match head_queued_at {
        Some(t) => last_batch.min(t.max(served_at)),
        None => last_batch,
    };
    since.saturating_add(exodus_after)
}

/// A key's timelock is at least this many exit deadlines: one for the user to notice the
/// proposal and ask to leave (the margin), one for the operator to serve the request.
pub const KEY_TIMELOCK_DEADLINES: u64 = 2;

/// The shortest key timelock allowed with the operator deadline `exit_deadline` (seconds).
pub fn min_key_timelock(exit_deadline: u64) -> u64 {
    exit_deadline.saturating_mul(KEY_TIMELOCK_DEADLINES)
}

/// Refuses a key timelock shorter than [`min_key_timelock`]: checked when the rollup is
/// instantiated and again on every key proposal (both numbers are fixed at instantiate).
pub fn check_key_timelock(key_timelock: u64, exit_deadline: u64) -> Result<(), Error> {
    let min = min_key_timelock(exit_deadline);
    if key_timelock < min {
        return Err(Error::TimelockTooShort {
            timelock: key_timelock,
            min,
            deadline: exit_deadline,
        });
    }
    Ok(())
}

/// Refuses to apply a pending key (applying from `applies_at`) while an exit request
/// queued before `applies_at` waits: `oldest_exit` is the queue index and queue time of
/// the oldest exit request not yet consumed, if any.
pub fn check_exits_served(applies_at: u64, oldest_exit: Option<(u64, u64)>) -> Result<(), Error> {
    match oldest_exit {
        Some((index, queued_at)) if queued_at < applies_at => Err(Error::ExitsBeforeKey {
            index,
            queued_at,
            applies_at,
        }),
        _ => Ok(()),
    }
}

/// A credit (or an exit request) names an account by index and by key: the one rule,
/// shared with the optimistic rollup's keyed credits, lives in [`crate::ledger`].
pub use crate::ledger::check_account_key;

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: QueueRules = QueueRules {
        min_deposit: 10,
        min_new_account: 100,
        max_pending: 8,
    };

    #[test]
    fn z1_dust_and_a_full_queue_are_refused() {
        RULES.check().unwrap();
        assert_eq!(
            RULES.check_deposit(true, 99, 0),
            Err(Error::DepositTooSmall {
                amount: 99,
                min: 100,
                what: " to open an account"
            })
        );
        RULES.check_deposit(true, 100, 0).unwrap();
        assert!(RULES.check_deposit(false, 9, 0).is_err());
        RULES.check_deposit(false, 10, 7).unwrap();
        assert_eq!(
            RULES.check_deposit(false, 10, 8),
            Err(Error::QueueFull { pending: 8, max: 8 })
        );
        for bad in [
            QueueRules {
                min_deposit: 0,
                ..RULES
            },
            QueueRules {
                min_new_account: 9,
                ..RULES
            },
            QueueRules {
                max_pending: 0,
                ..RULES
            },
            QueueRules {
                max_pending: MAX_PENDING_DEPOSITS + 1,
                ..RULES
            },
        ] {
            assert!(matches!(bad.check(), Err(Error::BadQueueRules { .. })));
        }
    }

    /// The contract's queue as a plain model: deposits' queue times, the cursor, the last
    /// batch and the last serving batch.
    struct Model {
        queued: alloc::vec::Vec<u64>,
        cursor: usize,
        last_batch: u64,
        served_at: u64,
    }

    impl Model {
        fn at(&self, after: u64) -> u64 {
            exodus_at(
                after,
                self.last_batch,
                self.served_at,
                self.queued.get(self.cursor).copied(),
            )
        }
        fn batch(&mut self, now: u64, consumed: usize, shape: u64) {
            let pending = (self.queued.len() - self.cursor) as u64;
            if keeps_up(consumed as u64, pending, shape) {
                self.served_at = now;
            }
            self.cursor += consumed;
            self.last_batch = now;
        }
    }

    #[test]
    fn z1_a_flood_cannot_start_exodus_while_full_batches_come() {
        let (after, shape) = (100u64, 4u64);
        // Any flood size up to the cap, any batch period shorter than exodus_after.
        for flood in [1usize, 5, 64, 1024] {
            for period in [1u64, 50, 99] {
                let mut m = Model {
                    queued: alloc::vec![0; flood],
                    cursor: 0,
                    last_batch: 0,
                    served_at: 0,
                };
                let mut now = 0;
                while m.cursor < m.queued.len() {
                    now += period;
                    assert!(
                        now < m.at(after),
                        "flood {flood}, period {period}: exodus at {now}"
                    );
                    let n = (m.queued.len() - m.cursor).min(shape as usize);
                    m.batch(now, n, shape);
                    // The attacker keeps adding one deposit per batch for a while.
                    if m.queued.len() < 2 * flood {
                        m.queued.push(now);
                    }
                }
            }
        }
    }

    #[test]
    fn z1_an_operator_that_leaves_deposits_out_still_meets_exodus() {
        let (after, shape) = (100u64, 4u64);
        let mut m = Model {
            queued: alloc::vec![10; 3],
            cursor: 0,
            last_batch: 0,
            served_at: 0,
        };
        // Batches keep coming but consume fewer than they could: the head's deadline holds.
        m.batch(50, 0, shape);
        m.batch(100, 2, shape);
        assert_eq!(m.at(after), 110);
        // No deposit pending: only the batch deadline.
        m.batch(105, 1, shape);
        assert_eq!(m.at(after), 205);
        // A deposit after the last batch: the batch deadline comes first.
        m.queued.push(150);
        assert_eq!(m.at(after), 205);
        // No batch at all: exodus after exodus_after.
        assert_eq!(exodus_at(after, 7, 7, None), 107);
        assert!(keeps_up(0, 0, shape) && keeps_up(4, 9, shape) && !keeps_up(3, 9, shape));
    }

    #[test]
    fn v2_key_timelock_outlasts_the_exit_deadline_with_a_margin() {
        assert_eq!(check_key_timelock(7 * 86_400, 86_400), Ok(()));
        assert_eq!(check_key_timelock(2 * 86_400, 86_400), Ok(()));
        assert_eq!(
            check_key_timelock(2 * 86_400 - 1, 86_400),
            Err(Error::TimelockTooShort {
                timelock: 2 * 86_400 - 1,
                min: 2 * 86_400,
                deadline: 86_400
            })
        );
        // A timelock equal to the deadline leaves no margin.
        assert!(check_key_timelock(86_400, 86_400).is_err());
        assert_eq!(min_key_timelock(u64::MAX), u64::MAX);
    }

    #[test]
    fn v2_a_key_waits_for_exit_requests_queued_before_it_applies() {
        check_exits_served(100, None).unwrap();
        check_exits_served(100, Some((3, 100))).unwrap();
        assert_eq!(
            check_exits_served(100, Some((3, 99))),
            Err(Error::ExitsBeforeKey {
                index: 3,
                queued_at: 99,
                applies_at: 100
            })
        );
    }

    #[test]
    fn z2_a_credit_must_name_the_key_that_opened_the_account() {
        check_account_key(1, Some(&[7; 64]), &[7; 64], 2).unwrap();
        assert_eq!(
            check_account_key(1, Some(&[7; 64]), &[8; 64], 2),
            Err(Error::AccountKeyMismatch { account: 1 })
        );
        assert!(check_account_key(2, None, &[7; 64], 2).is_err());
    }
}
