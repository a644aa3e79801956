//! Whole programs through `run_source` (what `pscheme run` does), checking the VM core's
//! contract: exit statuses, error reports, process isolation, deadlock detection.

use pscheme_vm::run_source;

#[test]
fn exit_runs_pending_after_thunks_and_sets_the_status() {
    let out = run_source(
        "(dynamic-wind (lambda () (display \"in \"))
                       (lambda () (spawn (lambda () (let loop () (loop)))) (exit 3))
                       (lambda () (display \"out\")))
         (display \"not reached\")",
        "exit.scm",
    );
    assert_eq!(out.stdout, "in out");
    assert_eq!(out.exit_code, 3);
}

#[test]
fn an_uncaught_error_reports_location_and_backtrace() {
    let out = run_source(
        "(define (inner v) (+ 1 (vector-ref v 3)))
(define (middle v) (* 2 (inner v)))
(define (outer) (- (middle (vector 1 2)) 1))
(outer)",
        "bt.scm",
    );
    assert_eq!(out.exit_code, 1);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("bt.scm:1:"), "{}", out.stderr);
    assert!(
        first.contains("vector-ref: index out of range 3"),
        "{}",
        out.stderr
    );
    for frame in ["inner", "middle", "outer"] {
        assert!(
            out.stderr
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("in {frame} ("))),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn a_crashing_process_leaves_the_program_and_its_status_alone() {
    let out = run_source(
        "(define p (spawn (lambda () (car 1))))
(define q (spawn (lambda () (sleep 5) (display \"other done\") (newline))))
(sleep 20)
(display (process-alive? p)) (newline)",
        "crash.scm",
    );
    assert_eq!(out.stdout, "other done\n#f\n");
    assert_eq!(out.exit_code, 0);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("process ")
            && first.contains(" failed: crash.scm:1:29: error: car: expected pair 1"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_main_program_waiting_forever_is_an_error() {
    let out = run_source("(display \"waiting\") (receive)", "w.scm");
    assert_eq!(out.stdout, "waiting");
    assert_eq!(out.exit_code, 1, "{out:?}");
    assert!(out.stderr.contains("blocked forever"), "{}", out.stderr);
}

#[test]
fn raise_of_a_non_condition_names_the_object() {
    let out = run_source("(define (f) (raise 'boom)) (f)", "r.scm");
    assert_eq!(out.exit_code, 1);
    assert!(out.stderr.starts_with("r.scm:1:"), "{}", out.stderr);
    assert!(
        out.stderr.contains("uncaught exception: boom"),
        "{}",
        out.stderr
    );
}

#[test]
fn deep_recursion_and_long_tail_loops_run() {
    let out = run_source(
        "(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))
(define (loop i) (if (= i 0) 'done (loop (- i 1))))
(display (count 1000000)) (newline)
(display (loop 10000000)) (newline)",
        "deep.scm",
    );
    assert_eq!(out.stderr, "");
    assert_eq!(out.stdout, "1000000\ndone\n");
}

#[test]
fn a_ring_of_ten_thousand_processes_passes_a_token() {
    let out = run_source(
        "(define (recv) (receive-timeout 100000000 #f))
(define (node next) (lambda () (send next (+ 1 (recv)))))
(define first (let loop ((i 1) (next (self))) (if (= i 10000) next (loop (+ i 1) (spawn (node next))))))
(send first 0)
(display (recv))",
        "ring.scm",
    );
    assert_eq!(out.stderr, "");
    assert_eq!(out.stdout, "9999");
}

#[test]
fn an_error_inside_the_prelude_is_reported_at_the_programs_call() {
    let out = run_source("(define x 1)\n(display (map car (list 1 2)))", "m.scm");
    assert_eq!(out.exit_code, 1);
    assert!(
        out.stderr
            .starts_with("m.scm:2:10: error: car: expected pair 1"),
        "{}",
        out.stderr
    );
}
