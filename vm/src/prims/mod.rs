//! Primitive procedures, one module per domain. Each module has a `register` function adding its
//! primitives to the [`Registry`]; [`register_all`] calls them in order (a later registration of
//! the same name replaces an earlier one).
//!
//! The VM core owns `inline` (the [`PrimOp`](pscheme_compiler::bytecode::PrimOp)s as
//! procedures), `control` (continuations, dynamic-wind, values, apply, exceptions, parameters),
//! `records` (records, promises, `%case-lambda`) and `process` (green processes). The other
//! modules are the standard library's.

mod bytevectors;
mod chars;
mod control;
mod durability;
mod equality;
mod hashtables;
pub(crate) mod inline;
mod io;
mod lists;
mod numbers;
mod ports;
mod process;
pub(crate) mod records;
mod strings;
mod symbols;
mod vectors;

use crate::prim::Registry;

pub(crate) fn register_all(registry: &mut Registry) {
    inline::register(registry);
    control::register(registry);
    records::register(registry);
    process::register(registry);
    durability::register(registry);
    numbers::register(registry);
    chars::register(registry);
    strings::register(registry);
    symbols::register(registry);
    lists::register(registry);
    vectors::register(registry);
    bytevectors::register(registry);
    hashtables::register(registry);
    ports::register(registry);
    io::register(registry);
    equality::register(registry);
}
