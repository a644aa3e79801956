//! Operations on integers: the division family, parity, gcd/lcm, `expt`, `exact-integer-sqrt`,
//! `numerator`/`denominator`.
//!
//! Division and gcd accept inexact integers too (`(quotient 7.0 2)` is `3.0`), as R7RS asks.

use num_bigint::Sign;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::{MAX_EXACT_BITS, NumError, Number, Operands, check_size};

/// How integer division rounds its quotient: `truncate/` rounds toward zero (the remainder has
/// the sign of the dividend), `floor/` toward negative infinity (the sign of the divisor).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    Truncate,
    Floor,
}

impl Number {
    /// `truncate/` or `floor/`: quotient and remainder.
    pub fn div_rem(
        &self,
        divisor: &Number,
        rounding: Rounding,
    ) -> Result<(Number, Number), NumError> {
        self.require_integer()?;
        divisor.require_integer()?;
        if divisor.is_zero() {
            return Err(NumError::DivisionByZero);
        }
        Ok(match self.operands(divisor) {
            Operands::Fixnums(n, d) => {
                // In i128 no i64 pair overflows (i64::MIN / -1 = 2^63 fits).
                let (n, d) = (i128::from(n), i128::from(d));
                let (mut q, mut r) = (n / d, n % d);
                if rounding == Rounding::Floor && r != 0 && (r < 0) != (d < 0) {
                    q -= 1;
                    r += d;
                }
                (Number::from_i128(q), Number::from_i128(r))
            }
            Operands::Exact(n, d) => {
                let (q, r) = match rounding {
                    Rounding::Truncate => n.div_rem(&d),
                    Rounding::Floor => n.div_mod_floor(&d),
                };
                (Number::from_bigint(q), Number::from_bigint(r))
            }
            Operands::Flonums(n, d) => {
                // fmod is exact, so the remainder is exact even when the quotient rounds.
                let mut r = n % d;
                let mut q = (n / d).trunc();
                if rounding == Rounding::Floor && r != 0.0 && (r < 0.0) != (d < 0.0) {
                    r += d;
                    q = (n / d).floor();
                }
                (Number::Flonum(q), Number::Flonum(r))
            }
        })
    }

    /// `truncate-quotient` (`quotient`) or `floor-quotient`.
    pub fn quotient(&self, divisor: &Number, rounding: Rounding) -> Result<Number, NumError> {
        self.div_rem(divisor, rounding).map(|(q, _)| q)
    }

    /// `truncate-remainder` (`remainder`) or `floor-remainder` (`modulo`).
    pub fn remainder(&self, divisor: &Number, rounding: Rounding) -> Result<Number, NumError> {
        match (self, divisor) {
            // The common case without the quotient's work.
            (Number::Fixnum(n), Number::Fixnum(d)) if *d != 0 => {
                // checked_rem fails only for i64::MIN % -1, whose remainder is 0.
                let r = n.checked_rem(*d).unwrap_or(0);
                let r = if rounding == Rounding::Floor && r != 0 && (r < 0) != (*d < 0) {
                    r + d
                } else {
                    r
                };
                Ok(Number::Fixnum(r))
            }
            _ => self.div_rem(divisor, rounding).map(|(_, r)| r),
        }
    }

    /// `odd?`.
    pub fn is_odd(&self) -> Result<bool, NumError> {
        self.require_integer()?;
        Ok(match self {
            Number::Fixnum(n) => n & 1 == 1,
            Number::Bignum(n) => n.is_odd(),
            Number::Flonum(x) => x % 2.0 != 0.0,
        })
    }

    /// `even?`.
    pub fn is_even(&self) -> Result<bool, NumError> {
        self.is_odd().map(|odd| !odd)
    }

    /// `gcd` of two integers; non-negative; inexact if either is.
    pub fn gcd(&self, other: &Number) -> Result<Number, NumError> {
        self.require_integer()?;
        other.require_integer()?;
        Ok(match self.operands(other) {
            // unsigned_abs makes i64::MIN safe; the gcd may be 2^63, which is a bignum.
            Operands::Fixnums(a, b) => Number::from_u64(a.unsigned_abs().gcd(&b.unsigned_abs())),
            Operands::Exact(a, b) => Number::from_bigint(a.gcd(&b)),
            Operands::Flonums(mut a, mut b) => {
                while b != 0.0 {
                    (a, b) = (b, a % b);
                }
                Number::Flonum(a.abs())
            }
        })
    }

