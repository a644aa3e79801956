//! `import` of the standard libraries (all built in) and `cond-expand`.

use crate::datum::DatumKind;

use super::env::EnvId;
use super::expander::Expander;
use super::special::Special;
use super::syntax::{Stx, SyntaxKind};

/// The R7RS-small libraries, plus SRFI 69 (hash tables). Their bindings are always present.
pub(crate) const LIBRARIES: &[&str] = &[
    "scheme base",
    "scheme case-lambda",
    "scheme char",
    "scheme complex",
    "scheme cxr",
    "scheme eval",
    "scheme file",
    "scheme inexact",
    "scheme lazy",
    "scheme load",
    "scheme process-context",
    "scheme read",
    "scheme repl",
    "scheme time",
    "scheme write",
    "scheme r5rs",
    "srfi 69",
];

/// Feature identifiers for `cond-expand`.
pub(crate) const FEATURES: &[&str] = &["r7rs", "full-unicode", "pscheme"];

impl Expander<'_> {
    /// A library name such as `(scheme base)` as the string "scheme base".
    fn library_name(&self, stx: &Stx) -> Option<String> {
        let parts = stx.as_list().filter(|p| !p.is_empty())?;
        let words = parts
            .iter()
            .map(|p| match &p.kind {
                SyntaxKind::Ident(id) => Some(self.idents.name(*id).to_string()),
                SyntaxKind::Const(DatumKind::Int(n)) if *n >= 0 => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(words.join(" "))
    }

    pub(crate) fn check_import(&mut self, items: &[Stx]) {
        for set in &items[1..] {
            self.check_import_set(set);
        }
    }

    fn check_import_set(&mut self, set: &Stx) {
        let modifier = set.as_list().and_then(|parts| match parts {
            [head, inner, ..] if inner.as_list().is_some() => {
                let word = self.idents.name(head.as_ident()?).to_string();
                ["only", "except", "prefix", "rename"]
                    .contains(&word.as_str())
                    .then_some((word, inner.clone()))
            }
            _ => None,
        });
        match modifier {
            // `only` and `except` narrow what is visible; every standard binding stays available
            // in pscheme, so checking the library is all there is to do.
            Some((word, inner)) if word == "only" || word == "except" => {
                self.check_import_set(&inner)
            }
            Some((word, _)) => {
                self.error(
                    set.span,
                    format!("`{word}` import sets are not supported"),
                    "pscheme has one global namespace holding every standard binding; see docs/language.md",
                );
            }
            None => match self.library_name(set) {
                Some(name) if LIBRARIES.contains(&name.as_str()) => {}
                Some(name) => {
                    let known: Vec<String> = LIBRARIES.iter().map(|l| format!("({l})")).collect();
                    self.error(
                        set.span,
                        format!("unknown library ({name})"),
                        format!(
                            "pscheme provides the standard libraries: {}",
                            known.join(" ")
                        ),
                    );
                }
                None => {
                    self.error(
                        set.span,
                        "malformed import set",
                        "expected a library name such as (scheme base)",
                    );
                }
            },
        }
    }

    /// The forms of the first `cond-expand` clause whose requirement holds (none if none does).
    pub(crate) fn cond_expand(&mut self, items: &[Stx], env: EnvId) -> Vec<Stx> {
        for clause in items.iter().skip(1) {
            let Some(parts) = clause.as_list().filter(|p| !p.is_empty()) else {
                self.error(
                    clause.span,
                    "malformed `cond-expand` clause",
                    "each clause is (feature-requirement form ...)",
                );
                return Vec::new();
            };
            let holds = if self.is_special(&parts[0], env, Special::Else) {
                true
            } else {
                match self.requirement(&parts[0]) {
                    Some(holds) => holds,
                    None => return Vec::new(),
                }
            };
            if holds {
                return parts[1..].to_vec();
            }
        }
        Vec::new()
    }

    fn requirement(&mut self, req: &Stx) -> Option<bool> {
        if let Some(id) = req.as_ident() {
            return Some(FEATURES.contains(&&**self.idents.name(id)));
        }
        let parts = req.as_list().filter(|p| !p.is_empty())?;
        let op = parts[0]
            .as_ident()
            .map(|id| self.idents.name(id).to_string());
        let args = &parts[1..];
        match op.as_deref() {
            Some("library") if args.len() == 1 => Some(
                self.library_name(&args[0])
                    .is_some_and(|n| LIBRARIES.contains(&n.as_str())),
            ),
            Some("and") => {
                let mut all = true;
                for a in args {
                    all &= self.requirement(a)?;
                }
                Some(all)
            }
            Some("or") => {
                let mut any = false;
                for a in args {
                    any |= self.requirement(a)?;
                }
                Some(any)
            }
            Some("not") if args.len() == 1 => Some(!self.requirement(&args[0])?),
            _ => {
                self.error(
                    req.span,
                    "malformed feature requirement",
                    "expected a feature name, (library name), (and ...), (or ...) or (not ...)",
                );
                None
            }
        }
    }
}
