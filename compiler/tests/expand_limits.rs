//! Pathological input gets a diagnostic, never a stack overflow, a hang or a panic. These run on
//! the default 2 MiB test-thread stack in a debug build on purpose.

mod expand_support;
use expand_support::{errors, expand_in, run};
use pscheme_compiler::datum::{Datum, DatumKind};
use pscheme_compiler::expand::{self, ExpandEnv};

fn sym(s: &str) -> Datum {
    Datum::synthetic(DatumKind::Symbol(s.to_string()))
}

fn list(items: Vec<Datum>) -> Datum {
    Datum::synthetic(DatumKind::List(items, None))
}

#[test]
fn deeply_nested_expressions_are_an_error() {
    // Within the reader's limit, but each lambda is three levels for the expander.
    let depth = 400;
    let src = format!("{}x{}", "((lambda (x) ".repeat(depth), ") 1)".repeat(depth));
    let message = errors(&src);
    assert!(
        message.contains("expression is nested too deeply"),
        "{message}"
    );
}

#[test]
fn moderately_nested_expressions_expand() {
    let depth = 150;
    let src = format!("{}0{}", "(+ 1 ".repeat(depth), ")".repeat(depth));
    assert_eq!(run(&src), "150");
    let lambdas = format!("{}x{}", "((lambda (x) ".repeat(depth), ") 1)".repeat(depth));
    assert_eq!(run(&format!("(define x 0) {lambdas}")), "1");
}

#[test]
fn datums_deeper_than_the_limit_are_rejected_before_expansion() {
    let mut datum = sym("x");
    for _ in 0..1500 {
        datum = list(vec![sym("quote"), datum]);
    }
    let result = expand::expand(vec![datum], &mut ExpandEnv::new());
    let errors = result.expect_err("too deep");
    assert_eq!(errors[0].message, "form is nested too deeply");
}

#[test]
fn long_derived_chains_count_as_nesting() {
    let clauses: String = (0..1000).map(|i| format!("((= x {i}) {i}) ")).collect();
    let message = errors(&format!("(define (f x) (cond {clauses}))"));
    assert!(message.contains("nested too deeply"), "{message}");
    let clauses: String = (0..100).map(|i| format!("((= x {i}) {i}) ")).collect();
    assert_eq!(
        run(&format!("(define (f x) (cond {clauses})) (f 42)")),
        "42"
    );
}

#[test]
fn exponential_macros_stop() {
    // Each step doubles the argument; the argument is shared, so memory stays small, but quoting
    // or expanding it would take 2^n work.
    let src = "(define-syntax dup (syntax-rules () ((_ 0 x) 'x) ((_ (n) x) (dup n (x x)))))
               (dup ((((((((((((((((((((((((((((((((((((((((0)))))))))))))))))))))))))))))))))))))))) a)";
    let message = errors(src);
    assert!(message.contains("too large"), "{message}");
    let expr = "(define-syntax dup (syntax-rules () ((_ 0 x) x) ((_ (n) x) (dup n (+ x x)))))
                (dup ((((((((((((((((((((((((((((((((((((((((0)))))))))))))))))))))))))))))))))))))))) 1)";
    let message = errors(expr);
    assert!(
        message.contains("too large") || message.contains("too deeply"),
        "{message}"
    );
}

#[test]
fn many_errors_are_capped() {
    let src: String = (0..200).map(|_| "(if) ").collect();
    let result = expand_in(&mut ExpandEnv::new(), &src).expect_err("errors");
    let count = result.matches("error:").count();
    assert!((2..=30).contains(&count), "{count} errors");
}

#[test]
fn output_at_the_limit_expands_prints_and_drops_on_a_small_stack() {
    let depth = 990;
    let clauses: String = (0..depth)
        .map(|i| format!("((= x {i}) (f {i}))\n"))
        .collect();
    let sources = [
        format!("(define (g x) (cond {clauses} (else 0)))"),
        format!("(define (g) {}0{})", "(f ".repeat(depth), ")".repeat(depth)),
        format!(
            "(define (g) (and {}))",
            (0..depth).map(|i| format!("(f {i}) ")).collect::<String>()
        ),
        format!(
            "(define g {}x{})",
            "(lambda (x) ".repeat(330),
            ")".repeat(330)
        ),
    ];
    for src in sources {
        let printed = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let expansion = expand_in(&mut ExpandEnv::new(), &src).expect("within the limit");
                expand::print_program(&expansion.program).len()
            })
            .expect("spawns")
            .join()
            .expect("no stack overflow");
        assert!(printed > depth);
    }
}
