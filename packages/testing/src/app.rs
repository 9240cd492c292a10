//! What a suite needs from a chain: [`SuiteApp`], implemented for cw-multi-test's `App`
//! with a `MockApi` of any address prefix, a `BankKeeper` and any custom, storage,
//! staking, IBC or governance modules, and for a [`Shared`] app that several suites (and
//! the integrator's own code) use at once.

use std::cell::RefCell;
use std::fmt::Debug;
use std::rc::Rc;

use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{
    Addr, Api, BlockInfo, CanonicalAddr, Coin, CustomMsg, CustomQuery, StdError, StdResult,
    Storage, Uint128,
};
use cw_multi_test::{
    App, AppResponse, BankKeeper, BankSudo, Contract, Distribution, Executor, Gov, Ibc, Module,
    Stargate, Wasm,
};
use cw_multi_test::{Staking, SudoMsg};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A chain the suites can deploy on and drive: cw-multi-test's `App` (any address prefix
/// through `MockApi::with_prefix`, any custom module) or a [`Shared`] one.
///
/// Method names follow `App`'s, so `suite.app.execute_wasm(..)` on a plain `App`
/// still calls `App`'s own method.
pub trait SuiteApp {
    /// The custom message type of the chain's contracts (`Empty` for a plain `App`).
    type ExecC: CustomMsg + DeserializeOwned + 'static;
    /// The custom query type of the chain's contracts (`Empty` for a plain `App`).
    type QueryC: CustomQuery + DeserializeOwned + 'static;

    /// Stores contract code; returns its code id.
    fn store_contract(&mut self, code: Box<dyn Contract<Self::ExecC, Self::QueryC>>) -> u64;

    /// Instantiates code `code_id` from `sender`; returns the contract's address.
    #[allow(clippy::too_many_arguments)]
    fn instantiate_wasm<M: Serialize>(
        &mut self,
        code_id: u64,
        sender: Addr,
        msg: &M,
        funds: &[Coin],
        label: &str,
        admin: Option<String>,
    ) -> StdResult<Addr>;

    /// Stores `code` and instantiates it from `sender`, who is also the chain-level admin
    /// that may migrate it; returns the contract's address.
    fn deploy<M: Serialize>(
        &mut self,
        code: Box<dyn Contract<Self::ExecC, Self::QueryC>>,
        sender: &Addr,
        msg: &M,
        label: &str,
    ) -> StdResult<Addr> {
        let code_id = self.store_contract(code);
        self.instantiate_wasm(
            code_id,
            sender.clone(),
            msg,
            &[],
            label,
            Some(sender.to_string()),
        )
    }

    /// Executes `msg` on `contract` from `sender` with `funds` attached.
    fn execute_wasm<M: Serialize + Debug>(
        &mut self,
        sender: Addr,
        contract: Addr,
        msg: &M,
        funds: &[Coin],
    ) -> StdResult<AppResponse>;

    /// A smart query of `contract`.
    fn query_smart<T: DeserializeOwned, M: Serialize>(
        &self,
        contract: &Addr,
        msg: &M,
    ) -> StdResult<T>;

    /// The code id of the contract at `contract`.
    fn contract_code_id(&self, contract: &Addr) -> StdResult<u64>;

    /// The bank balance of `addr` in `denom` (an error if it does not fit a `u128`).
    fn balance_u128(&self, addr: &Addr, denom: &str) -> StdResult<u128>;

    /// Adds `coins` to the bank balance of `addr` (minted, as at genesis).
    fn mint(&mut self, addr: &Addr, coins: &[Coin]) -> StdResult<()>;

    /// The address of a label under the chain's prefix (`MockApi::addr_make`).
    fn addr_make(&self, label: &str) -> Addr;

    /// The canonical bytes of a human address.
    fn addr_canonicalize(&self, human: &str) -> StdResult<CanonicalAddr>;

    /// The human address of canonical bytes.
    fn addr_humanize(&self, canonical: &CanonicalAddr) -> StdResult<Addr>;

    /// The current block.
    fn block_info(&self) -> BlockInfo;

    /// Changes the current block (time, height).
    fn update_block<F: Fn(&mut BlockInfo)>(&mut self, action: F);
}

impl<StorageT, CustomT, WasmT, StakingT, DistrT, IbcT, GovT, StargateT> SuiteApp
    for App<BankKeeper, MockApi, StorageT, CustomT, WasmT, StakingT, DistrT, IbcT, GovT, StargateT>
