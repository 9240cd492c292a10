//! The optimized artifacts in cosmwasm-vm, with chain-like gas figures.
//!
//! [`Harness`] loads `artifacts/<contract>.wasm` (written by `cargo xtask dist`), runs the
//! static checks a chain runs when code is stored (`check_wasm`, with the capabilities in
//! [`CAPABILITIES`]), and executes typed messages against one instance whose storage is a
//! [`MeteredStorage`]: [`MockStorage`] plus the Cosmos SDK's KV gas and a journal that undoes
//! the writes of a refused call (a failed transaction changes no state on a chain either).
//! [`VmRollup`] drives the optimistic rollup on top of it with the core's operator
//! [`Node`], for the VM tests and the gas report, fraud-proof games included: a proposer
//! can post a wrong output root ([`VmRollup::propose_with_root`]) while the node applies the
//! batch honestly, and the node's replay (`Node::trace`) gives the true roots and one-step
//! proofs that [`VmRollup::play_bisection`] and [`VmRollup::prove_step`] play with; the
//! node follows the chain when a game removes batches ([`VmRollup::follow_removals`]).
//! [`VmChannels`] drives the payment-channels contract the same way (states signed with
//! [`sign_state`] in the domain the contract reports), with the same ledger of holdings.
//! [`VmValidity`] drives the validity rollup with settle-testing's `Operator` (real
//! Groth16 proofs).
//!
//! # The gas model
//!
//! Every figure the harness reports comes from these formulas, in Cosmos SDK gas. The
//! contract's own part of a call:
//!
//! ```text
//! sdk_gas = ceil(cosmwasm_gas / 140_000) + kv_gas + 10 * tx_bytes
//! ```
//!
//! and the whole transaction that carries it, what a wasmd node reports as `gas_used`:
//!
//! ```text
//! tx_gas = sdk_gas + 10 * envelope_bytes + 60_000 + event_gas
//!        + FUNDS_TRANSFER_GAS * (funds attached? 1 : 0) + BANK_SEND_GAS * bank_sends
//!        + TX_BASE_GAS + (the sender's first transaction? FIRST_TX_GAS : 0)
//! ```
//!
//! - `cosmwasm_gas`: what the VM meters inside the call (wasm instructions, host calls such
//!   as `secp256k1_verify`, address conversions): the instance's `used_internally` before
//!   and after the call. wasmd divides it by its gas multiplier, 140,000.
//! - `kv_gas`: the Cosmos SDK `gaskv` store's charges for every storage access of the call
//!   (`KVGasConfig`): read = 1000 + 3 per byte of (key + value) (a missing key reads an
//!   empty value); write = 2000 + 30 per byte of (key + value); delete = 1000; has = 1000
//!   (never reached: the VM has no `has`, `cw-storage-plus`' `has` is a read); iterator
//!   next = 30 + 3 per byte of (key + value) for each entry returned, and 30 for the final
//!   step that finds the end (which stands in for the SDK's seek when the iterator is
//!   created). wasmd stores a contract's entries under `0x03 || contract address (32
//!   bytes)`, so every key counts 33 bytes more than the contract sees
//!   ([`CONTRACT_KEY_PREFIX_LEN`]).
//! - `tx_bytes`: the byte length of the JSON message (`InstantiateMsg`, `ExecuteMsg`),
//!   charged at the SDK ante handler's 10 gas per transaction byte.
//! - `envelope_bytes`: the rest of the signed transaction ([`envelope_bytes`]): the
//!   `MsgExecuteContract` around the JSON (sender, contract, funds) in its `Any`, the auth
//!   info (public key, sign mode, sequence, fee) and the signature, by their protobuf
//!   encoding, also at 10 gas per byte.
//! - 60,000: wasmd's instance cost, charged each time a contract is loaded for a call
//!   ([`INSTANCE_COST`], `gas_register.go`; a pinned code would pay 2,000).
//! - `event_gas`: wasmd's charge for the response's attributes and custom events
//!   ([`event_gas`], as `gas_register.go`'s `EventCosts`).
//! - coin movements by the bank module: the funds attached to the message (one transfer,
//!   refused calls included: the coins move before the contract runs;
//!   [`FUNDS_TRANSFER_GAS`]) and each `BankMsg::Send` of the response ([`BANK_SEND_GAS`]).
//! - [`TX_BASE_GAS`]: what every transaction pays outside its message: the ante handler's
//!   secp256k1 signature check (1,000), its reads and writes of the signer's account and of
//!   the module parameters, the fee's own bank transfer, and wasmd's reads of the contract
//!   and code records before the call; and [`FIRST_TX_GAS`] more on the first
//!   transaction a sender signs (the ante handler stores its public key in its account; the
//!   harness counts a sender's first call through it as its first transaction).
//!
//! The four constants are MEASURED, not read from a source: they are what is left of the
//! chain's `gas_used` after every computed term, in a calibration run of `cargo xtask gas
//! --chain --accounts 8` (wasmd v0.61.14, one validator): on the 14 calls with no coin
//! movement by a sender that had sent before, 53,025 to 53,576 (TX_BASE_GAS 53,400); less
//! that, on such calls with attached funds 18,978 to 19,235 (FUNDS_TRANSFER_GAS 19,100) and
//! with one or two bank sends 20,006 to 20,520 a send (BANK_SEND_GAS 20,300); and on a
//! sender's first call 12,806 to 13,294 more (FIRST_TX_GAS 13,100; the exception, a
//! cooperative close that was both its sender's first call and two bank sends, came out
//! about 4,700 below the sum of the three constants). Each is a constant of
//! the transaction, not of the contract: the spread is the few bytes of the account and
//! fee records that differ between senders. README "Gas" has the table of a later run.
//!
//! Not modelled: the compile cost on a cache miss (a node compiles a code once, at upload),
//! a bank send to an address that has no account yet (the account's creation; `cargo xtask
//! gas --chain` funds every address it names first), an instantiation's own bookkeeping
//! (the contract's address, info and history records), the querier's cost for the bank
//! balance query in `Solvency` (a query is no transaction), and a few bytes of the
//! envelope (the sequence, gas limit and fee digits, taken as 2, 4 and 5). The storage handed
//! to the VM passes on [`MockStorage`]'s own gas info (a few gas per byte touched, nearly
//! all of it "used externally", which does not enter `cosmwasm_gas`): on a chain the store
//! charges the SDK gas meter directly, and `kv_gas` stands for that.
//!
//! One instance serves every call of a [`Harness`] (as in cosmwasm's own integration tests);
//! its gas limit is large enough to never stop a call: the figures say what a call needs.

// A refused call carries its gas (the model's terms and the chain's figure) like an
// accepted one: `Refused` is large by design, and a test harness does not mind.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use cosmwasm_std::{
    Addr, BankMsg, Binary, Coin, ContractResult, CosmosMsg, Empty, Env, HexBinary, MessageInfo,
    Order, Record, Response, Uint128,
};
use cosmwasm_vm::testing::{mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_vm::{
    call_execute, call_instantiate, call_migrate, call_query, capabilities_from_csv, Backend,
    BackendApi, BackendResult, Instance, InstanceOptions, Size, Storage, WasmLimits,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use optimistic_rollup::msg::{
    ConfigResponse, DepositTarget, DisputeParams, ExecuteMsg, GamePhase, GameResponse,
    InstantiateMsg, QueryMsg, SolvencyResponse, StatusResponse,
};
use payment_channels::msg as pc;
use settle_core::channel::{
    join_hash, revocation_hash, watchtower_hash, ChannelDomain, ChannelState,
};
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_core::dispute::OneStepProof;
use settle_core::hash::Hash;
use settle_core::ledger::Deposit;
use settle_core::node::{Node, Proposal, WithdrawalProof};
use settle_core::tx::{Domain, SignedTx};

/// Capabilities of the chain the artifacts must load on: what the project's wasmd node
/// (v0.61.14, wasmvm 3) offers, its `BuiltInCapabilities()`, no `cosmwasm_3_0`. xtask's
/// `WASMD_CAPABILITIES` is checked against the node's source when the node is built, and
/// against this list by xtask's tests.
pub const CAPABILITIES: &str = "iterator,staking,stargate,cosmwasm_1_1,cosmwasm_1_2,cosmwasm_1_3,cosmwasm_1_4,cosmwasm_2_0,cosmwasm_2_1,cosmwasm_2_2,ibc2";
/// wasmd's CosmWasm gas per SDK gas.
pub const WASMD_GAS_MULTIPLIER: u64 = 140_000;
/// SDK gas per byte of transaction.
pub const TX_SIZE_COST_PER_BYTE: u64 = 10;
/// wasmd's storage prefix of a contract's entries: `0x03 || 32-byte contract address`.
pub const CONTRACT_KEY_PREFIX_LEN: u64 = 1 + 32;
/// Cosmos SDK `KVGasConfig`.
pub const READ_COST_FLAT: u64 = 1000;
pub const READ_COST_PER_BYTE: u64 = 3;
pub const WRITE_COST_FLAT: u64 = 2000;
pub const WRITE_COST_PER_BYTE: u64 = 30;
pub const HAS_COST: u64 = 1000;
pub const DELETE_COST: u64 = 1000;
pub const ITER_NEXT_COST_FLAT: u64 = 30;
/// wasmd's memory limit per contract instance.
pub const MEMORY_LIMIT: Size = Size::mebi(32);
/// Gas limit of the one instance of a harness (CosmWasm gas): never reached.
const INSTANCE_GAS_LIMIT: u64 = 1 << 60;

/// Gas of one call, in the model of the module doc.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GasUse {
    pub cosmwasm_gas: u64,
    pub kv_gas: u64,
    pub tx_bytes: u64,
    pub sdk_gas: u64,
    /// Storage accesses behind `kv_gas`.
    pub kv_ops: KvOps,
    /// The whole transaction's gas in the model (`tx_gas` of the module doc); 0 for a
    /// query, which is no transaction.
    pub tx_gas: u64,
    /// The terms of `tx_gas` beyond `sdk_gas`.
    pub tx: TxTerms,
    /// What a wasmd node charged for the same call (`gas_used`), when the harness runs
    /// beside one (feature `chain`).
    pub chain_gas_used: Option<u64>,
    /// Bytes of the signed transaction the chain received, beside it.
    pub chain_tx_bytes: Option<u64>,
}

impl GasUse {
    pub fn new(cosmwasm_gas: u64, kv: KvOps, tx_bytes: u64) -> Self {
        GasUse {
            cosmwasm_gas,
            kv_gas: kv.gas,
            tx_bytes,
            sdk_gas: cosmwasm_gas.div_ceil(WASMD_GAS_MULTIPLIER)
                + kv.gas
                + TX_SIZE_COST_PER_BYTE * tx_bytes,
            kv_ops: kv,
            tx_gas: 0,
            tx: TxTerms::default(),
            chain_gas_used: None,
            chain_tx_bytes: None,
        }
    }

    /// Completes the model with the transaction's terms (see the module doc).
    pub fn with_tx(mut self, tx: TxTerms) -> Self {
        self.tx = tx;
        self.tx_gas = self.sdk_gas
            + TX_SIZE_COST_PER_BYTE * tx.envelope_bytes
            + tx.instance_gas
            + tx.event_gas
            + tx.transfer_gas
            + tx.first_tx_gas
            + TX_BASE_GAS;
        self
    }

    /// `chain_gas_used / tx_gas`, when both are known.
    pub fn chain_ratio(&self) -> Option<f64> {
        let chain = self.chain_gas_used?;
        (self.tx_gas > 0).then(|| chain as f64 / self.tx_gas as f64)
    }
}

/// The terms of a transaction's gas beyond the contract call (see the module doc).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TxTerms {
    /// Bytes of the signed transaction around the JSON message ([`envelope_bytes`]).
    pub envelope_bytes: u64,
    /// wasmd's instance cost ([`INSTANCE_COST`]).
    pub instance_gas: u64,
    /// wasmd's charge for the response's events and attributes ([`event_gas`]).
    pub event_gas: u64,
    /// Coin movements: the funds attached ([`FUNDS_TRANSFER_GAS`]) and each
    /// `BankMsg::Send` of the response ([`BANK_SEND_GAS`] each).
    pub transfers: u64,
    pub transfer_gas: u64,
    /// [`FIRST_TX_GAS`] when the sender signs its first transaction, else 0.
    pub first_tx_gas: u64,
}

