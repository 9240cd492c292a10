//! A wasmd node beside the cosmwasm-vm [`Harness`](crate::vm::Harness): the chain backend
//! of `cargo xtask gas --chain`.
//!
//! A [`Link`] is one contract's connection to a node (settle-client, signed transactions).
//! A harness built with [`Harness::on_chain`](crate::vm::Harness::on_chain) sends every
//! instantiate and execute to the chain FIRST, as the same sender with the same message
//! and funds, then runs the same call in the VM with the environment of the block the
//! transaction landed in (height, time, chain id, the chain's contract address). The VM
//! keeps giving the model's figures; the chain gives `gas_used`; the two must agree on
//! whether the call was accepted (a disagreement panics). Addresses are wallets derived
//! from the label ([`Link::address`]) and funded from a test account before their first
//! transaction, so every address a script names exists on the chain (a bank send to it
//! never creates an account).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use settle_client::{Client, Error, TxOutcome, Wallet};
use sha2::{Digest, Sha256};

/// The bech32 prefix of wasmd's addresses.
pub const PREFIX: &str = "wasm";
/// The fee denomination and the only denomination of the local network's test accounts.
pub const DENOM: &str = "stake";
/// The fee the local network asks.
pub const GAS_PRICE: &str = "0.025stake";
/// What every address the script names is funded with (fees, deposits, bonds).
pub const FUNDING: u128 = 10_000_000_000;
/// Gas limit of a transaction the simulation refused, sent anyway so that the chain
/// charges it in a block (the refusal's gas is a row of the report).
pub const REFUSED_GAS_LIMIT: u64 = 3_000_000;

/// What the chain did with one transaction.
#[derive(Debug, Clone)]
pub struct ChainTx {
    pub accepted: bool,
    pub gas_used: u64,
    pub height: u64,
    /// The block's time, nanoseconds since the Unix epoch.
    pub time_nanos: u64,
    /// Bytes of the signed transaction (0 for a refused one).
    pub tx_bytes: usize,
    /// The contract's address for an instantiation.
    pub address: Option<String>,
    /// The chain's error for a refused transaction.
    pub log: String,
}

/// One contract's connection to a node: the client, the funder, the wallets named so far.
pub struct Link {
    rt: tokio::runtime::Runtime,
    pub client: Client,
    funder: Wallet,
    /// Names this link's wallets apart from other links' (and other runs').
    tag: String,
    /// Wallets by address.
    wallets: BTreeMap<String, Wallet>,
    /// Addresses named but not funded yet.
    unfunded: Vec<String>,
    /// Code ids stored through this link, by wasm checksum.
    codes: BTreeMap<Vec<u8>, u64>,
}

