//! A [`ValiditySuite`]: the validity-rollup contract on a cw-multi-test `App` with real
//! bank balances, an operator that keeps the full L2 ledger (settle-core `validity`), and
//! a real Groth16 prover (`settle-zk`): every batch a test submits carries a real proof.
//!
//! Groth16 keys are circuit-specific: [`keys_for`] runs the setup once per shape and
//! process (seeded, so every run gets the same keys) and shares it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use cosmwasm_std::{Addr, Api, Binary, Coin, StdError, StdResult, Uint128};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};
use rand::rngs::StdRng;
use rand::SeedableRng;

use settle_core::validity::eddsa::SecretKey;
use settle_core::validity::field::{fr_from_bytes, fr_to_bytes, Fr};
use settle_core::validity::ledger::{BatchData, BatchWitness, Deposit, Ledger, Shape, Tx, TxBody};
use settle_zk::{ProvingKey, VerifyingKey};
use validity_rollup::msg::{
    AccountResponse, ConfigResponse, CreditResponse, DepositTarget, ExecuteMsg, InstantiateMsg,
    QueryMsg, Shape as MsgShape, SolvencyResponse, StatusResponse,
};

/// Denom the validity rollup holds by default.
pub const VALIDITY_DENOM: &str = "uzk";

/// The proving and verifying keys of one circuit shape.
pub struct Keys {
    pub proving: ProvingKey,
    pub verifying: VerifyingKey,
}

/// Setup for `shape`, once per process (seed 42 plus the shape: deterministic, and NOT a
/// ceremony: test keys only).
pub fn keys_for(shape: Shape) -> Arc<Keys> {
    type Cache = Mutex<HashMap<(usize, usize), Arc<Keys>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().expect("key cache");
    map.entry((shape.deposits, shape.txs))
        .or_insert_with(|| {
            let seed = 42 ^ ((shape.deposits as u64) << 32) ^ shape.txs as u64;
            let (proving, verifying) =
                settle_zk::setup(shape, &mut StdRng::seed_from_u64(seed)).expect("setup");
            Arc::new(Keys { proving, verifying })
        })
        .clone()
}

/// Builds a [`ValiditySuite`].
#[derive(Debug, Clone)]
pub struct ValiditySuiteBuilder {
    shape: Shape,
    exodus_after: u64,
    key_timelock: u64,
    min_deposit: u128,
    min_new_account: u128,
    max_pending: u64,
    funds: Vec<(String, u128)>,
}

impl Default for ValiditySuiteBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ValiditySuiteBuilder {
    /// Defaults: batches of up to 2 deposits and 2 transactions, exodus after a day
    /// without a batch, a week's timelock on key rotation, deposits of at least 1 and at
    /// most 1,024 pending; nobody funded.
    pub fn new() -> Self {
        ValiditySuiteBuilder {
            shape: Shape {
                deposits: 2,
                txs: 2,
            },
            exodus_after: 86_400,
            key_timelock: 7 * 86_400,
            min_deposit: 1,
            min_new_account: 1,
            max_pending: 1_024,
            funds: vec![],
        }
    }

    pub fn with_shape(mut self, deposits: usize, txs: usize) -> Self {
        self.shape = Shape { deposits, txs };
        self
    }

    pub fn with_exodus_after(mut self, seconds: u64) -> Self {
        self.exodus_after = seconds;
        self
    }

    pub fn with_key_timelock(mut self, seconds: u64) -> Self {
        self.key_timelock = seconds;
        self
    }

    /// The smallest deposit, and the smallest that opens an account.
    pub fn with_min_deposits(mut self, min_deposit: u128, min_new_account: u128) -> Self {
        self.min_deposit = min_deposit;
        self.min_new_account = min_new_account;
        self
    }

    /// At most `max` deposits pending.
    pub fn with_max_pending(mut self, max: u64) -> Self {
        self.max_pending = max;
        self
    }

    /// Gives `label` `amount` of [`VALIDITY_DENOM`] at genesis.
    pub fn with_funds(mut self, label: &str, amount: u128) -> Self {
        self.funds.push((label.to_string(), amount));
        self
    }

