//! A small evaluator of the core language, for tests only: it checks that expansions *mean* what
//! they should (hygiene, derived forms, the runtime-helper protocol of
//! docs/runtime-interface.md), not merely that they print a certain way. Recursive and slow on
//! purpose; no call/cc.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use pscheme_compiler::core::{Expr, ExprKind, Lambda, Program, VarId};
use pscheme_compiler::datum::{Datum, DatumKind};

#[derive(Clone)]
pub enum V {
    Int(i64),
    Bool(bool),
    Sym(String),
    Str(String),
    Null,
    Unspecified,
    Pair(Rc<RefCell<(V, V)>>),
    Vector(Rc<RefCell<Vec<V>>>),
    Closure(Rc<Lambda>, Rc<Scope>),
    Prim(&'static str),
    CaseLambda(Vec<V>),
    Values(Vec<V>),
    RecordType(Rc<(String, usize)>),
    Record(Rc<(String, usize)>, Rc<RefCell<Vec<V>>>),
    Promise(Rc<RefCell<(bool, V)>>),
    Parameter(Rc<RefCell<V>>, Box<V>),
    /// An escape-only continuation (valid while its `%call/cc` is running).
    Escape(u64),
}

/// The payload of the unwinding that implements an escape; the value travels in the machine.
struct EscapeTo(u64);

pub struct Scope {
    vars: Vec<(VarId, Rc<RefCell<V>>)>,
    parent: Option<Rc<Scope>>,
}

impl Scope {
    fn lookup(&self, v: VarId) -> Rc<RefCell<V>> {
        let mut scope = self;
        loop {
            if let Some((_, cell)) = scope.vars.iter().find(|(id, _)| *id == v) {
                return cell.clone();
            }
            scope = scope
                .parent
                .as_deref()
                .unwrap_or_else(|| panic!("unbound local {v:?}"));
        }
    }
}

impl fmt::Display for V {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            V::Int(n) => write!(f, "{n}"),
            V::Bool(b) => write!(f, "{}", if *b { "#t" } else { "#f" }),
            V::Sym(s) => write!(f, "{s}"),
            V::Str(s) => write!(f, "{s:?}"),
            V::Null => write!(f, "()"),
            V::Unspecified => write!(f, "#<unspecified>"),
            V::Pair(p) => {
                write!(f, "({}", p.borrow().0)?;
                let mut rest = p.borrow().1.clone();
                loop {
                    match rest {
                        V::Null => break,
                        V::Pair(q) => {
                            write!(f, " {}", q.borrow().0)?;
                            let next = q.borrow().1.clone();
                            rest = next;
                        }
                        other => {
                            write!(f, " . {other}")?;
                            break;
                        }
                    }
                }
                write!(f, ")")
            }
            V::Vector(items) => {
                let items: Vec<String> = items.borrow().iter().map(ToString::to_string).collect();
                write!(f, "#({})", items.join(" "))
            }
            V::Values(vs) => {
                let items: Vec<String> = vs.iter().map(ToString::to_string).collect();
                write!(f, "(values {})", items.join(" "))
            }
            V::Record(t, _) => write!(f, "#<{}>", t.0),
            _ => write!(f, "#<procedure>"),
        }
    }
}

fn truthy(v: &V) -> bool {
    !matches!(v, V::Bool(false))
}

pub fn list(items: Vec<V>) -> V {
    items
        .into_iter()
        .rev()
        .fold(V::Null, |acc, x| V::Pair(Rc::new(RefCell::new((x, acc)))))
}

fn to_vec(mut v: V) -> Vec<V> {
    let mut out = Vec::new();
    while let V::Pair(p) = v {
        out.push(p.borrow().0.clone());
        let next = p.borrow().1.clone();
        v = next;
    }
    out
}

fn datum(d: &Datum) -> V {
    match &d.kind {
        DatumKind::Int(n) => V::Int(*n),
        DatumKind::Bool(b) => V::Bool(*b),
        DatumKind::Symbol(s) => V::Sym(s.clone()),
        DatumKind::Str(s) => V::Str(s.clone()),
        DatumKind::List(items, tail) => {
            let tail = tail.as_ref().map_or(V::Null, |t| datum(t));
            items.iter().rev().fold(tail, |acc, x| {
                V::Pair(Rc::new(RefCell::new((datum(x), acc))))
            })
        }
        DatumKind::Vector(items) => {
            V::Vector(Rc::new(RefCell::new(items.iter().map(datum).collect())))
        }
        other => panic!("test evaluator: unsupported constant {other:?}"),
    }
}

