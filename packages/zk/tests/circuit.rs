//! The circuit against the native ledger: a batch the ledger accepts gives a satisfied
//! circuit; tampering with the witness or the statement does not, and the failure is in
//! the part that was tampered with.

mod common;

use ark_ff::Field;
use ark_relations::r1cs::{
    ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode,
};
use common::*;
use settle_core::validity::ledger::{
    state_root, BatchData, BatchWitness, Deposit, Shape, Tx, TxBody,
};
use settle_core::validity::poseidon::{hash, Domain};
use settle_core::validity::tree::root_from_path;
use settle_core::validity::Fr;
use settle_zk::{BatchCircuit, Error, Part};

fn check(witness: &BatchWitness) -> Result<(), Error> {
    BatchCircuit::new(witness)?.check()
}

fn failing_part(circuit: &BatchCircuit) -> Part {
    match circuit.check() {
        Err(Error::Unsatisfied { part, .. }) => part,
        other => panic!("expected an unsatisfied circuit, got {other:?}"),
    }
}

fn fails_at(witness: &BatchWitness) -> Part {
    failing_part(&BatchCircuit::new(witness).expect("a well-formed witness"))
}

const SHAPE: Shape = Shape {
    deposits: 2,
    txs: 2,
};

#[test]
fn the_sample_batch_is_satisfied() {
    let (_, witness, data) = sample_batch(SHAPE);
    assert_eq!(data.txs.len(), 2);
    check(&witness).unwrap();
}

#[test]
fn an_empty_batch_and_a_padded_one_are_satisfied() {
    let mut rollup = Rollup::default();
    let (witness, _) = rollup.apply(
        Shape {
            deposits: 1,
            txs: 1,
        },
        &[],
        &[],
    );
    check(&witness).unwrap();
    // One deposit, no transaction, in a larger circuit.
    let (witness, _) = rollup.apply(
        Shape {
            deposits: 2,
            txs: 1,
        },
        &[new_account(1, 5)],
        &[],
    );
    check(&witness).unwrap();
}

/// The setup synthesizes without a witness; a proof with one. Both must be the same
/// constraint system, whatever the witness holds: the same matrices for a full batch, the
/// same counts for an empty one.
#[test]
fn the_constraint_system_does_not_depend_on_the_witness() {
    let shape = Shape {
        deposits: 1,
        txs: 1,
    };
    let synthesize = |circuit: BatchCircuit, setup: bool, inline: bool| {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        if setup {
            cs.set_mode(SynthesisMode::Setup);
        }
        circuit.generate_constraints(cs.clone()).unwrap();
        let counts = (
            cs.num_instance_variables(),
            cs.num_witness_variables(),
            cs.num_constraints(),
            cs.borrow().unwrap().num_linear_combinations,
        );
        if inline {
            cs.finalize();
        }
        (counts, inline.then(|| cs.to_matrices().unwrap()))
    };
    let (blank_counts, blank) = synthesize(BatchCircuit::blank(shape), true, true);
    let blank = blank.unwrap();
    assert_eq!(blank_counts.0, 2, "one public input");

    let mut rollup = Rollup::default();
    let (opening, _) = rollup.apply(shape, &[new_account(1, 10)], &[]);
    let transfer = rollup.sign(
        &key(1),
        TxBody::Transfer {
            from: 0,
            to: 0,
            amount: 3,
        },
    );
    let (full, _) = rollup.apply(shape, &[new_account(2, 5)], &[transfer]);
    assert_eq!((full.deposits.len(), full.txs.len()), (1, 1));
    let (counts, matrices) = synthesize(BatchCircuit::new(&full).unwrap(), false, true);
    let matrices = matrices.unwrap();
    assert_eq!(counts, blank_counts);
    assert_eq!(matrices.num_constraints, blank.num_constraints);
    assert!(matrices.a == blank.a && matrices.b == blank.b && matrices.c == blank.c);

    let (empty, _) = Rollup::default().apply(shape, &[], &[]);
    for witness in [opening, empty] {
        let (counts, _) = synthesize(BatchCircuit::new(&witness).unwrap(), false, false);
        assert_eq!(counts, blank_counts);
    }
    let measured = BatchCircuit::blank(shape).measure().unwrap();
    assert_eq!(measured.constraints, blank.num_constraints);
}

#[test]
fn a_wrong_signature_fails_its_slot() {
    let (_, mut witness, _) = sample_batch(SHAPE);
    witness.txs[0].tx.signature.s += ark_ed_on_bls12_381::Fr::ONE;
    assert_eq!(fails_at(&witness), Part::Tx(0));
    // Signed by another key.
    let (rollup, mut witness, _) = sample_batch(SHAPE);
    let step = &mut witness.txs[1];
    step.tx = rollup.sign_at(&key(9), step.tx.body.clone(), 0);
    assert_eq!(fails_at(&witness), Part::Tx(1));
}

