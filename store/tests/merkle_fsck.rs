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
    let text = report.to_string();
    assert!(text.contains("trees:                3\n"), "{text}");
    for kind in ["missing nodes", "hash mismatches", "stray rows"] {
        assert!(text.contains(&format!("{kind}:")), "{kind} in {text}");
    }
    assert!(
        !text.lines().any(|line| line.starts_with("  ")),
        "nothing listed under a kind: {text}"
    );
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
    let text = report.to_string();
    assert!(text.contains("refcount mismatches:  1\n"), "{text}");
    assert!(
        text.contains(&format!("  {root}: stored 5, references found 1\n")),
        "{text}"
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
    assert!(report.to_string().contains(&format!("  {orphan}\n")));
}

#[test]
fn a_report_lists_the_first_offenders_and_counts_the_rest() {
    let mut store = populated();
    for i in 0..20u8 {
        sealed_put(&mut store, NODES, &[i; 32], b"orphan".to_vec());
    }
    let report = store.fsck().unwrap();
    assert_eq!(report.stray_rows.count, 20);
    let text = report.to_string();
    assert!(text.contains("stray rows:           20\n"), "{text}");
    let listed = text.lines().filter(|l| l.len() == 66).count();
    assert_eq!(listed, pscheme_store::merkle::FSCK_FIRST_LIMIT, "{text}");
    assert!(text.ends_with("  ... and 4 more\n"), "{text}");
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
    assert!(
        report
            .to_string()
            .starts_with("root record:          unreadable ("),
        "{report}"
    );
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

/// A root record built by hand from docs/storage-format.md: one tree `t`.
fn root_record(counter: u64, root: Option<[u8; 32]>, len: u64) -> Vec<u8> {
    let mut out = b"PSMR".to_vec();
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&counter.to_le_bytes());
    out.extend_from_slice(&1_700_000_000_000u64.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&[1, b't']);
    match root {
        Some(address) => {
            out.push(1);
            out.extend_from_slice(&address);
        }
        None => out.push(0),
    }
    out.extend_from_slice(&len.to_le_bytes());
    let checksum = blake3::hash(&out);
    out.extend_from_slice(checksum.as_bytes());
    out
}

/// Stores `node` (encoded by hand) under its true address, as only a key holder could.
fn store_node(store: &mut MerkleStore<MemKvs>, node: &[u8]) -> [u8; 32] {
    let key = store
        .encrypted()
        .derive_subkey("pscheme-store merkle node address v1");
    let address = *blake3::keyed_hash(key.as_bytes(), node).as_bytes();
    sealed_put(store, NODES, &address, node.to_vec());
    address
}

fn fresh_store() -> MerkleStore<MemKvs> {
    let enc = EncryptedStore::create(MemKvs::new(), PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    MerkleStore::create(enc).unwrap()
}

#[test]
fn hand_built_store_matches_the_documented_format() {
    let mut store = fresh_store();
    // A leaf with the entries "a" -> "1" and "b" -> "22".
    let leaf = [
        1, 0, 0, 0, 2, 0, 1, 0, b'a', 0, 1, 0, b'1', 1, 0, b'b', 0, 2, 0, b'2', b'2',
    ];
    let address = store_node(&mut store, &leaf);
    sealed_put(
        &mut store,
        Domain(18),
        b"root",
        root_record(9, Some(address), 2),
    );
    let store = reopen(store);
    assert_eq!(store.info().txn_counter, 9);
    assert_eq!(store.get(b"t", b"b").unwrap(), Some(b"22".to_vec()));
    assert_eq!(store.len(b"t"), 2);
    assert_eq!(store.root_address(b"t").unwrap().as_bytes(), &address);
    assert!(store.fsck().unwrap().is_clean());
}

#[test]
fn misplaced_nodes_and_wrong_lengths_are_named() {
    let mut store = fresh_store();
    // A blob (kind 2) where the tree expects a leaf or branch.
    let blob = store_node(&mut store, &[1, 2, 0, 0, b'x']);
    sealed_put(
        &mut store,
        Domain(18),
        b"root",
        root_record(1, Some(blob), 1),
    );
    let report = store.fsck().unwrap();
    assert_eq!(report.malformed.first.len(), 1);
    assert_eq!(report.malformed.first[0].as_bytes(), &blob);
    let reopened = reopen(store);
    assert!(matches!(
        reopened.get(b"t", b"x"),
        Err(MerkleError::Corrupted { .. })
    ));

    // A well-formed one-entry leaf, recorded as holding 5 entries.
    let mut store = fresh_store();
    let leaf = store_node(&mut store, &[1, 0, 0, 0, 1, 0, 1, 0, b'k', 0, 0, 0]);
    sealed_put(
        &mut store,
        Domain(18),
        b"root",
        root_record(1, Some(leaf), 5),
    );
    let report = store.fsck().unwrap();
    assert_eq!(report.len_mismatch.count, 1);
    assert_eq!(report.len_mismatch.first[0].recorded, 5);
    assert_eq!(report.len_mismatch.first[0].counted, 1);
    assert!(report.malformed.is_empty());
}
