//! Helpers shared by the store's integration tests.
#![allow(dead_code, unused_macros)] // each test binary uses a different subset

#[macro_use]
pub mod kvs_conformance;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use pscheme_store::Kvs;
use pscheme_store::merkle::{Commit, Txn};

/// Commits `txn`, telling it to stop at its `stop_at`th question whether to stop (never, if
/// it asks fewer times); returns what it did and how often it asked.
pub fn commit_stopping_at<K: Kvs>(txn: Txn<'_, K>, stop_at: usize) -> (Commit<'_, K>, usize) {
    let mut asked = 0;
    let commit = txn
        .commit_unless(&mut || {
            asked += 1;
            asked == stop_at
        })
        .unwrap();
    (commit, asked)
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "pscheme-store-{label}-{}-{n}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Stops owning the directory (a child process or a later test step still needs it).
    pub fn keep(self) -> PathBuf {
        let path = self.0.clone();
        std::mem::forget(self);
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether `needle` occurs anywhere in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Makes `path` a store of SQLite schema 1 (a `WITHOUT ROWID` table ordered by key),
/// exactly as the builds before schema 2 created one; such files must keep working.
pub fn create_schema_1_file(path: &Path) {
    rusqlite::Connection::open(path)
        .expect("create schema 1 file")
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             BEGIN IMMEDIATE;
             CREATE TABLE kv (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID;
             PRAGMA application_id = 1886610280;
             PRAGMA user_version = 1;
             COMMIT;",
        )
        .expect("schema 1 statements");
}
