//! The token stream the grammar consumes: raw logos tokens classified (numbers, symbols,
//! booleans, directives), positioned (line and column) and checked for balance and depth.
//!
//! Besides feeding the parser, the stream tracks the structure of what it has produced (open
//! lists, pending `'` prefixes and `#;` comments). That lets it name the opening parenthesis of an
//! unbalanced list, bound nesting depth before any datum is built, and stop right after the first
//! complete datum for [`super::read_one`].

use logos::Logos;

use super::lexer::{CHAR_NAMES, CharLit, LexError, LexErrorKind, RawToken};
use super::number::{self, NumberError};
use crate::datum::{Datum, DatumKind};
use crate::diagnostic::Diagnostic;
use crate::span::{FileId, Span};

/// How deeply datums may nest (lists, vectors, quote prefixes and datum comments count). Datums
/// are cloned, compared, printed and dropped recursively by every later stage, so an adversarial
/// `((((...` must be refused here rather than overflow a stack there.
pub const MAX_NESTING: usize = 1_000;

/// A position in the source: byte offset plus the 1-based line and character column there.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) offset: u32,
    pub(crate) line: u32,
    pub(crate) col: u32,
}

pub(crate) fn span_between(file: FileId, start: Pos, end: Pos) -> Span {
    Span {
        file,
        start: start.offset,
        end: end.offset,
        line: start.line,
        col: start.col,
    }
}

/// A token as the grammar sees it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Open,
    VecOpen,
    BytesOpen,
    Close,
    Quote,
    Quasiquote,
    Unquote,
    UnquoteSplicing,
    Dot,
    DatumComment,
    Atom(DatumKind),
}

impl Tok {
    /// How the token is written, for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Open => "`(`".into(),
            Tok::VecOpen => "`#(`".into(),
            Tok::BytesOpen => "`#u8(`".into(),
            Tok::Close => "`)`".into(),
            Tok::Quote => "`'`".into(),
            Tok::Quasiquote => "the backquote".into(),
            Tok::Unquote => "`,`".into(),
            Tok::UnquoteSplicing => "`,@`".into(),
            Tok::Dot => "`.`".into(),
            Tok::DatumComment => "`#;`".into(),
            Tok::Atom(kind) => {
                const SHOWN: usize = 24;
                let text = crate::printer::write(&Datum::synthetic(kind.clone()));
                match text.char_indices().nth(SHOWN) {
                    Some((cut, _)) => format!("`{}...`", &text[..cut]),
                    None => format!("`{text}`"),
                }
            }
        }
    }

    pub(crate) fn is_prefix(&self) -> bool {
        matches!(
            self,
            Tok::Quote | Tok::Quasiquote | Tok::Unquote | Tok::UnquoteSplicing
        )
    }
}

/// What the stream is inside of, innermost last.
#[derive(Clone, Copy, Debug)]
enum Frame {
    /// A list, vector or bytevector opened at this span by this token.
    List(Span, Opener),
    /// A quote-like prefix waiting for its datum.
    Prefix,
    /// A `#;` waiting for the datum it comments out.
    Comment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Opener {
    List,
    Vector,
    Bytevector,
}

/// Tracks line and column while moving forward through the text.
#[derive(Clone, Copy, Debug)]
struct Cursor {
    pos: Pos,
}

impl Cursor {
    fn advance(&mut self, text: &str, to: usize) {
        if to < self.pos.offset as usize {
            // Positions are requested in increasing order; should that ever not hold, start over
            // rather than index backwards.
            debug_assert!(false, "the cursor only moves forward");
            self.pos = Pos {
                offset: 0,
                line: 1,
                col: 1,
            };
        }
        let from = self.pos.offset as usize;
        let skipped = &text.as_bytes()[from..to];
        let mut col = self.pos.col;
        let mut line = self.pos.line;
        for &b in skipped {
            if b == b'\n' {
                line += 1;
                col = 1;
            } else if b & 0xC0 != 0x80 {
                // Count characters, not bytes: skip UTF-8 continuation bytes.
                col += 1;
            }
        }
        // Offsets fit in u32: `Tokens::new` refuses longer texts.
        self.pos = Pos {
            offset: to as u32,
            line,
            col,
        };
    }

