use std::fmt::Debug;

use cosmwasm_std::{Addr, Api, Binary, Coin, StdError, StdResult, Uint128};
use cw_multi_test::{App, AppResponse, ContractWrapper, Executor};

use optimistic_rollup::msg::{
    AmountRange, BatchResponse, ConfigBounds, ConfigResponse, CreditResponse, DepositTarget,
    DisputeParams, ExecuteMsg, InstantiateMsg, OutputPreimage, PendingAdminResponse, PendingConfig,
    PendingConfigResponse, ProposerResponse, QueryMsg, Range, SolvencyResponse, StatusResponse,
    WithdrawalStatus, WithdrawalStatusResponse,
};
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_core::ledger::Deposit;
use settle_core::node::{Node, Proposal, WithdrawalProof};
use settle_core::tx::{Domain, SignedTx};

/// Denom of L2 value in the suite.
pub const DENOM: &str = "uusd";
/// Denom of proposer bonds in the suite.
pub const BOND_DENOM: &str = "ustake";

/// Builds a [`Suite`]: chain parameters and genesis balances.
#[derive(Debug, Clone)]
pub struct SuiteBuilder {
    proposer_bond: u128,
    challenge_window: u64,
    force_inclusion_delay: u64,
    max_batch_bytes: u32,
    bond_denom: String,
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
    /// Defaults: bond 1,000 ustake, a one-day window, deposits force-included after an
    /// hour, 128 KiB batches; games with a 500 ustake challenger bond, an hour on each
    /// clock, five minutes' minimum answer time, half of a slashed bond to the winning
    /// challenger and the rest to `treasury`; a funded `proposer`, `challenger` and
    /// `admin`.
    pub fn new() -> Self {
        SuiteBuilder {
            proposer_bond: 1_000,
            challenge_window: 86_400,
            force_inclusion_delay: 3_600,
            max_batch_bytes: 128 * 1024,
            bond_denom: BOND_DENOM.to_string(),
            dispute: DisputeParams {
                challenger_bond: Uint128::new(500),
                clock_seconds: 3_600,
                min_answer_seconds: 300,
                reward_bps: 5_000,
                treasury: String::new(),
            },
            bounds: Some(default_bounds()),
            funds: vec![
                ("proposer".into(), vec![Coin::new(10_000u128, BOND_DENOM)]),
                ("challenger".into(), vec![Coin::new(10_000u128, BOND_DENOM)]),
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

    pub fn with_proposer_bond(mut self, bond: u128) -> Self {
        self.proposer_bond = bond;
        self
    }

    pub fn with_challenge_window(mut self, seconds: u64) -> Self {
        self.challenge_window = seconds;
        self
    }

    pub fn with_force_inclusion_delay(mut self, seconds: u64) -> Self {
        self.force_inclusion_delay = seconds;
        self
    }

    pub fn with_max_batch_bytes(mut self, bytes: u32) -> Self {
        self.max_batch_bytes = bytes;
        self
    }

    /// Bonds in the value denom itself (one balance to reconcile).
    pub fn with_bonds_in_value_denom(mut self) -> Self {
        self.bond_denom = DENOM.to_string();
        self
    }

    /// Gives the account `label` `amount` of the value denom at genesis.
    pub fn with_funds(self, label: &str, amount: u128) -> Self {
        self.with_coins(label, vec![Coin::new(amount, DENOM)])
    }

    /// Gives the account `label` these coins at genesis.
    pub fn with_coins(mut self, label: &str, coins: Vec<Coin>) -> Self {
        match self.funds.iter_mut().find(|(l, _)| l == label) {
            Some((_, c)) => c.extend(coins),
            None => self.funds.push((label.to_string(), coins)),
        }
        self
    }

    pub fn build(self) -> Suite {
        let funds = self.funds.clone();
        let mut app = App::new(|router, api, storage| {
            for (label, coins) in &funds {
                if !coins.is_empty() {
                    router
                        .bank
                        .init_balance(storage, &api.addr_make(label), coins.clone())
                        .expect("genesis balances");
                }
            }
        });
        let code = app.store_code(Box::new(
            ContractWrapper::new(
                optimistic_rollup::contract::execute,
                optimistic_rollup::contract::instantiate,
                optimistic_rollup::contract::query,
            )
            .with_migrate(optimistic_rollup::contract::migrate),
        ));
        let admin = app.api().addr_make("admin");
        let proposer = app.api().addr_make("proposer");
        let mut dispute = self.dispute.clone();
        if dispute.treasury.is_empty() {
            dispute.treasury = app.api().addr_make("treasury").to_string();
        }
        let rollup = app
            .instantiate_contract(
                code,
                admin.clone(),
                &InstantiateMsg {
                    admin: None,
                    denom: DENOM.into(),
                    bond_denom: self.bond_denom.clone(),
                    proposer_bond: Uint128::new(self.proposer_bond),
                    challenge_window: self.challenge_window,
                    force_inclusion_seconds: self.force_inclusion_delay,
                    max_batch_bytes: self.max_batch_bytes,
                    dispute,
                    bounds: self.bounds.clone(),
                },
                &[],
                "optimistic-rollup",
                Some(admin.to_string()),
            )
            .expect("instantiate optimistic-rollup");
        let config: ConfigResponse = app
            .wrap()
            .query_wasm_smart(&rollup, &QueryMsg::Config {})
            .expect("config");
        let domain = Domain(config.domain.as_slice().try_into().expect("32-byte domain"));
        Suite {
            app,
            code,
            rollup,
            admin,
            proposer,
            node: Node::new(domain),
            challenge_window: self.challenge_window,
            bond_denom: self.bond_denom,
            claims: Vec::new(),
        }
    }
}

/// A deployed rollup on an embedded chain, with an operator node mirroring it.
pub struct Suite {
    pub app: App,
    pub code: u64,
    pub rollup: Addr,
    pub admin: Addr,
    /// A funded account (10,000 bond coins) meant to act as proposer; not yet bonded.
    pub proposer: Addr,
    /// The operator's view: ledger, deposit mirror, batches.
    pub node: Node,
    pub challenge_window: u64,
    pub bond_denom: String,
    /// What the proposer claims at every position of each batch it posted through the
    /// suite (the true roots, or a lie); its defence in games.
    pub(crate) claims: Vec<Option<Vec<settle_core::Hash>>>,
}

impl Suite {
    /// The chain address of a label (`addr_make`).
    pub fn addr(&self, label: &str) -> Addr {
        self.app.api().addr_make(label)
    }

    /// Canonical bytes of an address, as L2 withdrawals name it.
    pub fn canonical(&self, addr: &Addr) -> Vec<u8> {
        self.app
            .api()
            .addr_canonicalize(addr.as_str())
            .expect("valid address")
            .to_vec()
    }

    pub fn balance(&self, addr: &Addr, denom: &str) -> u128 {
        let amount = self
            .app
            .wrap()
            .query_balance(addr.as_str(), denom)
            .expect("balance")
            .amount;
        Uint128::try_from(amount).expect("balance fits u128").u128()
    }

    pub fn execute(
        &mut self,
        sender: &Addr,
        msg: &ExecuteMsg,
        funds: &[Coin],
    ) -> StdResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.rollup.clone(), msg, funds)
    }

    pub fn bond(&mut self, who: &Addr, amount: u128) -> StdResult<AppResponse> {
        let coin = Coin::new(amount, self.bond_denom.clone());
        self.execute(who, &ExecuteMsg::Bond {}, &[coin])
    }

    pub fn unbond(&mut self, who: &Addr) -> StdResult<AppResponse> {
        self.execute(who, &ExecuteMsg::Unbond {}, &[])
    }

    /// Bonds the suite's proposer with the required bond.
    pub fn bond_proposer(&mut self) -> StdResult<AppResponse> {
        let required = self.config().proposer_bond.u128();
        let p = self.proposer.clone();
        self.bond(&p, required)
    }

    /// Deposits `amount` and, when the chain accepts it, mirrors it into the node.
    pub fn deposit(&mut self, who: &Addr, to: DepositTarget, amount: u128) -> StdResult<u64> {
        self.deposit_coins(who, to, &[Coin::new(amount, crate::DENOM)])
    }

    /// Deposits arbitrary coins (for testing refusals).
    pub fn deposit_coins(
        &mut self,
        who: &Addr,
        to: DepositTarget,
        coins: &[Coin],
    ) -> StdResult<u64> {
        self.execute(who, &ExecuteMsg::Deposit { target: to.clone() }, coins)?;
        let index = self.status().deposit_count - 1;
        let target = to.target().expect("the contract accepted this target");
        let amount = Uint128::try_from(coins[0].amount)
            .expect("contract checked u128")
            .u128();
        let refund_to = self.canonical(who);
        self.node
            .observe_deposit(Deposit {
                index,
                target,
                amount,
                refund_to,
            })
            .expect("deposits mirrored in order");
        Ok(index)
    }

    /// Opens an L2 account for `key` with a first deposit; returns the deposit index.
    pub fn deposit_new_account(&mut self, who: &Addr, key: &L2Key, amount: u128) -> StdResult<u64> {
        let pubkey = Binary::from(key.public_key().as_slice());
        self.deposit(who, DepositTarget::NewAccount { pubkey }, amount)
    }

    /// A signed L2 transfer for this rollup.
    pub fn transfer(&self, key: &L2Key, from: u32, to: u32, amount: u128, nonce: u64) -> SignedTx {
        self.node.sign_transfer(key, from, to, amount, nonce)
    }

    /// A signed L2 withdrawal to an L1 address.
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

    /// The node applies `data` (after every pending deposit) and `proposer` posts it.
    /// If the chain refuses, the node is left as it was.
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

    fn propose_built(
        &mut self,
        proposer: &Addr,
        build: impl FnOnce(&mut Node) -> Result<Proposal, settle_core::Error>,
    ) -> StdResult<Proposal> {
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

    /// Moves the chain's clock forward (five seconds a block).
    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds.div_ceil(5);
        });
    }

    /// Moves the clock past the challenge window of anything proposed so far.
    pub fn a_challenge_window_passes(&mut self) {
        self.advance(self.challenge_window);
    }

    pub fn finalize(&mut self, index: u64) -> StdResult<AppResponse> {
        let anyone = self.addr("anyone");
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
        let recipient = self
            .app
            .api()
            .addr_humanize(&p.recipient.clone().into())
            .expect("canonical address");
        ExecuteMsg::Withdraw {
            batch: p.batch,
            index: p.index,
            recipient: recipient.to_string(),
            amount: Uint128::new(p.amount),
            output: OutputPreimage {
                state_root: Binary::from(p.state_root.as_slice()),
                withdrawals_root: Binary::from(p.withdrawals_root.as_slice()),
            },
            proof: Binary::new(p.proof.clone()),
        }
    }

    /// Claims withdrawal `index` of `batch` with the node's proof, sent by `sender`.
    pub fn withdraw(&mut self, sender: &Addr, batch: u64, index: u32) -> StdResult<AppResponse> {
        let msg = self.withdraw_msg(&self.withdrawal_proof(batch, index));
        self.execute(sender, &msg, &[])
    }

    pub(crate) fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(&self.rollup, msg)
            .expect("query")
    }

    pub fn config(&self) -> ConfigResponse {
        self.query(&QueryMsg::Config {})
    }

    pub fn status(&self) -> StatusResponse {
        self.query(&QueryMsg::Status {})
    }

    pub fn batch(&self, index: u64) -> BatchResponse {
        self.query(&QueryMsg::Batch { batch: index })
    }

    pub fn proposer_info(&self, address: &Addr) -> ProposerResponse {
        self.query(&QueryMsg::Proposer {
            address: address.to_string(),
        })
    }

    pub fn solvency(&self) -> SolvencyResponse {
        self.query(&QueryMsg::Solvency {})
    }

    pub fn withdrawal_status(&self, batch: u64, index: u32) -> WithdrawalStatus {
        let r: WithdrawalStatusResponse = self.query(&QueryMsg::WithdrawalStatus { batch, index });
        r.status
    }

    /// The admin proposes a config change (omitted fields stay as they are).
    pub fn propose_config(&mut self, change: ConfigChange) -> StdResult<AppResponse> {
        let admin = self.admin.clone();
        self.execute(&admin, &change.msg(), &[])
    }

    /// The pending config change, if any.
    pub fn pending_config(&self) -> Option<PendingConfig> {
        let r: PendingConfigResponse = self.query(&QueryMsg::PendingConfig {});
        r.pending
    }

    /// Waits out the pending change's timelock and applies it (sent by `anyone`); the
    /// suite's `a_challenge_window_passes` then follows the new window.
    pub fn config_change_applies(&mut self) -> StdResult<AppResponse> {
        let pending = self
            .pending_config()
            .ok_or_else(|| StdError::msg("no config change is pending"))?;
        let now = self.app.block_info().time.seconds();
        if pending.applies_at > now {
            self.advance(pending.applies_at - now);
        }
        let anyone = self.addr("anyone");
        let res = self.execute(&anyone, &ExecuteMsg::ApplyConfig {}, &[])?;
        self.challenge_window = self.config().challenge_window;
        Ok(res)
    }

    pub fn pending_admin(&self) -> PendingAdminResponse {
        self.query(&QueryMsg::PendingAdmin {})
    }

    /// What `owner` can withdraw with `claim`.
    pub fn credit(&self, owner: &Addr) -> u128 {
        let r: CreditResponse = self.query(&QueryMsg::Credit {
            address: owner.to_string(),
        });
        r.amount.u128()
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

/// Asserts that `result` is the contract refusing with exactly `expected`.
///
/// cw-multi-test 3 carries a contract's error as its message, and every
/// `ContractError` message carries its values, so the rendered message identifies the
/// variant and its fields.
pub fn assert_refused<T: Debug>(result: StdResult<T>, expected: impl std::fmt::Display) {
    let expected = expected.to_string();
    match result {
        Ok(v) => panic!("expected the contract to refuse with {expected:?}, it accepted: {v:?}"),
        Err(e) => {
            let got = e.to_string();
            assert!(
                got.contains(&expected),
                "expected refusal {expected:?}, got {got:?}"
            );
        }
    }
}

/// A config change for [`Suite::propose_config`]: `None` keeps the value in force.
#[derive(Debug, Clone, Default)]
pub struct ConfigChange {
    pub proposer_bond: Option<u128>,
    pub challenge_window: Option<u64>,
    pub force_inclusion_delay: Option<u64>,
    pub max_batch_bytes: Option<u32>,
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
