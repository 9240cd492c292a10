//! Following an optimistic rollup from chain data alone: the contract's queries (its
//! status, deposit queue and batch records) and the transactions that posted each batch's
//! data (the data is only in those transactions). From them an operator's `Node` is
//! rebuilt and kept in step: every deposit, by anyone (an account or another contract),
//! every posted batch, every removal by a fraud proof. What it cannot match is an error,
//! never skipped: a batch whose posted data is not found, or whose data does not hash to the
//! root the contract recorded.
//!
//! The operator resumes from it after a restart, the escape hatch rebuilds the state a
//! censoring operator withholds, and the challenger compares every claimed root with the
//! one it computes.

use std::collections::BTreeMap;

use optimistic_rollup::msg::{
    BatchResponse, ConfigResponse, DepositsResponse, ExecuteMsg, QueryMsg, StatusResponse,
};
use settle_client::{Client, FoundTx};
use settle_core::batch::data_root;
use settle_core::crypto::NativeVerifier;
use settle_core::hash::Hash;
use settle_core::ledger::Deposit;
use settle_core::node::Node;
use settle_core::tx::Domain;

use crate::Error;

/// Deposits asked for per query (the contract's page limit).
const DEPOSIT_PAGE: u32 = 100;

/// The event the rollup emits, as wasmd names it (`wasm-` + the contract's event type).
const ROLLUP_EVENT: &str = "wasm-rollup";

/// A batch whose claimed output root is not the one the posted data gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    pub batch: u64,
    pub claimed: Hash,
    pub computed: Hash,
    pub proposer: String,
}

/// What one [`Follower::sync`] changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Synced {
    /// Deposits newly mirrored.
    pub deposits: u64,
    /// Batches newly applied.
    pub batches: u64,
    /// The first batch removed by a fraud proof since the last sync, if any.
    pub rolled_back_from: Option<u64>,
    /// Batches applied in this sync whose claimed root is wrong.
    pub divergences: Vec<Divergence>,
    /// `(index, posted data)` of every batch applied in this sync.
    pub applied: Vec<(u64, Vec<u8>)>,
}

/// A node kept in step with one rollup contract.
pub struct Follower {
    pub contract: String,
    pub node: Node,
    /// Batch data found on chain and not yet applied, by batch index (a later posting of
    /// an index, after a removal, replaces an earlier one).
    found: BTreeMap<u64, Vec<u8>>,
    /// Transactions above this height are searched for batch data.
    searched_to: u64,
    /// Claimed output root of every applied batch.
    claimed: Vec<Hash>,
}

fn hash32(what: &str, bytes: &[u8]) -> Result<Hash, Error> {
    bytes
        .try_into()
        .map_err(|_| Error::Chain(format!("{what} is {} bytes, not 32", bytes.len())))
}

impl Follower {
    /// A follower of `contract` with an empty node in the contract's domain (read from
    /// its config). Fails if `contract` does not answer as an optimistic rollup.
    pub async fn new(client: &Client, contract: &str) -> Result<Follower, Error> {
        let config: ConfigResponse =
            client
                .query(contract, &QueryMsg::Config {})
                .await
                .map_err(|e| {
                    Error::Config(format!(
                        "{contract} does not answer as an optimistic rollup: {e}"
                    ))
                })?;
        let domain = Domain(hash32("the domain", config.domain.as_slice())?);
        Ok(Follower {
            contract: contract.to_string(),
            node: Node::new(domain),
            found: BTreeMap::new(),
            searched_to: 0,
            claimed: Vec::new(),
        })
    }

    /// The output root the proposer of `batch` claimed.
    pub fn claimed_root(&self, batch: u64) -> Option<Hash> {
        self.claimed.get(batch as usize).copied()
    }

    /// Brings the node to the chain's latest state.
    pub async fn sync(&mut self, client: &Client) -> Result<Synced, Error> {
        let mut out = Synced::default();
        let status: StatusResponse = client.query(&self.contract, &QueryMsg::Status {}).await?;
        // Removals: the chain has fewer batches than the node (a fraud proof removed a batch
        // and every later one).
        if self.node.batch_count() > status.next_batch {
            self.node.roll_back(status.next_batch)?;
            self.claimed.truncate(status.next_batch as usize);
            out.rolled_back_from = Some(status.next_batch);
        }
        // Deposits, in queue order, whoever made them.
        let mut seen = self.node.deposit_count();
        while seen < status.deposit_count {
            let page: DepositsResponse = client
                .query(
                    &self.contract,
                    &QueryMsg::Deposits {
                        start_after: seen.checked_sub(1),
                        limit: Some(DEPOSIT_PAGE),
                    },
                )
                .await?;
            if page.deposits.is_empty() {
                return Err(Error::Chain(format!(
                    "the contract counts {} deposits but lists none after {seen}",
                    status.deposit_count
                )));
            }
            for d in page.deposits {
                let refund_to = canonical(d.depositor.as_str())?;
                self.node.observe_deposit(Deposit {
                    index: d.deposit,
                    target: d.target.target()?,
                    amount: d.amount.u128(),
                    refund_to,
                })?;
                seen += 1;
                out.deposits += 1;
            }
        }
        // Batches: each one's data from the transaction that posted it.
        if self.node.batch_count() < status.next_batch {
            let txs = client
                .contract_txs(&self.contract, self.searched_to)
                .await?;
            // The next search starts at the last block found, not at the node's height:
            // the transaction index may lag the latest block, and a block searched before
            // it was indexed must be searched again.
            if let Some(last) = txs.last() {
                self.searched_to = last.height.saturating_sub(1);
            }
            for tx in &txs {
                for (index, data) in posted_batches(tx, &self.contract)? {
                    self.found.insert(index, data);
                }
            }
        }
        while self.node.batch_count() < status.next_batch {
            let index = self.node.batch_count();
            let record: BatchResponse = client
                .query(&self.contract, &QueryMsg::Batch { batch: index })
                .await?;
            let data = self.found.remove(&index).ok_or_else(|| {
                Error::Chain(format!(
                    "batch {index}: no transaction found that posted its data"
                ))
            })?;
            let root = hash32("a data root", record.data_root.as_slice())?;
            if data_root(&data) != root {
                return Err(Error::Chain(format!(
                    "batch {index}: the data found does not hash to the recorded data root {}",
                    hex::encode(root)
                )));
            }
            let consumed = record
                .deposits_to
                .checked_sub(record.deposits_from)
                .ok_or_else(|| Error::Chain(format!("batch {index}: deposit range reversed")))?;
            let applied = self
                .node
                .propose_with(&NativeVerifier, data.clone(), consumed)?;
            out.applied.push((index, data));
            let claimed = hash32("an output root", record.output_root.as_slice())?;
            if applied.output_root != claimed {
                out.divergences.push(Divergence {
                    batch: index,
                    claimed,
                    computed: applied.output_root,
                    proposer: record.proposer.to_string(),
                });
            }
            self.claimed.push(claimed);
            out.batches += 1;
        }
        Ok(out)
    }
}

