use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, params};

use super::{EntryVisitor, KeyVisitor, Kvs, KvsError, OpHook, WriteBatch, WriteOp};

/// Marks a SQLite file as a pscheme key-value store (`PRAGMA application_id`, "psch").
const APPLICATION_ID: i32 = 0x7073_6368;
/// Version of the SQL schema a new file gets (`PRAGMA user_version`). See
/// docs/storage-format.md.
const SCHEMA_VERSION: i32 = 2;
/// The first schema, a `WITHOUT ROWID` table ordered by key. Files made with it still open
/// and work: every statement below reads and writes both tables alike.
const SCHEMA_VERSION_KEY_ORDERED: i32 = 1;

/// Rows are stored in insertion order (rowid) and found through a separate index of the
/// keys. Row keys are uniform hashes, so a table ordered by key (schema 1) put every new
/// row on a random 4 KiB page, and a commit rewrote about one page per row. Here the rows
/// of a commit share the pages at the table's end, and only the index, whose entries are
/// about ten times smaller than a row, takes the random writes (docs/performance.md).
const CREATE_TABLE: &str = "CREATE TABLE kv (k BLOB NOT NULL UNIQUE, v BLOB NOT NULL)";
const SELECT_ONE: &str = "SELECT v FROM kv WHERE k = ?1";
const SELECT_KEYS: &str = "SELECT k FROM kv ORDER BY k";
const SELECT_ALL: &str = "SELECT k, v FROM kv ORDER BY k";
const UPSERT: &str =
    "INSERT INTO kv (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v";
const DELETE: &str = "DELETE FROM kv WHERE k = ?1";
/// No WHERE clause (and the table has no trigger): SQLite's truncate optimisation frees
/// the table's and the index's pages wholesale instead of visiting each row, ~12 ms for a
/// 19k-row, 13 MB store against hundreds of ms for per-row deletes.
const CLEAR: &str = "DELETE FROM kv";
/// Deferred: the snapshot is taken by the first read, so an unused one costs no lock.
const BEGIN_READ: &str = "BEGIN DEFERRED";
const END_READ: &str = "COMMIT";
const ABANDON_READ: &str = "ROLLBACK";

/// SQLite's `synchronous` setting: how hard a commit pushes data to stable storage.
///
/// Only [`Synchronous::Full`] (the default) and [`Synchronous::Extra`] give the
/// [`Kvs`] durability promise across power loss; `Normal` in WAL mode may lose the last
/// commits on power loss (never on process death) and exists for benchmarks and caches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Synchronous {
    /// `synchronous=OFF`: never syncs; power loss may corrupt the file. Only for a file
    /// that is worthless until its builder syncs it and publishes it (a store built at a
    /// temporary path and renamed into place), where every sync before that buys nothing.
    Off,
    /// `synchronous=NORMAL`: WAL is synced at checkpoints only.
    Normal,
    /// `synchronous=FULL`: the WAL is synced on every commit.
    #[default]
    Full,
    /// `synchronous=EXTRA`: like `Full`, and also syncs the directory after deletions.
    Extra,
}

impl Synchronous {
    fn pragma_value(self) -> &'static str {
        match self {
            Synchronous::Off => "OFF",
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
            Synchronous::Extra => "EXTRA",
        }
    }
}

/// Connection settings for [`SqliteKvs::open_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SqliteOptions {
    synchronous: Synchronous,
    cache_size_kib: Option<u32>,
}

impl SqliteOptions {
    /// Sets the durability level (default [`Synchronous::Full`]).
    #[must_use]
    pub fn synchronous(mut self, synchronous: Synchronous) -> Self {
        self.synchronous = synchronous;
        self
    }

    /// Bounds SQLite's page cache, in KiB (default: SQLite's own, 2 MiB). Large commits
    /// spill pages with the default; the heap store (pscheme-persist) and `benches/kvs.rs`
    /// use 64 MiB (docs/performance.md).
    #[must_use]
    pub fn cache_size_kib(mut self, kib: u32) -> Self {
        self.cache_size_kib = Some(kib);
        self
    }
}

/// The durable backend: one SQLite file in WAL mode holding one table of BLOB keys and
/// values, with an index of the keys. Each [`Kvs::commit`] is one `BEGIN IMMEDIATE`
/// transaction.
/// The schema is in `docs/storage-format.md`.
///
/// Outside a read snapshot every read is its own read transaction, which takes and drops
/// the WAL's shared-memory read lock (an `fcntl` each way); [`Kvs::begin_read_snapshot`]
/// opens one read transaction for many reads.
#[derive(Debug)]
pub struct SqliteKvs {
    conn: Connection,
    path: PathBuf,
    /// Open [`Kvs::begin_read_snapshot`] calls; the read transaction is open while above 0.
    snapshot_depth: Cell<u32>,
}

