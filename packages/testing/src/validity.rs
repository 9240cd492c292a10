//! A [`ValiditySuite`]: the validity-rollup contract on a cw-multi-test `App` with real
//! bank balances, an operator that keeps the full L2 ledger (settle-core `validity`), and
//! a real Groth16 prover (`settle-zk`): every batch a test submits carries a real proof.
//!
//! Groth16 keys are circuit-specific: [`keys_for`] runs the setup once per shape and
//! process (seeded, so every run gets the same keys) and shares it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use cosmwasm_std::{Addr, Binary, Coin, CustomMsg, CustomQuery, StdError, StdResult, Uint128};
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::de::DeserializeOwned;

use settle_core::validity::eddsa::{PublicKey, SecretKey};
use settle_core::validity::field::{fr_from_bytes, fr_to_bytes, Fr};
use settle_core::validity::ledger::{BatchData, BatchWitness, Deposit, Ledger, Shape, Tx, TxBody};
use settle_zk::{ProvingKey, VerifyingKey};
use validity_rollup::msg::{
    AccountResponse, ConfigResponse, CreditResponse, DepositTarget, ExecuteMsg, InstantiateMsg,
    QueryMsg, QueueEntry, QueuedDepositResponse, Shape as MsgShape, SolvencyResponse,
    StatusResponse,
};

use crate::app::{advance, SuiteApp};
use crate::suite::BLOCK_SECONDS;

/// Denom the validity rollup holds by default.
pub const VALIDITY_DENOM: &str = "uzk";

/// The proving and verifying keys of one circuit shape.
pub struct Keys {
    /// What the prover proves with.
    pub proving: ProvingKey,
    /// What the contract verifies with.
    pub verifying: VerifyingKey,
}

/// The validity-rollup contract for cw-multi-test (with `migrate`), on a chain of any
/// custom message and query type.
pub fn contract_validity_rollup<C, Q>() -> Box<dyn Contract<C, Q>>
where
    C: CustomMsg + DeserializeOwned + 'static,
    Q: CustomQuery + DeserializeOwned + 'static,
{
    Box::new(
        ContractWrapper::<_, _, _, _, _, _, C, Q>::new_with_empty(
            validity_rollup::contract::execute,
            validity_rollup::contract::instantiate,
            validity_rollup::contract::query,
        )
        .with_migrate_empty(validity_rollup::contract::migrate),
    )
}

