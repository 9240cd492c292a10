//! The gas report: scenarios on the OPTIMIZED artifacts in cosmwasm-vm, in the gas model of
//! `settle_tests::vm` (sdk_gas = ceil(cosmwasm_gas / 140,000) + kv_gas + 10 * tx_bytes; see
//! that module for what is and is not modelled). Prints a table and writes
//! `target/gas-report.json`. After the happy-path rows come fraud-proof games on the same
//! 1,000-account ledger (a fraudulent batch of 1,000 transaction steps, the liar defending
//! it, the honest challenger winning with a one-step proof of a transfer, a withdrawal, a
//! deposit and the close, then a game lost on time), followed by the figures the table
//! cannot show: moves per game, one-step proof sizes, where `prove_step`'s gas goes. A
//! second table covers the payment-channels artifact: open, join, fund, cooperative close,
//! a unilateral close with a revoked state, an authorised watchtower's dispute with a newer
//! state carrying two HTLCs and the closer's revocation, settlement, a preimage revealed and an HTLC claimed with it (each note says
//! how many bytes the channel state has).
//!
//! Run it with `cargo xtask gas` (builds the artifacts first) or, once `artifacts/` exists,
//! `cargo run -p settle-tests --features vm --bin gas-report`.
//!
//! With `--chain URL` (feature `chain`; `cargo xtask gas --chain` starts a network and
//! passes it) the same script runs beside a wasmd node (see `settle_tests::chain`), with
//! the chain's parameters ([`Setup::chain`]: 100 accounts, the contracts' floors, the
//! chain's denomination), and a last table prints each transaction's `gas_used` beside the
//! model's `tx_gas`; the run fails if a transaction other than an instantiation differs
//! from the model by more than 5%.

use std::time::Instant;

use cosmwasm_std::{Addr, Binary, Coin};
use optimistic_rollup::msg::{DepositTarget, GamePhase, QueryMsg, Side, SolvencyResponse};
use payment_channels::msg::ChannelPhase;
use serde::Serialize;
use settle_core::batch::encode_batch;
use settle_core::channel::{payment_hash, ChannelState, Htlc, Party};
use settle_core::crypto::L2Key;
use settle_core::dispute::{max_moves, OneStepProof, StepKind};
use settle_core::hash::Hash;
use settle_core::ledger::{ACCOUNT_TREE_DEPTH, WITHDRAWAL_TREE_DEPTH};
use settle_core::tx::SignedTx;
use settle_tests::vm::{
    altered_root, bank_sends, workspace_root, Bisection, ChannelParams, Executed, GasUse, KvAccess,
    RollupParams, TxTerms, VmChannels, VmRollup, BANK_SEND_GAS, FIRST_TX_GAS, FUNDS_TRANSFER_GAS,
    TX_BASE_GAS, TX_SIZE_COST_PER_BYTE, WASMD_GAS_MULTIPLIER,
};

/// L2 accounts opened before the batches (each by one deposit through the contract), in
/// cosmwasm-vm alone; beside a chain, [`CHAIN_ACCOUNTS`] (`--accounts N` sets either).
const ACCOUNTS: usize = 1_000;
/// L2 accounts beside a chain: every deposit is a signed transaction there.
#[cfg_attr(not(feature = "chain"), allow(dead_code))]
const CHAIN_ACCOUNTS: usize = 100;
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
    /// The whole transaction in the model (0 for a query).
    tx_gas: u64,
    tx: TxTerms,
    /// What the chain charged (beside a chain).
    chain_gas_used: Option<u64>,
    chain_tx_bytes: Option<u64>,
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
            tx_gas: gas.tx_gas,
            tx: gas.tx,
            chain_gas_used: gas.chain_gas_used,
            chain_tx_bytes: gas.chain_tx_bytes,
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

/// The chain backend when the `chain` feature is on (settle-tests' `chain` module).
#[cfg(feature = "chain")]
type Link = settle_tests::chain::Link;
/// Without the `chain` feature there is no link to a chain.
#[cfg(not(feature = "chain"))]
enum Link {}

/// What the run's parameters are: the VM alone, or beside a chain (short windows, the
/// chain's denomination, fewer accounts).
struct Setup {
    accounts: usize,
    /// The optimistic rollup's windows and clocks; the channels' dispute window; the
    /// validity rollup's exodus deadline (seconds).
    rollup: RollupParams,
    channel_window: u64,
    exodus_after: u64,
    /// The denomination of every contract's funds.
    denom: Option<String>,
}

impl Setup {
    fn vm(accounts: Option<usize>) -> Setup {
        Setup {
            accounts: accounts.unwrap_or(ACCOUNTS),
            rollup: RollupParams::default(),
            channel_window: 600,
            exodus_after: 3_600,
            denom: None,
        }
    }

    /// The contracts' floors (five minutes to challenge and on each clock), short
    /// channel disputes and exodus deadline, and the chain's one denomination.
    #[cfg_attr(not(feature = "chain"), allow(dead_code))]
    fn chain(accounts: Option<usize>, denom: &str) -> Setup {
        Setup {
            accounts: accounts.unwrap_or(CHAIN_ACCOUNTS),
            rollup: RollupParams {
                denom: denom.into(),
                bond_denom: denom.into(),
                challenge_window: 300,
                clock_seconds: 300,
                min_answer_seconds: 60,
                ..RollupParams::default()
            },
            channel_window: 30,
            exodus_after: 60,
            denom: Some(denom.into()),
        }
    }
}

