//! core -> CPS, in one pass with compile-time ("meta") continuations in the style of Danvy and
//! Filinski: the continuation of a subexpression is a Rust closure until a call needs a real
//! one, so `(f (g x))` makes one continuation, not one per subexpression, and constants and
//! variables never get bound to temporaries. A non-tail `if` binds its continuation once as a join
//! point instead of copying it into both branches.

use std::collections::HashSet;
use std::rc::Rc;

use super::ir::{Atom, Cont, Fun, IdMap, IdSet, Program, Term, TopForm, Value, Var};
use super::{Optimizations, fold};
use crate::bytecode::{Constant, PrimOp};
use crate::core::{self, Expr, ExprKind, Lambda, VarId};
use crate::datum::{Datum, DatumKind};
use crate::span::Span;

/// Converts an expanded program to CPS. A call of a global named like a [`PrimOp`] becomes the
/// inline primitive unless this program defines or assigns that global, or `redefined` says an
/// earlier unit did.
pub fn convert<'p>(program: &'p core::Program, redefined: &'p dyn Fn(&str) -> bool) -> Program {
    convert_with(program, redefined, Optimizations::default())
}

/// [`convert`] with some optimizations turned off.
pub fn convert_with<'p>(
    program: &'p core::Program,
    redefined: &'p dyn Fn(&str) -> bool,
    opts: Optimizations,
) -> Program {
    let mut set_targets = IdSet::default();
    let mut user_globals = HashSet::new();
    for form in &program.body {
        collect_assignments(form, &mut set_targets, &mut user_globals);
    }
    let mut cv = Converter {
        core_names: &program.var_names,
        names: Vec::new(),
        env: IdMap::default(),
        assigned: set_targets.clone(),
        uninitialized: IdSet::default(),
        set_targets,
        user_globals,
        redefined,
        opts,
    };
    let k0 = cv.fresh("k");
    let last = program.body.len().saturating_sub(1);
    let mut forms = Vec::with_capacity(program.body.len());
    for (i, form) in program.body.iter().enumerate() {
        let next = if i == last { k0 } else { cv.fresh("k") };
        let term = cv.expr(form, Ctx::Tail(next));
        forms.push(TopForm {
            next,
            term,
            span: form.span,
        });
    }
    if forms.is_empty() {
        let term = Term::Jump {
            k: k0,
            args: vec![unspecified()],
            span: Span::SYNTHETIC,
        };
        forms.push(TopForm {
            next: k0,
            term,
            span: Span::SYNTHETIC,
        });
    }
    Program {
        k0,
        forms,
        names: cv.names,
    }
}

/// Where a subexpression's value goes.
enum Ctx<'p> {
    /// To a continuation variable: the expression is in tail position.
    Tail(Var),
    /// To the rest of the conversion, which builds the term that uses the value.
    Meta(Meta<'p>),
}

type Meta<'p> = Box<dyn FnOnce(&mut Converter<'p>, Atom) -> Term + 'p>;
type MetaN<'p> = Box<dyn FnOnce(&mut Converter<'p>, Vec<Atom>) -> Term + 'p>;

struct Converter<'p> {
    core_names: &'p [String],
    names: Vec<String>,
    /// What each core variable in scope stands for. Core variables are unique, so entries are
    /// never shadowed and need no removal.
    env: IdMap<VarId, Atom>,
    /// Targets of `set!` anywhere in the program.
    set_targets: IdSet<VarId>,
    /// Variables whose value changes after binding: `set!` targets and `letrec` variables used
    /// before their initializer ran. Every read of one is copied into a fresh variable at the point
    /// of the read, so later atoms never see a later assignment.
    assigned: IdSet<VarId>,
    /// `letrec` variables whose initializer has not run at the point being converted, yet may
    /// be read there (directly, or by a procedure an earlier initializer calls). Each read of
    /// one is checked at run time: reading the `Uninitialized` marker is an error, not a value.
    uninitialized: IdSet<VarId>,
    /// Globals this unit defines or assigns: calls to them are never inlined as primitives.
    user_globals: HashSet<&'p str>,
    /// Globals earlier units defined or assigned.
    redefined: &'p dyn Fn(&str) -> bool,
    opts: Optimizations,
}

