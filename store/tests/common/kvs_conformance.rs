//! The `Kvs` conformance suite, written once and run against every backend.
//!
//! To check a new backend, implement [`Harness`] (and [`PersistentHarness`] if it survives
//! the process) and invoke `kvs_conformance!` in `tests/kvs_conformance.rs`.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::ControlFlow;
use std::process::Command;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use pscheme_store::{FaultyKvs, Kvs, KvsError, ReadSnapshot, WriteBatch};

pub type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// Makes stores of one backend for the suite.
pub trait Harness {
    type Kvs: Kvs;
    /// A new, empty store; each call gives a distinct store.
    fn create(&mut self) -> Self::Kvs;
    /// Closes `kvs` and opens the same store again; `None` for a volatile backend.
    fn reopen(&mut self, kvs: Self::Kvs) -> Option<Self::Kvs>;
}

/// A backend whose stores outlive the process, addressable by a location string.
pub trait PersistentHarness: Harness {
    /// Where the store made by the last `create` lives.
    fn location(&self) -> String;
    /// Opens the store at `location` (in another process).
    fn open_location(location: &str) -> Self::Kvs;
}

/// The whole content of `kvs`, through `for_each_entry`.
pub fn snapshot(kvs: &impl Kvs) -> Model {
    let mut model = Model::new();
    kvs.for_each_entry(&mut |k, v| {
        assert!(
            model.insert(k.to_vec(), v.to_vec()).is_none(),
            "key visited twice"
        );
        ControlFlow::Continue(())
    })
    .expect("iterate entries");
    model
}

/// Checks `kvs` against `model` through every read path.
pub fn assert_matches(kvs: &impl Kvs, model: &Model) {
    assert_eq!(
        &snapshot(kvs),
        model,
        "for_each_entry differs from the model"
    );
    let keys: Vec<Vec<u8>> = model.keys().cloned().collect();
    assert_eq!(
        kvs.keys().expect("keys"),
        keys,
        "keys differ (or are out of order)"
    );
    for (k, v) in model {
        assert_eq!(kvs.get(k).expect("get").as_ref(), Some(v), "get({k:?})");
    }
}

fn apply(model: &mut Model, batch: &WriteBatch) {
    for op in batch.ops() {
        match op {
            pscheme_store::kvs::WriteOp::Put { key, value } => {
                model.insert(key.clone(), value.clone());
            }
            pscheme_store::kvs::WriteOp::Delete { key } => {
                model.remove(key);
            }
            pscheme_store::kvs::WriteOp::Clear => model.clear(),
        }
    }
}

fn commit(kvs: &mut impl Kvs, model: &mut Model, batch: &WriteBatch) {
    kvs.commit(batch).expect("commit");
    apply(model, batch);
}

/// Ten keys with values, as a batch and as the model it produces.
fn seed_batch() -> WriteBatch {
    let mut batch = WriteBatch::new();
    for i in 0u8..10 {
        batch.put(vec![b'k', i], vec![i; usize::from(i) * 3]);
    }
    batch
}

pub fn empty_store<H: Harness>(mut h: H) {
    let kvs = h.create();
    assert_eq!(kvs.get(b"anything").unwrap(), None);
    assert_eq!(kvs.get(b"").unwrap(), None);
    assert!(kvs.keys().unwrap().is_empty());
    assert!(snapshot(&kvs).is_empty());
}

pub fn put_get_and_overwrite<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    commit(&mut kvs, &mut model, &seed_batch());
    assert_matches(&kvs, &model);

    let mut batch = WriteBatch::new();
    batch.put(b"k\x03".to_vec(), b"shorter".to_vec());
    batch.put(b"k\x09".to_vec(), vec![0xAB; 5000]);
    commit(&mut kvs, &mut model, &batch);
    assert_eq!(kvs.get(b"k\x03").unwrap().as_deref(), Some(&b"shorter"[..]));
    assert_matches(&kvs, &model);
}

pub fn empty_key_and_empty_value<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    let mut batch = WriteBatch::new();
    batch.put(Vec::new(), b"value of the empty key".to_vec());
    batch.put(b"empty".to_vec(), Vec::new());
    commit(&mut kvs, &mut model, &batch);
    assert_eq!(kvs.get(b"empty").unwrap(), Some(Vec::new()));
    assert_matches(&kvs, &model);
}

