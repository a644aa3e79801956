//! Long and deep programs compile from a 2 MiB stack (the size of a test or spawned thread): long
//! bodies and long top levels cost the lowering heap, not stack, whichever thread runs it; nesting
//! up to the expander's limit fits because `compile_source` compiles on a thread of its own with a
//! large stack. A stack overflow aborts the process, so each case runs on its own thread.

mod lowering_support;

use pscheme_compiler::expand::ExpandEnv;
use pscheme_compiler::span::SourceFiles;
use pscheme_compiler::{bytecode, cps, disasm, driver};

/// Through the one-call entry point, which the VM and the REPL use.
fn compiles_from_small_stack(name: &str, src: String) {
    let result = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let mut files = SourceFiles::new();
            let compiled = driver::compile_source(
                &src,
                "deep.scm",
                &mut ExpandEnv::new(),
                &mut files,
                &|_| true,
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
            bytecode::validate(&compiled.unit).expect("valid");
        })
        .expect("spawns")
        .join();
    assert!(result.is_ok(), "{name} failed");
}

fn compiles_on_small_stack(name: &str, src: String) {
    let result = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let (program, files) = lowering_support::expand_source(&src);
            let cps_program = cps::convert(&program, &|_| false);
            let analysis = cps::analyze(&cps_program);
            let _ = cps::print(&cps_program, &analysis);
            let unit = driver::compile_program(&program, &files);
            bytecode::validate(&unit).expect("valid");
            let _ = disasm::disassemble(&unit);
            drop(cps_program);
            unit.blocks.len()
        })
        .expect("spawns")
        .join();
    assert!(result.is_ok(), "{name} failed");
}

#[test]
fn a_body_of_ten_thousand_calls() {
    let mut src = String::from("(define (main)\n");
    for i in 0..10_000 {
        src.push_str(&format!("  (display {i})\n"));
    }
    src.push_str("  0)\n(main)\n");
    compiles_on_small_stack("long body", src);
}

#[test]
fn a_top_level_of_twenty_thousand_calls() {
    let src: String = (0..20_000).map(|i| format!("(display {i})\n")).collect();
    compiles_on_small_stack("long top level", src);
}

/// Nesting just below the expander's limit (1,000 levels).
const DEPTH: usize = 900;

#[test]
fn a_cond_of_nine_hundred_clauses() {
    let clauses: String = (0..DEPTH)
        .map(|i| format!("((= x {i}) (f {i}))\n"))
        .collect();
    compiles_from_small_stack("cond", format!("(define (g x) (cond {clauses} (else 0)))"));
}

#[test]
fn nine_hundred_nested_lets() {
    let binds: String = (0..DEPTH)
        .map(|i| format!("(v{i} (f v{}))", i.max(1) - 1))
        .collect();
    compiles_from_small_stack("let*", format!("(define (g v0) (let* ({binds}) v0))"));
}

#[test]
fn nine_hundred_nested_calls() {
    let calls = format!("{}0{}", "(f ".repeat(DEPTH), ")".repeat(DEPTH));
    compiles_from_small_stack("nested calls", format!("(define (g) {calls})"));
}

#[test]
fn four_hundred_fifty_nested_lambdas() {
    let lambdas = format!(
        "{}x{}",
        "(lambda (x) ".repeat(DEPTH / 2),
        ")".repeat(DEPTH / 2)
    );
    compiles_from_small_stack("nested lambdas", format!("(define g {lambdas})"));
}
