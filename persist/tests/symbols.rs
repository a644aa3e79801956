//! A program that makes symbols from data (`string->symbol` on input, say) and runs for months
//! must not grow its store: the VM's symbol table is weak, so a name nothing refers to is
//! collected and deleted from the store by a later wave, also across a resume.

mod common;

use std::path::Path;

use pscheme_persist::{HeapStore, KdfParams};
use pscheme_vm::{Value, Vm};

use common::{PASS, drive, temp_store};

/// Fresh names made and dropped per run, a few live at any time.
const NAMES: usize = 200_000;

/// A program making `NAMES` symbols `prefix-0`, `prefix-1`, ... and keeping only the last in
/// the global `last`.
fn naming_loop(prefix: &str) -> String {
    format!(
        r#"(define (name-loop i)
             (when (< i {NAMES})
               (set! last (string->symbol (string-append "{prefix}-" (number->string i))))
               (name-loop (+ i 1))))
           (name-loop 0)"#
    )
}

/// The store at `path` is clean and holds exactly the VM's live objects: `prelude` objects and
/// fewer than `NAMES / 2` others. Names dropped since the last full collection are still there
/// (the nursery collection of a wave keeps new interned symbols), but each name costs at least
/// two allocations (its string and the symbol) and the collector runs every 200,000 (the
/// program's live data is small), so fewer than `NAMES / 2` of them; a table that kept every
/// name would hold all `NAMES`.
fn assert_store_bounded(path: &Path, vm: &Vm, prelude: usize) {
    let store = HeapStore::open(path, PASS).unwrap();
    let report = store.fsck().unwrap();
    assert!(report.is_clean(), "{report:?}");
    let objects = store.info().unwrap().objects;
    assert_eq!(objects, vm.heap.live_objects() as u64);
    assert!(
        objects < (prelude + NAMES / 2) as u64,
        "{objects} objects stored, {prelude} in the prelude"
    );
}

#[test]
fn names_made_from_data_do_not_grow_the_store_across_a_resume() {
    let path = temp_store("names");
    let store = HeapStore::create(&path, PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let mut vm = Vm::new().unwrap();
    let prelude = vm.heap.live_objects();
    vm.enable_durability();
    let source = format!(
        "(define last #f) (define kept (list 'quoted-kept)) {} (display last) (newline)",
        naming_loop("first")
    );
    let (vm, out, code) = drive(vm, store, &source);
    assert_eq!(
        (code, out.as_str()),
        (0, format!("first-{}\n", NAMES - 1).as_str())
    );
    assert_store_bounded(&path, &vm, prelude);
    drop(vm);

    // Resumed, the table indexes what the store holds; names collected before the last wave
    // are gone, the ones reachable are the same symbols, and the weak table keeps working.
    let store = HeapStore::open(&path, PASS).unwrap();
    let saved = store.load().unwrap().expect("a heap was stored");
    let vm = saved.vm;
    assert_eq!(vm.heap.lookup_symbol("first-0"), None);
    let last = vm.heap.lookup_symbol(&format!("first-{}", NAMES - 1));
    assert!(last.is_some());
    assert_eq!(vm.heap.global_named("last").and_then(Value::as_obj), last);
    let source = format!(
        r#"(define first-last last)
           {}
           (display (list (eq? first-last (string->symbol "first-{}"))
                          (eq? (car kept) (string->symbol "quoted-kept"))
                          (eq? (string->symbol "first-0") 'first-0)
                          last))
           (newline)"#,
        naming_loop("second"),
        NAMES - 1
    );
    let (vm, out, code) = drive(vm, store, &source);
    assert_eq!(
        (code, out.as_str()),
        (0, format!("(#t #t #t second-{})\n", NAMES - 1).as_str())
    );
    assert_eq!(vm.heap.lookup_symbol("first-1"), None);
    assert_store_bounded(&path, &vm, prelude);
}
