//! A [`ChannelSuite`]: the payment-channels contract deployed on a cw-multi-test `App`
//! with real bank balances, and helpers that sign states with settle-core, so a channel
//! test reads like the story it checks.

use cosmwasm_std::{Addr, Binary, Coin, CustomMsg, CustomQuery, StdError, StdResult};
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper};
use serde::de::DeserializeOwned;

use payment_channels::msg::{
    ChannelResponse, CloseCheckResponse, ConfigResponse, ExecuteMsg, InstantiateMsg, QueryMsg,
    Revocation, SignedState, SolvencyResponse,
};
use settle_core::channel::{
    join_hash, revocation_hash, watchtower_hash, ChannelDomain, ChannelState,
};
use settle_core::crypto::L2Key;

use crate::app::{advance, SuiteApp};
use crate::suite::BLOCK_SECONDS;

/// Denom channels are funded in by default.
pub const CHANNEL_DENOM: &str = "uusd";
/// Join window [`ChannelSuite::open_channel`] gives the counterparty (one hour).
pub const JOIN_WINDOW: u64 = 3_600;

/// The payment-channels contract for cw-multi-test (with `migrate`), on a chain of any
/// custom message and query type.
pub fn contract_payment_channels<C, Q>() -> Box<dyn Contract<C, Q>>
where
    C: CustomMsg + DeserializeOwned + 'static,
    Q: CustomQuery + DeserializeOwned + 'static,
{
    Box::new(
        ContractWrapper::<_, _, _, _, _, _, C, Q>::new_with_empty(
            payment_channels::contract::execute,
            payment_channels::contract::instantiate,
            payment_channels::contract::query,
        )
        .with_migrate_empty(payment_channels::contract::migrate),
    )
}

/// Stores the payment-channels code on `app` and instantiates it from `sender` with
/// `msg` (`sender` is also the chain-level admin that may migrate it); returns its
/// address.
pub fn instantiate_payment_channels<A: SuiteApp>(
    app: &mut A,
    sender: &Addr,
    msg: &InstantiateMsg,
    label: &str,
) -> StdResult<Addr> {
    app.deploy(contract_payment_channels(), sender, msg, label)
}

/// Builds a [`ChannelSuite`].
#[derive(Debug, Clone)]
pub struct ChannelSuiteBuilder {
    penalty_share_bps: Option<u16>,
    watchtower_fee_bps: u16,
    max_dispute_window: u64,
    denom: String,
    block_seconds: u64,
    label: String,
    /// `(label, amount, denom)`; `None`: the suite's denom.
    funds: Vec<(String, u128, Option<String>)>,
}

impl Default for ChannelSuiteBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ChannelSuiteBuilder {
    /// Defaults: channels in [`CHANNEL_DENOM`], a stale closer forfeits everything, a
    /// watchtower earns 10% of the forfeit, dispute windows up to a day, 5-second
    /// blocks; nobody funded.
    pub fn new() -> Self {
        ChannelSuiteBuilder {
            penalty_share_bps: None,
            watchtower_fee_bps: 1_000,
            max_dispute_window: 86_400,
            denom: CHANNEL_DENOM.to_string(),
            block_seconds: BLOCK_SECONDS,
            label: "payment-channels".to_string(),
            funds: vec![],
        }
    }

    /// The share of a stale closer's funds it keeps, in basis points.
    pub fn with_penalty_share(mut self, bps: u16) -> Self {
        self.penalty_share_bps = Some(bps);
        self
    }

    /// A watchtower's share of a forfeit, in basis points.
    pub fn with_watchtower_fee(mut self, bps: u16) -> Self {
        self.watchtower_fee_bps = bps;
        self
    }

    /// The longest dispute window a channel may ask for.
    pub fn with_max_dispute_window(mut self, seconds: u64) -> Self {
        self.max_dispute_window = seconds;
        self
    }

    /// The denom the suite funds channels in by default (the contract takes any).
    pub fn with_denom(mut self, denom: &str) -> Self {
        self.denom = denom.to_string();
        self
    }

    /// Seconds per block when the suite moves the clock (default 5).
    pub fn with_block_time(mut self, seconds: u64) -> Self {
        self.block_seconds = seconds.max(1);
        self
    }

