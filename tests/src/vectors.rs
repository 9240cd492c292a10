//! Reading the parity vector set (`packages/core/tests/vectors/parity-v1.json`, written
//! by `cargo xtask vectors`) into the contract's messages, for the replays on
//! cw-multi-test (`tests/parity.rs`) and on the optimized artifact (`tests/vm_parity.rs`).

use cosmwasm_std::{Binary, HexBinary, Uint128};
use optimistic_rollup::msg::{DepositTarget, ExecuteMsg, OutputPreimage};
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

pub fn deposit_to(t: &Value) -> DepositTarget {
    match s(t, "kind") {
        "newAccount" => DepositTarget::NewAccount {
            pubkey: Binary::from(bytes(t, "pubkey")),
        },
        "account" => DepositTarget::Account {
            account: num(t, "index") as u32,
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
            state_root: Binary::from(bytes(c, "stateRoot")),
            withdrawals_root: Binary::from(bytes(c, "withdrawalsRoot")),
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
        output_root: Binary::from(bytes(&ctx["parent"], "outputRoot")),
        deposit_cursor: num(&ctx["parent"], "depositCursor"),
        data_root: Binary::from(bytes(&ctx["parent"], "dataRoot")),
    });
    let deposit = (!c["deposit"].is_null()).then(|| {
        let d = &c["deposit"];
        let to = &d["to"];
        StepDeposit {
            index: num(d, "index"),
            target: if to["newAccount"].is_object() {
                DepositTarget::NewAccount {
                    pubkey: Binary::from(bytes(&to["newAccount"], "pubkey")),
                }
            } else {
                DepositTarget::Account {
                    account: num(&to["account"], "index") as u32,
                }
            },
            amount: Uint128::new(dec(d, "amount")),
            refund_to: Binary::from(bytes(d, "refundTo")),
        }
    });
    OneStepCheck {
        context: DisputeContext {
            batch: num(ctx, "batchIndex"),
            parent,
            deposits_from: num(ctx, "depositsFrom"),
            deposits: num(ctx, "deposits"),
            tx_steps: num(ctx, "txSteps"),
            data_root: Binary::from(bytes(ctx, "dataRoot")),
        },
        domain: Binary::from(bytes(c, "domain")),
        step: num(c, "step"),
        pre_root: Binary::from(bytes(c, "preRoot")),
        deposit,
        proof: Binary::new(bytes(c, "proof")),
        // a negative case has no post root: any root does, the proof must be refused first
        post_root: Binary::from(if c["postRoot"].is_string() {
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

// ---------------------------------------------------------------------------------------
// validity: the validity-rollup scenario, replayed on any runtime of the contract.

/// The `validity` section of the vector file.
pub fn validity_vectors() -> Value {
    let text = std::fs::read_to_string(FILE)
        .unwrap_or_else(|e| panic!("{FILE}: {e} (run `cargo xtask vectors`)"));
    let mut all: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{FILE}: {e}"));
    all["validity"].take()
}

/// A runtime of the validity-rollup contract (cw-multi-test, or the optimized artifact in
/// cosmwasm-vm) deployed at the section's address, its users funded.
pub trait ValidityRuntime {
    /// Executes `msg` from the user `label` with `funds` of the rollup's denom; the
    /// contract's payments (recipient address, amount), or the refusal's message.
    fn execute(
        &mut self,
        label: &str,
        msg: &validity_rollup::msg::ExecuteMsg,
        funds: u128,
    ) -> Result<Vec<(String, u128)>, String>;
    /// Executes `msg` with no funds from the account at `address` (bech32), as `execute`.
    fn execute_from(
        &mut self,
        address: &str,
        msg: &validity_rollup::msg::ExecuteMsg,
    ) -> Result<Vec<(String, u128)>, String>;
    fn query<T: serde::de::DeserializeOwned>(&mut self, msg: &validity_rollup::msg::QueryMsg) -> T;
    fn advance(&mut self, seconds: u64);
}

/// The public key (bytes) that opened account `index`: the target of the deposit that
/// opened it (new-account deposits open accounts in queue order).
fn key_of_account(v: &Value, index: u32) -> Vec<u8> {
    let opener = arr(v, "deposits")
        .iter()
        .filter(|d| d["target"]["newAccount"].is_object())
        .nth(index as usize)
        .expect("the deposit that opened the account");
    bytes(&opener["target"]["newAccount"], "pubkey")
}

/// The instantiate message of the section's deployment (its verifying key and shape).
pub fn validity_instantiate(v: &Value) -> validity_rollup::msg::InstantiateMsg {
    use validity_rollup::msg::{InstantiateMsg, Shape};
    InstantiateMsg {
        admin: None,
        denom: s(v, "denom").to_string(),
        verifying_key: Binary::from(bytes(v, "verifyingKey")),
        shape: Shape {
            deposits: num(&v["shape"], "deposits") as u32,
            txs: num(&v["shape"], "txs") as u32,
        },
        exodus_after_seconds: num(v, "exodusAfter"),
        key_timelock_seconds: 7 * 86_400,
        min_deposit: cosmwasm_std::Uint128::new(1),
        min_new_account: cosmwasm_std::Uint128::new(1),
        max_pending: 1_024,
    }
}

fn submit_msg(c: &Value) -> validity_rollup::msg::ExecuteMsg {
    validity_rollup::msg::ExecuteMsg::SubmitBatch {
        data: Binary::new(bytes(c, "data")),
        deposits_consumed: num(c, "deposits"),
        new_accounts_root: Binary::from(bytes(c, "newAccountsRoot")),
        new_account_count: num(c, "newAccountCount"),
        proof: Binary::from(bytes(c, "proof")),
    }
}

/// Replays the `validity` section on `rt`: every deposit (its chain head as recorded) and
/// L1 exit request (`request_exit` with the recorded signature, its entry's amount as the
/// bond),
/// every refused `submit_batch` at its point with the core's message and no change of
/// state, every batch accepted with the recorded roots and its withdrawals paid, every
/// proof check through `verify_proof`, then exodus: every account exits with its balance
/// and the contract ends holding nothing. Returns the number of checks made.
pub fn replay_validity_vectors(v: &Value, rt: &mut impl ValidityRuntime) -> usize {
    use validity_rollup::msg::{
        DepositTarget, ExecuteMsg, ExitedResponse, QueryMsg, QueuedDepositResponse, StatusResponse,
        VerifyProofResponse,
    };
    let mut checks = 0;
    let mut check = |ok: bool, what: String| {
        assert!(ok, "{what}");
        checks += 1;
    };
    let deposits = arr(v, "deposits");
    let batches = arr(v, "batches");
    let refused = arr(v, "refusedBatches");
    for (b, batch) in batches.iter().enumerate() {
        for d in deposits
            .iter()
            .filter(|d| num(d, "queuedBeforeBatch") == b as u64)
        {
            let t = &d["target"];
            let msg = if t["exit"].is_object() {
                let r = arr(v, "exitRequests")
                    .iter()
                    .find(|r| num(r, "queueIndex") == num(d, "index"))
                    .expect("the exit request of the queue entry");
                let account = num(&t["exit"], "account") as u32;
                let a: validity_rollup::msg::AccountResponse =
                    rt.query(&QueryMsg::Account { account });
                check(
                    a.exit_sequence == num(r, "sequence")
                        && a.pubkey.map(|k| k.to_vec()) == Some(key_of_account(v, account)),
                    format!("account {account}'s key and exit sequence"),
                );
                ExecuteMsg::RequestExit {
                    account,
                    recipient: s(&t["exit"], "recipient").to_string(),
                    signature: Binary::from(bytes(r, "signature")),
                }
            } else if t["newAccount"].is_object() {
                ExecuteMsg::Deposit {
                    target: DepositTarget::NewAccount {
                        pubkey: Binary::from(bytes(&t["newAccount"], "pubkey")),
                    },
                }
            } else {
                ExecuteMsg::Deposit {
                    target: DepositTarget::Account {
                        account: num(&t["account"], "index") as u32,
                        pubkey: Binary::from(bytes(&t["account"], "pubkey")),
                    },
                }
            };
            rt.execute(s(d, "depositor"), &msg, dec(d, "amount"))
                .unwrap_or_else(|e| panic!("deposit {}: {e}", num(d, "index")));
            let r: QueuedDepositResponse = rt.query(&QueryMsg::QueuedDeposit {
                deposit: num(d, "index"),
            });
            check(
                HexBinary::from(r.chain_head.as_slice()).to_hex() == s(d, "headAfter")
                    && r.depositor.as_str() == s(d, "address"),
                format!("deposit {}'s head and depositor", num(d, "index")),
            );
        }
        let before: StatusResponse = rt.query(&QueryMsg::Status {});
        for c in refused.iter().filter(|c| num(c, "at") == b as u64) {
            match rt.execute("alice", &submit_msg(c), 0) {
                Ok(_) => panic!("{}: accepted", s(c, "name")),
                Err(e) => check(
                    e.contains(s(c, "error")),
                    format!(
                        "{}: refused with {e:?}, not {:?}",
                        s(c, "name"),
                        s(c, "error")
                    ),
                ),
            }
            let after: StatusResponse = rt.query(&QueryMsg::Status {});
            check(
                after == before,
                format!("{}: the state changed", s(c, "name")),
            );
        }
        let paid = rt
            .execute("alice", &submit_msg(batch), 0)
            .unwrap_or_else(|e| panic!("batch {b}: {e}"));
        let status: StatusResponse = rt.query(&QueryMsg::Status {});
        check(
            status.batches == b as u64 + 1
                && status.state_root.to_hex() == s(&batch["statement"], "newStateRoot")
                && status.accounts_root.to_hex() == s(batch, "newAccountsRoot")
                && status.account_count == num(batch, "newAccountCount")
                && status.deposit_head.to_hex() == s(&batch["statement"], "depositsAfter"),
            format!("batch {b}: the contract's status {status:?}"),
        );
        let mut expected: Vec<(String, u128)> = arr(batch, "withdrawals")
            .iter()
            .map(|w| (s(w, "address").to_string(), dec(w, "amount")))
            .collect();
        // Each exit request the batch serves: what it withdrew to the recipient it named,
        // the bond back to whoever posted it.
        let first = arr(v, "batches")[..b]
            .iter()
            .map(|x| num(x, "deposits"))
            .sum::<u64>() as usize;
        let served = deposits[first..first + num(batch, "deposits") as usize]
            .iter()
            .filter(|d| d["target"]["exit"].is_object());
        let exits = arr(batch, "exits");
        check(
            served.clone().count() == exits.len(),
            format!("batch {b}: one posted exit per exit request"),
        );
        for (d, amount) in served.zip(exits) {
            let amount: u128 = amount.as_str().expect("a decimal").parse().expect("u128");
            expected.push((s(&d["target"]["exit"], "recipient").to_string(), amount));
            expected.push((s(d, "address").to_string(), dec(d, "amount")));
        }
        // A batch pays nobody itself (one recipient the bank refuses must not revert a
        // proven batch): it credits each withdrawal, and each recipient claims.
        check(paid.is_empty(), format!("batch {b} sent coins {paid:?}"));
        let mut owed: Vec<(String, u128)> = Vec::new();
        for (address, amount) in expected {
            match owed.iter_mut().find(|(a, _)| *a == address) {
                Some((_, sum)) => *sum += amount,
                None => owed.push((address, amount)),
            }
        }
        for (address, amount) in owed {
            let credit: validity_rollup::msg::CreditResponse = rt.query(&QueryMsg::Credit {
                address: address.clone(),
            });
            check(
                credit.amount.u128() == amount,
                format!("batch {b}: {address} is credited {}", credit.amount),
            );
            let claimed = rt
                .execute_from(&address, &ExecuteMsg::Claim {})
                .unwrap_or_else(|e| panic!("batch {b}: {address} claims: {e}"));
            check(
                claimed == vec![(address.clone(), amount)],
                format!("batch {b}: {address}'s claim paid {claimed:?}"),
            );
        }
    }
    if let Some(c) = refused
        .iter()
        .find(|c| num(c, "at") >= batches.len() as u64)
    {
        panic!(
            "{}: at {} is past the last batch",
            s(c, "name"),
            num(c, "at")
        );
    }

    for c in arr(v, "proofChecks") {
        let r: VerifyProofResponse = rt.query(&QueryMsg::VerifyProof {
            proof: Binary::from(bytes(c, "proof")),
            public_inputs: c["publicInputs"]
                .as_array()
                .expect("inputs")
                .iter()
                .map(|x| {
                    Binary::from(
                        HexBinary::from_hex(x.as_str().expect("hex"))
                            .expect("hex")
                            .as_slice(),
                    )
                })
                .collect(),
        });
        check(
            r.valid == (c["valid"] == true) && r.reason.as_deref() == c["error"].as_str(),
            format!("verify_proof {}: {r:?}", s(c, "name")),
        );
    }

    // Exodus: no batch for `exodusAfter` seconds; everyone leaves once.
    let exits = arr(v, "exits");
    let exit_msg = |e: &Value| ExecuteMsg::ExodusWithdraw {
        account: num(e, "account") as u32,
        pubkey: Binary::from(bytes(e, "pubkey")),
        balance: Uint128::new(dec(e, "balance")),
        nonce: num(e, "nonce"),
        path: e["path"]
            .as_array()
            .expect("a path")
            .iter()
            .map(|x| {
                Binary::from(
                    HexBinary::from_hex(x.as_str().expect("hex"))
                        .expect("hex")
                        .as_slice(),
                )
            })
            .collect(),
        recipient: s(e, "recipient").to_string(),
        signature: Binary::from(bytes(e, "signature")),
    };
    let first = &exits[0];
    check(
        rt.execute(s(first, "owner"), &exit_msg(first), 0).is_err(),
        "an exit before exodus is refused".into(),
    );
    rt.advance(num(v, "exodusAfter") + 1);
    for e in exits {
        let paid = rt
            .execute(s(e, "owner"), &exit_msg(e), 0)
            .unwrap_or_else(|err| panic!("{}'s exit: {err}", s(e, "owner")));
        check(
            paid == vec![(s(e, "recipient").to_string(), dec(e, "balance"))],
            format!("{}'s exit paid {paid:?}", s(e, "owner")),
        );
        let r: ExitedResponse = rt.query(&QueryMsg::Exited {
            account: num(e, "account") as u32,
        });
        check(r.exited, format!("{} has exited", s(e, "owner")));
        check(
            rt.execute(s(e, "owner"), &exit_msg(e), 0).is_err(),
            format!("{}'s second exit is refused", s(e, "owner")),
        );
    }
    let status: StatusResponse = rt.query(&QueryMsg::Status {});
    check(
        status.locked.is_zero(),
        format!("the contract still holds {}", status.locked),
    );
    checks
}
