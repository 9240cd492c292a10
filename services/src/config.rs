//! The configuration file every service reads (TOML), and its checks against the chain:
//! a service refuses to start on a chain with another chain id, a contract that does not
//! run the code id the file names, or a key it cannot read. Keys come from an environment
//! variable or a file only: never from the command line, never logged.
//!
//! ```toml
//! [chain]
//! rpc = "http://127.0.0.1:26657"
//! chain_id = "settle-local"
//! prefix = "wasm"              # optional, default "wasm"
//! gas_price = "0.025stake"     # optional, default "0.025stake"
//!
//! [key]                        # optional for read-only commands
//! mnemonic_env = "SETTLE_MNEMONIC"   # or: mnemonic_file = "operator.key" (mode 0600)
//!
//! [rollup]
//! contract = "wasm1..."
//! code_id = 1                  # optional: refuse a contract running another code
//!
//! [operator]                   # `settle operator`
//! database = "operator.db"     # SQLite file, created if missing (relative to the working dir)
//! listen = "127.0.0.1:8480"    # optional: the HTTP API, /health and /metrics
//! poll_seconds = 2             # optional: a round every this many seconds
//! max_batch_txs = 1000         # optional: the most transactions a batch takes
//!
//! [challenger]                 # `settle challenger` only
//! database = "challenger.sqlite"   # its SQLite file (created if missing)
//! poll_seconds = 5             # optional, default 5: seconds between two rounds
//!
//! [channels]                   # `settle watchtower`: the payment-channels contract
//! contract = "wasm1..."
//! code_id = 3                  # optional: refuse a contract running another code
//!
//! [watchtower]                 # `settle watchtower` only
//! database = "watchtower.sqlite"   # its SQLite file (created if missing)
//! listen = "127.0.0.1:8490"    # optional: the HTTP API, /health and /metrics
//! poll_seconds = 5             # optional, default 5: seconds between two rounds
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use settle_client::{Client, Wallet};

use crate::Error;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub chain: ChainConfig,
    pub key: Option<KeyConfig>,
    pub rollup: Option<RollupConfig>,
    pub operator: Option<OperatorConfig>,
    pub challenger: Option<ChallengerConfig>,
    pub channels: Option<ContractConfig>,
    pub watchtower: Option<WatchtowerConfig>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainConfig {
    /// The node's CometBFT RPC.
    pub rpc: String,
    /// The chain id the node must report.
    pub chain_id: String,
    #[serde(default = "default_prefix")]
    pub prefix: String,
    #[serde(default = "default_gas_price")]
    pub gas_price: String,
}

fn default_prefix() -> String {
    "wasm".into()
}

fn default_gas_price() -> String {
    "0.025stake".into()
}

/// Where the service's signing key is: exactly one of the two.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// An environment variable holding a BIP-39 mnemonic.
    pub mnemonic_env: Option<String>,
    /// A file holding a BIP-39 mnemonic, readable by its owner only.
    pub mnemonic_file: Option<PathBuf>,
}

/// A contract a service works with (`[rollup]`, `[channels]`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractConfig {
    /// The contract's address.
    pub contract: String,
    /// The code the contract must run, if given.
    pub code_id: Option<u64>,
}

/// The optimistic-rollup contract (`[rollup]`).
pub type RollupConfig = ContractConfig;

/// `settle operator`'s section.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorConfig {
    /// The SQLite database file (created if missing): every submitted transaction until
    /// it is posted or refused.
    pub database: PathBuf,
    /// Where the HTTP API listens (`host:port`; port 0 picks a free one, logged).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Seconds between two rounds (sync, build, post).
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// The most pending transactions one batch takes.
    #[serde(default = "default_max_batch_txs")]
    pub max_batch_txs: u32,
}

fn default_listen() -> String {
    "127.0.0.1:8480".into()
}

fn default_poll_seconds() -> u64 {
    2
}

fn default_max_batch_txs() -> u32 {
    crate::operator::MAX_BATCH_TXS
}

