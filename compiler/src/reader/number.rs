//! R7RS number syntax for the reals pscheme has: exact integers of any size and flonums. Exact
//! rationals and complex numbers are recognised only to say they are not supported.

use num_bigint::BigInt;

use crate::datum::DatumKind;

/// Why a text is not a number pscheme can represent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// Not number syntax at all (it may be a symbol).
    Invalid,
    /// Valid R7RS number syntax for a kind of number pscheme does not have.
    Unsupported(&'static str),
    /// An exact number too large to build.
    OutOfRange,
}

/// Largest decimal exponent accepted when an exact (`#e`) decimal is scaled up: `#e1e100000`
/// would otherwise allocate an arbitrarily large integer from a handful of source bytes.
const MAX_EXACT_EXPONENT: u64 = 10_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Exactness {
    Exact,
    Inexact,
}

/// Parses `text` as an R7RS number, with `radix` (2, 8, 10 or 16) the radix used when the text
/// has no `#x`/`#b`/`#o`/`#d` prefix. Returns `None` when the text is not a number pscheme can
/// represent (including exact rationals and complex numbers, which it does not have).
pub fn parse_number(text: &str, radix: u32) -> Option<DatumKind> {
    parse(text, radix).ok()
}

pub(crate) fn parse(text: &str, default_radix: u32) -> Result<DatumKind, NumberError> {
    if !matches!(default_radix, 2 | 8 | 10 | 16) {
        return Err(NumberError::Invalid);
    }
    let (radix, exactness, body) = prefixes(text, default_radix)?;
    let (negative, unsigned) = match body.as_bytes().first() {
        Some(b'+') => (false, &body[1..]),
        Some(b'-') => (true, &body[1..]),
        _ => (false, body),
    };
    let signed = unsigned.len() != body.len();
    if signed && let Some(special) = special_real(unsigned, negative) {
        return match exactness {
            Some(Exactness::Exact) => Err(NumberError::Unsupported("exact infinities and NaNs")),
            _ => Ok(special),
        };
    }
    if let Some(value) = integer(unsigned, radix) {
        let value = if negative { -value } else { value };
        return Ok(match exactness {
            Some(Exactness::Inexact) => DatumKind::Real(bigint_to_f64(&value)),
            _ => exact_integer(value),
        });
    }
    if radix == 10
        && let Some(decimal) = Decimal::parse(unsigned)
    {
        return match exactness {
            Some(Exactness::Exact) => decimal.exact(negative).map(exact_integer),
            _ => Ok(DatumKind::Real(decimal.inexact(negative))),
        };
    }
    Err(unsupported_kind(unsigned, radix))
}

/// Strips `#x`/`#b`/`#o`/`#d` and `#e`/`#i` (at most one of each, in either order).
fn prefixes(text: &str, default_radix: u32) -> Result<(u32, Option<Exactness>, &str), NumberError> {
    let mut radix = None;
    let mut exactness = None;
    let mut rest = text;
    while let Some(after) = rest.strip_prefix('#') {
        let mut chars = after.chars();
        let marker = chars
            .next()
            .ok_or(NumberError::Invalid)?
            .to_ascii_lowercase();
        match marker {
            'x' | 'b' | 'o' | 'd' if radix.is_none() => {
                radix = Some(match marker {
                    'x' => 16,
                    'b' => 2,
                    'o' => 8,
                    _ => 10,
                });
            }
            'e' if exactness.is_none() => exactness = Some(Exactness::Exact),
            'i' if exactness.is_none() => exactness = Some(Exactness::Inexact),
            _ => return Err(NumberError::Invalid),
        }
        rest = chars.as_str();
    }
    Ok((radix.unwrap_or(default_radix), exactness, rest))
}

fn special_real(unsigned: &str, negative: bool) -> Option<DatumKind> {
    let value = if unsigned.eq_ignore_ascii_case("inf.0") {
        f64::INFINITY
    } else if unsigned.eq_ignore_ascii_case("nan.0") {
        f64::NAN
    } else {
        return None;
    };
    Some(DatumKind::Real(if negative { -value } else { value }))
}

fn is_digit(b: u8, radix: u32) -> bool {
    char::from(b).is_digit(radix)
}

/// An unsigned integer in `radix`, or `None` if `text` is not one.
fn integer(text: &str, radix: u32) -> Option<BigInt> {
    if text.is_empty() || !text.bytes().all(|b| is_digit(b, radix)) {
        return None;
    }
    if let Ok(small) = i64::from_str_radix(text, radix) {
        return Some(BigInt::from(small));
    }
    BigInt::parse_bytes(text.as_bytes(), radix)
}

