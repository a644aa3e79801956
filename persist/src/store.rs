//! [`HeapStore`]: one heap in an encrypted merkle store file.

use std::path::{Path, PathBuf};

use pscheme_store::merkle::{CachedNodes, CommitInfo, FsckReport, MerkleError, MerkleStore};
use pscheme_store::{EncryptedStore, KdfParams, SqliteKvs, SqliteOptions, Synchronous};
use pscheme_vm::Object;
use pscheme_vm::encode::decode_object;

use crate::error::PersistError;
use crate::layout::{self, KEY_FINISHED, KEY_ROOTS, KEY_WAVE, META, OBJECTS};
use crate::writer::Writer;

/// A store file holding one persistent heap.
pub struct HeapStore {
    pub(crate) merkle: MerkleStore<SqliteKvs>,
    path: PathBuf,
    /// Held for the store's lifetime: two processes resuming one heap would both run it.
    _lock: std::fs::File,
}

/// What `pscheme info` shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreInfo {
    /// Transaction counter and time of the last commit.
    pub commit: CommitInfo,
    /// The last wave committed (0 if the program never ran).
    pub wave: u64,
    /// Objects in the stored heap.
    pub objects: u64,
    /// Processes not yet finished.
    pub live_processes: u64,
    /// The exit status, if the program ended.
    pub finished: Option<i32>,
    /// Bytes of the store file and its write-ahead log.
    pub size_bytes: u64,
}

impl HeapStore {
    /// Creates a new store file at `path` (which must not exist) protected by `passphrase`.
    /// `kdf` is the cost of the passphrase's key derivation: [`KdfParams::RECOMMENDED`] for
    /// real use; tests pass [`KdfParams::INSECURE_FOR_TESTS`] explicitly.
    ///
    /// Creation is atomic: the store is built whole (header, key check, first root record,
    /// synced) at `<path>.creating` and renamed into place, so a crash leaves either no store
    /// or a whole one. Until then nothing at `<path>.creating` is worth a sync, so SQLite
    /// builds it unsynced (`synchronous=OFF`), and the whole file is synced once before the
    /// rename. The derivation of the key runs twice (building, then opening at
    /// `path`): SQLite names its log after the path it opened, so the connection that built
    /// the file cannot be the one that uses it.
    pub fn create(path: &Path, passphrase: &[u8], kdf: KdfParams) -> Result<Self, PersistError> {
        let lock = lock(path)?;
        if path.exists() {
            return Err(PersistError::AlreadyExists(path.to_path_buf()));
        }
        Self::create_locked(path, passphrase, kdf, lock)
    }

    /// Opens the store at `path`. A wrong passphrase fails before anything is written.
    pub fn open(path: &Path, passphrase: &[u8]) -> Result<Self, PersistError> {
        if !path.exists() {
            return Err(PersistError::NotFound(path.to_path_buf()));
        }
        let lock = lock(path)?;
        // Again under the lock, so that SQLite never makes an empty file in its place.
        if !path.exists() {
            return Err(PersistError::NotFound(path.to_path_buf()));
        }
        Self::open_locked(path, passphrase, lock)
    }

    /// Opens the store at `path`, creating it first if there is no file there.
    pub fn open_or_create(
        path: &Path,
        passphrase: &[u8],
        kdf: KdfParams,
    ) -> Result<Self, PersistError> {
        let lock = lock(path)?;
        // Looked at under the lock: a creator that held it before us has finished.
        if path.exists() {
            Self::open_locked(path, passphrase, lock)
        } else {
            Self::create_locked(path, passphrase, kdf, lock)
        }
    }

