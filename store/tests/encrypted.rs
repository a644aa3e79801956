//! Layer 2: what the host can and cannot see or do to an `EncryptedStore`.

mod common;

use std::ops::ControlFlow;
use std::path::Path;

use common::{TempDir, contains};
use pscheme_store::{
    Batch, Domain, EncryptedStore, Error, FaultyKvs, KdfParams, Kvs, KvsError, MemKvs, RowKey,
    SqliteKvs, WriteBatch, is_reserved_row,
};

const PASS: &[u8] = b"correct horse battery staple";
const D: Domain = Domain(40);
const OTHER: Domain = Domain(41);
const FAST: KdfParams = KdfParams::INSECURE_FOR_TESTS;

fn create<K: Kvs>(kvs: K) -> EncryptedStore<K> {
    EncryptedStore::create(kvs, PASS, FAST).expect("create")
}

fn put(store: &mut EncryptedStore<impl Kvs>, domain: Domain, key: &[u8], value: &[u8]) {
    let mut batch = Batch::new();
    batch.put(domain, key, value.to_vec());
    store.commit(&batch).expect("commit");
}

fn raw_row(store: &EncryptedStore<impl Kvs>, row: &RowKey) -> Vec<u8> {
    store
        .kvs()
        .get(row.as_bytes())
        .unwrap()
        .expect("row exists")
}

fn overwrite_raw(store: &mut EncryptedStore<impl Kvs>, row: &RowKey, bytes: Vec<u8>) {
    let mut batch = WriteBatch::new();
    batch.put(row.as_bytes().to_vec(), bytes);
    store.kvs_mut().commit(&batch).unwrap();
}

fn sqlite_at(dir: &Path) -> SqliteKvs {
    SqliteKvs::open(dir.join("store.db")).unwrap()
}

fn round_trip<K: Kvs>(kvs: K) {
    let mut store = create(kvs);
    let mut batch = Batch::new();
    batch.put(D, b"a", b"alpha".to_vec());
    batch.put(D, b"b", Vec::new());
    batch.put(OTHER, b"a", vec![9; 100_000]);
    batch.put(D, b"gone", b"soon deleted".to_vec());
    store.commit(&batch).unwrap();
    let mut batch = Batch::new();
    batch.delete(D, b"gone");
    batch.delete(D, b"never there");
    batch.put(D, b"a", b"alpha 2".to_vec());
    store.commit(&batch).unwrap();

    assert_eq!(
        store.get(D, b"a").unwrap().as_deref(),
        Some(&b"alpha 2"[..])
    );
    assert_eq!(store.get(D, b"b").unwrap(), Some(Vec::new()));
    assert_eq!(store.get(OTHER, b"a").unwrap(), Some(vec![9; 100_000]));
    assert_eq!(store.get(D, b"gone").unwrap(), None);
    assert_eq!(store.get(D, b"never there").unwrap(), None);
    // The domain is part of the address.
    assert_ne!(store.row_key(D, b"a"), store.row_key(OTHER, b"a"));
}

#[test]
fn round_trip_on_mem() {
    round_trip(MemKvs::new());
}

#[test]
fn round_trip_on_sqlite() {
    let dir = TempDir::new("enc-roundtrip");
    round_trip(sqlite_at(dir.path()));
}

#[test]
fn a_commit_stopped_while_the_backend_writes_applies_nothing() {
    let dir = TempDir::new("enc-stopped");
    let mut store = create(sqlite_at(dir.path()));
    put(&mut store, D, b"before", b"kept");
    let mut batch = Batch::new();
    for i in 0..2_000u32 {
        batch.put(D, &i.to_be_bytes(), i.to_le_bytes().to_vec());
    }
    batch.delete(D, b"before");
    let mut asked = 0;
    let written = store
        .commit_unless(&batch, &mut || {
            asked += 1;
            asked == 3
        })
        .unwrap();
    assert!(!written);
    assert_eq!(asked, 3, "asked every 256 rows until told to stop");
    drop(store);
    let mut store = EncryptedStore::open(sqlite_at(dir.path()), PASS).unwrap();
    assert_eq!(store.get(D, &7u32.to_be_bytes()).unwrap(), None);
    assert_eq!(
        store.get(D, b"before").unwrap().as_deref(),
        Some(&b"kept"[..])
    );

    let mut asked = 0;
    let written = store
        .commit_unless(&batch, &mut || {
            asked += 1;
            false
        })
        .unwrap();
    assert!(written);
    assert_eq!(
        asked,
        2_000 / 256,
        "one question per 256 rows after the first"
    );
    assert_eq!(
        store.get(D, &7u32.to_be_bytes()).unwrap(),
        Some(7u32.to_le_bytes().to_vec())
    );
    assert_eq!(store.get(D, b"before").unwrap(), None);
}

