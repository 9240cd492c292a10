//! The optimistic rollup: its boxed contract, an instantiate helper, and the [`Suite`]
//! (the contract on a chain with an operator [`Node`] that follows the chain).

use std::collections::HashMap;

use cosmwasm_std::{Addr, Binary, Coin, CustomMsg, CustomQuery, StdError, StdResult, Uint128};
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper};
use serde::de::DeserializeOwned;

use optimistic_rollup::msg::{
    AmountRange, BatchResponse, ConfigBounds, ConfigResponse, CreditResponse, DepositTarget,
    DepositsResponse, DisputeParams, ExecuteMsg, InstantiateMsg, PendingAdminResponse,
    PendingConfig, PendingConfigResponse, ProposerResponse, QueryMsg, Range, SolvencyResponse,
    StatusResponse, WithdrawalStatus, WithdrawalStatusResponse,
};
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_core::ledger::Deposit;
use settle_core::node::{Node, Proposal, WithdrawalProof};
use settle_core::tx::{Domain, SignedTx};

use crate::app::{advance, SuiteApp};

/// Denom of L2 value in the suite unless [`SuiteBuilder::with_denom`] says otherwise.
pub const DENOM: &str = "uusd";
/// Denom of proposer bonds unless [`SuiteBuilder::with_bond_denom`] says otherwise.
pub const BOND_DENOM: &str = "ustake";
/// Seconds a block lasts unless a builder's `with_block_time` says otherwise.
pub const BLOCK_SECONDS: u64 = 5;

/// Stands for the value denom in genesis funds until the builder knows it.
const VALUE: &str = "\u{0}value";
/// Stands for the bond denom in genesis funds until the builder knows it.
const BOND: &str = "\u{0}bond";

/// The optimistic-rollup contract for cw-multi-test (with `migrate`), on a chain of any
/// custom message and query type.
pub fn contract_optimistic_rollup<C, Q>() -> Box<dyn Contract<C, Q>>
where
    C: CustomMsg + DeserializeOwned + 'static,
    Q: CustomQuery + DeserializeOwned + 'static,
{
    Box::new(
        ContractWrapper::<_, _, _, _, _, _, C, Q>::new_with_empty(
            optimistic_rollup::contract::execute,
            optimistic_rollup::contract::instantiate,
            optimistic_rollup::contract::query,
        )
        .with_migrate_empty(optimistic_rollup::contract::migrate),
    )
}

/// Stores the optimistic-rollup code on `app` and instantiates it from `sender` with
/// `msg` (`sender` is also the chain-level admin that may migrate it); returns its
/// address.
pub fn instantiate_optimistic_rollup<A: SuiteApp>(
    app: &mut A,
    sender: &Addr,
    msg: &InstantiateMsg,
    label: &str,
) -> StdResult<Addr> {
    app.deploy(contract_optimistic_rollup(), sender, msg, label)
}

/// Builds a [`Suite`]: chain parameters and genesis balances.
#[derive(Debug, Clone)]
pub struct SuiteBuilder {
    proposer_bond: u128,
    challenge_window: u64,
    force_inclusion_delay: u64,
    max_batch_bytes: u32,
    denom: String,
    bond_denom: String,
    block_seconds: u64,
    label: String,
    dispute: DisputeParams,
    bounds: Option<ConfigBounds>,
    funds: Vec<(String, Vec<Coin>)>,
}

