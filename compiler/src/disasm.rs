//! A disassembler for code units, for people: the pools, then each block with its name, kind,
//! arity, captures and registers, and its instructions with constants, globals and blocks
//! resolved and source locations where they change. It never fails: an index out of range (a
//! damaged unit from disk) prints as `?N`.

use std::fmt::Write;

use crate::bytecode::{Block, BlockIdx, BlockKind, CodeUnit, Instr, Reg, SourceLoc};
use crate::cps::constant_text;

/// The whole unit as text.
pub fn disassemble(unit: &CodeUnit) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "unit: format {}, {} blocks, entry b{}",
        unit.version,
        unit.blocks.len(),
        unit.entry.0
    );
    if !unit.constants.is_empty() {
        out.push_str("constants:\n");
        for (i, c) in unit.constants.iter().enumerate() {
            let _ = writeln!(out, "  c{i:<4} {}", constant_text(c));
        }
    }
    if !unit.globals.is_empty() {
        out.push_str("globals:\n");
        for (i, g) in unit.globals.iter().enumerate() {
            let _ = writeln!(out, "  g{i:<4} {g}");
        }
    }
    for (i, block) in unit.blocks.iter().enumerate() {
        out.push('\n');
        disassemble_block(unit, i, block, &mut out);
    }
    out
}

fn block_title(unit: &CodeUnit, idx: BlockIdx) -> String {
    match unit.blocks.get(idx.0 as usize) {
        Some(b) => match &b.name {
            Some(name) => format!("b{} \"{name}\"", idx.0),
            None => format!("b{}", idx.0),
        },
        None => format!("?b{}", idx.0),
    }
}

fn loc_text(unit: &CodeUnit, loc: SourceLoc) -> Option<String> {
    if loc.file == u32::MAX {
        return None;
    }
    let file = unit
        .files
        .get(loc.file as usize)
        .map_or("?", String::as_str);
    Some(format!("{file}:{}:{}", loc.line, loc.col))
}

fn disassemble_block(unit: &CodeUnit, i: usize, block: &Block, out: &mut String) {
    let title = block_title(unit, BlockIdx(u32::try_from(i).unwrap_or(u32::MAX)));
    let kind = match block.kind {
        BlockKind::Lambda => "lambda",
        BlockKind::Continuation => "continuation",
    };
    let rest = if block.arity.rest { " + rest" } else { "" };
    let entry = if i == unit.entry.0 as usize {
        " (entry)"
    } else {
        ""
    };
    let _ = write!(
        out,
        "{title}{entry}: {kind}, {} args{rest}, {} free, {} regs",
        block.arity.required, block.n_free, block.n_regs
    );
    if let Some(loc) = loc_text(unit, block.loc) {
        let _ = write!(out, "  ; {loc}");
    }
    out.push('\n');
    let mut last_loc = None;
    for (pc, instr) in block.code.iter().enumerate() {
        let text = instr_text(unit, block, instr);
        let loc = block.locs.get(pc).and_then(|&l| loc_text(unit, l));
        if loc.is_some() && loc != last_loc {
            let _ = writeln!(
                out,
                "  {pc:4}  {text:<44}; {}",
                loc.as_deref().unwrap_or("")
            );
            last_loc = loc;
        } else {
            let _ = writeln!(out, "  {pc:4}  {text}");
        }
    }
}

fn regs_text(regs: &[Reg]) -> String {
    regs.iter()
        .map(|r| format!("r{}", r.0))
        .collect::<Vec<_>>()
        .join(" ")
}

fn window(base: Reg, len: usize) -> String {
    (0..len)
        .map(|i| format!("r{}", usize::from(base.0) + i))
        .collect::<Vec<_>>()
        .join(" ")
}

fn instr_text(unit: &CodeUnit, block: &Block, instr: &Instr) -> String {
    let global = |g: crate::bytecode::GlobalIdx| {
        unit.globals
            .get(g.0 as usize)
            .cloned()
            .unwrap_or_else(|| format!("?g{}", g.0))
    };
    match *instr {
        Instr::Const { dst, idx } => {
            let c = unit
                .constants
                .get(idx.0 as usize)
                .map_or_else(|| format!("?c{}", idx.0), constant_text);
            format!("const      r{}, {c}", dst.0)
        }
        Instr::Move { dst, src } => format!("move       r{}, r{}", dst.0, src.0),
        Instr::Free { dst, idx } => format!("free       r{}, free{idx}", dst.0),
        Instr::Global { dst, name } => format!("global     r{}, {}", dst.0, global(name)),
        Instr::SetGlobal { name, src } => format!("set-global {}, r{}", global(name), src.0),
        Instr::DefineGlobal { name, src } => format!("define     {}, r{}", global(name), src.0),
        Instr::Closure {
            dst,
            block: target,
            captures,
        } => {
            let n = unit
                .blocks
                .get(target.0 as usize)
                .map_or(0, |b| usize::from(b.n_free));
            let start = captures as usize;
            let caps = block
                .operands
                .get(start..start + n)
                .map_or_else(|| "?".to_owned(), regs_text);
            let kind = match unit.blocks.get(target.0 as usize).map(|b| b.kind) {
                Some(BlockKind::Continuation) => "cont",
                _ => "closure",
            };
            format!(
                "{kind:<10} r{}, {} [{caps}]",
                dst.0,
                block_title(unit, target)
            )
        }
        Instr::SetFree { closure, idx, src } => {
            format!("set-free   r{}.free{idx}, r{}", closure.0, src.0)
        }
        Instr::MakeBox { dst, src } => format!("box        r{}, r{}", dst.0, src.0),
        Instr::BoxGet { dst, bx } => format!("unbox      r{}, r{}", dst.0, bx.0),
        Instr::BoxSet { bx, src } => format!("set-box    r{}, r{}", bx.0, src.0),
        Instr::Jump { target } => format!("jump       {}", target.0),
        Instr::JumpIfFalse { cond, target } => format!("jump-if-f  r{}, {}", cond.0, target.0),
        Instr::Prim1 { op, dst, a } => format!("prim       r{}, ({} r{})", dst.0, op.name(), a.0),
        Instr::Prim2 { op, dst, a, b } => {
            format!("prim       r{}, ({} r{} r{})", dst.0, op.name(), a.0, b.0)
        }
        Instr::Prim3 { op, dst, a, b, c } => {
            format!(
                "prim       r{}, ({} r{} r{} r{})",
                dst.0,
                op.name(),
                a.0,
                b.0,
                c.0
            )
        }
        Instr::Call { f, base, argc } => {
            let args = window(Reg(base.0.saturating_add(1)), usize::from(argc));
            format!("call       r{}, k r{}, args [{args}]", f.0, base.0)
        }
        Instr::Return { k, base, count } => {
            format!(
                "return     r{}, [{}]",
                k.0,
                window(base, usize::from(count))
            )
        }
    }
}
