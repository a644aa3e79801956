use std::cmp::Ordering;

use num_bigint::BigInt;

use super::real::Transcendental;
use super::{NumError, Number, Rounding};

fn fix(n: i64) -> Number {
    Number::Fixnum(n)
}

fn flo(x: f64) -> Number {
    Number::Flonum(x)
}

fn big(text: &str) -> Number {
    Number::from_bigint(text.parse::<BigInt>().expect("test literal"))
}

fn num(text: &str) -> Number {
    Number::parse(text, 10).unwrap_or_else(|| panic!("{text} should parse"))
}

const TWO_63: &str = "9223372036854775808";

#[test]
fn bignums_are_normalized() {
    assert_eq!(big("42"), fix(42));
    assert_eq!(big("-9223372036854775808"), fix(i64::MIN));
    assert!(matches!(big(TWO_63), Number::Bignum(_)));
}

#[test]
fn addition_overflows_into_bignums_and_back() {
    assert_eq!(&fix(i64::MAX) + &fix(1), big(TWO_63));
    assert_eq!(&fix(i64::MIN) + &fix(-1), big("-9223372036854775809"));
    assert_eq!(&big(TWO_63) + &fix(-1), fix(i64::MAX));
    assert_eq!(&fix(i64::MAX) + &fix(i64::MAX), big("18446744073709551614"));
}

#[test]
fn subtraction_overflows() {
    assert_eq!(&fix(i64::MIN) - &fix(1), big("-9223372036854775809"));
    assert_eq!(&fix(0) - &fix(i64::MIN), big(TWO_63));
    assert_eq!(&big(TWO_63) - &big(TWO_63), fix(0));
}

#[test]
fn multiplication_overflows() {
    assert_eq!(&fix(i64::MAX) * &fix(2), big("18446744073709551614"));
    assert_eq!(&fix(i64::MIN) * &fix(-1), big(TWO_63));
    assert_eq!(&fix(1 << 32) * &fix(1 << 32), big("18446744073709551616"));
    assert_eq!(&big(TWO_63) * &fix(0), fix(0));
    assert_eq!(
        &big("123456789012345678901234567890") * &big("987654321098765432109876543210"),
        big("121932631137021795226185032733622923332237463801111263526900")
    );
}

#[test]
fn negation_of_the_smallest_fixnum() {
    assert_eq!(-&fix(i64::MIN), big(TWO_63));
    assert_eq!(-&big(TWO_63), fix(i64::MIN));
    assert_eq!(fix(i64::MIN).abs(), big(TWO_63));
    assert_eq!(flo(-0.0).abs().to_f64().to_bits(), 0.0f64.to_bits());
}

#[test]
fn inexact_contagion() {
    assert_eq!(&fix(1) + &flo(0.5), flo(1.5));
    assert_eq!(&flo(2.0) * &fix(3), flo(6.0));
    assert_eq!(&big(TWO_63) - &flo(1.0), flo(9_223_372_036_854_775_808.0));
    assert_eq!(fix(1).max(&flo(0.5)), flo(1.0));
    assert_eq!(fix(1).min(&flo(2.0)), flo(1.0));
    assert_eq!(fix(3).max(&fix(7)), fix(7));
    assert!(fix(3).max(&flo(f64::NAN)).is_nan());
}

#[test]
fn division() {
    assert_eq!(fix(6).divide(&fix(3)), Ok(fix(2)));
    assert_eq!(fix(1).divide(&fix(4)), Ok(flo(0.25)));
    assert_eq!(fix(i64::MIN).divide(&fix(-1)), Ok(big(TWO_63)));
    assert_eq!(fix(1).divide(&fix(0)), Err(NumError::DivisionByZero));
    assert_eq!(big(TWO_63).divide(&fix(0)), Err(NumError::DivisionByZero));
    assert_eq!(fix(1).divide(&flo(0.0)), Ok(flo(f64::INFINITY)));
    assert_eq!(flo(-1.0).divide(&fix(0)), Ok(flo(f64::NEG_INFINITY)));
    assert!(fix(0).divide(&flo(0.0)).is_ok_and(|n| n.is_nan()));
    assert_eq!(
        big("100000000000000000000").divide(&big("50000000000000000000")),
        Ok(fix(2))
    );
    // Quotients of integers beyond the f64 range still come out right.
    let huge = Number::Fixnum(10).expt(&fix(400)).expect("small enough");
    let third = (&huge * &fix(3))
        .divide(&(&huge * &fix(9)))
        .expect("nonzero");
    assert!((third.to_f64() - 1.0 / 3.0).abs() < 1e-15, "{third}");
}