/// The bounds the suite instantiates with unless told otherwise: wide enough for tests
/// to change every parameter, inside settle-core's floors (windows of five minutes to
/// thirty days, bonds of 1 to 1,000,000).
pub fn default_bounds() -> ConfigBounds {
    let r = |min, max| Range { min, max };
    let a = |min: u128, max: u128| AmountRange {
        min: Uint128::new(min),
        max: Uint128::new(max),
    };
    ConfigBounds {
        challenge_window: r(300, 30 * 86_400),
        force_inclusion_seconds: r(0, 7 * 86_400),
        max_batch_bytes: r(1, 512 * 1024),
        proposer_bond: a(1, 1_000_000),
        challenger_bond: a(1, 1_000_000),
        clock_seconds: r(300, 7 * 86_400),
        min_answer_seconds: r(60, 86_400),
        reward_bps: r(0, 10_000),
    }
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SuiteBuilder {
    /// Defaults: value in [`DENOM`], bonds of 1,000 [`BOND_DENOM`], a one-day window,
    /// deposits force-included after an hour, 128 KiB batches, 5-second blocks; games
    /// with a 500 challenger bond, an hour on each clock, five minutes' minimum answer
    /// time, half of a slashed bond to the winning challenger and the rest to `treasury`;
    /// a `proposer` and a `challenger` funded with 10,000 of the bond denom, an `admin`.
    pub fn new() -> Self {
        SuiteBuilder {
            proposer_bond: 1_000,
            challenge_window: 86_400,
            force_inclusion_delay: 3_600,
            max_batch_bytes: 128 * 1024,
            denom: DENOM.to_string(),
            bond_denom: BOND_DENOM.to_string(),
            block_seconds: BLOCK_SECONDS,
            label: "optimistic-rollup".to_string(),
            dispute: DisputeParams {
                challenger_bond: Uint128::new(500),
                clock_seconds: 3_600,
                min_answer_seconds: 300,
                reward_bps: 5_000,
                treasury: String::new(),
            },
            bounds: Some(default_bounds()),
            funds: vec![
                ("proposer".into(), vec![Coin::new(10_000u128, BOND)]),
                ("challenger".into(), vec![Coin::new(10_000u128, BOND)]),
                ("admin".into(), vec![]),
            ],
        }
    }

    /// Game parameters (`treasury` empty = the suite's `treasury` account).
    pub fn with_dispute(mut self, dispute: DisputeParams) -> Self {
        self.dispute = dispute;
        self
    }

    /// What the admin may ever set (`None`: every parameter pinned at instantiate).
    pub fn with_bounds(mut self, bounds: Option<ConfigBounds>) -> Self {
        self.bounds = bounds;
        self
    }

    /// The bond a proposer must post.
    pub fn with_proposer_bond(mut self, bond: u128) -> Self {
        self.proposer_bond = bond;
        self
    }

    /// Seconds a batch stays open to challenges.
    pub fn with_challenge_window(mut self, seconds: u64) -> Self {
        self.challenge_window = seconds;
        self
    }

    /// Seconds after which a queued deposit must be consumed by the next batch.
    pub fn with_force_inclusion_delay(mut self, seconds: u64) -> Self {
        self.force_inclusion_delay = seconds;
        self
    }

    /// The largest batch data accepted.
    pub fn with_max_batch_bytes(mut self, bytes: u32) -> Self {
        self.max_batch_bytes = bytes;
        self
    }

    /// The denom of L2 value (default [`DENOM`]); genesis funds given with
    /// [`SuiteBuilder::with_funds`] follow it.
    pub fn with_denom(mut self, denom: &str) -> Self {
        self.denom = denom.to_string();
        self
    }

    /// The denom of bonds (default [`BOND_DENOM`]); the proposer's and challenger's
    /// genesis funds follow it.
    pub fn with_bond_denom(mut self, denom: &str) -> Self {
        self.bond_denom = denom.to_string();
        self
    }

    /// Bonds in the value denom itself (one balance to reconcile).
    pub fn with_bonds_in_value_denom(mut self) -> Self {
        self.bond_denom = VALUE.to_string();
        self
    }

    /// Seconds per block when the suite moves the clock (default [`BLOCK_SECONDS`]).
    pub fn with_block_time(mut self, seconds: u64) -> Self {
        self.block_seconds = seconds.max(1);
        self
    }

    /// The contract's label (default `optimistic-rollup`).
    pub fn with_label(mut self, label: &str) -> Self {
        self.label = label.to_string();
        self
    }

    /// Gives the account `label` `amount` of the value denom at genesis.
    pub fn with_funds(self, label: &str, amount: u128) -> Self {
        self.with_coins(label, vec![Coin::new(amount, VALUE)])
    }

    /// Gives the account `label` these coins at genesis.
    pub fn with_coins(mut self, label: &str, coins: Vec<Coin>) -> Self {
        match self.funds.iter_mut().find(|(l, _)| l == label) {
            Some((_, c)) => c.extend(coins),
            None => self.funds.push((label.to_string(), coins)),
        }
        self
    }

    fn resolve(&self, denom: &str) -> String {
        match denom {
            VALUE => self.denom.clone(),
            BOND if self.bond_denom == VALUE => self.denom.clone(),
            BOND => self.bond_denom.clone(),
            d => d.to_string(),
        }
    }

    /// The message [`SuiteBuilder::build`] instantiates the contract with, on a chain
    /// where `treasury` is the treasury's address.
    pub fn instantiate_msg(&self, treasury: &Addr) -> InstantiateMsg {
        let mut dispute = self.dispute.clone();
        if dispute.treasury.is_empty() {
            dispute.treasury = treasury.to_string();
        }
        InstantiateMsg {
            admin: None,
            denom: self.denom.clone(),
            bond_denom: self.resolve(BOND),
            proposer_bond: Uint128::new(self.proposer_bond),
            challenge_window: self.challenge_window,
            force_inclusion_seconds: self.force_inclusion_delay,
            max_batch_bytes: self.max_batch_bytes,
            dispute,
            bounds: self.bounds.clone(),
        }
    }

    /// Deploys on a fresh `App` (address prefix `cosmwasm`). Panics if the contract
    /// refuses the builder's parameters (use [`SuiteBuilder::build_on`] to see the
    /// error).
    pub fn build(self) -> Suite {
        self.build_on(App::default())
            .unwrap_or_else(|e| panic!("instantiate optimistic-rollup: {e}"))
    }

    /// Deploys on `app`, the integrator's chain (any `MockApi` prefix, custom modules, a
    /// [`crate::Shared`] app used by other suites too): mints the genesis funds, stores
    /// the code and instantiates it from `admin`.
    pub fn build_on<A: SuiteApp>(self, mut app: A) -> StdResult<Suite<A>> {
        for (label, coins) in &self.funds {
            let coins: Vec<Coin> = coins
                .iter()
                .map(|c| Coin::new(c.amount, self.resolve(&c.denom)))
                .collect();
            if !coins.is_empty() {
                let addr = app.addr_make(label);
                app.mint(&addr, &coins)?;
            }
        }
        let admin = app.addr_make("admin");
        let treasury = app.addr_make("treasury");
        let code = app.store_contract(contract_optimistic_rollup());
        let rollup = app.instantiate_wasm(
            code,
            admin.clone(),
            &self.instantiate_msg(&treasury),
            &[],
            &self.label,
            Some(admin.to_string()),
        )?;
        let proposer = app.addr_make("proposer");
        let mut suite = Suite::attach(app, rollup, admin, proposer)?;
        suite.code = code;
        suite.block_seconds = self.block_seconds;
        Ok(suite)
    }
}

/// What one [`Suite::sync`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synced {
    /// Deposits the node observed for the first time (made around the suite: by another
    /// contract, or by `app.execute_contract`).
    pub deposits: u64,
    /// The first batch the chain removed (a fraud proof) since the node last looked.
    pub rolled_back_from: Option<u64>,
}

