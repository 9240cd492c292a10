//! Model-based soak testing: random sequences of every message a contract takes, checked
//! after every step against a plain model of what the contract owes and to whom.
//!
//! A contract's soak is a [`Machine`]: it deploys the contract on a fresh embedded chain,
//! generates operations (each one a self-contained *recipe*, resolved against the chain when
//! it is applied, so a shortened sequence still makes sense), applies them, and checks its
//! invariants. The runner ([`run`]) drives a machine for N operations from a seed, counts each
//! kind of operation and each refusal, checks that a refused operation changed nothing
//! ([`Machine::fingerprint`] before and after), turns a panic into a violation, and on the
//! first violation searches for the shortest sequence from the same seed that still fails.

pub mod channels;
pub mod optimistic;
pub mod validity;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use cosmwasm_std::{Order, Storage};
use cw_multi_test::AppResponse;
use rand::rngs::StdRng;
use rand::SeedableRng;

/// What became of one operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The chain accepted it (the model was updated to match).
    Accepted,
    /// The chain refused it, as the model predicted or as the machine allows.
    Refused,
}

/// A contract under soak.
pub trait Machine: Sized {
    /// One operation: plain data (who, what, a hint), resolved when applied.
    type Op: Clone + Debug;

    /// The contract's name in reports.
    const NAME: &'static str;

    /// A freshly deployed contract and its model. `seed` may vary the deployment (parameters).
    fn new(seed: u64) -> Self;

    /// The next operation, chosen with the model's state (valid ones mostly, invalid and
    /// unauthorised ones mixed in).
    fn generate(&mut self, rng: &mut StdRng) -> Self::Op;

    /// The operation's kind, for the per-kind counts (`"deposit"`, `"challenge"`, ...).
    fn kind(op: &Self::Op) -> &'static str;

    /// Apply an operation to the chain and the model. `Err` is a violation: the chain did
    /// what the model says it must not (accepted what must be refused, refused what must be
    /// accepted, paid the wrong amount...).
    fn step(&mut self, op: &Self::Op) -> Result<Outcome, String>;

    /// The invariants after a step: the contract's bank balance equals what it owes, per
    /// denom; no honest party holds less than the model says; the contract's own solvency
    /// query agrees.
    fn check(&self) -> Result<(), String>;

    /// A digest of everything a refused operation must leave untouched: the contract's
    /// whole storage and every bank balance the soak knows of.
    fn fingerprint(&self) -> Vec<u8>;
}

/// A violation and the shortest sequence found that still produces one.
#[derive(Clone, Debug)]
pub struct Failure {
    pub seed: u64,
    /// Index of the failing operation in the original run.
    pub at: u64,
    pub message: String,
    /// The shortest failing sequence found (Debug of each op, in order).
    pub shortest: Vec<String>,
}

/// What one soak of one contract did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub name: &'static str,
    pub seed: u64,
    pub ops: u64,
    /// kind -> (accepted, refused)
    pub kinds: BTreeMap<&'static str, (u64, u64)>,
    pub refused: u64,
    pub failure: Option<Failure>,
    pub elapsed: Duration,
}

impl Report {
    pub fn violations(&self) -> u64 {
        u64::from(self.failure.is_some())
    }

    /// A human-readable summary: the counts, then the failure with its seed and sequence.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} ops, {} refused, {} violations, seed {}, {:.1} s",
            self.name,
            self.ops,
            self.refused,
            self.violations(),
            self.seed,
            self.elapsed.as_secs_f64()
        );
        for (kind, (ok, refused)) in &self.kinds {
            let _ = writeln!(out, "  {kind:<36} {ok:>9} accepted {refused:>9} refused");
        }
        if let Some(f) = &self.failure {
            let _ = writeln!(
                out,
                "  VIOLATION at op {} (seed {}): {}",
                f.at, f.seed, f.message
            );
            let _ = writeln!(
                out,
                "  shortest failing sequence ({} ops):",
                f.shortest.len()
            );
            for (i, op) in f.shortest.iter().enumerate() {
                let _ = writeln!(out, "    {i:>4}: {op}");
            }
        }
        out
    }
}

/// Apply one op with the runner's checks: a panic is a violation, a refusal must leave the
/// fingerprint unchanged, the invariants must hold afterwards.
fn checked_step<M: Machine>(m: &mut M, op: &M::Op) -> Result<Outcome, String> {
    let before = m.fingerprint();
    let outcome = catch_unwind(AssertUnwindSafe(|| m.step(op)))
        .map_err(|p| format!("panic: {}", panic_text(&p)))??;
    if outcome == Outcome::Refused && m.fingerprint() != before {
        return Err("a refused operation changed state".into());
    }
    catch_unwind(AssertUnwindSafe(|| m.check()))
        .map_err(|p| format!("panic in check: {}", panic_text(&p)))??;
    Ok(outcome)
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".into())
}

