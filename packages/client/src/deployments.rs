//! The deployments file: what `cargo xtask deploy` stored and instantiated on one chain,
//! read by the tools that use those contracts (the end-to-end tests, the demo on a chain,
//! the gas table, the services).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

/// Every contract deployed on one chain.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Deployments {
    pub chain_id: String,
    /// The RPC endpoint the deployment went through.
    pub node: String,
    /// The address that signed the uploads and instantiations.
    pub deployer: String,
    /// By contract name (`optimistic-rollup`, `payment-channels`, `validity-rollup`).
    pub contracts: BTreeMap<String, Deployment>,
}

/// One contract: its code and its instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub code_id: u64,
    /// SHA-256 of the wasm, hex (the chain's code checksum).
    pub checksum: String,
    pub address: String,
    /// Who may migrate the instance (`None`: nobody, the code is fixed for good).
    pub admin: Option<String>,
    pub store_tx: String,
    pub store_height: u64,
    pub store_gas_used: u64,
    pub instantiate_tx: String,
    pub instantiate_height: u64,
    pub instantiate_gas_used: u64,
    /// The instantiate message as sent.
    pub instantiate_msg: serde_json::Value,
}

impl Deployments {
    /// Reads a deployments file.
    pub fn load(path: &Path) -> Result<Deployments, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Decode(format!("{}: {e}", path.display())))?;
        serde_json::from_str(&text).map_err(|e| Error::Decode(format!("{}: {e}", path.display())))
    }

    /// Writes it (pretty JSON), creating the folder.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::Decode(format!("{}: {e}", dir.display())))?;
        }
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Decode(format!("deployments to JSON: {e}")))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Error::Decode(format!("{}: {e}", path.display())))
    }

    /// A contract's deployment, or an error naming the ones there are.
    pub fn get(&self, name: &str) -> Result<&Deployment, Error> {
        self.contracts.get(name).ok_or_else(|| {
            Error::Missing(format!(
                "{name} is not deployed on {} (deployed: {:?})",
                self.chain_id,
                self.contracts.keys().collect::<Vec<_>>()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deployments_file_round_trips_and_names_what_is_missing() {
        let mut d = Deployments {
            chain_id: "settle-local".into(),
            node: "http://127.0.0.1:26657".into(),
            deployer: "wasm1deployer".into(),
            contracts: BTreeMap::new(),
        };
        d.contracts.insert(
            "payment-channels".into(),
            Deployment {
                code_id: 2,
                checksum: "ab".repeat(32),
                address: "wasm1channels".into(),
                admin: None,
                store_tx: "A1".into(),
                store_height: 5,
                store_gas_used: 2_955_371,
                instantiate_tx: "B2".into(),
                instantiate_height: 6,
                instantiate_gas_used: 174_112,
                instantiate_msg: serde_json::json!({"watchtower_fee_bps": 1000}),
            },
        );
        let dir = std::env::temp_dir().join(format!("settle-deployments-{}", std::process::id()));
        let path = dir.join("settle-local.json");
        d.save(&path).unwrap();
        assert_eq!(Deployments::load(&path).unwrap(), d);
        assert_eq!(d.get("payment-channels").unwrap().code_id, 2);
        let err = d.get("optimistic-rollup").unwrap_err().to_string();
        assert!(
            err.contains("not deployed on settle-local") && err.contains("payment-channels"),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
