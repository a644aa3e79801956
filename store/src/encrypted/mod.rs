//! Layer 2: the encrypted byte store over any [`Kvs`].
//!
//! Every row but the header is `row key -> nonce || XChaCha20-Poly1305(value) || tag`,
//! with the row key and format version as associated data. Byte layouts and the threat
//! model are in docs/storage-format.md ("Layer 2").

mod batch;
mod error;
mod header;

use std::ops::ControlFlow;

pub use batch::{Batch, Domain, RowKey};
pub use error::Error;

use crate::crypto::{self, KEY_LEN, KdfParams, Key, NONCE_LEN, SealError, Sealer};
use crate::kvs::{KeyVisitor, Kvs, KvsError, WriteBatch};
use batch::Target;
use header::{Header, SALT_LEN};

/// Format version of layer 2, in the header and in every row's associated data.
pub const FORMAT_VERSION: u16 = 1;

/// Backend key of the cleartext header row.
const HEADER_ROW: RowKey = RowKey([0; KEY_LEN]);
/// Backend key of the key-check row.
const KEY_CHECK_ROW: RowKey = {
    let mut key = [0; KEY_LEN];
    key[KEY_LEN - 1] = 1;
    RowKey(key)
};
/// Plaintext sealed in the key-check row.
const KEY_CHECK_PLAINTEXT: &[u8] = b"pscheme-store key check";

/// blake3 `derive_key` contexts. Callers of [`EncryptedStore::derive_subkey`] get the
/// `EXTERNAL_CONTEXT_PREFIX` prepended, so they can never obtain these keys.
const ROW_KEY_CONTEXT: &str = "pscheme-store 2026-11-25 layer2 row key v1";
const SEAL_CONTEXT: &str = "pscheme-store 2026-11-25 layer2 value seal v1";
const EXTERNAL_CONTEXT_PREFIX: &str = "pscheme-store 2026-11-25 external: ";

/// Rows [`EncryptedStore::commit_unless`] writes between two calls of its `stop`.
const STOP_POLL_ROWS: usize = 256;

/// Whether a raw backend key is one of layer 2's fixed rows (header, key-check), which
/// fsck must not report as stray.
#[must_use]
pub fn is_reserved_row(raw: &[u8]) -> bool {
    raw == HEADER_ROW.as_bytes() || raw == KEY_CHECK_ROW.as_bytes()
}

/// An encrypted, authenticated map from `(Domain, logical key)` to bytes over a [`Kvs`].
///
/// What the host can learn: the number of rows, each row's value length (plaintext + 40),
/// when rows change, and the KDF parameters and salt. It cannot read values or logical
/// keys, and cannot alter, truncate or move a row without [`Error::Tampered`]. It *can*
/// delete a row or roll a row back to an older sealed value; layer 3's Merkle root
/// detects that.
pub struct EncryptedStore<K: Kvs> {
    kvs: K,
    master: Key,
    row_key_key: Key,
    sealer: Sealer,
}

impl<K: Kvs> EncryptedStore<K> {
    /// Initializes an empty backend as a store protected by `passphrase`.
    ///
    /// Use [`KdfParams::RECOMMENDED`] (the default) for real data, and
    /// [`KdfParams::INSECURE_FOR_TESTS`] in tests.
    pub fn create(mut kvs: K, passphrase: &[u8], params: KdfParams) -> Result<Self, Error> {
        if !params.is_valid() {
            return Err(Error::InvalidKdfParams);
        }
        let mut any_row = false;
        kvs.for_each_key(&mut |_| {
            any_row = true;
            ControlFlow::Break(())
        })?;
        if any_row {
            return Err(Error::NotEmpty);
        }
        let mut salt = [0; SALT_LEN];
        crypto::random_fill(&mut salt).map_err(Error::Random)?;
        let header = Header { kdf: params, salt };
        let keys = Keys::derive(passphrase, &header)?;

        let mut batch = WriteBatch::with_capacity(2);
        batch.put(HEADER_ROW.as_bytes().to_vec(), header.encode().to_vec());
        let mut nonces = Nonces::fresh(1)?;
        batch.put(
            KEY_CHECK_ROW.as_bytes().to_vec(),
            seal(
                &keys.sealer,
                &mut nonces,
                &KEY_CHECK_ROW,
                KEY_CHECK_PLAINTEXT,
            )?,
        );
        kvs.commit(&batch)?;
        Ok(keys.into_store(kvs))
    }

