//! Tests of the validity ledger's rules as a whole: batches, the deposit chain, the data
//! commitment, the statement, and agreement with the optimistic ledger's spending rules.

use alloc::vec;
use alloc::vec::Vec;
use ark_ff::Zero;

use super::eddsa::SecretKey;
use super::field::Fr;
use super::ledger::*;
use super::tree;
use crate::error::Error;
use crate::ledger::NoOp;

fn key(n: u8) -> SecretKey {
    SecretKey::from_seed(&[n; 32])
}

const SHAPE: Shape = Shape {
    deposits: 2,
    txs: 4,
};

fn domain() -> Fr {
    rollup_domain("settle-1", b"validity-rollup-contract-address")
}

/// Two accounts (alice 0 with 1000, bob 1 with 50) after one batch of deposits.
fn funded() -> (Ledger, Fr) {
    let mut l = Ledger::new();
    let deposits = [
        Deposit::NewAccount {
            key: key(1).public_key(),
            amount: 1000,
        },
        Deposit::NewAccount {
            key: key(2).public_key(),
            amount: 50,
        },
    ];
    let (w, _) = l
        .apply_batch(SHAPE, &domain(), &Fr::zero(), &deposits, &[])
        .unwrap();
    (l, w.statement.deposits_after)
}

fn transfer(l: &Ledger, from: u32, to: u32, amount: u128, signer: u8) -> Tx {
    let nonce = l.account(from).map(|a| a.nonce).unwrap_or(0);
    Tx::sign(
        l.hasher(),
        &domain(),
        TxBody::Transfer { from, to, amount },
        nonce,
        &key(signer),
    )
}

#[test]
fn a_batch_moves_money_and_chains_its_statement() {
    let (mut l, head) = funded();
    assert_eq!(l.total_balance(), 1050);
    let t1 = transfer(&l, 0, 1, 300, 1);
    let w = Tx::sign(
        l.hasher(),
        &domain(),
        TxBody::Withdraw {
            from: 1,
            amount: 100,
            recipient: vec![7u8; 20],
        },
        0,
        &key(2),
    );
    let prev = l.state_root();
    let (witness, data) = l
        .apply_batch(SHAPE, &domain(), &head, &[], &[t1, w])
        .unwrap();
    assert_eq!(l.account(0).unwrap().balance, 700);
    assert_eq!(l.account(0).unwrap().nonce, 1);
    assert_eq!(l.account(1).unwrap().balance, 250);
    assert_eq!(l.total_balance(), 950);
    assert_eq!(witness.statement.prev_state_root, prev);
    assert_eq!(witness.statement.new_state_root, l.state_root());
    assert_eq!(witness.statement.deposits_after, head);
    // The posted data round-trips and gives the statement's commitment and withdrawals.
    let posted = BatchData::decode(&data.encode()).unwrap();
    assert_eq!(posted, data);
    assert_eq!(
        posted.commitment(l.hasher(), SHAPE, &[]),
        Ok(witness.statement.data_commitment)
    );
    assert_eq!(posted.withdrawals().len(), 1);
    assert_eq!(posted.withdrawals()[0].amount, 100);
    // The witness paths open the pre-state.
    let step = &witness.txs[0];
    assert_eq!(
        tree::root_from_path(
            l.hasher(),
            step.sender.leaf(l.hasher()),
            0,
            &step.sender_path
        )
        .unwrap(),
        witness.prev_accounts_root
    );
}

