//! A [`ChannelSuite`]: the payment-channels contract deployed on a cw-multi-test `App`
//! with real bank balances, and helpers that sign states with settle-core, so a channel
//! test reads like the story it checks.

use cosmwasm_std::{Addr, Binary, Coin, HexBinary, StdResult, Uint128};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};

use payment_channels::msg::{
    ChannelResponse, CloseCheckResponse, ConfigResponse, ExecuteMsg, InstantiateMsg, QueryMsg,
    SignedState, SolvencyResponse,
};
use settle_core::channel::{ChannelDomain, ChannelState};
use settle_core::crypto::L2Key;

/// Denom channels are funded in by default.
pub const CHANNEL_DENOM: &str = "uusd";

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

    /// `a` opens a channel to `b` with `amount`; returns its id.
    pub fn open(
        &mut self,
        a: &Addr,
        b: &Addr,
        keys: [&L2Key; 2],
        amount: u128,
        dispute_window: u64,
    ) -> StdResult<u64> {
        let msg = ExecuteMsg::Open {
            counterparty: b.to_string(),
            pubkey_a: HexBinary::from(keys[0].public_key().as_slice()),
            pubkey_b: HexBinary::from(keys[1].public_key().as_slice()),
            dispute_window,
        };
        let res = self.execute(a, &msg, amount)?;
        crate::dispute::event_attr_of(&res, payment_channels::contract::EVENT, "open", "channel")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| cosmwasm_std::StdError::msg("no channel id in the open event"))
    }

    /// `state` with both parties' signatures for this deployment.
    pub fn sign(&self, state: &ChannelState, keys: [&L2Key; 2]) -> SignedState {
        let h = state.signing_hash(&self.domain);
        SignedState {
            state: Binary::new(state.encode()),
            signature_a: HexBinary::from(keys[0].sign_prehash(&h).as_slice()),
            signature_b: HexBinary::from(keys[1].sign_prehash(&h).as_slice()),
        }
    }

    pub fn channel(&self, id: u64) -> ChannelResponse {
        self.app
            .wrap()
            .query_wasm_smart(&self.contract, &QueryMsg::Channel { id })
            .expect("channel")
    }

    /// Dry-runs a close or dispute by `sender`.
    pub fn check_close(
        &self,
        channel: u64,
        sender: &Addr,
        signed: &SignedState,
    ) -> CloseCheckResponse {
        self.app
            .wrap()
            .query_wasm_smart(
                &self.contract,
                &QueryMsg::CheckClose {
                    channel,
                    sender: sender.to_string(),
                    signed: signed.clone(),
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
