//! The attack catalog (SECURITY.md) against settle-core's public API: the rules every
//! contract, the browser package and the operators share. Each `attack_` test performs
//! one named attack on the rule itself and checks that it fails closed with the typed
//! error (or, for the total L2 transition, a recorded no-op that changes no balance).
//! Runs with the default features (`std`, `native`, `validity`).
#![cfg(all(feature = "native", feature = "validity"))]

use std::sync::OnceLock;

use serde_json::Value;
use settle_core::batch::encode_batch;
use settle_core::crypto::{is_low_s, L2Key, NativeVerifier};
use settle_core::dispute::{
    one_step, AccountWitness, ClockRules, Game, OneStepProof, Phase, Side, StepKind,
};
use settle_core::hash::{hash_leaf, hash_node, Hash, ZERO_HASH};
use settle_core::ledger::{Deposit, DepositTarget, NoOp, TxEffect};
use settle_core::merkle::{self, MerkleTree, Proof};
use settle_core::node::Node;
use settle_core::oz::{self, u256_from_u128, Address, OzMultiProof, StandardMerkleTree, U256};
use settle_core::tx::{Domain, SignedTx};
use settle_core::validity::eddsa::{PublicKey, SecretKey, Signature};
use settle_core::validity::field::{fr_from_bytes, fr_to_bytes};
use settle_core::validity::groth16::{
    self, g1_from_ark, g1_to_ark, g2_from_ark, g2_to_ark, ArkBackend, PreparedKey, VerifyingKey,
    G1_IDENTITY, G2_IDENTITY,
};
use settle_core::Error;

// ---- helpers --------------------------------------------------------------------------

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/parity-v1.json");

/// The validity section of the committed parity vectors: a verifying key from a seeded
/// test setup and real Groth16 proofs of real batches.
fn validity() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    &V.get_or_init(|| {
        let text = std::fs::read_to_string(VECTORS).expect("parity vectors");
        serde_json::from_str(&text).expect("json")
    })["validity"]
}

fn hex_of(v: &Value, k: &str) -> Vec<u8> {
    hex::decode(v[k].as_str().expect("a hex string")).expect("hex")
}

fn prepared_key() -> PreparedKey {
    let vk = VerifyingKey::decode(&hex_of(validity(), "verifyingKey")).expect("the key decodes");
    groth16::prepare(vk, &ArkBackend).expect("a valid key")
}

/// Proof `i` of the vectors' valid proof checks (batch `i`) and its public input.
fn proof_and_input(i: usize) -> (Vec<u8>, Vec<u8>) {
    let c = &validity()["proofChecks"][i];
    assert_eq!(c["valid"], true, "proof check {i} is a valid one");
    let input = hex::decode(c["publicInputs"][0].as_str().expect("hex")).expect("hex");
    (hex_of(c, "proof"), input)
}

fn verify(key: &PreparedKey, proof: &[u8], input: &[u8]) -> Result<(), Error> {
    groth16::verify_encoded(key, proof, &[input], &ArkBackend)
}

fn deposit(index: u64, target: DepositTarget, amount: u128) -> Deposit {
    Deposit {
        index,
        target,
        amount,
        refund_to: vec![0xd0; 20],
    }
}

/// A node with accounts 0..3 (keys `k0..k2`, 1,000 each) opened by batch 0.
fn node_with_accounts() -> (Node, Vec<L2Key>) {
    let mut node = Node::new(Domain::new("attack-chain", "rollup-a"));
    let keys: Vec<L2Key> = (0..3)
        .map(|i| L2Key::from_label(&format!("attack-k{i}")))
        .collect();
    for (i, k) in keys.iter().enumerate() {
        node.observe_deposit(deposit(
            i as u64,
            DepositTarget::NewAccount(k.public_key()),
            1_000,
        ))
        .unwrap();
    }
    node.propose(&NativeVerifier, vec![]).unwrap();
    (node, keys)
}

fn balances(node: &Node) -> Vec<(u128, u64)> {
    node.ledger
        .accounts()
        .iter()
        .map(|a| (a.balance, a.nonce))
        .collect()
}

/// Applies `data` as the next batch; returns the transaction effects.
fn apply(node: &mut Node, data: Vec<u8>) -> Vec<TxEffect> {
    let p = node.propose(&NativeVerifier, data).unwrap();
    node.batch_result(p.index).unwrap().tx_effects.clone()
}

