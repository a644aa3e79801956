//! The continuation-passing intermediate language between [`crate::core`] and the bytecode:
//! [`convert`] builds it, [`analyze`] makes the closure-conversion decisions that code generation
//! follows, [`print`] shows both.

mod analysis;
mod convert;
mod fold;
mod ir;
mod print;

pub use analysis::{Analysis, analyze};
pub use convert::convert;
pub use ir::{Atom, Cont, Fun, Program, Term, TopForm, Value, Var};
pub use print::{constant_text, print};