#[test]
fn comparison_is_exact_across_exactness() {
    // 2^53 + 1 is not a flonum; rounding it first would call it equal to 2^53.
    let n = fix((1 << 53) + 1);
    let x = flo(9_007_199_254_740_992.0);
    assert_eq!(n.num_cmp(&x), Some(Ordering::Greater));
    assert_eq!(x.num_cmp(&n), Some(Ordering::Less));
    assert!(!n.num_eq(&x));
    assert!(fix(2).num_eq(&flo(2.0)));
    assert_eq!(fix(2).num_cmp(&flo(2.5)), Some(Ordering::Less));
    assert_eq!(fix(-3).num_cmp(&flo(-2.5)), Some(Ordering::Less));
    assert_eq!(
        big(TWO_63).num_cmp(&flo(9_223_372_036_854_775_808.0)),
        Some(Ordering::Equal)
    );
    assert_eq!(
        big(TWO_63).num_cmp(&flo(f64::INFINITY)),
        Some(Ordering::Less)
    );
    assert_eq!(
        big(TWO_63).num_cmp(&flo(f64::NEG_INFINITY)),
        Some(Ordering::Greater)
    );
    assert_eq!(fix(1).num_cmp(&flo(f64::NAN)), None);
    assert_eq!(big(TWO_63).num_cmp(&fix(i64::MAX)), Some(Ordering::Greater));
    assert_eq!(
        big("-9223372036854775809").num_cmp(&fix(i64::MIN)),
        Some(Ordering::Less)
    );
}

#[test]
fn eqv_distinguishes_exactness_and_flonum_bits() {
    assert!(fix(2).eqv(&fix(2)));
    assert!(!fix(2).eqv(&flo(2.0)));
    assert!(flo(f64::NAN).eqv(&flo(f64::NAN)));
    assert!(!flo(0.0).eqv(&flo(-0.0)));
    assert!(big(TWO_63).eqv(&big(TWO_63)));
}

#[test]
fn truncating_division_family() {
    let t = Rounding::Truncate;
    assert_eq!(fix(7).div_rem(&fix(2), t), Ok((fix(3), fix(1))));
    assert_eq!(fix(-7).div_rem(&fix(2), t), Ok((fix(-3), fix(-1))));
    assert_eq!(fix(7).div_rem(&fix(-2), t), Ok((fix(-3), fix(1))));
    assert_eq!(fix(-7).div_rem(&fix(-2), t), Ok((fix(3), fix(-1))));
    assert_eq!(
        fix(i64::MIN).div_rem(&fix(-1), t),
        Ok((big(TWO_63), fix(0)))
    );
    assert_eq!(fix(i64::MIN).remainder(&fix(-1), t), Ok(fix(0)));
    assert_eq!(fix(5).quotient(&fix(0), t), Err(NumError::DivisionByZero));
    assert_eq!(fix(5).remainder(&fix(0), t), Err(NumError::DivisionByZero));
    assert_eq!(flo(7.0).div_rem(&fix(2), t), Ok((flo(3.0), flo(1.0))));
    assert_eq!(flo(7.5).quotient(&fix(2), t), Err(NumError::NotInteger));
    assert_eq!(
        big("100000000000000000001").div_rem(&fix(10), t),
        Ok((big("10000000000000000000"), fix(1)))
    );
}

