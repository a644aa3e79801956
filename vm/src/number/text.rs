//! `number->string` and `string->number`, in the compiler's literal syntax: the reader parses
//! numbers and its printer writes flonums, so that what `write` prints reads back as the same
//! number and `string->number` agrees with literals in source.
//!
//! Flonums print in the shortest form that reads back as the same flonum, always with a `.` or
//! an exponent so that they read back inexact: `1.0`, `0.1`, `1e21`, `1.5e-7`, `+inf.0`,
//! `-inf.0`, `+nan.0`. `string->number` has no fractions (`"1/2"` is `#f`, like the literal),
//! and `#e` of a decimal with a fractional part is `#f`.

use num_bigint::BigInt;
use pscheme_compiler::datum::DatumKind;
use pscheme_compiler::printer::write_flonum;
use pscheme_compiler::reader::parse_number;

use super::{NumError, Number};

/// The external representation of a flonum, as `write` prints it.
pub(crate) fn format_flonum(x: f64) -> String {
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = write_flonum(&mut text, x);
    text
}

impl Number {
    /// `number->string`. Exact integers print in any radix from 2 to 36 (lower-case digits);
    /// flonums only in radix 10.
    pub fn to_string_radix(&self, radix: u32) -> Result<String, NumError> {
        if !(2..=36).contains(&radix) {
            return Err(NumError::BadRadix(radix));
        }
        match self {
            Number::Fixnum(n) if radix == 10 => Ok(n.to_string()),
            Number::Fixnum(n) => Ok(BigInt::from(*n).to_str_radix(radix)),
            Number::Bignum(n) => Ok(n.to_str_radix(radix)),
            Number::Flonum(x) if radix == 10 => Ok(format_flonum(*x)),
            Number::Flonum(_) => Err(NumError::BadRadix(radix)),
        }
    }

    /// `string->number`: the number `text` denotes in `radix` (2, 8, 10 or 16, overridable by a
    /// prefix), or `None` if it is not the syntax of a number the tower can represent. This is
    /// the reader's own number syntax, so `string->number` agrees with literals in source.
    pub fn parse(text: &str, radix: u32) -> Option<Number> {
        match parse_number(text, radix)? {
            DatumKind::Int(n) => Some(Number::Fixnum(n)),
            DatumKind::BigInt(n) => Some(Number::from_bigint(n)),
            DatumKind::Real(x) => Some(Number::Flonum(x)),
            _ => None,
        }
    }
}
