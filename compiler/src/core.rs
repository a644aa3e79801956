//! The core language: what the expander produces and the CPS lowering consumes.
//!
//! Every derived form (let*, cond, case, do, named let, quasiquote, define-record-type, guard,
//! parameterize, case-lambda, ...) has been rewritten into these few forms, every local variable
//! has been renamed to a unique [`VarId`] (so hygiene is settled), and every remaining free
//! identifier is a global, referred to by name. Control features (call/cc, dynamic-wind, values,
//! raise, ...) are ordinary calls of global procedures.

use std::rc::Rc;

use crate::datum::Datum;
use crate::span::Span;

/// A local variable, unique within one [`Program`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(pub u32);

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A self-evaluating or quoted constant.
    Const(Datum),
    /// The unspecified value (result of `set!`, one-armed `if`, empty `begin` in some places).
    Unspecified,
    Local(VarId),
    /// A reference to a top-level variable. Late bound: it is looked up when evaluated, and an
    /// error is raised then if it is unbound.
    Global(String),
    SetLocal(VarId, Box<Expr>),
    /// `set!` of a global; an error at run time if the global is unbound.
    SetGlobal(String, Box<Expr>),
    /// A top-level `define`: binds (or rebinds) the global.
    DefineGlobal(String, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Lambda(Rc<Lambda>),
    /// Evaluate in order; the value is the last one's. Never empty.
    Seq(Vec<Expr>),
    /// Procedure call: operator, then operands. Evaluation order is unspecified in R7RS; the
    /// lowering evaluates left to right.
    Call(Box<Expr>, Vec<Expr>),
    /// Parallel `let`: the inits see none of the new variables.
    Let(Vec<(VarId, Expr)>, Box<Expr>),
    /// `letrec*`: inits are evaluated left to right, each seeing all variables (those not yet
    /// initialized hold an "uninitialized" marker). Internal defines become this form.
    Letrec(Vec<(VarId, Expr)>, Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lambda {
    /// The name, for backtraces and the disassembler: `(define (f x) ..)` gives `f`.
    pub name: Option<String>,
    pub params: Vec<VarId>,
    /// The rest parameter of `(lambda (a . rest) ..)` or `(lambda args ..)`.
    pub rest: Option<VarId>,
    pub body: Expr,
    pub span: Span,
}

/// The result of expanding one compilation unit (a file, or one REPL input).
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The top-level forms in order.
    pub body: Vec<Expr>,
    /// Source names of local variables, indexed by `VarId.0`, for debugging output.
    pub var_names: Vec<String>,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }
}
