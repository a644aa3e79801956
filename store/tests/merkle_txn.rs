//! Layer 3 transactions: round trips, named trees, snapshots, reopen, and a model test
//! against `BTreeMap` across commits and reopens.

mod common;

use std::collections::BTreeMap;
use std::ops::Bound;

use proptest::prelude::*;
use pscheme_store::merkle::{CachedNodes, Commit, CommitInfo, MerkleError, MerkleStore};
use pscheme_store::{EncryptedStore, KdfParams, MemKvs};

use common::commit_stopping_at;

const PASS: &[u8] = b"merkle tests";

fn fresh() -> MerkleStore<MemKvs> {
    let enc = EncryptedStore::create(MemKvs::new(), PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    MerkleStore::create(enc).unwrap()
}

fn reopen(store: MerkleStore<MemKvs>) -> MerkleStore<MemKvs> {
    let kvs = store.into_inner().into_inner();
    MerkleStore::open(EncryptedStore::open(kvs, PASS).unwrap()).unwrap()
}

fn all(store: &MerkleStore<MemKvs>, tree: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    store.range(tree, ..).map(Result::unwrap).collect()
}

#[test]
fn commit_then_reopen_reports_counter_and_timestamp() {
    let mut store = fresh();
    assert_eq!(store.info().txn_counter, 0);
    let mut txn = store.begin();
    txn.put(b"heap", b"k1", b"v1").unwrap();
    txn.put(b"heap", b"k2", &[7; 1000]).unwrap();
    let first = txn.commit().unwrap();
    assert_eq!(first.txn_counter, 1);
    let mut txn = store.begin();
    txn.delete(b"heap", b"k1").unwrap();
    let second = txn.commit().unwrap();
    assert_eq!(second.txn_counter, 2);
    assert!(second.timestamp_ms >= first.timestamp_ms);

    let store = reopen(store);
    assert_eq!(store.info(), second);
    assert_eq!(store.get(b"heap", b"k1").unwrap(), None);
    assert_eq!(store.get(b"heap", b"k2").unwrap(), Some(vec![7; 1000]));
    assert_eq!(store.len(b"heap"), 1);
    assert!(store.fsck().unwrap().is_clean());
}

#[test]
fn dropped_transaction_changes_nothing() {
    let mut store = fresh();
    let mut txn = store.begin();
    txn.put(b"t", b"a", b"1").unwrap();
    assert_eq!(txn.get(b"t", b"a").unwrap(), Some(b"1".to_vec()));
    drop(txn);
    assert_eq!(store.get(b"t", b"a").unwrap(), None);
    assert_eq!(store.info().txn_counter, 0);
    assert_eq!(store.tree_names().count(), 0);
}

#[test]
fn transaction_reads_see_its_own_writes() {
    let mut store = fresh();
    let mut txn = store.begin();
    for i in 0u32..100 {
        txn.put(b"t", &i.to_be_bytes(), &i.to_le_bytes()).unwrap();
    }
    txn.commit().unwrap();
    let mut txn = store.begin();
    txn.delete(b"t", &5u32.to_be_bytes()).unwrap();
    txn.put(b"t", &500u32.to_be_bytes(), b"new").unwrap();
    assert_eq!(txn.get(b"t", &5u32.to_be_bytes()).unwrap(), None);
    assert_eq!(txn.len(b"t").unwrap(), 100);
    let last: Vec<_> = txn
        .range(b"t", ..)
        .unwrap()
        .rev()
        .take(2)
        .map(Result::unwrap)
        .collect();
    assert_eq!(last[0], (500u32.to_be_bytes().to_vec(), b"new".to_vec()));
    assert_eq!(last[1].0, 99u32.to_be_bytes().to_vec());
    // Writes after a scan are buffered again and still seen.
    txn.put(b"t", &5u32.to_be_bytes(), b"back").unwrap();
    assert_eq!(
        txn.get(b"t", &5u32.to_be_bytes()).unwrap(),
        Some(b"back".to_vec())
    );
    txn.commit().unwrap();
    assert_eq!(store.len(b"t"), 101);
    assert!(store.fsck().unwrap().is_clean());
}

#[test]
fn snapshot_pins_a_version_until_dropped() {
    let mut store = fresh();
    let mut txn = store.begin();
    for i in 0u32..2000 {
        txn.put(b"heap", &i.to_be_bytes(), b"old").unwrap();
    }
    txn.commit().unwrap();
    let rows_before = store.encrypted().kvs().len();

    let mut txn = store.begin();
    txn.copy_tree(b"heap", b"snapshot-1").unwrap();
    txn.commit().unwrap();
    // Pinning shares every node: only the root gets a count row.
    assert_eq!(store.encrypted().kvs().len(), rows_before + 1);

    let mut txn = store.begin();
    for i in 0u32..2000 {
        txn.put(b"heap", &i.to_be_bytes(), b"new").unwrap();
    }
    txn.commit().unwrap();
    assert_eq!(
        store.get(b"snapshot-1", &7u32.to_be_bytes()).unwrap(),
        Some(b"old".to_vec())
    );
    assert_eq!(
        store.get(b"heap", &7u32.to_be_bytes()).unwrap(),
        Some(b"new".to_vec())
    );
    assert!(store.fsck().unwrap().is_clean());

    let mut txn = store.begin();
    txn.drop_tree(b"snapshot-1");
    txn.commit().unwrap();
    assert_eq!(store.tree_names().collect::<Vec<_>>(), vec![&b"heap"[..]]);
    // The old version's nodes are gone: the same number of rows as one version needs.
    assert_eq!(store.encrypted().kvs().len(), rows_before);
    assert!(store.fsck().unwrap().is_clean());
}

#[test]
fn dropping_every_tree_leaves_only_fixed_rows() {
    let mut store = fresh();
    let fixed_rows = store.encrypted().kvs().len();
    let mut txn = store.begin();
    for i in 0u32..3000 {
        txn.put(b"a", &i.to_be_bytes(), &[1; 300]).unwrap();
        txn.put(b"b", &i.to_be_bytes(), b"x").unwrap();
    }
    txn.commit().unwrap();
    let mut txn = store.begin();
    txn.drop_tree(b"a");
    for i in 0u32..3000 {
        txn.delete(b"b", &i.to_be_bytes()).unwrap();
    }
    txn.commit().unwrap();
    assert_eq!(store.encrypted().kvs().len(), fixed_rows);
    assert_eq!(store.tree_names().collect::<Vec<_>>(), vec![&b"b"[..]]);
    assert!(store.fsck().unwrap().is_clean());
}

#[test]
fn identical_trees_share_nodes_and_counts_balance() {
    let mut store = fresh();
    let mut txn = store.begin();
    for tree in [&b"x"[..], b"y"] {
        for i in 0u32..500 {
            txn.put(tree, &i.to_be_bytes(), &[2; 250]).unwrap();
        }
    }
    txn.commit().unwrap();
    assert_eq!(store.root_address(b"x"), store.root_address(b"y"));
    assert!(store.fsck().unwrap().is_clean());
    let mut txn = store.begin();
    txn.put(b"x", &0u32.to_be_bytes(), b"diverge").unwrap();
    txn.commit().unwrap();
    assert_ne!(store.root_address(b"x"), store.root_address(b"y"));
    assert!(store.fsck().unwrap().is_clean());
}

#[test]
fn counts_known_from_earlier_commits_stay_true_as_sharing_comes_and_goes() {
    // Each commit changes the counts of shared nodes that earlier commits wrote or read:
    // a count remembered wrongly would write a wrong count row, or free a node in use.
    let mut store = fresh();
    let fill = |txn: &mut pscheme_store::merkle::Txn<'_, MemKvs>, tree: &[u8]| {
        for i in 0u32..2_000 {
            txn.put(tree, &i.to_be_bytes(), &[3; 40]).unwrap();
        }
    };
    let mut txn = store.begin();
    fill(&mut txn, b"a");
    txn.commit().unwrap();
    for (add, drop) in [
        (&b"b"[..], None),
        (b"c", Some(&b"a"[..])),
        (b"a", Some(b"b")),
    ] {
        let mut txn = store.begin();
        fill(&mut txn, add);
        if let Some(tree) = drop {
            txn.drop_tree(tree);
        }
        txn.commit().unwrap();
        let report = store.fsck().unwrap();
        assert!(report.is_clean(), "after adding {add:?}: {report:?}");
    }
    for tree in [&b"a"[..], b"c"] {
        let mut txn = store.begin();
        txn.drop_tree(tree);
        txn.commit().unwrap();
        assert!(store.fsck().unwrap().is_clean());
    }
    let store = reopen(store);
    assert_eq!(store.tree_names().count(), 0);
    assert!(store.fsck().unwrap().is_clean());
}