#[test]
fn a_wrong_nonce_fails_even_when_signed() {
    // The sender signs nonce 1 while its account is at 0: the signature is good, the
    // nonce is not.
    let (rollup, mut witness, _) = sample_batch(SHAPE);
    let step = &mut witness.txs[0];
    assert_eq!(step.sender.nonce, 0);
    step.tx = rollup.sign_at(&key(1), step.tx.body.clone(), 1);
    assert_eq!(fails_at(&witness), Part::Tx(0));
}

/// The sample's withdrawal (account 1 holds 800 when it runs) rewritten to take `amount`,
/// with the statement the circuit would compute for it (balances wrap in the field).
fn withdrawal_of(amount: u128) -> BatchWitness {
    withdrawal_to(amount, None)
}

/// As [`withdrawal_of`], paying `recipient` if given (else the sample's own).
fn withdrawal_to(amount: u128, recipient: Option<Vec<u8>>) -> BatchWitness {
    let (rollup, mut witness, data) = sample_batch(SHAPE);
    let hasher = rollup.ledger.hasher().clone();
    let step = &mut witness.txs[1];
    let TxBody::Withdraw {
        recipient: sample, ..
    } = step.tx.body.clone()
    else {
        unreachable!("the sample's second transaction is a withdrawal")
    };
    let recipient = recipient.unwrap_or(sample);
    assert_eq!(step.sender.balance, 800);
    let body = TxBody::Withdraw {
        from: 1,
        amount,
        recipient,
    };
    step.tx = Tx::sign(&hasher, &rollup.domain, body.clone(), 0, &key(2));
    let (x, y) = step.sender.key.coordinates();
    let remaining = Fr::from(800u64) - Fr::from(amount);
    let packed = remaining + Fr::from(2u64).pow([128]);
    let leaf = hash(Domain::Leaf, &[x, y, packed]);
    let root = root_from_path(&hasher, leaf, 1, &step.sender_path).unwrap();
    let data = BatchData {
        txs: vec![data.txs[0].clone(), body],
        exits: vec![],
    };
    let slots = vec![false; witness.deposits.len()];
    witness.statement.data_commitment = data.commitment(&hasher, SHAPE, &slots).unwrap();
    witness.statement.new_state_root = state_root(&hasher, &root, 2);
    witness
}

#[test]
fn an_overspend_fails_its_slot() {
    // The forged witness is exactly what the circuit computes: all of it is satisfied...
    check(&withdrawal_of(800)).unwrap();
    // ...but for the range check of the balance left, one unit too far.
    assert_eq!(fails_at(&withdrawal_of(801)), Part::Tx(1));
    // And a zero amount is no transaction.
    assert_eq!(fails_at(&withdrawal_of(0)), Part::Tx(1));
}

#[test]
fn a_recipient_of_neither_20_nor_32_bytes_fails_its_slot() {
    // The native ledger never builds such a batch; the forged witness is otherwise exactly
    // what the circuit computes, so only the slot's length rule can refuse it.
    check(&withdrawal_to(100, Some(vec![9; 20]))).unwrap();
    check(&withdrawal_to(100, Some(vec![9; 32]))).unwrap();
    for len in [1, 19, 21, 31] {
        assert_eq!(
            fails_at(&withdrawal_to(100, Some(vec![9; len]))),
            Part::Tx(1),
            "{len} bytes"
        );
    }
    // Longer than a slot holds: refused before synthesis.
    assert!(matches!(
        BatchCircuit::new(&withdrawal_to(100, Some(vec![9; 33]))),
        Err(Error::Witness(_))
    ));
}

#[test]
fn a_wrong_state_root_or_public_input_fails() {
    let (_, witness, _) = sample_batch(SHAPE);
    let mut wrong = witness.clone();
    wrong.statement.new_state_root += Fr::ONE;
    assert_eq!(fails_at(&wrong), Part::Close);

    let mut wrong = witness.clone();
    wrong.statement.prev_state_root += Fr::ONE;
    assert_eq!(fails_at(&wrong), Part::Statement);

    let circuit = BatchCircuit::new(&witness).unwrap();
    let input = circuit.public_input().unwrap();
    assert_eq!(
        failing_part(&circuit.with_public_input(input + Fr::ONE)),
        Part::Statement
    );
}

#[test]
fn a_skipped_deposit_fails() {
    // The queue holds two deposits; the statement says both were applied (the contract's
    // chain head), but the operator applied only the second.
    let (_, honest, _) = sample_batch(SHAPE);
    let mut skipping = Rollup::default();
    let (mut witness, _) = skipping.apply(SHAPE, &[new_account(2, 500)], &[]);
    witness.statement.deposits_after = honest.statement.deposits_after;
    assert_eq!(fails_at(&witness), Part::Close);

    // A padding slot before a real one.
    let circuit = BatchCircuit::new(&honest)
        .unwrap()
        .with_deposit_slot_unused(0);
    assert_eq!(failing_part(&circuit), Part::Deposit(1));

    // A deposit whose amount is not the queued one: its leaf is not the one the next
    // slot's path was taken under (and the chain would not end at the queue's head).
    let mut wrong = honest.clone();
    if let settle_core::validity::ledger::Deposit::NewAccount { amount, .. } =
        &mut wrong.deposits[0].deposit
    {
        *amount += 1;
    }
    assert_eq!(fails_at(&wrong), Part::Deposit(1));
}

