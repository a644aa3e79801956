use std::cell::Cell;

use super::{EntryVisitor, KeyVisitor, Kvs, KvsError, OpHook, WriteBatch};

/// A wrapper that makes any backend fail on purpose, for crash and atomicity tests.
///
/// Write faults fire *inside* the wrapped backend's transaction: the backend has already
/// applied some operations of the batch when the fault is raised, so a passing test shows
/// the backend's own rollback works. Each armed fault fires once, then disarms.
#[derive(Debug)]
pub struct FaultyKvs<K> {
    inner: K,
    /// Write operations still allowed before the next commit fails; `None` = disarmed.
    writes_left: Option<u64>,
    writes_done: u64,
    // Reads take `&self` in `Kvs`, so their bookkeeping is in `Cell`s; this is a
    // single-threaded test tool and needs no lock.
    /// Reads (`get` and iterations) still allowed before one fails; `None` = disarmed.
    reads_left: Cell<Option<u64>>,
    reads_done: Cell<u64>,
    faults_injected: Cell<u64>,
}

impl<K: Kvs> FaultyKvs<K> {
    /// Wraps `inner` with no fault armed.
    pub fn new(inner: K) -> Self {
        Self {
            inner,
            writes_left: None,
            writes_done: 0,
            reads_left: Cell::new(None),
            reads_done: Cell::new(0),
            faults_injected: Cell::new(0),
        }
    }

    /// Lets `ops` more write operations (puts, deletes or clears, counted across commits)
    /// succeed; the commit that would apply the next one fails just before it, midway
    /// through the backend transaction, and applies nothing.
    pub fn fail_after_writes(&mut self, ops: u64) {
        self.writes_left = Some(ops);
    }

    /// Lets `reads` more reads (`get` or a whole iteration) succeed; the next one fails.
    pub fn fail_after_reads(&mut self, reads: u64) {
        self.reads_left.set(Some(reads));
    }

    /// Disarms every pending fault.
    pub fn disarm(&mut self) {
        self.writes_left = None;
        self.reads_left.set(None);
    }

    /// How many faults have fired so far.
    #[must_use]
    pub fn faults_injected(&self) -> u64 {
        self.faults_injected.get()
    }

    /// The wrapped backend.
    pub fn inner(&self) -> &K {
        &self.inner
    }

    /// The wrapped backend, mutably (writes through it bypass fault injection).
    pub fn inner_mut(&mut self) -> &mut K {
        &mut self.inner
    }

    /// Unwraps the backend.
    pub fn into_inner(self) -> K {
        self.inner
    }

    fn read_gate(&self, operation: &'static str) -> Result<(), KvsError> {
        match self.reads_left.get() {
            Some(0) => {
                self.reads_left.set(None);
                self.faults_injected.set(self.faults_injected.get() + 1);
                Err(KvsError::InjectedFault {
                    operation,
                    after: self.reads_done.get(),
                })
            }
            left => {
                self.reads_left.set(left.map(|n| n - 1));
                self.reads_done.set(self.reads_done.get() + 1);
                Ok(())
            }
        }
    }
}

impl<K: Kvs> Kvs for FaultyKvs<K> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvsError> {
        self.read_gate("get")?;
        self.inner.get(key)
    }

    fn for_each_key(&self, visit: KeyVisitor<'_>) -> Result<(), KvsError> {
        self.read_gate("iterate keys")?;
        self.inner.for_each_key(visit)
    }

    fn for_each_entry(&self, visit: EntryVisitor<'_>) -> Result<(), KvsError> {
        self.read_gate("iterate entries")?;
        self.inner.for_each_entry(visit)
    }

    fn begin_read_snapshot(&self) -> Result<(), KvsError> {
        self.inner.begin_read_snapshot()
    }

    fn end_read_snapshot(&self) -> Result<(), KvsError> {
        self.inner.end_read_snapshot()
    }

    fn commit_with_hook(&mut self, batch: &WriteBatch, hook: OpHook<'_>) -> Result<(), KvsError> {
        let Some(left) = self.writes_left else {
            self.inner.commit_with_hook(batch, hook)?;
            self.writes_done += batch.len() as u64;
            return Ok(());
        };
        let done_before = self.writes_done;
        let result = self.inner.commit_with_hook(batch, &mut |index| {
            if index as u64 >= left {
                return Err(KvsError::InjectedFault {
                    operation: "commit",
                    after: done_before + index as u64,
                });
            }
            hook(index)
        });
        match result {
            Ok(()) => {
                self.writes_left = Some(left - batch.len() as u64);
                self.writes_done += batch.len() as u64;
                Ok(())
            }
            Err(e @ KvsError::InjectedFault { .. }) => {
                self.writes_left = None;
                self.faults_injected.set(self.faults_injected.get() + 1);
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}
