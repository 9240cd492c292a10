//! Regression tests for the bugs fuzzing found, one per bug, named after it. The input
//! that found each one is also in its target's corpus (`corpus/<target>/`).

use cosmwasm_std::testing::MockApi;
use settle_core::crypto::{L2Key, NativeVerifier, Verifier};
use settle_host::HostVerifier;

/// `channel_state` found that the host's verifier (cosmwasm-std's `secp256k1_verify`)
/// accepted the high-s twin of a valid signature while k256 (`NativeVerifier`) refused it:
/// two implementations of `Verifier` disagreeing. Every caller in the core checked
/// `is_low_s` first, so no contract acted on it, but one unguarded call would have split
/// the chain from the native tools. `HostVerifier` now refuses high s itself.
#[test]
fn native_and_host_verifiers_agree_on_high_s() {
    // n, the order of secp256k1
    let n =
        hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141").unwrap();
    let key = L2Key::from_label("high-s");
    let hash = [7u8; 32];
    let low = key.sign_prehash(&hash);
    // s' = n - s: the same signature with the other s
    let mut high = low;
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = n[i] as i16 - low[32 + i] as i16 - borrow;
        high[32 + i] = d.rem_euclid(256) as u8;
        borrow = (d < 0) as i16;
    }
    let api = MockApi::default();
    let host = HostVerifier(&api);
    let pk = key.public_key();
    assert!(NativeVerifier.secp256k1_verify(&hash, &low, &pk));
    assert!(host.secp256k1_verify(&hash, &low, &pk));
    assert!(!NativeVerifier.secp256k1_verify(&hash, &high, &pk));
    assert!(
        !host.secp256k1_verify(&hash, &high, &pk),
        "the host accepted high s"
    );
}

/// `diff_wasm` found that the wasm package's `uint256` parser (what `StandardMerkleTree`
/// and `ozVerify` read amounts with) took `"0x0x1f1f"` as `0x1f1f`: it stripped the `0x`
/// prefix, then decoded the digits with a helper that strips another one. OpenZeppelin's
/// JS (`BigInt`) refuses it, and so does the package now.
#[test]
fn u256_refuses_a_doubled_0x_prefix() {
    use settle_wasm::convert::u256;
    assert!(u256("0x0x1f1f").is_err());
    assert!(u256("0X0x1f").is_err());
    let mut v = [0u8; 32];
    v[30..].copy_from_slice(&[0x1f, 0x1f]);
    assert_eq!(u256("0x1f1f").ok(), Some(v));
    assert_eq!(
        u256("0x0x1f1f").ok(),
        settle_fuzz::diff::reference_u256("0x0x1f1f")
    );
}