    /// The message [`ValiditySuiteBuilder::build`] instantiates the contract with.
    pub fn instantiate_msg(&self) -> InstantiateMsg {
        InstantiateMsg {
            admin: None,
            denom: VALIDITY_DENOM.into(),
            verifying_key: Binary::from(keys_for(self.shape).verifying.to_wire()),
            shape: msg_shape(self.shape),
            exodus_after_seconds: self.exodus_after,
            key_timelock_seconds: self.key_timelock,
            min_deposit: Uint128::new(self.min_deposit),
            min_new_account: Uint128::new(self.min_new_account),
            max_pending: self.max_pending,
        }
    }

    pub fn build(self) -> ValiditySuite {
        let funds = self.funds.clone();
        let mut app = App::new(|router, api, storage| {
            for (label, amount) in &funds {
                router
                    .bank
                    .init_balance(
                        storage,
                        &api.addr_make(label),
                        vec![Coin::new(*amount, VALIDITY_DENOM)],
                    )
                    .expect("genesis balances");
            }
        });
        let code = app.store_code(Box::new(
            ContractWrapper::new(
                validity_rollup::contract::execute,
                validity_rollup::contract::instantiate,
                validity_rollup::contract::query,
            )
            .with_migrate(validity_rollup::contract::migrate),
        ));
        let keys = keys_for(self.shape);
        let admin = app.api().addr_make("admin");
        let contract = app
            .instantiate_contract(
                code,
                admin.clone(),
                &self.instantiate_msg(),
                &[],
                "validity-rollup",
                // the chain-level admin, who may migrate the contract to new code
                Some(admin.to_string()),
            )
            .expect("instantiate validity-rollup");
        let config: ConfigResponse = app
            .wrap()
            .query_wasm_smart(&contract, &QueryMsg::Config {})
            .expect("config");
        let domain = fr_from_bytes("domain", config.domain.as_slice()).expect("domain");
        ValiditySuite {
            app,
            contract,
            admin,
            op: Operator::new(domain, self.shape, keys),
        }
    }
}

/// The wire shape of a core [`Shape`].
pub fn msg_shape(shape: Shape) -> MsgShape {
    MsgShape {
        deposits: shape.deposits as u32,
        txs: shape.txs as u32,
    }
}

/// A batch ready to submit: the message parts and the witness it was proven from.
#[derive(Debug, Clone)]
pub struct ProvenBatch {
    pub data: BatchData,
    pub deposits: u64,
    pub new_accounts_root: Fr,
    pub new_account_count: u64,
    pub proof: [u8; settle_zk::PROOF_LEN],
    pub witness: BatchWitness,
    /// The signed transactions (what the operator applies once the batch is accepted).
    pub txs: Vec<Tx>,
}

impl ProvenBatch {
    pub fn msg(&self) -> ExecuteMsg {
        ExecuteMsg::SubmitBatch {
            data: Binary::from(self.data.encode()),
            deposits_consumed: self.deposits,
            new_accounts_root: Binary::from(fr_to_bytes(&self.new_accounts_root).to_vec()),
            new_account_count: self.new_account_count,
            proof: Binary::from(self.proof.to_vec()),
        }
    }
}

/// The rollup's operator as a test (or a gas harness) runs it: the full L2 ledger, the
/// contract's deposit queue as observed, the keys, and a seeded prover. Independent of the
/// chain it talks to: [`ValiditySuite`] drives a cw-multi-test `App` with it, the
/// cosmwasm-vm harness in `settle-tests` the optimized artifact.
pub struct Operator {
    /// The rollup's domain element (what transactions and exits are signed for).
    pub domain: Fr,
    pub shape: Shape,
    pub keys: Arc<Keys>,
    /// The ledger as of the last batch the contract accepted.
    pub ledger: Ledger,
    /// Every deposit queued on the contract, in order.
    pub queue: Vec<Deposit>,
    /// Deposits consumed by accepted batches.
    pub cursor: usize,
    /// Head of the deposit chain at the cursor.
    pub head: Fr,
    rng: StdRng,
}

impl Operator {
    pub fn new(domain: Fr, shape: Shape, keys: Arc<Keys>) -> Self {
        Operator {
            domain,
            shape,
            keys,
            ledger: Ledger::new(),
            queue: vec![],
            cursor: 0,
            head: Fr::from(0u64),
            rng: StdRng::seed_from_u64(7),
        }
    }

