//! Values: one tagged 64-bit word, either an immediate or a reference to a heap object.
//!
//! Layout (low 3 bits are the tag):
//! ```text
//! ...id (32 bits)...  000   object reference (ObjId in bits 3..35)
//! ...i61...           001   fixnum (two's complement, 61 bits)
//! ...code point...    010   character
//! ...constant...      011   special constant (#f, #t, '(), unspecified, eof, default, ...)
//! ```
//! A value never holds a Rust pointer, so a value is valid in any process that loads the same heap.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of a heap object: an index into the heap's slot table. Ids are stable for the
/// lifetime of the object (the collector does not move objects) and are reused after it is freed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjId(pub u32);

impl ObjId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for ObjId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}

const TAG_BITS: u32 = 3;
const TAG_MASK: u64 = 0b111;
const TAG_OBJ: u64 = 0b000;
const TAG_FIXNUM: u64 = 0b001;
const TAG_CHAR: u64 = 0b010;
const TAG_CONST: u64 = 0b011;

const fn special(n: u64) -> Value {
    Value((n << TAG_BITS) | TAG_CONST)
}

/// A Scheme value. `Copy`, 8 bytes, no pointers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct Value(u64);

impl From<Value> for u64 {
    fn from(v: Value) -> u64 {
        v.0
    }
}

impl TryFrom<u64> for Value {
    type Error = String;

    fn try_from(bits: u64) -> Result<Value, String> {
        Value::from_bits(bits).ok_or_else(|| format!("invalid value word {bits:#x}"))
    }
}

impl Value {
    pub const FALSE: Value = special(0);
    pub const TRUE: Value = special(1);
    pub const NULL: Value = special(2);
    pub const UNSPECIFIED: Value = special(3);
    pub const EOF: Value = special(4);
    /// The value of an optional parameter that was not supplied (`#!default`).
    pub const DEFAULT: Value = special(5);
    /// The value of a `letrec` variable before its initializer ran.
    pub const UNINITIALIZED: Value = special(6);
    /// The value cell of a global that has never been defined. Never visible to Scheme code.
    pub const UNBOUND: Value = special(7);

    /// The smallest and largest fixnums.
    pub const FIXNUM_MIN: i64 = -(1 << 60);
    pub const FIXNUM_MAX: i64 = (1 << 60) - 1;

    pub fn obj(id: ObjId) -> Value {
        Value(u64::from(id.0) << TAG_BITS)
    }

    /// A fixnum, or `None` if `n` does not fit in 61 bits (the caller allocates a bignum).
    pub fn fixnum(n: i64) -> Option<Value> {
        if (Self::FIXNUM_MIN..=Self::FIXNUM_MAX).contains(&n) {
            Some(Value(((n as u64) << TAG_BITS) | TAG_FIXNUM))
        } else {
            None
        }
    }

    /// A fixnum from a value known to be in range (small counts, lengths, indices).
    ///
    /// # Panics
    /// If `n` is outside the fixnum range; use [`Value::fixnum`] for arbitrary integers.
    pub fn small(n: i64) -> Value {
        Self::fixnum(n).expect("small integer within fixnum range")
    }

    pub fn char(c: char) -> Value {
        Value((u64::from(u32::from(c)) << TAG_BITS) | TAG_CHAR)
    }

    pub fn bool(b: bool) -> Value {
        if b { Value::TRUE } else { Value::FALSE }
    }

    pub fn as_obj(self) -> Option<ObjId> {
        if self.0 & TAG_MASK == TAG_OBJ {
            // Object references are only ever built from a u32 id.
            u32::try_from(self.0 >> TAG_BITS).ok().map(ObjId)
        } else {
            None
        }
    }

    pub fn as_fixnum(self) -> Option<i64> {
        if self.0 & TAG_MASK == TAG_FIXNUM {
            Some((self.0 as i64) >> TAG_BITS)
        } else {
            None
        }
    }

