//! Turns the parser's errors into diagnostics that say what was expected, using what the token
//! stream knows about the text around the failure.

use lalrpop_util::ParseError;

use super::tokens::{Opener, Pos, Tok, Tokens, span_between};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

pub(crate) fn from_parse_error(
    error: ParseError<Pos, Tok, Diagnostic>,
    tokens: &Tokens<'_>,
) -> Diagnostic {
    let file = tokens.file();
    match error {
        ParseError::User { error } => error,
        ParseError::UnrecognizedEof { location, .. } => {
            let eof = span_between(file, location, location);
            if let Some(missing) = missing_datum(tokens.last()) {
                return missing;
            }
            match tokens.innermost_open() {
                Some((span, opener)) => Diagnostic::error(span, "unbalanced parenthesis")
                    .with_help(format!(
                        "expected `)` to close the {} opened here",
                        match opener {
                            Opener::List => "list",
                            Opener::Vector => "vector",
                            Opener::Bytevector => "bytevector",
                        }
                    )),
                None => Diagnostic::error(eof, "unexpected end of input"),
            }
        }
        ParseError::UnrecognizedToken {
            token: (start, token, end),
            expected,
        } => {
            let span = span_between(file, start, end);
            unexpected(span, &token, &expected, tokens.before_last())
        }
        ParseError::ExtraToken {
            token: (start, token, end),
        } => Diagnostic::error(
            span_between(file, start, end),
            format!("unexpected {}", token.describe()),
        ),
        ParseError::InvalidToken { location } => {
            Diagnostic::error(span_between(file, location, location), "invalid token")
        }
    }
}

/// The error when the token before the failure needed a datum after it (`'`, `#;`, `.`).
fn missing_datum(last: Option<&(Tok, Span)>) -> Option<Diagnostic> {
    let (tok, span) = last?;
    let what = match tok {
        t if t.is_prefix() => "a datum to quote",
        Tok::DatumComment => "the datum it comments out",
        Tok::Dot => "the last datum of the list",
        _ => return None,
    };
    Some(
        Diagnostic::error(*span, format!("expected a datum after {}", tok.describe()))
            .with_help(format!("{} needs {what}", tok.describe())),
    )
}

fn unexpected(
    span: Span,
    token: &Tok,
    expected: &[String],
    last: Option<&(Tok, Span)>,
) -> Diagnostic {
    if matches!(token, Tok::Close)
        && let Some(missing) = missing_datum(last)
    {
        return Diagnostic { span, ..missing };
    }
    if matches!(token, Tok::Dot) {
        return Diagnostic::error(span, "unexpected `.`")
            .with_help("a `.` may only appear in a list, after at least one datum and before exactly one more, as in `(a . b)`");
    }
    // After `(a . b` only `)` (or a datum comment) may come.
    if expected.iter().any(|e| e == "\")\"") && !expected.iter().any(|e| e == "Atom") {
        return Diagnostic::error(
            span,
            format!(
                "unexpected {} after the datum following `.`",
                token.describe()
            ),
        )
        .with_help("expected `)`: a dotted list has exactly one datum after the `.`");
    }
    Diagnostic::error(span, format!("unexpected {}", token.describe()))
}
