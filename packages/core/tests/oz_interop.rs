//! Byte-for-byte interoperability of [`settle_core::oz`] with the npm package
//! `@openzeppelin/merkle-tree` (`StandardMerkleTree` over `["address", "uint256"]`).
//!
//! Vectors flow both ways through one JSON schema (see `tests/interop/oz-generate.mjs`):
//! - `committed_vectors_match_openzeppelin` checks the small committed file
//!   `tests/vectors/oz-standard-merkle.json`, produced by OpenZeppelin's package itself;
//! - `fresh_openzeppelin_vectors_match` does the same on `$OZ_VECTORS`, which
//!   `tests/interop/run.sh` fills with freshly generated random OpenZeppelin trees;
//! - `write_vectors_for_openzeppelin` writes trees built by OUR code to `$OZ_OUT`, which
//!   `tests/interop/oz-verify.mjs` then checks with OpenZeppelin's package.
//!
//! Relative paths in `OZ_VECTORS` / `OZ_OUT` are taken from the workspace root.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use settle_core::oz::{self, Address, OzMultiProof, StandardMerkleTree, U256};
use settle_core::Hash;

const LEAF_ENCODING: [&str; 2] = ["address", "uint256"];
const COMMITTED_VECTORS: &str = "tests/vectors/oz-standard-merkle.json";
const DEFAULT_SEED: u64 = 0x5e77_1e00;