/// `sig` with `s` replaced by `n - s` (the high-s twin: the same signature for ECDSA).
fn high_s(sig: &[u8; 64]) -> [u8; 64] {
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36,
        0x41, 0x41,
    ];
    let mut out = *sig;
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = N[i] as i16 - sig[32 + i] as i16 - borrow;
        borrow = i16::from(d < 0);
        out[32 + i] = d.rem_euclid(256) as u8;
    }
    out
}

// ---- Merkle trees -----------------------------------------------------------------------

/// Second preimage: the 64 bytes of an inner node's two children, offered as leaf data
/// one level up. The leaf tag makes its hash differ from the node's, so the verifier
/// that hashes leaf data itself refuses it. (The hash-taking `verify`, which only ever
/// gets hashes the caller computed, would take the node: that is why untrusted input
/// never reaches it.)
#[test]
fn attack_second_preimage_64_byte_leaf_as_inner_node() {
    let items: Vec<Vec<u8>> = (0..4u8).map(|i| vec![i; 40]).collect();
    let tree = MerkleTree::from_data(items.iter());
    let leaves = tree.leaves().to_vec();
    let left = hash_node(&leaves[0], &leaves[1]);
    let right = hash_node(&leaves[2], &leaves[3]);
    assert_eq!(tree.root(), hash_node(&left, &right));
    // the forged leaf: the two children of the left inner node, as 64 bytes of data
    let mut forged = Vec::with_capacity(64);
    forged.extend_from_slice(&leaves[0]);
    forged.extend_from_slice(&leaves[1]);
    let proof = Proof {
        index: 0,
        leaf_count: 2,
        siblings: vec![right],
    };
    assert!(matches!(
        merkle::verify_data(&tree.root(), &forged, &proof),
        Err(Error::RootMismatch { .. })
    ));
    // as a position in the real four-leaf tree it fails too
    let proof4 = Proof {
        index: 0,
        leaf_count: 4,
        siblings: vec![right],
    };
    assert_eq!(
        merkle::verify_data(&tree.root(), &forged, &proof4),
        Err(Error::ProofLength {
            got: 1,
            expected: 2
        })
    );
    // the forgery only works on a verifier that takes the node hash as a leaf
    assert_eq!(merkle::verify(&tree.root(), &left, &proof), Ok(()));
    assert_ne!(hash_leaf(&forged), left);
}

/// What OpenZeppelin's `processMultiProof` did before 4.9.2 (GHSA-wprv-93r4-jj2p): the
/// count check alone, and `hashes[hashPos++]` read before it was written (zero) when the
/// flags ask for more hashes than exist at that point. Kept here to show the forgery.
fn vulnerable_process_multi_proof(leaves: &[Hash], proof: &[Hash], flags: &[bool]) -> Option<Hash> {
    if leaves.len() + proof.len() != flags.len() + 1 {
        return None;
    }
    let mut hashes = vec![ZERO_HASH; flags.len()];
    let (mut leaf_pos, mut hash_pos, mut proof_pos) = (0, 0, 0);
    let next = |leaf_pos: &mut usize, hash_pos: &mut usize, hashes: &[Hash]| {
        if *leaf_pos < leaves.len() {
            *leaf_pos += 1;
            leaves[*leaf_pos - 1]
        } else {
            *hash_pos += 1;
            hashes[*hash_pos - 1]
        }
    };
    for (i, &flag) in flags.iter().enumerate() {
        let a = next(&mut leaf_pos, &mut hash_pos, &hashes);
        let b = if flag {
            next(&mut leaf_pos, &mut hash_pos, &hashes)
        } else {
            proof_pos += 1;
            proof[proof_pos - 1]
        };
        hashes[i] = oz::hash_pair(&a, &b);
    }
    hashes.last().copied()
}

