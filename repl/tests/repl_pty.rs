//! Drives `pscheme repl` through a pseudo-terminal, as a person would: line editing, multi-line
//! input, tab completion, errors, a background process that keeps running between inputs,
//! `,ps` and `,quit`. Every wait polls the terminal with a timeout; nothing sleeps a fixed time.

mod pty;

use std::path::Path;

use pty::{data_home, enter, keys, start_with};
use rexpect::session::PtySession;

/// Starts `pscheme repl` in memory.
fn start(home: &Path) -> PtySession {
    start_with(home, &["--no-persist"])
}

/// Sends `question` (an expression giving a boolean) until it answers `#t`; returns the
/// number of the next prompt.
fn poll_until_true(p: &mut PtySession, question: &str, mut next: u64) -> u64 {
    loop {
        enter(p, question);
        let (_, found) = p
            .exp_regex(r"#[tf]\r\n")
            .unwrap_or_else(|e| panic!("no answer to {question}: {e}"));
        next += 1;
        prompt(p, next);
        if found.starts_with("#t") {
            return next;
        }
        assert!(next < 5_000, "{question} never became true");
    }
}

/// Waits for the prompt of input `n`.
fn prompt(p: &mut PtySession, n: u64) {
    p.exp_string(&format!("[{n}]> "))
        .unwrap_or_else(|e| panic!("no prompt [{n}]: {e}"));
}

#[test]
fn a_session_defines_spawns_lists_and_quits() {
    let home = data_home("session");
    let mut p = start(&home);
    p.exp_string("history: ")
        .expect("banner names the history file");
    prompt(&mut p, 1);

    enter(&mut p, "(define (square x) (* x x))");
    prompt(&mut p, 2);
    enter(&mut p, "(square 12)");
    p.exp_string("144").expect("value of (square 12)");
    prompt(&mut p, 3);

    // An unfinished list continues on the next line: Enter adds a line, no new prompt.
    enter(&mut p, "(define (add a b)");
    enter(&mut p, "  (+ a b))");
    prompt(&mut p, 4);
    enter(&mut p, "(add 40 2)");
    p.exp_string("42").expect("multi-line definition works");
    prompt(&mut p, 5);

    // A runtime error names the input and the REPL goes on.
    enter(&mut p, "(car (add 1 2))");
    p.exp_regex(r"<repl>:5:\d+:\d+: error: car")
        .expect("error located in input 5");
    prompt(&mut p, 6);
    // So does a compile error.
    enter(&mut p, "(if)");
    p.exp_string("<repl>:6:")
        .expect("compile error located in input 6");
    prompt(&mut p, 7);

    // A macro defined in one input is used by the next ones.
    enter(
        &mut p,
        "(define-syntax swap! (syntax-rules () ((_ a b) (let ((t a)) (set! a b) (set! b t)))))",
    );
    prompt(&mut p, 8);
    enter(&mut p, "(define u 1) (define v 2) (swap! u v) (list u v)");
    p.exp_string("(2 1)").expect("macro from an earlier input");
    prompt(&mut p, 9);

    // Tab completes a global defined earlier.
    keys(&mut p, "(squ\t");
    keys(&mut p, " 3)\r");
    p.exp_string("9\r\n").expect("completed name was square");
    prompt(&mut p, 10);

    // A background process keeps running while the REPL waits for the user.
    enter(&mut p, "(define ticks 0)");
    prompt(&mut p, 11);
    enter(
        &mut p,
        "(define worker (spawn (lambda () (let loop () (set! ticks (+ ticks 1)) (sleep 5) (loop)))))",
    );
    prompt(&mut p, 12);
    enter(&mut p, ",ps");
    p.exp_regex(r"\s+1  waiting for input \(the REPL\)")
        .expect(",ps lists the REPL process");
    p.exp_regex(r"\s+2  (sleeping|runnable)")
        .expect(",ps lists the worker");
    prompt(&mut p, 12);
    let mut n = poll_until_true(&mut p, "(> ticks 20)", 12);

    // Output of a background process appears while the prompt waits, nothing typed. (The
    // text is assembled so that the echo of the input cannot match; the delay puts the output
    // after the prompt even on a loaded machine.)
    enter(
        &mut p,
        "(spawn (lambda () (sleep 300) (display (string-append \"hello from\" \" the background\")) (newline)))",
    );
    n += 1;
    prompt(&mut p, n);
    p.exp_string("hello from the background")
        .expect("background output while the editor waits");

    // Tab completes commands too.
    keys(&mut p, ",he\t\r");
    p.exp_string("show this help")
        .expect(",he completed to ,help");
    prompt(&mut p, n);

    enter(&mut p, ",nonsense");
    p.exp_string("unknown command")
        .expect("unknown command is reported");
    enter(&mut p, ",help");
    p.exp_string(",fsck").expect("help lists the commands");
    enter(&mut p, ",quit");
    p.exp_eof().expect("the REPL exits on ,quit");

    let history = std::fs::read_to_string(home.join("pscheme").join("repl_history"))
        .expect("history file written");
    assert!(history.contains("(square 12)"), "{history}");
}

