//! Rounding to integers, square roots and the transcendental functions.
//!
//! Rounding keeps exactness (an exact integer is its own floor). `sqrt` is exact on exact
//! perfect squares; every transcendental function returns a flonum, NaN where the true result
//! would be complex.

use num_bigint::BigInt;
use num_traits::Signed;

use super::{Number, bigint_to_f64};

/// A function from reals to flonums: `exp`, `log`, `sin`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transcendental {
    Exp,
    Log,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
}

impl Number {
    pub fn floor(&self) -> Number {
        self.map_flonum(f64::floor)
    }

    pub fn ceiling(&self) -> Number {
        self.map_flonum(f64::ceil)
    }

    pub fn truncate(&self) -> Number {
        self.map_flonum(f64::trunc)
    }

    /// `round`: to the nearest integer, ties to even (`(round 2.5)` is `2.0`).
    pub fn round(&self) -> Number {
        self.map_flonum(f64::round_ties_even)
    }

    fn map_flonum(&self, f: impl Fn(f64) -> f64) -> Number {
        match self {
            Number::Flonum(x) => Number::Flonum(f(*x)),
            exact => exact.clone(),
        }
    }

    /// `sqrt`: exact for exact perfect squares, a flonum otherwise (NaN for negative numbers).
    pub fn sqrt(&self) -> Number {
        match self {
            Number::Flonum(x) => Number::Flonum(x.sqrt()),
            Number::Fixnum(n) if *n < 0 => Number::Flonum(f64::NAN),
            Number::Fixnum(n) => {
                let n = n.unsigned_abs();
                let s = n.isqrt();
                if s * s == n {
                    Number::from_u64(s)
                } else {
                    #[allow(clippy::cast_precision_loss)]
                    Number::Flonum((n as f64).sqrt())
                }
            }
            Number::Bignum(n) if n.is_negative() => Number::Flonum(f64::NAN),
            Number::Bignum(n) => {
                let s = n.sqrt();
                if &(&s * &s) == n {
                    Number::from_bigint(s)
                } else {
                    let x = bigint_to_f64(n);
                    // Beyond the f64 range, sqrt(n) is still within it: use the integer root.
                    Number::Flonum(if x.is_finite() {
                        x.sqrt()
                    } else {
                        bigint_to_f64(&s)
                    })
                }
            }
        }
    }

    /// A one-argument transcendental function; always a flonum.
    pub fn transcendental(&self, function: Transcendental) -> Number {
        if let (Transcendental::Log, Number::Bignum(n)) = (function, self) {
            return Number::Flonum(bignum_ln(n));
        }
        let x = self.to_f64();
        Number::Flonum(match function {
            Transcendental::Exp => x.exp(),
            Transcendental::Log => x.ln(),
            Transcendental::Sin => x.sin(),
            Transcendental::Cos => x.cos(),
            Transcendental::Tan => x.tan(),
            Transcendental::Asin => x.asin(),
            Transcendental::Acos => x.acos(),
            Transcendental::Atan => x.atan(),
        })
    }

    /// `(log z base)`.
    pub fn log_base(&self, base: &Number) -> Number {
        let ln = |n: &Number| match n {
            Number::Bignum(n) => bignum_ln(n),
            other => other.to_f64().ln(),
        };
        Number::Flonum(ln(self) / ln(base))
    }

    /// `rationalize`: the simplest rational within `tolerance` of `self` (the one with the
    /// smallest denominator, then the smallest numerator in magnitude). Exact integer arguments
    /// give an exact integer; otherwise the rational is returned as a flonum, since the tower
    /// has no exact rationals: `(rationalize .3 1/10)` is `0.3333333333333333`.
    pub fn rationalize(&self, tolerance: &Number) -> Number {
        if self.is_exact() && tolerance.is_exact() {
            let tolerance = tolerance.abs();
            let (lo, hi) = (self - &tolerance, self + &tolerance);
            // The simplest rational in an interval holding integers is the integer nearest 0.
            return if lo.is_positive() {
                lo
            } else if hi.is_negative() {
                hi
            } else {
                Number::Fixnum(0)
            };
        }
        let (x, tolerance) = (self.to_f64(), tolerance.to_f64().abs());
        if x.is_nan() || tolerance.is_nan() || (x.is_infinite() && tolerance.is_infinite()) {
            return Number::Flonum(f64::NAN);
        }
        if x.is_infinite() {
            return Number::Flonum(x);
        }
        let (lo, hi) = (x - tolerance, x + tolerance);
        Number::Flonum(if lo > 0.0 {
            simplest_between(lo, hi)
        } else if hi < 0.0 {
            -simplest_between(-hi, -lo)
        } else {
            0.0
        })
    }

    /// `(atan y x)`: the angle of the point (x, y).
    pub fn atan2(&self, x: &Number) -> Number {
        Number::Flonum(self.to_f64().atan2(x.to_f64()))
    }
}

/// The natural logarithm of a bignum, also beyond the `f64` range: `ln(n) = ln(n / 2^k) + k ln 2`.
fn bignum_ln(n: &BigInt) -> f64 {
    let x = bigint_to_f64(n);
    if x.is_finite() || n.is_negative() {
        return x.ln();
    }
    let shift = n.bits() - 64;
    #[allow(clippy::cast_precision_loss)]
    let scaled_exponent = shift as f64;
    bigint_to_f64(&(n >> shift)).ln() + scaled_exponent * std::f64::consts::LN_2
}

/// The simplest rational in `[lo, hi]` with `0 < lo <= hi`, as a flonum, by the continued
/// fraction expansion both ends share (the Stern-Brocot descent).
fn simplest_between(lo: f64, hi: f64) -> f64 {
    // Convergents p/q of the shared expansion: x = a0 + 1/(a1 + 1/(a2 + ...)).
    let (mut p, mut q, mut p_prev, mut q_prev) = (1.0, 0.0, 0.0, 1.0);
    let (mut lo, mut hi) = (lo, hi);
    // A double's continued fraction has at most a few dozen terms; the bound guards rounding.
    for _ in 0..64 {
        let whole = lo.floor();
        // An integer in the interval ends the expansion with the smallest such integer.
        let (term, done) = if whole == lo {
            (whole, true)
        } else if whole < hi.floor() {
            (whole + 1.0, true)
        } else {
            (whole, false)
        };
        (p, p_prev) = (term * p + p_prev, p);
        (q, q_prev) = (term * q + q_prev, q);
        if done {
            return p / q;
        }
        // Same integer part: continue with the reciprocals of the fractional parts.
        (lo, hi) = (1.0 / (hi - whole), 1.0 / (lo - whole));
    }
    p / q
}
