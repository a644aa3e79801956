//! A readable text form of the CPS IR with the closure-conversion decisions, for people and for
//! snapshot tests. Nested terms are indented; a term after a nested block continues at the outer
//! indentation. `frame[..]` lists what a continuation frame captures, `free[..]` what a closure
//! captures, `join` marks a continuation compiled as a jump target, `{box}` a variable held in a
//! box (made at its binding, read with `unbox`, assigned with `set-box!`).

use std::fmt::Write;

use super::analysis::Analysis;
use super::ir::{Atom, Fun, Program, Term, Value, Var};
use crate::bytecode::Constant;
use crate::datum::DatumKind;

/// The program as text, annotated with `analysis`.
pub fn print(program: &Program, analysis: &Analysis) -> String {
    let mut p = Printer {
        program,
        analysis,
        out: String::new(),
    };
    for (i, form) in program.forms.iter().enumerate() {
        let next = if form.next == program.k0 {
            format!("{} (unit continuation)", p.var(form.next))
        } else if analysis.is_reified(form.next) {
            format!(
                "{} frame[{}]",
                p.var(form.next),
                p.vars(analysis.free_of(form.next))
            )
        } else {
            format!("{} join", p.var(form.next))
        };
        let _ = writeln!(p.out, "form {i} -> {next}:");
        p.term(&form.term, 1);
    }
    p.out
}

/// A constant as the disassembler and the IR printer show it: data in `write` form, quoted when
/// it would otherwise read as code.
pub fn constant_text(c: &Constant) -> String {
    match c {
        Constant::Unspecified => "#<unspecified>".into(),
        Constant::Uninitialized => "#<uninitialized>".into(),
        Constant::Datum(d) => {
            let text = crate::printer::write(d);
            match d.kind {
                DatumKind::Symbol(_) | DatumKind::List(..) => format!("'{text}"),
                _ => text,
            }
        }
    }
}

enum Item<'t> {
    Term(&'t Term, usize),
    Line(String, usize),
}

struct Printer<'a> {
    program: &'a Program,
    analysis: &'a Analysis,
    out: String,
}

impl Printer<'_> {
    fn var(&self, v: Var) -> String {
        self.program.var_name(v)
    }

    /// A variable at its binding site.
    fn binder(&self, v: Var) -> String {
        if self.analysis.boxed.contains(&v) {
            format!("{}{{box}}", self.var(v))
        } else {
            self.var(v)
        }
    }

    fn vars(&self, vs: &[Var]) -> String {
        vs.iter()
            .map(|&v| self.var(v))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn atom(&self, a: &Atom) -> String {
        match a {
            Atom::Var(v) => self.var(*v),
            Atom::Const(c) => constant_text(c),
        }
    }

    fn atoms(&self, atoms: &[Atom]) -> String {
        atoms
            .iter()
            .map(|a| self.atom(a))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn line(&mut self, depth: usize, text: &str) {
        let _ = writeln!(self.out, "{:width$}{text}", "", width = depth * 2);
    }

    /// Prints `t` in pre-order with an explicit stack (bodies nest as deep as they are long).
    fn term(&mut self, t: &Term, depth: usize) {
        let mut work = vec![Item::Term(t, depth)];
        while let Some(item) = work.pop() {
            let (t, depth) = match item {
                Item::Line(text, depth) => {
                    self.line(depth, &text);
                    continue;
                }
                Item::Term(t, depth) => (t, depth),
            };
            match t {
                Term::Let {
                    var, value, body, ..
                } => {
                    let boxed = |x: &Var| self.analysis.boxed.contains(x);
                    let rhs = match value {
                        Value::Atom(Atom::Var(x)) if boxed(x) => format!("unbox {}", self.var(*x)),
                        Value::SetLocal(x, a) if boxed(x) => {
                            format!("set-box! {} {}", self.var(*x), self.atom(a))
                        }
                        Value::Atom(a) => self.atom(a),
                        Value::Prim(op, args) => format!("({} {})", op.name(), self.atoms(args)),
                        Value::Global(name) => format!("global {name}"),
                        Value::SetGlobal(name, a) => format!("set-global! {name} {}", self.atom(a)),
                        Value::DefineGlobal(name, a) => format!("define {name} {}", self.atom(a)),
                        Value::SetLocal(x, a) => format!("set! {} {}", self.var(*x), self.atom(a)),
                    };
                    let text = format!("let {} = {rhs}", self.binder(*var));
                    self.line(depth, &text);
                    work.push(Item::Term(body, depth));
                }
                Term::LetFun { funs, body } => {
                    work.push(Item::Term(body, depth));
                    for fun in funs.iter().rev() {
                        work.push(Item::Term(&fun.body, depth + 1));
                        work.push(Item::Line(self.fun_header(fun), depth));
                    }
                }
                Term::LetCont { cont, body } => {
                    let params: Vec<String> = cont.params.iter().map(|&p| self.binder(p)).collect();
                    let kind = if self.analysis.is_reified(cont.var) {
                        format!("frame[{}]", self.vars(self.analysis.free_of(cont.var)))
                    } else {
                        "join".to_owned()
                    };
                    let text =
                        format!("cont {} ({}) {kind}:", self.var(cont.var), params.join(" "));
                    self.line(depth, &text);
                    work.push(Item::Term(body, depth));
                    work.push(Item::Term(&cont.body, depth + 1));
                }
                Term::Call { f, k, args, .. } => {
                    let text = format!(
                        "call {} {} ({})",
                        self.atom(f),
                        self.var(*k),
                        self.atoms(args)
                    );
                    self.line(depth, &text);
                }
                Term::Jump { k, args, .. } => {
                    let text = format!("jump {} ({})", self.var(*k), self.atoms(args));
                    self.line(depth, &text);
                }
                Term::If {
                    cond, then, els, ..
                } => {
                    let text = format!("if {}:", self.atom(cond));
                    self.line(depth, &text);
                    work.push(Item::Term(els, depth + 1));
                    work.push(Item::Line("else:".to_owned(), depth));
                    work.push(Item::Term(then, depth + 1));
                }
            }
        }
    }

    fn fun_header(&self, fun: &Fun) -> String {
        let mut params: Vec<String> = std::iter::once(self.var(fun.k))
            .chain(fun.params.iter().map(|&p| self.binder(p)))
            .collect();
        if let Some(r) = fun.rest {
            params.push(format!(". {}", self.binder(r)));
        }
        let name = fun
            .name
            .as_deref()
            .map_or(String::new(), |n| format!(" \"{n}\""));
        format!(
            "fun {}{name} ({}) free[{}]:",
            self.var(fun.var),
            params.join(" "),
            self.vars(self.analysis.free_of(fun.var))
        )
    }
}