/// wasmd's `DefaultInstanceCost`: SDK gas charged each time a contract is loaded for a
/// call (`SetupContractCost`, not pinned; `ContractMessageDataCost` is 0).
pub const INSTANCE_COST: u64 = 60_000;
/// wasmd's event pricing (`DefaultPerCustomEventCost`, `DefaultPerAttributeCost`,
/// `DefaultEventAttributeDataCost`, `DefaultEventAttributeDataFreeTier`).
pub const EVENT_COST: u64 = 20;
pub const ATTRIBUTE_COST: u64 = 10;
pub const ATTRIBUTE_DATA_COST_PER_BYTE: u64 = 1;
pub const ATTRIBUTE_DATA_FREE_BYTES: u64 = 100;
/// SDK gas of the funds attached to a message, moved by the bank module to the contract
/// before it runs (`SendCoins`: both balances read and written, the recipient's account
/// looked up). MEASURED: see the module doc.
pub const FUNDS_TRANSFER_GAS: u64 = 19_100;
/// SDK gas of a `BankMsg::Send` of the response, dispatched by wasmd to the bank module
/// (the same `SendCoins`, plus the dispatch). MEASURED: see the module doc.
pub const BANK_SEND_GAS: u64 = 20_300;
/// SDK gas of a transaction outside its message and its bytes: the ante handler's
/// signature check (1,000 for secp256k1), account and fee bookkeeping (the fee is a bank
/// transfer), and wasmd's lookups of the contract and code before the call. MEASURED: see
/// the module doc.
pub const TX_BASE_GAS: u64 = 53_400;
/// SDK gas a sender's first transaction pays more: the ante handler writes the signer's
/// public key into its account. MEASURED: see the module doc.
pub const FIRST_TX_GAS: u64 = 13_100;

/// wasmd's `EventCosts(response.attributes, response.events)`: 10 per attribute, 1 per
/// byte of attribute keys and values beyond the first 100 bytes (counted over the whole
/// response), and 20 plus 1 per byte of its type for each custom event.
pub fn event_gas(response: &Response) -> u64 {
    let mut free = ATTRIBUTE_DATA_FREE_BYTES;
    let mut attrs = |list: &[cosmwasm_std::Attribute]| -> u64 {
        if list.is_empty() {
            return 0;
        }
        let bytes: u64 = list
            .iter()
            .map(|a| (a.key.len() + a.value.len()) as u64)
            .sum();
        let charged = if bytes <= free {
            free -= bytes;
            0
        } else {
            let over = bytes - free;
            free = 0;
            over
        };
        ATTRIBUTE_DATA_COST_PER_BYTE * charged + ATTRIBUTE_COST * list.len() as u64
    };
    let mut gas = attrs(&response.attributes);
    for e in &response.events {
        gas += EVENT_COST + ATTRIBUTE_DATA_COST_PER_BYTE * e.ty.len() as u64;
        gas += attrs(&e.attributes);
    }
    gas
}

fn varint_len(mut n: u64) -> u64 {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

/// Bytes of a length-delimited protobuf field (field number below 16) of `len` bytes.
fn field_len(len: u64) -> u64 {
    1 + varint_len(len) + len
}

/// Bytes of a signed Cosmos SDK transaction around a contract message of `msg_bytes` of
/// JSON (sign mode direct, one secp256k1 signer, no memo): the `TxRaw` with its body (the
/// `MsgExecuteContract`, or `MsgInstantiateContract` with a `label` and a `code_id`, in an
/// `Any`: sender, contract, funds), its auth info (the public key in an `Any`, the mode,
/// the sequence, the fee) and the 64-byte signature. The sequence, the gas limit and the
/// fee amount are varints or digits whose length the model takes as 2, 4 and 5 bytes.
pub fn envelope_bytes(
    msg_bytes: u64,
    sender: &str,
    contract: Option<&str>,
    label: Option<&str>,
    funds: &[Coin],
) -> u64 {
    let coins: u64 = funds
        .iter()
        .map(|c| {
            field_len(
                field_len(c.denom.len() as u64) + field_len(c.amount.to_string().len() as u64),
            )
        })
        .sum();
    let (type_url, extra) = match label {
        // MsgInstantiateContract: code_id (a varint of 1 byte here) and label
        Some(l) => (
            "/cosmwasm.wasm.v1.MsgInstantiateContract",
            2 + field_len(l.len() as u64),
        ),
        None => ("/cosmwasm.wasm.v1.MsgExecuteContract", 0),
    };
    let value = field_len(sender.len() as u64)
        + contract.map_or(0, |c| field_len(c.len() as u64))
        + field_len(msg_bytes)
        + coins
        + extra;
    let any = field_len(type_url.len() as u64) + field_len(value);
    let body = field_len(any);
    let pubkey =
        field_len("/cosmos.crypto.secp256k1.PubKey".len() as u64) + field_len(field_len(33));
    let mode = field_len(field_len(2));
    let signer = field_len(pubkey) + mode + 1 + 2;
    let fee = field_len(field_len("stake".len() as u64) + field_len(5)) + 1 + 4;
    let auth = field_len(signer) + field_len(fee);
    let raw = field_len(body) + field_len(auth) + field_len(64);
    raw - msg_bytes
}

/// The transaction terms of an accepted (`response`) or refused call; `first` when the
/// sender signs its first transaction.
fn tx_terms(
    msg_bytes: u64,
    info: &MessageInfo,
    contract: Option<&str>,
    label: Option<&str>,
    response: Option<&Response>,
    first: bool,
) -> TxTerms {
    let sends = response.map_or(0, |r| bank_sends(r).len() as u64);
    let attached = u64::from(!info.funds.is_empty());
    TxTerms {
        envelope_bytes: envelope_bytes(
            msg_bytes,
            info.sender.as_str(),
            contract,
            label,
            &info.funds,
        ),
        instance_gas: INSTANCE_COST,
        event_gas: response.map_or(0, event_gas),
        transfers: attached + sends,
        transfer_gas: FUNDS_TRANSFER_GAS * attached + BANK_SEND_GAS * sends,
        first_tx_gas: if first { FIRST_TX_GAS } else { 0 },
    }
}

/// Counts of storage accesses and their SDK gas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KvOps {
    pub reads: u64,
    pub writes: u64,
    pub deletes: u64,
    pub iterator_steps: u64,
    pub gas: u64,
}

/// A successful call.
#[derive(Debug, Clone)]
pub struct Executed {
    pub response: Response,
    pub gas: GasUse,
}

/// A refused call: the contract's error message (or the VM's), and the gas it burned.
/// The harness has undone its storage writes.
#[derive(Debug, Clone)]
pub struct Refused {
    pub error: String,
    /// The VM failed (trap, out of gas, bad response) rather than the contract refusing.
    pub vm_error: bool,
    pub gas: GasUse,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.vm_error {
            write!(f, "VM error: {}", self.error)
        } else {
            f.write_str(&self.error)
        }
    }
}

impl std::error::Error for Refused {}

#[derive(Debug, Default)]
struct Counters {
    reads: AtomicU64,
    writes: AtomicU64,
    deletes: AtomicU64,
    iterator_steps: AtomicU64,
    gas: AtomicU64,
}

