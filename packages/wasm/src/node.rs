//! An operator's or watcher's view of one rollup (core `node` and `ledger`): mirror the
//! deposit queue, apply batches exactly as the contract's rules do, and build the proof
//! that pays any withdrawal; the replay of any batch for its fraud-proof game
//! (`batchTrace`, see [`crate::dispute`]); and the deposit queue's commitments
//! (`encodeDeposit`, `depositChain`).

use serde::{Deserialize, Serialize};
use settle_core::batch::Output;
use settle_core::crypto::NativeVerifier;
use settle_core::ledger::{AccountStore, Deposit, DepositTarget, TxEffect};
use settle_core::node::{self, Node, Proposal};
use wasm_bindgen::prelude::*;

use crate::convert::{self, from_js, number, to_js, Base64, Dec, Fixed, Hex32, HexBytes, JsResult};
use crate::dispute::BatchTrace;
use crate::sparse::CompactProofJs;

/// Where a deposit goes: `{ newAccount: { pubkey } }` or `{ account: { index } }` (the
/// contract's snake_case `new_account` is accepted too).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DepositToJs {
    #[serde(alias = "new_account")]
    NewAccount {
        pubkey: Fixed<33>,
    },
    Account {
        index: u32,
    },
}

impl From<&DepositToJs> for DepositTarget {
    fn from(to: &DepositToJs) -> Self {
        match to {
            DepositToJs::NewAccount { pubkey } => DepositTarget::NewAccount(pubkey.0),
            DepositToJs::Account { index } => DepositTarget::Account(*index),
        }
    }
}

impl From<DepositTarget> for DepositToJs {
    fn from(target: DepositTarget) -> Self {
        match target {
            DepositTarget::NewAccount(pubkey) => DepositToJs::NewAccount {
                pubkey: Fixed(pubkey),
            },
            DepositTarget::Account(index) => DepositToJs::Account { index },
        }
    }
}

/// `{ index, to, amount, refundTo }`: a deposit of the L1 queue; `refundTo` is the
/// depositor's canonical address (hex).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepositJs {
    pub index: u64,
    pub to: DepositToJs,
    pub amount: Dec<u128>,
    pub refund_to: HexBytes,
}

impl From<DepositJs> for Deposit {
    fn from(d: DepositJs) -> Self {
        Deposit {
            index: d.index,
            target: (&d.to).into(),
            amount: d.amount.0,
            refund_to: d.refund_to.0,
        }
    }
}

impl From<&Deposit> for DepositJs {
    fn from(d: &Deposit) -> Self {
        DepositJs {
            index: d.index,
            to: d.target.into(),
            amount: Dec(d.amount),
            refund_to: HexBytes(d.refund_to.clone()),
        }
    }
}

/// `{ index, data, depositsConsumed, outputRoot }`: what a proposer posts (`data` in
/// base64, as the contract's `propose_batch` takes it).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProposalJs {
    pub index: u64,
    pub data: Base64,
    pub deposits_consumed: u64,
    pub output_root: Hex32,
}

impl From<Proposal> for ProposalJs {
    fn from(p: Proposal) -> Self {
        ProposalJs {
            index: p.index,
            data: Base64(p.data),
            deposits_consumed: p.deposits_consumed,
            output_root: Fixed(p.output_root),
        }
    }
}

/// `{ batch, index, recipient, amount, stateRoot, withdrawalsRoot, proof }`: everything
/// the contract's `withdraw` needs; `recipient` canonical hex, `proof` the compact
/// sparse-Merkle proof in hex.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawalProofJs {
    pub batch: u64,
    pub index: u32,
    pub recipient: HexBytes,
    pub amount: Dec<u128>,
    pub state_root: Hex32,
    pub withdrawals_root: Hex32,
    pub proof: HexBytes,
}

impl From<node::WithdrawalProof> for WithdrawalProofJs {
    fn from(p: node::WithdrawalProof) -> Self {
        WithdrawalProofJs {
            batch: p.batch,
            index: p.index,
            recipient: HexBytes(p.recipient),
            amount: Dec(p.amount),
            state_root: Fixed(p.state_root),
            withdrawals_root: Fixed(p.withdrawals_root),
            proof: HexBytes(p.proof),
        }
    }
}

/// `{ batch, stateRoot, withdrawalsRoot, depositCursor, dataRoot, outputRoot }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchOutputJs {
    pub batch: u64,
    pub state_root: Hex32,
    pub withdrawals_root: Hex32,
    pub deposit_cursor: u64,
    pub data_root: Hex32,
    pub output_root: Hex32,
}

impl From<&Output> for BatchOutputJs {
    fn from(o: &Output) -> Self {
        BatchOutputJs {
            batch: o.batch_index,
            state_root: Fixed(o.state_root),
            withdrawals_root: Fixed(o.withdrawals_root),
            deposit_cursor: o.deposit_cursor,
            data_root: Fixed(o.data_root),
            output_root: Fixed(o.root()),
        }
    }
}

