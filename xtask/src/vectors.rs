//! `cargo xtask vectors`: the parity vector set every consumer of the core checks.
//!
//! Writes `packages/core/tests/vectors/parity-v1.json` (schema in the `README.md` next to
//! it) from settle-core itself; with `--check`, regenerates in memory and fails when the
//! committed file differs. Consumers: the core natively (`packages/core/tests/parity.rs`),
//! the contract in cw-multi-test (`tests/tests/parity.rs`), the optimized artifact in
//! cosmwasm-vm (`tests/tests/vm_parity.rs`), and the npm package in Node and Chromium.
//!
//! Everything is deterministic: fixed data, keys from fixed labels (`L2Key::from_label`),
//! RFC 6979 signatures (k256), structs serialized in declaration order, no timestamps.
//! The rollup section's signing domain comes from a freshly built `settle_testing::Suite`
//! (its chain id and first contract address), so its signatures are valid on that
//! deployment. Bytes are lowercase hex without `0x`; u64/u128 values (amounts, balances,
//! nonces) are decimal strings; indices, counts and depths are JSON numbers.

use std::fs;
use std::process::Command;

use serde::Serialize;
use settle_core::batch::{split_steps, verify_withdrawal, BatchResult, WithdrawalClaim};
use settle_core::channel::{
    join_hash, payment_hash, payout, revocation_hash, verify_cosigned, verify_join,
    watchtower_hash, ChannelDomain, ChannelState, Htlc, Party, PenaltyRules, StaleClose,
};
use settle_core::codec::{put_varint, split_amount};
use settle_core::crypto::{L2Key, NativeVerifier, SECP256K1_HALF_ORDER};
use settle_core::dispute::{
    genesis_root, one_step, BatchContext, BatchTrace, OneStepProof, Parent, StepKind,
};
use settle_core::error::Error;
use settle_core::hash::{
    hash_leaf, hash_node, keccak256, Hash, DEPOSIT_TAG, LEAF_TAG, NODE_TAG, OUTPUT_TAG, STATE_TAG,
    TX_DOMAIN_TAG, ZERO_HASH,
};
use settle_core::ledger::{
    apply_tx, Account, AccountStore, Deposit, DepositEffect, DepositTarget, Ledger, TxEffect,
    WithdrawalList, WITHDRAWAL_TREE_DEPTH,
};
use settle_core::merkle::{self, MerkleTree};
use settle_core::node::Node;
use settle_core::smt::{self, CompactProof, SparseMerkleTree, SparseMultiProof, DEFAULT_NODES};
use settle_core::tx::{Domain, SignedTx, Transfer, TxBody, Withdraw};
use settle_testing::{SuiteBuilder, DENOM};

use crate::util::{cargo_bin, root};

mod validity;

/// The vector file, relative to the workspace root.
pub const VECTORS: &str = "packages/core/tests/vectors/parity-v1.json";
/// Version of the file's layout (bumped on any incompatible change; the file name follows).
pub const FORMAT_VERSION: u32 = 1;

pub fn run(check: bool) -> Result<(), String> {
    let json = generate()?;
    let path = root().join(VECTORS);
    if check {
        let committed = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {VECTORS}: {e}; run `cargo xtask vectors`"))?;
        if committed != json {
            return Err(format!(
                "{VECTORS} is out of date ({}): run `cargo xtask vectors` and commit",
                first_difference(&committed, &json)
            ));
        }
        eprintln!("{VECTORS} is up to date ({} bytes)", json.len());
    } else {
        fs::write(&path, &json).map_err(|e| format!("cannot write {VECTORS}: {e}"))?;
        eprintln!("wrote {VECTORS} ({} bytes)", json.len());
    }
    Ok(())
}

fn first_difference(committed: &str, generated: &str) -> String {
    let mut a = committed.lines();
    let mut b = generated.lines();
    let mut line = 1;
    loop {
        match (a.next(), b.next()) {
            (None, None) => return "differs only in line endings".into(),
            (x, y) if x != y => {
                return format!(
                    "first difference at line {line}: committed {:?}, generated {:?}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                )
            }
            _ => line += 1,
        }
    }
}

/// The whole file, pretty-printed, with a final newline.
pub fn generate() -> Result<String, String> {
    let dep = deployment()?;
    let (rollup, node) = rollup(&dep)?;
    let file = VectorFile {
        provenance: provenance()?,
        hashing: hashing(),
        merkle: merkle()?,
        sparse_tree: sparse_tree()?,
        transactions: transactions(&dep)?,
        rollup,
        one_step: one_step_section(&node)?,
        channel: channel_section(&dep)?,
        validity: validity::section()?,
    };
    let mut json = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    json.push('\n');
    Ok(json)
}

// ---------------------------------------------------------------------------------------
// Helpers.

fn hx(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(bytes)
}

fn hxs(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(hx).collect()
}

fn core<T>(r: Result<T, Error>) -> Result<T, String> {
    r.map_err(|e| format!("settle-core refused a vector input: {e}"))
}

/// The error a negative case must produce (its `Display`); a case that passes is a bug
/// in the generator.
fn refused<T, E: std::fmt::Display>(what: &str, r: Result<T, E>) -> Result<String, String> {
    match r {
        Ok(_) => Err(format!("negative case {what:?} was accepted by the core")),
        Err(e) => Ok(e.to_string()),
    }
}

fn flip(mut h: Hash, byte: usize) -> Hash {
    h[byte] ^= 0x01;
    h
}

/// `s' = n - s`: the malleated (high-s) twin of a low-s `r || s` signature.
fn high_s_twin(sig: &[u8; 64]) -> [u8; 64] {
    let n = SECP256K1_ORDER;
    let mut out = *sig;
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let v = n[i] as i16 - sig[32 + i] as i16 - borrow;
        borrow = (v < 0) as i16;
        out[32 + i] = v.rem_euclid(256) as u8;
    }
    out
}

/// Order of secp256k1, big-endian.
const SECP256K1_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// `len` deterministic bytes.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn settle_core_version() -> Result<String, String> {
    let out = Command::new(cargo_bin())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(root())
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let meta: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    meta["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "settle-core"))
        .and_then(|p| p["version"].as_str())
        .map(str::to_string)
        .ok_or_else(|| "cargo metadata lists no settle-core".into())
}

