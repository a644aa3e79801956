//! Runs the `Kvs` conformance suite (tests/common/kvs_conformance.rs) on every backend.

#[macro_use]
mod common;

use std::path::Path;

use common::TempDir;
use common::kvs_conformance::{Harness, PersistentHarness};
use pscheme_store::{FaultyKvs, MemKvs, SqliteKvs};

struct MemHarness;

impl Harness for MemHarness {
    type Kvs = MemKvs;
    fn create(&mut self) -> MemKvs {
        MemKvs::new()
    }
    fn reopen(&mut self, _: MemKvs) -> Option<MemKvs> {
        None
    }
}

/// The fault injector with nothing armed must itself be a conforming backend.
struct DisarmedFaultyHarness;

impl Harness for DisarmedFaultyHarness {
    type Kvs = FaultyKvs<MemKvs>;
    fn create(&mut self) -> FaultyKvs<MemKvs> {
        FaultyKvs::new(MemKvs::new())
    }
    fn reopen(&mut self, _: FaultyKvs<MemKvs>) -> Option<FaultyKvs<MemKvs>> {
        None
    }
}

struct SqliteHarness {
    dir: TempDir,
    stores: u32,
    /// Whether each store starts as a file of schema 1 (`WITHOUT ROWID`), as the first
    /// builds made them, rather than as a new file.
    schema_1: bool,
}

impl SqliteHarness {
    fn new() -> Self {
        SqliteHarness {
            dir: TempDir::new("conformance"),
            stores: 0,
            schema_1: false,
        }
    }

    fn schema_1() -> Self {
        SqliteHarness {
            dir: TempDir::new("conformance-schema-1"),
            stores: 0,
            schema_1: true,
        }
    }
}

impl Harness for SqliteHarness {
    type Kvs = SqliteKvs;
    fn create(&mut self) -> SqliteKvs {
        self.stores += 1;
        let location = self.location();
        if self.schema_1 {
            common::create_schema_1_file(Path::new(&location));
        }
        SqliteKvs::open(location).expect("open new sqlite store")
    }
    fn reopen(&mut self, kvs: SqliteKvs) -> Option<SqliteKvs> {
        let path = kvs.path().to_path_buf();
        drop(kvs);
        Some(SqliteKvs::open(path).expect("reopen sqlite store"))
    }
}

impl PersistentHarness for SqliteHarness {
    fn location(&self) -> String {
        let path = self.dir.path().join(format!("store-{}.db", self.stores));
        path.to_str().expect("UTF-8 temp path").to_owned()
    }
    fn open_location(location: &str) -> SqliteKvs {
        SqliteKvs::open(location).expect("open sqlite store")
    }
}

kvs_conformance!(mem, crate::MemHarness);
kvs_conformance!(faulty_disarmed, crate::DisarmedFaultyHarness);
kvs_conformance!(sqlite, crate::SqliteHarness::new(), persistent crate::SqliteHarness);
kvs_conformance!(
    sqlite_schema_1,
    crate::SqliteHarness::schema_1(),
    persistent crate::SqliteHarness
);
