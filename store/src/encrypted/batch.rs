use std::fmt;

use crate::crypto::KEY_LEN;

/// A namespace for logical keys; part of every row-key derivation.
///
/// Allocation by layer (see the crate docs): `0..=15` layer 2, `16..=31` layer 3,
/// `32..=255` later layers and applications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Domain(pub u8);

/// Where a row lives in the backend: 32 bytes that look random to the host.
///
/// For a logical key it is `keyed_blake3(row-key subkey, domain || logical key)`; the two
/// reserved rows (header, key-check) use fixed values, see [`super::is_reserved_row`].
/// Row keys are not secret (the host sees them), so they may appear in errors and logs.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowKey(pub [u8; KEY_LEN]);

impl RowKey {
    /// The key bytes as stored in the backend.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Interprets a raw backend key; `None` unless it is exactly 32 bytes.
    #[must_use]
    pub fn from_raw(raw: &[u8]) -> Option<RowKey> {
        raw.try_into().ok().map(RowKey)
    }
}

impl fmt::Display for RowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in &self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for RowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RowKey({self})")
    }
}

/// Which row an operation of a [`Batch`] touches.
#[derive(Clone, Debug)]
pub(crate) enum Target {
    Logical { domain: Domain, key: Vec<u8> },
    Row(RowKey),
}

/// Puts and deletes of logical keys, committed all-or-nothing by
/// [`super::EncryptedStore::commit`]. Operations apply in order; the later one wins.
///
/// A batch holds plaintext until it is committed and dropped.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub(crate) ops: Vec<(Target, Option<Vec<u8>>)>,
    /// Whether the commit first empties the store (see [`Batch::clear`]).
    pub(crate) cleared: bool,
}

impl Batch {
    /// An empty batch.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues storing `value` under `(domain, key)`.
    pub fn put(&mut self, domain: Domain, key: &[u8], value: impl Into<Vec<u8>>) {
        self.ops.push((
            Target::Logical {
                domain,
                key: key.to_vec(),
            },
            Some(value.into()),
        ));
    }

    /// Queues removing `(domain, key)`; removing a missing key is not an error.
    pub fn delete(&mut self, domain: Domain, key: &[u8]) {
        self.ops.push((
            Target::Logical {
                domain,
                key: key.to_vec(),
            },
            None,
        ));
    }

    /// Empties the store but for its header and key-check rows: every row written before
    /// this batch is deleted, and the batch's earlier operations are void. The commit does
    /// it with one backend [`crate::kvs::WriteOp::Clear`], reading none of the rows.
    pub fn clear(&mut self) {
        self.ops.clear();
        self.cleared = true;
    }

    /// Queues removing a row by its backend key, e.g. a stray row found by fsck.
    pub fn delete_row(&mut self, row: RowKey) {
        self.ops.push((Target::Row(row), None));
    }

    /// The values of the batch's puts in `domain`, with their keys, taken back out.
    pub(crate) fn into_puts(self, domain: Domain) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> {
        self.ops
            .into_iter()
            .filter_map(move |(target, value)| match target {
                Target::Logical { domain: d, key } if d == domain => Some((key, value?)),
                _ => None,
            })
    }

    /// Number of queued puts and deletes (a clear is not counted).
    #[must_use]
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the batch would change nothing: no put or delete queued, and no clear.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && !self.cleared
    }
}