    /// `lcm` of two integers; non-negative; inexact if either is.
    pub fn lcm(&self, other: &Number) -> Result<Number, NumError> {
        let gcd = self.gcd(other)?;
        if gcd.is_zero() {
            return Ok(if self.is_exact() && other.is_exact() {
                Number::Fixnum(0)
            } else {
                Number::Flonum(0.0)
            });
        }
        Ok((&self.quotient(&gcd, Rounding::Truncate)? * other).abs())
    }

    /// `expt`. An exact base with a non-negative exact exponent gives an exact result; an exact
    /// base with a negative exponent gives a flonum (no exact rationals) unless the base is 1
    /// or -1; everything else is computed in flonums.
    pub fn expt(&self, exponent: &Number) -> Result<Number, NumError> {
        let Some(e) = exponent.exact_bigint() else {
            return Ok(Number::Flonum(self.to_f64().powf(exponent.to_f64())));
        };
        let Some(base) = self.exact_bigint() else {
            return Ok(Number::Flonum(self.to_f64().powf(exponent.to_f64())));
        };
        let base = base.as_ref();
        let e = e.as_ref();
        if base.is_zero() {
            return match e.sign() {
                Sign::Minus => Err(NumError::DivisionByZero),
                Sign::NoSign => Ok(Number::Fixnum(1)),
                Sign::Plus => Ok(Number::Fixnum(0)),
            };
        }
        if base.is_one() {
            return Ok(Number::Fixnum(1));
        }
        if (-base).is_one() {
            return Ok(Number::Fixnum(if e.is_odd() { -1 } else { 1 }));
        }
        if e.is_negative() {
            return Ok(Number::Flonum(self.to_f64().powf(exponent.to_f64())));
        }
        // |base| >= 2 here, so the result has at least `e` bits.
        let e = e
            .to_u32()
            .filter(|e| u64::from(*e).saturating_mul(base.bits() - 1) <= MAX_EXACT_BITS);
        match e {
            Some(e) => check_size(base.pow(e)),
            None => Err(NumError::TooLarge),
        }
    }

    /// `exact-integer-sqrt`: `(s, r)` with `s*s + r = self` and `s` the largest such.
    pub fn exact_integer_sqrt(&self) -> Result<(Number, Number), NumError> {
        match self {
            Number::Flonum(_) => Err(NumError::NotExactInteger),
            Number::Fixnum(n) if *n < 0 => Err(NumError::Negative),
            Number::Fixnum(n) => {
                let n = n.unsigned_abs();
                let s = n.isqrt();
                Ok((Number::from_u64(s), Number::from_u64(n - s * s)))
            }
            Number::Bignum(n) if n.is_negative() => Err(NumError::Negative),
            Number::Bignum(n) => {
                let s = n.sqrt();
                let r = n - &s * &s;
                Ok((Number::from_bigint(s), Number::from_bigint(r)))
            }
        }
    }

    /// `numerator`. Every flonum is a dyadic rational, so flonums have one too:
    /// `(numerator 0.75)` is `3.0`.
    pub fn numerator(&self) -> Result<Number, NumError> {
        match self {
            Number::Flonum(x) => {
                let (numerator, _) = flonum_fraction(*x)?;
                Ok(Number::Flonum(numerator))
            }
            exact => Ok(exact.clone()),
        }
    }

    /// `denominator`: `1` for exact integers, a power of two for flonums
    /// (`(denominator 0.75)` is `4.0`).
    pub fn denominator(&self) -> Result<Number, NumError> {
        match self {
            Number::Flonum(x) => {
                let (_, denominator) = flonum_fraction(*x)?;
                Ok(Number::Flonum(denominator))
            }
            _ => Ok(Number::Fixnum(1)),
        }
    }

    pub(crate) fn require_integer(&self) -> Result<(), NumError> {
        if self.is_integer() {
            Ok(())
        } else {
            Err(NumError::NotInteger)
        }
    }
}

/// `x` as a fraction in lowest terms, numerator and denominator as flonums.
fn flonum_fraction(x: f64) -> Result<(f64, f64), NumError> {
    if !x.is_finite() {
        return Err(NumError::NotFinite);
    }
    if x.fract() == 0.0 {
        return Ok((x, 1.0));
    }
    // A non-integral finite x is m * 2^k with k < 0 and m odd; decompose the bits.
    let bits = x.to_bits();
    let biased_exponent = i64::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let fraction = bits & ((1 << 52) - 1);
    let (mut mantissa, mut exponent) = if biased_exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased_exponent - 1075)
    };
    let zeros = mantissa.trailing_zeros();
    mantissa >>= zeros;
    exponent += i64::from(zeros);
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    #[allow(clippy::cast_precision_loss)]
    let numerator = sign * mantissa as f64;
    Ok((
        numerator,
        super::arith::scale_by_power_of_two(1.0, -exponent),
    ))
}
