//! Control transfers: tail calls (a window at `r0` filled by a parallel move), returns, and
//! jumps to join points.

use super::{BlockGen, Loc, count_u16, reg_at};
use crate::bytecode::{BlockIdx, ConstIdx, Instr, Pc, Reg};
use crate::cps::{Atom, Var};

/// Where a value to pass comes from, before it is moved into place.
#[derive(Clone, Copy, Debug)]
enum Source<'a> {
    Reg(Reg),
    Const(ConstIdx),
    Free(u16),
    Closure {
        block: BlockIdx,
        captures: &'a [Var],
    },
}

impl<'a> BlockGen<'_, 'a, '_> {
    /// Where the value of `a` comes from.
    fn source(&mut self, a: &Atom) -> Source<'a> {
        match a {
            Atom::Const(c) => Source::Const(self.shared.unit.constant(c)),
            Atom::Var(v) => match self.use_var(*v) {
                Loc::Reg(r) => Source::Reg(r),
                Loc::Free(idx) => Source::Free(idx),
                Loc::Deferred { block, captures } => Source::Closure { block, captures },
            },
        }
    }

    /// A tail call. Nothing is live after it on this path, so the window `base..=base+argc`
    /// may overwrite any register except the ones still to be read; it starts at `r0` unless
    /// the procedure's register is in the way. Register sources are placed by a parallel move.
    pub(super) fn call(&mut self, f: &Atom, k: Var, args: &[Atom]) {
        let len = args.len() + 1;
        let mut sources = Vec::with_capacity(len);
        sources.push(self.source(&Atom::Var(k)));
        for a in args {
            let src = self.source(a);
            sources.push(src);
        }
        let f = match self.source(f) {
            Source::Closure { block, captures } => {
                let r = self.scratch();
                self.emit_closure(r, block, captures);
                Source::Reg(r)
            }
            other => other,
        };
        // The window starts at r0 unless the procedure's register is in the way; then either the
        // procedure moves out (one move) or the window starts after it, whichever needs fewer
        // moves (ties favour the smaller register file).
        let moves_at = |base: usize| {
            sources
                .iter()
                .enumerate()
                .filter(|&(i, src)| matches!(src, Source::Reg(r) if usize::from(r.0) != base + i))
                .count()
        };
        let base = match f {
            Source::Reg(r) if usize::from(r.0) < len => {
                let after = usize::from(r.0) + 1;
                if moves_at(0) < moves_at(after) {
                    0
                } else {
                    after
                }
            }
            _ => 0,
        };
        let f = match f {
            Source::Reg(r) if usize::from(r.0) >= base && usize::from(r.0) < base + len => {
                let window = self.regs.reserve(base, len);
                let moved = self.scratch();
                for w in window {
                    self.regs.free(w);
                }
                self.emit(Instr::Move { dst: moved, src: r });
                Source::Reg(moved)
            }
            other => other,
        };
        let target = |i: usize| reg_at(Reg(0), base + i);
        // Window registers are taken as they are written: until then, the scratch registers
        // that closures' captures are loaded into may use them.
        let mut reserved = Vec::new();
        // A closure is made in place unless its target is read later: by the procedure, by a
        // register source, or by the captures of a closure made after it (its own captures are
        // read before the target is written).
        for i in 0..sources.len() {
            let Source::Closure { block, captures } = sources[i] else {
                continue;
            };
            let t = target(i);
            let read_later = matches!(f, Source::Reg(r) if r == t)
                || sources.iter().enumerate().any(|(j, src)| match *src {
                    Source::Reg(r) => r == t,
                    Source::Closure { captures, .. } if j > i => captures
                        .iter()
                        .any(|&c| matches!(self.loc_of(c), Some(Loc::Reg(r)) if r == t)),
                    _ => false,
                });
            if read_later {
                let r = self.scratch();
                self.emit_closure(r, block, captures);
                sources[i] = Source::Reg(r);
            } else {
                self.emit_closure(t, block, captures);
                reserved.extend(self.regs.reserve(usize::from(t.0), 1));
                sources[i] = Source::Reg(t);
            }
        }
        reserved.extend(self.regs.reserve(base, len));
        let mut moves: Vec<(Reg, Reg)> = sources
            .iter()
            .enumerate()
            .filter_map(|(i, src)| match *src {
                Source::Reg(r) if r != target(i) => Some((target(i), r)),
                _ => None,
            })
            .collect();
        while !moves.is_empty() {
            if let Some(i) = moves
                .iter()
                .position(|&(d, _)| !moves.iter().any(|&(_, s)| s == d))
            {
                let (dst, src) = moves.remove(i);
                self.emit(Instr::Move { dst, src });
            } else {
                // Every pending target is still to be read: a cycle. Park one source aside.
                let parked = moves[0].1;
                let temp = self.scratch();
                self.emit(Instr::Move {
                    dst: temp,
                    src: parked,
                });
                for m in &mut moves {
                    if m.1 == parked {
                        m.1 = temp;
                    }
                }
            }
        }
        for (i, src) in sources.iter().enumerate() {
            match *src {
                Source::Const(idx) => self.emit(Instr::Const {
                    dst: target(i),
                    idx,
                }),
                Source::Free(idx) => self.emit(Instr::Free {
                    dst: target(i),
                    idx,
                }),
                Source::Reg(_) | Source::Closure { .. } => {}
            }
        }
        let f = match f {
            Source::Reg(r) => r,
            Source::Const(idx) => {
                let r = self.scratch();
                self.emit(Instr::Const { dst: r, idx });
                r
            }
            Source::Free(idx) => {
                let r = self.scratch();
                self.emit(Instr::Free { dst: r, idx });
                r
            }
            Source::Closure { .. } => unreachable!("made above"),
        };
        self.emit(Instr::Call {
            f,
            base: target(0),
            argc: count_u16(args.len(), "arguments"),
        });
        for r in reserved {
            self.regs.free(r);
        }
        self.flush();
    }

    pub(super) fn jump(&mut self, k: Var, args: &'a [Atom]) {
        if let Some(label) = self.labels.get(&k) {
            let params = label.params.clone();
            for (p, a) in params.into_iter().zip(args) {
                match p {
                    Some(r) => self.load_into(r, a),
                    None => self.consume_atom(a),
                }
            }
            self.flush();
            let at = self.code.len();
            self.emit(Instr::Jump {
                target: Pc(u32::MAX),
            });
            if let Some(label) = self.labels.get_mut(&k) {
                label.jumps.push(at);
            }
            return;
        }
        let kr = self.var_operand(k);
        if let [Atom::Var(v)] = args
            && let Some(Loc::Reg(r)) = self.loc_of(*v)
        {
            self.use_var(*v);
            self.emit(Instr::Return {
                k: kr,
                base: r,
                count: 1,
            });
            self.flush();
            return;
        }
        let base = self.regs.alloc_window(args.len());
        for (i, a) in args.iter().enumerate() {
            self.load_into(reg_at(base, i), a);
        }
        self.emit(Instr::Return {
            k: kr,
            base,
            count: count_u16(args.len(), "values"),
        });
        self.flush();
        for i in 0..args.len() {
            self.regs.free(reg_at(base, i));
        }
    }
}
