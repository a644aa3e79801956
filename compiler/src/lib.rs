//! The pscheme compiler: source text to CPS bytecode.
//!
//! Pipeline: [`reader`] (text to [`datum::Datum`]s with spans) -> `expand` (macros and derived
//! forms to the [`core`] language) -> `cps` (continuation-passing IR, closure conversion) ->
//! `codegen` ([`bytecode::CodeUnit`]). Errors at any stage are [`diagnostic::Diagnostic`]s.

pub mod bytecode;
pub mod codegen;
pub mod core;
pub mod cps;
pub mod datum;
pub mod diagnostic;
pub mod disasm;
pub mod driver;
pub mod expand;
pub mod printer;
pub mod reader;
pub mod render;
pub mod span;
