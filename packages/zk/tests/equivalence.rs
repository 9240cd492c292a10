//! Random batches built with the native ledger: what it accepts satisfies the circuit,
//! and a random tampering of the witness or the statement does not.
//!
//! 24 cases by default (a circuit of two deposit and two transaction slots, about 83k
//! constraints, synthesized twice each); `PROPTEST_CASES=n` for more.

mod common;

use ark_ff::Field;
use common::*;
use proptest::prelude::*;
use settle_core::validity::eddsa::SecretKey;
use settle_core::validity::ledger::{BatchWitness, Deposit, Ledger, Shape, Tx, TxBody};
use settle_core::validity::Fr;
use settle_zk::{BatchCircuit, Error};

const SHAPE: Shape = Shape {
    deposits: 2,
    txs: 2,
};

#[derive(Debug, Clone)]
enum DepositOp {
    Open { amount: u128 },
    Credit { account: u8, amount: u128 },
    Exit { account: u8 },
}

/// A transaction's amount: mostly a share of the sender's balance (so most are valid),
/// sometimes any amount (overspends, zero, overflowing credits).
#[derive(Debug, Clone, Copy)]
enum Amount {
    Percent(u8),
    Raw(u128),
}

impl Amount {
    fn of(self, balance: u128) -> u128 {
        match self {
            Amount::Percent(p) => {
                (balance / 100 * p as u128 + balance % 100 * p as u128 / 100).max(1)
            }
            Amount::Raw(a) => a,
        }
    }
}

#[derive(Debug, Clone)]
enum TxOp {
    Transfer {
        from: u8,
        to: u8,
        amount: Amount,
    },
    Withdraw {
        from: u8,
        amount: Amount,
        len: usize,
    },
}

#[derive(Debug, Clone, Copy)]
enum Tamper {
    Signature,
    SenderBalance,
    PathSibling,
    StatementField(usize),
    PublicInput,
    DepositAmount,
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![
        4 => 1u128..2_000,
        1 => Just(0u128),
        1 => (u128::MAX - 2_000)..=u128::MAX,
    ]
}

fn tx_amount() -> impl Strategy<Value = Amount> {
    prop_oneof![
        4 => (1u8..=100).prop_map(Amount::Percent),
        1 => amount().prop_map(Amount::Raw),
    ]
}

fn deposit_op() -> impl Strategy<Value = DepositOp> {
    prop_oneof![
        amount().prop_map(|amount| DepositOp::Open { amount }),
        (any::<u8>(), amount()).prop_map(|(account, amount)| DepositOp::Credit { account, amount }),
        any::<u8>().prop_map(|account| DepositOp::Exit { account }),
    ]
}

fn tx_op() -> impl Strategy<Value = TxOp> {
    prop_oneof![
        (any::<u8>(), any::<u8>(), tx_amount()).prop_map(|(from, to, amount)| TxOp::Transfer {
            from,
            to,
            amount
        }),
        (
            any::<u8>(),
            tx_amount(),
            prop_oneof![Just(20usize), Just(32), 1usize..=40]
        )
            .prop_map(|(from, amount, len)| TxOp::Withdraw { from, amount, len }),
    ]
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        Just(Tamper::Signature),
        Just(Tamper::SenderBalance),
        Just(Tamper::PathSibling),
        (0usize..6).prop_map(Tamper::StatementField),
        Just(Tamper::PublicInput),
        Just(Tamper::DepositAmount),
    ]
}

