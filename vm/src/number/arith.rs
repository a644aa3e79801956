//! Field operations, negation, absolute value, comparison, `min`/`max`.
//!
//! Fixnum operations use checked `i64` arithmetic and redo the operation on `BigInt`s only on
//! overflow, so the common case never allocates.

use std::cmp::Ordering;
use std::ops::{Add, Mul, Neg, Sub};

use num_bigint::BigInt;
use num_traits::{FromPrimitive, Signed, Zero};

use super::{NumError, Number, Operands, bigint_to_f64};

impl Add for &Number {
    type Output = Number;

    fn add(self, other: &Number) -> Number {
        match self.operands(other) {
            Operands::Fixnums(a, b) => a.checked_add(b).map_or_else(
                || Number::from_i128(i128::from(a) + i128::from(b)),
                Number::Fixnum,
            ),
            Operands::Exact(a, b) => Number::from_bigint(a.as_ref() + b.as_ref()),
            Operands::Flonums(a, b) => Number::Flonum(a + b),
        }
    }
}

impl Sub for &Number {
    type Output = Number;

    fn sub(self, other: &Number) -> Number {
        match self.operands(other) {
            Operands::Fixnums(a, b) => a.checked_sub(b).map_or_else(
                || Number::from_i128(i128::from(a) - i128::from(b)),
                Number::Fixnum,
            ),
            Operands::Exact(a, b) => Number::from_bigint(a.as_ref() - b.as_ref()),
            Operands::Flonums(a, b) => Number::Flonum(a - b),
        }
    }
}

impl Mul for &Number {
    type Output = Number;

    fn mul(self, other: &Number) -> Number {
        match self.operands(other) {
            Operands::Fixnums(a, b) => a.checked_mul(b).map_or_else(
                || Number::from_i128(i128::from(a) * i128::from(b)),
                Number::Fixnum,
            ),
            Operands::Exact(a, b) => Number::from_bigint(a.as_ref() * b.as_ref()),
            Operands::Flonums(a, b) => Number::Flonum(a * b),
        }
    }
}

impl Neg for &Number {
    type Output = Number;

    fn neg(self) -> Number {
        match self {
            Number::Fixnum(n) => n
                .checked_neg()
                .map_or_else(|| Number::from_i128(-i128::from(*n)), Number::Fixnum),
            Number::Bignum(n) => Number::from_bigint(-n),
            Number::Flonum(x) => Number::Flonum(-x),
        }
    }
}

impl Number {
    /// `/` with two arguments. Exact operands that divide evenly give an exact quotient; any
    /// other exact quotient is a flonum (there are no exact rationals). Dividing an exact number
    /// by exact zero is an error; a flonum division by zero gives an infinity or NaN.
    pub fn divide(&self, other: &Number) -> Result<Number, NumError> {
        match self.operands(other) {
            Operands::Fixnums(a, b) => {
                if b == 0 {
                    return Err(NumError::DivisionByZero);
                }
                // i128 absorbs the one overflowing case, i64::MIN / -1.
                let (wide_a, wide_b) = (i128::from(a), i128::from(b));
                if wide_a % wide_b == 0 {
                    Ok(Number::from_i128(wide_a / wide_b))
                } else {
                    Ok(Number::Flonum(ratio_to_f64(
                        &BigInt::from(a),
                        &BigInt::from(b),
                    )))
                }
            }
            Operands::Exact(a, b) => {
                if b.is_zero() {
                    return Err(NumError::DivisionByZero);
                }
                if (a.as_ref() % b.as_ref()).is_zero() {
                    Ok(Number::from_bigint(a.as_ref() / b.as_ref()))
                } else {
                    Ok(Number::Flonum(ratio_to_f64(a.as_ref(), b.as_ref())))
                }
            }
            Operands::Flonums(a, b) => Ok(Number::Flonum(a / b)),
        }
    }

    /// `abs`.
    pub fn abs(&self) -> Number {
        if self.is_negative() {
            -self
        } else if let Number::Flonum(x) = self {
            // Also maps -0.0 to 0.0.
            Number::Flonum(x.abs())
        } else {
            self.clone()
        }
    }