/// Bech32 address → the canonical bytes the contract stores.
pub fn canonical(address: &str) -> Result<Vec<u8>, Error> {
    let id: settle_client::cosmrs::AccountId = address
        .parse()
        .map_err(|e| Error::Chain(format!("address {address}: {e}")))?;
    Ok(id.to_bytes())
}

/// The `(batch index, data)` of every `propose_batch` a transaction made to `contract`:
/// its top-level calls in order, paired with the rollup's `propose_batch` events in order.
fn posted_batches(tx: &FoundTx, contract: &str) -> Result<Vec<(u64, Vec<u8>)>, Error> {
    let mut data: Vec<Vec<u8>> = Vec::new();
    for call in tx.calls.iter().filter(|c| c.contract == contract) {
        if let Ok(ExecuteMsg::ProposeBatch { data: d, .. }) =
            serde_json::from_slice::<ExecuteMsg>(&call.msg)
        {
            data.push(d.to_vec());
        }
    }
    let indices: Vec<u64> = tx
        .events
        .iter()
        .filter(|e| e.kind == ROLLUP_EVENT)
        .filter(|e| {
            e.attributes
                .iter()
                .any(|(k, v)| k == "_contract_address" && v == contract)
                && e.attributes
                    .iter()
                    .any(|(k, v)| k == "action" && v == "propose_batch")
        })
        .filter_map(|e| {
            e.attributes
                .iter()
                .find(|(k, _)| k == "index")
                .and_then(|(_, v)| v.parse().ok())
        })
        .collect();
    if indices.len() != data.len() {
        // A batch posted through another contract: its data is not in a top-level message.
        return Err(Error::Chain(format!(
            "tx {}: {} batches posted but {} propose_batch messages readable",
            tx.hash,
            indices.len(),
            data.len()
        )));
    }
    Ok(indices.into_iter().zip(data).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use settle_client::{ContractCall, Event};

    const ROLLUP: &str = "wasm1rollup";

    fn propose(data: &[u8]) -> ContractCall {
        let msg = ExecuteMsg::ProposeBatch {
            data: cosmwasm_std::Binary::new(data.to_vec()),
            deposits_consumed: 0,
            output_root: cosmwasm_std::Binary::from([7u8; 32].as_slice()),
        };
        ContractCall {
            sender: "wasm1proposer".into(),
            contract: ROLLUP.into(),
            msg: serde_json::to_vec(&msg).unwrap(),
            funds: vec![],
        }
    }

    fn event(contract: &str, action: &str, index: u64) -> Event {
        Event {
            kind: ROLLUP_EVENT.into(),
            attributes: vec![
                ("_contract_address".into(), contract.into()),
                ("action".into(), action.into()),
                ("index".into(), index.to_string()),
            ],
        }
    }

    fn tx(calls: Vec<ContractCall>, events: Vec<Event>) -> FoundTx {
        FoundTx {
            hash: "AB".into(),
            height: 5,
            index: 0,
            events,
            calls,
        }
    }

    #[test]
    fn each_posted_batch_is_paired_with_its_index() {
        let t = tx(
            vec![propose(b"one"), propose(b"two")],
            vec![
                event(ROLLUP, "propose_batch", 3),
                event("wasm1other", "propose_batch", 9),
                event(ROLLUP, "finalize", 1),
                event(ROLLUP, "propose_batch", 4),
            ],
        );
        assert_eq!(
            posted_batches(&t, ROLLUP).unwrap(),
            vec![(3, b"one".to_vec()), (4, b"two".to_vec())]
        );
    }

    #[test]
    fn a_batch_posted_through_another_contract_is_an_error_not_a_gap() {
        // The rollup's event is there, but the top-level message went to another contract.
        let mut call = propose(b"one");
        call.contract = "wasm1router".into();
        let t = tx(vec![call], vec![event(ROLLUP, "propose_batch", 0)]);
        let err = posted_batches(&t, ROLLUP).unwrap_err().to_string();
        assert!(err.contains("1 batches posted but 0"), "{err}");
    }

    #[test]
    fn other_messages_to_the_rollup_carry_no_batch() {
        let bond = ContractCall {
            msg: br#"{"bond":{}}"#.to_vec(),
            ..propose(b"")
        };
        let t = tx(vec![bond], vec![event(ROLLUP, "bond", 0)]);
        assert!(posted_batches(&t, ROLLUP).unwrap().is_empty());
    }
}
