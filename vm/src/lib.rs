//! The pscheme virtual machine.
//!
//! - [`value`], [`object`], [`heap`]: values are 8-byte tagged words; objects live in a heap
//!   addressed by [`ObjId`]; every mutation passes one write barrier ([`Heap::get_mut`]) that
//!   records the dirty set persistence commits. [`gc`] is a mark-sweep collector; [`encode`]
//!   turns objects into versioned bytes.
//! - [`interp`]: the CPS bytecode interpreter, run on fuel; [`control`]: dynamic state, raise,
//!   continuation jumps; [`sched`]: green processes.
//! - [`prim`]: how primitives are registered ([`Registry`], [`FromValue`], [`IntoValue`],
//!   [`Action`]); `prims/`: the primitives by domain; `number/`: the numeric tower.
//!
//! `docs/vm.md` describes the design; `/work/notes/vm-api.md` is the guide for primitive writers.

mod boot;
mod compile;
mod control;
pub mod convert;
pub mod durability;
pub mod encode;
pub mod error;
mod gc;
pub mod heap;
pub mod host;
mod interp;
pub mod load;
pub mod native;
pub mod number;
mod numeric;
pub mod object;
pub mod prim;
mod prims;
pub mod printer;
pub mod run;
pub mod sched;
pub mod validate;
pub mod value;
mod vm;

#[cfg(test)]
mod test_rng;
#[cfg(test)]
mod tests;

pub use error::Error;
pub use heap::Heap;
pub use object::Object;
pub use prim::{Action, Ctx, FromValue, IntoValue, PrimResult, Registry};
pub use run::{RunOutput, run_source};
pub use sched::Idle;
pub use value::{ObjId, Value};
pub use vm::{ProcessReport, Vm};

/// Why a program could not be run at all (as opposed to failing while running, which is a
/// [`ProcessReport`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum RunError {
    /// The source did not compile; the diagnostics are rendered.
    Compile(String),
    Load(load::LoadError),
    /// The prelude (`stdlib/`) failed: a bug in the VM's Scheme library.
    Prelude(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Compile(text) => f.write_str(text),
            RunError::Load(e) => write!(f, "{e}"),
            RunError::Prelude(e) => write!(f, "prelude: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<load::LoadError> for RunError {
    fn from(e: load::LoadError) -> Self {
        RunError::Load(e)
    }
}
