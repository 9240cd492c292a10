//! The happy-path story, built once with the core and replayed by every runtime that
//! checks it (cw-multi-test, cosmwasm-vm, the demo).

/// L2 keys of the scenario's two users (settle-testing's, so integrators have them too).
pub use settle_testing::user_keys;