/// One storage access and its SDK gas (see [`Harness::log_kv`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KvAccess {
    /// "read", "write", "delete" or "next" (an iterator step).
    pub op: &'static str,
    /// The key as the contract sees it (without wasmd's prefix); empty for the final
    /// iterator step.
    pub key: Vec<u8>,
    /// Bytes of the value read or written.
    pub value_len: u64,
    pub gas: u64,
}

impl KvAccess {
    /// The key made readable: a `cw-storage-plus` namespace (length-prefixed or not), then
    /// the rest as a big-endian u64 (8 bytes), as text (printable ASCII) or in hex.
    pub fn key_label(&self) -> String {
        let k = &self.key;
        if k.len() >= 2 && k[0] == 0 && 2 + k[1] as usize <= k.len() {
            let end = 2 + k[1] as usize;
            let ns = String::from_utf8_lossy(&k[2..end]);
            let rest = &k[end..];
            let rest = match (<[u8; 8]>::try_from(rest), std::str::from_utf8(rest)) {
                (Ok(n), _) => u64::from_be_bytes(n).to_string(),
                (_, Ok(text)) if text.chars().all(|c| c.is_ascii_graphic()) => text.to_string(),
                _ => HexBinary::from(rest).to_hex(),
            };
            format!("{ns}[{rest}]")
        } else if let Ok(text) = std::str::from_utf8(k) {
            text.to_string()
        } else {
            HexBinary::from(k.as_slice()).to_hex()
        }
    }
}

/// [`MockStorage`] with the Cosmos SDK's KV gas metered (see the module doc) and a journal
/// of writes, so that a refused call can be undone.
#[derive(Debug, Default)]
pub struct MeteredStorage {
    inner: MockStorage,
    counters: Counters,
    /// Previous values of the keys written since the last [`MeteredStorage::commit`].
    journal: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// Every access, while logging is on.
    log: Mutex<Option<Vec<KvAccess>>>,
}

impl MeteredStorage {
    fn charge(&self, counter: &AtomicU64, gas: u64, op: &'static str, key: &[u8], value_len: u64) {
        counter.fetch_add(1, Ordering::Relaxed);
        self.counters.gas.fetch_add(gas, Ordering::Relaxed);
        if let Some(log) = self.log.lock().expect("kv log").as_mut() {
            log.push(KvAccess {
                op,
                key: key.to_vec(),
                value_len,
                gas,
            });
        }
    }

    /// Starts (or stops) logging every access; starting clears the log.
    pub fn set_logging(&self, on: bool) {
        *self.log.lock().expect("kv log") = on.then(Vec::new);
    }

    /// The accesses logged so far (logging stays as it is; the log is emptied).
    pub fn take_log(&self) -> Vec<KvAccess> {
        self.log
            .lock()
            .expect("kv log")
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The accesses since the last call, and resets the counters.
    pub fn take_ops(&self) -> KvOps {
        let c = &self.counters;
        KvOps {
            reads: c.reads.swap(0, Ordering::Relaxed),
            writes: c.writes.swap(0, Ordering::Relaxed),
            deletes: c.deletes.swap(0, Ordering::Relaxed),
            iterator_steps: c.iterator_steps.swap(0, Ordering::Relaxed),
            gas: c.gas.swap(0, Ordering::Relaxed),
        }
    }

    /// Keeps the writes made so far.
    pub fn commit(&mut self) {
        self.journal.clear();
    }

    /// Undoes the writes since the last commit.
    pub fn rollback(&mut self) {
        while let Some((key, previous)) = self.journal.pop() {
            match previous {
                Some(v) => {
                    let _ = self.inner.set(&key, &v);
                }
                None => {
                    let _ = self.inner.remove(&key);
                }
            }
        }
    }

    /// Reads without charging gas (for assertions).
    pub fn peek(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.inner.get(key).0.ok().flatten()
    }

    /// Every entry, in key order, without charging gas (for assertions).
    pub fn entries(&mut self) -> Vec<Record> {
        let mut out = Vec::new();
        let Ok(it) = self.inner.scan(None, None, Order::Ascending).0 else {
            return out;
        };
        while let Ok(Some(record)) = self.inner.next(it).0 {
            out.push(record);
        }
        out
    }

    fn remember(&mut self, key: &[u8]) {
        let previous = self.peek(key);
        self.journal.push((key.to_vec(), previous));
    }
}

fn key_len(key: &[u8]) -> u64 {
    CONTRACT_KEY_PREFIX_LEN + key.len() as u64
}

impl Storage for MeteredStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        let (result, info) = self.inner.get(key);
        let value_len = match &result {
            Ok(Some(v)) => v.len() as u64,
            _ => 0,
        };
        self.charge(
            &self.counters.reads,
            READ_COST_FLAT + READ_COST_PER_BYTE * (key_len(key) + value_len),
            "read",
            key,
            value_len,
        );
        (result, info)
    }

    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> BackendResult<u32> {
        self.inner.scan(start, end, order)
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<Record>> {
        let (result, info) = self.inner.next(iterator_id);
        let (gas, key, value_len) = match &result {
            Ok(Some((k, v))) => (
                ITER_NEXT_COST_FLAT + READ_COST_PER_BYTE * (key_len(k) + v.len() as u64),
                k.clone(),
                v.len() as u64,
            ),
            _ => (ITER_NEXT_COST_FLAT, Vec::new(), 0),
        };
        self.charge(&self.counters.iterator_steps, gas, "next", &key, value_len);
        (result, info)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        self.remember(key);
        self.charge(
            &self.counters.writes,
            WRITE_COST_FLAT + WRITE_COST_PER_BYTE * (key_len(key) + value.len() as u64),
            "write",
            key,
            value.len() as u64,
        );
        self.inner.set(key, value)
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        self.remember(key);
        self.charge(&self.counters.deletes, DELETE_COST, "delete", key, 0);
        self.inner.remove(key)
    }
}

type VmInstance = Instance<MockApi, MeteredStorage, MockQuerier>;

/// The workspace root (this crate lives one level below it).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives inside the workspace")
        .to_path_buf()
}

/// `artifacts/<contract with underscores>.wasm` under the workspace root.
pub fn artifact_path(contract: &str) -> PathBuf {
    workspace_root()
        .join("artifacts")
        .join(format!("{}.wasm", contract.replace('-', "_")))
}

/// Reads an artifact; a missing file says how to make it.
pub fn read_artifact(contract: &str) -> Result<Vec<u8>, String> {
    let path = artifact_path(contract);
    std::fs::read(&path).map_err(|e| {
        format!(
            "cannot read {}: {e}; run `cargo xtask dist` first",
            path.display()
        )
    })
}

/// The static checks a chain runs when the code is stored (cosmwasm-check's checks).
pub fn static_check(wasm: &[u8]) -> Result<(), String> {
    cosmwasm_vm::internals::check_wasm(
        wasm,
        &capabilities_from_csv(CAPABILITIES),
        &WasmLimits::default(),
        cosmwasm_vm::internals::Logger::Off,
    )
    .map_err(|e| e.to_string())
}

/// One contract instance in cosmwasm-vm with a chain's environment around it.
pub struct Harness {
    pub contract: String,
    /// Size of the loaded artifact.
    pub wasm_bytes: usize,
    /// The environment of the next call (block height and time, chain id, contract
    /// address). Change it freely or use [`Harness::advance`].
    pub env: Env,
    pub api: MockApi,
    instance: VmInstance,
    /// Every address that sent a transaction through this harness (a sender's first
    /// transaction costs more: see [`FIRST_TX_GAS`]).
    senders: std::collections::BTreeSet<String>,
    /// The chain this harness runs beside (see [`crate::chain`]), and the code id of its
    /// artifact there.
    #[cfg(feature = "chain")]
    chain: Option<(crate::chain::Link, u64)>,
}

