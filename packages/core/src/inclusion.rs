//! Force inclusion: how many queued deposits the next batch must consume.
//!
//! Deposits wait in an L1 queue; a batch consumes a prefix of what is pending (from the
//! cursor on), at most [`MAX_DEPOSITS_PER_BATCH`]. A deposit is *overdue* once its
//! deadline has passed; the rule is:
//!
//! > a batch consumes every overdue deposit, or as many deposits as a batch may carry.
//!
//! ```text
//!  consumed earlier   cursor                                          count
//!  ──────────────────┤ d d d d d d d d d d d d d │ d d d d d d ──────┤
//!                    └── overdue (a prefix) ─────┘ └─ not yet due ─┘
//!  least = min(overdue, limit)     most = min(pending, limit)
//!  a batch may consume any c with least <= c <= most
//! ```
//!
//! Deadlines never decrease along the queue (deposits are queued in block-time order, and
//! a rewind moves every deadline to the same floor), so the overdue deposits are a prefix
//! of the pending ones and one deposit decides a batch: the first one it leaves queued. A
//! batch that consumes `most` is always acceptable, so the rule can never stop the rollup:
//! a backlog of any size drains oldest-first, `limit` deposits a batch.
//!
//! A removal puts deposits back (the cursor rewinds to the removed batch's first deposit).
//! They were included on time once, so they must not be overdue retroactively: after a
//! rewind at `rewound_at`, every deposit still queued is due `delay` after the later of its
//! own queue time and `rewound_at`.
//!
//! Times are in one unit chosen by the caller (the contract uses block seconds); `delay`
//! is in the same unit.

use crate::error::Error;
use crate::ledger::MAX_DEPOSITS_PER_BATCH;

/// The deposit queue as the next batch finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queue {
    /// Index of the first deposit no batch has consumed.
    pub cursor: u64,
    /// Deposits ever queued (the next deposit's index).
    pub count: u64,
    /// How long a deposit may wait (the contract's `force_inclusion_delay`).
    pub delay: u64,
    /// When a removal last rewound the cursor, if ever.
    pub rewound_at: Option<u64>,
}

impl Queue {
    /// The deadline of a deposit queued at `queued_at`: `delay` after the later of its
    /// queue time and the last rewind (saturating, so never before either).
    pub fn deadline(&self, queued_at: u64) -> u64 {
        queued_at
            .max(self.rewound_at.unwrap_or(0))
            .saturating_add(self.delay)
    }

    /// Whether a deposit queued at `queued_at` is overdue at `now`.
    pub fn overdue(&self, queued_at: u64, now: u64) -> bool {
        now >= self.deadline(queued_at)
    }

    /// Deposits queued and not yet consumed.
    pub fn pending(&self) -> u64 {
        self.count.saturating_sub(self.cursor)
    }

    /// The most deposits the next batch may consume: every pending one, up to the
    /// per-batch limit. A batch consuming this many is always acceptable.
    pub fn most(&self) -> u64 {
        self.pending().min(MAX_DEPOSITS_PER_BATCH)
    }

    /// The least deposits the next batch must consume at `now`: the overdue ones, up to
    /// the per-batch limit. `queued_at` lists the queue times from the cursor on, in queue
    /// order (only the first [`MAX_DEPOSITS_PER_BATCH`] are read; fewer than pending is
    /// fine if the list reaches the first deposit not yet due).
    pub fn least(&self, queued_at: impl IntoIterator<Item = u64>, now: u64) -> u64 {
        queued_at
            .into_iter()
            .take(self.most() as usize)
            .take_while(|&q| self.overdue(q, now))
            .count() as u64
    }

    /// Checks the size of a batch that consumes `consumed` deposits and returns the index
    /// of the one deposit whose queue time decides it (the first one the batch leaves
    /// queued), or `None` if no deposit need be read: the batch takes every pending
    /// deposit or as many as a batch may.
    pub fn deciding_deposit(&self, consumed: u64) -> Result<Option<u64>, Error> {
        if consumed > MAX_DEPOSITS_PER_BATCH {
            return Err(Error::TooManyDeposits {
                consumed,
                max: MAX_DEPOSITS_PER_BATCH,
            });
        }
        let to = self.cursor.saturating_add(consumed);
        if to > self.count {
            return Err(Error::DepositsUnavailable {
                requested: to,
                available: self.count,
            });
        }
        Ok((consumed < MAX_DEPOSITS_PER_BATCH && to < self.count).then_some(to))
    }

