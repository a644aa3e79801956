//! The bytecode interpreter: runs one process for a bounded number of reductions, then returns
//! to the scheduler.
//!
//! There is no Rust recursion per Scheme call: a call replaces the running frame (the register
//! file is reused), and a non-tail call's continuation is a heap [`Object::Frame`] the compiler
//! allocated. Between any two instructions the process is described by `(closure, pc, registers)`,
//! which [`Vm::run_slice`] writes back into the process object when the slice ends.

use std::sync::Arc;

use pscheme_compiler::bytecode::{BlockKind, Instr, PrimOp};

use crate::error::Error;
use crate::object::{Closure, LoadedCode, Object, ProcState};
use crate::prim::{Action, Ctx, Wait};
use crate::value::{ObjId, Value};
use crate::vm::Vm;

/// Why a slice ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SliceEnd {
    /// Fuel ran out; the process is still runnable.
    Yielded,
    /// The process waits (its state is a retry of the blocking primitive call).
    Blocked(Wait),
    /// The process returned to its bottom frame with this value.
    Exited(Value),
    /// An uncaught exception ended the process (the report is in `Vm::reports`).
    Failed,
}

/// A control transfer that is not the fast path of a compiled call or return.
#[derive(Debug)]
pub(crate) enum Transfer {
    /// Call `f`; `args[0]` is the continuation.
    Apply { f: Value, args: Vec<Value> },
    /// Return `vals` to the continuation `k`.
    Return { k: Value, vals: Vec<Value> },
}

/// Result of carrying out a [`Transfer`] or an [`Action`].
pub(crate) enum Step {
    /// A compiled frame was entered: continue with the instruction loop.
    Entered,
    /// Another transfer follows (a primitive asked for a call, a native frame continues, ...).
    Next(Transfer),
    End(SliceEnd),
}

/// Where the running frame is. `code` is the [`Object::Code`] of `closure`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pos {
    pub closure: ObjId,
    pub code: ObjId,
    pub block: u32,
    pub pc: u32,
}

/// The instruction that made the current call, for error locations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Site {
    pub code: ObjId,
    pub block: u32,
    pub pc: u32,
}

enum Flow {
    Transfer(Transfer),
    /// Raise `err` from the instruction at the current position.
    Error(Error),
    /// Out of fuel at a block entry.
    OutOfFuel,
    End(SliceEnd),
}

impl Vm {
    /// Runs process `pid` for at most `fuel` reductions (calls, returns and backward jumps).
    pub(crate) fn run_slice(&mut self, pid: ObjId, fuel: u32) -> SliceEnd {
        let mut fuel = fuel.max(1);
        let state = match self.heap.get_mut(pid) {
            Object::Process(p) => std::mem::replace(&mut p.state, ProcState::Finished),
            other => panic!("run_slice on a {}", other.type_name()),
        };
        let mut pos = None;
        let mut pending = match state {
            ProcState::Apply { f, args } => Some(Transfer::Apply { f, args }),
            ProcState::Frame { closure, pc, regs } => {
                self.regs = regs;
                pos = Some(self.frame_pos(closure, pc));
                None
            }
            ProcState::Finished => return SliceEnd::Exited(Value::UNSPECIFIED),
        };
        loop {
            if let Some(t) = pending.take() {
                if fuel == 0 {
                    self.save_transfer(pid, t);
                    return SliceEnd::Yielded;
                }
                fuel -= 1;
                let site = pos.map(|p: Pos| Site {
                    code: p.code,
                    block: p.block,
                    pc: p.pc.saturating_sub(1),
                });
                match self.transfer(pid, t, site, &mut pos) {
                    Step::Entered => {}
                    Step::Next(t) => {
                        pending = Some(t);
                        continue;
                    }
                    // A blocked process's state was saved by `block_on`.
                    Step::End(end) => return end,
                }
            }
            let Some(p) = pos.as_mut() else {
                unreachable!("a transfer either enters a frame or ends the slice")
            };
            match self.exec(pid, p, &mut fuel) {
                Flow::Transfer(t) => pending = Some(t),
                Flow::End(e) => return e,
                Flow::OutOfFuel => {
                    let p = *p;
                    let regs = std::mem::take(&mut self.regs);
                    self.set_state(
                        pid,
                        ProcState::Frame {
                            closure: p.closure,
                            pc: p.pc,
                            regs,
                        },
                    );
                    return SliceEnd::Yielded;
                }
                Flow::Error(err) => {
                    let p = *p;
                    let site = Site {
                        code: p.code,
                        block: p.block,
                        pc: p.pc.saturating_sub(1),
                    };
                    let k = self.current_continuation(p);
                    match self.raise_error(pid, err, None, k, Some(site)) {
                        Step::Next(t) => pending = Some(t),
                        Step::End(e) => return e,
                        Step::Entered => {}
                    }
                }
            }
        }
    }

