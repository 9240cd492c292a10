//! The contract's `check_proof` query runs the core's verifiers on chain:
//! - random trees built by @openzeppelin/merkle-tree (the committed vectors, plus the
//!   fresh random ones of this run when `OZ_VECTORS` names them, as `cargo xtask test`
//!   does) verify on the contract, single proofs and multiproofs, and tampered ones fail;
//! - the parity vectors' Merkle proofs verify, and each negative case fails with exactly
//!   the error the core recorded;
//! - a withdrawal claim is a dry run of `withdraw`: not final, valid, then already paid;
//! - one-step fraud proofs of every step of a batch check on their own.

use cosmwasm_std::{Binary, HexBinary, Uint256};
use optimistic_rollup::msg::{OzValue, ProofCheckResponse, ProofToCheck, QueryMsg};
use serde_json::Value;
use settle_core::batch::encode_batch;
use settle_testing::{Suite, SuiteBuilder};
use settle_tests::scenario::user_keys;

fn check(suite: &Suite, proof: ProofToCheck) -> ProofCheckResponse {
    suite
        .app
        .wrap()
        .query_wasm_smart(
            &suite.rollup,
            &QueryMsg::CheckProof {
                proof: Box::new(proof),
            },
        )
        .expect("check_proof never fails as a query")
}

fn hex(s: &Value) -> Binary {
    Binary::from(
        HexBinary::from_hex(s.as_str().expect("hex string").trim_start_matches("0x"))
            .expect("hex")
            .as_slice(),
    )
}

fn hexes(v: &Value) -> Vec<Binary> {
    v.as_array().expect("array").iter().map(hex).collect()
}

fn oz_values(v: &Value) -> Vec<OzValue> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|value| OzValue {
            address: hex(&value[0]),
            amount: value[1].as_str().unwrap().parse().expect("uint256"),
        })
        .collect()
}

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("json")
}

/// Checks every tree of an OpenZeppelin vector file on the contract; returns the count.
fn openzeppelin_trees_verify_on_the_contract(suite: &Suite, file: &Value) -> usize {
    let mut checked = 0;
    for tree in file["trees"].as_array().expect("trees") {
        let root = hex(&tree["root"]);
        for (i, value) in tree["values"].as_array().unwrap().iter().enumerate() {
            let proof = hexes(&tree["proofs"][i]);
            let amount: Uint256 = value[1].as_str().unwrap().parse().expect("uint256");
            let one = |amount: Uint256, proof: Vec<Binary>| ProofToCheck::OpenZeppelin {
                root: root.clone(),
                address: hex(&value[0]),
                amount,
                proof,
            };
            let r = check(suite, one(amount, proof.clone()));
            assert!(r.valid, "tree value {i}: {:?}", r.reason);
            let other = amount
                .checked_add(Uint256::one())
                .unwrap_or_else(|_| amount - Uint256::one());
            let r = check(suite, one(other, proof));
            assert!(!r.valid);
            assert!(r.reason.unwrap().starts_with("merkle root mismatch"));
            checked += 2;
        }
        for mp in tree["multiProofs"].as_array().unwrap() {
            let multi = |leaves: Vec<OzValue>| ProofToCheck::OpenZeppelinMulti {
                root: root.clone(),
                leaves,
                proof: hexes(&mp["proof"]),
                proof_flags: mp["proofFlags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_bool().unwrap())
                    .collect(),
            };
            let leaves = oz_values(&mp["leaves"]);
            let r = check(suite, multi(leaves.clone()));
            assert!(r.valid, "multiproof {:?}: {:?}", mp["indices"], r.reason);
            if let Some(first) = leaves.first() {
                let mut bad = leaves.clone();
                let mut b = first.address.to_vec();
                b[0] ^= 1;
                bad[0].address = Binary::from(b);
                assert!(!check(suite, multi(bad)).valid);
            }
            checked += 2;
        }
    }
    checked
}

#[test]
fn openzeppelin_vectors_verify_on_the_contract() {
    let suite = SuiteBuilder::new().build();
    let committed = load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../packages/core/tests/vectors/oz-standard-merkle.json"
    ));
    let n = openzeppelin_trees_verify_on_the_contract(&suite, &committed);
    assert!(n > 300, "only {n} checks");
    match std::env::var("OZ_VECTORS") {
        Ok(path) => {
            let fresh = openzeppelin_trees_verify_on_the_contract(&suite, &load(&path));
            eprintln!("{fresh} checks on fresh OpenZeppelin trees from {path}");
        }
        Err(_) => eprintln!("OZ_VECTORS unset: fresh OpenZeppelin trees not checked here"),
    }
}

