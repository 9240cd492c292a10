use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::crypto::PublicKey;
use cosmrs::tx::{Raw, SignDoc};
use cosmrs::AccountId;

use crate::Error;

/// The Cosmos SDK's default derivation path (coin type 118), as `wasmd keys add` uses it.
pub const COSMOS_PATH: &str = "m/44'/118'/0'/0/0";

/// A secp256k1 key and its address on one chain.
pub struct Wallet {
    key: SigningKey,
    account: AccountId,
    address: String,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Wallet")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Wallet {
    /// The key of a BIP-39 mnemonic (English, no passphrase) at [`COSMOS_PATH`]: the same
    /// address `wasmd keys add --recover` gives.
    pub fn from_mnemonic(phrase: &str, prefix: &str) -> Result<Wallet, Error> {
        let mnemonic = bip32::Mnemonic::new(phrase.trim(), bip32::Language::English)
            .map_err(|e| Error::Key(format!("mnemonic: {e}")))?;
        let seed = mnemonic.to_seed("");
        let path: bip32::DerivationPath = COSMOS_PATH
            .parse()
            .map_err(|e| Error::Key(format!("path: {e}")))?;
        let key = SigningKey::derive_from_path(seed, &path)
            .map_err(|e| Error::Key(format!("derive the key: {e}")))?;
        Wallet::from_key(key, prefix)
    }

    /// The 24-word BIP-39 phrase of 32 bytes of entropy: a new key for a service's
    /// configuration (`from_mnemonic` reads it back).
    pub fn mnemonic_of(entropy: [u8; 32]) -> String {
        bip32::Mnemonic::from_entropy(entropy, bip32::Language::English)
            .phrase()
            .to_string()
    }

    /// A wallet of a 32-byte secp256k1 secret.
    pub fn from_secret(secret: &[u8], prefix: &str) -> Result<Wallet, Error> {
        let key = SigningKey::from_slice(secret).map_err(|e| Error::Key(format!("key: {e}")))?;
        Wallet::from_key(key, prefix)
    }

    fn from_key(key: SigningKey, prefix: &str) -> Result<Wallet, Error> {
        let account = key
            .public_key()
            .account_id(prefix)
            .map_err(|e| Error::Key(format!("address: {e}")))?;
        Ok(Wallet {
            address: account.to_string(),
            account,
            key,
        })
    }

    /// The bech32 address.
    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn account_id(&self) -> &AccountId {
        &self.account
    }

    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    pub(crate) fn sign(&self, doc: SignDoc) -> Result<Raw, Error> {
        doc.sign(&self.key)
            .map_err(|e| Error::Key(format!("sign: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mnemonic_gives_a_bech32_address_and_the_debug_form_hides_the_key() {
        // alice of the local network. That this derivation gives the address wasmd's own
        // keyring gives is checked by `cargo xtask localnet --smoke`, against the keyring
        // it writes; here only the form.
        let alice = Wallet::from_mnemonic(
            "zone loyal renew stereo girl pupil banner claim hello brother loan jelly monster \
             stool arrive soap call gather silk coach they fancy bleak tent",
            "wasm",
        )
        .unwrap();
        assert!(alice.address().starts_with("wasm1"), "{}", alice.address());
        let debug = format!("{alice:?}");
        assert_eq!(
            debug,
            format!("Wallet {{ address: {:?}, .. }}", alice.address())
        );
    }

    #[test]
    fn a_bad_mnemonic_is_refused_with_a_reason() {
        let err = Wallet::from_mnemonic("zone loyal renew", "wasm").unwrap_err();
        assert!(err.to_string().starts_with("mnemonic"), "{err}");
    }
}
