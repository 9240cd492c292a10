//! Criterion benchmarks of the settlement core: Merkle trees, the OpenZeppelin tree, the
//! sparse account tree and applying signed batches to the ledger.
//!
//! ```text
//! cargo bench -p settle-core --bench core              # full run (a few minutes on 2 cores)
//! cargo bench -p settle-core --bench core -- --quick   # one quick pass over every group
//! cargo bench -p settle-core --bench core -- smt/      # one family only
//! ```
//!
//! The benchmarks print figures only; they assert nothing about time. The few asserts
//! below check that the fixtures are what they claim to be (e.g. that every transfer of
//! a benchmarked batch really applies instead of being a cheap no-op).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput};
use settle_core::batch::{apply_batch, encode_batch};
use settle_core::crypto::{L2Key, NativeVerifier};
use settle_core::hash::{hash_leaf, Hash};
use settle_core::ledger::{Deposit, DepositEffect, DepositTarget, Ledger};
use settle_core::merkle::{self, merkle_root, MerkleTree};
use settle_core::oz::{self, StandardMerkleTree};
use settle_core::smt::{self, SparseMerkleTree};
use settle_core::tx::{Domain, SignedTx, Transfer, TxBody};

const SMALL_TREE: usize = 1 << 16;
const LARGE_TREE: usize = 1 << 20;
const PROOFS: usize = 1_000;
const ACCOUNTS: usize = 1_000;
const BATCH_SIZES: [usize; 2] = [100, 1_000];

/// Leaf hashes `H_leaf(i as 8 bytes BE)` for `0..n`.
fn leaf_hashes(n: usize) -> Vec<Hash> {
    (0..n as u64).map(|i| hash_leaf(&i.to_be_bytes())).collect()
}

/// `n` indices spread over `0..len` (an odd stride visits distinct leaves).
fn spread_indices(n: usize, len: usize) -> Vec<u64> {
    (0..n as u64)
        .map(|i| (i * 40_503 + 17) % len as u64)
        .collect()
}

fn bench_merkle_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("merkle/build");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1));
    for n in [SMALL_TREE, LARGE_TREE] {
        let leaves = leaf_hashes(n);
        // A 2^20 build takes about a second here: leave room for ten one-build samples.
        let secs = if n >= LARGE_TREE { 12 } else { 4 };
        group
            .measurement_time(Duration::from_secs(secs))
            .throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::new("from_leaf_hashes", n),
            &leaves,
            |b, leaves| {
                b.iter_batched(
                    || leaves.clone(),
                    MerkleTree::from_leaf_hashes,
                    BatchSize::PerIteration,
                )
            },
        );
        group.bench_with_input(BenchmarkId::new("merkle_root", n), &leaves, |b, leaves| {
            b.iter_batched(|| leaves.clone(), merkle_root, BatchSize::PerIteration)
        });
    }
    group.finish();
}

fn bench_merkle_proofs(c: &mut Criterion) {
    let tree = MerkleTree::from_leaf_hashes(leaf_hashes(SMALL_TREE));
    let root = tree.root();
    let indices = spread_indices(PROOFS, SMALL_TREE);
    let mut group = c.benchmark_group("merkle/prove+verify");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(PROOFS as u64));
    group.bench_function(BenchmarkId::new("single_proofs", SMALL_TREE), |b| {
        b.iter(|| {
            for &i in &indices {
                let proof = tree.prove(i).expect("index in range");
                merkle::verify(&root, &tree.leaves()[i as usize], &proof).expect("valid proof");
            }
        })
    });
    group.finish();
}

fn bench_oz_build(c: &mut Criterion) {
    let values: Vec<(oz::Address, oz::U256)> = (0..SMALL_TREE as u32)
        .map(|i| {
            let mut address = [0u8; 20];
            address[..4].copy_from_slice(&i.to_be_bytes());
            address[16..].copy_from_slice(&i.wrapping_mul(2_654_435_761).to_be_bytes());
            (address, oz::u256_from_u128(1_000_000 + i as u128))
        })
        .collect();
    let mut group = c.benchmark_group("oz/build");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(SMALL_TREE as u64));
    group.bench_with_input(
        BenchmarkId::new("standard_merkle_tree", SMALL_TREE),
        &values,
        |b, values| {
            b.iter_batched(
                || values.clone(),
                |v| StandardMerkleTree::of(v).expect("non-empty"),
                BatchSize::LargeInput,
            )
        },
    );
    group.finish();
}

fn bench_smt(c: &mut Criterion) {
    let pairs: Vec<(u64, Hash)> = leaf_hashes(SMALL_TREE)
        .into_iter()
        .enumerate()
        .map(|(i, h)| (i as u64, h))
        .collect();
    let base = SparseMerkleTree::<32>::from_leaves(pairs.iter().copied()).expect("indices fit");

    // One leaf changes in a tree holding 2^16 accounts: DEPTH hashes and map updates.
    let updates: Vec<(u64, Hash)> = spread_indices(4_096, SMALL_TREE)
        .into_iter()
        .map(|i| (i, hash_leaf(&(i + 1_000_000).to_be_bytes())))
        .collect();
    let mut group = c.benchmark_group("smt/update");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("set_depth32", SMALL_TREE), |b| {
        let mut tree = base.clone();
        let mut next = updates.iter().cycle();
        b.iter(|| {
            let &(index, leaf) = next.next().expect("cycle never ends");
            tree.set(index, leaf).expect("index in range");
        });
        black_box(tree.root());
    });
    group.finish();

    let mut group = c.benchmark_group("smt/from_leaves");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(SMALL_TREE as u64));
    group.bench_function(BenchmarkId::new("depth32", SMALL_TREE), |b| {
        b.iter_with_large_drop(|| {
            SparseMerkleTree::<32>::from_leaves(pairs.iter().copied()).expect("indices fit")
        })
    });
    group.finish();

    let root = base.root();
    let indices = spread_indices(4_096, SMALL_TREE);
    let mut group = c.benchmark_group("smt/prove+verify");
    group
        .sample_size(50)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    group.bench_function(BenchmarkId::new("compact_proof", SMALL_TREE), |b| {
        let mut next = indices.iter().cycle();
        b.iter(|| {
            let &index = next.next().expect("cycle never ends");
            let proof = base.prove(index).expect("index in range");
            let leaf = pairs[index as usize].1;
            smt::verify(32, &root, index, &leaf, &proof).expect("valid proof");
            proof
        })
    });
    group.finish();
}