#[test]
fn core_merkle_vectors_verify_on_the_contract() {
    let suite = SuiteBuilder::new().build();
    let vectors = load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../packages/core/tests/vectors/parity-v1.json"
    ));
    let single = |root: &Value, leaf: &Value, p: &Value| ProofToCheck::Merkle {
        root: hex(root),
        leaf: hex(leaf),
        index: p["index"].as_u64().unwrap(),
        leaf_count: p["leafCount"].as_u64().unwrap(),
        siblings: hexes(&p["siblings"]),
    };
    let mut checked = 0;
    for tree in vectors["merkle"]["trees"].as_array().unwrap() {
        for p in tree["proofs"].as_array().unwrap() {
            let leaf = &tree["data"][p["index"].as_u64().unwrap() as usize];
            let r = check(&suite, single(&tree["root"], leaf, p));
            assert!(r.valid, "{:?}", r.reason);
            checked += 1;
        }
    }
    for neg in vectors["merkle"]["negative"].as_array().unwrap() {
        if neg["kind"] != "single" {
            continue;
        }
        let r = check(&suite, single(&neg["root"], &neg["data"], &neg["proof"]));
        assert!(!r.valid, "{}", neg["description"]);
        assert_eq!(
            r.reason.as_deref(),
            neg["error"].as_str(),
            "{}",
            neg["description"]
        );
        checked += 1;
    }
    assert!(checked >= 32, "only {checked} checks");
}

#[test]
fn a_withdrawal_claim_is_a_dry_run_of_withdraw() {
    let mut suite = SuiteBuilder::new().with_funds("alice", 1_000).build();
    let (alice, carol) = (suite.addr("alice"), suite.addr("carol"));
    let proposer = suite.proposer.clone();
    let (ka, _) = user_keys();
    suite.bond_proposer().unwrap();
    suite.deposit_new_account(&alice, &ka, 600).unwrap();
    let w = suite.withdrawal(&ka, 0, &carol, 250, 0);
    suite.propose(&proposer, encode_batch(&[w])).unwrap();
    let claim = |s: &Suite| match s.withdraw_msg(&s.withdrawal_proof(0, 0)) {
        optimistic_rollup::msg::ExecuteMsg::Withdraw {
            batch,
            index,
            recipient,
            amount,
            output,
            proof,
        } => ProofToCheck::Withdrawal {
            batch,
            index,
            recipient,
            amount,
            output,
            proof,
        },
        _ => unreachable!(),
    };
    let r = check(&suite, claim(&suite));
    assert_eq!(
        r.reason.as_deref(),
        Some("batch 0 is not final: withdrawals are provable only against finalized outputs")
    );
    suite.a_challenge_window_passes();
    suite.finalize(0).unwrap();
    let before = suite.solvency();
    assert_eq!(
        check(&suite, claim(&suite)),
        ProofCheckResponse {
            valid: true,
            reason: None
        }
    );
    // a dry run pays nothing
    assert_eq!(suite.solvency(), before);
    suite.withdraw(&carol, 0, 0).unwrap();
    let r = check(&suite, claim(&suite));
    assert_eq!(
        r.reason.as_deref(),
        Some("withdrawal 0 of batch 0 is already paid")
    );
}

