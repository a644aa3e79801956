//! End-to-end checks of the generated code: every corpus program is compiled, validated and run
//! by the reference interpreter in `lowering_support/interp.rs`, and its value compared with the
//! value Scheme gives.

mod lowering_support;

use lowering_support::{CORPUS, interp, lower};

fn run(src: &str) -> interp::Run {
    let lowered = lower(src);
    interp::run(&lowered.unit, 1_000_000).unwrap_or_else(|e| panic!("{e}\n{}", lowered.disasm()))
}

#[test]
fn corpus_programs_compute_the_scheme_values() {
    let expected = [
        ("constants", "yes", "3"),
        ("fact", "3628800", ""),
        ("named_let", "5050", ""),
        ("mutual_recursion", "odd", ""),
        ("counter", "3", ""),
        ("join", "(11 . 3)", ""),
        ("effect_if", "done", "1"),
        ("internal_defines", "21", ""),
        ("assigned_across_call", "1", ""),
        ("rest_args", "(1 2 3)", ""),
        ("redefined_prim", "mine", ""),
        ("quoted", "#t", ""),
        ("higher_order", "12", ""),
        ("vectors", "a", ""),
        ("nested_lets", "(4 16 13)", ""),
        ("and_or", "(#t #f #t)", ""),
    ];
    assert_eq!(
        expected.len(),
        CORPUS.len(),
        "every corpus program has an expected value"
    );
    for ((name, src), (ename, value, output)) in CORPUS.iter().zip(expected) {
        assert_eq!(*name, ename);
        let result = run(src);
        assert_eq!(result.value, value, "{name}");
        assert_eq!(result.output, output, "{name}");
    }
}

#[test]
fn named_let_loop_runs_in_constant_space() {
    let result =
        run("(define (count n) (let loop ((i 0)) (if (< i n) (loop (+ i 1)) i))) (count 10000)");
    assert_eq!(result.value, "10000");
    assert_eq!(
        result.frames, 0,
        "a loop in tail position must not create continuation frames"
    );
}

#[test]
fn non_tail_recursion_creates_one_frame_per_level() {
    let result = run("(define (sum n) (if (= n 0) 0 (+ n (sum (- n 1))))) (sum 100)");
    assert_eq!(result.value, "5050");
    assert_eq!(result.frames, 100);
}

#[test]
fn a_reentered_continuation_sees_the_current_value_of_an_assigned_variable() {
    // The frame of the call/cc captures `x`; each re-entry increments it. Without a box every
    // re-entry would see the value at capture time and the program would never stop.
    let src = "(define r #f)
               (define (f) (let ((x 0)) (call/cc (lambda (c) (set! r c))) (set! x (+ x 1)) x))
               (define n (f))
               (if (< n 3) (r #f))
               n";
    assert_eq!(run(src).value, "3");
}

#[test]
fn arguments_are_evaluated_left_to_right_even_when_assigned() {
    let src = "(define (f) (let ((x 1)) (list x (begin (set! x 2) x) x))) (f)";
    assert_eq!(run(src).value, "(1 2 2)");
}

#[test]
fn letrec_with_forward_reference_from_a_value_sees_the_later_binding() {
    let src = "(define (f) (define (get) b) (define a (lambda () (get))) (define b 7) (a)) (f)";
    assert_eq!(run(src).value, "7");
}

#[test]
fn deep_top_level_chains_of_calls_run() {
    let mut src = String::from("(define n 0) (define (inc!) (set! n (+ n 1)))\n");
    for _ in 0..300 {
        src.push_str("(inc!)\n");
    }
    src.push_str("n\n");
    assert_eq!(run(&src).value, "300");
}

#[test]
fn reading_a_letrec_variable_before_its_initializer_ran_is_an_error() {
    let src = "(define (f) (define (get) b) (define a (get)) (define b 7) a) (f)";
    let lowered = lower(src);
    let err = interp::run(&lowered.unit, 1_000_000).expect_err("b is read before it is set");
    assert!(
        err.contains("variable used before its initialization: b"),
        "{err}"
    );
}
