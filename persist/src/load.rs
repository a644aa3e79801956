//! Decoding a stored heap into a resumed VM.

use pscheme_compiler::expand::ExpandEnv;
use pscheme_store::ReadSnapshot;
use pscheme_store::merkle::CommitInfo;
use pscheme_vm::encode::{DecodeError, decode_object};
use pscheme_vm::{Heap, ObjId, Vm};

use crate::error::PersistError;
use crate::layout::{self, KEY_EXPAND_ENV, KEY_FORMAT, KEY_ROOTS, META, OBJECTS};
use crate::store::HeapStore;

/// A VM rebuilt from a store, ready to [`Vm::drive`](pscheme_vm::Vm::drive) on.
pub struct SavedHeap {
    /// The VM, with durability on at the stored wave.
    pub vm: Vm,
    /// The last wave committed.
    pub wave: u64,
    /// Transaction counter and time of the state resumed.
    pub commit: CommitInfo,
    /// The program's exit status, if it had ended.
    pub finished: Option<i32>,
}

impl HeapStore {
    /// Decodes the stored heap into a VM, or `None` if no wave was ever committed (a fresh
    /// store, or one whose first run was killed before its first commit).
    pub fn load(&self) -> Result<Option<SavedHeap>, PersistError> {
        // One read transaction for the whole load. Outside one, SQLite takes and drops its
        // log's read lock for every node read (a 10^6-object resume: 492-524 ms, 372-386
        // in one).
        let snapshot = ReadSnapshot::begin(self.merkle.encrypted().kvs())
            .map_err(pscheme_store::Error::from)?;
        let saved = self.load_in_snapshot()?;
        snapshot.end().map_err(pscheme_store::Error::from)?;
        Ok(saved)
    }

    fn load_in_snapshot(&self) -> Result<Option<SavedHeap>, PersistError> {
        let Some(format) = self.merkle.get(META, KEY_FORMAT)? else {
            return Ok(None);
        };
        layout::check_format(&format)?;
        let roots = self
            .merkle
            .get(META, KEY_ROOTS)?
            .ok_or_else(|| PersistError::Corrupted("no roots entry".into()))?;
        let (scheduler, roots): (ObjId, Vec<ObjId>) = postcard::from_bytes(&roots)
            .map_err(|e| PersistError::Corrupted(format!("roots entry: {e}")))?;
        let expand_env: ExpandEnv = match self.merkle.get(META, KEY_EXPAND_ENV)? {
            Some(bytes) => postcard::from_bytes(&bytes)
                .map_err(|e| PersistError::Corrupted(format!("expander environment: {e}")))?,
            None => ExpandEnv::default(),
        };
        let mut heap = Heap::new();
        for entry in self.merkle.range(OBJECTS, ..) {
            let (key, value) = entry?;
            let id = layout::object_id(&key)?;
            let obj = decode_object(&value).map_err(|e| match e {
                DecodeError::Version { found, expected } => {
                    PersistError::Version { found, expected }
                }
                other => PersistError::Corrupted(format!("object {id}: {other}")),
            })?;
            heap.insert_loaded(id, obj)
                .map_err(PersistError::Corrupted)?;
        }
        let wave = self.wave()?;
        let mut vm =
            Vm::resume(heap, scheduler, &roots, expand_env).map_err(PersistError::Resume)?;
        vm.resume_durability(wave);
        Ok(Some(SavedHeap {
            vm,
            wave,
            commit: self.commit_info(),
            finished: self.finished()?,
        }))
    }
}