pub fn delete_existing_and_missing<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    commit(&mut kvs, &mut model, &seed_batch());
    let mut batch = WriteBatch::new();
    batch.delete(b"k\x04".to_vec());
    batch.delete(b"never existed".to_vec());
    commit(&mut kvs, &mut model, &batch);
    assert_eq!(kvs.get(b"k\x04").unwrap(), None);
    assert_matches(&kvs, &model);

    // A batch of nothing but missing deletes, and an empty batch, are fine.
    let mut batch = WriteBatch::new();
    batch.delete(b"k\x04".to_vec());
    commit(&mut kvs, &mut model, &batch);
    commit(&mut kvs, &mut model, &WriteBatch::new());
    assert_matches(&kvs, &model);
}

pub fn later_op_on_same_key_wins<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    let mut batch = WriteBatch::new();
    batch.put(b"a".to_vec(), b"1".to_vec());
    batch.put(b"a".to_vec(), b"2".to_vec());
    batch.put(b"b".to_vec(), b"1".to_vec());
    batch.delete(b"b".to_vec());
    batch.delete(b"c".to_vec());
    batch.put(b"c".to_vec(), b"3".to_vec());
    commit(&mut kvs, &mut model, &batch);
    assert_eq!(kvs.get(b"a").unwrap().as_deref(), Some(&b"2"[..]));
    assert_eq!(kvs.get(b"b").unwrap(), None);
    assert_eq!(kvs.get(b"c").unwrap().as_deref(), Some(&b"3"[..]));
    assert_matches(&kvs, &model);
}

pub fn large_values<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    let big: Vec<u8> = (0..1usize << 20).map(|i| (i * 31 % 251) as u8).collect();
    let mut batch = WriteBatch::new();
    batch.put(b"big".to_vec(), big.clone());
    batch.put(
        b"big2".to_vec(),
        big.iter().rev().copied().collect::<Vec<_>>(),
    );
    commit(&mut kvs, &mut model, &batch);
    assert_eq!(kvs.get(b"big").unwrap().as_deref(), Some(&big[..]));
    assert_matches(&kvs, &model);
}

pub fn many_keys_in_byte_order<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    for round in 0u32..4 {
        let mut batch = WriteBatch::with_capacity(2500);
        for i in 0u32..2500 {
            let n = round * 2500 + i;
            // Mix lengths, 0x00 and 0xff bytes so byte order differs from string order.
            let key = blake3::hash(&n.to_le_bytes()).as_bytes()[..(n % 7 + 1) as usize].to_vec();
            batch.put(key, n.to_be_bytes().to_vec());
        }
        commit(&mut kvs, &mut model, &batch);
    }
    let mut batch = WriteBatch::new();
    for key in [&b"a"[..], b"a\x00", b"a\xff", b"ab", b"\xff", b"\x00"] {
        batch.put(key.to_vec(), key.to_vec());
    }
    commit(&mut kvs, &mut model, &batch);
    assert!(model.len() > 8000, "few distinct keys: {}", model.len());
    assert_matches(&kvs, &model);
}

pub fn iteration_stops_on_break<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    kvs.commit(&seed_batch()).unwrap();
    let mut seen = Vec::new();
    kvs.for_each_key(&mut |k| {
        seen.push(k.to_vec());
        if seen.len() == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .unwrap();
    assert_eq!(
        seen,
        vec![b"k\x00".to_vec(), b"k\x01".to_vec(), b"k\x02".to_vec()]
    );
    let mut entries = 0;
    kvs.for_each_entry(&mut |_, _| {
        entries += 1;
        ControlFlow::Break(())
    })
    .unwrap();
    assert_eq!(entries, 1);
}

/// A batch that overwrites, deletes and inserts: if any of it leaked, the state would show.
fn mixed_batch() -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.put(b"k\x01".to_vec(), b"overwritten".to_vec());
    batch.delete(b"k\x02".to_vec());
    batch.put(b"new-1".to_vec(), b"inserted".to_vec());
    batch.delete(b"k\x05".to_vec());
    batch.put(b"new-2".to_vec(), vec![7; 100_000]);
    batch.put(b"k\x08".to_vec(), Vec::new());
    batch
}

/// A commit failing midway (after some operations ran inside the backend's transaction)
/// leaves no trace, and the store keeps working.
pub fn failed_commit_applies_nothing<H: Harness>(mut h: H) {
    let mut kvs = FaultyKvs::new(h.create());
    let mut model = Model::new();
    commit(&mut kvs, &mut model, &seed_batch());
    let batch = mixed_batch();
    for allowed in 0..batch.len() as u64 {
        kvs.fail_after_writes(allowed);
        let err = kvs.commit(&batch).expect_err("the armed fault must fire");
        assert!(
            matches!(
                err,
                KvsError::InjectedFault {
                    operation: "commit",
                    ..
                }
            ),
            "{err}"
        );
        assert_matches(&kvs, &model);
    }
    assert_eq!(kvs.faults_injected(), batch.len() as u64);
    commit(&mut kvs, &mut model, &batch);
    assert_matches(&kvs, &model);
}

