//! The honest player's side of a game: replays a batch from its pre-state, gives the
//! root at any position and builds the one-step proof of any step. Defenders, challengers,
//! tests and the browser package all play with this.

use alloc::vec::Vec;
use core::cell::RefCell;

use super::game::{Game, Phase, Side};
use super::step::{AccountWitness, BatchContext, OneStepProof, Parent, StepKind, StepState};
use crate::batch::{data_tree, split_steps};
use crate::crypto::Verifier;
use crate::error::Error;
use crate::hash::Hash;
use crate::ledger::{
    apply_deposit, apply_tx, Account, AccountStore, Deposit, Ledger, WithdrawalList, WithdrawalSink,
};
use crate::merkle::MerkleTree;
use crate::tx::Domain;

/// Everything needed to replay one batch.
#[derive(Debug, Clone)]
pub struct BatchTrace {
    pub ctx: BatchContext,
    pub domain: Domain,
    /// The parent output's state and withdrawals roots (`None` for batch 0).
    pub parent_preimage: Option<(Hash, Hash)>,
    /// The ledger before the batch.
    pub ledger: Ledger,
    /// The deposits the batch consumes, in queue order.
    pub deposits: Vec<Deposit>,
    /// The batch data as posted.
    pub data: Vec<u8>,
}

/// Records which opened accounts a step reads or writes, and the slot it opens: exactly
/// what its witness must cover (a no-op that reads a sender still needs it).
struct Recording<'a> {
    inner: &'a mut Ledger,
    touched: RefCell<Vec<u32>>,
}

impl Recording<'_> {
    fn note(&self, index: u32) {
        let mut t = self.touched.borrow_mut();
        if !t.contains(&index) {
            t.push(index);
        }
    }
}

impl AccountStore for Recording<'_> {
    fn account_count(&self) -> u64 {
        self.inner.account_count()
    }
    fn account(&self, index: u32) -> Result<Option<Account>, Error> {
        if (index as u64) < self.inner.account_count() {
            self.note(index);
        }
        self.inner.account(index)
    }
    fn update(&mut self, index: u32, account: Account) -> Result<(), Error> {
        self.note(index);
        self.inner.update(index, account)
    }
    fn open(&mut self, account: Account) -> Result<(), Error> {
        self.note(self.inner.account_count() as u32);
        self.inner.open(account)
    }
}

impl BatchTrace {
    /// The ledger and withdrawals at position `pos` (1 ..= n - 1).
    fn replay_to<V: Verifier + ?Sized>(
        &self,
        verifier: &V,
        pos: u64,
    ) -> Result<(Ledger, WithdrawalList), Error> {
        let mut ledger = self.ledger.clone();
        let mut withdrawals = WithdrawalList::default();
        let steps = split_steps(&self.data);
        for j in 1..pos {
            self.apply_step(verifier, &steps, j, &mut ledger, &mut withdrawals)?;
        }
        Ok((ledger, withdrawals))
    }

    fn apply_step<S: AccountStore, V: Verifier + ?Sized>(
        &self,
        verifier: &V,
        steps: &[&[u8]],
        j: u64,
        accounts: &mut S,
        withdrawals: &mut WithdrawalList,
    ) -> Result<(), Error> {
        match self.ctx.step_kind(j)? {
            StepKind::Deposit { queue_index } => {
                let d = self.deposit(queue_index)?;
                apply_deposit(accounts, withdrawals, d)?;
            }
            StepKind::Tx { index } => {
                apply_tx(
                    accounts,
                    withdrawals,
                    &self.domain,
                    verifier,
                    steps[index as usize],
                )?;
            }
            StepKind::Open | StepKind::Close => {}
        }
        Ok(())
    }

    /// The queue entry `queue_index`, which the batch consumes.
    pub fn deposit(&self, queue_index: u64) -> Result<&Deposit, Error> {
        let offset = queue_index.wrapping_sub(self.ctx.deposits_from);
        self.deposits
            .get(offset as usize)
            .filter(|d| d.index == queue_index)
            .ok_or_else(|| {
                Error::malformed(
                    "batch trace",
                    alloc::format!("deposit {queue_index} is not among the batch's deposits"),
                )
            })
    }

    fn check_shape(&self) -> Result<(), Error> {
        let steps = split_steps(&self.data).len() as u64;
        if steps != self.ctx.tx_steps || self.deposits.len() as u64 != self.ctx.deposits {
            return Err(Error::malformed(
                "batch trace",
                alloc::format!(
                    "{} deposits and {steps} steps do not match the batch's {} and {}",
                    self.deposits.len(),
                    self.ctx.deposits,
                    self.ctx.tx_steps
                ),
            ));
        }
        Ok(())
    }