/// The optimistic rollup deployed on a chain, with an operator node that follows it.
///
/// Every field is public: a suite can be assembled by hand around a contract deployed
/// some other way ([`Suite::attach`] does it from the contract's config).
pub struct Suite<A = App> {
    /// The chain (the suite's own `App`, or the integrator's, see [`SuiteBuilder::build_on`]).
    pub app: A,
    /// The contract's code id.
    pub code: u64,
    /// The contract's address.
    pub rollup: Addr,
    /// The contract's admin (config changes).
    pub admin: Addr,
    /// A funded account (10,000 bond coins) meant to act as proposer; not yet bonded.
    pub proposer: Addr,
    /// The operator's view: ledger, deposit mirror, batches.
    pub node: Node,
    /// The challenge window in force.
    pub challenge_window: u64,
    /// The denom of L2 value.
    pub denom: String,
    /// The denom of bonds.
    pub bond_denom: String,
    /// Seconds per block when the suite moves the clock.
    pub block_seconds: u64,
    /// What the proposer claims at every position of each batch it posted through the
    /// suite (`None`: the true roots; `Some`: a lie); its defence in games.
    pub claims: Vec<Option<Vec<settle_core::Hash>>>,
    /// Nonces handed out by [`Suite::signed_transfer`] and [`Suite::signed_withdrawal`]
    /// since the last batch, by account.
    pub signed: HashMap<u32, u64>,
}

