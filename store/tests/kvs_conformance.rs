//! Runs the `Kvs` conformance suite (tests/common/kvs_conformance.rs) on every backend.

#[macro_use]
mod common;

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
}

impl SqliteHarness {
    fn new() -> Self {
        SqliteHarness {
            dir: TempDir::new("conformance"),
            stores: 0,
        }
    }
}

impl Harness for SqliteHarness {
    type Kvs = SqliteKvs;
    fn create(&mut self) -> SqliteKvs {
        self.stores += 1;
        SqliteKvs::open(self.location()).expect("open new sqlite store")
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