/// Builds a batch: opening accounts first (natively only), then the deposits and
/// transactions the native ledger accepts, in order, as many as the circuit has slots; the
/// rest are dropped as an operator would drop them.
fn build(opening: &[u128], deposits: &[DepositOp], txs: &[TxOp]) -> (BatchWitness, Vec<SecretKey>) {
    let mut rollup = Rollup::default();
    let mut keys = Vec::new();
    let mut opened = Vec::new();
    for (i, amount) in opening.iter().enumerate() {
        keys.push(key(i as u8 + 1));
        opened.push(Deposit::NewAccount {
            key: keys[i].public_key(),
            amount: *amount,
        });
    }
    rollup.apply(
        Shape {
            deposits: opened.len(),
            txs: 0,
        },
        &opened,
        &[],
    );

    let mut preview: Ledger = rollup.ledger.clone();
    let mut chosen_deposits = Vec::new();
    for op in deposits {
        let deposit = match *op {
            DepositOp::Open { amount } => {
                let k = key(keys.len() as u8 + 1);
                let deposit = Deposit::NewAccount {
                    key: k.public_key(),
                    amount,
                };
                if preview.apply_deposit(&deposit).is_ok() {
                    keys.push(k);
                    chosen_deposits.push(deposit);
                }
                continue;
            }
            DepositOp::Credit { account, amount } => Deposit::Credit {
                account: account as u32 % keys.len() as u32,
                amount,
            },
            DepositOp::Exit { account } => Deposit::Exit {
                account: account as u32 % keys.len() as u32,
            },
        };
        if preview.apply_deposit(&deposit).is_ok() {
            chosen_deposits.push(deposit);
        }
    }
    let mut chosen_txs = Vec::new();
    let n = keys.len() as u32;
    for op in txs {
        if chosen_txs.len() == SHAPE.txs {
            break;
        }
        let balance = |from: u8| preview.account(from as u32 % n).expect("exists").balance;
        let body = match *op {
            TxOp::Transfer { from, to, amount } => TxBody::Transfer {
                from: from as u32 % n,
                to: to as u32 % n,
                amount: amount.of(balance(from)),
            },
            TxOp::Withdraw { from, amount, len } => TxBody::Withdraw {
                from: from as u32 % n,
                amount: amount.of(balance(from)),
                recipient: (0..len as u8).map(|b| b.wrapping_mul(37) | 1).collect(),
            },
        };
        let from = body.from();
        let nonce = preview.account(from).expect("exists").nonce;
        let tx = Tx::sign(
            preview.hasher(),
            &rollup.domain,
            body,
            nonce,
            &keys[from as usize],
        );
        if preview.apply_tx(&rollup.domain, &tx).is_ok() {
            chosen_txs.push(tx);
        }
    }
    let (witness, _) = rollup.apply(SHAPE, &chosen_deposits, &chosen_txs);
    (witness, keys)
}

/// Applies `tamper` if it fits the batch; `None` when it does not (nothing to tamper).
fn tampered(witness: &BatchWitness, tamper: Tamper) -> Option<BatchCircuit> {
    let mut w = witness.clone();
    match tamper {
        Tamper::Signature => w.txs.first_mut()?.tx.signature.s += ark_ed_on_bls12_381::Fr::ONE,
        Tamper::SenderBalance => w.txs.last_mut()?.sender.balance ^= 1,
        Tamper::PathSibling => match w.txs.first_mut() {
            Some(step) => step.sender_path[3] += Fr::ONE,
            None => w.deposits.first_mut()?.path[0] += Fr::ONE,
        },
        Tamper::StatementField(i) => {
            let s = &mut w.statement;
            let field = match i {
                // Without a transaction the domain signs nothing: another domain is
                // another (true) statement.
                0 if w.txs.is_empty() => return None,
                0 => &mut s.domain,
                1 => &mut s.prev_state_root,
                2 => &mut s.new_state_root,
                3 => &mut s.data_commitment,
                4 => &mut s.deposits_before,
                _ => &mut s.deposits_after,
            };
            *field += Fr::ONE;
        }
        Tamper::PublicInput => {
            let circuit = BatchCircuit::new(&w).ok()?;
            let input = circuit.public_input()? + Fr::ONE;
            return Some(circuit.with_public_input(input));
        }
        Tamper::DepositAmount => match &mut w.deposits.first_mut()?.deposit {
            Deposit::NewAccount { amount, .. } | Deposit::Credit { amount, .. } => *amount ^= 1,
            // An operator that serves an exit request as a credit of nothing (keeping the
            // balance in L2).
            Deposit::Exit { account } => {
                let account = *account;
                w.deposits[0].deposit = Deposit::Credit { account, amount: 0 };
            }
        },
    }
    BatchCircuit::new(&w).ok()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24),
        max_shrink_iters: 8,
        ..ProptestConfig::default()
    })]

    #[test]
    fn native_acceptance_is_satisfiability(
        opening in prop::collection::vec(prop_oneof![4 => 1u128..1_000_000, 1 => amount()], 1..=3),
        deposits in prop::collection::vec(deposit_op(), 0..=2),
        txs in prop::collection::vec(tx_op(), 1..=3),
        tamper in tamper(),
    ) {
        let (witness, _) = build(&opening, &deposits, &txs);
        let circuit = BatchCircuit::new(&witness).unwrap();
        prop_assert!(circuit.check().is_ok(), "{:?}", circuit.check());
        // A tampering that does not fit the batch (no transaction to sign, ...) falls
        // back to a wrong public input.
        let bad = tampered(&witness, tamper)
            .or_else(|| tampered(&witness, Tamper::PublicInput))
            .unwrap();
        let result = bad.check();
        prop_assert!(
            matches!(result, Err(Error::Unsatisfied { .. })),
            "{tamper:?} gave {result:?}"
        );
    }
}
