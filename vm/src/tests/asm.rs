//! A tiny assembler for hand-written code units, so the interpreter is tested independently of
//! the compiler.

use pscheme_compiler::bytecode::{
    Arity, Block, BlockIdx, BlockKind, CodeUnit, ConstIdx, Constant, FORMAT_VERSION, GlobalIdx,
    Instr, Pc, PrimOp, Reg, SourceLoc,
};
use pscheme_compiler::datum::{Datum, DatumKind};

use crate::value::Value;
use crate::vm::Vm;

pub(crate) fn r(n: u16) -> Reg {
    Reg(n)
}

pub(crate) struct Asm {
    pub unit: CodeUnit,
}

pub(crate) struct BlockAsm<'a> {
    asm: &'a mut Asm,
    idx: usize,
}

impl Asm {
    pub(crate) fn new() -> Asm {
        Asm {
            unit: CodeUnit {
                version: FORMAT_VERSION,
                files: vec!["test.scm".into()],
                constants: vec![],
                globals: vec![],
                blocks: vec![],
                entry: BlockIdx(0),
            },
        }
    }

    pub(crate) fn int(&mut self, n: i64) -> ConstIdx {
        self.constant(Constant::Datum(Datum::synthetic(DatumKind::Int(n))))
    }

    pub(crate) fn sym(&mut self, s: &str) -> ConstIdx {
        self.constant(Constant::Datum(Datum::synthetic(DatumKind::Symbol(
            s.into(),
        ))))
    }

    pub(crate) fn constant(&mut self, c: Constant) -> ConstIdx {
        self.unit.constants.push(c);
        ConstIdx(self.unit.constants.len() as u32 - 1)
    }

    pub(crate) fn global(&mut self, name: &str) -> GlobalIdx {
        if let Some(i) = self.unit.globals.iter().position(|g| g == name) {
            return GlobalIdx(i as u32);
        }
        self.unit.globals.push(name.into());
        GlobalIdx(self.unit.globals.len() as u32 - 1)
    }

    /// Starts a block; `line` is the source line of all its instructions.
    pub(crate) fn block(
        &mut self,
        name: &str,
        kind: BlockKind,
        required: u16,
        rest: bool,
        n_free: u16,
        n_regs: u16,
    ) -> BlockAsm<'_> {
        self.unit.blocks.push(Block {
            name: Some(name.into()),
            kind,
            arity: Arity { required, rest },
            n_free,
            n_regs,
            code: vec![],
            operands: vec![],
            locs: vec![],
            loc: SourceLoc {
                file: 0,
                line: self.unit.blocks.len() as u32 + 1,
                col: 1,
            },
        });
        let idx = self.unit.blocks.len() - 1;
        BlockAsm { asm: self, idx }
    }

    pub(crate) fn load(self, vm: &mut Vm) -> Value {
        vm.load(self.unit).expect("test unit is valid")
    }
}

impl BlockAsm<'_> {
    pub(crate) fn i(&mut self, instr: Instr) -> &mut Self {
        let blk = &mut self.asm.unit.blocks[self.idx];
        let line = blk.loc.line;
        let col = blk.code.len() as u32 + 1;
        blk.code.push(instr);
        blk.locs.push(SourceLoc { file: 0, line, col });
        self
    }

    pub(crate) fn pc(&self) -> Pc {
        Pc(self.asm.unit.blocks[self.idx].code.len() as u32)
    }

    /// Appends captures to the operand pool; returns their start for `Instr::Closure`.
    pub(crate) fn operands(&mut self, regs: &[u16]) -> u32 {
        let blk = &mut self.asm.unit.blocks[self.idx];
        let start = blk.operands.len() as u32;
        blk.operands.extend(regs.iter().map(|&n| Reg(n)));
        start
    }

    pub(crate) fn konst(&mut self, dst: u16, idx: ConstIdx) -> &mut Self {
        self.i(Instr::Const { dst: r(dst), idx })
    }

    pub(crate) fn prim2(&mut self, op: PrimOp, dst: u16, a: u16, b: u16) -> &mut Self {
        self.i(Instr::Prim2 {
            op,
            dst: r(dst),
            a: r(a),
            b: r(b),
        })
    }

    pub(crate) fn ret(&mut self, k: u16, base: u16, count: u16) -> &mut Self {
        self.i(Instr::Return {
            k: r(k),
            base: r(base),
            count,
        })
    }

    pub(crate) fn call(&mut self, f: u16, base: u16, argc: u16) -> &mut Self {
        self.i(Instr::Call {
            f: r(f),
            base: r(base),
            argc,
        })
    }

    pub(crate) fn mov(&mut self, dst: u16, src: u16) -> &mut Self {
        self.i(Instr::Move {
            dst: r(dst),
            src: r(src),
        })
    }
}