/// Replay `ops` on a fresh machine; `true` when some step fails.
fn fails<M: Machine>(seed: u64, ops: &[M::Op]) -> bool {
    let mut m = match catch_unwind(AssertUnwindSafe(|| M::new(seed))) {
        Ok(m) => m,
        Err(_) => return true,
    };
    ops.iter().any(|op| checked_step(&mut m, op).is_err())
}

/// Delta-debugging over the failing prefix: drop chunks while the sequence still fails,
/// within a time budget.
fn shrink<M: Machine>(seed: u64, mut ops: Vec<M::Op>, budget: Duration) -> Vec<M::Op> {
    let start = Instant::now();
    let mut chunk = ops.len().div_ceil(2).max(1);
    while chunk >= 1 && start.elapsed() < budget {
        let mut i = 0;
        let mut removed_any = false;
        while i < ops.len() && start.elapsed() < budget {
            let end = (i + chunk).min(ops.len());
            let candidate: Vec<M::Op> = ops[..i].iter().chain(&ops[end..]).cloned().collect();
            if !candidate.is_empty() && fails::<M>(seed, &candidate) {
                ops = candidate;
                removed_any = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !removed_any {
            break;
        }
        chunk = (chunk / 2).max(1);
    }
    ops
}

/// Soak one contract for `ops` operations from `seed`; stops at the first violation and
/// shrinks it (for at most `shrink_budget`).
pub fn run<M: Machine>(ops: u64, seed: u64, shrink_budget: Duration) -> Report {
    let start = Instant::now();
    let mut report = Report {
        name: M::NAME,
        seed,
        ..Report::default()
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut m = M::new(seed);
    let mut history: Vec<M::Op> = Vec::new();
    for i in 0..ops {
        let op = match catch_unwind(AssertUnwindSafe(|| m.generate(&mut rng))) {
            Ok(op) => op,
            Err(p) => {
                report.failure = Some(Failure {
                    seed,
                    at: i,
                    message: format!("panic while generating: {}", panic_text(&p)),
                    shortest: history.iter().map(|o| format!("{o:?}")).collect(),
                });
                break;
            }
        };
        history.push(op.clone());
        report.ops += 1;
        let entry = report.kinds.entry(M::kind(&op)).or_default();
        match checked_step(&mut m, &op) {
            Ok(Outcome::Accepted) => entry.0 += 1,
            Ok(Outcome::Refused) => {
                entry.1 += 1;
                report.refused += 1;
            }
            Err(message) => {
                let message = format!("{message}\n    at {op:?}");
                let shortest = shrink::<M>(seed, history, shrink_budget);
                report.failure = Some(Failure {
                    seed,
                    at: i,
                    message,
                    shortest: shortest.iter().map(|o| format!("{o:?}")).collect(),
                });
                break;
            }
        }
    }
    report.elapsed = start.elapsed();
    report
}

/// Every key and value of a contract's storage, length-prefixed, in key order: the part of
/// a machine's [`Machine::fingerprint`] that a refused message must leave as it was.
pub fn storage_bytes(storage: &dyn Storage) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in storage.range(None, None, Order::Ascending) {
        out.extend((k.len() as u32).to_be_bytes());
        out.extend(k);
        out.extend((v.len() as u32).to_be_bytes());
        out.extend(v);
    }
    out
}

/// The readable lines of a cw-multi-test error (no backtrace, no message dump), at most
/// four of them and 400 characters.
pub fn err_text(e: impl std::fmt::Display) -> String {
    let s = e.to_string();
    s.lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("at ")
                && !l.starts_with("sender:")
                && !l.starts_with("Execute {")
                && !l.contains("Error executing WasmMsg")
                && !l.starts_with("stack backtrace")
                && !l.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .take(4)
        .collect::<Vec<_>>()
        .join(" | ")
        .chars()
        .take(400)
        .collect()
}

/// Compares the chain's answer with the model's prediction (`SOAK_TRACE` prints each
/// refusal): a match is the outcome, a mismatch a violation.
pub fn expect(
    what: &str,
    predicted: bool,
    res: &Result<AppResponse, String>,
) -> Result<Outcome, String> {
    if std::env::var_os("SOAK_TRACE").is_some() {
        if let Err(e) = res {
            eprintln!(
                "trace {what}: refused: {}",
                e.chars().take(160).collect::<String>()
            );
        }
    }
    match (predicted, res) {
        (true, Ok(_)) => Ok(Outcome::Accepted),
        (false, Err(_)) => Ok(Outcome::Refused),
        (true, Err(e)) => Err(format!(
            "{what}: the contract refused what the model accepts: {e}"
        )),
        (false, Ok(r)) => Err(format!(
            "{what}: the contract accepted what the model refuses: {}",
            err_text(format!("{:?}", r.events.last()))
        )),
    }
}