    fn at(&mut self, text: &str, to: usize) -> Pos {
        self.advance(text, to);
        self.pos
    }
}

pub(crate) struct Tokens<'a> {
    lexer: logos::Lexer<'a, RawToken>,
    /// The whole text; `lexer` runs over `text[base..]`.
    text: &'a str,
    base: usize,
    file: FileId,
    cursor: Cursor,
    fold_case: bool,
    frames: Vec<Frame>,
    /// Stop after the first complete top-level datum (for `read_one`).
    single: bool,
    done: bool,
    /// The lexer stopped at a string, `|symbol|` or block comment that the input does not close.
    unterminated: bool,
    /// The last two tokens produced, oldest first, for messages about what follows a token;
    /// atoms are recorded as `None`, since only punctuation needs a datum after it. The parser
    /// fails on its lookahead, so the token before the failure is the older one.
    recent: [Option<(Tok, Span)>; 2],
    /// Where the last token ended.
    end: Pos,
}

impl<'a> Tokens<'a> {
    /// A stream over `text[offset..]`; positions are still those of the whole text.
    pub(crate) fn new(
        text: &'a str,
        file: FileId,
        offset: usize,
        single: bool,
    ) -> Result<Self, Diagnostic> {
        if u32::try_from(text.len()).is_err() {
            let span = Span {
                file,
                start: 0,
                end: 0,
                line: 1,
                col: 1,
            };
            return Err(Diagnostic::error(span, "source text too large")
                .with_help("the reader accepts texts up to 4 GiB"));
        }
        if offset > text.len() || !text.is_char_boundary(offset) {
            let span = Span {
                file,
                start: 0,
                end: 0,
                line: 1,
                col: 1,
            };
            return Err(Diagnostic::error(
                span,
                format!("read position {offset} is not a character boundary of the text"),
            ));
        }
        let mut cursor = Cursor {
            pos: Pos {
                offset: 0,
                line: 1,
                col: 1,
            },
        };
        cursor.advance(text, offset);
        Ok(Tokens {
            lexer: RawToken::lexer(&text[offset..]),
            text,
            base: offset,
            file,
            cursor,
            fold_case: false,
            frames: Vec::new(),
            single,
            done: false,
            unterminated: false,
            recent: [None, None],
            end: cursor.pos,
        })
    }

    pub(crate) fn file(&self) -> FileId {
        self.file
    }

    /// Byte offset just past the last token produced.
    pub(crate) fn end_offset(&self) -> usize {
        self.end.offset as usize
    }

    pub(crate) fn last(&self) -> Option<&(Tok, Span)> {
        self.recent[1].as_ref()
    }

    pub(crate) fn before_last(&self) -> Option<&(Tok, Span)> {
        self.recent[0].as_ref()
    }

    /// The innermost list still open, if any.
    pub(crate) fn innermost_open(&self) -> Option<(Span, Opener)> {
        self.frames.iter().rev().find_map(|f| match f {
            Frame::List(span, opener) => Some((*span, *opener)),
            _ => None,
        })
    }

    /// True when lexing stopped at a string, `|symbol|` or block comment left open.
    pub(crate) fn stopped_at_open_token(&self) -> bool {
        self.unterminated
    }

    /// True when the text so far leaves a list, a prefix or a datum comment waiting for more.
    pub(crate) fn is_inside_datum(&self) -> bool {
        !self.frames.is_empty()
    }

    /// Start and end positions of `range`, a byte range of the lexer's input (`text[base..]`).
    /// The cursor moves to the start only: error ranges may run past tokens not yet produced.
    fn positions(&mut self, range: std::ops::Range<usize>) -> (Pos, Pos) {
        let start = self.cursor.at(self.text, self.base + range.start);
        let mut ahead = self.cursor;
        let end = ahead.at(self.text, self.base + range.end);
        (start, end)
    }

    fn span(&mut self, range: std::ops::Range<usize>) -> Span {
        let (start, end) = self.positions(range);
        span_between(self.file, start, end)
    }