impl Link {
    /// Connects to `url`; `funder_mnemonic` pays for every wallet this link names.
    pub fn connect(url: &str, funder_mnemonic: &str, tag: &str) -> Result<Link, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        let client = rt
            .block_on(Client::connect(url, PREFIX, GAS_PRICE))
            .map_err(|e| format!("connect {url}: {e}"))?;
        let funder = Wallet::from_mnemonic(funder_mnemonic, PREFIX).map_err(|e| e.to_string())?;
        Ok(Link {
            rt,
            client,
            funder,
            tag: tag.to_string(),
            wallets: BTreeMap::new(),
            unfunded: Vec::new(),
            codes: BTreeMap::new(),
        })
    }

    /// A fresh link to the same node for another contract, its wallets paid by a new
    /// funder that this link's funder pays `amount` (so that links run side by side
    /// without sharing a sequence number).
    pub fn split(&mut self, tag: &str, amount: u128) -> Result<Link, String> {
        let secret = Sha256::digest(format!("settle-gas/{}/funder/{tag}", self.tag));
        let funder = Wallet::from_secret(&secret, PREFIX).map_err(|e| e.to_string())?;
        let to = funder.address().to_string();
        self.rt
            .block_on(self.client.send_coins(&self.funder, &to, amount, DENOM))
            .map_err(|e| format!("fund the {tag} funder: {e}"))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("tokio runtime: {e}"))?;
        Ok(Link {
            rt,
            client: self.client.clone(),
            funder,
            tag: format!("{}/{tag}", self.tag),
            wallets: BTreeMap::new(),
            unfunded: Vec::new(),
            codes: BTreeMap::new(),
        })
    }

    /// The address of the wallet derived from `label` (funded before the next
    /// transaction of this link).
    pub fn address(&mut self, label: &str) -> String {
        let secret = Sha256::digest(format!("settle-gas/{}/{label}", self.tag));
        let w = Wallet::from_secret(&secret, PREFIX).expect("a 32-byte secret is a key");
        let addr = w.address().to_string();
        if !self.wallets.contains_key(&addr) {
            self.unfunded.push(addr.clone());
            self.wallets.insert(addr.clone(), w);
        }
        addr
    }

    /// Funds every address named since the last transaction, in one transaction.
    fn fund_named(&mut self) -> Result<(), String> {
        if self.unfunded.is_empty() {
            return Ok(());
        }
        let to = std::mem::take(&mut self.unfunded);
        for chunk in to.chunks(100) {
            let msgs = chunk
                .iter()
                .map(|a| settle_client::cosmrs::bank::MsgSend {
                    from_address: self.funder.account_id().clone(),
                    to_address: a.parse().expect("a wallet's address"),
                    amount: vec![settle_client::cosmrs::Coin::new(FUNDING, DENOM).expect("a coin")],
                })
                .map(|m| {
                    settle_client::cosmrs::tx::Msg::to_any(&m).map_err(|e| format!("encode: {e}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            self.rt
                .block_on(self.client.send(&self.funder, msgs, ""))
                .map_err(|e| format!("fund {} wallets: {e}", chunk.len()))?;
        }
        Ok(())
    }

    fn wallet(&self, address: &str) -> Result<&Wallet, String> {
        self.wallets
            .get(address)
            .ok_or_else(|| format!("{address} is not a wallet of this link (name it with addr)"))
    }

    /// Stores `wasm` once per link; its code id.
    pub fn store(&mut self, wasm: &[u8]) -> Result<u64, String> {
        let key = Sha256::digest(wasm).to_vec();
        if let Some(id) = self.codes.get(&key) {
            return Ok(*id);
        }
        let stored = self
            .rt
            .block_on(self.client.store_code(&self.funder, wasm))
            .map_err(|e| format!("store code: {e}"))?;
        self.codes.insert(key, stored.code_id);
        Ok(stored.code_id)
    }

    /// Instantiates `code_id` with `msg`, signed by `sender` (a wallet of this link).
    pub fn instantiate(
        &mut self,
        sender: &str,
        code_id: u64,
        msg: &impl Serialize,
        label: &str,
    ) -> Result<ChainTx, String> {
        self.fund_named()?;
        let w = self.wallet(sender)?;
        let res = self
            .rt
            .block_on(self.client.instantiate(w, code_id, msg, label, None, &[]));
        match res {
            Ok(i) => {
                let mut tx = self.landed(&i.outcome, true)?;
                tx.address = Some(i.address);
                Ok(tx)
            }
            Err(e) => Err(format!("instantiate {label} on the chain: {e}")),
        }
    }

    /// Executes `msg` on `contract` from `sender` with `funds`. A message the simulation
    /// refuses is sent anyway with [`REFUSED_GAS_LIMIT`] so that the chain charges it.
    pub fn execute(
        &mut self,
        sender: &str,
        contract: &str,
        msg: &impl Serialize,
        funds: &[(u128, String)],
    ) -> Result<ChainTx, String> {
        self.fund_named()?;
        let w = self.wallet(sender)?;
        let funds: Vec<(u128, &str)> = funds.iter().map(|(a, d)| (*a, d.as_str())).collect();
        let res = self
            .rt
            .block_on(self.client.execute(w, contract, msg, &funds));
        match res {
            Ok(outcome) => self.landed(&outcome, true),
            Err(Error::Simulate { log }) => {
                let any = self
                    .client
                    .execute_msg(w, contract, msg, &funds)
                    .map_err(|e| e.to_string())?;
                let sent = self.rt.block_on(self.client.send_with_gas(
                    w,
                    vec![any],
                    "",
                    REFUSED_GAS_LIMIT,
                ));
                match sent {
                    Err(Error::Tx {
                        height,
                        gas_used,
                        log: chain_log,
                        ..
                    }) => {
                        let time_nanos = self
                            .rt
                            .block_on(self.client.block_time_at(height))
                            .map_err(|e| e.to_string())?;
                        Ok(ChainTx {
                            accepted: false,
                            gas_used,
                            height,
                            time_nanos,
                            tx_bytes: 0,
                            address: None,
                            log: if chain_log.is_empty() { log } else { chain_log },
                        })
                    }
                    Ok(outcome) => Err(format!(
                        "the simulation refused ({log}) but the block accepted tx {}",
                        outcome.hash
                    )),
                    Err(e) => Err(format!("a refused message sent anyway: {e}")),
                }
            }
            Err(e) => Err(format!("execute on the chain: {e}")),
        }
    }

    fn landed(&self, outcome: &TxOutcome, accepted: bool) -> Result<ChainTx, String> {
        let time_nanos = self
            .rt
            .block_on(self.client.block_time_at(outcome.height))
            .map_err(|e| e.to_string())?;
        Ok(ChainTx {
            accepted,
            gas_used: outcome.gas_used,
            height: outcome.height,
            time_nanos,
            tx_bytes: outcome.tx_bytes,
            address: None,
            log: String::new(),
        })
    }

    /// Waits until the chain's latest block time is at least `unix_nanos`; the latest
    /// block's height and time then.
    pub fn wait_until(&mut self, unix_nanos: u64) -> Result<(u64, u64), String> {
        let seconds = unix_nanos.div_ceil(1_000_000_000);
        let now = self.rt.block_on(self.client.block_time()).unwrap_or(0);
        let timeout = Duration::from_secs(seconds.saturating_sub(now) + 120);
        self.rt
            .block_on(self.client.wait_until_time(seconds, timeout))
            .map_err(|e| e.to_string())?;
        let height = self
            .rt
            .block_on(self.client.height())
            .map_err(|e| e.to_string())?;
        let time = self
            .rt
            .block_on(self.client.block_time_at(height))
            .map_err(|e| e.to_string())?;
        Ok((height, time))
    }

    /// The chain id.
    pub fn chain_id(&self) -> String {
        self.client.chain_id().to_string()
    }
}
