//! The happy-path story, built once with the core and replayed by every runtime that
//! checks it (cw-multi-test, cosmwasm-vm, the demo).

use settle_core::crypto::L2Key;

/// L2 keys of the scenario's two users.
pub fn user_keys() -> (L2Key, L2Key) {
    (L2Key::from_label("alice-l2"), L2Key::from_label("bob-l2"))
}