    fn lex_error(&mut self, error: LexError) -> Diagnostic {
        let span = self.span(error.at);
        match error.kind {
            LexErrorKind::UnexpectedChar => {
                let c = self.text[span.start as usize..].chars().next().unwrap_or('?');
                Diagnostic::error(span, format!("unexpected character `{}`", c.escape_debug()))
            }
            LexErrorKind::UnterminatedString => {
                Diagnostic::error(span, "unterminated string").with_help("expected a closing `\"` for the string that starts here")
            }
            LexErrorKind::UnterminatedSymbol => {
                Diagnostic::error(span, "unterminated `|symbol|`").with_help("expected a closing `|` for the symbol that starts here")
            }
            LexErrorKind::UnterminatedBlockComment => Diagnostic::error(span, "unterminated block comment")
                .with_help("expected `|#` to close the comment that starts here (block comments nest)"),
            LexErrorKind::BadEscape(escape) => Diagnostic::error(span, format!("bad escape `{escape}`"))
                .with_help("expected one of \\a \\b \\t \\n \\r \\\" \\\\ \\| \\x<hex>; or a backslash at the end of a line"),
            LexErrorKind::BadHexEscape => Diagnostic::error(span, "bad hex escape")
                .with_help("expected hexadecimal digits ended by `;`, as in \\x41;"),
            LexErrorKind::CharOutOfRange(hex) => Diagnostic::error(span, format!("character code #x{hex} out of range"))
                .with_help("expected a Unicode scalar value: at most #x10FFFF and not a surrogate (#xD800-#xDFFF)"),
            LexErrorKind::MissingChar => Diagnostic::error(span, "expected a character after `#\\`"),
            LexErrorKind::BadCharName(name) => Diagnostic::error(span, format!("unknown character name `{name}`"))
                .with_help("expected a single character, #\\x<hex>, or one of: alarm backspace delete escape newline null return space tab"),
        }
    }

    /// Turns one raw token into a grammar token; `None` for directives, which produce nothing.
    fn classify(&mut self, raw: RawToken, span: Span) -> Result<Option<Tok>, Diagnostic> {
        let slice = self.lexer.slice();
        Ok(Some(match raw {
            RawToken::Open => Tok::Open,
            RawToken::Close => Tok::Close,
            RawToken::VecOpen => Tok::VecOpen,
            RawToken::BytesOpen => Tok::BytesOpen,
            RawToken::Quote => Tok::Quote,
            RawToken::Quasiquote => Tok::Quasiquote,
            RawToken::Unquote => Tok::Unquote,
            RawToken::UnquoteSplicing => Tok::UnquoteSplicing,
            RawToken::DatumComment => Tok::DatumComment,
            // Skipped by its callback; logos never yields it.
            RawToken::BlockComment => return Ok(None),
            RawToken::Str(s) => Tok::Atom(DatumKind::Str(s)),
            RawToken::PipeSymbol(s) => Tok::Atom(DatumKind::Symbol(s)),
            RawToken::Char(CharLit::Char(c)) => Tok::Atom(DatumKind::Char(c)),
            RawToken::Char(CharLit::Name) => {
                let name = &slice[2..];
                let found = CHAR_NAMES.iter().find(|(n, _)| {
                    if self.fold_case {
                        n.eq_ignore_ascii_case(name)
                    } else {
                        *n == name
                    }
                });
                match found {
                    Some(&(_, c)) => Tok::Atom(DatumKind::Char(c)),
                    None => {
                        let at = self.lexer.span();
                        return Err(self.lex_error(LexError {
                            kind: LexErrorKind::BadCharName(name.to_owned()),
                            at,
                        }));
                    }
                }
            }
            RawToken::Atom => classify_atom(slice, self.fold_case).map_err(|e| e.at(span))?,
            RawToken::Hash => match self.classify_hash(slice) {
                Ok(tok) => return Ok(tok),
                Err(e) => return Err(e.at(span)),
            },
            RawToken::Reserved => {
                return Err(Diagnostic::error(span, format!("`{slice}` is reserved"))
                    .with_help("R7RS reserves brackets and braces; use parentheses"));
            }
        }))
    }

    fn classify_hash(&mut self, slice: &str) -> Result<Option<Tok>, AtomError> {
        let body = &slice[1..];
        let lower = body.to_ascii_lowercase();
        match lower.as_str() {
            "t" | "true" => return Ok(Some(Tok::Atom(DatumKind::Bool(true)))),
            "f" | "false" => return Ok(Some(Tok::Atom(DatumKind::Bool(false)))),
            "!fold-case" => {
                self.fold_case = true;
                return Ok(None);
            }
            "!no-fold-case" => {
                self.fold_case = false;
                return Ok(None);
            }
            _ => {}
        }
        match number::parse(slice, 10) {
            Ok(kind) => Ok(Some(Tok::Atom(kind))),
            Err(e) if e != NumberError::Invalid || starts_like_prefixed_number(slice) => {
                Err(AtomError::Number(slice.to_owned(), e))
            }
            Err(_) => Err(AtomError::Hash(slice.to_owned())),
        }
    }

