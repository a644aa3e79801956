//! Layer 3 cleared commits (`Txn::clear`): the new state replaces the old one whole, in one
//! backend clear and one batch, and nothing of the old state survives but what the new
//! one builds again.

mod common;

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use common::{TempDir, commit_stopping_at};
use pscheme_store::merkle::{Commit, MerkleError, MerkleStore, Txn};
use pscheme_store::{EncryptedStore, FaultyKvs, KdfParams, Kvs, MemKvs, SqliteKvs};

const PASS: &[u8] = b"merkle clear tests";

/// Tree name -> its entries: what a store should hold.
type Model = BTreeMap<Vec<u8>, BTreeMap<Vec<u8>, Vec<u8>>>;

fn create<K: Kvs>(kvs: K) -> MerkleStore<K> {
    let enc = EncryptedStore::create(kvs, PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    MerkleStore::create(enc).unwrap()
}

fn key(i: u32) -> [u8; 4] {
    i.to_be_bytes()
}

/// Values of both kinds: inline in leaves, and blob nodes of their own.
fn value(i: u32, salt: u8) -> Vec<u8> {
    let len = if i.is_multiple_of(7) { 600 } else { 20 };
    vec![salt.wrapping_add(i as u8); len]
}

fn put(txn: &mut Txn<'_, impl Kvs>, model: &mut Model, tree: &[u8], k: &[u8], v: Vec<u8>) {
    txn.put(tree, k, &v).unwrap();
    model
        .entry(tree.to_vec())
        .or_default()
        .insert(k.to_vec(), v);
}

/// Three commits of trees that share nodes with each other (a pinned copy, an identical
/// twin) and with their earlier versions.
fn build_old_state(store: &mut MerkleStore<impl Kvs>) -> Model {
    let mut model = Model::new();
    let mut txn = store.begin();
    for i in 0..3_000 {
        put(&mut txn, &mut model, b"a", &key(i), value(i, 1));
    }
    for i in 0..400 {
        put(&mut txn, &mut model, b"b", &key(i), value(i, 2));
    }
    txn.commit().unwrap();

    let mut txn = store.begin();
    txn.copy_tree(b"a", b"a-snapshot").unwrap();
    model.insert(b"a-snapshot".to_vec(), model[&b"a"[..]].clone());
    for i in (0..3_000).step_by(5) {
        put(&mut txn, &mut model, b"a", &key(i), value(i, 3));
    }
    for i in 0..400 {
        put(&mut txn, &mut model, b"b-twin", &key(i), value(i, 2));
    }
    txn.commit().unwrap();

    let mut txn = store.begin();
    for i in (1..3_000).step_by(3) {
        txn.delete(b"a", &key(i)).unwrap();
        model.get_mut(&b"a"[..]).unwrap().remove(&key(i)[..]);
    }
    txn.commit().unwrap();
    check(store, &model);
    model
}

/// In one cleared transaction: a change made before the clear (void), then new trees: one
/// by `apply_batch`, one by puts, a copy of it (nodes shared between trees), and `b` built
/// again exactly as it was (nodes whose rows the clear deletes and the commit rewrites).
fn clear_and_build_new(txn: &mut Txn<'_, impl Kvs>) -> Model {
    txn.put(b"a", b"void", b"made before the clear").unwrap();
    txn.clear();
    for tree in [&b"a"[..], b"b", b"a-snapshot"] {
        assert_eq!(txn.get(tree, &key(0)).unwrap(), None);
        assert_eq!(txn.len(tree).unwrap(), 0);
        assert_eq!(txn.range(tree, ..).unwrap().count(), 0);
    }
    assert_eq!(txn.get(b"a", b"void").unwrap(), None);

    let mut model = Model::new();
    let batch: Vec<_> = (0..1_500)
        .map(|i| (key(i).to_vec(), Some(value(i, 9))))
        .collect();
    for (k, v) in &batch {
        let v = v.clone().unwrap();
        model
            .entry(b"heap".to_vec())
            .or_default()
            .insert(k.clone(), v);
    }
    txn.apply_batch(b"heap", batch).unwrap();
    for i in 0..300 {
        put(txn, &mut model, b"symbols", &key(i), value(i, 4));
    }
    txn.copy_tree(b"symbols", b"symbols-copy").unwrap();
    model.insert(b"symbols-copy".to_vec(), model[&b"symbols"[..]].clone());
    put(
        txn,
        &mut model,
        b"symbols",
        b"diverged",
        b"only here".to_vec(),
    );
    for i in 0..400 {
        put(txn, &mut model, b"b", &key(i), value(i, 2));
    }
    model
}

fn all(store: &MerkleStore<impl Kvs>, tree: &[u8]) -> BTreeMap<Vec<u8>, Vec<u8>> {
    store.range(tree, ..).map(Result::unwrap).collect()
}

fn backend_rows(store: &MerkleStore<impl Kvs>) -> u64 {
    let mut rows = 0;
    store
        .encrypted()
        .for_each_raw_key(&mut |_| {
            rows += 1;
            ControlFlow::Continue(())
        })
        .unwrap();
    rows
}

/// The store holds exactly `model`, fsck finds nothing, and the backend holds no row the
/// state does not need: nodes, count rows, root record, header and key check.
fn check(store: &MerkleStore<impl Kvs>, model: &Model) {
    let names: Vec<&[u8]> = store.tree_names().collect();
    let want: Vec<&[u8]> = model.keys().map(Vec::as_slice).collect();
    assert_eq!(names, want);
    for (tree, entries) in model {
        assert_eq!(&all(store, tree), entries, "tree {tree:?}");
        assert_eq!(store.len(tree), entries.len() as u64);
    }
    let report = store.fsck().unwrap();
    assert!(report.is_clean(), "{report}");
    assert_eq!(
        backend_rows(store),
        report.nodes_reached + report.count_rows + 3,
        "{report}"
    );
}

fn cleared_commit_replaces_the_state(mut store: MerkleStore<impl Kvs>) {
    let old = build_old_state(&mut store);
    let old_b = store.root_address(b"b");
    let before = store.info();
    let mut txn = store.begin();
    let model = clear_and_build_new(&mut txn);
    let info = txn.commit().unwrap();
    assert_eq!(info.txn_counter, before.txn_counter + 1);

    check(&store, &model);
    assert_eq!(
        store.root_address(b"b"),
        old_b,
        "same content, same address"
    );
    let report = store.fsck().unwrap();
    assert!(report.count_rows > 0, "the copy shares nodes: {report}");
    for tree in old.keys().filter(|tree| !model.contains_key(*tree)) {
        assert_eq!(store.get(tree, &key(0)).unwrap(), None);
        assert!(store.is_empty(tree));
    }
}

#[test]
fn a_cleared_commit_holds_exactly_the_new_trees() {
    cleared_commit_replaces_the_state(create(MemKvs::new()));
}

#[test]
fn a_cleared_commit_on_sqlite_survives_reopen_and_later_commits() {
    let dir = TempDir::new("merkle-clear");
    let path = dir.path().join("store.db");
    let mut store = create(SqliteKvs::open(&path).unwrap());
    build_old_state(&mut store);
    let mut txn = store.begin();
    let mut model = clear_and_build_new(&mut txn);
    txn.commit().unwrap();
    check(&store, &model);
    drop(store);

    let enc = EncryptedStore::open(SqliteKvs::open(&path).unwrap(), PASS).unwrap();
    let mut store = MerkleStore::open(enc).unwrap();
    check(&store, &model);

    // Ordinary transactions go on from the new state: they change, share and free its
    // nodes, whose counts the cleared commit wrote and the caches no longer remember.
    let mut txn = store.begin();
    for i in (0..1_500).step_by(2) {
        txn.delete(b"heap", &key(i)).unwrap();
        model.get_mut(&b"heap"[..]).unwrap().remove(&key(i)[..]);
    }
    txn.drop_tree(b"symbols-copy");
    model.remove(&b"symbols-copy"[..]);
    txn.copy_tree(b"b", b"b-pinned").unwrap();
    model.insert(b"b-pinned".to_vec(), model[&b"b"[..]].clone());
    put(&mut txn, &mut model, b"b", &key(1), b"changed".to_vec());
    txn.commit().unwrap();
    check(&store, &model);

    let mut txn = store.begin();
    txn.drop_tree(b"b-pinned");
    model.remove(&b"b-pinned"[..]);
    for i in 0..400 {
        txn.delete(b"b", &key(i)).unwrap();
    }
    model.remove(&b"b"[..]);
    txn.commit().unwrap();
    // `b` is empty but still named, as any tree emptied by deletes is.
    model.insert(b"b".to_vec(), BTreeMap::new());
    check(&store, &model);
}

#[test]
fn a_cleared_commit_hands_over_the_nodes_it_let_go_of() {
    let mut store = create(MemKvs::new());
    build_old_state(&mut store);
    assert!(
        store.take_released().is_empty(),
        "ordinary commits release nothing wholesale"
    );
    let mut txn = store.begin();
    for i in 0..500 {
        txn.put(b"staged", &key(i), &value(i, 9)).unwrap();
    }
    let _ = txn.len(b"staged").unwrap();
    let model = clear_and_build_new(&mut txn);
    txn.commit().unwrap();
    // The old cache and the nodes staged before the clear, freed here on another thread, as
    // the writer does after reporting the commit; the store goes on without them.
    let released = store.take_released();
    assert!(!released.is_empty());
    std::thread::spawn(move || drop(released)).join().unwrap();
    assert!(store.take_released().is_empty(), "taken once");
    check(&store, &model);
    // Not taken, they are freed by the next transaction.
    let mut txn = store.begin();
    let model = clear_and_build_new(&mut txn);
    txn.commit().unwrap();
    drop(store.begin());
    assert!(store.take_released().is_empty());
    check(&store, &model);
}

#[test]
fn later_commits_on_a_cleared_store_keep_it_consistent() {
    let mut store = create(MemKvs::new());
    build_old_state(&mut store);
    let mut txn = store.begin();
    let mut model = clear_and_build_new(&mut txn);
    txn.commit().unwrap();
    for round in 0..3u8 {
        let mut txn = store.begin();
        for i in (u32::from(round)..1_500).step_by(4) {
            put(&mut txn, &mut model, b"heap", &key(i), value(i, round));
        }
        txn.delete(b"symbols", &key(u32::from(round))).unwrap();
        model
            .get_mut(&b"symbols"[..])
            .unwrap()
            .remove(&key(u32::from(round))[..]);
        txn.commit().unwrap();
        check(&store, &model);
    }
}

#[test]
fn clearing_to_nothing_leaves_only_the_fixed_rows() {
    let mut store = create(MemKvs::new());
    build_old_state(&mut store);
    let mut txn = store.begin();
    txn.clear();
    txn.commit().unwrap();
    check(&store, &Model::new());
    assert_eq!(backend_rows(&store), 3);

    // A clear followed by a drop of a tree never built in the transaction is no error.
    let mut txn = store.begin();
    put(&mut txn, &mut Model::new(), b"t", b"k", b"v".to_vec());
    txn.clear();
    txn.drop_tree(b"t");
    txn.commit().unwrap();
    check(&store, &Model::new());
}

/// Commits a cleared transaction that builds `clear_and_build_new`, telling it to stop at
/// its `stop_at`th question; returns what it did, how often it asked, and the new model.
fn clear_stopping_at<K: Kvs>(
    store: &mut MerkleStore<K>,
    stop_at: usize,
) -> (Commit<'_, K>, usize, Model) {
    let mut txn = store.begin();
    let mut model = clear_and_build_new(&mut txn);
    // Enough nodes that the plan's walk and the backend's write each ask several times.
    for i in 0..20_000 {
        put(&mut txn, &mut model, b"big", &key(i), value(i, 5));
    }
    let (commit, asked) = commit_stopping_at(txn, stop_at);
    (commit, asked, model)
}

#[test]
fn a_stopped_clear_leaves_the_old_state_and_commits_later() {
    let questions = {
        let mut store = create(MemKvs::new());
        build_old_state(&mut store);
        let (commit, asked, model) = clear_stopping_at(&mut store, usize::MAX);
        assert!(matches!(commit, Commit::Done(_)));
        check(&store, &model);
        asked
    };
    // The walk of the new state asks every 256 nodes, the write every 256 rows.
    assert!(questions >= 10, "{questions}");
    for stop_at in [1, 2, questions / 2, questions - 1, questions] {
        // Stopped and dropped: the old state whole, here and after a reopen.
        let mut store = create(MemKvs::new());
        let old = build_old_state(&mut store);
        let info = store.info();
        let (stopped, _, _) = clear_stopping_at(&mut store, stop_at);
        assert!(matches!(stopped, Commit::Stopped(_)), "stop at {stop_at}");
        drop(stopped);
        assert_eq!(store.info(), info);
        check(&store, &old);
        let kvs = store.into_inner().into_inner();
        let store = MerkleStore::open(EncryptedStore::open(kvs, PASS).unwrap()).unwrap();
        check(&store, &old);

        // Stopped, then given more changes and committed: still a cleared commit.
        let mut store = create(MemKvs::new());
        build_old_state(&mut store);
        let (stopped, _, mut model) = clear_stopping_at(&mut store, stop_at);
        let Commit::Stopped(mut txn) = stopped else {
            panic!("the commit asks {questions} times, yet went on at {stop_at}");
        };
        assert_eq!(txn.get(b"a", &key(0)).unwrap(), None, "still cleared");
        put(
            &mut txn,
            &mut model,
            b"late",
            b"k",
            b"added after the stop".to_vec(),
        );
        let done = txn.commit().unwrap();
        assert_eq!(done.txn_counter, info.txn_counter + 1, "one commit");
        check(&store, &model);
    }
}

#[test]
fn a_clear_whose_backend_write_fails_leaves_the_old_state() {
    let mut store = create(FaultyKvs::new(MemKvs::new()));
    let old = build_old_state(&mut store);
    let info = store.info();
    // Layer 1 writes: the clear, header, key check, then nodes, counts and root record.
    for allowed in [0, 1, 2, 3, 50, 400] {
        store.encrypted_mut().kvs_mut().fail_after_writes(allowed);
        let mut txn = store.begin();
        clear_and_build_new(&mut txn);
        let err = txn.commit().unwrap_err();
        assert!(matches!(err, MerkleError::Store(_)), "{err}");
        assert_eq!(store.info(), info);
        check(&store, &old);
    }
    let mut txn = store.begin();
    let model = clear_and_build_new(&mut txn);
    txn.commit().unwrap();
    check(&store, &model);
}
