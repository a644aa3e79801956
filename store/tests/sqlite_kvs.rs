//! SqliteKvs behavior beyond the shared conformance suite: foreign and damaged files.

mod common;

use common::TempDir;
use pscheme_store::{Kvs, KvsError, SqliteKvs, SqliteOptions, Synchronous, WriteBatch};

fn one_put() -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.put(b"key".to_vec(), b"value".to_vec());
    batch
}

#[test]
fn uses_wal_and_every_synchronous_setting_works() {
    let dir = TempDir::new("sqlite-sync");
    for (i, sync) in [
        Synchronous::Off,
        Synchronous::Normal,
        Synchronous::Full,
        Synchronous::Extra,
    ]
    .into_iter()
    .enumerate()
    {
        let path = dir.path().join(format!("s{i}.db"));
        let options = SqliteOptions::default()
            .synchronous(sync)
            .cache_size_kib(512);
        let mut kvs = SqliteKvs::open_with(&path, options).unwrap();
        kvs.commit(&one_put()).unwrap();
        assert!(
            path.with_extension("db-wal").exists(),
            "no WAL file for {sync:?}"
        );
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(kvs.get(b"key").unwrap().as_deref(), Some(&b"value"[..]));
    }
}

#[test]
fn garbage_file_is_corrupted_and_named() {
    let dir = TempDir::new("sqlite-garbage");
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let err = SqliteKvs::open(&path).unwrap_err();
    assert!(matches!(err, KvsError::Corrupted { .. }), "{err:?}");
    assert!(err.to_string().contains("garbage.db"), "{err}");
}

#[test]
fn foreign_sqlite_database_is_refused() {
    let dir = TempDir::new("sqlite-foreign");
    let path = dir.path().join("foreign.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE people (name TEXT)")
        .unwrap();
    let err = SqliteKvs::open(&path).unwrap_err();
    assert!(
        matches!(&err, KvsError::Corrupted { detail, .. } if detail.contains("not a pscheme store")),
        "{err:?}"
    );
}

#[test]
fn future_schema_version_is_refused() {
    let dir = TempDir::new("sqlite-version");
    let path = dir.path().join("store.db");
    drop(SqliteKvs::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = SqliteKvs::open(&path).unwrap_err();
    assert!(
        matches!(&err, KvsError::Corrupted { detail, .. } if detail.contains("schema version 99")),
        "{err:?}"
    );
}

/// The user version and the table's SQL of the file at `path`.
fn schema(path: &std::path::Path) -> (i32, String) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let version = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    let sql = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'kv'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    (version, sql)
}

#[test]
fn a_new_file_gets_schema_2_and_a_schema_1_file_keeps_its_own() {
    let dir = TempDir::new("sqlite-schema");
    let new = dir.path().join("new.db");
    let mut kvs = SqliteKvs::open(&new).unwrap();
    kvs.commit(&one_put()).unwrap();
    let (version, sql) = schema(&new);
    assert_eq!(version, 2);
    assert!(
        sql.contains("UNIQUE") && !sql.contains("WITHOUT ROWID"),
        "{sql}"
    );

    let old = dir.path().join("old.db");
    common::create_schema_1_file(&old);
    let mut kvs = SqliteKvs::open(&old).unwrap();
    kvs.commit(&one_put()).unwrap();
    assert_eq!(kvs.get(b"key").unwrap().as_deref(), Some(&b"value"[..]));
    drop(kvs);
    let (version, sql) = schema(&old);
    assert_eq!(version, 1);
    assert!(sql.contains("WITHOUT ROWID"), "{sql}");
}

#[test]
fn non_blob_cells_are_corruption_not_panics() {
    let dir = TempDir::new("sqlite-text");
    let path = dir.path().join("store.db");
    let mut kvs = SqliteKvs::open(&path).unwrap();
    kvs.commit(&one_put()).unwrap();
    // A host editing the file by hand; SQLite columns are loosely typed.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("INSERT INTO kv (k, v) VALUES (X'01', 'text value'), ('text key', X'02')")
        .unwrap();
    assert!(matches!(kvs.get(&[1]), Err(KvsError::Corrupted { .. })));
    assert!(matches!(kvs.keys(), Err(KvsError::Corrupted { .. })));
    assert!(matches!(
        kvs.for_each_entry(&mut |_, _| std::ops::ControlFlow::Continue(())),
        Err(KvsError::Corrupted { .. })
    ));
    assert_eq!(kvs.get(b"key").unwrap().as_deref(), Some(&b"value"[..]));
}

#[test]
fn unopenable_paths_name_file_and_operation() {
    let dir = TempDir::new("sqlite-missing-dir");
    let path = dir.path().join("no-such-dir").join("store.db");
    let err = SqliteKvs::open(&path).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, KvsError::Io { operation: "open store directory", source, .. }
            if source.kind() == std::io::ErrorKind::NotFound),
        "{err:?}"
    );
    assert!(text.contains("no-such-dir"), "{text}");

    // A path SQLite cannot open as a database file at all: a directory.
    let err = SqliteKvs::open(dir.path()).unwrap_err();
    assert!(
        matches!(
            err,
            KvsError::Sqlite {
                operation: "open database",
                ..
            }
        ),
        "{err:?}"
    );
}