/// Write faults count operations across commits.
pub fn fault_counts_across_commits<H: Harness>(mut h: H) {
    let mut kvs = FaultyKvs::new(h.create());
    let mut model = Model::new();
    kvs.fail_after_writes(12);
    commit(&mut kvs, &mut model, &seed_batch()); // 10 writes
    let batch = mixed_batch(); // 6 writes: the third fails
    assert!(kvs.commit(&batch).is_err());
    assert_matches(&kvs, &model);
    assert_eq!(kvs.faults_injected(), 1);
    commit(&mut kvs, &mut model, &batch); // the fault fired once and disarmed
    assert_matches(&kvs, &model);
}

pub fn read_faults<H: Harness>(mut h: H) {
    let mut kvs = FaultyKvs::new(h.create());
    kvs.commit(&seed_batch()).unwrap();
    kvs.fail_after_reads(1);
    assert!(kvs.get(b"k\x01").unwrap().is_some());
    assert!(matches!(kvs.keys(), Err(KvsError::InjectedFault { .. })));
    assert_eq!(kvs.keys().unwrap().len(), 10);
}

/// A batch that puts, clears, then puts and deletes: only what follows the clear counts.
fn clearing_batch() -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.put(b"before-clear".to_vec(), b"void".to_vec());
    batch.delete(b"k\x01".to_vec());
    batch.clear();
    batch.put(b"after-1".to_vec(), b"kept".to_vec());
    batch.put(b"k\x03".to_vec(), b"put again".to_vec());
    batch.put(b"after-2".to_vec(), vec![9; 5000]);
    batch.delete(b"after-1".to_vec());
    batch
}

/// A clear removes every key, those of earlier commits and those its own batch put before
/// it; the batch's later operations apply to the empty store.
pub fn clear_then_puts_leaves_only_those<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    let mut only_clear = WriteBatch::new();
    only_clear.clear();
    commit(&mut kvs, &mut model, &only_clear);
    assert_matches(&kvs, &Model::new());

    commit(&mut kvs, &mut model, &seed_batch());
    commit(&mut kvs, &mut model, &clearing_batch());
    let want: Model = [
        (b"after-2".to_vec(), vec![9; 5000]),
        (b"k\x03".to_vec(), b"put again".to_vec()),
    ]
    .into_iter()
    .collect();
    assert_eq!(model, want);
    assert_matches(&kvs, &want);
    assert_eq!(kvs.get(b"before-clear").unwrap(), None);

    // Two clears in one batch, and a store that keeps working after them.
    let mut batch = WriteBatch::new();
    batch.clear();
    batch.put(b"x".to_vec(), b"1".to_vec());
    batch.clear();
    batch.put(b"y".to_vec(), b"2".to_vec());
    commit(&mut kvs, &mut model, &batch);
    assert_matches(&kvs, &model);
    assert_eq!(kvs.keys().unwrap(), vec![b"y".to_vec()]);
    commit(&mut kvs, &mut model, &seed_batch());
    assert_matches(&kvs, &model);
}

/// A commit that fails after its clear ran inside the backend's transaction (a fault, or
/// the hook saying no) changes nothing.
pub fn interrupted_clear_changes_nothing<H: Harness>(mut h: H) {
    let mut kvs = FaultyKvs::new(h.create());
    let mut model = Model::new();
    commit(&mut kvs, &mut model, &seed_batch());
    let batch = clearing_batch();
    for allowed in 0..batch.len() as u64 {
        kvs.fail_after_writes(allowed);
        assert!(kvs.commit(&batch).is_err(), "fault after {allowed} writes");
        assert_matches(&kvs, &model);
    }
    let mut kvs = kvs.into_inner();
    let clear_at = batch
        .ops()
        .iter()
        .position(|op| op.key().is_none())
        .expect("the batch clears");
    for fail_at in clear_at + 1..batch.len() {
        let err = kvs
            .commit_with_hook(&batch, &mut |index| {
                if index == fail_at {
                    Err(KvsError::Cancelled)
                } else {
                    Ok(())
                }
            })
            .expect_err("the hook stops the commit");
        assert!(matches!(err, KvsError::Cancelled), "{err}");
        assert_matches(&kvs, &model);
    }
    commit(&mut kvs, &mut model, &batch);
    assert_matches(&kvs, &model);
}