impl<A: SuiteApp> Suite<A> {
    /// A suite around the optimistic rollup at `rollup` on `app` (deployed by
    /// [`instantiate_optimistic_rollup`] or otherwise): reads the contract's config and
    /// follows its deposit queue. Fails if the contract does not answer as an
    /// optimistic rollup, or if it already has batches (their data is not on the chain's
    /// queries: start the suite before the first batch).
    pub fn attach(app: A, rollup: Addr, admin: Addr, proposer: Addr) -> StdResult<Suite<A>> {
        let config: ConfigResponse = app.query_smart(&rollup, &QueryMsg::Config {})?;
        let domain = Domain(
            config
                .domain
                .as_slice()
                .try_into()
                .map_err(|_| StdError::msg("the contract's domain is not 32 bytes"))?,
        );
        let code = app.contract_code_id(&rollup)?;
        let mut suite = Suite {
            app,
            code,
            rollup,
            admin,
            proposer,
            node: Node::new(domain),
            challenge_window: config.challenge_window,
            denom: config.denom,
            bond_denom: config.bond_denom,
            block_seconds: BLOCK_SECONDS,
            claims: Vec::new(),
            signed: HashMap::new(),
        };
        let status = suite.try_status()?;
        if status.next_batch > 0 {
            return Err(StdError::msg(format!(
                "the rollup already has {} batches: a suite follows it from before its first",
                status.next_batch
            )));
        }
        suite.sync()?;
        Ok(suite)
    }

    /// The chain address of a label (`addr_make`, under the chain's prefix).
    pub fn addr(&self, label: &str) -> Addr {
        self.app.addr_make(label)
    }

    /// Canonical bytes of an address, as L2 withdrawals name it (panics on an address
    /// that is not valid on this chain; see [`Suite::try_canonical`]).
    pub fn canonical(&self, addr: &Addr) -> Vec<u8> {
        self.try_canonical(addr).expect("valid address")
    }

    /// Canonical bytes of an address, as L2 withdrawals name it.
    pub fn try_canonical(&self, addr: &Addr) -> StdResult<Vec<u8>> {
        Ok(self.app.addr_canonicalize(addr.as_str())?.to_vec())
    }

    /// The bank balance of `addr` in `denom` (panics if the bank cannot answer; see
    /// [`Suite::try_balance`]).
    pub fn balance(&self, addr: &Addr, denom: &str) -> u128 {
        self.try_balance(addr, denom).expect("balance")
    }

    /// The bank balance of `addr` in `denom`.
    pub fn try_balance(&self, addr: &Addr, denom: &str) -> StdResult<u128> {
        self.app.balance_u128(addr, denom)
    }

    /// The bank balance of `addr` in the value denom.
    pub fn balance_of(&self, addr: &Addr) -> u128 {
        self.balance(addr, &self.denom.clone())
    }

    /// `amount` of the value denom as funds to attach (none if 0).
    pub fn coins(&self, amount: u128) -> Vec<Coin> {
        crate::app::coins(amount, &self.denom)
    }

    /// Sends `msg` to the rollup from `sender` with `funds`.
    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> StdResult<AppResponse> {
        self.app
            .execute_wasm(sender.clone(), self.rollup.clone(), msg, funds)
    }

    /// `who` adds `amount` of the bond denom to its proposer bond.
    pub fn bond(&mut self, who: &Addr, amount: u128) -> StdResult<AppResponse> {
        let coin = Coin::new(amount, self.bond_denom.clone());
        self.execute(who, &ExecuteMsg::Bond {}, &[coin])
    }

    /// `who` starts withdrawing its bond.
    pub fn unbond(&mut self, who: &Addr) -> StdResult<AppResponse> {
        self.execute(who, &ExecuteMsg::Unbond {}, &[])
    }

    /// Bonds the suite's proposer with the required bond.
    pub fn bond_proposer(&mut self) -> StdResult<AppResponse> {
        let required = self.try_config()?.proposer_bond.u128();
        let p = self.proposer.clone();
        self.bond(&p, required)
    }

    /// Deposits `amount` of the value denom; the node follows the chain.
    pub fn deposit(&mut self, who: &Addr, to: DepositTarget, amount: u128) -> StdResult<u64> {
        let coins = self.coins(amount);
        self.deposit_coins(who, to, &coins)
    }

    /// Deposits arbitrary coins (for testing refusals); the node follows the chain.
    /// Returns the deposit's queue index.
    pub fn deposit_coins(
        &mut self,
        who: &Addr,
        to: DepositTarget,
        coins: &[Coin],
    ) -> StdResult<u64> {
        self.execute(who, &ExecuteMsg::Deposit { target: to }, coins)?;
        self.sync()?;
        Ok(self.node.deposit_count() - 1)
    }

