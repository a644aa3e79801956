//! Syntax objects: datums whose identifiers know where they came from.
//!
//! An identifier is either a plain symbol from the source or an *alias* made when a macro template
//! is instantiated: `Alias { base, env }` stands for `base` as seen from `env`, the environment in
//! which the macro was defined. Aliases are fresh per expansion step, so a binding made by a
//! template can only capture references made by the same step (hygiene, first direction), and an
//! alias that no binding in the use-site chain captures is resolved as `base` in `env` (hygiene,
//! second direction). See `env.rs` for the resolution walk.
//!
//! Nodes are reference counted so that substituting a pattern variable is O(1), and every node
//! records its height so that macro output cannot grow deep enough to overflow the stack of the
//! recursive passes that follow.

use std::rc::Rc;

use crate::datum::{Datum, DatumKind};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

use super::env::EnvId;
use super::hash::FxHashMap;
use super::limits::MAX_SYNTAX_HEIGHT;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct IdentId(pub(crate) u32);

pub(crate) type Stx = Rc<Syntax>;

#[derive(Debug)]
pub(crate) struct Syntax {
    pub(crate) kind: SyntaxKind,
    pub(crate) span: Span,
    /// 1 for atoms, 1 + the tallest child otherwise.
    pub(crate) height: u32,
}

#[derive(Debug)]
pub(crate) enum SyntaxKind {
    Ident(IdentId),
    /// Same shape rule as [`DatumKind::List`]: the tail is never itself a list.
    List(Vec<Stx>, Option<Stx>),
    Vector(Vec<Stx>),
    /// Any atom other than a symbol.
    Const(DatumKind),
}

impl Syntax {
    pub(crate) fn ident(id: IdentId, span: Span) -> Stx {
        Rc::new(Syntax {
            kind: SyntaxKind::Ident(id),
            span,
            height: 1,
        })
    }

    pub(crate) fn constant(kind: DatumKind, span: Span) -> Stx {
        Rc::new(Syntax {
            kind: SyntaxKind::Const(kind),
            span,
            height: 1,
        })
    }

    /// A list node; a list-valued tail is spliced in so the shape rule holds.
    pub(crate) fn list(mut items: Vec<Stx>, tail: Option<Stx>, span: Span) -> Stx {
        let tail = match tail {
            Some(t) => match &t.kind {
                SyntaxKind::List(more, more_tail) => {
                    items.extend(more.iter().cloned());
                    more_tail.clone()
                }
                _ => Some(t),
            },
            None => None,
        };
        let height = 1 + items
            .iter()
            .chain(tail.iter())
            .map(|s| s.height)
            .max()
            .unwrap_or(0);
        Rc::new(Syntax {
            kind: SyntaxKind::List(items, tail),
            span,
            height,
        })
    }

    pub(crate) fn vector(items: Vec<Stx>, span: Span) -> Stx {
        let height = 1 + items.iter().map(|s| s.height).max().unwrap_or(0);
        Rc::new(Syntax {
            kind: SyntaxKind::Vector(items),
            span,
            height,
        })
    }

    pub(crate) fn as_ident(&self) -> Option<IdentId> {
        match self.kind {
            SyntaxKind::Ident(id) => Some(id),
            _ => None,
        }
    }

