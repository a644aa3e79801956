//! The numeric tower as plain Rust data, independent of the heap.
//!
//! A [`Number`] is an exact integer (an `i64` fixnum that overflows transparently into a
//! `BigInt` bignum) or an inexact real (an `f64` flonum). Mixed arithmetic follows R7RS: an
//! operation with any inexact argument gives an inexact result (inexact contagion), and exact
//! arguments give exact results whenever the tower can represent them.
//!
//! The tower has no exact rationals and no complex numbers:
//! - `(/ 6 3)` is the exact `2`, but `(/ 1 3)` is the flonum `0.333...`;
//! - `(exact 2.5)` is an error ([`NumError::NoExactValue`]); `(exact 2.0)` is `2`;
//! - functions whose result would be complex (`(sqrt -4)`, `(log -1)`, `(asin 2)`) give
//!   `+nan.0`, as IEEE arithmetic does.
//!
//! Submodules group operations by role: [`arith`] (the field operations and comparison),
//! [`integer`] (integer division, gcd, expt, exact square root), [`real`] (rounding and
//! transcendental functions) and [`text`] (`number->string` and `string->number`).

mod arith;
mod integer;
mod real;
mod text;

#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use num_bigint::BigInt;
use num_traits::{FromPrimitive, Signed, ToPrimitive};

pub use integer::Rounding;
pub use real::Transcendental;

/// A Scheme number.
///
/// Invariant: a `Bignum` never holds a value that fits in an `i64`, so every exact integer has
/// exactly one representation. Build numbers from `BigInt`s with [`Number::from_bigint`].
///
/// `PartialEq` is structural: `Fixnum(2) != Flonum(2.0)` and `Flonum(NAN) != Flonum(NAN)`. Scheme
/// equality is [`Number::num_eq`] (`=`) and [`Number::eqv`] (`eqv?`).
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Fixnum(i64),
    Bignum(BigInt),
    Flonum(f64),
}

/// Why a numeric operation has no result. The primitive layer turns it into a Scheme error
/// naming the primitive and its arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NumError {
    DivisionByZero,
    /// An argument that must be an integer (exact or inexact) is not one.
    NotInteger,
    /// An argument that must be an exact integer is not one.
    NotExactInteger,
    /// An argument that must be non-negative is negative.
    Negative,
    /// An argument that must be finite (rational) is an infinity or NaN.
    NotFinite,
    /// `exact` of a flonum that is not an integer: the tower has no exact rationals, and
    /// infinities and NaN have no exact counterpart at all.
    NoExactValue,
    /// An exact result would be too large to allocate, e.g. `(expt 3 (expt 10 12))`.
    TooLarge,
    /// A radix outside 2..=36, or other than 10 for an inexact number.
    BadRadix(u32),
}

impl fmt::Display for NumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumError::DivisionByZero => f.write_str("division by zero"),
            NumError::NotInteger => f.write_str("expected an integer"),
            NumError::NotExactInteger => f.write_str("expected an exact integer"),
            NumError::Negative => f.write_str("expected a non-negative number"),
            NumError::NotFinite => f.write_str("expected a finite number"),
            NumError::NoExactValue => {
                f.write_str("no exact representation (exact rationals are not supported)")
            }
            NumError::TooLarge => f.write_str("exact result too large"),
            NumError::BadRadix(r) => write!(f, "unsupported radix {r}"),
        }
    }
}

impl std::error::Error for NumError {}

/// The largest exact result, in bits, that an operation may build (8 MiB of digits). Larger
/// results would exhaust memory long before they were useful.
pub(crate) const MAX_EXACT_BITS: u64 = 1 << 26;

impl From<i64> for Number {
    fn from(n: i64) -> Self {
        Number::Fixnum(n)
    }
}

impl From<f64> for Number {
    fn from(x: f64) -> Self {
        Number::Flonum(x)
    }
}