#[test]
fn invalid_transactions_are_refused_and_change_nothing() {
    let (mut l, head) = funded();
    let before = l.state_root();
    let cases: Vec<(Tx, NoOp)> = vec![
        (
            transfer(&l, 0, 1, 1001, 1),
            NoOp::InsufficientBalance {
                balance: 1000,
                amount: 1001,
            },
        ),
        (transfer(&l, 0, 1, 0, 1), NoOp::ZeroAmount),
        (transfer(&l, 0, 1, 5, 2), NoOp::BadSignature),
        (transfer(&l, 0, 9, 5, 1), NoOp::UnknownAccount { index: 9 }),
        (transfer(&l, 9, 0, 5, 1), NoOp::UnknownAccount { index: 9 }),
    ];
    for (tx, reason) in cases {
        assert_eq!(l.check_tx(&domain(), &tx), Err(reason));
        assert!(l.apply_batch(SHAPE, &domain(), &head, &[], &[tx]).is_err());
        assert_eq!(l.state_root(), before);
    }
    // A replay: the same signed transfer twice in one batch.
    let t = transfer(&l, 0, 1, 10, 1);
    let err = l
        .apply_batch(SHAPE, &domain(), &head, &[], &[t.clone(), t])
        .unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err}");
    assert_eq!(l.state_root(), before);
    // Signed for another rollup.
    let other = Tx::sign(
        l.hasher(),
        &rollup_domain("settle-2", b"validity-rollup-contract-address"),
        TxBody::Transfer {
            from: 0,
            to: 1,
            amount: 1,
        },
        0,
        &key(1),
    );
    assert_eq!(l.check_tx(&domain(), &other), Err(NoOp::BadSignature));
    // Bodies no batch can hold are refused, never a panic.
    // Recipients are 20 or 32 bytes, as in the optimistic rollup: any other length is an
    // address the chain could not pay.
    for len in [0usize, 1, 19, 21, 31, 33, 40] {
        let odd = Tx::sign(
            l.hasher(),
            &domain(),
            TxBody::Withdraw {
                from: 0,
                amount: 1,
                recipient: vec![1; len],
            },
            0,
            &key(1),
        );
        assert_eq!(
            l.check_tx(&domain(), &odd),
            Err(NoOp::Undecodable(crate::codec::DecodeError::BadLength(
                len as u8
            ))),
            "{len} bytes"
        );
        assert!(exit_message(l.hasher(), &domain(), 0, &vec![1; len]).is_err());
        let data = BatchData {
            txs: vec![odd.body.clone()],
            exits: vec![],
        };
        assert!(BatchData::decode(&data.encode()).is_err(), "{len} bytes");
    }
    for len in [20usize, 32] {
        assert!(exit_message(l.hasher(), &domain(), 0, &vec![1; len]).is_ok());
    }
    let far = transfer(&l, 0, tree::CAPACITY as u32, 1, 1);
    assert_eq!(
        l.check_tx(&domain(), &far),
        Err(NoOp::UnknownAccount {
            index: tree::CAPACITY as u32
        })
    );
    // Too many transactions for the circuit.
    let many: Vec<Tx> = (0..5).map(|_| transfer(&l, 0, 1, 1, 1)).collect();
    assert!(l.apply_batch(SHAPE, &domain(), &head, &[], &many).is_err());
}

#[test]
fn self_transfer_spends_only_the_nonce_like_the_optimistic_ledger() {
    let (mut l, head) = funded();
    let t = transfer(&l, 0, 0, 400, 1);
    l.apply_batch(SHAPE, &domain(), &head, &[], &[t]).unwrap();
    assert_eq!(l.account(0).unwrap().balance, 1000);
    assert_eq!(l.account(0).unwrap().nonce, 1);
    // Still bounded by the balance.
    let t = transfer(&l, 0, 0, 1001, 1);
    assert!(matches!(
        l.check_tx(&domain(), &t),
        Err(NoOp::InsufficientBalance { .. })
    ));
}

#[test]
fn deposits_chain_in_order_and_credit_existing_accounts() {
    let (mut l, head) = funded();
    let d = [Deposit::Credit {
        account: 1,
        amount: 5,
    }];
    let (w, _) = l.apply_batch(SHAPE, &domain(), &head, &d, &[]).unwrap();
    assert_eq!(w.statement.deposits_after, d[0].chain(l.hasher(), &head));
    assert_eq!(l.account(1).unwrap().balance, 55);
    // Unknown account and overflow are refused (the contract never queues them).
    assert!(l
        .apply_deposit(&Deposit::Credit {
            account: 7,
            amount: 1
        })
        .is_err());
    assert!(l
        .apply_deposit(&Deposit::Credit {
            account: 1,
            amount: u128::MAX
        })
        .is_err());
    // The two deposit kinds never share elements.
    let a = Deposit::Credit {
        account: 0,
        amount: 5,
    }
    .elements();
    let b = Deposit::NewAccount {
        key: key(1).public_key(),
        amount: 5,
    }
    .elements();
    assert_ne!(a[2], b[2]);
}

