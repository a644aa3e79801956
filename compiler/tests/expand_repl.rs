//! The top-level environment carried between compilation units (REPL inputs), and its
//! serialization.

mod expand_support;
use expand_support::eval::Machine;
use expand_support::{expand_in, run_in};
use pscheme_compiler::expand::ExpandEnv;

fn roundtrip(env: &ExpandEnv) -> ExpandEnv {
    let bytes = postcard::to_allocvec(env).expect("serialize");
    postcard::from_bytes(&bytes).expect("deserialize")
}

#[test]
fn macros_persist_across_units_and_serialization() {
    let mut env = ExpandEnv::new();
    let mut m = Machine::new();
    run_in(
        &mut env,
        &mut m,
        "(define-syntax my-or (syntax-rules () ((_) #f) ((_ e) e) ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))",
    );
    assert_eq!(env.macro_names().collect::<Vec<_>>(), ["my-or"]);
    assert_eq!(run_in(&mut env, &mut m, "(let ((t 5)) (my-or #f t))"), "5");
    let mut restored = roundtrip(&env);
    assert_eq!(restored, env);
    assert_eq!(
        run_in(&mut restored, &mut m, "(let ((t 6) (if 0)) (my-or #f t))"),
        "6"
    );
}

#[test]
fn macro_generated_macros_keep_their_aliases_when_stored() {
    let mut env = ExpandEnv::new();
    let mut m = Machine::new();
    // `gen` introduces `tmp` in the generated macro's template: an alias that must stay distinct
    // from the user's `tmp` after the round trip.
    run_in(
        &mut env,
        &mut m,
        "(define-syntax gen (syntax-rules () ((_ name) (define-syntax name (syntax-rules () ((_ e) (let ((tmp e)) (list tmp tmp))))))))
         (gen dup)",
    );
    let mut env = roundtrip(&env);
    assert_eq!(
        run_in(&mut env, &mut m, "(let ((tmp 1)) (dup (+ tmp 1)))"),
        "(2 2)"
    );
}

#[test]
fn failed_units_change_nothing() {
    let mut env = ExpandEnv::new();
    let before = env.clone();
    let result = expand_in(
        &mut env,
        "(define-syntax m (syntax-rules () ((_) 1))) (define x 1) (if)",
    );
    assert!(result.is_err());
    assert_eq!(env, before);
}

#[test]
fn defined_globals_are_reported() {
    let mut env = ExpandEnv::new();
    let expansion = expand_in(
        &mut env,
        "(define (car x) x) (define y 1) (set! cdr car) (define-values (a b) (values 1 2))",
    )
    .expect("expands");
    assert_eq!(expansion.defined_globals, ["a", "b", "car", "cdr", "y"]);
    assert!(env.is_user_global("car") && env.is_user_global("cdr") && !env.is_user_global("cons"));
    let expansion = expand_in(&mut env, "(cons 1 2)").expect("expands");
    assert!(expansion.defined_globals.is_empty());
    assert!(env.is_user_global("car"));
}

#[test]
fn redefining_keywords_and_macros_at_top_level() {
    let mut env = ExpandEnv::new();
    let mut m = Machine::new();
    run_in(
        &mut env,
        &mut m,
        "(define-syntax m (syntax-rules () ((_) 'macro)))",
    );
    assert_eq!(run_in(&mut env, &mut m, "(m)"), "macro");
    // A variable definition replaces the macro for later units.
    run_in(&mut env, &mut m, "(define (m) 'procedure)");
    assert_eq!(run_in(&mut env, &mut m, "(m)"), "procedure");
    assert_eq!(env.macro_names().count(), 0);
    // Even a built-in keyword can be redefined as a variable, and stays so after a round trip.
    run_in(&mut env, &mut m, "(define (unless x) (list 'called x))");
    let mut env = roundtrip(&env);
    assert_eq!(run_in(&mut env, &mut m, "(unless 1)"), "(called 1)");
}