#[test]
fn flooring_division_family() {
    let f = Rounding::Floor;
    assert_eq!(fix(7).div_rem(&fix(2), f), Ok((fix(3), fix(1))));
    assert_eq!(fix(-7).div_rem(&fix(2), f), Ok((fix(-4), fix(1))));
    assert_eq!(fix(7).div_rem(&fix(-2), f), Ok((fix(-4), fix(-1))));
    assert_eq!(fix(-7).div_rem(&fix(-2), f), Ok((fix(3), fix(-1))));
    assert_eq!(fix(-13).remainder(&fix(4), f), Ok(fix(3)));
    assert_eq!(fix(13).remainder(&fix(-4), f), Ok(fix(-3)));
    assert_eq!(fix(i64::MIN).remainder(&fix(-1), f), Ok(fix(0)));
    assert_eq!(
        fix(i64::MIN).div_rem(&fix(i64::MAX), f),
        Ok((fix(-2), fix(i64::MAX - 1)))
    );
    assert_eq!(flo(-7.0).div_rem(&fix(2), f), Ok((flo(-4.0), flo(1.0))));
    assert_eq!(
        big("-100000000000000000001").div_rem(&fix(10), f),
        Ok((big("-10000000000000000001"), fix(9)))
    );
}

#[test]
fn parity() {
    assert_eq!(fix(-3).is_odd(), Ok(true));
    assert_eq!(fix(i64::MIN).is_even(), Ok(true));
    assert_eq!(big(TWO_63).is_even(), Ok(true));
    assert_eq!(flo(5.0).is_odd(), Ok(true));
    assert_eq!(flo(1.5).is_odd(), Err(NumError::NotInteger));
}

#[test]
fn gcd_and_lcm() {
    assert_eq!(fix(32).gcd(&fix(-36)), Ok(fix(4)));
    assert_eq!(fix(0).gcd(&fix(0)), Ok(fix(0)));
    assert_eq!(fix(i64::MIN).gcd(&fix(0)), Ok(big(TWO_63)));
    assert_eq!(fix(i64::MIN).gcd(&fix(6)), Ok(fix(2)));
    assert_eq!(flo(32.0).gcd(&fix(-36)), Ok(flo(4.0)));
    assert_eq!(fix(32).lcm(&fix(-36)), Ok(fix(288)));
    assert_eq!(flo(32.0).lcm(&fix(-36)), Ok(flo(288.0)));
    assert_eq!(fix(0).lcm(&fix(5)), Ok(fix(0)));
    assert_eq!(big("18446744073709551616").gcd(&fix(48)), Ok(fix(16)));
    assert_eq!(fix(1).gcd(&flo(0.5)), Err(NumError::NotInteger));
}

#[test]
fn expt() {
    assert_eq!(fix(2).expt(&fix(10)), Ok(fix(1024)));
    assert_eq!(fix(2).expt(&fix(64)), Ok(big("18446744073709551616")));
    assert_eq!(fix(-2).expt(&fix(63)), Ok(fix(i64::MIN)));
    assert_eq!(fix(0).expt(&fix(0)), Ok(fix(1)));
    assert_eq!(fix(0).expt(&fix(5)), Ok(fix(0)));
    assert_eq!(fix(0).expt(&fix(-1)), Err(NumError::DivisionByZero));
    assert_eq!(fix(2).expt(&fix(-2)), Ok(flo(0.25)));
    assert_eq!(fix(-1).expt(&big("100000000000000000001")), Ok(fix(-1)));
    assert_eq!(fix(1).expt(&big("100000000000000000001")), Ok(fix(1)));
    assert_eq!(
        fix(2).expt(&big("100000000000000000001")),
        Err(NumError::TooLarge)
    );
    assert_eq!(fix(3).expt(&fix(1 << 40)), Err(NumError::TooLarge));
    assert_eq!(fix(4).expt(&flo(0.5)), Ok(flo(2.0)));
    assert_eq!(flo(2.0).expt(&fix(3)), Ok(flo(8.0)));
}

