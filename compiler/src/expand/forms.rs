//! Derived binding and conditional forms: let, let*, letrec(*), named let, do, cond, case, and,
//! or, when, unless. They become core `Let`/`Letrec`/`If`/`Lambda`; their temporaries are fresh
//! [`VarId`]s that no identifier can name, so they need no renaming to be hygienic.

use crate::core::{Expr, ExprKind, Lambda, VarId};
use crate::datum::DatumKind;
use crate::span::Span;

use super::env::EnvId;
use super::expander::{
    Expander, call, call_global, constant, if_expr, local, named, seq, unspecified,
};
use super::special::Special;
use super::syntax::{IdentId, Stx, SyntaxKind};

/// How a form is written, for error help.
pub(crate) fn usage(special: Special) -> &'static str {
    match special {
        Special::Quote => "(quote datum) or 'datum",
        Special::Quasiquote => "(quasiquote template) or `template",
        Special::Lambda => {
            "(lambda (param ...) body ...), (lambda (param ... . rest) body ...) or (lambda args body ...)"
        }
        Special::Define => "(define name expression) or (define (name param ...) body ...)",
        Special::Set => "(set! variable expression)",
        Special::If => "(if test consequent alternative) or (if test consequent)",
        Special::Let => "(let ((name init) ...) body ...) or (let loop ((name init) ...) body ...)",
        Special::LetStar => "(let* ((name init) ...) body ...)",
        Special::Letrec => "(letrec ((name init) ...) body ...)",
        Special::LetrecStar => "(letrec* ((name init) ...) body ...)",
        Special::Do => "(do ((var init step) ...) (test result ...) command ...)",
        Special::Case => "(case key ((datum ...) expr ...) ... (else expr ...))",
        Special::When => "(when test expr ...)",
        Special::Unless => "(unless test expr ...)",
        Special::LetValues => "(let-values (((formal ...) init) ...) body ...)",
        Special::LetStarValues => "(let*-values (((formal ...) init) ...) body ...)",
        Special::DefineValues => "(define-values (formal ...) expression)",
        Special::Receive => "(receive formals expression body ...)",
        Special::Parameterize => "(parameterize ((parameter value) ...) body ...)",
        Special::Delay => "(delay expression)",
        Special::DelayForce => "(delay-force expression)",
        Special::CaseLambda => "(case-lambda (formals body ...) ...)",
        Special::Guard => "(guard (var clause ...) body ...)",
        Special::DefineSyntax => {
            "(define-syntax name (syntax-rules (literal ...) (pattern template) ...))"
        }
        Special::LetSyntax => "(let-syntax ((name (syntax-rules ...)) ...) body ...)",
        Special::LetrecSyntax => "(letrec-syntax ((name (syntax-rules ...)) ...) body ...)",
        Special::SyntaxRules => "(syntax-rules (literal ...) (pattern template) ...)",
        Special::DefineRecordType => {
            "(define-record-type name (constructor field ...) predicate (field accessor [modifier]) ...)"
        }
        _ => "see docs/language.md",
    }
}

/// One `(name init)` of a binding list.
pub(crate) struct LetBinding {
    pub(crate) ident: IdentId,
    pub(crate) span: Span,
    pub(crate) init: Stx,
}