/// `settle challenger`'s settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengerConfig {
    /// Its SQLite database file (created if missing): what it has checked, the games it
    /// opened and every move it sent.
    pub database: PathBuf,
    /// Seconds between two rounds. Refused if a move could not be answered in time: see
    /// [`ChallengerConfig::check_answer_time`].
    #[serde(default = "default_challenger_poll_seconds")]
    pub poll_seconds: u64,
}

fn default_challenger_poll_seconds() -> u64 {
    5
}

impl ChallengerConfig {
    /// Refuses a poll period with which a move could miss the contract's least answer
    /// time `min_answer_seconds`: two rounds plus the wait for a transaction lost in flight
    /// (`in_flight_grace`) must fit in it.
    pub fn check_answer_time(
        &self,
        min_answer_seconds: u64,
        in_flight_grace: u64,
    ) -> Result<(), Error> {
        if self.poll_seconds == 0 {
            return Err(Error::Config(
                "[challenger] poll_seconds must be positive".into(),
            ));
        }
        let worst = self.poll_seconds.saturating_mul(2) + in_flight_grace;
        if worst > min_answer_seconds {
            return Err(Error::Config(format!(
                "[challenger] poll_seconds = {}: two rounds and a {in_flight_grace} s wait for a \
                 transaction in flight take {worst} s, more than the {min_answer_seconds} s the \
                 contract leaves to answer",
                self.poll_seconds
            )));
        }
        Ok(())
    }
}

/// `settle watchtower`'s settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchtowerConfig {
    /// Its SQLite database file (created if missing): the states clients handed in and
    /// every dispute it sent.
    pub database: PathBuf,
    /// Where its HTTP API listens (`host:port`; port 0 picks a free one, logged).
    #[serde(default = "default_watchtower_listen")]
    pub listen: String,
    /// Seconds between two rounds. A channel whose dispute window is shorter than
    /// [`WatchtowerConfig::ROUNDS_PER_WINDOW`] rounds is refused.
    #[serde(default = "default_challenger_poll_seconds")]
    pub poll_seconds: u64,
}

fn default_watchtower_listen() -> String {
    "127.0.0.1:8490".into()
}

impl WatchtowerConfig {
    /// A channel's dispute window must hold this many rounds: a close seen one round late
    /// still leaves a round to dispute, and one more for a retry.
    pub const ROUNDS_PER_WINDOW: u64 = 3;

    /// Refuses to guard a channel whose window `dispute_window` (seconds) this watchtower
    /// could miss.
    pub fn check_window(&self, dispute_window: u64) -> Result<(), String> {
        let needed = self.poll_seconds.saturating_mul(Self::ROUNDS_PER_WINDOW);
        if dispute_window < needed {
            return Err(format!(
                "the channel's dispute window of {dispute_window} s is shorter than {} rounds \
                 of this watchtower ({needed} s at poll_seconds = {})",
                Self::ROUNDS_PER_WINDOW,
                self.poll_seconds
            ));
        }
        Ok(())
    }
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, Error> {
        toml::from_str(text).map_err(|e| Error::Config(e.to_string()))
    }

    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        Self::parse(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }

    /// The rollup section, required by the commands that follow a rollup.
    pub fn rollup(&self) -> Result<&RollupConfig, Error> {
        self.rollup
            .as_ref()
            .ok_or_else(|| Error::Config("no [rollup] section".into()))
    }

    /// The operator section, required by `settle operator`.
    pub fn operator(&self) -> Result<&OperatorConfig, Error> {
        let o = self
            .operator
            .as_ref()
            .ok_or_else(|| Error::Config("no [operator] section".into()))?;
        if o.poll_seconds == 0 || o.max_batch_txs == 0 {
            return Err(Error::Config(
                "[operator] poll_seconds and max_batch_txs must be at least 1".into(),
            ));
        }
        Ok(o)
    }

