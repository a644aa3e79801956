use std::collections::BTreeMap;

use super::{EntryVisitor, KeyVisitor, Kvs, KvsError, OpHook, WriteBatch, WriteOp};

/// An in-memory backend for tests: a `BTreeMap`, so iteration order matches [`Kvs`]'s
/// contract for free. "Durable" here means "until the value is dropped".
#[derive(Clone, Debug, Default)]
pub struct MemKvs {
    map: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl MemKvs {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of stored keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the store holds no key.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl Kvs for MemKvs {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvsError> {
        Ok(self.map.get(key).cloned())
    }

    fn for_each_key(&self, visit: KeyVisitor<'_>) -> Result<(), KvsError> {
        for key in self.map.keys() {
            if visit(key).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn for_each_entry(&self, visit: EntryVisitor<'_>) -> Result<(), KvsError> {
        for (key, value) in &self.map {
            if visit(key, value).is_break() {
                break;
            }
        }
        Ok(())
    }

    fn commit_with_hook(&mut self, batch: &WriteBatch, hook: OpHook<'_>) -> Result<(), KvsError> {
        // Run every hook before touching the map: all-or-nothing without an undo log.
        for index in 0..batch.len() {
            hook(index)?;
        }
        for op in batch.ops() {
            match op {
                WriteOp::Put { key, value } => {
                    self.map.insert(key.clone(), value.clone());
                }
                WriteOp::Delete { key } => {
                    self.map.remove(key);
                }
                WriteOp::Clear => self.map.clear(),
            }
        }
        Ok(())
    }
}