impl From<BigInt> for Number {
    fn from(n: BigInt) -> Self {
        Number::from_bigint(n)
    }
}

impl Number {
    /// The exact integer `n`, as a fixnum when it fits.
    pub fn from_bigint(n: BigInt) -> Number {
        match n.to_i64() {
            Some(small) => Number::Fixnum(small),
            None => Number::Bignum(n),
        }
    }

    pub(crate) fn from_i128(n: i128) -> Number {
        match i64::try_from(n) {
            Ok(small) => Number::Fixnum(small),
            Err(_) => Number::Bignum(BigInt::from(n)),
        }
    }

    pub(crate) fn from_u64(n: u64) -> Number {
        match i64::try_from(n) {
            Ok(small) => Number::Fixnum(small),
            Err(_) => Number::Bignum(BigInt::from(n)),
        }
    }

    pub fn is_exact(&self) -> bool {
        !matches!(self, Number::Flonum(_))
    }

    pub fn is_exact_integer(&self) -> bool {
        self.is_exact()
    }

    /// `integer?`: exact integers and flonums with no fractional part.
    pub fn is_integer(&self) -> bool {
        match self {
            Number::Flonum(x) => x.is_finite() && x.fract() == 0.0,
            _ => true,
        }
    }

    /// `rational?`: every number but the infinities and NaN (the tower has no other reals).
    pub fn is_rational(&self) -> bool {
        self.is_finite()
    }

    pub fn is_finite(&self) -> bool {
        match self {
            Number::Flonum(x) => x.is_finite(),
            _ => true,
        }
    }

    pub fn is_infinite(&self) -> bool {
        matches!(self, Number::Flonum(x) if x.is_infinite())
    }

    pub fn is_nan(&self) -> bool {
        matches!(self, Number::Flonum(x) if x.is_nan())
    }

    pub fn is_zero(&self) -> bool {
        match self {
            Number::Fixnum(n) => *n == 0,
            Number::Bignum(_) => false,
            Number::Flonum(x) => *x == 0.0,
        }
    }

    /// `positive?`; false for NaN.
    pub fn is_positive(&self) -> bool {
        match self {
            Number::Fixnum(n) => *n > 0,
            Number::Bignum(n) => n.is_positive(),
            Number::Flonum(x) => *x > 0.0,
        }
    }

    /// `negative?`; false for NaN and for `-0.0`.
    pub fn is_negative(&self) -> bool {
        match self {
            Number::Fixnum(n) => *n < 0,
            Number::Bignum(n) => n.is_negative(),
            Number::Flonum(x) => *x < 0.0,
        }
    }

    /// The nearest `f64` (correctly rounded for bignums; infinite beyond the `f64` range).
    pub fn to_f64(&self) -> f64 {
        match self {
            // `as` rounds to nearest, ties to even: exactly `inexact` on a fixnum.
            #[allow(clippy::cast_precision_loss)]
            Number::Fixnum(n) => *n as f64,
            Number::Bignum(n) => bigint_to_f64(n),
            Number::Flonum(x) => *x,
        }
    }

    /// The value as an `i64` if it is an exact integer in range (indices, counts, radixes).
    pub fn to_i64(&self) -> Option<i64> {
        match self {
            Number::Fixnum(n) => Some(*n),
            _ => None,
        }
    }

    /// The value as a `usize` if it is a non-negative exact integer in range.
    pub fn to_usize(&self) -> Option<usize> {
        self.to_i64().and_then(|n| usize::try_from(n).ok())
    }