    /// Opens an L2 account for `key` with a first deposit; returns the deposit index.
    pub fn deposit_new_account(&mut self, who: &Addr, key: &L2Key, amount: u128) -> StdResult<u64> {
        let pubkey = Binary::from(key.public_key().as_slice());
        self.deposit(who, DepositTarget::NewAccount { pubkey }, amount)
    }

    /// Brings the node to the chain: rolls it back past batches a fraud proof removed,
    /// then reads the contract's deposit queue (the paged `deposits` query) from the
    /// first deposit the node has not seen, so a deposit by anyone (another contract,
    /// `app.execute_contract`) is observed. Every batch the suite proposes syncs first.
    ///
    /// Any divergence is an error, never skipped: a deposit the node holds that the
    /// contract does not, a deposit that differs (target, amount, depositor), or a
    /// deposit hash chain whose head is not the contract's.
    pub fn sync(&mut self) -> StdResult<Synced> {
        let mut out = Synced::default();
        let status = self.try_status()?;
        out.rolled_back_from = self.roll_back_to(status.next_batch)?;
        let known = self.node.deposit_count();
        if known > status.deposit_count {
            return Err(StdError::msg(format!(
                "the node has {known} deposits but the contract only {}: deposit {} is not on chain",
                status.deposit_count, status.deposit_count
            )));
        }
        // Every pending deposit is compared, the known ones too (a mirror edited by hand is
        // caught at the next sync, not at the first withdrawal that does not verify); the
        // consumed ones were compared before the batch that consumed them, and the head
        // below covers them all.
        let mut next = self.node.deposit_count() - self.node.pending_deposits().len() as u64;
        while next < status.deposit_count {
            let page: DepositsResponse = self.query(&QueryMsg::Deposits {
                start_after: next.checked_sub(1),
                limit: Some(DEPOSIT_PAGE),
            })?;
            if page.deposits.is_empty() {
                return Err(StdError::msg(format!(
                    "the contract counts {} deposits but lists none after {next}",
                    status.deposit_count
                )));
            }
            for d in page.deposits {
                let deposit = Deposit {
                    index: d.deposit,
                    target: d.target.target().map_err(StdError::msg)?,
                    amount: d.amount.u128(),
                    refund_to: self.try_canonical(&d.depositor)?,
                };
                if self.node.follow_deposit(deposit).map_err(StdError::msg)? {
                    out.deposits += 1;
                }
                next = d.deposit + 1;
            }
        }
        let head = self.node.deposit_head();
        if head.as_slice() != status.deposit_head.as_slice() {
            return Err(StdError::msg(format!(
                "the node's deposit chain head {} is not the contract's {}",
                Binary::from(head.as_slice()),
                status.deposit_head
            )));
        }
        Ok(out)
    }

    /// Rolls the node back to the chain's `next_batch` when a fraud proof removed
    /// batches it applied; returns the first batch removed.
    pub(crate) fn roll_back_to(&mut self, next_batch: u64) -> StdResult<Option<u64>> {
        if next_batch >= self.node.batch_count() {
            return Ok(None);
        }
        self.node.roll_back(next_batch).map_err(StdError::msg)?;
        self.claims.truncate(next_batch as usize);
        self.signed.clear();
        Ok(Some(next_batch))
    }

    /// The L2 account index holding `key` in the node's ledger (accounts exist once a
    /// batch consumed their first deposit).
    pub fn account_of(&self, key: &L2Key) -> StdResult<u32> {
        self.node
            .ledger
            .find(&key.public_key())
            .ok_or_else(|| StdError::msg("no L2 account holds this key (yet)"))
    }

    /// The nonce the next transaction of `key`'s account signs: the ledger's, plus the
    /// transactions signed through [`Suite::signed_transfer`] and
    /// [`Suite::signed_withdrawal`] since the last batch.
    pub fn next_nonce(&self, key: &L2Key) -> StdResult<u64> {
        let account = self.account_of(key)?;
        let nonce = self.node.ledger.accounts()[account as usize].nonce;
        Ok(nonce + self.signed.get(&account).copied().unwrap_or(0))
    }

    /// A transfer of `amount` from `key`'s account to account `to`, at the next nonce
    /// (the suite tracks the index and the nonce).
    pub fn signed_transfer(&mut self, key: &L2Key, to: u32, amount: u128) -> StdResult<SignedTx> {
        let (from, nonce) = (self.account_of(key)?, self.next_nonce(key)?);
        *self.signed.entry(from).or_default() += 1;
        Ok(self.node.sign_transfer(key, from, to, amount, nonce))
    }

