//! The engine end to end on real store files: a program runs under `Vm::drive` with the
//! writer thread, then the store is reopened and compared with the VM that wrote it.

mod common;

use std::path::Path;

use pscheme_persist::{HeapStore, KdfParams};
use pscheme_vm::Vm;
use pscheme_vm::durability::DriveConfig;

use common::image::assert_same_heap;
use common::{PASS, drive, drive_with, temp_store};

/// Runs `source` to the end with persistence; returns the VM, its stdout and the exit status.
fn run_persistent(path: &Path, source: &str) -> (Vm, String, i32) {
    let store = HeapStore::create(path, PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let mut vm = Vm::new().unwrap();
    vm.enable_durability();
    drive(vm, store, source)
}

#[test]
fn the_store_holds_exactly_the_heap_at_the_last_wave() {
    let path = temp_store("image");
    let source = r#"
        (define v (make-vector 10 0))
        (define lst '())
        (define (go i)
          (when (< i 2000)
            (vector-set! v (modulo i 10) i)
            (set! lst (cons (list i (* i i)) lst))
            (when (= 0 (modulo i 500)) (sync))
            (go (+ i 1))))
        (define p (spawn (lambda () (go 0) (display "worker")
                            (newline))))
        (go 0)
        (display (length lst)) (newline)
    "#;
    let (vm, out, code) = run_persistent(&path, source);
    assert_eq!(code, 0);
    assert!(out.ends_with("worker\n"), "{out}");
    let store = HeapStore::open(&path, PASS).unwrap();
    assert!(store.fsck().unwrap().is_clean());
    let saved = store.load().unwrap().expect("a heap was stored");
    assert_eq!(saved.finished, Some(0));
    assert_same_heap(&saved.vm, &vm);
}

#[test]
fn collections_of_young_objects_between_waves_leave_the_store_exact() {
    // Collections between waves every 300 allocations, waves every 5 ms: structures are
    // built across many collections and waves, old objects are changed to hold new ones.
    let path = temp_store("young");
    let source = r#"
        (define table (make-vector 64 '()))
        (define (go i acc)
          (if (< i 30000)
              (let ((cell (list i (* i i) (number->string i))))
                (vector-set! table (modulo i 64) cell)
                (go (+ i 1) (if (= 0 (modulo i 7)) (cons cell acc) acc)))
              acc))
        (define kept (go 0 '()))
        (display (length kept)) (newline)
    "#;
    let store = HeapStore::create(&path, PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let mut vm = Vm::new().unwrap();
    vm.enable_durability();
    let config = DriveConfig {
        commit_interval: std::time::Duration::from_millis(5),
        young_collection_interval: 300,
        ..DriveConfig::default()
    };
    let (vm, out, code) = drive_with(vm, store, source, &config);
    assert_eq!((code, out.as_str()), (0, "4286\n"));
    let store = HeapStore::open(&path, PASS).unwrap();
    let report = store.fsck().unwrap();
    assert!(report.is_clean(), "{report:?}");
    let saved = store.load().unwrap().expect("a heap was stored");
    assert_same_heap(&saved.vm, &vm);
}

#[test]
fn a_long_allocating_loop_keeps_the_store_bounded() {
    let path = temp_store("bounded");
    // 600,000 pairs allocated and dropped, a few live at any time.
    let source = r#"
        (define keep '())
        (define (go i)
          (when (< i 300000)
            (set! keep (list i (+ i 1)))
            (go (+ i 1))))
        (go 0)
        (display (car keep)) (newline)
    "#;
    let (vm, out, code) = run_persistent(&path, source);
    assert_eq!((code, out.as_str()), (0, "299999\n"));
    let store = HeapStore::open(&path, PASS).unwrap();
    let report = store.fsck().unwrap();
    assert!(report.is_clean(), "{report:?}");
    let objects = store.info().unwrap().objects;
    assert_eq!(objects, vm.heap.live_objects() as u64);
    // Live objects are the prelude plus at most one collection threshold of garbage; the
    // 600,000 dead pairs are gone from the store.
    assert!(objects < 150_000, "{objects} objects stored");
    let rows = store.row_count().unwrap();
    assert!(rows < objects, "{rows} rows for {objects} objects");
}

#[test]
fn a_wrong_passphrase_is_a_clear_error_and_changes_nothing() {
    let path = temp_store("pass");
    run_persistent(&path, "(display 1)");
    let before = std::fs::read(&path).unwrap();
    let err = HeapStore::open(&path, b"not the passphrase").unwrap_err();
    assert!(err.is_wrong_passphrase(), "{err}");
    assert!(err.to_string().contains("wrong passphrase"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_resumed_program_continues_where_it_was() {
    let path = temp_store("resume");
    // The main process stops itself half way by calling `exit`, as a kill would; the
    // second half runs after resuming.
    let store = HeapStore::create(&path, PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let mut vm = Vm::new().unwrap();
    let source = r#"
        (define n 0)
        (define (worker) (sleep 50) (set! n (+ n 1)) (display n) (newline) (worker))
        (define w (spawn worker))
        (let loop () (if (< n 3) (begin (sleep 10) (loop))))
        (exit 7)
    "#;
    let compiled = vm.compile(source, "test.scm").unwrap();
    let main = vm.load(compiled.unit).unwrap();
    let pid = vm.spawn(main);
    vm.pin(pid);
    vm.enable_durability();
    let mut writer = store.into_writer();
    let mut out = String::new();
    let code = vm
        .drive(
            Some(pid),
            &mut writer,
            &DriveConfig::default(),
            &mut |_, t| out.push_str(t),
        )
        .unwrap();
    assert_eq!((code, out.as_str()), (7, "1\n2\n3\n"));
    let store = writer.close();
    assert_eq!(store.finished().unwrap(), Some(7));
    let saved = store.load().unwrap().unwrap();
    assert!(saved.wave >= 1);
    assert_eq!(
        saved.vm.heap.global_named("n"),
        Some(pscheme_vm::Value::small(3))
    );
}

#[test]
fn one_process_at_a_time_opens_a_store() {
    let path = temp_store("lock");
    let first = HeapStore::create(&path, PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let err = HeapStore::open(&path, PASS).unwrap_err();
    assert!(
        matches!(err, pscheme_persist::PersistError::InUse(_)),
        "{err}"
    );
    drop(first);
    HeapStore::open(&path, PASS).unwrap();
}

#[test]
fn a_sleep_due_while_the_program_was_down_runs_right_after_resume() {
    let path = temp_store("sleep");
    // The main process leaves a sleeper behind and stops the program, as a kill would.
    let (_, _, code) = run_persistent(
        &path,
        "(spawn (lambda () (sleep 300) (display \"woke\"))) (sleep 20) (exit 3)",
    );
    assert_eq!(code, 3);
    std::thread::sleep(std::time::Duration::from_millis(400));
    let store = HeapStore::open(&path, PASS).unwrap();
    let mut vm = store.load().unwrap().unwrap().vm;
    let mut writer = store.into_writer();
    let mut out = String::new();
    let start = std::time::Instant::now();
    vm.drive(None, &mut writer, &DriveConfig::default(), &mut |_, t| {
        out.push_str(t);
    })
    .unwrap();
    assert_eq!(out, "woke");
    // The deadline passed while nothing ran: the sleeper does not sleep 300 ms again.
    assert!(start.elapsed() < std::time::Duration::from_millis(250));
}