    /// The true root at every position `0..=n` (one replay).
    pub fn roots<V: Verifier + ?Sized>(&self, verifier: &V) -> Result<Vec<Hash>, Error> {
        self.check_shape()?;
        let n = self.ctx.steps();
        let mut roots = Vec::with_capacity(n as usize + 1);
        roots.push(self.ctx.parent.root());
        let mut ledger = self.ledger.clone();
        let mut withdrawals = WithdrawalList::default();
        let steps = split_steps(&self.data);
        let state = |l: &Ledger, w: &WithdrawalList| StepState {
            accounts_root: l.accounts_root(),
            account_count: l.account_count(),
            withdrawals_root: w.root(),
            withdrawal_count: w.withdrawal_count(),
        };
        roots.push(state(&ledger, &withdrawals).root());
        for j in 1..n - 1 {
            self.apply_step(verifier, &steps, j, &mut ledger, &mut withdrawals)?;
            roots.push(state(&ledger, &withdrawals).root());
        }
        roots.push(self.ctx.output(&state(&ledger, &withdrawals)).root());
        Ok(roots)
    }

    /// The one-step proof of step `step` (from position `step` to `step + 1`).
    pub fn proof<V: Verifier + ?Sized>(
        &self,
        verifier: &V,
        step: u64,
    ) -> Result<OneStepProof, Error> {
        self.check_shape()?;
        let kind = self.ctx.step_kind(step)?;
        if kind == StepKind::Open {
            return Ok(OneStepProof::Open {
                parent: match self.ctx.parent {
                    Parent::Genesis => None,
                    Parent::Output { .. } => Some(self.parent_preimage.ok_or_else(|| {
                        Error::malformed("batch trace", "the parent output preimage is missing")
                    })?),
                },
            });
        }
        let (ledger, withdrawals) = self.replay_to(verifier, step)?;
        let pre = StepState {
            accounts_root: ledger.accounts_root(),
            account_count: ledger.account_count(),
            withdrawals_root: withdrawals.root(),
            withdrawal_count: withdrawals.withdrawal_count(),
        };
        if kind == StepKind::Close {
            return Ok(OneStepProof::Close { pre });
        }
        // Run the step once on a scratch copy to learn what it touches.
        let mut scratch = ledger.clone();
        let mut scratch_w = withdrawals.clone();
        let mut rec = Recording {
            inner: &mut scratch,
            touched: RefCell::new(Vec::new()),
        };
        let steps = split_steps(&self.data);
        self.apply_step(verifier, &steps, step, &mut rec, &mut scratch_w)?;
        let mut touched = rec.touched.into_inner();
        touched.sort_unstable();
        let accounts = if touched.is_empty() {
            AccountWitness::default()
        } else {
            let indices: Vec<u64> = touched.iter().map(|&i| i as u64).collect();
            let mp = ledger.prove_many(&indices)?;
            AccountWitness {
                accounts: touched
                    .iter()
                    .map(|&i| Ok((i, ledger.account(i)?)))
                    .collect::<Result<_, Error>>()?,
                present: mp.present,
                hashes: mp.hashes,
            }
        };
        let withdrawal_slot = if scratch_w.withdrawal_count() > withdrawals.withdrawal_count() {
            Some(withdrawals.prove(withdrawals.withdrawal_count())?)
        } else {
            None
        };
        Ok(match kind {
            StepKind::Tx { index } => {
                let tree: MerkleTree = data_tree(&self.data);
                let p = tree.prove(index)?;
                OneStepProof::Tx {
                    pre,
                    tx: steps[index as usize].to_vec(),
                    tree_root: tree.root(),
                    tx_siblings: p.siblings,
                    accounts,
                    withdrawal_slot,
                }
            }
            // deposit (open and close returned above)
            _ => OneStepProof::Deposit {
                pre,
                accounts,
                withdrawal_slot,
            },
        })
    }
}

/// What an honest player does next in a game.
#[allow(clippy::large_enum_variant)] // made once per move, never stored in bulk
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HonestMove {
    Bisect {
        position: u64,
        root: Hash,
    },
    Choose {
        position: u64,
        agree: bool,
    },
    /// Settle the game: the proof yields the true root after `step`.
    Prove {
        step: u64,
        proof: OneStepProof,
    },
}

impl BatchTrace {
    /// The move an honest `side` makes in `game`, given this batch's true `roots`
    /// ([`BatchTrace::roots`]); `None` when it is not that side's move or when there is
    /// nothing honest to do (a game over, or a one-step phase whose agreed root is not
    /// the true one, which no proof can settle).
    pub fn honest_move<V: Verifier + ?Sized>(
        &self,
        verifier: &V,
        game: &Game,
        side: Side,
        roots: &[Hash],
    ) -> Result<Option<HonestMove>, Error> {
        let root_at = |p: u64| {
            roots.get(p as usize).copied().ok_or(Error::NoSuchPosition {
                position: p,
                steps: roots.len().saturating_sub(1) as u64,
            })
        };
        Ok(match (game.phase(), side) {
            (Phase::Bisect { position }, Side::Defender) => Some(HonestMove::Bisect {
                position,
                root: root_at(position)?,
            }),
            (Phase::Choose { position, root }, Side::Challenger) => Some(HonestMove::Choose {
                position,
                agree: root_at(position)? == root,
            }),
            // Either side may settle; it helps an honest side only when the proof starts
            // from the true root (then it yields the true root after the step).
            (Phase::OneStep { step }, _) if root_at(step)? == game.lo_root => {
                Some(HonestMove::Prove {
                    step,
                    proof: self.proof(verifier, step)?,
                })
            }
            _ => None,
        })
    }
}
