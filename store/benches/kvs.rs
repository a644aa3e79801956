//! Layer 1 vs layer 2 throughput: raw `SqliteKvs` against `EncryptedStore<SqliteKvs>` in the
//! same run, so their ratio is meaningful on any machine. Results: docs/performance.md.
//!
//! `cargo bench -p pscheme-store --bench kvs`
//!
//! Each store is pre-filled with `STORE_KEYS` keys; a "put" iteration overwrites a window of
//! `BATCH` of them in one durable commit (synchronous=FULL), a "get" iteration reads `BATCH`
//! of them in a shuffled order. Raw keys are 32-byte hashes, the same shape as layer 2 row
//! keys, so both B-trees have the same size and depth.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use pscheme_store::{Batch, Domain, EncryptedStore, KdfParams, Kvs, MemKvs, SqliteKvs, WriteBatch};

const BATCH: usize = 1000;
const STORE_KEYS: usize = 10 * BATCH;
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

/// Indices of one batch, in an order unrelated to key order.
fn shuffled(window: usize) -> Vec<usize> {
    (0..BATCH)
        .map(|j| (window * BATCH + j * 7919) % STORE_KEYS)
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

fn raw_store(dir: &Scratch, size: usize) -> SqliteKvs {
    let mut kvs = SqliteKvs::open(dir.0.join("raw.db")).unwrap();
    for window in 0..STORE_KEYS / BATCH {
        let mut batch = WriteBatch::with_capacity(BATCH);
        for i in window * BATCH..(window + 1) * BATCH {
            batch.put(raw_key(i), value(i, 0, size));
        }
        kvs.commit(&batch).unwrap();
    }
    kvs
}

fn encrypted_store(dir: &Scratch, size: usize) -> EncryptedStore<SqliteKvs> {
    let kvs = SqliteKvs::open(dir.0.join("encrypted.db")).unwrap();
    let mut store = EncryptedStore::create(kvs, b"bench", KdfParams::INSECURE_FOR_TESTS).unwrap();
    for window in 0..STORE_KEYS / BATCH {
        let mut batch = Batch::new();
        for i in window * BATCH..(window + 1) * BATCH {
            batch.put(DOMAIN, &logical_key(i), value(i, 0, size));
        }
        store.commit(&batch).unwrap();
    }
    store
}

fn raw_put(raw: &mut SqliteKvs, window: usize, size: usize) {
    let version = next_version();
    let mut batch = WriteBatch::with_capacity(BATCH);
    for i in shuffled(window) {
        batch.put(raw_key(i), value(i, version, size));
    }
    raw.commit(&batch).unwrap();
}

fn encrypted_put(enc: &mut EncryptedStore<SqliteKvs>, window: usize, size: usize) {
    let version = next_version();
    let mut batch = Batch::new();
    for i in shuffled(window) {
        batch.put(DOMAIN, &logical_key(i), value(i, version, size));
    }
    enc.commit(&batch).unwrap();
}

fn raw_get(raw: &mut SqliteKvs, window: usize, _size: usize) {
    for i in shuffled(window) {
        black_box(raw.get(&raw_key(i)).unwrap().unwrap());
    }
}

fn encrypted_get(enc: &mut EncryptedStore<SqliteKvs>, window: usize, _size: usize) {
    for i in shuffled(window) {
        black_box(enc.get(DOMAIN, &logical_key(i)).unwrap().unwrap());
    }
}

type RawOp = fn(&mut SqliteKvs, usize, usize);
type EncryptedOp = fn(&mut EncryptedStore<SqliteKvs>, usize, usize);

/// Benchmarks one workload on both stores, then once more with the two alternating
/// iteration by iteration ("paired"): on a shared, loaded machine the load drifts between
/// criterion's separate runs, but hits both halves of a pair alike, so the paired ratio
/// printed at the end is the figure to compare with the 80% target.
fn compare(
    c: &mut Criterion,
    name: &str,
    stores: &mut (SqliteKvs, EncryptedStore<SqliteKvs>),
    size: usize,
    (raw_op, encrypted_op): (RawOp, EncryptedOp),
) {
    let windows = STORE_KEYS / BATCH;
    let (raw, enc) = stores;
    let mut window = 0;
    let mut group = c.benchmark_group(name);
    configure(&mut group);
    group.bench_function("raw", |b| {
        b.iter(|| {
            window = (window + 1) % windows;
            raw_op(raw, window, size);
        });
    });
    group.bench_function("encrypted", |b| {
        b.iter(|| {
            window = (window + 1) % windows;
            encrypted_op(enc, window, size);
        });
    });
    let (mut raw_total, mut enc_total, mut pairs) = (Duration::ZERO, Duration::ZERO, 0u64);
    group.bench_function("encrypted_paired", |b| {
        b.iter_custom(|iters| {
            let mut enc_time = Duration::ZERO;
            for n in 0..iters {
                window = (window + 1) % windows;
                // Alternate which store goes first, so neither always follows the other's fsync.
                let mut timed_raw = || {
                    let start = Instant::now();
                    raw_op(raw, window, size);
                    start.elapsed()
                };
                let (raw_time, this_enc) = if n % 2 == 0 {
                    let r = timed_raw();
                    let start = Instant::now();
                    encrypted_op(enc, window, size);
                    (r, start.elapsed())
                } else {
                    let start = Instant::now();
                    encrypted_op(enc, window, size);
                    let e = start.elapsed();
                    (timed_raw(), e)
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
    println!(
        "PAIRED {name}: encrypted throughput = {:.0}% of raw ({pairs} alternating pairs, \
         raw {:.3} ms, encrypted {:.3} ms per batch)\n",
        100.0 * raw_total.as_secs_f64() / enc_total.as_secs_f64(),
        raw_total.as_secs_f64() * 1e3 / pairs as f64,
        enc_total.as_secs_f64() * 1e3 / pairs as f64,
    );
}

fn batched(c: &mut Criterion, size: usize, label: &str) {
    let dir = Scratch::new(label);
    let mut stores = (raw_store(&dir, size), encrypted_store(&dir, size));
    let put = (raw_put as RawOp, encrypted_put as EncryptedOp);
    let get = (raw_get as RawOp, encrypted_get as EncryptedOp);
    compare(c, &format!("put_{label}_x{BATCH}"), &mut stores, size, put);
    compare(c, &format!("get_{label}_x{BATCH}"), &mut stores, size, get);
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.throughput(Throughput::Elements(BATCH as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(300));
    group.measurement_time(Duration::from_secs(3));
}

fn batched_100b(c: &mut Criterion) {
    batched(c, 100, "100B");
}

fn batched_1kib(c: &mut Criterion) {
    batched(c, 1024, "1KiB");
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
            batch.put(raw_key(n % STORE_KEYS), value(n, next_version(), 100));
            raw.commit(&batch).unwrap();
        });
    });
    group.bench_function("encrypted", |b| {
        b.iter(|| {
            n += 1;
            let mut batch = Batch::new();
            batch.put(
                DOMAIN,
                &logical_key(n % STORE_KEYS),
                value(n, next_version(), 100),
            );
            enc.commit(&batch).unwrap();
        });
    });
    group.finish();
}

/// Layer 2's own CPU cost per value (row key, nonce, seal or open), over `MemKvs` so no
/// SQLite or disk time hides it.
fn layer2_cpu(c: &mut Criterion) {
    for (size, label) in [(100, "100B"), (1024, "1KiB")] {
        let mut store =
            EncryptedStore::create(MemKvs::new(), b"bench", KdfParams::INSECURE_FOR_TESTS).unwrap();
        let mut group = c.benchmark_group(format!("layer2_cpu_{label}_x{BATCH}"));
        configure(&mut group);
        group.measurement_time(Duration::from_secs(2));
        let mut batch = Batch::new();
        for i in 0..BATCH {
            batch.put(DOMAIN, &logical_key(i), value(i, 0, size));
        }
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
    batched_1kib,
    small_commit_latency,
    layer2_cpu
);
criterion_main!(benches);
