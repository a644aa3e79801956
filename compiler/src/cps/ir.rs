//! The CPS intermediate language. Every call is a tail call ([`Term::Call`] and [`Term::Jump`] end
//! a term), continuations are named values ([`Cont`]), and every intermediate value is bound to a
//! [`Var`]. Variables are unique within a [`Program`] (no shadowing), which lets the analyses key
//! tables by `Var` alone.

use crate::bytecode::{Constant, PrimOp};
use crate::span::Span;

/// A CPS variable: a Scheme value or a continuation. Unique within one [`Program`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Var(pub u32);

/// A trivial operand: evaluating it has no effect and cannot fail.
#[derive(Clone, Debug, PartialEq)]
pub enum Atom {
    Var(Var),
    /// A constant. Datums here carry no spans ([`Span::SYNTHETIC`] throughout), so equal
    /// constants compare equal and share one pool slot.
    Const(Constant),
}

/// The right-hand side of a [`Term::Let`]: a simple computation that never calls a procedure.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A copy of the atom (a snapshot of an assigned variable, or a constant).
    Atom(Atom),
    /// An inline primitive; may raise.
    Prim(PrimOp, Vec<Atom>),
    /// The value of a global; raises if unbound.
    Global(String),
    SetGlobal(String, Atom),
    DefineGlobal(String, Atom),
    /// `set!` of a local. The variable is boxed later if a closure also captures it.
    SetLocal(Var, Atom),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    /// `let var = value in body`. The results of effects (set!, define) are bound to unused vars.
    Let {
        var: Var,
        value: Value,
        body: Box<Term>,
        span: Span,
    },
    /// Mutually recursive procedures, visible in `body` and in each other's bodies.
    LetFun { funs: Vec<Fun>, body: Box<Term> },
    /// A continuation, visible in `body` only (continuations are never recursive).
    LetCont { cont: Box<Cont>, body: Box<Term> },
    /// Tail call of `f` with continuation `k`.
    Call {
        f: Atom,
        k: Var,
        args: Vec<Atom>,
        span: Span,
    },
    /// Pass `args` to the continuation `k` (a return, or a jump to a join point).
    Jump { k: Var, args: Vec<Atom>, span: Span },
    If {
        cond: Atom,
        then: Box<Term>,
        els: Box<Term>,
        span: Span,
    },
}

/// A procedure: `k` is its return continuation.
#[derive(Clone, Debug, PartialEq)]
pub struct Fun {
    pub var: Var,
    pub name: Option<String>,
    pub k: Var,
    pub params: Vec<Var>,
    pub rest: Option<Var>,
    pub body: Term,
    pub span: Span,
}

/// A continuation taking `params` (always exactly one in what the converter produces).
#[derive(Clone, Debug, PartialEq)]
pub struct Cont {
    pub var: Var,
    pub params: Vec<Var>,
    pub body: Term,
    /// The call whose result this continuation receives (or the `if` it joins).
    pub span: Span,
}

/// One top-level form. Its value goes to `next`: the continuation that runs the following
/// forms, or the unit's continuation [`Program::k0`] for the last form.
#[derive(Clone, Debug, PartialEq)]
pub struct TopForm {
    pub next: Var,
    pub term: Term,
    pub span: Span,
}

/// A compilation unit in CPS. The forms run in order; the top level is kept as a flat list (not
/// one nested term) so that long programs do not make the later passes recurse deeply.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    /// The continuation the unit's entry block receives.
    pub k0: Var,
    pub forms: Vec<TopForm>,
    /// Base name of each variable, indexed by `Var.0` (source name, or `t`, `k`, `v`, ...).
    pub names: Vec<String>,
}

impl Program {
    /// `name.N`, unique and readable.
    pub fn var_name(&self, v: Var) -> String {
        let base = self.names.get(v.0 as usize).map_or("?", String::as_str);
        format!("{base}.{}", v.0)
    }
}

/// Dropping is iterative: a body of thousands of calls nests thousands of terms deep, and the
/// default recursive drop would overflow the stack.
impl Drop for Term {
    fn drop(&mut self) {
        let mut pending = Vec::new();
        take_children(self, &mut pending);
        while let Some(mut t) = pending.pop() {
            take_children(&mut t, &mut pending);
        }
    }
}

/// Moves the subterms of `t` to `out`, leaving childless placeholders.
fn take_children(t: &mut Term, out: &mut Vec<Term>) {
    let mut take = |slot: &mut Term| {
        let leaf = Term::Jump {
            k: Var(0),
            args: Vec::new(),
            span: Span::SYNTHETIC,
        };
        out.push(std::mem::replace(slot, leaf));
    };
    match t {
        Term::Let { body, .. } => take(body),
        Term::LetFun { funs, body } => {
            funs.iter_mut().for_each(|f| take(&mut f.body));
            take(body);
        }
        Term::LetCont { cont, body } => {
            take(&mut cont.body);
            take(body);
        }
        Term::If { then, els, .. } => {
            take(then);
            take(els);
        }
        Term::Call { .. } | Term::Jump { .. } => {}
    }
}

/// Hasher for small integer ids (`Var`, `VarId`): one multiply mixes them well enough, and the
/// passes hash ids constantly, where SipHash's protection against chosen keys buys nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

const ID_HASH_MULTIPLIER: u64 = 0x517c_c1b7_2722_0a95;

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(ID_HASH_MULTIPLIER);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(ID_HASH_MULTIPLIER);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type IdBuildHasher = std::hash::BuildHasherDefault<IdHasher>;
/// A map keyed by an id, with [`IdHasher`].
pub type IdMap<K, V> = std::collections::HashMap<K, V, IdBuildHasher>;
/// A set of ids, with [`IdHasher`].
pub type IdSet<K> = std::collections::HashSet<K, IdBuildHasher>;