fn unspecified() -> Atom {
    Atom::Const(Constant::Unspecified)
}

/// A copy of `d` without source positions, so that equal constants are equal values.
fn strip_spans(d: &Datum) -> Datum {
    let kind = match &d.kind {
        DatumKind::List(items, tail) => DatumKind::List(
            items.iter().map(strip_spans).collect(),
            tail.as_ref().map(|t| Box::new(strip_spans(t))),
        ),
        DatumKind::Vector(items) => DatumKind::Vector(items.iter().map(strip_spans).collect()),
        other => other.clone(),
    };
    Datum::synthetic(kind)
}

fn collect_assignments<'p>(e: &'p Expr, locals: &mut IdSet<VarId>, globals: &mut HashSet<&'p str>) {
    walk(e, &mut |e| match &e.kind {
        ExprKind::SetLocal(v, _) => {
            locals.insert(*v);
        }
        ExprKind::SetGlobal(name, _) | ExprKind::DefineGlobal(name, _) => {
            globals.insert(name.as_str());
        }
        _ => {}
    });
}

/// Core variables referenced (read or assigned) anywhere inside `e`.
fn references(e: &Expr) -> IdSet<VarId> {
    let mut out = IdSet::default();
    walk(e, &mut |e| {
        if let ExprKind::Local(v) | ExprKind::SetLocal(v, _) = &e.kind {
            out.insert(*v);
        }
    });
    out
}

/// Calls `visit` on `e` and every expression inside it, lambda bodies included.
fn walk<'p>(e: &'p Expr, visit: &mut impl FnMut(&'p Expr)) {
    visit(e);
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Unspecified | ExprKind::Local(_) | ExprKind::Global(_) => {}
        ExprKind::SetLocal(_, x) | ExprKind::SetGlobal(_, x) | ExprKind::DefineGlobal(_, x) => {
            walk(x, visit);
        }
        ExprKind::If(c, t, f) => {
            walk(c, visit);
            walk(t, visit);
            walk(f, visit);
        }
        ExprKind::Lambda(l) => walk(&l.body, visit),
        ExprKind::Seq(es) => es.iter().for_each(|x| walk(x, visit)),
        ExprKind::Call(f, args) => {
            walk(f, visit);
            args.iter().for_each(|x| walk(x, visit));
        }
        ExprKind::Let(binds, body) | ExprKind::Letrec(binds, body) => {
            binds.iter().for_each(|(_, x)| walk(x, visit));
            walk(body, visit);
        }
    }
}

