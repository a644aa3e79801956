//! The whole VM state is heap data: a program saved at every few slices and resumed each time in
//! a fresh VM (through the public API the persistence layer uses) prints exactly what an
//! uninterrupted run prints. Covers frames, native frames (dynamic-wind, call-with-values),
//! continuations, handlers, parameters, mailboxes and timers.

mod common;

use pscheme_vm::{Idle, Vm};

use common::save_and_resume;

const PROGRAM: &str = r#"
(define p (make-parameter 1))
(define (worker id n)
  (lambda ()
    (let loop ((i 0) (acc '()))
      (if (< i n)
          (loop (+ i 1) (cons (* i id) acc))
          (send main (list id (length acc) (apply + acc)))))))
(define main (self))
(define log '())
(define (note x) (set! log (cons x log)))
(spawn (worker 1 30000))
(spawn (worker 2 20000))
(spawn (lambda () (sleep 3) (send main 'slept)))
(define results
  (parameterize ((p 2))
    (dynamic-wind
      (lambda () (note 'in))
      (lambda ()
        (call-with-values
          (lambda () (values (receive-timeout 100000 #f) (receive-timeout 100000 #f) (receive-timeout 100000 #f)))
          (lambda (a b c) (list a b c (p)))))
      (lambda () (note 'out)))))
(define k-count 0)
(define saved-k #f)
(define r (call/cc (lambda (k) (set! saved-k k) 0)))
(set! k-count (+ k-count 1))
(if (< k-count 3) (saved-k k-count))
(write (list (length results) (p) (reverse log) r k-count
             (guard (e ((error-object? e) (error-object-message e))) (car 5))))
(newline)
"#;

fn run(restart_every: Option<usize>) -> String {
    let mut vm = Vm::new().expect("prelude");
    vm.start(PROGRAM, "restart.scm").expect("compiles");
    let mut out = String::new();
    let mut restarts = 0;
    loop {
        let idle = vm.run_slices(restart_every.unwrap_or(1000));
        out.push_str(&vm.take_output());
        for r in vm.take_reports() {
            out.push_str(&format!("{r}\n"));
        }
        match idle {
            None => {}
            Some(Idle::WaitUntil(_)) => std::thread::sleep(std::time::Duration::from_millis(1)),
            Some(_) => break,
        }
        if restart_every.is_some() {
            vm = save_and_resume(vm);
            restarts += 1;
        }
    }
    if restart_every.is_some() {
        assert!(restarts > 10, "only {restarts} restarts");
    }
    out
}

#[test]
fn a_program_restarted_every_few_slices_prints_what_an_uninterrupted_run_prints() {
    let expected = run(None);
    assert_eq!(expected, "(4 1 (in out) 2 3 \"car: expected pair\")\n");
    assert_eq!(run(Some(1)), expected);
}
