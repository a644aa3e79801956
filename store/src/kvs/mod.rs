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
}

impl WriteOp {
    /// The key this operation touches.
    #[must_use]
    pub fn key(&self) -> &[u8] {
        match self {
            WriteOp::Put { key, .. } | WriteOp::Delete { key } => key,
        }
    }
}

/// An ordered list of puts and deletes, applied all-or-nothing by [`Kvs::commit`].
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
