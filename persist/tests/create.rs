//! Creating a store is atomic: a store file appears at its path only once its header, key
//! check and first root record are durable. A creator killed at any moment leaves either no
//! store or a whole one, never a file that a later open mistakes for a wrong passphrase or a
//! damaged store; a leftover half-made sibling is cleaned up by the next process that holds
//! the store's lock.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pscheme_persist::{HeapStore, KdfParams, PersistError};

const PASSPHRASE: &[u8] = b"create test passphrase";
/// The child process of `creation_survives_sigkill_at_random_moments` creates stores in this
/// directory until it is killed.
const CHILD_DIR_ENV: &str = "PSCHEME_CREATE_CHILD_DIR";
const KILLS: usize = 40;

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("create-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test's directory");
    dir
}

/// `<path><suffix>`, as the store names its siblings.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The half-made store's name while it is being created.
fn creating(path: &Path) -> PathBuf {
    sibling(path, ".creating")
}

/// The store at `path` is whole: it opens with the passphrase, holds no heap yet, checks
/// clean, and no half-made sibling is left beside it.
fn assert_usable(path: &Path, context: &str) {
    let store = HeapStore::open_or_create(path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS)
        .unwrap_or_else(|e| panic!("{context}: open_or_create failed: {e}"));
    assert!(
        store.load().expect("load").is_none(),
        "{context}: a fresh store holds no heap"
    );
    assert!(store.fsck().expect("fsck").is_clean(), "{context}: fsck");
    for suffix in [".creating", ".creating-wal", ".creating-shm"] {
        assert!(
            !sibling(path, suffix).exists(),
            "{context}: {suffix} left beside the store"
        );
    }
}

/// Run as a child process by the next test: creates the store `store.pdb` over and over
/// (creating, closing, deleting) until it is killed, so that a kill at a random moment falls
/// anywhere inside `HeapStore::create`.
#[test]
#[ignore = "the child process of creation_survives_sigkill_at_random_moments"]
fn create_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV).map(PathBuf::from) else {
        eprintln!("create_until_killed runs only as the child of its parent test");
        return;
    };
    let path = dir.join("store.pdb");
    loop {
        let store = HeapStore::open_or_create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS)
            .expect("the child creates the store");
        drop(store);
        std::fs::remove_file(&path).expect("the child deletes the store");
    }
}

#[test]
fn creation_survives_sigkill_at_random_moments() {
    let seed = fastrand::u64(..);
    eprintln!("create kill test seed {seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = scratch("sigkill");
    let path = dir.join("store.pdb");
    let start = Instant::now();
    let mut half_made = 0;
    for kill in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().expect("the test binary"))
            .args(["--ignored", "--exact", "create_until_killed", "--nocapture"])
            .env(CHILD_DIR_ENV, &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the child");
        // The child needs a few milliseconds to start; then it creates a store every few.
        std::thread::sleep(Duration::from_millis(5 + rng.u64(..60)));
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("kill {kill}: the child stopped by itself ({status}): {err}");
        }
        child.kill().expect("SIGKILL the child");
        child.wait().expect("reap the child");
        if creating(&path).exists() {
            half_made += 1;
        }
        assert_usable(&path, &format!("after kill {kill} (seed {seed})"));
        std::fs::remove_file(&path).expect("delete the store for the next child");
    }
    eprintln!(
        "{KILLS} kills in {:?}; {half_made} left a half-made store behind",
        start.elapsed()
    );
    // Creation is mostly SQLite commits on the half-made file, so most kills land there; if
    // none did, the test proved nothing.
    assert!(half_made > 0, "no kill fell inside a creation");
    let _ = std::fs::remove_dir_all(&dir);
}

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