    fn set_state(&mut self, pid: ObjId, state: ProcState) {
        if let Object::Process(p) = self.heap.get_mut(pid) {
            p.state = state;
        }
    }

    /// Saves a pending transfer as the process state (a return becomes a call of the
    /// continuation, which returns its arguments to it).
    fn save_transfer(&mut self, pid: ObjId, t: Transfer) {
        let state = match t {
            Transfer::Apply { f, args } => ProcState::Apply { f, args },
            Transfer::Return { k, vals } => {
                let mut args = Vec::with_capacity(vals.len() + 1);
                args.push(Value::UNSPECIFIED);
                args.extend(vals);
                ProcState::Apply { f: k, args }
            }
        };
        self.set_state(pid, state);
    }

    /// Saves a retry of the primitive call `f(args)` and blocks.
    pub(crate) fn block_on(&mut self, pid: ObjId, f: Value, args: Vec<Value>, wait: Wait) -> Step {
        self.set_state(pid, ProcState::Apply { f, args });
        Step::End(SliceEnd::Blocked(wait))
    }

    fn frame_pos(&self, closure: ObjId, pc: u32) -> Pos {
        match self.heap.get(closure) {
            Object::Closure(c) | Object::Frame(c) => Pos {
                closure,
                code: c.code,
                block: c.block,
                pc,
            },
            other => panic!("process frame is a {}", other.type_name()),
        }
    }

    pub(crate) fn code_of(&self, code: ObjId) -> Arc<LoadedCode> {
        match self.heap.get(code) {
            Object::Code(c) => c.0.clone(),
            other => panic!("closure code is a {}", other.type_name()),
        }
    }