/// Stores the validity-rollup code on `app` and instantiates it from `sender` with `msg`
/// (`sender` is also the chain-level admin that may migrate it); returns its address.
/// [`ValiditySuiteBuilder::instantiate_msg`] gives a message with test keys.
pub fn instantiate_validity_rollup<A: SuiteApp>(
    app: &mut A,
    sender: &Addr,
    msg: &InstantiateMsg,
    label: &str,
) -> StdResult<Addr> {
    app.deploy(contract_validity_rollup(), sender, msg, label)
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
    denom: String,
    block_seconds: u64,
    label: String,
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
    /// most 1,024 pending, in [`VALIDITY_DENOM`], 5-second blocks; nobody funded.
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
            denom: VALIDITY_DENOM.to_string(),
            block_seconds: BLOCK_SECONDS,
            label: "validity-rollup".to_string(),
            funds: vec![],
        }
    }

    /// The circuit: deposits and transactions per batch.
    pub fn with_shape(mut self, deposits: usize, txs: usize) -> Self {
        self.shape = Shape { deposits, txs };
        self
    }

    /// Seconds without a batch after which exodus starts.
    pub fn with_exodus_after(mut self, seconds: u64) -> Self {
        self.exodus_after = seconds;
        self
    }

    /// Seconds between proposing a verifying key and applying it.
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

    /// The denom the rollup holds (default [`VALIDITY_DENOM`]); genesis funds follow it.
    pub fn with_denom(mut self, denom: &str) -> Self {
        self.denom = denom.to_string();
        self
    }

    /// Seconds per block when the suite moves the clock (default 5).
    pub fn with_block_time(mut self, seconds: u64) -> Self {
        self.block_seconds = seconds.max(1);
        self
    }

    /// The contract's label (default `validity-rollup`).
    pub fn with_label(mut self, label: &str) -> Self {
        self.label = label.to_string();
        self
    }

    /// Gives `label` `amount` of the rollup's denom at genesis.
    pub fn with_funds(mut self, label: &str, amount: u128) -> Self {
        self.funds.push((label.to_string(), amount));
        self
    }

    /// The message [`ValiditySuiteBuilder::build`] instantiates the contract with.
    pub fn instantiate_msg(&self) -> InstantiateMsg {
        InstantiateMsg {
            admin: None,
            denom: self.denom.clone(),
            verifying_key: Binary::from(keys_for(self.shape).verifying.to_wire()),
            shape: msg_shape(self.shape),
            exodus_after_seconds: self.exodus_after,
            key_timelock_seconds: self.key_timelock,
            min_deposit: Uint128::new(self.min_deposit),
            min_new_account: Uint128::new(self.min_new_account),
            max_pending: self.max_pending,
        }
    }

    /// Deploys on a fresh `App` (address prefix `cosmwasm`), running the circuit's
    /// setup once per shape and process; panics if the contract refuses the builder's
    /// parameters (see [`ValiditySuiteBuilder::build_on`]).
    pub fn build(self) -> ValiditySuite {
        self.build_on(App::default())
            .unwrap_or_else(|e| panic!("instantiate validity-rollup: {e}"))
    }

    /// Deploys on `app`, the integrator's chain (any `MockApi` prefix, custom modules, a
    /// [`crate::Shared`] app used by other suites too): mints the genesis funds, stores
    /// the code and instantiates it from `admin`.
    pub fn build_on<A: SuiteApp>(self, mut app: A) -> StdResult<ValiditySuite<A>> {
        for (label, amount) in &self.funds {
            let addr = app.addr_make(label);
            app.mint(&addr, &[Coin::new(*amount, self.denom.clone())])?;
        }
        let admin = app.addr_make("admin");
        let contract =
            instantiate_validity_rollup(&mut app, &admin, &self.instantiate_msg(), &self.label)?;
        let mut suite = ValiditySuite::attach(app, contract, admin, keys_for(self.shape))?;
        suite.block_seconds = self.block_seconds;
        Ok(suite)
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
    /// The batch data posted.
    pub data: BatchData,
    /// Queued entries consumed.
    pub deposits: u64,
    /// The account tree root after the batch.
    pub new_accounts_root: Fr,
    /// Accounts after the batch.
    pub new_account_count: u64,
    /// The Groth16 proof.
    pub proof: [u8; settle_zk::PROOF_LEN],
    /// What the proof was made from.
    pub witness: BatchWitness,
    /// The signed transactions (what the operator applies once the batch is accepted).
    pub txs: Vec<Tx>,
}

impl ProvenBatch {
    /// The `submit_batch` message.
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
    /// The circuit's shape.
    pub shape: Shape,
    /// The circuit's keys.
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
    /// An operator of an empty rollup in `domain` proving with `keys` for `shape`.
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

/// The validity-rollup contract on a chain, with its [`Operator`] following the chain.
///
/// Every field is public: a suite can be assembled by hand ([`ValiditySuite::attach`]
/// reads the domain, denom and shape from the contract).
pub struct ValiditySuite<A = App> {
    /// The chain (the suite's own `App`, or the integrator's).
    pub app: A,
    /// The contract's address.
    pub contract: Addr,
    /// The contract's admin.
    pub admin: Addr,
    /// The operator: ledger, queue as observed, keys, prover.
    pub op: Operator,
    /// The denom the rollup holds.
    pub denom: String,
    /// Seconds per block when the suite moves the clock.
    pub block_seconds: u64,
    /// Queue entries the operator's queue was compared with the contract's (see
    /// [`ValiditySuite::sync`]), and the hash chain's head after them.
    pub checked: (u64, Fr),
    /// Nonces handed out by [`ValiditySuite::signed_transfer`] and
    /// [`ValiditySuite::signed_withdrawal`] since the last batch, by account.
    pub signed: HashMap<u32, u64>,
}

/// The core's queue entry for a contract's `queued_deposit` answer.
fn core_entry(q: &QueuedDepositResponse) -> StdResult<Deposit> {
    Ok(match &q.target {
        QueueEntry::NewAccount { pubkey, .. } => Deposit::NewAccount {
            key: PublicKey::decode(pubkey.as_slice()).map_err(StdError::msg)?,
            amount: q.amount.u128(),
        },
        QueueEntry::Account { account, .. } => Deposit::Credit {
            account: *account,
            amount: q.amount.u128(),
        },
        QueueEntry::Exit { account, .. } => Deposit::Exit { account: *account },
    })
}

impl<A: SuiteApp> ValiditySuite<A> {
    /// A suite around the validity rollup at `contract` on `app` whose verifying key is
    /// `keys.verifying` (the operator proves with `keys.proving`): reads the domain and
    /// denom, and follows the queue. Fails if the contract does not answer as a validity
    /// rollup, or already has batches (start the suite before the first batch).
    pub fn attach(
        app: A,
        contract: Addr,
        admin: Addr,
        keys: Arc<Keys>,
    ) -> StdResult<ValiditySuite<A>> {
        let config: ConfigResponse = app.query_smart(&contract, &QueryMsg::Config {})?;
        let domain = fr_from_bytes("domain", config.domain.as_slice()).map_err(StdError::msg)?;
        let shape = Shape {
            deposits: config.shape.deposits as usize,
            txs: config.shape.txs as usize,
        };
        let mut suite = ValiditySuite {
            app,
            contract,
            admin,
            op: Operator::new(domain, shape, keys),
            denom: config.denom,
            block_seconds: BLOCK_SECONDS,
            checked: (0, Fr::from(0u64)),
            signed: HashMap::new(),
        };
        let status = suite.try_status()?;
        if status.batches > 0 {
            return Err(StdError::msg(format!(
                "the rollup already has {} batches: a suite follows it from before its first",
                status.batches
            )));
        }
        suite.sync()?;
        Ok(suite)
    }

