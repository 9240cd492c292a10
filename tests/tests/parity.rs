//! The `rollup` scenario of the parity vectors (`packages/core/tests/vectors/parity-v1.json`,
//! written by `cargo xtask vectors`) replayed on the contract in cw-multi-test: the same
//! deposits from the same addresses, each batch posted with the recorded data,
//! `depositsConsumed` and `outputRoot`, the contract's stored commitments compared with
//! the vectors, then every tampered claim refused with the core's recorded message and
//! every withdrawal paid with the recorded proof, moving bank balances by exactly its
//! amount. The core checks the same file natively (`packages/core/tests/parity.rs`), the
//! optimized artifact in cosmwasm-vm (`vm_parity.rs`). The `oneStep` section goes through
//! the contract's `check_proof`: every case valid, every negative case refused with the
//! core's message.

use cosmwasm_std::{Addr, Coin, HexBinary};
use optimistic_rollup::msg::{
    BatchStatus, ExecuteMsg, QueryMsg, QueuedDepositResponse, WithdrawalStatus,
};
use settle_testing::{assert_refused, SuiteBuilder, DENOM};

use settle_tests::vectors::{arr, bytes, dec, deposit_to, num, rollup_vectors, s, withdraw_msg};

#[test]
fn the_contract_replays_the_parity_rollup() {
    let r = rollup_vectors();
    let users = arr(&r, "users");
    let mut builder = SuiteBuilder::new();
    for u in users {
        let funds = dec(u, "funds");
        if funds > 0 {
            builder = builder.with_funds(s(u, "label"), funds);
        }
    }
    let mut suite = builder.build();

    // The deployment the vectors were signed for.
    assert_eq!(suite.app.block_info().chain_id, s(&r, "chainId"));
    assert_eq!(suite.rollup.as_str(), s(&r, "contract"));
    assert_eq!(suite.config().domain.to_hex(), s(&r, "domain"));
    assert_eq!(suite.config().denom, s(&r, "denom"));
    assert_eq!(suite.proposer.as_str(), s(&r, "proposer"));
    for u in users {
        let addr = suite.addr(s(u, "label"));
        assert_eq!(addr.as_str(), s(u, "address"));
        assert_eq!(
            HexBinary::from(suite.canonical(&addr)).to_hex(),
            s(u, "canonical")
        );
        assert_eq!(suite.balance(&addr, DENOM), dec(u, "funds"));
    }

    suite.bond_proposer().unwrap();
    let proposer = suite.proposer.clone();
    let deposits = arr(&r, "deposits");
    let batches = arr(&r, "batches");
    for (b, batch) in batches.iter().enumerate() {
        let b = b as u64;
        assert_eq!(num(batch, "index"), b);
        for d in deposits.iter().filter(|d| num(d, "queuedBeforeBatch") == b) {
            let who = suite.addr(s(d, "depositor"));
            assert_eq!(who.as_str(), s(d, "address"));
            let before = suite.balance(&who, DENOM);
            let amount = dec(d, "amount");
            suite
                .execute(
                    &who,
                    &ExecuteMsg::Deposit {
                        target: deposit_to(&d["target"]),
                    },
                    &[Coin::new(amount, DENOM)],
                )
                .unwrap();
            assert_eq!(suite.balance(&who, DENOM), before - amount);
            let index = num(d, "index");
            let stored: QueuedDepositResponse = suite
                .app
                .wrap()
                .query_wasm_smart(&suite.rollup, &QueryMsg::QueuedDeposit { deposit: index })
                .unwrap();
            assert_eq!(
                stored.chain_head.to_hex(),
                s(d, "chainHead"),
                "deposit {index}"
            );
            assert_eq!(stored.amount.u128(), amount);
        }
        suite
            .propose_raw(
                &proposer,
                bytes(batch, "data"),
                num(batch, "depositsConsumed"),
                bytes(batch, "outputRoot"),
            )
            .unwrap();
        let stored = suite.batch(b);
        assert_eq!(stored.data_root.to_hex(), s(batch, "dataRoot"), "batch {b}");
        assert_eq!(stored.output_root.to_hex(), s(batch, "outputRoot"));
        assert_eq!(stored.deposits_to, num(batch, "depositCursor"));
        assert_eq!(
            stored.deposits_to - stored.deposits_from,
            num(batch, "depositsConsumed")
        );
        assert_eq!(stored.tx_steps as usize, arr(batch, "steps").len());
        assert_eq!(stored.data_bytes as usize, bytes(batch, "data").len());
        assert_eq!(stored.status, BatchStatus::Proposed);
    }
    let status = suite.status();
    let last = deposits.last().expect("deposits");
    assert_eq!(status.deposit_head.to_hex(), s(last, "chainHead"));
    assert_eq!(status.deposit_count, deposits.len() as u64);
    assert_eq!(status.next_batch, batches.len() as u64);
    suite.assert_reconciles();

    suite.a_challenge_window_passes();
    for b in 0..batches.len() as u64 {
        suite.finalize(b).unwrap();
        assert_eq!(suite.batch(b).status, BatchStatus::Finalized);
    }

    // Every tampered claim is refused with the core's message and moves nothing. (Before
    // the real withdrawals: a paid (batch, index) is refused as paid before any proof.)
    let relayer = suite.addr("relayer");
    let rollup = suite.rollup.clone();
    let held = suite.balance(&rollup, DENOM);
    for c in arr(&r, "negativeClaims") {
        let what = s(c, "description");
        let recipient = suite.addr_of(s(c, "recipient"));
        let before = suite.balance(&recipient, DENOM);
        let error = s(c, "error");
        match suite.execute(&relayer, &withdraw_msg(c), &[]) {
            Ok(_) => panic!("{what}: accepted"),
            Err(e) => assert_eq!(contract_message(&e.to_string()), error, "{what}"),
        }
        assert_eq!(suite.balance(&recipient, DENOM), before, "{what}");
        assert_eq!(suite.balance(&rollup, DENOM), held, "{what}");
    }

    // Every recorded withdrawal pays exactly its amount to its recipient, once.
    let mut paid = 0u128;
    for batch in batches {
        for w in arr(batch, "withdrawals") {
            let (b, i) = (num(w, "batch"), num(w, "index") as u32);
            let recipient = suite.addr_of(s(w, "recipient"));
            assert_eq!(
                HexBinary::from(suite.canonical(&recipient)).to_hex(),
                s(w, "recipientCanonical")
            );
            assert_eq!(suite.withdrawal_status(b, i), WithdrawalStatus::Provable {});
            let amount = dec(w, "amount");
            let before = suite.balance(&recipient, DENOM);
            let held = suite.balance(&rollup, DENOM);
            suite.execute(&relayer, &withdraw_msg(w), &[]).unwrap();
            assert_eq!(suite.balance(&recipient, DENOM), before + amount, "{b}/{i}");
            assert_eq!(suite.balance(&rollup, DENOM), held - amount, "{b}/{i}");
            assert!(matches!(
                suite.withdrawal_status(b, i),
                WithdrawalStatus::Paid { amount: a, .. } if a.u128() == amount
            ));
            assert_refused(
                suite.execute(&relayer, &withdraw_msg(w), &[]),
                format!("withdrawal {i} of batch {b} is already paid"),
            );
            paid += amount;
        }
    }
    let solvency_status = suite.status();
    let deposited: u128 = deposits.iter().map(|d| dec(d, "amount")).sum();
    assert_eq!(solvency_status.total_deposited.u128(), deposited);
    assert_eq!(solvency_status.total_withdrawn.u128(), paid);
    // What stays locked is exactly what the L2 accounts hold after the last batch.
    let l2: u128 = arr(batches.last().unwrap(), "accounts")
        .iter()
        .map(|a| dec(a, "balance"))
        .sum();
    assert_eq!(solvency_status.liabilities.deposits_outstanding.u128(), l2);
    suite.assert_reconciles();
}