impl SqliteKvs {
    /// Opens (creating if missing) the store at `path` with default options
    /// (`synchronous=FULL`).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, KvsError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// Opens (creating if missing) the store at `path` with the given options.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, KvsError> {
        let path = path.as_ref().to_path_buf();
        // SQLite would only say "unable to open database file"; name the missing directory.
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if let Err(source) = std::fs::metadata(dir) {
            return Err(KvsError::Io {
                path: dir.to_path_buf(),
                operation: "open store directory",
                source,
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags)
            .map_err(|source| sqlite_error(&path, "open database", source))?;
        let mut kvs = Self {
            conn,
            path,
            snapshot_depth: Cell::new(0),
        };
        kvs.configure(options)?;
        kvs.init_schema()?;
        Ok(kvs)
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn configure(&self, options: SqliteOptions) -> Result<(), KvsError> {
        let err = |source| sqlite_error(&self.path, "configure connection", source);
        self.conn
            .busy_timeout(Duration::from_secs(5))
            .map_err(err)?;
        // Before the journal mode: switching a new file to WAL writes its header through a
        // rollback journal, synced or not as this says.
        self.conn
            .pragma_update(None, "synchronous", options.synchronous.pragma_value())
            .map_err(err)?;
        let mode: String = self
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(KvsError::Corrupted {
                path: self.path.clone(),
                detail: format!("could not switch to WAL journal mode (got {mode:?})"),
            });
        }
        if let Some(kib) = options.cache_size_kib {
            // A negative cache_size is in KiB rather than pages.
            self.conn
                .pragma_update(None, "cache_size", -i64::from(kib))
                .map_err(err)?;
        }
        Ok(())
    }

    /// Creates the table in a fresh file, or checks that an existing file is ours.
    fn init_schema(&mut self) -> Result<(), KvsError> {
        let path = self.path.clone();
        let err = |source| sqlite_error(&path, "initialize schema", source);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let app_id: i32 = tx
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .map_err(err)?;
        let version: i32 = tx
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(err)?;
        let tables: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .map_err(err)?;
        if app_id == 0 && version == 0 && tables == 0 {
            tx.execute_batch(CREATE_TABLE).map_err(err)?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(err)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(err)?;
            tx.commit().map_err(err)?;
            return Ok(());
        }
        if app_id != APPLICATION_ID {
            return Err(KvsError::Corrupted {
                path,
                detail: format!("not a pscheme store (application_id {app_id:#x})"),
            });
        }
        if version != SCHEMA_VERSION && version != SCHEMA_VERSION_KEY_ORDERED {
            return Err(KvsError::Corrupted {
                path,
                detail: format!(
                    "unsupported schema version {version} (this build reads \
                     {SCHEMA_VERSION_KEY_ORDERED} and {SCHEMA_VERSION})"
                ),
            });
        }
        Ok(())
    }
}

impl SqliteKvs {
    /// Runs one parameterless statement through the statement cache.
    fn run_cached(&self, sql: &str, operation: &'static str) -> Result<(), KvsError> {
        let err = |source| sqlite_error(&self.path, operation, source);
        self.conn
            .prepare_cached(sql)
            .and_then(|mut stmt| stmt.execute([]))
            .map_err(err)?;
        Ok(())
    }
}

impl Kvs for SqliteKvs {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvsError> {
        let err = |source| sqlite_error(&self.path, "get", source);
        let mut stmt = self.conn.prepare_cached(SELECT_ONE).map_err(err)?;
        let mut rows = stmt.query([key]).map_err(err)?;
        match rows.next().map_err(err)? {
            None => Ok(None),
            Some(row) => {
                let value = row.get_ref(0).map_err(err)?;
                Ok(Some(blob(&self.path, value, "value")?.to_vec()))
            }
        }
    }