/// GHSA-wprv-93r4-jj2p: in a tree with a zero node beside the root's other child, one
/// leaf of the attacker's choice, the proof `[p0, junk]` and the flags `[true, false]`
/// pass the count check, read an unwritten (zero) hash, and land on the root. The core
/// refuses: a flag that consumes a hash not yet computed is malformed.
#[test]
fn attack_oz_multiproof_flag_forgery() {
    let p0: Hash = [0x5a; 32];
    let root = oz::hash_pair(&ZERO_HASH, &p0);
    let forged_value: (Address, U256) = ([0x66; 20], u256_from_u128(1_000_000));
    let forged_leaf = oz::leaf_hash(&forged_value.0, &forged_value.1);
    let proof = [p0, [0x99; 32]];
    let flags = [true, false];
    assert_eq!(
        vulnerable_process_multi_proof(&[forged_leaf], &proof, &flags),
        Some(root),
        "the pre-4.9.2 algorithm accepts the forgery"
    );
    let refused = oz::verify_multi_proof_values(&root, &[forged_value], &proof, &flags);
    assert!(
        matches!(
            refused,
            Err(Error::Malformed {
                what: "multiproof",
                ..
            })
        ),
        "{refused:?}"
    );
    // and a real multiproof of a real tree still verifies
    let values: Vec<(Address, U256)> = (0..5u8)
        .map(|i| ([i; 20], u256_from_u128(i as u128 + 1)))
        .collect();
    let tree = StandardMerkleTree::of(values.clone()).unwrap();
    let mp: OzMultiProof = tree.multi_proof(&[1, 3]).unwrap();
    assert_eq!(oz::verify_multi_proof(&tree.root(), &mp), Ok(()));
}

// ---- L2 transactions ----------------------------------------------------------------------

/// A transfer signed for another rollup (another contract on this chain, or this
/// contract's address on another chain) replayed here: its signature does not verify
/// under this rollup's domain, so it is a no-op.
#[test]
fn attack_tx_signed_for_another_contract_or_chain_replayed() {
    let (mut node, keys) = node_with_accounts();
    let before = (node.ledger.state_root(), balances(&node));
    let body = |nonce| {
        settle_core::tx::TxBody::Transfer(settle_core::tx::Transfer {
            from: 0,
            to: 1,
            amount: 500,
            nonce,
        })
    };
    let txs = [
        SignedTx::sign(body(0), &Domain::new("attack-chain", "rollup-b"), &keys[0]),
        SignedTx::sign(body(0), &Domain::new("other-chain", "rollup-a"), &keys[0]),
    ];
    let effects = apply(&mut node, encode_batch(&txs));
    assert_eq!(
        effects,
        vec![TxEffect::NoOp(NoOp::BadSignature); 2],
        "replays are no-ops"
    );
    assert_eq!((node.ledger.state_root(), balances(&node)), before);
}

/// The high-s twin of a valid signature (ECDSA accepts both `s` and `n - s`), an all-zero
/// signature, and undecodable bytes (truncated, a non-minimal varint that would give the
/// same payload two encodings): all no-ops, nothing moves.
#[test]
fn attack_undecodable_and_high_s_signatures() {
    let (mut node, keys) = node_with_accounts();
    let before = (node.ledger.state_root(), balances(&node));
    let good = node.sign_transfer(&keys[0], 0, 1, 500, 0);
    assert!(is_low_s(&good.signature));
    let twin = SignedTx {
        signature: high_s(&good.signature),
        ..good.clone()
    };
    assert!(!is_low_s(&twin.signature));
    let zeros = SignedTx {
        signature: [0; 64],
        ..good.clone()
    };
    let wire = good.encode();
    let truncated = wire[..wire.len() - 1].to_vec();
    // the transfer's first varint (`from` = 0) as the two bytes 0x80 0x00
    let mut padded = vec![wire[0], 0x80, 0x00];
    padded.extend_from_slice(&wire[2..]);
    assert_eq!(
        SignedTx::decode(&padded),
        Err(settle_core::codec::DecodeError::NonCanonical)
    );
    let effects = apply(&mut node, encode_batch(&[twin, zeros]));
    assert_eq!(
        effects,
        vec![
            TxEffect::NoOp(NoOp::HighS),
            TxEffect::NoOp(NoOp::BadSignature)
        ]
    );
    for bytes in [truncated, padded] {
        let effect = settle_core::ledger::apply_tx(
            &mut node.ledger.clone(),
            &mut settle_core::ledger::WithdrawalList::default(),
            &node.domain,
            &NativeVerifier,
            &bytes,
        )
        .unwrap();
        assert!(
            matches!(effect, TxEffect::NoOp(NoOp::Undecodable(_))),
            "{effect:?}"
        );
    }
    assert_eq!((node.ledger.state_root(), balances(&node)), before);
}