    /// The instruction loop. Returns when control leaves compiled code, on an error, or when
    /// fuel runs out at a block entry.
    fn exec(&mut self, pid: ObjId, pos: &mut Pos, fuel: &mut u32) -> Flow {
        let mut code = self.code_of(pos.code);
        'frame: loop {
            let blk = code.block(pos.block);
            loop {
                let instr = blk.code[pos.pc as usize];
                pos.pc += 1;
                match instr {
                    Instr::Const { dst, idx } => {
                        self.regs[dst.0 as usize] = code.consts[idx.0 as usize]
                    }
                    Instr::Move { dst, src } => {
                        self.regs[dst.0 as usize] = self.regs[src.0 as usize]
                    }
                    Instr::Free { dst, idx } => {
                        let v = match self.heap.get(pos.closure) {
                            Object::Closure(c) | Object::Frame(c) => c.free[idx as usize],
                            _ => unreachable!("running closure is a closure"),
                        };
                        self.regs[dst.0 as usize] = v;
                    }
                    Instr::Global { dst, name } => {
                        let sym = code.globals[name.0 as usize];
                        match self.heap.global(sym) {
                            Some(v) => self.regs[dst.0 as usize] = v,
                            None => return Flow::Error(self.unbound(sym)),
                        }
                    }
                    Instr::SetGlobal { name, src } => {
                        let sym = code.globals[name.0 as usize];
                        if self.heap.global(sym).is_none() {
                            return Flow::Error(self.unbound(sym));
                        }
                        self.heap.set_global(sym, self.regs[src.0 as usize]);
                    }
                    Instr::DefineGlobal { name, src } => {
                        let sym = code.globals[name.0 as usize];
                        self.heap.set_global(sym, self.regs[src.0 as usize]);
                    }
                    Instr::Closure {
                        dst,
                        block,
                        captures,
                    } => {
                        let target = code.block(block.0);
                        let start = captures as usize;
                        let ops = &blk.operands[start..start + target.n_free as usize];
                        let free: Box<[Value]> =
                            ops.iter().map(|r| self.regs[r.0 as usize]).collect();
                        let c = Closure {
                            code: pos.code,
                            block: block.0,
                            free,
                        };
                        let obj = match target.kind {
                            BlockKind::Lambda => Object::Closure(c),
                            BlockKind::Continuation => Object::Frame(c),
                        };
                        self.regs[dst.0 as usize] = self.heap.alloc_value(obj);
                    }
                    Instr::SetFree { closure, idx, src } => {
                        let target = self.regs[closure.0 as usize];
                        let v = self.regs[src.0 as usize];
                        let ok = match target.as_obj() {
                            Some(id) => match self.heap.get_mut(id) {
                                Object::Closure(c) => match c.free.get_mut(idx as usize) {
                                    Some(slot) => {
                                        *slot = v;
                                        true
                                    }
                                    None => false,
                                },
                                _ => false,
                            },
                            None => false,
                        };
                        if !ok {
                            return Flow::Error(Error::wrong_type(
                                "closure with a free slot",
                                target,
                            ));
                        }
                    }
                    Instr::MakeBox { dst, src } => {
                        let v = self.regs[src.0 as usize];
                        self.regs[dst.0 as usize] = self.heap.alloc_value(Object::Box(v));
                    }
                    Instr::BoxGet { dst, bx } => {
                        let b = self.regs[bx.0 as usize];
                        match self.heap.object(b) {
                            Some(Object::Box(v)) => self.regs[dst.0 as usize] = *v,
                            _ => return Flow::Error(Error::wrong_type("box", b)),
                        }
                    }
                    Instr::BoxSet { bx, src } => {
                        let b = self.regs[bx.0 as usize];
                        let v = self.regs[src.0 as usize];
                        match b.as_obj().map(|id| self.heap.get_mut(id)) {
                            Some(Object::Box(slot)) => *slot = v,
                            _ => return Flow::Error(Error::wrong_type("box", b)),
                        }
                    }
                    Instr::Jump { target } => {
                        if target.0 < pos.pc {
                            if *fuel == 0 {
                                pos.pc -= 1;
                                return Flow::OutOfFuel;
                            }
                            *fuel -= 1;
                        }
                        pos.pc = target.0;
                    }
                    Instr::JumpIfFalse { cond, target } => {
                        if self.regs[cond.0 as usize].is_false() {
                            pos.pc = target.0;
                        }
                    }
                    Instr::Prim1 { op, dst, a } => {
                        let a = self.regs[a.0 as usize];
                        match crate::prims::inline::apply_op(&mut self.heap, op, &[a]) {
                            Ok(v) => self.regs[dst.0 as usize] = v,
                            Err(e) => return Flow::Error(prefix(op, e)),
                        }
                    }
                    Instr::Prim2 { op, dst, a, b } => {
                        let a = self.regs[a.0 as usize];
                        let b = self.regs[b.0 as usize];
                        if let Some(v) = fixnum_op(op, a, b) {
                            self.regs[dst.0 as usize] = v;
                            continue;
                        }
                        match crate::prims::inline::apply_op(&mut self.heap, op, &[a, b]) {
                            Ok(v) => self.regs[dst.0 as usize] = v,
                            Err(e) => return Flow::Error(prefix(op, e)),
                        }
                    }
                    Instr::Prim3 { op, dst, a, b, c } => {
                        let a = self.regs[a.0 as usize];
                        let b = self.regs[b.0 as usize];
                        let c = self.regs[c.0 as usize];
                        match crate::prims::inline::apply_op(&mut self.heap, op, &[a, b, c]) {
                            Ok(v) => self.regs[dst.0 as usize] = v,
                            Err(e) => return Flow::Error(prefix(op, e)),
                        }
                    }
                    Instr::Call { f, base, argc } => {
                        let fv = self.regs[f.0 as usize];
                        let base = base.0 as usize;
                        let argc = argc as usize;
                        if let Some(id) = fv.as_obj()
                            && let Object::Closure(c) = self.heap.get(id)
                        {
                            if *fuel == 0 {
                                pos.pc -= 1;
                                return Flow::OutOfFuel;
                            }
                            *fuel -= 1;
                            let (code_id, block) = (c.code, c.block);
                            self.scratch.clear();
                            self.scratch
                                .extend_from_slice(&self.regs[base..=base + argc]);
                            let site = Site {
                                code: pos.code,
                                block: pos.block,
                                pc: pos.pc - 1,
                            };
                            if code_id != pos.code {
                                code = self.code_of(code_id);
                            }
                            let callee = code.block(block);
                            if let Err(e) = self.enter_lambda(callee) {
                                let k = self.scratch[0];
                                return self.error_flow(pid, e, k, site);
                            }
                            *pos = Pos {
                                closure: id,
                                code: code_id,
                                block,
                                pc: 0,
                            };
                            continue 'frame;
                        }
                        if let Some(id) = fv.as_obj()
                            && let Object::Primitive(p) = self.heap.get(id)
                            && let Some(entry) = self.prims.get(p.index)
                            && entry.arity.accepts(argc)
                        {
                            // Fast path: no argument vector, and a returned value goes straight
                            // into the continuation frame.
                            let k = self.regs[base];
                            let site = Site {
                                code: pos.code,
                                block: pos.block,
                                pc: pos.pc - 1,
                            };
                            let mut ctx = Ctx {
                                heap: &mut self.heap,
                                host: &mut self.host,
                                process: pid,
                                k,
                                site: Some(site),
                                scheduler: self.scheduler,
                            };
                            let result = (entry.f)(&mut ctx, &self.regs[base + 1..=base + argc]);
                            if let Ok(Action::Return(v)) = result
                                && let Some(kid) = k.as_obj()
                                && let Object::Frame(c) = self.heap.get(kid)
                            {
                                if *fuel == 0 {
                                    return Flow::Transfer(Transfer::Return { k, vals: vec![v] });
                                }
                                *fuel -= 1;
                                let (code_id, block) = (c.code, c.block);
                                self.scratch.clear();
                                self.scratch.push(v);
                                if code_id != pos.code {
                                    code = self.code_of(code_id);
                                }
                                if let Err(e) = self.enter_continuation(code.block(block)) {
                                    return self.error_flow(pid, e, k, site);
                                }
                                *pos = Pos {
                                    closure: kid,
                                    code: code_id,
                                    block,
                                    pc: 0,
                                };
                                continue 'frame;
                            }
                            let name = entry.name;
                            let args = self.regs[base..=base + argc].to_vec();
                            let step = match result {
                                Ok(Action::Block(Wait::Yield)) => {
                                    self.save_transfer(
                                        pid,
                                        Transfer::Return {
                                            k,
                                            vals: vec![Value::UNSPECIFIED],
                                        },
                                    );
                                    Step::End(SliceEnd::Blocked(Wait::Yield))
                                }
                                Ok(Action::Block(wait)) => self.block_on(pid, fv, args, wait),
                                Ok(action) => self.action(pid, action, k, Some(site)),
                                Err(e) => self.raise_error(pid, e, Some(name), k, Some(site)),
                            };
                            return match step {
                                Step::Next(t) => Flow::Transfer(t),
                                Step::End(end) => Flow::End(end),
                                Step::Entered => {
                                    unreachable!("actions never enter a frame directly")
                                }
                            };
                        }
                        let args = self.regs[base..=base + argc].to_vec();
                        return Flow::Transfer(Transfer::Apply { f: fv, args });
                    }
                    Instr::Return { k, base, count } => {
                        let kv = self.regs[k.0 as usize];
                        let base = base.0 as usize;
                        let count = count as usize;
                        if let Some(id) = kv.as_obj()
                            && let Object::Frame(c) = self.heap.get(id)
                        {
                            if *fuel == 0 {
                                pos.pc -= 1;
                                return Flow::OutOfFuel;
                            }
                            *fuel -= 1;
                            let (code_id, block) = (c.code, c.block);
                            self.scratch.clear();
                            self.scratch
                                .extend_from_slice(&self.regs[base..base + count]);
                            if code_id != pos.code {
                                code = self.code_of(code_id);
                            }
                            let target = code.block(block);
                            if let Err(e) = self.enter_continuation(target) {
                                let site = Site {
                                    code: pos.code,
                                    block: pos.block,
                                    pc: pos.pc - 1,
                                };
                                return self.error_flow(pid, e, kv, site);
                            }
                            *pos = Pos {
                                closure: id,
                                code: code_id,
                                block,
                                pc: 0,
                            };
                            continue 'frame;
                        }
                        let vals = self.regs[base..base + count].to_vec();
                        return Flow::Transfer(Transfer::Return { k: kv, vals });
                    }
                }
            }
        }
    }

    /// Raises an error detected at a call whose continuation is `k`.
    fn error_flow(&mut self, pid: ObjId, e: Error, k: Value, site: Site) -> Flow {
        match self.raise_error(pid, e, None, k, Some(site)) {
            Step::Next(t) => Flow::Transfer(t),
            Step::End(end) => Flow::End(end),
            Step::Entered => unreachable!("raising calls a handler or ends the process"),
        }
    }

    /// Sets up the register file for a lambda block from `self.scratch` (`[k, args...]`).
    fn enter_lambda(&mut self, blk: &pscheme_compiler::bytecode::Block) -> Result<(), Error> {
        let argc = self.scratch.len() - 1;
        let required = blk.arity.required as usize;
        if argc < required || (argc > required && !blk.arity.rest) {
            return Err(arity_error(
                blk.name.as_deref(),
                required,
                blk.arity.rest,
                argc,
            ));
        }
        self.regs.clear();
        self.regs.resize(blk.n_regs as usize, Value::UNSPECIFIED);
        self.regs[..=required].copy_from_slice(&self.scratch[..=required]);
        if blk.arity.rest {
            let rest = self.heap.list(&self.scratch[required + 1..]);
            self.regs[required + 1] = rest;
        }
        Ok(())
    }

    /// Sets up the register file for a continuation block from the values in `self.scratch`.
    fn enter_continuation(&mut self, blk: &pscheme_compiler::bytecode::Block) -> Result<(), Error> {
        let count = self.scratch.len();
        let required = blk.arity.required as usize;
        self.regs.clear();
        self.regs.resize(blk.n_regs as usize, Value::UNSPECIFIED);
        if blk.arity.rest {
            if count < required {
                return Err(arity_error(None, required, true, count));
            }
            self.regs[..required].copy_from_slice(&self.scratch[..required]);
            let rest = self.heap.list(&self.scratch[required..]);
            self.regs[required] = rest;
        } else if required == 1 {
            // A one-value continuation accepts zero values (as unspecified) or extra ones (dropped),
            // as most Schemes do for `(begin (values) ...)`-like code.
            self.regs[0] = self.scratch.first().copied().unwrap_or(Value::UNSPECIFIED);
        } else if count == required {
            self.regs[..required].copy_from_slice(&self.scratch[..required]);
        } else {
            return Err(Error::msg(format!(
                "continuation expects {required} values, got {count}"
            )));
        }
        Ok(())
    }

    /// Carries out a transfer.
    fn transfer(
        &mut self,
        pid: ObjId,
        t: Transfer,
        site: Option<Site>,
        pos: &mut Option<Pos>,
    ) -> Step {
        match t {
            Transfer::Apply { f, args } => self.apply(pid, f, args, site, pos),
            Transfer::Return { k, vals } => self.return_to(pid, k, vals, site, pos),
        }
    }

    fn apply(
        &mut self,
        pid: ObjId,
        f: Value,
        args: Vec<Value>,
        site: Option<Site>,
        pos: &mut Option<Pos>,
    ) -> Step {
        let k = args.first().copied().unwrap_or(Value::UNSPECIFIED);
        let Some(id) = f.as_obj() else {
            return self.raise_error(
                pid,
                Error::wrong_type("procedure", f),
                Some("apply"),
                k,
                site,
            );
        };
        match self.heap.get(id) {
            Object::Closure(c) => {
                let (code_id, block) = (c.code, c.block);
                match self.enter_block(id, code_id, block, &args, false, pos) {
                    Ok(()) => Step::Entered,
                    Err(e) => self.raise_error(pid, e, None, k, site),
                }
            }
            Object::Frame(_) | Object::NativeFrame(_) | Object::Continuation(_) => {
                let vals = args.get(1..).unwrap_or_default().to_vec();
                self.return_to(pid, f, vals, site, pos)
            }
            Object::Primitive(p) => {
                let idx = p.index;
                let Some(entry) = self.prims.get(idx) else {
                    let e = Error::msg(format!("primitive {} is not available in this VM", p.name));
                    return self.raise_error(pid, e, None, k, site);
                };
                let name = entry.name;
                let argc = args.len().saturating_sub(1);
                if !entry.arity.accepts(argc) {
                    let e =
                        arity_error(Some(name), entry.arity.min, entry.arity.max.is_none(), argc);
                    return self.raise_error(pid, e, None, k, site);
                }
                let mut ctx = Ctx {
                    heap: &mut self.heap,
                    host: &mut self.host,
                    process: pid,
                    k,
                    site,
                    scheduler: self.scheduler,
                };
                let result = (entry.f)(&mut ctx, &args[1..]);
                match result {
                    Ok(Action::Block(Wait::Yield)) => {
                        self.save_transfer(
                            pid,
                            Transfer::Return {
                                k,
                                vals: vec![Value::UNSPECIFIED],
                            },
                        );
                        Step::End(SliceEnd::Blocked(Wait::Yield))
                    }
                    Ok(Action::Block(wait)) => self.block_on(pid, f, args, wait),
                    Ok(action) => self.action(pid, action, k, site),
                    Err(e) => self.raise_error(pid, e, Some(name), k, site),
                }
            }
            Object::CaseLambda(procs) => {
                let argc = args.len() - 1;
                let chosen = procs.iter().copied().find(|&p| match self.heap.object(p) {
                    Some(Object::Closure(c)) => {
                        let arity = self.code_of(c.code).block(c.block).arity;
                        let required = arity.required as usize;
                        argc == required || (arity.rest && argc >= required)
                    }
                    _ => false,
                });
                match chosen {
                    Some(p) => Step::Next(Transfer::Apply { f: p, args }),
                    None => {
                        let e =
                            Error::msg(format!("case-lambda: no clause accepts {argc} arguments"));
                        self.raise_error(pid, e, None, k, site)
                    }
                }
            }
            Object::Parameter(_) => {
                if args.len() != 1 {
                    let e = Error::msg("a parameter takes no arguments");
                    return self.raise_error(pid, e, None, k, site);
                }
                let v = self.parameter_value(pid, id);
                Step::Next(Transfer::Return { k, vals: vec![v] })
            }
            _ => self.raise_error(
                pid,
                Error::wrong_type("procedure", f),
                Some("apply"),
                k,
                site,
            ),
        }
    }

    /// Enters `block` of `code_id` for `id` (a closure, or a frame if `as_continuation`) with
    /// `vals` as its arguments (a closure's continuation first), outside the fast paths of
    /// the instruction loop.
    fn enter_block(
        &mut self,
        id: ObjId,
        code_id: ObjId,
        block: u32,
        vals: &[Value],
        as_continuation: bool,
        pos: &mut Option<Pos>,
    ) -> Result<(), Error> {
        let code = self.code_of(code_id);
        self.scratch.clear();
        self.scratch.extend_from_slice(vals);
        let blk = code.block(block);
        if as_continuation {
            self.enter_continuation(blk)?;
        } else {
            self.enter_lambda(blk)?;
        }
        *pos = Some(Pos {
            closure: id,
            code: code_id,
            block,
            pc: 0,
        });
        Ok(())
    }

    fn return_to(
        &mut self,
        pid: ObjId,
        k: Value,
        vals: Vec<Value>,
        site: Option<Site>,
        pos: &mut Option<Pos>,
    ) -> Step {
        let Some(id) = k.as_obj() else {
            return self.raise_error(pid, Error::wrong_type("continuation", k), None, k, site);
        };
        match self.heap.get(id) {
            Object::Frame(c) => {
                let (code_id, block) = (c.code, c.block);
                match self.enter_block(id, code_id, block, &vals, true, pos) {
                    Ok(()) => Step::Entered,
                    Err(e) => self.raise_error(pid, e, None, k, site),
                }
            }
            Object::NativeFrame(n) => {
                let (kind, saved) = (n.kind, n.vals.clone());
                self.native_return(pid, kind, &saved, vals, site)
            }
            Object::Continuation(c) => {
                let (target_k, target_state) = (c.k, c.dyn_state);
                self.jump(pid, target_k, target_state, vals)
            }
            _ => self.raise_error(pid, Error::wrong_type("continuation", k), None, k, site),
        }
    }

    /// Carries out what a primitive (or native frame) returned; `k` is its continuation.
    pub(crate) fn action(
        &mut self,
        pid: ObjId,
        action: Action,
        k: Value,
        site: Option<Site>,
    ) -> Step {
        match action {
            Action::Return(v) => Step::Next(Transfer::Return { k, vals: vec![v] }),
            Action::Values(vals) => Step::Next(Transfer::Return { k, vals }),
            Action::TailCall { f, args } => Step::Next(Transfer::Apply {
                f,
                args: with_k(k, args),
            }),
            Action::Call { f, args, k } => Step::Next(Transfer::Apply {
                f,
                args: with_k(k, args),
            }),
            Action::ReturnTo { k, vals } => Step::Next(Transfer::Return { k, vals }),
            Action::Raise { obj, continuable } => self.raise(pid, obj, continuable, k, site),
            Action::Block(_) => {
                let e = Error::msg("only a primitive called directly may block");
                self.raise_error(pid, e, None, k, site)
            }
        }
    }

    fn unbound(&self, sym: ObjId) -> Error {
        let name = self.heap.symbol_name(Value::obj(sym)).unwrap_or("?");
        Error::msg(format!("unbound variable: {name}"))
    }

    /// The continuation of the running frame, for backtraces of errors raised by inline
    /// instructions: the first continuation among the frame's captures and registers.
    fn current_continuation(&self, p: Pos) -> Value {
        let is_k = |v: &Value| {
            matches!(
                self.heap.object(*v),
                Some(Object::Frame(_) | Object::NativeFrame(_))
            )
        };
        if let Object::Closure(c) | Object::Frame(c) = self.heap.get(p.closure)
            && let Some(k) = c.free.iter().find(|v| is_k(v))
        {
            return *k;
        }
        self.regs
            .iter()
            .find(|v| is_k(v))
            .copied()
            .unwrap_or(Value::FALSE)
    }
}

