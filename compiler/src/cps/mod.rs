//! The continuation-passing intermediate language between [`crate::core`] and the bytecode:
//! [`convert`] builds it, [`analyze`] makes the closure-conversion decisions that code generation
//! follows, [`print`] shows both.

mod analysis;
mod convert;
mod fold;
mod ir;
mod print;

pub use analysis::{Analysis, analyze, analyze_with};
pub use convert::{convert, convert_with};
pub use ir::{Atom, Cont, Fun, IdHasher, IdMap, IdSet, Program, Term, TopForm, Value, Var};
pub use print::{constant_text, print};

/// Switches for the optimizations of the lowering, all on by default. Turning one off must never
/// change what a program computes; they exist to measure what each one buys (see
/// `docs/bytecode.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Optimizations {
    /// Fold primitive operations on constants, and `if` on a constant test.
    pub fold_constants: bool,
    /// Compile calls of primitive globals (`car`, `+`, ...) as primitive instructions.
    pub inline_primitives: bool,
    /// Compile continuations that only receive jumps as join points instead of frames.
    pub join_points: bool,
    /// Make a closure used once where it is used (often straight into a call window).
    pub closures_at_use: bool,
}

impl Default for Optimizations {
    fn default() -> Self {
        Optimizations {
            fold_constants: true,
            inline_primitives: true,
            join_points: true,
            closures_at_use: true,
        }
    }
}
