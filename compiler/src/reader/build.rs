//! Datum constructors used by the grammar's actions, kept out of the `.lalrpop` file so they are
//! ordinary, checked Rust.

use crate::datum::{Datum, DatumKind};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

/// `(a b . c)`. A tail that is itself a list is spliced in, so that `(a . (b c))` and `(a b c)`
/// are the same datum, as the datum contract requires.
pub(crate) fn dotted(
    mut items: Vec<Datum>,
    tail: Datum,
    span: Span,
    dot: Span,
) -> Result<Datum, Diagnostic> {
    if items.is_empty() {
        return Err(Diagnostic::error(dot, "unexpected `.`")
            .with_help("a `.` must follow at least one datum, as in `(a . b)`"));
    }
    let kind = match tail.kind {
        DatumKind::List(rest, rest_tail) => {
            items.extend(rest);
            DatumKind::List(items, rest_tail)
        }
        _ => DatumKind::List(items, Some(Box::new(tail))),
    };
    Ok(Datum::new(kind, span))
}

pub(crate) fn bytevector(items: Vec<Datum>, span: Span) -> Result<Datum, Diagnostic> {
    let bytes = items
        .into_iter()
        .map(|item| match item.kind {
            DatumKind::Int(n) => u8::try_from(n).map_err(|_| {
                Diagnostic::error(item.span, format!("bytevector element {n} out of range"))
                    .with_help("expected an exact integer from 0 to 255")
            }),
            _ => Err(
                Diagnostic::error(item.span, "bytevector element is not a byte")
                    .with_help("expected an exact integer from 0 to 255"),
            ),
        })
        .collect::<Result<Vec<u8>, _>>()?;
    Ok(Datum::new(DatumKind::Bytevector(bytes), span))
}

/// `'d` is `(quote d)`; the symbol's span is the prefix's, the list's covers both.
pub(crate) fn abbreviation(name: &str, prefix: Span, datum: Datum) -> Datum {
    let span = Span {
        end: datum.span.end,
        ..prefix
    };
    let head = Datum::new(DatumKind::Symbol(name.to_owned()), prefix);
    Datum::new(DatumKind::List(vec![head, datum], None), span)
}
