//! The expander's state and its driver: expressions, bodies, lambdas and the top level.
//! Derived forms are in `forms.rs`, `control.rs`, `records.rs` and `quasi.rs`; macros in
//! `syntax_rules.rs`.

use std::collections::BTreeSet;
use std::rc::Rc;

use crate::core::{Expr, ExprKind, Lambda, VarId};
use crate::datum::{Datum, DatumKind};
use crate::diagnostic::Diagnostic;
use crate::span::Span;

use super::env::{Binding, EnvId, Frames, MacroId};
use super::hash::FxHashMap;
use super::limits::{BASE_WORK, MAX_ERRORS, MAX_NESTING, WORK_PER_NODE};
use super::special::Special;
use super::stored::{ExpandEnv, TopSyntax};
use super::syntax::{IdentId, Idents, Stx, Syntax, SyntaxKind};
use super::syntax_rules::Macro;

/// What this unit did to a top-level name; applied to the [`ExpandEnv`] only if the unit expands
/// without errors.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TopEntry {
    Macro(MacroId),
    Variable,
}

pub(crate) struct Expander<'a> {
    pub(crate) idents: Idents,
    pub(crate) frames: Frames,
    pub(crate) macros: Vec<Rc<Macro>>,
    pub(crate) var_names: Vec<String>,
    pub(crate) top: &'a ExpandEnv,
    pub(crate) top_changes: FxHashMap<Rc<str>, TopEntry>,
    /// Stored macros of earlier units loaded so far (`None`: the stored form was invalid).
    loaded: FxHashMap<Rc<str>, Option<MacroId>>,
    /// What each plain symbol means at the top level, so that the many references to the same
    /// global resolve once; an entry is dropped when this unit rebinds that name.
    top_cache: FxHashMap<IdentId, Binding>,
    pub(crate) defined_globals: BTreeSet<String>,
    pub(crate) errors: Vec<Diagnostic>,
    depth: u32,
    work: u64,
    work_budget: u64,
    /// Set once a limit is hit: everything after returns placeholders quickly.
    pub(crate) fatal: bool,
}

pub(crate) fn unspecified(span: Span) -> Expr {
    Expr::new(ExprKind::Unspecified, span)
}

pub(crate) fn global(name: &str, span: Span) -> Expr {
    Expr::new(ExprKind::Global(name.to_string()), span)
}

pub(crate) fn call(f: Expr, args: Vec<Expr>, span: Span) -> Expr {
    Expr::new(ExprKind::Call(Box::new(f), args), span)
}

pub(crate) fn if_expr(test: Expr, then: Expr, otherwise: Expr, span: Span) -> Expr {
    Expr::new(
        ExprKind::If(Box::new(test), Box::new(then), Box::new(otherwise)),
        span,
    )
}

pub(crate) fn call_global(name: &str, args: Vec<Expr>, span: Span) -> Expr {
    call(global(name, span), args, span)
}

pub(crate) fn local(var: VarId, span: Span) -> Expr {
    Expr::new(ExprKind::Local(var), span)
}

pub(crate) fn constant(kind: DatumKind, span: Span) -> Expr {
    Expr::new(ExprKind::Const(Datum::new(kind, span)), span)
}

pub(crate) fn lambda(params: Vec<VarId>, rest: Option<VarId>, body: Expr, span: Span) -> Expr {
    Expr::new(
        ExprKind::Lambda(Rc::new(Lambda {
            name: None,
            params,
            rest,
            body,
            span,
        })),
        span,
    )
}

/// `exprs` in sequence; a single expression stands for itself.
pub(crate) fn seq(mut exprs: Vec<Expr>, span: Span) -> Expr {
    match exprs.len() {
        0 => unspecified(span),
        1 => exprs.pop().unwrap_or_else(|| unspecified(span)),
        _ => Expr::new(ExprKind::Seq(exprs), span),
    }
}

