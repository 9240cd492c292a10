//! The operator's round: follow the chain, account for every submitted transaction, build
//! the next batch from the pending ones with the core, post it.
//!
//! The chain is the only source of the L2 state: a batch this operator posts is applied
//! to its node when the [`Follower`] reads it back from the chain, like anyone else's. So a
//! crash at any point loses nothing:
//! - before the post: the transactions are still pending in the store; the next round
//!   builds them again;
//! - after the post, before the store records it: the next round's sync finds the batch on
//!   chain and marks its transactions posted (by their ids in the posted data);
//! - while a post is in flight (broadcast, not yet in a block): the store keeps the batch
//!   index it was for, and no round builds another batch until the chain has that index or
//!   the post is given up after [`IN_FLIGHT_GRACE`].
//!
//! A transaction leaves the pending set only into a batch the chain holds, or refused with
//! the core's reason (a used nonce, a bad signature, a short balance...). One whose nonce
//! is ahead of its account's waits for the ones before it.

use std::time::Duration;

use settle_client::{Client, Wallet};
use settle_core::batch::{encode_batch, split_steps};
use settle_core::crypto::NativeVerifier;
use settle_core::ledger::{NoOp, TxEffect};
use settle_core::tx::SignedTx;

use crate::follow::{Follower, Synced};
use crate::store::{PendingTx, Store};
use crate::Error;

/// How long a broadcast post may stay unseen on chain before the operator builds again.
pub const IN_FLIGHT_GRACE: Duration = Duration::from_secs(120);

/// The store key of a post in flight: `"<batch index> <unix seconds>"`.
const IN_FLIGHT: &str = "in_flight";

/// The most transactions a batch takes from the pending set.
pub const MAX_BATCH_TXS: u32 = 1_000;

/// What a round did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// What the chain showed since the last round.
    pub synced: Synced,
    /// Transactions found in batches on chain and marked posted.
    pub confirmed: u64,
    /// Transactions of removed batches put back to pending.
    pub reopened: u64,
    /// Transactions refused this round, with their reasons.
    pub refused: Vec<(String, String)>,
    /// The batch posted this round: its index, transactions and the chain tx's hash.
    pub posted: Option<(u64, usize, String)>,
    /// Batches this round finalized (their windows had passed with no game open).
    pub finalized: Vec<u64>,
}

/// The most batches one round finalizes (each is a transaction).
pub const MAX_FINALIZE_PER_ROUND: usize = 8;

/// An operator of one optimistic rollup.
pub struct Operator {
    pub client: Client,
    pub wallet: Wallet,
    pub follower: Follower,
    pub store: Store,
    pub max_batch_txs: u32,
}

use crate::unix_now as now;

/// Whether a transaction that is a no-op now may apply later (its nonce is ahead).
fn may_apply_later(no_op: &NoOp) -> bool {
    matches!(no_op, NoOp::BadNonce { expected, got } if got > expected)
}

/// The ids of the transactions in posted batch data (undecodable steps have none).
pub fn tx_ids(data: &[u8]) -> Vec<String> {
    split_steps(data)
        .into_iter()
        .filter_map(|step| SignedTx::decode(step).ok())
        .map(|tx| hex::encode(tx.id()))
        .collect()
}

/// Submission order across accounts (a transfer received may fund the next one sent),
/// nonce order within each account: an account's transactions keep the places they were
/// submitted in, filled in nonce order.
fn nonce_order(mut txs: Vec<PendingTx>) -> Vec<PendingTx> {
    let mut by_account: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for (i, t) in txs.iter().enumerate() {
        by_account.entry(t.account).or_default().push(i);
    }
    for places in by_account.values() {
        let mut own: Vec<PendingTx> = places.iter().map(|&i| txs[i].clone()).collect();
        own.sort_by_key(|t| t.nonce);
        for (&i, t) in places.iter().zip(own) {
            txs[i] = t;
        }
    }
    txs
}

