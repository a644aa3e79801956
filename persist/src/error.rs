use std::fmt;
use std::path::PathBuf;

use pscheme_store::merkle::MerkleError;

/// An error of the persistence layer.
#[derive(Debug)]
#[non_exhaustive]
pub enum PersistError {
    /// There is no store at this path.
    NotFound(PathBuf),
    /// `create` found a store already at this path.
    AlreadyExists(PathBuf),
    /// A file operation around the store failed (creating it, publishing it, cleaning up).
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        operation: &'static str,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The store layers failed (I/O, wrong passphrase, tampering, ...).
    Store(MerkleError),
    /// The stored heap does not decode: damaged, or not written by pscheme.
    Corrupted(String),
    /// The stored heap was written by another format version.
    Version { found: u32, expected: u32 },
    /// The heap decoded but the VM refused it.
    Resume(String),
    /// Another process has the store open.
    InUse(PathBuf),
    /// The store's lock file cannot be created or locked.
    Lock(String),
}

impl PersistError {
    /// Whether the passphrase did not open the store.
    #[must_use]
    pub fn is_wrong_passphrase(&self) -> bool {
        matches!(
            self,
            PersistError::Store(MerkleError::Store(pscheme_store::Error::WrongPassphrase))
        )
    }
}

impl fmt::Display for PersistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PersistError::NotFound(path) => write!(f, "no store at {}", path.display()),
            PersistError::AlreadyExists(path) => {
                write!(f, "a store already exists at {}", path.display())
            }
            PersistError::Io {
                path,
                operation,
                source,
            } => write!(f, "cannot {operation} {}: {source}", path.display()),
            e if e.is_wrong_passphrase() => {
                f.write_str("wrong passphrase (the store was not changed)")
            }
            PersistError::Store(e) => write!(f, "store: {e}"),
            PersistError::Corrupted(why) => write!(f, "stored heap is corrupted: {why}"),
            PersistError::Version { found, expected } => write!(
                f,
                "stored heap has format version {found}; this build reads version {expected}"
            ),
            PersistError::Resume(why) => write!(f, "cannot resume the stored heap: {why}"),
            PersistError::InUse(path) => write!(
                f,
                "{} is in use by another pscheme process (one process runs a heap at a time)",
                path.display()
            ),
            PersistError::Lock(why) => write!(f, "cannot lock the store: {why}"),
        }
    }
}

impl std::error::Error for PersistError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PersistError::Store(e) => Some(e),
            PersistError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<MerkleError> for PersistError {
    fn from(e: MerkleError) -> Self {
        PersistError::Store(e)
    }
}

impl From<pscheme_store::Error> for PersistError {
    fn from(e: pscheme_store::Error) -> Self {
        PersistError::Store(MerkleError::Store(e))
    }
}
