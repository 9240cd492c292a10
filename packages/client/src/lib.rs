//! The chain client of the suite: keys, signed transactions and queries against a Cosmos SDK
//! chain with x/wasm, over CometBFT RPC (cosmrs 0.22, sign mode direct).
//!
//! One client serves `cargo xtask deploy`, the end-to-end tests, the demo on a real chain
//! and, later, the off-chain services. It holds no protocol rule: it moves bytes that the
//! contracts' own message types serialise, and reports what the chain answered.
//!
//! A transaction is simulated for its gas (times [`Client::gas_adjustment`]), signed,
//! broadcast in sync mode (CheckTx only: commit mode times out after 10 s in CometBFT) and
//! then polled by hash until it is in a block. One [`Wallet`] sends one transaction at a time:
//! its account number and sequence are read from the chain before each one.
//!
//! ```no_run
//! # async fn demo() -> Result<(), settle_client::Error> {
//! use settle_client::{Client, Wallet};
//! let client = Client::connect("http://127.0.0.1:26657", "wasm", "0.025stake").await?;
//! let alice = Wallet::from_mnemonic("zone loyal renew ...", "wasm")?;
//! let stored = client.store_code(&alice, &std::fs::read("artifacts/payment_channels.wasm").unwrap()).await?;
//! println!("code {} in block {}", stored.code_id, stored.outcome.height);
//! # Ok(()) }
//! ```

mod deployments;
mod error;
mod search;
mod wallet;

pub use cosmrs;
pub use deployments::{Deployment, Deployments};
pub use error::Error;
pub use search::{ContractCall, FoundTx};
pub use wallet::Wallet;

use std::io::Write;
use std::str::FromStr;
use std::time::{Duration, Instant};

use cosmrs::cosmwasm::{MsgExecuteContract, MsgInstantiateContract, MsgStoreCode};
use cosmrs::proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmrs::proto::cosmos::bank::v1beta1::{QueryBalanceRequest, QueryBalanceResponse};
use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::cosmwasm::wasm::v1::{
    QueryContractsByCodeRequest, QueryContractsByCodeResponse, QuerySmartContractStateRequest,
    QuerySmartContractStateResponse,
};
use cosmrs::proto::prost::Message;
use cosmrs::rpc::{Client as _, HttpClient};
use cosmrs::tendermint::chain;
use cosmrs::tx::{Body, Fee, Msg, SignDoc, SignerInfo};
use cosmrs::{AccountId, Any, Coin};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The Cosmos SDK's code for a wrong account sequence (sdk codespace).
const WRONG_SEQUENCE: u32 = 32;
/// The Cosmos SDK's code for a transaction already in the mempool cache (sdk codespace).
const TX_IN_CACHE: u32 = 19;

/// A connection to one node: its chain id, the fee it asks, how long to wait for blocks.
#[derive(Clone, Debug)]
pub struct Client {
    rpc: HttpClient,
    url: String,
    chain_id: chain::Id,
    /// The bech32 prefix of the chain's addresses (`wasm` on wasmd).
    pub prefix: String,
    /// Fee per unit of gas, in `fee_denom` (the node's `minimum-gas-prices` or more).
    pub gas_price: f64,
    /// The fee's denomination.
    pub fee_denom: String,
    /// Simulated gas is multiplied by this for the limit (the simulation does not charge
    /// for the signature's verification nor for state read by other transactions first).
    pub gas_adjustment: f64,
    /// How long a broadcast transaction may take to reach a block.
    pub inclusion_timeout: Duration,
    /// The pause between two polls of a transaction or a height.
    pub poll_interval: Duration,
}

/// A transaction in a block, and what the chain said of it.
#[derive(Clone, Debug, Serialize)]
pub struct TxOutcome {
    /// The transaction hash, upper-case hex (as CometBFT and the CLI print it).
    pub hash: String,
    pub height: u64,
    pub gas_wanted: u64,
    pub gas_used: u64,
    /// The fee paid, in the client's fee denomination.
    pub fee: u128,
    /// Bytes of the signed transaction as broadcast (the ante handler charges gas per
    /// byte of it); 0 when the client did not send it.
    pub tx_bytes: usize,
    pub events: Vec<Event>,
}

