//! [`FromValue`] and [`IntoValue`] for common Rust types, and typed references to heap objects
//! (`StringRef`, `PairRef`, ...) that check the object's kind once, at conversion.

use num_bigint::BigInt;

use crate::heap::Heap;
use crate::object::Object;
use crate::prim::{FromValue, IntoValue};
use crate::value::{ObjId, Value};

impl FromValue for Value {
    const EXPECTED: &'static str = "value";
    fn from_value(_: &Heap, v: Value) -> Option<Self> {
        Some(v)
    }
}

impl FromValue for bool {
    const EXPECTED: &'static str = "boolean";
    fn from_value(_: &Heap, v: Value) -> Option<Self> {
        v.as_bool()
    }
}

impl FromValue for char {
    const EXPECTED: &'static str = "character";
    fn from_value(_: &Heap, v: Value) -> Option<Self> {
        v.as_char()
    }
}

/// An exact integer that fits in an `i64` (fixnum, or bignum in range).
impl FromValue for i64 {
    const EXPECTED: &'static str = "exact integer";
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        v.as_fixnum().or_else(|| match heap.object(v) {
            Some(Object::Bignum(n)) => i64::try_from(&**n).ok(),
            _ => None,
        })
    }
}

/// A non-negative exact integer (an index or a count).
impl FromValue for usize {
    const EXPECTED: &'static str = "non-negative exact integer";
    fn from_value(_: &Heap, v: Value) -> Option<Self> {
        v.as_fixnum().and_then(|n| usize::try_from(n).ok())
    }
}

/// An exact integer of any size.
impl FromValue for BigInt {
    const EXPECTED: &'static str = "exact integer";
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        v.as_fixnum()
            .map(BigInt::from)
            .or_else(|| match heap.object(v) {
                Some(Object::Bignum(n)) => Some((**n).clone()),
                _ => None,
            })
    }
}

/// The text of a string (copied).
impl FromValue for String {
    const EXPECTED: &'static str = "string";
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.string_text(v)
    }
}

impl IntoValue for Value {
    fn into_value(self, _: &mut Heap) -> Value {
        self
    }
}

impl IntoValue for () {
    fn into_value(self, _: &mut Heap) -> Value {
        Value::UNSPECIFIED
    }
}

impl IntoValue for bool {
    fn into_value(self, _: &mut Heap) -> Value {
        Value::bool(self)
    }
}

impl IntoValue for char {
    fn into_value(self, _: &mut Heap) -> Value {
        Value::char(self)
    }
}

impl IntoValue for i64 {
    fn into_value(self, heap: &mut Heap) -> Value {
        heap.integer(self)
    }
}

impl IntoValue for usize {
    fn into_value(self, heap: &mut Heap) -> Value {
        match i64::try_from(self) {
            Ok(n) => heap.integer(n),
            Err(_) => heap.bigint(BigInt::from(self)),
        }
    }
}

impl IntoValue for BigInt {
    fn into_value(self, heap: &mut Heap) -> Value {
        heap.bigint(self)
    }
}

impl IntoValue for f64 {
    fn into_value(self, heap: &mut Heap) -> Value {
        heap.flonum(self)
    }
}

impl IntoValue for String {
    fn into_value(self, heap: &mut Heap) -> Value {
        heap.string(&self)
    }
}

impl IntoValue for &str {
    fn into_value(self, heap: &mut Heap) -> Value {
        heap.string(self)
    }
}

/// `None` is `#f`.
impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self, heap: &mut Heap) -> Value {
        self.map_or(Value::FALSE, |v| v.into_value(heap))
    }
}

/// A proper list.
impl IntoValue for Vec<Value> {
    fn into_value(self, heap: &mut Heap) -> Value {
        heap.list(&self)
    }
}

macro_rules! object_ref {
    ($(#[$doc:meta])* $name:ident, $expected:literal, $pat:pat) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name(pub ObjId);

        impl $name {
            pub fn value(self) -> Value {
                Value::obj(self.0)
            }
        }

        impl FromValue for $name {
            const EXPECTED: &'static str = $expected;
            fn from_value(heap: &Heap, v: Value) -> Option<Self> {
                let id = v.as_obj()?;
                matches!(heap.get(id), $pat).then_some($name(id))
            }
        }

        impl IntoValue for $name {
            fn into_value(self, _: &mut Heap) -> Value {
                Value::obj(self.0)
            }
        }
    };
}

object_ref!(
    /// A pair.
    PairRef, "pair", Object::Pair(..));
object_ref!(
    /// A string.
    StringRef, "string", Object::String(_));
object_ref!(
    /// A vector.
    VectorRef, "vector", Object::Vector(_));
object_ref!(
    /// A bytevector.
    BytevectorRef, "bytevector", Object::Bytevector(_));
object_ref!(
    /// A symbol.
    SymbolRef, "symbol", Object::Symbol(_));
object_ref!(
    /// A hash table.
    HashTableRef, "hash table", Object::HashTable(_));
object_ref!(
    /// A port.
    PortRef, "port", Object::Port(_));
object_ref!(
    /// A record instance.
    RecordRef, "record", Object::Record(_));
object_ref!(
    /// A record type descriptor.
    RecordTypeRef, "record type", Object::RecordType(_));
object_ref!(
    /// A process.
    ProcessRef, "process", Object::Process(_));
object_ref!(
    /// An error object.
    ErrorRef, "error object", Object::Error(_));
object_ref!(
    /// A promise.
    PromiseRef, "promise", Object::Promise(_));
object_ref!(
    /// A parameter object.
    ParameterRef, "parameter", Object::Parameter(_));

/// Any procedure (closure, primitive, continuation, parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Procedure(pub Value);

impl FromValue for Procedure {
    const EXPECTED: &'static str = "procedure";
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.is_procedure(v).then_some(Procedure(v))
    }
}

/// A proper list, as its elements.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List(pub Vec<Value>);

impl FromValue for List {
    const EXPECTED: &'static str = "list";
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.list_to_vec(v).map(List)
    }
}
