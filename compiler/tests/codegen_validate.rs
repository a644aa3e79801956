//! Properties of generated code units that the VM relies on, and the validator that checks them
//! on units loaded from disk: every corpus unit validates and survives a postcard round trip;
//! each kind of damage is rejected with the matching error; random damage never panics the
//! decoder, the validator or the disassembler.

mod lowering_support;

use lowering_support::{CORPUS, lower};
use proptest::prelude::*;
use pscheme_compiler::bytecode::{
    self, BlockIdx, CodeUnit, ConstIdx, FORMAT_VERSION, GlobalIdx, Instr, Pc, PrimOp, Reg,
    ValidateError,
};
use pscheme_compiler::disasm::disassemble;

fn corpus_units() -> Vec<(&'static str, CodeUnit)> {
    CORPUS
        .iter()
        .map(|(name, src)| (*name, lower(src).unit))
        .collect()
}

#[test]
fn generated_units_validate_and_round_trip() {
    for (name, unit) in corpus_units() {
        assert_eq!(unit.version, FORMAT_VERSION);
        bytecode::validate(&unit).unwrap_or_else(|e| panic!("{name}: {e}"));
        for block in &unit.blocks {
            assert_eq!(block.locs.len(), block.code.len(), "{name}");
            assert!(block.n_regs <= 16, "{name}: {} registers", block.n_regs);
        }
        let bytes = bytecode::encode(&unit);
        assert_eq!(bytecode::decode(&bytes).as_ref(), Ok(&unit), "{name}");
    }
}

#[test]
fn every_instruction_has_a_source_location_in_a_known_file() {
    for (name, unit) in corpus_units() {
        assert_eq!(unit.files, vec!["test.scm".to_owned()], "{name}");
        for block in &unit.blocks {
            for loc in &block.locs {
                assert_eq!(loc.file, 0, "{name}: instruction without source");
                assert!(loc.line >= 1 && loc.col >= 1, "{name}");
            }
        }
    }
}

#[test]
fn constants_are_deduplicated() {
    let unit = lower("(define (f) '(1 2)) (define (g) '(1 2)) (list 1 1 \"a\" \"a\")").unit;
    let texts: Vec<String> = unit
        .constants
        .iter()
        .map(pscheme_compiler::cps::constant_text)
        .collect();
    let mut unique = texts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(texts.len(), unique.len(), "{texts:?}");
}

/// The fact unit with one instruction replaced.
fn damaged(block: usize, pc: usize, instr: Instr) -> CodeUnit {
    let mut unit = lower(CORPUS[1].1).unit;
    unit.blocks[block].code[pc] = instr;
    unit
}

fn bad_instr(unit: &CodeUnit) -> String {
    match bytecode::validate(unit) {
        Err(ValidateError::BadInstr { reason, .. }) => reason,
        other => panic!("expected a bad instruction, got {other:?}"),
    }
}

#[test]
fn damaged_instructions_are_rejected() {
    assert!(
        bad_instr(&damaged(
            1,
            0,
            Instr::Move {
                dst: Reg(900),
                src: Reg(0)
            }
        ))
        .contains("register r900")
    );
    assert!(
        bad_instr(&damaged(
            1,
            0,
            Instr::Const {
                dst: Reg(0),
                idx: ConstIdx(99)
            }
        ))
        .contains("constant 99")
    );
    assert!(
        bad_instr(&damaged(
            1,
            0,
            Instr::Global {
                dst: Reg(0),
                name: GlobalIdx(99)
            }
        ))
        .contains("global 99")
    );
    assert!(bad_instr(&damaged(1, 0, Instr::Jump { target: Pc(999) })).contains("jump target"));
    assert!(
        bad_instr(&damaged(
            1,
            0,
            Instr::Free {
                dst: Reg(0),
                idx: 3
            }
        ))
        .contains("captured value 3")
    );
    let closure = Instr::Closure {
        dst: Reg(0),
        block: BlockIdx(99),
        captures: 0,
    };
    assert!(bad_instr(&damaged(1, 0, closure)).contains("block 99"));
    let prim = Instr::Prim1 {
        op: PrimOp::Cons,
        dst: Reg(0),
        a: Reg(0),
    };
    assert!(bad_instr(&damaged(1, 0, prim)).contains("cons takes 2"));
    let call = Instr::Call {
        f: Reg(0),
        base: Reg(1),
        argc: 60,
    };
    assert!(bad_instr(&damaged(1, 0, call)).contains("out of range"));
}

#[test]
fn control_may_not_fall_off_a_block() {
    let mut unit = lower(CORPUS[1].1).unit;
    let block = &mut unit.blocks[1];
    let last = block.code.len() - 1;
    block.code[last] = Instr::Move {
        dst: Reg(0),
        src: Reg(0),
    };
    assert!(bad_instr(&unit).contains("falls off"));
}

#[test]
fn damaged_blocks_and_units_are_rejected() {
    let good = lower(CORPUS[1].1).unit;

    let mut unit = good.clone();
    unit.blocks[1].locs.pop();
    assert!(matches!(
        bytecode::validate(&unit),
        Err(ValidateError::BadBlock { block: 1, .. })
    ));

    let mut unit = good.clone();
    unit.blocks[1].n_regs = 0;
    assert!(matches!(
        bytecode::validate(&unit),
        Err(ValidateError::BadBlock { .. })
    ));

    let mut unit = good.clone();
    unit.entry = BlockIdx(1);
    assert_eq!(
        bytecode::validate(&unit),
        Err(ValidateError::BadEntry(BlockIdx(1))),
        "the entry takes no arguments"
    );

    let mut unit = good.clone();
    unit.version = FORMAT_VERSION + 1;
    let bytes = bytecode::encode(&unit);
    assert_eq!(
        bytecode::decode(&bytes),
        Err(ValidateError::Version {
            found: FORMAT_VERSION + 1,
            expected: FORMAT_VERSION
        })
    );
    assert!(matches!(
        bytecode::decode(&[]),
        Err(ValidateError::Malformed(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_damage_never_panics(which in 0..CORPUS.len(), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let unit = lower(CORPUS[which].1).unit;
        let mut bytes = bytecode::encode(&unit);
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Ok(unit) = bytecode::decode(&bytes) {
            prop_assert!(bytecode::validate(&unit).is_ok());
        }
        if let Ok(unit) = postcard::from_bytes::<CodeUnit>(&bytes) {
            let _ = bytecode::validate(&unit);
            let _ = disassemble(&unit);
        }
    }
}