    /// The chain address of a label (`addr_make`, under the chain's prefix).
    pub fn addr(&self, label: &str) -> Addr {
        self.app.addr_make(label)
    }

    /// Canonical bytes of an address (panics on an address that is not valid on this
    /// chain; see [`ValiditySuite::try_canonical`]).
    pub fn canonical(&self, addr: &Addr) -> Vec<u8> {
        self.try_canonical(addr).expect("valid address")
    }

    /// Canonical bytes of an address.
    pub fn try_canonical(&self, addr: &Addr) -> StdResult<Vec<u8>> {
        Ok(self.app.addr_canonicalize(addr.as_str())?.to_vec())
    }

    /// The bank balance of `addr` in `denom` (panics if the bank cannot answer; see
    /// [`ValiditySuite::try_balance`]).
    pub fn balance(&self, addr: &Addr, denom: &str) -> u128 {
        self.try_balance(addr, denom).expect("balance")
    }

    /// The bank balance of `addr` in `denom`.
    pub fn try_balance(&self, addr: &Addr, denom: &str) -> StdResult<u128> {
        self.app.balance_u128(addr, denom)
    }

    /// The bank balance of `addr` in the rollup's denom.
    pub fn balance_of(&self, addr: &Addr) -> u128 {
        self.balance(addr, &self.denom.clone())
    }

    /// `amount` of the rollup's denom as funds to attach (none if 0).
    pub fn coins(&self, amount: u128) -> Vec<Coin> {
        crate::app::coins(amount, &self.denom)
    }

    /// Counters, roots and what the rollup holds.
    pub fn try_status(&self) -> StdResult<StatusResponse> {
        self.query(&QueryMsg::Status {})
    }

    /// Counters, roots and what the rollup holds (panics; see
    /// [`ValiditySuite::try_status`]).
    pub fn status(&self) -> StatusResponse {
        self.try_status().expect("status")
    }

    /// What the contract holds against what it owes.
    pub fn try_solvency(&self) -> StdResult<SolvencyResponse> {
        self.query(&QueryMsg::Solvency {})
    }

    /// What the contract holds against what it owes (panics; see
    /// [`ValiditySuite::try_solvency`]).
    pub fn solvency(&self) -> SolvencyResponse {
        self.try_solvency().expect("solvency")
    }

    /// Panics unless the contract is solvent and holds exactly what it owes.
    pub fn assert_reconciles(&self) {
        let s = self.solvency();
        assert!(s.solvent, "insolvent: {s:?}");
        for d in &s.denoms {
            assert_eq!(d.held, d.owed, "{} does not reconcile: {s:?}", d.denom);
        }
    }

    /// A smart query of the contract.
    pub fn query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.query_smart(&self.contract, msg)
    }

