//! Layer 3: the Merkle heap over the encrypted store.
//!
//! Persistent copy-on-write B-trees whose nodes are content-addressed (a node's address
//! is a keyed hash of its bytes), reference-counted so that a commit frees what only the
//! previous version used, under one root record that names every tree. Byte layouts are
//! in `docs/storage-format.md` ("Layer 3").

mod btree;
mod cache;
mod commit;
mod error;
mod fsck;
mod node;
mod root;
mod source;
mod store;
mod txn;

pub use cache::CachedNodes;
pub use error::MerkleError;
pub use fsck::{FSCK_FIRST_LIMIT, Findings, FsckReport, LenMismatch, RefcountMismatch};
pub use node::Address;
pub use store::{CommitInfo, MerkleStore, Range};
pub use txn::{Commit, Txn};

/// Maximum children of a branch and entries of a leaf (Knuth order of the B-trees).
pub const ORDER: usize = 16;
/// Minimum fill of a non-root node: children of a branch, entries of a leaf.
pub(crate) const MIN_FILL: usize = ORDER / 2;
/// Entries whose key and value together take at most this many bytes keep the value in
/// the leaf; larger values get a blob node of their own.
pub const INLINE_MAX: usize = 224;
/// Longest accepted key, in bytes.
pub const MAX_KEY_LEN: usize = 224;
/// Longest accepted tree name, in bytes.
pub const MAX_TREE_NAME_LEN: usize = 255;
/// Deepest tree accepted. Minimum fan-out 8 means height 40 is never reached by honest
/// data; the bound keeps walks over crafted data finite and shallow.
pub(crate) const MAX_HEIGHT: u8 = 40;