/// The reader's invariant: `Int` whenever the value fits in an `i64`.
fn exact_integer(value: BigInt) -> DatumKind {
    match i64::try_from(&value) {
        Ok(small) => DatumKind::Int(small),
        Err(_) => DatumKind::BigInt(value),
    }
}

fn bigint_to_f64(value: &BigInt) -> f64 {
    // Going through the decimal text gives correct rounding, which a digit-by-digit
    // accumulation would not; the only way here is `#i` on a huge literal, so speed is moot.
    value.to_string().parse().unwrap_or(f64::NAN)
}

/// A decimal `digits[.digits][e[sign]digits]` with at least one digit in the mantissa.
struct Decimal<'a> {
    int_digits: &'a str,
    frac_digits: &'a str,
    exponent: &'a str,
}

impl<'a> Decimal<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(e) => (&text[..e], &text[e + 1..]),
            None => (text, ""),
        };
        let has_exponent = mantissa.len() != text.len();
        let (int_digits, frac_digits) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let exponent_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let valid = all_digits(int_digits)
            && all_digits(frac_digits)
            && !(int_digits.is_empty() && frac_digits.is_empty())
            && (!has_exponent || (!exponent_digits.is_empty() && all_digits(exponent_digits)));
        valid.then_some(Decimal {
            int_digits,
            frac_digits,
            exponent,
        })
    }

    fn inexact(&self, negative: bool) -> f64 {
        let mut text = String::with_capacity(self.int_digits.len() + self.frac_digits.len() + 24);
        if negative {
            text.push('-');
        }
        text.push_str(if self.int_digits.is_empty() {
            "0"
        } else {
            self.int_digits
        });
        text.push('.');
        text.push_str(self.frac_digits);
        text.push('0');
        if !self.exponent.is_empty() {
            text.push('e');
            text.push_str(self.exponent);
        }
        // The text is validated decimal syntax, which Rust parses (huge exponents give inf or 0).
        text.parse().unwrap_or(f64::NAN)
    }

    /// The exact value, which must be an integer since pscheme has no exact rationals.
    fn exact(&self, negative: bool) -> Result<BigInt, NumberError> {
        let mut digits = format!("{}{}", self.int_digits, self.frac_digits);
        let significant = digits.trim_start_matches('0').len();
        if significant == 0 {
            return Ok(BigInt::ZERO);
        }
        let (exp_negative, exp_digits) = match self.exponent.as_bytes().first() {
            Some(b'-') => (true, &self.exponent[1..]),
            Some(b'+') => (false, &self.exponent[1..]),
            _ => (false, self.exponent),
        };
        let exp_magnitude = exp_digits.trim_start_matches('0');
        // Exponents beyond u64 are certainly out of range; a `None` here means exactly that.
        let exp_magnitude: u64 = if exp_magnitude.is_empty() {
            0
        } else {
            exp_magnitude.parse().unwrap_or(u64::MAX)
        };
        let frac_len = self.frac_digits.len() as u64;
        // value = digits * 10^(exp - frac_len)
        let (scale_up, shift) = if exp_negative {
            (false, exp_magnitude.saturating_add(frac_len))
        } else if exp_magnitude >= frac_len {
            (true, exp_magnitude - frac_len)
        } else {
            (false, frac_len - exp_magnitude)
        };
        if scale_up {
            if shift > MAX_EXACT_EXPONENT {
                return Err(NumberError::OutOfRange);
            }
            digits.extend(std::iter::repeat_n(
                '0',
                usize::try_from(shift).map_err(|_| NumberError::OutOfRange)?,
            ));
        } else {
            let trailing_zeros = (digits.len() - digits.trim_end_matches('0').len()) as u64;
            if shift > trailing_zeros {
                return Err(NumberError::Unsupported("exact non-integer numbers"));
            }
            digits.truncate(
                digits.len() - usize::try_from(shift).map_err(|_| NumberError::OutOfRange)?,
            );
        }
        let value = integer(&digits, 10).ok_or(NumberError::Invalid)?;
        Ok(if negative { -value } else { value })
    }
}