    /// Opens a store created by [`EncryptedStore::create`].
    ///
    /// Fails with [`Error::MissingHeader`], [`Error::BadHeader`] or
    /// [`Error::UnsupportedVersion`] if the header is absent or garbled,
    /// [`Error::MissingKeyCheck`] if the key-check row is gone, and
    /// [`Error::WrongPassphrase`] if `passphrase` does not open it.
    pub fn open(kvs: K, passphrase: &[u8]) -> Result<Self, Error> {
        let raw_header = kvs
            .get(HEADER_ROW.as_bytes())?
            .ok_or(Error::MissingHeader)?;
        let header = Header::decode(&raw_header)?;
        let keys = Keys::derive(passphrase, &header)?;
        keys.check(&kvs)?;
        Ok(keys.into_store(kvs))
    }

    /// Closes the backend but keeps the keys, so the same store reopened (a file renamed
    /// into place, say) can be attached to them without running the passphrase's key
    /// derivation again: see [`DetachedKeys::attach`].
    pub fn detach(self) -> Result<(DetachedKeys, K), Error> {
        let header = self
            .kvs
            .get(HEADER_ROW.as_bytes())?
            .ok_or(Error::MissingHeader)?;
        let keys = Keys {
            master: self.master,
            row_key_key: self.row_key_key,
            sealer: self.sealer,
        };
        Ok((DetachedKeys { keys, header }, self.kvs))
    }

    /// The value stored under `(domain, key)`, or `None`.
    ///
    /// A row that exists but fails authentication is [`Error::Tampered`].
    pub fn get(&self, domain: Domain, key: &[u8]) -> Result<Option<Vec<u8>>, Error> {
        self.get_row(&self.row_key(domain, key))
    }

    /// The value of a row found by its backend key (e.g. by [`Self::for_each_raw_key`]).
    /// The reserved rows are not values and read as [`Error::Tampered`].
    pub fn get_row(&self, row: &RowKey) -> Result<Option<Vec<u8>>, Error> {
        let Some(sealed) = self.kvs.get(row.as_bytes())? else {
            return Ok(None);
        };
        if is_reserved_row(row.as_bytes()) {
            return Err(Error::Tampered { row: *row });
        }
        self.sealer
            .open(&aad(row), sealed)
            .map(Some)
            .ok_or(Error::Tampered { row: *row })
    }

    /// Applies `batch` as one atomic, durable backend commit; on error nothing is applied.
    pub fn commit(&mut self, batch: &Batch) -> Result<(), Error> {
        self.commit_unless(batch, &mut || false).map(drop)
    }

