//! Closure conversion decisions, computed in one bottom-up pass over a [`Program`]:
//! - which continuations become heap continuation frames (they are passed to a call, or a
//!   closure captures them) and which stay jump targets inside their block (join points);
//! - what each closure and continuation frame captures: its free variables, which are exactly
//!   the variables live on entry, captured flat in a fixed order;
//! - which variables live in a box: those assigned with `set!` and captured by some closure or
//!   continuation frame (a frame resumed twice must see the variable's current value).

use super::Optimizations;
use super::ir::{Atom, IdMap, IdSet, Program, Term, Value, Var};

#[derive(Debug)]
pub struct Analysis {
    /// Continuations (including top-level `next`s) that become continuation frames.
    pub reified: IdSet<Var>,
    /// Captured variables of each function and reified continuation, in capture order.
    pub free: IdMap<Var, Vec<Var>>,
    /// Variables held in a box.
    pub boxed: IdSet<Var>,
    /// Whether code generation may make a closure used once at its use.
    pub closures_at_use: bool,
}

impl Default for Analysis {
    fn default() -> Self {
        Analysis {
            reified: IdSet::default(),
            free: IdMap::default(),
            boxed: IdSet::default(),
            closures_at_use: true,
        }
    }
}

impl Analysis {
    pub fn is_reified(&self, k: Var) -> bool {
        self.reified.contains(&k)
    }

    pub fn free_of(&self, closure: Var) -> &[Var] {
        self.free.get(&closure).map_or(&[], Vec::as_slice)
    }
}

/// Analyzes `program`. See the module docs.
pub fn analyze(program: &Program) -> Analysis {
    analyze_with(program, Optimizations::default())
}

/// [`analyze`] with some optimizations turned off.
pub fn analyze_with(program: &Program, opts: Optimizations) -> Analysis {
    let mut a = Analyzer {
        opts,
        ..Analyzer::default()
    };
    a.out.closures_at_use = opts.closures_at_use;
    for form in &program.forms {
        a.term(&form.term);
        if form.next != program.k0
            && (!opts.join_points
                || a.call_conts.contains(&form.next)
                || a.captured.contains(&form.next))
        {
            a.out.reified.insert(form.next);
            a.out.free.insert(form.next, vec![program.k0]);
            a.captured.insert(program.k0);
        }
    }
    let Analyzer {
        mut out,
        captured,
        assigned,
        ..
    } = a;
    out.boxed = assigned.intersection(&captured).copied().collect();
    out
}

#[derive(Default)]
struct Analyzer {
    out: Analysis,
    /// Continuations passed to a call.
    call_conts: IdSet<Var>,
    /// Variables captured by some closure or continuation frame.
    captured: IdSet<Var>,
    assigned: IdSet<Var>,
    opts: Optimizations,
}

fn add_atom(set: &mut IdSet<Var>, a: &Atom) {
    if let Atom::Var(v) = a {
        set.insert(*v);
    }
}

/// Merges the smaller set into the larger one.
fn union(a: IdSet<Var>, b: IdSet<Var>) -> IdSet<Var> {
    let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    big.extend(small);
    big
}

fn sorted(set: &IdSet<Var>) -> Vec<Var> {
    let mut v: Vec<Var> = set.iter().copied().collect();
    v.sort_unstable();
    v
}

/// A step of the post-order walk: the walk keeps its own stack, so deeply nested terms (a body
/// of thousands of calls nests that deep) cost heap, not Rust stack.
enum Step<'t> {
    Visit(&'t Term),
    /// Combine the free-variable sets of the term's children, on top of the result stack.
    Finish(&'t Term),
}

impl Analyzer {
    /// Returns the free variables of `t`.
    fn term(&mut self, t: &Term) -> IdSet<Var> {
        let mut work = vec![Step::Visit(t)];
        let mut results: Vec<IdSet<Var>> = Vec::new();
        while let Some(step) = work.pop() {
            match step {
                Step::Visit(t) => match t {
                    Term::Let { body, .. } => {
                        work.push(Step::Finish(t));
                        work.push(Step::Visit(body));
                    }
                    Term::LetFun { funs, body } => {
                        work.push(Step::Finish(t));
                        work.push(Step::Visit(body));
                        work.extend(funs.iter().map(|f| Step::Visit(&f.body)));
                    }
                    Term::LetCont { cont, body } => {
                        work.push(Step::Finish(t));
                        work.push(Step::Visit(body));
                        work.push(Step::Visit(&cont.body));
                    }
                    Term::If { then, els, .. } => {
                        work.push(Step::Finish(t));
                        work.push(Step::Visit(then));
                        work.push(Step::Visit(els));
                    }
                    Term::Call { f, k, args, .. } => {
                        self.call_conts.insert(*k);
                        let mut fv = IdSet::default();
                        fv.insert(*k);
                        add_atom(&mut fv, f);
                        args.iter().for_each(|a| add_atom(&mut fv, a));
                        results.push(fv);
                    }
                    Term::Jump { k, args, .. } => {
                        let mut fv = IdSet::default();
                        fv.insert(*k);
                        args.iter().for_each(|a| add_atom(&mut fv, a));
                        results.push(fv);
                    }
                },
                Step::Finish(t) => {
                    let fv = self.finish(t, &mut results);
                    results.push(fv);
                }
            }
        }
        results
            .pop()
            .expect("the walk leaves exactly the root's set")
    }

    /// Pops the sets of `t`'s children (pushed in the reverse of the order they were queued)
    /// and returns `t`'s free variables, recording closure-conversion decisions on the way.
    fn finish(&mut self, t: &Term, results: &mut Vec<IdSet<Var>>) -> IdSet<Var> {
        let mut pop = || results.pop().expect("every child left its set");
        match t {
            Term::Let { var, value, .. } => {
                let mut fv = pop();
                fv.remove(var);
                match value {
                    Value::Atom(a) | Value::SetGlobal(_, a) | Value::DefineGlobal(_, a) => {
                        add_atom(&mut fv, a);
                    }
                    Value::Prim(_, args) => args.iter().for_each(|a| add_atom(&mut fv, a)),
                    Value::Global(_) => {}
                    Value::SetLocal(x, a) => {
                        self.assigned.insert(*x);
                        fv.insert(*x);
                        add_atom(&mut fv, a);
                    }
                }
                fv
            }
            Term::LetFun { funs, .. } => {
                let mut fv = pop();
                for fun in funs {
                    let mut inner = pop();
                    inner.remove(&fun.k);
                    for p in fun.params.iter().chain(&fun.rest) {
                        inner.remove(p);
                    }
                    self.out.free.insert(fun.var, sorted(&inner));
                    self.captured.extend(inner.iter().copied());
                    fv = union(fv, inner);
                }
                for fun in funs {
                    fv.remove(&fun.var);
                }
                fv
            }
            Term::LetCont { cont, .. } => {
                let mut fv = pop();
                let mut inner = pop();
                for p in &cont.params {
                    inner.remove(p);
                }
                let k = cont.var;
                if !self.opts.join_points
                    || self.call_conts.contains(&k)
                    || self.captured.contains(&k)
                {
                    self.out.reified.insert(k);
                    self.out.free.insert(k, sorted(&inner));
                    self.captured.extend(inner.iter().copied());
                }
                fv.remove(&k);
                union(fv, inner)
            }
            Term::If { cond, .. } => {
                let (a, b) = (pop(), pop());
                let mut fv = union(a, b);
                add_atom(&mut fv, cond);
                fv
            }
            Term::Call { .. } | Term::Jump { .. } => unreachable!("leaves are never finished"),
        }
    }
}
