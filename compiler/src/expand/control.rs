//! Forms about multiple values, dynamic state and control: let-values, let*-values, receive,
//! define-values, parameterize, delay, delay-force, case-lambda and guard. They call the runtime
//! helpers and `%` aliases listed in docs/runtime-interface.md.

use crate::core::{Expr, ExprKind, VarId};
use crate::datum::DatumKind;
use crate::span::Span;

use super::env::EnvId;
use super::expander::{Expander, call, call_global, constant, global, lambda, local};
use super::forms::usage;
use super::special::Special;
use super::syntax::{Stx, SyntaxKind};

impl Expander<'_> {
    /// `(%call-with-values (lambda () expr) (lambda formals body))`.
    fn call_with_values(&mut self, producer: Expr, consumer: Expr, span: Span) -> Expr {
        let thunk = lambda(Vec::new(), None, producer, span);
        call_global("%call-with-values", vec![thunk, consumer], span)
    }

    pub(crate) fn expand_let_values(
        &mut self,
        items: &[Stx],
        env: EnvId,
        span: Span,
        sequential: bool,
    ) -> Expr {
        let form = if sequential {
            Special::LetStarValues
        } else {
            Special::LetValues
        };
        if items.len() < 3 {
            return self.arity_error(form, items, span);
        }
        let Some(bindings) = items[1].as_list() else {
            return self.error(
                items[1].span,
                format!("malformed binding list in `{}`", form.name()),
                format!("usage: {}", usage(form)),
            );
        };
        let mut parsed = Vec::with_capacity(bindings.len());
        for binding in bindings {
            match binding.as_list() {
                Some([formals, init]) => parsed.push((formals.clone(), init.clone())),
                _ => {
                    return self.error(
                        binding.span,
                        format!("malformed binding in `{}`", form.name()),
                        "each binding is (formals init), e.g. ((q r) (floor/ n d))",
                    );
                }
            }
        }
        // let-values: every init sees `env`, all formals go into one frame (duplicates are errors).
        // let*-values: each init sees the formals before it.
        let shared = self.frames.push(env);
        let mut scope = env;
        let mut stages = Vec::with_capacity(parsed.len());
        for (formals, init) in &parsed {
            let init = self.expand_expr(init, scope);
            let frame = if sequential {
                self.frames.push(scope)
            } else {
                shared
            };
            let (params, rest) = self.bind_formals(formals, frame);
            if sequential {
                scope = frame;
            }
            stages.push((init, params, rest));
        }
        let body_env = if sequential { scope } else { shared };
        let mut body = self.expand_body(&items[2..], body_env, span);
        for (init, params, rest) in stages.into_iter().rev() {
            let consumer = lambda(params, rest, body, span);
            body = self.call_with_values(init, consumer, span);
        }
        body
    }

    /// `receive` is two things: SRFI 8's `(receive formals expr body ...)` and, with no
    /// operands, the blocking mailbox read of green processes, `(receive)`. The shapes never
    /// overlap, so the bare form is a call of the runtime's `receive` procedure.
    pub(crate) fn expand_receive(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if items.len() == 1 {
            return call_global("receive", Vec::new(), span);
        }
        if items.len() < 4 {
            return self.arity_error(Special::Receive, items, span);
        }
        let producer = self.expand_expr(&items[2], env);
        let frame = self.frames.push(env);
        let (params, rest) = self.bind_formals(&items[1], frame);
        let body = self.expand_body(&items[3..], frame, span);
        let consumer = lambda(params, rest, body, span);
        self.call_with_values(producer, consumer, span)
    }

    pub(crate) fn parse_define_values(&mut self, form: &Stx) -> Option<(Stx, Stx)> {
        match form.as_list() {
            Some([_, formals, expr]) => Some((formals.clone(), expr.clone())),
            Some(items) => {
                self.arity_error(Special::DefineValues, items, form.span);
                None
            }
            None => None,
        }
    }

    /// `(%call-with-values (lambda () expr) (lambda (t ...) (assign var t) ...))`, with fresh
    /// temporaries `t` (`vars` are already bound by the caller).
    pub(crate) fn values_assignment(
        &mut self,
        vars: &[VarId],
        rest: Option<VarId>,
        expr: &Stx,
        env: EnvId,
        span: Span,
        assign: impl Fn(VarId, Expr, Span) -> Expr,
    ) -> Expr {
        let producer = self.expand_expr(expr, env);
        let temps: Vec<VarId> = vars
            .iter()
            .map(|v| {
                let name = self.var_names[v.0 as usize].clone();
                self.new_var(&name)
            })
            .collect();
        let rest_temp = rest.map(|v| {
            let name = self.var_names[v.0 as usize].clone();
            self.new_var(&name)
        });
        let mut body: Vec<Expr> = vars
            .iter()
            .chain(rest.iter())
            .zip(temps.iter().chain(rest_temp.iter()))
            .map(|(var, temp)| assign(*var, local(*temp, span), span))
            .collect();
        body.push(Expr::new(ExprKind::Unspecified, span));
        let consumer = lambda(temps, rest_temp, Expr::new(ExprKind::Seq(body), span), span);
        self.call_with_values(producer, consumer, span)
    }

    /// Top-level `define-values`: the consumer defines each global.
    pub(crate) fn top_define_values(&mut self, formals: &Stx, expr: &Stx, span: Span) -> Expr {
        let (items, tail): (&[Stx], Option<&Stx>) = match &formals.kind {
            SyntaxKind::Ident(_) => (&[], Some(formals)),
            SyntaxKind::List(items, tail) => (items, tail.as_ref()),
            _ => {
                return self.error(
                    formals.span,
                    "malformed `define-values` formals",
                    format!("usage: {}", usage(Special::DefineValues)),
                );
            }
        };
        let mut names = Vec::new();
        for f in items.iter().chain(tail) {
            match f.as_ident() {
                Some(id) => {
                    let name = self.name_of(id);
                    if names.contains(&name) {
                        return self.error(
                            f.span,
                            format!("duplicate name `{name}` in `define-values`"),
                            "each name may appear once",
                        );
                    }
                    names.push(name);
                }
                None => {
                    return self.error(
                        f.span,
                        "`define-values` formal is not an identifier",
                        "formals are names",
                    );
                }
            }
        }
        let producer = self.expand_expr(expr, super::env::TOP);
        let mut temps = Vec::new();
        let mut body = Vec::new();
        for name in &names {
            let temp = self.new_var(name);
            temps.push(temp);
            self.top_changes
                .insert(name.clone(), super::expander::TopEntry::Variable);
            self.defined_globals.insert(name.to_string());
            body.push(Expr::new(
                ExprKind::DefineGlobal(name.to_string(), Box::new(local(temp, span))),
                span,
            ));
        }
        body.push(Expr::new(ExprKind::Unspecified, span));
        let rest = tail.and_then(|_| temps.pop());
        let consumer = lambda(temps, rest, Expr::new(ExprKind::Seq(body), span), span);
        self.call_with_values(producer, consumer, span)
    }

    pub(crate) fn expand_parameterize(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if items.len() < 3 {
            return self.arity_error(Special::Parameterize, items, span);
        }
        let Some(bindings) = items[1].as_list() else {
            return self.error(
                items[1].span,
                "malformed `parameterize` bindings",
                format!("usage: {}", usage(Special::Parameterize)),
            );
        };
        let mut evaluated = Vec::new();
        let mut converted = Vec::new();
        let mut params = Vec::new();
        for binding in bindings {
            let Some([p, v]) = binding.as_list() else {
                return self.error(
                    binding.span,
                    "malformed `parameterize` binding",
                    "each binding is (parameter value)",
                );
            };
            let (pt, vt, ct) = (
                self.new_var("param"),
                self.new_var("value"),
                self.new_var("converted"),
            );
            let (pe, ve) = (self.expand_expr(p, env), self.expand_expr(v, env));
            evaluated.push((pt, pe));
            evaluated.push((vt, ve));
            let converter = call_global("%parameter-converter", vec![local(pt, span)], span);
            converted.push((ct, call(converter, vec![local(vt, span)], span)));
            params.push((pt, ct));
        }
        let frame = self.frames.push(env);
        let mut body = self.expand_body(&items[2..], frame, span);
        for (p, c) in params.into_iter().rev() {
            let thunk = lambda(Vec::new(), None, body, span);
            body = call_global(
                "%parameterize",
                vec![local(p, span), local(c, span), thunk],
                span,
            );
        }
        if evaluated.is_empty() {
            return body;
        }
        let body = Expr::new(ExprKind::Let(converted, Box::new(body)), span);
        Expr::new(ExprKind::Let(evaluated, Box::new(body)), span)
    }

    pub(crate) fn expand_delay(
        &mut self,
        form: Special,
        items: &[Stx],
        env: EnvId,
        span: Span,
    ) -> Expr {
        if items.len() != 2 {
            return self.arity_error(form, items, span);
        }
        let mut body = self.expand_expr(&items[1], env);
        if form == Special::Delay {
            body = call_global(
                "%make-promise",
                vec![constant(DatumKind::Bool(true), span), body],
                span,
            );
        }
        let thunk = lambda(Vec::new(), None, body, span);
        call_global(
            "%make-promise",
            vec![constant(DatumKind::Bool(false), span), thunk],
            span,
        )
    }

    pub(crate) fn expand_case_lambda(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if items.len() < 2 {
            return self.arity_error(Special::CaseLambda, items, span);
        }
        let mut clauses = Vec::with_capacity(items.len() - 1);
        for clause in &items[1..] {
            match clause.as_list() {
                Some(parts) if parts.len() >= 2 => {
                    clauses.push(self.expand_lambda(
                        &parts[..1],
                        &parts[1..],
                        env,
                        None,
                        clause.span,
                    ));
                }
                _ => {
                    return self.error(
                        clause.span,
                        "malformed `case-lambda` clause",
                        "each clause is (formals body ...)",
                    );
                }
            }
        }
        call_global("%case-lambda", clauses, span)
    }

    /// The R7RS reference expansion of `guard` (docs/runtime-interface.md, section 3).
    pub(crate) fn expand_guard(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if items.len() < 3 {
            return self.arity_error(Special::Guard, items, span);
        }
        let (spec, var_ident) = match items[1].as_list() {
            Some(spec) if let Some(id) = spec.first().and_then(|v| v.as_ident()) => (spec, id),
            _ => {
                return self.error(
                    items[1].span,
                    "malformed `guard` clause list",
                    "expected (variable clause ...), e.g. (e ((string? e) (display e)))",
                );
            }
        };
        let guard_k = self.new_var("guard-k");
        let handler_k = self.new_var("handler-k");
        let condition = self.new_var("condition");
        let results = self.new_var("results");

        let body_frame = self.frames.push(env);
        let body = self.expand_body(&items[2..], body_frame, span);

        let clause_frame = self.frames.push(env);
        let var = self.bind_var(clause_frame, var_ident, spec[0].span, "variable");
        let reraise = call_global("%raise-continuable", vec![local(condition, span)], span);
        let fallthrough = call(
            local(handler_k, span),
            vec![lambda(Vec::new(), None, reraise, span)],
            span,
        );
        let clauses = self.expand_cond_clauses(&spec[1..], clause_frame, fallthrough, span);
        let clauses = Expr::new(
            ExprKind::Let(vec![(var, local(condition, span))], Box::new(clauses)),
            span,
        );

        let to_guard = call(
            local(guard_k, span),
            vec![lambda(Vec::new(), None, clauses, span)],
            span,
        );
        let handler_body = call(
            call_global(
                "%call/cc",
                vec![lambda(vec![handler_k], None, to_guard, span)],
                span,
            ),
            Vec::new(),
            span,
        );
        let handler = lambda(vec![condition], None, handler_body, span);

        let return_values = call_global(
            "%apply",
            vec![global("%values", span), local(results, span)],
            span,
        );
        let normal_exit = call(
            local(guard_k, span),
            vec![lambda(Vec::new(), None, return_values, span)],
            span,
        );
        let thunk_body = self.call_with_values(
            body,
            lambda(Vec::new(), Some(results), normal_exit, span),
            span,
        );
        let thunk = lambda(Vec::new(), None, thunk_body, span);

        let install = call_global("%with-exception-handler", vec![handler, thunk], span);
        call(
            call_global(
                "%call/cc",
                vec![lambda(vec![guard_k], None, install, span)],
                span,
            ),
            Vec::new(),
            span,
        )
    }
}
