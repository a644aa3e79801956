//! Layer 3 figures: building a large tree with a durable commit every 1,000 inserts,
//! random lookups, and the bytes one commit writes to the backend. Results and the
//! machine they were measured on: docs/performance.md ("Layer 3").
//!
//! `cargo bench -p pscheme-store --bench merkle`
//! (`PSCHEME_BENCH_KEYS=100000` for a smaller tree, default 1,000,000;
//! `PSCHEME_BENCH_BACKEND=mem` for `MemKvs`, which isolates layers 2-3's own cost.)
//!
//! The one-shot figures (build throughput with sequential keys, as fresh object ids arrive,
//! and with random keys; bytes per commit) are printed as `figure:` lines; criterion then
//! times lookups and the two commit sizes on the randomly built tree.
//! The default backend is `SqliteKvs` with `synchronous=FULL`; either backend sits behind
//! a wrapper that counts the bytes each commit hands to it.

use std::cell::Cell;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use pscheme_store::kvs::{EntryVisitor, KeyVisitor, OpHook, WriteOp};
use pscheme_store::merkle::MerkleStore;
use pscheme_store::{EncryptedStore, KdfParams, Kvs, KvsError, MemKvs, SqliteKvs, WriteBatch};

const COMMIT_EVERY: u64 = 1000;
const VALUE_LEN: usize = 32;
const TREE: &[u8] = b"heap";

/// Counts what commits hand to the backend: key and value bytes of puts, keys of deletes.
struct CountingKvs<K> {
    inner: K,
    bytes: Cell<u64>,
    ops: Cell<u64>,
}

impl<K: Kvs> Kvs for CountingKvs<K> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvsError> {
        self.inner.get(key)
    }

    fn for_each_key(&self, visit: KeyVisitor<'_>) -> Result<(), KvsError> {
        self.inner.for_each_key(visit)
    }

    fn for_each_entry(&self, visit: EntryVisitor<'_>) -> Result<(), KvsError> {
        self.inner.for_each_entry(visit)
    }

    fn begin_read_snapshot(&self) -> Result<(), KvsError> {
        self.inner.begin_read_snapshot()
    }

    fn end_read_snapshot(&self) -> Result<(), KvsError> {
        self.inner.end_read_snapshot()
    }

    fn commit_with_hook(&mut self, batch: &WriteBatch, hook: OpHook<'_>) -> Result<(), KvsError> {
        let bytes: usize = batch
            .ops()
            .iter()
            .map(|op| match op {
                WriteOp::Put { key, value } => key.len() + value.len(),
                WriteOp::Delete { key } => key.len(),
                WriteOp::Clear => 0,
            })
            .sum();
        self.inner.commit_with_hook(batch, hook)?;
        self.bytes.set(self.bytes.get() + bytes as u64);
        self.ops.set(self.ops.get() + batch.len() as u64);
        Ok(())
    }
}

type Store<K> = MerkleStore<CountingKvs<K>>;

/// The i-th key: a bijective scramble of i, so inserts arrive in random key order.
fn key(i: u64) -> [u8; 8] {
    (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5555_5555).to_be_bytes()
}

/// The i-th key in insertion order, like object ids handed out by a counter.
fn sequential_key(i: u64) -> [u8; 8] {
    i.to_be_bytes()
}