#[test]
fn exact_integer_sqrt() {
    assert_eq!(fix(17).exact_integer_sqrt(), Ok((fix(4), fix(1))));
    assert_eq!(fix(0).exact_integer_sqrt(), Ok((fix(0), fix(0))));
    assert_eq!(
        fix(i64::MAX).exact_integer_sqrt(),
        Ok((
            fix(3_037_000_499),
            fix(i64::MAX - 3_037_000_499 * 3_037_000_499)
        ))
    );
    let square = &big("123456789012345678901234567890").square() + &fix(5);
    assert_eq!(
        square.exact_integer_sqrt(),
        Ok((big("123456789012345678901234567890"), fix(5)))
    );
    assert_eq!(fix(-1).exact_integer_sqrt(), Err(NumError::Negative));
    assert_eq!(
        flo(4.0).exact_integer_sqrt(),
        Err(NumError::NotExactInteger)
    );
}

#[test]
fn sqrt_is_exact_for_exact_squares() {
    assert_eq!(fix(16).sqrt(), fix(4));
    assert_eq!(fix(2).sqrt(), flo(std::f64::consts::SQRT_2));
    assert_eq!(flo(16.0).sqrt(), flo(4.0));
    assert!(fix(-4).sqrt().is_nan());
    assert_eq!(
        big("152415787532388367504942236884722755800955129").sqrt(),
        big("12345678901234567890123")
    );
    let beyond_f64 = fix(10).expt(&fix(400)).expect("small").sqrt();
    assert_eq!(beyond_f64, fix(10).expt(&fix(200)).expect("small"));
    let not_square = &fix(10).expt(&fix(401)).expect("small") + &fix(1);
    assert!((not_square.sqrt().to_f64() / 3.162_277_660_168_379_5e200 - 1.0).abs() < 1e-12);
}

#[test]
fn exactness_conversions() {
    assert_eq!(flo(2.0).to_exact(), Ok(fix(2)));
    assert_eq!(flo(-0.0).to_exact(), Ok(fix(0)));
    assert_eq!(flo(2.5).to_exact(), Err(NumError::NoExactValue));
    assert_eq!(flo(f64::INFINITY).to_exact(), Err(NumError::NoExactValue));
    assert_eq!(flo(f64::NAN).to_exact(), Err(NumError::NoExactValue));
    assert_eq!(
        flo(-9_223_372_036_854_775_808.0).to_exact(),
        Ok(fix(i64::MIN))
    );
    assert_eq!(flo(9_223_372_036_854_775_808.0).to_exact(), Ok(big(TWO_63)));
    assert_eq!(
        flo(1e300).to_exact().map(|n| n.to_inexact()),
        Ok(flo(1e300))
    );
    assert_eq!(fix(3).to_inexact(), flo(3.0));
    // Correct rounding, ties to even: 2^53 + 1 -> 2^53, 2^53 + 3 -> 2^53 + 4.
    assert_eq!(
        fix((1 << 53) + 1).to_inexact(),
        flo(9_007_199_254_740_992.0)
    );
    assert_eq!(
        big("9007199254740993").to_inexact(),
        flo(9_007_199_254_740_992.0)
    );
    assert_eq!(
        big("36893488147419103233").to_inexact(),
        flo(36_893_488_147_419_103_232.0)
    );
    assert_eq!(
        fix(10).expt(&fix(400)).expect("small").to_inexact(),
        flo(f64::INFINITY)
    );
}

#[test]
fn rounding() {
    assert_eq!(flo(2.5).round(), flo(2.0));
    assert_eq!(flo(3.5).round(), flo(4.0));
    assert_eq!(flo(-2.5).round(), flo(-2.0));
    assert_eq!(flo(-3.7).floor(), flo(-4.0));
    assert_eq!(flo(-3.7).ceiling(), flo(-3.0));
    assert_eq!(flo(-3.7).truncate(), flo(-3.0));
    assert_eq!(fix(7).round(), fix(7));
    assert_eq!(big(TWO_63).floor(), big(TWO_63));
}