    /// The contract's label (default `payment-channels`).
    pub fn with_label(mut self, label: &str) -> Self {
        self.label = label.to_string();
        self
    }

    /// Gives `label` `amount` of the suite's denom at genesis.
    pub fn with_funds(mut self, label: &str, amount: u128) -> Self {
        self.funds.push((label.to_string(), amount, None));
        self
    }

    /// Gives `label` `amount` of `denom` at genesis (channels in several denoms).
    pub fn with_funds_in(mut self, label: &str, amount: u128, denom: &str) -> Self {
        self.funds
            .push((label.to_string(), amount, Some(denom.to_string())));
        self
    }

    /// The message the builder instantiates the contract with.
    pub fn instantiate_msg(&self) -> InstantiateMsg {
        InstantiateMsg {
            penalty_share_bps: self.penalty_share_bps,
            watchtower_fee_bps: self.watchtower_fee_bps,
            max_dispute_window: self.max_dispute_window,
        }
    }

    /// Deploys on a fresh `App` (address prefix `cosmwasm`); panics if the contract
    /// refuses the builder's parameters (see [`ChannelSuiteBuilder::build_on`]).
    pub fn build(self) -> ChannelSuite {
        self.build_on(App::default())
            .unwrap_or_else(|e| panic!("instantiate payment-channels: {e}"))
    }

    /// Deploys on `app`, the integrator's chain (any `MockApi` prefix, custom modules, a
    /// [`crate::Shared`] app used by other suites too): mints the genesis funds, stores
    /// the code and instantiates it from `admin`.
    pub fn build_on<A: SuiteApp>(self, mut app: A) -> StdResult<ChannelSuite<A>> {
        for (label, amount, denom) in &self.funds {
            let addr = app.addr_make(label);
            let denom = denom.as_deref().unwrap_or(&self.denom);
            app.mint(&addr, &[Coin::new(*amount, denom)])?;
        }
        let admin = app.addr_make("admin");
        let contract =
            instantiate_payment_channels(&mut app, &admin, &self.instantiate_msg(), &self.label)?;
        let mut suite = ChannelSuite::attach(app, contract)?;
        suite.denom = self.denom;
        suite.block_seconds = self.block_seconds;
        Ok(suite)
    }
}

/// The payment-channels contract on a chain, with helpers that sign for the parties.
///
/// Every field is public: a suite can be assembled by hand ([`ChannelSuite::attach`]
/// reads the domain from the contract).
pub struct ChannelSuite<A = App> {
    /// The chain (the suite's own `App`, or the integrator's).
    pub app: A,
    /// The contract's address.
    pub contract: Addr,
    /// What channel states are signed for on this deployment.
    pub domain: ChannelDomain,
    /// The denom the helpers fund channels in.
    pub denom: String,
    /// Seconds per block when the suite moves the clock.
    pub block_seconds: u64,
}

impl<A: SuiteApp> ChannelSuite<A> {
    /// A suite around the payment-channels contract at `contract` on `app` (channels in
    /// [`CHANNEL_DENOM`] until `denom` is set). Fails if the contract does not answer as
    /// payment channels.
    pub fn attach(app: A, contract: Addr) -> StdResult<ChannelSuite<A>> {
        let config: ConfigResponse = app.query_smart(&contract, &QueryMsg::Config {})?;
        let domain = ChannelDomain(
            config
                .domain
                .as_slice()
                .try_into()
                .map_err(|_| StdError::msg("the contract's domain is not 32 bytes"))?,
        );
        Ok(ChannelSuite {
            app,
            contract,
            domain,
            denom: CHANNEL_DENOM.to_string(),
            block_seconds: BLOCK_SECONDS,
        })
    }

    /// The chain address of a label (`addr_make`, under the chain's prefix).
    pub fn addr(&self, label: &str) -> Addr {
        self.app.addr_make(label)
    }

    /// The bank balance of `addr` in `denom` (panics if the bank cannot answer; see
    /// [`ChannelSuite::try_balance`]).
    pub fn balance(&self, addr: &Addr, denom: &str) -> u128 {
        self.try_balance(addr, denom).expect("balance")
    }

    /// The bank balance of `addr` in `denom`.
    pub fn try_balance(&self, addr: &Addr, denom: &str) -> StdResult<u128> {
        self.app.balance_u128(addr, denom)
    }

