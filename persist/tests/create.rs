//! Creating a store is atomic: a store file appears at its path only once its header, key
//! check and first root record are durable. A leftover half-made sibling is cleaned up by
//! the next process that holds the store's lock; an existing store is never touched by a
//! create. (A creator killed at any moment: `create_kill.rs`.)

#[path = "common/creation.rs"]
mod creation;

use pscheme_persist::{HeapStore, KdfParams, PersistError};

use creation::{PASSPHRASE, assert_usable, creating, scratch, sibling};

#[test]
fn a_leftover_half_made_store_is_replaced() {
    let dir = scratch("leftover");
    let path = dir.join("store.pdb");
    // What a creator killed early leaves: garbage where SQLite was writing, and its log.
    std::fs::write(creating(&path), b"half a SQLite file").unwrap();
    std::fs::write(sibling(&path, ".creating-wal"), b"half a log").unwrap();
    assert_usable(&path, "after a leftover");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_leftover_beside_a_whole_store_is_removed_on_open() {
    let dir = scratch("leftover-open");
    let path = dir.join("store.pdb");
    drop(HeapStore::create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS).unwrap());
    std::fs::write(creating(&path), b"stale").unwrap();
    drop(HeapStore::open(&path, PASSPHRASE).unwrap());
    assert!(!creating(&path).exists(), "the leftover is removed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_leftover_is_kept_while_another_process_holds_the_store() {
    let dir = scratch("leftover-locked");
    let path = dir.join("store.pdb");
    let holder = HeapStore::create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS).unwrap();
    std::fs::write(creating(&path), b"not ours to remove").unwrap();
    let err = HeapStore::open_or_create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS)
        .expect_err("the store is in use");
    assert!(matches!(err, PersistError::InUse(_)), "{err}");
    let err = HeapStore::create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS)
        .expect_err("the store is in use");
    assert!(matches!(err, PersistError::InUse(_)), "{err}");
    assert_eq!(
        std::fs::read(creating(&path)).unwrap(),
        b"not ours to remove"
    );
    drop(holder);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn create_refuses_an_existing_store_and_open_or_create_opens_it() {
    let dir = scratch("exists");
    let path = dir.join("store.pdb");
    let store = HeapStore::create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let txn = store.commit_info().txn_counter;
    drop(store);
    let before = std::fs::read(&path).unwrap();
    let err = HeapStore::create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS)
        .expect_err("a store is there");
    assert!(matches!(err, PersistError::AlreadyExists(_)), "{err}");
    assert!(err.to_string().contains("store.pdb"), "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "create touched nothing"
    );
    let store =
        HeapStore::open_or_create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS).unwrap();
    assert_eq!(store.commit_info().txn_counter, txn);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_wrong_passphrase_on_a_created_store_is_reported_as_such() {
    let dir = scratch("wrong");
    let path = dir.join("store.pdb");
    drop(HeapStore::create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS).unwrap());
    let err = HeapStore::open(&path, b"not the passphrase").expect_err("wrong passphrase");
    assert!(err.is_wrong_passphrase(), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
