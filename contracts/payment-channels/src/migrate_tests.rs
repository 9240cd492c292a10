//! `migrate`'s cw2 checks and back-fills on a freshly instantiated contract.

use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env, MockApi, MockStorage};
use cosmwasm_std::{Order, Response, Storage};
use cw2::{get_contract_version, set_contract_version};
use settle_host::upgrade::MigrateError;

use crate::contract::{instantiate, migrate, CONTRACT_NAME, CONTRACT_VERSION, EVENT};
use crate::msg::{InstantiateMsg, MigrateMsg};
use crate::state::CONFIG;
use crate::ContractError;

type Deps = cosmwasm_std::OwnedDeps<MockStorage, MockApi, cosmwasm_std::testing::MockQuerier>;

fn deployed() -> Deps {
    let mut deps = mock_dependencies();
    let admin = deps.api.addr_make("admin");
    instantiate(
        deps.as_mut(),
        mock_env(),
        message_info(&admin, &[]),
        InstantiateMsg {
            penalty_share_bps: None,
            watchtower_fee_bps: 1_000,
            max_dispute_window: 600,
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
    let e = refused(("crates.io:optimistic-rollup", CONTRACT_VERSION));
    assert!(
        matches!(&e, MigrateError::WrongContract { stored, code }
            if stored == "crates.io:optimistic-rollup" && code == CONTRACT_NAME),
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
    deps.storage
        .set(CONFIG.as_slice(), br#"{"penalty_share_bps":10000}"#);
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
