//! A readable printer for the core language, used by snapshot tests and debugging output.
//!
//! Locals print as `name.N` (N is the [`VarId`]), globals as their bare name, constants quoted
//! when they are not self-evaluating. Forms that fit in the line width print on one line; longer
//! ones break with their operands indented.

use crate::core::{Expr, ExprKind, Lambda, Program, VarId};
use crate::datum::{Datum, DatumKind};

const WIDTH: usize = 90;

/// One node of the layout tree: an atom or a parenthesized list whose first `head` items stay on
/// the first line when it breaks.
enum Doc {
    Atom(String),
    List { items: Vec<Doc>, head: usize },
}

impl Doc {
    fn list(items: Vec<Doc>, head: usize) -> Doc {
        Doc::List { items, head }
    }

    fn flat_len(&self) -> usize {
        match self {
            Doc::Atom(s) => s.len(),
            Doc::List { items, .. } => {
                1 + items.iter().map(Doc::flat_len).sum::<usize>()
                    + items.len().saturating_sub(1)
                    + 1
            }
        }
    }

    fn write_flat(&self, out: &mut String) {
        match self {
            Doc::Atom(s) => out.push_str(s),
            Doc::List { items, .. } => {
                out.push('(');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    item.write_flat(out);
                }
                out.push(')');
            }
        }
    }

    fn write(&self, out: &mut String, indent: usize) {
        if indent + self.flat_len() <= WIDTH {
            self.write_flat(out);
            return;
        }
        let Doc::List { items, head } = self else {
            self.write_flat(out);
            return;
        };
        out.push('(');
        let mut column = indent + 1;
        let head = (*head).clamp(1, items.len().max(1));
        for (i, item) in items.iter().enumerate() {
            if i < head {
                if i > 0 {
                    out.push(' ');
                    column += 1;
                }
                item.write(out, column);
                column += item.flat_len();
            } else {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
                item.write(out, indent + 2);
            }
        }
        out.push(')');
    }
}

struct Printer<'p> {
    names: &'p [String],
}

impl Printer<'_> {
    fn var(&self, v: VarId) -> Doc {
        let name = self.names.get(v.0 as usize).map_or("?", String::as_str);
        Doc::Atom(format!("{name}.{}", v.0))
    }

    fn bindings(&self, pairs: &[(VarId, Expr)]) -> Doc {
        Doc::list(
            pairs
                .iter()
                .map(|(v, e)| Doc::list(vec![self.var(*v), self.expr(e)], 1))
                .collect(),
            1,
        )
    }

    fn lambda(&self, lam: &Lambda) -> Doc {
        let mut formals: Vec<Doc> = lam.params.iter().map(|p| self.var(*p)).collect();
        let formals = match (lam.rest, formals.is_empty()) {
            (Some(rest), true) => self.var(rest),
            (Some(rest), false) => {
                formals.push(Doc::Atom(".".into()));
                formals.push(self.var(rest));
                Doc::list(formals, 1)
            }
            (None, _) => Doc::list(formals, 1),
        };
        let mut items = vec![Doc::Atom("lambda".into())];
        if let Some(name) = &lam.name {
            items.push(Doc::Atom(format!("#:{name}")));
        }
        items.push(formals);
        let head = items.len();
        items.push(self.expr(&lam.body));
        Doc::list(items, head)
    }

    fn expr(&self, e: &Expr) -> Doc {
        let atom = |s: &str| Doc::Atom(s.to_string());
        match &e.kind {
            ExprKind::Const(d) => Doc::Atom(quoted(d)),
            ExprKind::Unspecified => atom("#<unspecified>"),
            ExprKind::Local(v) => self.var(*v),
            ExprKind::Global(name) => atom(name),
            ExprKind::SetLocal(v, value) => {
                Doc::list(vec![atom("set!"), self.var(*v), self.expr(value)], 2)
            }
            ExprKind::SetGlobal(name, value) => {
                Doc::list(vec![atom("set!"), atom(name), self.expr(value)], 2)
            }
            ExprKind::DefineGlobal(name, value) => {
                Doc::list(vec![atom("define"), atom(name), self.expr(value)], 2)
            }
            ExprKind::If(c, t, f) => Doc::list(
                vec![atom("if"), self.expr(c), self.expr(t), self.expr(f)],
                2,
            ),
            ExprKind::Lambda(lam) => self.lambda(lam),
            ExprKind::Seq(exprs) => {
                let mut items = vec![atom("begin")];
                items.extend(exprs.iter().map(|x| self.expr(x)));
                Doc::list(items, 1)
            }
            ExprKind::Call(f, args) => {
                let mut items = vec![self.expr(f)];
                items.extend(args.iter().map(|x| self.expr(x)));
                Doc::list(items, 1)
            }
            ExprKind::Let(pairs, body) => {
                Doc::list(vec![atom("let"), self.bindings(pairs), self.expr(body)], 2)
            }
            ExprKind::Letrec(pairs, body) => Doc::list(
                vec![atom("letrec*"), self.bindings(pairs), self.expr(body)],
                2,
            ),
        }
    }
}

/// The program, one top-level form per paragraph.
pub fn print_program(program: &Program) -> String {
    let printer = Printer {
        names: &program.var_names,
    };
    let mut out = String::new();
    for (i, form) in program.body.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        printer.expr(form).write(&mut out, 0);
        out.push('\n');
    }
    out
}

/// One expression, with local names from `var_names`.
pub fn print_expr(expr: &Expr, var_names: &[String]) -> String {
    let mut out = String::new();
    Printer { names: var_names }.expr(expr).write(&mut out, 0);
    out
}

fn quoted(d: &Datum) -> String {
    let text = crate::printer::write(d);
    match &d.kind {
        DatumKind::Symbol(_) | DatumKind::List(..) => format!("'{text}"),
        _ => text,
    }
}