where
    CustomT::ExecT: CustomMsg + DeserializeOwned + 'static,
    CustomT::QueryT: CustomQuery + DeserializeOwned + 'static,
    WasmT: Wasm<CustomT::ExecT, CustomT::QueryT>,
    StorageT: Storage,
    CustomT: Module,
    StakingT: Staking,
    DistrT: Distribution,
    IbcT: Ibc,
    GovT: Gov,
    StargateT: Stargate,
{
    type ExecC = CustomT::ExecT;
    type QueryC = CustomT::QueryT;

    fn store_contract(&mut self, code: Box<dyn Contract<Self::ExecC, Self::QueryC>>) -> u64 {
        App::store_code(self, code)
    }

    fn instantiate_wasm<M: Serialize>(
        &mut self,
        code_id: u64,
        sender: Addr,
        msg: &M,
        funds: &[Coin],
        label: &str,
        admin: Option<String>,
    ) -> StdResult<Addr> {
        Executor::instantiate_contract(self, code_id, sender, msg, funds, label, admin)
    }

    fn execute_wasm<M: Serialize + Debug>(
        &mut self,
        sender: Addr,
        contract: Addr,
        msg: &M,
        funds: &[Coin],
    ) -> StdResult<AppResponse> {
        Executor::execute_contract(self, sender, contract, msg, funds)
    }

    fn query_smart<T: DeserializeOwned, M: Serialize>(
        &self,
        contract: &Addr,
        msg: &M,
    ) -> StdResult<T> {
        self.wrap().query_wasm_smart(contract, msg)
    }

    fn contract_code_id(&self, contract: &Addr) -> StdResult<u64> {
        Ok(self.wrap().query_wasm_contract_info(contract)?.code_id)
    }

    fn balance_u128(&self, addr: &Addr, denom: &str) -> StdResult<u128> {
        let amount = self.wrap().query_balance(addr, denom)?.amount;
        Uint128::try_from(amount)
            .map(|a| a.u128())
            .map_err(|e| StdError::msg(format!("balance of {addr} in {denom}: {e}")))
    }

    fn mint(&mut self, addr: &Addr, coins: &[Coin]) -> StdResult<()> {
        let mint = BankSudo::Mint {
            to_address: addr.to_string(),
            amount: coins.to_vec(),
        };
        self.sudo(SudoMsg::Bank(mint)).map(|_| ())
    }

    fn addr_make(&self, label: &str) -> Addr {
        self.api().addr_make(label)
    }

    fn addr_canonicalize(&self, human: &str) -> StdResult<CanonicalAddr> {
        self.api().addr_canonicalize(human)
    }

    fn addr_humanize(&self, canonical: &CanonicalAddr) -> StdResult<Addr> {
        self.api().addr_humanize(canonical)
    }

    fn block_info(&self) -> BlockInfo {
        App::block_info(self)
    }

    fn update_block<F: Fn(&mut BlockInfo)>(&mut self, action: F) {
        App::update_block(self, action)
    }
}

/// One chain used by several suites and by the integrator's own code at once: clone the
/// handle into each suite ([`crate::SuiteBuilder::build_on`] and its siblings) and
/// `borrow_mut()` it to call the chain directly.
pub type Shared<A = App> = Rc<RefCell<A>>;

/// Wraps `app` for several suites (see [`Shared`]).
pub fn shared<A>(app: A) -> Shared<A> {
    Rc::new(RefCell::new(app))
}

impl<A: SuiteApp> SuiteApp for Rc<RefCell<A>> {
    type ExecC = A::ExecC;
    type QueryC = A::QueryC;

    fn store_contract(&mut self, code: Box<dyn Contract<Self::ExecC, Self::QueryC>>) -> u64 {
        self.borrow_mut().store_contract(code)
    }

    fn instantiate_wasm<M: Serialize>(
        &mut self,
        code_id: u64,
        sender: Addr,
        msg: &M,
        funds: &[Coin],
        label: &str,
        admin: Option<String>,
    ) -> StdResult<Addr> {
        self.borrow_mut()
            .instantiate_wasm(code_id, sender, msg, funds, label, admin)
    }

    fn execute_wasm<M: Serialize + Debug>(
        &mut self,
        sender: Addr,
        contract: Addr,
        msg: &M,
        funds: &[Coin],
    ) -> StdResult<AppResponse> {
        self.borrow_mut().execute_wasm(sender, contract, msg, funds)
    }

    fn query_smart<T: DeserializeOwned, M: Serialize>(
        &self,
        contract: &Addr,
        msg: &M,
    ) -> StdResult<T> {
        self.borrow().query_smart(contract, msg)
    }

    fn contract_code_id(&self, contract: &Addr) -> StdResult<u64> {
        self.borrow().contract_code_id(contract)
    }

    fn balance_u128(&self, addr: &Addr, denom: &str) -> StdResult<u128> {
        self.borrow().balance_u128(addr, denom)
    }

    fn mint(&mut self, addr: &Addr, coins: &[Coin]) -> StdResult<()> {
        self.borrow_mut().mint(addr, coins)
    }

    fn addr_make(&self, label: &str) -> Addr {
        self.borrow().addr_make(label)
    }

    fn addr_canonicalize(&self, human: &str) -> StdResult<CanonicalAddr> {
        self.borrow().addr_canonicalize(human)
    }

    fn addr_humanize(&self, canonical: &CanonicalAddr) -> StdResult<Addr> {
        self.borrow().addr_humanize(canonical)
    }

    fn block_info(&self) -> BlockInfo {
        self.borrow().block_info()
    }

    fn update_block<F: Fn(&mut BlockInfo)>(&mut self, action: F) {
        self.borrow_mut().update_block(action)
    }
}

/// Moves `app`'s clock `seconds` forward and its height by one block per `block_seconds`
/// started (at least one block).
pub fn advance<A: SuiteApp>(app: &mut A, seconds: u64, block_seconds: u64) {
    let blocks = seconds.div_ceil(block_seconds.max(1)).max(1);
    app.update_block(|b| {
        b.time = b.time.plus_seconds(seconds);
        b.height += blocks;
    });
}

/// `amount` of `denom` as funds to attach (none if 0).
pub fn coins(amount: u128, denom: &str) -> Vec<Coin> {
    if amount == 0 {
        vec![]
    } else {
        vec![Coin::new(amount, denom)]
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

/// The value of attribute `key` on a contract event of type `ty` with action `action`.
pub fn event_attr_of(res: &AppResponse, ty: &str, action: &str, key: &str) -> Option<String> {
    res.events
        .iter()
        .filter(|e| e.ty == format!("wasm-{ty}"))
        .find(|e| {
            e.attributes
                .iter()
                .any(|a| a.key == "action" && a.value == action)
        })
        .and_then(|e| e.attributes.iter().find(|a| a.key == key))
        .map(|a| a.value.clone())
}
