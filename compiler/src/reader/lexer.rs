//! The raw lexer: a logos state machine over the source text. It only cuts the text into tokens
//! and decodes what needs a scan anyway (strings, `|symbols|`, characters, nested comments);
//! classifying atoms into numbers and symbols is left to [`super::tokens`], which knows the
//! `#!fold-case` state.

use std::ops::Range;

use logos::{FilterResult, Lexer, Logos};

/// Characters that end an atom. R7RS delimiters are whitespace, `|`, `(`, `)`, `"` and `;`; the
/// quote characters and the reserved brackets are added so that `'a'b` and `a[0]` do not read
/// as one odd symbol.
pub(crate) fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | ')' | '[' | ']' | '{' | '}' | '"' | ';' | '\'' | '`' | ',' | '|'
        )
}

/// A lexing error at a byte range of the lexer's input.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct LexError {
    pub(crate) kind: LexErrorKind,
    pub(crate) at: Range<usize>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum LexErrorKind {
    /// No token starts with this character (logos' own error).
    #[default]
    UnexpectedChar,
    UnterminatedString,
    UnterminatedSymbol,
    UnterminatedBlockComment,
    /// `\q` in a string or `|symbol|`.
    BadEscape(String),
    /// `\x41` without its `;`, or `\x;`.
    BadHexEscape,
    /// A `\x...;` or `#\x...` whose code is not a Unicode scalar value.
    CharOutOfRange(String),
    /// `#\` at the end of the input.
    MissingChar,
    BadCharName(String),
}

impl LexError {
    fn at_token(lex: &Lexer<'_, RawToken>) -> Self {
        LexError {
            kind: LexErrorKind::UnexpectedChar,
            at: lex.span(),
        }
    }

    /// True when more input could complete the token (the REPL then asks for another line).
    pub(crate) fn is_incomplete(&self) -> bool {
        matches!(
            self.kind,
            LexErrorKind::UnterminatedString
                | LexErrorKind::UnterminatedSymbol
                | LexErrorKind::UnterminatedBlockComment
        )
    }
}

#[derive(Clone, Debug, PartialEq, Logos)]
#[logos(error(LexError, LexError::at_token))]
#[logos(skip r"\s+")]
// A line comment stops at the end of its line, so its greedy repetition is bounded.
#[logos(skip(r";[^\n]*", allow_greedy = true))]
pub(crate) enum RawToken {
    #[token("(")]
    Open,
    #[token(")")]
    Close,
    #[token("#(")]
    VecOpen,
    #[token("#u8(")]
    BytesOpen,
    #[token("'")]
    Quote,
    #[token("`")]
    Quasiquote,
    #[token(",")]
    Unquote,
    #[token(",@")]
    UnquoteSplicing,
    #[token("#;")]
    DatumComment,
    #[token("#|", block_comment)]
    BlockComment,
    #[token("\"", |lex| quoted(lex, '"'))]
    Str(String),
    #[token("|", |lex| quoted(lex, '|'))]
    PipeSymbol(String),
    #[token("#\\", character)]
    Char(CharLit),
    /// Anything that is not a delimiter and does not start with `#`: a number, a symbol or `.`.
    #[regex(r#"[^\s()\[\]{}";'`,|#][^\s()\[\]{}";'`,|]*"#)]
    Atom,
    /// `#` followed by non-delimiters: booleans, number prefixes, directives, or bad syntax.
    #[regex(r#"#[^\s()\[\]{}";'`,|\\]*"#)]
    Hash,
    /// Brackets and braces are reserved by R7RS.
    #[regex(r"[\[\]{}]")]
    Reserved,
}

/// Skips a (nested) block comment; the opening `#|` is already consumed.
fn block_comment(lex: &mut Lexer<'_, RawToken>) -> FilterResult<(), LexError> {
    let rest = lex.remainder().as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i < rest.len() {
        match (rest[i], rest.get(i + 1)) {
            (b'|', Some(b'#')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    lex.bump(i);
                    return FilterResult::Skip;
                }
            }
            (b'#', Some(b'|')) => {
                depth += 1;
                i += 2;
            }
            _ => i += 1,
        }
    }
    let at = lex.span();
    lex.bump(rest.len());
    FilterResult::Error(LexError {
        kind: LexErrorKind::UnterminatedBlockComment,
        at,
    })
}