/// The common case of the arithmetic and comparison instructions, on two fixnums without
/// overflow; `None` sends the instruction to the general path.
#[inline]
fn fixnum_op(op: PrimOp, a: Value, b: Value) -> Option<Value> {
    let (x, y) = (a.as_fixnum()?, b.as_fixnum()?);
    match op {
        PrimOp::Add => x.checked_add(y).and_then(Value::fixnum),
        PrimOp::Sub => x.checked_sub(y).and_then(Value::fixnum),
        PrimOp::Mul => x.checked_mul(y).and_then(Value::fixnum),
        PrimOp::Lt => Some(Value::bool(x < y)),
        PrimOp::Gt => Some(Value::bool(x > y)),
        PrimOp::Le => Some(Value::bool(x <= y)),
        PrimOp::Ge => Some(Value::bool(x >= y)),
        PrimOp::NumEq => Some(Value::bool(x == y)),
        _ => None,
    }
}

fn with_k(k: Value, args: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::with_capacity(args.len() + 1);
    out.push(k);
    out.extend(args);
    out
}

/// Names the inline primitive in its error message, as a called primitive's would be.
fn prefix(op: PrimOp, e: Error) -> Error {
    match e {
        // Its error is about a variable, not about a procedure the program called.
        _ if op == PrimOp::CheckInitialized => e,
        Error::Error {
            kind,
            message,
            irritants,
        } => Error::Error {
            kind,
            message: format!("{}: {message}", op.name()),
            irritants,
        },
        other => other,
    }
}

pub(crate) fn arity_error(name: Option<&str>, required: usize, rest: bool, got: usize) -> Error {
    let who = name.unwrap_or("procedure");
    let expected = if rest {
        format!("at least {required}")
    } else {
        required.to_string()
    };
    let plural = if required == 1 && !rest { "" } else { "s" };
    Error::msg(format!(
        "{who}: wrong number of arguments: expected {expected} argument{plural}, got {got}"
    ))
}
