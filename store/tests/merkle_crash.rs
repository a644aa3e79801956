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

mod model {
    //! Random transactions against a `BTreeMap` model, with faults injected at random
    //! points of random commits.

    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use pscheme_store::merkle::MerkleStore;
    use pscheme_store::{EncryptedStore, FaultyKvs, KdfParams, MemKvs};

    use super::{PASS, State, open_mem, state};

    #[derive(Clone, Debug)]
    enum Fault {
        None,
        Write(u64),
        Read(u64),
    }

    #[derive(Clone, Debug)]
    struct TxnPlan {
        /// (tree, key, value or delete)
        changes: Vec<(u8, u16, Option<u16>)>,
        drop_tree: Option<u8>,
        snapshot: bool,
        fault: Fault,
        reopen: bool,
    }

    fn plan() -> impl Strategy<Value = TxnPlan> {
        (
            proptest::collection::vec(
                (
                    0u8..3,
                    0u16..400,
                    proptest::option::weighted(0.7, 0u16..600),
                ),
                0..120,
            ),
            proptest::option::weighted(0.05, 0u8..3),
            proptest::bool::weighted(0.1),
            prop_oneof![
                2 => Just(Fault::None),
                2 => (0u64..200).prop_map(Fault::Write),
                1 => (0u64..200).prop_map(Fault::Read),
            ],
            proptest::bool::weighted(0.2),
        )
            .prop_map(|(changes, drop_tree, snapshot, fault, reopen)| TxnPlan {
                changes,
                drop_tree,
                snapshot,
                fault,
                reopen,
            })
    }

    const TREES: [&[u8]; 3] = [b"heap", b"globals", b"symbols"];

    fn value(v: u16) -> Vec<u8> {
        // Every 8th value is large enough for a blob node of its own.
        let len = if v.is_multiple_of(8) {
            300
        } else {
            usize::from(v % 40)
        };
        (0..len).map(|i| (v as usize + i) as u8).collect()
    }

    fn run(store: &mut MerkleStore<FaultyKvs<MemKvs>>, plan: &TxnPlan) -> bool {
        let mut txn = store.begin();
        for (tree, key, v) in &plan.changes {
            let tree = TREES[usize::from(*tree)];
            let key = key.to_be_bytes();
            match v {
                Some(v) => txn.put(tree, &key, &value(*v)).unwrap(),
                None => txn.delete(tree, &key).unwrap(),
            }
        }
        if let Some(tree) = plan.drop_tree {
            txn.drop_tree(TREES[usize::from(tree)]);
        }
        if plan.snapshot {
            txn.copy_tree(b"heap", b"snapshot").unwrap();
        }
        txn.commit().is_ok()
    }

    /// What `plan` does to `before`, computed on the model.
    fn expected(before: &State, plan: &TxnPlan) -> State {
        let mut trees: BTreeMap<Vec<u8>, BTreeMap<Vec<u8>, Vec<u8>>> = before
            .iter()
            .map(|(name, entries)| (name.clone(), entries.iter().cloned().collect()))
            .collect();
        for (tree, key, v) in &plan.changes {
            let entries = trees.entry(TREES[usize::from(*tree)].to_vec()).or_default();
            match v {
                Some(v) => entries.insert(key.to_be_bytes().to_vec(), value(*v)),
                None => entries.remove(&key.to_be_bytes()[..]),
            };
        }
        if let Some(tree) = plan.drop_tree {
            trees.remove(TREES[usize::from(tree)]);
        }
        if plan.snapshot {
            let heap = trees.get(&b"heap"[..]).cloned().unwrap_or_default();
            trees.insert(b"snapshot".to_vec(), heap);
        }
        trees
            .into_iter()
            .map(|(name, entries)| (name, entries.into_iter().collect()))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn random_transactions_with_faults_match_the_model(plans in proptest::collection::vec(plan(), 1..25)) {
            let enc = EncryptedStore::create(
                FaultyKvs::new(MemKvs::new()),
                PASS,
                KdfParams::INSECURE_FOR_TESTS,
            )
            .unwrap();
            let mut store = MerkleStore::create(enc).unwrap();
            let mut committed = State::new();
            for plan in &plans {
                let before = store.info();
                match plan.fault {
                    Fault::None => {}
                    Fault::Write(n) => store.encrypted_mut().kvs_mut().fail_after_writes(n),
                    Fault::Read(n) => store.encrypted_mut().kvs_mut().fail_after_reads(n),
                }
                let ok = run(&mut store, plan);
                store.encrypted_mut().kvs_mut().disarm();
                if ok {
                    committed = expected(&committed, plan);
                    prop_assert_eq!(store.info().txn_counter, before.txn_counter + 1);
                } else {
                    prop_assert!(!matches!(plan.fault, Fault::None));
                    prop_assert_eq!(store.info(), before);
                }
                // Empty trees stay named in the root record; the model drops them.
                let mut got = state(&store);
                got.retain(|_, entries| !entries.is_empty());
                let mut want = committed.clone();
                want.retain(|_, entries| !entries.is_empty());
                prop_assert_eq!(&got, &want);
                if plan.reopen {
                    store = open_mem(store.into_inner().into_inner().into_inner());
                    let mut got = state(&store);
                    got.retain(|_, entries| !entries.is_empty());
                    prop_assert_eq!(&got, &want);
                }
            }
            let report = store.fsck().unwrap();
            prop_assert!(report.is_clean(), "{:?}", report);
        }
    }
}