    /// A withdrawal of `amount` from `key`'s account to `recipient`, at the next nonce
    /// (the suite tracks the index and the nonce).
    pub fn signed_withdrawal(
        &mut self,
        key: &L2Key,
        recipient: &Addr,
        amount: u128,
    ) -> StdResult<SignedTx> {
        let (from, nonce) = (self.account_of(key)?, self.next_nonce(key)?);
        let recipient = self.try_canonical(recipient)?;
        *self.signed.entry(from).or_default() += 1;
        Ok(self
            .node
            .sign_withdrawal(key, from, recipient, amount, nonce))
    }

    /// A signed L2 transfer for this rollup (index and nonce given by the caller; see
    /// [`Suite::signed_transfer`]).
    pub fn transfer(&self, key: &L2Key, from: u32, to: u32, amount: u128, nonce: u64) -> SignedTx {
        self.node.sign_transfer(key, from, to, amount, nonce)
    }

    /// A signed L2 withdrawal to an L1 address (index and nonce given by the caller;
    /// see [`Suite::signed_withdrawal`]).
    pub fn withdrawal(
        &self,
        key: &L2Key,
        from: u32,
        recipient: &Addr,
        amount: u128,
        nonce: u64,
    ) -> SignedTx {
        let recipient = self.canonical(recipient);
        self.node
            .sign_withdrawal(key, from, recipient, amount, nonce)
    }

    /// The node syncs, applies `data` (after every pending deposit) and `proposer` posts
    /// it. If the chain refuses, the node is left as it was.
    pub fn propose(&mut self, proposer: &Addr, data: Vec<u8>) -> StdResult<Proposal> {
        self.propose_built(proposer, |node| node.propose(&NativeVerifier, data))
    }

    /// As [`Suite::propose`], consuming exactly `deposits_consumed` pending deposits
    /// (fewer than all, or than the per-batch limit, is refused once the first left
    /// queued is overdue).
    pub fn propose_consuming(
        &mut self,
        proposer: &Addr,
        data: Vec<u8>,
        deposits_consumed: u64,
    ) -> StdResult<Proposal> {
        self.propose_built(proposer, |node| {
            node.propose_with(&NativeVerifier, data, deposits_consumed)
        })
    }

    /// Proposes a batch of these transactions (after every pending deposit).
    pub fn propose_txs(&mut self, proposer: &Addr, txs: &[SignedTx]) -> StdResult<Proposal> {
        self.propose(proposer, settle_core::batch::encode_batch(txs))
    }

    fn propose_built(
        &mut self,
        proposer: &Addr,
        build: impl FnOnce(&mut Node) -> Result<Proposal, settle_core::Error>,
    ) -> StdResult<Proposal> {
        self.sync()?;
        let before = self.node.clone();
        let proposal = build(&mut self.node).map_err(StdError::msg)?;
        let res = self.propose_raw(
            proposer,
            proposal.data.clone(),
            proposal.deposits_consumed,
            proposal.output_root.to_vec(),
        );
        if let Err(e) = res {
            self.node = before;
            return Err(e);
        }
        self.record_claim(proposal.index, None);
        self.signed.clear();
        Ok(proposal)
    }

    /// Posts exactly these fields, bypassing the node (for adversarial tests).
    pub fn propose_raw(
        &mut self,
        proposer: &Addr,
        data: Vec<u8>,
        deposits_consumed: u64,
        output_root: Vec<u8>,
    ) -> StdResult<AppResponse> {
        self.execute(
            proposer,
            &ExecuteMsg::ProposeBatch {
                data: Binary::new(data),
                deposits_consumed,
                output_root: Binary::from(output_root),
            },
            &[],
        )
    }

    /// Moves the chain's clock forward (a block every `block_seconds`).
    pub fn advance(&mut self, seconds: u64) {
        advance(&mut self.app, seconds, self.block_seconds);
    }

    /// Moves the clock past the challenge window of anything proposed so far.
    pub fn a_challenge_window_passes(&mut self) {
        self.advance(self.challenge_window);
    }

    /// Anyone finalizes batch `index`.
    pub fn finalize(&mut self, index: u64) -> StdResult<AppResponse> {
        let anyone = self.addr("anyone");
        self.execute(&anyone, &ExecuteMsg::Finalize { batch: index }, &[])
    }

