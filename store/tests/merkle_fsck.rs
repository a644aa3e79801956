//! fsck names each kind of damage done through the raw backend, reads of damaged data
//! are typed errors, and nothing panics.

use pscheme_store::merkle::{Address, MerkleError, MerkleStore, RefcountMismatch};
use pscheme_store::{Batch, Domain, EncryptedStore, KdfParams, Kvs, MemKvs, RowKey, WriteBatch};

const PASS: &[u8] = b"fsck tests";
/// Layer 3's domains, as docs/storage-format.md fixes them.
const NODES: Domain = Domain(16);
const REFCOUNTS: Domain = Domain(17);

fn populated() -> MerkleStore<MemKvs> {
    let enc = EncryptedStore::create(MemKvs::new(), PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let mut store = MerkleStore::create(enc).unwrap();
    let mut txn = store.begin();
    for i in 0u32..600 {
        txn.put(b"heap", &i.to_be_bytes(), &i.to_le_bytes())
            .unwrap();
        if i % 50 == 0 {
            txn.put(b"big", &i.to_be_bytes(), &[i as u8; 700]).unwrap();
        }
    }
    txn.commit().unwrap();
    let mut txn = store.begin();
    txn.copy_tree(b"heap", b"snapshot").unwrap();
    txn.put(b"heap", &5u32.to_be_bytes(), b"after snapshot")
        .unwrap();
    txn.commit().unwrap();
    store
}

/// Reopens, so that reads see the backend rather than the node cache.
fn reopen(store: MerkleStore<MemKvs>) -> MerkleStore<MemKvs> {
    let kvs = store.into_inner().into_inner();
    MerkleStore::open(EncryptedStore::open(kvs, PASS).unwrap()).unwrap()
}

fn root(store: &MerkleStore<MemKvs>) -> Address {
    store.root_address(b"heap").unwrap()
}

fn raw_put(store: &mut MerkleStore<MemKvs>, key: &[u8], value: Vec<u8>) {
    let mut batch = WriteBatch::new();
    batch.put(key.to_vec(), value);
    store.encrypted_mut().kvs_mut().commit(&batch).unwrap();
}

fn sealed_put(store: &mut MerkleStore<MemKvs>, domain: Domain, key: &[u8], value: Vec<u8>) {
    let mut batch = Batch::new();
    batch.put(domain, key, value);
    store.encrypted_mut().commit(&batch).unwrap();
}

#[test]
fn undamaged_store_is_clean() {
    let store = populated();
    let report = store.fsck().unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.trees, 3);
    assert!(report.nodes_reached > 40);
    assert_eq!(report.rows_scanned, store.encrypted().kvs().len() as u64);
}

#[test]
fn missing_node_is_named() {
    let mut store = populated();
    let root = root(&store);
    let mut batch = Batch::new();
    batch.delete(NODES, root.as_bytes());
    store.encrypted_mut().commit(&batch).unwrap();
    let report = store.fsck().unwrap();
    assert_eq!(report.missing.count, 1);
    assert_eq!(report.missing.first, vec![root]);
    assert!(!report.is_clean());
    let store = reopen(store);
    assert!(matches!(
        store.get(b"heap", b"x"),
        Err(MerkleError::MissingNode { address }) if address == root
    ));
}

#[test]
fn undecryptable_node_is_named() {
    let mut store = populated();
    let root = root(&store);
    let row = store.encrypted().row_key(NODES, root.as_bytes());
    let mut sealed = store
        .encrypted()
        .kvs()
        .get(row.as_bytes())
        .unwrap()
        .unwrap();
    sealed[30] ^= 1;
    raw_put(&mut store, row.as_bytes(), sealed);
    let report = store.fsck().unwrap();
    assert_eq!(report.undecryptable.first, vec![root]);
    assert_eq!(report.undecryptable.count, 1);
    let store = reopen(store);
    assert!(matches!(
        store.get(b"heap", b"x"),
        Err(MerkleError::Store(pscheme_store::Error::Tampered { row: r })) if r == row
    ));
}