/// Decodes a string (`close == '"'`) or a `|symbol|` (`close == '|'`) whose opening delimiter is
/// already consumed, with the R7RS escapes.
fn quoted(lex: &mut Lexer<'_, RawToken>, close: char) -> Result<String, LexError> {
    let open = lex.span();
    let rest = lex.remainder();
    let base = open.end;
    let mut out = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == close {
            lex.bump(i + 1);
            return Ok(out);
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((j, e)) = chars.next() else { break };
        match e {
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            '"' | '\\' | '|' => out.push(e),
            'x' | 'X' => {
                let digits_start = j + 1;
                let end = rest[digits_start..].find(';');
                let digits = end.map(|n| &rest[digits_start..digits_start + n]);
                match digits {
                    Some(d) if !d.is_empty() && d.bytes().all(|b| b.is_ascii_hexdigit()) => {
                        let semi = digits_start + d.len();
                        let code = u32::from_str_radix(d, 16).ok().and_then(char::from_u32);
                        let Some(ch) = code else {
                            let at = base + i..base + semi + 1;
                            lex.bump(rest.len());
                            return Err(LexError {
                                kind: LexErrorKind::CharOutOfRange(d.to_owned()),
                                at,
                            });
                        };
                        out.push(ch);
                        while chars.next_if(|&(k, _)| k <= semi).is_some() {}
                    }
                    _ => {
                        let at = base + i..base + digits_start;
                        lex.bump(rest.len());
                        return Err(LexError {
                            kind: LexErrorKind::BadHexEscape,
                            at,
                        });
                    }
                }
            }
            // A backslash before the end of a line joins it with the next, dropping the
            // intraline whitespace around the line break.
            ' ' | '\t' | '\r' | '\n' => {
                let mut saw_newline = e == '\n';
                while let Some(&(_, w)) = chars.peek() {
                    match w {
                        '\n' if !saw_newline => saw_newline = true,
                        ' ' | '\t' | '\r' => {}
                        _ => break,
                    }
                    chars.next();
                }
                if !saw_newline {
                    let at = base + i..base + j + e.len_utf8();
                    lex.bump(rest.len());
                    return Err(LexError {
                        kind: LexErrorKind::BadEscape(format!("\\{}", e.escape_debug())),
                        at,
                    });
                }
            }
            _ => {
                let at = base + i..base + j + e.len_utf8();
                lex.bump(rest.len());
                return Err(LexError {
                    kind: LexErrorKind::BadEscape(format!("\\{}", e.escape_debug())),
                    at,
                });
            }
        }
    }
    lex.bump(rest.len());
    let kind = if close == '"' {
        LexErrorKind::UnterminatedString
    } else {
        LexErrorKind::UnterminatedSymbol
    };
    Err(LexError { kind, at: open })
}

/// Decodes a character literal whose `#\` is already consumed: `#\a`, `#\(`, `#\space`,
/// `#\x41`. The first character is always taken; unless it is a delimiter, a name or hex code
/// continues up to the next delimiter.
fn character(lex: &mut Lexer<'_, RawToken>) -> Result<CharLit, LexError> {
    let rest = lex.remainder();
    let mut chars = rest.chars();
    let Some(first) = chars.next() else {
        return Err(LexError {
            kind: LexErrorKind::MissingChar,
            at: lex.span(),
        });
    };
    let tail = chars.as_str();
    // A delimiter stands alone: `#\(a` is `#\(` then `a`.
    let tail_len = if is_delimiter(first) {
        0
    } else {
        tail.find(is_delimiter).unwrap_or(tail.len())
    };
    let len = first.len_utf8() + tail_len;
    lex.bump(len);
    if tail_len == 0 {
        return Ok(CharLit::Char(first));
    }
    let text = &rest[..len];
    if let Some(hex) = text
        .strip_prefix('x')
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return u32::from_str_radix(hex, 16)
            .ok()
            .and_then(char::from_u32)
            .map(CharLit::Char)
            .ok_or_else(|| LexError {
                kind: LexErrorKind::CharOutOfRange(hex.to_owned()),
                at: lex.span(),
            });
    }
    Ok(CharLit::Name)
}

/// A decoded character literal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum CharLit {
    Char(char),
    /// `#\name`, with the name at `slice()[2..]`: it is looked up later, under the
    /// `#!fold-case` state.
    Name,
}

/// The R7RS character names, shared with the printer.
pub(crate) const CHAR_NAMES: [(&str, char); 9] = [
    ("alarm", '\u{7}'),
    ("backspace", '\u{8}'),
    ("delete", '\u{7f}'),
    ("escape", '\u{1b}'),
    ("newline", '\n'),
    ("null", '\0'),
    ("return", '\r'),
    ("space", ' '),
    ("tab", '\t'),
];