    /// The node's proof for withdrawal `index` of `batch` (panics if the node has no
    /// such withdrawal; see [`Suite::try_withdrawal_proof`]).
    pub fn withdrawal_proof(&self, batch: u64, index: u32) -> WithdrawalProof {
        self.try_withdrawal_proof(batch, index)
            .expect("the node knows this withdrawal")
    }

    /// The node's proof for withdrawal `index` of `batch`.
    pub fn try_withdrawal_proof(&self, batch: u64, index: u32) -> StdResult<WithdrawalProof> {
        self.node
            .withdrawal_proof(batch, index)
            .map_err(|e| StdError::msg(format!("withdrawal {index} of batch {batch}: {e}")))
    }

    /// The `Withdraw` message for a proof (panics if its recipient is not an address on
    /// this chain; see [`Suite::try_withdraw_msg`]).
    pub fn withdraw_msg(&self, p: &WithdrawalProof) -> ExecuteMsg {
        self.try_withdraw_msg(p).expect("canonical address")
    }

    /// The `Withdraw` message for a proof.
    pub fn try_withdraw_msg(&self, p: &WithdrawalProof) -> StdResult<ExecuteMsg> {
        let recipient = self.app.addr_humanize(&p.recipient.clone().into())?;
        Ok(ExecuteMsg::withdraw_of(p, recipient))
    }

    /// Claims withdrawal `index` of `batch` with the node's proof, sent by `sender`; an
    /// error if the node has no such withdrawal.
    pub fn withdraw(&mut self, sender: &Addr, batch: u64, index: u32) -> StdResult<AppResponse> {
        let msg = self.try_withdraw_msg(&self.try_withdrawal_proof(batch, index)?)?;
        self.execute(sender, &msg, &[])
    }

