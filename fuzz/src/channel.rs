//! Payment channels (`settle_core::channel`): the state encoding and the co-signature
//! check, with the host's verifier (cosmwasm-std's `MockApi`, what the contract calls)
//! against the native one (k256).

use cosmwasm_std::testing::MockApi;
use settle_core::channel::{verify_cosigned, ChannelDomain, ChannelState, Party};
use settle_core::crypto::{L2Key, NativeVerifier, Verifier};
use settle_host::HostVerifier;

use crate::input::Input;

/// The parity vectors' channel domain and keys (their states are the seeds).
pub fn domain() -> ChannelDomain {
    ChannelDomain::new(
        "cosmos-testnet-14002",
        "cosmwasm1mzdhwvvh22wrt07w59wxyd58822qavwkx5lcej7aqfkpqqlhaqfsgn6fq2",
    )
}

pub fn keys() -> [L2Key; 2] {
    ["parity-channel-a", "parity-channel-b"].map(L2Key::from_label)
}

/// Input: `signature a (64) || signature b (64) || key order (1) || funding a, b (16 + 16)
/// || state encoding`.
pub fn channel_state(data: &[u8]) {
    let mut input = Input::new(data);
    let sigs: [[u8; 64]; 2] = [input.array(), input.array()];
    let order = input.u8();
    let funding = [input.u128(), input.u128()];
    let bytes = input.rest();

    let Ok(state) = ChannelState::decode(bytes) else {
        return;
    };
    assert_eq!(
        state.encode(),
        bytes,
        "decode accepted a non-canonical state"
    );
    if state.check(state.channel_id, funding).is_ok() {
        let funded = state.funded[0]
            .checked_add(state.funded[1])
            .expect("checked");
        assert_eq!(
            state.allocated().ok(),
            Some(funded),
            "check passed a misallocated state"
        );
        assert!(state.funded[0] <= funding[0] && state.funded[1] <= funding[1]);
        assert!(!state.is_final || state.htlcs.is_empty());
    }

    let keys = keys();
    let pubkeys = [keys[0].public_key(), keys[1].public_key()];
    let slot = |p: usize| if order & (1 << p) == 0 { p } else { 1 - p };
    let given = [&pubkeys[slot(0)], &pubkeys[slot(1)]];
    let domain = domain();
    let api = MockApi::default();
    let native = verify_cosigned(
        &NativeVerifier,
        &domain,
        &state,
        given,
        [&sigs[0], &sigs[1]],
    );
    let host = verify_cosigned(
        &HostVerifier(&api),
        &domain,
        &state,
        given,
        [&sigs[0], &sigs[1]],
    );
    assert_eq!(
        native.is_ok(),
        host.is_ok(),
        "native and host verifiers disagree: {native:?} {host:?}"
    );
    let hash = state.signing_hash(&domain);
    for p in [Party::A, Party::B] {
        let i = p.index();
        let n = NativeVerifier.secp256k1_verify(&hash, &sigs[i], given[i]);
        let h = HostVerifier(&api).secp256k1_verify(&hash, &sigs[i], given[i]);
        assert_eq!(n, h, "native and host disagree on party {p}'s signature");
    }
    if native.is_ok() {
        // ECDSA under RFC 6979 with low s: the only signature a key gives a hash.
        for p in 0..2 {
            assert_eq!(
                sigs[p],
                keys[slot(p)].sign_prehash(&hash),
                "a signature other than the key's own verified"
            );
        }
    }
}
