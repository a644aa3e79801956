//! Snapshots of the CPS IR, with the closure-conversion decisions, for the corpus programs.

mod lowering_support;

use lowering_support::{CORPUS, lower};

#[test]
fn cps_of_corpus_programs() {
    for (name, src) in CORPUS {
        let lowered = lower(src);
        insta::assert_snapshot!(format!("cps_{name}"), lowered.cps, src);
    }
}
