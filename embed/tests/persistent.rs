//! Engines on a store: state survives close and reopen; host functions are linked by name.

use pscheme_embed::{Engine, Error, KdfParams, Output};

fn open(path: &std::path::Path) -> Engine {
    Engine::builder()
        .store(path, "test passphrase")
        .kdf(KdfParams::INSECURE_FOR_TESTS)
        .output(Output::Capture)
        .open()
        .unwrap()
}

/// [`open`], with no wave taken by the interval: only a sync makes changes durable.
fn open_syncing_only(path: &std::path::Path) -> Engine {
    Engine::builder()
        .store(path, "test passphrase")
        .kdf(KdfParams::INSECURE_FOR_TESTS)
        .output(Output::Capture)
        .commit_interval(std::time::Duration::from_secs(3600))
        .open()
        .unwrap()
}

/// A store path whose directory is removed when the test ends (also when it fails).
struct TempStore(std::path::PathBuf);

impl std::ops::Deref for TempStore {
    type Target = std::path::Path;
    fn deref(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempStore {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0.parent().expect("in a directory"));
    }
}

fn temp_store(name: &str) -> TempStore {
    let dir = std::env::temp_dir().join(format!("pscheme-embed-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempStore(dir.join("store.pdb"))
}

#[test]
fn a_counter_persists_across_close_and_reopen() {
    let path = temp_store("counter");
    {
        let mut e = open(&path);
        assert!(e.resumed().is_none());
        e.eval::<()>(
            "(define count 0) (define (bump!) (set! count (+ count 1)) count)
             (define-syntax twice (syntax-rules () ((_ e) (begin e e))))",
        )
        .unwrap();
        for _ in 0..3 {
            e.call::<i64>("bump!", ()).unwrap();
        }
        e.close().unwrap();
    }
    for expected in 4..=6 {
        let mut e = open(&path);
        assert!(e.resumed().is_some());
        assert_eq!(e.call::<i64>("bump!", ()).unwrap(), expected);
        drop(e); // drop commits the last wave too
    }
    // Macros persist with the definitions: later code compiles against them.
    let mut e = open(&path);
    assert_eq!(e.eval::<i64>("(twice (bump!))").unwrap(), 8);
}

#[test]
fn a_resumed_heap_calling_an_unregistered_host_function_gets_a_scheme_error() {
    let path = temp_store("hostfn");
    {
        let mut e = open(&path);
        e.register_fn("host-double", |x: i64| Ok::<_, String>(x * 2))
            .unwrap();
        e.eval::<()>("(define (twice x) (host-double x))").unwrap();
        assert_eq!(e.call::<i64>("twice", (21,)).unwrap(), 42);
        e.close().unwrap();
    }
    {
        let mut e = open(&path);
        let Err(Error::Scheme(err)) = e.call::<i64>("twice", (1,)) else {
            panic!("expected a Scheme error");
        };
        assert!(err.message.contains("host-double"), "{err:?}");
        let caught: bool = e
            .eval("(guard (c ((error-object? c) #t)) (twice 1))")
            .unwrap();
        assert!(caught);
        e.close().unwrap();
    }
    let mut e = open(&path);
    e.register_fn("host-double", |x: i64| Ok::<_, String>(x * 2))
        .unwrap();
    assert_eq!(e.call::<i64>("twice", (5,)).unwrap(), 10);
}

#[test]
fn output_is_released_once_durable_and_sync_commits() {
    let path = temp_store("output");
    let mut e = open_syncing_only(&path);
    e.eval::<()>("(display \"saved\")").unwrap();
    assert_eq!(e.take_output().stdout, "", "held until its wave is durable");
    e.sync().unwrap();
    assert_eq!(e.take_output().stdout, "saved");
    let debug = format!("{:?}", Engine::builder().store(&*path, "hunter2"));
    assert!(
        !debug.contains("hunter2") && !debug.contains("104, 117"),
        "{debug}"
    );
}

#[test]
fn a_wrong_passphrase_is_a_store_error() {
    let path = temp_store("passphrase");
    open(&path).close().unwrap();
    let r = Engine::builder().store(&*path, "wrong").open();
    assert!(matches!(r, Err(Error::Store(_))), "{r:?}");
}

#[test]
fn scheme_sync_in_a_host_call_returns_once_durable() {
    let path = temp_store("scheme-sync");
    let mut e = open_syncing_only(&path);
    e.eval::<()>("(define saved '())").unwrap();
    e.sync().unwrap();
    // `(sync)` blocks only its process; the call returns after the wave is durable.
    let n: usize = e
        .eval("(set! saved (cons 'a saved)) (sync) (length saved)")
        .unwrap();
    assert_eq!(n, 1);
    // The files as they are now, with the engine still open, are what a crash would leave.
    let crash_image = path.with_file_name("crash.pdb");
    for suffix in ["", "-wal"] {
        let from = format!("{}{suffix}", path.display());
        if std::path::Path::new(&from).exists() {
            std::fs::copy(&from, format!("{}{suffix}", crash_image.display())).unwrap();
        }
    }
    let mut resumed = open(&crash_image);
    assert_eq!(resumed.get::<Vec<String>>("saved").unwrap(), ["a"]);
    drop(resumed);
    drop(e);
}
