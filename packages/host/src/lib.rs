//! # settle-host
//!
//! The core's [`Verifier`] implemented with the chain's host crypto (`deps.api`), for
//! every settlement contract. Nothing else lives here.
#![forbid(unsafe_code)]

use cosmwasm_std::Api;
use settle_core::crypto::Verifier;
use settle_core::Hash;

/// Signature checks through `deps.api` (a host call, ~97M CosmWasm gas, instead of
/// curve arithmetic in wasm).
pub struct HostVerifier<'a>(pub &'a dyn Api);

/// A signature with `r` and `s` in range, used only to make the host parse a key.
const PROBE_SIGNATURE: [u8; 64] = [1u8; 64];

impl Verifier for HostVerifier<'_> {
    fn secp256k1_verify(&self, msg_hash: &Hash, signature: &[u8; 64], pubkey: &[u8; 33]) -> bool {
        self.0
            .secp256k1_verify(msg_hash, signature, pubkey)
            .unwrap_or(false)
    }

    fn secp256k1_pubkey_valid(&self, pubkey: &[u8; 33]) -> bool {
        // The host parses the key before it looks at the signature: an invalid key is an
        // error, a valid key with the probe signature is `Ok(false)`.
        self.0
            .secp256k1_verify(&[0u8; 32], &PROBE_SIGNATURE, pubkey)
            .is_ok()
    }
}