    /// The challenger section, required by `settle challenger`.
    pub fn challenger(&self) -> Result<&ChallengerConfig, Error> {
        self.challenger
            .as_ref()
            .ok_or_else(|| Error::Config("no [challenger] section".into()))
    }

    /// The payment-channels contract, required by `settle watchtower`.
    pub fn channels(&self) -> Result<&ContractConfig, Error> {
        self.channels
            .as_ref()
            .ok_or_else(|| Error::Config("no [channels] section".into()))
    }

    /// The watchtower section, required by `settle watchtower`.
    pub fn watchtower(&self) -> Result<&WatchtowerConfig, Error> {
        let w = self
            .watchtower
            .as_ref()
            .ok_or_else(|| Error::Config("no [watchtower] section".into()))?;
        if w.poll_seconds == 0 {
            return Err(Error::Config(
                "[watchtower] poll_seconds must be positive".into(),
            ));
        }
        Ok(w)
    }

    /// Connects to the node and checks that it is the chain the file names.
    pub async fn connect(&self) -> Result<Client, Error> {
        let c = &self.chain;
        let client = Client::connect(&c.rpc, &c.prefix, &c.gas_price).await?;
        if client.chain_id() != c.chain_id {
            return Err(Error::Config(format!(
                "{} serves chain {:?}, the configuration names {:?}",
                c.rpc,
                client.chain_id(),
                c.chain_id
            )));
        }
        Ok(client)
    }

    /// Checks that the rollup contract exists and runs the configured code.
    pub async fn check_rollup(&self, client: &Client) -> Result<(), Error> {
        check_contract(client, self.rollup()?).await
    }

    /// The signing key, from the environment or a file.
    pub fn wallet(&self) -> Result<Wallet, Error> {
        let k = self
            .key
            .as_ref()
            .ok_or_else(|| Error::Config("no [key] section".into()))?;
        let phrase = match (&k.mnemonic_env, &k.mnemonic_file) {
            (Some(var), None) => std::env::var(var)
                .map_err(|_| Error::Config(format!("[key] mnemonic_env: ${var} is not set")))?,
            (None, Some(path)) => read_secret_file(path)?,
            _ => {
                return Err(Error::Config(
                    "[key] needs exactly one of mnemonic_env and mnemonic_file".into(),
                ))
            }
        };
        Wallet::from_mnemonic(phrase.trim(), &self.chain.prefix)
            .map_err(|e| Error::Config(format!("[key]: {e}")))
    }
}

/// Checks that a configured contract exists and runs the configured code.
pub async fn check_contract(client: &Client, r: &ContractConfig) -> Result<(), Error> {
    let code = client
        .code_id_of(&r.contract)
        .await
        .map_err(|e| Error::Config(format!("contract {}: {e}", r.contract)))?;
    match r.code_id {
        Some(expected) if expected != code => Err(Error::Config(format!(
            "contract {} runs code {code}, the configuration names code {expected}",
            r.contract
        ))),
        _ => Ok(()),
    }
}

