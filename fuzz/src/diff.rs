//! Differential targets: two implementations that must agree.
//!
//! - `wasm_decoders`: the wasm package's own decode paths (run natively: its serde types
//!   and parsers, none of which touch a JS value) against the core and a reference: the
//!   channel-state object form against the core's byte form, its `uint256` parser against
//!   a plain big-integer reference, its fixed-length hex fast path against its general
//!   path, and its bech32 decoding against cosmwasm-std's `MockApi` (what the chain does).
//! - `zk_circuit`: the native validity ledger against the circuit (settle-zk), shape
//!   1 deposit / 1 transaction, synthesis only: a batch the ledger accepts satisfies the
//!   constraints; a transaction the ledger refuses, or a wrong public input, does not.

use cosmwasm_std::testing::MockApi;
use cosmwasm_std::Api;
use settle_core::channel::ChannelState;
use settle_wasm::channel::ChannelStateJs;
use settle_wasm::convert::{canonical, hex_array, hex_bytes, human, u256};

use crate::input::Input;

/// `uint256` from decimal or `0x`-hex by schoolbook arithmetic on four 64-bit limbs
/// (most significant first); `None` if it is not a number or does not fit.
pub fn reference_u256(s: &str) -> Option<[u8; 32]> {
    let (digits, radix) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => (h, 16u64),
        None if s.is_empty() => return None,
        None => (s, 10u64),
    };
    let mut limbs = [0u64; 4];
    for c in digits.chars() {
        let d = c.to_digit(radix as u32)? as u64;
        let mut carry = d as u128;
        for limb in limbs.iter_mut().rev() {
            let v = *limb as u128 * radix as u128 + carry;
            *limb = v as u64;
            carry = v >> 64;
        }
        if carry != 0 {
            return None;
        }
    }
    let mut out = [0u8; 32];
    for (i, l) in limbs.iter().enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&l.to_be_bytes());
    }
    Some(out)
}

pub fn wasm_decoders(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.u8();
    let rest = input.rest();
    let text = core::str::from_utf8(rest).ok();
    match mode % 5 {
        // bytes -> core -> the package's object -> JSON -> object -> core
        0 => {
            let Ok(state) = ChannelState::decode(rest) else {
                return;
            };
            let js = ChannelStateJs::from(&state);
            let json = serde_json::to_string(&js).expect("serializes");
            let back: ChannelStateJs =
                serde_json::from_str(&json).expect("its own JSON reads back");
            assert_eq!(back, js);
            assert_eq!(
                back.to_core().ok(),
                Some(state),
                "object form and byte form differ"
            );
        }
        // any JSON object the package accepts is a state the core encodes and decodes
        1 => {
            let Some(json) = text else { return };
            let Ok(js) = serde_json::from_str::<ChannelStateJs>(json) else {
                return;
            };
            if let Ok(state) = js.to_core() {
                let bytes = state.encode();
                assert_eq!(
                    ChannelState::decode(&bytes).as_ref(),
                    Ok(&state),
                    "the package took a state the core cannot decode"
                );
            }
        }
        2 => {
            let Some(s) = text else { return };
            assert_eq!(u256(s).ok(), reference_u256(s), "uint256 parse of {s:?}");
        }
        3 => {
            let Some(s) = text else { return };
            let fast = hex_array::<32>("hash", s).ok();
            let slow = hex_bytes("hash", s)
                .ok()
                .and_then(|b| <[u8; 32]>::try_from(b).ok());
            assert_eq!(fast, slow, "hex fast path and general path differ on {s:?}");
        }
        _ => {
            let Some(address) = text else { return };
            let api = MockApi::default();
            if let Ok(chain) = api.addr_canonicalize(address) {
                assert_eq!(
                    canonical(address).ok().as_deref(),
                    Some(chain.as_slice()),
                    "the chain reads {address:?} and the package does not (or differently)"
                );
            }
            if let Ok(bytes) = canonical(address) {
                // what the package writes, it reads back (bech32 caps an address at 90
                // characters, so long byte strings do not encode at all)
                if let Ok(again) = human(&bytes, "cosmwasm") {
                    assert_eq!(canonical(&again).ok(), Some(bytes));
                }
            }
        }
    }
}