    /// As [`EncryptedStore::commit`], but asks `stop` before every 256th row the backend
    /// writes. When it says yes the backend rolls the whole commit back and
    /// this returns `Ok(false)`: nothing of the batch is applied, now or after a reopen.
    pub fn commit_unless(
        &mut self,
        batch: &Batch,
        stop: &mut dyn FnMut() -> bool,
    ) -> Result<bool, Error> {
        let raw = self.sealed(batch)?;
        let mut stopped = false;
        let mut hook = |index: usize| {
            if index > 0 && index.is_multiple_of(STOP_POLL_ROWS) && stop() {
                stopped = true;
                return Err(KvsError::Cancelled);
            }
            Ok(())
        };
        match self.kvs.commit_with_hook(&raw, &mut hook) {
            Ok(()) => Ok(true),
            Err(KvsError::Cancelled) if stopped => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The backend rows of `batch`: row keys, sealed values, in row-key order; for a
    /// cleared batch, after a backend clear and the reserved rows written anew.
    fn sealed(&self, batch: &Batch) -> Result<WriteBatch, Error> {
        let puts = batch.ops.iter().filter(|(_, v)| v.is_some()).count();
        let mut nonces = Nonces::fresh(puts + usize::from(batch.cleared))?;
        let mut raw = WriteBatch::with_capacity(batch.ops.len() + 3);
        if batch.cleared {
            // The header is copied byte for byte (the keys derive from it); the key check
            // is sealed afresh with the keys in hand, so a damaged one is not carried over.
            let header = self
                .kvs
                .get(HEADER_ROW.as_bytes())?
                .ok_or(Error::MissingHeader)?;
            raw.clear();
            raw.put(HEADER_ROW.as_bytes().to_vec(), header);
            raw.put(
                KEY_CHECK_ROW.as_bytes().to_vec(),
                seal(
                    &self.sealer,
                    &mut nonces,
                    &KEY_CHECK_ROW,
                    KEY_CHECK_PLAINTEXT,
                )?,
            );
        }
        let mut rows: Vec<(RowKey, Option<&[u8]>)> = batch
            .ops
            .iter()
            .map(|(target, value)| {
                let row = match target {
                    Target::Logical { domain, key } => self.row_key(*domain, key),
                    Target::Row(row) => *row,
                };
                (row, value.as_deref())
            })
            .collect();
        // Row keys are uniform hashes, so in batch order every write would descend to a
        // random backend page; in key order consecutive writes share their path. The sort
        // is stable: of two operations on one row, the later still wins.
        rows.sort_by_key(|(row, _)| *row);
        for (row, value) in rows {
            match value {
                Some(value) => raw.put(
                    row.as_bytes().to_vec(),
                    seal(&self.sealer, &mut nonces, &row, value)?,
                ),
                None => raw.delete(row.as_bytes().to_vec()),
            }
        }
        Ok(raw)
    }

    /// The backend key of `(domain, key)`.
    #[must_use]
    pub fn row_key(&self, domain: Domain, key: &[u8]) -> RowKey {
        RowKey(crypto::keyed_hash(&self.row_key_key, &[&[domain.0], key]))
    }

    /// A key for `context`, independent of the store's own keys and of other contexts.
    /// Use a context naming the layer, purpose and version, e.g.
    /// `"pscheme-store merkle node address v1"`.
    #[must_use]
    pub fn derive_subkey(&self, context: &str) -> Key {
        crypto::derive_subkey(&self.master, &format!("{EXTERNAL_CONTEXT_PREFIX}{context}"))
    }

    /// Visits every raw backend key (of any length, reserved rows included) in ascending
    /// order until `visit` breaks; for fsck to find stray rows.
    pub fn for_each_raw_key(&self, visit: KeyVisitor<'_>) -> Result<(), Error> {
        Ok(self.kvs.for_each_key(visit)?)
    }

    /// The backend.
    pub fn kvs(&self) -> &K {
        &self.kvs
    }

    /// The backend, mutably: writes through it bypass encryption (tests use it to damage rows).
    pub fn kvs_mut(&mut self) -> &mut K {
        &mut self.kvs
    }

    /// Closes the store, returning the backend; keys are wiped.
    pub fn into_inner(self) -> K {
        self.kvs
    }
}

impl<K: Kvs> std::fmt::Debug for EncryptedStore<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptedStore").finish_non_exhaustive()
    }
}

/// The keys of a store without its backend ([`EncryptedStore::detach`]). Wiped when dropped.
pub struct DetachedKeys {
    keys: Keys,
    /// The header row the keys were derived from.
    header: Vec<u8>,
}

impl DetachedKeys {
    /// Opens the store in `kvs` with these keys. It must be the store they were detached
    /// from: a different header is [`Error::OtherStore`], and the key-check row is verified
    /// as [`EncryptedStore::open`] does.
    pub fn attach<K: Kvs>(self, kvs: K) -> Result<EncryptedStore<K>, Error> {
        let header = kvs
            .get(HEADER_ROW.as_bytes())?
            .ok_or(Error::MissingHeader)?;
        if header != self.header {
            return Err(Error::OtherStore);
        }
        self.keys.check(&kvs)?;
        Ok(self.keys.into_store(kvs))
    }
}

impl std::fmt::Debug for DetachedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DetachedKeys").finish_non_exhaustive()
    }
}

