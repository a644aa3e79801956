//! `pscheme-persist`: orthogonal persistence for the pscheme VM.
//!
//! The bridge between `pscheme-vm`, which knows nothing of storage, and `pscheme-store`, which
//! knows nothing of Scheme. A [`HeapStore`] is an encrypted merkle store holding one heap:
//!
//! - [`HeapStore::create`] / [`HeapStore::open`] a store file; [`HeapStore::load`] decodes the
//!   heap it holds into a resumed [`pscheme_vm::Vm`] ([`SavedHeap`]), or says there is none yet.
//! - [`HeapStore::into_writer`] moves the store to a writer thread, a
//!   [`pscheme_vm::durability::WaveSink`]: the VM's driver submits waves, the thread commits
//!   each as one transaction while the VM keeps running.
//! - [`HeapStore::info`] and [`HeapStore::fsck`] for the command line.
//!
//! The layout of the trees is in `docs/persistence.md` ("Stored layout"); the semantics of
//! waves, `sync` and `atomically` in the same document.

mod error;
mod layout;
mod load;
mod store;
mod writer;

pub use error::PersistError;
pub use load::SavedHeap;
pub use store::{HeapStore, StoreInfo};
pub use writer::{TRACE_VAR, Writer};

pub use pscheme_store::KdfParams;
pub use pscheme_store::merkle::{CommitInfo, FsckReport};
