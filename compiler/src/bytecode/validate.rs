//! Structural validation of a [`CodeUnit`]. Units can come from disk, so the VM runs this on every
//! unit it loads; after it passes, every index an instruction holds is in range and control never
//! runs off the end of a block. Run-time type checks (is `f` a procedure?) stay with the VM.

use std::fmt;

use super::{Arity, Block, BlockIdx, BlockKind, CodeUnit, FORMAT_VERSION, Instr, Reg};

/// Why a code unit was rejected. `block` and `pc` locate the offending instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidateError {
    /// The unit was written by another version of the compiler.
    Version { found: u32, expected: u32 },
    /// The entry is missing, not a lambda block, takes arguments or captures values.
    BadEntry(BlockIdx),
    /// A block-level property is wrong (empty code, `locs` length, register count).
    BadBlock { block: u32, reason: String },
    /// An instruction refers to something that does not exist or breaks a structural rule.
    BadInstr { block: u32, pc: u32, reason: String },
    /// The bytes are not a postcard-encoded code unit.
    Malformed(String),
}

impl fmt::Display for ValidateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidateError::Version { found, expected } => {
                write!(f, "code unit format version {found}, expected {expected}")
            }
            ValidateError::BadEntry(b) => write!(f, "bad entry block {}", b.0),
            ValidateError::BadBlock { block, reason } => write!(f, "block {block}: {reason}"),
            ValidateError::BadInstr { block, pc, reason } => {
                write!(f, "block {block}, instruction {pc}: {reason}")
            }
            ValidateError::Malformed(why) => write!(f, "malformed code unit: {why}"),
        }
    }
}

impl std::error::Error for ValidateError {}

/// Registers a block's entry defines: see the calling convention in the module docs.
pub(crate) fn entry_regs(kind: BlockKind, arity: Arity) -> u32 {
    let k = u32::from(kind == BlockKind::Lambda);
    k + u32::from(arity.required) + u32::from(arity.rest)
}

/// The postcard encoding of `unit` (its first field, the format version, comes first).
pub fn encode(unit: &CodeUnit) -> Vec<u8> {
    postcard::to_allocvec(unit).expect("a code unit always serializes")
}