    /// Sends `msg` to the contract from `sender` with `funds`.
    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> StdResult<AppResponse> {
        self.app
            .execute_wasm(sender.clone(), self.contract.clone(), msg, funds)
    }

    /// Instantiates another validity-rollup contract on the same chain with `msg` (from
    /// the admin): for tests of what instantiate refuses.
    pub fn instantiate_another(&mut self, msg: &InstantiateMsg) -> StdResult<Addr> {
        let code = self.app.store_contract(contract_validity_rollup());
        self.app
            .instantiate_wasm(code, self.admin.clone(), msg, &[], "validity-rollup", None)
            .map_err(|e| StdError::msg(format!("{e:#}")))
    }

    /// Moves the chain's clock forward (a block every `block_seconds`).
    pub fn advance(&mut self, seconds: u64) {
        advance(&mut self.app, seconds, self.block_seconds);
    }

    /// Brings the operator's queue to the contract's: reads every entry the operator has
    /// not compared yet (`queued_deposit`), so an entry queued by anyone (another
    /// contract, `app.execute_contract`) is queued by the operator too. Every batch the
    /// suite submits syncs first.
    ///
    /// Any divergence is an error, never skipped: an entry the operator queued that the
    /// contract does not have, an entry that differs, a hash chain head that is not the
    /// contract's, or batches the operator did not follow. Returns the entries newly
    /// queued.
    pub fn sync(&mut self) -> StdResult<u64> {
        let status = self.try_status()?;
        let count = status.deposit_count;
        if self.op.queue.len() as u64 > count {
            return Err(StdError::msg(format!(
                "the operator queued {} entries but the contract only {count}: entry {count} is not on chain",
                self.op.queue.len()
            )));
        }
        let mut added = 0;
        let (mut next, mut head) = self.checked;
        while next < count {
            let q: QueuedDepositResponse =
                self.query(&QueryMsg::QueuedDeposit { deposit: next })?;
            let entry = core_entry(&q)?;
            match self.op.queue.get(next as usize) {
                Some(known) if *known == entry => {}
                Some(known) => {
                    return Err(StdError::msg(format!(
                        "queue entry {next} diverges: the operator has {known:?}, the contract {entry:?}"
                    )))
                }
                None => {
                    self.op.queue.push(entry);
                    added += 1;
                }
            }
            head = entry.chain(self.op.ledger.hasher(), &head);
            if fr_to_bytes(&head).as_slice() != q.chain_head.as_slice() {
                return Err(StdError::msg(format!(
                    "queue entry {next}: the operator's chain head {} is not the contract's {}",
                    Binary::from(fr_to_bytes(&head).to_vec()),
                    q.chain_head
                )));
            }
            next += 1;
            self.checked = (next, head);
        }
        if self.op.cursor as u64 != status.deposit_cursor
            || fr_to_bytes(&self.op.head).as_slice() != status.deposit_head.as_slice()
        {
            return Err(StdError::msg(format!(
                "the operator consumed {} entries, the contract {}: a batch was submitted around the suite",
                self.op.cursor, status.deposit_cursor
            )));
        }
        Ok(added)
    }