    pub fn as_char(self) -> Option<char> {
        if self.0 & TAG_MASK == TAG_CHAR {
            u32::try_from(self.0 >> TAG_BITS)
                .ok()
                .and_then(char::from_u32)
        } else {
            None
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        match self {
            Value::TRUE => Some(true),
            Value::FALSE => Some(false),
            _ => None,
        }
    }

    pub fn is_false(self) -> bool {
        self == Value::FALSE
    }

    pub fn is_true(self) -> bool {
        self != Value::FALSE
    }

    pub fn is_null(self) -> bool {
        self == Value::NULL
    }

    pub fn is_fixnum(self) -> bool {
        self.0 & TAG_MASK == TAG_FIXNUM
    }

    pub fn is_obj(self) -> bool {
        self.0 & TAG_MASK == TAG_OBJ
    }

    /// The raw word, for `eq?` hashing. Stable across save and load because ids are.
    pub fn bits(self) -> u64 {
        self.0
    }

    /// Rebuilds a value from [`Value::bits`]; `None` for words no value encodes (corrupt input).
    pub fn from_bits(bits: u64) -> Option<Value> {
        let v = Value(bits);
        let ok = match bits & TAG_MASK {
            TAG_OBJ => bits >> TAG_BITS <= u64::from(u32::MAX),
            TAG_FIXNUM => true,
            TAG_CHAR => v.as_char().is_some(),
            TAG_CONST => bits >> TAG_BITS <= 7,
            _ => false,
        };
        ok.then_some(v)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = self.as_obj() {
            write!(f, "{id}")
        } else if let Some(n) = self.as_fixnum() {
            write!(f, "{n}")
        } else if let Some(c) = self.as_char() {
            write!(f, "{c:?}")
        } else {
            let name = match *self {
                Value::FALSE => "#f",
                Value::TRUE => "#t",
                Value::NULL => "()",
                Value::UNSPECIFIED => "#<unspecified>",
                Value::EOF => "#<eof>",
                Value::DEFAULT => "#!default",
                Value::UNINITIALIZED => "#<uninitialized>",
                Value::UNBOUND => "#<unbound>",
                _ => "#<bad value>",
            };
            f.write_str(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_one_word() {
        assert_eq!(std::mem::size_of::<Value>(), 8);
        assert_eq!(std::mem::size_of::<Option<ObjId>>(), 8);
    }

    #[test]
    fn fixnums_round_trip_at_the_edges() {
        for n in [
            0,
            1,
            -1,
            Value::FIXNUM_MAX,
            Value::FIXNUM_MIN,
            12345,
            -98765,
        ] {
            assert_eq!(Value::fixnum(n).and_then(Value::as_fixnum), Some(n));
        }
        assert_eq!(Value::fixnum(Value::FIXNUM_MAX + 1), None);
        assert_eq!(Value::fixnum(Value::FIXNUM_MIN - 1), None);
        assert_eq!(Value::fixnum(i64::MIN), None);
    }

    #[test]
    fn tags_do_not_alias() {
        let id = Value::obj(ObjId(7));
        assert_eq!(id.as_obj(), Some(ObjId(7)));
        assert_eq!(id.as_fixnum(), None);
        assert_eq!(Value::small(7).as_obj(), None);
        assert_eq!(Value::char('λ').as_char(), Some('λ'));
        assert_eq!(Value::char('a').as_fixnum(), None);
        assert!(Value::FALSE.is_false());
        assert!(Value::NULL.is_true());
        assert_ne!(Value::NULL, Value::FALSE);
        assert_eq!(Value::obj(ObjId(u32::MAX)).as_obj(), Some(ObjId(u32::MAX)));
    }

    #[test]
    fn from_bits_rejects_garbage() {
        assert_eq!(Value::from_bits(Value::TRUE.bits()), Some(Value::TRUE));
        assert_eq!(Value::from_bits(0b111), None);
        assert_eq!(Value::from_bits((99 << 3) | 0b011), None);
        assert_eq!(Value::from_bits((0xD800 << 3) | 0b010), None);
    }
}