/// Decodes and validates a code unit. The version is checked before the rest is decoded, so a
/// unit from another format version is reported as such rather than as garbage.
pub fn decode(bytes: &[u8]) -> Result<CodeUnit, ValidateError> {
    let (version, _) = postcard::take_from_bytes::<u32>(bytes)
        .map_err(|e| ValidateError::Malformed(e.to_string()))?;
    if version != FORMAT_VERSION {
        return Err(ValidateError::Version {
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    let unit: CodeUnit =
        postcard::from_bytes(bytes).map_err(|e| ValidateError::Malformed(e.to_string()))?;
    validate(&unit)?;
    Ok(unit)
}

/// Checks every structural invariant the VM relies on. See [`ValidateError`].
pub fn validate(unit: &CodeUnit) -> Result<(), ValidateError> {
    if unit.version != FORMAT_VERSION {
        return Err(ValidateError::Version {
            found: unit.version,
            expected: FORMAT_VERSION,
        });
    }
    match unit.blocks.get(unit.entry.0 as usize) {
        Some(b)
            if b.kind == BlockKind::Lambda
                && b.arity
                    == Arity {
                        required: 0,
                        rest: false,
                    }
                && b.n_free == 0 => {}
        _ => return Err(ValidateError::BadEntry(unit.entry)),
    }
    for (i, block) in unit.blocks.iter().enumerate() {
        let index = u32::try_from(i).map_err(|_| ValidateError::BadBlock {
            block: u32::MAX,
            reason: "more than 2^32 blocks".into(),
        })?;
        BlockChecker { unit, block, index }.check()?;
    }
    Ok(())
}

struct BlockChecker<'a> {
    unit: &'a CodeUnit,
    block: &'a Block,
    index: u32,
}

impl BlockChecker<'_> {
    fn block_err(&self, reason: impl Into<String>) -> ValidateError {
        ValidateError::BadBlock {
            block: self.index,
            reason: reason.into(),
        }
    }

    fn check(&self) -> Result<(), ValidateError> {
        let b = self.block;
        if b.code.is_empty() {
            return Err(self.block_err("empty code"));
        }
        if b.code.len() > u32::MAX as usize {
            return Err(self.block_err("more than 2^32 instructions"));
        }
        if b.locs.len() != b.code.len() {
            return Err(self.block_err(format!(
                "{} source locations for {} instructions",
                b.locs.len(),
                b.code.len()
            )));
        }
        if entry_regs(b.kind, b.arity) > u32::from(b.n_regs) {
            return Err(self.block_err(format!(
                "{} registers cannot hold the {} entry values",
                b.n_regs,
                entry_regs(b.kind, b.arity)
            )));
        }
        let n_files = self.unit.files.len();
        for loc in b.locs.iter().chain(std::iter::once(&b.loc)) {
            if loc.file != u32::MAX && loc.file as usize >= n_files {
                return Err(self.block_err(format!("source file {} out of range", loc.file)));
            }
        }
        for (pc, instr) in b.code.iter().enumerate() {
            let pc = pc as u32;
            self.check_instr(pc, instr)
                .map_err(|reason| ValidateError::BadInstr {
                    block: self.index,
                    pc,
                    reason,
                })?;
        }
        Ok(())
    }

    fn check_instr(&self, pc: u32, instr: &Instr) -> Result<(), String> {
        let b = self.block;
        let reg = |r: Reg| {
            if r.0 < b.n_regs {
                Ok(())
            } else {
                Err(format!(
                    "register r{} out of range (n_regs {})",
                    r.0, b.n_regs
                ))
            }
        };
        // A window `base..base+len` of registers.
        let window = |base: Reg, len: u32| {
            if u32::from(base.0) + len <= u32::from(b.n_regs) {
                Ok(())
            } else {
                Err(format!(
                    "registers r{}..+{len} out of range (n_regs {})",
                    base.0, b.n_regs
                ))
            }
        };
        let target = |t: super::Pc| {
            if (t.0 as usize) < b.code.len() {
                Ok(())
            } else {
                Err(format!("jump target {} out of range", t.0))
            }
        };
        let prim = |op: super::PrimOp, n: usize| {
            if op.arity() == n {
                Ok(())
            } else {
                Err(format!(
                    "primitive {} takes {} operands, not {n}",
                    op.name(),
                    op.arity()
                ))
            }
        };
        let falls_through = match *instr {
            Instr::Const { dst, idx } => {
                reg(dst)?;
                if idx.0 as usize >= self.unit.constants.len() {
                    return Err(format!("constant {} out of range", idx.0));
                }
                true
            }
            Instr::Move { dst, src } => {
                reg(dst)?;
                reg(src)?;
                true
            }
            Instr::Free { dst, idx } => {
                reg(dst)?;
                if idx >= b.n_free {
                    return Err(format!(
                        "captured value {idx} out of range (n_free {})",
                        b.n_free
                    ));
                }
                true
            }
            Instr::Global { dst: r, name }
            | Instr::SetGlobal { name, src: r }
            | Instr::DefineGlobal { name, src: r } => {
                reg(r)?;
                if name.0 as usize >= self.unit.globals.len() {
                    return Err(format!("global {} out of range", name.0));
                }
                true
            }
            Instr::Closure {
                dst,
                block,
                captures,
            } => {
                reg(dst)?;
                let Some(target) = self.unit.blocks.get(block.0 as usize) else {
                    return Err(format!("block {} out of range", block.0));
                };
                let start = captures as usize;
                let end = start + usize::from(target.n_free);
                let Some(regs) = b.operands.get(start..end) else {
                    return Err(format!("captures {start}..{end} out of the operand pool"));
                };
                regs.iter().try_for_each(|&r| reg(r))?;
                true
            }
            Instr::SetFree { closure, src, .. } => {
                reg(closure)?;
                reg(src)?;
                true
            }
            Instr::MakeBox { dst, src }
            | Instr::BoxGet { dst, bx: src }
            | Instr::BoxSet { bx: dst, src } => {
                reg(dst)?;
                reg(src)?;
                true
            }
            Instr::Jump { target: t } => {
                target(t)?;
                false
            }
            Instr::JumpIfFalse { cond, target: t } => {
                reg(cond)?;
                target(t)?;
                true
            }
            Instr::Prim1 { op, dst, a } => {
                prim(op, 1)?;
                [dst, a].into_iter().try_for_each(reg)?;
                true
            }
            Instr::Prim2 { op, dst, a, b: rb } => {
                prim(op, 2)?;
                [dst, a, rb].into_iter().try_for_each(reg)?;
                true
            }
            Instr::Prim3 {
                op,
                dst,
                a,
                b: rb,
                c,
            } => {
                prim(op, 3)?;
                [dst, a, rb, c].into_iter().try_for_each(reg)?;
                true
            }
            Instr::Call { f, base, argc } => {
                reg(f)?;
                window(base, u32::from(argc) + 1)?;
                false
            }
            Instr::Return { k, base, count } => {
                reg(k)?;
                window(base, u32::from(count))?;
                false
            }
        };
        if falls_through && pc as usize + 1 >= b.code.len() {
            return Err("control falls off the end of the block".into());
        }
        Ok(())
    }
}
