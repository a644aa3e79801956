//! Snapshots of the disassembled bytecode of the corpus programs.

mod lowering_support;

use lowering_support::{CORPUS, lower};

#[test]
fn bytecode_of_corpus_programs() {
    for (name, src) in CORPUS {
        let lowered = lower(src);
        insta::assert_snapshot!(format!("bytecode_{name}"), lowered.disasm(), src);
    }
}
