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