/// The artifact in cosmwasm-vm, beside the chain of `link` if there is one.
fn harness(contract: &str, link: Option<Link>) -> settle_tests::vm::Harness {
    match link {
        None => settle_tests::vm::Harness::load(contract),
        #[cfg(feature = "chain")]
        Some(link) => settle_tests::vm::Harness::on_chain(contract, link)
            .unwrap_or_else(|e| panic!("{contract} on the chain: {e}")),
        #[cfg(not(feature = "chain"))]
        Some(never) => match never {},
    }
}

const USAGE: &str = "usage: gas-report [--accounts N] [--chain RPC_URL (funder mnemonic in $SETTLE_GAS_FUNDER; feature chain)]";

fn main() {
    let started = Instant::now();
    let mut accounts = None;
    let mut node: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--accounts" => {
                accounts = Some(
                    args.next()
                        .and_then(|n| n.parse().ok())
                        .filter(|n| *n >= 2)
                        .unwrap_or_else(|| {
                            panic!("--accounts takes a number of at least 2\n{USAGE}")
                        }),
                )
            }
            "--chain" => node = Some(args.next().unwrap_or_else(|| panic!("{USAGE}"))),
            other => panic!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let (setup, links) = match node {
        None => (Setup::vm(accounts), [None, None, None]),
        Some(url) => chain_links(&url, accounts),
    };
    let [rollup_link, channels_link, validity_link] = links;
    let on_chain = rollup_link.is_some();
    let ((report, figures), channels, (validity, split)) = std::thread::scope(|s| {
        // Beside a chain the three contracts run side by side (most of the time is the
        // chain's clock running out windows); in the VM alone too.
        let setup = &setup;
        let channels = s.spawn(move || {
            let t = Instant::now();
            let c = channel_rows(setup, channels_link);
            eprintln!("payment channels in {:.1} s", t.elapsed().as_secs_f64());
            c
        });
        let validity = s.spawn(move || {
            let t = Instant::now();
            let v = validity_rows(setup, validity_link);
            eprintln!("validity rollup in {:.1} s", t.elapsed().as_secs_f64());
            v
        });
        let rollup = rollup_rows(setup, rollup_link);
        (
            rollup,
            channels.join().expect("the channels' rows"),
            validity.join().expect("the validity rows"),
        )
    });
    let contract = report.contract.clone();

    print_table(&report);
    figures.print();
    println!("\n{}:", channels.contract);
    print_table(&channels);
    println!("\n{}:", validity.contract);
    print_table(&validity);
    split.print();
    if on_chain {
        println!("\nbeside the chain: gas_used charged by wasmd vs the model's tx_gas (one run):");
        for r in [&report, &channels, &validity] {
            print_chain_table(r);
        }
    }
    let path = workspace_root().join("target/gas-report.json");
    let rows: Vec<&Row> = report
        .rows
        .iter()
        .chain(&channels.rows)
        .chain(&validity.rows)
        .collect();
    let json = serde_json::to_string_pretty(&rows).expect("json");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("target dir");
    std::fs::write(&path, json + "\n").expect("write gas report");
    println!(
        "\nartifact {contract}: {} bytes; artifact {}: {} bytes; artifact {}: {} bytes; wrote {}; {:.1} s",
        report.wasm_bytes,
        channels.contract,
        channels.wasm_bytes,
        validity.contract,
        validity.wasm_bytes,
        path.display(),
        started.elapsed().as_secs_f64()
    );
    if on_chain {
        // Every transaction but an instantiation (not modelled: wasmd's bookkeeping of
        // a new contract) must be within 5% of the model.
        let off: Vec<String> = rows
            .iter()
            .filter(|r| r.action != "instantiate" && r.tx_gas > 0)
            .filter_map(|r| {
                let c = r.chain_gas_used?;
                let ratio = c as f64 / r.tx_gas as f64;
                (!(0.95..=1.05).contains(&ratio)).then(|| {
                    format!(
                        "{} {}: chain {c}, model {} ({ratio:.3})",
                        r.contract, r.action, r.tx_gas
                    )
                })
            })
            .collect();
        let checked = rows
            .iter()
            .filter(|r| r.action != "instantiate" && r.chain_gas_used.is_some())
            .count();
        if !off.is_empty() {
            eprintln!(
                "gas-report: {} of {checked} transactions differ from the model by more than 5%:\n  {}",
                off.len(),
                off.join("\n  ")
            );
            std::process::exit(1);
        }
        println!("all {checked} transactions (instantiations aside) within 5% of the model");
    }
}