    /// Checks that a batch consuming `consumed` deposits at `now` follows the rule.
    /// `deciding_queued_at` is the queue time of the deposit
    /// [`Queue::deciding_deposit`] names (ignored when it names none).
    pub fn check(
        &self,
        consumed: u64,
        deciding_queued_at: Option<u64>,
        now: u64,
    ) -> Result<(), Error> {
        let Some(index) = self.deciding_deposit(consumed)? else {
            return Ok(());
        };
        let queued_at = deciding_queued_at.ok_or_else(|| {
            Error::malformed(
                "deposit queue",
                alloc::format!("the queue time of deposit {index} is needed"),
            )
        })?;
        let deadline = self.deadline(queued_at);
        if now >= deadline {
            return Err(Error::ForcedDepositSkipped {
                index,
                deadline,
                max: MAX_DEPOSITS_PER_BATCH,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    const LIMIT: u64 = MAX_DEPOSITS_PER_BATCH;

    /// Checks `consumed` against a queue whose queue times from index 0 are `times`.
    fn check(q: &Queue, times: &[u64], consumed: u64, now: u64) -> Result<(), Error> {
        let deciding = q.deciding_deposit(consumed)?.map(|i| times[i as usize]);
        q.check(consumed, deciding, now)
    }

    fn queue(times: &[u64], cursor: u64, delay: u64, rewound_at: Option<u64>) -> Queue {
        Queue {
            cursor,
            count: times.len() as u64,
            delay,
            rewound_at,
        }
    }

    /// A queue state: non-decreasing queue times (block time never goes back), a cursor,
    /// a delay, maybe a rewind, and a time to propose at. Sizes straddle the limit.
    fn state() -> impl Strategy<Value = (Vec<u64>, u64, u64, Option<u64>, u64)> {
        (
            prop::collection::vec(0u64..50, 0..2_200),
            0u64..3_000,
            prop_oneof![Just(0u64), 0u64..2_000, Just(u64::MAX)],
            prop::option::of(0u64..60_000),
            0u64..80_000,
        )
            .prop_flat_map(|(gaps, start, delay, rewound_at, now)| {
                let times: Vec<u64> = gaps
                    .iter()
                    .scan(start, |t, g| {
                        *t += g;
                        Some(*t)
                    })
                    .collect();
                let len = times.len() as u64;
                (
                    Just(times),
                    0..=len,
                    Just(delay),
                    Just(rewound_at),
                    Just(now),
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Any queue state, any time: the batch that consumes `most` is accepted, and so is
        /// the one that consumes `least`; `least <= most <= limit`; a batch is accepted
        /// exactly when it consumes at least `least`; an accepted batch leaves no overdue
        /// deposit queued unless it is full.
        #[test]
        fn some_batch_is_always_acceptable((times, cursor, delay, rewound_at, now) in state()) {
            let q = queue(&times, cursor, delay, rewound_at);
            let pending = &times[cursor as usize..];
            let least = q.least(pending.iter().copied(), now);
            let most = q.most();
            prop_assert!(least <= most);
            prop_assert!(most <= LIMIT);
            prop_assert_eq!(most, q.pending().min(LIMIT));
            prop_assert!(check(&q, &times, most, now).is_ok());
            prop_assert!(check(&q, &times, least, now).is_ok());
            // overdue_after[i]: some deposit at pending index >= i is overdue
            let mut overdue_after = alloc::vec![false; pending.len() + 1];
            for i in (0..pending.len()).rev() {
                overdue_after[i] = overdue_after[i + 1] || q.overdue(pending[i], now);
            }
            for c in 0..=most {
                let ok = check(&q, &times, c, now).is_ok();
                prop_assert_eq!(ok, c >= least, "consumed {} least {}", c, least);
                if ok && c < LIMIT {
                    // never skipped past: nothing left queued is overdue
                    prop_assert!(!overdue_after[c as usize]);
                }
                if !ok {
                    let skipped = matches!(
                        check(&q, &times, c, now),
                        Err(Error::ForcedDepositSkipped { .. })
                    );
                    prop_assert!(skipped);
                }
            }
            // more than pending or than the limit is refused
            prop_assert!(check(&q, &times, most + 1, now).is_err());
        }

        /// Overdue deposits are a prefix: deadlines never decrease along the queue, with or
        /// without a rewind, so the first deposit left queued decides a batch.
        #[test]
        fn deadlines_never_decrease((times, cursor, delay, rewound_at, _now) in state()) {
            let q = queue(&times, cursor, delay, rewound_at);
            for w in times.windows(2) {
                prop_assert!(q.deadline(w[0]) <= q.deadline(w[1]));
            }
        }

        /// A backlog drains oldest-first: proposing every `step` seconds and consuming only
        /// what the rule demands, the queue still empties of overdue deposits, and each
        /// batch is accepted.
        #[test]
        fn a_backlog_drains_at_the_limit(
            (times, cursor, delay, rewound_at, now) in state(),
            step in 0u64..100,
        ) {
            let mut q = queue(&times, cursor, delay, rewound_at);
            let mut now = now;
            let mut batches = 0u64;
            loop {
                let least = q.least(times[q.cursor as usize..].iter().copied(), now);
                prop_assert!(check(&q, &times, least, now).is_ok());
                if least == 0 {
                    break;
                }
                q.cursor += least;
                now += step;
                batches += 1;
                prop_assert!(batches <= times.len() as u64);
            }
            // with time frozen, ceil(overdue / limit) batches clear the backlog
            if step == 0 {
                let overdue = times[cursor as usize..]
                    .iter()
                    .filter(|&&t| queue(&times, cursor, delay, rewound_at).overdue(t, now))
                    .count() as u64;
                prop_assert_eq!(batches, overdue.div_ceil(LIMIT));
            }
        }

        /// A deposit a removal put back is never overdue retroactively: it gets the whole
        /// delay from the rewind.
        #[test]
        fn a_rewind_gives_the_whole_delay(
            (times, cursor, delay, _r, _now) in state(),
            rewound_at in 0u64..100_000,
        ) {
            let q = queue(&times, cursor, delay, Some(rewound_at));
            for &t in &times {
                prop_assert!(q.deadline(t) >= rewound_at.saturating_add(delay));
                if delay > 0 {
                    prop_assert!(!q.overdue(t, rewound_at));
                }
            }
        }
    }

    #[test]
    fn the_deciding_deposit_is_the_first_left_queued() {
        let q = Queue {
            cursor: 10,
            count: 2_000,
            delay: 5,
            rewound_at: None,
        };
        assert_eq!(q.deciding_deposit(0), Ok(Some(10)));
        assert_eq!(q.deciding_deposit(LIMIT - 1), Ok(Some(10 + LIMIT - 1)));
        // a full batch reads nothing
        assert_eq!(q.deciding_deposit(LIMIT), Ok(None));
        assert_eq!(
            q.deciding_deposit(LIMIT + 1),
            Err(Error::TooManyDeposits {
                consumed: LIMIT + 1,
                max: LIMIT
            })
        );
        assert_eq!(
            q.deciding_deposit(u64::MAX),
            Err(Error::TooManyDeposits {
                consumed: u64::MAX,
                max: LIMIT
            })
        );
        let short = Queue { count: 12, ..q };
        assert_eq!(short.deciding_deposit(2), Ok(None));
        assert_eq!(
            short.deciding_deposit(3),
            Err(Error::DepositsUnavailable {
                requested: 13,
                available: 12
            })
        );
        // a missing queue time is an error, not a pass
        assert!(matches!(q.check(0, None, 0), Err(Error::Malformed { .. })));
    }

    /// F1: with no delay and 1,025 deposits, every deposit is overdue at once; the
    /// 1,024-deposit batch is accepted, then the last one.
    #[test]
    fn f1_more_overdue_deposits_than_a_batch_holds_drain_at_the_limit() {
        let times = [100u64; 1_025];
        let mut q = queue(&times, 0, 0, None);
        assert_eq!(q.least(times.iter().copied(), 100), LIMIT);
        assert_eq!(
            check(&q, &times, LIMIT - 1, 100),
            Err(Error::ForcedDepositSkipped {
                index: LIMIT - 1,
                deadline: 100,
                max: LIMIT
            })
        );
        assert_eq!(check(&q, &times, LIMIT, 100), Ok(()));
        q.cursor = LIMIT;
        assert_eq!(q.least(times[LIMIT as usize..].iter().copied(), 100), 1);
        assert!(check(&q, &times, 0, 100).is_err());
        assert_eq!(check(&q, &times, 1, 100), Ok(()));
    }

    /// F1: a rewind puts 2,000 old deposits back; they are not overdue until a delay
    /// after the rewind, and then drain at the limit.
    #[test]
    fn f1_a_rewind_does_not_make_put_back_deposits_overdue() {
        let times: Vec<u64> = (0..2_000).collect();
        let q = queue(&times, 0, 600, Some(10_000));
        assert_eq!(q.least(times.iter().copied(), 10_599), 0);
        assert_eq!(check(&q, &times, 0, 10_599), Ok(()));
        assert_eq!(q.least(times.iter().copied(), 10_600), LIMIT);
        assert_eq!(check(&q, &times, LIMIT, 10_600), Ok(()));
    }
}