/// The contract's own message in a cw-multi-test error: cw-multi-test 3 prefixes it with
/// the message that failed and ends with `kind: Other, error: <the contract's message>`.
fn contract_message(rendered: &str) -> &str {
    rendered
        .rsplit_once("error: ")
        .map_or(rendered, |(_, message)| message)
}

/// An address of the vectors, as the chain knows it.
trait AddrOf {
    fn addr_of(&self, bech32: &str) -> cosmwasm_std::Addr;
}

impl AddrOf for settle_testing::Suite {
    fn addr_of(&self, bech32: &str) -> cosmwasm_std::Addr {
        use cosmwasm_std::Api;
        self.app
            .api()
            .addr_validate(bech32)
            .unwrap_or_else(|e| panic!("{bech32}: {e}"))
    }
}

/// The `oneStep` vectors through the contract's `check_proof` in cw-multi-test.
#[test]
fn the_contract_checks_the_parity_one_step_proofs() {
    use optimistic_rollup::msg::{ProofCheckResponse, ProofToCheck};
    let suite = SuiteBuilder::new().build();
    let n = settle_tests::vectors::check_one_step_vectors(|check| {
        let r: ProofCheckResponse = suite
            .app
            .wrap()
            .query_wasm_smart(
                &suite.rollup,
                &QueryMsg::CheckProof {
                    proof: Box::new(ProofToCheck::OneStep(check)),
                },
            )
            .unwrap();
        (r.valid, r.reason)
    });
    assert!(n >= 30, "only {n} one-step vectors");
}

