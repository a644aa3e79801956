//! Printing datums in the `write` form (readable back by the reader) and the `display` form
//! (strings and characters raw). The helpers for strings, characters, symbols and flonums are
//! public so that the VM's printer of heap values writes them exactly the same way.

use std::fmt::{self, Write};

use crate::datum::{Datum, DatumKind};
use crate::reader::{CHAR_NAMES, is_bare_symbol};

/// The `write` form of `datum`: reading it back gives an equal datum.
pub fn write(datum: &Datum) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_datum(&mut out, datum, Mode::Write);
    out
}

/// The `display` form of `datum`: strings and characters are printed as their contents.
pub fn display(datum: &Datum) -> String {
    let mut out = String::new();
    let _ = write_datum(&mut out, datum, Mode::Display);
    out
}

/// Which of the two printed forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Write,
    Display,
}

/// Prints `datum` in `mode`. Recursion depth is that of the datum, which the reader bounds by
/// [`crate::reader::MAX_NESTING`].
pub fn write_datum(out: &mut impl Write, datum: &Datum, mode: Mode) -> fmt::Result {
    match &datum.kind {
        DatumKind::Bool(true) => out.write_str("#t"),
        DatumKind::Bool(false) => out.write_str("#f"),
        DatumKind::Int(n) => write!(out, "{n}"),
        DatumKind::BigInt(n) => write!(out, "{n}"),
        DatumKind::Real(x) => write_flonum(out, *x),
        DatumKind::Char(c) => match mode {
            Mode::Write => write_char_literal(out, *c),
            Mode::Display => out.write_char(*c),
        },
        DatumKind::Str(s) => match mode {
            Mode::Write => write_string_literal(out, s),
            Mode::Display => out.write_str(s),
        },
        DatumKind::Symbol(name) => match mode {
            Mode::Write => write_symbol(out, name),
            Mode::Display => out.write_str(name),
        },
        DatumKind::List(items, tail) => {
            if let (Some(prefix), [_, quoted], None) = (abbreviation(items), items.as_slice(), tail)
            {
                out.write_str(prefix)?;
                return write_datum(out, quoted, mode);
            }
            out.write_char('(')?;
            write_sequence(out, items, mode)?;
            if let Some(tail) = tail {
                out.write_str(" . ")?;
                write_datum(out, tail, mode)?;
            }
            out.write_char(')')
        }
        DatumKind::Vector(items) => {
            out.write_str("#(")?;
            write_sequence(out, items, mode)?;
            out.write_char(')')
        }
        DatumKind::Bytevector(bytes) => {
            out.write_str("#u8(")?;
            for (i, b) in bytes.iter().enumerate() {
                if i > 0 {
                    out.write_char(' ')?;
                }
                write!(out, "{b}")?;
            }
            out.write_char(')')
        }
    }
}

fn write_sequence(out: &mut impl Write, items: &[Datum], mode: Mode) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.write_char(' ')?;
        }
        write_datum(out, item, mode)?;
    }
    Ok(())
}

/// `'x` for `(quote x)` and the like, when the list has exactly two elements.
fn abbreviation(items: &[Datum]) -> Option<&'static str> {
    if items.len() != 2 {
        return None;
    }
    match items[0].as_symbol()? {
        "quote" => Some("'"),
        "quasiquote" => Some("`"),
        "unquote" => Some(","),
        "unquote-splicing" => Some(",@"),
        _ => None,
    }
}

/// Writes `s` as a string literal: `"a\"b\n"`. Control characters other than the named escapes
/// are written as `\xHH;`.
pub fn write_string_literal(out: &mut impl Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    write_escaped(out, s, '"')?;
    out.write_char('"')
}

/// Escapes the contents of a string (`close` is `"`) or of a `|symbol|` (`close` is `|`).
fn write_escaped(out: &mut impl Write, s: &str, close: char) -> fmt::Result {
    for c in s.chars() {
        match c {
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\t' => out.write_str("\\t")?,
            '\r' => out.write_str("\\r")?,
            '\u{7}' => out.write_str("\\a")?,
            '\u{8}' => out.write_str("\\b")?,
            c if c == close => {
                out.write_char('\\')?;
                out.write_char(c)?;
            }
            c if c.is_control() => write!(out, "\\x{:x};", u32::from(c))?,
            c => out.write_char(c)?,
        }
    }
    Ok(())
}