pub use zk::zk_circuit;

mod zk {
    use super::Input;
    use settle_core::validity::eddsa::SecretKey;
    use settle_core::validity::ledger::{
        rollup_domain, BatchWitness, Deposit, Ledger, Shape, Tx, TxBody,
    };
    use settle_core::validity::Fr;
    use settle_zk::BatchCircuit;

    const SHAPE: Shape = Shape {
        deposits: 1,
        txs: 1,
    };

    fn key(n: u8) -> SecretKey {
        SecretKey::from_seed(&[n; 32])
    }

    fn satisfied(witness: &BatchWitness) -> bool {
        BatchCircuit::new(witness).is_ok_and(|c| c.check().is_ok())
    }

    /// Input: `opening amount (8) || kind (1) || to (1) || amount (8) || nonce (1) ||
    /// signer (1) || recipient length (1)`, then which statement part to break.
    pub fn zk_circuit(data: &[u8]) {
        let mut input = Input::new(data);
        let domain = rollup_domain("settle-fuzz", b"validity-rollup");
        // Account 0 (key 1) opens natively; the batch opens account 1 (key 2) and runs one
        // transaction.
        let mut ledger = Ledger::new();
        let opening = input.u64() as u128;
        ledger
            .apply_deposit(&Deposit::NewAccount {
                key: key(1).public_key(),
                amount: opening,
            })
            .expect("opens");
        let deposit = Deposit::NewAccount {
            key: key(2).public_key(),
            amount: input.u32() as u128,
        };
        let kind = input.u8();
        let to = input.u8() as u32 % 3;
        let amount = match input.u8() % 4 {
            0 => input.u64() as u128 % (opening + 2),
            1 => opening,
            2 => u128::MAX - input.u8() as u128,
            _ => input.u64() as u128,
        };
        let nonce = (input.u8() % 3) as u64 % 2;
        let signer = 1 + input.u8() % 2;
        let body = if kind & 1 == 0 {
            TxBody::Transfer {
                from: 0,
                to,
                amount,
            }
        } else {
            TxBody::Withdraw {
                from: 0,
                amount,
                recipient: vec![7; if input.bool() { 20 } else { 32 }],
            }
        };
        let tx = Tx::sign(ledger.hasher(), &domain, body.clone(), nonce, &key(signer));
        let head = Fr::from(0u64);
        match ledger.clone().apply_batch(
            SHAPE,
            &domain,
            &head,
            &[deposit],
            std::slice::from_ref(&tx),
        ) {
            Ok((witness, _)) => {
                assert!(
                    satisfied(&witness),
                    "the ledger accepted a batch the circuit does not satisfy"
                );
                // the same witness claiming another statement
                let circuit = BatchCircuit::new(&witness).expect("fits");
                let wrong = circuit.public_input().expect("has a witness") + Fr::from(1u64);
                assert!(
                    circuit.with_public_input(wrong).check().is_err(),
                    "the circuit proved a statement other than the ledger's"
                );
            }
            Err(_) => {
                // The ledger refused the transaction: run the batch with a transaction it
                // accepts from the same sender (a transfer of 1 to itself at its nonce),
                // then put the refused one, validly signed by the fuzzed signer, in its
                // slot. The circuit must refuse the witness.
                let baseline_body = TxBody::Transfer {
                    from: 0,
                    to: 0,
                    amount: 1,
                };
                let baseline = Tx::sign(ledger.hasher(), &domain, baseline_body, 0, &key(1));
                let Ok((mut witness, _)) = ledger.clone().apply_batch(
                    SHAPE,
                    &domain,
                    &head,
                    &[deposit],
                    std::slice::from_ref(&baseline),
                ) else {
                    return; // the sender cannot even pay 1 (opened with nothing)
                };
                witness.txs[0].tx = tx;
                if witness.txs[0].tx == baseline {
                    return;
                }
                assert!(
                    !satisfied(&witness),
                    "the circuit accepts a transaction the ledger refuses: {body:?} nonce {nonce} key {signer}"
                );
            }
        }
    }
}