/// The keys derived from a passphrase and a header.
struct Keys {
    master: Key,
    row_key_key: Key,
    sealer: Sealer,
}

impl Keys {
    fn derive(passphrase: &[u8], header: &Header) -> Result<Keys, Error> {
        let master = crypto::derive_master_key(passphrase, &header.salt, header.kdf).map_err(
            |e| match e {
                argon2::Error::OutOfMemory => Error::Kdf {
                    detail: e.to_string(),
                },
                _ => Error::InvalidKdfParams,
            },
        )?;
        let row_key_key = crypto::derive_subkey(&master, ROW_KEY_CONTEXT);
        let sealer = Sealer::new(&crypto::derive_subkey(&master, SEAL_CONTEXT));
        Ok(Keys {
            master,
            row_key_key,
            sealer,
        })
    }

    /// Whether these keys open `kvs`'s key-check row.
    fn check<K: Kvs>(&self, kvs: &K) -> Result<(), Error> {
        let check = kvs
            .get(KEY_CHECK_ROW.as_bytes())?
            .ok_or(Error::MissingKeyCheck)?;
        match self.sealer.open(&aad(&KEY_CHECK_ROW), check) {
            None => Err(Error::WrongPassphrase),
            // Authentic but different: only someone holding the key could have written it.
            Some(plain) if plain != KEY_CHECK_PLAINTEXT => {
                Err(Error::Tampered { row: KEY_CHECK_ROW })
            }
            Some(_) => Ok(()),
        }
    }

    fn into_store<K: Kvs>(self, kvs: K) -> EncryptedStore<K> {
        EncryptedStore {
            kvs,
            master: self.master,
            row_key_key: self.row_key_key,
            sealer: self.sealer,
        }
    }
}

/// Associated data of a row: its backend key and the format version (little-endian).
fn aad(row: &RowKey) -> [u8; KEY_LEN + 2] {
    let mut aad = [0; KEY_LEN + 2];
    aad[..KEY_LEN].copy_from_slice(row.as_bytes());
    aad[KEY_LEN..].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    aad
}

/// Fresh random nonces drawn from the OS in bulk: one `getrandom` call per value cost about
/// a third of sealing a 100-byte value (docs/performance.md). Each nonce is handed out once.
struct Nonces {
    bytes: Vec<u8>,
    next: usize,
}

impl Nonces {
    /// A pool sized for `expected` nonces; it refills itself if more are taken.
    fn fresh(expected: usize) -> Result<Nonces, Error> {
        let mut nonces = Nonces {
            bytes: Vec::new(),
            next: 0,
        };
        nonces.refill(expected)?;
        Ok(nonces)
    }

    fn refill(&mut self, count: usize) -> Result<(), Error> {
        self.bytes.clear();
        self.bytes.resize(count.max(1) * NONCE_LEN, 0);
        self.next = 0;
        crypto::random_fill(&mut self.bytes).map_err(Error::Random)
    }

    fn take(&mut self) -> Result<[u8; NONCE_LEN], Error> {
        if self.next + NONCE_LEN > self.bytes.len() {
            self.refill(16)?;
        }
        let mut nonce = [0; NONCE_LEN];
        nonce.copy_from_slice(&self.bytes[self.next..self.next + NONCE_LEN]);
        self.next += NONCE_LEN;
        Ok(nonce)
    }
}

fn seal(
    sealer: &Sealer,
    nonces: &mut Nonces,
    row: &RowKey,
    value: &[u8],
) -> Result<Vec<u8>, Error> {
    let nonce = nonces.take()?;
    let mut out = Vec::with_capacity(value.len() + crypto::SEAL_OVERHEAD);
    sealer
        .seal_into(&nonce, &aad(row), value, &mut out)
        .map_err(|SealError::TooLong| Error::ValueTooLarge { len: value.len() })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_pool_refills_and_never_repeats() {
        let mut nonces = Nonces::fresh(2).unwrap();
        let taken: Vec<_> = (0..50).map(|_| nonces.take().unwrap()).collect();
        let mut unique = taken.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), taken.len());
        assert!(Nonces::fresh(0).unwrap().take().is_ok());
    }
}
