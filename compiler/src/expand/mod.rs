//! The expander: datums to the [`core`](crate::core) language.
//!
//! It runs `syntax-rules` macros hygienically, rewrites every derived form (let, cond, case, do,
//! quasiquote, define-record-type, guard, parameterize, ...) into core forms plus calls of the
//! runtime helpers listed in `docs/runtime-interface.md`, turns internal definitions into
//! `letrec*`, and gives every local variable a unique [`VarId`](crate::core::VarId). The dialect
//! it accepts is described in `docs/language.md`.
//!
//! Hygiene is by renaming: a macro template's identifiers become fresh aliases closed over the
//! macro's definition environment (see `syntax.rs` and `env.rs`).

mod body;
mod control;
mod env;
mod expander;
mod forms;
mod hash;
mod import;
mod limits;
mod macros;
mod print;
mod quasi;
mod records;
mod special;
mod stored;
mod syntax;
mod syntax_rules;

use crate::core::Program;
use crate::datum::Datum;
use crate::diagnostic::Diagnostic;

pub use print::{print_expr, print_program};
pub use stored::ExpandEnv;

/// The result of expanding one compilation unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Expansion {
    pub program: Program,
    /// Globals this unit defines or assigns with `set!`, in name order. Together with
    /// [`ExpandEnv::is_user_global`] this tells the code generator which built-in procedures
    /// (such as `car`) may no longer be assumed.
    pub defined_globals: Vec<String>,
}

/// Expands the top-level forms of one compilation unit (a file, or one REPL input).
///
/// `env` holds the macros of earlier units; it is updated with this unit's top-level macro and
/// variable definitions only if the whole unit expands without errors. On failure, every error
/// found is returned (expansion goes on after an error where it safely can), in source order of
/// discovery.
pub fn expand(forms: Vec<Datum>, env: &mut ExpandEnv) -> Result<Expansion, Vec<Diagnostic>> {
    let (result, changes, defined) = {
        let mut expander = expander::Expander::new(env);
        let mut syntax = Vec::with_capacity(forms.len());
        for datum in forms {
            match expander.idents.syntax_of(datum) {
                Ok(stx) => syntax.push(stx),
                Err(diagnostic) => {
                    expander.report(diagnostic);
                }
            }
        }
        let nodes = expander.idents.nodes_read;
        expander.budget_for(nodes);
        let body = expander.expand_toplevel(syntax);
        if !expander.errors.is_empty() {
            return Err(expander.errors);
        }
        let changes = expander.stored_changes();
        let defined = std::mem::take(&mut expander.defined_globals);
        let program = Program {
            body,
            var_names: std::mem::take(&mut expander.var_names),
        };
        (program, changes, defined)
    };
    env.commit(changes, &defined);
    Ok(Expansion {
        program: result,
        defined_globals: defined.into_iter().collect(),
    })
}
