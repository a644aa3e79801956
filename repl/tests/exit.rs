//! How `pscheme run` ends: the store is closed whole before the process exits, and the
//! memory left behind (the heap, the writer's caches, the allocator's own) is not freed
//! piece by piece, which only delayed the exit.

mod scratch;

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs a program that keeps 20,000 pairs live in its last wave, with `args` before it.
fn run(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let program = dir.join("program.scm");
    std::fs::write(
        &program,
        "(define (upto n acc) (if (= n 0) acc (upto (- n 1) (cons n acc))))
         (define kept (upto 20000 '()))
         (display (length kept)) (newline)",
    )
    .unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pscheme"));
    cmd.env("PSCHEME_PASSPHRASE", "exit tests")
        .arg("run")
        .args(args)
        .arg(&program);
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.output().expect("run pscheme")
}

#[test]
fn the_store_is_closed_and_checkpointed_before_the_process_exits() {
    let dir = scratch::dir("exit", "closed");
    let db = dir.join("program.pdb");
    let out = run(&dir, &["--insecure-kdf", "--db", db.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "20000\n");
    // SQLite removes the log when the last connection closes after a checkpoint: a process
    // that exited with the store still open would leave it behind.
    for side in ["-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(side);
        assert!(
            !PathBuf::from(&name).exists(),
            "{} left behind",
            PathBuf::from(name).display()
        );
    }
    let info = Command::new(env!("CARGO_BIN_EXE_pscheme"))
        .env("PSCHEME_PASSPHRASE", "exit tests")
        .arg("fsck")
        .arg(&db)
        .output()
        .expect("run pscheme fsck");
    assert!(info.status.success(), "{info:?}");
}

#[test]
fn the_allocator_does_no_cleanup_at_exit() {
    let dir = scratch::dir("exit", "allocator");
    // With MIMALLOC_VERBOSE, mimalloc's exit handler ends by saying "process done".
    for args in [&["--no-persist"][..], &["--insecure-kdf"][..]] {
        let out = run(&dir, args, &[("MIMALLOC_VERBOSE", "1")]);
        assert!(out.status.success(), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("mimalloc:"),
            "verbose output is on: {stderr}"
        );
        assert!(
            !stderr.contains("process done"),
            "{args:?}: the exit handler ran: {stderr}"
        );
    }
}
