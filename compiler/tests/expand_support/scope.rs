//! Checks the expander's output invariants: every local is bound exactly once in the program and
//! every reference to a local is inside its binding form.

use std::collections::HashSet;

use pscheme_compiler::core::{Expr, ExprKind, Program, VarId};

pub fn check_scopes(program: &Program) -> Result<(), String> {
    let mut bound = HashSet::new();
    let mut in_scope = Vec::new();
    for form in &program.body {
        walk(form, &mut in_scope, &mut bound, program.var_names.len())?;
    }
    Ok(())
}

fn bind(
    v: VarId,
    in_scope: &mut Vec<VarId>,
    bound: &mut HashSet<VarId>,
    n: usize,
) -> Result<(), String> {
    if v.0 as usize >= n {
        return Err(format!("{v:?} has no name"));
    }
    if !bound.insert(v) {
        return Err(format!("{v:?} is bound twice"));
    }
    in_scope.push(v);
    Ok(())
}

fn walk(
    e: &Expr,
    in_scope: &mut Vec<VarId>,
    bound: &mut HashSet<VarId>,
    n: usize,
) -> Result<(), String> {
    let mark = in_scope.len();
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Unspecified | ExprKind::Global(_) => {}
        ExprKind::Local(v) => {
            if !in_scope.contains(v) {
                return Err(format!("{v:?} referenced outside its scope"));
            }
        }
        ExprKind::SetLocal(v, x) => {
            if !in_scope.contains(v) {
                return Err(format!("{v:?} assigned outside its scope"));
            }
            walk(x, in_scope, bound, n)?;
        }
        ExprKind::SetGlobal(_, x) | ExprKind::DefineGlobal(_, x) => walk(x, in_scope, bound, n)?,
        ExprKind::If(a, b, c) => {
            walk(a, in_scope, bound, n)?;
            walk(b, in_scope, bound, n)?;
            walk(c, in_scope, bound, n)?;
        }
        ExprKind::Lambda(lam) => {
            for p in lam.params.iter().chain(lam.rest.iter()) {
                bind(*p, in_scope, bound, n)?;
            }
            walk(&lam.body, in_scope, bound, n)?;
        }
        ExprKind::Seq(xs) => {
            if xs.is_empty() {
                return Err("empty Seq".into());
            }
            for x in xs {
                walk(x, in_scope, bound, n)?;
            }
        }
        ExprKind::Call(f, xs) => {
            walk(f, in_scope, bound, n)?;
            for x in xs {
                walk(x, in_scope, bound, n)?;
            }
        }
        ExprKind::Let(pairs, body) => {
            for (_, x) in pairs {
                walk(x, in_scope, bound, n)?;
            }
            for (v, _) in pairs {
                bind(*v, in_scope, bound, n)?;
            }
            walk(body, in_scope, bound, n)?;
        }
        ExprKind::Letrec(pairs, body) => {
            for (v, _) in pairs {
                bind(*v, in_scope, bound, n)?;
            }
            for (_, x) in pairs {
                walk(x, in_scope, bound, n)?;
            }
            walk(body, in_scope, bound, n)?;
        }
    }
    in_scope.truncate(mark);
    Ok(())
}