#[test]
fn bad_arguments_are_typed_errors() {
    let mut store = fresh();
    let mut txn = store.begin();
    assert!(matches!(
        txn.put(b"t", &[0; 225], b""),
        Err(MerkleError::KeyTooLong { len: 225 })
    ));
    assert!(matches!(
        txn.put(&[b'n'; 256], b"k", b""),
        Err(MerkleError::TreeNameTooLong { len: 256 })
    ));
}

#[test]
fn create_and_open_check_initialisation() {
    let enc = EncryptedStore::create(MemKvs::new(), PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let enc = match MerkleStore::open(enc) {
        Err(MerkleError::NoRootRecord) => {
            let kvs = MemKvs::new();
            EncryptedStore::create(kvs, PASS, KdfParams::INSECURE_FOR_TESTS).unwrap()
        }
        other => panic!("expected NoRootRecord, got {other:?}"),
    };
    let store = MerkleStore::create(enc).unwrap();
    assert!(matches!(
        MerkleStore::create(store.into_inner()),
        Err(MerkleError::AlreadyInitialized)
    ));
}

#[test]
fn store_and_transaction_are_send() {
    fn assert_send<T: Send>() {}
    assert_send::<MerkleStore<MemKvs>>();
    assert_send::<pscheme_store::merkle::Txn<'static, MemKvs>>();
    assert_send::<CommitInfo>();
    assert_send::<CachedNodes>();
}

#[test]
fn a_store_whose_cached_nodes_were_taken_reads_and_commits_from_its_rows() {
    let mut store = fresh();
    let mut txn = store.begin();
    for i in 0..2_000u32 {
        txn.put(b"t", &i.to_be_bytes(), &[(i % 251) as u8; 40])
            .unwrap();
    }
    txn.commit().unwrap();
    let cached = store.take_cached_nodes();
    let mut txn = store.begin();
    txn.delete(b"t", &7u32.to_be_bytes()).unwrap();
    txn.put(b"t", &1_999u32.to_be_bytes(), b"changed").unwrap();
    txn.commit().unwrap();
    // Dropped on another thread, as the writer does, while the store goes on.
    std::thread::spawn(move || drop(cached)).join().unwrap();
    assert_eq!(store.get(b"t", &7u32.to_be_bytes()).unwrap(), None);
    assert_eq!(
        store.get(b"t", &8u32.to_be_bytes()).unwrap(),
        Some(vec![8; 40])
    );
    assert_eq!(
        store.get(b"t", &1_999u32.to_be_bytes()).unwrap(),
        Some(b"changed".to_vec())
    );
    assert_eq!(store.len(b"t"), 1_999);
    assert!(store.fsck().unwrap().is_clean());
}

#[derive(Clone, Debug)]
enum Op {
    Put(u8, Vec<u8>, usize),
    Delete(u8, Vec<u8>),
    Commit,
    Reopen,
    Scan(u8, Option<Vec<u8>>, Option<Vec<u8>>, bool),
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(0u8..8, 0..3)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0u8..2, key(), prop_oneof![4 => 0usize..20, 1 => 200usize..600])
            .prop_map(|(t, k, n)| Op::Put(t, k, n)),
        6 => (0u8..2, key()).prop_map(|(t, k)| Op::Delete(t, k)),
        3 => Just(Op::Commit),
        1 => Just(Op::Reopen),
        2 => (0u8..2, proptest::option::of(key()), proptest::option::of(key()), any::<bool>())
            .prop_map(|(t, l, u, r)| Op::Scan(t, l, u, r)),
    ]
}