fn eqv(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Int(x), V::Int(y)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Sym(x), V::Sym(y)) => x == y,
        (V::Null, V::Null) => true,
        (V::Pair(x), V::Pair(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

const PRIMS: &[&str] = &[
    "+",
    "-",
    "*",
    "<",
    "=",
    ">",
    "list",
    "cons",
    "car",
    "cdr",
    "null?",
    "pair?",
    "not",
    "eq?",
    "eqv?",
    "memv",
    "values",
    "call-with-values",
    "vector",
    "make-parameter",
    "force",
    "display",
    "symbol?",
    "%cons",
    "%list",
    "%append",
    "%list->vector",
    "%eqv?",
    "%memv",
    "%apply",
    "%values",
    "%call-with-values",
    "%make-record-type",
    "%record",
    "%record?",
    "%record-ref",
    "%record-set!",
    "%make-promise",
    "%parameter-converter",
    "%parameterize",
    "%case-lambda",
    "%call/cc",
    "%with-exception-handler",
    "%raise-continuable",
    "raise",
    "string?",
];

pub struct Machine {
    pub globals: HashMap<String, V>,
    pub output: Vec<String>,
    fuel: u64,
    handlers: Vec<V>,
    next_escape: u64,
    escaping: Option<V>,
}

impl Machine {
    pub fn new() -> Self {
        let globals = PRIMS.iter().map(|p| (p.to_string(), V::Prim(p))).collect();
        Machine {
            globals,
            output: Vec::new(),
            fuel: 1_000_000,
            handlers: Vec::new(),
            next_escape: 0,
            escaping: None,
        }
    }

    pub fn run(&mut self, program: &Program) -> V {
        let top = Rc::new(Scope {
            vars: Vec::new(),
            parent: None,
        });
        let mut last = V::Unspecified;
        for form in &program.body {
            last = self.eval(form, &top);
        }
        last
    }

    fn eval(&mut self, e: &Expr, scope: &Rc<Scope>) -> V {
        self.fuel = self
            .fuel
            .checked_sub(1)
            .expect("test evaluator ran out of fuel");
        match &e.kind {
            ExprKind::Const(d) => datum(d),
            ExprKind::Unspecified => V::Unspecified,
            ExprKind::Local(v) => scope.lookup(*v).borrow().clone(),
            ExprKind::Global(name) => self
                .globals
                .get(name)
                .cloned()
                .unwrap_or_else(|| panic!("unbound global {name}")),
            ExprKind::SetLocal(v, value) => {
                let value = self.eval(value, scope);
                *scope.lookup(*v).borrow_mut() = value;
                V::Unspecified
            }
            ExprKind::SetGlobal(name, value) | ExprKind::DefineGlobal(name, value) => {
                let value = self.eval(value, scope);
                if matches!(e.kind, ExprKind::SetGlobal(..)) {
                    assert!(
                        self.globals.contains_key(name),
                        "set! of unbound global {name}"
                    );
                }
                self.globals.insert(name.clone(), value);
                V::Unspecified
            }
            ExprKind::If(c, t, f) => {
                if truthy(&self.eval(c, scope)) {
                    self.eval(t, scope)
                } else {
                    self.eval(f, scope)
                }
            }
            ExprKind::Lambda(lam) => V::Closure(lam.clone(), scope.clone()),
            ExprKind::Seq(exprs) => {
                let mut last = V::Unspecified;
                for x in exprs {
                    last = self.eval(x, scope);
                }
                last
            }
            ExprKind::Call(f, args) => {
                let f = self.eval(f, scope);
                let args = args.iter().map(|a| self.eval(a, scope)).collect();
                self.apply(f, args)
            }
            ExprKind::Let(pairs, body) => {
                let vars = pairs
                    .iter()
                    .map(|(v, x)| (*v, Rc::new(RefCell::new(self.eval(x, scope)))))
                    .collect();
                let inner = Rc::new(Scope {
                    vars,
                    parent: Some(scope.clone()),
                });
                self.eval(body, &inner)
            }
            ExprKind::Letrec(pairs, body) => {
                let vars = pairs
                    .iter()
                    .map(|(v, _)| (*v, Rc::new(RefCell::new(V::Unspecified))))
                    .collect();
                let inner = Rc::new(Scope {
                    vars,
                    parent: Some(scope.clone()),
                });
                for (v, x) in pairs {
                    let value = self.eval(x, &inner);
                    *inner.lookup(*v).borrow_mut() = value;
                }
                self.eval(body, &inner)
            }
        }
    }

    pub fn apply(&mut self, f: V, args: Vec<V>) -> V {
        match f {
            V::Closure(lam, scope) => {
                let n = lam.params.len();
                assert!(
                    args.len() == n || (lam.rest.is_some() && args.len() > n),
                    "arity mismatch calling {:?}: {} arguments",
                    lam.name,
                    args.len()
                );
                let mut vars: Vec<_> = lam
                    .params
                    .iter()
                    .zip(&args)
                    .map(|(p, a)| (*p, Rc::new(RefCell::new(a.clone()))))
                    .collect();
                if let Some(rest) = lam.rest {
                    vars.push((rest, Rc::new(RefCell::new(list(args[n..].to_vec())))));
                }
                let inner = Rc::new(Scope {
                    vars,
                    parent: Some(scope),
                });
                self.eval(&lam.body, &inner)
            }
            V::CaseLambda(clauses) => {
                let chosen = clauses.into_iter().find(|c| match c {
                    V::Closure(lam, _) => {
                        args.len() == lam.params.len()
                            || (lam.rest.is_some() && args.len() >= lam.params.len())
                    }
                    _ => false,
                });
                self.apply(
                    chosen.expect("no case-lambda clause accepts the arguments"),
                    args,
                )
            }
            V::Parameter(cell, _) => cell.borrow().clone(),
            V::Escape(id) => {
                self.escaping = Some(if args.len() == 1 {
                    args.into_iter().next().unwrap_or(V::Unspecified)
                } else {
                    V::Values(args)
                });
                std::panic::panic_any(EscapeTo(id))
            }
            V::Prim(name) => self.prim(name, args),
            other => panic!("test evaluator: {other} is not a procedure"),
        }
    }

    fn prim(&mut self, name: &str, mut a: Vec<V>) -> V {
        let int = |v: &V| match v {
            V::Int(n) => *n,
            other => panic!("{name}: not an integer: {other}"),
        };
        match name.trim_start_matches('%') {
            "+" => V::Int(a.iter().map(int).sum()),
            "*" => V::Int(a.iter().map(int).product()),
            "-" if a.len() == 1 => V::Int(-int(&a[0])),
            "-" => V::Int(int(&a[0]) - a[1..].iter().map(int).sum::<i64>()),
            "<" => V::Bool(a.windows(2).all(|w| int(&w[0]) < int(&w[1]))),
            ">" => V::Bool(a.windows(2).all(|w| int(&w[0]) > int(&w[1]))),
            "=" => V::Bool(a.windows(2).all(|w| int(&w[0]) == int(&w[1]))),
            "list" => list(a),
            "cons" => V::Pair(Rc::new(RefCell::new((a[0].clone(), a[1].clone())))),
            "car" => match &a[0] {
                V::Pair(p) => p.borrow().0.clone(),
                other => panic!("car of {other}"),
            },
            "cdr" => match &a[0] {
                V::Pair(p) => p.borrow().1.clone(),
                other => panic!("cdr of {other}"),
            },
            "null?" => V::Bool(matches!(a[0], V::Null)),
            "pair?" => V::Bool(matches!(a[0], V::Pair(_))),
            "symbol?" => V::Bool(matches!(a[0], V::Sym(_))),
            "not" => V::Bool(!truthy(&a[0])),
            "eq?" | "eqv?" => V::Bool(eqv(&a[0], &a[1])),
            "memv" => {
                let mut rest = a[1].clone();
                while let V::Pair(p) = rest.clone() {
                    if eqv(&p.borrow().0, &a[0]) {
                        return rest;
                    }
                    rest = p.borrow().1.clone();
                }
                V::Bool(false)
            }
            "append" => {
                let last = a.pop().unwrap_or(V::Null);
                a.into_iter().rev().fold(last, |acc, l| {
                    to_vec(l)
                        .into_iter()
                        .rev()
                        .fold(acc, |acc, x| V::Pair(Rc::new(RefCell::new((x, acc)))))
                })
            }
            "list->vector" => V::Vector(Rc::new(RefCell::new(to_vec(a[0].clone())))),
            "vector" => V::Vector(Rc::new(RefCell::new(a))),
            "values" => {
                if a.len() == 1 {
                    a.pop().unwrap_or(V::Unspecified)
                } else {
                    V::Values(a)
                }
            }
            "call-with-values" => {
                let produced = self.apply(a[0].clone(), Vec::new());
                let args = match produced {
                    V::Values(vs) => vs,
                    v => vec![v],
                };
                self.apply(a[1].clone(), args)
            }
            "apply" => {
                let f = a.remove(0);
                let last = a.pop().unwrap_or(V::Null);
                a.extend(to_vec(last));
                self.apply(f, a)
            }
            "display" => {
                self.output.push(a[0].to_string());
                V::Unspecified
            }
            "make-record-type" => {
                let V::Sym(name) = &a[0] else {
                    panic!("record type name")
                };
                V::RecordType(Rc::new((name.clone(), to_vec(a[1].clone()).len())))
            }
            "record" => {
                let V::RecordType(t) = a.remove(0) else {
                    panic!("%record: not a type")
                };
                assert_eq!(t.1, a.len(), "%record: field count");
                V::Record(t, Rc::new(RefCell::new(a)))
            }
            "record?" => V::Bool(
                matches!((&a[0], &a[1]), (V::Record(t, _), V::RecordType(u)) if Rc::ptr_eq(t, u)),
            ),
            "record-ref" | "record-set!" => {
                let (V::Record(t, fields), V::RecordType(u)) = (&a[0], &a[1]) else {
                    panic!("{name}: not a record")
                };
                assert!(Rc::ptr_eq(t, u), "{name}: wrong record type");
                let i = usize::try_from(int(&a[2])).expect("field index");
                if a.len() == 4 {
                    fields.borrow_mut()[i] = a[3].clone();
                    V::Unspecified
                } else {
                    fields.borrow()[i].clone()
                }
            }
            "make-promise" => V::Promise(Rc::new(RefCell::new((truthy(&a[0]), a[1].clone())))),
            "force" => {
                let V::Promise(p) = a[0].clone() else {
                    return a[0].clone();
                };
                loop {
                    let (done, value) = p.borrow().clone();
                    if done {
                        return value;
                    }
                    let V::Promise(next) = self.apply(value, Vec::new()) else {
                        panic!("delay-force thunk must return a promise")
                    };
                    if !p.borrow().0 {
                        let next = next.borrow().clone();
                        *p.borrow_mut() = next;
                    }
                }
            }
            "make-parameter" => {
                let converter = a.get(1).cloned().unwrap_or(V::Prim("values"));
                let init = self.apply(converter.clone(), vec![a[0].clone()]);
                V::Parameter(Rc::new(RefCell::new(init)), Box::new(converter))
            }
            "parameter-converter" => match &a[0] {
                V::Parameter(_, converter) => (**converter).clone(),
                other => panic!("not a parameter: {other}"),
            },
            "parameterize" => {
                let V::Parameter(cell, _) = &a[0] else {
                    panic!("not a parameter")
                };
                let saved = std::mem::replace(&mut *cell.borrow_mut(), a[1].clone());
                let result = self.apply(a[2].clone(), Vec::new());
                *cell.borrow_mut() = saved;
                result
            }
            "case-lambda" => V::CaseLambda(a),
            "string?" => V::Bool(matches!(a[0], V::Str(_))),
            "call/cc" => {
                let id = self.next_escape;
                self.next_escape += 1;
                let handlers = self.handlers.len();
                let f = a[0].clone();
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.apply(f, vec![V::Escape(id)])
                }));
                match result {
                    Ok(v) => v,
                    Err(payload) => match payload.downcast::<EscapeTo>() {
                        Ok(to) if to.0 == id => {
                            self.handlers.truncate(handlers);
                            self.escaping.take().unwrap_or(V::Unspecified)
                        }
                        Ok(other) => std::panic::resume_unwind(other),
                        Err(other) => std::panic::resume_unwind(other),
                    },
                }
            }
            "with-exception-handler" => {
                self.handlers.push(a[0].clone());
                let result = self.apply(a[1].clone(), Vec::new());
                self.handlers.pop();
                result
            }
            "raise" | "raise-continuable" => {
                // The handler runs with the outer handlers installed (R7RS 6.11).
                let handler = self
                    .handlers
                    .pop()
                    .unwrap_or_else(|| panic!("uncaught raise of {}", a[0]));
                let result = self.apply(handler.clone(), vec![a[0].clone()]);
                self.handlers.push(handler);
                assert!(
                    name == "raise-continuable",
                    "handler returned from a non-continuable raise"
                );
                result
            }
            _ => panic!("test evaluator: no primitive {name}"),
        }
    }
}
