//! Closures and continuation frames: made where bound, or at their only use, and recursive
//! groups tied with `SetFree`.

use super::{BlockGen, Job, Loc, count_u16};
use crate::bytecode::{BlockIdx, Constant, Instr, Reg};
use crate::cps::{Fun, Var};

impl<'a> BlockGen<'_, 'a, '_> {
    pub(super) fn emit_closure(&mut self, dst: Reg, block: BlockIdx, captures: &'a [Var]) {
        let regs: Vec<Reg> = captures.iter().map(|&c| self.var_operand(c)).collect();
        let start = u32::try_from(self.operands.len()).expect("fewer than 2^32 operands");
        self.operands.extend(regs);
        self.emit(Instr::Closure {
            dst,
            block,
            captures: start,
        });
    }

    /// Binds a reified continuation or a lone procedure: deferred to its use if it has exactly
    /// one, otherwise made now.
    pub(super) fn bind_closure(&mut self, var: Var, block: BlockIdx) {
        let captures = self.shared.analysis.free_of(var);
        match self.uses(var) {
            0 => {}
            1 if !captures.contains(&var) && self.shared.analysis.closures_at_use => {
                self.bind(var, Loc::Deferred { block, captures });
            }
            _ => {
                let regs: Vec<Reg> = captures.iter().map(|&c| self.var_operand(c)).collect();
                self.flush();
                let dst = self.bind_reg(var);
                let start = u32::try_from(self.operands.len()).expect("fewer than 2^32 operands");
                self.operands.extend(regs);
                self.emit(Instr::Closure {
                    dst,
                    block,
                    captures: start,
                });
            }
        }
    }

    pub(super) fn let_funs(&mut self, funs: &'a [Fun]) {
        let analysis = self.shared.analysis;
        if let [f] = funs
            && !analysis.free_of(f.var).contains(&f.var)
        {
            if self.uses(f.var) == 0 {
                return;
            }
            let block = self.shared.unit.reserve();
            self.shared.jobs.push(Job::Fun(f, block));
            self.bind_closure(f.var, block);
            return;
        }
        // A recursive group: make every closure, with a placeholder for captures of members
        // not made yet, then patch those captures.
        let blocks: Vec<BlockIdx> = funs
            .iter()
            .map(|f| {
                let b = self.shared.unit.reserve();
                self.shared.jobs.push(Job::Fun(f, b));
                b
            })
            .collect();
        let regs: Vec<Reg> = funs.iter().map(|f| self.bind_reg(f.var)).collect();
        let mut placeholder = None;
        let mut patches = Vec::new();
        for (i, f) in funs.iter().enumerate() {
            let mut caps = Vec::new();
            for (slot, &c) in analysis.free_of(f.var).iter().enumerate() {
                match funs.iter().position(|g| g.var == c) {
                    Some(j) if j >= i => {
                        let ph = match placeholder {
                            Some(r) => r,
                            None => {
                                let r = self.scratch();
                                let idx = self.shared.unit.constant(&Constant::Uninitialized);
                                self.emit(Instr::Const { dst: r, idx });
                                placeholder = Some(r);
                                r
                            }
                        };
                        caps.push(ph);
                        patches.push((i, count_u16(slot, "captured values"), j));
                    }
                    _ => caps.push(self.var_operand(c)),
                }
            }
            let start = u32::try_from(self.operands.len()).expect("fewer than 2^32 operands");
            self.operands.extend(caps);
            self.emit(Instr::Closure {
                dst: regs[i],
                block: blocks[i],
                captures: start,
            });
        }
        for (i, idx, j) in patches {
            self.use_var(funs[j].var);
            self.emit(Instr::SetFree {
                closure: regs[i],
                idx,
                src: regs[j],
            });
        }
        self.flush();
        for (f, r) in funs.iter().zip(regs) {
            if self.uses(f.var) == 0 {
                self.regs.free(r);
            }
        }
    }
}