#[test]
fn ctrl_c_abandons_an_endless_input_and_keeps_the_session() {
    let home = data_home("interrupt");
    let mut p = start(&home);
    prompt(&mut p, 1);
    enter(&mut p, "(define n 0)");
    prompt(&mut p, 2);
    enter(&mut p, "(let loop () (set! n (+ n 1)) (loop))");
    // Once the loop has run a little, interrupt it.
    p.exp_string("(loop))").expect("input echoed");
    p.exp_string("\r\n").expect("Enter accepted the input");
    p.send_control('c').expect("Ctrl-C");
    p.exp_string("interrupted: input 2 abandoned")
        .expect("the input is abandoned");
    prompt(&mut p, 3);
    enter(&mut p, "(positive? n)");
    p.exp_string("#t")
        .expect("state made by the abandoned input stays");
    prompt(&mut p, 4);
    enter(&mut p, ",ps");
    p.exp_string("waiting for input (the REPL)")
        .expect("a fresh REPL process");
    prompt(&mut p, 4);
    enter(&mut p, ",quit");
    p.exp_eof().expect("quit");
}

#[test]
fn ctrl_d_leaves_and_history_is_kept_for_the_next_session() {
    let home = data_home("history");
    let mut p = start(&home);
    prompt(&mut p, 1);
    enter(&mut p, "(+ 1 2)");
    p.exp_string("3").expect("value");
    prompt(&mut p, 2);
    p.send_control('d').expect("Ctrl-D");
    p.exp_eof().expect("Ctrl-D on an empty line quits");

    let mut p = start(&home);
    prompt(&mut p, 1);
    // Up arrow recalls the previous session's input.
    keys(&mut p, "\x1b[A");
    keys(&mut p, "\r");
    p.exp_string("3\r\n").expect("recalled (+ 1 2) ran again");
    prompt(&mut p, 2);
    enter(&mut p, ",q");
    p.exp_eof().expect("quit");
}

#[test]
fn definitions_and_processes_survive_sigkill() {
    let home = data_home("sigkill");
    let store = home.join("session.pdb");
    let store = store.to_str().expect("UTF-8 path");
    let args = ["--db", store, "--insecure-kdf"];
    let mut p = start_with(&home, &args);
    p.exp_string("new store").expect("a new store is announced");
    prompt(&mut p, 1);
    enter(&mut p, "(define (square x) (* x x))");
    prompt(&mut p, 2);
    enter(
        &mut p,
        "(define-syntax unless* (syntax-rules () ((_ c e) (if c #f e))))",
    );
    prompt(&mut p, 3);
    enter(&mut p, "(define ticks 0)");
    prompt(&mut p, 4);
    enter(
        &mut p,
        "(define worker (spawn (lambda () (let loop () (set! ticks (+ ticks 1)) (sleep 5) (loop)))))",
    );
    prompt(&mut p, 5);
    let n = poll_until_true(&mut p, "(> ticks 3)", 5);
    // Every prompt follows a durable state: kill without any chance to clean up.
    p.process_mut()
        .kill(rexpect::process::Signal::SIGKILL)
        .expect("SIGKILL");

    let mut p = start_with(&home, &args);
    p.exp_regex(r"resumed .*session\.pdb at transaction \d+ \(\d{4}-\d\d-\d\d ")
        .expect("the REPL says it resumed, with transaction and time");
    prompt(&mut p, n);
    enter(&mut p, "(square 7)");
    p.exp_string("49")
        .expect("a definition from before the kill");
    prompt(&mut p, n + 1);
    enter(&mut p, "(unless* #f (square 3))");
    p.exp_string("9\r\n").expect("a macro from before the kill");
    prompt(&mut p, n + 2);
    enter(&mut p, ",ps");
    p.exp_regex(r"\s+2  (sleeping|runnable)")
        .expect("the worker is still listed");
    prompt(&mut p, n + 2);
    enter(&mut p, "(define seen ticks)");
    prompt(&mut p, n + 3);
    let next = poll_until_true(&mut p, "(> ticks seen)", n + 3);
    enter(&mut p, ",fsck");
    p.exp_string("fsck: clean").expect("the store is clean");
    prompt(&mut p, next);
    enter(&mut p, ",quit");
    p.exp_eof().expect("quit");
}
