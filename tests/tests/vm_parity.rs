//! The `rollup` scenario of the parity vectors (`packages/core/tests/vectors/parity-v1.json`,
//! written by `cargo xtask vectors`) replayed on the OPTIMIZED artifact
//! (`artifacts/optimistic_rollup.wasm`, from `cargo xtask dist`) in cosmwasm-vm, as
//! `parity.rs` does on the contract in cw-multi-test.
//!
//! The vectors are signed for the domain of the first contract a `settle_testing::Suite`
//! instantiates, so the harness runs the artifact at that address (cosmwasm-vm's
//! `mock_env` has the same chain id, and its `MockApi` makes the same addresses as
//! cw-multi-test's). The VM has no bank: a payment is the `BankMsg::Send` a withdrawal
//! emits, and [`VmRollup::held`] tracks what the contract would hold. The `oneStep`
//! section goes through the artifact's `check_proof`.

use cosmwasm_std::{Addr, Coin, HexBinary};
use optimistic_rollup::msg::{
    BatchResponse, BatchStatus, ConfigResponse, ExecuteMsg, QueryMsg, QueuedDepositResponse,
    StatusResponse, WithdrawalStatus, WithdrawalStatusResponse,
};
use settle_tests::vm::{bank_sends, Harness, RollupParams, VmRollup};

use settle_tests::vectors::{arr, bytes, dec, deposit_to, num, rollup_vectors, s, withdraw_msg};

#[test]
fn the_optimized_artifact_replays_the_parity_rollup() {
    let r = rollup_vectors();
    let mut h = Harness::load("optimistic-rollup");
    assert_eq!(h.env.block.chain_id, s(&r, "chainId"));
    h.env.contract.address = Addr::unchecked(s(&r, "contract"));
    let params = RollupParams::default();
    assert_eq!(params.denom, s(&r, "denom"));
    let denom = params.denom.clone();
    let (mut vm, _) = VmRollup::deploy_on(h, params);
    let config: ConfigResponse = vm.h.query(&QueryMsg::Config {});
    assert_eq!(config.domain.to_hex(), s(&r, "domain"));
    assert_eq!(vm.proposer.as_str(), s(&r, "proposer"));
    for u in arr(&r, "users") {
        let addr = vm.h.addr(s(u, "label"));
        assert_eq!(addr.as_str(), s(u, "address"));
        assert_eq!(
            HexBinary::from(vm.h.canonical(&addr)).to_hex(),
            s(u, "canonical")
        );
    }

    vm.bond_proposer().unwrap();
    let deposits = arr(&r, "deposits");
    let batches = arr(&r, "batches");
    for (b, batch) in batches.iter().enumerate() {
        let b = b as u64;
        assert_eq!(num(batch, "index"), b);
        for d in deposits.iter().filter(|d| num(d, "queuedBeforeBatch") == b) {
            let who = vm.h.addr(s(d, "depositor"));
            assert_eq!(who.as_str(), s(d, "address"));
            let amount = dec(d, "amount");
            vm.execute(
                &who,
                &ExecuteMsg::Deposit {
                    target: deposit_to(&d["target"]),
                },
                &[Coin::new(amount, denom.clone())],
            )
            .unwrap_or_else(|e| panic!("deposit {}: {e}", num(d, "index")));
            let index = num(d, "index");
            let stored: QueuedDepositResponse =
                vm.h.query(&QueryMsg::QueuedDeposit { deposit: index });
            assert_eq!(
                stored.chain_head.to_hex(),
                s(d, "chainHead"),
                "deposit {index}"
            );
        }
        vm.propose_raw(
            bytes(batch, "data"),
            num(batch, "depositsConsumed"),
            bytes(batch, "outputRoot"),
        )
        .unwrap_or_else(|e| panic!("batch {b}: {e}"));
        let stored: BatchResponse = vm.h.query(&QueryMsg::Batch { batch: b });
        assert_eq!(stored.data_root.to_hex(), s(batch, "dataRoot"), "batch {b}");
        assert_eq!(stored.output_root.to_hex(), s(batch, "outputRoot"));
        assert_eq!(stored.deposits_to, num(batch, "depositCursor"));
        assert_eq!(stored.tx_steps as usize, arr(batch, "steps").len());
        assert_eq!(stored.data_bytes as usize, bytes(batch, "data").len());
    }
    let status: StatusResponse = vm.h.query(&QueryMsg::Status {});
    let last = deposits.last().expect("deposits");
    assert_eq!(status.deposit_head.to_hex(), s(last, "chainHead"));
    assert_eq!(status.deposit_count, deposits.len() as u64);

    vm.a_challenge_window_passes();
    for b in 0..batches.len() as u64 {
        vm.finalize(b).unwrap();
        let stored: BatchResponse = vm.h.query(&QueryMsg::Batch { batch: b });
        assert_eq!(stored.status, BatchStatus::Finalized);
    }

    // Tampered claims: refused with exactly the core's message, nothing paid.
    let relayer = vm.h.addr("relayer");
    let held = vm.held.get(&denom).copied();
    for c in arr(&r, "negativeClaims") {
        let what = s(c, "description");
        match vm.execute(&relayer, &withdraw_msg(c), &[]) {
            Ok(done) => panic!("{what}: accepted: {:?}", done.response),
            Err(e) => {
                assert!(!e.vm_error, "{what}: the VM failed: {e}");
                assert_eq!(e.error, s(c, "error"), "{what}");
            }
        }
        assert_eq!(vm.held.get(&denom).copied(), held, "{what}");
    }

    // Every recorded withdrawal pays exactly its amount to its recipient, once.
    let mut paid = 0u128;
    for batch in batches {
        for w in arr(batch, "withdrawals") {
            let (b, i) = (num(w, "batch"), num(w, "index") as u32);
            let amount = dec(w, "amount");
            let before = vm.held[&denom];
            let done = vm
                .execute(&relayer, &withdraw_msg(w), &[])
                .unwrap_or_else(|e| panic!("withdrawal {i} of batch {b}: {e}"));
            assert_eq!(
                bank_sends(&done.response),
                vec![(
                    s(w, "recipient").to_string(),
                    vec![Coin::new(amount, denom.clone())]
                )]
            );
            assert_eq!(vm.held[&denom], before - amount);
            let st: WithdrawalStatusResponse =
                vm.h.query(&QueryMsg::WithdrawalStatus { batch: b, index: i });
            assert!(matches!(
                st.status,
                WithdrawalStatus::Paid { ref recipient, amount: a, .. }
                    if recipient.as_str() == s(w, "recipient") && a.u128() == amount
            ));
            let again = vm.execute(&relayer, &withdraw_msg(w), &[]).unwrap_err();
            assert_eq!(
                again.error,
                format!("withdrawal {i} of batch {b} is already paid")
            );
            paid += amount;
        }
    }

    vm.sync_bank();
    let solvency = vm.solvency();
    let solvency_status = vm.status();
    let deposited: u128 = deposits.iter().map(|d| dec(d, "amount")).sum();
    assert_eq!(solvency_status.total_deposited.u128(), deposited);
    assert_eq!(solvency_status.total_withdrawn.u128(), paid);
    let l2: u128 = arr(batches.last().unwrap(), "accounts")
        .iter()
        .map(|a| dec(a, "balance"))
        .sum();
    assert_eq!(solvency_status.liabilities.deposits_outstanding.u128(), l2);
    assert!(solvency.solvent, "{solvency:?}");
    for d in &solvency.denoms {
        assert_eq!(
            d.held, d.owed,
            "{} does not reconcile: {solvency:?}",
            d.denom
        );
    }
}