/// One ABCI event of a transaction (`wasm`, `store_code`, `transfer`...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    pub kind: String,
    pub attributes: Vec<(String, String)>,
}

impl TxOutcome {
    /// The first value of `key` in an event of `kind`.
    pub fn attr(&self, kind: &str, key: &str) -> Option<&str> {
        self.events
            .iter()
            .filter(|e| e.kind == kind)
            .flat_map(|e| e.attributes.iter())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key` in the events of `kind`, in order.
    pub fn attrs<'a>(&'a self, kind: &'a str, key: &'a str) -> impl Iterator<Item = &'a str> {
        self.events
            .iter()
            .filter(move |e| e.kind == kind)
            .flat_map(|e| e.attributes.iter())
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A stored wasm code.
#[derive(Clone, Debug, Serialize)]
pub struct Stored {
    pub code_id: u64,
    /// SHA-256 of the uncompressed wasm, hex: what the chain reports as the code's checksum.
    pub checksum: String,
    /// Bytes uploaded (gzipped).
    pub upload_bytes: usize,
    pub outcome: TxOutcome,
}

/// An instantiated contract.
#[derive(Clone, Debug, Serialize)]
pub struct Instantiated {
    pub address: String,
    pub outcome: TxOutcome,
}

impl Client {
    /// Connects to a node's RPC (`http://host:26657`), reads its chain id, and prices fees
    /// at `gas_price` (`"0.025stake"`).
    pub async fn connect(url: &str, prefix: &str, gas_price: &str) -> Result<Client, Error> {
        let rpc = HttpClient::new(url).map_err(|e| Error::Rpc(format!("{url}: {}", brief(&e))))?;
        let status = retry(&format!("{url}: status"), || rpc.status()).await?;
        let (amount, denom) = parse_gas_price(gas_price)?;
        Ok(Client {
            rpc,
            url: url.to_string(),
            chain_id: status.node_info.network,
            prefix: prefix.to_string(),
            gas_price: amount,
            fee_denom: denom,
            gas_adjustment: 1.3,
            inclusion_timeout: Duration::from_secs(60),
            poll_interval: Duration::from_millis(150),
        })
    }

    pub fn chain_id(&self) -> &str {
        self.chain_id.as_str()
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bech32 address (this chain's prefix) of canonical address bytes.
    pub fn human_address(&self, canonical: &[u8]) -> Result<String, Error> {
        cosmrs::AccountId::new(&self.prefix, canonical)
            .map(|a| a.to_string())
            .map_err(|e| Error::Key(format!("address of {}: {e}", hex::encode(canonical))))
    }

    async fn status(&self) -> Result<cosmrs::rpc::endpoint::status::Response, Error> {
        retry("status", || self.rpc.status()).await
    }

    /// The node's latest block height.
    pub async fn height(&self) -> Result<u64, Error> {
        Ok(self.status().await?.sync_info.latest_block_height.value())
    }

    /// The latest block's time, in seconds since the Unix epoch (what contracts see as
    /// `env.block.time`, to the second).
    pub async fn block_time(&self) -> Result<u64, Error> {
        let t = self
            .status()
            .await?
            .sync_info
            .latest_block_time
            .unix_timestamp();
        u64::try_from(t).map_err(|_| Error::Decode(format!("block time {t} before 1970")))
    }

    /// The time of the block at `height`, in nanoseconds since the Unix epoch (what a
    /// contract executed in that block sees as `env.block.time`).
    pub async fn block_time_at(&self, height: u64) -> Result<u64, Error> {
        let h = cosmrs::tendermint::block::Height::try_from(height)
            .map_err(|e| Error::Decode(format!("height {height}: {e}")))?;
        let block = retry(&format!("block {height}"), || self.rpc.block(h)).await?;
        let t = block.block.header.time.unix_timestamp_nanos();
        u64::try_from(t).map_err(|_| Error::Decode(format!("block time {t} before 1970")))
    }

    /// Waits until the chain's latest block time is at least `unix_seconds`.
    pub async fn wait_until_time(
        &self,
        unix_seconds: u64,
        timeout: Duration,
    ) -> Result<u64, Error> {
        self.wait_until("block time", unix_seconds, timeout, || self.block_time())
            .await
    }

    /// Waits until the chain's height is at least `height`.
    pub async fn wait_for_height(&self, height: u64, timeout: Duration) -> Result<u64, Error> {
        self.wait_until("height", height, timeout, || self.height())
            .await
    }

    /// Polls `read` until it gives at least `target`; its last value.
    async fn wait_until<F, Fut>(
        &self,
        what: &str,
        target: u64,
        timeout: Duration,
        read: F,
    ) -> Result<u64, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<u64, Error>>,
    {
        let deadline = Instant::now() + timeout;
        loop {
            let now = read().await?;
            if now >= target {
                return Ok(now);
            }
            if Instant::now() > deadline {
                return Err(Error::Wait(format!(
                    "{what} {now} has not reached {target} after {} s",
                    timeout.as_secs()
                )));
            }
            tokio::time::sleep(self.poll_interval).await;
        }
    }

    async fn abci<Req: Message, Resp: Message + Default>(
        &self,
        path: &str,
        request: Req,
    ) -> Result<Resp, Error> {
        let data = request.encode_to_vec();
        let res = retry(&format!("abci_query {path}"), || {
            self.rpc
                .abci_query(Some(path.to_string()), data.clone(), None, false)
        })
        .await?;
        if res.code.is_err() {
            return Err(Error::Query {
                path: path.to_string(),
                code: res.code.value(),
                log: res.log,
            });
        }
        Resp::decode(res.value.as_slice()).map_err(|e| Error::Decode(format!("{path}: {e}")))
    }

    /// The account number and sequence of `address` (the auth module, by ABCI query).
    pub async fn account(&self, address: &str) -> Result<(u64, u64), Error> {
        let path = "/cosmos.auth.v1beta1.Query/Account";
        let res: Result<QueryAccountResponse, _> = self
            .abci(
                path,
                QueryAccountRequest {
                    address: address.to_string(),
                },
            )
            .await;
        let any = match res {
            Ok(r) => r.account,
            // The SDK answers NotFound (gRPC code 5 in codespace sdk is 22: key not found)
            // for an address that never received anything.
            Err(Error::Query { log, .. }) if log.contains("not found") => None,
            Err(e) => return Err(e),
        }
        .ok_or_else(|| Error::NoAccount(address.to_string()))?;
        if any.type_url != "/cosmos.auth.v1beta1.BaseAccount" {
            return Err(Error::Decode(format!(
                "{address} is a {}, not a base account",
                any.type_url
            )));
        }
        let base = BaseAccount::decode(any.value.as_slice())
            .map_err(|e| Error::Decode(format!("base account: {e}")))?;
        Ok((base.account_number, base.sequence))
    }

    /// The bank balance of `address` in `denom`.
    pub async fn balance(&self, address: &str, denom: &str) -> Result<u128, Error> {
        let res: QueryBalanceResponse = self
            .abci(
                "/cosmos.bank.v1beta1.Query/Balance",
                QueryBalanceRequest {
                    address: address.to_string(),
                    denom: denom.to_string(),
                },
            )
            .await?;
        match res.balance {
            None => Ok(0),
            Some(c) => c
                .amount
                .parse()
                .map_err(|e| Error::Decode(format!("balance {:?}: {e}", c.amount))),
        }
    }

    /// A contract's smart query: `msg` serialised to JSON, the answer parsed as `T`.
    pub async fn query<T: DeserializeOwned>(
        &self,
        contract: &str,
        msg: &impl Serialize,
    ) -> Result<T, Error> {
        let raw = self.query_raw_json(contract, &json_bytes(msg)?).await?;
        serde_json::from_slice(&raw).map_err(|e| {
            Error::Decode(format!(
                "the answer of {contract} ({}): {e}",
                String::from_utf8_lossy(&raw)
            ))
        })
    }

    /// A contract's smart query with the JSON given as bytes; the answer's JSON bytes.
    pub async fn query_raw_json(&self, contract: &str, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let res: QuerySmartContractStateResponse = self
            .abci(
                "/cosmwasm.wasm.v1.Query/SmartContractState",
                QuerySmartContractStateRequest {
                    address: contract.to_string(),
                    query_data: msg.to_vec(),
                },
            )
            .await?;
        Ok(res.data)
    }

    /// Every contract instantiated from `code_id`, oldest first (all pages).
    pub async fn contracts_by_code(&self, code_id: u64) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        let mut key = Vec::new();
        loop {
            let res: QueryContractsByCodeResponse = self
                .abci(
                    "/cosmwasm.wasm.v1.Query/ContractsByCode",
                    QueryContractsByCodeRequest {
                        code_id,
                        pagination: Some(
                            cosmrs::proto::cosmos::base::query::v1beta1::PageRequest {
                                key: key.clone(),
                                limit: 100,
                                ..Default::default()
                            },
                        ),
                    },
                )
                .await?;
            out.extend(res.contracts);
            match res.pagination {
                Some(p) if !p.next_key.is_empty() => key = p.next_key,
                _ => return Ok(out),
            }
        }
    }

    /// Uploads a wasm code (gzipped here: the chain unzips it and checks the limits on the
    /// unzipped size) and checks that the chain's checksum is the file's SHA-256.
    pub async fn store_code(&self, wallet: &Wallet, wasm: &[u8]) -> Result<Stored, Error> {
        let checksum = hex::encode(Sha256::digest(wasm));
        let gz = gzip(wasm)?;
        let msg = MsgStoreCode {
            sender: wallet.account_id().clone(),
            wasm_byte_code: gz,
            instantiate_permission: None,
        };
        let upload_bytes = msg.wasm_byte_code.len();
        let outcome = self.send(wallet, vec![any(msg)?], "").await?;
        let code_id = outcome
            .attr("store_code", "code_id")
            .ok_or_else(|| Error::Missing(format!("no code_id in store_code {}", outcome.hash)))?
            .parse()
            .map_err(|e| Error::Decode(format!("code_id: {e}")))?;
        let on_chain = outcome
            .attr("store_code", "code_checksum")
            .unwrap_or_default()
            .to_lowercase();
        if on_chain != checksum {
            return Err(Error::Missing(format!(
                "code {code_id}: the chain's checksum {on_chain:?} is not the file's {checksum}"
            )));
        }
        Ok(Stored {
            code_id,
            checksum,
            upload_bytes,
            outcome,
        })
    }

    /// Instantiates `code_id` with `msg`; `admin` may migrate it later (None: nobody can).
    pub async fn instantiate(
        &self,
        wallet: &Wallet,
        code_id: u64,
        msg: &impl Serialize,
        label: &str,
        admin: Option<&str>,
        funds: &[(u128, &str)],
    ) -> Result<Instantiated, Error> {
        let msg = MsgInstantiateContract {
            sender: wallet.account_id().clone(),
            admin: admin.map(account_id).transpose()?,
            code_id,
            label: Some(label.to_string()),
            msg: json_bytes(msg)?,
            funds: coins(funds)?,
        };
        let outcome = self.send(wallet, vec![any(msg)?], "").await?;
        let address = outcome
            .attr("instantiate", "_contract_address")
            .ok_or_else(|| Error::Missing(format!("no contract address in {}", outcome.hash)))?
            .to_string();
        Ok(Instantiated { address, outcome })
    }

    /// Executes `msg` on `contract`, sending `funds`.
    pub async fn execute(
        &self,
        wallet: &Wallet,
        contract: &str,
        msg: &impl Serialize,
        funds: &[(u128, &str)],
    ) -> Result<TxOutcome, Error> {
        self.send(
            wallet,
            vec![self.execute_msg(wallet, contract, msg, funds)?],
            "",
        )
        .await
    }

    /// An execute message as a transaction's `Any`, to send several in one transaction.
    pub fn execute_msg(
        &self,
        wallet: &Wallet,
        contract: &str,
        msg: &impl Serialize,
        funds: &[(u128, &str)],
    ) -> Result<Any, Error> {
        any(MsgExecuteContract {
            sender: wallet.account_id().clone(),
            contract: account_id(contract)?,
            msg: json_bytes(msg)?,
            funds: coins(funds)?,
        })
    }

    /// A bank transfer.
    pub async fn send_coins(
        &self,
        wallet: &Wallet,
        to: &str,
        amount: u128,
        denom: &str,
    ) -> Result<TxOutcome, Error> {
        let msg = cosmrs::bank::MsgSend {
            from_address: wallet.account_id().clone(),
            to_address: account_id(to)?,
            amount: coins(&[(amount, denom)])?,
        };
        self.send(wallet, vec![any(msg)?], "").await
    }

    /// Signs, broadcasts and waits for a transaction of `msgs`, its gas limit from a
    /// simulation. A refusal in the simulation (a contract error, for one) is
    /// [`Error::Simulate`] and costs nothing.
    pub async fn send(
        &self,
        wallet: &Wallet,
        msgs: Vec<Any>,
        memo: &str,
    ) -> Result<TxOutcome, Error> {
        self.send_inner(wallet, msgs, memo, None).await
    }

    /// Like [`Client::send`] with a fixed gas limit and no simulation: the transaction goes
    /// into a block even if it fails there (then [`Error::Tx`], its fee paid).
    pub async fn send_with_gas(
        &self,
        wallet: &Wallet,
        msgs: Vec<Any>,
        memo: &str,
        gas_limit: u64,
    ) -> Result<TxOutcome, Error> {
        self.send_inner(wallet, msgs, memo, Some(gas_limit)).await
    }

    async fn send_inner(
        &self,
        wallet: &Wallet,
        msgs: Vec<Any>,
        memo: &str,
        gas_limit: Option<u64>,
    ) -> Result<TxOutcome, Error> {
        let body = Body::new(msgs, memo, 0u32);
        let mut retried = false;
        loop {
            let (number, sequence) = self.account(wallet.address()).await?;
            let gas = match gas_limit {
                Some(g) => g,
                None => {
                    let simulated = self.simulate(wallet, &body, number, sequence).await?;
                    (simulated as f64 * self.gas_adjustment).ceil() as u64
                }
            };
            let fee = (gas as f64 * self.gas_price).ceil() as u128;
            let tx = self.sign(wallet, &body, number, sequence, gas, fee)?;
            // Sending the same bytes twice is harmless (one hash, one inclusion).
            let sent = retry("broadcast_tx_sync", || {
                self.rpc.broadcast_tx_sync(tx.clone())
            })
            .await?;
            // A retried broadcast whose first attempt got through: the node has it already.
            let resent = sent.code.value() == TX_IN_CACHE && sent.codespace == "sdk";
            if sent.code.is_err() && !resent {
                // Another transaction of this wallet got in between: read the sequence again.
                if sent.code.value() == WRONG_SEQUENCE && sent.codespace == "sdk" && !retried {
                    retried = true;
                    continue;
                }
                return Err(Error::CheckTx {
                    code: sent.code.value(),
                    codespace: sent.codespace,
                    log: sent.log,
                });
            }
            let mut outcome = self.wait_for_tx(&sent.hash.to_string()).await?;
            outcome.fee = fee;
            outcome.tx_bytes = tx.len();
            return Ok(outcome);
        }
    }

    fn sign(
        &self,
        wallet: &Wallet,
        body: &Body,
        number: u64,
        sequence: u64,
        gas: u64,
        fee: u128,
    ) -> Result<Vec<u8>, Error> {
        let fee = Fee::from_amount_and_gas(
            Coin::new(fee, &self.fee_denom).map_err(|e| Error::Key(format!("fee coin: {e}")))?,
            gas,
        );
        let auth = SignerInfo::single_direct(Some(wallet.public_key()), sequence).auth_info(fee);
        let doc = SignDoc::new(body, &auth, &self.chain_id, number)
            .map_err(|e| Error::Key(format!("sign doc: {e}")))?;
        let raw = wallet.sign(doc)?;
        raw.to_bytes()
            .map_err(|e| Error::Key(format!("encode the transaction: {e}")))
    }

    /// The gas a transaction would use (the node's simulation, signature included).
    pub async fn simulate(
        &self,
        wallet: &Wallet,
        body: &Body,
        number: u64,
        sequence: u64,
    ) -> Result<u64, Error> {
        // A fee of one unit: a fee-less simulation skips the fee's bank transfer and
        // under-estimates the gas by that (about 20,000 on wasmd); the amount does not
        // change the cost, and simulation does not check the minimum gas price.
        let tx_bytes = self.sign(wallet, body, number, sequence, 0, 1)?;
        let res: Result<SimulateResponse, Error> = self
            .abci(
                "/cosmos.tx.v1beta1.Service/Simulate",
                #[allow(deprecated)]
                SimulateRequest { tx: None, tx_bytes },
            )
            .await;
        match res {
            Ok(r) => r
                .gas_info
                .map(|g| g.gas_used)
                .ok_or_else(|| Error::Missing("a simulation without gas_info".into())),
            Err(Error::Query { log, .. }) => Err(Error::Simulate { log }),
            Err(e) => Err(e),
        }
    }

    /// Polls the node for a broadcast transaction until it is in a block.
    pub async fn wait_for_tx(&self, hash: &str) -> Result<TxOutcome, Error> {
        let h = cosmrs::tendermint::Hash::from_str(hash)
            .map_err(|e| Error::Decode(format!("tx hash {hash}: {e}")))?;
        let deadline = Instant::now() + self.inclusion_timeout;
        loop {
            match self.rpc.tx(h, false).await {
                Ok(res) => {
                    let r = res.tx_result;
                    let height = res.height.value();
                    let gas_used = u64::try_from(r.gas_used).unwrap_or(0);
                    if r.code.is_err() {
                        return Err(Error::Tx {
                            hash: hash.to_string(),
                            height,
                            code: r.code.value(),
                            codespace: r.codespace,
                            log: r.log,
                            gas_used,
                        });
                    }
                    let events = events_of(&r.events);
                    return Ok(TxOutcome {
                        hash: hash.to_string(),
                        height,
                        gas_wanted: u64::try_from(r.gas_wanted).unwrap_or(0),
                        gas_used,
                        fee: 0,
                        tx_bytes: 0,
                        events,
                    });
                }
                Err(e) if Instant::now() > deadline => {
                    return Err(Error::Timeout {
                        hash: hash.to_string(),
                        seconds: self.inclusion_timeout.as_secs(),
                        last: brief(&e),
                    })
                }
                Err(_) => tokio::time::sleep(self.poll_interval).await,
            }
        }
    }
}

/// ABCI events as the client reports them (attribute keys and values as text).
fn events_of(events: &[cosmrs::tendermint::abci::Event]) -> Vec<Event> {
    events
        .iter()
        .map(|e| Event {
            kind: e.kind.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|a| {
                    (
                        a.key_str().unwrap_or_default().to_string(),
                        a.value_str().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
        })
        .collect()
}

/// Runs an RPC call, again after 0.2 s and 0.6 s if it fails: a node closes idle
/// keep-alive connections, and a request sent on one as it closes fails ("connection
/// closed before message completed") without having been handled.
async fn retry<T, E, F, Fut>(what: &str, mut call: F) -> Result<T, Error>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut pause = Duration::from_millis(200);
    for _ in 0..2 {
        if let Ok(v) = call().await {
            return Ok(v);
        }
        tokio::time::sleep(pause).await;
        pause *= 3;
    }
    call()
        .await
        .map_err(|e| Error::Rpc(format!("{what}: {}", brief(&e))))
}

/// An RPC error in one line: its message and causes, without the tracer's locations and
/// backtrace.
fn brief(e: &impl std::fmt::Display) -> String {
    let text = e.to_string();
    text.lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Location:") && !l.starts_with("Backtrace"))
        .filter(|l| !l.is_empty() && *l != "Caused by:")
        .map(|l| {
            l.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':')
                .trim()
        })
        .collect::<Vec<_>>()
        .join(": ")
}

/// `"0.025stake"` → (0.025, "stake").
pub fn parse_gas_price(s: &str) -> Result<(f64, String), Error> {
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| Error::Key(format!("gas price {s:?} has no denomination")))?;
    let (amount, denom) = s.split_at(split);
    let amount: f64 = amount
        .parse()
        .map_err(|e| Error::Key(format!("gas price {s:?}: {e}")))?;
    if !amount.is_finite() || amount < 0.0 {
        return Err(Error::Key(format!("gas price {s:?} is not a price")));
    }
    Ok((amount, denom.to_string()))
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, Error> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .map_err(|e| Error::Decode(format!("gzip: {e}")))
}

fn json_bytes(msg: &impl Serialize) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(msg).map_err(|e| Error::Decode(format!("message to JSON: {e}")))
}

