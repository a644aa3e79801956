//! Closure conversion decisions, computed in one bottom-up pass over a [`Program`]:
//! - which continuations become heap continuation frames (they are passed to a call, or a
//!   closure captures them) and which stay jump targets inside their block (join points);
//! - what each closure and continuation frame captures: its free variables, which are exactly
//!   the variables live on entry, captured flat in a fixed order;
//! - which variables live in a box: those assigned with `set!` and captured by some closure or
//!   continuation frame (a frame resumed twice must see the variable's current value).

use std::collections::{HashMap, HashSet};

use super::Optimizations;
use super::ir::{Atom, Program, Term, Value, Var};

#[derive(Debug)]
pub struct Analysis {
    /// Continuations (including top-level `next`s) that become continuation frames.
    pub reified: HashSet<Var>,
    /// Captured variables of each function and reified continuation, in capture order.
    pub free: HashMap<Var, Vec<Var>>,
    /// Variables held in a box.
    pub boxed: HashSet<Var>,
    /// Whether code generation may make a closure used once at its use.
    pub closures_at_use: bool,
}

impl Default for Analysis {
    fn default() -> Self {
        Analysis {
            reified: HashSet::new(),
            free: HashMap::new(),
            boxed: HashSet::new(),
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
    call_conts: HashSet<Var>,
    /// Variables captured by some closure or continuation frame.
    captured: HashSet<Var>,
    assigned: HashSet<Var>,
    opts: Optimizations,
}

fn add_atom(set: &mut HashSet<Var>, a: &Atom) {
    if let Atom::Var(v) = a {
        set.insert(*v);
    }
}

/// Merges the smaller set into the larger one.
fn union(a: HashSet<Var>, b: HashSet<Var>) -> HashSet<Var> {
    let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    big.extend(small);
    big
}

fn sorted(set: &HashSet<Var>) -> Vec<Var> {
    let mut v: Vec<Var> = set.iter().copied().collect();
    v.sort_unstable();
    v
}

impl Analyzer {
    /// Returns the free variables of `t`.
    fn term(&mut self, t: &Term) -> HashSet<Var> {
        match t {
            Term::Let {
                var, value, body, ..
            } => {
                let mut fv = self.term(body);
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
            Term::LetFun { funs, body } => {
                let mut fv = self.term(body);
                for fun in funs {
                    let mut inner = self.term(&fun.body);
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
            Term::LetCont { cont, body } => {
                let mut fv = self.term(body);
                let mut inner = self.term(&cont.body);
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
            Term::Call { f, k, args, .. } => {
                self.call_conts.insert(*k);
                let mut fv = HashSet::new();
                fv.insert(*k);
                add_atom(&mut fv, f);
                args.iter().for_each(|a| add_atom(&mut fv, a));
                fv
            }
            Term::Jump { k, args, .. } => {
                let mut fv = HashSet::new();
                fv.insert(*k);
                args.iter().for_each(|a| add_atom(&mut fv, a));
                fv
            }
            Term::If {
                cond, then, els, ..
            } => {
                let mut fv = union(self.term(then), self.term(els));
                add_atom(&mut fv, cond);
                fv
            }
        }
    }
}
