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
//! leave a queued deposit unconsumed.

use crate::error::Error;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
