//! Register allocation within one block. Every variable keeps one register from its binding to
//! its last use (counted in advance, see `uses.rs`), then the register is reused; call and
//! return windows take the lowest run of free registers. Blocks are small trees of code, so a
//! first-fit scan over a bitmap is both simple and near optimal here.

use crate::bytecode::Reg;

#[derive(Debug, Default)]
pub(crate) struct Regs {
    in_use: Vec<bool>,
    /// One past the highest register ever used: the block's `n_regs`.
    high_water: usize,
}

impl Regs {
    fn mark(&mut self, i: usize) {
        if i >= self.in_use.len() {
            self.in_use.resize(i + 1, false);
        }
        debug_assert!(!self.in_use[i], "register r{i} allocated twice");
        self.in_use[i] = true;
        self.high_water = self.high_water.max(i + 1);
    }

    /// Marks a specific register as taken (entry registers of a block).
    pub(crate) fn take(&mut self, r: Reg) {
        self.mark(usize::from(r.0));
    }

    /// The lowest free register.
    pub(crate) fn alloc(&mut self) -> Reg {
        self.alloc_window(1)
    }

    /// The lowest run of `len` free registers; returns its first register.
    pub(crate) fn alloc_window(&mut self, len: usize) -> Reg {
        let mut base = 0;
        while (base..base + len).any(|i| self.in_use.get(i).copied().unwrap_or(false)) {
            base += 1;
        }
        for i in base..base + len {
            self.mark(i);
        }
        Reg(u16::try_from(base).expect("a block needs fewer than 65536 registers"))
    }

    /// Marks the free registers of `base..base + len` as taken (some may hold variables live on
    /// other paths, which a tail call may overwrite) and returns those it marked.
    pub(crate) fn reserve(&mut self, base: usize, len: usize) -> Vec<Reg> {
        let mut marked = Vec::new();
        for i in base..base + len {
            if !self.in_use.get(i).copied().unwrap_or(false) {
                self.mark(i);
                marked.push(Reg(
                    u16::try_from(i).expect("a block needs fewer than 65536 registers")
                ));
            }
            self.high_water = self.high_water.max(i + 1);
        }
        marked
    }

    pub(crate) fn free(&mut self, r: Reg) {
        if let Some(slot) = self.in_use.get_mut(usize::from(r.0)) {
            *slot = false;
        }
    }

    pub(crate) fn high_water(&self) -> usize {
        self.high_water
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_skip_taken_registers_and_reuse_freed_ones() {
        let mut regs = Regs::default();
        regs.take(Reg(0));
        let a = regs.alloc();
        let b = regs.alloc();
        assert_eq!((a, b), (Reg(1), Reg(2)));
        regs.free(a);
        assert_eq!(
            regs.alloc_window(2),
            Reg(3),
            "r1 alone is too small for two"
        );
        assert_eq!(regs.alloc(), Reg(1));
        assert_eq!(regs.high_water(), 5);
    }
}