    /// The numeric order of two numbers, exact even across exactness (a fixnum near 2^62 is
    /// compared with a flonum without rounding it first, which keeps `=`, `<`, ... transitive).
    /// `None` when either is NaN.
    pub fn num_cmp(&self, other: &Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Fixnum(a), Number::Fixnum(b)) => Some(a.cmp(b)),
            (Number::Flonum(a), Number::Flonum(b)) => a.partial_cmp(b),
            (Number::Flonum(a), exact) => cmp_exact_flonum(exact, *a).map(Ordering::reverse),
            (exact, Number::Flonum(b)) => cmp_exact_flonum(exact, *b),
            (a, b) => match (a.exact_bigint(), b.exact_bigint()) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                _ => None,
            },
        }
    }

    /// `=`: numeric equality across exactness; false when either is NaN.
    pub fn num_eq(&self, other: &Number) -> bool {
        self.num_cmp(other) == Some(Ordering::Equal)
    }

    /// `max` of two numbers, inexact if either is (R7RS inexact contagion); NaN if either is.
    pub fn max(&self, other: &Number) -> Number {
        self.pick(other, Ordering::Greater)
    }

    /// `min` of two numbers, inexact if either is; NaN if either is.
    pub fn min(&self, other: &Number) -> Number {
        self.pick(other, Ordering::Less)
    }

    fn pick(&self, other: &Number, wanted: Ordering) -> Number {
        let inexact = !self.is_exact() || !other.is_exact();
        let chosen = match self.num_cmp(other) {
            None => return Number::Flonum(f64::NAN),
            Some(order) if order == wanted => self,
            Some(_) => other,
        };
        if inexact {
            chosen.to_inexact()
        } else {
            chosen.clone()
        }
    }

    /// `square`.
    pub fn square(&self) -> Number {
        self * self
    }
}

/// Compares an exact integer with a flonum without rounding the integer.
fn cmp_exact_flonum(exact: &Number, x: f64) -> Option<Ordering> {
    if x.is_nan() {
        return None;
    }
    if x.is_infinite() {
        return Some(if x > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        });
    }
    // Integers of magnitude up to 2^53 are exact in an f64: compare as floats.
    const EXACT_LIMIT: i64 = 1 << 53;
    if let Number::Fixnum(n) = exact
        && (-EXACT_LIMIT..=EXACT_LIMIT).contains(n)
    {
        #[allow(clippy::cast_precision_loss)]
        return (*n as f64).partial_cmp(&x);
    }
    let exact = exact.exact_bigint()?;
    let floor = x.floor();
    let floor_big = BigInt::from_f64(floor)?;
    match exact.as_ref().cmp(&floor_big) {
        // exact == floor(x) <= x: equal only when x has no fractional part.
        Ordering::Equal if x > floor => Some(Ordering::Less),
        order => Some(order),
    }
}

/// The flonum nearest to `a / b` for exact integers (within a couple of ulps), also when they
/// are beyond the `f64` range.
fn ratio_to_f64(a: &BigInt, b: &BigInt) -> f64 {
    let (fa, fb) = (bigint_to_f64(a), bigint_to_f64(b));
    if fa.is_finite() && fb.is_finite() {
        return fa / fb;
    }
    // a = ma * 2^ea and b = mb * 2^eb with ma, mb of at most 64 bits; 64 bits of each are
    // plenty for a 53-bit quotient.
    let (ea, eb) = (a.bits().saturating_sub(64), b.bits().saturating_sub(64));
    let (ma, mb) = (bigint_to_f64(&(a >> ea)), bigint_to_f64(&(b >> eb)));
    let exponent = i64::try_from(ea).unwrap_or(i64::MAX) - i64::try_from(eb).unwrap_or(i64::MAX);
    scale_by_power_of_two(ma / mb, exponent)
}

/// `x * 2^k` without overflowing the intermediate power of two.
pub(crate) fn scale_by_power_of_two(mut x: f64, mut k: i64) -> f64 {
    const STEP: i64 = 1000;
    let (up, down) = (2f64.powi(1000), 2f64.powi(-1000));
    while k > STEP && x.is_finite() && x != 0.0 {
        x *= up;
        k -= STEP;
    }
    while k < -STEP && x.is_finite() && x != 0.0 {
        x *= down;
        k += STEP;
    }
    #[allow(clippy::cast_possible_truncation)]
    let k = k.clamp(-STEP, STEP) as i32;
    x * 2f64.powi(k)
}