    /// Updates the open lists, prefixes and comments after `tok`; refuses a `)` that closes
    /// nothing and nesting beyond [`MAX_NESTING`].
    fn track(&mut self, tok: &Tok, span: Span) -> Result<(), Diagnostic> {
        let completes = match tok {
            Tok::Open | Tok::VecOpen | Tok::BytesOpen => {
                let opener = match tok {
                    Tok::Open => Opener::List,
                    Tok::VecOpen => Opener::Vector,
                    _ => Opener::Bytevector,
                };
                self.push(Frame::List(span, opener), span)?;
                false
            }
            Tok::Quote | Tok::Quasiquote | Tok::Unquote | Tok::UnquoteSplicing => {
                self.push(Frame::Prefix, span)?;
                false
            }
            Tok::DatumComment => {
                self.push(Frame::Comment, span)?;
                false
            }
            Tok::Close => match self.frames.last() {
                Some(Frame::List(..)) => {
                    self.frames.pop();
                    true
                }
                // `')` or `#;)`: the parser reports what the prefix is missing.
                Some(_) => false,
                None => {
                    return Err(Diagnostic::error(span, "unexpected `)`")
                        .with_help("there is no open list here for it to close"));
                }
            },
            Tok::Dot => false,
            Tok::Atom(_) => true,
        };
        if completes {
            self.complete_datum();
        }
        Ok(())
    }

    fn push(&mut self, frame: Frame, span: Span) -> Result<(), Diagnostic> {
        if self.frames.len() >= MAX_NESTING {
            return Err(
                Diagnostic::error(span, "datum nested too deeply").with_help(format!(
                    "lists, vectors, quotes and datum comments may nest at most {MAX_NESTING} deep"
                )),
            );
        }
        self.frames.push(frame);
        Ok(())
    }

    /// A datum just ended: it completes the prefixes waiting for it, or is eaten by a `#;`.
    fn complete_datum(&mut self) {
        loop {
            match self.frames.last() {
                Some(Frame::Prefix) => {
                    self.frames.pop();
                }
                Some(Frame::Comment) => {
                    self.frames.pop();
                    return;
                }
                Some(Frame::List(..)) => return,
                None => {
                    if self.single {
                        self.done = true;
                    }
                    return;
                }
            }
        }
    }
}

/// A classification failure, before it is given its span.
enum AtomError {
    Number(String, NumberError),
    Hash(String),
}

impl AtomError {
    fn at(self, span: Span) -> Diagnostic {
        match self {
            AtomError::Number(text, NumberError::Invalid) => {
                let help = if text.starts_with('#') {
                    "expected digits of the prefix's radix, as in #xff, #b101, #o17, #e1e3 or #i3".to_owned()
                } else {
                    format!("expected a number such as 42, -1.5e3 or +inf.0; as a symbol, write |{text}|")
                };
                Diagnostic::error(span, format!("bad number syntax `{text}`")).with_help(help)
            }
            AtomError::Number(text, NumberError::Unsupported(what)) => {
                Diagnostic::error(span, format!("{what} are not supported: `{text}`"))
                    .with_help("pscheme has exact integers and inexact reals (flonums) only")
            }
            AtomError::Number(text, NumberError::OutOfRange) => Diagnostic::error(span, format!("number out of range `{text}`"))
                .with_help("an exact decimal may have an exponent of at most 10000"),
            AtomError::Hash(text) if text == "#" => Diagnostic::error(span, "bad `#` syntax")
                .with_help("expected #t, #f, #\\<char>, #(, #u8(, #|, #;, or a number prefix such as #x"),
            AtomError::Hash(text) if is_datum_label(&text) => {
                Diagnostic::error(span, format!("datum labels are not supported: `{text}`"))
            }
            AtomError::Hash(text) if text.starts_with("#u8") => Diagnostic::error(span, format!("bad `#` syntax `{text}`"))
                .with_help("a bytevector is written #u8( followed by exact integers 0-255 and `)`"),
            AtomError::Hash(text) if text.starts_with("#!") => Diagnostic::error(span, format!("unknown directive `{text}`"))
                .with_help("the directives are #!fold-case and #!no-fold-case"),
            AtomError::Hash(text) => Diagnostic::error(span, format!("bad `#` syntax `{text}`"))
                .with_help("expected #t, #f, #true, #false, #\\<char>, #(, #u8(, #|, #;, or a number prefix such as #x"),
        }
    }
}