/// Names an anonymous lambda after the variable it is bound to (for backtraces).
pub(crate) fn named(mut expr: Expr, name: &str) -> Expr {
    if let ExprKind::Lambda(lam) = &mut expr.kind
        && let Some(lam) = Rc::get_mut(lam)
        && lam.name.is_none()
    {
        lam.name = Some(name.to_string());
    }
    expr
}

impl<'a> Expander<'a> {
    pub(crate) fn new(top: &'a ExpandEnv) -> Self {
        Expander {
            idents: Idents::default(),
            frames: Frames::new(),
            macros: Vec::new(),
            var_names: Vec::new(),
            top,
            top_changes: FxHashMap::default(),
            loaded: FxHashMap::default(),
            top_cache: FxHashMap::default(),
            defined_globals: BTreeSet::new(),
            errors: Vec::new(),
            depth: 0,
            work: 0,
            work_budget: BASE_WORK,
            fatal: false,
        }
    }

    // ---- diagnostics and limits ----

    /// Records an error and returns a placeholder expression so expansion can go on and find more.
    pub(crate) fn report(&mut self, diagnostic: Diagnostic) -> Expr {
        let span = diagnostic.span;
        if !self.fatal {
            self.errors.push(diagnostic);
            if self.errors.len() >= MAX_ERRORS {
                self.fatal = true;
            }
        }
        unspecified(span)
    }