    /// The account index holding `key`.
    pub fn account_of(&self, key: &SecretKey) -> u32 {
        self.ledger.find(&key.public_key()).expect("an account")
    }

    /// A transfer signed by `key` (its account, at its current nonce).
    pub fn transfer(&self, key: &SecretKey, to: u32, amount: u128) -> Tx {
        let from = self.account_of(key);
        self.sign(key, TxBody::Transfer { from, to, amount })
    }

    /// A withdrawal to the canonical L1 address `recipient`, signed by `key`.
    pub fn withdrawal(&self, key: &SecretKey, recipient: Vec<u8>, amount: u128) -> Tx {
        let from = self.account_of(key);
        self.sign(
            key,
            TxBody::Withdraw {
                from,
                amount,
                recipient,
            },
        )
    }

    /// Signs `body` with `key` at the account's current nonce.
    pub fn sign(&self, key: &SecretKey, body: TxBody) -> Tx {
        let nonce = self
            .ledger
            .account(body.from())
            .map(|a| a.nonce)
            .unwrap_or(0);
        Tx::sign(self.ledger.hasher(), &self.domain, body, nonce, key)
    }

    /// The next batch: the next `deposits` queued deposits and `txs`, proven. Nothing is
    /// applied to the ledger until [`Operator::follow`].
    pub fn prove(&mut self, deposits: usize, txs: &[Tx]) -> Result<ProvenBatch, String> {
        let end = self.cursor + deposits;
        if end > self.queue.len() {
            return Err(format!(
                "only {} deposits pending",
                self.queue.len() - self.cursor
            ));
        }
        let mut ledger = self.ledger.clone();
        let (witness, data) = ledger
            .apply_batch(
                self.shape,
                &self.domain,
                &self.head,
                &self.queue[self.cursor..end],
                txs,
            )
            .map_err(|e| e.to_string())?;
        let proof = settle_zk::prove(&self.keys.proving, &witness, &mut self.rng)
            .map_err(|e| e.to_string())?;
        Ok(ProvenBatch {
            data,
            deposits: deposits as u64,
            new_accounts_root: ledger.accounts_root(),
            new_account_count: ledger.accounts().len() as u64,
            proof,
            witness,
            txs: txs.to_vec(),
        })
    }

    /// Applies a batch the contract accepted.
    pub fn follow(&mut self, batch: &ProvenBatch) {
        let end = self.cursor + batch.deposits as usize;
        let (witness, _) = self
            .ledger
            .apply_batch(
                self.shape,
                &self.domain,
                &self.head,
                &self.queue[self.cursor..end],
                &batch.txs,
            )
            .expect("the batch applied when it was proven");
        self.cursor = end;
        self.head = witness.statement.deposits_after;
    }

    /// An exodus exit of `key`'s account to `recipient` (address string and its canonical
    /// bytes), from the ledger of the last accepted batch: what any user can build from
    /// public data ([`exodus_msg`] on a ledger rebuilt with `Ledger::replay_batch`).
    pub fn exodus_msg(&self, key: &SecretKey, recipient: &str, canonical: &[u8]) -> ExecuteMsg {
        exodus_msg(&self.ledger, &self.domain, key, recipient, canonical)
    }

    /// The key that opened account `index`: the `index`-th new-account deposit queued.
    pub fn opened_key(&self, index: u32) -> Option<settle_core::validity::eddsa::PublicKey> {
        self.queue
            .iter()
            .filter_map(|d| match d {
                Deposit::NewAccount { key, .. } => Some(*key),
                _ => None,
            })
            .nth(index as usize)
    }

    /// The `request_exit` of account `account` by `key` to `recipient` (address string
    /// and its canonical bytes), signing `sequence` (the contract's `account` query).
    pub fn exit_request_msg(
        &self,
        key: &SecretKey,
        account: u32,
        recipient: &str,
        canonical: &[u8],
        sequence: u64,
    ) -> ExecuteMsg {
        let message = settle_core::validity::ledger::exit_request_message(
            self.ledger.hasher(),
            &self.domain,
            account,
            canonical,
            sequence,
        )
        .expect("a recipient of 20 or 32 bytes");
        ExecuteMsg::RequestExit {
            account,
            recipient: recipient.to_string(),
            signature: Binary::from(key.sign(&message).encode().to_vec()),
        }
    }

