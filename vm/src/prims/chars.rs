//! Character primitives: comparison families (plain and case-insensitive), Unicode predicates,
//! case conversion, `digit-value`, `char->integer` and `integer->char`.

use crate::error::Error;
use crate::prim::{Action, Ctx, PrimArity, Registry};
use crate::value::Value;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("chars");
    m.func("char?", |_: &mut Ctx, v: Value| v.as_char().is_some());
    m.func("char->integer", |_: &mut Ctx, c: char| {
        i64::from(u32::from(c))
    });
    m.func(
        "integer->char",
        |_: &mut Ctx, n: Value| -> Result<char, Error> {
            n.as_fixnum()
                .and_then(|n| u32::try_from(n).ok())
                .and_then(char::from_u32)
                .ok_or_else(|| Error::wrong_type("Unicode scalar value", n))
        },
    );

    type Compare = fn(char, char) -> bool;
    let comparisons: [(&'static str, Compare); 5] = [
        ("char=?", |a, b| a == b),
        ("char<?", |a, b| a < b),
        ("char>?", |a, b| a > b),
        ("char<=?", |a, b| a <= b),
        ("char>=?", |a, b| a >= b),
    ];
    for (name, holds) in comparisons {
        m.raw(name, PrimArity::at_least(1), move |_, args| {
            chain(args, |c| c, holds)
        });
    }
    let ci_comparisons: [(&'static str, Compare); 5] = [
        ("char-ci=?", |a, b| a == b),
        ("char-ci<?", |a, b| a < b),
        ("char-ci>?", |a, b| a > b),
        ("char-ci<=?", |a, b| a <= b),
        ("char-ci>=?", |a, b| a >= b),
    ];
    for (name, holds) in ci_comparisons {
        m.raw(name, PrimArity::at_least(1), move |_, args| {
            chain(args, foldcase, holds)
        });
    }

    m.func("char-alphabetic?", |_: &mut Ctx, c: char| c.is_alphabetic());
    // R7RS: the decimal digits (Unicode Nd), not every numeric character (such as `½`).
    m.func("char-numeric?", |_: &mut Ctx, c: char| {
        digit_value(c).is_some()
    });
    m.func("char-whitespace?", |_: &mut Ctx, c: char| c.is_whitespace());
    m.func("char-upper-case?", |_: &mut Ctx, c: char| c.is_uppercase());
    m.func("char-lower-case?", |_: &mut Ctx, c: char| c.is_lowercase());
    m.func("digit-value", |_: &mut Ctx, c: char| {
        digit_value(c).map(i64::from)
    });
    m.func("char-upcase", |_: &mut Ctx, c: char| upcase(c));
    m.func("char-downcase", |_: &mut Ctx, c: char| downcase(c));
    m.func("char-foldcase", |_: &mut Ctx, c: char| foldcase(c));
}

/// `(char<? a b c ...)`: every adjacent pair, after `key`, satisfies `holds`. All arguments are
/// type-checked.
fn chain(
    args: &[Value],
    key: fn(char) -> char,
    holds: fn(char, char) -> bool,
) -> crate::prim::PrimResult {
    let mut chars = Vec::with_capacity(args.len());
    for (i, &v) in args.iter().enumerate() {
        chars.push(key(v
            .as_char()
            .ok_or_else(|| Error::wrong_arg("character", i + 1, v))?));
    }
    let ok = chars.windows(2).all(|w| holds(w[0], w[1]));
    Ok(Action::Return(Value::bool(ok)))
}

/// Simple (one-to-one) case mappings: a character whose full mapping is several characters
/// (`ß` upcases to `SS`) maps to itself, as R7RS allows for `char-upcase`.
pub(crate) fn upcase(c: char) -> char {
    single(c.to_uppercase()).unwrap_or(c)
}

pub(crate) fn downcase(c: char) -> char {
    single(c.to_lowercase()).unwrap_or(c)
}

/// Simple case folding: the lower case of the upper case, which folds `ς` and `σ` together.
pub(crate) fn foldcase(c: char) -> char {
    downcase(upcase(c))
}

fn single(mut chars: impl Iterator<Item = char>) -> Option<char> {
    let first = chars.next()?;
    chars.next().is_none().then_some(first)
}

/// The zero digits of the Unicode decimal-digit (Nd) ranges; each is followed by 1..9.
const DIGIT_ZEROS: &[u32] = &[
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
    0x11730, 0x118E0, 0x16A60, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E950,
];

/// `digit-value`: the value of a decimal digit of any script, or `None`.
pub(crate) fn digit_value(c: char) -> Option<u32> {
    let code = u32::from(c);
    DIGIT_ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&code))
        .map(|&zero| code - zero)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_mappings_are_one_to_one() {
        assert_eq!(upcase('a'), 'A');
        assert_eq!(upcase('ß'), 'ß');
        assert_eq!(downcase('Σ'), 'σ');
        assert_eq!(foldcase('ς'), 'σ');
        assert_eq!(foldcase('A'), 'a');
        assert_eq!(upcase('1'), '1');
    }

    #[test]
    fn digit_values_of_several_scripts() {
        assert_eq!(digit_value('7'), Some(7));
        assert_eq!(digit_value('a'), None);
        assert_eq!(digit_value('\u{663}'), Some(3));
        assert_eq!(digit_value('\u{96F}'), Some(9));
        assert_eq!(digit_value('\u{FF15}'), Some(5));
        assert_eq!(digit_value('x'), None);
    }
}
