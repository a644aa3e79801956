//! Bounds that turn pathological input into a diagnostic instead of a stack overflow or a hang.
//!
//! The expander recurses once per level of expression nesting, and the passes after it (CPS
//! lowering, dropping the trees) recurse over what it produces, so both the nesting it walks and
//! the height of syntax that macros build are capped. The caps are far above anything a person
//! writes and low enough for a 2 MiB thread stack (in a test build, a chain of 4,000 nested `if`s
//! from one `cond` overflowed it; 1,000 leaves room for the passes after the expander).

/// Deepest expression nesting the expander walks (also counts derived-form chains such as the
/// clauses of one `cond`, which become nested `if`s).
pub(crate) const MAX_NESTING: u32 = 1000;

/// Tallest syntax tree accepted from the reader or built by a macro.
pub(crate) const MAX_SYNTAX_HEIGHT: u32 = 1100;

/// Work units (forms visited, macro steps, template nodes built, datum nodes quoted) allowed for
/// one compilation unit: a base plus a multiple of the unit's size in datum nodes. A 10,000-line
/// program (about 100,000 nodes) uses about 130,000 units; a macro that never stops expanding, or
/// that doubles its input at each step, is stopped after a few million, before its output can
/// take much memory.
pub(crate) const BASE_WORK: u64 = 1_000_000;
pub(crate) const WORK_PER_NODE: u64 = 20;

/// Errors reported before giving up on a unit.
pub(crate) const MAX_ERRORS: usize = 30;
