//! The symbol table is weak: a symbol made from data is collected once nothing refers to it and
//! it holds no global, so a long-running program interning names from its input does not grow
//! its heap. Bound globals, symbols in live data and the constants and global names of live
//! code stay, and a name interned again after its symbol was freed is an ordinary symbol.

mod common;

use pscheme_vm::{Value, Vm};

use common::save_and_resume;

/// Runs `source` as a new top-level program to its end and returns its output. Its process is
/// unpinned, so afterwards only what it stored in globals is reachable from it.
fn run(vm: &mut Vm, source: &str) -> String {
    let pid = vm.start(source, "weak.scm").expect("compiles");
    vm.run_to_completion();
    vm.unpin(pid);
    let reports = vm.take_reports();
    assert!(reports.is_empty(), "{reports:?}");
    vm.take_output()
}

#[test]
fn names_made_from_data_do_not_accumulate() {
    let mut vm = Vm::new().expect("prelude");
    run(
        &mut vm,
        r#"(define (make-names from to)
             (when (< from to)
               (string->symbol (string-append "data-" (number->string from)))
               (make-names (+ from 1) to)))"#,
    );
    vm.collect();
    let baseline = vm.heap.live_objects();
    // 10^5 distinct names in all.
    for round in 0..10 {
        let from = round * 10_000;
        run(&mut vm, &format!("(make-names {from} {})", from + 10_000));
        vm.collect();
        let live = vm.heap.live_objects();
        assert!(
            live <= baseline + 50,
            "after round {round}: {live} live objects, {baseline} before the first"
        );
    }
    assert_eq!(vm.heap.lookup_symbol("data-0"), None);
    assert_eq!(vm.heap.lookup_symbol("data-99999"), None);
}

#[test]
fn a_symbol_in_live_data_survives_and_stays_eq_to_its_name() {
    let mut vm = Vm::new().expect("prelude");
    run(
        &mut vm,
        r#"(define kept (list (string->symbol "kept-from-data")))
           (string->symbol "dropped-from-data")"#,
    );
    let kept = vm.heap.lookup_symbol("kept-from-data");
    assert!(kept.is_some());
    vm.collect();
    assert_eq!(vm.heap.lookup_symbol("kept-from-data"), kept);
    assert_eq!(vm.heap.lookup_symbol("dropped-from-data"), None);
    let out = run(
        &mut vm,
        r#"(display (list (eq? (car kept) (string->symbol "kept-from-data"))
                          (eq? (car kept) 'kept-from-data)
                          (car kept)))"#,
    );
    assert_eq!(out, "(#t #t kept-from-data)");
}

#[test]
fn a_bound_global_keeps_its_symbol_with_nothing_referring_to_it() {
    let mut vm = Vm::new().expect("prelude");
    // Once run, the unit is garbage: its quoted constant goes, the global it defined stays.
    run(&mut vm, "(define bound-only 42) 'quoted-in-dead-code");
    vm.heap.define("bound-by-host", Value::small(7));
    let scheme = vm.heap.lookup_symbol("bound-only");
    let host = vm.heap.lookup_symbol("bound-by-host");
    vm.collect();
    assert_eq!(vm.heap.lookup_symbol("quoted-in-dead-code"), None);
    assert_eq!(vm.heap.lookup_symbol("bound-only"), scheme);
    assert_eq!(vm.heap.lookup_symbol("bound-by-host"), host);
    assert_eq!(
        run(&mut vm, "(display (list bound-only bound-by-host))"),
        "(42 7)"
    );
}

#[test]
fn a_name_freed_and_interned_again_works_as_a_global_and_in_case() {
    let mut vm = Vm::new().expect("prelude");
    run(&mut vm, r#"(string->symbol "reborn")"#);
    vm.collect();
    assert_eq!(vm.heap.lookup_symbol("reborn"), None);
    let out = run(
        &mut vm,
        r#"(define reborn 7)
           (define (classify s) (case s ((reborn) 'matched) (else 'other)))
           (define from-data (string->symbol (string-append "re" "born")))
           (display (list reborn (classify from-data) (eq? from-data 'reborn)
                          (classify 'unrelated)))"#,
    );
    assert_eq!(out, "(7 matched #t other)");
    vm.collect();
    let out = run(
        &mut vm,
        r#"(set! reborn (+ reborn 1))
           (display (list reborn (classify (string->symbol "reborn"))))"#,
    );
    assert_eq!(out, "(8 matched)");
}

#[test]
fn constants_and_global_names_of_live_code_survive() {
    let mut vm = Vm::new().expect("prelude");
    run(
        &mut vm,
        r#"(define (tag) 'quoted-in-live-code)
           (define (classify s) (case s ((alpha beta) 'known) (else 'unknown)))
           (define (later) defined-later)
           (string->symbol "only-in-a-dead-process")"#,
    );
    let names = ["quoted-in-live-code", "alpha", "beta", "defined-later"];
    let before = names.map(|n| vm.heap.lookup_symbol(n));
    assert!(before.iter().all(Option::is_some), "{before:?}");
    vm.collect();
    assert_eq!(vm.heap.lookup_symbol("only-in-a-dead-process"), None);
    // Garbage reusing every id freed above, so that a symbol wrongly freed would now be
    // another object under its old id.
    run(
        &mut vm,
        "(define (churn i) (when (> i 0) (make-vector 3 i) (churn (- i 1)))) (churn 20000)",
    );
    assert_eq!(names.map(|n| vm.heap.lookup_symbol(n)), before);
    let out = run(
        &mut vm,
        r#"(define defined-later 5)
           (display (list (eq? (tag) (string->symbol "quoted-in-live-code"))
                          (classify (string->symbol "beta"))
                          (later)))"#,
    );
    assert_eq!(out, "(#t known 5)");
}

#[test]
fn a_resumed_heap_indexes_only_the_symbols_it_holds_and_keeps_collecting_them() {
    let mut vm = Vm::new().expect("prelude");
    run(
        &mut vm,
        r#"(define kept (string->symbol "kept-across-restart"))
           (string->symbol "gone-before-save")"#,
    );
    vm.collect();
    let mut vm = save_and_resume(vm);
    assert_eq!(vm.heap.lookup_symbol("gone-before-save"), None);
    assert!(vm.heap.lookup_symbol("kept-across-restart").is_some());
    let out = run(
        &mut vm,
        r#"(display (list (eq? kept 'kept-across-restart)
                          (eq? kept (string->symbol "kept-across-restart"))))
           (string->symbol "made-after-resume")"#,
    );
    assert_eq!(out, "(#t #t)");
    assert!(vm.heap.lookup_symbol("made-after-resume").is_some());
    vm.collect();
    assert_eq!(vm.heap.lookup_symbol("made-after-resume"), None);
    assert!(vm.heap.lookup_symbol("kept-across-restart").is_some());
}