/// The same signed transfer twice in one batch: the second one carries a spent nonce.
#[test]
fn attack_nonce_replay_inside_a_batch() {
    let (mut node, keys) = node_with_accounts();
    let t = node.sign_transfer(&keys[0], 0, 1, 300, 0);
    let effects = apply(&mut node, encode_batch(&[t.clone(), t.clone(), t]));
    assert_eq!(
        effects,
        vec![
            TxEffect::Transferred {
                from: 0,
                to: 1,
                amount: 300
            },
            TxEffect::NoOp(NoOp::BadNonce {
                expected: 1,
                got: 0
            }),
            TxEffect::NoOp(NoOp::BadNonce {
                expected: 1,
                got: 0
            }),
        ]
    );
    assert_eq!(
        balances(&node),
        vec![(700, 1), (1_300, 0), (1_000, 0)],
        "paid once"
    );
}

/// Amounts that overflow: a deposit that would wrap an L2 balance past 2^128 - 1 is
/// refunded, a transfer that would is a no-op; nothing wraps.
#[test]
fn attack_amount_overflow_on_l2() {
    let (mut node, keys) = node_with_accounts();
    node.observe_deposit(deposit(3, DepositTarget::Account(1), u128::MAX - 1_000))
        .unwrap();
    node.observe_deposit(deposit(4, DepositTarget::Account(1), 1))
        .unwrap();
    let t = node.sign_transfer(&keys[0], 0, 1, 1, 0);
    let p = node.propose(&NativeVerifier, encode_batch(&[t])).unwrap();
    let result = node.batch_result(p.index).unwrap();
    assert_eq!(
        result.deposit_effects,
        vec![
            settle_core::ledger::DepositEffect::Credited { account: 1 },
            settle_core::ledger::DepositEffect::Refunded {
                withdrawal_index: 0
            },
        ]
    );
    assert_eq!(
        result.tx_effects,
        vec![TxEffect::NoOp(NoOp::BalanceOverflow)]
    );
    assert_eq!(node.ledger.accounts()[1].balance, u128::MAX);
    assert_eq!(node.ledger.accounts()[0].balance, 1_000);
    assert_eq!(
        result.withdrawals.items[0].amount, 1,
        "the overflow refunded"
    );
}

// ---- fraud proofs -----------------------------------------------------------------------

/// A one-step proof of a transfer from account 0 whose account witness is a valid proof,
/// against the agreed pre-state root, of ANOTHER account: the step needs account 0, so it
/// proves nothing.
#[test]
fn attack_one_step_proof_with_a_witness_for_the_wrong_account() {
    let (mut node, keys) = node_with_accounts();
    let t = node.sign_transfer(&keys[0], 0, 1, 10, 0);
    node.propose(&NativeVerifier, encode_batch(&[t])).unwrap();
    let trace = node.trace(1).unwrap();
    let v = NativeVerifier;
    let roots = trace.roots(&v).unwrap();
    assert_eq!(trace.ctx.step_kind(1), Ok(StepKind::Tx { index: 0 }));
    let good = trace.proof(&v, 1).unwrap();
    let run = |p: &OneStepProof| one_step(&trace.ctx, &trace.domain, &v, 1, &roots[1], None, p);
    assert_eq!(run(&good), Ok(roots[2]));
    let mp = trace.ledger.prove_many(&[2]).unwrap();
    let other = AccountWitness {
        accounts: vec![(2, Some(trace.ledger.accounts()[2]))],
        present: mp.present,
        hashes: mp.hashes,
    };
    assert!(
        other.root().unwrap().is_some(),
        "a genuine witness of account 2"
    );
    let mut forged = good.clone();
    if let OneStepProof::Tx { accounts, .. } = &mut forged {
        *accounts = other;
    }
    assert_eq!(run(&forged), Err(Error::MissingWitness { index: 0 }));
}

fn game() -> Game {
    Game::new(
        10,
        [1; 32],
        [2; 32],
        0,
        ClockRules {
            budget: 3_600,
            min_answer: 300,
        },
    )
    .unwrap()
}

