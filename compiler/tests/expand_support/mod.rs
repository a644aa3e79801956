//! Shared helpers of the expander tests: read, expand, print, check scopes, evaluate.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

pub mod eval;
pub mod scope;

use pscheme_compiler::diagnostic::Diagnostic;
use pscheme_compiler::expand::{self, ExpandEnv, Expansion};
use pscheme_compiler::reader;
use pscheme_compiler::render::render;
use pscheme_compiler::span::SourceFiles;

/// Expands `src` in `env`; the core program printed, or the rendered errors.
pub fn expand_in(env: &mut ExpandEnv, src: &str) -> Result<Expansion, String> {
    let mut files = SourceFiles::new();
    let file = files.add("test.scm", src);
    let datums = reader::read(src, file).map_err(|d| render(&d, &files))?;
    expand::expand(datums, env).map_err(|errors| render_all(&errors, &files))
}

pub fn render_all(errors: &[Diagnostic], files: &SourceFiles) -> String {
    errors
        .iter()
        .map(|d| render(d, files))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The expanded program, printed; panics with the errors if it does not expand.
pub fn core(src: &str) -> String {
    match expand_in(&mut ExpandEnv::new(), src) {
        Ok(expansion) => expand::print_program(&expansion.program),
        Err(errors) => panic!("expected {src:?} to expand, got:\n{errors}"),
    }
}

/// The rendered errors; panics if the program expands.
pub fn errors(src: &str) -> String {
    match expand_in(&mut ExpandEnv::new(), src) {
        Ok(expansion) => panic!(
            "expected errors, got:\n{}",
            expand::print_program(&expansion.program)
        ),
        Err(errors) => errors,
    }
}

/// Expands `src`, checks the scope invariants of the output and evaluates it with the test
/// evaluator; the value of the last top-level form, written.
pub fn run(src: &str) -> String {
    run_in(&mut ExpandEnv::new(), &mut eval::Machine::new(), src)
}

pub fn run_in(env: &mut ExpandEnv, machine: &mut eval::Machine, src: &str) -> String {
    let expansion = match expand_in(env, src) {
        Ok(expansion) => expansion,
        Err(errors) => panic!("expected {src:?} to expand, got:\n{errors}"),
    };
    if let Err(problem) = scope::check_scopes(&expansion.program) {
        panic!(
            "bad scopes ({problem}) in:\n{}",
            expand::print_program(&expansion.program)
        );
    }
    machine.run(&expansion.program).to_string()
}