    /// The elements of a proper list.
    pub(crate) fn as_list(&self) -> Option<&[Stx]> {
        match &self.kind {
            SyntaxKind::List(items, None) => Some(items),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum IdentInfo {
    Symbol(Rc<str>),
    Alias { base: IdentId, env: EnvId },
}

/// The identifier table of one expansion: interned symbols and the aliases made so far.
#[derive(Default)]
pub(crate) struct Idents {
    infos: Vec<IdentInfo>,
    symbols: FxHashMap<Rc<str>, IdentId>,
    /// Datum nodes converted so far (the size of the unit, for the work budget).
    pub(crate) nodes_read: u64,
}

impl Idents {
    pub(crate) fn intern(&mut self, name: &str) -> IdentId {
        if let Some(&id) = self.symbols.get(name) {
            return id;
        }
        let name: Rc<str> = Rc::from(name);
        let id = self.push(IdentInfo::Symbol(name.clone()));
        self.symbols.insert(name, id);
        id
    }

    pub(crate) fn alias(&mut self, base: IdentId, env: EnvId) -> IdentId {
        self.push(IdentInfo::Alias { base, env })
    }

    fn push(&mut self, info: IdentInfo) -> IdentId {
        let id = IdentId(u32::try_from(self.infos.len()).expect("fewer than 2^32 identifiers"));
        self.infos.push(info);
        id
    }

    pub(crate) fn info(&self, id: IdentId) -> &IdentInfo {
        &self.infos[id.0 as usize]
    }

    /// The symbol an identifier was written as, looking through aliases.
    pub(crate) fn name(&self, mut id: IdentId) -> &Rc<str> {
        loop {
            match &self.infos[id.0 as usize] {
                IdentInfo::Symbol(name) => return name,
                IdentInfo::Alias { base, .. } => id = *base,
            }
        }
    }

    /// Converts a datum, taking its contents (strings and numbers are moved, not copied).
    pub(crate) fn syntax_of(&mut self, datum: Datum) -> Result<Stx, Diagnostic> {
        self.syntax_of_at(datum, 0)
    }

    fn syntax_of_at(&mut self, datum: Datum, depth: u32) -> Result<Stx, Diagnostic> {
        if depth >= MAX_SYNTAX_HEIGHT {
            return Err(too_deep(datum.span));
        }
        self.nodes_read += 1;
        let span = datum.span;
        Ok(match datum.kind {
            DatumKind::Symbol(name) => Syntax::ident(self.intern(&name), span),
            DatumKind::List(items, tail) => {
                let items = items
                    .into_iter()
                    .map(|d| self.syntax_of_at(d, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                let tail = match tail {
                    Some(t) => Some(self.syntax_of_at(*t, depth + 1)?),
                    None => None,
                };
                Syntax::list(items, tail, span)
            }
            DatumKind::Vector(items) => {
                let items = items
                    .into_iter()
                    .map(|d| self.syntax_of_at(d, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Syntax::vector(items, span)
            }
            atom => Syntax::constant(atom, span),
        })
    }

    /// The datum a piece of syntax stands for, with aliases stripped back to their symbols (what
    /// `quote` yields). `budget` counts nodes and bounds the work on shared (DAG) macro output.
    pub(crate) fn to_datum(&self, stx: &Stx, budget: &mut u64) -> Result<Datum, Diagnostic> {
        if *budget == 0 {
            return Err(Diagnostic::error(
                stx.span,
                "quoted datum is too large after macro expansion",
            )
            .with_help("a macro probably duplicates its input at every step"));
        }
        *budget -= 1;
        let kind = match &stx.kind {
            SyntaxKind::Ident(id) => DatumKind::Symbol(self.name(*id).to_string()),
            SyntaxKind::Const(k) => k.clone(),
            SyntaxKind::List(items, tail) => {
                let items = items
                    .iter()
                    .map(|s| self.to_datum(s, budget))
                    .collect::<Result<Vec<_>, _>>()?;
                let tail = match tail {
                    Some(t) => Some(Box::new(self.to_datum(t, budget)?)),
                    None => None,
                };
                DatumKind::List(items, tail)
            }
            SyntaxKind::Vector(items) => DatumKind::Vector(
                items
                    .iter()
                    .map(|s| self.to_datum(s, budget))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(Datum::new(kind, stx.span))
    }
}

pub(crate) fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(span, "form is nested too deeply").with_help(format!(
        "pscheme accepts at most {MAX_SYNTAX_HEIGHT} levels of nesting"
    ))
}