/// The validity rollup on cw-multi-test at the vectors' address.
struct MultiTestValidity {
    app: cw_multi_test::App,
    contract: cosmwasm_std::Addr,
    denom: String,
}

impl settle_tests::vectors::ValidityRuntime for MultiTestValidity {
    fn execute(
        &mut self,
        label: &str,
        msg: &validity_rollup::msg::ExecuteMsg,
        funds: u128,
    ) -> Result<Vec<(String, u128)>, String> {
        let sender = self.app.api().addr_make(label);
        self.execute_coins(sender, msg, funds)
    }

    fn execute_from(
        &mut self,
        address: &str,
        msg: &validity_rollup::msg::ExecuteMsg,
    ) -> Result<Vec<(String, u128)>, String> {
        self.execute_coins(Addr::unchecked(address), msg, 0)
    }

    fn query<T: serde::de::DeserializeOwned>(&mut self, msg: &validity_rollup::msg::QueryMsg) -> T {
        self.app
            .wrap()
            .query_wasm_smart(&self.contract, msg)
            .unwrap_or_else(|e| panic!("query {msg:?}: {e}"))
    }

    fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += seconds.div_ceil(5);
        });
    }
}

impl MultiTestValidity {
    /// Executes `msg` from `sender` with `funds`; the bank's transfers out of the contract.
    fn execute_coins(
        &mut self,
        sender: Addr,
        msg: &validity_rollup::msg::ExecuteMsg,
        funds: u128,
    ) -> Result<Vec<(String, u128)>, String> {
        use cw_multi_test::Executor;
        let coins = if funds > 0 {
            vec![Coin::new(funds, self.denom.clone())]
        } else {
            vec![]
        };
        let res = self
            .app
            .execute_contract(sender, self.contract.clone(), msg, &coins)
            .map_err(|e| format!("{e:#}"))?;
        // The bank's transfers out of the contract.
        Ok(res
            .events
            .iter()
            .filter(|e| e.ty == "transfer")
            .filter(|e| {
                e.attributes
                    .iter()
                    .any(|a| a.key == "sender" && a.value == self.contract.as_str())
            })
            .map(|e| {
                let attr = |k: &str| {
                    e.attributes
                        .iter()
                        .find(|a| a.key == k)
                        .map(|a| a.value.clone())
                        .unwrap_or_default()
                };
                let amount = attr("amount");
                let digits = amount.trim_end_matches(self.denom.as_str());
                (attr("recipient"), digits.parse().expect("an amount"))
            })
            .collect())
    }
}

