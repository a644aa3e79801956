use std::fmt;

use super::node::Address;

/// An error from the Merkle layer (layer 3).
///
/// Damage is reported apart from failures of the layers below: [`MerkleError::Tampered`]
/// and [`MerkleError::MissingNode`] name the node, [`MerkleError::Corrupted`] says what
/// is malformed, and [`MerkleError::Store`] wraps the encrypted store's own error.
#[derive(Debug)]
#[non_exhaustive]
pub enum MerkleError {
    /// The encrypted store (or its backend) failed.
    Store(crate::Error),
    /// A node's content does not hash to the address it was read under.
    Tampered {
        /// The address asked for.
        address: Address,
    },
    /// A node that a tree or the root record links to has no row.
    MissingNode {
        /// The address linked to.
        address: Address,
    },
    /// Stored bytes are not a well-formed structure of this layer.
    Corrupted {
        /// What was being read, e.g. `"node"` or `"root record"`.
        what: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A key longer than [`crate::merkle::MAX_KEY_LEN`] was given.
    KeyTooLong {
        /// The key's length.
        len: usize,
    },
    /// A tree name longer than [`crate::merkle::MAX_TREE_NAME_LEN`] was given.
    TreeNameTooLong {
        /// The name's length.
        len: usize,
    },
    /// `open` found no root record: the store was never initialised by this layer.
    NoRootRecord,
    /// `create` found a root record: the store is already initialised.
    AlreadyInitialized,
    /// The root record was written by a format version this build does not read.
    UnsupportedVersion {
        /// The version found.
        found: u16,
    },
}

impl MerkleError {
    pub(crate) fn corrupted(what: &'static str, detail: impl Into<String>) -> Self {
        MerkleError::Corrupted {
            what,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for MerkleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MerkleError::Store(e) => write!(f, "encrypted store: {e}"),
            MerkleError::Tampered { address } => {
                write!(f, "node {address} does not hash to its address (tampered)")
            }
            MerkleError::MissingNode { address } => write!(f, "node {address} is missing"),
            MerkleError::Corrupted { what, detail } => write!(f, "corrupted {what}: {detail}"),
            MerkleError::KeyTooLong { len } => write!(
                f,
                "key of {len} bytes exceeds the maximum of {} bytes",
                super::MAX_KEY_LEN
            ),
            MerkleError::TreeNameTooLong { len } => write!(
                f,
                "tree name of {len} bytes exceeds the maximum of {} bytes",
                super::MAX_TREE_NAME_LEN
            ),
            MerkleError::NoRootRecord => {
                write!(f, "the store holds no root record (was it created?)")
            }
            MerkleError::AlreadyInitialized => write!(f, "the store already holds a root record"),
            MerkleError::UnsupportedVersion { found } => {
                write!(f, "root record format version {found} is not supported")
            }
        }
    }
}

impl std::error::Error for MerkleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MerkleError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<crate::Error> for MerkleError {
    fn from(e: crate::Error) -> Self {
        MerkleError::Store(e)
    }
}