#[test]
fn node_not_hashing_to_its_address_is_named() {
    let mut store = populated();
    let root = root(&store);
    // Authentic to layer 2 (sealed with the store's key), but not this node's content.
    let other = store.root_address(b"big").unwrap();
    let other_bytes = store
        .encrypted()
        .get(NODES, other.as_bytes())
        .unwrap()
        .unwrap();
    sealed_put(&mut store, NODES, root.as_bytes(), other_bytes);
    let report = store.fsck().unwrap();
    assert_eq!(report.hash_mismatch.first, vec![root]);
    let store = reopen(store);
    assert!(matches!(
        store.get(b"heap", b"x"),
        Err(MerkleError::Tampered { address }) if address == root
    ));
    assert!(store.range(b"heap", ..).next().unwrap().is_err());
}

#[test]
fn wrong_reference_counts_are_named() {
    let mut store = populated();
    let root = root(&store);
    sealed_put(
        &mut store,
        REFCOUNTS,
        root.as_bytes(),
        5u64.to_le_bytes().to_vec(),
    );
    let report = store.fsck().unwrap();
    assert_eq!(
        report.refcount_mismatch.first,
        vec![RefcountMismatch {
            address: root,
            stored: Some(5),
            expected: 1
        }]
    );
    // A count row of the wrong shape is reported as unreadable.
    sealed_put(&mut store, REFCOUNTS, root.as_bytes(), vec![1, 2, 3]);
    let report = store.fsck().unwrap();
    assert_eq!(report.refcount_mismatch.first[0].stored, None);
    assert_eq!(report.stray_rows.count, 0);
}

#[test]
fn unreferenced_rows_are_named() {
    let mut store = populated();
    sealed_put(&mut store, NODES, &[9; 32], b"orphan".to_vec());
    raw_put(&mut store, b"short key", b"junk".to_vec());
    let orphan = store.encrypted().row_key(NODES, &[9; 32]);
    let report = store.fsck().unwrap();
    assert_eq!(report.stray_rows.count, 2);
    assert!(report.stray_rows.first.contains(&orphan));
    assert!(report.missing.is_empty() && report.refcount_mismatch.is_empty());
}

#[test]
fn damaged_root_record_is_reported() {
    let mut store = populated();
    let row = store.encrypted().row_key(Domain(18), b"root");
    let mut sealed = store
        .encrypted()
        .kvs()
        .get(row.as_bytes())
        .unwrap()
        .unwrap();
    let last = sealed.len() - 1;
    sealed[last] ^= 0x80;
    raw_put(&mut store, row.as_bytes(), sealed);
    let report = store.fsck().unwrap();
    assert!(report.root_record.is_some());
    assert!(!report.is_clean());
    let kvs = store.into_inner().into_inner();
    assert!(MerkleStore::open(EncryptedStore::open(kvs, PASS).unwrap()).is_err());
}

/// Every single row deleted, or with one byte flipped, is noticed; reads never panic.
#[test]
fn any_single_damaged_row_is_noticed() {
    let store = populated();
    let clean_kvs = store.into_inner().into_inner();
    let rows: Vec<RowKey> = clean_kvs
        .keys()
        .unwrap()
        .into_iter()
        .filter(|k| !pscheme_store::is_reserved_row(k))
        .map(|k| RowKey::from_raw(&k).unwrap())
        .collect();
    for row in &rows {
        for flip in [false, true] {
            let mut kvs = clean_kvs.clone();
            let mut batch = WriteBatch::new();
            if flip {
                let mut value = kvs.get(row.as_bytes()).unwrap().unwrap();
                let middle = value.len() / 2;
                value[middle] ^= 4;
                batch.put(row.as_bytes().to_vec(), value);
            } else {
                batch.delete(row.as_bytes().to_vec());
            }
            kvs.commit(&batch).unwrap();
            let enc = EncryptedStore::open(kvs, PASS).unwrap();
            let Ok(store) = MerkleStore::open(enc) else {
                continue; // the root record itself: open refuses the store
            };
            let report = store.fsck().unwrap();
            assert!(
                !report.is_clean(),
                "damage to {row} (flip: {flip}) went unnoticed"
            );
            for tree in [&b"heap"[..], b"big", b"snapshot"] {
                let _ = store.get(tree, &7u32.to_be_bytes());
                let _ = store.range(tree, ..).rev().count();
            }
        }
    }
}