#[test]
fn the_contract_replays_the_parity_validity_rollup() {
    use cw_multi_test::{App, ContractWrapper, Executor};
    use settle_tests::vectors::{replay_validity_vectors, validity_instantiate, validity_vectors};
    let v = validity_vectors();
    let denom = s(&v, "denom").to_string();
    let users = arr(&v, "users").to_vec();
    let mut app = App::new(|router, api, storage| {
        for u in &users {
            let funds = dec(u, "funds");
            if funds > 0 {
                router
                    .bank
                    .init_balance(
                        storage,
                        &api.addr_make(s(u, "label")),
                        vec![Coin::new(funds, denom.clone())],
                    )
                    .unwrap();
            }
        }
    });
    assert_eq!(app.block_info().chain_id, s(&v, "chainId"));
    for u in &users {
        let addr = app.api().addr_make(s(u, "label"));
        assert_eq!(addr.as_str(), s(u, "address"));
    }
    let code = app.store_code(Box::new(ContractWrapper::new(
        validity_rollup::contract::execute,
        validity_rollup::contract::instantiate,
        validity_rollup::contract::query,
    )));
    let admin = app.api().addr_make("admin");
    let contract = app
        .instantiate_contract(
            code,
            admin,
            &validity_instantiate(&v),
            &[],
            "validity-rollup",
            None,
        )
        .unwrap();
    assert_eq!(contract.as_str(), s(&v, "contract"));
    let config: validity_rollup::msg::ConfigResponse = app
        .wrap()
        .query_wasm_smart(&contract, &validity_rollup::msg::QueryMsg::Config {})
        .unwrap();
    assert_eq!(config.domain.to_hex(), s(&v, "domain"));

    let mut rt = MultiTestValidity {
        app,
        contract,
        denom: denom.clone(),
    };
    let checks = replay_validity_vectors(&v, &mut rt);
    assert!(checks >= 40, "{checks} checks");
    // Every coin deposited left through a withdrawal or an exit.
    let held = rt.app.wrap().query_balance(&rt.contract, &denom).unwrap();
    assert!(held.amount.is_zero(), "the contract holds {held:?}");
    // The exit requests the batches served, with what each withdrew (`exits`, in queue
    // order).
    let exit_entries = arr(&v, "deposits")
        .iter()
        .filter(|d| d["target"]["exit"].is_object());
    let posted = arr(&v, "batches").iter().flat_map(|b| arr(b, "exits"));
    let served_exits: Vec<(&serde_json::Value, u128)> = exit_entries
        .zip(posted)
        .map(|(d, x)| (d, x.as_str().unwrap().parse().unwrap()))
        .collect();
    assert_eq!(served_exits.len(), arr(&v, "exitRequests").len());
    for u in &users {
        let addr = rt.app.api().addr_make(s(u, "label"));
        let now = rt.app.wrap().query_balance(&addr, &denom).unwrap().amount;
        let deposited: u128 = arr(&v, "deposits")
            .iter()
            .filter(|d| s(d, "depositor") == s(u, "label"))
            .map(|d| dec(d, "amount"))
            .sum();
        let received: u128 = arr(&v, "batches")
            .iter()
            .flat_map(|b| arr(b, "withdrawals"))
            .filter(|w| s(w, "address") == addr.as_str())
            .map(|w| dec(w, "amount"))
            .chain(
                arr(&v, "exits")
                    .iter()
                    .filter(|e| s(e, "recipient") == addr.as_str())
                    .map(|e| dec(e, "balance")),
            )
            .chain(served_exits.iter().flat_map(|(d, amount)| {
                // an exit request served: its amount to the recipient it named, the bond
                // back to whoever posted it
                let to = s(&d["target"]["exit"], "recipient") == addr.as_str();
                let bond = s(d, "address") == addr.as_str();
                [
                    if to { *amount } else { 0 },
                    if bond { dec(d, "amount") } else { 0 },
                ]
            }))
            .sum();
        assert_eq!(
            now,
            cosmwasm_std::Uint256::from(dec(u, "funds") - deposited + received),
            "{}'s balance",
            s(u, "label")
        );
    }
}