    fn for_each_key(&self, visit: KeyVisitor<'_>) -> Result<(), KvsError> {
        let err = |source| sqlite_error(&self.path, "iterate keys", source);
        let mut stmt = self.conn.prepare_cached(SELECT_KEYS).map_err(err)?;
        let mut rows = stmt.query([]).map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            let key = blob(&self.path, row.get_ref(0).map_err(err)?, "key")?;
            if visit(key).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn for_each_entry(&self, visit: EntryVisitor<'_>) -> Result<(), KvsError> {
        let err = |source| sqlite_error(&self.path, "iterate entries", source);
        let mut stmt = self.conn.prepare_cached(SELECT_ALL).map_err(err)?;
        let mut rows = stmt.query([]).map_err(err)?;
        while let Some(row) = rows.next().map_err(err)? {
            let key = blob(&self.path, row.get_ref(0).map_err(err)?, "key")?;
            let value = blob(&self.path, row.get_ref(1).map_err(err)?, "value")?;
            if visit(key, value).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn begin_read_snapshot(&self) -> Result<(), KvsError> {
        let depth = self.snapshot_depth.get();
        if depth == 0 {
            self.run_cached(BEGIN_READ, "begin read snapshot")?;
        }
        self.snapshot_depth.set(depth + 1);
        Ok(())
    }

    fn end_read_snapshot(&self) -> Result<(), KvsError> {
        let depth = self.snapshot_depth.get();
        if depth == 0 {
            return Ok(());
        }
        self.snapshot_depth.set(depth - 1);
        if depth > 1 {
            return Ok(());
        }
        // A read transaction has nothing to commit; should COMMIT still fail, ROLLBACK
        // releases the snapshot just the same, so the next commit can begin.
        self.run_cached(END_READ, "end read snapshot").or_else(|e| {
            self.run_cached(ABANDON_READ, "end read snapshot")
                .and(Err(e))
        })
    }

    fn commit_with_hook(&mut self, batch: &WriteBatch, hook: OpHook<'_>) -> Result<(), KvsError> {
        let path = &self.path;
        let err = |source| sqlite_error(path, "commit batch", source);
        // Dropping `tx` on any early return rolls the whole batch back.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        {
            let mut upsert = tx.prepare_cached(UPSERT).map_err(err)?;
            let mut delete = tx.prepare_cached(DELETE).map_err(err)?;
            for (index, op) in batch.ops().iter().enumerate() {
                hook(index)?;
                match op {
                    WriteOp::Put { key, value } => upsert.execute(params![key, value]),
                    WriteOp::Delete { key } => delete.execute([key]),
                    WriteOp::Clear => tx.execute(CLEAR, []),
                }
                .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }
}

/// Reads a column that must be a BLOB; anything else means the file was edited by hand.
fn blob<'a>(
    path: &Path,
    value: rusqlite::types::ValueRef<'a>,
    what: &str,
) -> Result<&'a [u8], KvsError> {
    value.as_blob().map_err(|_| KvsError::Corrupted {
        path: path.to_path_buf(),
        detail: format!("a {what} is a {} instead of a BLOB", value.data_type()),
    })
}

fn sqlite_error(path: &Path, operation: &'static str, source: rusqlite::Error) -> KvsError {
    match source.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => KvsError::Corrupted {
            path: path.to_path_buf(),
            detail: format!("{operation}: {source}"),
        },
        _ => KvsError::Sqlite {
            path: path.to_path_buf(),
            operation,
            source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The opcodes SQLite compiles `sql` to on `conn`.
    fn opcodes(conn: &Connection, sql: &str) -> Vec<String> {
        let mut stmt = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
        let blanks = vec![Vec::<u8>::new(); stmt.parameter_count()];
        stmt.query_map(rusqlite::params_from_iter(blanks), |row| {
            row.get::<_, String>(1)
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// `CLEAR` must compile to SQLite's truncate optimisation (`Clear` of the table's and
    /// index's pages), not to a loop deleting each row, on both schemas: anything that
    /// defeats it (a trigger, a WHERE) would turn a rewrite's 12 ms into hundreds.
    #[test]
    fn clear_uses_the_truncate_optimisation_on_both_schemas() {
        let dir = std::env::temp_dir().join(format!(
            "pscheme-store-unit-clear-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let schema_1 = dir.join("schema-1.db");
        Connection::open(&schema_1)
            .unwrap()
            .execute_batch(
                "BEGIN IMMEDIATE;
                 CREATE TABLE kv (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID;
                 PRAGMA application_id = 1886610280;
                 PRAGMA user_version = 1;
                 COMMIT;",
            )
            .unwrap();
        for path in [dir.join("schema-2.db"), schema_1] {
            let kvs = SqliteKvs::open(&path).unwrap();
            let ops = opcodes(&kvs.conn, CLEAR);
            assert!(ops.iter().any(|op| op == "Clear"), "{path:?}: {ops:?}");
            assert!(!ops.iter().any(|op| op == "Delete"), "{path:?}: {ops:?}");
            // The per-row statement does loop, so the check above can tell them apart.
            assert!(opcodes(&kvs.conn, DELETE).iter().any(|op| op == "Delete"));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
