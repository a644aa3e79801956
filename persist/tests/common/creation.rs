//! Scratch directories and checks shared by the store-creation tests.

use std::path::{Path, PathBuf};

use pscheme_persist::{HeapStore, KdfParams};

pub const PASSPHRASE: &[u8] = b"create test passphrase";

/// A fresh directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("create-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test's directory");
    dir
}

/// `<path><suffix>`, as the store names its siblings.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The half-made store's name while it is being created.
pub fn creating(path: &Path) -> PathBuf {
    sibling(path, ".creating")
}

/// The store at `path` is whole: it opens with the passphrase, holds no heap yet, checks
/// clean, and no half-made sibling is left beside it.
pub fn assert_usable(path: &Path, context: &str) {
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