/// `{ pubkey, balance, nonce }`.
#[derive(Serialize)]
pub struct AccountJs {
    pub pubkey: Fixed<33>,
    pub balance: Dec<u128>,
    pub nonce: Dec<u64>,
}

/// `{ bitmap, siblings }`: a compact proof in the depth-32 account tree.
pub type AccountProofJs = CompactProofJs;

/// `{ applied, reason?, withdrawalIndex? }`: what one transaction step did.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectJs {
    pub applied: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawal_index: Option<u64>,
}

impl From<&TxEffect> for EffectJs {
    fn from(e: &TxEffect) -> Self {
        let (applied, reason, withdrawal_index) = match e {
            TxEffect::Transferred { .. } => (true, None, None),
            TxEffect::Withdrew {
                withdrawal_index, ..
            } => (true, None, Some(*withdrawal_index)),
            TxEffect::NoOp(why) => (false, Some(why.to_string()), None),
        };
        EffectJs {
            applied,
            reason,
            withdrawal_index,
        }
    }
}

/// A deposit's encoding (hex), what the queue's hash chain commits to:
/// `index (8 BE) || 00 pubkey | 01 account (4 BE) || amount (16 BE) || len || refundTo`.
#[wasm_bindgen(js_name = encodeDeposit)]
pub fn encode_deposit(
    #[wasm_bindgen(unchecked_param_type = "Deposit")] deposit: JsValue,
) -> JsResult<String> {
    let d: Deposit = from_js::<DepositJs>(deposit)?.into();
    Ok(convert::to_hex(d.encode()))
}

/// The head (hex) of the deposit queue's hash chain after `deposit`, from the previous
/// head `head` (hex; 32 zero bytes before the first deposit):
/// `keccak256("settle/deposit/v1" || head || encodeDeposit(deposit))`, the contract's
/// `chain_head`.
#[wasm_bindgen(js_name = depositChain)]
pub fn deposit_chain(
    head: &str,
    #[wasm_bindgen(unchecked_param_type = "Deposit")] deposit: JsValue,
) -> JsResult<String> {
    let head = convert::hash("head", head)?;
    let d: Deposit = from_js::<DepositJs>(deposit)?.into();
    Ok(convert::to_hex(d.chain(&head)))
}

/// An operator's node for one rollup deployment.
#[wasm_bindgen]
pub struct RollupNode {
    node: Node,
}

#[wasm_bindgen]
impl RollupNode {
    /// A node with an empty ledger for the rollup whose signing domain is `domain` (hex).
    #[wasm_bindgen(constructor)]
    pub fn new(domain: &str) -> JsResult<RollupNode> {
        Ok(RollupNode {
            node: Node::new(convert::domain(domain)?),
        })
    }

    /// Mirrors a deposit queued on L1; deposits must arrive in queue order.
    #[wasm_bindgen(js_name = observeDeposit)]
    pub fn observe_deposit(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Deposit")] deposit: JsValue,
    ) -> JsResult<()> {
        let d: DepositJs = from_js(deposit)?;
        Ok(self.node.observe_deposit(d.into())?)
    }

    /// Deposits observed and not yet consumed by a batch.
    #[wasm_bindgen(getter, js_name = pendingDeposits, unchecked_return_type = "Deposit[]")]
    pub fn pending_deposits(&self) -> JsResult<JsValue> {
        let pending: Vec<DepositJs> = self
            .node
            .pending_deposits()
            .iter()
            .map(Into::into)
            .collect();
        to_js(&pending)
    }

    /// Applies `data` after every pending deposit (up to the per-batch limit) and returns
    /// what to post.
    #[wasm_bindgen(unchecked_return_type = "Proposal")]
    pub fn propose(&mut self, data: Vec<u8>) -> JsResult<JsValue> {
        to_js(&ProposalJs::from(self.node.propose(&NativeVerifier, data)?))
    }

    /// As `propose`, consuming exactly `depositsConsumed` pending deposits.
    #[wasm_bindgen(js_name = proposeWith, unchecked_return_type = "Proposal")]
    pub fn propose_with(
        &mut self,
        data: Vec<u8>,
        #[wasm_bindgen(js_name = depositsConsumed)] deposits_consumed: f64,
    ) -> JsResult<JsValue> {
        let n = convert::uint("depositsConsumed", deposits_consumed)?;
        to_js(&ProposalJs::from(self.node.propose_with(
            &NativeVerifier,
            data,
            n,
        )?))
    }

