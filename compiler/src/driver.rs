//! The compiler's entry points: source text or an expanded program to a code unit, and the
//! warnings about globals that nothing defines.

use std::collections::HashSet;

use crate::bytecode::CodeUnit;
use crate::core::{Expr, ExprKind, Program};
use crate::diagnostic::Diagnostic;
use crate::expand::ExpandEnv;
use crate::span::SourceFiles;
use crate::{codegen, cps, expand, reader};

pub use crate::cps::Optimizations;

/// Lowers an expanded program to a code unit: CPS conversion, closure conversion, code
/// generation. Calls of built-in primitives (`car`, `+`, ...) are inlined unless the program
/// itself defines or assigns them. Never fails: every error a program can contain has been
/// reported by the reader or the expander, and run-time errors stay run-time errors.
pub fn compile_program(program: &Program, files: &SourceFiles) -> CodeUnit {
    compile_program_with(program, files, &|_| false)
}

/// [`compile_program`] for a unit that follows others (a REPL input, a file after the prelude):
/// `redefined` tells which globals earlier units defined or assigned, so that calls of them are
/// not inlined as primitives. Code compiled before a redefinition keeps the primitive.
pub fn compile_program_with(
    program: &Program,
    files: &SourceFiles,
    redefined: &dyn Fn(&str) -> bool,
) -> CodeUnit {
    compile_program_optimized(program, files, redefined, Optimizations::default())
}

/// [`compile_program_with`] with a choice of optimizations, to measure what each one buys.
pub fn compile_program_optimized(
    program: &Program,
    files: &SourceFiles,
    redefined: &dyn Fn(&str) -> bool,
    opts: Optimizations,
) -> CodeUnit {
    let cps = cps::convert_with(program, redefined, opts);
    let analysis = cps::analyze_with(&cps, opts);
    codegen::generate(&cps, &analysis, files)
}

/// A compiled unit and its warnings.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    pub unit: CodeUnit,
    /// Warnings (references to undefined globals), in source order.
    pub warnings: Vec<Diagnostic>,
}

/// Reads, expands and compiles one unit of source text. `file_name` is registered in `files`
/// (render diagnostics with it); `env` holds the macros and globals of earlier units and gets
/// this unit's if it compiles; `builtins` says which globals the VM provides (its primitives and
/// prelude), for the undefined-global warnings.
///
/// The stages recurse over the nesting of expressions, so they run on a thread of their own with
/// [`COMPILE_STACK`] bytes of stack: nesting up to the expander's limit compiles whatever stack
/// the caller has.
pub fn compile_source(
    text: &str,
    file_name: &str,
    env: &mut ExpandEnv,
    files: &mut SourceFiles,
    builtins: &dyn Fn(&str) -> bool,
) -> Result<Compiled, Vec<Diagnostic>> {
    // The borrows go to whichever of the spawned thread or this one runs the compilation.
    let borrows = std::sync::Mutex::new(Some((env, files)));
    let run = || {
        let (env, files) = borrows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
            .expect("the compilation runs once");
        compile_unit(text, file_name, env, files)
    };
    let (unit, candidates) = std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("pscheme-compile".into())
            .stack_size(COMPILE_STACK)
            .spawn_scoped(scope, run)
        {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread (resources exhausted): compile on this one.
            Err(_) => run(),
        }
    })?;
    let warnings = candidates
        .into_iter()
        .filter(|d| !builtins(&d.name))
        .map(|d| d.diagnostic)
        .collect();
    Ok(Compiled { unit, warnings })
}

/// Stack size of the thread [`compile_source`] compiles on. Reserved address space; only the
/// pages a deep program touches are ever used.
pub const COMPILE_STACK: usize = 256 << 20;

/// A warning about `name`, unless the VM turns out to provide it.
struct Candidate {
    name: String,
    diagnostic: Diagnostic,
}

fn compile_unit(
    text: &str,
    file_name: &str,
    env: &mut ExpandEnv,
    files: &mut SourceFiles,
) -> Result<(CodeUnit, Vec<Candidate>), Vec<Diagnostic>> {
    let file = files.add(file_name, text);
    let datums = reader::read(text, file).map_err(|d| vec![d])?;
    // Globals of earlier units, before this unit's definitions are added to `env`.
    let earlier = env.clone();
    let expansion = expand::expand(datums, env)?;
    let program = &expansion.program;
    let mut candidates = Vec::new();
    for diagnostic in unbound_global_warnings(program, &|name| earlier.is_user_global(name)) {
        let name = diagnostic_name(&diagnostic);
        candidates.push(Candidate { name, diagnostic });
    }
    let unit = compile_program_with(program, files, &|name| earlier.is_user_global(name));
    Ok((unit, candidates))
}

/// The variable name inside "reference to undefined variable `name`".
fn diagnostic_name(d: &Diagnostic) -> String {
    d.message.split('`').nth(1).unwrap_or_default().to_owned()
}

/// Warnings for globals that `program` reads or assigns but that nothing defines: not the
/// program itself, and not `known` (the VM's builtins, the prelude, earlier units). One warning
/// per name, at its first use. Top-level definitions are late bound, so these are warnings, not
/// errors: a later unit may still define the name before the code runs.
pub fn unbound_global_warnings(program: &Program, known: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
    let mut defined = HashSet::new();
    for form in &program.body {
        visit(form, &mut |e| {
            if let ExprKind::DefineGlobal(name, _) = &e.kind {
                defined.insert(name.as_str());
            }
        });
    }
    let mut reported = HashSet::new();
    let mut warnings = Vec::new();
    for form in &program.body {
        visit(form, &mut |e| {
            let name = match &e.kind {
                ExprKind::Global(name) | ExprKind::SetGlobal(name, _) => name.as_str(),
                _ => return,
            };
            if !defined.contains(name) && !known(name) && reported.insert(name) {
                warnings.push(
                    Diagnostic::warning(e.span, format!("reference to undefined variable `{name}`"))
                        .with_help(
                            "it is not defined in this program, the standard library or an earlier input",
                        ),
                );
            }
        });
    }
    warnings
}

/// Calls `f` on `e` and every expression inside it, in source order.
fn visit<'p>(e: &'p Expr, f: &mut impl FnMut(&'p Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Const(_) | ExprKind::Unspecified | ExprKind::Local(_) | ExprKind::Global(_) => {}
        ExprKind::SetLocal(_, x) | ExprKind::SetGlobal(_, x) | ExprKind::DefineGlobal(_, x) => {
            visit(x, f);
        }
        ExprKind::If(c, t, e) => {
            visit(c, f);
            visit(t, f);
            visit(e, f);
        }
        ExprKind::Lambda(l) => visit(&l.body, f),
        ExprKind::Seq(es) => es.iter().for_each(|x| visit(x, f)),
        ExprKind::Call(op, args) => {
            visit(op, f);
            args.iter().for_each(|x| visit(x, f));
        }
        ExprKind::Let(binds, body) | ExprKind::Letrec(binds, body) => {
            binds.iter().for_each(|(_, x)| visit(x, f));
            visit(body, f);
        }
    }
}
