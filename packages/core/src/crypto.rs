//! The signature check the ledger needs, behind a trait so that the contract uses the
//! chain's host function (`deps.api.secp256k1_verify`), and tools, tests and the browser
//! use k256. The ledger never calls a curve library directly.

use crate::hash::Hash;

/// Order of secp256k1 divided by two, big-endian. A signature whose `s` exceeds it is
/// "high-s": the malleated twin of a valid signature. The ledger refuses those itself,
/// because the host function and k256 disagree on whether to accept them.
pub const SECP256K1_HALF_ORDER: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// `true` when the `s` half of a `r || s` signature is at most n/2.
pub fn is_low_s(signature: &[u8; 64]) -> bool {
    signature[32..] <= SECP256K1_HALF_ORDER[..]
}

/// Signature verification as the ledger needs it.
pub trait Verifier {
    /// ECDSA over secp256k1: `signature` is `r || s`, `pubkey` a 33-byte compressed
    /// point, `msg_hash` the 32-byte prehash. Any invalid input yields `false`, and so does
    /// a high-s signature (see [`is_low_s`]): every implementation must give the same
    /// answer for every input, or the chain and the native tools would disagree.
    fn secp256k1_verify(&self, msg_hash: &Hash, signature: &[u8; 64], pubkey: &[u8; 33]) -> bool;

    /// Whether `pubkey` decodes to a point on secp256k1 (the backend's own parsing).
    /// Use [`valid_pubkey`], which adds the protocol's format rule.
    fn secp256k1_pubkey_valid(&self, pubkey: &[u8; 33]) -> bool;
}

/// The protocol's rule for an L2 account key: a SEC1 *compressed* point (prefix 0x02 or
/// 0x03; k256 would also take the 0x05 "compact" form) that lies on the curve.
pub fn valid_pubkey<V: Verifier + ?Sized>(verifier: &V, pubkey: &[u8; 33]) -> bool {
    matches!(pubkey[0], 0x02 | 0x03) && verifier.secp256k1_pubkey_valid(pubkey)
}

#[cfg(feature = "native")]
pub use native::{L2Key, NativeVerifier};

#[cfg(feature = "native")]
mod native {
    use super::*;
    use crate::error::Error;
    use k256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use k256::ecdsa::{Signature, SigningKey, VerifyingKey};

    /// [`Verifier`] backed by k256, for tools, tests and the browser.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct NativeVerifier;

    impl Verifier for NativeVerifier {
        fn secp256k1_verify(
            &self,
            msg_hash: &Hash,
            signature: &[u8; 64],
            pubkey: &[u8; 33],
        ) -> bool {
            let (Ok(key), Ok(sig)) = (
                VerifyingKey::from_sec1_bytes(pubkey),
                Signature::from_slice(signature),
            ) else {
                return false;
            };
            key.verify_prehash(msg_hash, &sig).is_ok()
        }

        fn secp256k1_pubkey_valid(&self, pubkey: &[u8; 33]) -> bool {
            VerifyingKey::from_sec1_bytes(pubkey).is_ok()
        }
    }

    /// An L2 account key (secp256k1, the same curve as Cosmos account keys).
    #[derive(Clone)]
    pub struct L2Key {
        key: SigningKey,
    }

    impl core::fmt::Debug for L2Key {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(f, "L2Key({})", hex::encode(self.public_key()))
        }
    }

    impl L2Key {
        /// A key from 32 secret bytes (a scalar in `1..n`).
        pub fn from_secret(secret: &[u8; 32]) -> Result<Self, Error> {
            SigningKey::from_bytes(secret.into())
                .map(|key| L2Key { key })
                .map_err(|_| {
                    Error::InvalidKey(
                        "a secret must be a scalar in 1..n-1 (n = the curve order)".into(),
                    )
                })
        }

        /// A deterministic key derived from a label (demos and tests only: anyone who
        /// knows the label knows the key).
        pub fn from_label(label: &str) -> Self {
            let mut counter = 0u32;
            loop {
                let secret = crate::hash::keccak256_concat(&[
                    b"settle/test-key/v1",
                    label.as_bytes(),
                    &counter.to_be_bytes(),
                ]);
                if let Ok(k) = Self::from_secret(&secret) {
                    return k;
                }
                counter += 1;
            }
        }

        /// The 32 secret bytes.
        pub fn secret_bytes(&self) -> [u8; 32] {
            self.key.to_bytes().into()
        }

        /// The compressed public key.
        pub fn public_key(&self) -> [u8; 33] {
            let point = self.key.verifying_key().to_encoded_point(true);
            point
                .as_bytes()
                .try_into()
                .expect("a compressed point is 33 bytes")
        }

        /// A low-s `r || s` signature over a 32-byte prehash.
        pub fn sign_prehash(&self, msg_hash: &Hash) -> [u8; 64] {
            let sig: Signature = self
                .key
                .sign_prehash(msg_hash)
                .expect("a 32-byte prehash is always signable");
            let sig = sig.normalize_s().unwrap_or(sig);
            sig.to_bytes().into()
        }
    }
}

#[cfg(all(test, feature = "native"))]
mod tests {
    use super::*;

    #[test]
    fn native_sign_verify_round_trip_and_low_s() {
        let key = L2Key::from_label("alice");
        let msg = crate::hash::keccak256(b"hello");
        let sig = key.sign_prehash(&msg);
        assert!(is_low_s(&sig));
        assert!(NativeVerifier.secp256k1_verify(&msg, &sig, &key.public_key()));
        let other = crate::hash::keccak256(b"hullo");
        assert!(!NativeVerifier.secp256k1_verify(&other, &sig, &key.public_key()));
        assert!(valid_pubkey(&NativeVerifier, &key.public_key()));
        let mut compact = key.public_key();
        compact[0] = 0x05;
        assert!(!valid_pubkey(&NativeVerifier, &compact));
        let mut off_curve = key.public_key();
        off_curve[1..].copy_from_slice(&[0xff; 32]); // x >= p: not a field element
        assert!(!valid_pubkey(&NativeVerifier, &off_curve));
        assert!(!NativeVerifier.secp256k1_verify(&msg, &sig, &off_curve));
        // the same key from its secret bytes
        let again = L2Key::from_secret(&key.secret_bytes()).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        assert!(L2Key::from_secret(&[0u8; 32]).is_err());
    }

    #[test]
    fn half_order_is_the_boundary() {
        let mut sig = [0u8; 64];
        sig[32..].copy_from_slice(&SECP256K1_HALF_ORDER);
        assert!(is_low_s(&sig));
        sig[63] += 1;
        assert!(!is_low_s(&sig));
    }
}