#[test]
fn batch_data_decoding_is_strict() {
    let data = BatchData {
        txs: vec![
            TxBody::Transfer {
                from: 1,
                to: 2,
                amount: 3,
            },
            TxBody::Withdraw {
                from: 4,
                amount: 5,
                recipient: vec![1; 32],
            },
        ],
        exits: vec![6, 7],
    };
    let bytes = data.encode();
    assert_eq!(BatchData::decode(&bytes).unwrap(), data);
    let mut long = bytes.clone();
    long.push(0);
    assert!(BatchData::decode(&long).is_err());
    assert!(BatchData::decode(&bytes[..bytes.len() - 1]).is_err());
    let mut bad_kind = bytes.clone();
    bad_kind[2] = 9;
    assert!(BatchData::decode(&bad_kind).is_err());
    let big_index = BatchData {
        txs: vec![TxBody::Transfer {
            from: tree::CAPACITY as u32,
            to: 0,
            amount: 1,
        }],
        exits: vec![],
    };
    assert!(BatchData::decode(&big_index.encode()).is_err());
    let h = super::poseidon::Poseidon::new();
    let shape = |deposits, txs| Shape { deposits, txs };
    let slots = [true, false, true];
    assert!(data.commitment(&h, shape(3, 1), &slots).is_err());
    // The exits posted must match the exit requests consumed.
    assert!(data.commitment(&h, shape(3, 2), &[true]).is_err());
    assert!(data.commitment(&h, shape(2, 2), &slots).is_err());
    // Different data, different commitment; padding is part of the shape.
    assert_ne!(
        data.commitment(&h, shape(3, 2), &slots),
        data.commitment(&h, shape(3, 3), &slots)
    );
    assert_ne!(
        data.commitment(&h, shape(3, 2), &slots),
        data.commitment(&h, shape(4, 2), &slots)
    );
    assert_ne!(
        data.commitment(&h, shape(3, 2), &slots),
        data.commitment(&h, shape(3, 2), &[true, true, false])
    );
    // A 20-byte and a 21-byte recipient with a trailing zero are different slots.
    let a = TxBody::Withdraw {
        from: 0,
        amount: 1,
        recipient: vec![1; 20],
    };
    let mut r = vec![1; 20];
    r.push(0);
    let b = TxBody::Withdraw {
        from: 0,
        amount: 1,
        recipient: r,
    };
    assert_ne!(a.slot(), b.slot());
}

#[test]
fn debit_and_credit_are_the_optimistic_ledgers_rules() {
    use crate::ledger::{credit, debit};
    assert_eq!(debit(10, 3, 3, 4), Ok((6, 4)));
    assert_eq!(
        debit(10, 3, 2, 4),
        Err(NoOp::BadNonce {
            expected: 3,
            got: 2
        })
    );
    assert_eq!(debit(10, u64::MAX, u64::MAX, 1), Err(NoOp::NonceExhausted));
    assert_eq!(debit(10, 0, 0, 0), Err(NoOp::ZeroAmount));
    assert_eq!(credit(u128::MAX, 1), Err(NoOp::BalanceOverflow));
}

#[test]
fn anyone_rebuilds_the_ledger_from_deposits_and_posted_data() {
    // The operator's batches.
    let deposits = [
        Deposit::NewAccount {
            key: key(1).public_key(),
            amount: 1000,
        },
        Deposit::NewAccount {
            key: key(2).public_key(),
            amount: 50,
        },
        Deposit::Credit {
            account: 1,
            amount: 25,
        },
    ];
    let mut op = Ledger::new();
    let (w0, d0) = op
        .apply_batch(SHAPE, &domain(), &Fr::zero(), &deposits[..2], &[])
        .unwrap();
    let root0 = op.state_root();
    let pay = transfer(&op, 0, 1, 300, 1);
    let back = transfer(&op, 1, 0, 5, 2);
    let out = Tx::sign(
        op.hasher(),
        &domain(),
        TxBody::Withdraw {
            from: 1,
            amount: 70,
            recipient: vec![7u8; 32],
        },
        1,
        &key(2),
    );
    let (_, d1) = op
        .apply_batch(
            SHAPE,
            &domain(),
            &w0.statement.deposits_after,
            &deposits[2..],
            &[pay, back, out],
        )
        .unwrap();
    let root1 = op.state_root();

    // A user who has only the chain: deposits, posted data, recorded roots.
    let mut user = Ledger::new();
    user.replay_batch(&deposits[..2], &d0, &root0).unwrap();
    let posted = BatchData::decode(&d1.encode()).unwrap();
    user.replay_batch(&deposits[2..], &posted, &root1).unwrap();
    assert_eq!(user.accounts(), op.accounts());
    assert_eq!(user.accounts_root(), op.accounts_root());
    assert_eq!(user.path(1).unwrap(), op.path(1).unwrap());

    // Data that does not lead to the recorded root is refused and changes nothing.
    let mut user = Ledger::new();
    user.replay_batch(&deposits[..2], &d0, &root0).unwrap();
    let mut forged = d1.clone();
    if let TxBody::Transfer { amount, .. } = &mut forged.txs[0] {
        *amount += 1;
    }
    assert!(matches!(
        user.replay_batch(&deposits[2..], &forged, &root1),
        Err(Error::ReplayMismatch { .. })
    ));
    assert_eq!(user.state_root(), root0);
    // So is data no ledger can apply (an overdraft), and a deposit left out.
    let mut overdraft = d1.clone();
    if let TxBody::Transfer { amount, .. } = &mut overdraft.txs[0] {
        *amount = 5000;
    }
    assert!(user
        .replay_batch(&deposits[2..], &overdraft, &root1)
        .is_err());
    assert_eq!(user.state_root(), root0);
    assert!(matches!(
        user.replay_batch(&[], &d1, &root1),
        Err(Error::ReplayMismatch { .. })
    ));
    assert_eq!(user.state_root(), root0);
}

