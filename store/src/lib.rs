//! `pscheme-store`: the encrypted, transactional store under the pscheme heap.
//!
//! The store is a stack of layers; each layer only talks to the one below it.
//! The byte layout of everything written is in `docs/storage-format.md`.
//!
//! # Layer 1: [`kvs`], key-value backends
//!
//! [`Kvs`] is the whole contract a backend must meet: [`Kvs::get`] a value, visit every
//! key ([`Kvs::for_each_key`]) or every entry ([`Kvs::for_each_entry`]) in ascending byte
//! order, and [`Kvs::commit`] one [`WriteBatch`] of puts, deletes and clears atomically and
//! durably.
//! Backends: [`SqliteKvs`] (the real one), [`MemKvs`] (tests), and [`FaultyKvs`], a wrapper
//! over any backend that fails a commit midway through the backend's own transaction, or
//! fails reads, after a chosen number of operations. A [`ReadSnapshot`] makes many reads
//! share one backend read transaction. Errors are [`KvsError`]. A new backend
//! proves itself by passing the conformance suite in `store/tests/common/kvs_conformance.rs`
//! (one `kvs_conformance!` line in `store/tests/kvs_conformance.rs`).
//!
//! # Layer 2: [`encrypted`], the encrypted byte store
//!
//! [`EncryptedStore<K>`] maps `(`[`Domain`]`, logical key)` to a value, over any `K: Kvs`.
//! The host sees only 32-byte row keys ([`RowKey`], a keyed hash of domain and logical key)
//! and sealed values (XChaCha20-Poly1305, fresh nonce per write, bound to their row key).
//!
//! ```
//! use pscheme_store::{Batch, Domain, EncryptedStore, KdfParams, MemKvs};
//!
//! const NOTES: Domain = Domain(40);
//! // Tests use cheap KDF parameters; real stores use `KdfParams::default()`.
//! let mut store = EncryptedStore::create(MemKvs::new(), b"passphrase", KdfParams::INSECURE_FOR_TESTS)?;
//! let mut batch = Batch::new();
//! batch.put(NOTES, b"greeting", b"hello".to_vec());
//! batch.delete(NOTES, b"missing");
//! store.commit(&batch)?;
//! assert_eq!(store.get(NOTES, b"greeting")?.as_deref(), Some(&b"hello"[..]));
//!
//! let kvs = store.into_inner();
//! let reopened = EncryptedStore::open(kvs, b"passphrase")?;
//! assert_eq!(reopened.get(NOTES, b"greeting")?.as_deref(), Some(&b"hello"[..]));
//! # Ok::<(), pscheme_store::Error>(())
//! ```
//!
//! The surface upper layers build on:
//! - [`EncryptedStore::create`] / [`EncryptedStore::open`] (KDF parameters live in the
//!   header, so `open` takes only the passphrase); [`KdfParams::INSECURE_FOR_TESTS`] makes
//!   tests fast.
//! - [`EncryptedStore::get`], [`Batch::put`], [`Batch::delete`], [`Batch::clear`],
//!   [`EncryptedStore::commit`] (one batch = one atomic [`Kvs::commit`]).
//! - [`EncryptedStore::row_key`] (where a logical key lives), [`EncryptedStore::get_row`]
//!   (open a row found by listing), [`EncryptedStore::for_each_raw_key`] (every raw backend
//!   key, for fsck to find stray rows) and [`is_reserved_row`] (header and key-check rows).
//! - [`EncryptedStore::derive_subkey`]: an independent zeroizing [`Key`] for a caller-chosen
//!   context string, e.g. for layer 3's keyed node addresses.
//! - [`EncryptedStore::kvs`], [`EncryptedStore::kvs_mut`], [`EncryptedStore::into_inner`]:
//!   the backend, so tests can damage rows.
//!
//! # Domains
//!
//! A [`Domain`] namespaces logical keys. Values are allocated per layer so layers cannot
//! collide: `0..=15` layer 2 (reserved; currently unused by logical keys), `16..=31` layer 3
//! (the Merkle heap), `32..=255` later layers and applications.
//!
//! Errors are [`Error`]; `Error::Kvs` wraps the backend's [`KvsError`].

#![deny(clippy::pedantic)]
// Reasons for each allowed pedantic lint:
// - module_name_repetitions: `KvsError`, `SqliteKvs` read better than `kvs::Error`, `Sqlite`.
// - missing_errors_doc: every fallible fn returns this crate's documented error enums.
// - doc_markdown: it wants product names (SQLite, PostgreSQL) in backticks.
#![allow(
    clippy::module_name_repetitions,
    clippy::missing_errors_doc,
    clippy::doc_markdown
)]

mod crypto;
pub mod encrypted;
pub mod kvs;

pub use crypto::{KdfParams, Key};
pub use encrypted::{Batch, DetachedKeys, Domain, EncryptedStore, Error, RowKey, is_reserved_row};
pub use kvs::{
    FaultyKvs, Kvs, KvsError, MemKvs, ReadSnapshot, SqliteKvs, SqliteOptions, Synchronous,
    WriteBatch,
};
pub mod merkle;