#[test]
fn v1_an_exit_request_is_served_in_full_or_the_batch_fails() {
    // After the sample batch alice (0) holds 700 and bob (1) 100.
    let (mut rollup, _, _) = sample_batch(SHAPE);
    let hasher = rollup.ledger.hasher().clone();
    let deposits = [
        Deposit::Exit { account: 1 },
        Deposit::Credit {
            account: 1,
            amount: 5,
        },
    ];
    let transfer = rollup.sign(
        &key(1),
        TxBody::Transfer {
            from: 0,
            to: 1,
            amount: 1,
        },
    );
    let (witness, data) = rollup.apply(SHAPE, &deposits, &[transfer]);
    assert_eq!(data.exits, vec![100]);
    check(&witness).unwrap();
    // Posting less than the account held (keeping the rest) breaks the commitment.
    let slots = [true, false];
    for exits in [vec![99], vec![0], vec![101]] {
        let mut wrong = witness.clone();
        let posted = BatchData {
            exits,
            ..data.clone()
        };
        wrong.statement.data_commitment = posted.commitment(&hasher, SHAPE, &slots).unwrap();
        assert_eq!(fails_at(&wrong), Part::Close);
    }
    // Leaving the balance in the account (the exit served as a no-op) fails its slot.
    let mut kept = witness.clone();
    kept.deposits[0].deposit = Deposit::Credit {
        account: 1,
        amount: 0,
    };
    assert!(check(&kept).is_err());
    // An exit request cannot open an account or bring money in.
    let mut opened = witness.clone();
    opened.deposits[0].index = 2;
    assert!(check(&opened).is_err());
}

#[test]
fn a_commitment_to_other_data_fails() {
    let (rollup, mut witness, data) = sample_batch(SHAPE);
    let mut other = data.clone();
    if let TxBody::Transfer { amount, .. } = &mut other.txs[0] {
        *amount += 1;
    }
    let slots = vec![false; witness.deposits.len()];
    witness.statement.data_commitment = other
        .commitment(rollup.ledger.hasher(), SHAPE, &slots)
        .unwrap();
    assert_eq!(fails_at(&witness), Part::Close);
    // The same data in a circuit of more slots commits differently.
    let (_, mut witness, data) = sample_batch(SHAPE);
    let more = Shape { txs: 3, ..SHAPE };
    witness.statement.data_commitment = data
        .commitment(rollup.ledger.hasher(), more, &slots)
        .unwrap();
    assert_eq!(fails_at(&witness), Part::Close);
}

#[test]
fn tampered_accounts_and_paths_fail_their_slot() {
    let (_, witness, _) = sample_batch(SHAPE);
    let mut wrong = witness.clone();
    wrong.txs[0].sender.balance += 1;
    assert_eq!(fails_at(&wrong), Part::Tx(0));

    let mut wrong = witness.clone();
    let (account, _) = wrong.txs[0].recipient.as_mut().unwrap();
    account.nonce += 1;
    assert_eq!(fails_at(&wrong), Part::Tx(0));

    let mut wrong = witness.clone();
    wrong.txs[1].sender_path[19] += Fr::ONE;
    assert_eq!(fails_at(&wrong), Part::Tx(1));

    // A new account placed anywhere but at the count.
    let mut wrong = witness.clone();
    wrong.deposits[1].index = 5;
    assert_eq!(fails_at(&wrong), Part::Deposit(1));
}

#[test]
fn malformed_witnesses_are_refused_before_synthesis() {
    let (_, witness, _) = sample_batch(SHAPE);
    let mut wrong = witness.clone();
    wrong.shape = Shape {
        deposits: 1,
        txs: 2,
    };
    assert!(matches!(
        BatchCircuit::new(&wrong),
        Err(Error::TooLarge { .. })
    ));

    let mut wrong = witness.clone();
    wrong.txs[0].sender_path.pop();
    assert!(matches!(BatchCircuit::new(&wrong), Err(Error::Witness(_))));

    let mut wrong = witness.clone();
    wrong.txs[0].tx.signature.r =
        ark_ed_on_bls12_381::EdwardsAffine::new_unchecked(Fr::ONE, Fr::ONE);
    assert!(matches!(BatchCircuit::new(&wrong), Err(Error::Witness(_))));

    let mut wrong = witness.clone();
    wrong.txs[0].recipient = None;
    assert!(matches!(BatchCircuit::new(&wrong), Err(Error::Witness(_))));

    // A blank circuit has nothing to check.
    assert!(matches!(
        BatchCircuit::blank(SHAPE).check(),
        Err(Error::Synthesis(_))
    ));
}