    /// The bank balance of `addr` in the suite's denom.
    pub fn balance_of(&self, addr: &Addr) -> u128 {
        self.balance(addr, &self.denom.clone())
    }

    /// `amount` of the suite's denom as funds to attach (none if 0).
    pub fn coins(&self, amount: u128) -> Vec<Coin> {
        crate::app::coins(amount, &self.denom)
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

    /// A smart query of the contract.
    pub fn query<T: DeserializeOwned>(&self, msg: &QueryMsg) -> StdResult<T> {
        self.app.query_smart(&self.contract, msg)
    }

    /// `a` proposes a channel to `b` with `amount` of the suite's denom (b has
    /// `join_window` seconds to join); returns its id.
    pub fn propose(
        &mut self,
        a: &Addr,
        b: &Addr,
        keys: [&L2Key; 2],
        amount: u128,
        dispute_window: u64,
        join_window: u64,
    ) -> StdResult<u64> {
        let funds = self.coins(amount);
        self.propose_funded(a, b, keys, &funds, dispute_window, join_window)
    }

    /// `a` proposes a channel to `b` funded with `funds` (one coin: its denom is the
    /// channel's); returns its id.
    pub fn propose_funded(
        &mut self,
        a: &Addr,
        b: &Addr,
        keys: [&L2Key; 2],
        funds: &[Coin],
        dispute_window: u64,
        join_window: u64,
    ) -> StdResult<u64> {
        let msg = ExecuteMsg::Open {
            counterparty: b.to_string(),
            pubkey_a: Binary::from(keys[0].public_key().as_slice()),
            pubkey_b: Binary::from(keys[1].public_key().as_slice()),
            dispute_window,
            join_window,
        };
        let res = self.execute(a, &msg, funds)?;
        crate::app::event_attr_of(&res, payment_channels::contract::EVENT, "open", "channel")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| StdError::msg("no channel id in the open event"))
    }

    /// `key_b`'s signature joining `channel` from address `b`, with keys `keys` (what
    /// `join` carries).
    pub fn join_signature(&self, channel: u64, b: &Addr, keys: [&L2Key; 2]) -> Binary {
        let (pa, pb) = (keys[0].public_key(), keys[1].public_key());
        let h = join_hash(&self.domain, channel, b.as_str(), [&pa, &pb]);
        Binary::from(keys[1].sign_prehash(&h).as_slice())
    }

    /// `b` joins `channel` (keys `keys`, b's is `keys[1]`), adding `amount`.
    pub fn join(
        &mut self,
        b: &Addr,
        channel: u64,
        keys: [&L2Key; 2],
        amount: u128,
    ) -> StdResult<AppResponse> {
        let signature = self.join_signature(channel, b, keys);
        let funds = self.coins(amount);
        self.execute(b, &ExecuteMsg::Join { channel, signature }, &funds)
    }

    /// `a` opens a channel to `b` with `amount` and `b` joins at once (adding nothing);
    /// returns its id.
    pub fn open_channel(
        &mut self,
        a: &Addr,
        b: &Addr,
        keys: [&L2Key; 2],
        amount: u128,
        dispute_window: u64,
    ) -> StdResult<u64> {
        let id = self.propose(a, b, keys, amount, dispute_window, JOIN_WINDOW)?;
        self.join(b, id, keys, 0)?;
        Ok(id)
    }

    /// As [`ChannelSuite::open_channel`], funded with `coin` (any denom).
    pub fn open_channel_in(
        &mut self,
        a: &Addr,
        b: &Addr,
        keys: [&L2Key; 2],
        coin: Coin,
        dispute_window: u64,
    ) -> StdResult<u64> {
        let id = self.propose_funded(a, b, keys, &[coin], dispute_window, JOIN_WINDOW)?;
        self.join(b, id, keys, 0)?;
        Ok(id)
    }

    /// `key`'s revocation of every state of `channel` up to `version` (a party gives it
    /// once it holds `version + 1` with both signatures).
    pub fn revoke(&self, key: &L2Key, channel: u64, version: u64) -> Revocation {
        let h = revocation_hash(&self.domain, channel, version);
        Revocation {
            version,
            signature: Binary::from(key.sign_prehash(&h).as_slice()),
        }
    }

