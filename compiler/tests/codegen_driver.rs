//! The one-call entry point and its warnings about globals that nothing defines.

use pscheme_compiler::bytecode;
use pscheme_compiler::diagnostic::Severity;
use pscheme_compiler::driver::compile_source;
use pscheme_compiler::expand::ExpandEnv;
use pscheme_compiler::span::SourceFiles;

fn builtins(name: &str) -> bool {
    matches!(name, "display" | "newline" | "car" | "+")
}

#[test]
fn undefined_globals_are_warned_about_once_with_their_location() {
    let mut env = ExpandEnv::new();
    let mut files = SourceFiles::new();
    let src = "(define (f) (helper 1))\n(display (helper 2))\n(set! counter 1)\n(f)";
    let compiled =
        compile_source(src, "warn.scm", &mut env, &mut files, &builtins).expect("compiles");
    bytecode::validate(&compiled.unit).expect("valid");
    let messages: Vec<(String, u32, u32)> = compiled
        .warnings
        .iter()
        .map(|d| (d.message.clone(), d.span.line, d.span.col))
        .collect();
    assert_eq!(
        messages,
        vec![
            ("reference to undefined variable `helper`".to_owned(), 1, 14),
            ("reference to undefined variable `counter`".to_owned(), 3, 1),
        ]
    );
    assert!(
        compiled
            .warnings
            .iter()
            .all(|d| d.severity == Severity::Warning)
    );
}

#[test]
fn globals_of_earlier_units_are_known_and_not_inlined() {
    let mut env = ExpandEnv::new();
    let mut files = SourceFiles::new();
    let first = compile_source(
        "(define (car x) 'mine)",
        "a.scm",
        &mut env,
        &mut files,
        &builtins,
    )
    .unwrap();
    assert!(first.warnings.is_empty());
    let second = compile_source("(car '(1))", "b.scm", &mut env, &mut files, &builtins).unwrap();
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);
    let inlined = second
        .unit
        .blocks
        .iter()
        .flat_map(|b| &b.code)
        .any(|i| matches!(i, bytecode::Instr::Prim1 { .. }));
    assert!(
        !inlined,
        "car was redefined by an earlier unit: it must be called, not inlined"
    );
    let fresh = compile_source(
        "(car '(1))",
        "c.scm",
        &mut ExpandEnv::new(),
        &mut files,
        &builtins,
    )
    .unwrap();
    let inlined = fresh
        .unit
        .blocks
        .iter()
        .flat_map(|b| &b.code)
        .any(|i| matches!(i, bytecode::Instr::Prim1 { .. }));
    assert!(inlined);
}

#[test]
fn source_errors_are_returned_not_panicked() {
    let mut files = SourceFiles::new();
    let errors = compile_source(
        "(if)",
        "bad.scm",
        &mut ExpandEnv::new(),
        &mut files,
        &builtins,
    )
    .unwrap_err();
    assert!(!errors.is_empty());
    let errors = compile_source(
        "(display \"x",
        "bad2.scm",
        &mut ExpandEnv::new(),
        &mut files,
        &builtins,
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1);
}
