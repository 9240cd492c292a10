//! The one-step proof against the operator's replay: every step of mixed batches, the
//! wire form, tampering, and whole games between honest and lying players.

use alloc::vec::Vec;

use super::game::{ClockRules, Game, Phase, Side};
use super::step::{one_step, BatchContext, OneStepProof, StepKind};
use super::trace::BatchTrace;
use crate::batch::encode_batch;
use crate::crypto::{L2Key, NativeVerifier};
use crate::error::Error;
use crate::hash::{keccak256_concat, Hash};
use crate::ledger::{Deposit, DepositTarget};
use crate::node::Node;
use crate::tx::{Domain, SignedTx};

fn deposit(index: u64, target: DepositTarget, amount: u128) -> Deposit {
    Deposit {
        index,
        target,
        amount,
        refund_to: alloc::vec![0xd0 | index as u8; 20],
    }
}

/// Two batches covering every kind of step: opening, crediting and refunded deposits;
/// transfers, withdrawals, bad signatures, short balances, unknown accounts, a
/// self-transfer, and an undecodable tail.
fn node_with_batches() -> (Node, Vec<L2Key>) {
    let domain = Domain::new("test-1", "rollup");
    let mut node = Node::new(domain);
    let keys: Vec<L2Key> = (0..3)
        .map(|i| L2Key::from_label(&alloc::format!("k{i}")))
        .collect();
    let v = NativeVerifier;
    for (i, k) in keys.iter().take(2).enumerate() {
        node.observe_deposit(deposit(
            i as u64,
            DepositTarget::NewAccount(k.public_key()),
            1_000,
        ))
        .unwrap();
    }
    node.observe_deposit(deposit(2, DepositTarget::Account(9), 5))
        .unwrap(); // refunded
    let txs = [
        node.sign_transfer(&keys[0], 0, 1, 100, 0),
        node.sign_transfer(&keys[1], 1, 0, 7, 0),
        node.sign_withdrawal(&keys[0], 0, alloc::vec![0xee; 20], 50, 1),
        node.sign_transfer(&keys[1], 0, 1, 1, 2), // signed by the wrong key
        node.sign_transfer(&keys[0], 0, 1, 10_000, 2), // short balance
        node.sign_transfer(&keys[0], 0, 7, 1, 2), // unknown recipient
        node.sign_transfer(&keys[0], 0, 0, 1, 2), // self-transfer
    ];
    let mut data = encode_batch(&txs);
    data.extend_from_slice(&[0xff, 0x01, 0x02]);
    node.propose(&v, data).unwrap();
    node.observe_deposit(deposit(
        3,
        DepositTarget::NewAccount(keys[2].public_key()),
        30,
    ))
    .unwrap();
    node.observe_deposit(deposit(4, DepositTarget::Account(1), 3))
        .unwrap();
    let txs = [
        node.sign_transfer(&keys[2], 2, 0, 30, 0),
        node.sign_withdrawal(&keys[1], 1, alloc::vec![0xef; 32], 3, 1),
    ];
    node.propose(&v, encode_batch(&txs)).unwrap();
    (node, keys)
}

fn check_every_step(trace: &BatchTrace) -> usize {
    let v = NativeVerifier;
    let roots = trace.roots(&v).unwrap();
    let n = trace.ctx.steps();
    assert_eq!(roots.len() as u64, n + 1);
    let mut longest = 0;
    for j in 0..n {
        let proof = trace.proof(&v, j).unwrap();
        let wire = proof.encode();
        longest = longest.max(wire.len());
        assert_eq!(
            OneStepProof::decode(&wire).unwrap(),
            proof,
            "wire round trip, step {j}"
        );
        let d = match trace.ctx.step_kind(j).unwrap() {
            StepKind::Deposit { queue_index } => Some(trace.deposit(queue_index).unwrap()),
            _ => None,
        };
        let post = one_step(
            &trace.ctx,
            &trace.domain,
            &v,
            j,
            &roots[j as usize],
            d,
            &proof,
        );
        assert_eq!(post, Ok(roots[j as usize + 1]), "step {j}");
    }
    longest
}

#[test]
fn every_step_of_every_batch_proves_the_replayed_root() {
    let (node, _) = node_with_batches();
    for b in 0..2 {
        let trace = node.trace(b).unwrap();
        let roots = trace.roots(&NativeVerifier).unwrap();
        // the last root is the output root the node posted
        assert_eq!(
            *roots.last().unwrap(),
            node.batch_result(b).unwrap().output.root()
        );
        check_every_step(&trace);
    }
    assert_eq!(node.trace(0).unwrap().ctx.steps(), 3 + 8 + 2);
}