/// Moves out of turn (the challenger bisects, the defender chooses, a one-step proof
/// while the game still bisects) change nothing.
#[test]
fn attack_game_move_out_of_turn() {
    let mut g = game();
    let before = g.clone();
    let mid = g.mid();
    assert_eq!(
        g.choose(10, mid, true),
        Err(Error::NotYourTurn {
            expected: Side::Defender
        })
    );
    assert_eq!(
        g.check_one_step(10, 0),
        Err(Error::WrongMove {
            phase: "bisect",
            position: 0
        })
    );
    assert_eq!(g, before);
    g.bisect(10, mid, [3; 32]).unwrap();
    let before = g.clone();
    assert_eq!(
        g.bisect(20, mid, [4; 32]),
        Err(Error::NotYourTurn {
            expected: Side::Challenger
        })
    );
    assert_eq!(g, before);
}

/// Moves at positions the game does not ask for: beside the midpoint, past the end, a
/// choice about another position.
#[test]
fn attack_game_move_out_of_range() {
    let mut g = game();
    let mid = g.mid();
    for position in [mid - 1, mid + 1, 11, u64::MAX] {
        assert_eq!(
            g.bisect(1, position, [3; 32]),
            Err(Error::WrongMove {
                phase: "bisect",
                position
            })
        );
    }
    g.bisect(1, mid, [3; 32]).unwrap();
    let before = g.clone();
    assert_eq!(
        g.choose(2, mid + 1, false),
        Err(Error::WrongMove {
            phase: "choose",
            position: mid + 1
        })
    );
    assert_eq!(g, before);
}

/// After a game is decided nothing changes it: no move, no second proof, no timeout.
#[test]
fn attack_game_move_after_resolution() {
    let mut g = game();
    g.resolve_timeout(3_600).unwrap();
    let before = g.clone();
    let over = Err(Error::GameOver {
        winner: Side::Challenger,
    });
    assert_eq!(g.bisect(3_601, g.mid(), [3; 32]), over);
    assert_eq!(g.resolve_timeout(9_999).map(|_| ()), over);
    assert_eq!(g.conclude(9_999, 0, &[2; 32]).map(|_| ()), over);
    assert_eq!(g, before);
    assert_eq!(
        g.phase(),
        Phase::Resolved {
            winner: Side::Challenger
        }
    );
}

/// A timeout claimed while the running clock still has time, down to its last second.
#[test]
fn attack_early_timeout_claim() {
    let mut g = game();
    for now in [0, 1_000, 3_599] {
        assert_eq!(
            g.resolve_timeout(now),
            Err(Error::ClockRunning {
                side: Side::Defender,
                left: 3_600 - now
            })
        );
    }
    assert_eq!(g.resolve_timeout(3_600), Ok(Side::Challenger));
}

/// The challenger spends its clock down to one second, then answers at the last second
/// hoping the defender (also down to a second) cannot reply: every turn starts with at
/// least `min_answer` on the mover's clock.
#[test]
fn attack_last_second_move_without_clock_extension() {
    let mut g = game();
    g.bisect(3_599, g.mid(), [3; 32]).unwrap();
    let t = 3_599 + 3_599;
    g.choose(t, g.mid(), false).unwrap();
    assert_eq!((g.defender_left, g.challenger_left), (300, 1));
    assert_eq!(
        g.resolve_timeout(t + 299),
        Err(Error::ClockRunning {
            side: Side::Defender,
            left: 1
        })
    );
    g.bisect(t + 299, g.mid(), [5; 32]).unwrap();
    assert_eq!(g.time_left(Side::Challenger, t + 299), 300);
}

// ---- the validity rollup -------------------------------------------------------------

/// Groth16 malleability: negating A and B gives another valid proof of the SAME
/// statement (the pairing is bilinear), so it is harmless as long as the statement binds
/// the batch: against the next batch's public input it is rejected. (The contract test
/// `attack_groth16_malleated_proof_replays_a_batch` replays it on chain.)
#[test]
fn attack_groth16_malleability_negated_a_and_b() {
    let key = prepared_key();
    let (proof, input) = proof_and_input(0);
    let (_, next_input) = proof_and_input(1);
    let p = groth16::Proof::decode(&proof).unwrap();
    let a = g1_to_ark("a", &p.a).unwrap();
    let b = g2_to_ark("b", &p.b).unwrap();
    let negated = groth16::Proof {
        a: g1_from_ark(&-a),
        b: g2_from_ark(&-b),
        c: p.c,
    }
    .encode();
    assert_ne!(negated.as_slice(), proof.as_slice());
    assert_eq!(verify(&key, &negated, &input), Ok(()), "the same statement");
    assert_eq!(
        verify(&key, &negated, &next_input),
        Err(Error::ProofRejected)
    );
    // negating only one of them breaks the equation
    let half = groth16::Proof {
        a: g1_from_ark(&-a),
        ..p
    }
    .encode();
    assert_eq!(verify(&key, &half, &input), Err(Error::ProofRejected));
}

