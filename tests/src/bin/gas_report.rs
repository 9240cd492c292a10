//! The gas report: scenarios on the OPTIMIZED artifacts in cosmwasm-vm, in the gas model of
//! `settle_tests::vm` (sdk_gas = ceil(cosmwasm_gas / 140,000) + kv_gas + 10 * tx_bytes; see
//! that module for what is and is not modelled). Prints a table and writes
//! `target/gas-report.json`.
//!
//! Run it with `cargo xtask gas` (builds the artifacts first) or, once `artifacts/` exists,
//! `cargo run -p settle-tests --features vm --bin gas-report`.

use std::time::Instant;

use cosmwasm_std::Addr;
use optimistic_rollup::msg::{DepositTo, QueryMsg, SolvencyResponse};
use serde::Serialize;
use settle_core::batch::encode_batch;
use settle_core::crypto::L2Key;
use settle_core::ledger::{ACCOUNT_TREE_DEPTH, WITHDRAWAL_TREE_DEPTH};
use settle_core::tx::SignedTx;
use settle_tests::vm::{workspace_root, Executed, GasUse, RollupParams, VmRollup};

/// L2 accounts opened before the batches (each by one deposit through the contract).
const ACCOUNTS: usize = 1_000;
/// Each account's opening deposit.
const OPENING_DEPOSIT: u128 = 1_000_000;

#[derive(Debug, Serialize)]
struct Row {
    contract: String,
    action: String,
    cosmwasm_gas: u64,
    sdk_gas: u64,
    kv_gas: u64,
    tx_bytes: u64,
    wasm_bytes: usize,
    note: String,
}

struct Report {
    contract: String,
    wasm_bytes: usize,
    rows: Vec<Row>,
}

impl Report {
    fn add(&mut self, action: &str, gas: GasUse, note: impl Into<String>) {
        self.rows.push(Row {
            contract: self.contract.clone(),
            action: action.to_string(),
            cosmwasm_gas: gas.cosmwasm_gas,
            sdk_gas: gas.sdk_gas,
            kv_gas: gas.kv_gas,
            tx_bytes: gas.tx_bytes,
            wasm_bytes: self.wasm_bytes,
            note: note.into(),
        });
    }
}

