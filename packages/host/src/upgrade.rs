//! The cw2 rules of every contract's `migrate`, written once.
//!
//! A chain admin runs `migrate` when it points a contract at a new code id. The new code
//! reads the state the old code left, so before it touches anything it must know that the
//! state is its own and not from a later release:
//!
//! ```text
//!   stored cw2 record        this code          migrate
//!   ----------------------   ----------------   --------------------------------------
//!   another contract's name  any                refused (WrongContract, both names)
//!   version not semver       any                refused (MalformedVersion)
//!   newer version            older              refused (Downgrade)
//!   same version             same               allowed: nothing to convert (idempotent)
//!   older version            newer              allowed: the new version is recorded
//! ```
//!
//! [`check`] only reads; the contract then checks that its stored state decodes
//! ([`readable`]), fills what an older layout lacks, and calls [`Migration::record`].

use cosmwasm_std::{Attribute, StdError, Storage};
use semver::Version;
use thiserror::Error;

/// Why a migration is refused. A refused migration changes nothing: the chain keeps the
/// old code.
#[derive(Error, Debug)]
pub enum MigrateError {
    /// No cw2 record (not a contract this code can know) or storage failed.
    #[error(transparent)]
    Std(#[from] StdError),

    #[error("cannot migrate: the stored state is {stored}'s, this code is {code}")]
    WrongContract { stored: String, code: String },

    #[error("cannot migrate {contract} down from version {stored} to {code}")]
    Downgrade {
        contract: String,
        stored: String,
        code: String,
    },

    #[error("cannot migrate {contract}: version {version} is not semver ({reason})")]
    MalformedVersion {
        contract: String,
        version: String,
        reason: String,
    },

    #[error("cannot migrate: the stored {item} does not decode with this code ({reason})")]
    Incompatible { item: &'static str, reason: String },
}

/// A migration [`check`] allowed: from the stored version to this code's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub contract: String,
    pub from: String,
    pub to: String,
}

impl Migration {
    /// Whether the code is newer than the state (`false`: the same version again).
    pub fn is_upgrade(&self) -> bool {
        self.from != self.to
    }

    /// Writes this code's version into the cw2 record.
    pub fn record(&self, storage: &mut dyn Storage) -> Result<(), StdError> {
        cw2::set_contract_version(storage, &self.contract, &self.to)
    }