/// The `oneStep` vectors through the optimized artifact's `check_proof` in cosmwasm-vm.
#[test]
fn the_optimized_artifact_checks_the_parity_one_step_proofs() {
    use optimistic_rollup::msg::{ProofCheckResponse, ProofToCheck};
    let (mut vm, _) =
        VmRollup::deploy_on(Harness::load("optimistic-rollup"), RollupParams::default());
    let n = settle_tests::vectors::check_one_step_vectors(|check| {
        let r: ProofCheckResponse = vm.h.query(&QueryMsg::CheckProof {
            proof: Box::new(ProofToCheck::OneStep(check)),
        });
        (r.valid, r.reason)
    });
    assert!(n >= 30, "only {n} one-step vectors");
}

/// The optimized validity-rollup artifact at the vectors' address.
struct VmValidityRuntime {
    h: Harness,
    denom: String,
}

impl settle_tests::vectors::ValidityRuntime for VmValidityRuntime {
    fn execute(
        &mut self,
        label: &str,
        msg: &validity_rollup::msg::ExecuteMsg,
        funds: u128,
    ) -> Result<Vec<(String, u128)>, String> {
        let sender = self.h.addr(label);
        let coins = if funds > 0 {
            vec![Coin::new(funds, self.denom.clone())]
        } else {
            vec![]
        };
        let info = self.h.info(&sender, &coins);
        let done = self.h.execute(&info, msg).map_err(|e| e.to_string())?;
        Ok(bank_sends(&done.response)
            .into_iter()
            .map(|(to, coins)| {
                assert_eq!(coins.len(), 1, "one coin per payment");
                assert_eq!(coins[0].denom, self.denom);
                (to, coins[0].amount.to_string().parse().expect("an amount"))
            })
            .collect())
    }

    fn execute_from(
        &mut self,
        address: &str,
        msg: &validity_rollup::msg::ExecuteMsg,
    ) -> Result<Vec<(String, u128)>, String> {
        let info = self.h.info(&Addr::unchecked(address), &[]);
        let done = self.h.execute(&info, msg).map_err(|e| e.to_string())?;
        Ok(bank_sends(&done.response)
            .into_iter()
            .map(|(to, coins)| {
                assert_eq!(coins.len(), 1, "one coin per payment");
                (to, coins[0].amount.to_string().parse().expect("an amount"))
            })
            .collect())
    }

    fn query<T: serde::de::DeserializeOwned>(&mut self, msg: &validity_rollup::msg::QueryMsg) -> T {
        self.h.query(msg)
    }

    fn advance(&mut self, seconds: u64) {
        self.h.advance(seconds);
    }
}

#[test]
fn the_optimized_artifact_replays_the_parity_validity_rollup() {
    use settle_tests::vectors::{replay_validity_vectors, validity_instantiate, validity_vectors};
    let v = validity_vectors();
    let mut h = Harness::load("validity-rollup");
    assert_eq!(h.env.block.chain_id, s(&v, "chainId"));
    h.env.contract.address = Addr::unchecked(s(&v, "contract"));
    for u in arr(&v, "users") {
        assert_eq!(h.addr(s(u, "label")).as_str(), s(u, "address"));
    }
    let admin = h.addr("admin");
    let info = h.info(&admin, &[]);
    h.instantiate(&info, &validity_instantiate(&v))
        .unwrap_or_else(|e| panic!("instantiate: {e}"));
    let config: validity_rollup::msg::ConfigResponse =
        h.query(&validity_rollup::msg::QueryMsg::Config {});
    assert_eq!(config.domain.to_hex(), s(&v, "domain"));
    let mut rt = VmValidityRuntime {
        h,
        denom: s(&v, "denom").to_string(),
    };
    let checks = replay_validity_vectors(&v, &mut rt);
    assert!(checks >= 40, "{checks} checks");
}