fn account_id(address: &str) -> Result<AccountId, Error> {
    address
        .parse()
        .map_err(|e| Error::Key(format!("address {address:?}: {e}")))
}

fn coins(funds: &[(u128, &str)]) -> Result<Vec<Coin>, Error> {
    funds
        .iter()
        .map(|(amount, denom)| {
            Coin::new(*amount, denom).map_err(|e| Error::Key(format!("coin {amount}{denom}: {e}")))
        })
        .collect()
}

fn any(msg: impl Msg) -> Result<Any, Error> {
    msg.to_any()
        .map_err(|e| Error::Decode(format!("encode the message: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_prices_parse_and_bad_ones_are_refused() {
        assert_eq!(
            parse_gas_price("0.025stake").unwrap(),
            (0.025, "stake".into())
        );
        assert_eq!(parse_gas_price("1uatom").unwrap(), (1.0, "uatom".into()));
        assert!(parse_gas_price("0.025").is_err());
        assert!(parse_gas_price("stake").is_err());
        assert!(parse_gas_price("1.2.3stake").is_err());
    }

    #[test]
    fn rpc_errors_are_told_in_one_line() {
        let traced = "HTTP error\n\nCaused by:\n    error sending request: connection closed\n\n\
                      Location:\n    /src/eyre.rs:10:9\n\nBacktrace omitted.";
        assert_eq!(
            brief(&traced),
            "HTTP error: error sending request: connection closed"
        );
    }

    #[test]
    fn gzip_round_trips() {
        use std::io::Read;
        let data = b"\0asm\x01\0\0\0 a wasm module, more or less".repeat(50);
        let gz = gzip(&data).unwrap();
        assert!(gz.len() < data.len());
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn outcome_attributes_are_found_by_event_and_key() {
        let outcome = TxOutcome {
            hash: "AB".into(),
            height: 7,
            gas_wanted: 10,
            gas_used: 9,
            fee: 1,
            tx_bytes: 0,
            events: vec![
                Event {
                    kind: "wasm".into(),
                    attributes: vec![("action".into(), "deposit".into())],
                },
                Event {
                    kind: "wasm".into(),
                    attributes: vec![("action".into(), "withdraw".into())],
                },
            ],
        };
        assert_eq!(outcome.attr("wasm", "action"), Some("deposit"));
        assert_eq!(
            outcome.attrs("wasm", "action").collect::<Vec<_>>(),
            ["deposit", "withdraw"]
        );
        assert_eq!(outcome.attr("transfer", "action"), None);
    }
}
