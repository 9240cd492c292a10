//! Shared pieces of the suite's integration tests: scenario builders used by both the
//! cw-multi-test scenarios and the cosmwasm-vm runs of the optimized artifacts.

#[cfg(feature = "chain")]
pub mod chain;
pub mod scenario;
pub mod soak;
pub mod vectors;
#[cfg(feature = "vm")]
pub mod vm;