impl Harness {
    /// Loads `artifacts/<contract>.wasm`; panics if it is missing ("run `cargo xtask dist`
    /// first") or fails the chain's static checks.
    pub fn load(contract: &str) -> Harness {
        Self::try_load(contract).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn try_load(contract: &str) -> Result<Harness, String> {
        Self::try_load_with(contract, MockApi::default())
    }

    /// As [`Harness::load`], beside a wasmd node: the artifact is stored there through
    /// `link`, addresses are the link's wallets, and every instantiate and execute goes to
    /// the chain first (see [`crate::chain`]); the VM then runs the same call in the
    /// block's environment, and each [`GasUse`] carries the chain's `gas_used`.
    #[cfg(feature = "chain")]
    pub fn on_chain(contract: &str, mut link: crate::chain::Link) -> Result<Harness, String> {
        let mut h = Self::try_load_with(
            contract,
            MockApi::default().with_prefix(crate::chain::PREFIX),
        )?;
        let code_id = link.store(&read_artifact(contract)?)?;
        h.env.block.chain_id = link.chain_id();
        let (height, time) = link.wait_until(0)?;
        h.env.block.height = height;
        h.env.block.time = cosmwasm_std::Timestamp::from_nanos(time);
        h.chain = Some((link, code_id));
        Ok(h)
    }

    fn try_load_with(contract: &str, api: MockApi) -> Result<Harness, String> {
        let wasm = read_artifact(contract)?;
        static_check(&wasm).map_err(|e| {
            format!(
                "{} fails the chain's static checks: {e}",
                artifact_path(contract).display()
            )
        })?;
        let env = mock_env();
        let backend = Backend {
            api,
            storage: MeteredStorage::default(),
            querier: MockQuerier::new(&[]),
        };
        let instance = Instance::from_code(
            &wasm,
            backend,
            InstanceOptions {
                gas_limit: INSTANCE_GAS_LIMIT,
            },
            Some(MEMORY_LIMIT),
        )
        .map_err(|e| format!("cannot instantiate {contract} in cosmwasm-vm: {e}"))?;
        Ok(Harness {
            contract: contract.to_string(),
            wasm_bytes: wasm.len(),
            env,
            api,
            instance,
            senders: Default::default(),
            #[cfg(feature = "chain")]
            chain: None,
        })
    }

    /// Capabilities the contract requires (from its `requires_*` exports).
    pub fn required_capabilities(&self) -> Vec<String> {
        let mut caps: Vec<String> = self.instance.required_capabilities().into_iter().collect();
        caps.sort();
        caps
    }

    /// The contract's own address.
    pub fn contract_addr(&self) -> Addr {
        self.env.contract.address.clone()
    }

    /// A valid address for a label (the VM's `MockApi::addr_make`; beside a chain, the
    /// address of a wallet derived from the label, funded before the next transaction).
    pub fn addr(&mut self, label: &str) -> Addr {
        #[cfg(feature = "chain")]
        if let Some((link, _)) = self.chain.as_mut() {
            return Addr::unchecked(link.address(label));
        }
        Addr::unchecked(self.api.addr_make(label))
    }

    /// Whether the harness runs beside a chain.
    pub fn on_a_chain(&self) -> bool {
        #[cfg(feature = "chain")]
        if self.chain.is_some() {
            return true;
        }
        false
    }

    /// Canonical bytes of an address (the VM's `addr_canonicalize`).
    pub fn canonical(&self, addr: &Addr) -> Vec<u8> {
        self.api
            .addr_canonicalize(addr.as_str())
            .0
            .expect("valid address")
    }

    /// The address of canonical bytes (the VM's `addr_humanize`).
    pub fn humanize(&self, canonical: &[u8]) -> Addr {
        Addr::unchecked(
            self.api
                .addr_humanize(canonical)
                .0
                .expect("canonical address"),
        )
    }

    pub fn info(&self, sender: &Addr, funds: &[Coin]) -> MessageInfo {
        MessageInfo {
            sender: sender.clone(),
            funds: funds.to_vec(),
        }
    }

    /// Moves the clock forward (five seconds a block); beside a chain, waits until the
    /// chain's block time has moved that far.
    pub fn advance(&mut self, seconds: u64) {
        let to = self.env.block.time.plus_seconds(seconds);
        self.advance_to(to);
    }

    /// Moves the clock to `time` (never back); beside a chain, waits until the chain's
    /// block time has reached it.
    pub fn advance_to(&mut self, time: cosmwasm_std::Timestamp) {
        #[cfg(feature = "chain")]
        if let Some((link, _)) = self.chain.as_mut() {
            let (height, now) = link
                .wait_until(time.nanos())
                .unwrap_or_else(|e| panic!("waiting for the chain's clock: {e}"));
            self.env.block.height = height;
            self.env.block.time = cosmwasm_std::Timestamp::from_nanos(now);
            return;
        }
        if time > self.env.block.time {
            let seconds = time.seconds() - self.env.block.time.seconds();
            self.env.block.time = time;
            self.env.block.height += seconds.div_ceil(5);
        }
    }

    /// Sets the bank balance the querier reports for `addr`.
    pub fn set_balance(&mut self, addr: &Addr, coins: Vec<Coin>) {
        self.instance
            .with_querier(|q| {
                q.update_balance(addr.as_str(), coins);
                Ok(())
            })
            .expect("querier");
    }

    /// Sets the bank balance the querier reports for the contract itself.
    pub fn set_contract_balance(&mut self, coins: Vec<Coin>) {
        let me = self.contract_addr();
        self.set_balance(&me, coins);
    }

    /// Logs every storage access of the calls made while it is on (see [`KvAccess`]);
    /// turning it on clears the log.
    pub fn log_kv(&mut self, on: bool) {
        self.instance
            .with_storage(|s| {
                s.set_logging(on);
                Ok(())
            })
            .expect("storage");
    }

    /// The accesses logged since [`Harness::log_kv`] was turned on or last taken.
    pub fn take_kv_log(&mut self) -> Vec<KvAccess> {
        self.instance
            .with_storage(|s| Ok(s.take_log()))
            .expect("storage")
    }

    /// Reads a raw storage entry without charging gas.
    pub fn raw(&mut self, key: &[u8]) -> Option<Vec<u8>> {
        self.instance
            .with_storage(|s| Ok(s.peek(key)))
            .expect("storage")
    }

    /// Every storage entry of the contract, in key order, without charging gas: compare two
    /// to see that a call changed nothing.
    pub fn storage_snapshot(&mut self) -> Vec<Record> {
        self.instance
            .with_storage(|s| Ok(s.entries()))
            .expect("storage")
    }

    /// Writes a raw storage entry without charging gas: the state an older code left (for
    /// instance an older cw2 version, key [`CW2_KEY`], before a migration).
    pub fn poke(&mut self, key: &[u8], value: &[u8]) {
        self.instance
            .with_storage(|s| {
                let _ = s.inner.set(key, value);
                Ok(())
            })
            .expect("storage");
    }

    /// What a chain does on `MsgMigrateContract`: a new instance of `contract`'s artifact
    /// (the new code id) over this contract's storage and bank balances, and its `migrate`
    /// entry point with `msg`. Accepted, the contract runs the new code from then on;
    /// refused, the storage is as before and the old code stays.
    pub fn migrate<M: Serialize>(&mut self, contract: &str, msg: &M) -> Result<Executed, Refused> {
        assert!(!self.on_a_chain(), "migrate runs in the VM only");
        let mut next = Harness::load(contract);
        next.env = self.env.clone();
        next.api = self.api;
        move_backend(&mut self.instance, &mut next.instance);
        let old = std::mem::replace(self, next);
        let raw = cosmwasm_vm::to_vec(msg).expect("serializable message");
        let env = self.env.clone();
        let result = self.call(raw.len(), |i| call_migrate(i, &env, &raw));
        if result.is_err() {
            let refused_code = std::mem::replace(self, old);
            let mut refused_instance = refused_code.instance;
            move_backend(&mut refused_instance, &mut self.instance);
        }
        result
    }

    pub fn instantiate<M: Serialize>(
        &mut self,
        info: &MessageInfo,
        msg: &M,
    ) -> Result<Executed, Refused> {
        let raw = cosmwasm_vm::to_vec(msg).expect("serializable message");
        #[cfg(feature = "chain")]
        let on_chain = self.chain_first(info, msg, true);
        let env = self.env.clone();
        let label = self.contract.clone();
        let result = self.call(raw.len(), |i| call_instantiate(i, &env, info, &raw));
        let first = self.senders.insert(info.sender.to_string());
        let result = with_tx_terms(result, raw.len(), info, None, Some(&label), first);
        #[cfg(feature = "chain")]
        let result = chain_beside(result, on_chain);
        result
    }

    pub fn execute<M: Serialize>(
        &mut self,
        info: &MessageInfo,
        msg: &M,
    ) -> Result<Executed, Refused> {
        let raw = cosmwasm_vm::to_vec(msg).expect("serializable message");
        #[cfg(feature = "chain")]
        let on_chain = self.chain_first(info, msg, false);
        let env = self.env.clone();
        let result = self.call(raw.len(), |i| call_execute(i, &env, info, &raw));
        let me = self.contract_addr();
        let first = self.senders.insert(info.sender.to_string());
        let result = with_tx_terms(result, raw.len(), info, Some(me.as_str()), None, first);
        #[cfg(feature = "chain")]
        let result = chain_beside(result, on_chain);
        result
    }

    /// Beside a chain: sends the call there first and takes the environment of the block
    /// it landed in (and, for an instantiation, the contract's address).
    #[cfg(feature = "chain")]
    fn chain_first<M: Serialize>(
        &mut self,
        info: &MessageInfo,
        msg: &M,
        instantiate: bool,
    ) -> Option<crate::chain::ChainTx> {
        let (link, code_id) = self.chain.as_mut()?;
        let tx = if instantiate {
            link.instantiate(
                info.sender.as_str(),
                *code_id,
                msg,
                &format!("gas {}", self.contract),
            )
        } else {
            let funds: Vec<(u128, String)> = info
                .funds
                .iter()
                .map(|c| (u128_of(c), c.denom.clone()))
                .collect();
            let contract = self.env.contract.address.to_string();
            link.execute(info.sender.as_str(), &contract, msg, &funds)
        }
        .unwrap_or_else(|e| panic!("{}: {e}", self.contract));
        if let Some(address) = &tx.address {
            self.env.contract.address = Addr::unchecked(address);
        }
        self.env.block.height = tx.height;
        self.env.block.time = cosmwasm_std::Timestamp::from_nanos(tx.time_nanos);
        Some(tx)
    }

    /// A smart query and its gas (`tx_bytes` = 0: a query is not a transaction).
    pub fn query_raw<M: Serialize>(&mut self, msg: &M) -> Result<(Binary, GasUse), Refused> {
        let raw = cosmwasm_vm::to_vec(msg).expect("serializable message");
        let env = self.env.clone();
        let (result, gas) = self.metered(0, |i| call_query(i, &env, &raw));
        match result {
            Ok(ContractResult::Ok(bin)) => Ok((bin, gas)),
            Ok(ContractResult::Err(error)) => Err(Refused {
                error,
                vm_error: false,
                gas,
            }),
            Err(e) => Err(Refused {
                error: e.to_string(),
                vm_error: true,
                gas,
            }),
        }
    }

    /// A typed smart query; panics if the contract refuses.
    pub fn query<M: Serialize, T: DeserializeOwned>(&mut self, msg: &M) -> T {
        let (bin, _) = self
            .query_raw(msg)
            .unwrap_or_else(|e| panic!("query refused: {e}"));
        cosmwasm_std::from_json(&bin).expect("query response of the expected type")
    }

    fn metered<T>(&mut self, tx_bytes: usize, f: impl FnOnce(&mut VmInstance) -> T) -> (T, GasUse) {
        self.instance
            .with_storage(|s| {
                s.take_ops();
                s.commit();
                Ok(())
            })
            .expect("storage");
        let before = self.instance.create_gas_report().used_internally;
        let out = f(&mut self.instance);
        let after = self.instance.create_gas_report().used_internally;
        let kv = self
            .instance
            .with_storage(|s| Ok(s.take_ops()))
            .expect("storage");
        (out, GasUse::new(after - before, kv, tx_bytes as u64))
    }

    fn call(
        &mut self,
        tx_bytes: usize,
        f: impl FnOnce(&mut VmInstance) -> cosmwasm_vm::VmResult<ContractResult<Response<Empty>>>,
    ) -> Result<Executed, Refused> {
        let (result, gas) = self.metered(tx_bytes, f);
        let refused = match result {
            Ok(ContractResult::Ok(response)) => {
                self.instance
                    .with_storage(|s| {
                        s.commit();
                        Ok(())
                    })
                    .expect("storage");
                return Ok(Executed { response, gas });
            }
            Ok(ContractResult::Err(error)) => Refused {
                error,
                vm_error: false,
                gas,
            },
            Err(e) => Refused {
                error: e.to_string(),
                vm_error: true,
                gas,
            },
        };
        self.instance
            .with_storage(|s| {
                s.rollback();
                Ok(())
            })
            .expect("storage");
        Err(refused)
    }
}

/// Adds the transaction terms to a call's gas.
fn with_tx_terms(
    result: Result<Executed, Refused>,
    msg_bytes: usize,
    info: &MessageInfo,
    contract: Option<&str>,
    label: Option<&str>,
    first: bool,
) -> Result<Executed, Refused> {
    let msg_bytes = msg_bytes as u64;
    match result {
        Ok(mut done) => {
            let tx = tx_terms(
                msg_bytes,
                info,
                contract,
                label,
                Some(&done.response),
                first,
            );
            done.gas = done.gas.with_tx(tx);
            Ok(done)
        }
        Err(mut refused) => {
            let tx = tx_terms(msg_bytes, info, contract, label, None, first);
            refused.gas = refused.gas.with_tx(tx);
            Err(refused)
        }
    }
}

/// The chain's figures beside the VM's; panics when the chain and the VM disagree on
/// whether the call was accepted.
#[cfg(feature = "chain")]
fn chain_beside(
    result: Result<Executed, Refused>,
    on_chain: Option<crate::chain::ChainTx>,
) -> Result<Executed, Refused> {
    let Some(tx) = on_chain else {
        return result;
    };
    let mark = |g: &mut GasUse| {
        g.chain_gas_used = Some(tx.gas_used);
        g.chain_tx_bytes = (tx.tx_bytes > 0).then_some(tx.tx_bytes as u64);
    };
    match result {
        Ok(mut done) if tx.accepted => {
            mark(&mut done.gas);
            Ok(done)
        }
        Err(mut refused) if !tx.accepted => {
            mark(&mut refused.gas);
            Err(refused)
        }
        Ok(_) => panic!(
            "the chain refused a call the VM accepted (height {}): {}",
            tx.height, tx.log
        ),
        Err(e) => panic!(
            "the chain accepted a call the VM refused (height {}): {e}",
            tx.height
        ),
    }
}

/// The cw2 record's storage key (`cw2::CONTRACT`).
pub const CW2_KEY: &[u8] = b"contract_info";

/// Moves the storage and the bank querier of one instance into another.
fn move_backend(from: &mut VmInstance, to: &mut VmInstance) {
    let storage = from
        .with_storage(|s| Ok(std::mem::take(s)))
        .expect("storage");
    let querier = from
        .with_querier(|q| Ok(std::mem::replace(q, MockQuerier::new(&[]))))
        .expect("querier");
    to.with_storage(|s| {
        *s = storage;
        Ok(())
    })
    .expect("storage");
    to.with_querier(|q| {
        *q = querier;
        Ok(())
    })
    .expect("querier");
}

/// The `BankMsg::Send`s of a response, as `(recipient, coins)`.
pub fn bank_sends(response: &Response) -> Vec<(String, Vec<Coin>)> {
    response
        .messages
        .iter()
        .filter_map(|m| match &m.msg {
            CosmosMsg::Bank(BankMsg::Send { to_address, amount }) => {
                Some((to_address.clone(), amount.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Parameters of a rollup deployed by [`VmRollup::deploy`].
#[derive(Debug, Clone)]
pub struct RollupParams {
    pub denom: String,
    pub bond_denom: String,
    pub proposer_bond: u128,
    pub challenge_window: u64,
    pub force_inclusion_delay: u64,
    pub max_batch_bytes: u32,
    /// Fraud-proof games: the bond a challenger attaches (`bond_denom`).
    pub challenger_bond: u128,
    /// Seconds on each side's chess clock.
    pub clock_seconds: u64,
    /// Least seconds the side to move has when its turn starts.
    pub min_answer_seconds: u64,
    /// Share of a slashed proposer bond paid to the winning challenger (basis points).
    pub reward_bps: u16,
    /// Address credited with the rest of a slashed bond (it withdraws it with `claim`).
    pub treasury: String,
    /// What the admin may ever set (`None`: every parameter pinned at instantiate).
    pub bounds: Option<optimistic_rollup::msg::ConfigBounds>,
}

impl Default for RollupParams {
    /// The Suite's defaults: bond 1,000 ustake, a one-day window, deposits force-included
    /// after an hour, 128 KiB batches; games with a 500 ustake challenger bond, an hour on
    /// each clock, at least five minutes to answer, half of a slashed bond to the
    /// challenger and the rest to the address `MockApi` makes for "treasury".
    fn default() -> Self {
        RollupParams {
            denom: "uusd".into(),
            bond_denom: "ustake".into(),
            proposer_bond: 1_000,
            challenge_window: 86_400,
            force_inclusion_delay: 3_600,
            max_batch_bytes: 128 * 1024,
            challenger_bond: 500,
            clock_seconds: 3_600,
            min_answer_seconds: 300,
            reward_bps: 5_000,
            treasury: MockApi::default().addr_make("treasury"),
            bounds: None,
        }
    }
}

impl RollupParams {
    /// The `dispute` field of the instantiate message.
    pub fn dispute(&self) -> DisputeParams {
        DisputeParams {
            challenger_bond: Uint128::new(self.challenger_bond),
            clock_seconds: self.clock_seconds,
            min_answer_seconds: self.min_answer_seconds,
            reward_bps: self.reward_bps,
            treasury: self.treasury.clone(),
        }
    }
}

/// A root other than `root` (its last byte flipped): what a lying player posts.
pub fn altered_root(root: &Hash) -> Hash {
    let mut r = *root;
    r[31] ^= 0xff;
    r
}

/// A 32-byte root from a `HexBinary` of the contract's responses.
pub fn hash_of(bytes: &Binary) -> Hash {
    bytes.as_slice().try_into().expect("a 32-byte root")
}

/// The bisection of one game played to its one-step phase (see [`VmRollup::play_bisection`]).
#[derive(Debug, Clone)]
pub struct Bisection {
    /// The defender's `Bisect` calls, in order.
    pub bisects: Vec<Executed>,
    /// The challenger's `Choose` calls, in order.
    pub chooses: Vec<Executed>,
    /// The step the game narrowed to.
    pub step: u64,
}

impl Bisection {
    /// `Bisect` plus `Choose` messages sent.
    pub fn moves(&self) -> usize {
        self.bisects.len() + self.chooses.len()
    }
}

/// Seconds a player takes to answer a move in [`VmRollup::play_bisection`] (one block).
pub const MOVE_SECONDS: u64 = 5;

/// The optimistic rollup in cosmwasm-vm, mirrored by an operator [`Node`], with a ledger
/// of what the bank would hold for the contract (funds attached to accepted messages, less
/// the `BankMsg::Send`s it emitted).
pub struct VmRollup {
    pub h: Harness,
    pub node: Node,
    pub params: RollupParams,
    pub admin: Addr,
    pub proposer: Addr,
    /// What the contract should hold, per denom, if the bank executed every message.
    pub held: BTreeMap<String, u128>,
    /// Deposits the contract accepted.
    pub deposit_count: u64,
    /// The output root posted for each batch the node applied (index = batch): the node's
    /// own root, or the one given to [`VmRollup::propose_with_root`]. [`VmRollup::propose_raw`]
    /// bypasses the node and records nothing.
    pub posted_roots: Vec<Hash>,
}

impl VmRollup {
    /// Loads the optimistic-rollup artifact and instantiates it (sent by `admin`); returns
    /// the instantiate call too (for its gas).
    pub fn deploy(params: RollupParams) -> (VmRollup, Executed) {
        Self::deploy_on(Harness::load("optimistic-rollup"), params)
    }

    /// As [`VmRollup::deploy`], on a harness prepared by the caller (for instance with
    /// `h.env.contract.address` set to the address another runtime gave the contract, so
    /// that its signing domain is the same).
    pub fn deploy_on(mut h: Harness, params: RollupParams) -> (VmRollup, Executed) {
        let admin = h.addr("admin");
        let proposer = h.addr("proposer");
        let msg = InstantiateMsg {
            admin: None,
            denom: params.denom.clone(),
            bond_denom: params.bond_denom.clone(),
            proposer_bond: Uint128::new(params.proposer_bond),
            challenge_window: params.challenge_window,
            force_inclusion_seconds: params.force_inclusion_delay,
            max_batch_bytes: params.max_batch_bytes,
            dispute: params.dispute(),
            bounds: params.bounds.clone(),
        };
        let info = h.info(&admin, &[]);
        let done = h
            .instantiate(&info, &msg)
            .unwrap_or_else(|e| panic!("instantiate: {e}"));
        let config: ConfigResponse = h.query(&QueryMsg::Config {});
        let domain = Domain(config.domain.as_slice().try_into().expect("32-byte domain"));
        let rollup = VmRollup {
            h,
            node: Node::new(domain),
            params,
            admin,
            proposer,
            held: BTreeMap::new(),
            deposit_count: 0,
            posted_roots: Vec::new(),
        };
        (rollup, done)
    }

    /// Executes `msg` from `sender` with `funds`, keeping [`VmRollup::held`] current.
    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> Result<Executed, Refused> {
        let info = self.h.info(sender, funds);
        let done = self.h.execute(&info, msg)?;
        track_holdings(&mut self.held, funds, &done.response);
        Ok(done)
    }

    pub fn bond(&mut self, who: &Addr, amount: u128) -> Result<Executed, Refused> {
        let coin = Coin::new(amount, self.params.bond_denom.clone());
        self.execute(who, &ExecuteMsg::Bond {}, &[coin])
    }

    /// Bonds the proposer with the required bond.
    pub fn bond_proposer(&mut self) -> Result<Executed, Refused> {
        let p = self.proposer.clone();
        self.bond(&p, self.params.proposer_bond)
    }

    pub fn unbond(&mut self, who: &Addr) -> Result<Executed, Refused> {
        self.execute(who, &ExecuteMsg::Unbond {}, &[])
    }

    /// Deposits `amount` and, when the contract accepts it, mirrors it into the node.
    pub fn deposit(
        &mut self,
        who: &Addr,
        to: DepositTarget,
        amount: u128,
    ) -> Result<Executed, Refused> {
        let coin = Coin::new(amount, self.params.denom.clone());
        let done = self.execute(who, &ExecuteMsg::Deposit { target: to.clone() }, &[coin])?;
        let target = to.target().expect("the contract accepted this target");
        self.node
            .observe_deposit(Deposit {
                index: self.deposit_count,
                target,
                amount,
                refund_to: self.h.canonical(who),
            })
            .expect("deposits mirrored in order");
        self.deposit_count += 1;
        Ok(done)
    }

    /// Opens an L2 account for `key` with a first deposit.
    pub fn deposit_new_account(
        &mut self,
        who: &Addr,
        key: &L2Key,
        amount: u128,
    ) -> Result<Executed, Refused> {
        let pubkey = Binary::from(key.public_key().as_slice());
        self.deposit(who, DepositTarget::NewAccount { pubkey }, amount)
    }

    /// A signed L2 transfer for this rollup.
    pub fn transfer(&self, key: &L2Key, from: u32, to: u32, amount: u128, nonce: u64) -> SignedTx {
        self.node.sign_transfer(key, from, to, amount, nonce)
    }

    /// A signed L2 withdrawal to an L1 address (its canonical bytes, from the VM's API).
    pub fn withdrawal(
        &self,
        key: &L2Key,
        from: u32,
        recipient: &Addr,
        amount: u128,
        nonce: u64,
    ) -> SignedTx {
        let recipient = self.h.canonical(recipient);
        self.node
            .sign_withdrawal(key, from, recipient, amount, nonce)
    }

    /// The node applies `data` after every pending deposit and the proposer posts it. If
    /// the contract refuses, the node is left as it was.
    pub fn propose(&mut self, data: Vec<u8>) -> Result<(Proposal, Executed), Refused> {
        self.propose_inner(data, None)
    }

    /// What [`VmRollup::propose`] would post for `data` now (the node's proposal, on a
    /// copy of the node): for instance to know the true output root before lying about it.
    pub fn preview(&self, data: Vec<u8>) -> Proposal {
        self.node
            .clone()
            .propose(&NativeVerifier, data)
            .expect("the node applies any batch")
    }

    /// As [`VmRollup::propose`], but the proposer posts `output_root` instead of the root
    /// the node computed: a fraudulent batch when they differ. The node still applies the
    /// batch honestly (the returned [`Proposal`] has the true root);
    /// [`VmRollup::posted_roots`] records what was posted.
    pub fn propose_with_root(
        &mut self,
        data: Vec<u8>,
        output_root: Hash,
    ) -> Result<(Proposal, Executed), Refused> {
        self.propose_inner(data, Some(output_root))
    }

    fn propose_inner(
        &mut self,
        data: Vec<u8>,
        posted: Option<Hash>,
    ) -> Result<(Proposal, Executed), Refused> {
        let before = self.node.clone();
        let proposal = self
            .node
            .propose(&NativeVerifier, data)
            .expect("the node applies any batch");
        let root = posted.unwrap_or(proposal.output_root);
        let msg = ExecuteMsg::ProposeBatch {
            data: Binary::new(proposal.data.clone()),
            deposits_consumed: proposal.deposits_consumed,
            output_root: Binary::from(root.as_slice()),
        };
        let proposer = self.proposer.clone();
        match self.execute(&proposer, &msg, &[]) {
            Ok(done) => {
                self.posted_roots.push(root);
                Ok((proposal, done))
            }
            Err(e) => {
                self.node = before;
                Err(e)
            }
        }
    }

    /// Posts exactly these fields from the proposer, bypassing the node.
    pub fn propose_raw(
        &mut self,
        data: Vec<u8>,
        deposits_consumed: u64,
        output_root: Vec<u8>,
    ) -> Result<Executed, Refused> {
        let msg = ExecuteMsg::ProposeBatch {
            data: Binary::new(data),
            deposits_consumed,
            output_root: Binary::from(output_root),
        };
        let proposer = self.proposer.clone();
        self.execute(&proposer, &msg, &[])
    }

    /// Moves the clock past the challenge window of anything proposed so far.
    pub fn a_challenge_window_passes(&mut self) {
        self.h.advance(self.params.challenge_window);
    }

    pub fn finalize(&mut self, index: u64) -> Result<Executed, Refused> {
        let anyone = self.h.addr("anyone");
        self.execute(&anyone, &ExecuteMsg::Finalize { batch: index }, &[])
    }

    /// The node's proof for withdrawal `index` of `batch`.
    pub fn withdrawal_proof(&self, batch: u64, index: u32) -> WithdrawalProof {
        self.node
            .withdrawal_proof(batch, index)
            .expect("the node knows this withdrawal")
    }

    /// The `Withdraw` message for a proof.
    pub fn withdraw_msg(&self, p: &WithdrawalProof) -> ExecuteMsg {
        ExecuteMsg::withdraw_of(p, self.h.humanize(&p.recipient))
    }

    /// Claims withdrawal `index` of `batch` with the node's proof, sent by `sender`.
    pub fn withdraw(&mut self, sender: &Addr, batch: u64, index: u32) -> Result<Executed, Refused> {
        let msg = self.withdraw_msg(&self.withdrawal_proof(batch, index));
        self.execute(sender, &msg, &[])
    }

    /// The true root at every position `0..=n` of batch `batch` (the node's replay).
    pub fn true_roots(&self, batch: u64) -> Vec<Hash> {
        self.node
            .trace(batch)
            .and_then(|t| t.roots(&NativeVerifier))
            .expect("the node replays its own batch")
    }

    /// The node's one-step proof of step `step` of batch `batch`.
    pub fn step_proof(&self, batch: u64, step: u64) -> OneStepProof {
        self.node
            .trace(batch)
            .and_then(|t| t.proof(&NativeVerifier, step))
            .expect("the node proves any step of its own batch")
    }

    /// Opens a game on `batch`, sent by `challenger` with the challenger bond attached;
    /// returns the game id (from the `challenge` event) and the call.
    pub fn challenge(&mut self, challenger: &Addr, batch: u64) -> Result<(u64, Executed), Refused> {
        let bond = Coin::new(self.params.challenger_bond, self.params.bond_denom.clone());
        let done = self.execute(challenger, &ExecuteMsg::Challenge { batch }, &[bond])?;
        let id = event_attr(&done.response, "challenge", "game")
            .and_then(|v| v.parse().ok())
            .expect("the challenge event names the game");
        Ok((id, done))
    }

    /// The defender's move: `root` at `position`, sent by `sender`.
    pub fn bisect(
        &mut self,
        sender: &Addr,
        game: u64,
        position: u64,
        root: Hash,
    ) -> Result<Executed, Refused> {
        let msg = ExecuteMsg::Bisect {
            game,
            position,
            root: Binary::from(root.as_slice()),
        };
        self.execute(sender, &msg, &[])
    }

    /// The challenger's move: agree or not with the root at `position`, sent by `sender`.
    pub fn choose(
        &mut self,
        sender: &Addr,
        game: u64,
        position: u64,
        agree: bool,
    ) -> Result<Executed, Refused> {
        let msg = ExecuteMsg::Choose {
            game,
            position,
            agree,
        };
        self.execute(sender, &msg, &[])
    }

    /// Settles a game narrowed to `step` with these one-step proof bytes (sent by anyone);
    /// then forgets in the node whatever batches the chain removed.
    pub fn prove_step(
        &mut self,
        sender: &Addr,
        game: u64,
        step: u64,
        proof: Vec<u8>,
    ) -> Result<Executed, Refused> {
        let msg = ExecuteMsg::ProveStep {
            game,
            step,
            proof: Binary::new(proof),
        };
        let done = self.execute(sender, &msg, &[])?;
        self.follow_removals();
        Ok(done)
    }

    /// Ends a game on time (or releases a void game's bond), sent by anyone; then forgets
    /// in the node whatever batches the chain removed.
    pub fn resolve_game(&mut self, sender: &Addr, game: u64) -> Result<Executed, Refused> {
        let done = self.execute(sender, &ExecuteMsg::ResolveGame { game }, &[])?;
        self.follow_removals();
        Ok(done)
    }

    /// `owner` withdraws its credit (the treasury's share of slashed bonds).
    pub fn claim(&mut self, owner: &Addr) -> Result<Executed, Refused> {
        self.execute(owner, &ExecuteMsg::Claim {}, &[])
    }

    pub fn game(&mut self, id: u64) -> GameResponse {
        self.h.query(&QueryMsg::Game { game: id })
    }

    pub fn status(&mut self) -> StatusResponse {
        self.h.query(&QueryMsg::Status {})
    }

    /// Rolls the node (and [`VmRollup::posted_roots`]) back to the chain's batch count
    /// when a game removed batches; returns how many batches it forgot.
    pub fn follow_removals(&mut self) -> u64 {
        let next = self.status().next_batch;
        let count = self.node.batch_count();
        if next >= count {
            return 0;
        }
        self.node
            .roll_back(next)
            .expect("the node knows every batch the chain had");
        self.posted_roots.truncate(next as usize);
        count - next
    }

    /// Plays game `id` from its current phase to its one-step phase, reading each phase
    /// from the `Game` query as a player would: the game's defender answers each
    /// `Bisect { position }` with `defender_root(position)`, its challenger answers each
    /// `Choose { position, root }` with `challenger_agrees(position, root)`. Every move
    /// comes [`MOVE_SECONDS`] after the previous one. Panics if the game ends on the way.
    pub fn play_bisection(
        &mut self,
        id: u64,
        mut defender_root: impl FnMut(u64) -> Hash,
        mut challenger_agrees: impl FnMut(u64, &Hash) -> bool,
    ) -> Result<Bisection, Refused> {
        let mut played = Bisection {
            bisects: Vec::new(),
            chooses: Vec::new(),
            step: 0,
        };
        loop {
            let g = self.game(id);
            match g.phase {
                GamePhase::Bisect { position } => {
                    self.h.advance(MOVE_SECONDS);
                    let root = defender_root(position);
                    played
                        .bisects
                        .push(self.bisect(&g.defender, id, position, root)?);
                }
                GamePhase::Choose { position, root } => {
                    self.h.advance(MOVE_SECONDS);
                    let agree = challenger_agrees(position, &hash_of(&root));
                    played
                        .chooses
                        .push(self.choose(&g.challenger, id, position, agree)?);
                }
                GamePhase::OneStep { step } => {
                    played.step = step;
                    return Ok(played);
                }
                other => panic!("game {id} ended during its bisection: {other:?}"),
            }
        }
    }

    /// Tells the querier the contract holds what [`VmRollup::held`] says.
    pub fn sync_bank(&mut self) {
        let coins = self
            .held
            .iter()
            .map(|(d, a)| Coin::new(*a, d.clone()))
            .collect();
        self.h.set_contract_balance(coins);
    }

    pub fn solvency(&mut self) -> SolvencyResponse {
        self.h.query(&QueryMsg::Solvency {})
    }
}

/// Join window [`VmChannels::propose`] gives the counterparty (one hour).
pub const VM_JOIN_WINDOW: u64 = 3_600;

/// Parameters of a payment-channels contract deployed by [`VmChannels::deploy`].
#[derive(Debug, Clone)]
pub struct ChannelParams {
    /// The denom channels are opened in by [`VmChannels::open`].
    pub denom: String,
    /// Share of a stale closer's balance forfeited (basis points; `None`: all of it).
    pub penalty_share_bps: Option<u16>,
    /// Share of the forfeit paid to an authorised watchtower (basis points, at most 5,000).
    pub watchtower_fee_bps: u16,
    /// Longest dispute window a channel may set (seconds).
    pub max_dispute_window: u64,
}

impl Default for ChannelParams {
    /// uusd channels; a stale closer forfeits all its balance, 10% of it to an authorised
    /// watchtower that proved the stale close; dispute windows of up to a day.
    fn default() -> Self {
        ChannelParams {
            denom: "uusd".into(),
            penalty_share_bps: None,
            watchtower_fee_bps: 1_000,
            max_dispute_window: 86_400,
        }
    }
}

/// The payment-channels contract in cosmwasm-vm, with a ledger of what the bank would hold
/// for it (funds attached to accepted messages, less the `BankMsg::Send`s it emitted), as
/// [`VmRollup`] keeps for the rollup.
pub struct VmChannels {
    pub h: Harness,
    pub params: ChannelParams,
    pub admin: Addr,
    /// The signing domain the contract reported at instantiation.
    pub domain: ChannelDomain,
    /// What the contract should hold, per denom, if the bank executed every message.
    pub held: BTreeMap<String, u128>,
}

impl VmChannels {
    /// Loads the payment-channels artifact and instantiates it (sent by `admin`); returns
    /// the instantiate call too (for its gas).
    pub fn deploy(params: ChannelParams) -> (VmChannels, Executed) {
        Self::deploy_on(Harness::load("payment-channels"), params)
    }

    /// As [`VmChannels::deploy`], on a harness prepared by the caller.
    pub fn deploy_on(mut h: Harness, params: ChannelParams) -> (VmChannels, Executed) {
        let admin = h.addr("admin");
        let msg = pc::InstantiateMsg {
            penalty_share_bps: params.penalty_share_bps,
            watchtower_fee_bps: params.watchtower_fee_bps,
            max_dispute_window: params.max_dispute_window,
        };
        let info = h.info(&admin, &[]);
        let done = h
            .instantiate(&info, &msg)
            .unwrap_or_else(|e| panic!("instantiate: {e}"));
        let config: pc::ConfigResponse = h.query(&pc::QueryMsg::Config {});
        let domain = ChannelDomain(config.domain.as_slice().try_into().expect("32-byte domain"));
        let channels = VmChannels {
            h,
            params,
            admin,
            domain,
            held: BTreeMap::new(),
        };
        (channels, done)
    }

    /// Executes `msg` from `sender` with `funds`, keeping [`VmChannels::held`] current.
    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &pc::ExecuteMsg,
        funds: &[Coin],
    ) -> Result<Executed, Refused> {
        let info = self.h.info(sender, funds);
        let done = self.h.execute(&info, msg)?;
        track_holdings(&mut self.held, funds, &done.response);
        Ok(done)
    }

    /// `state` signed by both parties' keys over its signing hash in this contract's domain.
    pub fn sign(&self, key_a: &L2Key, key_b: &L2Key, state: &ChannelState) -> pc::SignedState {
        sign_state(&self.domain, key_a, key_b, state)
    }

    fn coins(&self, amount: u128) -> Vec<Coin> {
        vec![Coin::new(amount, self.params.denom.clone())]
    }

    /// `a` proposes a channel to `b` (keys `key_a`, `key_b`), funding it with `amount` of
    /// [`ChannelParams::denom`] (`b` may join for [`VM_JOIN_WINDOW`] seconds); returns the
    /// channel id (from the `open` event) and the call.
    pub fn propose(
        &mut self,
        a: &Addr,
        b: &Addr,
        key_a: &L2Key,
        key_b: &L2Key,
        amount: u128,
        dispute_window: u64,
    ) -> Result<(u64, Executed), Refused> {
        let msg = pc::ExecuteMsg::Open {
            counterparty: b.to_string(),
            pubkey_a: Binary::from(key_a.public_key().as_slice()),
            pubkey_b: Binary::from(key_b.public_key().as_slice()),
            dispute_window,
            join_window: VM_JOIN_WINDOW,
        };
        let funds = self.coins(amount);
        let done = self.execute(a, &msg, &funds)?;
        let id = event_attr(&done.response, "open", "channel")
            .and_then(|v| v.parse().ok())
            .expect("the open event names the channel");
        Ok((id, done))
    }

    /// `b` joins `channel` with `key_b`'s signature (keys `key_a`, `key_b`), adding
    /// `amount` (none if 0).
    pub fn join(
        &mut self,
        b: &Addr,
        channel: u64,
        key_a: &L2Key,
        key_b: &L2Key,
        amount: u128,
    ) -> Result<Executed, Refused> {
        let (pa, pb) = (key_a.public_key(), key_b.public_key());
        let h = join_hash(&self.domain, channel, b.as_str(), [&pa, &pb]);
        let msg = pc::ExecuteMsg::Join {
            channel,
            signature: Binary::from(key_b.sign_prehash(&h).as_slice()),
        };
        let funds = if amount > 0 {
            self.coins(amount)
        } else {
            vec![]
        };
        self.execute(b, &msg, &funds)
    }

    /// [`VmChannels::propose`] then [`VmChannels::join`] by `b` (adding nothing): an open
    /// channel; returns its id and the open call.
    pub fn open(
        &mut self,
        a: &Addr,
        b: &Addr,
        key_a: &L2Key,
        key_b: &L2Key,
        amount: u128,
        dispute_window: u64,
    ) -> Result<(u64, Executed), Refused> {
        let (id, done) = self.propose(a, b, key_a, key_b, amount, dispute_window)?;
        self.join(b, id, key_a, key_b, 0)?;
        Ok((id, done))
    }

    /// `key`'s revocation of every state of `channel` up to `version`.
    pub fn revoke(&self, key: &L2Key, channel: u64, version: u64) -> pc::Revocation {
        let h = revocation_hash(&self.domain, channel, version);
        pc::Revocation {
            version,
            signature: Binary::from(key.sign_prehash(&h).as_slice()),
        }
    }

    /// `key`'s authorisation of `watchtower` for `channel`.
    pub fn authorise(&self, key: &L2Key, channel: u64, watchtower: &Addr) -> Binary {
        let h = watchtower_hash(&self.domain, channel, watchtower.as_str());
        Binary::from(key.sign_prehash(&h).as_slice())
    }

    /// A party adds `amount` of [`ChannelParams::denom`] to an open channel.
    pub fn fund(&mut self, who: &Addr, channel: u64, amount: u128) -> Result<Executed, Refused> {
        let funds = self.coins(amount);
        self.execute(who, &pc::ExecuteMsg::Fund { channel }, &funds)
    }

    pub fn cooperative_close(
        &mut self,
        sender: &Addr,
        channel: u64,
        signed: pc::SignedState,
    ) -> Result<Executed, Refused> {
        self.execute(
            sender,
            &pc::ExecuteMsg::CooperativeClose { channel, signed },
            &[],
        )
    }

    /// A party's unilateral close: the dispute window opens.
    pub fn close(
        &mut self,
        sender: &Addr,
        channel: u64,
        signed: pc::SignedState,
    ) -> Result<Executed, Refused> {
        self.execute(sender, &pc::ExecuteMsg::Close { channel, signed }, &[])
    }

    /// Anyone's dispute of a closing channel: a newer state, the closer's revocation, a
    /// watchtower authorisation (each optional).
    pub fn dispute(
        &mut self,
        sender: &Addr,
        channel: u64,
        signed: Option<pc::SignedState>,
        revocation: Option<pc::Revocation>,
        authorisation: Option<Binary>,
    ) -> Result<Executed, Refused> {
        let msg = pc::ExecuteMsg::Dispute {
            channel,
            signed,
            revocation,
            authorisation,
        };
        self.execute(sender, &msg, &[])
    }

    pub fn settle(&mut self, sender: &Addr, channel: u64) -> Result<Executed, Refused> {
        self.execute(sender, &pc::ExecuteMsg::Settle { channel }, &[])
    }

    pub fn reveal_preimage(&mut self, sender: &Addr, preimage: &[u8]) -> Result<Executed, Refused> {
        let msg = pc::ExecuteMsg::RevealPreimage {
            preimage: Binary::from(preimage),
        };
        self.execute(sender, &msg, &[])
    }

    pub fn settle_htlc(
        &mut self,
        sender: &Addr,
        channel: u64,
        index: u32,
    ) -> Result<Executed, Refused> {
        self.execute(
            sender,
            &pc::ExecuteMsg::SettleHtlc {
                channel,
                htlc: index,
            },
            &[],
        )
    }

    pub fn config(&mut self) -> pc::ConfigResponse {
        self.h.query(&pc::QueryMsg::Config {})
    }

    pub fn channel(&mut self, id: u64) -> pc::ChannelResponse {
        self.h.query(&pc::QueryMsg::Channel { channel: id })
    }

    pub fn channels(&mut self) -> pc::ChannelsResponse {
        self.h.query(&pc::QueryMsg::Channels {
            start_after: None,
            limit: None,
        })
    }

    /// When the preimage of `payment_hash` was revealed, if it was.
    pub fn preimage(&mut self, payment_hash: &Hash) -> pc::PreimageResponse {
        self.h.query(&pc::QueryMsg::Preimage {
            payment_hash: Binary::from(payment_hash.as_slice()),
        })
    }

    /// The contract's dry run of `sender` closing (or disputing) `channel` with `signed`,
    /// `revocation` and `authorisation`.
    pub fn check_close(
        &mut self,
        sender: &Addr,
        channel: u64,
        signed: Option<pc::SignedState>,
        revocation: Option<pc::Revocation>,
        authorisation: Option<Binary>,
    ) -> pc::CloseCheckResponse {
        self.h.query(&pc::QueryMsg::CheckClose {
            channel,
            sender: sender.to_string(),
            signed,
            revocation,
            authorisation,
        })
    }

    /// Bytes of channel `id`'s stored record (as the contract's storage holds it).
    pub fn record_bytes(&mut self, id: u64) -> usize {
        let mut key = vec![0u8, b"channels".len() as u8];
        key.extend_from_slice(b"channels");
        key.extend_from_slice(&id.to_be_bytes());
        self.h.raw(&key).map(|v| v.len()).unwrap_or(0)
    }

    /// Tells the querier the contract holds what [`VmChannels::held`] says.
    pub fn sync_bank(&mut self) {
        let coins = self
            .held
            .iter()
            .map(|(d, a)| Coin::new(*a, d.clone()))
            .collect();
        self.h.set_contract_balance(coins);
    }

    pub fn solvency(&mut self) -> pc::SolvencyResponse {
        self.h.query(&pc::QueryMsg::Solvency {})
    }
}

/// `state` with both parties' signatures over its signing hash in `domain`.
pub fn sign_state(
    domain: &ChannelDomain,
    key_a: &L2Key,
    key_b: &L2Key,
    state: &ChannelState,
) -> pc::SignedState {
    let hash = state.signing_hash(domain);
    pc::SignedState {
        state: Binary::new(state.encode()),
        signature_a: Binary::from(key_a.sign_prehash(&hash).as_slice()),
        signature_b: Binary::from(key_b.sign_prehash(&hash).as_slice()),
    }
}

/// The value of attribute `key` in the contract's event for `action`.
pub fn event_attr(response: &Response, action: &str, key: &str) -> Option<String> {
    response
        .events
        .iter()
        .find(|e| {
            e.attributes
                .iter()
                .any(|a| a.key == "action" && a.value == action)
        })
        .and_then(|e| e.attributes.iter().find(|a| a.key == key))
        .map(|a| a.value.clone())
}

/// What the bank does for an accepted call: `funds` move to the contract, the response's
/// `BankMsg::Send`s out of it. Panics if the contract pays out more than it holds.
fn track_holdings(held: &mut BTreeMap<String, u128>, funds: &[Coin], response: &Response) {
    for c in funds {
        *held.entry(c.denom.clone()).or_default() += u128_of(c);
    }
    for (_, coins) in bank_sends(response) {
        for c in coins {
            let h = held.entry(c.denom.clone()).or_default();
            *h = h.checked_sub(u128_of(&c)).expect("pays out what it holds");
        }
    }
}

fn u128_of(c: &Coin) -> u128 {
    Uint128::try_from(c.amount)
        .expect("amount fits u128")
        .u128()
}

/// The validity-rollup artifact driven by the same [`settle_testing::Operator`] the
/// cw-multi-test Suite uses (real proofs from `settle-zk`, keys from the seeded test
/// setup), with the ledger of holdings.
pub struct VmValidity {
    pub h: Harness,
    pub admin: Addr,
    pub denom: String,
    pub op: settle_testing::Operator,
    /// What the contract should hold if the bank executed every message.
    pub held: BTreeMap<String, u128>,
}

impl VmValidity {
    /// Loads the artifact and instantiates it with the test keys for `shape`; returns the
    /// instantiate call too (for its gas).
    pub fn deploy(
        shape: settle_core::validity::ledger::Shape,
        exodus_after: u64,
    ) -> (VmValidity, Executed) {
        Self::deploy_on(Harness::load("validity-rollup"), shape, exodus_after, "uzk")
    }

    /// As [`VmValidity::deploy`], on a harness prepared by the caller, in `denom`.
    pub fn deploy_on(
        mut h: Harness,
        shape: settle_core::validity::ledger::Shape,
        exodus_after: u64,
        denom: &str,
    ) -> (VmValidity, Executed) {
        use validity_rollup::msg as vr;
        let admin = h.addr("admin");
        let keys = settle_testing::keys_for(shape);
        let msg = vr::InstantiateMsg {
            admin: None,
            denom: denom.into(),
            verifying_key: Binary::from(keys.verifying.to_wire()),
            shape: settle_testing::msg_shape(shape),
            exodus_after_seconds: exodus_after,
            key_timelock_seconds: 7 * 86_400,
            min_deposit: cosmwasm_std::Uint128::new(1),
            min_new_account: cosmwasm_std::Uint128::new(1),
            max_pending: 1_024,
        };
        let info = h.info(&admin, &[]);
        let done = h
            .instantiate(&info, &msg)
            .unwrap_or_else(|e| panic!("instantiate: {e}"));
        let config: vr::ConfigResponse = h.query(&vr::QueryMsg::Config {});
        let domain =
            settle_core::validity::field::fr_from_bytes("domain", config.domain.as_slice())
                .expect("domain");
        let v = VmValidity {
            h,
            admin,
            denom: denom.into(),
            op: settle_testing::Operator::new(domain, shape, keys),
            held: BTreeMap::new(),
        };
        (v, done)
    }

    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &validity_rollup::msg::ExecuteMsg,
        funds: &[Coin],
    ) -> Result<Executed, Refused> {
        let info = self.h.info(sender, funds);
        let done = self.h.execute(&info, msg)?;
        track_holdings(&mut self.held, funds, &done.response);
        Ok(done)
    }

    /// `sender` deposits `amount` to open an account for `key`.
    pub fn deposit_new_account(
        &mut self,
        sender: &Addr,
        key: &settle_core::validity::eddsa::SecretKey,
        amount: u128,
    ) -> Result<Executed, Refused> {
        use validity_rollup::msg as vr;
        let pubkey = key.public_key();
        let msg = vr::ExecuteMsg::Deposit {
            target: vr::DepositTarget::NewAccount {
                pubkey: Binary::from(pubkey.encode().to_vec()),
            },
        };
        let funds = [Coin::new(amount, self.denom.clone())];
        let done = self.execute(sender, &msg, &funds)?;
        self.op
            .queue
            .push(settle_core::validity::ledger::Deposit::NewAccount {
                key: pubkey,
                amount,
            });
        Ok(done)
    }

    /// `sender` posts an exit request of `key`'s account `account` to `recipient` with a
    /// bond of `bond` (signing the sequence the contract reports); the operator queues it.
    pub fn request_exit(
        &mut self,
        sender: &Addr,
        key: &settle_core::validity::eddsa::SecretKey,
        account: u32,
        recipient: &Addr,
        bond: u128,
    ) -> Result<Executed, Refused> {
        use validity_rollup::msg as vr;
        let r: vr::AccountResponse = self.h.query(&vr::QueryMsg::Account { account });
        let msg = self.op.exit_request_msg(
            key,
            account,
            recipient.as_str(),
            &self.h.canonical(recipient),
            r.exit_sequence,
        );
        let funds = [Coin::new(bond, self.denom.clone())];
        let done = self.execute(sender, &msg, &funds)?;
        self.op
            .queue
            .push(settle_core::validity::ledger::Deposit::Exit { account });
        Ok(done)
    }

    /// Submits a proven batch; the operator follows when the contract accepts it.
    pub fn submit(
        &mut self,
        sender: &Addr,
        batch: &settle_testing::ProvenBatch,
    ) -> Result<Executed, Refused> {
        let done = self.execute(sender, &batch.msg(), &[])?;
        self.op.follow(batch);
        Ok(done)
    }
}