    fn create_locked(
        path: &Path,
        passphrase: &[u8],
        kdf: KdfParams,
        lock: std::fs::File,
    ) -> Result<Self, PersistError> {
        remove_leftovers(path)?;
        let creating = sibling(path, CREATING);
        let kvs = open_kvs(&creating, Synchronous::Off)?;
        let encrypted = EncryptedStore::create(kvs, passphrase, kdf)?;
        // The keys are kept, so the published store opens without a second key derivation.
        let (keys, kvs) = MerkleStore::create(encrypted)?.into_inner().detach()?;
        // Closing the only connection checkpoints SQLite's log into the file and deletes the
        // log, so the file alone holds the store.
        drop(kvs);
        let log = sibling(&creating, SQLITE_SIDE_FILES[0]);
        if log.exists() {
            return Err(PersistError::Io {
                path: log,
                operation: "publish the new store beside",
                source: std::io::Error::other("SQLite did not checkpoint its log into the file"),
            });
        }
        sync_file(&creating)?;
        std::fs::rename(&creating, path).map_err(|source| PersistError::Io {
            path: creating.clone(),
            operation: "rename the new store into place",
            source,
        })?;
        sync_parent(path)?;
        let kvs = open_kvs(path, Synchronous::Full)?;
        Ok(HeapStore::new(
            MerkleStore::open(keys.attach(kvs)?)?,
            path,
            lock,
        ))
    }

    fn open_locked(
        path: &Path,
        passphrase: &[u8],
        lock: std::fs::File,
    ) -> Result<Self, PersistError> {
        remove_leftovers(path)?;
        let kvs = open_kvs(path, Synchronous::Full)?;
        let encrypted = EncryptedStore::open(kvs, passphrase)?;
        let merkle = match MerkleStore::open(encrypted) {
            Ok(m) => m,
            // Only a store created non-atomically, by a build before creation was atomic,
            // can lack its first root record: initialise it now.
            Err(MerkleError::NoRootRecord) => {
                let kvs = open_kvs(path, Synchronous::Full)?;
                MerkleStore::create(EncryptedStore::open(kvs, passphrase)?)?
            }
            Err(e) => return Err(e.into()),
        };
        Ok(HeapStore::new(merkle, path, lock))
    }

    fn new(mut merkle: MerkleStore<SqliteKvs>, path: &Path, lock: std::fs::File) -> Self {
        merkle.set_cache_capacity(NODE_CACHE);
        HeapStore {
            merkle,
            path: path.to_path_buf(),
            _lock: lock,
        }
    }

    /// The store file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Transaction counter and time of the state the store is at.
    #[must_use]
    pub fn commit_info(&self) -> CommitInfo {
        self.merkle.info()
    }

    /// A host entry stored with `Vm::set_durable_meta`.
    pub fn host_meta(&self, name: &str) -> Result<Option<Vec<u8>>, PersistError> {
        Ok(self.merkle.get(META, &layout::host_key(name))?)
    }

    /// The exit status of the program, if it ended.
    pub fn finished(&self) -> Result<Option<i32>, PersistError> {
        self.merkle
            .get(META, KEY_FINISHED)?
            .map(|v| layout::decode_i32(&v, "finished"))
            .transpose()
    }

    /// The last wave committed; 0 if none.
    pub fn wave(&self) -> Result<u64, PersistError> {
        self.merkle
            .get(META, KEY_WAVE)?
            .map_or(Ok(0), |v| layout::decode_u64(&v, "wave"))
    }

    /// Counts and sizes for `pscheme info`.
    pub fn info(&self) -> Result<StoreInfo, PersistError> {
        let live_processes = match self.merkle.get(META, KEY_ROOTS)? {
            None => 0,
            Some(bytes) => {
                let (scheduler, _): (pscheme_vm::ObjId, Vec<pscheme_vm::ObjId>) =
                    postcard::from_bytes(&bytes)
                        .map_err(|e| PersistError::Corrupted(format!("roots entry: {e}")))?;
                let bytes = self
                    .merkle
                    .get(OBJECTS, &layout::object_key(scheduler))?
                    .ok_or_else(|| PersistError::Corrupted("scheduler object missing".into()))?;
                match decode_object(&bytes).map_err(|e| PersistError::Corrupted(e.to_string()))? {
                    Object::Scheduler(s) => s.live.len() as u64,
                    other => {
                        return Err(PersistError::Corrupted(format!(
                            "scheduler root is a {}",
                            other.type_name()
                        )));
                    }
                }
            }
        };
        let file_len = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        Ok(StoreInfo {
            commit: self.merkle.info(),
            wave: self.wave()?,
            objects: self.merkle.len(OBJECTS),
            live_processes,
            finished: self.finished()?,
            size_bytes: file_len(&self.path) + file_len(Path::new(&wal)),
        })
    }