/// Tells a rational or complex literal (valid R7RS, unsupported here) from text that is simply
/// not a number.
fn unsupported_kind(unsigned: &str, radix: u32) -> NumberError {
    if let Some((num, den)) = unsigned.split_once('/')
        && integer(num, radix).is_some()
        && integer(den, radix).is_some()
    {
        return NumberError::Unsupported("exact rational numbers");
    }
    let looks_complex = unsigned.ends_with(['i', 'I'])
        && unsigned.bytes().any(|b| is_digit(b, radix))
        && unsigned[..unsigned.len() - 1].bytes().all(|b| {
            is_digit(b, radix) || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E' | b'/' | b'@')
        });
    if looks_complex || unsigned.contains('@') && unsigned.split('@').all(|part| !part.is_empty()) {
        return NumberError::Unsupported("complex numbers");
    }
    NumberError::Invalid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real(text: &str) -> f64 {
        match parse(text, 10) {
            Ok(DatumKind::Real(x)) => x,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn integers_of_any_size() {
        assert_eq!(parse("42", 10), Ok(DatumKind::Int(42)));
        assert_eq!(parse("-42", 10), Ok(DatumKind::Int(-42)));
        assert_eq!(parse("+7", 10), Ok(DatumKind::Int(7)));
        assert_eq!(
            parse("-9223372036854775808", 10),
            Ok(DatumKind::Int(i64::MIN))
        );
        let big: BigInt = "9223372036854775808".parse().unwrap();
        assert_eq!(parse("9223372036854775808", 10), Ok(DatumKind::BigInt(big)));
    }

    #[test]
    fn radix_and_exactness_prefixes() {
        assert_eq!(parse("#xff", 10), Ok(DatumKind::Int(255)));
        assert_eq!(parse("#XFF", 10), Ok(DatumKind::Int(255)));
        assert_eq!(parse("#b-101", 10), Ok(DatumKind::Int(-5)));
        assert_eq!(parse("#o17", 10), Ok(DatumKind::Int(15)));
        assert_eq!(parse("#e#x10", 10), Ok(DatumKind::Int(16)));
        assert_eq!(parse("#x#e10", 10), Ok(DatumKind::Int(16)));
        assert_eq!(parse("#i#x10", 10), Ok(DatumKind::Real(16.0)));
        assert_eq!(parse("ff", 16), Ok(DatumKind::Int(255)));
        assert_eq!(parse("#d10", 16), Ok(DatumKind::Int(10)));
        assert_eq!(parse("#x#x1", 10), Err(NumberError::Invalid));
        assert_eq!(parse("#e#i1", 10), Err(NumberError::Invalid));
        assert_eq!(parse("#x1.5", 10), Err(NumberError::Invalid));
        assert_eq!(parse("12", 7), Err(NumberError::Invalid));
    }

    #[test]
    fn decimals() {
        assert_eq!(real("1.5"), 1.5);
        assert_eq!(real(".5"), 0.5);
        assert_eq!(real("-5."), -5.0);
        assert_eq!(real("1e3"), 1000.0);
        assert_eq!(real("1.5E-3"), 0.0015);
        assert_eq!(real("#i3"), 3.0);
        assert!(real("1e400").is_infinite());
        assert!(real("-0.0").is_sign_negative());
        assert_eq!(parse("#e1.5e1", 10), Ok(DatumKind::Int(15)));
        assert_eq!(parse("#e1e3", 10), Ok(DatumKind::Int(1000)));
        assert_eq!(parse("#e-0.0", 10), Ok(DatumKind::Int(0)));
        assert_eq!(
            parse("#e1.5", 10),
            Err(NumberError::Unsupported("exact non-integer numbers"))
        );
        assert_eq!(parse("#e1e100000", 10), Err(NumberError::OutOfRange));
        assert_eq!(
            parse("#e1e-99999999999999999999999", 10),
            Err(NumberError::Unsupported("exact non-integer numbers"))
        );
        assert_eq!(
            parse("#e0e99999999999999999999999", 10),
            Ok(DatumKind::Int(0))
        );
        for bad in [
            "1e", "1e+", ".", "e1", "1.2.3", "--1", "+", "1x", "inf.0", "+inf", "1_000",
        ] {
            assert_eq!(parse(bad, 10), Err(NumberError::Invalid), "{bad}");
        }
    }

    #[test]
    fn infinities_and_nans() {
        assert_eq!(real("+inf.0"), f64::INFINITY);
        assert_eq!(real("-inf.0"), f64::NEG_INFINITY);
        assert!(real("+nan.0").is_nan());
        let negative_nan = real("-nan.0");
        assert!(negative_nan.is_nan() && negative_nan.is_sign_negative());
        assert_eq!(
            parse("#e+inf.0", 10),
            Err(NumberError::Unsupported("exact infinities and NaNs"))
        );
    }

    #[test]
    fn rationals_and_complex_are_recognised_as_unsupported() {
        assert_eq!(
            parse("1/2", 10),
            Err(NumberError::Unsupported("exact rational numbers"))
        );
        assert_eq!(
            parse("1+2i", 10),
            Err(NumberError::Unsupported("complex numbers"))
        );
        assert_eq!(
            parse("1@2", 10),
            Err(NumberError::Unsupported("complex numbers"))
        );
        assert_eq!(parse("a/b", 10), Err(NumberError::Invalid));
    }
}
