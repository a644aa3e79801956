//! Layer 1 vs layer 2 throughput: raw `SqliteKvs` against `EncryptedStore<SqliteKvs>` in the
//! same run, so their ratio is meaningful on any machine. Results: docs/performance.md.
//!
//! `cargo bench -p pscheme-store --bench kvs` (about 5 minutes); `-- 100B` runs only the
//! 100-byte workloads, `-- layer2_cpu` only layer 2's CPU cost.
//!
//! Each store is pre-filled with `SMALL_STORE` keys (or `LARGE_STORE` for the `_100k`
//! workloads); a "put" iteration overwrites `BATCH` of them in one durable commit
//! (synchronous=FULL), a "get" iteration reads `BATCH` of them in a shuffled order. Raw keys
//! are 32-byte hashes, the same shape as layer 2 row keys, so both B-trees have the same
//! shape. In the small store a batch rewrites most leaf pages of either table, so the
//! encrypted table's extra pages (sealed values are 40 bytes longer) cost extra I/O; in the
//! large store a batch touches about one leaf per key on both sides, which isolates layer 2's
//! per-value CPU cost.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main,
};
use pscheme_store::{
    Batch, Domain, EncryptedStore, KdfParams, Kvs, MemKvs, SqliteKvs, SqliteOptions, WriteBatch,
};

const BATCH: usize = 1000;
const SMALL_STORE: usize = 10 * BATCH;
const LARGE_STORE: usize = 100 * BATCH;
const DOMAIN: Domain = Domain(100);

fn logical_key(i: usize) -> [u8; 8] {
    (i as u64).to_le_bytes()
}

fn raw_key(i: usize) -> [u8; 32] {
    *blake3::hash(&logical_key(i)).as_bytes()
}