/// Every step of a batch, proven on its own through `check_proof` with the context the
/// `dispute_context` query gives, and a proof against the wrong post root refused with
/// the root it yields.
#[test]
fn one_step_proofs_check_on_the_contract() {
    use cosmwasm_std::{Binary, Uint128};
    use optimistic_rollup::msg::{
        DisputeContext, DisputeContextResponse, OneStepCheck, QueryMsg, StepDeposit,
    };
    use settle_core::crypto::NativeVerifier;
    use settle_core::dispute::StepKind;

    let mut suite = SuiteBuilder::new()
        .with_funds("alice", 1_000)
        .with_funds("bob", 1_000)
        .build();
    let (alice, bob) = (suite.addr("alice"), suite.addr("bob"));
    let (ka, kb) = user_keys();
    let proposer = suite.proposer.clone();
    suite.bond_proposer().unwrap();
    suite.deposit_new_account(&alice, &ka, 600).unwrap();
    suite.deposit_new_account(&bob, &kb, 400).unwrap();
    suite
        .deposit(
            &bob,
            optimistic_rollup::msg::DepositTarget::Account { account: 7 },
            5,
        )
        .unwrap();
    let txs = [
        suite.transfer(&ka, 0, 1, 10, 0),
        suite.withdrawal(&kb, 1, &bob, 20, 0),
        suite.transfer(&ka, 0, 1, 10, 5), // bad nonce: a no-op
    ];
    suite.propose(&proposer, encode_batch(&txs)).unwrap();
    let trace = suite.node.trace(0).unwrap();
    let roots = trace.roots(&NativeVerifier).unwrap();
    let ctx: DisputeContextResponse = suite
        .app
        .wrap()
        .query_wasm_smart(&suite.rollup, &QueryMsg::DisputeContext { batch: 0 })
        .unwrap();
    assert_eq!(ctx.steps, trace.ctx.steps());
    assert_eq!(ctx.anchor_root.as_slice(), roots[0].as_slice());
    let context = DisputeContext {
        batch: ctx.batch,
        parent: ctx.parent,
        deposits_from: ctx.deposits_from,
        deposits: ctx.deposits,
        tx_steps: ctx.tx_steps,
        data_root: ctx.data_root,
    };
    let domain = suite.config().domain;
    let h = |x: &[u8; 32]| Binary::from(x.as_slice());
    for step in 0..ctx.steps {
        let deposit = match trace.ctx.step_kind(step).unwrap() {
            StepKind::Deposit { queue_index } => {
                let d = trace.deposit(queue_index).unwrap();
                Some(StepDeposit {
                    index: d.index,
                    target: match d.target {
                        settle_core::ledger::DepositTarget::NewAccount(pk) => {
                            optimistic_rollup::msg::DepositTarget::NewAccount {
                                pubkey: Binary::from(pk.as_slice()),
                            }
                        }
                        settle_core::ledger::DepositTarget::Account(index) => {
                            optimistic_rollup::msg::DepositTarget::Account { account: index }
                        }
                    },
                    amount: Uint128::new(d.amount),
                    refund_to: Binary::from(d.refund_to.clone()),
                })
            }
            _ => None,
        };
        let one = |post: &[u8; 32]| OneStepCheck {
            context: context.clone(),
            domain: domain.clone(),
            step,
            pre_root: h(&roots[step as usize]),
            deposit: deposit.clone(),
            proof: Binary::new(trace.proof(&NativeVerifier, step).unwrap().encode()),
            post_root: h(post),
        };
        let ok = check(
            &suite,
            ProofToCheck::OneStep(one(&roots[step as usize + 1])),
        );
        assert!(ok.valid, "step {step}: {:?}", ok.reason);
        let wrong = check(&suite, ProofToCheck::OneStep(one(&[9; 32])));
        assert_eq!(
            wrong.reason.unwrap(),
            optimistic_rollup::ContractError::StepMismatch {
                step,
                computed: h(&roots[step as usize + 1]).to_hex(),
                expected: h(&[9; 32]).to_hex(),
            }
            .to_string()
        );
    }
}

