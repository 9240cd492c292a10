//! A [`ChannelSuite`]: the payment-channels contract deployed on a cw-multi-test `App`
//! with real bank balances, and helpers that sign states with settle-core, so a channel
//! test reads like the story it checks.

use cosmwasm_std::{Addr, Binary, Coin, StdResult, Uint128};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};

use payment_channels::msg::{
    ChannelResponse, CloseCheckResponse, ConfigResponse, ExecuteMsg, InstantiateMsg, QueryMsg,
    Revocation, SignedState, SolvencyResponse,
};
use settle_core::channel::{
    join_hash, revocation_hash, watchtower_hash, ChannelDomain, ChannelState,
};
use settle_core::crypto::L2Key;

/// Denom channels are funded in by default.
pub const CHANNEL_DENOM: &str = "uusd";
/// Join window [`ChannelSuite::open_channel`] gives the counterparty (one hour).
pub const JOIN_WINDOW: u64 = 3_600;

/// Builds a [`ChannelSuite`].
#[derive(Debug, Clone)]
pub struct ChannelSuiteBuilder {
    penalty_share_bps: Option<u16>,
    watchtower_fee_bps: u16,
    max_dispute_window: u64,
    funds: Vec<(String, u128)>,
}

impl Default for ChannelSuiteBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ChannelSuiteBuilder {
    /// Defaults: a stale closer forfeits everything, a watchtower earns 10% of the
    /// forfeit, dispute windows up to a day; nobody funded.
    pub fn new() -> Self {
        ChannelSuiteBuilder {
            penalty_share_bps: None,
            watchtower_fee_bps: 1_000,
            max_dispute_window: 86_400,
            funds: vec![],
        }
    }

    pub fn with_penalty_share(mut self, bps: u16) -> Self {
        self.penalty_share_bps = Some(bps);
        self
    }

    pub fn with_watchtower_fee(mut self, bps: u16) -> Self {
        self.watchtower_fee_bps = bps;
        self
    }

    pub fn with_max_dispute_window(mut self, seconds: u64) -> Self {
        self.max_dispute_window = seconds;
        self
    }

    /// Gives `label` `amount` of [`CHANNEL_DENOM`] at genesis.
    pub fn with_funds(mut self, label: &str, amount: u128) -> Self {
        self.funds.push((label.to_string(), amount));
        self
    }

    pub fn build(self) -> ChannelSuite {
        let funds = self.funds.clone();
        let mut app = App::new(|router, api, storage| {
            for (label, amount) in &funds {
                router
                    .bank
                    .init_balance(
                        storage,
                        &api.addr_make(label),
                        vec![Coin::new(*amount, CHANNEL_DENOM)],
                    )
                    .expect("genesis balances");
            }
        });
        let code = app.store_code(Box::new(
            ContractWrapper::new(
                payment_channels::contract::execute,
                payment_channels::contract::instantiate,
                payment_channels::contract::query,
            )
            .with_migrate(payment_channels::contract::migrate),
        ));
        let admin = app.api().addr_make("admin");
        let contract = app
            .instantiate_contract(
                code,
                admin,
                &InstantiateMsg {
                    penalty_share_bps: self.penalty_share_bps,
                    watchtower_fee_bps: self.watchtower_fee_bps,
                    max_dispute_window: self.max_dispute_window,
                },
                &[],
                "payment-channels",
                None,
            )
            .expect("instantiate payment-channels");
        let config: ConfigResponse = app
            .wrap()
            .query_wasm_smart(&contract, &QueryMsg::Config {})
            .expect("config");
        ChannelSuite {
            app,
            contract,
            domain: ChannelDomain(config.domain.as_slice().try_into().expect("32 bytes")),
        }
    }
}

/// The payment-channels contract on an embedded chain.
pub struct ChannelSuite {
    pub app: App,
    pub contract: Addr,
    /// What channel states are signed for on this deployment.
    pub domain: ChannelDomain,
}

impl ChannelSuite {
    pub fn addr(&self, label: &str) -> Addr {
        self.app.api().addr_make(label)
    }

    pub fn balance(&self, who: &Addr) -> u128 {
        let amount = self
            .app
            .wrap()
            .query_balance(who.as_str(), CHANNEL_DENOM)
            .expect("balance")
            .amount;
        Uint128::try_from(amount).expect("fits u128").u128()
    }

    /// Sends `msg` from `sender` with `amount` of [`CHANNEL_DENOM`] (none if 0).
    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        amount: u128,
    ) -> StdResult<AppResponse> {
        let funds = if amount > 0 {
            vec![Coin::new(amount, CHANNEL_DENOM)]
        } else {
            vec![]
        };
        self.app
            .execute_contract(sender.clone(), self.contract.clone(), msg, &funds)
    }

    /// `a` proposes a channel to `b` with `amount` (b has `join_window` seconds to join);
    /// returns its id.
    pub fn propose(
        &mut self,
        a: &Addr,
        b: &Addr,
        keys: [&L2Key; 2],
        amount: u128,
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
        let res = self.execute(a, &msg, amount)?;
        crate::dispute::event_attr_of(&res, payment_channels::contract::EVENT, "open", "channel")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| cosmwasm_std::StdError::msg("no channel id in the open event"))
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
        self.execute(b, &ExecuteMsg::Join { channel, signature }, amount)
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
            0,
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

    pub fn channel(&self, id: u64) -> ChannelResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.contract, &QueryMsg::Channel { channel: id })
            .expect("channel")
    }

    /// Dry-runs a close (or a dispute with a newer state only) by `sender`.
    pub fn check_close(
        &self,
        channel: u64,
        sender: &Addr,
        signed: &SignedState,
    ) -> CloseCheckResponse {
        self.check_dispute(channel, sender, Some(signed.clone()), None, None)
    }

    /// Dry-runs a dispute by `sender` (the arguments of [`ChannelSuite::dispute`]).
    pub fn check_dispute(
        &self,
        channel: u64,
        sender: &Addr,
        signed: Option<SignedState>,
        revocation: Option<Revocation>,
        authorisation: Option<Binary>,
    ) -> CloseCheckResponse {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.contract,
                &QueryMsg::CheckClose {
                    channel,
                    sender: sender.to_string(),
                    signed,
                    revocation,
                    authorisation,
                },
            )
            .expect("check_close")
    }

    pub fn solvency(&self) -> SolvencyResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.contract, &QueryMsg::Solvency {})
            .expect("solvency")
    }

    /// Panics unless the contract holds exactly the funds of its channels, per denom.
    pub fn assert_reconciles(&self) {
        let s = self.solvency();
        assert!(s.solvent, "insolvent: {s:?}");
        for d in &s.denoms {
            assert_eq!(d.held, d.owed, "{} does not reconcile: {s:?}", d.denom);
        }
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds.div_ceil(5);
        });
    }

    /// Block time in seconds.
    pub fn now(&self) -> u64 {
        self.app.block_info().time.seconds()
    }
}