#[test]
fn proofs_that_prove_nothing_are_refused() {
    let (node, _) = node_with_batches();
    let v = NativeVerifier;
    let trace = node.trace(1).unwrap();
    let ctx = trace.ctx;
    let roots = trace.roots(&v).unwrap();
    let run = |j: u64, pre: &Hash, p: &OneStepProof, d: Option<&Deposit>| {
        one_step(&ctx, &trace.domain, &v, j, pre, d, p)
    };
    // a transfer step: 1 open + 2 deposits, so step 3 is tx 0
    assert_eq!(ctx.step_kind(3), Ok(StepKind::Tx { index: 0 }));
    let good = trace.proof(&v, 3).unwrap();
    assert!(matches!(
        run(3, &roots[2], &good, None),
        Err(Error::PreStateMismatch { .. })
    ));
    // a transaction proof offered for a deposit step
    assert!(matches!(
        run(1, &roots[1], &good, None),
        Err(Error::Malformed { .. })
    ));
    // other bytes than the batch's step
    let p = tampered(&good, |tx, _, _| tx[1] ^= 1);
    assert!(matches!(
        run(3, &roots[3], &p, None),
        Err(Error::RootMismatch { .. })
    ));
    // a witness lying about a balance
    let p = tampered(&good, |_, _, w| {
        w.accounts[0].1.as_mut().unwrap().balance += 1
    });
    assert!(matches!(
        run(3, &roots[3], &p, None),
        Err(Error::RootMismatch { .. })
    ));
    // a witness without the recipient: its proof no longer fits the root
    let p = tampered(&good, |_, _, w| {
        w.accounts.pop();
    });
    assert!(run(3, &roots[3], &p, None).is_err());
    // another step tree root
    let p = tampered(&good, |_, root, _| *root = [7; 32]);
    assert!(matches!(
        run(3, &roots[3], &p, None),
        Err(Error::Malformed { .. })
    ));
    // deposit steps need their deposit, and the right one
    let dp = trace.proof(&v, 1).unwrap();
    assert!(run(1, &roots[1], &dp, None).is_err());
    assert!(run(1, &roots[1], &dp, Some(trace.deposit(4).unwrap())).is_err());
    // the open step of batch 1 needs the parent output's preimage
    let open = trace.proof(&v, 0).unwrap();
    assert_eq!(run(0, &roots[0], &open, None), Ok(roots[1]));
    let OneStepProof::Open {
        parent: Some((s, w)),
    } = open
    else {
        panic!("parent")
    };
    let lie = OneStepProof::Open {
        parent: Some((w, s)),
    };
    assert_eq!(
        run(0, &roots[0], &lie, None),
        Err(Error::OutputMismatch { batch: 0 })
    );
    assert!(run(0, &roots[0], &OneStepProof::Open { parent: None }, None).is_err());
    // garbage and trailing bytes on the wire
    let mut wire = good.encode();
    wire.push(0);
    assert!(OneStepProof::decode(&wire).is_err());
    for cut in [0, 1, 10, 81, wire.len() - 2] {
        assert!(OneStepProof::decode(&wire[..cut]).is_err(), "cut at {cut}");
    }
    assert!(OneStepProof::decode(&[9]).is_err());
}

fn tampered(
    p: &OneStepProof,
    f: impl FnOnce(&mut Vec<u8>, &mut Hash, &mut super::step::AccountWitness),
) -> OneStepProof {
    let mut p = p.clone();
    let OneStepProof::Tx {
        tx,
        tree_root,
        accounts,
        ..
    } = &mut p
    else {
        panic!("a transaction proof")
    };
    f(tx, tree_root, accounts);
    p
}

/// A liar that changes every root from position `from` on.
fn lie(roots: &[Hash], from: u64) -> Vec<Hash> {
    roots
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if i as u64 >= from {
                keccak256_concat(&[b"lie", r])
            } else {
                *r
            }
        })
        .collect()
}