/// Random batches against a `BTreeMap` model.
pub fn random_batches_match_model<H: Harness>(h: H) {
    let h = std::cell::RefCell::new(h);
    let key = prop::collection::vec(prop_oneof![Just(0u8), Just(0xff), any::<u8>()], 0..4);
    // `None` is a clear, now and then among the puts and deletes.
    let op = prop::option::weighted(
        0.95,
        (
            key,
            prop::option::of(prop::collection::vec(any::<u8>(), 0..64)),
        ),
    );
    let batches = prop::collection::vec(prop::collection::vec(op, 0..20), 1..8);
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&batches, |batches| {
            let mut kvs = h.borrow_mut().create();
            let mut model = Model::new();
            for ops in batches {
                let mut batch = WriteBatch::new();
                for op in ops {
                    match op {
                        Some((key, Some(value))) => batch.put(key, value),
                        Some((key, None)) => batch.delete(key),
                        None => batch.clear(),
                    }
                }
                commit(&mut kvs, &mut model, &batch);
            }
            assert_matches(&kvs, &model);
            Ok(())
        })
        .unwrap();
}

pub fn survives_reopen<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    commit(&mut kvs, &mut model, &seed_batch());
    commit(&mut kvs, &mut model, &mixed_batch());
    let kvs = h.reopen(kvs).expect("persistent harness");
    assert_matches(&kvs, &model);
}

/// The state a clearing commit leaves is the state a reopened store has.
pub fn clear_survives_reopen<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    commit(&mut kvs, &mut model, &seed_batch());
    commit(&mut kvs, &mut model, &clearing_batch());
    let mut kvs = h.reopen(kvs).expect("persistent harness");
    assert_matches(&kvs, &model);
    commit(&mut kvs, &mut model, &mixed_batch());
    let kvs = h.reopen(kvs).expect("persistent harness");
    assert_matches(&kvs, &model);
}

pub fn failed_commit_invisible_after_reopen<H: Harness>(mut h: H) {
    let mut kvs = FaultyKvs::new(h.create());
    let mut model = Model::new();
    commit(&mut kvs, &mut model, &seed_batch());
    kvs.fail_after_writes(4);
    assert!(kvs.commit(&mixed_batch()).is_err());
    let kvs = h.reopen(kvs.into_inner()).expect("persistent harness");
    assert_matches(&kvs, &model);
}

/// Reads inside a snapshot (nested too) see the committed state; once it ends, commits
/// and reads go on as before, also after a snapshot that was dropped rather than ended.
pub fn reads_in_snapshot<H: Harness>(mut h: H) {
    let mut kvs = h.create();
    let mut model = Model::new();
    commit(&mut kvs, &mut model, &seed_batch());
    let outer = ReadSnapshot::begin(&kvs).expect("begin snapshot");
    assert_matches(&kvs, &model);
    let inner = ReadSnapshot::begin(&kvs).expect("begin nested snapshot");
    assert_matches(&kvs, &model);
    inner.end().expect("end nested snapshot");
    assert_matches(&kvs, &model);
    outer.end().expect("end snapshot");

    commit(&mut kvs, &mut model, &mixed_batch());
    assert_matches(&kvs, &model);
    {
        let _dropped = ReadSnapshot::begin(&kvs).expect("begin snapshot");
        assert_matches(&kvs, &model);
    }
    commit(&mut kvs, &mut model, &seed_batch());
    assert_matches(&kvs, &model);
}

/// A snapshot that has read keeps its state while another handle commits, and sees the
/// commit once it ends: the reads really share one backend read transaction.
pub fn snapshot_is_isolated<H: PersistentHarness>(mut h: H) {
    let mut reader = h.create();
    let mut model = Model::new();
    commit(&mut reader, &mut model, &seed_batch());
    let mut writer = H::open_location(&h.location());
    let before = model.clone();

    let snapshot = ReadSnapshot::begin(&reader).expect("begin snapshot");
    assert_matches(&reader, &before);
    commit(&mut writer, &mut model, &mixed_batch());
    assert_matches(&reader, &before);
    snapshot.end().expect("end snapshot");
    assert_matches(&reader, &model);
}

const LOCATION_VAR: &str = "PSCHEME_KVS_CONFORMANCE_LOCATION";
const COMMITTED_MARKER: &str = "conformance child: both batches committed";

