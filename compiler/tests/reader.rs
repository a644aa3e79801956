//! The reader on valid input: every piece of R7RS lexical syntax, spans, `read_one` and
//! `input_is_complete`.

use pscheme_compiler::datum::{Datum, DatumKind};
use pscheme_compiler::printer::{display, write};
use pscheme_compiler::reader::{input_is_complete, read, read_one};
use pscheme_compiler::span::{FileId, Span};

const FILE: FileId = FileId(3);

fn read_ok(text: &str) -> Vec<Datum> {
    read(text, FILE).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
}

/// The datums of `text`, each in `write` form, space separated.
fn written(text: &str) -> String {
    read_ok(text)
        .iter()
        .map(write)
        .collect::<Vec<_>>()
        .join(" ")
}

fn kind(text: &str) -> DatumKind {
    let mut datums = read_ok(text);
    assert_eq!(datums.len(), 1, "{text:?}");
    datums.remove(0).kind
}

#[test]
fn atoms() {
    assert_eq!(kind("#t"), DatumKind::Bool(true));
    assert_eq!(kind("#true"), DatumKind::Bool(true));
    assert_eq!(kind("#f"), DatumKind::Bool(false));
    assert_eq!(kind("#false"), DatumKind::Bool(false));
    assert_eq!(kind("-17"), DatumKind::Int(-17));
    assert_eq!(kind("#x-1F"), DatumKind::Int(-31));
    assert!(matches!(
        kind("123456789012345678901234567890"),
        DatumKind::BigInt(_)
    ));
    assert_eq!(kind("2.5e2"), DatumKind::Real(250.0));
    assert_eq!(kind("-inf.0"), DatumKind::Real(f64::NEG_INFINITY));
    assert!(matches!(kind("+nan.0"), DatumKind::Real(x) if x.is_nan()));
    assert_eq!(kind("hello"), DatumKind::Symbol("hello".into()));
    assert_eq!(kind("Hello"), DatumKind::Symbol("Hello".into()));
    for peculiar in ["+", "-", "...", "->x", "+a", "-.-", "..", "<=?", "a.b", "λ"] {
        assert_eq!(
            kind(peculiar),
            DatumKind::Symbol(peculiar.into()),
            "{peculiar}"
        );
    }
    assert_eq!(
        kind("|hello world|"),
        DatumKind::Symbol("hello world".into())
    );
    assert_eq!(kind(r"|a\|b\x41;\n|"), DatumKind::Symbol("a|bA\n".into()));
    assert_eq!(kind("||"), DatumKind::Symbol(String::new()));
}