/// A value unique to `(i, version)`, every 8-byte word different from other versions.
/// Every benchmark write must change all its bytes: SQLite skips rewriting a row, and each
/// overflow page of it, whose new content equals the old, which would let the raw store
/// skip work that the encrypted one (fresh nonce per write) always does.
fn value(i: usize, version: u64, size: usize) -> Vec<u8> {
    let seed = splitmix64((i as u64) ^ splitmix64(version));
    let mut v = Vec::with_capacity(size + 8);
    let mut word = 0u64;
    while v.len() < size {
        v.extend_from_slice(&splitmix64(seed.wrapping_add(word)).to_le_bytes());
        word += 1;
    }
    v.truncate(size);
    v
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A new version number for every benchmark write.
fn next_version() -> u64 {
    static VERSION: AtomicU64 = AtomicU64::new(1);
    VERSION.fetch_add(1, Ordering::Relaxed)
}

/// Indices of the `window`th batch of a store of `keys` keys, in an order unrelated to key
/// order; distinct because 7919 is prime to `keys`.
fn shuffled(window: usize, keys: usize) -> Vec<usize> {
    (0..BATCH)
        .map(|j| (window * BATCH + j * 7919) % keys)
        .collect()
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path =
            std::env::temp_dir().join(format!("pscheme-bench-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// SQLite page cache of both stores. With SQLite's default (2 MiB), the raw connection on the
/// 100,000-key store re-read page 1 and the whole root-to-leaf path on every get (`strace`:
/// 5 reads per get against 0.9 for the encrypted one), which made raw slower than encrypted;
/// 64 MiB holds every store of this bench, so both sides run with their B-tree cached.
const CACHE_KIB: u32 = 64 * 1024;

fn open_sqlite(dir: &Scratch, name: &str) -> SqliteKvs {
    SqliteKvs::open_with(
        dir.0.join(name),
        SqliteOptions::default().cache_size_kib(CACHE_KIB),
    )
    .unwrap()
}

/// Creates both stores and fills them with the same `keys` keys, a batch on each in turn, so
/// that neither file is the more recently written one.
fn filled_stores(dir: &Scratch, keys: usize, size: usize) -> Stores {
    let mut raw = open_sqlite(dir, "raw.db");
    let kvs = open_sqlite(dir, "encrypted.db");
    let mut encrypted =
        EncryptedStore::create(kvs, b"bench", KdfParams::INSECURE_FOR_TESTS).unwrap();
    for window in 0..keys / BATCH {
        let (mut raw_batch, mut encrypted_batch) = (WriteBatch::new(), Batch::new());
        for i in window * BATCH..(window + 1) * BATCH {
            raw_batch.put(raw_key(i), value(i, 0, size));
            encrypted_batch.put(DOMAIN, &logical_key(i), value(i, 0, size));
        }
        raw.commit(&raw_batch).unwrap();
        encrypted.commit(&encrypted_batch).unwrap();
    }
    Stores {
        raw,
        encrypted,
        keys,
    }
}

/// One batch's keys, computed once, outside the timed code: the raw keys are hashes, and
/// hashing them inside would charge the raw store for work it does not do.
struct BatchKeys {
    indices: Vec<usize>,
    raw: Vec<[u8; 32]>,
}

impl BatchKeys {
    fn new(indices: Vec<usize>) -> BatchKeys {
        let raw = indices.iter().map(|&i| raw_key(i)).collect();
        BatchKeys { indices, raw }
    }
}

#[derive(Clone, Copy)]
enum Op {
    Put,
    Get,
}

/// The input of one timed batch: its keys and, for a put, fresh values, also made outside
/// the timed code so that neither store is charged for generating them.
struct Job<'a> {
    keys: &'a BatchKeys,
    values: Option<Vec<Vec<u8>>>,
}

fn job(op: Op, keys: &BatchKeys, size: usize) -> Job<'_> {
    let values = match op {
        Op::Put => {
            let version = next_version();
            Some(
                keys.indices
                    .iter()
                    .map(|&i| value(i, version, size))
                    .collect(),
            )
        }
        Op::Get => None,
    };
    Job { keys, values }
}

fn run_raw(raw: &mut SqliteKvs, job: Job<'_>) {
    match job.values {
        Some(values) => {
            let mut batch = WriteBatch::with_capacity(BATCH);
            for (key, value) in job.keys.raw.iter().zip(values) {
                batch.put(*key, value);
            }
            raw.commit(&batch).unwrap();
        }
        None => {
            for key in &job.keys.raw {
                black_box(raw.get(key).unwrap().unwrap());
            }
        }
    }
}

fn run_encrypted(encrypted: &mut EncryptedStore<SqliteKvs>, job: Job<'_>) {
    match job.values {
        Some(values) => {
            let mut batch = Batch::new();
            for (&i, value) in job.keys.indices.iter().zip(values) {
                batch.put(DOMAIN, &logical_key(i), value);
            }
            encrypted.commit(&batch).unwrap();
        }
        None => {
            for &i in &job.keys.indices {
                black_box(encrypted.get(DOMAIN, &logical_key(i)).unwrap().unwrap());
            }
        }
    }
}

/// The two stores of one workload, filled alike.
struct Stores {
    raw: SqliteKvs,
    encrypted: EncryptedStore<SqliteKvs>,
    keys: usize,
}

/// Benchmarks one workload on both stores, then once more with the two alternating
/// iteration by iteration ("paired"): on a shared, loaded machine the load drifts between
/// criterion's separate runs, but hits both halves of a pair alike, so the paired ratio
/// printed at the end is the figure to compare with the 80% target.
fn compare(c: &mut Criterion, name: &str, stores: &mut Stores, size: usize, op: Op) {
    let batches: Vec<BatchKeys> = (0..stores.keys / BATCH)
        .map(|window| BatchKeys::new(shuffled(window, stores.keys)))
        .collect();
    let Stores { raw, encrypted, .. } = stores;
    let mut window = 0;
    let mut next = || {
        window = (window + 1) % batches.len();
        &batches[window]
    };
    let mut group = c.benchmark_group(name);
    configure(&mut group);
    group.bench_function("raw", |b| {
        b.iter_batched(
            || job(op, next(), size),
            |job| run_raw(raw, job),
            BatchSize::PerIteration,
        );
    });
    group.bench_function("encrypted", |b| {
        b.iter_batched(
            || job(op, next(), size),
            |job| run_encrypted(encrypted, job),
            BatchSize::PerIteration,
        );
    });
    let (mut raw_total, mut enc_total, mut pairs) = (Duration::ZERO, Duration::ZERO, 0u64);
    group.bench_function("encrypted_paired", |b| {
        b.iter_custom(|iters| {
            let mut time_raw = |job: Job<'_>| {
                let start = Instant::now();
                run_raw(raw, job);
                start.elapsed()
            };
            let mut time_encrypted = |job: Job<'_>| {
                let start = Instant::now();
                run_encrypted(encrypted, job);
                start.elapsed()
            };
            let mut enc_time = Duration::ZERO;
            for n in 0..iters {
                let keys = next();
                let (raw_job, enc_job) = (job(op, keys, size), job(op, keys, size));
                // Alternate which store goes first, so neither always follows the other's fsync.
                let (raw_time, this_enc) = if n % 2 == 0 {
                    let r = time_raw(raw_job);
                    (r, time_encrypted(enc_job))
                } else {
                    let e = time_encrypted(enc_job);
                    (time_raw(raw_job), e)
                };
                raw_total += raw_time;
                enc_time += this_enc;
                pairs += 1;
            }
            enc_total += enc_time;
            enc_time
        });
    });
    group.finish();
    if pairs == 0 {
        return; // filtered out on the command line
    }
    println!(
        "PAIRED {name}: encrypted throughput = {:.0}% of raw ({pairs} alternating pairs, \
         raw {:.3} ms, encrypted {:.3} ms per batch)\n",
        100.0 * raw_total.as_secs_f64() / enc_total.as_secs_f64(),
        raw_total.as_secs_f64() * 1e3 / pairs as f64,
        enc_total.as_secs_f64() * 1e3 / pairs as f64,
    );
}