/// `#0=` or `#0#`: R7RS datum labels, for reading shared and circular structure.
fn is_datum_label(text: &str) -> bool {
    let digits = text
        .strip_prefix('#')
        .and_then(|t| t.strip_suffix(['=', '#']));
    digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// What an atom not starting with `#` is.
enum AtomClass {
    Dot,
    Number(DatumKind),
    Symbol,
}

/// Classifies an atom not starting with `#`. Text that starts like a number (a digit, or a
/// sign or `.` followed by a digit) must be one.
fn atom_class(text: &str) -> Result<AtomClass, AtomError> {
    if text == "." {
        return Ok(AtomClass::Dot);
    }
    // Every number not written with a `#` prefix starts with a digit, a sign or a `.`.
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Ok(AtomClass::Symbol);
    }
    match number::parse(text, 10) {
        Ok(kind) => Ok(AtomClass::Number(kind)),
        Err(NumberError::Invalid) if !starts_like_number(text) => Ok(AtomClass::Symbol),
        Err(e) => Err(AtomError::Number(text.to_owned(), e)),
    }
}

fn classify_atom(text: &str, fold_case: bool) -> Result<Tok, AtomError> {
    Ok(match atom_class(text)? {
        AtomClass::Dot => Tok::Dot,
        AtomClass::Number(kind) => Tok::Atom(kind),
        AtomClass::Symbol if fold_case => Tok::Atom(DatumKind::Symbol(fold(text))),
        AtomClass::Symbol => Tok::Atom(DatumKind::Symbol(text.to_owned())),
    })
}

fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

fn starts_like_number(text: &str) -> bool {
    let b = text.as_bytes();
    let digit_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    match b.first() {
        Some(b'0'..=b'9') => true,
        Some(b'+' | b'-') => digit_at(1) || (b.get(1) == Some(&b'.') && digit_at(2)),
        Some(b'.') => digit_at(1),
        _ => false,
    }
}

/// True for `#` followed by radix/exactness prefixes and then something that starts like a
/// number in that radix: `#b102` is a bad number, `#eof` is bad `#` syntax.
fn starts_like_prefixed_number(text: &str) -> bool {
    let mut rest = text;
    let mut radix = 10;
    let mut prefixes = 0;
    while let Some(after) = rest.strip_prefix('#') {
        let mut chars = after.chars();
        match chars.next().map(|c| c.to_ascii_lowercase()) {
            Some('x') => radix = 16,
            Some('b') => radix = 2,
            Some('o') => radix = 8,
            Some('d' | 'e' | 'i') => {}
            _ => return false,
        }
        prefixes += 1;
        rest = chars.as_str();
    }
    prefixes > 0 && rest.starts_with(|c: char| c.is_digit(radix) || matches!(c, '+' | '-' | '.'))
}

/// True when `name` written bare (without `|...|`) reads back as the symbol `name`.
pub(crate) fn is_bare_symbol(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if first == '#' || super::lexer::is_delimiter(first) || chars.any(super::lexer::is_delimiter) {
        return false;
    }
    matches!(atom_class(name), Ok(AtomClass::Symbol))
}

impl Iterator for Tokens<'_> {
    type Item = Result<(Pos, Tok, Pos), Diagnostic>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let raw = match self.lexer.next()? {
                Ok(raw) => raw,
                Err(error) => {
                    self.done = true;
                    self.unterminated = error.is_incomplete();
                    return Some(Err(self.lex_error(error)));
                }
            };
            let (start, end) = self.positions(self.lexer.span());
            let span = span_between(self.file, start, end);
            let tok = match self.classify(raw, span) {
                Ok(Some(tok)) => tok,
                Ok(None) => continue,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if let Err(e) = self.track(&tok, span) {
                self.done = true;
                return Some(Err(e));
            }
            self.cursor.pos = end;
            self.end = end;
            self.recent.rotate_left(1);
            self.recent[1] = (!matches!(tok, Tok::Atom(_))).then(|| (tok.clone(), span));
            return Some(Ok((start, tok, end)));
        }
        None
    }
}