/// A key file's text; refused if others may read it.
fn read_secret_file(path: &Path) -> Result<String, Error> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::Config(format!("[key] mnemonic_file {}: {e}", path.display())))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::Config(format!(
            "[key] mnemonic_file {} has mode {mode:o}: others may read the key (chmod 600 it)",
            path.display()
        )));
    }
    std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("[key] mnemonic_file {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[chain]
rpc = "http://127.0.0.1:26657"
chain_id = "settle-local"

[rollup]
contract = "wasm1xyz"
"#;

    #[test]
    fn defaults_fill_the_optional_fields() {
        let c = Config::parse(MINIMAL).unwrap();
        assert_eq!(c.chain.prefix, "wasm");
        assert_eq!(c.chain.gas_price, "0.025stake");
        assert_eq!(c.rollup().unwrap().contract, "wasm1xyz");
        assert!(c.rollup().unwrap().code_id.is_none());
    }

    #[test]
    fn unknown_fields_and_missing_sections_are_refused() {
        let typo = MINIMAL.replace("chain_id", "chainid");
        assert!(Config::parse(&typo)
            .unwrap_err()
            .to_string()
            .contains("chainid"));
        let c = Config::parse("[chain]\nrpc = \"x\"\nchain_id = \"y\"\n").unwrap();
        assert!(c.rollup().unwrap_err().to_string().contains("[rollup]"));
        assert!(c.wallet().unwrap_err().to_string().contains("[key]"));
    }

    #[test]
    fn the_challenger_section_has_a_default_poll_and_a_checked_answer_time() {
        let c = Config::parse(&format!(
            "{MINIMAL}\n[challenger]\ndatabase = \"c.sqlite\"\n"
        ))
        .unwrap();
        let ch = c.challenger().unwrap();
        assert_eq!(
            (ch.database.to_str(), ch.poll_seconds),
            (Some("c.sqlite"), 5)
        );
        ch.check_answer_time(60, 30).unwrap();
        let slow = ChallengerConfig {
            poll_seconds: 20,
            ..ch.clone()
        };
        let err = slow.check_answer_time(60, 30).unwrap_err().to_string();
        assert!(err.contains("70 s") && err.contains("60 s"), "{err}");
        let zero = ChallengerConfig {
            poll_seconds: 0,
            ..ch.clone()
        };
        assert!(zero.check_answer_time(60, 30).is_err());
        let typo = format!("{MINIMAL}\n[challenger]\ndatabase = \"c\"\npoll = 3\n");
        assert!(Config::parse(&typo)
            .unwrap_err()
            .to_string()
            .contains("poll"));
        assert!(Config::parse(MINIMAL)
            .unwrap()
            .challenger()
            .unwrap_err()
            .to_string()
            .contains("[challenger]"));
    }

    #[test]
    fn the_watchtower_sections_have_defaults_and_a_checked_window() {
        let text =
            "[chain]\nrpc = \"x\"\nchain_id = \"y\"\n\n[channels]\ncontract = \"wasm1c\"\n\n\
                    [watchtower]\ndatabase = \"w.sqlite\"\n";
        let c = Config::parse(text).unwrap();
        assert_eq!(c.channels().unwrap().contract, "wasm1c");
        let w = c.watchtower().unwrap();
        assert_eq!((w.listen.as_str(), w.poll_seconds), ("127.0.0.1:8490", 5));
        w.check_window(15).unwrap();
        let err = w.check_window(14).unwrap_err();
        assert!(err.contains("14 s") && err.contains("15 s"), "{err}");
        let zero = Config::parse(&format!("{text}poll_seconds = 0\n")).unwrap();
        assert!(zero.watchtower().is_err());
        assert!(Config::parse(MINIMAL)
            .unwrap()
            .watchtower()
            .unwrap_err()
            .to_string()
            .contains("[watchtower]"));
        assert!(Config::parse(MINIMAL)
            .unwrap()
            .channels()
            .unwrap_err()
            .to_string()
            .contains("[channels]"));
    }

    #[test]
    fn a_key_needs_exactly_one_source_and_a_private_file() {
        let both = format!("{MINIMAL}\n[key]\nmnemonic_env = \"A\"\nmnemonic_file = \"b\"\n");
        let err = Config::parse(&both)
            .unwrap()
            .wallet()
            .unwrap_err()
            .to_string();
        assert!(err.contains("exactly one"), "{err}");

        let dir = std::env::temp_dir().join(format!("settle-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("key");
        let phrase = ["abandon"; 23].join(" ") + " art";
        std::fs::write(&file, &phrase).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let with_file = format!(
            "{MINIMAL}\n[key]\nmnemonic_file = {:?}\n",
            file.display().to_string()
        );
        let c = Config::parse(&with_file).unwrap();
        let err = c.wallet().unwrap_err().to_string();
        assert!(err.contains("644") && !err.contains("abandon"), "{err}");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let w = c.wallet().unwrap();
        assert!(w.address().starts_with("wasm1"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