type Model = BTreeMap<Vec<u8>, BTreeMap<Vec<u8>, Vec<u8>>>;

const TREES: [&[u8]; 2] = [b"heap", b"symbols"];

fn check_matches(store: &MerkleStore<MemKvs>, model: &Model) {
    for tree in TREES {
        let want: Vec<_> = model
            .get(tree)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        assert_eq!(all(store, tree), want);
        assert_eq!(store.len(tree), want.len() as u64);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn matches_btreemap_across_commits_and_reopens(ops in proptest::collection::vec(op(), 1..300)) {
        let mut store = fresh();
        let mut committed = Model::new();
        let mut working = Model::new();
        let mut counter = 0;
        let mut txn_ops: Vec<Op> = Vec::new();
        for op in ops {
            match op {
                Op::Put(t, k, n) => {
                    let v: Vec<u8> = (0..n).map(|i| (i as u8) ^ k.len() as u8).collect();
                    working.entry(TREES[usize::from(t)].to_vec()).or_default().insert(k.clone(), v);
                    txn_ops.push(Op::Put(t, k, n));
                }
                Op::Delete(t, k) => {
                    working.entry(TREES[usize::from(t)].to_vec()).or_default().remove(&k);
                    txn_ops.push(Op::Delete(t, k));
                }
                Op::Scan(t, lower, upper, rev) => {
                    // Scans inside a transaction see its writes.
                    let tree = TREES[usize::from(t)];
                    let mut txn = store.begin();
                    replay(&mut txn, &txn_ops);
                    let lo = lower.as_deref().map_or(Bound::Unbounded, Bound::Included);
                    let hi = upper.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
                    if lower.is_some() && upper.is_some() && lower > upper {
                        continue;
                    }
                    let mut got: Vec<_> = txn.range(tree, (lo, hi)).unwrap().map(Result::unwrap).collect();
                    let empty = BTreeMap::new();
                    let model = working.get(tree).unwrap_or(&empty);
                    let mut want: Vec<_> = model
                        .range::<[u8], _>((lo, hi))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    if rev {
                        got = txn.range(tree, (lo, hi)).unwrap().rev().map(Result::unwrap).collect();
                        want.reverse();
                    }
                    prop_assert_eq!(got, want);
                }
                Op::Commit => {
                    let mut txn = store.begin();
                    replay(&mut txn, &txn_ops);
                    txn_ops.clear();
                    counter += 1;
                    prop_assert_eq!(txn.commit().unwrap().txn_counter, counter);
                    committed = working.clone();
                    check_matches(&store, &committed);
                }
                Op::Reopen => {
                    // Uncommitted work is lost with the process.
                    txn_ops.clear();
                    working = committed.clone();
                    store = reopen(store);
                    prop_assert_eq!(store.info().txn_counter, counter);
                    check_matches(&store, &committed);
                }
            }
        }
        let report = store.fsck().unwrap();
        prop_assert!(report.is_clean(), "{:?}", report);
    }
}

fn replay(txn: &mut pscheme_store::merkle::Txn<'_, MemKvs>, ops: &[Op]) {
    for op in ops {
        match op {
            Op::Put(t, k, n) => {
                let v: Vec<u8> = (0..*n).map(|i| (i as u8) ^ k.len() as u8).collect();
                txn.put(TREES[usize::from(*t)], k, &v).unwrap();
            }
            Op::Delete(t, k) => txn.delete(TREES[usize::from(*t)], k).unwrap(),
            _ => {}
        }
    }
}

fn batch_op() -> impl Strategy<Value = (Vec<u8>, Option<Vec<u8>>)> {
    (
        proptest::collection::vec(0u8..16, 1..3),
        proptest::option::of(prop_oneof![
            4 => proptest::collection::vec(any::<u8>(), 0..20),
            1 => proptest::collection::vec(any::<u8>(), 200..400),
        ]),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// `apply_batch` is `put`/`delete` in order, whether the batch is ascending (applied
    /// at once) or not (buffered), and whether the tree already has buffered changes.
    #[test]
    fn a_batch_is_its_changes_in_order(
        before in proptest::collection::vec(batch_op(), 0..100),
        buffered in proptest::collection::vec(batch_op(), 0..4),
        mut batch in proptest::collection::vec(batch_op(), 0..300),
        sort in any::<bool>(),
    ) {
        if sort {
            batch.sort_by(|a, b| a.0.cmp(&b.0));
            batch.dedup_by(|a, b| a.0 == b.0);
        }
        let mut by_batch = fresh();
        let mut by_single = fresh();
        for store in [&mut by_batch, &mut by_single] {
            let mut txn = store.begin();
            for (key, value) in &before {
                match value {
                    Some(v) => txn.put(b"heap", key, v).unwrap(),
                    None => txn.delete(b"heap", key).unwrap(),
                }
            }
            txn.commit().unwrap();
        }
        let mut txn = by_batch.begin();
        for (key, value) in &buffered {
            match value {
                Some(v) => txn.put(b"heap", key, v).unwrap(),
                None => txn.delete(b"heap", key).unwrap(),
            }
        }
        txn.apply_batch(b"heap", batch.clone()).unwrap();
        txn.commit().unwrap();
        let mut txn = by_single.begin();
        for (key, value) in buffered.iter().chain(&batch) {
            match value {
                Some(v) => txn.put(b"heap", key, v).unwrap(),
                None => txn.delete(b"heap", key).unwrap(),
            }
        }
        txn.commit().unwrap();
        prop_assert_eq!(all(&by_batch, b"heap"), all(&by_single, b"heap"));
        prop_assert_eq!(by_batch.len(b"heap"), by_single.len(b"heap"));
        let report = by_batch.fsck().unwrap();
        prop_assert!(report.is_clean(), "{:?}", report);
    }
}

#[test]
fn a_batch_with_a_too_long_key_is_an_error() {
    let mut store = fresh();
    let mut txn = store.begin();
    let long = vec![1; pscheme_store::merkle::MAX_KEY_LEN + 1];
    let err = txn
        .apply_batch(b"heap", vec![(b"a".to_vec(), None), (long, Some(vec![1]))])
        .unwrap_err();
    assert!(matches!(err, MerkleError::KeyTooLong { .. }), "{err:?}");
}

/// A store of 20,000 keys and a transaction that changes half of them and deletes a third,
/// with the model of what the transaction makes of it.
fn store_and_changes() -> (MerkleStore<MemKvs>, BTreeMap<Vec<u8>, Vec<u8>>, CommitInfo) {
    let key = |i: u32| i.to_be_bytes();
    let mut store = fresh();
    let mut model = BTreeMap::new();
    let mut txn = store.begin();
    for i in 0..20_000u32 {
        txn.put(b"t", &key(i), &i.to_le_bytes()).unwrap();
        model.insert(key(i).to_vec(), i.to_le_bytes().to_vec());
    }
    let base = txn.commit().unwrap();
    for i in (0..20_000u32).step_by(2) {
        model.insert(key(i).to_vec(), b"changed".to_vec());
    }
    for i in (1..20_000u32).step_by(3) {
        model.remove(key(i).as_slice());
    }
    (store, model, base)
}

fn change(txn: &mut pscheme_store::merkle::Txn<'_, MemKvs>) {
    for i in (0..20_000u32).step_by(2) {
        txn.put(b"t", &i.to_be_bytes(), b"changed").unwrap();
    }
    for i in (1..20_000u32).step_by(3) {
        txn.delete(b"t", &i.to_be_bytes()).unwrap();
    }
}

/// Commits [`change`] to `store`, telling it to stop at its `stop_at`th question whether to
/// stop (never, if it asks fewer times); returns what it did and how often it asked.
fn commit_change_stopping_at(
    store: &mut MerkleStore<MemKvs>,
    stop_at: usize,
) -> (Commit<'_, MemKvs>, usize) {
    let mut txn = store.begin();
    change(&mut txn);
    commit_stopping_at(txn, stop_at)
}

/// How often the commit of [`change`] asks whether to stop when never told to: its last
/// questions come while the backend writes the batch.
fn questions_of_a_commit() -> usize {
    let (mut store, _, _) = store_and_changes();
    let (commit, asked) = commit_change_stopping_at(&mut store, usize::MAX);
    assert!(matches!(commit, Commit::Done(_)), "never told to stop");
    asked
}

#[test]
fn a_commit_stopped_during_its_reads_or_its_write_writes_nothing_and_can_go_on() {
    let key = |i: u32| i.to_be_bytes();
    let questions = questions_of_a_commit();
    // The plan's reads ask 10 times (every 256 reads); writing its ~2,700 rows asks 10 more
    // (every 256 rows), so the last questions below come during the write.
    assert!(questions >= 15, "{questions}");
    for stop_at in [1, 3, 6, questions - 1, questions] {
        let (mut store, mut model, base) = store_and_changes();
        let (stopped, _) = commit_change_stopping_at(&mut store, stop_at);
        let Commit::Stopped(mut txn) = stopped else {
            panic!("the commit asks {questions} times, yet went on at {stop_at}");
        };
        // Nothing was written; the transaction still holds its changes and takes more.
        assert_eq!(txn.get(b"t", &key(0)).unwrap(), Some(b"changed".to_vec()));
        for i in (0..20_000u32).step_by(4) {
            txn.delete(b"t", &key(i)).unwrap();
            model.remove(key(i).as_slice());
        }
        txn.put(b"t", &key(9_999), b"new").unwrap();
        model.insert(key(9_999).to_vec(), b"new".to_vec());
        let done = txn.commit().unwrap();
        assert_eq!(done.txn_counter, base.txn_counter + 1, "one commit");

        let store = reopen(store);
        let want: Vec<(Vec<u8>, Vec<u8>)> = model.into_iter().collect();
        assert_eq!(all(&store, b"t"), want);
        assert!(store.fsck().unwrap().is_clean(), "stop at {stop_at}");
    }
}

#[test]
fn a_stopped_commit_leaves_the_store_as_it_was() {
    // The first question comes during the commit's reads, the last during its write.
    let questions = questions_of_a_commit();
    for stop_at in [1, questions] {
        let (mut store, _, base) = store_and_changes();
        let before = all(&store, b"t");
        let (stopped, _) = commit_change_stopping_at(&mut store, stop_at);
        assert!(matches!(stopped, Commit::Stopped(_)), "stop at {stop_at}");
        drop(stopped);
        assert_eq!(store.info(), base);
        assert_eq!(all(&store, b"t"), before);
        let store = reopen(store);
        assert_eq!(store.info(), base);
        assert_eq!(all(&store, b"t"), before);
        assert!(store.fsck().unwrap().is_clean());
    }
}
