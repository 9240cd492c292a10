//! # settle-zk
//!
//! The validity rollup's circuit, keys and prover: one Groth16 proof over BLS12-381 says
//! "[`Ledger::apply_batch`] took the state `prev` to `new` by applying the queued deposits
//! between `deposits_before` and `deposits_after` and the transactions whose data hashes to
//! `data`, in the rollup `domain`". The native rules live in [`settle_core::validity`];
//! this crate writes the same rules as constraints and is tested against them: a batch the
//! native ledger accepts gives a satisfied circuit, and tampering with any part of the
//! witness or the statement does not.
//!
//! [`Ledger::apply_batch`]: settle_core::validity::ledger::Ledger::apply_batch
//!
//! ## The one public input
//!
//! The proof has one public input, [`Statement::public_input`] =
//! `Poseidon_Statement(domain, prev state root, new state root, data commitment,
//! deposits before, deposits after)`. The circuit takes the six elements as witnesses,
//! hashes them with the same Poseidon and enforces equality with the input. The verifier
//! (the contract) thus combines one input into `vk_x` whatever the batch, and the six
//! elements it recomputes itself (its domain, its stored roots and deposit heads, the
//! commitment of the posted data) are bound to it by one hash (three permutations).
//!
//! ## The circuit, in order
//!
//! ```text
//!  statement ──hash──> public input
//!  prev state root = Poseidon_State(accounts root, count)       count < 2^21
//!    │
//!    ├─ deposit slot 0 … K-1   (real ones first, then padding)
//!    │     chain head = Poseidon_Deposit(head, a, b, c)        (padding: unchanged)
//!    │     new account: leaf[count] empty → Leaf(a, b, amount), count += 1
//!    │     credit:      leaf[a] exists (a < count), balance + amount < 2^128
//!    │
//!    ├─ transaction slot 0 … N-1   (kind 0 padding, 1 transfer, 2 withdrawal)
//!    │     e0 split into its fields; sender leaf under the root; EdDSA on
//!    │     Poseidon_TxMessage(domain, e0, e1, nonce); the debit; the sender's new leaf;
//!    │     a transfer: the recipient's leaf under the updated root and its credit
//!    │
//!  chain head = deposits after
//!  data commitment = Poseidon_Data(e0, e1 of every slot; padding is zeros)
//!  new state root = Poseidon_State(accounts root, count)
//! ```
//!
//! Per **deposit slot** ([`circuit`]; 11,600 constraints, 46 Poseidon permutations):
//! - `active` is a bit; once a slot is padding every later one is (padding after the
//!   real deposits, as the contract's queue hands them out). A padding slot has `c = 0`
//!   and leaves the chain head, the tree and the count unchanged.
//! - `c = amount | flag << 128` is split into 128 + 1 bits: the flag marks a new account
//!   ([`Deposit::elements`]), the amount is below 2^128.
//! - New account: its index (20 bits) equals the count, so the count stays at most 2^20;
//!   the leaf there is zero (empty) under the current root; it becomes
//!   `Leaf(a, b, amount)` (nonce 0); the count grows by one.
//! - Credit: `a` is the index, `b = 0`, the index is below the count; the leaf there is
//!   `Leaf(x, y, balance | nonce << 128)` with a 128-bit balance and 64-bit nonce (so the
//!   packed element has one reading), and the new balance `balance + amount` is below
//!   2^128 ([`settle_core::ledger::credit`]).
//!
//! Per **transaction slot** (29,201 constraints: 93 permutations, about 6,000 for the
//! signature, the rest range checks and selections):
//! - `e0` is split into `kind (8) | from (32) | to (32) | amount (128) | len (8) | r[31] (8)`
//!   exactly as [`TxBody::slot`] packs it, which range-checks every field; the kind is 0,
//!   1 or 2; `from` and `to` are below 2^20. The slot is one `TxBody::slot` could write:
//!   padding is `(0, 0)`, a withdrawal has `to = 0` and `len` of 20 or 32, a transfer has no
//!   recipient bytes (`len = r[31] = e1 = 0`).
//! - The sender is below the count and its leaf is under the current root.
//! - The signature ([`gadgets::eddsa`]): `A` (the leaf's key) and `R` on the curve, `S`
//!   below ℓ, `h = Poseidon_Challenge(R, A, m)` as its full 255 bits, and
//!   `8·S·B = 8·R + 8·h·A`, over `m = Poseidon_TxMessage(domain, e0, e1, nonce)`.
//! - The debit ([`settle_core::ledger::debit`]): the nonce is the account's, `nonce + 1`
//!   fits 64 bits, the amount is not zero, `balance - amount` fits 128 bits (no
//!   overdraft); the sender's leaf becomes `Leaf(x, y, remaining | nonce + 1 << 128)` and
//!   the root follows.
//! - A transfer: the recipient (below the count) is read under the root *after* the
//!   sender's update, exactly as the native ledger does, so a self-transfer credits the
//!   debited balance back; `balance + amount` fits 128 bits.
//!
//! Why every slot runs every gadget: Groth16 keys fix the constraint system, so a slot's
//! constraints cannot depend on what it holds. Padding and unused parts run on placeholder
//! values (the identity as key and `R`, zeros elsewhere) with their checks switched off by
//! the slot's `active` / `is_transfer` bits; [`BatchCircuit::blank`] synthesizes the same
//! system without any value.
//!
//! What the circuit leaves to the contract: a withdrawal's recipient bytes past `len` are
//! zero (the contract recomputes the data commitment from the posted bytes, which can only
//! encode such slots), and a new account's key is a valid Jubjub key (the contract checks
//! it before queueing the deposit, and the deposit chain binds it).
//!
//! ## Hashes
//!
//! Every hash is [`gadgets::PoseidonVar`]: arkworks' Poseidon sponge gadget with the core's
//! parameters and the capacity element set to [`initial_capacity`]`(domain, len)`, as
//! [`settle_core::validity::poseidon::hash_with`] does natively (tested for lengths 0 to 8
//! and longer). A Merkle path of the depth-20 tree is 20 Poseidon permutations; an update
//! computes the old and new roots from one path.
//!
//! ## Keys and proofs
//!
//! [`setup`] runs the circuit-specific Groth16 setup for a [`Shape`]; [`prove`] (or
//! [`prove_with_progress`]) returns `A || B || C` compressed (192 bytes). Key files and
//! the verifying key's wire form for the contract are in [`keys`]. The `parallel` feature
//! (default) proves on every core; without it the crate builds for
//! `wasm32-unknown-unknown`, and nothing here draws randomness but from the caller's RNG.
//!
//! [`Statement::public_input`]: settle_core::validity::ledger::Statement::public_input
//! [`Deposit::elements`]: settle_core::validity::ledger::Deposit::elements
//! [`TxBody::slot`]: settle_core::validity::ledger::TxBody::slot
//! [`Shape`]: settle_core::validity::ledger::Shape
//! [`initial_capacity`]: settle_core::validity::poseidon::initial_capacity
#![forbid(unsafe_code)]

pub mod circuit;
mod error;
pub mod gadgets;
pub mod keys;
pub mod prover;

pub use circuit::{BatchCircuit, Layout, Measure, Part};
pub use error::Error;
pub use keys::{
    proof_from_bytes, proof_to_bytes, setup, vk_from_wire, vk_to_wire, ProverRng, ProvingKey,
    VerifyingKey, PROOF_LEN, VK_WIRE_LEN,
};
pub use prover::{prove, prove_with_progress, public_input, Stage};