/// Plays a game between a defender answering with `defender_roots` and a challenger that
/// agrees when a root matches `challenger_roots`; then the one-step proof from the true
/// trace (anyone can build it) decides.
fn play(
    ctx: &BatchContext,
    trace: &BatchTrace,
    defender_roots: &[Hash],
    challenger_roots: &[Hash],
) -> (Side, u32) {
    let v = NativeVerifier;
    let n = ctx.steps();
    let rules = ClockRules {
        budget: 1_000,
        min_answer: 10,
    };
    let mut g = Game::new(n, defender_roots[0], defender_roots[n as usize], 0, rules).unwrap();
    let mut now = 0;
    loop {
        now += 1;
        match g.phase() {
            Phase::Bisect { position } => {
                g.bisect(now, position, defender_roots[position as usize])
            }
            Phase::Choose { position, root } => {
                g.choose(now, position, challenger_roots[position as usize] == root)
            }
            Phase::OneStep { step } => {
                let proof = trace.proof(&v, step).unwrap();
                let d = match ctx.step_kind(step).unwrap() {
                    StepKind::Deposit { queue_index } => Some(trace.deposit(queue_index).unwrap()),
                    _ => None,
                };
                match one_step(ctx, &trace.domain, &v, step, &g.lo_root, d, &proof) {
                    Ok(post) => {
                        return (g.conclude(now, step, &post).unwrap(), g.moves);
                    }
                    // the agreed pre-state is false: nobody can prove; the challenger times out
                    Err(_) => return (g.resolve_timeout(g.deadline().unwrap()).unwrap(), g.moves),
                }
            }
            Phase::Resolved { winner } => return (winner, g.moves),
        }
        .unwrap();
    }
}

#[test]
fn honest_challengers_win_against_every_lie_and_lose_against_the_truth() {
    let (node, _) = node_with_batches();
    for b in 0..2 {
        let trace = node.trace(b).unwrap();
        let truth = trace.roots(&NativeVerifier).unwrap();
        let n = trace.ctx.steps();
        for from in 1..=n {
            let lies = lie(&truth, from);
            let (winner, moves) = play(&trace.ctx, &trace, &lies, &truth);
            assert_eq!(
                winner,
                Side::Challenger,
                "batch {b}, lie from position {from}"
            );
            assert!(moves <= super::game::max_moves(n));
        }
        // a lying challenger (it disagrees from some position on) against the truth
        for from in 1..n {
            let lies = lie(&truth, from);
            let (winner, _) = play(&trace.ctx, &trace, &truth, &lies);
            assert_eq!(
                winner,
                Side::Defender,
                "batch {b}, challenger lies from {from}"
            );
        }
    }
}

#[test]
fn a_wrong_output_composition_is_caught_at_the_close_step() {
    let (node, _) = node_with_batches();
    let trace = node.trace(0).unwrap();
    let truth = trace.roots(&NativeVerifier).unwrap();
    let n = trace.ctx.steps() as usize;
    // every step state honest, but the output root claims a deposit cursor of 2, not 3
    let mut output = node.batch_result(0).unwrap().output;
    output.deposit_cursor = 2;
    let mut lies = truth.clone();
    lies[n] = output.root();
    let (winner, _) = play(&trace.ctx, &trace, &lies, &truth);
    assert_eq!(winner, Side::Challenger);
}

#[test]
fn a_thousand_steps_take_twenty_moves() {
    let domain = Domain::new("test-1", "rollup");
    let mut node = Node::new(domain);
    let keys: Vec<L2Key> = (0..2)
        .map(|i| L2Key::from_label(&alloc::format!("m{i}")))
        .collect();
    for (i, k) in keys.iter().enumerate() {
        node.observe_deposit(deposit(
            i as u64,
            DepositTarget::NewAccount(k.public_key()),
            10_000,
        ))
        .unwrap();
    }
    let txs: Vec<SignedTx> = (0..998)
        .map(|i| node.sign_transfer(&keys[0], 0, 1, 1, i))
        .collect();
    node.propose(&NativeVerifier, encode_batch(&txs)).unwrap();
    let trace = node.trace(0).unwrap();
    assert_eq!(trace.ctx.steps(), 1 + 2 + 998 + 1);
    let truth = trace.roots(&NativeVerifier).unwrap();
    let (winner, moves) = play(&trace.ctx, &trace, &lie(&truth, 500), &truth);
    assert_eq!(winner, Side::Challenger);
    assert_eq!(moves, 20);
}

#[test]
fn a_context_whose_counts_overflow_is_refused_not_a_panic() {
    let (node, _) = node_with_batches();
    let trace = node.trace(0).unwrap();
    let proof = trace.proof(&NativeVerifier, 0).unwrap();
    for ctx in [
        BatchContext {
            deposits: u64::MAX,
            ..trace.ctx
        },
        BatchContext {
            deposits_from: u64::MAX,
            ..trace.ctx
        },
        BatchContext {
            tx_steps: u64::MAX - 1,
            ..trace.ctx
        },
    ] {
        assert!(matches!(ctx.step_kind(0), Err(Error::Malformed { .. })));
        let r = one_step(
            &ctx,
            &trace.domain,
            &NativeVerifier,
            0,
            &[0; 32],
            None,
            &proof,
        );
        assert!(matches!(r, Err(Error::Malformed { .. })), "{r:?}");
    }
}