/// Writes a character literal: `#\a`, `#\space`, `#\x7`.
pub fn write_char_literal(out: &mut impl Write, c: char) -> fmt::Result {
    out.write_str("#\\")?;
    if let Some((name, _)) = CHAR_NAMES.iter().find(|(_, named)| *named == c) {
        return out.write_str(name);
    }
    if c.is_whitespace() || c.is_control() {
        return write!(out, "x{:x}", u32::from(c));
    }
    out.write_char(c)
}

/// Writes a symbol, between `|` when it would not read back bare: `foo`, `|hello world|`,
/// `|42|`, `||`.
pub fn write_symbol(out: &mut impl Write, name: &str) -> fmt::Result {
    if is_bare_symbol(name) {
        return out.write_str(name);
    }
    out.write_char('|')?;
    write_escaped(out, name, '|')?;
    out.write_char('|')
}

/// Writes a flonum in R7RS form, always readable back as inexact: `1.0`, `-0.5`, `1e300`,
/// `+inf.0`, `-inf.0`, `+nan.0`.
pub fn write_flonum(out: &mut impl Write, x: f64) -> fmt::Result {
    if x.is_nan() {
        return out.write_str(if x.is_sign_negative() {
            "-nan.0"
        } else {
            "+nan.0"
        });
    }
    if x.is_infinite() {
        return out.write_str(if x > 0.0 { "+inf.0" } else { "-inf.0" });
    }
    // Debug is the shortest text that reads back to the same f64, and switches to an exponent
    // for very large and very small magnitudes ("1e300"), which still reads as inexact.
    let text = format!("{x:?}");
    out.write_str(&text)?;
    if !text.contains(['.', 'e', 'E']) {
        out.write_str(".0")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flonum(x: f64) -> String {
        let mut s = String::new();
        write_flonum(&mut s, x).unwrap();
        s
    }

    fn symbol(name: &str) -> String {
        let mut s = String::new();
        write_symbol(&mut s, name).unwrap();
        s
    }

    fn character(c: char) -> String {
        let mut s = String::new();
        write_char_literal(&mut s, c).unwrap();
        s
    }

    #[test]
    fn flonums_are_always_inexact_and_r7rs_special_values_are_named() {
        assert_eq!(flonum(1.0), "1.0");
        assert_eq!(flonum(-0.0), "-0.0");
        assert_eq!(flonum(0.1), "0.1");
        assert_eq!(flonum(1e300), "1e300");
        assert_eq!(flonum(1.5e-7), "1.5e-7");
        assert_eq!(flonum(f64::INFINITY), "+inf.0");
        assert_eq!(flonum(f64::NEG_INFINITY), "-inf.0");
        assert_eq!(flonum(f64::NAN), "+nan.0");
        assert_eq!(flonum(-f64::NAN), "-nan.0");
    }

    #[test]
    fn symbols_are_quoted_only_when_needed() {
        assert_eq!(symbol("foo"), "foo");
        assert_eq!(symbol("..."), "...");
        assert_eq!(symbol("+"), "+");
        assert_eq!(symbol("->x"), "->x");
        assert_eq!(symbol(""), "||");
        assert_eq!(symbol("a b"), "|a b|");
        assert_eq!(symbol("42"), "|42|");
        assert_eq!(symbol("+inf.0"), "|+inf.0|");
        assert_eq!(symbol("1abc"), "|1abc|");
        assert_eq!(symbol("."), "|.|");
        assert_eq!(symbol("#foo"), "|#foo|");
        assert_eq!(symbol("a|b"), "|a\\|b|");
        assert_eq!(symbol("new\nline"), "|new\\nline|");
    }

    #[test]
    fn characters_use_names_hex_or_themselves() {
        assert_eq!(character('a'), "#\\a");
        assert_eq!(character(' '), "#\\space");
        assert_eq!(character('\n'), "#\\newline");
        assert_eq!(character('\0'), "#\\null");
        assert_eq!(character('\u{1}'), "#\\x1");
        assert_eq!(character('\u{a0}'), "#\\xa0");
        assert_eq!(character('('), "#\\(");
        assert_eq!(character('λ'), "#\\λ");
        assert_eq!(character('x'), "#\\x");
    }

    #[test]
    fn strings_escape_quotes_backslashes_and_controls() {
        let mut s = String::new();
        write_string_literal(&mut s, "a\"b\\c\nd\u{1}é|").unwrap();
        assert_eq!(s, "\"a\\\"b\\\\c\\nd\\x1;é|\"");
    }
}