/// 1,000 funded accounts and signed transfer batches among them.
struct LedgerFixture {
    domain: Domain,
    /// The state after the deposits opened every account.
    ledger: Ledger,
    deposit_cursor: u64,
    /// `(transfer count, batch data)`.
    batches: Vec<(usize, Vec<u8>)>,
    typical: SignedTx,
}

impl LedgerFixture {
    fn new() -> Self {
        let domain = Domain::new("bench-1", "settle1rollupbenchcontract");
        let keys: Vec<L2Key> = (0..ACCOUNTS)
            .map(|i| L2Key::from_label(&format!("bench-account-{i}")))
            .collect();
        let deposits: Vec<Deposit> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| Deposit {
                index: i as u64,
                target: DepositTarget::NewAccount(k.public_key()),
                amount: 1_000_000_000_000,
                refund_to: vec![0xaa; 20],
            })
            .collect();
        let mut ledger = Ledger::new();
        let opened = apply_batch(&mut ledger, &domain, &NativeVerifier, 0, 0, &deposits, &[])
            .expect("deposits apply");
        assert!(opened
            .deposit_effects
            .iter()
            .all(|e| matches!(e, DepositEffect::Opened { .. })));
        let deposit_cursor = opened.output.deposit_cursor;

        // Every sender sends once (nonce 0) to another account; amounts have at most
        // three significant digits, like most real transfers.
        let sign = |i: usize| {
            let from = i % ACCOUNTS;
            let to = (from * 7 + 1) % ACCOUNTS; // never `from`: 6·from + 1 is odd
            let body = TxBody::Transfer(Transfer {
                from: from as u32,
                to: to as u32,
                amount: (1 + (i % 997) as u128) * 1_000_000,
                nonce: (i / ACCOUNTS) as u64,
            });
            SignedTx::sign(body, &domain, &keys[from])
        };
        let largest = BATCH_SIZES.iter().copied().max().unwrap_or(0);
        let txs: Vec<SignedTx> = (0..largest).map(sign).collect();
        let batches: Vec<(usize, Vec<u8>)> = BATCH_SIZES
            .iter()
            .map(|&n| (n, encode_batch(&txs[..n])))
            .collect();

        // The benchmark must measure real transfers, not no-ops.
        for (n, data) in &batches {
            let mut l = ledger.clone();
            let result = apply_batch(
                &mut l,
                &domain,
                &NativeVerifier,
                1,
                deposit_cursor,
                &[],
                data,
            )
            .expect("batch applies");
            assert_eq!(result.applied(), *n, "every transfer of the batch applies");
        }

        LedgerFixture {
            domain,
            ledger,
            deposit_cursor,
            batches,
            typical: txs[largest / 2].clone(),
        }
    }

    fn report_sizes(&self) {
        let encoded = self.typical.encode();
        eprintln!(
            "typical transfer ({} accounts): {} bytes encoded ({} payload + 64 signature)",
            ACCOUNTS,
            encoded.len(),
            SignedTx::payload_of(&encoded).len()
        );
        let far = SignedTx {
            body: TxBody::Transfer(Transfer {
                from: 1_500_000,
                to: 2_000_000,
                amount: 123_456_000_000,
                nonce: 9_000,
            }),
            signature: [0; 64],
        };
        eprintln!(
            "transfer between accounts ~2^21 with nonce 9000: {} bytes encoded",
            far.encode().len()
        );
        for (n, data) in &self.batches {
            eprintln!(
                "batch of {n} transfers: {} bytes, {:.2} bytes per transfer",
                data.len(),
                data.len() as f64 / *n as f64
            );
        }
    }
}

fn bench_ledger(c: &mut Criterion, fx: &LedgerFixture) {
    let mut group = c.benchmark_group("ledger/apply_batch");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for (n, data) in &fx.batches {
        group.throughput(Throughput::Elements(*n as u64));
        group.bench_with_input(BenchmarkId::new("transfers", n), data, |b, data| {
            b.iter_batched(
                || fx.ledger.clone(),
                |mut ledger| {
                    let result = apply_batch(
                        &mut ledger,
                        &fx.domain,
                        &NativeVerifier,
                        1,
                        fx.deposit_cursor,
                        &[],
                        data,
                    )
                    .expect("batch applies");
                    (ledger, result)
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn main() {
    let fixture = LedgerFixture::new();
    fixture.report_sizes();

    let mut c = Criterion::default().configure_from_args();
    bench_merkle_build(&mut c);
    bench_merkle_proofs(&mut c);
    bench_oz_build(&mut c);
    bench_smt(&mut c);
    bench_ledger(&mut c, &fixture);
    c.final_summary();
}
