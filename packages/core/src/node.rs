//! An operator's view of one rollup: the ledger, a mirror of the L1 deposit queue, and
//! every applied batch with its withdrawals, so it can build the next batch's message and
//! the proof for any withdrawal. Proposers, watchers, tests and demos all use this.

use alloc::vec::Vec;

use crate::batch::{apply_batch, BatchResult};
use crate::crypto::Verifier;
use crate::error::Error;
use crate::hash::Hash;
use crate::inclusion::Queue;
use crate::ledger::{Deposit, Ledger, MAX_DEPOSITS_PER_BATCH, WITHDRAWAL_TREE_DEPTH};
use crate::tx::Domain;

/// What a proposer posts for a batch (the contract's `ProposeBatch` fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub index: u64,
    pub data: Vec<u8>,
    pub deposits_consumed: u64,
    pub output_root: Hash,
}

/// Everything the contract's `Withdraw` needs besides the batch index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalProof {
    pub batch: u64,
    pub index: u32,
    pub recipient: Vec<u8>,
    pub amount: u128,
    pub state_root: Hash,
    pub withdrawals_root: Hash,
    /// Compact proof bytes (2-byte bitmap, then non-default siblings).
    pub proof: Vec<u8>,
}

/// An operator's node.
#[derive(Debug, Clone)]
pub struct Node {
    pub domain: Domain,
    pub ledger: Ledger,
    deposits: Vec<Deposit>,
    cursor: u64,
    batches: Vec<BatchResult>,
    /// What each batch was applied to: the ledger before it, its first deposit, its data.
    inputs: Vec<BatchInput>,
}

/// What a batch was applied to, kept so its fraud-proof trace can be rebuilt.
#[derive(Debug, Clone)]
struct BatchInput {
    ledger_before: Ledger,
    deposits_from: u64,
    data: Vec<u8>,
}

impl Node {
    pub fn new(domain: Domain) -> Self {
        Node {
            domain,
            ledger: Ledger::new(),
            deposits: Vec::new(),
            cursor: 0,
            batches: Vec::new(),
            inputs: Vec::new(),
        }
    }

    /// Mirrors a deposit queued on L1. Deposits must arrive in queue order.
    pub fn observe_deposit(&mut self, deposit: Deposit) -> Result<(), Error> {
        let expected = self.deposits.len() as u64;
        if deposit.index != expected {
            return Err(Error::malformed(
                "deposit",
                alloc::format!(
                    "deposit {} observed where {expected} is next",
                    deposit.index
                ),
            ));
        }
        self.deposits.push(deposit);
        Ok(())
    }

    /// Follows the L1 deposit queue entry by entry: a deposit the node has not seen yet
    /// (the next index) is observed and `Ok(true)` returned; one it has already observed
    /// must be identical (`Ok(false)`). A different deposit at a known index, or an index
    /// past the next one, is an error: the node and the chain diverge.
    pub fn follow_deposit(&mut self, deposit: Deposit) -> Result<bool, Error> {
        match self.deposits.get(deposit.index as usize) {
            Some(known) if *known == deposit => Ok(false),
            Some(known) => Err(Error::malformed(
                "deposit",
                alloc::format!(
                    "deposit {} diverges: the node has {known:?}, the chain {deposit:?}",
                    deposit.index
                ),
            )),
            None => self.observe_deposit(deposit).map(|()| true),
        }
    }

    /// Every deposit observed so far, consumed or not, in queue order.
    pub fn deposits(&self) -> &[Deposit] {
        &self.deposits
    }

    /// Head of the deposit queue's hash chain over every observed deposit
    /// ([`Deposit::chain`] from [`crate::hash::ZERO_HASH`]): what the contract reports as
    /// its deposit head when both have the same deposits.
    pub fn deposit_head(&self) -> Hash {
        self.deposits
            .iter()
            .fold(crate::hash::ZERO_HASH, |head, d| d.chain(&head))
    }