impl Expander<'_> {
    /// Parses `((name init) ...)`, reporting each malformed binding.
    pub(crate) fn parse_bindings(&mut self, list: &Stx, form: Special) -> Option<Vec<LetBinding>> {
        let Some(items) = list.as_list() else {
            self.error(
                list.span,
                format!("malformed binding list in `{}`", form.name()),
                format!("expected a list of (name init); usage: {}", usage(form)),
            );
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for item in items {
            match item.as_list() {
                Some([name, init]) if name.as_ident().is_some() => out.push(LetBinding {
                    ident: name.as_ident()?,
                    span: name.span,
                    init: init.clone(),
                }),
                _ => {
                    ok = false;
                    self.error(
                        item.span,
                        format!("malformed binding in `{}`", form.name()),
                        "each binding is (name init): a name and exactly one expression",
                    );
                }
            }
        }
        ok.then_some(out)
    }

    pub(crate) fn expand_let(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if let Some(loop_ident) = items.get(1).and_then(|s| s.as_ident()) {
            return self.expand_named_let(items, loop_ident, env, span);
        }
        if items.len() < 3 {
            return self.arity_error(Special::Let, items, span);
        }
        let Some(bindings) = self.parse_bindings(&items[1], Special::Let) else {
            return unspecified(span);
        };
        let frame = self.frames.push(env);
        let mut pairs = Vec::with_capacity(bindings.len());
        for b in &bindings {
            let name = self.name_of(b.ident);
            let init = self.expand_expr(&b.init, env);
            let var = self.bind_var(frame, b.ident, b.span, "variable");
            pairs.push((var, named(init, &name)));
        }
        let body = self.expand_body(&items[2..], frame, span);
        if pairs.is_empty() {
            return body;
        }
        Expr::new(ExprKind::Let(pairs, Box::new(body)), span)
    }

    /// `(let loop ((v init) ...) body)`: `loop` is visible in the body only, not in the inits.
    fn expand_named_let(
        &mut self,
        items: &[Stx],
        loop_ident: IdentId,
        env: EnvId,
        span: Span,
    ) -> Expr {
        if items.len() < 4 {
            return self.arity_error(Special::Let, items, span);
        }
        let Some(bindings) = self.parse_bindings(&items[2], Special::Let) else {
            return unspecified(span);
        };
        let inits = bindings
            .iter()
            .map(|b| self.expand_expr(&b.init, env))
            .collect();
        let loop_frame = self.frames.push(env);
        let loop_name = self.name_of(loop_ident);
        let loop_var = self.bind_var(loop_frame, loop_ident, items[1].span, "variable");
        let frame = self.frames.push(loop_frame);
        let params = bindings
            .iter()
            .map(|b| self.bind_var(frame, b.ident, b.span, "variable"))
            .collect();
        let body = self.expand_body(&items[3..], frame, span);
        let lam = Lambda {
            name: Some(loop_name.to_string()),
            params,
            rest: None,
            body,
            span,
        };
        let lam = Expr::new(ExprKind::Lambda(lam.into()), span);
        Expr::new(
            ExprKind::Letrec(
                vec![(loop_var, lam)],
                Box::new(call(local(loop_var, span), inits, span)),
            ),
            span,
        )
    }

    pub(crate) fn expand_let_star(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if items.len() < 3 {
            return self.arity_error(Special::LetStar, items, span);
        }
        let Some(bindings) = self.parse_bindings(&items[1], Special::LetStar) else {
            return unspecified(span);
        };
        self.let_star_from(&bindings, &items[2..], env, span)
    }

    fn let_star_from(
        &mut self,
        bindings: &[LetBinding],
        body: &[Stx],
        env: EnvId,
        span: Span,
    ) -> Expr {
        let Some((first, rest)) = bindings.split_first() else {
            return self.expand_body(body, env, span);
        };
        if !self.enter(first.span) {
            return unspecified(span);
        }
        let name = self.name_of(first.ident);
        let init = named(self.expand_expr(&first.init, env), &name);
        let frame = self.frames.push(env);
        let var = self.bind_var(frame, first.ident, first.span, "variable");
        let inner = self.let_star_from(rest, body, frame, span);
        self.leave();
        Expr::new(ExprKind::Let(vec![(var, init)], Box::new(inner)), span)
    }

    /// `letrec` and `letrec*` both become core `Letrec` (letrec* order is a valid letrec order).
    pub(crate) fn expand_letrec(
        &mut self,
        form: Special,
        items: &[Stx],
        env: EnvId,
        span: Span,
    ) -> Expr {
        if items.len() < 3 {
            return self.arity_error(form, items, span);
        }
        let Some(bindings) = self.parse_bindings(&items[1], form) else {
            return unspecified(span);
        };
        let frame = self.frames.push(env);
        let vars: Vec<VarId> = bindings
            .iter()
            .map(|b| self.bind_var(frame, b.ident, b.span, "variable"))
            .collect();
        let mut pairs = Vec::with_capacity(vars.len());
        for (var, b) in vars.into_iter().zip(&bindings) {
            let name = self.name_of(b.ident);
            pairs.push((var, named(self.expand_expr(&b.init, frame), &name)));
        }
        let body = self.expand_body(&items[2..], frame, span);
        if pairs.is_empty() {
            return body;
        }
        Expr::new(ExprKind::Letrec(pairs, Box::new(body)), span)
    }

    pub(crate) fn expand_do(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if items.len() < 3 {
            return self.arity_error(Special::Do, items, span);
        }
        let Some(specs) = items[1].as_list() else {
            return self.error(
                items[1].span,
                "malformed `do` variable list",
                format!("usage: {}", usage(Special::Do)),
            );
        };
        let mut vars = Vec::new();
        for spec in specs {
            match spec.as_list() {
                Some([v, init]) if v.as_ident().is_some() => vars.push((v, init.clone(), None)),
                Some([v, init, step]) if v.as_ident().is_some() => {
                    vars.push((v, init.clone(), Some(step.clone())));
                }
                _ => {
                    return self.error(
                        spec.span,
                        "malformed `do` variable",
                        "each variable is (name init) or (name init step)",
                    );
                }
            }
        }
        let Some(exit) = items[2].as_list().filter(|e| !e.is_empty()) else {
            return self.error(
                items[2].span,
                "malformed `do` exit clause",
                "expected (test result ...)",
            );
        };
        let inits = vars
            .iter()
            .map(|(_, init, _)| self.expand_expr(init, env))
            .collect();
        let loop_var = self.new_var("do-loop");
        let frame = self.frames.push(env);
        let params: Vec<VarId> = vars
            .iter()
            .filter_map(|(v, _, _)| Some(self.bind_var(frame, v.as_ident()?, v.span, "variable")))
            .collect();
        let test = self.expand_expr(&exit[0], frame);
        let results: Vec<Expr> = exit[1..]
            .iter()
            .map(|e| self.expand_expr(e, frame))
            .collect();
        let mut commands: Vec<Expr> = items[3..]
            .iter()
            .map(|c| self.expand_expr(c, frame))
            .collect();
        let steps = vars
            .iter()
            .zip(&params)
            .map(|((_, _, step), var)| match step {
                Some(step) => self.expand_expr(step, frame),
                None => local(*var, span),
            })
            .collect();
        commands.push(call(local(loop_var, span), steps, span));
        let body = if_expr(test, seq(results, span), seq(commands, span), span);
        let lam = Lambda {
            name: Some("do-loop".to_string()),
            params,
            rest: None,
            body,
            span,
        };
        Expr::new(
            ExprKind::Letrec(
                vec![(loop_var, Expr::new(ExprKind::Lambda(lam.into()), span))],
                Box::new(call(local(loop_var, span), inits, span)),
            ),
            span,
        )
    }

    /// `cond` clauses; `fallthrough` is the value when none applies (`guard` re-raises there).
    pub(crate) fn expand_cond_clauses(
        &mut self,
        clauses: &[Stx],
        env: EnvId,
        fallthrough: Expr,
        span: Span,
    ) -> Expr {
        let Some((clause, rest)) = clauses.split_first() else {
            return fallthrough;
        };
        if !self.enter(clause.span) {
            return unspecified(span);
        }
        let result = self.expand_cond_clause(clause, rest, env, fallthrough, span);
        self.leave();
        result
    }

    fn expand_cond_clause(
        &mut self,
        clause: &Stx,
        rest: &[Stx],
        env: EnvId,
        fallthrough: Expr,
        span: Span,
    ) -> Expr {
        let cspan = clause.span;
        let Some(parts) = clause.as_list().filter(|p| !p.is_empty()) else {
            return self.error(
                cspan,
                "malformed `cond` clause",
                "each clause is (test expr ...), (test => receiver) or (else expr ...)",
            );
        };
        if self.is_special(&parts[0], env, Special::Else) {
            if !rest.is_empty() {
                return self.error(
                    cspan,
                    "`else` clause must be the last clause",
                    "move it to the end or remove the clauses after it",
                );
            }
            if parts.len() < 2 {
                return self.error(cspan, "empty `else` clause", "write (else expr ...)");
            }
            let exprs = parts[1..]
                .iter()
                .map(|e| self.expand_expr(e, env))
                .collect();
            return seq(exprs, cspan);
        }
        let test = self.expand_expr(&parts[0], env);
        if parts.len() >= 2 && self.is_special(&parts[1], env, Special::Arrow) {
            if parts.len() != 3 {
                return self.error(
                    cspan,
                    "malformed `=>` clause",
                    "write (test => receiver) with exactly one receiver",
                );
            }
            let receiver = self.expand_expr(&parts[2], env);
            let otherwise = self.expand_cond_clauses(rest, env, fallthrough, span);
            let t = self.new_var("t");
            let then = call(receiver, vec![local(t, cspan)], cspan);
            let test_t = if_expr(local(t, cspan), then, otherwise, cspan);
            return Expr::new(ExprKind::Let(vec![(t, test)], Box::new(test_t)), cspan);
        }
        let otherwise = self.expand_cond_clauses(rest, env, fallthrough, span);
        if parts.len() == 1 {
            let t = self.new_var("t");
            let body = if_expr(local(t, cspan), local(t, cspan), otherwise, cspan);
            return Expr::new(ExprKind::Let(vec![(t, test)], Box::new(body)), cspan);
        }
        let exprs = parts[1..]
            .iter()
            .map(|e| self.expand_expr(e, env))
            .collect();
        if_expr(test, seq(exprs, cspan), otherwise, cspan)
    }

    pub(crate) fn expand_case(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if items.len() < 2 {
            return self.arity_error(Special::Case, items, span);
        }
        let key_expr = self.expand_expr(&items[1], env);
        let key = self.new_var("key");
        let body = self.case_clauses(&items[2..], key, env, span);
        Expr::new(ExprKind::Let(vec![(key, key_expr)], Box::new(body)), span)
    }

    fn case_clauses(&mut self, clauses: &[Stx], key: VarId, env: EnvId, span: Span) -> Expr {
        let Some((clause, rest)) = clauses.split_first() else {
            return unspecified(span);
        };
        if !self.enter(clause.span) {
            return unspecified(span);
        }
        let result = self.case_clause(clause, rest, key, env, span);
        self.leave();
        result
    }

    fn case_clause(
        &mut self,
        clause: &Stx,
        rest: &[Stx],
        key: VarId,
        env: EnvId,
        span: Span,
    ) -> Expr {
        let cspan = clause.span;
        let Some(parts) = clause.as_list().filter(|p| p.len() >= 2) else {
            return self.error(
                cspan,
                "malformed `case` clause",
                "each clause is ((datum ...) expr ...), ((datum ...) => receiver) or (else expr ...)",
            );
        };
        let is_else = self.is_special(&parts[0], env, Special::Else);
        if is_else && !rest.is_empty() {
            return self.error(
                cspan,
                "`else` clause must be the last clause",
                "move it to the end or remove the clauses after it",
            );
        }
        let result = if self.is_special(&parts[1], env, Special::Arrow) {
            if parts.len() != 3 {
                return self.error(
                    cspan,
                    "malformed `=>` clause",
                    "write ((datum ...) => receiver) with exactly one receiver",
                );
            }
            let receiver = self.expand_expr(&parts[2], env);
            call(receiver, vec![local(key, cspan)], cspan)
        } else {
            let exprs = parts[1..]
                .iter()
                .map(|e| self.expand_expr(e, env))
                .collect();
            seq(exprs, cspan)
        };
        if is_else {
            return result;
        }
        let test = match &parts[0].kind {
            SyntaxKind::List(datums, None) if datums.len() == 1 => {
                let datum = self.quote(&datums[0]);
                call_global("%eqv?", vec![local(key, cspan), datum], cspan)
            }
            SyntaxKind::List(datums, None) if datums.is_empty() => {
                constant(DatumKind::Bool(false), cspan)
            }
            SyntaxKind::List(_, None) => {
                let datums = self.quote(&parts[0]);
                call_global("%memv", vec![local(key, cspan), datums], cspan)
            }
            _ => {
                return self.error(
                    parts[0].span,
                    "malformed `case` clause",
                    "the datums of a clause are a list: ((datum ...) expr ...)",
                );
            }
        };
        let otherwise = self.case_clauses(rest, key, env, span);
        if_expr(test, result, otherwise, cspan)
    }

    pub(crate) fn expand_and(&mut self, operands: &[Stx], env: EnvId, span: Span) -> Expr {
        match operands {
            [] => constant(DatumKind::Bool(true), span),
            [only] => self.expand_expr(only, env),
            [first, rest @ ..] => {
                if !self.enter(first.span) {
                    return unspecified(span);
                }
                let test = self.expand_expr(first, env);
                let then = self.expand_and(rest, env, span);
                self.leave();
                if_expr(test, then, constant(DatumKind::Bool(false), span), span)
            }
        }
    }

    pub(crate) fn expand_or(&mut self, operands: &[Stx], env: EnvId, span: Span) -> Expr {
        match operands {
            [] => constant(DatumKind::Bool(false), span),
            [only] => self.expand_expr(only, env),
            [first, rest @ ..] => {
                if !self.enter(first.span) {
                    return unspecified(span);
                }
                let value = self.expand_expr(first, env);
                let otherwise = self.expand_or(rest, env, span);
                self.leave();
                let t = self.new_var("t");
                let test = if_expr(local(t, span), local(t, span), otherwise, span);
                Expr::new(ExprKind::Let(vec![(t, value)], Box::new(test)), span)
            }
        }
    }

    pub(crate) fn expand_when(
        &mut self,
        form: Special,
        items: &[Stx],
        env: EnvId,
        span: Span,
    ) -> Expr {
        if items.len() < 3 {
            return self.arity_error(form, items, span);
        }
        let test = self.expand_expr(&items[1], env);
        let exprs = items[2..]
            .iter()
            .map(|e| self.expand_expr(e, env))
            .collect();
        let body = seq(exprs, span);
        let (then, otherwise) = if form == Special::When {
            (body, unspecified(span))
        } else {
            (unspecified(span), body)
        };
        if_expr(test, then, otherwise, span)
    }
}