fn ok<T>(what: &str, r: Result<T, settle_tests::vm::Refused>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn kv_note(g: &GasUse) -> String {
    let k = g.kv_ops;
    let mut note = format!("{} reads, {} writes", k.reads, k.writes);
    if k.deletes > 0 {
        note += &format!(", {} deletes", k.deletes);
    }
    if k.iterator_steps > 0 {
        note += &format!(", {} iterator steps", k.iterator_steps);
    }
    note
}

/// Posts a batch of `txs` (no pending deposits) and records its row.
fn batch_row(r: &mut VmRollup, report: &mut Report, action: &str, what: &str, txs: &[SignedTx]) {
    assert!(r.node.pending_deposits().is_empty());
    let data = encode_batch(txs);
    let (proposal, done) = ok(action, r.propose(data));
    let applied = r.node.batch(proposal.index).expect("applied").applied();
    assert_eq!(applied, txs.len(), "every transaction of the batch applies");
    let n = txs.len().max(1) as u64;
    let bytes = proposal.data.len();
    let g = done.gas;
    report.add(
        action,
        g,
        format!(
            "batch {}: {} {what}, data {bytes} B ({} B/tx), {} SDK gas/tx; {}",
            proposal.index,
            txs.len(),
            bytes as u64 / n,
            g.sdk_gas / n,
            kv_note(&g)
        ),
    );
}

fn main() {
    let started = Instant::now();
    let contract = "optimistic-rollup";
    let params = RollupParams::default();
    let (mut r, inst) = VmRollup::deploy(params.clone());
    let mut report = Report {
        contract: contract.to_string(),
        wasm_bytes: r.h.wasm_bytes,
        rows: Vec::new(),
    };
    report.add("instantiate", inst.gas, kv_note(&inst.gas));
    let bond = ok("bond", r.bond_proposer());
    report.add("bond", bond.gas, kv_note(&bond.gas));

    // Open the accounts, one deposit each, through the contract.
    let t = Instant::now();
    let keys: Vec<L2Key> = (0..ACCOUNTS)
        .map(|i| L2Key::from_label(&format!("gas-user-{i}")))
        .collect();
    let users: Vec<Addr> = (0..ACCOUNTS)
        .map(|i| r.h.addr(&format!("user-{i}")))
        .collect();
    let mut deposits: Vec<Executed> = Vec::with_capacity(ACCOUNTS);
    for (user, key) in users.iter().zip(&keys) {
        deposits.push(ok(
            "deposit",
            r.deposit_new_account(user, key, OPENING_DEPOSIT),
        ));
    }
    let first = deposits.first().expect("deposits").gas;
    let last = deposits.last().expect("deposits").gas;
    let max = deposits.iter().map(|d| d.gas.sdk_gas).max().unwrap_or(0);
    report.add(
        "deposit (new account)",
        last,
        format!(
            "the {ACCOUNTS}th of {ACCOUNTS} (first {} SDK gas, max {max}); secp256k1 key check on the host; {}",
            first.sdk_gas,
            kv_note(&last)
        ),
    );
    eprintln!("{ACCOUNTS} deposits in {:.1} s", t.elapsed().as_secs_f64());
    let top_up = ok(
        "deposit existing",
        r.deposit(&users[0], DepositTo::Account { index: 0 }, 5_000),
    );
    report.add(
        "deposit (existing account)",
        top_up.gas,
        kv_note(&top_up.gas),
    );

    // One batch consumes every queued deposit (no transactions): the accounts exist.
    let pending = r.node.pending_deposits().len();
    let (_, done) = ok("propose deposits", r.propose(Vec::new()));
    report.add(
        &format!("propose batch (0 tx, {pending} deposits)"),
        done.gas,
        format!(
            "consumes the deposit queue; account tree depth {ACCOUNT_TREE_DEPTH}; {}",
            kv_note(&done.gas)
        ),
    );
    assert_eq!(r.node.ledger.accounts().len(), ACCOUNTS);

    // Transfers among the accounts; nonces increase across batches.
    let mut nonces: Vec<u64> = r.node.ledger.accounts().iter().map(|a| a.nonce).collect();
    let mut transfers = |r: &VmRollup, n: usize, salt: usize| -> Vec<SignedTx> {
        (0..n)
            .map(|i| {
                let from = (i * 13 + salt) % ACCOUNTS;
                let to = (from + 1 + (i * 7 + salt) % (ACCOUNTS - 1)) % ACCOUNTS;
                let nonce = nonces[from];
                nonces[from] += 1;
                r.transfer(&keys[from], from as u32, to as u32, 1_000, nonce)
            })
            .collect()
    };
    for (n, salt) in [(1usize, 0usize), (100, 1), (1_000, 2)] {
        let t = Instant::now();
        let txs = transfers(&r, n, salt);
        let label = if n == 1 { "transfer" } else { "transfers" };
        batch_row(
            &mut r,
            &mut report,
            &format!("propose batch ({n} {label})"),
            "signed transfers",
            &txs,
        );
        eprintln!("{n}-transfer batch in {:.1} s", t.elapsed().as_secs_f64());
    }

    // Withdrawals: a batch with one, and a batch with a thousand (longer proofs).
    let recipient = r.h.addr("withdrawal-recipient");
    let lone = {
        let from = 7usize;
        let nonce = nonces[from];
        nonces[from] += 1;
        vec![r.withdrawal(&keys[from], from as u32, &recipient, 2_000, nonce)]
    };
    batch_row(
        &mut r,
        &mut report,
        "propose batch (1 withdrawal)",
        "withdrawal",
        &lone,
    );
    let lone_batch = r.node.batch_count() - 1;
    let many: Vec<SignedTx> = (0..ACCOUNTS)
        .map(|from| {
            let nonce = nonces[from];
            nonces[from] += 1;
            let to = r.h.addr(&format!("l1-recipient-{from}"));
            r.withdrawal(&keys[from], from as u32, &to, 3_000, nonce)
        })
        .collect();
    batch_row(
        &mut r,
        &mut report,
        &format!("propose batch ({ACCOUNTS} withdrawals)"),
        "withdrawals",
        &many,
    );
    let many_batch = r.node.batch_count() - 1;

    // Finality.
    r.a_challenge_window_passes();
    let mut finalized = Vec::new();
    for index in 0..r.node.batch_count() {
        finalized.push(ok("finalize", r.finalize(index)));
    }
    let fin = finalized.last().expect("batches").gas;
    report.add(
        "finalize",
        fin,
        format!(
            "batch {many_batch} (every finalize costs about the same); {}",
            kv_note(&fin)
        ),
    );

    // Withdrawals paid.
    let relayer = r.h.addr("relayer");
    for (batch, index, what) in [
        (lone_batch, 0u32, "the only withdrawal of its batch"),
        (many_batch, 500, "1 of 1000 in its batch"),
    ] {
        let proof = r.withdrawal_proof(batch, index);
        let done = ok("withdraw", r.withdraw(&relayer, batch, index));
        report.add(
            &format!("withdraw ({what})"),
            done.gas,
            format!(
                "proof {} B (depth-{WITHDRAWAL_TREE_DEPTH} sparse tree: 2 B bitmap + {} siblings); {}",
                proof.proof.len(),
                (proof.proof.len() - 2) / 32,
                kv_note(&done.gas)
            ),
        );
    }
    let again = r
        .withdraw(&relayer, many_batch, 500)
        .expect_err("paid once");
    report.add(
        "withdraw again (refused)",
        again.gas,
        format!("AlreadyPaid; state unchanged; {}", kv_note(&again.gas)),
    );

    let proposer = r.proposer.clone();
    let unbond = ok("unbond", r.unbond(&proposer));
    report.add("unbond", unbond.gas, kv_note(&unbond.gas));

    r.sync_bank();
    let (bin, q) = ok("solvency", r.h.query_raw(&QueryMsg::Solvency {}));
    let s: SolvencyResponse = cosmwasm_std::from_json(&bin).expect("solvency response");
    assert!(
        s.solvent && s.denoms.iter().all(|d| d.held == d.owed),
        "{s:?}"
    );
    report.add(
        "query Solvency",
        q,
        format!(
            "smart query (no tx bytes); one bank balance query; reconciles: {}",
            kv_note(&q)
        ),
    );

    print_table(&report);
    let path = workspace_root().join("target/gas-report.json");
    let json = serde_json::to_string_pretty(&report.rows).expect("json");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("target dir");
    std::fs::write(&path, json + "\n").expect("write gas report");
    println!(
        "\nartifact {contract}: {} bytes; wrote {}; {:.1} s",
        report.wasm_bytes,
        path.display(),
        started.elapsed().as_secs_f64()
    );
}

fn print_table(report: &Report) {
    let header = [
        "contract",
        "action",
        "cosmwasm_gas",
        "sdk_gas",
        "kv_gas",
        "tx_bytes",
        "wasm_bytes",
        "note",
    ];
    let cells: Vec<[String; 8]> = report
        .rows
        .iter()
        .map(|r| {
            [
                r.contract.clone(),
                r.action.clone(),
                r.cosmwasm_gas.to_string(),
                r.sdk_gas.to_string(),
                r.kv_gas.to_string(),
                r.tx_bytes.to_string(),
                r.wasm_bytes.to_string(),
                r.note.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |row: &[String]| {
        let mut out = String::from("|");
        for (i, c) in row.iter().enumerate() {
            // numbers right-aligned, text left-aligned; the note is not padded
            if i == 7 {
                out += &format!(" {c} |");
            } else if (2..7).contains(&i) {
                out += &format!(" {c:>w$} |", w = widths[i]);
            } else {
                out += &format!(" {c:<w$} |", w = widths[i]);
            }
        }
        out
    };
    println!();
    println!("{}", line(&header.map(String::from)));
    let sep: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if (2..7).contains(&i) {
                format!("{}:", "-".repeat(*w - 1))
            } else if i == 7 {
                "---".into()
            } else {
                "-".repeat(*w)
            }
        })
        .collect();
    println!("{}", line(&sep));
    for row in &cells {
        println!("{}", line(row));
    }
}