// ---------------------------------------------------------------------------------------
// The JSON schema shared with tests/interop/*.mjs.

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VectorFile {
    provenance: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    generator: Option<serde_json::Value>,
    leaf_encoding: Vec<String>,
    trees: Vec<TreeVectors>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TreeVectors {
    /// `[address (0x-hex), amount (decimal)]` in insertion order.
    values: Vec<(String, String)>,
    root: String,
    /// Leaf hash of each value, by value index.
    leaves: Vec<String>,
    /// `getProof(i)` for each value index `i`.
    proofs: Vec<Vec<String>>,
    multi_proofs: Vec<MultiProofVectors>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MultiProofVectors {
    /// The value indices passed to `getMultiProof`.
    indices: Vec<usize>,
    /// The values in the order the verifier consumes them (as OpenZeppelin returns them).
    leaves: Vec<(String, String)>,
    /// The leaf hashes of `leaves`.
    leaf_hashes: Vec<String>,
    proof: Vec<String>,
    proof_flags: Vec<bool>,
}

// ---------------------------------------------------------------------------------------
// Encoding helpers.

fn hex_bytes<const N: usize>(s: &str) -> [u8; N] {
    let digits = s
        .strip_prefix("0x")
        .unwrap_or_else(|| panic!("{s:?} lacks 0x"));
    let bytes = hex::decode(digits).unwrap_or_else(|e| panic!("{s:?}: {e}"));
    bytes
        .try_into()
        .unwrap_or_else(|b: Vec<u8>| panic!("{s:?} is {} bytes, expected {N}", b.len()))
}

fn hash(s: &str) -> Hash {
    hex_bytes(s)
}

fn hashes(v: &[String]) -> Vec<Hash> {
    v.iter().map(|s| hash(s)).collect()
}

fn to_hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

fn hexes(v: &[Hash]) -> Vec<String> {
    v.iter().map(|h| to_hex(h)).collect()
}

/// A `uint256` from its decimal string (what OpenZeppelin's values hold).
fn u256_from_decimal(s: &str) -> U256 {
    assert!(
        !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()),
        "{s:?} is not a decimal uint256"
    );
    let mut out = [0u8; 32];
    for c in s.bytes() {
        let mut carry = u32::from(c - b'0');
        for byte in out.iter_mut().rev() {
            let v = u32::from(*byte) * 10 + carry;
            *byte = v as u8;
            carry = v >> 8;
        }
        assert_eq!(carry, 0, "{s} overflows uint256");
    }
    out
}

fn u256_to_decimal(v: &U256) -> String {
    let mut n = *v;
    let mut digits = Vec::new();
    loop {
        let mut rem = 0u32;
        for byte in n.iter_mut() {
            let cur = (rem << 8) | u32::from(*byte);
            *byte = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
        if n.iter().all(|&b| b == 0) {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).expect("ASCII digits")
}

fn value(v: &(String, String)) -> (Address, U256) {
    (hex_bytes(&v.0), u256_from_decimal(&v.1))
}

fn value_strings((address, amount): &(Address, U256)) -> (String, String) {
    (to_hex(address), u256_to_decimal(amount))
}

/// A multiproof in hex, for failure messages.
fn show(mp: &OzMultiProof) -> String {
    format!(
        "{{ leaves: {:?}, proof: {:?}, proofFlags: {:?} }}",
        hexes(&mp.leaves),
        hexes(&mp.proof),
        mp.proof_flags
    )
}

fn flip_bit(h: &Hash) -> Hash {
    let mut h = *h;
    h[31] ^= 1;
    h
}

// ---------------------------------------------------------------------------------------
// Files.

fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .expect("packages/core sits two levels below the workspace root")
        .to_path_buf()
}

fn env_path(var: &str) -> Option<PathBuf> {
    let p = PathBuf::from(std::env::var_os(var)?);
    Some(if p.is_absolute() {
        p
    } else {
        workspace_root().join(p)
    })
}

fn read_vectors(path: &Path) -> VectorFile {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file: VectorFile = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not a vector file: {e}", path.display()));
    assert_eq!(file.leaf_encoding, LEAF_ENCODING, "{}", path.display());
    assert!(!file.trees.is_empty(), "{} has no trees", path.display());
    file
}

fn committed_vectors() -> VectorFile {
    read_vectors(&Path::new(env!("CARGO_MANIFEST_DIR")).join(COMMITTED_VECTORS))
}

// ---------------------------------------------------------------------------------------
// Checking OpenZeppelin's vectors against our code.

/// Counts checks and collects failures, so one run reports every mismatch.
#[derive(Default)]
struct Report {
    checks: usize,
    proofs: usize,
    multi_proofs: usize,
    failures: Vec<String>,
}

impl Report {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            self.failures.push(what());
        }
    }

    fn assert_clean(&self, source: &str, trees: usize) {
        println!(
            "{source}: {trees} trees, {} proofs, {} multiproofs: {} checks, {} failed",
            self.proofs,
            self.multi_proofs,
            self.checks,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{} of {} checks against OpenZeppelin failed ({source}):\n{}",
            self.failures.len(),
            self.checks,
            self.failures
                .iter()
                .take(30)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn check_tree(report: &mut Report, t: usize, vec: &TreeVectors) {
    let n = vec.values.len();
    let at = format!("tree {t} ({n} values)");
    assert_eq!(vec.leaves.len(), n, "{at}: leaves");
    assert_eq!(vec.proofs.len(), n, "{at}: proofs");
    let values: Vec<(Address, U256)> = vec.values.iter().map(value).collect();
    let root = hash(&vec.root);
    let tree = StandardMerkleTree::of(values.clone()).expect("non-empty tree");

    report.check(tree.root() == root, || {
        format!("{at}: root {} != OZ {}", to_hex(&tree.root()), vec.root)
    });

    for (i, (address, amount)) in values.iter().enumerate() {
        report.proofs += 1;
        let leaf = hash(&vec.leaves[i]);
        let their_proof = hashes(&vec.proofs[i]);
        let our_leaf = oz::leaf_hash(address, amount);
        report.check(our_leaf == leaf, || {
            format!(
                "{at}: leaf_hash({i}) {} != OZ {}",
                to_hex(&our_leaf),
                vec.leaves[i]
            )
        });
        report.check(tree.leaf(i) == Ok(leaf), || {
            format!(
                "{at}: tree.leaf({i}) {:?} != OZ {}",
                tree.leaf(i),
                vec.leaves[i]
            )
        });
        let ours = tree.proof(i).expect("index in range");
        report.check(ours == their_proof, || {
            format!(
                "{at}: proof({i}) {:?} != OZ getProof {:?}",
                hexes(&ours),
                vec.proofs[i]
            )
        });
        report.check(oz::verify(&root, &leaf, &their_proof).is_ok(), || {
            format!("{at}: oz::verify rejects OZ's proof of value {i}")
        });
        // A tampered proof (or, with an empty proof, a tampered leaf) must fail.
        let rejected = match their_proof.split_first() {
            Some((first, rest)) => {
                let bad: Vec<Hash> = std::iter::once(flip_bit(first))
                    .chain(rest.iter().copied())
                    .collect();
                oz::verify(&root, &leaf, &bad).is_err()
            }
            None => oz::verify(&root, &flip_bit(&leaf), &their_proof).is_err(),
        };
        report.check(rejected, || {
            format!("{at}: oz::verify accepts a tampered proof of value {i}")
        });
    }

    for mp in &vec.multi_proofs {
        report.multi_proofs += 1;
        let what = format!("{at}: multiproof of {:?}", mp.indices);
        let theirs = OzMultiProof {
            leaves: hashes(&mp.leaf_hashes),
            proof: hashes(&mp.proof),
            proof_flags: mp.proof_flags.clone(),
        };
        let leaf_hashes: Vec<Hash> = mp
            .leaves
            .iter()
            .map(|v| {
                let (a, x) = value(v);
                oz::leaf_hash(&a, &x)
            })
            .collect();
        report.check(leaf_hashes == theirs.leaves, || {
            format!("{what}: leafHashes are not the leaf hashes of its values")
        });
        let ours = tree.multi_proof(&mp.indices);
        report.check(ours.as_ref() == Ok(&theirs), || {
            let ours = match &ours {
                Ok(mp) => show(mp),
                Err(e) => format!("{e:?}"),
            };
            format!("{what}: ours {ours} != OZ getMultiProof {}", show(&theirs))
        });
        let verdict = oz::verify_multi_proof(&root, &theirs);
        report.check(verdict.is_ok(), || {
            format!("{what}: verify_multi_proof rejects OZ's multiproof: {verdict:?}")
        });
        let mut bad = theirs.clone();
        match bad.proof.first_mut() {
            Some(p) => *p = flip_bit(p),
            None => bad.leaves[0] = flip_bit(&bad.leaves[0]),
        }
        report.check(oz::verify_multi_proof(&root, &bad).is_err(), || {
            format!("{what}: verify_multi_proof accepts a tampered copy")
        });
    }
}

fn check_file(source: &str, file: &VectorFile) {
    println!("{source}: {}", file.provenance);
    let mut report = Report::default();
    for (t, tree) in file.trees.iter().enumerate() {
        check_tree(&mut report, t, tree);
    }
    report.assert_clean(source, file.trees.len());
}

#[test]
fn committed_vectors_match_openzeppelin() {
    let file = committed_vectors();
    assert!(
        file.provenance.contains("@openzeppelin/merkle-tree 1.0.8"),
        "unexpected provenance: {}",
        file.provenance
    );
    check_file(COMMITTED_VECTORS, &file);
}

#[test]
fn fresh_openzeppelin_vectors_match() {
    let Some(path) = env_path("OZ_VECTORS") else {
        println!("OZ_VECTORS is not set: skipped (tests/interop/run.sh sets it)");
        return;
    };
    check_file(&path.display().to_string(), &read_vectors(&path));
}

/// OpenZeppelin's corner cases, from its own output.
#[test]
fn openzeppelin_edge_cases() {
    let file = committed_vectors();
    let sizes: Vec<usize> = file.trees.iter().map(|t| t.values.len()).collect();
    for must in [1, 2, 3, 4, 8, 16, 32, 5, 7, 17, 31] {
        assert!(
            sizes.contains(&must),
            "committed vectors lack a {must}-leaf tree"
        );
    }

    // A single-leaf tree: the root is the leaf, the proof is empty, the multiproof of the
    // leaf is just the leaf, and OZ's multiproof of nothing is `proof = [root]`.
    let single = file.trees.iter().find(|t| t.values.len() == 1).unwrap();
    let root = hash(&single.root);
    let (address, amount) = value(&single.values[0]);
    assert_eq!(oz::leaf_hash(&address, &amount), root);
    assert_eq!(hash(&single.leaves[0]), root);
    assert!(single.proofs[0].is_empty());
    let tree = StandardMerkleTree::of(vec![(address, amount)]).unwrap();
    assert_eq!(tree.root(), root);
    assert_eq!(tree.proof(0), Ok(vec![]));
    assert_eq!(oz::verify(&root, &root, &[]), Ok(()));
    let just_leaf = OzMultiProof {
        leaves: vec![root],
        proof: vec![],
        proof_flags: vec![],
    };
    assert_eq!(tree.multi_proof(&[0]), Ok(just_leaf.clone()));
    assert_eq!(oz::verify_multi_proof(&root, &just_leaf), Ok(()));

    // OZ's multiproof of no leaves (`getMultiProof([])`) carries the root as its proof.
    let mut empty_sets = 0;
    for vec in &file.trees {
        for mp in vec.multi_proofs.iter().filter(|mp| mp.indices.is_empty()) {
            empty_sets += 1;
            assert!(mp.leaves.is_empty() && mp.proof_flags.is_empty());
            assert_eq!(mp.proof, std::slice::from_ref(&vec.root));
            let theirs = OzMultiProof {
                leaves: vec![],
                proof: vec![hash(&vec.root)],
                proof_flags: vec![],
            };
            assert_eq!(oz::verify_multi_proof(&hash(&vec.root), &theirs), Ok(()));
        }
    }
    assert!(empty_sets > 0, "committed vectors lack an empty multiproof");

    // Every tree has OZ's multiproof of all its leaves: no proof hashes, n - 1 `true`
    // flags, every leaf, and our verifier accepts it.
    for (t, vec) in file.trees.iter().enumerate() {
        let n = vec.values.len();
        let mp = vec
            .multi_proofs
            .iter()
            .find(|mp| {
                let mut s = mp.indices.clone();
                s.sort_unstable();
                s == (0..n).collect::<Vec<_>>()
            })
            .unwrap_or_else(|| panic!("tree {t} lacks an all-leaves multiproof"));
        assert!(mp.proof.is_empty(), "tree {t}");
        assert_eq!(mp.proof_flags, vec![true; n - 1], "tree {t}");
        let mut leaves = mp.leaf_hashes.clone();
        let mut all = vec.leaves.clone();
        leaves.sort();
        all.sort();
        assert_eq!(leaves, all, "tree {t}");
        let theirs = OzMultiProof {
            leaves: hashes(&mp.leaf_hashes),
            proof: vec![],
            proof_flags: mp.proof_flags.clone(),
        };
        assert_eq!(oz::verify_multi_proof(&hash(&vec.root), &theirs), Ok(()));
    }

    // Duplicate values are part of the vectors (two leaves with one hash).
    assert!(
        file.trees.iter().any(|t| {
            let mut v = t.values.clone();
            v.sort();
            v.windows(2).any(|w| w[0] == w[1])
        }),
        "committed vectors lack a duplicate value"
    );
}

/// The example of OpenZeppelin's README; root computed with @openzeppelin/merkle-tree 1.0.8.
#[test]
fn openzeppelin_readme_example() {
    let values = vec![
        ([0x11; 20], u256_from_decimal("5000000000000000000")),
        ([0x22; 20], u256_from_decimal("2500000000000000000")),
    ];
    let tree = StandardMerkleTree::of(values).unwrap();
    assert_eq!(
        to_hex(&tree.root()),
        "0xd4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77"
    );
}

#[test]
fn decimal_uint256_round_trips() {
    let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    assert_eq!(u256_from_decimal(max), [0xff; 32]);
    assert_eq!(u256_to_decimal(&[0xff; 32]), max);
    assert_eq!(u256_to_decimal(&[0; 32]), "0");
    for v in [
        0u128,
        1,
        9,
        10,
        255,
        256,
        1_000_000,
        u64::MAX.into(),
        u128::MAX,
    ] {
        let s = v.to_string();
        assert_eq!(u256_from_decimal(&s), oz::u256_from_u128(v));
        assert_eq!(u256_to_decimal(&oz::u256_from_u128(v)), s);
    }
}

// ---------------------------------------------------------------------------------------
// Writing our vectors for OpenZeppelin to check.

const EDGE_SIZES: [usize; 24] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257,
];

fn random_amount(rng: &mut StdRng) -> U256 {
    let mut out = [0u8; 32];
    match rng.gen_range(0..20) {
        0 => {}
        1 => out = [0xff; 32],
        2..=6 => out = oz::u256_from_u128(rng.gen_range(1..=1_000_000)),
        7..=13 => rng.fill(&mut out[22..]),
        _ => {
            let width = rng.gen_range(1..=32);
            rng.fill(&mut out[32 - width..]);
        }
    }
    out
}

fn random_values(rng: &mut StdRng, n: usize) -> Vec<(Address, U256)> {
    let mut values: Vec<(Address, U256)> = Vec::with_capacity(n);
    for i in 0..n {
        let r = rng.gen_range(0..100);
        let v = if i > 0 && r < 3 {
            values[rng.gen_range(0..i)]
        } else if i > 0 && r < 8 {
            (values[rng.gen_range(0..i)].0, random_amount(rng))
        } else {
            (rng.gen(), random_amount(rng))
        };
        values.push(v);
    }
    values
}

fn our_tree_vectors(rng: &mut StdRng, t: usize, n: usize) -> TreeVectors {
    let values = random_values(rng, n);
    let tree = StandardMerkleTree::of(values.clone()).unwrap();
    let by_hash: HashMap<Hash, (Address, U256)> = values
        .iter()
        .map(|(a, x)| (oz::leaf_hash(a, x), (*a, *x)))
        .collect();

    let mut all: Vec<usize> = (0..n).collect();
    all.shuffle(rng);
    let mut sets = vec![
        all.clone(),
        all[..rng.gen_range(1..=n)].to_vec(),
        vec![rng.gen_range(0..n)],
    ];
    if t.is_multiple_of(5) {
        sets.push(vec![]);
    }
    sets.dedup();

    let multi_proofs = sets
        .into_iter()
        .map(|indices| {
            let mp = tree.multi_proof(&indices).unwrap();
            MultiProofVectors {
                indices,
                leaves: mp
                    .leaves
                    .iter()
                    .map(|h| value_strings(&by_hash[h]))
                    .collect(),
                leaf_hashes: hexes(&mp.leaves),
                proof: hexes(&mp.proof),
                proof_flags: mp.proof_flags,
            }
        })
        .collect();
    TreeVectors {
        values: values.iter().map(value_strings).collect(),
        root: to_hex(&tree.root()),
        leaves: (0..n).map(|i| to_hex(&tree.leaf(i).unwrap())).collect(),
        proofs: (0..n).map(|i| hexes(&tree.proof(i).unwrap())).collect(),
        multi_proofs,
    }
}

#[test]
fn write_vectors_for_openzeppelin() {
    let Some(path) = env_path("OZ_OUT") else {
        println!("OZ_OUT is not set: skipped (tests/interop/run.sh sets it)");
        return;
    };
    let seed = match std::env::var("OZ_SEED") {
        Ok(s) => s.parse().unwrap_or_else(|e| panic!("OZ_SEED={s:?}: {e}")),
        Err(_) => DEFAULT_SEED,
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let mut sizes = EDGE_SIZES.to_vec();
    sizes.extend((0..16).map(|_| rng.gen_range(1..=300)));
    let trees: Vec<TreeVectors> = sizes
        .iter()
        .enumerate()
        .map(|(t, &n)| our_tree_vectors(&mut rng, t, n))
        .collect();
    let file = VectorFile {
        provenance: format!(
            "Produced by settle-core's oz.rs via packages/core/tests/oz_interop.rs \
             (write_vectors_for_openzeppelin) with seed {seed}."
        ),
        generator: None,
        leaf_encoding: LEAF_ENCODING.map(String::from).to_vec(),
        trees,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&path, serde_json::to_vec(&file).unwrap())
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    let proofs: usize = file.trees.iter().map(|t| t.proofs.len()).sum();
    println!(
        "wrote {}: {} trees, {proofs} proofs (seed {seed})",
        path.display(),
        file.trees.len()
    );
}