impl Operator {
    /// One round: sync, account, build, post.
    pub async fn round(&mut self) -> Result<Round, Error> {
        let mut round = Round {
            synced: self.follower.sync(&self.client).await?,
            ..Round::default()
        };
        let t = now();
        if let Some(from) = round.synced.rolled_back_from {
            round.reopened = self.store.unpost_from(from, t).await?;
        }
        for (batch, data) in &round.synced.applied {
            let ids = tx_ids(data);
            round.confirmed += ids.len() as u64;
            self.store.mark_posted(&ids, *batch, t).await?;
        }
        round.finalized = self.finalize_due(t).await?;
        // A post in flight: wait for the chain to show it (or give it up).
        let next = self.follower.node.batch_count();
        if let Some(v) = self.store.meta(IN_FLIGHT).await? {
            let (index, since) = v
                .split_once(' ')
                .and_then(|(i, s)| Some((i.parse::<u64>().ok()?, s.parse::<u64>().ok()?)))
                .ok_or_else(|| Error::Store(format!("unreadable {IN_FLIGHT} record {v:?}")))?;
            if next <= index && t < since + IN_FLIGHT_GRACE.as_secs() {
                return Ok(round);
            }
            self.store.set_meta(IN_FLIGHT, None).await?;
        }
        let Some((txs, data)) = self.build(&mut round).await? else {
            return Ok(round);
        };
        crate::service::test_pause_point("built").await;
        // The batch is built on the node's state: it is the chain's next batch.
        let proposal = {
            let mut trial = self.follower.node.clone();
            trial.propose(&NativeVerifier, data)?
        };
        self.store
            .set_meta(IN_FLIGHT, Some(&format!("{} {t}", proposal.index)))
            .await?;
        crate::service::test_pause_point("before_post").await;
        let msg = optimistic_rollup::msg::ExecuteMsg::ProposeBatch {
            data: cosmwasm_std::Binary::new(proposal.data.clone()),
            deposits_consumed: proposal.deposits_consumed,
            output_root: cosmwasm_std::Binary::from(proposal.output_root.as_slice()),
        };
        let out = match self
            .client
            .execute(&self.wallet, &self.follower.contract, &msg, &[])
            .await
        {
            Ok(out) => out,
            // Refused before any broadcast: nothing is in flight.
            Err(
                e @ (settle_client::Error::Simulate { .. } | settle_client::Error::CheckTx { .. }),
            ) => {
                self.store.set_meta(IN_FLIGHT, None).await?;
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        crate::service::test_pause_point("after_post").await;
        let ids: Vec<String> = txs.iter().map(|t| t.hash.clone()).collect();
        self.store.mark_posted(&ids, proposal.index, now()).await?;
        self.store.set_meta(IN_FLIGHT, None).await?;
        round.posted = Some((proposal.index, ids.len(), out.hash));
        Ok(round)
    }

    /// Finalizes, in order, the batches whose challenge window has passed (local clock)
    /// with no game open: anyone may, the operator does it so that withdrawals become
    /// payable. A batch the contract still refuses (its clock a little behind ours) is
    /// tried again next round.
    async fn finalize_due(&mut self, t: u64) -> Result<Vec<u64>, Error> {
        use optimistic_rollup::msg::{
            BatchResponse, BatchStatus, ExecuteMsg, QueryMsg, StatusResponse,
        };
        let contract = self.follower.contract.clone();
        let status: StatusResponse = self.client.query(&contract, &QueryMsg::Status {}).await?;
        let mut done = Vec::new();
        for batch in (status.finalized..status.next_batch).take(MAX_FINALIZE_PER_ROUND) {
            let record: BatchResponse = self
                .client
                .query(&contract, &QueryMsg::Batch { batch })
                .await?;
            if record.status != BatchStatus::Proposed
                || record.open_games > 0
                || t < record.finalizes_at
            {
                break;
            }
            match self
                .client
                .execute(
                    &self.wallet,
                    &contract,
                    &ExecuteMsg::Finalize { batch },
                    &[],
                )
                .await
            {
                Ok(_) => done.push(batch),
                Err(
                    settle_client::Error::Simulate { .. } | settle_client::Error::CheckTx { .. },
                ) => break,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(done)
    }

    /// The next batch: the pending transactions that apply, in order, and its data;
    /// `None` when there is nothing to post (no transaction, no pending deposit). Refuses,
    /// in the store, every pending transaction that can never apply.
    async fn build(
        &mut self,
        round: &mut Round,
    ) -> Result<Option<(Vec<PendingTx>, Vec<u8>)>, Error> {
        let mut txs = nonce_order(self.store.pending(self.max_batch_txs).await?);
        loop {
            let mut decoded = Vec::with_capacity(txs.len());
            let mut keep = Vec::with_capacity(txs.len());
            for t in txs {
                match SignedTx::decode(&t.bytes) {
                    Ok(tx) => {
                        decoded.push(tx);
                        keep.push(t);
                    }
                    Err(e) => {
                        let reason = format!("undecodable: {e}");
                        self.store.mark_refused(&t.hash, &reason, now()).await?;
                        round.refused.push((t.hash, reason));
                    }
                }
            }
            txs = keep;
            if txs.is_empty() && self.follower.node.pending_deposits().is_empty() {
                return Ok(None);
            }
            let data = encode_batch(&decoded);
            let mut trial = self.follower.node.clone();
            let trial_batch = trial.propose(&NativeVerifier, data.clone())?.index;
            let effects = &trial
                .batch(trial_batch)
                .ok_or_else(|| Error::Chain("the trial batch is missing".into()))?
                .tx_effects;
            // Drop what does not apply: refused for good, or left pending for later.
            let mut dropped = false;
            let mut next = Vec::with_capacity(txs.len());
            for (t, effect) in txs.into_iter().zip(effects) {
                match effect {
                    TxEffect::NoOp(n) if may_apply_later(n) => dropped = true,
                    TxEffect::NoOp(n) => {
                        let reason = n.to_string();
                        self.store.mark_refused(&t.hash, &reason, now()).await?;
                        round.refused.push((t.hash, reason));
                        dropped = true;
                    }
                    _ => next.push(t),
                }
            }
            if !dropped {
                return Ok(Some((next, data)));
            }
            // Removing one can change what a later one of the same account does: again.
            txs = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(hash: &str, account: u32, nonce: u64) -> PendingTx {
        PendingTx {
            hash: hash.into(),
            bytes: vec![],
            account,
            nonce,
        }
    }

    #[test]
    fn accounts_keep_their_places_filled_in_nonce_order() {
        let order = nonce_order(vec![
            tx("a2", 1, 2),
            tx("b0", 2, 0),
            tx("a0", 1, 0),
            tx("c5", 3, 5),
            tx("a1", 1, 1),
        ]);
        let hashes: Vec<&str> = order.iter().map(|t| t.hash.as_str()).collect();
        assert_eq!(hashes, ["a0", "b0", "a1", "c5", "a2"]);
    }

    #[test]
    fn only_a_nonce_ahead_waits() {
        assert!(may_apply_later(&NoOp::BadNonce {
            expected: 1,
            got: 3
        }));
        assert!(!may_apply_later(&NoOp::BadNonce {
            expected: 3,
            got: 1
        }));
        assert!(!may_apply_later(&NoOp::BadSignature));
        assert!(!may_apply_later(&NoOp::InsufficientBalance {
            balance: 1,
            amount: 2
        }));
    }
}
