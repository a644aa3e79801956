//! `pscheme-embed`: embed a persistent, encrypted Scheme VM in a Rust program.
//!
//! The host's state machine, agent or wallet logic is written in Scheme and kept in an
//! encrypted store: every process, continuation, mailbox, timer and datum survives a crash
//! (kill -9 included) without the host writing persistence code.
//!
//! ```
//! use pscheme_embed::Engine;
//!
//! let mut engine = Engine::new()?; // in memory; Engine::builder().store(..) persists
//! engine.eval::<()>("(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))")?;
//! let f: u64 = engine.call("fact", (20,))?;
//! assert_eq!(f, 2_432_902_008_176_640_000);
//! # Ok::<(), pscheme_embed::Error>(())
//! ```
//!
//! # Why a facade crate
//!
//! The VM (`pscheme-vm`), the persistence engine (`pscheme-persist`) and the encrypted store
//! (`pscheme-store`) are separate crates whose APIs serve each other and change with them.
//! This crate is the one stable API over the three, so a host depends on none of their
//! internals (heap ids, waves, write barriers). It is named `pscheme-embed` for now; it will
//! be renamed `pscheme` once the command-line package gives up that name.
//!
//! # The pieces
//!
//! - [`Engine`]: open ([`Engine::new`] in memory, [`Engine::builder`] on a store), evaluate
//!   ([`Engine::eval`], [`Engine::load_file`]), call ([`Engine::call`]), register host
//!   functions ([`Engine::register_fn`]), run the scheduler ([`Engine::run_until_idle`],
//!   [`Engine::run_slices`], [`Engine::run_for`]), message processes ([`Engine::send`]), wait
//!   for durability ([`Engine::sync`]), close ([`Engine::close`]).
//! - [`Handle`]: a Scheme value held by the host, kept alive until dropped.
//! - [`Error`]: one error type; a Scheme exception is a [`SchemeError`] with message,
//!   irritants, `file:line:col` and backtrace.
//!
//! # Conversions
//!
//! Arguments and results convert through serde: any `Serialize` type can be passed, any
//! `DeserializeOwned` type asked for, and [`Handle`] keeps a value as is.
//!
//! | Rust | Scheme |
//! |------|--------|
//! | `bool` | `#t`, `#f` |
//! | integers (any width) | exact integers (bignums beyond 61 bits) |
//! | `f32`, `f64` | flonums (reading accepts exact integers too) |
//! | `char` | characters |
//! | `String`, `&str` | strings (reading accepts symbols too) |
//! | [`Bytevector`] (or any type serializing as bytes) | bytevectors |
//! | `Option<T>` | `#f` for `None`, the value for `Some` |
//! | `()` | the unspecified value (reading accepts anything) |
//! | `Vec<T>` (`Vec<u8>` too), slices, tuples | proper lists (reading accepts vectors and bytevectors too) |
//! | [`Vector<T>`] | vectors |
//! | [`Symbol`] | symbols |
//! | structs | association lists with symbol keys: `((name . "ada") (age . 36))` |
//! | maps | association lists `((key . value) ...)`; reading accepts hash tables too |
//! | unit enum variants | symbols: `Color::Red` is `Red` |
//! | other enum variants | lists headed by the variant's symbol: `(Move 1 2)`, `(Set (x . 1))` |
//!
//! Maps become association lists, not hash tables, because lists are plain data that every
//! Scheme procedure (`assq`, `map`, `equal?`) works on and that print readably. One caveat
//! follows from Scheme's conventions: `Some(false)` is written `#f` and reads back as `None`.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! # let mut engine = pscheme_embed::Engine::new()?;
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct Order { id: u32, items: Vec<String>, express: bool }
//!
//! engine.eval::<()>("(define (rush order) (cons '(express . #t) (cdr (reverse order))))")?;
//! let order = Order { id: 7, items: vec!["tea".into()], express: false };
//! let rushed: Order = engine.call("rush", (&order,))?;
//! assert_eq!(rushed, Order { express: true, ..order });
//! # Ok::<(), pscheme_embed::Error>(())
//! ```
//!
//! # Persistence
//!
//! On a store, the engine commits the heap in waves (a configurable interval after the
//! previous commit when anything changed); [`Engine::sync`] returns once everything done so
//! far is durable, and [`Engine::close`] (or drop) commits the last wave. Reopening the store
//! resumes every process where it was: [`Engine::resumed`] says whether the host should set
//! its program up or find it in globals. Output of Scheme code is released only once the
//! state that produced it is durable. `docs/persistence.md` gives the semantics and
//! `docs/embedding.md` a guide.

#![deny(missing_docs)]

mod builder;
mod convert;
mod de;
mod engine;
mod error;
mod handle;
mod host_fn;
mod output;
mod persist;
mod ser;

pub use builder::Builder;
pub use convert::{Bytevector, Cx, FromScheme, IntoArgs, Symbol, ToScheme, Vector};
pub use engine::{Engine, RunState};
pub use error::{ConvertError, Error, SchemeError};
pub use handle::Handle;
pub use host_fn::HostFn;
pub use output::{Captured, Output, OutputFn};
pub use persist::ResumeInfo;
pub use pscheme_persist::KdfParams;
