//! `migrate`'s cw2 checks, and the refusal of a state this code cannot read. (Instantiating
//! needs a verifying key of the batch circuit: the same-version and upgrade cases run on a
//! deployed contract in settle-tests, `tests/validity_rollup.rs` and `tests/vm.rs`.)

use cosmwasm_std::testing::{mock_dependencies, mock_env, MockApi, MockQuerier, MockStorage};
use cosmwasm_std::{Order, OwnedDeps, Storage};
use cw2::set_contract_version;
use settle_host::upgrade::MigrateError;

use crate::contract::{migrate, CONTRACT_NAME, CONTRACT_VERSION};
use crate::msg::MigrateMsg;
use crate::state::CONFIG;
use crate::ContractError;

type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;

fn snapshot(storage: &dyn Storage) -> Vec<(Vec<u8>, Vec<u8>)> {
    storage.range(None, None, Order::Ascending).collect()
}

/// Runs migrate over `deps` expecting a refusal, and checks that nothing was written.
fn refused_over(mut deps: Deps) -> MigrateError {
    let before = snapshot(&deps.storage);
    let err = match migrate(deps.as_mut(), mock_env(), MigrateMsg {}) {
        Err(ContractError::Migrate(e)) => e,
        other => panic!("expected a migrate refusal, got {other:?}"),
    };
    assert_eq!(snapshot(&deps.storage), before);
    err
}

fn refused(stored: (&str, &str)) -> MigrateError {
    let mut deps = mock_dependencies();
    set_contract_version(&mut deps.storage, stored.0, stored.1).unwrap();
    refused_over(deps)
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
    let e = refused((CONTRACT_NAME, "0.1.0.0"));
    assert!(
        matches!(&e, MigrateError::MalformedVersion { version, .. } if version == "0.1.0.0"),
        "{e:?}"
    );
}

/// The config of the first validity rollup (commit d07d967): no deposit bounds, so this
/// code cannot read it, and migrate refuses rather than inventing `min_deposit`,
/// `min_new_account` and `max_pending` (its queue entries also lack the keys credits are
/// bound to).
#[test]
fn migrate_refuses_the_first_layout() {
    let mut deps = mock_dependencies();
    set_contract_version(&mut deps.storage, CONTRACT_NAME, "0.0.1").unwrap();
    let zero = format!("\"{}\"", "A".repeat(43) + "=");
    let old = format!(
        r#"{{"admin":"{}","denom":"uzk","shape":{{"deposits":2,"txs":2}},"exodus_after":86400,"key_timelock":172800,"domain":{zero},"vk_hash":{zero}}}"#,
        deps.api.addr_make("admin")
    );
    deps.storage.set(CONFIG.as_slice(), old.as_bytes());
    let e = refused_over(deps);
    assert!(
        matches!(&e, MigrateError::Incompatible { item: "config", reason } if reason.contains("min_deposit")),
        "{e:?}"
    );
}

#[test]
fn migrate_refuses_a_state_without_its_items() {
    let e = refused((CONTRACT_NAME, "0.0.1"));
    assert!(
        matches!(&e, MigrateError::Incompatible { item: "config", .. }),
        "{e:?}"
    );
}
