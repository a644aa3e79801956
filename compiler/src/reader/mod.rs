//! The reader: source text to [`Datum`]s with spans.
//!
//! `lexer` cuts the text with logos, `tokens` classifies and positions the tokens and keeps
//! track of nesting, and the lalrpop grammar (`grammar.lalrpop`) assembles datums. The reader
//! stops at the first error: a [`Diagnostic`] naming where, what was found and what was expected.
//!
//! Guarantees later stages rely on:
//! - every span lies within the text, on character boundaries, with the 1-based line and
//!   character column of its start;
//! - no datum nests deeper than [`MAX_NESTING`], so recursive walks over datums are bounded;
//! - `(a . (b c))` is read as `(a b c)`: a dotted tail is never itself a list;
//! - an exact integer that fits in an `i64` is always [`crate::datum::DatumKind::Int`].
//!
//! R7RS lexical syntax left out, each rejected with its own message: exact rationals (`1/2`)
//! and complex numbers (`1+2i`), which pscheme's numeric tower does not have (so `#e1.5` is an
//! error too); datum labels (`#0=`, `#0#`); and brackets and braces, which R7RS reserves.
//! `#!fold-case` holds until `#!no-fold-case` or the end of one `read` or `read_one` call.

mod build;
mod errors;
mod lexer;
mod number;
mod tokens;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_qualifications)]
    grammar,
    "/reader/grammar.rs"
);

pub use number::parse_number;
pub use tokens::MAX_NESTING;

pub(crate) use lexer::CHAR_NAMES;
pub(crate) use tokens::is_bare_symbol;

use crate::datum::Datum;
use crate::diagnostic::Diagnostic;
use crate::span::FileId;
use tokens::Tokens;

/// Reads every datum of `text`, the contents of `file`.
///
/// A leading byte order mark and a `#!` line that is not a directive (`#!/usr/bin/env
/// pscheme`) are skipped.
pub fn read(text: &str, file: FileId) -> Result<Vec<Datum>, Diagnostic> {
    let mut tokens = Tokens::new(text, file, script_header_len(text), false)?;
    grammar::DatumsParser::new()
        .parse(file, &mut tokens)
        .map_err(|error| errors::from_parse_error(error, &tokens))
}

/// Reads the first datum of `text[offset..]`, returning it with the byte offset just past it,
/// or `None` when only whitespace and comments are left. Spans are positions in the whole
/// `text`. This is `read` on a string port.
pub fn read_one(
    text: &str,
    file: FileId,
    offset: usize,
) -> Result<Option<(Datum, usize)>, Diagnostic> {
    let mut tokens = Tokens::new(text, file, offset, true)?;
    let mut datums = grammar::DatumsParser::new()
        .parse(file, &mut tokens)
        .map_err(|error| errors::from_parse_error(error, &tokens))?;
    // The stream ends right after the first top-level datum, so there is at most one.
    debug_assert!(datums.len() <= 1);
    Ok(datums.pop().map(|datum| (datum, tokens.end_offset())))
}

/// True when `text` needs no more input to be read: every list is closed and no string,
/// `|symbol|`, block comment, quote prefix or datum comment is left open. Text with an error
/// that more input cannot fix (such as a stray `)`) is complete, so that the REPL reports it.
pub fn input_is_complete(text: &str) -> bool {
    let Ok(mut tokens) = Tokens::new(text, FileId::default(), script_header_len(text), false)
    else {
        return true;
    };
    for token in &mut tokens {
        if token.is_err() {
            return !tokens.stopped_at_open_token();
        }
    }
    !tokens.is_inside_datum()
}

/// Length of what precedes the program in a file: a UTF-8 byte order mark, which some editors
/// write, then a `#!` interpreter line, so that scripts can be executable. A byte order mark
/// still counts as the first column of line 1.
fn script_header_len(text: &str) -> usize {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let rest = &text[bom..];
    if rest.starts_with("#!/") || rest.starts_with("#! ") {
        bom + rest.find('\n').map_or(rest.len(), |n| n + 1)
    } else {
        bom
    }
}
