//! # settle-host
//!
//! The core's [`Verifier`] implemented with the chain's host crypto (`deps.api`), for
//! every settlement contract, (feature `validity`) the BLS12-381 pairing backend of
//! settle-core's Groth16 verifier, and the cw2 rules every contract's `migrate` applies
//! ([`upgrade`]), and the response shape every contract shares ([`solvency`]). Nothing
//! else lives here.
#![forbid(unsafe_code)]

pub mod solvency;
pub mod upgrade;

use cosmwasm_std::Api;
use settle_core::crypto::{is_low_s, Verifier};
use settle_core::Hash;

/// Signature checks through `deps.api` (a host call, ~97M CosmWasm gas, instead of
/// curve arithmetic in wasm).
pub struct HostVerifier<'a>(pub &'a dyn Api);

/// A signature with `r` and `s` in range, used only to make the host parse a key.
const PROBE_SIGNATURE: [u8; 64] = [1u8; 64];

impl Verifier for HostVerifier<'_> {
    fn secp256k1_verify(&self, msg_hash: &Hash, signature: &[u8; 64], pubkey: &[u8; 33]) -> bool {
        // The host function accepts both forms of `s`; k256 (`NativeVerifier`) accepts
        // only the low one. Refuse the high one here too, so the chain and the native
        // tools agree on every signature, whether or not a caller checks `is_low_s` first.
        is_low_s(signature)
            && self
                .0
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

#[cfg(feature = "validity")]
pub use pairing::HostPairing;

#[cfg(feature = "validity")]
mod pairing {
    use cosmwasm_std::Api;
    use settle_core::validity::groth16::{PairingBackend, G1, G2};
    use settle_core::Error;

    /// settle-core's Groth16 verifier over the chain's BLS12-381 host functions
    /// (`bls12_381_aggregate_g1`, `bls12_381_pairing_equality`): no curve arithmetic runs
    /// in wasm.
    pub struct HostPairing<'a>(pub &'a dyn Api);

    fn host_error(e: impl core::fmt::Display) -> Error {
        Error::Malformed {
            what: "bls12-381 host call",
            reason: e.to_string(),
        }
    }

    impl PairingBackend for HostPairing<'_> {
        fn g1_sum(&self, points: &[u8]) -> Result<G1, Error> {
            self.0.bls12_381_aggregate_g1(points).map_err(host_error)
        }

        fn g1_valid(&self, p: &G1) -> bool {
            // The host decodes (and checks: on the curve, in the subgroup) every point it
            // sums.
            self.0.bls12_381_aggregate_g1(p).is_ok()
        }

        fn g2_valid(&self, p: &G2) -> bool {
            self.0.bls12_381_aggregate_g2(p).is_ok()
        }

        fn pairing_equality(&self, ps: &[u8], qs: &[u8], r: &G1, s: &G2) -> Result<bool, Error> {
            self.0
                .bls12_381_pairing_equality(ps, qs, r, s)
                .map_err(host_error)
        }
    }
}