#[test]
fn survives_close_and_reopen() {
    let dir = TempDir::new("enc-reopen");
    let mut store = create(sqlite_at(dir.path()));
    put(&mut store, D, b"persisted", b"still here");
    let row = store.row_key(D, b"persisted");
    let subkey = store.derive_subkey("test context");
    drop(store);

    let store = EncryptedStore::open(sqlite_at(dir.path()), PASS).unwrap();
    assert_eq!(
        store.get(D, b"persisted").unwrap().as_deref(),
        Some(&b"still here"[..])
    );
    assert_eq!(store.row_key(D, b"persisted"), row);
    assert_eq!(
        store.derive_subkey("test context").as_bytes(),
        subkey.as_bytes()
    );
}

#[test]
fn detached_keys_reattach_to_the_same_store_reopened_elsewhere() {
    let dir = TempDir::new("enc-detach");
    let first = dir.path().join("first.db");
    let mut store = create(SqliteKvs::open(&first).unwrap());
    put(&mut store, D, b"moved", b"with the file");
    let (keys, kvs) = store.detach().unwrap();
    drop(kvs);
    let moved = dir.path().join("moved.db");
    std::fs::rename(&first, &moved).unwrap();
    let store = keys.attach(SqliteKvs::open(&moved).unwrap()).unwrap();
    assert_eq!(
        store.get(D, b"moved").unwrap().as_deref(),
        Some(&b"with the file"[..])
    );
}

#[test]
fn detached_keys_refuse_another_store_or_a_damaged_key_check() {
    let (keys, _) = create(MemKvs::new()).detach().unwrap();
    let other = create(MemKvs::new()).into_inner();
    assert!(matches!(keys.attach(other), Err(Error::OtherStore)));

    let store = create(MemKvs::new());
    let (_, check_key) = reserved_rows(&store);
    let (keys, mut kvs) = store.detach().unwrap();
    let mut batch = WriteBatch::new();
    batch.delete(check_key);
    kvs.commit(&batch).unwrap();
    assert!(matches!(keys.attach(kvs), Err(Error::MissingKeyCheck)));
    assert!(matches!(
        create(MemKvs::new())
            .detach()
            .unwrap()
            .0
            .attach(MemKvs::new()),
        Err(Error::MissingHeader)
    ));
}

/// Scans the database, its WAL and shared-memory file for each needle.
fn files_containing(dir: &Path, needles: &[&[u8]]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for needle in needles {
            if contains(&bytes, needle) {
                found.push(format!(
                    "{} holds {:?}",
                    path.display(),
                    String::from_utf8_lossy(needle)
                ));
            }
        }
    }
    found
}

#[test]
fn sqlite_files_hold_no_plaintext() {
    let value = b"DISTINCTIVE-VALUE-4f1c9a".repeat(4);
    let key = b"DISTINCTIVE-KEY-82be01";
    let needles: [&[u8]; 3] = [&value, key, PASS];

    // Control: the raw backend does leak them, so the scan below can see plaintext.
    let control = TempDir::new("enc-control");
    let mut raw = sqlite_at(control.path());
    let mut batch = WriteBatch::new();
    batch.put(key.to_vec(), value.clone());
    raw.commit(&batch).unwrap();
    assert_eq!(files_containing(control.path(), &needles).len(), 2);

    let dir = TempDir::new("enc-scan");
    let mut store = create(sqlite_at(dir.path()));
    put(&mut store, D, key, &value);
    put(&mut store, D, b"small", b"DISTINCTIVE-SMALL");
    assert!(dir.path().join("store.db-wal").exists());
    // While open, the rows sit in the WAL; after close SQLite checkpoints them into the db.
    assert_eq!(files_containing(dir.path(), &needles), Vec::<String>::new());
    drop(store);
    assert_eq!(
        files_containing(dir.path(), &[&value, key, PASS, b"DISTINCTIVE-SMALL"]),
        Vec::<String>::new()
    );
    let store = EncryptedStore::open(sqlite_at(dir.path()), PASS).unwrap();
    assert_eq!(store.get(D, key).unwrap(), Some(value));
}

