//! A store holds either a program (`pscheme run`) or a REPL session (`pscheme repl`); each
//! command refuses the other's store with an error naming the file, and changes nothing.

mod scratch;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pscheme_persist::{HeapStore, KdfParams};
use pscheme_vm::Vm;
use pscheme_vm::durability::DriveConfig;

const PASSPHRASE: &str = "store kinds passphrase";
const TIMEOUT_MS: u64 = 30_000;

fn pscheme(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pscheme"));
    cmd.env("PSCHEME_PASSPHRASE", PASSPHRASE)
        .env("XDG_DATA_HOME", dir);
    cmd
}

/// `pscheme run --db db program` where the program prints `ran` and ends.
fn run_program(dir: &Path, db: &Path) -> Output {
    let program = dir.join("program.scm");
    std::fs::write(&program, "(display \"ran\") (newline)").unwrap();
    pscheme(dir)
        .args(["run", "--insecure-kdf", "--db"])
        .arg(db)
        .arg(&program)
        .output()
        .expect("run pscheme")
}

/// The store's file and whatever SQLite keeps beside it, to compare before and after.
fn files(db: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            (suffix.to_string(), std::fs::read(PathBuf::from(name)).ok())
        })
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Makes a REPL store the way a person does: a definition, then `,quit`.
fn repl_session(dir: &Path, db: &Path) {
    let mut command = pscheme(dir);
    command
        .args(["repl", "--insecure-kdf", "--db"])
        .arg(db)
        .env("TERM", "dumb-but-pty");
    let mut p = rexpect::session::spawn_command(command, Some(TIMEOUT_MS)).expect("start repl");
    p.exp_string("[1]> ").expect("first prompt");
    p.send_line("(define kept 42)").expect("type");
    p.exp_string("[2]> ").expect("second prompt");
    p.send_line(",quit").expect("type");
    p.exp_eof().expect("the REPL exits");
}

#[test]
fn run_refuses_a_repl_store_and_touches_nothing() {
    let dir = scratch::dir("store-kinds", "run-on-repl");
    let db = dir.join("session.pdb");
    repl_session(&dir, &db);
    let before = files(&db);

    let out = run_program(&dir, &db);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(text(&out.stdout).is_empty(), "the program did not run");
    assert!(
        err.contains(&format!("{} holds a REPL session", db.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("pscheme repl --db {}", db.display())),
        "{err}"
    );
    assert_eq!(files(&db), before, "the store's files are unchanged");
    let out = pscheme(&dir)
        .arg("info")
        .arg(&db)
        .output()
        .expect("pscheme info");
    assert!(
        text(&out.stdout).contains("holds:        a REPL session"),
        "{}",
        text(&out.stdout)
    );

    // The session is intact: the REPL resumes it with the definition.
    let mut command = pscheme(&dir);
    command
        .args(["repl", "--db"])
        .arg(&db)
        .env("TERM", "dumb-but-pty");
    let mut p = rexpect::session::spawn_command(command, Some(TIMEOUT_MS)).expect("start repl");
    p.exp_string("resumed").expect("the REPL resumes its store");
    p.exp_string("[2]> ").expect("prompt");
    p.send_line("kept").expect("type");
    p.exp_string("42").expect("the definition survived");
    p.send_line(",quit").expect("type");
    p.exp_eof().expect("the REPL exits");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn repl_refuses_a_program_store_and_touches_nothing() {
    let dir = scratch::dir("store-kinds", "repl-on-run");
    let db = dir.join("program.pdb");
    let out = run_program(&dir, &db);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "ran\n");
    let before = files(&db);

    // Refused before the terminal is touched, so no pseudo-terminal is needed.
    let out = pscheme(&dir)
        .args(["repl", "--db"])
        .arg(&db)
        .output()
        .expect("run pscheme");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "{} holds the state of a program, not of a REPL",
            db.display()
        )),
        "{err}"
    );
    assert_eq!(files(&db), before, "the store's files are unchanged");

    // The program's store still says the program finished.
    let out = run_program(&dir, &db);
    assert!(
        text(&out.stderr).contains("holds a finished run (exit status 0"),
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A REPL store written before the `repl` entry existed: the REPL's state global in the heap,
/// and no host entries at all.
#[test]
fn run_refuses_a_repl_store_made_before_the_mark() {
    let dir = scratch::dir("store-kinds", "run-on-old-repl");
    let db = dir.join("old-session.pdb");
    let store = HeapStore::create(&db, PASSPHRASE.as_bytes(), KdfParams::INSECURE_FOR_TESTS)
        .expect("create the store");
    let mut vm = Vm::new().expect("a VM");
    let compiled = vm
        .compile("(define %repl-state (vector #f 1 0))", "old-repl")
        .expect("compile");
    let main = vm.load(compiled.unit).expect("load");
    let pid = vm.spawn(main);
    vm.enable_durability();
    let mut writer = store.into_writer();
    let code = vm
        .drive(
            Some(pid),
            &mut writer,
            &DriveConfig::default(),
            &mut |_, _| {},
        )
        .expect("drive");
    assert_eq!(code, 0);
    drop(writer);
    let before = files(&db);

    let out = run_program(&dir, &db);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{} holds a REPL session", db.display())),
        "{err}"
    );
    assert!(text(&out.stdout).is_empty(), "the program did not run");
    assert_eq!(files(&db), before, "the store's files are unchanged");
    let _ = std::fs::remove_dir_all(&dir);
}