    /// The `from_version` and `to_version` attributes of the `migrate` event.
    pub fn attributes(&self) -> [Attribute; 2] {
        [
            Attribute::new("from_version", &self.from),
            Attribute::new("to_version", &self.to),
        ]
    }
}

fn parse(contract: &str, version: &str) -> Result<Version, MigrateError> {
    Version::parse(version).map_err(|e| MigrateError::MalformedVersion {
        contract: contract.into(),
        version: version.into(),
        reason: e.to_string(),
    })
}

/// Reads the cw2 record and decides whether code `contract` at `version` may take over the
/// state (see the module's table). Writes nothing.
pub fn check(
    storage: &dyn Storage,
    contract: &str,
    version: &str,
) -> Result<Migration, MigrateError> {
    let stored = cw2::get_contract_version(storage)?;
    if stored.contract != contract {
        return Err(MigrateError::WrongContract {
            stored: stored.contract,
            code: contract.into(),
        });
    }
    let code = parse(contract, version)?;
    let old = parse(contract, &stored.version)?;
    if old > code {
        return Err(MigrateError::Downgrade {
            contract: contract.into(),
            stored: stored.version,
            code: version.into(),
        });
    }
    Ok(Migration {
        contract: contract.into(),
        from: stored.version,
        to: version.into(),
    })
}

/// A stored item as this code reads it: a decoding failure (a layout this code cannot
/// read) refuses the migration instead of leaving a contract that fails on every call.
pub fn readable<T>(item: &'static str, loaded: Result<T, StdError>) -> Result<T, MigrateError> {
    loaded.map_err(|e| MigrateError::Incompatible {
        item,
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    const NAME: &str = "crates.io:some-contract";

    fn stored(contract: &str, version: &str) -> MockStorage {
        let mut s = MockStorage::new();
        cw2::set_contract_version(&mut s, contract, version).unwrap();
        s
    }

    #[test]
    fn another_contracts_state_is_refused_with_both_names() {
        let s = stored("crates.io:other", "0.1.0");
        let e = check(&s, NAME, "0.1.0").unwrap_err();
        assert!(
            matches!(&e, MigrateError::WrongContract { stored, code }
                if stored == "crates.io:other" && code == NAME),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(
            msg.contains("crates.io:other") && msg.contains(NAME),
            "{msg}"
        );
    }

    #[test]
    fn a_downgrade_is_refused_by_semver_order() {
        // "0.10.0" > "0.9.0" although it sorts lower as a string
        for (old, new) in [
            ("0.2.0", "0.1.0"),
            ("0.10.0", "0.9.0"),
            ("1.0.0", "1.0.0-rc.1"),
        ] {
            let s = stored(NAME, old);
            let e = check(&s, NAME, new).unwrap_err();
            assert!(
                matches!(&e, MigrateError::Downgrade { stored, code, .. }
                    if stored == old && code == new),
                "{old} -> {new}: {e:?}"
            );
        }
    }

    #[test]
    fn a_malformed_version_is_refused() {
        for bad in ["", "1", "v0.1.0", "0.1", "0.1.0.0", "01.0.0", "latest"] {
            let s = stored(NAME, bad);
            let e = check(&s, NAME, "0.1.0").unwrap_err();
            assert!(
                matches!(&e, MigrateError::MalformedVersion { version, .. } if version == bad),
                "{bad:?}: {e:?}"
            );
        }
        // this code's own version too
        let s = stored(NAME, "0.1.0");
        assert!(matches!(
            check(&s, NAME, "next"),
            Err(MigrateError::MalformedVersion { .. })
        ));
    }

    #[test]
    fn no_cw2_record_is_refused() {
        let s = MockStorage::new();
        assert!(matches!(
            check(&s, NAME, "0.1.0"),
            Err(MigrateError::Std(_))
        ));
    }

    #[test]
    fn the_same_version_is_allowed_and_records_nothing_new() {
        let mut s = stored(NAME, "0.1.0");
        let m = check(&s, NAME, "0.1.0").unwrap();
        assert!(!m.is_upgrade());
        m.record(&mut s).unwrap();
        let again = check(&s, NAME, "0.1.0").unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn an_upgrade_records_the_new_version() {
        for (old, new) in [
            ("0.0.9", "0.1.0"),
            ("0.9.0", "0.10.0"),
            ("0.1.0-rc.1", "0.1.0"),
        ] {
            let mut s = stored(NAME, old);
            let m = check(&s, NAME, new).unwrap();
            assert!(m.is_upgrade());
            assert_eq!((m.from.as_str(), m.to.as_str()), (old, new));
            // check alone writes nothing
            assert_eq!(cw2::get_contract_version(&s).unwrap().version, old);
            m.record(&mut s).unwrap();
            let now = cw2::get_contract_version(&s).unwrap();
            assert_eq!((now.contract.as_str(), now.version.as_str()), (NAME, new));
            let attrs = m.attributes();
            assert_eq!(attrs[0].value, old);
            assert_eq!(attrs[1].value, new);
        }
    }

    #[test]
    fn an_undecodable_item_is_refused_by_name() {
        let e = readable::<u8>("config", Err(StdError::msg("missing field `x`"))).unwrap_err();
        assert!(
            matches!(&e, MigrateError::Incompatible { item: "config", reason } if reason.contains("missing field")),
            "{e:?}"
        );
        assert_eq!(readable("config", Ok(7u8)).unwrap(), 7);
    }
}
