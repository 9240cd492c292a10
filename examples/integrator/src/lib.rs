//! # payroll
//!
//! An integrator's contract, the example of the settlement suite's integrator guide: an
//! owner keeps funds in the contract and pays people through layer 2 with them.
//!
//! - `pay_into_rollup` deposits into the optimistic rollup on a payee's behalf (a new L2
//!   account for the payee's key): the contract is the depositor, the payee withdraws
//!   on L1 from their own L2 account.
//! - `open_channel` opens a payment channel from the contract (party A, its state key
//!   held off chain by the owner) to a payee, funded from the contract; a cooperative
//!   close pays both sides at once.

pub mod contract;
pub mod error;
pub mod msg;
pub mod state;
