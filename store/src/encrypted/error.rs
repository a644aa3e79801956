use std::fmt;

use super::RowKey;
use crate::kvs::KvsError;

/// An error from the encrypted store (layer 2).
///
/// No variant ever carries a key, a passphrase, a logical key or a plaintext value: errors
/// get logged, and the host already knows everything they do say (row keys, sizes).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The backend failed.
    Kvs(KvsError),
    /// `open` found no header row: the store was never created, or its header was deleted.
    MissingHeader,
    /// The header row exists but cannot be parsed.
    BadHeader {
        /// What is wrong with it.
        detail: String,
    },
    /// The header names a format version this build does not read.
    UnsupportedVersion {
        /// The version in the header.
        found: u16,
        /// The version this build reads and writes.
        supported: u16,
    },
    /// The header is valid but the key-check row is gone, so a passphrase cannot be checked.
    MissingKeyCheck,
    /// The passphrase does not open the key-check row. (A host that alters the key-check
    /// row itself also produces this error: without the key the two cannot be told apart.)
    WrongPassphrase,
    /// A row failed authentication: it was modified, truncated, or moved from another row.
    Tampered {
        /// The row, as the backend sees it.
        row: RowKey,
    },
    /// `create` was called on a backend that already holds rows.
    NotEmpty,
    /// [`crate::encrypted::DetachedKeys::attach`] found a store other than the one its keys
    /// were derived for (another header).
    OtherStore,
    /// KDF parameters that argon2 rejects or that exceed [`crate::KdfParams::MAX`].
    InvalidKdfParams,
    /// Argon2 failed to derive the key (for instance it could not allocate its memory).
    Kdf {
        /// argon2's description of the failure.
        detail: String,
    },
    /// The operating system's random number generator failed.
    Random(getrandom::Error),
    /// A value too large for XChaCha20-Poly1305 (over 256 GiB).
    ValueTooLarge {
        /// Its length in bytes.
        len: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Kvs(e) => write!(f, "backend error: {e}"),
            Error::MissingHeader => f.write_str(
                "no store header row: the store was never created or its header was deleted",
            ),
            Error::BadHeader { detail } => write!(f, "store header row is garbled: {detail}"),
            Error::UnsupportedVersion { found, supported } => write!(
                f,
                "store format version {found} is not supported (this build reads version {supported})"
            ),
            Error::MissingKeyCheck => f.write_str("the key-check row is missing"),
            Error::WrongPassphrase => f.write_str("wrong passphrase"),
            Error::Tampered { row } => write!(f, "row {row} failed authentication (tampered)"),
            Error::NotEmpty => f.write_str("cannot create a store over a non-empty backend"),
            Error::OtherStore => {
                f.write_str("the backend holds another store than the one the keys belong to")
            }
            Error::InvalidKdfParams => f.write_str("invalid or excessive argon2 parameters"),
            Error::Kdf { detail } => write!(f, "key derivation failed: {detail}"),
            Error::Random(e) => write!(f, "random number generator failed: {e}"),
            Error::ValueTooLarge { len } => write!(f, "value of {len} bytes is too large to seal"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Kvs(e) => Some(e),
            Error::Random(e) => Some(e),
            _ => None,
        }
    }
}

impl From<KvsError> for Error {
    fn from(e: KvsError) -> Self {
        Error::Kvs(e)
    }
}
