//! Property tests of the reader and printer.
//!
//! The issue asks for fuzzing; cargo-fuzz needs a nightly toolchain, which this project does not
//! use, so random inputs come from proptest instead: random bytes, random streams of tokens and
//! near-tokens, and random datums for the `write`/`read` round trip.

use num_bigint::BigInt;
use proptest::prelude::*;

use pscheme_compiler::datum::{Datum, DatumKind};
use pscheme_compiler::diagnostic::Diagnostic;
use pscheme_compiler::printer::{display, write};
use pscheme_compiler::reader::{input_is_complete, parse_number, read, read_one};
use pscheme_compiler::render::render;
use pscheme_compiler::span::{FileId, SourceFiles, Span};

/// Equality ignoring spans, with NaNs equal to NaNs of the same sign.
fn same(a: &Datum, b: &Datum) -> bool {
    use DatumKind::*;
    match (&a.kind, &b.kind) {
        (Real(x), Real(y)) => {
            x.to_bits() == y.to_bits()
                || (x.is_nan() && y.is_nan() && x.is_sign_negative() == y.is_sign_negative())
        }
        (List(xs, xt), List(ys, yt)) => {
            all_same(xs, ys)
                && match (xt, yt) {
                    (None, None) => true,
                    (Some(x), Some(y)) => same(x, y),
                    _ => false,
                }
        }
        (Vector(xs), Vector(ys)) => all_same(xs, ys),
        (x, y) => x == y,
    }
}

fn all_same(xs: &[Datum], ys: &[Datum]) -> bool {
    xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
}

fn leaf() -> impl Strategy<Value = DatumKind> {
    prop_oneof![
        any::<bool>().prop_map(DatumKind::Bool),
        any::<i64>().prop_map(DatumKind::Int),
        (any::<bool>(), prop::collection::vec(any::<u32>(), 3..6)).prop_map(
            |(negative, digits)| {
                let magnitude =
                    BigInt::from_slice(num_bigint::Sign::Plus, &digits) + BigInt::from(u64::MAX);
                DatumKind::BigInt(if negative { -magnitude } else { magnitude })
            }
        ),
        any::<f64>().prop_map(DatumKind::Real),
        prop_oneof![
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
            Just(f64::NAN),
            Just(-f64::NAN),
            Just(-0.0),
            Just(1e300),
            Just(5e-324)
        ]
        .prop_map(DatumKind::Real),
        any::<char>().prop_map(DatumKind::Char),
        any::<String>().prop_map(DatumKind::Str),
        any::<String>().prop_map(DatumKind::Symbol),
        "[a-z+*/<=>!?.-]{1,8}".prop_map(DatumKind::Symbol),
        prop::collection::vec(any::<u8>(), 0..6).prop_map(DatumKind::Bytevector),
    ]
}

fn datum() -> impl Strategy<Value = Datum> {
    let leaf = leaf().prop_map(Datum::synthetic);
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6)
                .prop_map(|items| Datum::synthetic(DatumKind::List(items, None))),
            (prop::collection::vec(inner.clone(), 1..4), leaf_datum()).prop_map(|(items, tail)| {
                Datum::synthetic(DatumKind::List(items, Some(Box::new(tail))))
            }),
            prop::collection::vec(inner.clone(), 0..6)
                .prop_map(|items| Datum::synthetic(DatumKind::Vector(items))),
            (
                prop_oneof![
                    Just("quote"),
                    Just("quasiquote"),
                    Just("unquote"),
                    Just("unquote-splicing")
                ],
                inner
            )
                .prop_map(|(name, quoted)| {
                    let head = Datum::synthetic(DatumKind::Symbol(name.into()));
                    Datum::synthetic(DatumKind::List(vec![head, quoted], None))
                }),
        ]
    })
}

/// A dotted tail: never a list, as the datum contract requires.
fn leaf_datum() -> impl Strategy<Value = Datum> {
    leaf().prop_map(Datum::synthetic)
}

/// Pieces of Scheme syntax, valid and broken, to be glued into random inputs.
const FRAGMENTS: &[&str] = &[
    "(",
    ")",
    "#(",
    "#u8(",
    "'",
    "`",
    ",",
    ",@",
    ".",
    "#;",
    "#|",
    "|#",
    ";",
    "\n",
    "\"",
    "\"ab\"",
    "\\",
    "\\x41;",
    "\\x",
    "|",
    "|a b|",
    "#\\",
    "#\\a",
    "#\\space",
    "#\\x41",
    "#\\xD800",
    "#\\spaec",
    "#t",
    "#false",
    "#x",
    "#xff",
    "#e1.5",
    "#i",
    "#!fold-case",
    "#!/bin",
    "#0=",
    "#",
    "[",
    "}",
    "abc",
    "λ",
    "ü",
    "12",
    "-3.5e2",
    "1/2",
    "+inf.0",
    "-nan.0",
    "1e99999",
    "#e1e99999",
    "...",
    "+",
    "-",
    "1abc",
    "\r",
    "\t",
    " ",
    "\u{0}",
    "\u{2028}",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop::sample::select(FRAGMENTS),
            prop::sample::select(&["", " ", "\n"][..]),
        ),
        0..40,
    )
    .prop_map(|parts| parts.into_iter().flat_map(|(f, sep)| [f, sep]).collect())
}

