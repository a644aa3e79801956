//! The top-level syntactic environment kept between compilation units, as plain serde data.
//!
//! A REPL (or the persistent VM) keeps one [`ExpandEnv`]: each unit sees the macros defined by
//! the units before it. A macro is stored as its syntax-rules source (patterns and templates),
//! with each alias written as the symbol it stands for plus a chain of marks, numbered per macro,
//! so that distinct aliases of one symbol stay distinct when the macro is loaded again. Stored
//! macros are checked again when loaded, so a damaged one is reported, never trusted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::datum::Datum;
use crate::diagnostic::Diagnostic;
use crate::span::Span;

use super::env::{MacroId, TOP};
use super::expander::{Expander, TopEntry};
use super::limits::MAX_SYNTAX_HEIGHT;
use super::syntax::{IdentId, IdentInfo, Stx, Syntax, SyntaxKind};

/// The top level as later compilation units see it: macros defined so far, and every global
/// variable that a unit defined or assigned.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExpandEnv {
    pub(crate) syntax: BTreeMap<String, TopSyntax>,
    user_globals: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) enum TopSyntax {
    Macro(StoredMacro),
    /// A variable that shadows a built-in syntactic keyword of the same name.
    Variable,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredMacro {
    ellipsis: String,
    literals: Vec<StoredSyntax>,
    rules: Vec<(StoredSyntax, StoredSyntax)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
enum StoredSyntax {
    /// `marks` is empty for a plain symbol; an alias of an alias has two marks, innermost first.
    Ident {
        name: String,
        marks: Vec<u32>,
    },
    List(Vec<StoredSyntax>, Option<Box<StoredSyntax>>),
    Vector(Vec<StoredSyntax>),
    Const(Datum),
}

impl ExpandEnv {
    /// An empty top level: only the built-in syntax.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether some unit has defined or assigned the global `name` (so a built-in procedure of
    /// that name can no longer be assumed, e.g. for inlining `car`).
    pub fn is_user_global(&self, name: &str) -> bool {
        self.user_globals.contains(name)
    }

    /// Every global defined or assigned by some unit, in name order.
    pub fn user_globals(&self) -> impl Iterator<Item = &str> {
        self.user_globals.iter().map(String::as_str)
    }

    /// Names of the top-level macros, in name order.
    pub fn macro_names(&self) -> impl Iterator<Item = &str> {
        self.syntax
            .iter()
            .filter(|(_, s)| matches!(s, TopSyntax::Macro(_)))
            .map(|(n, _)| n.as_str())
    }

    pub(crate) fn commit(
        &mut self,
        changes: Vec<(Rc<str>, Option<StoredMacro>)>,
        defined: &BTreeSet<String>,
    ) {
        for (name, change) in changes {
            match change {
                Some(m) => {
                    self.syntax.insert(name.to_string(), TopSyntax::Macro(m));
                }
                None if super::special::Special::from_name(&name).is_some() => {
                    self.syntax.insert(name.to_string(), TopSyntax::Variable);
                }
                None => {
                    self.syntax.remove(&*name);
                }
            }
        }
        self.user_globals.extend(defined.iter().cloned());
    }
}

impl Expander<'_> {
    /// This unit's top-level changes in storable form.
    pub(crate) fn stored_changes(&self) -> Vec<(Rc<str>, Option<StoredMacro>)> {
        let mut changes: Vec<_> = self
            .top_changes
            .iter()
            .map(|(name, entry)| {
                let stored = match entry {
                    TopEntry::Macro(id) => Some(self.store_macro(*id)),
                    TopEntry::Variable => None,
                };
                (name.clone(), stored)
            })
            .collect();
        changes.sort_by(|a, b| a.0.cmp(&b.0));
        changes
    }

    fn store_macro(&self, id: MacroId) -> StoredMacro {
        let m = &self.macros[id.0 as usize];
        let mut marks = HashMap::new();
        StoredMacro {
            ellipsis: m.ellipsis.to_string(),
            literals: m
                .literals
                .iter()
                .map(|&l| self.store_ident(l, &mut marks))
                .collect(),
            rules: m
                .rules
                .iter()
                .map(|r| {
                    (
                        self.store_syntax(&r.pattern, &mut marks),
                        self.store_syntax(&r.template, &mut marks),
                    )
                })
                .collect(),
        }
    }

    fn store_ident(&self, mut id: IdentId, marks: &mut HashMap<IdentId, u32>) -> StoredSyntax {
        let mut chain = Vec::new();
        loop {
            match self.idents.info(id) {
                IdentInfo::Symbol(name) => {
                    chain.reverse();
                    return StoredSyntax::Ident {
                        name: name.to_string(),
                        marks: chain,
                    };
                }
                IdentInfo::Alias { base, .. } => {
                    let next = u32::try_from(marks.len()).unwrap_or(u32::MAX);
                    chain.push(*marks.entry(id).or_insert(next));
                    id = *base;
                }
            }
        }
    }

    fn store_syntax(&self, stx: &Stx, marks: &mut HashMap<IdentId, u32>) -> StoredSyntax {
        match &stx.kind {
            SyntaxKind::Ident(id) => self.store_ident(*id, marks),
            SyntaxKind::List(items, tail) => StoredSyntax::List(
                items.iter().map(|s| self.store_syntax(s, marks)).collect(),
                tail.as_ref().map(|t| Box::new(self.store_syntax(t, marks))),
            ),
            SyntaxKind::Vector(items) => {
                StoredSyntax::Vector(items.iter().map(|s| self.store_syntax(s, marks)).collect())
            }
            SyntaxKind::Const(kind) => StoredSyntax::Const(Datum::new(kind.clone(), stx.span)),
        }
    }

    /// Rebuilds a stored macro in this unit (its environment is the top level). `None` after
    /// reporting an error if the stored form does not check.
    pub(crate) fn load_macro(&mut self, name: Rc<str>, stored: &StoredMacro) -> Option<MacroId> {
        let mut aliases = HashMap::new();
        let mut load = |this: &mut Self, s: &StoredSyntax| this.load_syntax(s, &mut aliases, 0);
        let literals: Option<Vec<IdentId>> = stored
            .literals
            .iter()
            .map(|l| load(self, l).and_then(|s| s.as_ident()))
            .collect();
        let rules: Option<Vec<(Stx, Stx)>> = stored
            .rules
            .iter()
            .map(|(p, t)| Some((load(self, p)?, load(self, t)?)))
            .collect();
        let errors_before = self.errors.len();
        let compiled = match (literals, rules) {
            (Some(literals), Some(rules)) => self.compile_macro(
                name.clone(),
                TOP,
                Rc::from(stored.ellipsis.as_str()),
                literals,
                rules,
            ),
            _ => None,
        };
        match compiled {
            Some(m) => {
                let id = MacroId(u32::try_from(self.macros.len()).expect("fewer than 2^32 macros"));
                self.macros.push(Rc::new(m));
                Some(id)
            }
            None => {
                self.errors.truncate(errors_before);
                self.report(
                    Diagnostic::error(
                        Span::SYNTHETIC,
                        format!("the stored definition of macro `{name}` is invalid"),
                    )
                    .with_help("redefine the macro with define-syntax"),
                );
                None
            }
        }
    }

    fn load_syntax(
        &mut self,
        s: &StoredSyntax,
        aliases: &mut HashMap<(IdentId, u32), IdentId>,
        depth: u32,
    ) -> Option<Stx> {
        if depth >= MAX_SYNTAX_HEIGHT {
            return None;
        }
        let span = Span::SYNTHETIC;
        Some(match s {
            StoredSyntax::Ident { name, marks } => {
                let mut id = self.idents.intern(name);
                for &mark in marks {
                    id = match aliases.get(&(id, mark)) {
                        Some(alias) => *alias,
                        None => {
                            let alias = self.idents.alias(id, TOP);
                            aliases.insert((id, mark), alias);
                            alias
                        }
                    };
                }
                Syntax::ident(id, span)
            }
            StoredSyntax::List(items, tail) => {
                let items = items
                    .iter()
                    .map(|i| self.load_syntax(i, aliases, depth + 1))
                    .collect::<Option<Vec<_>>>()?;
                let tail = match tail {
                    Some(t) => Some(self.load_syntax(t, aliases, depth + 1)?),
                    None => None,
                };
                Syntax::list(items, tail, span)
            }
            StoredSyntax::Vector(items) => Syntax::vector(
                items
                    .iter()
                    .map(|i| self.load_syntax(i, aliases, depth + 1))
                    .collect::<Option<Vec<_>>>()?,
                span,
            ),
            StoredSyntax::Const(datum) => match &datum.kind {
                crate::datum::DatumKind::List(..)
                | crate::datum::DatumKind::Vector(_)
                | crate::datum::DatumKind::Symbol(_) => return None,
                kind => Syntax::constant(kind.clone(), datum.span),
            },
        })
    }
}
