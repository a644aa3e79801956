use std::fmt;
use std::path::PathBuf;

/// An error from a key-value backend.
///
/// Every variant names the store (a file path, or a description for non-file backends)
/// and the operation that failed. Corruption is reported apart from I/O failure.
#[derive(Debug)]
#[non_exhaustive]
pub enum KvsError {
    /// The operating system failed an I/O operation.
    Io {
        /// The file involved.
        path: PathBuf,
        /// What the backend was doing, e.g. `"create directory"`.
        operation: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// SQLite reported an error that is not corruption.
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What the backend was doing, e.g. `"commit batch"`.
        operation: &'static str,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// The backend's own data is damaged or is not a pscheme store.
    Corrupted {
        /// The store involved.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The caller's hook stopped a commit ([`crate::Kvs::commit_with_hook`]); nothing of
    /// the batch was applied.
    Cancelled,
    /// A fault injected on purpose by [`crate::FaultyKvs`].
    InjectedFault {
        /// The operation that was failed, e.g. `"commit"` or `"get"`.
        operation: &'static str,
        /// How many operations of that kind had succeeded before the fault.
        after: u64,
    },
}

impl fmt::Display for KvsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KvsError::Io {
                path,
                operation,
                source,
            } => write!(
                f,
                "I/O error during {operation} on {}: {source}",
                path.display()
            ),
            KvsError::Sqlite {
                path,
                operation,
                source,
            } => write!(
                f,
                "SQLite error during {operation} on {}: {source}",
                path.display()
            ),
            KvsError::Corrupted { path, detail } => {
                write!(f, "store {} is corrupted: {detail}", path.display())
            }
            KvsError::Cancelled => write!(f, "commit cancelled by the caller"),
            KvsError::InjectedFault { operation, after } => {
                write!(
                    f,
                    "injected fault in {operation} after {after} successful operations"
                )
            }
        }
    }
}

impl std::error::Error for KvsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            KvsError::Io { source, .. } => Some(source),
            KvsError::Sqlite { source, .. } => Some(source),
            KvsError::Corrupted { .. } | KvsError::Cancelled | KvsError::InjectedFault { .. } => {
                None
            }
        }
    }
}
