//! Snapshot corpora, one Scheme file per case:
//! - `tests/expand_core/*.scm` expand to the pinned core program (printed by
//!   `expand::print_program`), and their output passes the scope checker;
//! - `tests/expand_errors/*.scm` are rejected with the pinned rendered diagnostics.

mod expand_support;

use expand_support::{expand_in, scope::check_scopes};
use pscheme_compiler::expand::{ExpandEnv, print_program};

fn name_of(path: &std::path::Path, dir: &str) -> String {
    format!(
        "{dir}/{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    )
}

#[test]
fn core_forms() {
    insta::glob!("expand_core/*.scm", |path| {
        let text = std::fs::read_to_string(path).expect("corpus files are UTF-8");
        let name = name_of(path, "expand_core");
        let expansion =
            expand_in(&mut ExpandEnv::new(), &text).unwrap_or_else(|e| panic!("{name}:\n{e}"));
        if let Err(problem) = check_scopes(&expansion.program) {
            panic!("{name}: {problem}");
        }
        insta::assert_snapshot!(print_program(&expansion.program));
    });
}

#[test]
fn error_messages() {
    insta::glob!("expand_errors/*.scm", |path| {
        let text = std::fs::read_to_string(path).expect("corpus files are UTF-8");
        let name = name_of(path, "expand_errors");
        match expand_in(&mut ExpandEnv::new(), &text) {
            Ok(expansion) => panic!(
                "{name} expanded without error:\n{}",
                print_program(&expansion.program)
            ),
            Err(rendered) => insta::assert_snapshot!(rendered),
        }
    });
}
