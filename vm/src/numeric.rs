//! The bridge between heap values and the numeric tower of `number/`: [`Heap::number`] reads a
//! number out of a value, [`Heap::number_value`] stores one (fixnum when it fits, else a heap
//! bignum or flonum).

use crate::heap::Heap;
use crate::number::Number;
use crate::object::Object;
use crate::prim::{FromValue, IntoValue};
use crate::value::Value;

impl Heap {
    /// The number `v` holds, or `None` if it is not a number.
    pub fn number(&self, v: Value) -> Option<Number> {
        if let Some(n) = v.as_fixnum() {
            return Some(Number::Fixnum(n));
        }
        match self.object(v)? {
            Object::Bignum(n) => Some(Number::from_bigint((**n).clone())),
            Object::Flonum(x) => Some(Number::Flonum(*x)),
            _ => None,
        }
    }

    /// Whether `v` is a number, without copying a bignum.
    pub fn is_number(&self, v: Value) -> bool {
        v.is_fixnum() || matches!(self.object(v), Some(Object::Bignum(_) | Object::Flonum(_)))
    }

    /// A value holding `n`.
    pub fn number_value(&mut self, n: Number) -> Value {
        match n {
            Number::Fixnum(n) => self.integer(n),
            Number::Bignum(n) => self.bigint(n),
            Number::Flonum(x) => self.flonum(x),
        }
    }
}

impl FromValue for Number {
    const EXPECTED: &'static str = "number";
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.number(v)
    }
}

impl IntoValue for Number {
    fn into_value(self, heap: &mut Heap) -> Value {
        heap.number_value(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_through_the_heap() {
        let mut h = Heap::new();
        for n in [
            Number::Fixnum(3),
            Number::Fixnum(i64::MAX),
            Number::Flonum(2.5),
            Number::from_bigint(num_bigint::BigInt::from(i64::MAX) * 4),
        ] {
            let v = h.number_value(n.clone());
            assert_eq!(h.number(v), Some(n));
        }
        assert_eq!(h.number(Value::TRUE), None);
    }
}