/// A public input at or above the scalar field's modulus (the input plus the modulus
/// would reduce to the same field element): refused before any pairing.
#[test]
fn attack_public_input_at_or_above_the_field_modulus() {
    let key = prepared_key();
    let (proof, input) = proof_and_input(0);
    // r = 0x73eda753...00000001; input + r is the same element mod r if it fits 256 bits
    let r =
        hex::decode("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001").unwrap();
    let mut plus_r = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let s = input[i] as u16 + r[i] as u16 + carry;
        plus_r[i] = s as u8;
        carry = s >> 8;
    }
    assert_eq!(carry, 0, "the vector's input plus r fits 32 bytes");
    for bad in [r.clone(), plus_r.to_vec(), vec![0xff; 32]] {
        assert_eq!(
            verify(&key, &proof, &bad),
            Err(Error::NotCanonical {
                what: "public input"
            })
        );
        assert_eq!(
            fr_from_bytes("state root", &bad),
            Err(Error::NotCanonical { what: "state root" })
        );
    }
    assert_eq!(verify(&key, &proof, &input), Ok(()));
}

/// Identity points and points outside the prime-order subgroup in a proof, and small-
/// order Jubjub keys: refused by name.
#[test]
fn attack_identity_and_non_subgroup_points() {
    use ark_bls12_381::{Fq, G1Affine};
    let key = prepared_key();
    let (proof, input) = proof_and_input(0);
    let p = groth16::Proof::decode(&proof).unwrap();
    for (forged, what) in [
        (
            groth16::Proof {
                a: G1_IDENTITY,
                ..p
            },
            "proof point a",
        ),
        (
            groth16::Proof {
                b: G2_IDENTITY,
                ..p
            },
            "proof point b",
        ),
        (
            groth16::Proof {
                c: G1_IDENTITY,
                ..p
            },
            "proof point c",
        ),
    ] {
        match verify(&key, &forged.encode(), &input) {
            Err(Error::InvalidPoint { what: w, .. }) => assert_eq!(w, what),
            other => panic!("{what}: {other:?}"),
        }
    }
    // a point on the curve but outside the subgroup (the cofactor is not cleared)
    let outside = (1u64..)
        .filter_map(|x| G1Affine::get_point_from_x_unchecked(Fq::from(x), false))
        .find(|q| !q.is_in_correct_subgroup_assuming_on_curve())
        .expect("such points are most of the curve");
    let forged = groth16::Proof {
        c: g1_from_ark(&outside),
        ..p
    };
    assert_eq!(
        verify(&key, &forged.encode(), &input),
        Err(Error::InvalidPoint {
            what: "proof point c",
            reason: "not on the curve or not in the prime-order subgroup"
        })
    );
    // Jubjub: the identity (0, 1) as an account key would accept every signature
    let mut identity = [0u8; 64];
    identity[63] = 1;
    assert!(matches!(
        PublicKey::decode(&identity),
        Err(Error::InvalidPoint {
            what: "jubjub public key",
            ..
        })
    ));
}