    /// `sender` deposits `amount` to open a new account for `key`; the operator follows
    /// the chain.
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
        let funds = self.coins(amount);
        let res = self.execute(sender, &msg, &funds)?;
        self.sync()?;
        Ok(res)
    }

    /// `sender` deposits `amount` to account `index` (naming the key that opened it, as
    /// the operator saw it queued); the operator follows the chain.
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
        let funds = self.coins(amount);
        let res = self.execute(sender, &msg, &funds)?;
        self.sync()?;
        Ok(res)
    }

    /// `sender` posts an exit request of `key`'s account to `recipient` with `bond`
    /// (signing the sequence the contract expects); the operator follows the chain.
    pub fn request_exit(
        &mut self,
        sender: &Addr,
        key: &SecretKey,
        recipient: &Addr,
        bond: u128,
    ) -> StdResult<AppResponse> {
        let account = self.account_index(key)?;
        let msg = self.exit_request_msg(key, account, recipient)?;
        let funds = self.coins(bond);
        let res = self.execute(sender, &msg, &funds)?;
        self.sync()?;
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
    pub fn try_credit_of(&self, addr: &Addr) -> StdResult<u128> {
        let r: CreditResponse = self.query(&QueryMsg::Credit {
            address: addr.to_string(),
        })?;
        Ok(r.amount.u128())
    }

    /// Withdrawals credited to `addr` and not yet claimed (panics; see
    /// [`ValiditySuite::try_credit_of`]).
    pub fn credit_of(&self, addr: &Addr) -> u128 {
        self.try_credit_of(addr).expect("credit")
    }

    /// The L2 account index holding `key` in the operator's ledger (accounts exist once a
    /// batch consumed their first deposit).
    pub fn account_of(&self, key: &SecretKey) -> StdResult<u32> {
        self.op
            .ledger
            .find(&key.public_key())
            .ok_or_else(|| StdError::msg("no L2 account holds this key (yet)"))
    }

    /// The nonce the next transaction of `key`'s account signs: the ledger's, plus the
    /// transactions signed through [`ValiditySuite::signed_transfer`] and
    /// [`ValiditySuite::signed_withdrawal`] since the last batch.
    pub fn next_nonce(&self, key: &SecretKey) -> StdResult<u64> {
        let account = self.account_of(key)?;
        let nonce = self
            .op
            .ledger
            .account(account)
            .map(|a| a.nonce)
            .unwrap_or(0);
        Ok(nonce + self.signed.get(&account).copied().unwrap_or(0))
    }

    /// A transfer of `amount` from `key`'s account to account `to`, at the next nonce
    /// (the suite tracks the index and the nonce).
    pub fn signed_transfer(&mut self, key: &SecretKey, to: u32, amount: u128) -> StdResult<Tx> {
        let (from, nonce) = (self.account_of(key)?, self.next_nonce(key)?);
        *self.signed.entry(from).or_default() += 1;
        let body = TxBody::Transfer { from, to, amount };
        Ok(Tx::sign(
            self.op.ledger.hasher(),
            &self.op.domain,
            body,
            nonce,
            key,
        ))
    }

    /// A withdrawal of `amount` from `key`'s account to `recipient`, at the next nonce
    /// (the suite tracks the index and the nonce).
    pub fn signed_withdrawal(
        &mut self,
        key: &SecretKey,
        recipient: &Addr,
        amount: u128,
    ) -> StdResult<Tx> {
        let (from, nonce) = (self.account_of(key)?, self.next_nonce(key)?);
        let recipient = self.try_canonical(recipient)?;
        *self.signed.entry(from).or_default() += 1;
        let body = TxBody::Withdraw {
            from,
            amount,
            recipient,
        };
        Ok(Tx::sign(
            self.op.ledger.hasher(),
            &self.op.domain,
            body,
            nonce,
            key,
        ))
    }

    /// A transfer signed by `key` at its account's ledger nonce (panics if `key` has no
    /// account; see [`ValiditySuite::signed_transfer`]).
    pub fn transfer(&self, key: &SecretKey, to: u32, amount: u128) -> Tx {
        self.op.transfer(key, to, amount)
    }

    /// A withdrawal to `recipient`'s L1 address, signed by `key` at its account's ledger
    /// nonce (panics if `key` has no account; see [`ValiditySuite::signed_withdrawal`]).
    pub fn withdrawal(&self, key: &SecretKey, recipient: &Addr, amount: u128) -> Tx {
        self.op.withdrawal(key, self.canonical(recipient), amount)
    }

    /// The operator's next batch, proven (see [`Operator::prove`]).
    pub fn prove(&mut self, deposits: usize, txs: &[Tx]) -> Result<ProvenBatch, String> {
        self.op.prove(deposits, txs)
    }

    /// Syncs, proves and submits the next batch from `sender`; on success the operator
    /// follows.
    pub fn submit(&mut self, sender: &Addr, deposits: usize, txs: &[Tx]) -> StdResult<AppResponse> {
        self.sync()?;
        let batch = self.prove(deposits, txs).map_err(StdError::msg)?;
        let res = self.execute(sender, &batch.msg(), &[])?;
        self.op.follow(&batch);
        self.signed.clear();
        Ok(res)
    }

    /// An exodus exit of `key`'s account to `recipient`.
    pub fn exodus_msg(&self, key: &SecretKey, recipient: &Addr) -> ExecuteMsg {
        self.op
            .exodus_msg(key, recipient.as_str(), &self.canonical(recipient))
    }
}