    /// The exact integer as a `BigInt`; `None` for flonums.
    pub(crate) fn exact_bigint(&self) -> Option<Cow<'_, BigInt>> {
        match self {
            Number::Fixnum(n) => Some(Cow::Owned(BigInt::from(*n))),
            Number::Bignum(n) => Some(Cow::Borrowed(n)),
            Number::Flonum(_) => None,
        }
    }

    /// `inexact`.
    pub fn to_inexact(&self) -> Number {
        Number::Flonum(self.to_f64())
    }

    /// `exact`: the exact integer equal to an integral flonum.
    pub fn to_exact(&self) -> Result<Number, NumError> {
        match self {
            Number::Flonum(x) => {
                if !x.is_finite() || x.fract() != 0.0 {
                    return Err(NumError::NoExactValue);
                }
                // Every integral f64 in [-2^63, 2^63) converts to i64 without loss.
                const TWO_63: f64 = 9_223_372_036_854_775_808.0;
                if (-TWO_63..TWO_63).contains(x) {
                    #[allow(clippy::cast_possible_truncation)]
                    return Ok(Number::Fixnum(*x as i64));
                }
                BigInt::from_f64(*x)
                    .map(Number::from_bigint)
                    .ok_or(NumError::NoExactValue)
            }
            exact => Ok(exact.clone()),
        }
    }

    /// `eqv?` on numbers: same exactness and same value; flonums compare by bit pattern, so
    /// `(eqv? +nan.0 +nan.0)` is true and `(eqv? 0.0 -0.0)` false, as R7RS intends.
    pub fn eqv(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Fixnum(a), Number::Fixnum(b)) => a == b,
            (Number::Bignum(a), Number::Bignum(b)) => a == b,
            (Number::Flonum(a), Number::Flonum(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }

    /// A hash consistent with [`Number::eqv`] (and so with `equal?`).
    pub fn hash_eqv<H: Hasher>(&self, state: &mut H) {
        match self {
            Number::Fixnum(n) => {
                state.write_u8(0);
                n.hash(state);
            }
            Number::Bignum(n) => {
                state.write_u8(1);
                n.hash(state);
            }
            Number::Flonum(x) => {
                state.write_u8(2);
                x.to_bits().hash(state);
            }
        }
    }

    /// The operands of a binary operation in a common representation: both fixnums, both exact
    /// (at least one a bignum), or both flonums (inexact contagion).
    pub(crate) fn operands<'a>(&'a self, other: &'a Number) -> Operands<'a> {
        match (self, other) {
            (Number::Fixnum(a), Number::Fixnum(b)) => Operands::Fixnums(*a, *b),
            (Number::Flonum(_), _) | (_, Number::Flonum(_)) => {
                Operands::Flonums(self.to_f64(), other.to_f64())
            }
            (Number::Fixnum(a), Number::Bignum(b)) => {
                Operands::Exact(Cow::Owned(BigInt::from(*a)), Cow::Borrowed(b))
            }
            (Number::Bignum(a), Number::Fixnum(b)) => {
                Operands::Exact(Cow::Borrowed(a), Cow::Owned(BigInt::from(*b)))
            }
            (Number::Bignum(a), Number::Bignum(b)) => {
                Operands::Exact(Cow::Borrowed(a), Cow::Borrowed(b))
            }
        }
    }
}

pub(crate) enum Operands<'a> {
    Fixnums(i64, i64),
    Exact(Cow<'a, BigInt>, Cow<'a, BigInt>),
    Flonums(f64, f64),
}

impl fmt::Display for Number {
    /// The external representation `write` and `display` print (radix 10).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Fixnum(n) => write!(f, "{n}"),
            Number::Bignum(n) => write!(f, "{n}"),
            Number::Flonum(x) => f.write_str(&text::format_flonum(*x)),
        }
    }
}

/// Whether a bignum fits the [`MAX_EXACT_BITS`] budget.
pub(crate) fn check_size(n: BigInt) -> Result<Number, NumError> {
    if n.bits() > MAX_EXACT_BITS {
        Err(NumError::TooLarge)
    } else {
        Ok(Number::from_bigint(n))
    }
}

/// The `f64` nearest to `n`, correctly rounded; infinite beyond the `f64` range.
pub(crate) fn bigint_to_f64(n: &BigInt) -> f64 {
    n.to_f64().unwrap_or(if n.is_negative() {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    })
}