    /// A smart query of the rollup.
    pub fn query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.query_smart(&self.rollup, msg)
    }

    /// A smart query of the rollup, for the helpers that panic (each has a `try_` form).
    pub(crate) fn query_or_panic<T: DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.query(msg)
            .unwrap_or_else(|e| panic!("query {msg:?}: {e}"))
    }

    /// The contract's parameters.
    pub fn try_config(&self) -> StdResult<ConfigResponse> {
        self.query(&QueryMsg::Config {})
    }

    /// The contract's parameters (panics; see [`Suite::try_config`]).
    pub fn config(&self) -> ConfigResponse {
        self.query_or_panic(&QueryMsg::Config {})
    }

    /// Counters, queue and liabilities.
    pub fn try_status(&self) -> StdResult<StatusResponse> {
        self.query(&QueryMsg::Status {})
    }

    /// Counters, queue and liabilities (panics; see [`Suite::try_status`]).
    pub fn status(&self) -> StatusResponse {
        self.query_or_panic(&QueryMsg::Status {})
    }

    /// Batch `index` as the contract records it.
    pub fn try_batch(&self, index: u64) -> StdResult<BatchResponse> {
        self.query(&QueryMsg::Batch { batch: index })
    }

    /// Batch `index` (panics if there is none; see [`Suite::try_batch`]).
    pub fn batch(&self, index: u64) -> BatchResponse {
        self.query_or_panic(&QueryMsg::Batch { batch: index })
    }

    /// A proposer's bond and state.
    pub fn try_proposer_info(&self, address: &Addr) -> StdResult<ProposerResponse> {
        self.query(&QueryMsg::Proposer {
            address: address.to_string(),
        })
    }

    /// A proposer's bond and state (panics; see [`Suite::try_proposer_info`]).
    pub fn proposer_info(&self, address: &Addr) -> ProposerResponse {
        self.try_proposer_info(address).expect("proposer")
    }

    /// What the contract holds against what it owes, per denom.
    pub fn try_solvency(&self) -> StdResult<SolvencyResponse> {
        self.query(&QueryMsg::Solvency {})
    }

    /// What the contract holds against what it owes (panics; see [`Suite::try_solvency`]).
    pub fn solvency(&self) -> SolvencyResponse {
        self.query_or_panic(&QueryMsg::Solvency {})
    }

    /// Whether withdrawal `index` of `batch` can be paid.
    pub fn try_withdrawal_status(&self, batch: u64, index: u32) -> StdResult<WithdrawalStatus> {
        let r: WithdrawalStatusResponse =
            self.query(&QueryMsg::WithdrawalStatus { batch, index })?;
        Ok(r.status)
    }

    /// Whether withdrawal `index` of `batch` can be paid (panics; see
    /// [`Suite::try_withdrawal_status`]).
    pub fn withdrawal_status(&self, batch: u64, index: u32) -> WithdrawalStatus {
        self.try_withdrawal_status(batch, index)
            .expect("withdrawal status")
    }

    /// The admin proposes a config change (omitted fields stay as they are).
    pub fn propose_config(&mut self, change: ConfigChange) -> StdResult<AppResponse> {
        let admin = self.admin.clone();
        self.execute(&admin, &change.msg(), &[])
    }

    /// The pending config change, if any.
    pub fn try_pending_config(&self) -> StdResult<Option<PendingConfig>> {
        let r: PendingConfigResponse = self.query(&QueryMsg::PendingConfig {})?;
        Ok(r.pending)
    }

    /// The pending config change, if any (panics; see [`Suite::try_pending_config`]).
    pub fn pending_config(&self) -> Option<PendingConfig> {
        self.try_pending_config().expect("pending config")
    }

    /// Waits out the pending change's timelock and applies it (sent by `anyone`); the
    /// suite's `a_challenge_window_passes` then follows the new window.
    pub fn config_change_applies(&mut self) -> StdResult<AppResponse> {
        let pending = self
            .try_pending_config()?
            .ok_or_else(|| StdError::msg("no config change is pending"))?;
        let now = self.app.block_info().time.seconds();
        if pending.applies_at > now {
            self.advance(pending.applies_at - now);
        }
        let anyone = self.addr("anyone");
        let res = self.execute(&anyone, &ExecuteMsg::ApplyConfig {}, &[])?;
        self.challenge_window = self.try_config()?.challenge_window;
        Ok(res)
    }

    /// The admin's named successor, if any.
    pub fn try_pending_admin(&self) -> StdResult<PendingAdminResponse> {
        self.query(&QueryMsg::PendingAdmin {})
    }

    /// The admin's named successor (panics; see [`Suite::try_pending_admin`]).
    pub fn pending_admin(&self) -> PendingAdminResponse {
        self.query_or_panic(&QueryMsg::PendingAdmin {})
    }

    /// What `owner` can withdraw with `claim`.
    pub fn try_credit(&self, owner: &Addr) -> StdResult<u128> {
        let r: CreditResponse = self.query(&QueryMsg::Credit {
            address: owner.to_string(),
        })?;
        Ok(r.amount.u128())
    }

    /// What `owner` can withdraw with `claim` (panics; see [`Suite::try_credit`]).
    pub fn credit(&self, owner: &Addr) -> u128 {
        self.try_credit(owner).expect("credit")
    }

    /// `owner` withdraws its credit.
    pub fn claim(&mut self, owner: &Addr) -> StdResult<AppResponse> {
        self.execute(owner, &ExecuteMsg::Claim {}, &[])
    }

    /// Panics unless every denom reconciles to the last unit: bank balance equals
    /// outstanding deposits plus bonds, with no surplus and no deficit.
    pub fn assert_reconciles(&self) {
        let s = self.solvency();
        assert!(s.solvent, "insolvent: {s:?}");
        for d in &s.denoms {
            assert_eq!(d.held, d.owed, "{} does not reconcile: {s:?}", d.denom);
        }
    }
}

/// Deposits asked for per `deposits` query (the contract's page limit).
const DEPOSIT_PAGE: u32 = 30;

/// A config change for [`Suite::propose_config`]: `None` keeps the value in force.
#[derive(Debug, Clone, Default)]
pub struct ConfigChange {
    /// The bond a proposer must post.
    pub proposer_bond: Option<u128>,
    /// Seconds a batch stays open to challenges.
    pub challenge_window: Option<u64>,
    /// Seconds after which a queued deposit must be consumed.
    pub force_inclusion_delay: Option<u64>,
    /// The largest batch data accepted.
    pub max_batch_bytes: Option<u32>,
    /// Game parameters.
    pub dispute: Option<DisputeParams>,
}

impl ConfigChange {
    /// The `propose_config` message.
    pub fn msg(&self) -> ExecuteMsg {
        ExecuteMsg::ProposeConfig {
            proposer_bond: self.proposer_bond.map(Uint128::new),
            challenge_window: self.challenge_window,
            force_inclusion_seconds: self.force_inclusion_delay,
            max_batch_bytes: self.max_batch_bytes,
            dispute: self.dispute.clone(),
        }
    }
}