/// I2: a 4-leaf tree's inner node `N(l0, l1)` with the proof of "leaf 0 of 2". Today's
/// contract took the leaf HASH and accepted the inner node; now the leaf is data the
/// contract hashes with the leaf domain, so the inner node's children are refused.
#[test]
fn i2_an_inner_node_is_not_a_leaf_of_a_binary_tree() {
    use settle_core::hash::hash_node;
    use settle_core::merkle::MerkleTree;
    let suite = SuiteBuilder::new().build();
    let tree = MerkleTree::from_data([b"a", b"b", b"c", b"d"]);
    let l = tree.leaves();
    let inner = hash_node(&l[0], &l[1]);
    let mut children = l[0].to_vec();
    children.extend_from_slice(&l[1]);
    let r = check(
        &suite,
        ProofToCheck::Merkle {
            root: Binary::from(tree.root()),
            leaf: Binary::from(children),
            index: 0,
            leaf_count: 2,
            siblings: vec![Binary::from(hash_node(&l[2], &l[3]))],
        },
    );
    assert!(!r.valid);
    assert!(r.reason.unwrap().starts_with("merkle root mismatch"));
    // the same path with the inner node as the leaf hash verifies in the core's hash form
    let p = settle_core::merkle::Proof {
        index: 0,
        leaf_count: 2,
        siblings: vec![hash_node(&l[2], &l[3])],
    };
    assert_eq!(
        settle_core::merkle::verify(&tree.root(), &inner, &p),
        Ok(())
    );
    // a real leaf still verifies
    let r = check(
        &suite,
        ProofToCheck::Merkle {
            root: Binary::from(tree.root()),
            leaf: Binary::from(b"c".to_vec()),
            index: 2,
            leaf_count: 4,
            siblings: tree
                .prove(2)
                .unwrap()
                .siblings
                .into_iter()
                .map(|h| Binary::from(h.as_slice()))
                .collect(),
        },
    );
    assert!(r.valid, "{:?}", r.reason);
}

/// I2 on the OpenZeppelin multiproof path: `leaves` are values the contract hashes as
/// leaves, so an inner node of the tree (its sorted children as address and amount) with
/// the rest of the path is refused, where today's leaf hashes accepted the node itself.
#[test]
fn i2_an_inner_node_is_not_a_leaf_of_an_openzeppelin_multiproof() {
    use settle_core::oz::{self, u256_from_u128, StandardMerkleTree};
    let suite = SuiteBuilder::new().build();
    let values: Vec<_> = (0..4u8)
        .map(|i| ([i + 1; 20], u256_from_u128(u128::from(i) * 10)))
        .collect();
    let tree = StandardMerkleTree::of(values.clone()).unwrap();
    let root = tree.root();
    // with 4 leaves, proof [x] from a pair node: the pair of leaves 0,1 (by getProof(0))
    let p0 = tree.proof(0).unwrap();
    let leaf0 = tree.leaf(0).unwrap();
    let inner = oz::hash_pair(&leaf0, &p0[0]);
    assert_eq!(
        oz::verify(&root, &inner, &p0[1..]),
        Ok(()),
        "the hash form is fooled"
    );
    let (lo, hi) = if leaf0 <= p0[0] {
        (leaf0, p0[0])
    } else {
        (p0[0], leaf0)
    };
    let r = check(
        &suite,
        ProofToCheck::OpenZeppelinMulti {
            root: Binary::from(root),
            leaves: vec![OzValue {
                address: Binary::from(&lo[12..]),
                amount: Uint256::from_be_bytes(hi),
            }],
            proof: vec![Binary::from(p0[1])],
            proof_flags: vec![false],
        },
    );
    assert!(!r.valid);
    assert!(r.reason.unwrap().starts_with("merkle root mismatch"));
    // a real value with a real multiproof still verifies
    let mp = tree.multi_proof(&[2]).unwrap();
    let r = check(
        &suite,
        ProofToCheck::OpenZeppelinMulti {
            root: Binary::from(root),
            leaves: vec![OzValue {
                address: Binary::from(&values[2].0[..]),
                amount: Uint256::from_be_bytes(values[2].1),
            }],
            proof: mp
                .proof
                .iter()
                .map(|h| Binary::from(h.as_slice()))
                .collect(),
            proof_flags: mp.proof_flags,
        },
    );
    assert!(r.valid, "{:?}", r.reason);
}