/// Child half of [`survives_process_exit`]: commits, reports, then dies without running
/// any destructor (as `kill -9` would), leaving the backend to recover on the next open.
pub fn child_writer<H: PersistentHarness>() {
    let Ok(location) = std::env::var(LOCATION_VAR) else {
        eprintln!("not spawned by survives_process_exit; nothing to do");
        return;
    };
    let mut kvs = H::open_location(&location);
    kvs.commit(&seed_batch()).expect("child commit 1");
    kvs.commit(&mixed_batch()).expect("child commit 2");
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{COMMITTED_MARKER}").unwrap();
    stdout.flush().unwrap();
    std::process::abort();
}

/// What a store holds after `child_writer`.
fn child_model() -> Model {
    let mut model = Model::new();
    apply(&mut model, &seed_batch());
    apply(&mut model, &mixed_batch());
    model
}

/// Runs `child_test` (the path of a test calling [`child_writer`]) in a child process,
/// which commits and aborts; then checks every acknowledged commit is there.
pub fn survives_process_exit<H: PersistentHarness>(mut h: H, child_test: &str) {
    let kvs = h.create();
    drop(kvs);
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            child_test,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(LOCATION_VAR, h.location())
        .output()
        .expect("spawn child test process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(COMMITTED_MARKER),
        "child did not commit; status {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!output.status.success(), "the child must die abruptly");
    let mut kvs = H::open_location(&h.location());
    let mut model = child_model();
    assert_matches(&kvs, &model);
    commit(&mut kvs, &mut model, &seed_batch());
    assert_matches(&kvs, &model);
}

/// One `#[test]` per case for a backend, in a module named `$module` at the root of the test
/// binary. `persistent` adds the reopen and child-process cases.
macro_rules! kvs_conformance {
    ($module:ident, $harness:expr) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            use $crate::common::kvs_conformance as suite;

            #[test]
            fn empty_store() {
                suite::empty_store($harness)
            }
            #[test]
            fn put_get_and_overwrite() {
                suite::put_get_and_overwrite($harness)
            }
            #[test]
            fn empty_key_and_empty_value() {
                suite::empty_key_and_empty_value($harness)
            }
            #[test]
            fn delete_existing_and_missing() {
                suite::delete_existing_and_missing($harness)
            }
            #[test]
            fn later_op_on_same_key_wins() {
                suite::later_op_on_same_key_wins($harness)
            }
            #[test]
            fn large_values() {
                suite::large_values($harness)
            }
            #[test]
            fn many_keys_in_byte_order() {
                suite::many_keys_in_byte_order($harness)
            }
            #[test]
            fn iteration_stops_on_break() {
                suite::iteration_stops_on_break($harness)
            }
            #[test]
            fn failed_commit_applies_nothing() {
                suite::failed_commit_applies_nothing($harness)
            }
            #[test]
            fn fault_counts_across_commits() {
                suite::fault_counts_across_commits($harness)
            }
            #[test]
            fn read_faults() {
                suite::read_faults($harness)
            }
            #[test]
            fn clear_then_puts_leaves_only_those() {
                suite::clear_then_puts_leaves_only_those($harness)
            }
            #[test]
            fn interrupted_clear_changes_nothing() {
                suite::interrupted_clear_changes_nothing($harness)
            }
            #[test]
            fn random_batches_match_model() {
                suite::random_batches_match_model($harness)
            }
            #[test]
            fn reads_in_snapshot() {
                suite::reads_in_snapshot($harness)
            }
        }
    };
    ($module:ident, $harness:expr, persistent $harness_ty:ty) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            use $crate::common::kvs_conformance as suite;

            kvs_conformance!(common_cases, $harness);

            #[test]
            fn survives_reopen() {
                suite::survives_reopen($harness)
            }
            #[test]
            fn clear_survives_reopen() {
                suite::clear_survives_reopen($harness)
            }
            #[test]
            fn failed_commit_invisible_after_reopen() {
                suite::failed_commit_invisible_after_reopen($harness)
            }
            #[test]
            fn snapshot_is_isolated() {
                suite::snapshot_is_isolated($harness)
            }
            #[test]
            fn survives_process_exit() {
                suite::survives_process_exit(
                    $harness,
                    concat!(stringify!($module), "::child_writer"),
                )
            }
            #[test]
            #[ignore = "run in a child process by survives_process_exit"]
            fn child_writer() {
                suite::child_writer::<$harness_ty>()
            }
        }
    };
}