    /// Checks the whole store (layer 3's fsck); damage is in the report, not an error.
    pub fn fsck(&self) -> Result<FsckReport, PersistError> {
        Ok(self.merkle.fsck()?)
    }

    /// Rows in the backend (for tests and benchmarks of store growth).
    pub fn row_count(&self) -> Result<u64, PersistError> {
        let mut rows = 0u64;
        self.merkle.encrypted().for_each_raw_key(&mut |_| {
            rows += 1;
            std::ops::ControlFlow::Continue(())
        })?;
        Ok(rows)
    }

    /// Moves the store to a writer thread that commits the VM's waves.
    #[must_use]
    pub fn into_writer(self) -> Writer {
        Writer::spawn(self)
    }

    /// Closes the store's files (the database, checkpointing its log, and the lock) and
    /// returns the decoded nodes it cached, to be freed by whoever does not make anyone wait.
    pub(crate) fn close_keeping_cache(mut self) -> CachedNodes {
        let cached = self.merkle.take_cached_nodes();
        drop(self);
        cached
    }
}

/// Suffix of the sibling a store is built at before it is renamed into place.
const CREATING: &str = ".creating";
/// Files SQLite keeps beside a database in WAL mode.
const SQLITE_SIDE_FILES: [&str; 2] = ["-wal", "-shm"];

/// `<path><suffix>`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes what a creator killed before publishing its store left behind. Called only with
/// the store's lock held: a creator holds it from start to rename, so whatever is there now
/// belongs to a dead one.
fn remove_leftovers(path: &Path) -> Result<(), PersistError> {
    let creating = sibling(path, CREATING);
    for suffix in ["", SQLITE_SIDE_FILES[0], SQLITE_SIDE_FILES[1]] {
        let file = sibling(&creating, suffix);
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(PersistError::Io {
                    path: file,
                    operation: "remove the leftover of an interrupted creation",
                    source: e,
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Flushes `path`'s contents to stable storage.
fn sync_file(path: &Path) -> Result<(), PersistError> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|source| PersistError::Io {
            path: path.to_path_buf(),
            operation: "sync",
            source,
        })
}

/// Flushes the directory holding `path`, so that a rename into it survives power loss.
fn sync_parent(path: &Path) -> Result<(), PersistError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    sync_file(dir)
}

/// SQLite's page cache per store, an upper bound (pages are allocated as used). SQLite's own
/// 2 MiB default spills pages mid-commit once a wave writes more than a few thousand nodes;
/// 64 MiB cut the writer's CPU on the `deep` benchmark (a 10^6-object wave) by a third
/// (docs/performance.md, "Persistence").
const PAGE_CACHE_KIB: u32 = 64 * 1024;

/// Decoded nodes the merkle store keeps, twice its default. A heap's objects often die a
/// wave or two after they are written, and deleting an object rewrites its leaf: with the
/// nodes of the last large wave still cached, the wave that drops it reads nothing back.
/// `deep`'s final wave deleting 1.19 M objects, whose leaves a wave before had written,
/// fell from about 700 to 370 ms (docs/performance.md). Memory: only nodes read or written
/// are held, up to about 1-2 KiB a leaf.
const NODE_CACHE: usize = 1 << 17;

fn open_kvs(path: &Path, synchronous: Synchronous) -> Result<SqliteKvs, PersistError> {
    let options = SqliteOptions::default()
        .synchronous(synchronous)
        .cache_size_kib(PAGE_CACHE_KIB);
    Ok(SqliteKvs::open_with(path, options).map_err(pscheme_store::Error::from)?)
}

/// Takes the exclusive lock of the store at `path`: an advisory lock on `<path>.lock`.
/// Creating and opening both hold it, so two creators never build one store at once.
fn lock(path: &Path) -> Result<std::fs::File, PersistError> {
    let lock_path = sibling(path, ".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| PersistError::Lock(format!("{}: {e}", lock_path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(PersistError::InUse(path.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(PersistError::Lock(format!("{}: {e}", lock_path.display())))
        }
    }
}

impl std::fmt::Debug for HeapStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeapStore")
            .field("path", &self.path)
            .field("commit", &self.merkle.info())
            .finish_non_exhaustive()
    }
}
