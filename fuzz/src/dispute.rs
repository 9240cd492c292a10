//! Fraud proofs (`settle_core::dispute`): the one-step proof's wire form, and the
//! one-step check itself over the parity vectors' real cases. A step is deterministic, so
//! a proof the fuzzer edited either fails or leads to the honest post-state root: any
//! other root accepted would let a liar win a game.

use std::sync::OnceLock;

use serde_json::Value;
use settle_core::crypto::NativeVerifier;
use settle_core::dispute::step::{one_step, BatchContext, OneStepProof, Parent, StepState};
use settle_core::dispute::Game;
use settle_core::hash::Hash;
use settle_core::ledger::{Deposit, DepositTarget};
use settle_core::tx::Domain;

use crate::input::Input;
use crate::vectors::{hash, num, parity, unhex};

/// One vector case: the context, the step, its agreed pre-root, the queue's deposit,
/// the honest proof and post-root.
pub struct Case {
    pub ctx: BatchContext,
    pub domain: Domain,
    pub step: u64,
    pub pre_root: Hash,
    pub deposit: Option<Deposit>,
    pub proof: Vec<u8>,
    pub post_root: Hash,
}

fn context(v: &Value) -> BatchContext {
    BatchContext {
        batch_index: num(&v["batchIndex"]) as u64,
        parent: match &v["parent"] {
            Value::Null => Parent::Genesis,
            p => Parent::Output {
                output_root: hash(&p["outputRoot"]),
                deposit_cursor: num(&p["depositCursor"]) as u64,
                data_root: hash(&p["dataRoot"]),
            },
        },
        deposits_from: num(&v["depositsFrom"]) as u64,
        deposits: num(&v["deposits"]) as u64,
        tx_steps: num(&v["txSteps"]) as u64,
        data_root: hash(&v["dataRoot"]),
    }
}

fn deposit(v: &Value) -> Option<Deposit> {
    if v.is_null() {
        return None;
    }
    let to = &v["to"];
    let target = if to["newAccount"].is_object() {
        DepositTarget::NewAccount(
            unhex(&to["newAccount"]["pubkey"])
                .try_into()
                .expect("33 bytes"),
        )
    } else {
        DepositTarget::Account(num(&to["account"]["index"]) as u32)
    };
    Some(Deposit {
        index: num(&v["index"]) as u64,
        target,
        amount: num(&v["amount"]),
        refund_to: unhex(&v["refundTo"]),
    })
}

/// The vectors' one-step cases.
pub fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        parity()["oneStep"]["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|c| Case {
                ctx: context(&c["context"]),
                domain: Domain(hash(&c["domain"])),
                step: num(&c["step"]) as u64,
                pre_root: hash(&c["preRoot"]),
                deposit: deposit(&c["deposit"]),
                proof: unhex(&c["proof"]),
                post_root: hash(&c["postRoot"]),
            })
            .collect()
    })
}

/// Input: `case (1) || proof bytes`. The proof decodes canonically, and `one_step` on the
/// case's context gives the honest post-root or an error.
pub fn one_step_proof(data: &[u8]) {
    let mut input = Input::new(data);
    let pick = input.u8() as usize;
    let bytes = input.rest();
    let decoded = OneStepProof::decode(bytes);
    if let Ok(proof) = &decoded {
        assert_eq!(
            proof.encode(),
            bytes,
            "decode accepted a non-canonical proof"
        );
    }
    let cases = cases();
    let case = &cases[pick % cases.len()];
    let Ok(proof) = decoded else {
        return;
    };
    if let Ok(post) = one_step(
        &case.ctx,
        &case.domain,
        &NativeVerifier,
        case.step,
        &case.pre_root,
        case.deposit.as_ref(),
        &proof,
    ) {
        assert_eq!(
            post, case.post_root,
            "a one-step proof led to a post-root other than the honest one"
        );
    }
}

/// The fixed-size states a game stores and a move carries: `StepState` (80 bytes) and
/// `Game`; both decode canonically.
pub fn step_state(data: &[u8]) {
    if let Ok(s) = StepState::decode(data) {
        assert_eq!(s.encode(), data);
    }
    if let Ok(g) = Game::decode(data) {
        assert_eq!(g.encode(), data, "two encodings of one game");
    }
}