    /// The account at `index`, or `undefined` if it is not open.
    #[wasm_bindgen(unchecked_return_type = "Account | undefined")]
    pub fn account(&self, index: u32) -> JsResult<JsValue> {
        match self.node.ledger.account(index)? {
            Some(a) => to_js(&AccountJs {
                pubkey: Fixed(a.pubkey),
                balance: Dec(a.balance),
                nonce: Dec(a.nonce),
            }),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The index of the first account holding `pubkey` (hex), or `undefined`.
    #[wasm_bindgen(js_name = findAccount)]
    pub fn find_account(&self, pubkey: &str) -> JsResult<Option<u32>> {
        Ok(self
            .node
            .ledger
            .find(&convert::hex_array("public key", pubkey)?))
    }

    /// Number of accounts opened.
    #[wasm_bindgen(getter, js_name = accountCount)]
    pub fn account_count(&self) -> f64 {
        number(self.node.ledger.account_count())
    }

    /// The L2 state root (hex): what an output root commits to.
    #[wasm_bindgen(getter, js_name = stateRoot)]
    pub fn state_root(&self) -> String {
        convert::to_hex(self.node.ledger.state_root())
    }

    /// The root of the depth-32 account tree (hex).
    #[wasm_bindgen(getter, js_name = accountsRoot)]
    pub fn accounts_root(&self) -> String {
        convert::to_hex(self.node.ledger.accounts_root())
    }

    /// A compact proof of account `index` against `accountsRoot`.
    #[wasm_bindgen(js_name = accountProof, unchecked_return_type = "AccountProof")]
    pub fn account_proof(&self, index: u32) -> JsResult<JsValue> {
        to_js(&AccountProofJs::from(self.node.ledger.prove(index)?))
    }

    /// Number of batches applied.
    #[wasm_bindgen(getter, js_name = batchCount)]
    pub fn batch_count(&self) -> f64 {
        number(self.node.batch_count())
    }

    /// What each transaction step of batch `batch` did.
    #[wasm_bindgen(js_name = batchEffects, unchecked_return_type = "TxEffect[]")]
    pub fn batch_effects(&self, batch: f64) -> JsResult<JsValue> {
        let b = self.batch(batch)?;
        let effects: Vec<EffectJs> = b.tx_effects.iter().map(Into::into).collect();
        to_js(&effects)
    }

    /// The output batch `batch` committed to, with its root.
    #[wasm_bindgen(js_name = batchOutput, unchecked_return_type = "BatchOutput")]
    pub fn batch_output(&self, batch: f64) -> JsResult<JsValue> {
        to_js(&BatchOutputJs::from(&self.batch(batch)?.output))
    }

    /// Every withdrawal batch `batch` recorded (its transactions' withdrawals and the
    /// refunds of deposits it could not credit), each with the proof that pays it.
    #[wasm_bindgen(js_name = batchWithdrawals, unchecked_return_type = "WithdrawalProof[]")]
    pub fn batch_withdrawals(&self, batch: f64) -> JsResult<JsValue> {
        let index = convert::uint("batch", batch)?;
        let count = self.batch(batch)?.withdrawals.items.len() as u32;
        let proofs = (0..count)
            .map(|i| {
                self.node
                    .withdrawal_proof(index, i)
                    .map(WithdrawalProofJs::from)
            })
            .collect::<Result<Vec<_>, _>>()?;
        to_js(&proofs)
    }

    /// The proof that pays withdrawal `index` of batch `batch` on L1.
    #[wasm_bindgen(js_name = withdrawalProof, unchecked_return_type = "WithdrawalProof")]
    pub fn withdrawal_proof(&self, batch: f64, index: u32) -> JsResult<JsValue> {
        let batch = convert::uint("batch", batch)?;
        to_js(&WithdrawalProofJs::from(
            self.node.withdrawal_proof(batch, index)?,
        ))
    }

    /// The replay of batch `batch` (core `Node::trace`): its true root at every position
    /// of a fraud-proof game, the one-step proof of any step, and the honest next move.
    #[wasm_bindgen(js_name = batchTrace)]
    pub fn batch_trace(&self, batch: f64) -> JsResult<BatchTrace> {
        let index = convert::uint("batch", batch)?;
        let trace = self.node.trace(index)?;
        let output_root = self.node.batch_result(index)?.output.root();
        Ok(BatchTrace::new(trace, output_root))
    }

    /// Forgets batch `batch` and every later one, as the contract does when a fraud proof
    /// removes them (core `Node::roll_back`): the ledger and the deposit cursor go back to
    /// before it, and its deposits are pending again.
    #[wasm_bindgen(js_name = rollBack)]
    pub fn roll_back(&mut self, batch: f64) -> JsResult<()> {
        let index = convert::uint("batch", batch)?;
        Ok(self.node.roll_back(index)?)
    }
}

impl RollupNode {
    fn batch(&self, batch: f64) -> JsResult<&settle_core::batch::BatchResult> {
        let index = convert::uint("batch", batch)?;
        Ok(self.node.batch_result(index)?)
    }
}