#[test]
fn same_value_twice_gives_different_bytes() {
    let mut store = create(MemKvs::new());
    let row = store.row_key(D, b"k");
    put(&mut store, D, b"k", b"same value");
    let first = raw_row(&store, &row);
    put(&mut store, D, b"k", b"same value");
    let second = raw_row(&store, &row);
    assert_ne!(first, second);
    put(&mut store, D, b"k2", b"same value");
    assert_ne!(
        raw_row(&store, &store.row_key(D, b"k2"))[24..],
        second[24..]
    );
    // Sealed layout: 24-byte nonce, ciphertext as long as the value, 16-byte tag.
    assert_eq!(first.len(), 24 + b"same value".len() + 16);
}

#[test]
fn backend_sees_only_32_byte_keys() {
    let mut store = create(MemKvs::new());
    put(&mut store, D, b"short", b"1");
    put(&mut store, D, &[7; 1000], b"2");
    let mut keys = Vec::new();
    store
        .for_each_raw_key(&mut |k| {
            keys.push(k.to_vec());
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(keys.len(), 4);
    assert!(keys.iter().all(|k| k.len() == 32));
    assert_eq!(keys.iter().filter(|k| is_reserved_row(k)).count(), 2);
    for k in keys.iter().filter(|k| !is_reserved_row(k)) {
        let row = RowKey::from_raw(k).unwrap();
        assert!(store.get_row(&row).unwrap().is_some());
    }
}

#[test]
fn every_flipped_byte_is_tampered() {
    let mut store = create(MemKvs::new());
    put(&mut store, D, b"k", b"a value worth protecting");
    let row = store.row_key(D, b"k");
    let sealed = raw_row(&store, &row);
    for i in 0..sealed.len() {
        let mut damaged = sealed.clone();
        damaged[i] ^= 0x01;
        overwrite_raw(&mut store, &row, damaged);
        match store.get(D, b"k") {
            Err(Error::Tampered { row: named }) => assert_eq!(named, row),
            other => panic!("byte {i}: {other:?}"),
        }
    }
    overwrite_raw(&mut store, &row, sealed);
    assert!(store.get(D, b"k").unwrap().is_some());
}

#[test]
fn truncated_or_extended_rows_are_tampered() {
    let mut store = create(MemKvs::new());
    put(&mut store, D, b"k", b"value");
    let row = store.row_key(D, b"k");
    let sealed = raw_row(&store, &row);
    for len in 0..sealed.len() {
        overwrite_raw(&mut store, &row, sealed[..len].to_vec());
        assert!(
            matches!(store.get(D, b"k"), Err(Error::Tampered { .. })),
            "len {len}"
        );
    }
    let mut longer = sealed.clone();
    longer.push(0);
    overwrite_raw(&mut store, &row, longer);
    assert!(matches!(store.get(D, b"k"), Err(Error::Tampered { .. })));
}

#[test]
fn swapped_values_are_tampered() {
    let mut store = create(MemKvs::new());
    put(&mut store, D, b"x", b"value of x");
    put(&mut store, D, b"y", b"value of y");
    let (rx, ry) = (store.row_key(D, b"x"), store.row_key(D, b"y"));
    let (vx, vy) = (raw_row(&store, &rx), raw_row(&store, &ry));
    overwrite_raw(&mut store, &rx, vy);
    overwrite_raw(&mut store, &ry, vx);
    assert!(matches!(store.get(D, b"x"), Err(Error::Tampered { row }) if row == rx));
    assert!(matches!(store.get(D, b"y"), Err(Error::Tampered { row }) if row == ry));
}

#[test]
fn rows_from_another_store_with_the_same_passphrase_are_tampered() {
    let mut a = create(MemKvs::new());
    let mut b = create(MemKvs::new());
    put(&mut a, D, b"k", b"from a");
    put(&mut b, D, b"k", b"from b");
    // Different salts give different keys: the row addresses differ too.
    assert_ne!(a.row_key(D, b"k"), b.row_key(D, b"k"));
    let row_a = a.row_key(D, b"k");
    let foreign = raw_row(&b, &b.row_key(D, b"k"));
    overwrite_raw(&mut a, &row_a, foreign);
    assert!(matches!(a.get(D, b"k"), Err(Error::Tampered { .. })));
}

#[test]
fn wrong_passphrase() {
    let dir = TempDir::new("enc-wrong-pass");
    let mut store = create(sqlite_at(dir.path()));
    put(&mut store, D, b"k", b"v");
    drop(store);
    let err =
        EncryptedStore::open(sqlite_at(dir.path()), b"correct horse battery stapl").unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
    let err = EncryptedStore::open(sqlite_at(dir.path()), b"").unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
    assert!(EncryptedStore::open(sqlite_at(dir.path()), PASS).is_ok());
}

#[test]
fn errors_never_contain_the_passphrase() {
    let store = create(MemKvs::new());
    let err = EncryptedStore::open(store.into_inner(), b"wrong secret").unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("wrong secret") && !text.contains("correct horse"));
    let key = EncryptedStore::open(create(MemKvs::new()).into_inner(), PASS)
        .unwrap()
        .derive_subkey("x");
    assert_eq!(format!("{key:?}"), "Key(<redacted>)");
}

/// The two fixed rows, by deleting or damaging them through the backend.
fn reserved_rows(store: &EncryptedStore<impl Kvs>) -> (Vec<u8>, Vec<u8>) {
    let mut keys = Vec::new();
    store
        .for_each_raw_key(&mut |k| {
            if is_reserved_row(k) {
                keys.push(k.to_vec());
            }
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(keys.len(), 2);
    (keys[0].clone(), keys[1].clone()) // ascending: header (all zeros) first
}

#[test]
fn missing_or_garbled_header_has_its_own_errors() {
    let store = create(MemKvs::new());
    let (header_key, _) = reserved_rows(&store);
    let mut kvs = store.into_inner();
    let header = kvs.get(&header_key).unwrap().unwrap();

    let mut with = |bytes: Option<Vec<u8>>| {
        let mut batch = WriteBatch::new();
        match bytes {
            Some(b) => batch.put(header_key.clone(), b),
            None => batch.delete(header_key.clone()),
        }
        kvs.commit(&batch).unwrap();
        EncryptedStore::open(kvs.clone(), PASS).map(|_| ())
    };
    assert!(matches!(with(None), Err(Error::MissingHeader)));
    assert!(matches!(
        with(Some(Vec::new())),
        Err(Error::BadHeader { .. })
    ));
    assert!(matches!(
        with(Some(b"garbage".repeat(8))),
        Err(Error::BadHeader { .. })
    ));
    let mut future = header.clone();
    future[8] = 2;
    assert!(matches!(
        with(Some(future)),
        Err(Error::UnsupportedVersion {
            found: 2,
            supported: 1
        })
    ));
    let mut hostile = header.clone();
    hostile[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(with(Some(hostile)), Err(Error::BadHeader { .. })));
    // A changed salt derives another key: indistinguishable from a wrong passphrase.
    let mut salted = header.clone();
    salted[30] ^= 1;
    assert!(matches!(with(Some(salted)), Err(Error::WrongPassphrase)));
    assert!(with(Some(header)).is_ok());
}

#[test]
fn missing_key_check_row() {
    let store = create(MemKvs::new());
    let (_, check_key) = reserved_rows(&store);
    let mut kvs = store.into_inner();
    let mut batch = WriteBatch::new();
    batch.delete(check_key);
    kvs.commit(&batch).unwrap();
    assert!(matches!(
        EncryptedStore::open(kvs, PASS),
        Err(Error::MissingKeyCheck)
    ));
}

#[test]
fn open_on_an_empty_backend_is_missing_header() {
    assert!(matches!(
        EncryptedStore::open(MemKvs::new(), PASS),
        Err(Error::MissingHeader)
    ));
}

#[test]
fn create_refuses_a_non_empty_backend_and_bad_params() {
    let store = create(MemKvs::new());
    assert!(matches!(
        EncryptedStore::create(store.into_inner(), PASS, FAST),
        Err(Error::NotEmpty)
    ));
    let zero_passes = KdfParams { t_cost: 0, ..FAST };
    assert!(matches!(
        EncryptedStore::create(MemKvs::new(), PASS, zero_passes),
        Err(Error::InvalidKdfParams)
    ));
}

#[test]
fn reserved_rows_are_not_readable_as_values() {
    let store = create(MemKvs::new());
    let (header, check) = reserved_rows(&store);
    for raw in [header, check] {
        let row = RowKey::from_raw(&raw).unwrap();
        assert!(matches!(store.get_row(&row), Err(Error::Tampered { .. })));
    }
}

#[test]
fn delete_row_removes_a_stray_row() {
    let mut store = create(MemKvs::new());
    let stray = RowKey([0xEE; 32]);
    overwrite_raw(&mut store, &stray, b"junk".to_vec());
    assert!(matches!(store.get_row(&stray), Err(Error::Tampered { .. })));
    let mut batch = Batch::new();
    batch.delete_row(stray);
    store.commit(&batch).unwrap();
    assert_eq!(store.get_row(&stray).unwrap(), None);
}

#[test]
fn subkeys_are_independent_per_context_and_store() {
    let a = create(MemKvs::new());
    let b = create(MemKvs::new());
    assert_ne!(
        a.derive_subkey("one").as_bytes(),
        a.derive_subkey("two").as_bytes()
    );
    assert_ne!(
        a.derive_subkey("one").as_bytes(),
        b.derive_subkey("one").as_bytes()
    );
    assert_eq!(
        a.derive_subkey("one").as_bytes(),
        a.derive_subkey("one").as_bytes()
    );
}

#[test]
fn failed_commit_leaves_previous_state() {
    let dir = TempDir::new("enc-fault");
    let mut store = create(FaultyKvs::new(sqlite_at(dir.path())));
    put(&mut store, D, b"kept", b"old");
    put(&mut store, D, b"doomed", b"old too");
    let mut batch = Batch::new();
    batch.put(D, b"kept", b"new".to_vec());
    batch.delete(D, b"doomed");
    batch.put(D, b"fresh", b"never visible".to_vec());
    store.kvs_mut().fail_after_writes(2);
    assert!(matches!(
        store.commit(&batch),
        Err(Error::Kvs(KvsError::InjectedFault { .. }))
    ));
    let check = |store: &EncryptedStore<_>| {
        assert_eq!(store.get(D, b"kept").unwrap().as_deref(), Some(&b"old"[..]));
        assert_eq!(
            store.get(D, b"doomed").unwrap().as_deref(),
            Some(&b"old too"[..])
        );
        assert_eq!(store.get(D, b"fresh").unwrap(), None);
    };
    check(&store);
    drop(store);
    let store = EncryptedStore::open(FaultyKvs::new(sqlite_at(dir.path())), PASS).unwrap();
    check(&store);
}

#[test]
fn hostile_reserved_rows_never_panic() {
    let store = create(MemKvs::new());
    let (header_key, check_key) = reserved_rows(&store);
    let base = store.into_inner();
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..300 {
        let mut kvs = base.clone();
        let target = if round % 2 == 0 {
            &header_key
        } else {
            &check_key
        };
        let mut bytes = kvs.get(target).unwrap().unwrap();
        // Truncate, extend, or overwrite a few random bytes.
        match next() % 3 {
            0 => bytes.truncate((next() % (bytes.len() as u64 + 1)) as usize),
            1 => bytes.extend((0..next() % 40).map(|_| next() as u8)),
            _ => {
                for _ in 0..=next() % 4 {
                    let i = (next() % bytes.len() as u64) as usize;
                    // Random argon2 costs within bounds could legitimately ask for GiBs;
                    // the header unit tests cover those bytes.
                    if target == &check_key || !(12..24).contains(&i) {
                        bytes[i] = next() as u8;
                    }
                }
            }
        }
        let mut batch = WriteBatch::new();
        batch.put(target.clone(), bytes);
        kvs.commit(&batch).unwrap();
        // Every outcome is a value or a typed error; decoding never panics.
        if let Ok(store) = EncryptedStore::open(kvs, PASS) {
            let _ = store.get(D, b"k");
        }
    }
}

/// Random batches, some failing midway through the backend transaction, against a model.
#[test]
fn random_batches_with_faults_match_model() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use std::collections::BTreeMap;

    let key = (0u8..2, prop::collection::vec(0u8..4, 0..3));
    let op = (
        key,
        prop::option::of(prop::collection::vec(any::<u8>(), 0..40)),
    );
    let step = (prop::collection::vec(op, 0..12), prop::option::of(0u64..12));
    let mut runner = TestRunner::new(Config {
        cases: 32,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(step, 1..10), |steps| {
            let mut store = create(FaultyKvs::new(MemKvs::new()));
            let mut model: BTreeMap<(u8, Vec<u8>), Vec<u8>> = BTreeMap::new();
            for (ops, fault_after) in steps {
                let mut batch = Batch::new();
                let mut next = model.clone();
                for ((domain, key), value) in ops {
                    match value {
                        Some(v) => {
                            batch.put(Domain(domain + 40), &key, v.clone());
                            next.insert((domain, key), v);
                        }
                        None => {
                            batch.delete(Domain(domain + 40), &key);
                            next.remove(&(domain, key));
                        }
                    }
                }
                let fails = fault_after.is_some_and(|n| n < batch.len() as u64);
                if let Some(n) = fault_after {
                    store.kvs_mut().fail_after_writes(n);
                }
                let result = store.commit(&batch);
                store.kvs_mut().disarm();
                prop_assert_eq!(result.is_err(), fails);
                if !fails {
                    model = next;
                }
                // Every modelled key reads back, and the row count rules out extra rows.
                for ((domain, key), value) in &model {
                    let got = store.get(Domain(domain + 40), key).unwrap();
                    prop_assert_eq!(got.as_ref(), Some(value));
                }
                let rows = store.kvs().keys().unwrap().len();
                prop_assert_eq!(rows, model.len() + 2);
            }
            Ok(())
        })
        .unwrap();
}

/// A commit hands rows to the backend in row-key order, not batch order; of several
/// operations on one key, the last queued must still win, whatever rows lie between.
#[test]
fn later_operation_on_a_key_wins_among_many_rows() {
    let mut store = create(MemKvs::new());
    let mut batch = Batch::new();
    for round in 0u8..3 {
        for i in 0u32..200 {
            let key = i.to_be_bytes();
            match (i % 4, round) {
                (0, 2) => batch.delete(D, &key),
                (1, 1) => batch.delete(D, &key),
                _ => batch.put(D, &key, vec![round; 3]),
            }
        }
    }
    store.commit(&batch).expect("commit");
    for i in 0u32..200 {
        let want = match i % 4 {
            0 => None,
            _ => Some(vec![2; 3]),
        };
        assert_eq!(store.get(D, &i.to_be_bytes()).unwrap(), want, "key {i}");
    }
}

/// Every raw backend key, reserved rows included.
fn raw_keys(store: &EncryptedStore<impl Kvs>) -> Vec<Vec<u8>> {
    let mut keys = Vec::new();
    store
        .for_each_raw_key(&mut |key| {
            keys.push(key.to_vec());
            ControlFlow::Continue(())
        })
        .unwrap();
    keys
}

/// Rows in two domains over two commits, for a clear to remove.
fn fill_before_clear(store: &mut EncryptedStore<impl Kvs>) {
    let mut batch = Batch::new();
    for i in 0..50u32 {
        batch.put(D, &i.to_be_bytes(), vec![1; 40]);
    }
    batch.put(OTHER, b"other", b"old".to_vec());
    store.commit(&batch).unwrap();
    put(store, D, b"kept?", b"old value");
}

/// A batch that puts, clears, then puts and deletes.
fn clearing_batch() -> Batch {
    let mut batch = Batch::new();
    batch.put(D, b"void", b"put before the clear".to_vec());
    batch.clear();
    batch.put(D, b"kept?", b"new value".to_vec());
    batch.put(D, b"after", b"put after the clear".to_vec());
    batch.put(OTHER, b"gone", b"put, then deleted".to_vec());
    batch.delete(OTHER, b"gone");
    batch
}

#[test]
fn a_cleared_commit_keeps_header_and_a_fresh_key_check() {
    let dir = TempDir::new("enc-clear");
    let mut store = create(sqlite_at(dir.path()));
    fill_before_clear(&mut store);
    let (header_row, check_row) = reserved_rows(&store);
    let raw = |store: &EncryptedStore<SqliteKvs>, row: &[u8]| store.kvs().get(row).unwrap();
    let (header, key_check) = (raw(&store, &header_row), raw(&store, &check_row));
    assert_eq!(raw_keys(&store).len(), 2 + 52);

    store.commit(&clearing_batch()).unwrap();
    let check = |store: &EncryptedStore<SqliteKvs>| {
        let keys = raw_keys(store);
        assert_eq!(keys.len(), 2 + 2, "header, key check, two rows");
        assert_eq!(keys.iter().filter(|k| is_reserved_row(k)).count(), 2);
        assert_eq!(
            store.get(D, b"kept?").unwrap().as_deref(),
            Some(&b"new value"[..])
        );
        assert_eq!(
            store.get(D, b"after").unwrap().as_deref(),
            Some(&b"put after the clear"[..])
        );
        for (domain, key) in [
            (D, &b"void"[..]),
            (D, &7u32.to_be_bytes()),
            (OTHER, b"other"),
        ] {
            assert_eq!(store.get(domain, key).unwrap(), None);
        }
        assert_eq!(store.get(OTHER, b"gone").unwrap(), None);
    };
    check(&store);
    assert_eq!(raw(&store, &header_row), header);
    let resealed = raw(&store, &check_row);
    assert!(resealed.is_some());
    assert_ne!(resealed, key_check, "the key check is sealed anew");
    drop(store);

    let err = EncryptedStore::open(sqlite_at(dir.path()), b"not the passphrase").unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase), "{err:?}");
    let mut store = EncryptedStore::open(sqlite_at(dir.path()), PASS).unwrap();
    check(&store);
    put(&mut store, OTHER, b"later", b"ordinary commit");
    assert_eq!(raw_keys(&store).len(), 2 + 3);
}

#[test]
fn a_cleared_commit_that_fails_anywhere_changes_nothing() {
    let dir = TempDir::new("enc-clear-fault");
    let mut store = create(FaultyKvs::new(sqlite_at(dir.path())));
    fill_before_clear(&mut store);
    let before = raw_keys(&store);
    let batch = clearing_batch();
    // Backend writes: the clear, header, key check, then the batch's four operations.
    for allowed in 0..7 {
        store.kvs_mut().fail_after_writes(allowed);
        assert!(
            matches!(
                store.commit(&batch),
                Err(Error::Kvs(KvsError::InjectedFault { .. }))
            ),
            "fault after {allowed} writes"
        );
        assert_eq!(raw_keys(&store), before);
        assert_eq!(
            store.get(D, b"kept?").unwrap().as_deref(),
            Some(&b"old value"[..])
        );
    }
    drop(store);
    let mut store = EncryptedStore::open(FaultyKvs::new(sqlite_at(dir.path())), PASS).unwrap();
    assert_eq!(raw_keys(&store), before);
    store.commit(&batch).unwrap();
    assert_eq!(raw_keys(&store).len(), 2 + 2);
}
