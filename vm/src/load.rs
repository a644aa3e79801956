//! Loading compiled units into the heap: structural validation (so the interpreter can index
//! registers, constants and blocks without bounds surprises), constants converted to heap
//! values, global names interned.

use std::sync::Arc;

use pscheme_compiler::bytecode::{self, CodeUnit, Constant};
use pscheme_compiler::datum::{Datum, DatumKind};

use crate::heap::Heap;
use crate::object::{Closure, Code, LoadedCode, Object};
use crate::value::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError {
    Version {
        found: u32,
        expected: u32,
    },
    /// The unit breaks a structural rule of the bytecode.
    Invalid(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Version { found, expected } => {
                write!(f, "bytecode format version {found}, expected {expected}")
            }
            LoadError::Invalid(why) => write!(f, "invalid code unit: {why}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Loads `unit` and returns a closure over its entry block.
pub(crate) fn load_unit(heap: &mut Heap, unit: CodeUnit) -> Result<Value, LoadError> {
    validate(&unit)?;
    let consts = unit
        .constants
        .iter()
        .map(|c| match c {
            Constant::Datum(d) => datum_to_value(heap, d),
            Constant::Unspecified => Value::UNSPECIFIED,
            Constant::Uninitialized => Value::UNINITIALIZED,
        })
        .collect();
    let globals = unit.globals.iter().map(|g| heap.intern(g)).collect();
    let entry = unit.entry.0;
    let code = heap.alloc(Object::Code(Code(Arc::new(LoadedCode {
        unit,
        consts,
        globals,
    }))));
    Ok(heap.alloc_value(Object::Closure(Closure {
        code,
        block: entry,
        free: Box::new([]),
    })))
}

/// Converts a quoted datum to a heap value.
pub fn datum_to_value(heap: &mut Heap, d: &Datum) -> Value {
    match &d.kind {
        DatumKind::Bool(b) => Value::bool(*b),
        DatumKind::Int(n) => heap.integer(*n),
        DatumKind::BigInt(n) => heap.bigint(n.clone()),
        DatumKind::Real(x) => heap.flonum(*x),
        DatumKind::Char(c) => Value::char(*c),
        DatumKind::Str(s) => heap.string(s),
        DatumKind::Symbol(s) => heap.intern_value(s),
        DatumKind::List(items, tail) => {
            let tail = match tail {
                Some(t) => datum_to_value(heap, t),
                None => Value::NULL,
            };
            let items: Vec<Value> = items.iter().map(|i| datum_to_value(heap, i)).collect();
            heap.list_with_tail(&items, tail)
        }
        DatumKind::Vector(items) => {
            let items = items.iter().map(|i| datum_to_value(heap, i)).collect();
            heap.alloc_value(Object::Vector(items))
        }
        DatumKind::Bytevector(bytes) => heap.alloc_value(Object::Bytevector(bytes.clone())),
    }
}

/// Checks every index the interpreter will use (the compiler's structural validator).
///
/// # Errors
/// The first rule the unit breaks.
pub(crate) fn validate(unit: &CodeUnit) -> Result<(), LoadError> {
    bytecode::validate(unit).map_err(|e| match e {
        bytecode::ValidateError::Version { found, expected } => {
            LoadError::Version { found, expected }
        }
        other => LoadError::Invalid(other.to_string()),
    })
}