fn value(i: u64, salt: u8) -> [u8; VALUE_LEN] {
    let mut v = [salt; VALUE_LEN];
    v[..8].copy_from_slice(&i.to_le_bytes());
    v
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn written<K: Kvs>(store: &Store<K>) -> (u64, u64) {
    let kvs = store.encrypted().kvs();
    (kvs.bytes.get(), kvs.ops.get())
}

/// Builds a `keys`-entry tree, committing every `COMMIT_EVERY` inserts of `key_of(0..keys)`.
fn build<K: Kvs>(inner: K, keys: u64, key_of: fn(u64) -> [u8; 8], order: &str) -> Store<K> {
    let kvs = CountingKvs {
        inner,
        bytes: Cell::new(0),
        ops: Cell::new(0),
    };
    let enc = EncryptedStore::create(kvs, b"bench", KdfParams::INSECURE_FOR_TESTS).unwrap();
    let mut store = MerkleStore::create(enc).unwrap();
    let (bytes_before, _) = written(&store);
    let start = Instant::now();
    let mut i = 0;
    while i < keys {
        let mut txn = store.begin();
        for j in i..(i + COMMIT_EVERY).min(keys) {
            txn.put(TREE, &key_of(j), &value(j, 0)).unwrap();
        }
        txn.commit().unwrap();
        i += COMMIT_EVERY;
    }
    let elapsed = start.elapsed();
    let (bytes_after, _) = written(&store);
    println!(
        "figure: build {keys} {order} keys, commit every {COMMIT_EVERY}: {:.2} s, {:.0} inserts/s, {:.1} MiB written",
        elapsed.as_secs_f64(),
        keys as f64 / elapsed.as_secs_f64(),
        (bytes_after - bytes_before) as f64 / 1_048_576.0
    );
    store
}

/// Overwrites `n` existing keys in one commit; returns (bytes, backend ops) written.
fn change<K: Kvs>(store: &mut Store<K>, keys: u64, n: u64, round: u64) -> (u64, u64) {
    let (bytes, ops) = written(store);
    let mut txn = store.begin();
    for j in 0..n {
        let i = (round * 7_919 + j * 104_729) % keys;
        txn.put(TREE, &key(i), &value(i, (round % 250) as u8 + 1))
            .unwrap();
    }
    txn.commit().unwrap();
    let (bytes_after, ops_after) = written(store);
    (bytes_after - bytes, ops_after - ops)
}

fn main() {
    let keys: u64 = std::env::var("PSCHEME_BENCH_KEYS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    if std::env::var("PSCHEME_BENCH_BACKEND").as_deref() == Ok("mem") {
        println!("figure: backend MemKvs");
        drop(build(MemKvs::new(), keys, sequential_key, "sequential"));
        run(build(MemKvs::new(), keys, key, "random"), keys, "mem");
    } else {
        let dir = Scratch(
            std::env::temp_dir().join(format!("pscheme-bench-merkle-{}", std::process::id())),
        );
        let _ = std::fs::remove_dir_all(&dir.0);
        std::fs::create_dir_all(&dir.0).unwrap();
        println!(
            "figure: backend SqliteKvs (synchronous=FULL) in {}",
            dir.0.display()
        );
        let kvs = SqliteKvs::open(dir.0.join("sequential.db")).unwrap();
        drop(build(kvs, keys, sequential_key, "sequential"));
        let kvs = SqliteKvs::open(dir.0.join("random.db")).unwrap();
        run(build(kvs, keys, key, "random"), keys, "sqlite");
    }
}

fn run<K: Kvs>(mut store: Store<K>, keys: u64, backend: &str) {
    let rows = store.encrypted().kvs().inner.keys().unwrap().len();
    println!("figure: {keys}-entry tree: {rows} backend rows");

    const ROUNDS: u64 = 20;
    for n in [1, 1000] {
        let (mut bytes, mut ops) = (0, 0);
        for round in 0..ROUNDS {
            let (b, o) = change(&mut store, keys, n, round);
            bytes += b;
            ops += o;
        }
        println!(
            "figure: commit changing {n} entries of {keys}: {:.1} KiB, {:.1} backend ops (mean of {ROUNDS})",
            bytes as f64 / ROUNDS as f64 / 1024.0,
            ops as f64 / ROUNDS as f64
        );
    }

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let mut group = c.benchmark_group(format!("merkle_{backend}_{keys}"));
    group.throughput(Throughput::Elements(1000));
    let mut probe = 0u64;
    group.bench_function("lookup_1000_random", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                probe = (probe + 1_000_003) % keys;
                black_box(store.get(TREE, &key(probe)).unwrap());
            }
        });
    });
    group.throughput(Throughput::Elements(1));
    let mut round = 1_000;
    group.bench_function("commit_1_change", |b| {
        b.iter(|| {
            round += 1;
            change(&mut store, keys, 1, round)
        });
    });
    group.throughput(Throughput::Elements(1000));
    group.bench_function("commit_1000_changes", |b| {
        b.iter(|| {
            round += 1;
            change(&mut store, keys, 1000, round)
        });
    });
    group.finish();
    c.final_summary();
}