/// Degenerate verifying keys: γ = δ (a prover could cancel the input term), an identity
/// IC point (an input that does not count), the wrong number of inputs.
#[test]
fn attack_degenerate_verifying_keys() {
    let vk = VerifyingKey::decode(&hex_of(validity(), "verifyingKey")).unwrap();
    assert_eq!(groth16::check_circuit_key(&vk, 1), Ok(()));
    let cases: Vec<(VerifyingKey, &str)> = vec![
        (
            VerifyingKey {
                delta_g2: vk.gamma_g2,
                ..vk.clone()
            },
            "gamma_g2 equals delta_g2",
        ),
        (
            VerifyingKey {
                gamma_g2: vk.beta_g2,
                ..vk.clone()
            },
            "beta_g2 equals gamma_g2",
        ),
        (
            VerifyingKey {
                ic: vec![vk.ic[0], G1_IDENTITY],
                ..vk.clone()
            },
            "ic point 1 is the identity",
        ),
        (
            VerifyingKey {
                ic: vec![vk.ic[0]],
                ..vk.clone()
            },
            "the circuit has 1 public input(s), so 2 ic points, the key has 1",
        ),
    ];
    for (bad, reason) in cases {
        assert_eq!(
            groth16::check_circuit_key(&bad, 1),
            Err(Error::DegenerateKey {
                reason: reason.into()
            })
        );
    }
}

/// Wrong lengths everywhere bytes come in: proofs, keys, inputs, Jubjub keys and
/// signatures, field elements.
#[test]
fn attack_wrong_lengths() {
    let key = prepared_key();
    let (proof, input) = proof_and_input(0);
    let mut long = proof.clone();
    long.push(0);
    for bad in [&proof[..191], &long[..], &[][..]] {
        assert_eq!(
            verify(&key, bad, &input),
            Err(Error::Length {
                what: "groth16 proof",
                expected: 192,
                got: bad.len()
            })
        );
    }
    for bad in [&input[..31], &[&input[..], &[0]].concat()[..]] {
        assert_eq!(
            verify(&key, &proof, bad),
            Err(Error::Length {
                what: "public input",
                expected: 32,
                got: bad.len()
            })
        );
    }
    let vk = hex_of(validity(), "verifyingKey");
    assert!(VerifyingKey::decode(&vk[..vk.len() - 1]).is_err());
    assert!(VerifyingKey::decode(&[vk.clone(), vec![0]].concat()).is_err());
    let sk = SecretKey::from_seed(&[9; 32]);
    let pk = sk.public_key().encode();
    assert!(matches!(
        PublicKey::decode(&pk[..63]),
        Err(Error::Length { .. })
    ));
    let sig = sk.sign(&settle_core::validity::Fr::from(5u64)).encode();
    assert!(matches!(
        Signature::decode(&sig[..95]),
        Err(Error::Length { .. })
    ));
    assert!(matches!(
        fr_from_bytes(
            "root",
            &fr_to_bytes(&settle_core::validity::Fr::from(1u64))[..31]
        ),
        Err(Error::Length { .. })
    ));
}

// ---- the catalog itself -----------------------------------------------------------------

/// SECURITY.md's table and the tests agree: every row names an `attack_` test that exists
/// in the file its abbreviation stands for, every `attack_` test is cited, and the table
/// has at least 40 rows (the catalog's floor).
#[test]
fn the_security_catalog_cites_exactly_the_attack_tests() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read =
        |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let catalog = read("SECURITY.md");
    let files = [
        ("core", "packages/core/tests/attacks.rs"),
        ("opt", "tests/tests/attacks_optimistic.rs"),
        ("ch", "tests/tests/attacks_channels.rs"),
        ("val", "tests/tests/attacks_validity.rs"),
    ];
    let defined: Vec<(&str, String)> = files
        .iter()
        .flat_map(|(tag, path)| {
            let src = read(path);
            src.lines()
                .filter_map(|l| l.trim_start().strip_prefix("fn attack_"))
                .map(|rest| {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    (*tag, format!("attack_{name}"))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let rows: Vec<&str> = catalog
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("`attack_"))
        .collect();
    assert!(
        rows.len() >= 40,
        "only {} attack rows in SECURITY.md",
        rows.len()
    );
    for row in &rows {
        for cite in row.split("`attack_").skip(1) {
            let name = format!("attack_{}", cite.split('`').next().unwrap_or_default());
            let before = row.split(&format!("`{name}`")).next().unwrap_or_default();
            let tag = before.split_whitespace().last().unwrap_or_default();
            assert!(
                defined.iter().any(|(t, n)| *n == name && *t == tag),
                "SECURITY.md cites {tag} `{name}`, which is not a test in that file"
            );
        }
    }
    for (tag, name) in &defined {
        assert!(
            catalog.contains(&format!("`{name}`")),
            "{tag} `{name}` is not in SECURITY.md's catalog"
        );
    }
}