/// Put and get workloads of `size`-byte values on stores of `keys` keys; `suffix` names the
/// store size in the benchmark names.
fn batched(c: &mut Criterion, keys: usize, size: usize, label: &str, suffix: &str) {
    let dir = Scratch::new(&format!("{label}{suffix}"));
    let mut stores = filled_stores(&dir, keys, size);
    let name = |op: &str| format!("{op}_{label}_x{BATCH}{suffix}");
    compare(c, &name("put"), &mut stores, size, Op::Put);
    compare(c, &name("get"), &mut stores, size, Op::Get);
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(3));
}

fn batched_100b(c: &mut Criterion) {
    batched(c, SMALL_STORE, 100, "100B", "");
}

/// 100-byte values in a store ten times larger: same batch, but now it touches about as many
/// leaf pages in the raw table as in the encrypted one.
fn batched_100b_large_store(c: &mut Criterion) {
    batched(c, LARGE_STORE, 100, "100B", "_100k");
}

fn batched_1kib(c: &mut Criterion) {
    batched(c, SMALL_STORE, 1024, "1KiB", "");
}

/// One 100-byte put in its own durable commit: the fsync-bound latency floor.
fn small_commit_latency(c: &mut Criterion) {
    let dir = Scratch::new("latency");
    let mut raw = SqliteKvs::open(dir.0.join("raw.db")).unwrap();
    let kvs = SqliteKvs::open(dir.0.join("encrypted.db")).unwrap();
    let mut enc = EncryptedStore::create(kvs, b"bench", KdfParams::INSECURE_FOR_TESTS).unwrap();
    let mut group = c.benchmark_group("commit_1x100B");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(4));
    let mut n = 0;
    group.bench_function("raw", |b| {
        b.iter(|| {
            n += 1;
            let mut batch = WriteBatch::with_capacity(1);
            batch.put(raw_key(n % SMALL_STORE), value(n, next_version(), 100));
            raw.commit(&batch).unwrap();
        });
    });
    group.bench_function("encrypted", |b| {
        b.iter(|| {
            n += 1;
            let mut batch = Batch::new();
            batch.put(
                DOMAIN,
                &logical_key(n % SMALL_STORE),
                value(n, next_version(), 100),
            );
            enc.commit(&batch).unwrap();
        });
    });
    group.finish();
}

/// Layer 2's own CPU cost per value (row key, nonce, seal or open), over `MemKvs` so no
/// SQLite or disk time hides it. 16 KiB is the size of the largest Merkle nodes (layer 3).
fn layer2_cpu(c: &mut Criterion) {
    for (size, label) in [(100, "100B"), (1024, "1KiB"), (16 * 1024, "16KiB")] {
        let mut store =
            EncryptedStore::create(MemKvs::new(), b"bench", KdfParams::INSECURE_FOR_TESTS).unwrap();
        let mut group = c.benchmark_group(format!("layer2_cpu_{label}_x{BATCH}"));
        configure(&mut group);
        group.measurement_time(Duration::from_secs(2));
        let mut batch = Batch::new();
        for i in 0..BATCH {
            batch.put(DOMAIN, &logical_key(i), value(i, 0, size));
        }
        // Filled up front, so "get" also runs when "put" is filtered out.
        store.commit(&batch).unwrap();
        group.bench_function("put", |b| b.iter(|| store.commit(&batch).unwrap()));
        group.bench_function("get", |b| {
            b.iter(|| {
                for i in 0..BATCH {
                    black_box(store.get(DOMAIN, &logical_key(i)).unwrap().unwrap());
                }
            });
        });
        group.finish();
    }
}

criterion_group!(
    benches,
    batched_100b,
    batched_100b_large_store,
    batched_1kib,
    small_commit_latency,
    layer2_cpu
);
criterion_main!(benches);
