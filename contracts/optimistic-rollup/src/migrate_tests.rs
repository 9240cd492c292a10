//! `migrate`'s cw2 checks and back-fills on a freshly instantiated contract.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockApi, MockStorage};
use cosmwasm_std::{Order, Response, Storage, Uint128};
use cw2::{get_contract_version, set_contract_version};
use settle_host::upgrade::MigrateError;

use crate::contract::{instantiate, migrate, CONTRACT_NAME, CONTRACT_VERSION, EVENT};
use crate::msg::{DisputeParams, InstantiateMsg, MigrateMsg};
use crate::state::{BOUNDS, CONFIG, CREDIT_TOTAL, TOTALS};
use crate::ContractError;

type Deps = cosmwasm_std::OwnedDeps<MockStorage, MockApi, cosmwasm_std::testing::MockQuerier>;

fn deployed() -> Deps {
    let mut deps = mock_dependencies();
    let admin = deps.api.addr_make("admin");
    let treasury = deps.api.addr_make("treasury");
    instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&admin, &[]),
        InstantiateMsg {
            admin: None,
            denom: "uusd".into(),
            bond_denom: "ustake".into(),
            proposer_bond: Uint128::new(1_000),
            challenge_window: 86_400,
            force_inclusion_seconds: 3_600,
            max_batch_bytes: 1_024,
            dispute: DisputeParams {
                challenger_bond: Uint128::new(500),
                clock_seconds: 3_600,
                min_answer_seconds: 300,
                reward_bps: 5_000,
                treasury: treasury.into_string(),
            },
            bounds: None,
        },
    )
    .unwrap();
    deps
}

fn snapshot(storage: &dyn Storage) -> Vec<(Vec<u8>, Vec<u8>)> {
    storage.range(None, None, Order::Ascending).collect()
}

fn run(deps: &mut Deps) -> Result<Response, ContractError> {
    migrate(deps.as_mut(), mock_env(), MigrateMsg {})
}

fn migrate_attrs(res: &Response) -> (String, String) {
    let ev = res
        .events
        .iter()
        .find(|e| e.ty == EVENT && e.attributes.iter().any(|a| a.value == "migrate"))
        .expect("a migrate event");
    let get = |k: &str| {
        ev.attributes
            .iter()
            .find(|a| a.key == k)
            .map(|a| a.value.clone())
            .unwrap_or_default()
    };
    (get("from_version"), get("to_version"))
}

/// Sets the cw2 record, runs migrate expecting a refusal, and checks that nothing was
/// written.
fn refused(stored: (&str, &str)) -> MigrateError {
    let mut deps = deployed();
    set_contract_version(&mut deps.storage, stored.0, stored.1).unwrap();
    let before = snapshot(&deps.storage);
    let err = match run(&mut deps) {
        Err(ContractError::Migrate(e)) => e,
        other => panic!("expected a migrate refusal, got {other:?}"),
    };
    assert_eq!(snapshot(&deps.storage), before);
    err
}

#[test]
fn migrate_refuses_another_contracts_state() {
    let e = refused(("crates.io:payment-channels", CONTRACT_VERSION));
    assert!(
        matches!(&e, MigrateError::WrongContract { stored, code }
            if stored == "crates.io:payment-channels" && code == CONTRACT_NAME),
        "{e:?}"
    );
}

#[test]
fn migrate_refuses_a_downgrade() {
    let e = refused((CONTRACT_NAME, "999.0.0"));
    assert!(
        matches!(&e, MigrateError::Downgrade { stored, code, .. }
            if stored == "999.0.0" && code == CONTRACT_VERSION),
        "{e:?}"
    );
}

#[test]
fn migrate_refuses_a_malformed_version() {
    let e = refused((CONTRACT_NAME, "0.1"));
    assert!(
        matches!(&e, MigrateError::MalformedVersion { version, .. } if version == "0.1"),
        "{e:?}"
    );
}

#[test]
fn migrate_refuses_a_config_it_cannot_read() {
    let mut deps = deployed();
    deps.storage.set(CONFIG.as_slice(), br#"{"admin":"x"}"#);
    let before = snapshot(&deps.storage);
    match run(&mut deps) {
        Err(ContractError::Migrate(MigrateError::Incompatible { item: "config", .. })) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(snapshot(&deps.storage), before);
}

#[test]
fn migrate_to_the_same_version_changes_nothing() {
    let mut deps = deployed();
    let before = snapshot(&deps.storage);
    for _ in 0..2 {
        let res = run(&mut deps).unwrap();
        let v = CONTRACT_VERSION.to_string();
        assert_eq!(migrate_attrs(&res), (v.clone(), v));
        assert_eq!(snapshot(&deps.storage), before);
    }
}

#[test]
fn migrate_from_an_older_version_records_the_new_one() {
    let mut deps = deployed();
    let untouched = snapshot(&deps.storage);
    set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.0.1").unwrap();
    let res = run(&mut deps).unwrap();
    assert_eq!(
        migrate_attrs(&res),
        ("0.0.1".to_string(), CONTRACT_VERSION.to_string())
    );
    let v = get_contract_version(&deps.storage).unwrap();
    assert_eq!(
        (v.contract.as_str(), v.version.as_str()),
        (CONTRACT_NAME, CONTRACT_VERSION)
    );
    // only the cw2 record changed, back to what this code writes
    assert_eq!(snapshot(&deps.storage), untouched);
}

/// A state from before admin bounds and credits gets every parameter pinned at its value
/// and a zero credit total; a state that has them keeps its own bounds.
#[test]
fn migrate_fills_bounds_and_credit_total_of_an_older_state_only() {
    let mut deps = deployed();
    let bounds = BOUNDS.load(&deps.storage).unwrap();
    BOUNDS.remove(&mut deps.storage);
    CREDIT_TOTAL.remove(&mut deps.storage);
    set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.0.1").unwrap();
    run(&mut deps).unwrap();
    // instantiated with `bounds: None`: pinned, the same as migrate computes
    assert_eq!(BOUNDS.load(&deps.storage).unwrap(), bounds);
    assert_eq!(CREDIT_TOTAL.load(&deps.storage).unwrap(), Uint128::zero());

    // an existing total and bounds are never rewritten
    CREDIT_TOTAL
        .save(&mut deps.storage, &Uint128::new(7))
        .unwrap();
    let before = snapshot(&deps.storage);
    run(&mut deps).unwrap();
    assert_eq!(snapshot(&deps.storage), before);
}

/// The totals of a rollup from before `outstanding` existed (commit 09df883, the same
/// hardening that added the admin bounds): this code cannot read them, so the migration
/// is refused instead of leaving a contract whose every deposit fails to load them.
#[test]
fn migrate_refuses_totals_from_before_outstanding() {
    let mut deps = deployed();
    BOUNDS.remove(&mut deps.storage);
    CREDIT_TOTAL.remove(&mut deps.storage);
    deps.storage.set(
        TOTALS.as_slice(),
        br#"{"deposited":"100","withdrawn":"40","bonds":"1000","challenger_bonds":"0"}"#,
    );
    set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.0.1").unwrap();
    let before = snapshot(&deps.storage);
    match run(&mut deps) {
        Err(ContractError::Migrate(MigrateError::Incompatible {
            item: "totals",
            reason,
        })) => {
            assert!(reason.contains("outstanding"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(snapshot(&deps.storage), before);
}