    pub(crate) fn error(
        &mut self,
        span: Span,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Expr {
        self.report(Diagnostic::error(span, message).with_help(help))
    }

    fn fatal_error(&mut self, diagnostic: Diagnostic) {
        if !self.fatal {
            self.errors.push(diagnostic);
            self.fatal = true;
        }
    }

    /// Counts `units` of work; false (and a fatal error) once the unit's budget is spent.
    pub(crate) fn tick(&mut self, units: u64, span: Span) -> bool {
        self.work += units;
        if self.work > self.work_budget {
            self.fatal_error(
                Diagnostic::error(span, "program is too large after macro expansion").with_help(
                    "a macro probably expands without end or duplicates its input at every step",
                ),
            );
            return false;
        }
        !self.fatal
    }

    /// Enters one level of nesting; false (and a fatal error) past [`MAX_NESTING`].
    pub(crate) fn enter(&mut self, span: Span) -> bool {
        if self.fatal {
            return false;
        }
        if self.depth >= MAX_NESTING {
            self.fatal_error(
                Diagnostic::error(span, "expression is nested too deeply").with_help(format!(
                    "pscheme expands at most {MAX_NESTING} levels of nested expressions \
                         (long `cond`, `and`, `let*` chains count one level per clause)"
                )),
            );
            return false;
        }
        self.depth += 1;
        true
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    pub(crate) fn remaining_work(&self) -> u64 {
        self.work_budget.saturating_sub(self.work)
    }

    /// Sets the work budget for a unit of `nodes` datum nodes.
    pub(crate) fn budget_for(&mut self, nodes: u64) {
        self.work_budget = BASE_WORK.saturating_add(nodes.saturating_mul(WORK_PER_NODE));
    }

    pub(crate) fn spend_work(&mut self, used: u64) {
        self.work += used;
    }

    // ---- names and bindings ----

    pub(crate) fn name_of(&self, id: IdentId) -> Rc<str> {
        self.idents.name(id).clone()
    }

    pub(crate) fn new_var(&mut self, name: &str) -> VarId {
        let id = VarId(u32::try_from(self.var_names.len()).expect("fewer than 2^32 variables"));
        self.var_names.push(name.to_string());
        id
    }

    /// A fresh variable bound to `ident` in frame `env`; reports a duplicate in the same frame.
    pub(crate) fn bind_var(&mut self, env: EnvId, ident: IdentId, span: Span, what: &str) -> VarId {
        let name = self.name_of(ident);
        if self.frames.bound_here(env, ident) {
            self.error(
                span,
                format!("duplicate {what} `{name}`"),
                "each name may be bound only once in the same binding list or body",
            );
        }
        let var = self.new_var(&name);
        self.frames.bind(env, ident, Binding::Var(var));
        var
    }

    /// What `ident` means in `env`: the innermost binding of exactly this identifier, else (for an
    /// alias) what its base identifier means where the macro was defined, else the top level.
    pub(crate) fn resolve(&mut self, ident: IdentId, env: EnvId) -> Binding {
        let (mut ident, mut env) = (ident, env);
        loop {
            if let Some(binding) = self.frames.lookup(env, ident) {
                return binding.clone();
            }
            match *self.idents.info(ident) {
                super::syntax::IdentInfo::Alias {
                    base,
                    env: defined_in,
                } => {
                    ident = base;
                    env = defined_in;
                }
                super::syntax::IdentInfo::Symbol(ref name) => {
                    if let Some(binding) = self.top_cache.get(&ident) {
                        return binding.clone();
                    }
                    let name = name.clone();
                    let binding = self.resolve_top(&name);
                    self.top_cache.insert(ident, binding.clone());
                    return binding;
                }
            }
        }
    }

    fn resolve_top(&mut self, name: &Rc<str>) -> Binding {
        match self.top_changes.get(name) {
            Some(TopEntry::Macro(id)) => return Binding::Macro(*id),
            Some(TopEntry::Variable) => return Binding::Global(name.clone()),
            None => {}
        }
        match self.top.syntax.get(&**name) {
            Some(TopSyntax::Macro(stored)) => {
                let id = match self.loaded.get(name) {
                    Some(id) => *id,
                    None => {
                        let id = self.load_macro(name.clone(), stored);
                        self.loaded.insert(name.clone(), id);
                        id
                    }
                };
                return id.map_or_else(|| Binding::Global(name.clone()), Binding::Macro);
            }
            Some(TopSyntax::Variable) => return Binding::Global(name.clone()),
            None => {}
        }
        match Special::from_name(name) {
            Some(special) => Binding::Special(special),
            None => Binding::Global(name.clone()),
        }
    }

    /// Whether `stx` is an identifier meaning the built-in keyword `special` in `env`.
    pub(crate) fn is_special(&mut self, stx: &Stx, env: EnvId, special: Special) -> bool {
        match stx.as_ident() {
            Some(id) => self.resolve(id, env) == Binding::Special(special),
            None => false,
        }
    }

    /// Expands macro uses at the head of `form` until it is something else, and says which
    /// built-in keyword heads the result (bodies need to know whether it is a definition).
    pub(crate) fn expand_head(&mut self, mut form: Stx, env: EnvId) -> (Stx, Option<Special>) {
        loop {
            if !self.tick(1, form.span) {
                return (form, None);
            }
            let binding = match &form.kind {
                SyntaxKind::List(items, _) => match items.first().and_then(|h| h.as_ident()) {
                    Some(id) => self.resolve(id, env),
                    None => return (form, None),
                },
                _ => return (form, None),
            };
            match binding {
                Binding::Macro(m) => match self.transcribe(m, &form, env) {
                    Some(out) => form = out,
                    None => return (Syntax::constant(DatumKind::Bool(false), form.span), None),
                },
                Binding::Special(s) => return (form, Some(s)),
                _ => return (form, None),
            }
        }
    }

    /// Rebinds a top-level name for the rest of this unit.
    pub(crate) fn set_top(&mut self, name: Rc<str>, entry: TopEntry) {
        let symbol = self.idents.intern(&name);
        self.top_cache.remove(&symbol);
        self.top_changes.insert(name, entry);
    }

    // ---- expressions ----

    pub(crate) fn expand_expr(&mut self, stx: &Stx, env: EnvId) -> Expr {
        if !self.enter(stx.span) {
            return unspecified(stx.span);
        }
        let (form, special) = self.expand_head(stx.clone(), env);
        let expr = if self.fatal {
            unspecified(stx.span)
        } else {
            self.expand_expanded(&form, special, env)
        };
        self.leave();
        expr
    }

    fn expand_expanded(&mut self, stx: &Stx, special: Option<Special>, env: EnvId) -> Expr {
        let span = stx.span;
        match &stx.kind {
            SyntaxKind::Ident(id) => self.expand_ref(*id, env, span),
            SyntaxKind::Const(kind) => constant(kind.clone(), span),
            SyntaxKind::Vector(_) => self.quote(stx),
            SyntaxKind::List(items, tail) => {
                if items.is_empty() {
                    return self.error(
                        span,
                        "empty combination `()`",
                        "to write the empty list use '()",
                    );
                }
                if tail.is_some() {
                    return self.error(
                        span,
                        "a dotted list is not a valid expression",
                        "a procedure call is a proper list: (operator operand ...)",
                    );
                }
                if let Some(s) = special {
                    return self.expand_special(s, stx, items, env);
                }
                let f = self.expand_expr(&items[0], env);
                let args = items[1..]
                    .iter()
                    .map(|a| self.expand_expr(a, env))
                    .collect();
                call(f, args, span)
            }
        }
    }

    fn expand_ref(&mut self, id: IdentId, env: EnvId, span: Span) -> Expr {
        match self.resolve(id, env) {
            Binding::Var(v) => local(v, span),
            Binding::Global(name) => Expr::new(ExprKind::Global(name.to_string()), span),
            Binding::Macro(_) => {
                let name = self.name_of(id);
                self.error(
                    span,
                    format!("macro `{name}` used as a variable"),
                    format!("a macro can only be used at the head of a form: ({name} ...)"),
                )
            }
            Binding::Special(s) if s.is_auxiliary() => self.error(
                span,
                format!("auxiliary syntax `{}` used as an expression", s.name()),
                "it has a meaning only inside forms such as cond, case, quasiquote and syntax-rules",
            ),
            Binding::Special(s) => self.error(
                span,
                format!("syntax keyword `{}` used as a variable", s.name()),
                format!("a syntax keyword can only be used at the head of a form: ({} ...)", s.name()),
            ),
        }
    }

    pub(crate) fn quote(&mut self, stx: &Stx) -> Expr {
        let mut budget = self.remaining_work();
        let start = budget;
        let result = self.idents.to_datum(stx, &mut budget);
        self.spend_work(start - budget);
        match result {
            Ok(datum) => Expr::new(ExprKind::Const(datum), stx.span),
            Err(diagnostic) => {
                self.fatal_error(diagnostic);
                unspecified(stx.span)
            }
        }
    }

    fn expand_special(&mut self, special: Special, stx: &Stx, items: &[Stx], env: EnvId) -> Expr {
        let span = stx.span;
        match special {
            Special::Quote => {
                if items.len() != 2 {
                    return self.arity_error(special, items, span);
                }
                self.quote(&items[1])
            }
            Special::Quasiquote => self.expand_quasiquote(items, env, span),
            Special::Lambda => {
                if items.len() < 3 {
                    return self.arity_error(special, items, span);
                }
                self.expand_lambda(&items[1..2], &items[2..], env, None, span)
            }
            Special::Set => self.expand_set(items, env, span),
            Special::If => self.expand_if(items, env, span),
            Special::Begin => {
                if items.len() < 2 {
                    return self.error(
                        span,
                        "empty `begin` in expression position",
                        "an expression `begin` needs at least one expression: (begin expr ...)",
                    );
                }
                let exprs = items[1..].iter().map(|e| self.expand_expr(e, env)).collect();
                seq(exprs, span)
            }
            Special::Let => self.expand_let(items, env, span),
            Special::LetStar => self.expand_let_star(items, env, span),
            Special::Letrec | Special::LetrecStar => self.expand_letrec(special, items, env, span),
            Special::Do => self.expand_do(items, env, span),
            Special::Cond => {
                let fallthrough = unspecified(span);
                self.expand_cond_clauses(&items[1..], env, fallthrough, span)
            }
            Special::Case => self.expand_case(items, env, span),
            Special::And => self.expand_and(&items[1..], env, span),
            Special::Or => self.expand_or(&items[1..], env, span),
            Special::When | Special::Unless => self.expand_when(special, items, env, span),
            Special::LetValues => self.expand_let_values(items, env, span, false),
            Special::LetStarValues => self.expand_let_values(items, env, span, true),
            Special::Receive => self.expand_receive(items, env, span),
            Special::Parameterize => self.expand_parameterize(items, env, span),
            Special::Delay | Special::DelayForce => self.expand_delay(special, items, env, span),
            Special::CaseLambda => self.expand_case_lambda(items, env, span),
            Special::Guard => self.expand_guard(items, env, span),
            Special::LetSyntax | Special::LetrecSyntax => self.expand_let_syntax(special, items, env, span),
            Special::CondExpand => {
                let forms = self.cond_expand(items, env);
                let exprs = forms.iter().map(|f| self.expand_expr(f, env)).collect();
                seq(exprs, span)
            }
            Special::SyntaxError => self.syntax_error(items, span),
            Special::Define
            | Special::DefineValues
            | Special::DefineRecordType
            | Special::DefineSyntax => self.error(
                span,
                format!("`{}` in expression position", special.name()),
                "definitions are allowed only at the top level or at the beginning of a body \
                 (of lambda, let, define, ...)",
            ),
            Special::Import => self.error(
                span,
                "`import` is allowed only at the top level",
                "put (import ...) at the start of the program",
            ),
            Special::SyntaxRules => self.error(
                span,
                "`syntax-rules` outside a macro definition",
                "use it as (define-syntax name (syntax-rules ...)) or in let-syntax / letrec-syntax",
            ),
            Special::Include | Special::IncludeCi | Special::DefineLibrary => self.error(
                span,
                format!("`{}` is not supported by pscheme", special.name()),
                "see docs/language.md: programs are single files; put everything in one file",
            ),
            Special::Else
            | Special::Arrow
            | Special::Ellipsis
            | Special::Underscore
            | Special::Unquote
            | Special::UnquoteSplicing => self.error(
                span,
                format!("misplaced auxiliary syntax `{}`", special.name()),
                "it has a meaning only inside forms such as cond, case, quasiquote and syntax-rules",
            ),
        }
    }

    pub(crate) fn arity_error(&mut self, special: Special, items: &[Stx], span: Span) -> Expr {
        let found = items.len().saturating_sub(1);
        let noun = if found == 1 { "operand" } else { "operands" };
        self.error(
            span,
            format!("malformed `{}`: found {found} {noun}", special.name()),
            format!("usage: {}", super::forms::usage(special)),
        )
    }

    fn expand_if(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        match items.len() {
            3 | 4 => {
                let test = self.expand_expr(&items[1], env);
                let then = self.expand_expr(&items[2], env);
                let otherwise = match items.get(3) {
                    Some(e) => self.expand_expr(e, env),
                    None => unspecified(span),
                };
                if_expr(test, then, otherwise, span)
            }
            n => {
                let at = if n > 4 { items[4].span } else { span };
                self.error(
                    at,
                    format!("`if` expects 2 or 3 operands, found {}", n - 1),
                    "usage: (if test consequent alternative) or (if test consequent); \
                     to evaluate several expressions in a branch, wrap them in (begin ...)",
                )
            }
        }
    }

    fn expand_set(&mut self, items: &[Stx], env: EnvId, span: Span) -> Expr {
        if items.len() != 3 {
            return self.arity_error(Special::Set, items, span);
        }
        let Some(id) = items[1].as_ident() else {
            return self.error(
                items[1].span,
                "`set!` needs a variable name",
                "usage: (set! variable expression)",
            );
        };
        let value = self.expand_expr(&items[2], env);
        match self.resolve(id, env) {
            Binding::Var(v) => Expr::new(ExprKind::SetLocal(v, Box::new(value)), span),
            Binding::Global(name) => {
                self.defined_globals.insert(name.to_string());
                Expr::new(ExprKind::SetGlobal(name.to_string(), Box::new(value)), span)
            }
            Binding::Macro(_) | Binding::Special(_) => {
                let name = self.name_of(id);
                self.error(
                    items[1].span,
                    format!("cannot `set!` the syntax keyword `{name}`"),
                    "only variables can be assigned; to replace it, define a variable at the top level",
                )
            }
        }
    }
}
