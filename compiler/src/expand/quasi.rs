//! `quasiquote` with nesting levels, vectors and `unquote-splicing`. Parts without an unquote at
//! the current level stay quoted constants; the rest is built with `%cons`, `%list`, `%append`
//! and `%list->vector` (docs/runtime-interface.md).

use crate::core::{Expr, ExprKind};
use crate::datum::DatumKind;
use crate::span::Span;

use super::env::EnvId;
use super::expander::{Expander, call_global, constant, unspecified};
use super::special::Special;
use super::syntax::{Stx, Syntax, SyntaxKind};

/// The value of a quasiquoted part: still a literal (quote it), or code that builds it.
enum Part {
    Literal,
    Built(Expr),
}

impl Expander<'_> {
    pub(crate) fn expand_quasiquote(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if items.len() != 2 {
            return self.arity_error(Special::Quasiquote, items, span);
        }
        match self.quasi(&items[1], 1, env) {
            Part::Literal => self.quote(&items[1]),
            Part::Built(expr) => expr,
        }
    }

    fn built(&mut self, part: Part, stx: &Stx) -> Expr {
        match part {
            Part::Literal => self.quote(stx),
            Part::Built(expr) => expr,
        }
    }

    /// The keyword (`unquote`, `unquote-splicing`, `quasiquote`) of a two-element form.
    fn quasi_keyword(&mut self, first: &Stx, env: EnvId) -> Option<Special> {
        [
            Special::Unquote,
            Special::UnquoteSplicing,
            Special::Quasiquote,
        ]
        .into_iter()
        .find(|&s| self.is_special(first, env, s))
    }

    fn quasi(&mut self, stx: &Stx, depth: u32, env: EnvId) -> Part {
        if !self.enter(stx.span) {
            return Part::Built(unspecified(stx.span));
        }
        let part = match &stx.kind {
            SyntaxKind::List(items, tail) => {
                self.quasi_list(stx.span, items, tail.as_ref(), depth, env, false)
            }
            SyntaxKind::Vector(items) => {
                match self.quasi_list(stx.span, items, None, depth, env, true) {
                    Part::Literal => Part::Literal,
                    Part::Built(expr) => {
                        Part::Built(call_global("%list->vector", vec![expr], stx.span))
                    }
                }
            }
            SyntaxKind::Ident(_) | SyntaxKind::Const(_) => Part::Literal,
        };
        self.leave();
        part
    }

    /// `(keyword x)` at some level: unquote at level 1 evaluates `x`; otherwise the form is
    /// rebuilt with the level adjusted.
    fn quasi_form(
        &mut self,
        keyword: Special,
        arg: &Stx,
        depth: u32,
        env: EnvId,
        span: Span,
    ) -> Part {
        match keyword {
            Special::Unquote if depth == 1 => Part::Built(self.expand_expr(arg, env)),
            Special::UnquoteSplicing if depth == 1 => Part::Built(self.error(
                span,
                "`unquote-splicing` (,@) outside a list",
                "`,@expr` may appear only as an element of a quasiquoted list or vector",
            )),
            _ => {
                let inner = if keyword == Special::Quasiquote {
                    depth + 1
                } else {
                    depth - 1
                };
                match self.quasi(arg, inner, env) {
                    Part::Literal => Part::Literal,
                    Part::Built(expr) => {
                        let name = constant(DatumKind::Symbol(keyword.name().to_string()), span);
                        Part::Built(call_global("%list", vec![name, expr], span))
                    }
                }
            }
        }
    }

    /// The elements of a list (or, if `vector`, of a vector, where `#(unquote x)` is just a
    /// vector of two elements).
    fn quasi_list(
        &mut self,
        span: Span,
        items: &[Stx],
        tail: Option<&Stx>,
        depth: u32,
        env: EnvId,
        vector: bool,
    ) -> Part {
        if let ([first, arg], None, false) = (items, tail, vector)
            && let Some(keyword) = self.quasi_keyword(first, env)
        {
            return self.quasi_form(keyword, arg, depth, env, span);
        }
        // `(a . ,b)` reads as (a unquote b): a keyword as the second-to-last element is a form in
        // tail position.
        let (elements, tail_form): (&[Stx], Option<Stx>) = match (items.len(), tail) {
            (n, None) if !vector && n >= 3 && self.quasi_keyword(&items[n - 2], env).is_some() => (
                &items[..n - 2],
                Some(Syntax::list(items[n - 2..].to_vec(), None, span)),
            ),
            _ => (items, tail.cloned()),
        };
        // Walk from the end; `acc` is the value of `elements[i + 1..] . tail`.
        let mut acc = match &tail_form {
            Some(t) => self.quasi(t, depth, env),
            None => Part::Literal,
        };
        for (i, item) in elements.iter().enumerate().rev() {
            if let Some([first, arg]) = item.as_list()
                && depth == 1
                && self.is_special(first, env, Special::UnquoteSplicing)
            {
                let spliced = self.expand_expr(arg, env);
                let rest = self.materialize(acc, &elements[i + 1..], tail_form.as_ref(), span);
                let args = if is_null(&rest) {
                    vec![spliced]
                } else {
                    vec![spliced, rest]
                };
                acc = Part::Built(call_global("%append", args, span));
                continue;
            }
            let part = self.quasi(item, depth, env);
            if matches!((&part, &acc), (Part::Literal, Part::Literal)) {
                continue;
            }
            let head = self.built(part, item);
            let rest = self.materialize(acc, &elements[i + 1..], tail_form.as_ref(), span);
            acc = Part::Built(cons(head, rest, span));
        }
        acc
    }

    /// Code for the value of `elements . tail`, of which `acc` is the quasiquoted part.
    fn materialize(&mut self, acc: Part, elements: &[Stx], tail: Option<&Stx>, span: Span) -> Expr {
        match acc {
            Part::Built(expr) => expr,
            Part::Literal => {
                let rest = Syntax::list(elements.to_vec(), tail.cloned(), span);
                self.quote(&rest)
            }
        }
    }
}

fn is_null(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Const(d) if d.is_null())
}

/// `(%cons head rest)`, folded into `(%list head ...)` when `rest` is a `%list` call or `'()`.
fn cons(head: Expr, rest: Expr, span: Span) -> Expr {
    if is_null(&rest) {
        return call_global("%list", vec![head], span);
    }
    if let ExprKind::Call(f, args) = &rest.kind
        && matches!(&f.kind, ExprKind::Global(name) if name == "%list")
    {
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(head);
        all.extend(args.iter().cloned());
        return call_global("%list", all, span);
    }
    call_global("%cons", vec![head, rest], span)
}