/// The optimistic-rollup rows (the happy path on `setup.accounts` accounts, then the
/// fraud-proof games) and the games' figures.
fn rollup_rows(setup: &Setup, link: Option<Link>) -> (Report, DisputeFigures) {
    let contract = "optimistic-rollup";
    let accounts = setup.accounts;
    let mut h = harness(contract, link);
    let mut params = setup.rollup.clone();
    if h.on_a_chain() {
        params.treasury = h.addr("treasury").to_string();
    }
    let (mut r, inst) = VmRollup::deploy_on(h, params);
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
    let keys: Vec<L2Key> = (0..accounts)
        .map(|i| L2Key::from_label(&format!("gas-user-{i}")))
        .collect();
    let users: Vec<Addr> = (0..accounts)
        .map(|i| r.h.addr(&format!("user-{i}")))
        .collect();
    let mut deposits: Vec<Executed> = Vec::with_capacity(accounts);
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
            "the {accounts}th of {accounts} (first {} SDK gas, max {max}); secp256k1 key check on the host; {}",
            first.sdk_gas,
            kv_note(&last)
        ),
    );
    eprintln!("{accounts} deposits in {:.1} s", t.elapsed().as_secs_f64());
    let top_up = ok(
        "deposit existing",
        r.deposit(&users[0], DepositTarget::Account { account: 0 }, 5_000),
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
    assert_eq!(r.node.ledger.accounts().len(), accounts);

    // Transfers among the accounts; nonces increase across batches.
    let mut nonces: Vec<u64> = r.node.ledger.accounts().iter().map(|a| a.nonce).collect();
    let mut transfers = |r: &VmRollup, n: usize, salt: usize| -> Vec<SignedTx> {
        (0..n)
            .map(|i| {
                let from = (i * 13 + salt) % accounts;
                let to = (from + 1 + (i * 7 + salt) % (accounts - 1)) % accounts;
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
    let many: Vec<SignedTx> = (0..accounts)
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
        &format!("propose batch ({accounts} withdrawals)"),
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
    let half = (accounts / 2) as u32;
    let relayer = r.h.addr("relayer");
    for (batch, index, what) in [
        (lone_batch, 0u32, "the only withdrawal of its batch"),
        (many_batch, half, &*format!("1 of {accounts} in its batch")),
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
        .withdraw(&relayer, many_batch, half)
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

    // Fraud-proof games against batches on this ledger.
    let t = Instant::now();
    let figures = dispute_rows(&mut r, &mut report, &keys, &users, &mut nonces);
    eprintln!("fraud-proof games in {:.1} s", t.elapsed().as_secs_f64());
    (report, figures)
}

/// The payment-channels rows, each from a call on the artifact: channel 0 opened, joined,
/// funded and closed cooperatively; channel 1 closed by A with a state it had revoked,
/// disputed by B's authorised watchtower with a newer state carrying two HTLCs and A's
/// revocation, settled after the window (A's balance
/// forfeited, the watchtower's fee), then the preimage of HTLC 0 revealed and HTLC 0
/// claimed by its payee. The books reconcile at the end.
fn channel_rows(setup: &Setup, link: Option<Link>) -> Report {
    let window = setup.channel_window;
    let mut params = ChannelParams::default();
    if let Some(d) = &setup.denom {
        params.denom = d.clone();
    }
    let (mut c, _) = VmChannels::deploy_on(harness("payment-channels", link), params);
    let mut report = Report {
        contract: "payment-channels".to_string(),
        wasm_bytes: c.h.wasm_bytes,
        rows: Vec::new(),
    };
    let (alice, bob, tower, anyone) = (
        c.h.addr("alice"),
        c.h.addr("bob"),
        c.h.addr("tower"),
        c.h.addr("anyone"),
    );
    let (ka, kb) = (
        L2Key::from_label("gas-chan-a"),
        L2Key::from_label("gas-chan-b"),
    );
    let state_note = |s: &ChannelState| {
        format!(
            "state v{}: {} B ({} HTLCs)",
            s.version,
            s.encode().len(),
            s.htlcs.len()
        )
    };

    // Channel 0: open, join, fund, cooperative close.
    let (ch0, open) = ok("open", c.propose(&alice, &bob, &ka, &kb, 1_000, window));
    let record = c.record_bytes(ch0);
    report.add(
        "open (proposed)",
        open.gas,
        format!(
            "no state yet (channel record {record} B); both keys checked on the host (secp256k1); {}",
            kv_note(&open.gas)
        ),
    );
    let join = ok("join", c.join(&bob, ch0, &ka, &kb, 0));
    let record = c.record_bytes(ch0);
    report.add(
        "join",
        join.gas,
        format!(
            "B's key proven: 1 signature checked (channel record {record} B); {}",
            kv_note(&join.gas)
        ),
    );
    let fund = ok("fund", c.fund(&bob, ch0, 500));
    let record = c.record_bytes(ch0);
    report.add(
        "fund",
        fund.gas,
        format!(
            "no state yet (channel record {record} B); {}",
            kv_note(&fund.gas)
        ),
    );
    let fin = ChannelState {
        channel_id: ch0,
        version: 9,
        funded: [1_000, 500],
        balances: [700, 800],
        htlcs: vec![],
        is_final: true,
    };
    let coop = ok(
        "cooperative close",
        c.cooperative_close(&anyone, ch0, c.sign(&ka, &kb, &fin)),
    );
    assert_eq!(bank_sends(&coop.response).len(), 2);
    let record = c.record_bytes(ch0);
    report.add(
        "cooperative close",
        coop.gas,
        format!(
            "final {}, 2 signatures checked, 2 bank sends (channel record {record} B); {}",
            state_note(&fin),
            kv_note(&coop.gas)
        ),
    );

    // Channel 1: a stale close, a watchtower's dispute, settlement, an HTLC claimed.
    let (ch1, _) = ok("open", c.open(&alice, &bob, &ka, &kb, 2_000, window));
    ok("fund", c.fund(&bob, ch1, 1_000));
    let preimage = [42u8; 32];
    let timeout = c.h.env.block.time.seconds() + 10_000;
    let stale = ChannelState {
        channel_id: ch1,
        version: 3,
        funded: [2_000, 1_000],
        balances: [2_500, 500],
        htlcs: vec![],
        is_final: false,
    };
    let newer = ChannelState {
        version: 4,
        balances: [1_800, 900],
        htlcs: vec![
            Htlc {
                amount: 200,
                payment_hash: payment_hash(&preimage).expect("32 bytes"),
                timeout,
                payer: Party::A,
            },
            Htlc {
                amount: 100,
                payment_hash: [9; 32],
                timeout,
                payer: Party::B,
            },
        ],
        ..stale.clone()
    };
    let close = ok("close", c.close(&alice, ch1, c.sign(&ka, &kb, &stale)));
    let record = c.record_bytes(ch1);
    report.add(
        "unilateral close",
        close.gas,
        format!(
            "{}, 2 signatures checked; stored (channel record {record} B); {}",
            state_note(&stale),
            kv_note(&close.gas)
        ),
    );
    let dispute = ok(
        "dispute",
        c.dispute(
            &tower,
            ch1,
            Some(c.sign(&ka, &kb, &newer)),
            Some(c.revoke(&ka, ch1, 3)),
            Some(c.authorise(&kb, ch1, &tower)),
        ),
    );
    let record = c.record_bytes(ch1);
    report.add(
        "dispute (authorised watchtower)",
        dispute.gas,
        format!(
            "{} replaces the stored {} B v3 and A's revocation proves it stale: 4 signatures checked (2 on the state, the revocation, B's authorisation; channel record {record} B); {}",
            state_note(&newer),
            stale.encode().len(),
            kv_note(&dispute.gas)
        ),
    );
    c.h.advance(window);
    let settle = ok("settle", c.settle(&anyone, ch1));
    let sends = bank_sends(&settle.response);
    assert_eq!(
        sends.iter().map(|(to, _)| to.as_str()).collect::<Vec<_>>(),
        [bob.as_str(), tower.as_str()],
        "the forfeit to bob, the fee to the watchtower, nothing to the stale closer"
    );
    let record = c.record_bytes(ch1);
    report.add(
        "settle (stale close, 2 HTLCs held)",
        settle.gas,
        format!(
            "decodes the stored {}; penalty + watchtower fee, {} bank sends (channel record {record} B); {}",
            state_note(&newer),
            sends.len(),
            kv_note(&settle.gas)
        ),
    );
    let reveal = ok("reveal_preimage", c.reveal_preimage(&bob, &preimage));
    report.add(
        "reveal_preimage",
        reveal.gas,
        format!(
            "no channel state read; 32 B preimage, sha256 in wasm; {}",
            kv_note(&reveal.gas)
        ),
    );
    let claim = ok("settle_htlc", c.settle_htlc(&bob, ch1, 0));
    assert_eq!(bank_sends(&claim.response).len(), 1);
    assert_eq!(
        c.channel(ch1).phase,
        ChannelPhase::Settled {
            version: 4,
            htlcs_paid: vec![true, false]
        }
    );
    let record = c.record_bytes(ch1);
    report.add(
        "settle_htlc (claim with preimage)",
        claim.gas,
        format!(
            "decodes the stored {}; HTLC 0 to its payee, 1 bank send (channel record {record} B); {}",
            state_note(&newer),
            kv_note(&claim.gas)
        ),
    );

    c.sync_bank();
    let s = c.solvency();
    assert!(
        s.solvent && s.denoms.iter().all(|d| d.held == d.owed),
        "{s:?}"
    );
    report
}

/// Transaction steps of the disputed batch.
const DISPUTED_TXS: usize = 1_000;
/// Positions of the transfer and the withdrawal whose steps are proven, in its data.
const DISPUTED_TRANSFER: usize = 250;
const DISPUTED_WITHDRAWAL: usize = 500;
/// secp256k1_verify's price in cosmwasm-vm 3.0 (`GasConfig::default`), CosmWasm gas.
const SECP256K1_VERIFY_GAS: u64 = 96_000_000;

/// Figures printed under the table.
struct DisputeFigures {
    accounts: usize,
    tx_steps: usize,
    steps: u64,
    /// (kind, Bisect + Choose messages sent, the game's own count)
    moves: Vec<(&'static str, usize, u32)>,
    /// (kind, one-step proof bytes, witness hashes)
    proof_bytes: Vec<(&'static str, usize, usize)>,
    /// The storage accesses of the transfer's `prove_step`, in order.
    transfer_kv: Vec<KvAccess>,
    transfer_prove: GasUse,
}

impl DisputeFigures {
    fn print(&self) {
        println!(
            "\nfraud-proof games on a batch of {} transaction steps ({} game steps: open, 2 deposits, {} transactions, close; {} accounts at depth {ACCOUNT_TREE_DEPTH}):",
            self.tx_steps,
            self.steps,
            self.tx_steps,
            self.accounts + 1
        );
        for (kind, sent, counted) in &self.moves {
            println!(
                "  moves to reach the one-step proof ({kind} step): {sent} Bisect + Choose messages sent (the game counts {counted})"
            );
        }
        println!(
            "  most moves any game over {} steps takes: {}",
            self.steps,
            max_moves(self.steps)
        );
        println!("one-step proof bytes (OneStepProof::encode; the message carries them base64):");
        for (kind, bytes, hashes) in &self.proof_bytes {
            println!("  {kind:<10} {bytes:>5} B ({hashes} witness hashes)");
        }
        let g = self.transfer_prove;
        let wasm_sdk = g.cosmwasm_gas.div_ceil(WASMD_GAS_MULTIPLIER);
        println!(
            "where prove_step (transfer) spends its {} sdk_gas: {wasm_sdk} in wasm ({} of it the host's secp256k1_verify), {} on storage, {} on its {} tx bytes; its storage accesses:",
            g.sdk_gas,
            SECP256K1_VERIFY_GAS.div_ceil(WASMD_GAS_MULTIPLIER),
            g.kv_gas,
            g.tx_bytes * TX_SIZE_COST_PER_BYTE,
            g.tx_bytes
        );
        for a in &self.transfer_kv {
            println!(
                "  {:<6} {:<44} {:>5} B {:>6} gas",
                a.op,
                a.key_label(),
                a.value_len,
                a.gas
            );
        }
    }
}

/// Witness hashes a proof carries (account siblings, step-tree siblings, withdrawal slot).
fn witness_hashes(p: &OneStepProof) -> usize {
    let slot = |s: &Option<settle_core::smt::CompactProof>| {
        s.as_ref()
            .map(|c| (c.to_bytes(WITHDRAWAL_TREE_DEPTH).len() - 2) / 32)
            .unwrap_or(0)
    };
    match p {
        OneStepProof::Open { parent } => 2 * parent.is_some() as usize,
        OneStepProof::Deposit {
            accounts,
            withdrawal_slot,
            ..
        } => accounts.hashes.len() + slot(withdrawal_slot),
        OneStepProof::Tx {
            tx_siblings,
            accounts,
            withdrawal_slot,
            ..
        } => tx_siblings.len() + accounts.hashes.len() + slot(withdrawal_slot),
        OneStepProof::Close { .. } => 0,
    }
}

/// A game against a fraudulent proposal of `data`: the proposer posts the true roots before
/// `first_lie` and altered ones from there (its output root included); `challenger`
/// challenges and answers honestly; played to the one-step phase.
struct FraudGame {
    batch: u64,
    id: u64,
    challenge: Executed,
    played: Bisection,
}

fn fraud_game(r: &mut VmRollup, data: &[u8], first_lie: u64, challenger: &Addr) -> FraudGame {
    let truth = r.preview(data.to_vec());
    let (proposal, _) = ok(
        "fraudulent proposal",
        r.propose_with_root(data.to_vec(), altered_root(&truth.output_root)),
    );
    let batch = proposal.index;
    let roots: Vec<Hash> = r.true_roots(batch);
    let (id, challenge) = ok("challenge", r.challenge(challenger, batch));
    let liar = |p: u64| {
        let t = roots[p as usize];
        if p < first_lie {
            t
        } else {
            altered_root(&t)
        }
    };
    let played = ok(
        "bisection",
        r.play_bisection(id, liar, |p, root| roots[p as usize] == *root),
    );
    assert_eq!(played.step, first_lie - 1, "the game finds the first lie");
    FraudGame {
        batch,
        id,
        challenge,
        played,
    }
}

/// The fraud-proof rows: a batch of 1,000 transaction steps (and two deposits) on the
/// 1,000-account ledger, posted with a wrong output root five times, each time lying from
/// another step on: the game narrows to that step (a transfer, a withdrawal, a deposit,
/// the close) and the honest challenger proves it; the fifth game ends on the defender's
/// clock. Every win slashes the proposer and removes the batch, so the same data is posted
/// again (same nonces: the node rolls back too).
fn dispute_rows(
    r: &mut VmRollup,
    report: &mut Report,
    keys: &[L2Key],
    users: &[Addr],
    nonces: &mut [u64],
) -> DisputeFigures {
    let accounts = keys.len();
    let challenger = r.h.addr("challenger");
    let relayer = r.h.addr("relayer");
    let treasury = r.params.treasury.clone();
    ok("bond for the games", r.bond_proposer());
    // The deposits the disputed batch consumes: a top-up of account 3, then a new account.
    ok(
        "top-up",
        r.deposit(&users[3], DepositTarget::Account { account: 3 }, 7_000),
    );
    let newcomer = r.h.addr("newcomer");
    ok(
        "new account",
        r.deposit_new_account(&newcomer, &L2Key::from_label("gas-newcomer"), 9_000),
    );
    let deposits = r.node.pending_deposits().len() as u64;
    let recipient = r.h.addr("disputed-recipient");
    let txs: Vec<SignedTx> = (0..DISPUTED_TXS)
        .map(|i| {
            let from = (i * 17 + 5) % accounts;
            let nonce = nonces[from];
            nonces[from] += 1;
            if i == DISPUTED_WITHDRAWAL {
                r.withdrawal(&keys[from], from as u32, &recipient, 4_000, nonce)
            } else {
                let to = (from + 1 + (i * 7 + 5) % (accounts - 1)) % accounts;
                r.transfer(&keys[from], from as u32, to as u32, 1_000, nonce)
            }
        })
        .collect();
    let data = encode_batch(&txs);
    let steps = deposits + DISPUTED_TXS as u64 + 2;
    let tx_step = |i: usize| 1 + deposits + i as u64;

    let mut moves = Vec::new();
    let mut proof_bytes = Vec::new();
    let mut transfer_prove = GasUse::default();
    let mut transfer_kv = Vec::new();
    let kinds: [(&'static str, u64); 4] = [
        ("transfer", tx_step(DISPUTED_TRANSFER)),
        ("withdrawal", tx_step(DISPUTED_WITHDRAWAL)),
        ("deposit", 1),
        ("close", steps - 1),
    ];
    for (kind, step) in kinds {
        let t = Instant::now();
        let game = fraud_game(r, &data, step + 1, &challenger);
        let ctx = r.node.batch_context(game.batch).expect("context");
        let expected_kind = match kind {
            "transfer" | "withdrawal" => matches!(ctx.step_kind(step), Ok(StepKind::Tx { .. })),
            "deposit" => {
                ctx.step_kind(step)
                    == Ok(StepKind::Deposit {
                        queue_index: ctx.deposits_from,
                    })
            }
            _ => ctx.step_kind(step) == Ok(StepKind::Close),
        };
        assert!(expected_kind, "step {step} is a {kind} step");
        if kind == "transfer" {
            let open = r.step_proof(game.batch, 0);
            proof_bytes.push(("open", open.encode().len(), witness_hashes(&open)));
            report.add(
                "challenge",
                game.challenge.gas,
                format!(
                    "batch {} of {steps} steps (bond attached); {}",
                    game.batch,
                    kv_note(&game.challenge.gas)
                ),
            );
            for (action, calls, what) in [
                ("bisect (defender move)", &game.played.bisects, "bisections"),
                ("choose (challenger move)", &game.played.chooses, "choices"),
            ] {
                let max = calls
                    .iter()
                    .max_by_key(|c| c.gas.sdk_gas)
                    .expect("moves")
                    .gas;
                let min = calls.iter().map(|c| c.gas.sdk_gas).min().unwrap_or(0);
                report.add(
                    action,
                    max,
                    format!(
                        "the dearest of the game's {} {what} (cheapest {min}); {}",
                        calls.len(),
                        kv_note(&max)
                    ),
                );
            }
        }
        moves.push((kind, game.played.moves(), r.game(game.id).moves));
        let proof = r.step_proof(game.batch, step);
        let bytes = proof.encode();
        let hashes = witness_hashes(&proof);
        proof_bytes.push((kind, bytes.len(), hashes));
        let proof_len = bytes.len();
        r.h.log_kv(true);
        let done = ok(
            "prove_step",
            r.prove_step(&challenger, game.id, step, bytes),
        );
        let mut kv = r.h.take_kv_log();
        r.h.log_kv(false);
        // the call's own accesses (the harness then queries the status to follow removals)
        let ops = done.gas.kv_ops;
        kv.truncate((ops.reads + ops.writes + ops.deletes + ops.iterator_steps) as usize);
        assert_eq!(kv.iter().map(|a| a.gas).sum::<u64>(), done.gas.kv_gas);
        if kind == "transfer" {
            transfer_kv = kv;
        }
        let sends = bank_sends(&done.response);
        assert!(
            sends.len() == 1 && sends[0].0 != treasury,
            "the challenger wins; the treasury's share is credited, not sent: {sends:?}"
        );
        assert_eq!(
            r.game(game.id).phase,
            GamePhase::Resolved {
                winner: Side::Challenger,
                reason: optimistic_rollup::msg::Resolution::Proof
            }
        );
        assert_eq!(r.node.batch_count(), game.batch, "the batch was removed");
        let action = if kind == "transfer" {
            transfer_prove = done.gas;
            format!("prove_step: transfer touching two accounts at depth {ACCOUNT_TREE_DEPTH}")
        } else {
            format!("prove_step: {kind}")
        };
        report.add(
            &action,
            done.gas,
            format!(
                "step {step} of {steps}; proof {proof_len} B, {hashes} witness hashes; slash + batch removed; {}",
                kv_note(&done.gas)
            ),
        );
        ok("bond again", r.bond_proposer());
        eprintln!("{kind} game in {:.1} s", t.elapsed().as_secs_f64());
    }

    // The fifth game: the defender never answers and loses on time.
    let truth = r.preview(data.clone());
    let (proposal, _) = ok(
        "fraudulent proposal",
        r.propose_with_root(data, altered_root(&truth.output_root)),
    );
    let (id, _) = ok("challenge", r.challenge(&challenger, proposal.index));
    let g = r.game(id);
    let deadline = g.clock_runs_out_at.expect("the defender's clock runs");
    r.h.advance_to(cosmwasm_std::Timestamp::from_seconds(deadline));
    let done = ok("resolve_game", r.resolve_game(&relayer, id));
    assert_eq!(
        r.game(id).phase,
        GamePhase::Resolved {
            winner: Side::Challenger,
            reason: optimistic_rollup::msg::Resolution::Timeout
        }
    );
    report.add(
        "resolve_game (timeout)",
        done.gas,
        format!(
            "the defender let its clock run out: slash + batch removed; {}",
            kv_note(&done.gas)
        ),
    );

    // The treasury withdraws the credit of all five slashes at once (pull).
    let treasury_addr = Addr::unchecked(treasury.clone());
    let done = ok("claim", r.claim(&treasury_addr));
    assert_eq!(bank_sends(&done.response).len(), 1);
    report.add(
        "claim",
        done.gas,
        format!(
            "the treasury withdraws its credit from five slashes; {}",
            kv_note(&done.gas)
        ),
    );

    // The payouts reconcile with what the contract owes.
    r.sync_bank();
    let s = r.solvency();
    let s_status = r.status();
    assert!(
        s.solvent && s.denoms.iter().all(|d| d.held == d.owed),
        "{s:?}"
    );
    assert!(s_status.liabilities.challenger_bonds.is_zero(), "{s:?}");
    assert!(s_status.liabilities.credits.is_zero(), "{s:?}");

    DisputeFigures {
        accounts,
        tx_steps: DISPUTED_TXS,
        steps,
        moves,
        proof_bytes,
        transfer_kv,
        transfer_prove,
    }
}

/// Links to the node at `url` for the three contracts (each with its own funder, paid by
/// the account of the mnemonic in `$SETTLE_GAS_FUNDER`), and the chain's parameters.
#[cfg(feature = "chain")]
fn chain_links(url: &str, accounts: Option<usize>) -> (Setup, [Option<Link>; 3]) {
    let mnemonic = std::env::var("SETTLE_GAS_FUNDER").unwrap_or_else(|_| {
        panic!("--chain: set $SETTLE_GAS_FUNDER to a funded account's mnemonic\n{USAGE}")
    });
    // Fresh wallets every run (a network may be reused with --node).
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let mut main =
        Link::connect(url, &mnemonic, &format!("run-{run}")).unwrap_or_else(|e| panic!("{e}"));
    let mut split = |tag: &str| {
        Some(
            main.split(tag, 100_000_000_000_000)
                .unwrap_or_else(|e| panic!("{e}")),
        )
    };
    let links = [split("rollup"), split("channels"), split("validity")];
    (Setup::chain(accounts, settle_tests::chain::DENOM), links)
}

#[cfg(not(feature = "chain"))]
fn chain_links(_url: &str, _accounts: Option<usize>) -> (Setup, [Option<Link>; 3]) {
    panic!("--chain needs the `chain` feature: cargo run -p settle-tests --features chain --bin gas-report -- --chain URL");
}

/// The chain's `gas_used` beside the model's `tx_gas`, row by row, with the terms of
/// `tx_gas` (see `settle_tests::vm`): sdk_gas (the contract's call), wasmd's instance
/// and event costs, the envelope's bytes (the model's and the chain's), the coin
/// transfers, and the fixed cost of a transaction.
fn print_chain_table(report: &Report) {
    println!(
        "\n| contract | action | chain gas_used | tx gas (model) | chain / model | sdk_gas | instance + events | tx bytes (model / chain) | transfers |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &report.rows {
        let ratio = match (r.chain_gas_used, r.tx_gas) {
            (Some(c), t) if t > 0 => format!("{:.3}", c as f64 / t as f64),
            _ => "-".into(),
        };
        let chain = match (r.chain_gas_used, r.tx_gas) {
            (Some(c), _) => c.to_string(),
            (None, 0) => "(a query: no gas on chain)".into(),
            (None, _) => "-".into(),
        };
        let bytes = format!(
            "{} / {}",
            r.tx_bytes + r.tx.envelope_bytes,
            r.chain_tx_bytes.map_or("-".into(), |b| b.to_string())
        );
        println!(
            "| {} | {} | {chain} | {} | {ratio} | {} | {} | {bytes} | {} |",
            r.contract,
            r.action,
            r.tx_gas,
            r.sdk_gas,
            r.tx.instance_gas + r.tx.event_gas,
            r.tx.transfers,
        );
    }
    println!(
        "(tx gas = sdk_gas + 10 x envelope bytes + instance + events + {FUNDS_TRANSFER_GAS} for attached funds + {BANK_SEND_GAS} a bank send + {TX_BASE_GAS} a transaction + {FIRST_TX_GAS} for a sender's first)"
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

/// Where a validity batch's gas goes (SDK gas; see `validity_rows`).
struct ValiditySplit {
    pairing: u64,
    verify_wasm: u64,
    scalar_mul: u64,
    verify_key_read: u64,
    public_input: u64,
    submit: GasUse,
    txs: usize,
}

impl ValiditySplit {
    fn print(&self) {
        let s = &self.submit;
        let wasm = s.cosmwasm_gas.div_ceil(WASMD_GAS_MULTIPLIER);
        println!(
            "submit_batch ({} transactions) split, SDK gas (total {}):",
            self.txs, s.sdk_gas
        );
        println!(
            "  Groth16 verification      {:>7}  = pairing check {} (host, 4 pairs) + in-wasm {} \
             (of which the G1 scalar multiplication {}) + key read {}",
            self.pairing + self.verify_wasm + self.verify_key_read,
            self.pairing,
            self.verify_wasm,
            self.scalar_mul,
            self.verify_key_read
        );
        println!(
            "  public-input recomputation {:>6}  (batch data decoded, data commitment, state root \
             and statement: Poseidon in wasm)",
            self.public_input
        );
        println!(
            "  rest of the call in wasm   {:>6}  (JSON, withdrawals, records)",
            wasm.saturating_sub(self.pairing + self.verify_wasm + self.public_input)
        );
        println!(
            "  storage                    {:>6}  ({}, key read included)",
            s.kv_gas,
            kv_note(s)
        );
        println!(
            "  transaction bytes          {:>6}  ({} B of JSON)",
            TX_SIZE_COST_PER_BYTE * s.tx_bytes,
            s.tx_bytes
        );
    }
}

/// The validity-rollup rows, each from a call on the artifact with real proofs
/// (settle-zk, the test keys for batches of up to 2 deposits and 2 transactions):
/// instantiate (the key checked on the host), two opening deposits, a batch consuming
/// them, a credit deposit, a batch with a transfer and a withdrawal (paid), the Groth16
/// verification alone (the `verify_proof` query), and an exodus exit.
fn validity_rows(setup: &Setup, link: Option<Link>) -> (Report, ValiditySplit) {
    use settle_core::validity::eddsa::SecretKey;
    use settle_core::validity::field::fr_to_bytes;
    use settle_core::validity::ledger::Shape;
    use settle_tests::vm::VmValidity;
    use validity_rollup::msg as vr;

    let shape = Shape {
        deposits: 2,
        txs: 2,
    };
    let t = Instant::now();
    let denom = setup.denom.as_deref().unwrap_or("uzk");
    let (mut v, inst) = VmValidity::deploy_on(
        harness("validity-rollup", link),
        shape,
        setup.exodus_after,
        denom,
    );
    eprintln!("validity setup in {:.1} s", t.elapsed().as_secs_f64());
    let mut report = Report {
        contract: "validity-rollup".to_string(),
        wasm_bytes: v.h.wasm_bytes,
        rows: Vec::new(),
    };
    report.add(
        "instantiate",
        inst.gas,
        format!(
            "verifying key checked point by point on the host, IC decompressed; {}",
            kv_note(&inst.gas)
        ),
    );
    let (alice, bob, carol, op) = (
        v.h.addr("alice"),
        v.h.addr("bob"),
        v.h.addr("carol"),
        v.h.addr("operator"),
    );
    let (ka, kb) = (
        SecretKey::from_seed(&[1; 32]),
        SecretKey::from_seed(&[2; 32]),
    );
    let d = ok("deposit", v.deposit_new_account(&alice, &ka, 600));
    report.add(
        "deposit (new account)",
        d.gas,
        format!(
            "Jubjub key checked, deposit chain (Poseidon, 2 permutations); {}",
            kv_note(&d.gas)
        ),
    );
    ok("deposit", v.deposit_new_account(&bob, &kb, 400));
    let t = Instant::now();
    let open = ok_str("prove", v.op.prove(2, &[]));
    eprintln!("proof in {:.1} s", t.elapsed().as_secs_f64());
    let opened = ok("submit", v.submit(&op, &open));
    report.add(
        "submit_batch (2 deposits, no transactions)",
        opened.gas,
        kv_note(&opened.gas),
    );
    let credit = ok(
        "credit deposit",
        v.execute(
            &alice,
            &vr::ExecuteMsg::Deposit {
                target: vr::DepositTarget::Account {
                    account: 1,
                    pubkey: Binary::from(kb.public_key().encode().to_vec()),
                },
            },
            &[Coin::new(50u128, denom)],
        ),
    );
    report.add(
        "deposit (existing account)",
        credit.gas,
        kv_note(&credit.gas),
    );
    v.op.queue
        .push(settle_core::validity::ledger::Deposit::Credit {
            account: 1,
            amount: 50,
        });

    let pay = v.op.transfer(&ka, 1, 250);
    let out = v.op.withdrawal(&kb, v.h.canonical(&carol), 500);
    let batch = ok_str("prove", v.op.prove(0, &[pay, out]));
    let proof = Binary::from(batch.proof.to_vec());
    let input = settle_zk::public_input(&batch.witness);
    let verify = |v: &mut VmValidity, x: settle_core::validity::Fr| -> GasUse {
        let msg = vr::QueryMsg::VerifyProof {
            proof: proof.clone(),
            public_inputs: vec![Binary::from(fr_to_bytes(&x).to_vec())],
        };
        let (bin, gas) = ok("verify_proof", v.h.query_raw(&msg));
        let res: vr::VerifyProofResponse = cosmwasm_std::from_json(&bin).expect("response");
        assert_eq!(res.valid, x == input, "{res:?}");
        gas
    };
    let verified = verify(&mut v, input);
    let zero = verify(&mut v, settle_core::validity::Fr::from(0u64));
    let vr::ExecuteMsg::SubmitBatch {
        data,
        deposits_consumed: deposits,
        new_accounts_root,
        new_account_count,
        proof: p,
    } = batch.msg()
    else {
        unreachable!()
    };
    let (_, checked) = ok(
        "check_batch",
        v.h.query_raw(&vr::QueryMsg::CheckBatch {
            data,
            deposits_consumed: deposits,
            new_accounts_root,
            new_account_count,
            proof: p,
        }),
    );
    report.add(
        "verify_proof query (Groth16 alone)",
        verified,
        "proof decoded, vk_x = IC0 + x*IC1 (GLV in wasm), one pairing-equality host call",
    );
    let submitted = ok("submit", v.submit(&op, &batch));
    assert_eq!(bank_sends(&submitted.response).len(), 0);
    report.add(
        "submit_batch (transfer + withdrawal)",
        submitted.gas,
        format!(
            "proof verified, 1 withdrawal credited; {}",
            kv_note(&submitted.gas)
        ),
    );
    let claimed = ok("claim", v.execute(&carol, &vr::ExecuteMsg::Claim {}, &[]));
    assert_eq!(bank_sends(&claimed.response).len(), 1);
    report.add(
        "claim (a credited withdrawal)",
        claimed.gas,
        format!("1 bank send; {}", kv_note(&claimed.gas)),
    );

    // An L1 exit request (bob's key signs it) and the batch that serves it.
    let requested = ok("request_exit", v.request_exit(&bob, &kb, 1, &carol, 1));
    report.add(
        "request_exit",
        requested.gas,
        format!(
            "EdDSA over Jubjub in wasm, deposit chain (Poseidon); {}",
            kv_note(&requested.gas)
        ),
    );
    let serve = ok_str("prove", v.op.prove(1, &[]));
    let served = ok("submit", v.submit(&op, &serve));
    report.add(
        "submit_batch (serves 1 exit request)",
        served.gas,
        format!(
            "proof verified, exit amount and bond credited; {}",
            kv_note(&served.gas)
        ),
    );

    // Exodus: alice's proven balance, by a 20-level Poseidon path and her signature.
    v.h.advance(setup.exodus_after);
    let exit = v.op.exodus_msg(&ka, alice.as_str(), &v.h.canonical(&alice));
    let exited = ok("exodus_withdraw", v.execute(&carol, &exit, &[]));
    report.add(
        "exodus_withdraw",
        exited.gas,
        format!(
            "20 Poseidon hashes (path), EdDSA over Jubjub in wasm, 1 bank send; {}",
            kv_note(&exited.gas)
        ),
    );

    // The pairing's price in cosmwasm-vm 3.0.10 (2112 us + 163 us per pair, 4 pairs).
    let pairing = (2_112 + 4 * 163) * 1_000_000 / WASMD_GAS_MULTIPLIER;
    let verify_wasm_total = verified.cosmwasm_gas.div_ceil(WASMD_GAS_MULTIPLIER);
    let split = ValiditySplit {
        pairing,
        verify_wasm: verify_wasm_total.saturating_sub(pairing),
        scalar_mul: verified
            .cosmwasm_gas
            .saturating_sub(zero.cosmwasm_gas)
            .div_ceil(WASMD_GAS_MULTIPLIER),
        verify_key_read: verified.kv_gas,
        public_input: checked
            .cosmwasm_gas
            .saturating_sub(verified.cosmwasm_gas)
            .div_ceil(WASMD_GAS_MULTIPLIER),
        submit: submitted.gas,
        txs: 2,
    };
    (report, split)
}

fn ok_str<T>(what: &str, r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}
