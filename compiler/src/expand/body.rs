//! Bodies (internal definitions to `letrec*`), `lambda`, `define`, and the top level.

use std::rc::Rc;

use crate::core::{Expr, ExprKind, Lambda, VarId};
use crate::span::Span;

use super::env::{EnvId, TOP};
use super::expander::{Expander, TopEntry, global, local, named, seq, unspecified};
use super::special::Special;
use super::syntax::{IdentId, Stx, Syntax, SyntaxKind};

/// The right-hand side of a `define`, kept unexpanded until every definition of the body is bound.
pub(crate) enum DefInit {
    Expr(Option<Stx>),
    /// `(define (f . formals) body ...)`; several formals for the curried form, outermost first.
    Lambda {
        formals: Vec<Stx>,
        body: Vec<Stx>,
    },
}

/// A definition found while scanning a body.
enum BodyItem {
    Define {
        var: VarId,
        name: Rc<str>,
        init: DefInit,
        span: Span,
    },
    Values {
        vars: Vec<VarId>,
        rest: Option<VarId>,
        expr: Stx,
        span: Span,
    },
    Generated {
        var: VarId,
        init: Expr,
    },
    Expr(Stx),
}

impl Expander<'_> {
    /// Binds a formals list (`(a b)`, `(a . rest)` or `args`) in `frame`.
    pub(crate) fn bind_formals(
        &mut self,
        formals: &Stx,
        frame: EnvId,
    ) -> (Vec<VarId>, Option<VarId>) {
        let mut params = Vec::new();
        let (items, tail): (&[Stx], Option<&Stx>) = match &formals.kind {
            SyntaxKind::Ident(_) => (&[], Some(formals)),
            SyntaxKind::List(items, tail) => (items, tail.as_ref()),
            _ => {
                self.error(
                    formals.span,
                    "malformed parameter list",
                    "expected (param ...), (param ... . rest) or a single identifier",
                );
                return (params, None);
            }
        };
        for item in items {
            match item.as_ident() {
                Some(id) => params.push(self.bind_var(frame, id, item.span, "parameter")),
                None => {
                    self.error(
                        item.span,
                        "parameter is not an identifier",
                        "parameters must be names",
                    );
                }
            }
        }
        let rest = tail.and_then(|t| match t.as_ident() {
            Some(id) => Some(self.bind_var(frame, id, t.span, "parameter")),
            None => {
                self.error(
                    t.span,
                    "rest parameter is not an identifier",
                    "use (param ... . rest)",
                );
                None
            }
        });
        (params, rest)
    }

    /// `(lambda formals body ...)`, or nested lambdas for a curried define (`formals` outermost
    /// first).
    pub(crate) fn expand_lambda(
        &mut self,
        formals: &[Stx],
        body: &[Stx],
        env: EnvId,
        name: Option<&str>,
        span: Span,
    ) -> Expr {
        let frame = self.frames.push(env);
        let (params, rest) = self.bind_formals(&formals[0], frame);
        let body = if formals.len() > 1 {
            self.expand_lambda(&formals[1..], body, frame, None, span)
        } else {
            self.expand_body(body, frame, span)
        };
        let lam = Lambda {
            name: name.map(str::to_string),
            params,
            rest,
            body,
            span,
        };
        Expr::new(ExprKind::Lambda(Rc::new(lam)), span)
    }

    /// Parses `(define name expr)`, `(define name)` and `(define (name . formals) body ...)`.
    pub(crate) fn parse_define(&mut self, form: &Stx) -> Option<(IdentId, Span, DefInit)> {
        let items = form.as_list()?;
        let Some(target) = items.get(1) else {
            self.arity_error(Special::Define, items, form.span);
            return None;
        };
        if let Some(id) = target.as_ident() {
            if items.len() > 3 {
                self.error(
                    items[3].span,
                    "`define` of a variable takes one expression",
                    "usage: (define name expression) or (define (name param ...) body ...)",
                );
                return None;
            }
            return Some((id, target.span, DefInit::Expr(items.get(2).cloned())));
        }
        // (define ((f a) b) body) is (define (f a) (lambda (b) body)).
        let mut formals = Vec::new();
        let mut target = target.clone();
        loop {
            let next = match &target.kind {
                SyntaxKind::List(parts, tail) if !parts.is_empty() => {
                    formals.push(Syntax::list(parts[1..].to_vec(), tail.clone(), target.span));
                    parts[0].clone()
                }
                _ => break,
            };
            target = next;
            if formals.len() > 64 {
                break;
            }
        }
        let Some(id) = target.as_ident().filter(|_| !formals.is_empty()) else {
            self.error(
                target.span,
                "`define` needs a name",
                "usage: (define name expression) or (define (name param ...) body ...)",
            );
            return None;
        };
        formals.reverse();
        if items.len() < 3 {
            self.error(
                form.span,
                "procedure definition has an empty body",
                "add at least one expression",
            );
            return None;
        }
        Some((
            id,
            target.span,
            DefInit::Lambda {
                formals,
                body: items[2..].to_vec(),
            },
        ))
    }

    pub(crate) fn expand_def_init(
        &mut self,
        init: &DefInit,
        env: EnvId,
        name: &str,
        span: Span,
    ) -> Expr {
        match init {
            DefInit::Expr(Some(e)) => {
                let expr = self.expand_expr(e, env);
                named(expr, name)
            }
            DefInit::Expr(None) => unspecified(span),
            DefInit::Lambda { formals, body } => {
                self.expand_lambda(formals, body, env, Some(name), span)
            }
        }
    }

    /// A `<body>`: definitions (possibly produced by macros, or spliced from `begin`) then
    /// expressions. Definitions become one `letrec*`; an expression placed between definitions is
    /// kept in order as the init of an unused variable.
    pub(crate) fn expand_body(&mut self, forms: &[Stx], env: EnvId, span: Span) -> Expr {
        if forms.is_empty() {
            return self.error(span, "empty body", "a body needs at least one expression");
        }
        if !self.enter(span) {
            return unspecified(span);
        }
        let frame = self.frames.push(env);
        let mut items = Vec::new();
        let mut pending: Vec<Stx> = forms.iter().rev().cloned().collect();
        while let Some(form) = pending.pop() {
            if self.fatal {
                break;
            }
            let (form, special) = self.expand_head(form, frame);
            let span = form.span;
            match special {
                Some(Special::Begin) => match form.as_list() {
                    Some(parts) => pending.extend(parts[1..].iter().rev().cloned()),
                    None => items.push(BodyItem::Expr(form)),
                },
                Some(Special::CondExpand) => {
                    let parts = form.as_list().map(<[Stx]>::to_vec).unwrap_or_default();
                    let chosen = self.cond_expand(&parts, frame);
                    pending.extend(chosen.into_iter().rev());
                }
                Some(Special::Define) => {
                    if let Some((id, id_span, init)) = self.parse_define(&form) {
                        let name = self.name_of(id);
                        let var = self.bind_var(frame, id, id_span, "definition of");
                        items.push(BodyItem::Define {
                            var,
                            name,
                            init,
                            span,
                        });
                    }
                }
                Some(Special::DefineValues) => {
                    if let Some((formals, expr)) = self.parse_define_values(&form) {
                        let (vars, rest) = self.bind_formals(&formals, frame);
                        items.push(BodyItem::Values {
                            vars,
                            rest,
                            expr,
                            span,
                        });
                    }
                }
                Some(Special::DefineRecordType) => {
                    if let Some(spec) = self.parse_record(&form) {
                        let type_var = self.bind_var(frame, spec.type_name, span, "definition of");
                        let defs = self.record_definitions(&spec, local(type_var, span), span);
                        let mut targets = vec![type_var];
                        for (id, _) in &defs[1..] {
                            targets.push(self.bind_var(frame, *id, span, "definition of"));
                        }
                        for (var, (_, init)) in targets.into_iter().zip(defs) {
                            items.push(BodyItem::Generated { var, init });
                        }
                    }
                }
                Some(Special::DefineSyntax) => self.define_syntax(&form, frame),
                Some(Special::Import) => {
                    self.error(
                        span,
                        "`import` is allowed only at the top level",
                        "move it to the start of the program",
                    );
                }
                _ => items.push(BodyItem::Expr(form)),
            }
        }
        let result = self.finish_body(items, frame, span);
        self.leave();
        result
    }

    fn finish_body(&mut self, items: Vec<BodyItem>, frame: EnvId, span: Span) -> Expr {
        let mut bindings: Vec<(VarId, Expr)> = Vec::new();
        let mut exprs: Vec<Expr> = Vec::new();
        let mut last_definition = None;
        for item in items {
            if !matches!(item, BodyItem::Expr(_)) {
                // Expressions before a definition keep their place in the letrec* order.
                for expr in exprs.drain(..) {
                    let ignored = self.new_var("_");
                    bindings.push((ignored, expr));
                }
            }
            match item {
                BodyItem::Define {
                    var,
                    name,
                    init,
                    span,
                } => {
                    last_definition = Some(span);
                    let init = self.expand_def_init(&init, frame, &name, span);
                    bindings.push((var, init));
                }
                BodyItem::Values {
                    vars,
                    rest,
                    expr,
                    span,
                } => {
                    last_definition = Some(span);
                    let all: Vec<VarId> = vars.iter().copied().chain(rest).collect();
                    for var in &all {
                        bindings.push((*var, unspecified(span)));
                    }
                    let init = self.values_assignment(
                        &vars,
                        rest,
                        &expr,
                        frame,
                        span,
                        |var, value, span| {
                            Expr::new(ExprKind::SetLocal(var, Box::new(value)), span)
                        },
                    );
                    let ignored = self.new_var("_");
                    bindings.push((ignored, init));
                }
                BodyItem::Generated { var, init } => bindings.push((var, init)),
                BodyItem::Expr(stx) => exprs.push(self.expand_expr(&stx, frame)),
            }
        }
        if exprs.is_empty() {
            if self.fatal {
                return unspecified(span);
            }
            return self.error(
                last_definition.unwrap_or(span),
                "body has no expression after its definitions",
                "a body must end with at least one expression",
            );
        }
        let body = seq(exprs, span);
        if bindings.is_empty() {
            body
        } else {
            Expr::new(ExprKind::Letrec(bindings, Box::new(body)), span)
        }
    }

    // ---- top level ----

    pub(crate) fn expand_toplevel(&mut self, forms: Vec<Stx>) -> Vec<Expr> {
        let mut out = Vec::new();
        let mut pending: Vec<Stx> = forms.into_iter().rev().collect();
        while let Some(form) = pending.pop() {
            if self.fatal {
                break;
            }
            let (form, special) = self.expand_head(form, TOP);
            let span = form.span;
            match special {
                Some(Special::Begin) => match form.as_list() {
                    Some(parts) => pending.extend(parts[1..].iter().rev().cloned()),
                    None => out.push(self.expand_expr(&form, TOP)),
                },
                Some(Special::CondExpand) => {
                    let parts = form.as_list().map(<[Stx]>::to_vec).unwrap_or_default();
                    let chosen = self.cond_expand(&parts, TOP);
                    pending.extend(chosen.into_iter().rev());
                }
                Some(Special::Import) => {
                    if let Some(parts) = form.as_list() {
                        self.check_import(parts);
                    }
                }
                Some(Special::Define) => {
                    if let Some((id, _, init)) = self.parse_define(&form) {
                        let name = self.define_top_variable(id);
                        let value = self.expand_def_init(&init, TOP, &name, span);
                        out.push(Expr::new(
                            ExprKind::DefineGlobal(name.to_string(), Box::new(value)),
                            span,
                        ));
                    }
                }
                Some(Special::DefineValues) => {
                    if let Some((formals, expr)) = self.parse_define_values(&form) {
                        out.push(self.top_define_values(&formals, &expr, span));
                    }
                }
                Some(Special::DefineRecordType) => {
                    if let Some(spec) = self.parse_record(&form) {
                        let type_name = self.define_top_variable(spec.type_name);
                        let defs = self.record_definitions(&spec, global(&type_name, span), span);
                        for (id, init) in defs {
                            let name = self.define_top_variable(id);
                            out.push(Expr::new(
                                ExprKind::DefineGlobal(name.to_string(), Box::new(init)),
                                span,
                            ));
                        }
                    }
                }
                Some(Special::DefineSyntax) => self.define_syntax(&form, TOP),
                _ => out.push(self.expand_expr(&form, TOP)),
            }
        }
        out
    }

    /// Makes `ident` a global variable from here on (shadowing any keyword or macro of that
    /// name). A macro-introduced top-level definition defines the symbol it was written as.
    pub(crate) fn define_top_variable(&mut self, ident: IdentId) -> Rc<str> {
        let name = self.name_of(ident);
        self.set_top(name.clone(), TopEntry::Variable);
        self.defined_globals.insert(name.to_string());
        name
    }
}