#[test]
fn v1_an_exit_request_withdraws_the_whole_balance_and_posts_it() {
    let (mut l, head) = funded();
    let mut replica = l.clone();
    let t = transfer(&l, 0, 1, 300, 1);
    let deposits = [
        Deposit::Exit { account: 1 },
        Deposit::Credit {
            account: 1,
            amount: 5,
        },
    ];
    let (witness, data) = l
        .apply_batch(SHAPE, &domain(), &head, &deposits, &[t])
        .unwrap();
    // Queue entries first: bob's 50 leave, bob is credited 5; then alice's transfer.
    assert_eq!(data.exits, vec![50]);
    assert_eq!(l.account(1).unwrap().balance, 305);
    assert_eq!(l.account(1).unwrap().nonce, 0);
    assert_eq!(l.account(0).unwrap().balance, 700);
    assert_eq!(l.total_balance(), 1005);
    assert_eq!(witness.deposits[0].before.unwrap().balance, 50);
    // The exit is in the deposit chain and its amount in the data commitment.
    let chained = deposits.iter().fold(head, |h, d| d.chain(l.hasher(), &h));
    assert_eq!(witness.statement.deposits_after, chained);
    let posted = BatchData::decode(&data.encode()).unwrap();
    assert_eq!(
        posted.commitment(l.hasher(), SHAPE, &[true, false]),
        Ok(witness.statement.data_commitment)
    );
    let mut understated = posted.clone();
    understated.exits = vec![49];
    assert_ne!(
        understated.commitment(l.hasher(), SHAPE, &[true, false]),
        Ok(witness.statement.data_commitment)
    );
    // Anyone replays it from public data; a wrong exit amount is refused.
    let mut wrong = replica.clone();
    assert!(wrong
        .replay_batch(&deposits, &understated, &l.state_root())
        .is_err());
    replica
        .replay_batch(&deposits, &posted, &l.state_root())
        .unwrap();
    assert_eq!(replica.state_root(), l.state_root());
    // An exit from an account that does not exist is no queue entry the ledger takes.
    assert!(l.apply_deposit(&Deposit::Exit { account: 9 }).is_err());
}

#[test]
fn v1_exit_requests_are_signed_apart_from_exodus_exits_and_once() {
    let h = super::poseidon::Poseidon::new();
    let r = [3u8; 20];
    let request = exit_request_message(&h, &domain(), 0, &r, 0).unwrap();
    assert_ne!(request, exit_message(&h, &domain(), 0, &r).unwrap());
    assert_ne!(
        request,
        exit_request_message(&h, &domain(), 0, &r, 1).unwrap()
    );
    assert_ne!(
        request,
        exit_request_message(&h, &domain(), 1, &r, 0).unwrap()
    );
    assert!(exit_request_message(&h, &domain(), 0, &[3u8; 21], 0).is_err());
    // The three queue kinds never share elements.
    let exit = Deposit::Exit { account: 0 }.elements();
    let credit = Deposit::Credit {
        account: 0,
        amount: 0,
    }
    .elements();
    assert_ne!(exit, credit);
}