    /// `key`'s authorisation of `watchtower` to prove a stale close of `channel` for it.
    pub fn authorise(&self, key: &L2Key, channel: u64, watchtower: &Addr) -> Binary {
        let h = watchtower_hash(&self.domain, channel, watchtower.as_str());
        Binary::from(key.sign_prehash(&h).as_slice())
    }

    /// `sender` disputes `channel` with a newer state, a revocation and an authorisation
    /// (each optional).
    pub fn dispute(
        &mut self,
        sender: &Addr,
        channel: u64,
        signed: Option<SignedState>,
        revocation: Option<Revocation>,
        authorisation: Option<Binary>,
    ) -> StdResult<AppResponse> {
        self.execute(
            sender,
            &ExecuteMsg::Dispute {
                channel,
                signed,
                revocation,
                authorisation,
            },
            &[],
        )
    }

    /// `state` with both parties' signatures for this deployment.
    pub fn sign(&self, state: &ChannelState, keys: [&L2Key; 2]) -> SignedState {
        let h = state.signing_hash(&self.domain);
        SignedState {
            state: Binary::new(state.encode()),
            signature_a: Binary::from(keys[0].sign_prehash(&h).as_slice()),
            signature_b: Binary::from(keys[1].sign_prehash(&h).as_slice()),
        }
    }

    /// Channel `id`.
    pub fn try_channel(&self, id: u64) -> StdResult<ChannelResponse> {
        self.query(&QueryMsg::Channel { channel: id })
    }

    /// Channel `id` (panics if there is none; see [`ChannelSuite::try_channel`]).
    pub fn channel(&self, id: u64) -> ChannelResponse {
        self.try_channel(id).expect("channel")
    }

    /// Dry-runs a close (or a dispute with a newer state only) by `sender` (panics if the
    /// query fails; see [`ChannelSuite::try_check_dispute`]).
    pub fn check_close(
        &self,
        channel: u64,
        sender: &Addr,
        signed: &SignedState,
    ) -> CloseCheckResponse {
        self.check_dispute(channel, sender, Some(signed.clone()), None, None)
    }

    /// Dry-runs a dispute by `sender` (the arguments of [`ChannelSuite::dispute`]; panics
    /// if the query fails, see [`ChannelSuite::try_check_dispute`]).
    pub fn check_dispute(
        &self,
        channel: u64,
        sender: &Addr,
        signed: Option<SignedState>,
        revocation: Option<Revocation>,
        authorisation: Option<Binary>,
    ) -> CloseCheckResponse {
        self.try_check_dispute(channel, sender, signed, revocation, authorisation)
            .expect("check_close")
    }

    /// Dry-runs a dispute by `sender` (the arguments of [`ChannelSuite::dispute`]).
    pub fn try_check_dispute(
        &self,
        channel: u64,
        sender: &Addr,
        signed: Option<SignedState>,
        revocation: Option<Revocation>,
        authorisation: Option<Binary>,
    ) -> StdResult<CloseCheckResponse> {
        self.query(&QueryMsg::CheckClose {
            channel,
            sender: sender.to_string(),
            signed,
            revocation,
            authorisation,
        })
    }

    /// What the contract holds against what it owes, per denom.
    pub fn try_solvency(&self) -> StdResult<SolvencyResponse> {
        self.query(&QueryMsg::Solvency {})
    }

    /// What the contract holds against what it owes (panics; see
    /// [`ChannelSuite::try_solvency`]).
    pub fn solvency(&self) -> SolvencyResponse {
        self.try_solvency().expect("solvency")
    }

    /// Panics unless the contract holds exactly the funds of its channels, per denom.
    pub fn assert_reconciles(&self) {
        let s = self.solvency();
        assert!(s.solvent, "insolvent: {s:?}");
        for d in &s.denoms {
            assert_eq!(d.held, d.owed, "{} does not reconcile: {s:?}", d.denom);
        }
    }

    /// Moves the chain's clock forward (a block every `block_seconds`).
    pub fn advance(&mut self, seconds: u64) {
        advance(&mut self.app, seconds, self.block_seconds);
    }

    /// Block time in seconds.
    pub fn now(&self) -> u64 {
        self.app.block_info().time.seconds()
    }
}