/// One step of a `letrec*`, in source order.
enum Step<'p> {
    /// Consecutive lambdas that no earlier initializer refers to: one group of closures.
    Funs(Vec<(VarId, &'p Lambda)>),
    /// A variable bound when its initializer has run.
    Bind(VarId, &'p Expr),
    /// A variable referred to before its initializer ran: it starts uninitialized and is
    /// assigned by the initializer.
    Late(VarId, &'p Expr),
}

impl<'p> Converter<'p> {
    fn fresh(&mut self, base: &str) -> Var {
        let v = Var(u32::try_from(self.names.len()).expect("fewer than 2^32 CPS variables"));
        self.names.push(base.to_owned());
        v
    }

    fn fresh_for(&mut self, v: VarId) -> Var {
        let base = self
            .core_names
            .get(v.0 as usize)
            .map_or("x", String::as_str)
            .to_owned();
        self.fresh(&base)
    }

    fn lookup(&self, v: VarId) -> Atom {
        self.env
            .get(&v)
            .cloned()
            .expect("core variable used outside its scope (expander bug)")
    }

    fn lookup_var(&self, v: VarId) -> Var {
        match self.lookup(v) {
            Atom::Var(x) => x,
            Atom::Const(_) => unreachable!("assigned variables are always bound to a variable"),
        }
    }

    fn ret(&mut self, ctx: Ctx<'p>, atom: Atom, span: Span) -> Term {
        match ctx {
            Ctx::Tail(k) => Term::Jump {
                k,
                args: vec![atom],
                span,
            },
            Ctx::Meta(m) => m(self, atom),
        }
    }

    /// `let t = value in <ctx applied to t>`.
    fn bind(&mut self, value: Value, span: Span, ctx: Ctx<'p>) -> Term {
        let var = self.fresh("t");
        let body = Box::new(self.ret(ctx, Atom::Var(var), span));
        Term::Let {
            var,
            value,
            body,
            span,
        }
    }

    /// An effect whose result is the unspecified value.
    fn effect(&mut self, value: Value, span: Span, ctx: Ctx<'p>) -> Term {
        let var = self.fresh("_");
        let body = Box::new(self.ret(ctx, unspecified(), span));
        Term::Let {
            var,
            value,
            body,
            span,
        }
    }

    /// Makes `ctx` a continuation variable (binding a new continuation if it is a meta one) and
    /// builds the call that uses it.
    fn reify(&mut self, ctx: Ctx<'p>, span: Span, build: impl FnOnce(Var) -> Term) -> Term {
        match ctx {
            Ctx::Tail(k) => build(k),
            Ctx::Meta(m) => {
                let k = self.fresh("k");
                let v = self.fresh("v");
                let body = m(self, Atom::Var(v));
                let cont = Box::new(Cont {
                    var: k,
                    params: vec![v],
                    body,
                    span,
                });
                Term::LetCont {
                    cont,
                    body: Box::new(build(k)),
                }
            }
        }
    }

    fn expr(&mut self, e: &'p Expr, ctx: Ctx<'p>) -> Term {
        self.expr_named(e, None, ctx)
    }

    /// Converts `e`; `hint` names the procedure if `e` is an anonymous lambda.
    fn expr_named(&mut self, e: &'p Expr, hint: Option<&str>, ctx: Ctx<'p>) -> Term {
        let span = e.span;
        match &e.kind {
            ExprKind::Const(d) => self.ret(ctx, Atom::Const(Constant::Datum(strip_spans(d))), span),
            ExprKind::Unspecified => self.ret(ctx, unspecified(), span),
            ExprKind::Local(v) => {
                let atom = self.lookup(*v);
                if self.uninitialized.contains(v) {
                    let name = self
                        .core_names
                        .get(v.0 as usize)
                        .map_or("?", String::as_str);
                    let name = Atom::Const(Constant::Datum(Datum::synthetic(DatumKind::Symbol(
                        name.to_owned(),
                    ))));
                    // Copied first, like any read of an assigned variable (it may be boxed).
                    let copy = self.fresh("t");
                    let check = Value::Prim(PrimOp::CheckInitialized, vec![Atom::Var(copy), name]);
                    Term::Let {
                        var: copy,
                        value: Value::Atom(atom),
                        body: Box::new(self.bind(check, span, ctx)),
                        span,
                    }
                } else if self.assigned.contains(v) {
                    self.bind(Value::Atom(atom), span, ctx)
                } else {
                    self.ret(ctx, atom, span)
                }
            }
            ExprKind::Global(name) => self.bind(Value::Global(name.clone()), span, ctx),
            ExprKind::SetLocal(v, rhs) => {
                let x = self.lookup_var(*v);
                let then = move |s: &mut Self, a| s.effect(Value::SetLocal(x, a), span, ctx);
                self.expr(rhs, Ctx::Meta(Box::new(then)))
            }
            ExprKind::SetGlobal(name, rhs) => {
                let then =
                    move |s: &mut Self, a| s.effect(Value::SetGlobal(name.clone(), a), span, ctx);
                self.expr(rhs, Ctx::Meta(Box::new(then)))
            }
            ExprKind::DefineGlobal(name, rhs) => {
                let then = move |s: &mut Self, a| {
                    s.effect(Value::DefineGlobal(name.clone(), a), span, ctx)
                };
                self.expr_named(rhs, Some(name), Ctx::Meta(Box::new(then)))
            }
            ExprKind::If(..) if let Ctx::Tail(k) = ctx => self.tail_if(e, k),
            ExprKind::If(c, t, f) => {
                let then = move |s: &mut Self, cond| s.branch(cond, t, f, span, ctx);
                self.expr(c, Ctx::Meta(Box::new(then)))
            }
            ExprKind::Lambda(l) => {
                let name = l.name.as_deref().or(hint).unwrap_or("f").to_owned();
                let var = self.fresh(&name);
                let fun = self.lambda(l, var, hint);
                let body = Box::new(self.ret(ctx, Atom::Var(var), span));
                Term::LetFun {
                    funs: vec![fun],
                    body,
                }
            }
            ExprKind::Seq(es) => self.seq(es, ctx),
            ExprKind::Call(f, args) => self.call(f, args, span, ctx),
            ExprKind::Let(binds, body) => {
                let inits = binds.iter().map(|(_, init)| init).collect::<Vec<_>>();
                let then = move |s: &mut Self, atoms: Vec<Atom>| {
                    let vars = binds.iter().map(|(v, _)| *v);
                    s.bind_locals(vars.zip(atoms).collect(), span, |s| s.expr(body, ctx))
                };
                self.exprs(inits.into_iter(), Vec::new(), Box::new(then))
            }
            ExprKind::Letrec(binds, body) => self.letrec(binds, body, span, ctx),
        }
    }

    fn lambda(&mut self, l: &'p Lambda, var: Var, hint: Option<&str>) -> Fun {
        let k = self.fresh("k");
        let bind_param = |s: &mut Self, p: VarId| {
            let x = s.fresh_for(p);
            s.env.insert(p, Atom::Var(x));
            x
        };
        let params = l.params.iter().map(|&p| bind_param(self, p)).collect();
        let rest = l.rest.map(|p| bind_param(self, p));
        let body = self.expr(&l.body, Ctx::Tail(k));
        let name = l.name.clone().or_else(|| hint.map(str::to_owned));
        Fun {
            var,
            name,
            k,
            params,
            rest,
            body,
            span: l.span,
        }
    }

    /// A sequence, converted from its last expression backwards: the values of the others are
    /// ignored, so the term that follows each one exists before it is converted, and a body of
    /// thousands of statements does not make the conversion recurse thousands deep.
    fn seq(&mut self, es: &'p [Expr], ctx: Ctx<'p>) -> Term {
        let Some((last, init)) = es.split_last() else {
            return self.ret(ctx, unspecified(), Span::SYNTHETIC);
        };
        let mut term = self.expr(last, ctx);
        for e in init.iter().rev() {
            term = self.expr(e, Ctx::Meta(Box::new(move |_: &mut Self, _| term)));
        }
        term
    }

    /// An `if` in tail position, and the `if`s in tail position in its arms (a `cond`, `case`
    /// or `and` chain), converted arms first with an explicit stack: both arms go to `k`, so
    /// neither depends on the test, and a chain of a thousand clauses does not nest the
    /// conversion a thousand deep.
    fn tail_if(&mut self, root: &'p Expr, k: Var) -> Term {
        enum Step<'p> {
            Visit(&'p Expr),
            /// Both arms are converted: convert the test and join them.
            Join(&'p Expr, Span),
        }
        let mut work = vec![Step::Visit(root)];
        let mut done: Vec<Term> = Vec::new();
        while let Some(step) = work.pop() {
            match step {
                Step::Visit(e) => match &e.kind {
                    ExprKind::If(c, t, f) => {
                        work.push(Step::Join(c, e.span));
                        work.push(Step::Visit(t));
                        work.push(Step::Visit(f));
                    }
                    _ => {
                        let term = self.expr_not_tail_if(e, k);
                        done.push(term);
                    }
                },
                Step::Join(c, span) => {
                    let then = done.pop().expect("the then arm was converted");
                    let els = done.pop().expect("the else arm was converted");
                    let join = move |s: &mut Self, cond: Atom| s.join_arms(cond, then, els, span);
                    let term = self.expr(c, Ctx::Meta(Box::new(join)));
                    done.push(term);
                }
            }
        }
        done.pop().expect("the root was converted")
    }

    /// Converts `e` (not an `if`) in tail position.
    fn expr_not_tail_if(&mut self, e: &'p Expr, k: Var) -> Term {
        self.expr(e, Ctx::Tail(k))
    }

    fn join_arms(&mut self, cond: Atom, then: Term, els: Term, span: Span) -> Term {
        if self.opts.fold_constants
            && let Atom::Const(Constant::Datum(d)) = &cond
        {
            return if matches!(d.kind, DatumKind::Bool(false)) {
                els
            } else {
                then
            };
        }
        Term::If {
            cond,
            then: Box::new(then),
            els: Box::new(els),
            span,
        }
    }

    fn branch(&mut self, cond: Atom, t: &'p Expr, f: &'p Expr, span: Span, ctx: Ctx<'p>) -> Term {
        if self.opts.fold_constants
            && let Atom::Const(Constant::Datum(d)) = &cond
        {
            let is_false = matches!(d.kind, DatumKind::Bool(false));
            return self.expr(if is_false { f } else { t }, ctx);
        }
        match ctx {
            Ctx::Tail(k) => {
                let then = Box::new(self.expr(t, Ctx::Tail(k)));
                let els = Box::new(self.expr(f, Ctx::Tail(k)));
                Term::If {
                    cond,
                    then,
                    els,
                    span,
                }
            }
            Ctx::Meta(m) => {
                let j = self.fresh("j");
                let v = self.fresh("v");
                let join = m(self, Atom::Var(v));
                let then = Box::new(self.expr(t, Ctx::Tail(j)));
                let els = Box::new(self.expr(f, Ctx::Tail(j)));
                let body = Box::new(Term::If {
                    cond,
                    then,
                    els,
                    span,
                });
                Term::LetCont {
                    cont: Box::new(Cont {
                        var: j,
                        params: vec![v],
                        body: join,
                        span,
                    }),
                    body,
                }
            }
        }
    }

    /// Converts `es` left to right, then hands their atoms to `k`.
    fn exprs(
        &mut self,
        mut pending: std::vec::IntoIter<&'p Expr>,
        mut acc: Vec<Atom>,
        k: MetaN<'p>,
    ) -> Term {
        // Trivial operands are taken in a loop: only an operand that computes something needs a
        // continuation (and a level of recursion).
        loop {
            match pending.next() {
                None => return k(self, acc),
                Some(e) => match self.trivial(e) {
                    Some(a) => acc.push(a),
                    None => {
                        let then = move |s: &mut Self, a| {
                            acc.push(a);
                            s.exprs(pending, acc, k)
                        };
                        return self.expr(e, Ctx::Meta(Box::new(then)));
                    }
                },
            }
        }
    }

    /// The atom of a constant or an unassigned local, which need no code.
    fn trivial(&self, e: &Expr) -> Option<Atom> {
        match &e.kind {
            ExprKind::Const(d) => Some(Atom::Const(Constant::Datum(strip_spans(d)))),
            ExprKind::Unspecified => Some(unspecified()),
            ExprKind::Local(v) if !self.assigned.contains(v) => Some(self.lookup(*v)),
            _ => None,
        }
    }

    fn call(&mut self, f: &'p Expr, args: &'p [Expr], span: Span, ctx: Ctx<'p>) -> Term {
        if let ExprKind::Global(name) = &f.kind
            && self.opts.inline_primitives
            && !self.user_globals.contains(name.as_str())
            && !(self.redefined)(name)
            && let Some(op) = PrimOp::lookup(name, args.len())
        {
            let then = move |s: &mut Self, atoms: Vec<Atom>| s.prim(op, atoms, span, ctx);
            return self.exprs(
                args.iter().collect::<Vec<_>>().into_iter(),
                Vec::new(),
                Box::new(then),
            );
        }
        if let ExprKind::Lambda(l) = &f.kind
            && l.rest.is_none()
            && l.params.len() == args.len()
        {
            // ((lambda (x ...) body) arg ...) is a `let`.
            let then = move |s: &mut Self, atoms: Vec<Atom>| {
                let binds = l.params.iter().copied().zip(atoms).collect();
                s.bind_locals(binds, span, |s| s.expr(&l.body, ctx))
            };
            return self.exprs(
                args.iter().collect::<Vec<_>>().into_iter(),
                Vec::new(),
                Box::new(then),
            );
        }
        if let ExprKind::Global(name) = &f.kind {
            // The usual operator: loaded without a continuation (and a level of recursion).
            let var = self.fresh("t");
            let then_args = move |s: &mut Self, atoms: Vec<Atom>| {
                s.reify(ctx, span, |k| Term::Call {
                    f: Atom::Var(var),
                    k,
                    args: atoms,
                    span,
                })
            };
            let body = self.exprs(
                args.iter().collect::<Vec<_>>().into_iter(),
                Vec::new(),
                Box::new(then_args),
            );
            let value = Value::Global(name.clone());
            return Term::Let {
                var,
                value,
                body: Box::new(body),
                span: f.span,
            };
        }
        let then = move |s: &mut Self, fa: Atom| {
            let then_args = move |s: &mut Self, atoms: Vec<Atom>| {
                s.reify(ctx, span, |k| Term::Call {
                    f: fa,
                    k,
                    args: atoms,
                    span,
                })
            };
            s.exprs(
                args.iter().collect::<Vec<_>>().into_iter(),
                Vec::new(),
                Box::new(then_args),
            )
        };
        self.expr(f, Ctx::Meta(Box::new(then)))
    }

    fn prim(&mut self, op: PrimOp, atoms: Vec<Atom>, span: Span, ctx: Ctx<'p>) -> Term {
        if self.opts.fold_constants
            && let Some(c) = fold::fold(op, &atoms)
        {
            return self.ret(ctx, Atom::Const(c), span);
        }
        self.bind(Value::Prim(op, atoms), span, ctx)
    }

    /// Binds core variables to atoms, then builds the body. Atoms that come out of the
    /// conversion never change, so a variable that is not assigned simply stands for its atom;
    /// an assigned one gets a fresh variable holding a copy.
    fn bind_locals(
        &mut self,
        binds: Vec<(VarId, Atom)>,
        span: Span,
        body: impl FnOnce(&mut Self) -> Term,
    ) -> Term {
        let mut copies = Vec::new();
        for (v, atom) in binds {
            if self.assigned.contains(&v) {
                let x = self.fresh_for(v);
                self.env.insert(v, Atom::Var(x));
                copies.push((x, atom));
            } else {
                self.env.insert(v, atom);
            }
        }
        let mut term = body(self);
        for (var, atom) in copies.into_iter().rev() {
            term = Term::Let {
                var,
                value: Value::Atom(atom),
                body: Box::new(term),
                span,
            };
        }
        term
    }

    fn letrec(
        &mut self,
        binds: &'p [(VarId, Expr)],
        body: &'p Expr,
        span: Span,
        ctx: Ctx<'p>,
    ) -> Term {
        let index: IdMap<VarId, usize> = binds
            .iter()
            .enumerate()
            .map(|(i, (v, _))| (*v, i))
            .collect();
        // run[i]: the group of consecutive lambdas binding i belongs to, if it is one.
        let mut run = vec![None; binds.len()];
        let mut next_run = 0;
        for (i, (v, init)) in binds.iter().enumerate() {
            if matches!(init.kind, ExprKind::Lambda(_)) && !self.set_targets.contains(v) {
                if i == 0 || run[i - 1].is_none() {
                    next_run += 1;
                }
                run[i] = Some(next_run);
            }
        }
        // A variable is early if an initializer that runs before it is bound refers to it.
        let mut early = vec![false; binds.len()];
        for (j, (_, init)) in binds.iter().enumerate() {
            for r in references(init) {
                if let Some(&i) = index.get(&r)
                    && (i > j || (i == j && run[i].is_none()))
                    && (run[i].is_none() || run[i] != run[j])
                {
                    early[i] = true;
                }
            }
        }
        // A lambda group with an early member is converted binding by binding.
        let early_runs: HashSet<usize> = (0..binds.len())
            .filter(|&i| early[i])
            .filter_map(|i| run[i])
            .collect();
        let mut steps = Vec::new();
        let mut late = Vec::new();
        for (i, (v, init)) in binds.iter().enumerate() {
            match (run[i], &init.kind) {
                (Some(r), ExprKind::Lambda(l)) if !early_runs.contains(&r) => {
                    if let Some(Step::Funs(group)) = steps.last_mut()
                        && i > 0
                        && run[i - 1] == Some(r)
                    {
                        group.push((*v, &**l));
                    } else {
                        steps.push(Step::Funs(vec![(*v, &**l)]));
                    }
                }
                _ if early[i] || run[i].is_some_and(|r| early_runs.contains(&r)) => {
                    let x = self.fresh_for(*v);
                    self.env.insert(*v, Atom::Var(x));
                    self.assigned.insert(*v);
                    self.uninitialized.insert(*v);
                    late.push(x);
                    steps.push(Step::Late(*v, init));
                }
                _ => steps.push(Step::Bind(*v, init)),
            }
        }
        let mut term = self.letrec_steps(Rc::new(steps), 0, body, span, ctx);
        for var in late.into_iter().rev() {
            let value = Value::Atom(Atom::Const(Constant::Uninitialized));
            term = Term::Let {
                var,
                value,
                body: Box::new(term),
                span,
            };
        }
        term
    }

    fn letrec_steps(
        &mut self,
        steps: Rc<Vec<Step<'p>>>,
        i: usize,
        body: &'p Expr,
        span: Span,
        ctx: Ctx<'p>,
    ) -> Term {
        let Some(step) = steps.get(i) else {
            return self.expr(body, ctx);
        };
        match *step {
            Step::Funs(ref group) => {
                let vars: Vec<Var> = group
                    .iter()
                    .map(|&(v, _)| {
                        let x = self.fresh_for(v);
                        self.env.insert(v, Atom::Var(x));
                        x
                    })
                    .collect();
                let funs = group
                    .iter()
                    .zip(vars)
                    .map(|(&(v, l), x)| {
                        let hint = self.core_names.get(v.0 as usize).map(String::as_str);
                        self.lambda(l, x, hint)
                    })
                    .collect();
                let rest = self.letrec_steps(Rc::clone(&steps), i + 1, body, span, ctx);
                Term::LetFun {
                    funs,
                    body: Box::new(rest),
                }
            }
            Step::Late(v, init) => {
                let x = self.lookup_var(v);
                let then = move |s: &mut Self, a| {
                    // Code converted from here on runs after the assignment.
                    s.uninitialized.remove(&v);
                    let var = s.fresh("_");
                    let rest = s.letrec_steps(steps, i + 1, body, span, ctx);
                    Term::Let {
                        var,
                        value: Value::SetLocal(x, a),
                        body: Box::new(rest),
                        span,
                    }
                };
                self.expr_named(
                    init,
                    self.core_names.get(v.0 as usize).map(String::as_str),
                    Ctx::Meta(Box::new(then)),
                )
            }
            Step::Bind(v, init) => {
                let then = move |s: &mut Self, a| {
                    s.bind_locals(vec![(v, a)], span, |s| {
                        s.letrec_steps(steps, i + 1, body, span, ctx)
                    })
                };
                self.expr_named(
                    init,
                    self.core_names.get(v.0 as usize).map(String::as_str),
                    Ctx::Meta(Box::new(then)),
                )
            }
        }
    }
}
