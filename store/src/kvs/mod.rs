//! Layer 1: key-value backends.
//!
//! A backend stores opaque byte keys and values. The trait is deliberately small so that
//! a new backend (PostgreSQL, a byte-patching test double) is a short file, and so that
//! one conformance suite (`store/tests/kvs_conformance.rs`) can check every backend.

mod error;
mod faulty;
mod mem;
mod sqlite;

use std::ops::ControlFlow;

pub use error::KvsError;
pub use faulty::FaultyKvs;
pub use mem::MemKvs;
pub use sqlite::{SqliteKvs, SqliteOptions, Synchronous};

/// One operation of a [`WriteBatch`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteOp {
    /// Insert or overwrite `key` with `value`.
    Put {
        /// The key.
        key: Vec<u8>,
        /// The new value.
        value: Vec<u8>,
    },
    /// Remove `key`; removing a missing key is not an error.
    Delete {
        /// The key.
        key: Vec<u8>,
    },
    /// Remove every key: the batch's later operations apply after it, its earlier ones
    /// are void. Emptying a store this way is one cheap backend operation, where deleting
    /// its keys one by one costs a write each.
    Clear,
}

impl WriteOp {
    /// The key this operation touches; `None` for [`WriteOp::Clear`], which touches all.
    #[must_use]
    pub fn key(&self) -> Option<&[u8]> {
        match self {
            WriteOp::Put { key, .. } | WriteOp::Delete { key } => Some(key),
            WriteOp::Clear => None,
        }
    }
}

/// An ordered list of puts, deletes and clears, applied all-or-nothing by
/// [`Kvs::commit`].
///
/// Operations apply in order, so when a key appears twice the later operation wins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteBatch {
    ops: Vec<WriteOp>,
}

impl WriteBatch {
    /// An empty batch.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty batch with room for `capacity` operations.
    #[must_use]
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            ops: Vec::with_capacity(capacity),
        }
    }

    /// Queues an insert-or-overwrite.
    pub fn put(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.ops.push(WriteOp::Put {
            key: key.into(),
            value: value.into(),
        });
    }

    /// Queues a delete.
    pub fn delete(&mut self, key: impl Into<Vec<u8>>) {
        self.ops.push(WriteOp::Delete { key: key.into() });
    }

    /// Queues removing every key (see [`WriteOp::Clear`]): the operations queued before
    /// are void, those queued after apply to an empty store.
    pub fn clear(&mut self) {
        self.ops.push(WriteOp::Clear);
    }

    /// The queued operations, in application order.
    #[must_use]
    pub fn ops(&self) -> &[WriteOp] {
        &self.ops
    }

    /// Number of queued operations.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether no operation is queued.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// Visits one key; `Break` stops the iteration.
pub type KeyVisitor<'a> = &'a mut dyn FnMut(&[u8]) -> ControlFlow<()>;

/// Visits one `(key, value)` entry; `Break` stops the iteration.
pub type EntryVisitor<'a> = &'a mut dyn FnMut(&[u8], &[u8]) -> ControlFlow<()>;

/// Called before each operation of a commit, inside the backend's transaction, with the
/// operation's index in the batch. Returning an error aborts the whole commit.
pub type OpHook<'a> = &'a mut dyn FnMut(usize) -> Result<(), KvsError>;

/// A transactional byte key-value backend.
///
/// Invariants every implementation keeps (checked by the conformance suite):
/// - When [`Kvs::commit`] returns `Ok`, the whole batch is durable (survives process death
///   and, for durable backends with default settings, power loss). When it returns `Err`,
///   none of the batch is visible, now or after reopening.
/// - Iteration visits keys in ascending lexicographic byte order, each key once.
/// - Reads see every batch committed before them through the same handle.
pub trait Kvs {
    /// The value stored under `key`, if any.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvsError>;

    /// Visits every key in ascending byte order until `visit` breaks.
    fn for_each_key(&self, visit: KeyVisitor<'_>) -> Result<(), KvsError>;

    /// Visits every `(key, value)` pair in ascending key order until `visit` breaks.
    fn for_each_entry(&self, visit: EntryVisitor<'_>) -> Result<(), KvsError>;

    /// Starts a read snapshot: until the matching [`Kvs::end_read_snapshot`], every read
    /// through this handle sees one and the same committed state (taken no earlier than this
    /// call), and a backend may take its read locks once for all of them instead of once per
    /// read.
    /// Snapshots nest; only the outermost pair has an effect. Use [`ReadSnapshot`], whose
    /// borrow also rules out committing through this handle while the snapshot is open.
    ///
    /// The default does nothing: right for a backend whose reads through `&self` cannot
    /// observe a concurrent commit anyway ([`MemKvs`]).
    fn begin_read_snapshot(&self) -> Result<(), KvsError> {
        Ok(())
    }

    /// Ends the snapshot started by the matching [`Kvs::begin_read_snapshot`].
    fn end_read_snapshot(&self) -> Result<(), KvsError> {
        Ok(())
    }

    /// Applies `batch` atomically and durably, calling `hook` before each operation inside
    /// the transaction. If `hook` fails the transaction is rolled back and its error
    /// returned. Exists so [`FaultyKvs`] can interrupt a real backend transaction midway.
    fn commit_with_hook(&mut self, batch: &WriteBatch, hook: OpHook<'_>) -> Result<(), KvsError>;

    /// Applies `batch` atomically and durably.
    fn commit(&mut self, batch: &WriteBatch) -> Result<(), KvsError> {
        self.commit_with_hook(batch, &mut |_| Ok(()))
    }

    /// Every key, in ascending order (convenience over [`Kvs::for_each_key`]).
    fn keys(&self) -> Result<Vec<Vec<u8>>, KvsError> {
        let mut keys = Vec::new();
        self.for_each_key(&mut |key| {
            keys.push(key.to_vec());
            ControlFlow::Continue(())
        })?;
        Ok(keys)
    }
}

/// A scoped read snapshot of a [`Kvs`] (see [`Kvs::begin_read_snapshot`]): reads through the
/// backend while it lives see one committed state. Ends when dropped; [`ReadSnapshot::end`]
/// ends it and reports a failure to do so.
#[must_use = "the snapshot ends as soon as it is dropped"]
pub struct ReadSnapshot<'a, K: Kvs + ?Sized> {
    kvs: &'a K,
    open: bool,
}

impl<'a, K: Kvs + ?Sized> ReadSnapshot<'a, K> {
    /// Starts a snapshot of `kvs`.
    pub fn begin(kvs: &'a K) -> Result<Self, KvsError> {
        kvs.begin_read_snapshot()?;
        Ok(Self { kvs, open: true })
    }

    /// Ends the snapshot.
    pub fn end(mut self) -> Result<(), KvsError> {
        self.open = false;
        self.kvs.end_read_snapshot()
    }
}

impl<K: Kvs + ?Sized> Drop for ReadSnapshot<'_, K> {
    fn drop(&mut self) {
        if self.open {
            // Reached on an error path, where the caller's own error is the one to report.
            // Ending a snapshot changes nothing stored, so a failure here loses nothing.
            let _ = self.kvs.end_read_snapshot();
        }
    }
}

impl<K: Kvs + ?Sized> std::fmt::Debug for ReadSnapshot<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadSnapshot")
            .field("open", &self.open)
            .finish_non_exhaustive()
    }
}