/// 1-based line and character column of byte `offset`, computed the slow, obvious way.
fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u32, col as u32)
}

fn check_span(text: &str, span: Span) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "span {span:?} outside {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "span {span:?} splits a character"
    );
    assert_eq!(
        (span.line, span.col),
        line_col(text, start),
        "line and column of {span:?}"
    );
}

fn check_datum_spans(text: &str, datum: &Datum) {
    check_span(text, datum.span);
    let children: Vec<&Datum> = match &datum.kind {
        DatumKind::List(items, tail) => items.iter().chain(tail.as_deref()).collect(),
        DatumKind::Vector(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    for child in children {
        assert!(
            child.span.start >= datum.span.start && child.span.end <= datum.span.end,
            "child outside its parent"
        );
        check_datum_spans(text, child);
    }
}

fn check_error(text: &str, error: &Diagnostic) {
    check_span(text, error.span);
    let mut files = SourceFiles::new();
    files.add("input.scm", text);
    let rendered = render(error, &files);
    assert!(rendered.starts_with(&format!(
        "input.scm:{}:{}: error: ",
        error.span.line, error.span.col
    )));
}

/// Everything the reader offers, on any text: no panic, spans inside the text and consistent.
fn check_any_input(text: &str) {
    match read(text, FileId(0)) {
        Ok(datums) => datums.iter().for_each(|d| check_datum_spans(text, d)),
        Err(error) => check_error(text, &error),
    }
    let _ = input_is_complete(text);
    let mut offset = 0;
    loop {
        match read_one(text, FileId(0), offset) {
            Ok(Some((datum, next))) => {
                check_datum_spans(text, &datum);
                assert!(
                    next > offset && next <= text.len(),
                    "read_one must make progress"
                );
                offset = next;
            }
            Ok(None) => break,
            Err(error) => {
                check_error(text, &error);
                break;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn write_then_read_gives_the_same_datum(d in datum()) {
        let text = write(&d);
        let read_back = read(&text, FileId(0)).map_err(|e| TestCaseError::fail(format!("{text:?}: {e:?}")))?;
        prop_assert_eq!(read_back.len(), 1, "{:?}", text);
        prop_assert!(same(&read_back[0], &d), "{:?} read back as {:?}", text, read_back[0]);
        check_datum_spans(&text, &read_back[0]);
        let _ = display(&d);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        check_any_input(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_strings_never_panic(text in any::<String>()) {
        check_any_input(&text);
    }

    #[test]
    fn random_token_streams_never_panic(text in token_soup()) {
        check_any_input(&text);
    }

    #[test]
    fn render_never_panics_on_any_span(
        // CRs and multi-byte characters, where line and caret arithmetic could go wrong.
        text in prop_oneof![any::<String>(), "[ab\r\n\tλ(]{0,40}"],
        start in 0u32..64,
        len in 0u32..16,
        line in any::<u32>(),
        col in any::<u32>(),
        reversed in any::<bool>(),
    ) {
        let mut files = SourceFiles::new();
        let file = files.add("any.scm", text);
        let end = if reversed { start.saturating_sub(len) } else { start + len };
        let span = Span { file, start, end, line, col };
        let rendered = render(&Diagnostic::error(span, "message").with_help("help"), &files);
        let header = format!("any.scm:{line}:{col}: error: message\n");
        prop_assert!(rendered.starts_with(&header), "{}", rendered);
        prop_assert!(rendered.ends_with("help: help\n"));
    }

    #[test]
    fn numbers_written_read_back_through_parse_number(n in any::<i64>(), x in any::<f64>(), whole in any::<i32>()) {
        prop_assert_eq!(parse_number(&n.to_string(), 10), Some(DatumKind::Int(n)));
        let integral = write(&Datum::synthetic(DatumKind::Real(f64::from(whole))));
        prop_assert_eq!(parse_number(&integral, 10), Some(DatumKind::Real(f64::from(whole))), "{}", integral);
        let text = write(&Datum::synthetic(DatumKind::Real(x)));
        let Some(DatumKind::Real(y)) = parse_number(&text, 10) else {
            return Err(TestCaseError::fail(format!("{text} is not a flonum")));
        };
        prop_assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "{} read back as {}", x, y);
        for radix in [2u32, 8, 16] {
            let digits = match radix {
                2 => format!("{:b}", n.unsigned_abs()),
                8 => format!("{:o}", n.unsigned_abs()),
                _ => format!("{:x}", n.unsigned_abs()),
            };
            let sign = if n < 0 { "-" } else { "" };
            prop_assert_eq!(parse_number(&format!("{sign}{digits}"), radix), Some(DatumKind::Int(n)));
        }
    }
}