    /// Deposits observed so far (consumed or not): the next one observed has this index.
    pub fn deposit_count(&self) -> u64 {
        self.deposits.len() as u64
    }

    /// Deposits queued and not yet consumed by a batch.
    pub fn pending_deposits(&self) -> &[Deposit] {
        &self.deposits[self.cursor as usize..]
    }

    /// Applies `data` after consuming every pending deposit (up to the per-batch limit)
    /// and returns what to post. The contract accepts this many at any time, however
    /// many deposits are overdue ([`crate::inclusion::Queue::most`]): a backlog drains a
    /// full batch at a time.
    pub fn propose<V: Verifier + ?Sized>(
        &mut self,
        verifier: &V,
        data: Vec<u8>,
    ) -> Result<Proposal, Error> {
        let take = self.queue().most();
        self.propose_with(verifier, data, take)
    }

    /// The deposit queue as the contract sees it (without times, which the node does not
    /// mirror; `delay` 0 and no rewind).
    fn queue(&self) -> Queue {
        Queue {
            cursor: self.cursor,
            count: self.deposits.len() as u64,
            delay: 0,
            rewound_at: None,
        }
    }

    /// As [`Node::propose`], consuming exactly `deposits_consumed` pending deposits.
    pub fn propose_with<V: Verifier + ?Sized>(
        &mut self,
        verifier: &V,
        data: Vec<u8>,
        deposits_consumed: u64,
    ) -> Result<Proposal, Error> {
        if deposits_consumed > MAX_DEPOSITS_PER_BATCH {
            // the contract's limit: such a batch could never be posted
            return Err(Error::TooManyDeposits {
                consumed: deposits_consumed,
                max: MAX_DEPOSITS_PER_BATCH,
            });
        }
        let from = self.cursor as usize;
        let to = from
            .checked_add(deposits_consumed as usize)
            .filter(|&t| t <= self.deposits.len())
            .ok_or_else(|| {
                Error::malformed(
                    "batch",
                    alloc::format!(
                        "{deposits_consumed} deposits requested, {} pending",
                        self.deposits.len() - from
                    ),
                )
            })?;
        let index = self.batches.len() as u64;
        let mut ledger = self.ledger.clone();
        let result = apply_batch(
            &mut ledger,
            &self.domain,
            verifier,
            index,
            self.cursor,
            &self.deposits[from..to],
            &data,
        )?;
        let ledger_before = core::mem::replace(&mut self.ledger, ledger);
        self.inputs.push(BatchInput {
            ledger_before,
            deposits_from: self.cursor,
            data: data.clone(),
        });
        self.cursor = to as u64;
        let output_root = result.output.root();
        self.batches.push(result);
        Ok(Proposal {
            index,
            data,
            deposits_consumed,
            output_root,
        })
    }

    /// Forgets batch `index` and every later one, as the chain does when a fraud proof
    /// removes them: the ledger and the deposit cursor go back to before batch `index`.
    pub fn roll_back(&mut self, index: u64) -> Result<(), Error> {
        let input = self
            .inputs
            .get(index as usize)
            .ok_or(Error::NoSuchBatch {
                index,
                count: self.batch_count(),
            })?
            .clone();
        self.ledger = input.ledger_before;
        self.cursor = input.deposits_from;
        self.batches.truncate(index as usize);
        self.inputs.truncate(index as usize);
        Ok(())
    }

    /// The batch context the chain derives for batch `index` (its parent as this node
    /// computed it).
    pub fn batch_context(&self, index: u64) -> Result<crate::dispute::BatchContext, Error> {
        let b = self.batch_result(index)?;
        let input = &self.inputs[index as usize];
        let parent = match index.checked_sub(1) {
            None => crate::dispute::Parent::Genesis,
            Some(p) => {
                let o = &self.batches[p as usize].output;
                crate::dispute::Parent::Output {
                    output_root: o.root(),
                    deposit_cursor: o.deposit_cursor,
                    data_root: o.data_root,
                }
            }
        };
        Ok(crate::dispute::BatchContext {
            batch_index: index,
            parent,
            deposits_from: input.deposits_from,
            deposits: b.deposit_effects.len() as u64,
            tx_steps: b.tx_effects.len() as u64,
            data_root: b.output.data_root,
        })
    }

