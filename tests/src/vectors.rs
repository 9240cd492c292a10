//! Reading the parity vector set (`packages/core/tests/vectors/parity-v1.json`, written
//! by `cargo xtask vectors`) into the contract's messages, for the replays on
//! cw-multi-test (`tests/parity.rs`) and on the optimized artifact (`tests/vm_parity.rs`).

use cosmwasm_std::{Binary, HexBinary, Uint128};
use optimistic_rollup::msg::{DepositTo, ExecuteMsg, OutputPreimage};
use serde_json::Value;

pub const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../packages/core/tests/vectors/parity-v1.json"
);

/// The `rollup` section of the vector file.
pub fn rollup_vectors() -> Value {
    let text = std::fs::read_to_string(FILE)
        .unwrap_or_else(|e| panic!("{FILE}: {e} (run `cargo xtask vectors`)"));
    let mut all: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    assert_eq!(all["provenance"]["formatVersion"], 1);
    all["rollup"].take()
}

pub fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k:?} is not a string in {v}"))
}

pub fn bytes(v: &Value, k: &str) -> Vec<u8> {
    HexBinary::from_hex(s(v, k))
        .unwrap_or_else(|e| panic!("{k:?}: {e}"))
        .to_vec()
}

pub fn num(v: &Value, k: &str) -> u64 {
    v[k].as_u64()
        .unwrap_or_else(|| panic!("{k:?} is not a number in {v}"))
}

pub fn dec(v: &Value, k: &str) -> u128 {
    s(v, k)
        .parse()
        .unwrap_or_else(|e| panic!("{k:?} is not a decimal: {e}"))
}

pub fn arr<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v[k].as_array()
        .unwrap_or_else(|| panic!("{k:?} is not an array in {v}"))
}

pub fn deposit_to(t: &Value) -> DepositTo {
    match s(t, "kind") {
        "newAccount" => DepositTo::NewAccount {
            pubkey: HexBinary::from(bytes(t, "pubkey")),
        },
        "account" => DepositTo::Account {
            index: num(t, "index") as u32,
        },
        other => panic!("unknown deposit target {other:?}"),
    }
}

/// The contract's `Withdraw` for a recorded withdrawal or claim.
pub fn withdraw_msg(c: &Value) -> ExecuteMsg {
    ExecuteMsg::Withdraw {
        batch: num(c, "batch"),
        index: num(c, "index") as u32,
        recipient: s(c, "recipient").to_string(),
        amount: Uint128::new(dec(c, "amount")),
        output: OutputPreimage {
            state_root: HexBinary::from(bytes(c, "stateRoot")),
            withdrawals_root: HexBinary::from(bytes(c, "withdrawalsRoot")),
        },
        proof: Binary::new(bytes(c, "proof")),
    }
}

/// The `oneStep` section of the vector file.
pub fn one_step_vectors() -> Value {
    let text = std::fs::read_to_string(FILE)
        .unwrap_or_else(|e| panic!("{FILE}: {e} (run `cargo xtask vectors`)"));
    let mut all: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    all["oneStep"].take()
}

/// The contract's `check_proof` fields for a `oneStep` case (positive or negative).
pub fn one_step_check(c: &Value) -> optimistic_rollup::msg::OneStepCheck {
    use optimistic_rollup::msg::{DisputeContext, OneStepCheck, ParentOutput, StepDeposit};
    let ctx = &c["context"];
    let parent = (!ctx["parent"].is_null()).then(|| ParentOutput {
        output_root: HexBinary::from(bytes(&ctx["parent"], "outputRoot")),
        deposit_cursor: num(&ctx["parent"], "depositCursor"),
        data_root: HexBinary::from(bytes(&ctx["parent"], "dataRoot")),
    });
    let deposit = (!c["deposit"].is_null()).then(|| {
        let d = &c["deposit"];
        let to = &d["to"];
        StepDeposit {
            index: num(d, "index"),
            to: if to["newAccount"].is_object() {
                DepositTo::NewAccount {
                    pubkey: HexBinary::from(bytes(&to["newAccount"], "pubkey")),
                }
            } else {
                DepositTo::Account {
                    index: num(&to["account"], "index") as u32,
                }
            },
            amount: Uint128::new(dec(d, "amount")),
            refund_to: HexBinary::from(bytes(d, "refundTo")),
        }
    });
    OneStepCheck {
        context: DisputeContext {
            batch: num(ctx, "batchIndex"),
            parent,
            deposits_from: num(ctx, "depositsFrom"),
            deposits: num(ctx, "deposits"),
            tx_steps: num(ctx, "txSteps"),
            data_root: HexBinary::from(bytes(ctx, "dataRoot")),
        },
        domain: HexBinary::from(bytes(c, "domain")),
        step: num(c, "step"),
        pre_root: HexBinary::from(bytes(c, "preRoot")),
        deposit,
        proof: Binary::new(bytes(c, "proof")),
        // a negative case has no post root: any root does, the proof must be refused first
        post_root: HexBinary::from(if c["postRoot"].is_string() {
            bytes(c, "postRoot")
        } else {
            vec![0; 32]
        }),
    }
}

/// Checks every `oneStep` vector through `check` (the contract's `check_proof` on some
/// runtime): each case valid, each negative case refused with exactly the core's
/// recorded message. Returns the number of checks.
pub fn check_one_step_vectors(
    mut check: impl FnMut(optimistic_rollup::msg::OneStepCheck) -> (bool, Option<String>),
) -> usize {
    let v = one_step_vectors();
    let mut n = 0;
    for c in arr(&v, "cases") {
        let (valid, reason) = check(one_step_check(c));
        assert!(valid, "{}: {reason:?}", s(c, "name"));
        n += 1;
    }
    for c in arr(&v, "negative") {
        let (valid, reason) = check(one_step_check(c));
        assert!(!valid, "{} was accepted", s(c, "name"));
        assert_eq!(reason.as_deref(), Some(s(c, "error")), "{}", s(c, "name"));
        n += 1;
    }
    n
}
