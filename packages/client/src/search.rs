//! Reading a contract's history back from the chain: the transactions that executed it,
//! with the messages they carried (the posted data a rollup's state is rebuilt from lives
//! only there) and the events they emitted. Through CometBFT's `tx_search`, which needs the
//! node's transaction indexer (`indexer = "kv"`, wasmd's default).

use cosmrs::cosmwasm::MsgExecuteContract;
use cosmrs::rpc::query::Query;
use cosmrs::rpc::{Client as _, Order};
use cosmrs::tx::Msg;
use cosmrs::Tx;
use serde::Serialize;

use crate::{brief, events_of, Client, Error, Event};

/// Transactions per `tx_search` page (CometBFT's largest).
const PER_PAGE: u8 = 100;

/// A successful transaction that executed a contract.
#[derive(Clone, Debug, Serialize)]
pub struct FoundTx {
    /// Upper-case hex, as CometBFT prints it.
    pub hash: String,
    pub height: u64,
    /// Its position in the block.
    pub index: u32,
    pub events: Vec<Event>,
    /// Its top-level `MsgExecuteContract`s, in order (a contract executed by another
    /// contract shows in `events` only).
    pub calls: Vec<ContractCall>,
}

/// One `MsgExecuteContract` of a transaction.
#[derive(Clone, Debug, Serialize)]
pub struct ContractCall {
    pub sender: String,
    pub contract: String,
    /// The message's JSON bytes, as signed.
    pub msg: Vec<u8>,
    /// Coins attached: (amount, denom).
    pub funds: Vec<(u128, String)>,
}

impl Client {
    /// The code id `contract` runs (x/wasm's contract info).
    pub async fn code_id_of(&self, contract: &str) -> Result<u64, Error> {
        use cosmrs::proto::cosmwasm::wasm::v1::{
            QueryContractInfoRequest, QueryContractInfoResponse,
        };
        let res: QueryContractInfoResponse = self
            .abci(
                "/cosmwasm.wasm.v1.Query/ContractInfo",
                QueryContractInfoRequest {
                    address: contract.to_string(),
                },
            )
            .await?;
        res.contract_info
            .map(|i| i.code_id)
            .ok_or_else(|| Error::Missing(format!("no contract info for {contract}")))
    }

    /// Every successful transaction at a height above `after_height` that executed
    /// `contract` (directly or through another contract), oldest first.
    pub async fn contract_txs(
        &self,
        contract: &str,
        after_height: u64,
    ) -> Result<Vec<FoundTx>, Error> {
        let query = Query::default()
            .and_eq("execute._contract_address", contract)
            .and_gt("tx.height", after_height);
        let mut found = Vec::new();
        let mut page = 1u32;
        loop {
            let q = query.clone();
            let res = crate::retry(&format!("tx_search {q}"), || {
                self.rpc
                    .tx_search(q.clone(), false, page, PER_PAGE, Order::Ascending)
            })
            .await?;
            let total = res.total_count as usize;
            let got = res.txs.len();
            for t in res.txs {
                if t.tx_result.code.is_err() {
                    continue;
                }
                found.push(FoundTx {
                    hash: t.hash.to_string(),
                    height: t.height.value(),
                    index: t.index,
                    events: events_of(&t.tx_result.events),
                    calls: calls_of(&t.tx)?,
                });
            }
            if got == 0 || (page as usize) * (PER_PAGE as usize) >= total {
                break;
            }
            page += 1;
        }
        Ok(found)
    }
}

/// The `MsgExecuteContract`s of a transaction's raw bytes.
pub fn calls_of(tx_bytes: &[u8]) -> Result<Vec<ContractCall>, Error> {
    let tx = Tx::from_bytes(tx_bytes).map_err(|e| Error::Decode(format!("tx: {}", brief(&e))))?;
    let mut calls = Vec::new();
    for any in &tx.body.messages {
        if any.type_url != "/cosmwasm.wasm.v1.MsgExecuteContract" {
            continue;
        }
        let m = MsgExecuteContract::from_any(any)
            .map_err(|e| Error::Decode(format!("MsgExecuteContract: {}", brief(&e))))?;
        calls.push(ContractCall {
            sender: m.sender.to_string(),
            contract: m.contract.to_string(),
            msg: m.msg,
            funds: m
                .funds
                .iter()
                .map(|c| (c.amount, c.denom.to_string()))
                .collect(),
        });
    }
    Ok(calls)
}