    /// The replay of batch `index` that answers every move of a game on it.
    pub fn trace(&self, index: u64) -> Result<crate::dispute::trace::BatchTrace, Error> {
        let ctx = self.batch_context(index)?;
        let input = &self.inputs[index as usize];
        let from = input.deposits_from as usize;
        Ok(crate::dispute::trace::BatchTrace {
            ctx,
            domain: self.domain,
            parent_preimage: index.checked_sub(1).map(|p| {
                let o = &self.batches[p as usize].output;
                (o.state_root, o.withdrawals_root)
            }),
            ledger: input.ledger_before.clone(),
            deposits: self.deposits[from..from + ctx.deposits as usize].to_vec(),
            data: input.data.clone(),
        })
    }

    /// A transfer signed for this rollup's domain.
    #[cfg(feature = "native")]
    pub fn sign_transfer(
        &self,
        key: &crate::crypto::L2Key,
        from: u32,
        to: u32,
        amount: u128,
        nonce: u64,
    ) -> crate::tx::SignedTx {
        let body = crate::tx::TxBody::Transfer(crate::tx::Transfer {
            from,
            to,
            amount,
            nonce,
        });
        crate::tx::SignedTx::sign(body, &self.domain, key)
    }

    /// A withdrawal to `recipient` (canonical L1 address bytes) signed for this rollup.
    #[cfg(feature = "native")]
    pub fn sign_withdrawal(
        &self,
        key: &crate::crypto::L2Key,
        from: u32,
        recipient: Vec<u8>,
        amount: u128,
        nonce: u64,
    ) -> crate::tx::SignedTx {
        let body = crate::tx::TxBody::Withdraw(crate::tx::Withdraw {
            from,
            amount,
            nonce,
            recipient,
        });
        crate::tx::SignedTx::sign(body, &self.domain, key)
    }

    /// The result of applying batch `index`.
    pub fn batch(&self, index: u64) -> Option<&BatchResult> {
        self.batches.get(index as usize)
    }

    /// [`Node::batch`], or [`Error::NoSuchBatch`].
    pub fn batch_result(&self, index: u64) -> Result<&BatchResult, Error> {
        self.batch(index).ok_or(Error::NoSuchBatch {
            index,
            count: self.batch_count(),
        })
    }

    pub fn batch_count(&self) -> u64 {
        self.batches.len() as u64
    }

    /// The proof that pays withdrawal `index` of batch `batch` on L1.
    pub fn withdrawal_proof(&self, batch: u64, index: u32) -> Result<WithdrawalProof, Error> {
        let b = self.batch_result(batch)?;
        let w = b
            .withdrawals
            .items
            .get(index as usize)
            .ok_or(Error::IndexOutOfRange {
                index: index as u64,
                len: b.withdrawals.items.len() as u64,
            })?;
        Ok(WithdrawalProof {
            batch,
            index,
            recipient: w.recipient.clone(),
            amount: w.amount,
            state_root: b.output.state_root,
            withdrawals_root: b.output.withdrawals_root,
            proof: b
                .withdrawals
                .prove(index as u64)?
                .to_bytes(WITHDRAWAL_TREE_DEPTH),
        })
    }
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;
    use crate::crypto::{L2Key, NativeVerifier};
    use crate::ledger::{DepositTarget, Withdrawal};
    use crate::smt::{verify, CompactProof};
    use crate::tx::{SignedTx, TxBody, Withdraw};