    /// The queued deposits' total not yet consumed.
    pub fn pending_deposits(&self) -> u128 {
        self.queue[self.cursor..].iter().map(|d| d.amount()).sum()
    }
}

/// The `exodus_withdraw` of `key`'s account in `ledger` (the ledger as of the last
/// accepted batch) to `recipient` (address string and its canonical bytes).
pub fn exodus_msg(
    ledger: &Ledger,
    domain: &Fr,
    key: &SecretKey,
    recipient: &str,
    canonical: &[u8],
) -> ExecuteMsg {
    let account = ledger
        .find(&key.public_key())
        .expect("an account of the key");
    let a = *ledger.account(account).expect("account");
    let path = ledger.path(account).expect("path");
    let message =
        settle_core::validity::ledger::exit_message(ledger.hasher(), domain, account, canonical)
            .expect("a recipient of 20 or 32 bytes");
    ExecuteMsg::ExodusWithdraw {
        account,
        pubkey: Binary::from(a.key.encode().to_vec()),
        balance: Uint128::new(a.balance),
        nonce: a.nonce,
        path: path
            .iter()
            .map(|x| Binary::from(fr_to_bytes(x).to_vec()))
            .collect(),
        recipient: recipient.to_string(),
        signature: Binary::from(key.sign(&message).encode().to_vec()),
    }
}

/// The validity-rollup contract on an embedded chain, with its [`Operator`].
pub struct ValiditySuite {
    pub app: App,
    pub contract: Addr,
    pub admin: Addr,
    pub op: Operator,
}

impl ValiditySuite {
    pub fn addr(&self, label: &str) -> Addr {
        self.app.api().addr_make(label)
    }

    pub fn canonical(&self, addr: &Addr) -> Vec<u8> {
        self.app
            .api()
            .addr_canonicalize(addr.as_str())
            .expect("valid address")
            .to_vec()
    }

    pub fn balance(&self, label: &str) -> u128 {
        self.balance_of(&self.addr(label))
    }

    pub fn balance_of(&self, addr: &Addr) -> u128 {
        let amount = self
            .app
            .wrap()
            .query_balance(addr, VALIDITY_DENOM)
            .expect("balance")
            .amount;
        Uint128::try_from(amount).expect("fits").u128()
    }

    pub fn status(&self) -> StatusResponse {
        self.query(&QueryMsg::Status {}).expect("status")
    }