#[test]
fn strings_with_every_r7rs_escape() {
    assert_eq!(
        kind(r#""a\"b\\c\a\b\t\n\r\|""#),
        DatumKind::Str("a\"b\\c\u{7}\u{8}\t\n\r|".into())
    );
    assert_eq!(kind(r#""\x3bb;\x41;""#), DatumKind::Str("\u{3bb}A".into()));
    assert_eq!(
        kind("\"one \\   \n    two\""),
        DatumKind::Str("one two".into())
    );
    assert_eq!(
        kind("\"one \\\r\n\ttwo\""),
        DatumKind::Str("one two".into())
    );
    assert_eq!(
        kind("\"line\nbreak\""),
        DatumKind::Str("line\nbreak".into())
    );
    assert_eq!(kind("\"\""), DatumKind::Str(String::new()));
}

#[test]
fn characters() {
    let cases = [
        (r"#\a", 'a'),
        (r"#\A", 'A'),
        (r"#\(", '('),
        (r"#\)", ')'),
        (r"#\;", ';'),
        (r"#\ ", ' '),
        (r"#\space", ' '),
        (r"#\newline", '\n'),
        (r"#\tab", '\t'),
        (r"#\null", '\0'),
        (r"#\alarm", '\u{7}'),
        (r"#\backspace", '\u{8}'),
        (r"#\delete", '\u{7f}'),
        (r"#\escape", '\u{1b}'),
        (r"#\return", '\r'),
        (r"#\x", 'x'),
        (r"#\x41", 'A'),
        (r"#\x3bb", 'λ'),
        (r"#\λ", 'λ'),
    ];
    for (text, c) in cases {
        assert_eq!(kind(text), DatumKind::Char(c), "{text}");
    }
    assert_eq!(written(r"(#\a #\b)"), r"(#\a #\b)");
    assert_eq!(written(r"(#\))"), r"(#\))");
    assert_eq!(written(r"(#\(a #\;b)"), r"(#\( a #\; b)");
}

#[test]
fn lists_vectors_and_bytevectors() {
    assert_eq!(written("(a b c)"), "(a b c)");
    assert_eq!(written("()"), "()");
    assert_eq!(written("(a . b)"), "(a . b)");
    assert_eq!(written("(a b . c)"), "(a b . c)");
    // A list tail is spliced, so the datum is the same as the proper list.
    assert_eq!(written("(a . (b c))"), "(a b c)");
    assert!(matches!(kind("(a . (b c))"), DatumKind::List(items, None) if items.len() == 3));
    assert!(matches!(kind("(a . ())"), DatumKind::List(items, None) if items.len() == 1));
    assert_eq!(written("(a . (b . c))"), "(a b . c)");
    assert_eq!(written("#(1 #(2) \"x\")"), "#(1 #(2) \"x\")");
    assert_eq!(written("#()"), "#()");
    assert_eq!(kind("#u8(0 1 255)"), DatumKind::Bytevector(vec![0, 1, 255]));
    assert_eq!(kind("#u8()"), DatumKind::Bytevector(vec![]));
    assert_eq!(written("((()))"), "((()))");
}

#[test]
fn quote_abbreviations() {
    assert_eq!(written("'a `(b ,c ,@d)"), "'a `(b ,c ,@d)");
    let DatumKind::List(items, None) = kind("'x") else {
        panic!()
    };
    assert_eq!(items[0].kind, DatumKind::Symbol("quote".into()));
    assert_eq!(written("''a"), "''a");
    assert_eq!(written("(quote a b)"), "(quote a b)");
}

#[test]
fn comments_of_every_kind() {
    assert_eq!(written("a ; comment\nb"), "a b");
    assert_eq!(written("a #| block |# b"), "a b");
    assert_eq!(written("a #| outer #| inner |# still outer |# b"), "a b");
    assert_eq!(written("#;(ignored) a"), "a");
    assert_eq!(written("(a #;b c)"), "(a c)");
    assert_eq!(written("(a #;b)"), "(a)");
    assert_eq!(written("(#;a)"), "()");
    assert_eq!(written("#;#;a b c"), "c");
    assert_eq!(written("'#;a b"), "'b");
    assert_eq!(written("(a . #;b c)"), "(a . c)");
    assert_eq!(written("(a . c #;d)"), "(a . c)");
    assert_eq!(written("(a #;b . c)"), "(a . c)");
    assert_eq!(written("#u8(1 #;2 3)"), "#u8(1 3)");
    assert_eq!(written(""), "");
    assert_eq!(written("; only a comment"), "");
}

#[test]
fn fold_case_directives() {
    assert_eq!(
        written("#!fold-case ABC #\\SPACE #!no-fold-case ABC"),
        "abc #\\space ABC"
    );
    assert_eq!(
        written("#!/usr/bin/env pscheme\n(display 1)"),
        "(display 1)"
    );
    assert_eq!(written("\u{feff}(display 1)"), "(display 1)");
    assert_eq!(
        written("\u{feff}#!/usr/bin/env pscheme\n(display 1)"),
        "(display 1)"
    );
}

fn span(start: u32, end: u32, line: u32, col: u32) -> Span {
    Span {
        file: FILE,
        start,
        end,
        line,
        col,
    }
}

#[test]
fn spans_give_byte_range_line_and_character_column() {
    let text = "(define x\n  \"λλ\" 'y)\n;; done\n  #(1 . 2)";
    let datums = read(text, FILE);
    // `#(1 . 2)` is an error (vectors are never dotted), so read the valid prefix.
    assert!(datums.is_err());
    let text = "(define x\n  \"λλ\" 'y)\n;; done\n  #(1 2)";
    let datums = read_ok(text);
    assert_eq!(datums[0].span, span(0, 22, 1, 1));
    let DatumKind::List(items, None) = &datums[0].kind else {
        panic!()
    };
    assert_eq!(items[0].span, span(1, 7, 1, 2));
    assert_eq!(items[1].span, span(8, 9, 1, 9));
    assert_eq!(items[2].span, span(12, 18, 2, 3));
    // Columns count characters: `'y` is after two two-byte λs, at byte 19 but column 8.
    assert_eq!(items[3].span, span(19, 21, 2, 8));
    let DatumKind::List(quoted, None) = &items[3].kind else {
        panic!()
    };
    assert_eq!(quoted[0].span, span(19, 20, 2, 8));
    assert_eq!(quoted[1].span, span(20, 21, 2, 9));
    assert_eq!(datums[1].span, span(33, 39, 4, 3));
}

#[test]
fn read_one_reads_a_datum_at_a_time() {
    let text = "  (a b) #;skipped 42 ; tail\n";
    let (first, next) = read_one(text, FILE, 0).unwrap().unwrap();
    assert_eq!(write(&first), "(a b)");
    assert_eq!(next, 7);
    let (second, next) = read_one(text, FILE, next).unwrap().unwrap();
    assert_eq!(second.kind, DatumKind::Int(42));
    assert_eq!(
        second.span,
        Span {
            file: FILE,
            start: 18,
            end: 20,
            line: 1,
            col: 19
        }
    );
    assert_eq!(next, 20);
    assert_eq!(read_one(text, FILE, next).unwrap(), None);
    assert_eq!(read_one("", FILE, 0).unwrap(), None);
    // Only the first datum is read: what follows is not even lexed.
    let (quoted, next) = read_one("'x ) \"unterminated", FILE, 0).unwrap().unwrap();
    assert_eq!(write(&quoted), "'x");
    assert_eq!(next, 2);
    assert!(read_one("(a", FILE, 0).is_err());
    assert!(read_one("abc", FILE, 1).is_ok());
    assert!(read_one("λ", FILE, 1).is_err(), "offset inside a character");
    assert!(read_one("a", FILE, 2).is_err(), "offset past the end");
}

#[test]
fn input_is_complete_tracks_open_lists_strings_and_comments() {
    for complete in [
        "",
        "a",
        "(a b)",
        "'x",
        "\"s\"",
        "#| c |#",
        "(a) (b)",
        ")",
        "(a))",
        "#\\(",
        "(a ; (\n)",
        "#(1 #u8(2))",
    ] {
        assert!(input_is_complete(complete), "{complete:?}");
    }
    for incomplete in [
        "(", "(a (b)", "'", "\"abc", "#| c", "#| #| |#", "|sym", "#;", "(a #;", "#(1", "`(a ,",
        "(a . ",
    ] {
        assert!(!input_is_complete(incomplete), "{incomplete:?}");
    }
}

#[test]
fn display_prints_strings_and_characters_raw() {
    let datums = read_ok(r#"("a \"quoted\" word" #\b |odd sym| 1.0 #(#\space))"#);
    assert_eq!(
        display(&datums[0]),
        "(a \"quoted\" word b odd sym 1.0 #( ))"
    );
    assert_eq!(
        write(&datums[0]),
        r#"("a \"quoted\" word" #\b |odd sym| 1.0 #(#\space))"#
    );
}

/// One line per datum: position, byte range, and the atom as written or the compound's kind.
fn dump(datum: &Datum, depth: usize, out: &mut String) {
    use std::fmt::Write as _;
    let Span {
        line,
        col,
        start,
        end,
        ..
    } = datum.span;
    let what = match &datum.kind {
        DatumKind::List(_, None) => "list".to_owned(),
        DatumKind::List(_, Some(_)) => "dotted list".to_owned(),
        DatumKind::Vector(_) => "vector".to_owned(),
        _ => write(datum),
    };
    let _ = writeln!(
        out,
        "{:indent$}{line}:{col} [{start}..{end}] {what}",
        "",
        indent = depth * 2
    );
    let children: Vec<&Datum> = match &datum.kind {
        DatumKind::List(items, tail) => items.iter().chain(tail.as_deref()).collect(),
        DatumKind::Vector(items) => items.iter().collect(),
        _ => Vec::new(),
    };
    for child in children {
        dump(child, depth + 1, out);
    }
}

#[test]
fn spans_of_a_program_using_every_kind_of_syntax() {
    let text = r#"#!/usr/bin/env pscheme
;; every kind of datum, with comments between
(define (greet name . rest)   ; dotted formals
  (display "héllo, \x3bb;\n") #| block #| nested |# |#
  `(,name ,@rest #(1 2.5 #\a #\space) #u8(0 255))
  #;(ignored datum)
  '|odd symbol|)
(#t #false -12345678901234567890 +inf.0 .5e1)
"#;
    let mut out = String::new();
    for datum in read_ok(text) {
        dump(&datum, 0, &mut out);
    }
    insta::assert_snapshot!(out);
}
