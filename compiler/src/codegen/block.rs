//! Code generation for one block: instruction selection, register allocation and the calling
//! convention of [`crate::bytecode`].
//!
//! Invariants: every variable has one location for its whole life (a register, a captured slot,
//! or, for a closure made at its only use, nothing yet); a register is released only after the
//! instruction holding the variable's last use (counted in advance) has been emitted, so scratch
//! registers loaded for an instruction never overwrite its other operands. A tail call may
//! overwrite any register that it does not read (nothing is live after it on its path), so its
//! window starts at `r0` and is filled by a parallel move (`calls.rs`); a multi-value return's
//! window uses free registers. Closures are made in `closures.rs`.

mod calls;
mod closures;

use super::regs::Regs;
use super::unit::UnitBuilder;
use crate::bytecode::{
    Arity, Block, BlockIdx, BlockKind, Constant, Instr, Pc, PrimOp, Reg, SourceLoc,
};
use crate::cps::{Analysis, Atom, Cont, Fun, IdMap, Term, Value, Var};
use crate::span::Span;

/// A closure whose block is still to be generated.
pub(crate) enum Job<'a> {
    Fun(&'a Fun, BlockIdx),
    /// A continuation, named after the procedure it belongs to.
    Cont(&'a Cont, BlockIdx, Option<String>),
}

/// State shared by the blocks of one unit.
pub(crate) struct Shared<'a, 'f> {
    pub(crate) unit: UnitBuilder<'f>,
    pub(crate) analysis: &'a Analysis,
    pub(crate) jobs: Vec<Job<'a>>,
    /// Remaining uses of each variable in the block being generated, indexed by `Var`. Blocks
    /// are generated one at a time; each resets the entries it touched when it finishes.
    pub(crate) uses: Vec<u32>,
    /// Location of each variable in the block being generated, indexed and reset likewise.
    pub(crate) locs: Vec<Option<Loc<'a>>>,
}

impl<'a, 'f> Shared<'a, 'f> {
    pub(crate) fn new(unit: UnitBuilder<'f>, analysis: &'a Analysis, n_vars: usize) -> Self {
        Shared {
            unit,
            analysis,
            jobs: Vec::new(),
            uses: vec![0; n_vars],
            locs: vec![None; n_vars],
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Loc<'a> {
    Reg(Reg),
    /// Captured value `idx` of the running closure.
    Free(u16),
    /// A closure used exactly once: it is made where it is used.
    Deferred {
        block: BlockIdx,
        captures: &'a [Var],
    },
}

/// A join point: a continuation compiled as a jump target in this block.
struct Label {
    /// Where each parameter is passed; `None` for parameters nobody reads.
    params: Vec<Option<Reg>>,
    /// Jump instructions to patch once the label's position is known.
    jumps: Vec<usize>,
}

pub(crate) struct BlockGen<'s, 'a, 'f> {
    shared: &'s mut Shared<'a, 'f>,
    name: Option<String>,
    kind: BlockKind,
    arity: Arity,
    n_free: u16,
    block_loc: SourceLoc,
    code: Vec<Instr>,
    locs: Vec<SourceLoc>,
    operands: Vec<Reg>,
    loc: SourceLoc,
    regs: Regs,
    /// Variables whose entry in `Shared::uses` or `Shared::locs` this block wrote.
    touched: Vec<Var>,
    labels: IdMap<Var, Label>,
    /// Registers whose variable died in the instruction being assembled.
    pending_free: Vec<Reg>,
}

/// Primitives with no effect and no possible error: dead ones can be dropped.
fn is_pure(op: PrimOp) -> bool {
    matches!(
        op,
        PrimOp::Cons
            | PrimOp::IsNull
            | PrimOp::IsPair
            | PrimOp::Not
            | PrimOp::IsEq
            | PrimOp::IsEqv
            | PrimOp::IsSymbol
            | PrimOp::IsString
            | PrimOp::IsVector
            | PrimOp::IsProcedure
    )
}

fn count_u16(n: usize, what: &str) -> u16 {
    u16::try_from(n).unwrap_or_else(|_| panic!("more than 65535 {what} in one block"))
}

fn reg_at(base: Reg, offset: usize) -> Reg {
    Reg(count_u16(usize::from(base.0) + offset, "registers"))
}

impl<'s, 'a, 'f> BlockGen<'s, 'a, 'f> {
    pub(crate) fn new(
        shared: &'s mut Shared<'a, 'f>,
        name: Option<String>,
        kind: BlockKind,
        arity: Arity,
        captures: &[Var],
        span: Span,
    ) -> Self {
        let block_loc = shared.unit.loc(span);
        let mut g = BlockGen {
            shared,
            name,
            kind,
            arity,
            n_free: count_u16(captures.len(), "captured values"),
            block_loc,
            code: Vec::new(),
            locs: Vec::new(),
            operands: Vec::new(),
            loc: block_loc,
            regs: Regs::default(),
            touched: Vec::new(),
            labels: IdMap::default(),
            pending_free: Vec::new(),
        };
        for (i, &v) in captures.iter().enumerate() {
            g.bind(v, Loc::Free(count_u16(i, "captured values")));
        }
        g
    }

    /// Binds the block's entry registers `r0..` to `vars` (continuation first for lambdas).
    pub(crate) fn enter(&mut self, vars: &[Var]) {
        for (i, &v) in vars.iter().enumerate() {
            let r = Reg(count_u16(i, "parameters"));
            self.regs.take(r);
            if self.uses(v) == 0 {
                self.regs.free(r);
            } else {
                self.bind(v, Loc::Reg(r));
                self.box_if_needed(v);
            }
        }
    }

    /// Keeps `v` alive for the whole block (the unit continuation at top level).
    pub(crate) fn pin(&mut self, v: Var) {
        self.set_uses(v, u32::MAX / 2);
    }

    pub(crate) fn finish(self) -> Block {
        for v in &self.touched {
            self.shared.uses[v.0 as usize] = 0;
            self.shared.locs[v.0 as usize] = None;
        }
        let entry = usize::from(self.kind == BlockKind::Lambda)
            + usize::from(self.arity.required)
            + usize::from(self.arity.rest);
        Block {
            name: self.name,
            kind: self.kind,
            arity: self.arity,
            n_free: self.n_free,
            n_regs: count_u16(self.regs.high_water().max(entry), "registers"),
            code: self.code,
            operands: self.operands,
            locs: self.locs,
            loc: self.block_loc,
        }
    }

    fn emit(&mut self, instr: Instr) {
        self.code.push(instr);
        self.locs.push(self.loc);
    }

    fn set_loc(&mut self, span: Span) {
        if !span.is_synthetic() {
            self.loc = self.shared.unit.loc(span);
        }
    }

    fn pc(&self) -> u32 {
        u32::try_from(self.code.len()).expect("fewer than 2^32 instructions in a block")
    }

    fn is_boxed(&self, v: Var) -> bool {
        self.shared.analysis.boxed.contains(&v)
    }

    // ---- use counts ----

    fn uses(&self, v: Var) -> u32 {
        self.shared.uses.get(v.0 as usize).copied().unwrap_or(0)
    }

    fn set_uses(&mut self, v: Var, n: u32) {
        self.shared.uses[v.0 as usize] = n;
        self.touched.push(v);
    }

    fn count_var(&mut self, v: Var) {
        let n = self.uses(v) + 1;
        if n == 1 {
            self.touched.push(v);
        }
        self.shared.uses[v.0 as usize] = n;
    }

    fn loc_of(&self, v: Var) -> Option<Loc<'a>> {
        self.shared.locs.get(v.0 as usize).copied().flatten()
    }

    fn bind(&mut self, v: Var, loc: Loc<'a>) {
        self.shared.locs[v.0 as usize] = Some(loc);
        self.touched.push(v);
    }

    fn count_atom(&mut self, a: &Atom) {
        if let Atom::Var(v) = a {
            self.count_var(*v);
        }
    }

    /// Counts the uses in the code of this block that `t` will generate.
    pub(crate) fn count(&mut self, mut t: &'a Term) {
        let analysis = self.shared.analysis;
        loop {
            match t {
                Term::Let { value, body, .. } => {
                    match value {
                        Value::Atom(a) | Value::SetGlobal(_, a) | Value::DefineGlobal(_, a) => {
                            self.count_atom(a);
                        }
                        Value::Prim(_, args) => args.iter().for_each(|a| self.count_atom(a)),
                        Value::Global(_) => {}
                        Value::SetLocal(x, a) => {
                            self.count_var(*x);
                            self.count_atom(a);
                        }
                    }
                    t = body;
                }
                Term::LetFun { funs, body } => {
                    for f in funs {
                        analysis
                            .free_of(f.var)
                            .iter()
                            .for_each(|&c| self.count_var(c));
                    }
                    t = body;
                }
                Term::LetCont { cont, body } => {
                    if analysis.is_reified(cont.var) {
                        analysis
                            .free_of(cont.var)
                            .iter()
                            .for_each(|&c| self.count_var(c));
                    } else {
                        self.count(&cont.body);
                    }
                    t = body;
                }
                Term::Call { f, k, args, .. } => {
                    self.count_atom(f);
                    self.count_var(*k);
                    args.iter().for_each(|a| self.count_atom(a));
                    return;
                }
                Term::Jump { k, args, .. } => {
                    self.count_var(*k);
                    args.iter().for_each(|a| self.count_atom(a));
                    return;
                }
                Term::If {
                    cond, then, els, ..
                } => {
                    self.count_atom(cond);
                    self.count(then);
                    t = els;
                }
            }
        }
    }

    /// One use of `v`: its location, and its register is released after this instruction if
    /// that was the last use.
    fn use_var(&mut self, v: Var) -> Loc<'a> {
        let loc = self
            .loc_of(v)
            .expect("CPS variable used without a location (codegen bug)");
        let n = self.uses(v).saturating_sub(1);
        self.shared.uses[v.0 as usize] = n;
        if n == 0
            && let Loc::Reg(r) = loc
        {
            self.pending_free.push(r);
        }
        loc
    }

    fn flush(&mut self) {
        for r in self.pending_free.drain(..) {
            self.regs.free(r);
        }
    }

    fn bind_reg(&mut self, v: Var) -> Reg {
        let r = self.regs.alloc();
        self.bind(v, Loc::Reg(r));
        r
    }

    fn box_if_needed(&mut self, v: Var) {
        if self.is_boxed(v)
            && let Some(Loc::Reg(r)) = self.loc_of(v)
        {
            self.emit(Instr::MakeBox { dst: r, src: r });
        }
    }

    fn scratch(&mut self) -> Reg {
        let r = self.regs.alloc();
        self.pending_free.push(r);
        r
    }

    // ---- operands ----

    /// A register holding `v` for the instruction being assembled.
    fn var_operand(&mut self, v: Var) -> Reg {
        match self.use_var(v) {
            Loc::Reg(r) => r,
            Loc::Free(idx) => {
                let r = self.scratch();
                self.emit(Instr::Free { dst: r, idx });
                r
            }
            Loc::Deferred { block, captures } => {
                let r = self.scratch();
                self.emit_closure(r, block, captures);
                r
            }
        }
    }

    fn operand(&mut self, a: &Atom) -> Reg {
        match a {
            Atom::Var(v) => self.var_operand(*v),
            Atom::Const(c) => {
                let r = self.scratch();
                let idx = self.shared.unit.constant(c);
                self.emit(Instr::Const { dst: r, idx });
                r
            }
        }
    }

    fn load_into(&mut self, dst: Reg, a: &Atom) {
        match a {
            Atom::Const(c) => {
                let idx = self.shared.unit.constant(c);
                self.emit(Instr::Const { dst, idx });
            }
            Atom::Var(v) => match self.use_var(*v) {
                Loc::Reg(src) if src == dst => {}
                Loc::Reg(src) => self.emit(Instr::Move { dst, src }),
                Loc::Free(idx) => self.emit(Instr::Free { dst, idx }),
                Loc::Deferred { block, captures } => self.emit_closure(dst, block, captures),
            },
        }
    }

    fn consume_atom(&mut self, a: &Atom) {
        if let Atom::Var(v) = a {
            self.use_var(*v);
        }
    }

    // ---- terms ----

    pub(crate) fn term(&mut self, mut t: &'a Term) {
        loop {
            match t {
                Term::Let {
                    var,
                    value,
                    body,
                    span,
                } => {
                    self.set_loc(*span);
                    self.let_value(*var, value);
                    t = body;
                }
                Term::LetFun { funs, body } => {
                    if let Some(f) = funs.first() {
                        self.set_loc(f.span);
                    }
                    self.let_funs(funs);
                    t = body;
                }
                Term::LetCont { cont, body } => {
                    if self.shared.analysis.is_reified(cont.var) {
                        self.set_loc(cont.span);
                        let block = self.shared.unit.reserve();
                        self.shared
                            .jobs
                            .push(Job::Cont(cont, block, self.name.clone()));
                        self.bind_closure(cont.var, block);
                        t = body;
                    } else {
                        let params = cont
                            .params
                            .iter()
                            .map(|&p| (self.uses(p) > 0).then(|| self.regs.alloc()))
                            .collect::<Vec<_>>();
                        self.labels.insert(
                            cont.var,
                            Label {
                                params: params.clone(),
                                jumps: Vec::new(),
                            },
                        );
                        self.term(body);
                        if !self.place_label(cont.var) {
                            return;
                        }
                        for (&p, r) in cont.params.iter().zip(params) {
                            if let Some(r) = r {
                                self.bind(p, Loc::Reg(r));
                                self.box_if_needed(p);
                            }
                        }
                        t = &cont.body;
                    }
                }
                Term::Call { f, k, args, span } => {
                    self.set_loc(*span);
                    self.call(f, *k, args);
                    return;
                }
                Term::Jump { k, args, span } => {
                    self.set_loc(*span);
                    self.jump(*k, args);
                    return;
                }
                Term::If {
                    cond,
                    then,
                    els,
                    span,
                } => {
                    self.set_loc(*span);
                    let cond = self.operand(cond);
                    let at = self.code.len();
                    self.emit(Instr::JumpIfFalse {
                        cond,
                        target: Pc(u32::MAX),
                    });
                    self.flush();
                    self.term(then);
                    let target = Pc(self.pc());
                    if let Instr::JumpIfFalse { target: slot, .. } = &mut self.code[at] {
                        *slot = target;
                    }
                    t = els;
                }
            }
        }
    }

    fn let_value(&mut self, var: Var, value: &'a Value) {
        let live = self.uses(var) > 0;
        match value {
            Value::Atom(a) => {
                if !live {
                    self.consume_atom(a);
                    return;
                }
                match a {
                    Atom::Var(x) if self.is_boxed(*x) => {
                        let bx = self.var_operand(*x);
                        self.flush();
                        let dst = self.bind_reg(var);
                        self.emit(Instr::BoxGet { dst, bx });
                    }
                    // The last use of a variable in a register: the copy takes the register over.
                    Atom::Var(x)
                        if self.uses(*x) == 1 && matches!(self.loc_of(*x), Some(Loc::Reg(_))) =>
                    {
                        self.set_uses(*x, 0);
                        let loc = self.loc_of(*x).expect("checked above");
                        self.bind(var, loc);
                    }
                    _ => {
                        let dst = self.regs.alloc();
                        self.load_into(dst, a);
                        self.flush();
                        self.bind(var, Loc::Reg(dst));
                    }
                }
                self.box_if_needed(var);
            }
            Value::Prim(op, args) => {
                if !live && is_pure(*op) {
                    args.iter().for_each(|a| self.consume_atom(a));
                    return;
                }
                let regs: Vec<Reg> = args.iter().map(|a| self.operand(a)).collect();
                self.flush();
                let dst = if live {
                    self.bind_reg(var)
                } else {
                    self.scratch()
                };
                let op = *op;
                self.emit(match *regs.as_slice() {
                    [a] => Instr::Prim1 { op, dst, a },
                    [a, b] => Instr::Prim2 { op, dst, a, b },
                    [a, b, c] => Instr::Prim3 { op, dst, a, b, c },
                    _ => unreachable!("primitives take one to three operands"),
                });
                self.flush();
                self.box_if_needed(var);
            }
            Value::Global(name) => {
                let dst = if live {
                    self.bind_reg(var)
                } else {
                    self.scratch()
                };
                let name = self.shared.unit.global(name);
                self.emit(Instr::Global { dst, name });
                self.flush();
                self.box_if_needed(var);
            }
            Value::SetGlobal(name, a) | Value::DefineGlobal(name, a) => {
                let src = self.operand(a);
                let name_idx = self.shared.unit.global(name);
                self.emit(match value {
                    Value::SetGlobal(..) => Instr::SetGlobal {
                        name: name_idx,
                        src,
                    },
                    _ => Instr::DefineGlobal {
                        name: name_idx,
                        src,
                    },
                });
                self.flush();
                self.unspecified_result(var, live);
            }
            Value::SetLocal(x, a) => {
                if self.is_boxed(*x) {
                    let bx = self.var_operand(*x);
                    let src = self.operand(a);
                    self.emit(Instr::BoxSet { bx, src });
                } else {
                    match self.use_var(*x) {
                        // Not read again: the store is dead.
                        Loc::Reg(_) if self.uses(*x) == 0 => self.consume_atom(a),
                        Loc::Reg(r) => self.load_into(r, a),
                        _ => unreachable!("an unboxed assigned variable is never captured"),
                    }
                }
                self.flush();
                self.unspecified_result(var, live);
            }
        }
    }

    fn unspecified_result(&mut self, var: Var, live: bool) {
        if live {
            let dst = self.bind_reg(var);
            let idx = self.shared.unit.constant(&Constant::Unspecified);
            self.emit(Instr::Const { dst, idx });
        }
    }

    /// Registers a top-level `next` continuation as a jump target.
    pub(crate) fn add_label(&mut self, k: Var, n_params: usize) {
        self.labels.insert(
            k,
            Label {
                params: vec![None; n_params],
                jumps: Vec::new(),
            },
        );
    }

    /// Places label `k` here and patches the jumps to it. A jump right before the label is
    /// dropped. Returns false if nothing jumps to it (its code would be unreachable).
    pub(crate) fn place_label(&mut self, k: Var) -> bool {
        let Some(Label { mut jumps, .. }) = self.labels.remove(&k) else {
            return false;
        };
        if jumps
            .last()
            .is_some_and(|&last| last + 1 == self.code.len())
        {
            jumps.pop();
            self.code.pop();
            self.locs.pop();
            if jumps.is_empty() {
                return true;
            }
        }
        if jumps.is_empty() {
            return false;
        }
        let target = Pc(self.pc());
        for at in jumps {
            if let Instr::Jump { target: slot } = &mut self.code[at] {
                *slot = target;
            }
        }
        true
    }

    pub(crate) fn reserve_block(&mut self) -> BlockIdx {
        self.shared.unit.reserve()
    }

    /// Binds a reified top-level `next` continuation.
    pub(crate) fn bind_next(&mut self, k: Var, block: BlockIdx) {
        self.bind_closure(k, block);
    }
}