    pub fn solvency(&self) -> SolvencyResponse {
        self.query(&QueryMsg::Solvency {}).expect("solvency")
    }

    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.wrap().query_wasm_smart(&self.contract, msg)
    }

    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> StdResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.contract.clone(), msg, funds)
    }

    /// Instantiates another validity-rollup contract on the same chain with `msg` (from
    /// the admin): for tests of what instantiate refuses.
    pub fn instantiate_another(&mut self, msg: &InstantiateMsg) -> StdResult<Addr> {
        let code = self.app.store_code(Box::new(ContractWrapper::new(
            validity_rollup::contract::execute,
            validity_rollup::contract::instantiate,
            validity_rollup::contract::query,
        )));
        self.app
            .instantiate_contract(code, self.admin.clone(), msg, &[], "validity-rollup", None)
            .map_err(|e| StdError::msg(format!("{e:#}")))
    }

    /// Moves the chain `seconds` forward.
    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds.div_ceil(5).max(1);
        });
    }

    /// `sender` deposits `amount` to open a new account for `key`.
    pub fn deposit_new_account(
        &mut self,
        sender: &Addr,
        key: &SecretKey,
        amount: u128,
    ) -> StdResult<AppResponse> {
        let pubkey = key.public_key();
        let msg = ExecuteMsg::Deposit {
            target: DepositTarget::NewAccount {
                pubkey: Binary::from(pubkey.encode().to_vec()),
            },
        };
        let res = self.execute(sender, &msg, &[Coin::new(amount, VALIDITY_DENOM)])?;
        self.op.queue.push(Deposit::NewAccount {
            key: pubkey,
            amount,
        });
        Ok(res)
    }

    /// `sender` deposits `amount` to account `index` (naming the key that opened it, as
    /// the operator saw it queued).
    pub fn deposit_to(
        &mut self,
        sender: &Addr,
        index: u32,
        amount: u128,
    ) -> StdResult<AppResponse> {
        let pubkey = self
            .op
            .opened_key(index)
            .map(|k| k.encode().to_vec())
            .unwrap_or_else(|| vec![0; 64]);
        let msg = ExecuteMsg::Deposit {
            target: DepositTarget::Account {
                account: index,
                pubkey: Binary::from(pubkey),
            },
        };
        let res = self.execute(sender, &msg, &[Coin::new(amount, VALIDITY_DENOM)])?;
        self.op.queue.push(Deposit::Credit {
            account: index,
            amount,
        });
        Ok(res)
    }

    /// `sender` posts an exit request of `key`'s account to `recipient` with `bond`
    /// (signing the sequence the contract expects); the operator queues it.
    pub fn request_exit(
        &mut self,
        sender: &Addr,
        key: &SecretKey,
        recipient: &Addr,
        bond: u128,
    ) -> StdResult<AppResponse> {
        let account = self.account_index(key)?;
        let msg = self.exit_request_msg(key, account, recipient)?;
        let res = self.execute(sender, &msg, &[Coin::new(bond, VALIDITY_DENOM)])?;
        self.op.queue.push(Deposit::Exit { account });
        Ok(res)
    }

    /// The index of the account `key` opened (queued or in the ledger).
    pub fn account_index(&self, key: &SecretKey) -> StdResult<u32> {
        let public = key.public_key();
        (0..)
            .map_while(|i| self.op.opened_key(i).map(|k| (i, k)))
            .find(|(_, k)| *k == public)
            .map(|(i, _)| i)
            .ok_or_else(|| StdError::msg("no account was opened with this key"))
    }

    /// The `request_exit` message of `key`'s account `account` to `recipient`, signing
    /// the sequence the contract expects now.
    pub fn exit_request_msg(
        &self,
        key: &SecretKey,
        account: u32,
        recipient: &Addr,
    ) -> StdResult<ExecuteMsg> {
        let r: AccountResponse = self.query(&QueryMsg::Account { account })?;
        Ok(self.op.exit_request_msg(
            key,
            account,
            recipient.as_str(),
            &self.canonical(recipient),
            r.exit_sequence,
        ))
    }

    /// `sender` claims the withdrawals credited to it.
    pub fn claim(&mut self, sender: &Addr) -> StdResult<AppResponse> {
        self.execute(sender, &ExecuteMsg::Claim {}, &[])
    }

    /// Withdrawals credited to `addr` and not yet claimed.
    pub fn credit_of(&self, addr: &Addr) -> u128 {
        let r: CreditResponse = self
            .query(&QueryMsg::Credit {
                address: addr.to_string(),
            })
            .expect("credit");
        r.amount.u128()
    }

    /// A transfer signed by `key`.
    pub fn transfer(&self, key: &SecretKey, to: u32, amount: u128) -> Tx {
        self.op.transfer(key, to, amount)
    }

    /// A withdrawal to `recipient`'s L1 address, signed by `key`.
    pub fn withdrawal(&self, key: &SecretKey, recipient: &Addr, amount: u128) -> Tx {
        self.op.withdrawal(key, self.canonical(recipient), amount)
    }

    /// The operator's next batch, proven (see [`Operator::prove`]).
    pub fn prove(&mut self, deposits: usize, txs: &[Tx]) -> Result<ProvenBatch, String> {
        self.op.prove(deposits, txs)
    }

    /// Proves and submits the next batch from `sender`; on success the operator follows.
    pub fn submit(&mut self, sender: &Addr, deposits: usize, txs: &[Tx]) -> StdResult<AppResponse> {
        let batch = self.prove(deposits, txs).map_err(StdError::msg)?;
        let res = self.execute(sender, &batch.msg(), &[])?;
        self.op.follow(&batch);
        Ok(res)
    }

    /// An exodus exit of `key`'s account to `recipient`.
    pub fn exodus_msg(&self, key: &SecretKey, recipient: &Addr) -> ExecuteMsg {
        self.op
            .exodus_msg(key, recipient.as_str(), &self.canonical(recipient))
    }
}
