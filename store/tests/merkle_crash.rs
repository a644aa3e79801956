//! Crash atomicity of layer 3 commits: a commit interrupted at any point leaves the
//! store at the previous state, and the store stays usable.

mod common;

use std::collections::BTreeMap;

use common::TempDir;
use pscheme_store::merkle::MerkleStore;
use pscheme_store::{EncryptedStore, FaultyKvs, KdfParams, Kvs, MemKvs, SqliteKvs};

const PASS: &[u8] = b"crash tests";

type State = BTreeMap<Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>>;

fn state<K: Kvs>(store: &MerkleStore<K>) -> State {
    store
        .tree_names()
        .map(|name| {
            let entries = store.range(name, ..).map(Result::unwrap).collect();
            (name.to_vec(), entries)
        })
        .collect()
}

fn key(i: u32) -> [u8; 4] {
    i.to_be_bytes()
}

/// A base state: two trees, some large values, and a pinned copy.
fn build_base<K: Kvs>(store: &mut MerkleStore<K>) {
    let mut txn = store.begin();
    for i in 0..400 {
        txn.put(b"heap", &key(i), &i.to_le_bytes()).unwrap();
        if i % 10 == 0 {
            txn.put(b"blobs", &key(i), &[i as u8; 500]).unwrap();
        }
    }
    txn.commit().unwrap();
    let mut txn = store.begin();
    txn.copy_tree(b"heap", b"pinned").unwrap();
    txn.commit().unwrap();
}

/// The change under test: overwrites, inserts, deletes that merge nodes, a dropped tree.
fn change<K: Kvs>(store: &mut MerkleStore<K>) -> Result<(), pscheme_store::merkle::MerkleError> {
    let mut txn = store.begin();
    for i in (0..400).step_by(3) {
        txn.put(b"heap", &key(i), b"changed")?;
    }
    for i in 100..250 {
        txn.delete(b"heap", &key(i))?;
    }
    for i in 1000..1040 {
        txn.put(b"heap", &key(i), &[1; 300])?;
    }
    txn.drop_tree(b"blobs");
    txn.commit().map(|_| ())
}

fn open_mem(kvs: MemKvs) -> MerkleStore<FaultyKvs<MemKvs>> {
    let enc = EncryptedStore::open(FaultyKvs::new(kvs), PASS).unwrap();
    MerkleStore::open(enc).unwrap()
}

#[test]
fn a_commit_failing_at_any_write_leaves_the_old_state() {
    let enc = EncryptedStore::create(
        FaultyKvs::new(MemKvs::new()),
        PASS,
        KdfParams::INSECURE_FOR_TESTS,
    )
    .unwrap();
    let mut store = MerkleStore::create(enc).unwrap();
    build_base(&mut store);
    let base_kvs = store.into_inner().into_inner().into_inner();

    let mut expected_new = None;
    let mut failures = 0;
    for allowed in 0u64.. {
        let mut store = open_mem(base_kvs.clone());
        let old_state = state(&store);
        let old_info = store.info();
        store.encrypted_mut().kvs_mut().fail_after_writes(allowed);
        if change(&mut store).is_ok() {
            expected_new = Some(state(&store));
            assert_eq!(store.info().txn_counter, old_info.txn_counter + 1);
            break;
        }
        failures += 1;
        // The handle that saw the failure still reads the old state...
        assert_eq!(store.info(), old_info);
        assert_eq!(state(&store), old_state);
        // ...and so does the store reopened from what the backend holds.
        store.encrypted_mut().kvs_mut().disarm();
        let reopened = open_mem(store.into_inner().into_inner().into_inner());
        assert_eq!(reopened.info(), old_info);
        assert_eq!(state(&reopened), old_state);
        let report = reopened.fsck().unwrap();
        assert!(
            report.is_clean(),
            "after failing at write {allowed}: {report:?}"
        );
        // The same change then commits fine.
        let mut reopened = reopened;
        change(&mut reopened).unwrap();
        assert!(reopened.fsck().unwrap().is_clean());
    }
    assert!(
        failures > 50,
        "the commit should take many writes, took {failures}"
    );
    let new_state = expected_new.unwrap();
    assert!(!new_state.contains_key(&b"blobs"[..]));
    assert_eq!(new_state[&b"pinned"[..]].len(), 400);
}

#[test]
fn a_commit_failing_at_any_read_leaves_the_old_state() {
    let enc = EncryptedStore::create(
        FaultyKvs::new(MemKvs::new()),
        PASS,
        KdfParams::INSECURE_FOR_TESTS,
    )
    .unwrap();
    let mut store = MerkleStore::create(enc).unwrap();
    build_base(&mut store);
    let base_kvs = store.into_inner().into_inner().into_inner();
    for allowed in 0u64.. {
        let mut store = open_mem(base_kvs.clone());
        let old_state = state(&store);
        store.encrypted_mut().kvs_mut().fail_after_reads(allowed);
        if change(&mut store).is_ok() {
            break;
        }
        store.encrypted_mut().kvs_mut().disarm();
        assert_eq!(state(&store), old_state);
        assert!(store.fsck().unwrap().is_clean());
        let reopened = open_mem(store.into_inner().into_inner().into_inner());
        assert_eq!(state(&reopened), old_state);
    }
}

#[test]
fn sqlite_commit_interrupted_midway_survives_reopen() {
    let dir = TempDir::new("merkle-crash");
    let path = dir.path().join("store.db");
    let enc = EncryptedStore::create(
        FaultyKvs::new(SqliteKvs::open(&path).unwrap()),
        PASS,
        KdfParams::INSECURE_FOR_TESTS,
    )
    .unwrap();
    let mut store = MerkleStore::create(enc).unwrap();
    build_base(&mut store);
    let old_state = state(&store);
    let old_info = store.info();
    for allowed in [0, 1, 17, 60] {
        store.encrypted_mut().kvs_mut().fail_after_writes(allowed);
        assert!(change(&mut store).is_err());
        store.encrypted_mut().kvs_mut().disarm();
    }
    drop(store);

    let enc = EncryptedStore::open(SqliteKvs::open(&path).unwrap(), PASS).unwrap();
    let mut store = MerkleStore::open(enc).unwrap();
    assert_eq!(store.info(), old_info);
    assert_eq!(state(&store), old_state);
    assert!(store.fsck().unwrap().is_clean());
    change(&mut store).unwrap();
    let new_info = store.info();
    let new_state = state(&store);
    drop(store);

    let enc = EncryptedStore::open(SqliteKvs::open(&path).unwrap(), PASS).unwrap();
    let store = MerkleStore::open(enc).unwrap();
    assert_eq!(store.info(), new_info);
    assert_eq!(state(&store), new_state);
    assert!(store.fsck().unwrap().is_clean());
}