    #[test]
    fn deposits_then_withdrawal_proof_verifies() {
        let domain = Domain::new("c", "r");
        let mut node = Node::new(domain);
        let key = L2Key::from_label("u");
        node.observe_deposit(Deposit {
            index: 0,
            target: DepositTarget::NewAccount(key.public_key()),
            amount: 50,
            refund_to: vec![1; 20],
        })
        .unwrap();
        assert!(node
            .observe_deposit(Deposit {
                index: 5,
                target: DepositTarget::Account(0),
                amount: 1,
                refund_to: vec![]
            })
            .is_err());
        let w = SignedTx::sign(
            TxBody::Withdraw(Withdraw {
                from: 0,
                amount: 20,
                nonce: 0,
                recipient: vec![2; 20],
            }),
            &domain,
            &key,
        );
        let p = node.propose(&NativeVerifier, w.encode()).unwrap();
        assert_eq!(p.deposits_consumed, 1);
        let proof = node.withdrawal_proof(0, 0).unwrap();
        let leaf = Withdrawal {
            recipient: vec![2; 20],
            amount: 20,
        }
        .leaf();
        let cp = CompactProof::from_bytes(WITHDRAWAL_TREE_DEPTH, &proof.proof).unwrap();
        assert_eq!(
            verify(
                WITHDRAWAL_TREE_DEPTH,
                &proof.withdrawals_root,
                0,
                &leaf,
                &cp
            ),
            Ok(())
        );
        assert!(node.withdrawal_proof(0, 1).is_err());
        assert_eq!(
            node.withdrawal_proof(3, 0),
            Err(Error::NoSuchBatch { index: 3, count: 1 })
        );
        assert!(node.propose_with(&NativeVerifier, vec![], 1).is_err());
    }

    /// Following the queue: a known deposit again is fine, a new one is observed, a
    /// different one at a known index or a gap is an error; the head chains them all.
    #[test]
    fn following_the_deposit_queue_refuses_a_divergence() {
        let mut node = Node::new(Domain::new("c", "r"));
        let d = |index, amount| Deposit {
            index,
            target: DepositTarget::Account(0),
            amount,
            refund_to: vec![1; 20],
        };
        assert_eq!(node.deposit_head(), crate::hash::ZERO_HASH);
        assert_eq!(node.follow_deposit(d(0, 5)), Ok(true));
        assert_eq!(node.follow_deposit(d(0, 5)), Ok(false));
        assert!(node.follow_deposit(d(0, 6)).is_err());
        assert!(node.follow_deposit(d(2, 5)).is_err());
        assert_eq!(node.follow_deposit(d(1, 7)), Ok(true));
        assert_eq!(node.deposits(), &[d(0, 5), d(1, 7)]);
        let head = d(1, 7).chain(&d(0, 5).chain(&crate::hash::ZERO_HASH));
        assert_eq!(node.deposit_head(), head);
    }

    /// F1: a backlog larger than a batch drains a full batch at a time (the size the
    /// contract accepts however many deposits are overdue); more than a batch is refused.
    #[test]
    fn f1_the_node_drains_a_backlog_a_full_batch_at_a_time() {
        let mut node = Node::new(Domain::new("c", "r"));
        for index in 0..MAX_DEPOSITS_PER_BATCH + 1 {
            node.observe_deposit(Deposit {
                index,
                target: DepositTarget::Account(0),
                amount: 1,
                refund_to: vec![1; 20],
            })
            .unwrap();
        }
        assert_eq!(
            node.clone()
                .propose_with(&NativeVerifier, vec![], MAX_DEPOSITS_PER_BATCH + 1),
            Err(Error::TooManyDeposits {
                consumed: MAX_DEPOSITS_PER_BATCH + 1,
                max: MAX_DEPOSITS_PER_BATCH
            })
        );
        let first = node.propose(&NativeVerifier, vec![]).unwrap();
        assert_eq!(first.deposits_consumed, MAX_DEPOSITS_PER_BATCH);
        let second = node.propose(&NativeVerifier, vec![]).unwrap();
        assert_eq!(second.deposits_consumed, 1);
        assert!(node.pending_deposits().is_empty());
    }
}