// ---------------------------------------------------------------------------------------
// The file.

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VectorFile {
    provenance: Provenance,
    hashing: Hashing,
    merkle: Merkle,
    sparse_tree: SparseTree,
    transactions: Transactions,
    rollup: Rollup,
    one_step: OneStepSection,
    channel: ChannelSection,
    validity: validity::ValiditySection,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Provenance {
    generator: &'static str,
    settle_core_version: String,
    format_version: u32,
    encoding: &'static str,
    sections: Sections,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Sections {
    hashing: &'static str,
    merkle: &'static str,
    sparse_tree: &'static str,
    transactions: &'static str,
    rollup: &'static str,
    one_step: &'static str,
    channel: &'static str,
    validity: &'static str,
}

fn provenance() -> Result<Provenance, String> {
    Ok(Provenance {
        generator: "cargo xtask vectors",
        settle_core_version: settle_core_version()?,
        format_version: FORMAT_VERSION,
        encoding: "Bytes are lowercase hex strings without a 0x prefix. u64 and u128 values \
            (amounts, balances, nonces, amount mantissas) are decimal strings. Indices, counts, \
            depths, bitmaps and exponents are JSON numbers (all below 2^53). Every error is the \
            core's message (the Display of settle_core::Error or codec::DecodeError, or of the \
            ledger's NoOp for a no-op step), compared exactly.",
        sections: Sections {
            hashing: "Keccak-256 (the original padding Ethereum uses) of sample inputs, around \
                the 136-byte rate boundary; the domain tags of every commitment; the leaf hash \
                keccak256(0x00 || data) and the node hash keccak256(0x01 || left || right).",
            merkle: "Binary Merkle trees (odd nodes carried up, never duplicated) of 1, 2, 3, \
                5, 8 and 13 leaves over the given data items: the leaf hashes, the root, a \
                proof {index, leafCount, siblings} for every leaf and one multiproof \
                {indices, leafCount, hashes} with its leaves; then negative cases (a tampered \
                leaf, sibling, leaf count, index, hash list) with the exact error the core's \
                verify / verify_many returns.",
            sparse_tree: "Fixed-depth sparse Merkle trees (depth 32, the account tree, and \
                depth 16, a batch's withdrawal tree) over given (index, leaf hash) pairs: the \
                default-node table, the root, compact proofs for set and empty indices as wire \
                bytes and as {bitmap, siblings}, and a multi-leaf witness {indices, present, \
                hashes} that gives the old root from the old leaves and the new root after the \
                listed update; then negative cases (wire parsing, tampering, witness shape) \
                with the core's exact error.",
            transactions: "L2 transactions: signing domains from (chainId, contract); keys \
                (secret, compressed public key); transfer and withdraw bodies with their \
                canonical payload, signing hash keccak256(domain || payload), RFC 6979 low-s \
                signature and full encoding; malformed encodings with the decode error and the \
                ledger's no-op reason; and the high-s twin of a valid signature, which the \
                ledger records as a no-op while the low-s original applies.",
            rollup: "A complete optimistic-rollup scenario applied with the core's Node for \
                the domain of the first contract a settle_testing Suite instantiates (chain \
                cosmos-testnet-14002), with the Suite's addresses as depositors and recipients \
                (bech32 and canonical hex): the deposit queue (targets, encodings, hash-chain \
                heads), then batches with their data, consumed deposits, per-step effects, \
                accounts, data/state/withdrawals/output roots and a payable proof for every \
                withdrawal; then tampered withdrawal claims with the error verify_withdrawal \
                (and so the contract) returns. The contract replays it in cw-multi-test and \
                cosmwasm-vm.",
            one_step: "Fraud proofs: one-step proofs of selected steps of the rollup \
                section's batches, covering every kind of step (the open step from genesis \
                and from a parent output; deposits that open, credit and are refunded; \
                transfers, withdrawals and no-op transactions, among them a bad signature \
                and an undecodable tail; the close step), each with the batch context the \
                chain derives, the agreed pre-state root, the deposit the step consumes, the \
                proof's wire bytes and the post-state root one_step returns; then proofs \
                that prove nothing (a tampered pre-state, a witness with a wrong balance, a \
                proof of the wrong kind, truncated bytes, ...) with the exact error.",
            channel: "Payment channels (settle_core::channel) for the rollup section's chain \
                and contract address: the channel signing domain; two keys from fixed labels; \
                payment hashes sha256(preimage) of fixed 32-byte preimages (and preimages of \
                other lengths with the error); co-signed states (just opened, payments both \
                ways, after a late top-up, with HTLCs each way, final, amounts near u128::MAX) \
                as objects in the npm package's ChannelState shape with their canonical \
                encoding, signing hash and both RFC 6979 low-s signatures, and the channel id \
                and funding under which the contract accepts them; payouts of closed channels \
                (cooperative, settled, late top-up, held HTLCs, stale closes proven by the \
                other party and by an authorised watchtower, rounding of partial penalties \
                and fees, the largest fee of 5000) and refused payout rules (a fee above \
                the cap among them); then signed states the contract refuses (decode, then \
                the allocation rules for the channel and its funding, then both signatures) \
                with the exact error: over- and under-allocated, overfunded, wrong channel, \
                zero HTLC, final with HTLCs, undecodable bytes, swapped, duplicated, high-s \
                and foreign-domain signatures, a state tampered with after signing; then \
                B's join hash and signature (channel, B's address, both keys), A's \
                revocation hashes and signatures of versions, and B's watchtower \
                authorisation hashes and signatures.",
            validity: "A validity-rollup scenario with real Groth16 proofs over BLS12-381 \
                for the first contract a settle_testing ValiditySuite instantiates, circuit \
                shape {2 deposits, 1 transaction}, with the suite's seeded test keys (NOT a \
                ceremony): the users (addresses, Jubjub key seeds and public keys x || y); \
                the deposit queue in the npm package's ZkDeposit shape with the chain head \
                after each deposit; three batches (new accounts and a transfer; a credit, a \
                new account and a withdrawal; a batch without deposits) with their signed \
                transactions in the ZkTx shape and the signed message, the posted data, new \
                accounts root and count, the statement, its one public input, the proof and \
                the accounts after; submit_batch messages the contract refuses (tampered \
                data, root, count or deposit count, another batch's proof, a replay, a \
                negated point) with the core's error; proof checks for the verify_proof \
                query and verifyGroth16 (valid proofs, wrong, non-canonical, short or \
                missing inputs, malformed and off-group points) with the core's error; \
                EdDSA signature checks; and the exodus exits of every account from the \
                last batch's ledger (path, exit message, signature).",
        },
    })
}

// ---------------------------------------------------------------------------------------
// hashing

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Hashing {
    tags: Tags,
    keccak256: Vec<KeccakV>,
    hash_leaf: Vec<LeafV>,
    hash_node: Vec<NodeV>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tags {
    leaf: String,
    node: String,
    state: String,
    output: String,
    tx_domain: String,
    deposit: String,
}

#[derive(Serialize)]
struct KeccakV {
    input: String,
    output: String,
}

#[derive(Serialize)]
struct LeafV {
    data: String,
    hash: String,
}

#[derive(Serialize)]
struct NodeV {
    left: String,
    right: String,
    hash: String,
}

fn hashing() -> Hashing {
    let inputs: Vec<Vec<u8>> = vec![
        vec![],
        b"abc".to_vec(),
        vec![0x00],
        pattern(32, 1),
        pattern(135, 2),
        pattern(136, 3),
        pattern(137, 4),
        pattern(300, 5),
    ];
    let a = keccak256(b"left");
    let b = keccak256(b"right");
    let mut ab = a.to_vec();
    ab.extend_from_slice(&b);
    let leaf_data: Vec<Vec<u8>> = vec![vec![], vec![0x00], vec![0x01], b"abc".to_vec(), ab];
    Hashing {
        tags: Tags {
            leaf: hx([LEAF_TAG]),
            node: hx([NODE_TAG]),
            state: hx(STATE_TAG),
            output: hx(OUTPUT_TAG),
            tx_domain: hx(TX_DOMAIN_TAG),
            deposit: hx(DEPOSIT_TAG),
        },
        keccak256: inputs
            .iter()
            .map(|i| KeccakV {
                input: hx(i),
                output: hx(keccak256(i)),
            })
            .collect(),
        hash_leaf: leaf_data
            .iter()
            .map(|d| LeafV {
                data: hx(d),
                hash: hx(hash_leaf(d)),
            })
            .collect(),
        hash_node: [(ZERO_HASH, ZERO_HASH), (a, b), (b, a), (a, a)]
            .iter()
            .map(|(l, r)| NodeV {
                left: hx(l),
                right: hx(r),
                hash: hx(hash_node(l, r)),
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// merkle

#[derive(Serialize)]
struct Merkle {
    trees: Vec<MerkleTreeV>,
    negative: Vec<MerkleNegative>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MerkleTreeV {
    leaf_count: u64,
    data: Vec<String>,
    leaves: Vec<String>,
    root: String,
    proofs: Vec<ProofV>,
    multiproof: MultiCaseV,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProofV {
    index: u64,
    leaf_count: u64,
    siblings: Vec<String>,
}

impl ProofV {
    fn of(p: &merkle::Proof) -> Self {
        ProofV {
            index: p.index,
            leaf_count: p.leaf_count,
            siblings: hxs(&p.siblings),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MultiProofV {
    indices: Vec<u64>,
    leaf_count: u64,
    hashes: Vec<String>,
}

impl MultiProofV {
    fn of(p: &merkle::MultiProof) -> Self {
        MultiProofV {
            indices: p.indices.clone(),
            leaf_count: p.leaf_count,
            hashes: hxs(&p.hashes),
        }
    }
}

#[derive(Serialize)]
struct MultiCaseV {
    /// The leaf data of the proven items (what the verifiers take), in index order.
    data: Vec<String>,
    leaves: Vec<String>,
    proof: MultiProofV,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum MerkleNegative {
    Single {
        description: String,
        root: String,
        /// The leaf data the verifier hashes; `leaf` is its leaf hash.
        data: String,
        leaf: String,
        proof: ProofV,
        error: String,
    },
    Multi {
        description: String,
        root: String,
        /// The leaf data the verifier hashes; `leaves` are their leaf hashes.
        data: Vec<String>,
        leaves: Vec<String>,
        proof: MultiProofV,
        error: String,
    },
}

fn merkle_data(n: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| format!("parity merkle tree of {n}: item {i}").into_bytes())
        .collect()
}

fn merkle() -> Result<Merkle, String> {
    let sizes: [(u64, &[u64]); 6] = [
        (1, &[0]),
        (2, &[1]),
        (3, &[0, 2]),
        (5, &[1, 2, 4]),
        (8, &[0, 3, 4, 7]),
        (13, &[2, 3, 7, 12]),
    ];
    let mut trees = Vec::new();
    let mut built = Vec::new();
    for (n, multi) in sizes {
        let data = merkle_data(n);
        let tree = MerkleTree::from_data(&data);
        let root = tree.root();
        let mut proofs = Vec::new();
        for i in 0..n {
            let p = core(tree.prove(i))?;
            core(merkle::verify_data(&root, &data[i as usize], &p))?;
            proofs.push(ProofV::of(&p));
        }
        let mp = core(tree.prove_many(multi))?;
        let mleaves: Vec<Hash> = multi.iter().map(|&i| tree.leaves()[i as usize]).collect();
        let mdata: Vec<&Vec<u8>> = multi.iter().map(|&i| &data[i as usize]).collect();
        core(merkle::verify_many_data(&root, &mdata, &mp))?;
        trees.push(MerkleTreeV {
            leaf_count: n,
            data: data.iter().map(hx).collect(),
            leaves: hxs(tree.leaves()),
            root: hx(root),
            proofs,
            multiproof: MultiCaseV {
                data: mdata.iter().map(hx).collect(),
                leaves: hxs(&mleaves),
                proof: MultiProofV::of(&mp),
            },
        });
        built.push(tree);
    }

    let mut negative = Vec::new();
    let mut single = |description: &str,
                      tree: &MerkleTree,
                      data: &[u8],
                      proof: merkle::Proof|
     -> Result<(), String> {
        let root = tree.root();
        let error = refused(description, merkle::verify_data(&root, data, &proof))?;
        negative.push(MerkleNegative::Single {
            description: description.into(),
            root: hx(root),
            data: hx(data),
            leaf: hx(hash_leaf(data)),
            proof: ProofV::of(&proof),
            error,
        });
        Ok(())
    };
    let (t5, t8, t13) = (&built[3], &built[4], &built[5]);
    let p13 = core(t13.prove(6))?;
    let (d5, d8, d13) = (merkle_data(5), merkle_data(8), merkle_data(13));
    let l13 = &d13[6][..];
    single(
        "tree of 13: other data at index 6",
        t13,
        b"not an item of the tree",
        p13.clone(),
    )?;
    let mut p = p13.clone();
    p.siblings[0] = flip(p.siblings[0], 31);
    single(
        "tree of 13: first sibling with its last bit flipped",
        t13,
        l13,
        p,
    )?;
    let mut p = p13.clone();
    p.siblings[2] = flip(p.siblings[2], 0);
    single("tree of 13: third sibling with a bit flipped", t13, l13, p)?;
    let mut p = p13.clone();
    p.siblings.pop();
    single("tree of 13: the last sibling missing", t13, l13, p)?;
    let mut p = p13.clone();
    p.siblings.push(t13.leaves()[0]);
    single("tree of 13: one sibling too many", t13, l13, p)?;
    let mut p = p13.clone();
    p.siblings.swap(0, 1);
    single("tree of 13: two siblings swapped", t13, l13, p)?;
    let mut p = p13.clone();
    p.index = 7;
    single(
        "tree of 13: index 6's proof and leaf claimed at index 7",
        t13,
        l13,
        p,
    )?;
    let p4 = core(t5.prove(4))?;
    let mut p = p4.clone();
    p.leaf_count = 8;
    single(
        "tree of 5: the carried-up leaf 4 with leafCount raised to 8",
        t5,
        &d5[4],
        p,
    )?;
    let mut p = p4.clone();
    p.leaf_count = 4;
    single(
        "tree of 5: leaf 4 with leafCount lowered to 4 (index out of range)",
        t5,
        &d5[4],
        p,
    )?;
    let mut p = core(t13.prove(12))?;
    p.leaf_count = 16;
    single(
        "tree of 13: the carried-up leaf 12 with leafCount raised to 16",
        t13,
        &d13[12],
        p,
    )?;
    let mut p = p4.clone();
    p.leaf_count = 0;
    single("tree of 5: leafCount 0", t5, &d5[4], p)?;
    let mut p = core(t8.prove(2))?;
    p.index = 3;
    single(
        "tree of 8: leaf 2 and its proof claimed at index 3 (left and right swapped)",
        t8,
        &d8[2],
        p,
    )?;

    let mut multi = |description: &str,
                     tree: &MerkleTree,
                     data: Vec<Vec<u8>>,
                     proof: merkle::MultiProof|
     -> Result<(), String> {
        let root = tree.root();
        let error = refused(description, merkle::verify_many_data(&root, &data, &proof))?;
        let leaves: Vec<Hash> = data.iter().map(|d| hash_leaf(d)).collect();
        negative.push(MerkleNegative::Multi {
            description: description.into(),
            root: hx(root),
            data: data.iter().map(hx).collect(),
            leaves: hxs(&leaves),
            proof: MultiProofV::of(&proof),
            error,
        });
        Ok(())
    };
    let idx = [2u64, 3, 7, 12];
    let mp = core(t13.prove_many(&idx))?;
    let ml: Vec<Vec<u8>> = idx.iter().map(|&i| d13[i as usize].clone()).collect();
    let mut l = ml.clone();
    l[1][5] ^= 1;
    multi(
        "tree of 13: multiproof with the second item's data tampered",
        t13,
        l,
        mp.clone(),
    )?;
    let mut p = mp.clone();
    p.hashes[0] = flip(p.hashes[0], 0);
    multi(
        "tree of 13: multiproof with a tampered hash",
        t13,
        ml.clone(),
        p,
    )?;
    let mut p = mp.clone();
    p.hashes.push(ZERO_HASH);
    multi(
        "tree of 13: multiproof with one hash too many",
        t13,
        ml.clone(),
        p,
    )?;
    let mut p = mp.clone();
    p.hashes.pop();
    multi(
        "tree of 13: multiproof missing its last hash",
        t13,
        ml.clone(),
        p,
    )?;
    let mut p = mp.clone();
    p.indices.swap(1, 2);
    let mut l = ml.clone();
    l.swap(1, 2);
    multi("tree of 13: multiproof indices out of order", t13, l, p)?;
    let mut p = mp.clone();
    p.indices = vec![];
    multi("tree of 13: multiproof without leaves", t13, vec![], p)?;
    let mut l = ml.clone();
    l.pop();
    multi(
        "tree of 13: multiproof given one leaf fewer than indices",
        t13,
        l,
        mp.clone(),
    )?;
    let mut p = mp.clone();
    p.indices[3] = 13;
    multi("tree of 13: multiproof index 13 out of range", t13, ml, p)?;

    Ok(Merkle { trees, negative })
}

// ---------------------------------------------------------------------------------------
// sparseTree

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SparseTree {
    default_nodes: Vec<String>,
    trees: Vec<SparseTreeV>,
    negative: Vec<SparseNegative>,
}

#[derive(Serialize)]
struct SparseLeafV {
    index: u64,
    leaf: String,
}

#[derive(Serialize)]
struct SparseTreeV {
    depth: usize,
    leaves: Vec<SparseLeafV>,
    root: String,
    proofs: Vec<SparseProofV>,
    multiproof: SparseMultiV,
}

#[derive(Serialize)]
struct SparseProofV {
    index: u64,
    leaf: String,
    bitmap: u32,
    siblings: Vec<String>,
    wire: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SparseMultiV {
    indices: Vec<u64>,
    present: Vec<bool>,
    hashes: Vec<String>,
    old_leaves: Vec<String>,
    old_root: String,
    new_leaves: Vec<String>,
    new_root: String,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum SparseNegative {
    Single {
        description: String,
        depth: usize,
        root: String,
        index: u64,
        leaf: String,
        wire: String,
        error: String,
    },
    Multi {
        description: String,
        depth: usize,
        root: String,
        indices: Vec<u64>,
        present: Vec<bool>,
        hashes: Vec<String>,
        leaves: Vec<String>,
        error: String,
    },
}

struct SparseSpec {
    set: &'static [u64],
    empty: &'static [u64],
    witness: &'static [u64],
}

fn sparse_leaf(depth: usize, index: u64, version: u8) -> Hash {
    hash_leaf(format!("parity sparse tree {depth}: leaf {index} v{version}").as_bytes())
}

fn sparse_case<const D: usize>(
    spec: &SparseSpec,
) -> Result<(SparseTreeV, SparseMerkleTree<D>), String> {
    let pairs: Vec<(u64, Hash)> = spec
        .set
        .iter()
        .map(|&i| (i, sparse_leaf(D, i, 0)))
        .collect();
    let tree = core(SparseMerkleTree::<D>::from_leaves(pairs.clone()))?;
    let root = tree.root();
    let mut proofs = Vec::new();
    let mut indices: Vec<u64> = spec.set.iter().chain(spec.empty).copied().collect();
    indices.sort_unstable();
    for i in indices {
        let leaf = core(tree.leaf(i))?;
        let p = core(tree.prove(i))?;
        core(smt::verify(D, &root, i, &leaf, &p))?;
        proofs.push(SparseProofV {
            index: i,
            leaf: hx(leaf),
            bitmap: p.bitmap,
            siblings: hxs(&p.siblings),
            wire: hx(p.to_bytes(D)),
        });
    }
    // The witness: update every witnessed index (set ones change, empty ones fill in) and
    // clear the first set one.
    let w = core(tree.prove_many(spec.witness))?;
    let old: Vec<Hash> = spec
        .witness
        .iter()
        .map(|&i| tree.leaf(i))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    core(w.verify(D, &root, &old))?;
    let new: Vec<Hash> = spec
        .witness
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            if k == 0 {
                ZERO_HASH
            } else {
                sparse_leaf(D, i, 1)
            }
        })
        .collect();
    let mut updated = tree.clone();
    for (&i, h) in spec.witness.iter().zip(&new) {
        core(updated.set(i, *h))?;
    }
    let new_root = core(w.compute_root(D, &new))?;
    if new_root != updated.root() {
        return Err("the witness's new root disagrees with the updated tree".into());
    }
    Ok((
        SparseTreeV {
            depth: D,
            leaves: pairs
                .iter()
                .map(|(i, h)| SparseLeafV {
                    index: *i,
                    leaf: hx(h),
                })
                .collect(),
            root: hx(root),
            proofs,
            multiproof: SparseMultiV {
                indices: w.indices.clone(),
                present: w.present.clone(),
                hashes: hxs(&w.hashes),
                old_leaves: hxs(&old),
                old_root: hx(root),
                new_leaves: hxs(&new),
                new_root: hx(new_root),
            },
        },
        tree,
    ))
}

fn sparse_tree() -> Result<SparseTree, String> {
    let (t32v, t32) = sparse_case::<32>(&SparseSpec {
        set: &[0, 1, 2, 7, 1_000, 65_535, 1 << 31, u32::MAX as u64],
        empty: &[3, 123_456],
        witness: &[1, 2, 3, 1_000, 4_000_000_000],
    })?;
    let (t16v, t16) = sparse_case::<16>(&SparseSpec {
        set: &[0, 1, 5, 300, 65_535],
        empty: &[2, 4_000],
        witness: &[0, 4, 5, 65_534],
    })?;

    let mut negative = Vec::new();
    let mut single = |description: &str,
                      depth: usize,
                      root: Hash,
                      index: u64,
                      leaf: Hash,
                      wire: Vec<u8>|
     -> Result<(), String> {
        let r = CompactProof::from_bytes(depth, &wire)
            .and_then(|p| smt::verify(depth, &root, index, &leaf, &p));
        let error = refused(description, r)?;
        negative.push(SparseNegative::Single {
            description: description.into(),
            depth,
            root: hx(root),
            index,
            leaf: hx(leaf),
            wire: hx(wire),
            error,
        });
        Ok(())
    };
    let r32 = t32.root();
    let leaf7 = core(t32.leaf(7))?;
    let p7 = core(t32.prove(7))?;
    let w7 = p7.to_bytes(32);
    single(
        "depth 32: leaf 7 replaced by another leaf hash",
        32,
        r32,
        7,
        sparse_leaf(32, 7, 9),
        w7.clone(),
    )?;
    single(
        "depth 32: leaf 7 claimed empty (a false non-membership proof)",
        32,
        r32,
        7,
        ZERO_HASH,
        w7.clone(),
    )?;
    single(
        "depth 32: empty index 3 claimed to hold leaf 7's hash",
        32,
        r32,
        3,
        leaf7,
        core(t32.prove(3))?.to_bytes(32),
    )?;
    let mut w = w7.clone();
    w[4] ^= 0x80;
    single(
        "depth 32: first sibling with a bit flipped",
        32,
        r32,
        7,
        leaf7,
        w,
    )?;
    single(
        "depth 32: leaf 7 and its proof claimed at index 6",
        32,
        r32,
        6,
        leaf7,
        w7.clone(),
    )?;
    single(
        "depth 32: wire form one byte short",
        32,
        r32,
        7,
        leaf7,
        w7[..w7.len() - 1].to_vec(),
    )?;
    let mut w = w7.clone();
    let bitmap = p7.bitmap | 1 << 20;
    w[..4].copy_from_slice(&bitmap.to_be_bytes());
    single(
        "depth 32: bitmap announces one sibling more than the wire carries",
        32,
        r32,
        7,
        leaf7,
        w,
    )?;
    let mut w = w7.clone();
    w.extend_from_slice(&[0u8; 32]);
    single(
        "depth 32: one 32-byte hash more than the bitmap announces",
        32,
        r32,
        7,
        leaf7,
        w,
    )?;
    single(
        "depth 32: a three-byte bitmap",
        32,
        r32,
        7,
        leaf7,
        vec![0, 0, 0],
    )?;
    let r16 = t16.root();
    let leaf5 = core(t16.leaf(5))?;
    let w5 = core(t16.prove(5))?.to_bytes(16);
    single(
        "depth 16: index 65536 is outside the tree",
        16,
        r16,
        1 << 16,
        leaf5,
        w5.clone(),
    )?;
    single(
        "depth 16: the depth-32 proof of leaf 7 (4-byte bitmap) read as a depth-16 proof",
        16,
        r16,
        7,
        leaf7,
        w7.clone(),
    )?;
    single(
        "depth 16: proof checked against the depth-32 tree's root",
        16,
        r32,
        5,
        leaf5,
        w5,
    )?;

    let mut multi = |description: &str,
                     root: Hash,
                     w: SparseMultiProof,
                     leaves: Vec<Hash>|
     -> Result<(), String> {
        let error = refused(description, w.verify(32, &root, &leaves))?;
        negative.push(SparseNegative::Multi {
            description: description.into(),
            depth: 32,
            root: hx(root),
            indices: w.indices.clone(),
            present: w.present.clone(),
            hashes: hxs(&w.hashes),
            leaves: hxs(&leaves),
            error,
        });
        Ok(())
    };
    let widx = [1u64, 2, 3, 1_000, 4_000_000_000];
    let w = core(t32.prove_many(&widx))?;
    let wl: Vec<Hash> = widx
        .iter()
        .map(|&i| t32.leaf(i))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut l = wl.clone();
    l[0] = sparse_leaf(32, 1, 9);
    multi("depth 32: witness with leaf 1 replaced", r32, w.clone(), l)?;
    let mut x = w.clone();
    x.present.push(false);
    multi(
        "depth 32: witness with one flag too many",
        r32,
        x,
        wl.clone(),
    )?;
    let mut x = w.clone();
    x.present.pop();
    multi(
        "depth 32: witness missing its last flag",
        r32,
        x,
        wl.clone(),
    )?;
    let mut x = w.clone();
    x.hashes.pop();
    multi(
        "depth 32: witness missing its last hash",
        r32,
        x,
        wl.clone(),
    )?;
    let mut x = w.clone();
    x.hashes.push(ZERO_HASH);
    multi(
        "depth 32: witness with one hash too many",
        r32,
        x,
        wl.clone(),
    )?;
    let mut x = w.clone();
    x.hashes[0] = flip(x.hashes[0], 7);
    multi("depth 32: witness with a tampered hash", r32, x, wl.clone())?;
    let mut x = w.clone();
    x.indices.swap(0, 1);
    let mut l = wl.clone();
    l.swap(0, 1);
    multi("depth 32: witness indices out of order", r32, x, l)?;
    let mut l = wl.clone();
    l.pop();
    multi(
        "depth 32: witness given one leaf fewer than indices",
        r32,
        w.clone(),
        l,
    )?;
    let mut x = w.clone();
    x.indices.clear();
    multi("depth 32: witness without indices", r32, x, vec![])?;
    let mut x = w;
    x.indices[4] = 1 << 32;
    multi("depth 32: witness index 2^32 out of range", r32, x, wl)?;

    Ok(SparseTree {
        default_nodes: hxs(&DEFAULT_NODES),
        trees: vec![t32v, t16v],
        negative,
    })
}

// ---------------------------------------------------------------------------------------
// transactions

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Transactions {
    domains: Vec<DomainV>,
    keys: Vec<KeyV>,
    signed: Vec<SignedV>,
    malformed: Vec<MalformedV>,
    high_s: HighSV,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DomainV {
    description: String,
    chain_id: String,
    contract: String,
    domain: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyV {
    /// `L2Key::from_label` label, or null for a key given by its secret.
    label: Option<String>,
    secret: String,
    public_key: String,
}

impl KeyV {
    fn of(label: Option<&str>, key: &L2Key) -> Self {
        KeyV {
            label: label.map(str::to_string),
            secret: hx(key.secret_bytes()),
            public_key: hx(key.public_key()),
        }
    }
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum BodyV {
    Transfer {
        from: u32,
        to: u32,
        amount: String,
        nonce: String,
    },
    Withdraw {
        from: u32,
        amount: String,
        nonce: String,
        recipient: String,
    },
}

impl BodyV {
    fn of(body: &TxBody) -> Self {
        match body {
            TxBody::Transfer(t) => BodyV::Transfer {
                from: t.from,
                to: t.to,
                amount: t.amount.to_string(),
                nonce: t.nonce.to_string(),
            },
            TxBody::Withdraw(w) => BodyV::Withdraw {
                from: w.from,
                amount: w.amount.to_string(),
                nonce: w.nonce.to_string(),
                recipient: hx(&w.recipient),
            },
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedV {
    description: String,
    domain: String,
    secret: String,
    public_key: String,
    body: BodyV,
    amount_exponent: u8,
    amount_mantissa: String,
    payload: String,
    signing_hash: String,
    signature: String,
    encoded: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MalformedV {
    description: String,
    encoded: String,
    error: String,
    no_op: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountInputV {
    index: u32,
    pubkey: String,
    balance: String,
    nonce: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HighSV {
    description: String,
    curve_order: String,
    half_order: String,
    domain: String,
    accounts: Vec<AccountInputV>,
    body: BodyV,
    signature: String,
    encoded: String,
    effect: TxEffectV,
    high_s_signature: String,
    high_s_encoded: String,
    high_s_effect: TxEffectV,
}

#[derive(Serialize)]
#[serde(tag = "effect", rename_all = "camelCase")]
enum TxEffectV {
    Transferred {
        from: u32,
        to: u32,
        amount: String,
    },
    Withdrew {
        from: u32,
        amount: String,
        #[serde(rename = "withdrawalIndex")]
        withdrawal_index: u64,
    },
    NoOp {
        reason: String,
    },
}

impl TxEffectV {
    fn of(e: &TxEffect) -> Self {
        match e {
            TxEffect::Transferred { from, to, amount } => TxEffectV::Transferred {
                from: *from,
                to: *to,
                amount: amount.to_string(),
            },
            TxEffect::Withdrew {
                from,
                amount,
                withdrawal_index,
            } => TxEffectV::Withdrew {
                from: *from,
                amount: amount.to_string(),
                withdrawal_index: *withdrawal_index,
            },
            TxEffect::NoOp(n) => TxEffectV::NoOp {
                reason: n.to_string(),
            },
        }
    }
}

fn transfer(from: u32, to: u32, amount: u128, nonce: u64) -> TxBody {
    TxBody::Transfer(Transfer {
        from,
        to,
        amount,
        nonce,
    })
}

fn withdraw(from: u32, amount: u128, nonce: u64, recipient: Vec<u8>) -> TxBody {
    TxBody::Withdraw(Withdraw {
        from,
        amount,
        nonce,
        recipient,
    })
}

/// The rollup deployment the vectors target: a fresh Suite's chain id and contract.
struct Deployment {
    chain_id: String,
    contract: String,
    domain: Domain,
    proposer: String,
    users: Vec<UserRow>,
}

/// `(label, genesis funds in the value denom, L2 key label)` of the scenario's people.
const PEOPLE: [(&str, u128, Option<&str>); 5] = [
    ("alice", 2_000_000, Some("parity-alice")),
    ("bob", 1_000_000, Some("parity-bob")),
    ("carol", 1_000_000, Some("parity-carol")),
    ("dave", 0, None),
    ("mallory", 0, None),
];

fn deployment() -> Result<Deployment, String> {
    let mut b = SuiteBuilder::new();
    for (label, funds, _) in PEOPLE {
        if funds > 0 {
            b = b.with_funds(label, funds);
        }
    }
    let suite = b.build();
    let chain_id = suite.app.block_info().chain_id;
    let contract = suite.rollup.to_string();
    let domain = Domain::new(&chain_id, &contract);
    if suite.config().domain.as_slice() != domain.0.as_slice() {
        return Err("the Suite's contract reports another domain than the core computes".into());
    }
    let users = PEOPLE
        .iter()
        .map(|(label, funds, _)| {
            let addr = suite.addr(label);
            let canonical = suite.canonical(&addr);
            (*label, addr.to_string(), canonical, *funds)
        })
        .collect();
    Ok(Deployment {
        chain_id,
        contract,
        domain,
        proposer: suite.proposer.to_string(),
        users,
    })
}

fn transactions(dep: &Deployment) -> Result<Transactions, String> {
    let mut domains = Vec::new();
    let long = "x".repeat(300);
    let cases: Vec<(String, String, String)> = vec![
        (
            "the rollup scenario's deployment (first contract of a settle_testing Suite)".into(),
            dep.chain_id.clone(),
            dep.contract.clone(),
        ),
        (
            "a short chain id and contract".into(),
            "chain-a".into(),
            "contract1".into(),
        ),
        (
            "another chain, same contract".into(),
            "chain-b".into(),
            "contract1".into(),
        ),
        (
            "same chain, another contract".into(),
            "chain-a".into(),
            "contract2".into(),
        ),
        (
            "hashed parts keep (ab, c) apart from (a, bc)".into(),
            "ab".into(),
            "c".into(),
        ),
        (
            "hashed parts keep (a, bc) apart from (ab, c)".into(),
            "a".into(),
            "bc".into(),
        ),
        (
            "empty chain id and contract".into(),
            String::new(),
            String::new(),
        ),
        (
            "a 300-byte contract: hashed in full, no truncation".into(),
            "chain-a".into(),
            long,
        ),
    ];
    for (description, chain_id, contract) in cases {
        domains.push(DomainV {
            description,
            domain: hx(Domain::new(&chain_id, &contract).0),
            chain_id,
            contract,
        });
    }

    let mut one = [0u8; 32];
    one[31] = 1;
    let mut n_minus_one = SECP256K1_ORDER;
    n_minus_one[31] -= 1;
    let ka = L2Key::from_label("parity-key-a");
    let kb = L2Key::from_label("parity-key-b");
    let kc = L2Key::from_label("parity-key-c");
    let keys = vec![
        KeyV::of(Some("parity-key-a"), &ka),
        KeyV::of(Some("parity-key-b"), &kb),
        KeyV::of(Some("parity-key-c"), &kc),
        KeyV::of(None, &core(L2Key::from_secret(&one))?),
        KeyV::of(None, &core(L2Key::from_secret(&n_minus_one))?),
    ];

    let rollup = dep.domain;
    let other = Domain::new("chain-b", "contract1");
    let bodies: Vec<(&str, Domain, &L2Key, TxBody)> = vec![
        (
            "shortest transfer: one-byte fields (69 bytes)",
            rollup,
            &ka,
            transfer(0, 1, 1, 0),
        ),
        (
            "the same transfer signed for another domain",
            other,
            &ka,
            transfer(0, 1, 1, 0),
        ),
        (
            "typical transfer: 3-byte accounts, 2-byte nonce, 3-byte mantissa (76 bytes)",
            rollup,
            &kb,
            transfer(1_500_000, 2_000_000, 123_456_000_000, 9_000),
        ),
        (
            "round amount: 25000000 = 25 * 10^6",
            rollup,
            &kc,
            transfer(3, 4, 25_000_000, 1),
        ),
        (
            "10^38: exponent capped at 31, mantissa 10^7",
            rollup,
            &ka,
            transfer(5, 6, 10u128.pow(38), 2),
        ),
        (
            "maxima: from 2^32-1, amount 2^128-1, nonce 2^64-1",
            rollup,
            &kb,
            transfer(u32::MAX, u32::MAX - 1, u128::MAX, u64::MAX),
        ),
        (
            "zero amount: encodable (the ledger records a no-op)",
            rollup,
            &kc,
            transfer(7, 8, 0, 0),
        ),
        (
            "withdrawal to a 20-byte recipient",
            rollup,
            &kb,
            withdraw(1, 1_000_001, 0, pattern(20, 9)),
        ),
        (
            "withdrawal to a 32-byte recipient",
            rollup,
            &kc,
            withdraw(300, 990_000, 127, pattern(32, 11)),
        ),
    ];
    let mut signed = Vec::new();
    for (description, domain, key, body) in bodies {
        let tx = SignedTx::sign(body, &domain, key);
        let payload = tx.body.payload();
        let hash = tx.body.signing_hash(&domain);
        if !settle_core::crypto::Verifier::secp256k1_verify(
            &NativeVerifier,
            &hash,
            &tx.signature,
            &key.public_key(),
        ) {
            return Err(format!("{description}: signature does not verify"));
        }
        let encoded = tx.encode();
        if SignedTx::decode(&encoded).as_ref() != Ok(&tx) {
            return Err(format!("{description}: does not round-trip"));
        }
        let (exp, mantissa) = split_amount(tx.body.amount());
        signed.push(SignedV {
            description: description.into(),
            domain: hx(domain.0),
            secret: hx(key.secret_bytes()),
            public_key: hx(key.public_key()),
            body: BodyV::of(&tx.body),
            amount_exponent: exp,
            amount_mantissa: mantissa.to_string(),
            payload: hx(payload),
            signing_hash: hx(hash),
            signature: hx(tx.signature),
            encoded: hx(encoded),
        });
    }

    Ok(Transactions {
        domains,
        keys,
        signed,
        malformed: malformed()?,
        high_s: high_s(&rollup)?,
    })
}

fn malformed() -> Result<Vec<MalformedV>, String> {
    let sig = [0x5a_u8; 64];
    let raw = |parts: &[&[u8]]| -> Vec<u8> {
        let mut out: Vec<u8> = parts.concat();
        out.extend_from_slice(&sig);
        out
    };
    let varint = |v: u128| {
        let mut out = Vec::new();
        put_varint(&mut out, v);
        out
    };
    let good = SignedTx {
        body: transfer(1, 2, 3, 4),
        signature: sig,
    }
    .encode();
    let mut trailing = good.clone();
    trailing.push(0);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty input", vec![]),
        ("a tag byte alone", vec![0x00]),
        (
            "a transfer whose signature is one byte short",
            good[..good.len() - 1].to_vec(),
        ),
        ("a transfer followed by one extra byte", trailing),
        ("tag 0x60: unknown kind 3", raw(&[&[0x60], &[1, 2, 4, 3]])),
        ("tag 0xe0: unknown kind 7", raw(&[&[0xe0], &[1, 2, 4, 3]])),
        (
            "non-minimal varint: account 1 as 0x81 0x00",
            raw(&[&[0x00], &[0x81, 0x00], &[2, 4, 3]]),
        ),
        (
            "amount not maximally scaled: mantissa 10 with exponent 0",
            raw(&[&[0x00], &[1, 2, 4], &[10]]),
        ),
        (
            "zero mantissa with exponent 2",
            raw(&[&[0x02], &[1, 2, 4], &[0]]),
        ),
        (
            "sender 2^32 overflows a u32 account",
            raw(&[&[0x00], &varint(1 << 32), &[2, 4, 3]]),
        ),
        (
            "nonce 2^64 overflows a u64",
            raw(&[&[0x00], &[1, 2], &varint(1 << 64), &[3]]),
        ),
        (
            "mantissa 10^9 with exponent 31 overflows a u128",
            raw(&[&[0x1f], &[1, 2, 4], &varint(1_000_000_000)]),
        ),
        (
            "mantissa of 19 varint groups (2^133 - 1) overflows a u128",
            raw(&[&[0x00], &[1, 2, 4], &[0xff; 18], &[0x7f]]),
        ),
        (
            "withdrawal with a 0-byte recipient",
            raw(&[&[0x20], &[1, 4, 3], &[0]]),
        ),
        (
            "withdrawal with a 1-byte recipient (only 20 or 32 bytes are addresses)",
            raw(&[&[0x20], &[1, 4, 3], &[1], &[0x33]]),
        ),
        (
            "withdrawal with a 21-byte recipient",
            raw(&[&[0x20], &[1, 4, 3], &[21], &[0x33; 21]]),
        ),
        (
            "withdrawal with a 64-byte recipient",
            raw(&[&[0x20], &[1, 4, 3], &[64], &[0x33; 64]]),
        ),
        (
            "withdrawal whose 20-byte recipient is cut after 10 bytes",
            vec![0x20, 1, 4, 3, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        ),
    ];
    let domain = Domain::new("chain-a", "contract1");
    let mut out = Vec::new();
    for (description, encoded) in cases {
        let error = refused(description, SignedTx::decode(&encoded))?;
        let mut ledger = Ledger::new();
        let mut withdrawals = WithdrawalList::default();
        let effect = core(apply_tx(
            &mut ledger,
            &mut withdrawals,
            &domain,
            &NativeVerifier,
            &encoded,
        ))?;
        let TxEffect::NoOp(reason) = effect else {
            return Err(format!("{description}: applied"));
        };
        out.push(MalformedV {
            description: description.into(),
            encoded: hx(encoded),
            error,
            no_op: reason.to_string(),
        });
    }
    Ok(out)
}

fn high_s(domain: &Domain) -> Result<HighSV, String> {
    let (k0, k1) = (
        L2Key::from_label("parity-high-s-0"),
        L2Key::from_label("parity-high-s-1"),
    );
    let accounts = [
        Account {
            pubkey: k0.public_key(),
            balance: 1_000,
            nonce: 0,
        },
        Account {
            pubkey: k1.public_key(),
            balance: 0,
            nonce: 0,
        },
    ];
    let ledger = |accounts: &[Account]| -> Result<Ledger, String> {
        let mut l = Ledger::new();
        for a in accounts {
            core(l.open(*a))?;
        }
        Ok(l)
    };
    let tx = SignedTx::sign(transfer(0, 1, 250, 0), domain, &k0);
    let encoded = tx.encode();
    let twin = high_s_twin(&tx.signature);
    let twin_encoded = SignedTx {
        body: tx.body.clone(),
        signature: twin,
    }
    .encode();
    let apply = |bytes: &[u8]| -> Result<TxEffect, String> {
        let mut l = ledger(&accounts)?;
        let mut w = WithdrawalList::default();
        core(apply_tx(&mut l, &mut w, domain, &NativeVerifier, bytes))
    };
    let effect = apply(&encoded)?;
    let twin_effect = apply(&twin_encoded)?;
    if matches!(effect, TxEffect::NoOp(_)) || !matches!(twin_effect, TxEffect::NoOp(_)) {
        return Err("the high-s case does not separate low-s and high-s".into());
    }
    Ok(HighSV {
        description: "A transfer signed with a low-s signature applies; the same bytes with \
            s replaced by n - s (a signature a lenient verifier accepts) are a no-op. Each is \
            applied alone to a ledger holding the listed accounts."
            .into(),
        curve_order: hx(SECP256K1_ORDER),
        half_order: hx(SECP256K1_HALF_ORDER),
        domain: hx(domain.0),
        accounts: accounts
            .iter()
            .enumerate()
            .map(|(i, a)| AccountInputV {
                index: i as u32,
                pubkey: hx(a.pubkey),
                balance: a.balance.to_string(),
                nonce: a.nonce.to_string(),
            })
            .collect(),
        body: BodyV::of(&tx.body),
        signature: hx(tx.signature),
        encoded: hx(encoded),
        effect: TxEffectV::of(&effect),
        high_s_signature: hx(twin),
        high_s_encoded: hx(twin_encoded),
        high_s_effect: TxEffectV::of(&twin_effect),
    })
}

// ---------------------------------------------------------------------------------------
// rollup

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rollup {
    description: &'static str,
    chain_id: String,
    contract: String,
    domain: String,
    denom: &'static str,
    proposer: String,
    users: Vec<UserV>,
    deposits: Vec<DepositV>,
    batches: Vec<BatchV>,
    negative_claims: Vec<ClaimV>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserV {
    label: &'static str,
    address: String,
    canonical: String,
    funds: String,
    l2_key: Option<KeyV>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum TargetV {
    NewAccount { pubkey: String },
    Account { index: u32 },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DepositV {
    index: u64,
    queued_before_batch: u64,
    depositor: &'static str,
    address: String,
    target: TargetV,
    amount: String,
    refund_to: String,
    encoding: String,
    chain_head: String,
}

#[derive(Serialize)]
#[serde(tag = "effect", rename_all = "camelCase")]
enum DepositEffectV {
    Opened {
        deposit: u64,
        account: u32,
    },
    Credited {
        deposit: u64,
        account: u32,
    },
    Refunded {
        deposit: u64,
        #[serde(rename = "withdrawalIndex")]
        withdrawal_index: u64,
    },
}

#[derive(Serialize)]
struct StepV {
    description: String,
    bytes: String,
    leaf: String,
    effect: TxEffectV,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountV {
    index: u32,
    pubkey: String,
    balance: String,
    nonce: String,
    encoding: String,
    leaf: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WithdrawalV {
    batch: u64,
    index: u32,
    recipient: String,
    recipient_canonical: String,
    amount: String,
    leaf: String,
    deposit_cursor: u64,
    data_root: String,
    output_root: String,
    state_root: String,
    withdrawals_root: String,
    proof: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchV {
    index: u64,
    data: String,
    deposits_consumed: u64,
    deposit_cursor: u64,
    deposit_effects: Vec<DepositEffectV>,
    steps: Vec<StepV>,
    data_root: String,
    accounts: Vec<AccountV>,
    accounts_root: String,
    account_count: u64,
    state_root: String,
    withdrawals: Vec<WithdrawalV>,
    withdrawals_root: String,
    output_root: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClaimV {
    description: String,
    batch: u64,
    deposit_cursor: u64,
    data_root: String,
    output_root: String,
    index: u32,
    recipient: String,
    recipient_canonical: String,
    amount: String,
    state_root: String,
    withdrawals_root: String,
    proof: String,
    error: String,
}

fn account_v(index: usize, a: &Account) -> AccountV {
    AccountV {
        index: index as u32,
        pubkey: hx(a.pubkey),
        balance: a.balance.to_string(),
        nonce: a.nonce.to_string(),
        encoding: hx(a.encode()),
        leaf: hx(a.leaf()),
    }
}

fn deposit_effect_v(deposit: u64, e: &DepositEffect) -> DepositEffectV {
    match *e {
        DepositEffect::Opened { account } => DepositEffectV::Opened { deposit, account },
        DepositEffect::Credited { account } => DepositEffectV::Credited { deposit, account },
        DepositEffect::Refunded { withdrawal_index } => DepositEffectV::Refunded {
            deposit,
            withdrawal_index,
        },
    }
}

fn rollup(dep: &Deployment) -> Result<(Rollup, Node), String> {
    let user = |label: &str| -> Result<&UserRow, String> {
        dep.users
            .iter()
            .find(|u| u.0 == label)
            .ok_or_else(|| format!("no user {label}"))
    };
    let address_of = |canonical: &[u8]| -> Result<String, String> {
        dep.users
            .iter()
            .find(|u| u.2 == canonical)
            .map(|u| u.1.clone())
            .ok_or_else(|| format!("no user with canonical address {}", hx(canonical)))
    };
    let key_of = |label: &str| -> Option<L2Key> {
        PEOPLE
            .iter()
            .find(|p| p.0 == label)
            .and_then(|p| p.2)
            .map(L2Key::from_label)
    };
    let users: Vec<UserV> = dep
        .users
        .iter()
        .map(|(label, address, canonical, funds)| UserV {
            label,
            address: address.clone(),
            canonical: hx(canonical),
            funds: funds.to_string(),
            l2_key: PEOPLE
                .iter()
                .find(|p| p.0 == *label)
                .and_then(|p| p.2)
                .map(|l| KeyV::of(Some(l), &L2Key::from_label(l))),
        })
        .collect();
    let (ka, kb, kc) = (
        key_of("alice").ok_or("alice has a key")?,
        key_of("bob").ok_or("bob has a key")?,
        key_of("carol").ok_or("carol has a key")?,
    );
    let canon = |label: &str| -> Result<Vec<u8>, String> { Ok(user(label)?.2.clone()) };

    // The deposit queue: (queued before batch, depositor, target, amount).
    let queue: Vec<(u64, &'static str, DepositTarget, u128)> = vec![
        (
            0,
            "alice",
            DepositTarget::NewAccount(ka.public_key()),
            1_000_000,
        ),
        (
            0,
            "bob",
            DepositTarget::NewAccount(kb.public_key()),
            500_000,
        ),
        (
            0,
            "carol",
            DepositTarget::NewAccount(kc.public_key()),
            250_000,
        ),
        (1, "alice", DepositTarget::Account(0), 100_000),
        (1, "bob", DepositTarget::Account(7), 40_000),
        (2, "carol", DepositTarget::Account(2), 10_000),
    ];
    let mut node = Node::new(dep.domain);
    let mut deposits = Vec::new();
    let mut head = ZERO_HASH;
    for (index, (before, depositor, target, amount)) in queue.iter().enumerate() {
        let d = Deposit {
            index: index as u64,
            target: *target,
            amount: *amount,
            refund_to: canon(depositor)?,
        };
        head = d.chain(&head);
        deposits.push(DepositV {
            index: index as u64,
            queued_before_batch: *before,
            depositor,
            address: user(depositor)?.1.clone(),
            target: match target {
                DepositTarget::NewAccount(pk) => TargetV::NewAccount { pubkey: hx(pk) },
                DepositTarget::Account(i) => TargetV::Account { index: *i },
            },
            amount: amount.to_string(),
            refund_to: hx(&d.refund_to),
            encoding: hx(d.encode()),
            chain_head: hx(head),
        });
        core(node.observe_deposit(d))?;
    }

    let n = &node;
    let tx = |description: &str, t: SignedTx| (description.to_string(), t.encode());
    let mut high_s = n.sign_transfer(&ka, 0, 1, 7, 2);
    high_s.signature = high_s_twin(&high_s.signature);
    let plan: Vec<(u64, Steps)> = vec![
        (
            3,
            vec![
                tx(
                    "alice (account 0) sends 100000 to bob (account 1), nonce 0",
                    n.sign_transfer(&ka, 0, 1, 100_000, 0),
                ),
                tx(
                    "bob (1) sends 25000 to carol (2), nonce 0",
                    n.sign_transfer(&kb, 1, 2, 25_000, 0),
                ),
                tx(
                    "alice (0) withdraws 200000 to dave, nonce 1",
                    n.sign_withdrawal(&ka, 0, canon("dave")?, 200_000, 1),
                ),
                tx(
                    "carol (2) sends 1000 to alice with nonce 5 while hers is 0",
                    n.sign_transfer(&kc, 2, 0, 1_000, 5),
                ),
                tx(
                    "alice (0) sends 1 to account 42, which does not exist",
                    n.sign_transfer(&ka, 0, 42, 1, 2),
                ),
                tx(
                    "bob (1) withdraws 50000 to himself, nonce 1",
                    n.sign_withdrawal(&kb, 1, canon("bob")?, 50_000, 1),
                ),
            ],
        ),
        (
            2,
            vec![
                tx(
                    "carol (2) sends 5000 to alice (0), nonce 0",
                    n.sign_transfer(&kc, 2, 0, 5_000, 0),
                ),
                tx(
                    "a transfer from alice (0) signed with bob's key",
                    n.sign_transfer(&kb, 0, 1, 1, 2),
                ),
                tx(
                    "the high-s twin of alice's (0) transfer of 7 to bob, nonce 2",
                    high_s,
                ),
                tx(
                    "carol (2) withdraws 1000000, more than she holds",
                    n.sign_withdrawal(&kc, 2, canon("carol")?, 1_000_000, 1),
                ),
                tx(
                    "carol (2) withdraws 30000 to herself, nonce 1",
                    n.sign_withdrawal(&kc, 2, canon("carol")?, 30_000, 1),
                ),
                tx(
                    "alice (0) withdraws 123000 to herself, nonce 2",
                    n.sign_withdrawal(&ka, 0, canon("alice")?, 123_000, 2),
                ),
                tx(
                    "bob (1) sends 10 to himself: a self-transfer spends only the nonce, nonce 2",
                    n.sign_transfer(&kb, 1, 1, 10, 2),
                ),
                tx(
                    "alice (0) sends 0 to bob, nonce 3",
                    n.sign_transfer(&ka, 0, 1, 0, 3),
                ),
                (
                    "an undecodable tail (tag 0xe0, unknown kind 7): one final step".into(),
                    vec![0xe0, 0x01, 0x02, 0x03],
                ),
            ],
        ),
        (1, vec![]),
    ];

    let mut batches = Vec::new();
    let mut cursor = 0u64;
    for (b, (consumed, steps)) in plan.into_iter().enumerate() {
        let b = b as u64;
        let data: Vec<u8> = steps.iter().flat_map(|s| s.1.clone()).collect();
        let split: Vec<&[u8]> = split_steps(&data);
        if split.len() != steps.len() || split.iter().zip(&steps).any(|(a, s)| *a != &s.1[..]) {
            return Err(format!("batch {b}: the steps do not split as planned"));
        }
        let proposal = core(node.propose_with(&NativeVerifier, data.clone(), consumed))?;
        let result: &BatchResult = node.batch(b).ok_or("the node keeps its batches")?;
        let o = result.output;
        if proposal.output_root != o.root() || proposal.index != b {
            return Err(format!("batch {b}: the proposal disagrees with its result"));
        }
        let mut withdrawals = Vec::new();
        for (i, w) in result.withdrawals.items.iter().enumerate() {
            let p = core(node.withdrawal_proof(b, i as u32))?;
            core(verify_withdrawal(
                &o.root(),
                b,
                o.deposit_cursor,
                &o.data_root,
                &WithdrawalClaim {
                    index: p.index,
                    recipient: &p.recipient,
                    amount: p.amount,
                    state_root: p.state_root,
                    withdrawals_root: p.withdrawals_root,
                    proof: &p.proof,
                },
            ))?;
            withdrawals.push(WithdrawalV {
                batch: b,
                index: i as u32,
                recipient: address_of(&w.recipient)?,
                recipient_canonical: hx(&w.recipient),
                amount: w.amount.to_string(),
                leaf: hx(w.leaf()),
                deposit_cursor: o.deposit_cursor,
                data_root: hx(o.data_root),
                output_root: hx(o.root()),
                state_root: hx(p.state_root),
                withdrawals_root: hx(p.withdrawals_root),
                proof: hx(&p.proof),
            });
        }
        let ledger = &node.ledger;
        batches.push(BatchV {
            index: b,
            data: hx(&data),
            deposits_consumed: consumed,
            deposit_cursor: o.deposit_cursor,
            deposit_effects: result
                .deposit_effects
                .iter()
                .enumerate()
                .map(|(k, e)| deposit_effect_v(cursor + k as u64, e))
                .collect(),
            steps: steps
                .iter()
                .zip(&result.tx_effects)
                .map(|((description, bytes), effect)| StepV {
                    description: description.clone(),
                    bytes: hx(bytes),
                    leaf: hx(hash_leaf(bytes)),
                    effect: TxEffectV::of(effect),
                })
                .collect(),
            data_root: hx(o.data_root),
            accounts: ledger
                .accounts()
                .iter()
                .enumerate()
                .map(|(i, a)| account_v(i, a))
                .collect(),
            accounts_root: hx(ledger.accounts_root()),
            account_count: ledger.account_count(),
            state_root: hx(o.state_root),
            withdrawals,
            withdrawals_root: hx(o.withdrawals_root),
            output_root: hx(o.root()),
        });
        cursor = o.deposit_cursor;
    }

    let negative_claims = negative_claims(&node, &address_of, user("mallory")?)?;
    let rollup = Rollup {
        description: "Three users deposit (opening accounts 0, 1, 2); batch 0 applies \
            transfers, two withdrawals and two invalid transactions; batch 1 credits a deposit \
            to account 0, refunds one to the missing account 7, and carries a bad signature, \
            a high-s twin, a short balance, a self-transfer, a zero amount, two more \
            withdrawals and an undecodable tail; batch 2 consumes one deposit and no data. \
            Replay: fund the users, bond the proposer, queue each deposit just before the \
            batch it names, propose each batch with its data, depositsConsumed and \
            outputRoot, let the challenge window pass, finalize every batch, then every \
            negative claim is refused with its error and every withdrawal pays exactly its \
            amount to its recipient.",
        chain_id: dep.chain_id.clone(),
        contract: dep.contract.clone(),
        domain: hx(dep.domain.0),
        denom: DENOM,
        proposer: dep.proposer.clone(),
        users,
        deposits,
        batches,
        negative_claims,
    };
    Ok((rollup, node))
}

/// `(label, bech32 address, canonical bytes, genesis funds)` of a Suite user.
type UserRow = (&'static str, String, Vec<u8>, u128);

/// A batch's steps in order: `(description, encoded step)`.
type Steps = Vec<(String, Vec<u8>)>;

fn negative_claims(
    node: &Node,
    address_of: &dyn Fn(&[u8]) -> Result<String, String>,
    mallory: &UserRow,
) -> Result<Vec<ClaimV>, String> {
    let mut out = Vec::new();
    // A claim: the real withdrawal `(batch, index)`, then `tamper` changes the claim and
    // possibly the batch it is checked against.
    struct Claim {
        batch: u64,
        index: u32,
        recipient: Vec<u8>,
        amount: u128,
        state_root: Hash,
        withdrawals_root: Hash,
        proof: Vec<u8>,
    }
    let real = |batch: u64, index: u32| -> Result<Claim, String> {
        let p = core(node.withdrawal_proof(batch, index))?;
        Ok(Claim {
            batch,
            index,
            recipient: p.recipient,
            amount: p.amount,
            state_root: p.state_root,
            withdrawals_root: p.withdrawals_root,
            proof: p.proof,
        })
    };
    let mut push = |description: &str, c: Claim| -> Result<(), String> {
        let o = node.batch(c.batch).ok_or("no such batch")?.output;
        let r = verify_withdrawal(
            &o.root(),
            c.batch,
            o.deposit_cursor,
            &o.data_root,
            &WithdrawalClaim {
                index: c.index,
                recipient: &c.recipient,
                amount: c.amount,
                state_root: c.state_root,
                withdrawals_root: c.withdrawals_root,
                proof: &c.proof,
            },
        );
        let error = refused(description, r)?;
        out.push(ClaimV {
            description: description.into(),
            batch: c.batch,
            deposit_cursor: o.deposit_cursor,
            data_root: hx(o.data_root),
            output_root: hx(o.root()),
            index: c.index,
            recipient: address_of(&c.recipient)?,
            recipient_canonical: hx(&c.recipient),
            amount: c.amount.to_string(),
            state_root: hx(c.state_root),
            withdrawals_root: hx(c.withdrawals_root),
            proof: hx(&c.proof),
            error,
        });
        Ok(())
    };

    let mut c = real(0, 0)?;
    c.amount += 1;
    push(
        "batch 0 withdrawal 0 (dave) with the amount raised by one",
        c,
    )?;
    let mut c = real(0, 0)?;
    c.recipient = mallory.2.clone();
    push(
        "batch 0 withdrawal 0 claimed for mallory instead of dave",
        c,
    )?;
    let mut c = real(0, 0)?;
    c.proof[2] ^= 0x01;
    push("batch 0 withdrawal 0 with a bit of its sibling flipped", c)?;
    let mut c = real(0, 0)?;
    c.proof.pop();
    push("batch 0 withdrawal 0 with its proof one byte short", c)?;
    let mut c = real(0, 0)?;
    c.proof[0] |= 0x80;
    push(
        "batch 0 withdrawal 0 whose bitmap announces a sibling the proof lacks",
        c,
    )?;
    let mut c = real(0, 0)?;
    c.index = 1;
    push("batch 0 withdrawal 0 claimed at index 1", c)?;
    let mut c = real(1, 2)?;
    c.state_root = node.batch(0).ok_or("batch 0")?.output.state_root;
    push("batch 1 withdrawal 2 (alice) with batch 0's state root", c)?;
    let mut c = real(1, 2)?;
    c.withdrawals_root = flip(c.withdrawals_root, 31);
    push("batch 1 withdrawal 2 with a tampered withdrawals root", c)?;
    let mut c = real(1, 2)?;
    c.batch = 0;
    push("batch 1 withdrawal 2 claimed against batch 0", c)?;
    let mut c = real(1, 2)?;
    c.index += 1 << WITHDRAWAL_TREE_DEPTH;
    push("batch 1 withdrawal 2 claimed at index 2 + 2^16", c)?;
    let mut c = real(1, 0)?;
    c.recipient = real(1, 1)?.recipient;
    push("batch 1 withdrawal 0 (bob's refund) claimed for carol", c)?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// oneStep

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OneStepSection {
    description: &'static str,
    genesis_root: String,
    cases: Vec<OneStepCaseV>,
    negative: Vec<OneStepNegativeV>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ParentV {
    output_root: String,
    deposit_cursor: u64,
    data_root: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContextV {
    batch_index: u64,
    parent: Option<ParentV>,
    deposits_from: u64,
    deposits: u64,
    tx_steps: u64,
    data_root: String,
}

/// A deposit in the npm package's `Deposit` shape (`observeDeposit`, `oneStep`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
enum DepositToV {
    NewAccount { pubkey: String },
    Account { index: u32 },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DepositJsV {
    index: u64,
    to: DepositToV,
    amount: String,
    refund_to: String,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
enum StepKindV {
    Open,
    Deposit {
        #[serde(rename = "queueIndex")]
        queue_index: u64,
    },
    Tx {
        index: u64,
    },
    Close,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OneStepCaseV {
    name: String,
    kind: StepKindV,
    context: ContextV,
    domain: String,
    step: u64,
    pre_root: String,
    deposit: Option<DepositJsV>,
    proof: String,
    post_root: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OneStepNegativeV {
    name: String,
    context: ContextV,
    domain: String,
    step: u64,
    pre_root: String,
    deposit: Option<DepositJsV>,
    proof: String,
    error: String,
}

fn context_v(ctx: &BatchContext) -> ContextV {
    ContextV {
        batch_index: ctx.batch_index,
        parent: match ctx.parent {
            Parent::Genesis => None,
            Parent::Output {
                output_root,
                deposit_cursor,
                data_root,
            } => Some(ParentV {
                output_root: hx(output_root),
                deposit_cursor,
                data_root: hx(data_root),
            }),
        },
        deposits_from: ctx.deposits_from,
        deposits: ctx.deposits,
        tx_steps: ctx.tx_steps,
        data_root: hx(ctx.data_root),
    }
}

fn deposit_js_v(d: &Deposit) -> DepositJsV {
    DepositJsV {
        index: d.index,
        to: match d.target {
            DepositTarget::NewAccount(pk) => DepositToV::NewAccount { pubkey: hx(pk) },
            DepositTarget::Account(index) => DepositToV::Account { index },
        },
        amount: d.amount.to_string(),
        refund_to: hx(&d.refund_to),
    }
}

fn step_kind_v(k: StepKind) -> StepKindV {
    match k {
        StepKind::Open => StepKindV::Open,
        StepKind::Deposit { queue_index } => StepKindV::Deposit { queue_index },
        StepKind::Tx { index } => StepKindV::Tx { index },
        StepKind::Close => StepKindV::Close,
    }
}

/// One batch's replay: its trace and true roots.
struct Replay {
    trace: BatchTrace,
    roots: Vec<Hash>,
}

impl Replay {
    fn of(node: &Node, batch: u64) -> Result<Replay, String> {
        let trace = core(node.trace(batch))?;
        let roots = core(trace.roots(&NativeVerifier))?;
        Ok(Replay { trace, roots })
    }

    /// The queue entry step `step` consumes (deposit steps only).
    fn deposit_of(&self, step: u64) -> Result<Option<&Deposit>, String> {
        match core(self.trace.ctx.step_kind(step))? {
            StepKind::Deposit { queue_index } => Ok(Some(core(self.trace.deposit(queue_index))?)),
            _ => Ok(None),
        }
    }

    fn proof(&self, step: u64) -> Result<OneStepProof, String> {
        core(self.trace.proof(&NativeVerifier, step))
    }

    /// What a consumer computes from the wire bytes: decode, then one_step.
    fn run(
        &self,
        step: u64,
        pre_root: &Hash,
        deposit: Option<&Deposit>,
        wire: &[u8],
    ) -> Result<Hash, Error> {
        let proof = OneStepProof::decode(wire)?;
        one_step(
            &self.trace.ctx,
            &self.trace.domain,
            &NativeVerifier,
            step,
            pre_root,
            deposit,
            &proof,
        )
    }
}

fn one_step_section(node: &Node) -> Result<OneStepSection, String> {
    let replays: Vec<Replay> = (0..node.batch_count())
        .map(|b| Replay::of(node, b))
        .collect::<Result<_, _>>()?;
    let replay = |b: u64| replays.get(b as usize).ok_or(format!("no batch {b}"));
    // (batch, step, what the step does), in the rollup section's batches
    let selection: [(u64, u64, &str); 17] = [
        (0, 0, "batch 0 opens from genesis"),
        (0, 1, "batch 0 deposit 0 opens alice's account 0"),
        (0, 3, "batch 0 deposit 2 opens carol's account 2"),
        (0, 4, "batch 0 transfer: alice (0) sends 100000 to bob (1)"),
        (
            0,
            6,
            "batch 0 withdrawal: alice (0) withdraws 200000 to dave",
        ),
        (
            0,
            7,
            "batch 0 no-op: carol's transfer with nonce 5 while hers is 0",
        ),
        (
            0,
            8,
            "batch 0 no-op: a transfer to account 42, which does not exist",
        ),
        (0, 10, "batch 0 closes"),
        (1, 0, "batch 1 opens from batch 0's output"),
        (1, 1, "batch 1 deposit 3 credits alice's account 0"),
        (
            1,
            2,
            "batch 1 deposit 4 to the missing account 7 is refunded",
        ),
        (
            1,
            4,
            "batch 1 no-op: a transfer from alice signed with bob's key",
        ),
        (1, 5, "batch 1 no-op: the high-s twin of a valid signature"),
        (1, 9, "batch 1 self-transfer: bob (1) spends only his nonce"),
        (1, 11, "batch 1 no-op: the undecodable tail"),
        (1, 12, "batch 1 closes"),
        (2, 2, "batch 2 (one deposit, no data) closes"),
    ];
    let mut cases = Vec::new();
    for (b, step, name) in selection {
        let r = replay(b)?;
        let deposit = r.deposit_of(step)?;
        let wire = r.proof(step)?.encode();
        let post = core(r.run(step, &r.roots[step as usize], deposit, &wire))?;
        if post != r.roots[step as usize + 1] {
            return Err(format!("{name}: one_step does not give the replayed root"));
        }
        // the names say which transaction steps are no-ops: keep them honest
        if let StepKind::Tx { index } = core(r.trace.ctx.step_kind(step))? {
            let effect = node
                .batch(b)
                .and_then(|res| res.tx_effects.get(index as usize))
                .ok_or(format!("{name}: no effect recorded"))?;
            if matches!(effect, TxEffect::NoOp(_)) != name.contains("no-op") {
                return Err(format!("{name}: the step's effect is {effect:?}"));
            }
        }
        cases.push(OneStepCaseV {
            name: name.into(),
            kind: step_kind_v(core(r.trace.ctx.step_kind(step))?),
            context: context_v(&r.trace.ctx),
            domain: hx(r.trace.domain.0),
            step,
            pre_root: hx(r.roots[step as usize]),
            deposit: deposit.map(deposit_js_v),
            proof: hx(&wire),
            post_root: hx(post),
        });
    }
    let kinds: Vec<&str> = cases
        .iter()
        .map(|c| match c.kind {
            StepKindV::Open => "open",
            StepKindV::Deposit { .. } => "deposit",
            StepKindV::Tx { .. } => "tx",
            StepKindV::Close => "close",
        })
        .collect();
    for kind in ["open", "deposit", "tx", "close"] {
        if !kinds.contains(&kind) {
            return Err(format!("no {kind} step among the oneStep cases"));
        }
    }

    let mut negative = Vec::new();
    let mut refuse = |name: &str,
                      b: u64,
                      step: u64,
                      pre_root: Hash,
                      deposit: Option<&Deposit>,
                      wire: Vec<u8>|
     -> Result<(), String> {
        let r = replay(b)?;
        let error = refused(name, r.run(step, &pre_root, deposit, &wire))?;
        negative.push(OneStepNegativeV {
            name: name.into(),
            context: context_v(&r.trace.ctx),
            domain: hx(r.trace.domain.0),
            step,
            pre_root: hx(pre_root),
            deposit: deposit.map(deposit_js_v),
            proof: hx(&wire),
            error,
        });
        Ok(())
    };
    let r0 = replay(0)?;
    let r1 = replay(1)?;
    // batch 0's first transfer (step 4) and withdrawal (step 6)
    let transfer = r0.proof(4)?;
    let withdrawal = r0.proof(6)?;
    let tampered = |p: &OneStepProof, f: &dyn Fn(&mut OneStepProof)| {
        let mut p = p.clone();
        f(&mut p);
        p.encode()
    };
    refuse(
        "batch 0 transfer (step 4) whose pre-state claims one more account",
        0,
        4,
        r0.roots[4],
        None,
        tampered(&transfer, &|p| {
            if let OneStepProof::Tx { pre, .. } = p {
                pre.account_count += 1;
            }
        }),
    )?;
    refuse(
        "batch 0 transfer (step 4) from the root before the previous step",
        0,
        4,
        r0.roots[3],
        None,
        transfer.encode(),
    )?;
    refuse(
        "batch 0 transfer (step 4) whose witness gives the sender one more unit",
        0,
        4,
        r0.roots[4],
        None,
        tampered(&transfer, &|p| {
            if let OneStepProof::Tx { accounts, .. } = p {
                if let Some((_, Some(a))) = accounts.accounts.first_mut() {
                    a.balance += 1;
                }
            }
        }),
    )?;
    refuse(
        "batch 0 transfer (step 4) whose transaction bytes have one bit flipped",
        0,
        4,
        r0.roots[4],
        None,
        tampered(&transfer, &|p| {
            if let OneStepProof::Tx { tx, .. } = p {
                tx[1] ^= 0x01;
            }
        }),
    )?;
    refuse(
        "batch 0 transfer proof (step 4) offered for deposit step 1",
        0,
        1,
        r0.roots[1],
        r0.deposit_of(1)?,
        transfer.encode(),
    )?;
    refuse(
        "batch 0 withdrawal (step 6) without the empty withdrawal slot proof",
        0,
        6,
        r0.roots[6],
        None,
        tampered(&withdrawal, &|p| {
            if let OneStepProof::Tx {
                withdrawal_slot, ..
            } = p
            {
                *withdrawal_slot = None;
            }
        }),
    )?;
    let wire = withdrawal.encode();
    refuse(
        "batch 0 withdrawal (step 6) cut 10 bytes short",
        0,
        6,
        r0.roots[6],
        None,
        wire[..wire.len() - 10].to_vec(),
    )?;
    let mut long = wire.clone();
    long.push(0);
    refuse(
        "batch 0 withdrawal (step 6) with a byte after the proof",
        0,
        6,
        r0.roots[6],
        None,
        long,
    )?;
    refuse(
        "an unknown step kind byte",
        0,
        6,
        r0.roots[6],
        None,
        vec![9],
    )?;
    refuse(
        "batch 1 deposit step 1 given deposit 4 instead of 3",
        1,
        1,
        r1.roots[1],
        r1.deposit_of(2)?,
        r1.proof(1)?.encode(),
    )?;
    refuse(
        "batch 1 deposit step 1 without its deposit",
        1,
        1,
        r1.roots[1],
        None,
        r1.proof(1)?.encode(),
    )?;
    refuse(
        "batch 1 open step with the parent's state and withdrawals roots swapped",
        1,
        0,
        r1.roots[0],
        None,
        tampered(&r1.proof(0)?, &|p| {
            if let OneStepProof::Open {
                parent: Some((s, w)),
            } = p
            {
                std::mem::swap(s, w);
            }
        }),
    )?;
    refuse(
        "batch 1 open step without the parent output's preimage",
        1,
        0,
        r1.roots[0],
        None,
        OneStepProof::Open { parent: None }.encode(),
    )?;
    refuse(
        "batch 0 close step (10) proven as step 9",
        0,
        9,
        r0.roots[9],
        None,
        r0.proof(10)?.encode(),
    )?;

    Ok(OneStepSection {
        description: "Steps of the rollup section's batches (same deployment, same node). \
            Check each case with the one-step rule: decode proof (the wire form), then \
            one_step(context, domain, step, preRoot, deposit, proof) with the secp256k1 \
            verifier must return postRoot; preRoot is the true root at position step and \
            postRoot the true root at step + 1 (the output root for the close step). Each \
            negative case must be refused with exactly error (a decoding error or a \
            one_step error).",
        genesis_root: hx(genesis_root()),
        cases,
        negative,
    })
}

// ---------------------------------------------------------------------------------------
// channel

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChannelSection {
    description: &'static str,
    chain_id: String,
    contract: String,
    domain: String,
    keys: ChannelKeysV,
    payment_hashes: Vec<PaymentHashV>,
    bad_preimages: Vec<BadPreimageV>,
    states: Vec<ChannelStateCaseV>,
    payouts: Vec<PayoutCaseV>,
    payout_errors: Vec<PayoutErrorV>,
    negative: Vec<ChannelNegativeV>,
    joins: Vec<JoinV>,
    revocations: Vec<RevocationV>,
    watchtowers: Vec<WatchtowerV>,
}

/// B's join of channel `channelId` from `counterparty`: the hash B's key signs and its
/// signature (what `join` carries).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JoinV {
    channel_id: u64,
    counterparty: String,
    pubkey_a: String,
    pubkey_b: String,
    join_hash: String,
    signature_b: String,
}

/// A's revocation of every state of `channelId` up to `version`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RevocationV {
    channel_id: u64,
    version: u64,
    revocation_hash: String,
    signature_a: String,
}

/// B's authorisation of `watchtower` for `channelId`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WatchtowerV {
    channel_id: u64,
    watchtower: String,
    watchtower_hash: String,
    signature_b: String,
}

#[derive(Serialize)]
struct ChannelKeysV {
    a: KeyV,
    b: KeyV,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentHashV {
    preimage: String,
    payment_hash: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BadPreimageV {
    preimage: String,
    error: String,
}

/// A state in the npm package's `ChannelState` shape.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChannelStateV {
    channel_id: u64,
    version: String,
    funded: [String; 2],
    balances: [String; 2],
    htlcs: Vec<HtlcV>,
    is_final: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HtlcV {
    amount: String,
    payment_hash: String,
    timeout: String,
    payer: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChannelStateCaseV {
    name: &'static str,
    domain: String,
    pubkey_a: String,
    pubkey_b: String,
    channel_id: u64,
    funding: [String; 2],
    state: ChannelStateV,
    encoding: String,
    signing_hash: String,
    signature_a: String,
    signature_b: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StaleV {
    closer: &'static str,
    by_watchtower: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PayoutV {
    parties: [String; 2],
    watchtower: String,
    htlcs: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PayoutCaseV {
    name: &'static str,
    state: String,
    funding: [String; 2],
    stale: Option<StaleV>,
    penalty_share_bps: u16,
    watchtower_fee_bps: u16,
    payout: PayoutV,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PayoutErrorV {
    name: &'static str,
    state: String,
    funding: [String; 2],
    stale: Option<StaleV>,
    penalty_share_bps: u16,
    watchtower_fee_bps: u16,
    error: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChannelNegativeV {
    name: &'static str,
    domain: String,
    pubkey_a: String,
    pubkey_b: String,
    channel_id: u64,
    funding: [String; 2],
    state: String,
    signature_a: String,
    signature_b: String,
    error: String,
}

fn decs(v: [u128; 2]) -> [String; 2] {
    v.map(|x| x.to_string())
}

fn channel_state_v(s: &ChannelState) -> ChannelStateV {
    ChannelStateV {
        channel_id: s.channel_id,
        version: s.version.to_string(),
        funded: decs(s.funded),
        balances: decs(s.balances),
        htlcs: s
            .htlcs
            .iter()
            .map(|h| HtlcV {
                amount: h.amount.to_string(),
                payment_hash: hx(h.payment_hash),
                timeout: h.timeout.to_string(),
                payer: h.payer.name(),
            })
            .collect(),
        is_final: s.is_final,
    }
}

fn stale_v(s: Option<StaleClose>) -> Option<StaleV> {
    s.map(|s| StaleV {
        closer: s.closer.name(),
        by_watchtower: s.by_watchtower,
    })
}

/// The verdict the contract (and `verifyChannelState`) reaches on a signed state: decode,
/// then the allocation rules for the channel and its funding, then both signatures.
fn channel_verdict(
    domain: &ChannelDomain,
    keys: [&[u8; 33]; 2],
    channel_id: u64,
    funding: [u128; 2],
    encoding: &[u8],
    sigs: [&[u8; 64]; 2],
) -> Result<(), Error> {
    let state = ChannelState::decode(encoding)?;
    state.check(channel_id, funding)?;
    verify_cosigned(&NativeVerifier, domain, &state, keys, sigs)
}

fn channel_section(dep: &Deployment) -> Result<ChannelSection, String> {
    let domain = ChannelDomain::new(&dep.chain_id, &dep.contract);
    let (la, lb) = ("parity-channel-a", "parity-channel-b");
    let (ka, kb) = (L2Key::from_label(la), L2Key::from_label(lb));
    let (pa, pb) = (ka.public_key(), kb.public_key());
    let sign = |s: &ChannelState, d: &ChannelDomain| {
        let h = s.signing_hash(d);
        (ka.sign_prehash(&h), kb.sign_prehash(&h))
    };

    // payment hashes
    let preimages = [
        [0u8; 32],
        [0x42; 32],
        pattern(32, 7).try_into().expect("32"),
    ];
    let mut payment_hashes = Vec::new();
    for p in &preimages {
        payment_hashes.push(PaymentHashV {
            preimage: hx(p),
            payment_hash: hx(core(payment_hash(p))?),
        });
    }
    let mut bad_preimages = Vec::new();
    for p in [pattern(31, 1), pattern(33, 2), Vec::new()] {
        bad_preimages.push(BadPreimageV {
            preimage: hx(&p),
            error: refused("preimage length", payment_hash(&p))?,
        });
    }
    let ph = |i: usize| payment_hash(&preimages[i]).expect("32 bytes");

    // valid states
    let open = ChannelState {
        channel_id: 3,
        version: 0,
        funded: [1_000_000, 0],
        balances: [1_000_000, 0],
        htlcs: vec![],
        is_final: false,
    };
    let paid = ChannelState {
        version: 5,
        funded: [1_000_000, 250_000],
        balances: [700_000, 550_000],
        ..open.clone()
    };
    let with_htlcs = ChannelState {
        version: 9,
        balances: [600_000, 450_000],
        htlcs: vec![
            Htlc {
                amount: 150_000,
                payment_hash: ph(0),
                timeout: 1_700_000_000,
                payer: Party::A,
            },
            Htlc {
                amount: 50_000,
                payment_hash: ph(2),
                timeout: 1_700_003_600,
                payer: Party::B,
            },
        ],
        ..paid.clone()
    };
    let fin = ChannelState {
        version: 10,
        balances: [500_000, 750_000],
        is_final: true,
        ..paid.clone()
    };
    let half = u128::MAX / 2;
    let huge = ChannelState {
        channel_id: 1 << 40,
        version: u64::MAX,
        funded: [half, half],
        balances: [half - 12_345, half + 12_345],
        htlcs: vec![],
        is_final: false,
    };
    let cases: [(&'static str, &ChannelState, [u128; 2]); 6] = [
        (
            "just opened: all of A's funding is A's",
            &open,
            [1_000_000, 0],
        ),
        ("payments both ways", &paid, [1_000_000, 250_000]),
        (
            "the same state after B topped up 150000 (the top-up is not the state's)",
            &paid,
            [1_000_000, 400_000],
        ),
        ("two HTLCs, one each way", &with_htlcs, [1_000_000, 250_000]),
        ("final (cooperative close)", &fin, [1_000_000, 250_000]),
        (
            "amounts near u128::MAX, version u64::MAX",
            &huge,
            [half, half],
        ),
    ];
    let mut states = Vec::new();
    for (name, s, funding) in cases {
        let (sa, sb) = sign(s, &domain);
        core(channel_verdict(
            &domain,
            [&pa, &pb],
            s.channel_id,
            funding,
            &s.encode(),
            [&sa, &sb],
        ))?;
        states.push(ChannelStateCaseV {
            name,
            domain: hx(domain.0),
            pubkey_a: hx(pa),
            pubkey_b: hx(pb),
            channel_id: s.channel_id,
            funding: decs(funding),
            state: channel_state_v(s),
            encoding: hx(s.encode()),
            signing_hash: hx(s.signing_hash(&domain)),
            signature_a: hx(sa),
            signature_b: hx(sb),
        });
    }

    // payouts
    let stale = |closer, by_watchtower| {
        Some(StaleClose {
            closer,
            by_watchtower,
        })
    };
    type PayoutCase<'a> = (
        &'static str,
        &'a ChannelState,
        [u128; 2],
        Option<StaleClose>,
        u16,
        u16,
    );
    let payout_cases: [PayoutCase; 8] = [
        (
            "cooperative: the balances",
            &fin,
            [1_000_000, 250_000],
            None,
            10_000,
            1_000,
        ),
        (
            "settled, no dispute",
            &paid,
            [1_000_000, 250_000],
            None,
            10_000,
            1_000,
        ),
        (
            "B's late top-up goes back to B",
            &paid,
            [1_000_000, 400_000],
            None,
            10_000,
            1_000,
        ),
        (
            "HTLC amounts are held",
            &with_htlcs,
            [1_000_000, 250_000],
            None,
            10_000,
            1_000,
        ),
        (
            "A closed stale, B proved it: A forfeits all of its balance",
            &with_htlcs,
            [1_000_000, 250_000],
            stale(Party::A, false),
            10_000,
            1_000,
        ),
        (
            "B closed stale, a watchtower proved it: 10% of the forfeit is its fee",
            &with_htlcs,
            [1_000_000, 300_000],
            stale(Party::B, true),
            10_000,
            1_000,
        ),
        (
            "partial penalty and fee, rounded down",
            &paid,
            [1_000_000, 250_000],
            stale(Party::B, true),
            3_333,
            777,
        ),
        (
            "huge amounts, the largest watchtower fee (half of the forfeit)",
            &huge,
            [half, half + 1],
            stale(Party::A, true),
            10_000,
            5_000,
        ),
    ];
    let mut payouts = Vec::new();
    for (name, s, funding, st, share_bps, fee_bps) in payout_cases {
        let rules = PenaltyRules {
            share_bps,
            watchtower_fee_bps: fee_bps,
        };
        let p = core(payout(s, funding, st, rules))?;
        if p.total() != funding[0].checked_add(funding[1]) {
            return Err(format!("payout {name:?} does not conserve the funding"));
        }
        payouts.push(PayoutCaseV {
            name,
            state: hx(s.encode()),
            funding: decs(funding),
            stale: stale_v(st),
            penalty_share_bps: share_bps,
            watchtower_fee_bps: fee_bps,
            payout: PayoutV {
                parties: decs(p.parties),
                watchtower: p.watchtower.to_string(),
                htlcs: p.htlcs.to_string(),
            },
        });
    }
    let payout_error_cases: [PayoutCase; 4] = [
        (
            "the whole forfeit to a watchtower (10000)",
            &paid,
            [1_000_000, 250_000],
            stale(Party::B, true),
            10_000,
            10_000,
        ),
        (
            "penalty share above 10000",
            &paid,
            [1_000_000, 250_000],
            stale(Party::A, false),
            10_001,
            0,
        ),
        (
            "watchtower fee above its 5000 cap",
            &paid,
            [1_000_000, 250_000],
            stale(Party::A, true),
            10_000,
            5_001,
        ),
        (
            "less funding than the state allocates",
            &paid,
            [1_000_000, 249_999],
            None,
            10_000,
            0,
        ),
    ];
    let mut payout_errors = Vec::new();
    for (name, s, funding, st, share_bps, fee_bps) in payout_error_cases {
        let rules = PenaltyRules {
            share_bps,
            watchtower_fee_bps: fee_bps,
        };
        payout_errors.push(PayoutErrorV {
            name,
            state: hx(s.encode()),
            funding: decs(funding),
            stale: stale_v(st),
            penalty_share_bps: share_bps,
            watchtower_fee_bps: fee_bps,
            error: refused(name, payout(s, funding, st, rules))?,
        });
    }

    // negative cases: (name, channel id asked, funding held, encoding, signatures)
    let mut negative = Vec::new();
    let mut push = |name: &'static str,
                    channel_id: u64,
                    funding: [u128; 2],
                    encoding: Vec<u8>,
                    (sa, sb): ([u8; 64], [u8; 64])|
     -> Result<(), String> {
        let error = refused(
            name,
            channel_verdict(
                &domain,
                [&pa, &pb],
                channel_id,
                funding,
                &encoding,
                [&sa, &sb],
            ),
        )?;
        negative.push(ChannelNegativeV {
            name,
            domain: hx(domain.0),
            pubkey_a: hx(pa),
            pubkey_b: hx(pb),
            channel_id,
            funding: decs(funding),
            state: hx(&encoding),
            signature_a: hx(sa),
            signature_b: hx(sb),
            error,
        });
        Ok(())
    };
    let funding = [1_000_000, 250_000];
    let signed = |s: &ChannelState| (s.encode(), sign(s, &domain));
    let over = ChannelState {
        version: 11,
        balances: [700_001, 550_000],
        ..paid.clone()
    };
    let (e, sg) = signed(&over);
    push(
        "over-allocated: balances above the funding",
        3,
        funding,
        e,
        sg,
    )?;
    let under = ChannelState {
        version: 11,
        balances: [700_000, 549_999],
        ..paid.clone()
    };
    let (e, sg) = signed(&under);
    push(
        "under-allocated: balances below the funding",
        3,
        funding,
        e,
        sg,
    )?;
    let (e, sg) = signed(&paid);
    push(
        "overfunded: B holds less than the state allocates of it",
        3,
        [1_000_000, 200_000],
        e,
        sg,
    )?;
    let (e, sg) = signed(&paid);
    push("wrong channel", 4, funding, e, sg)?;
    let mut zero = with_htlcs.clone();
    zero.htlcs[1].amount = 0;
    zero.balances[1] += 50_000;
    let (e, sg) = signed(&zero);
    push("an HTLC with a zero amount", 3, funding, e, sg)?;
    let final_htlcs = ChannelState {
        is_final: true,
        ..with_htlcs.clone()
    };
    let (e, sg) = signed(&final_htlcs);
    push("a final state with HTLCs", 3, funding, e, sg)?;
    let good = with_htlcs.encode();
    let sigs = sign(&with_htlcs, &domain);
    push(
        "undecodable: truncated",
        3,
        funding,
        good[..good.len() - 1].to_vec(),
        sigs,
    )?;
    let mut longer = good.clone();
    longer.push(0);
    push("undecodable: a trailing byte", 3, funding, longer, sigs)?;
    let mut bad_final = good.clone();
    *bad_final.last_mut().expect("bytes") = 2;
    push("undecodable: final byte 2", 3, funding, bad_final, sigs)?;
    let mut bad_payer = good.clone();
    bad_payer[81 + 56] = 2;
    push("undecodable: payer byte 2", 3, funding, bad_payer, sigs)?;
    let mut many = good.clone();
    many[80] = 33;
    push("undecodable: 33 HTLCs", 3, funding, many, sigs)?;
    push("undecodable: empty", 3, funding, Vec::new(), sigs)?;
    let (sa, sb) = sigs;
    push(
        "bad signature: the two swapped",
        3,
        funding,
        good.clone(),
        (sb, sa),
    )?;
    push(
        "bad signature: A's twice",
        3,
        funding,
        good.clone(),
        (sa, sa),
    )?;
    push(
        "bad signature: A's high-s twin",
        3,
        funding,
        good.clone(),
        (high_s_twin(&sa), sb),
    )?;
    let other = ChannelDomain::new(&dep.chain_id, "another-contract");
    push(
        "bad signature: signed for another contract",
        3,
        funding,
        good.clone(),
        sign(&with_htlcs, &other),
    )?;
    let rollup_domain = ChannelDomain(dep.domain.0);
    push(
        "bad signature: signed under the rollup's transaction domain",
        3,
        funding,
        good.clone(),
        sign(&with_htlcs, &rollup_domain),
    )?;
    let bumped = ChannelState {
        version: 99,
        ..with_htlcs.clone()
    };
    push(
        "tampered after signing: version raised",
        3,
        funding,
        bumped.encode(),
        sigs,
    )?;
    let mut moved = with_htlcs.clone();
    moved.balances = [500_000, 550_000];
    push(
        "tampered after signing: balance moved to B",
        3,
        funding,
        moved.encode(),
        sigs,
    )?;

    // joins, revocations, watchtower authorisations
    let mut joins = Vec::new();
    for (id, who) in [(3u64, "wasm1parityb"), (1 << 40, dep.contract.as_str())] {
        let h = join_hash(&domain, id, who, [&pa, &pb]);
        let sig = kb.sign_prehash(&h);
        core(verify_join(
            &NativeVerifier,
            &domain,
            id,
            who,
            [&pa, &pb],
            &sig,
            0,
            1,
        ))?;
        joins.push(JoinV {
            channel_id: id,
            counterparty: who.to_string(),
            pubkey_a: hx(pa),
            pubkey_b: hx(pb),
            join_hash: hx(h),
            signature_b: hx(sig),
        });
    }
    let mut revocations = Vec::new();
    for (id, version) in [(3u64, 0u64), (3, 9), (1 << 40, (1 << 53) - 1)] {
        let h = revocation_hash(&domain, id, version);
        revocations.push(RevocationV {
            channel_id: id,
            version,
            revocation_hash: hx(h),
            signature_a: hx(ka.sign_prehash(&h)),
        });
    }
    let mut watchtowers = Vec::new();
    for (id, who) in [(3u64, "wasm1paritytower"), (7, "wasm1paritytower")] {
        let h = watchtower_hash(&domain, id, who);
        watchtowers.push(WatchtowerV {
            channel_id: id,
            watchtower: who.to_string(),
            watchtower_hash: hx(h),
            signature_b: hx(kb.sign_prehash(&h)),
        });
    }

    Ok(ChannelSection {
        description: "Payment channels for the rollup section's chain and contract address.",
        chain_id: dep.chain_id.clone(),
        contract: dep.contract.clone(),
        domain: hx(domain.0),
        keys: ChannelKeysV {
            a: KeyV::of(Some(la), &ka),
            b: KeyV::of(Some(lb), &kb),
        },
        payment_hashes,
        bad_preimages,
        states,
        payouts,
        payout_errors,
        negative,
        joins,
        revocations,
        watchtowers,
    })
}