#[test]
fn numerator_and_denominator() {
    assert_eq!(fix(6).numerator(), Ok(fix(6)));
    assert_eq!(fix(6).denominator(), Ok(fix(1)));
    assert_eq!(flo(0.75).numerator(), Ok(flo(3.0)));
    assert_eq!(flo(0.75).denominator(), Ok(flo(4.0)));
    assert_eq!(flo(-0.5).numerator(), Ok(flo(-1.0)));
    assert_eq!(flo(5.0).denominator(), Ok(flo(1.0)));
    assert_eq!(flo(f64::INFINITY).numerator(), Err(NumError::NotFinite));
}

#[test]
fn transcendental_functions_are_inexact() {
    assert_eq!(fix(0).transcendental(Transcendental::Exp), flo(1.0));
    assert_eq!(fix(1).transcendental(Transcendental::Log), flo(0.0));
    assert_eq!(
        fix(0).transcendental(Transcendental::Log),
        flo(f64::NEG_INFINITY)
    );
    assert!(fix(-1).transcendental(Transcendental::Log).is_nan());
    assert_eq!(fix(100).log_base(&fix(10)), flo(2.0));
    assert_eq!(fix(1).atan2(&fix(1)), flo(std::f64::consts::FRAC_PI_4));
    let huge = fix(10).expt(&fix(400)).expect("small");
    let ln = huge.transcendental(Transcendental::Log).to_f64();
    assert!((ln - 400.0 * std::f64::consts::LN_10).abs() < 1e-9, "{ln}");
}

#[test]
fn printing() {
    assert_eq!(fix(-42).to_string(), "-42");
    assert_eq!(big(TWO_63).to_string(), TWO_63);
    assert_eq!(flo(1.0).to_string(), "1.0");
    assert_eq!(flo(0.1).to_string(), "0.1");
    assert_eq!(flo(-0.0).to_string(), "-0.0");
    assert_eq!(flo(1e21).to_string(), "1e21");
    assert_eq!(flo(1.5e-7).to_string(), "1.5e-7");
    assert_eq!(flo(123.456).to_string(), "123.456");
    assert_eq!(flo(f64::INFINITY).to_string(), "+inf.0");
    assert_eq!(flo(f64::NEG_INFINITY).to_string(), "-inf.0");
    assert_eq!(flo(f64::NAN).to_string(), "+nan.0");
    assert_eq!(fix(255).to_string_radix(16), Ok("ff".to_owned()));
    assert_eq!(fix(-255).to_string_radix(2), Ok("-11111111".to_owned()));
    assert_eq!(
        fix(i64::MIN).to_string_radix(16),
        Ok("-8000000000000000".to_owned())
    );
    assert_eq!(
        big(TWO_63).to_string_radix(8),
        Ok("1000000000000000000000".to_owned())
    );
    assert_eq!(flo(1.5).to_string_radix(2), Err(NumError::BadRadix(2)));
    assert_eq!(fix(1).to_string_radix(1), Err(NumError::BadRadix(1)));
}

#[test]
fn parsing_integers_and_prefixes() {
    assert_eq!(Number::parse("42", 10), Some(fix(42)));
    assert_eq!(Number::parse("-42", 10), Some(fix(-42)));
    assert_eq!(Number::parse("+7", 10), Some(fix(7)));
    assert_eq!(Number::parse("ff", 16), Some(fix(255)));
    assert_eq!(Number::parse("#xFF", 10), Some(fix(255)));
    assert_eq!(Number::parse("#b-101", 10), Some(fix(-5)));
    assert_eq!(Number::parse("#o17", 10), Some(fix(15)));
    assert_eq!(Number::parse("#d10", 16), Some(fix(10)));
    assert_eq!(Number::parse("#e#x10", 10), Some(fix(16)));
    assert_eq!(Number::parse("#x#i10", 10), Some(flo(16.0)));
    assert_eq!(Number::parse(TWO_63, 10), Some(big(TWO_63)));
    assert_eq!(
        Number::parse("-9223372036854775808", 10),
        Some(fix(i64::MIN))
    );
    assert_eq!(
        Number::parse("123456789abcdef0123", 16),
        Some(big("5373003642731685151011"))
    );
    for bad in [
        "", "+", "-", "abc", "12a", "#x", "#x#x1", "#e#i1", "1 2", "--1", "#q1", "1/0", "1/", "/2",
        "19", "2",
    ] {
        let radix = if bad == "19" || bad == "2" { 2 } else { 10 };
        assert_eq!(Number::parse(bad, radix), None, "{bad:?} in radix {radix}");
    }
}

