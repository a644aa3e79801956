//! Datums: what the reader produces, what `quote` holds and what the expander consumes.

use num_bigint::BigInt;
use serde::{Deserialize, Serialize};

use crate::span::Span;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Datum {
    pub kind: DatumKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DatumKind {
    Bool(bool),
    /// An exact integer that fits in an `i64`. The reader always uses this variant when it can,
    /// so `Int` and `BigInt` never describe the same number.
    Int(i64),
    BigInt(BigInt),
    /// An inexact real (flonum), including infinities and NaN.
    Real(f64),
    Char(char),
    Str(String),
    Symbol(String),
    /// `(a b c)` is `List([a, b, c], None)`; `(a b . c)` is `List([a, b], Some(c))`. The empty
    /// list is `List([], None)`. The tail of a dotted list is never itself a list datum.
    List(Vec<Datum>, Option<Box<Datum>>),
    Vector(Vec<Datum>),
    Bytevector(Vec<u8>),
}

impl Datum {
    pub fn new(kind: DatumKind, span: Span) -> Self {
        Datum { kind, span }
    }

    pub fn synthetic(kind: DatumKind) -> Self {
        Datum {
            kind,
            span: Span::SYNTHETIC,
        }
    }

    pub fn as_symbol(&self) -> Option<&str> {
        match &self.kind {
            DatumKind::Symbol(s) => Some(s),
            _ => None,
        }
    }

    /// The elements of a proper list, or `None` for anything else.
    pub fn as_list(&self) -> Option<&[Datum]> {
        match &self.kind {
            DatumKind::List(items, None) => Some(items),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, DatumKind::List(items, None) if items.is_empty())
    }
}