#[test]
fn parsing_decimals_and_specials() {
    assert_eq!(num("1.5"), flo(1.5));
    assert_eq!(num("-.5"), flo(-0.5));
    assert_eq!(num("1."), flo(1.0));
    assert_eq!(num("1e3"), flo(1000.0));
    assert_eq!(num("1E-3"), flo(0.001));
    assert_eq!(num("-0.0").to_f64().to_bits(), (-0.0f64).to_bits());
    assert_eq!(num("1e400"), flo(f64::INFINITY));
    assert_eq!(num("1e-99999999999999999999"), flo(0.0));
    assert_eq!(num("0.1"), flo(0.1));
    assert_eq!(num("+inf.0"), flo(f64::INFINITY));
    assert_eq!(num("-inf.0"), flo(f64::NEG_INFINITY));
    assert!(num("+nan.0").is_nan());
    assert!(num("-nan.0").is_nan());
    assert_eq!(num("#e1.0"), fix(1));
    assert_eq!(num("#e1.5e1"), fix(15));
    assert_eq!(num("#e1e20"), big("100000000000000000000"));
    assert_eq!(Number::parse("#e1.5", 10), None);
    assert_eq!(Number::parse("#e+inf.0", 10), None);
    assert_eq!(num("#i3"), flo(3.0));
    // No fractions, as in literals: the tower has no exact rationals.
    assert_eq!(Number::parse("6/3", 10), None);
    assert_eq!(Number::parse("#i6/3", 10), None);
    for bad in [
        ".", "1.5.2", "1e", "1e+", "e3", "inf.0", "nan.0", "+inf", "1.5", "#x1.5", "1,5", "0x10",
    ] {
        let radix = if bad == "1.5" { 16 } else { 10 };
        assert_eq!(Number::parse(bad, radix), None, "{bad:?}");
    }
}

#[test]
fn printed_flonums_read_back_identically() {
    for x in [
        0.1,
        1.0 / 3.0,
        1e21,
        1e-7,
        123_456.789,
        -2.5e-300,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
    ] {
        let text = flo(x).to_string();
        assert_eq!(Number::parse(&text, 10), Some(flo(x)), "{text}");
    }
}

#[test]
fn rationalize_finds_the_simplest_rational() {
    assert_eq!(flo(0.3).rationalize(&flo(0.1)), flo(1.0 / 3.0));
    assert_eq!(flo(-0.3).rationalize(&flo(0.1)), flo(-1.0 / 3.0));
    assert_eq!(flo(0.75).rationalize(&flo(0.0)), flo(0.75));
    assert_eq!(flo(0.7).rationalize(&flo(0.05)), flo(2.0 / 3.0));
    assert_eq!(fix(3).rationalize(&fix(1)), fix(2));
    assert_eq!(fix(-3).rationalize(&fix(1)), fix(-2));
    assert_eq!(fix(1).rationalize(&fix(5)), fix(0));
    assert_eq!(flo(2.5).rationalize(&fix(1)), flo(2.0));
    assert_eq!(flo(f64::INFINITY).rationalize(&fix(3)), flo(f64::INFINITY));
    assert_eq!(fix(3).rationalize(&flo(f64::INFINITY)), flo(0.0));
    assert!(flo(f64::NAN).rationalize(&fix(1)).is_nan());
}
