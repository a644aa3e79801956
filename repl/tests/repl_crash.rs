//! Crash harness for the REPL: `pscheme repl`, driven through a pseudo-terminal, is SIGKILLed
//! at random moments (while an input runs, while it waits at the prompt with a background
//! process committing waves, or while it resumes) and restarted on the same store each time.
//! The checks are the program harness's (`crash.rs`), for a REPL:
//!
//! - every result shown before a kill is present after the restart, even one shown just before
//!   the kill (the output the killed REPL wrote is read to its end): a result is shown only once
//!   the state holding it is durable;
//! - nothing is shown for lost state, nor twice: each value shown is the next one, never more
//!   than was sent, and the state found after a restart is between what was shown and what
//!   was sent;
//! - the definitions, the macro and the background process spawned from the REPL survive every
//!   kill, and the process goes on running after each restart;
//! - fsck is clean every 4th kill (`,fsck`) and at the end (`pscheme fsck`).
//!
//! The normal run makes `KILLS` kills; `PSCHEME_CRASH_SOAK=N` runs N rounds of them, each on
//! a fresh store. The seed of the random choices is printed; `PSCHEME_CRASH_SEED` sets it (the
//! moments the kills land still depend on the machine's timing).

mod kill;
mod pty;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use pty::{data_home, enter, repl_command, start_with};
use rexpect::process::Signal;
use rexpect::session::PtySession;

const KILLS: usize = 30;

/// The session every round starts with. Each later input uses `bump!` or `state`, so a lost
/// definition or macro fails the input; `worker` runs in the background throughout. (Lines
/// stay shorter than the terminal: a wrapped line is redrawn, prompt included.)
const SETUP: &[&str] = &[
    "(define c 0)",
    "(define (bump!) (set! c (+ c 1)) c)",
    "(define (slow-bump!) (sleep 30) (bump!))",
    "(define ticks 0)",
    "(define-syntax state (syntax-rules () ((_) (list 'state c ticks))))",
    "(define (work) (set! ticks (+ ticks 1)) (sleep 5) (work))",
    "(define worker (spawn work))",
];

/// The values (lines that are only a number) in terminal output.
fn values(output: &str) -> Vec<u64> {
    output
        .split(['\r', '\n'])
        .filter_map(|line| line.trim().parse().ok())
        .collect()
}

/// Waits for the next prompt; returns the values printed before it.
fn values_then_prompt(p: &mut PtySession) -> Vec<u64> {
    let (before, _) = p.exp_regex(r"\[\d+\]> ").expect("a prompt");
    values(&before)
}

/// SIGKILLs the REPL and waits for it to die (so its lock is free); returns what it wrote
/// that was not read yet.
fn kill(mut p: PtySession) -> String {
    p.process_mut().signal(Signal::SIGKILL).expect("SIGKILL");
    p.process().wait().expect("reap the killed REPL");
    match p.exp_eof() {
        Ok(rest) => rest,
        // A process killed before it opened its terminal leaves no end of file to read
        // (Linux reports a hangup only once the terminal was opened): the session's timeout
        // ends the wait, and everything it wrote has been read by then.
        Err(rexpect::error::Error::Timeout { got, .. }) => got,
        Err(e) => panic!("the killed REPL's output: {e}"),
    }
}

/// What the test knows of the counter `c`.
struct Counter {
    /// The last value the REPL showed (or the state found after a restart).
    shown: u64,
    /// Increments sent.
    sent: u64,
}

impl Counter {
    /// Values shown are the next ones, one by one, never more than was sent.
    fn saw(&mut self, values: &[u64], context: &str) {
        for &v in values {
            assert!(
                v == self.shown + 1 && v <= self.sent,
                "{context}: value {v} shown after {}, {} sent",
                self.shown,
                self.sent
            );
            self.shown = v;
        }
    }
}

/// Where the kills of a round fell.
#[derive(Default)]
struct Tally {
    kills: usize,
    /// An input was sent and its value not yet shown.
    mid_input: usize,
    /// The REPL was resuming.
    resuming: usize,
    /// Values the killed REPL had written that the test had not read yet.
    shown_at_kill: usize,
    /// Values shown by an input that resumed after a restart.
    shown_after_restart: usize,
}

/// One round: a fresh store, `kills` kills.
fn round(home: &Path, round: usize, kills: usize, rng: &mut fastrand::Rng) -> Tally {
    let db = home.join(format!("crash-{round}.pdb"));
    let db_arg = db.to_str().expect("UTF-8 path");
    let args = ["--db", db_arg, "--insecure-kdf"];
    let mut p = start_with(home, &args);
    values_then_prompt(&mut p);
    for line in SETUP {
        enter(&mut p, line);
        let shown = values_then_prompt(&mut p);
        assert!(shown.is_empty(), "{line} shows nothing: {shown:?}");
    }
    let mut c = Counter { shown: 0, sent: 0 };
    let mut ticks = 0;
    let mut tally = Tally::default();
    while tally.kills < kills {
        let killed = tally.kills;
        for _ in 0..rng.u64(..4) {
            enter(&mut p, "(bump!)");
            c.sent += 1;
            let shown = values_then_prompt(&mut p);
            assert_eq!(shown, [c.shown + 1], "an acknowledged increment");
            c.shown += 1;
        }
        // Killed at the prompt while the worker's waves commit, or while an input runs or
        // is being committed: a quick one, or one that sleeps first (it resumes after the
        // restart and shows its value then).
        let input = match rng.u64(..4) {
            0 => None,
            1 => Some("(bump!)"),
            _ => Some("(slow-bump!)"),
        };
        if let Some(input) = input {
            enter(&mut p, input);
            c.sent += 1;
        }
        std::thread::sleep(Duration::from_millis(rng.u64(..25)));
        let mid_input = input.is_some();
        let last = values(&kill(p));
        c.saw(&last, &format!("before kill {killed}"));
        tally.shown_at_kill += last.len();
        tally.mid_input += usize::from(mid_input && last.is_empty());
        tally.kills += 1;
        if tally.kills < kills && rng.u64(..4) == 0 {
            // Killed again while resuming, maybe before it opened its terminal (hence the
            // short timeout: see `kill`).
            p = rexpect::session::spawn_command(repl_command(home, &args), Some(1_000))
                .expect("start pscheme repl");
            std::thread::sleep(Duration::from_millis(rng.u64(..60)));
            let last = values(&kill(p));
            c.saw(&last, &format!("resuming, kill {}", tally.kills));
            tally.shown_after_restart += last.len();
            tally.resuming += 1;
            tally.kills += 1;
        }
        let killed = tally.kills;

        p = start_with(home, &args);
        p.exp_regex(r"resumed .* at transaction \d+ \(")
            .expect("the REPL says it resumed");
        // An input that was running when the REPL died finishes now and shows its value.
        let resumed = values_then_prompt(&mut p);
        c.saw(&resumed, &format!("after kill {killed}"));
        tally.shown_after_restart += resumed.len();
        enter(&mut p, "(state)");
        let (_, found) = p
            .exp_regex(r"\(state \d+ \d+\)|error.*")
            .expect("the state");
        let numbers: Vec<u64> = found
            .trim_start_matches("(state ")
            .trim_end_matches(')')
            .split(' ')
            .filter_map(|n| n.parse().ok())
            .collect();
        let [now, now_ticks] = numbers[..] else {
            panic!("after kill {killed}: definitions lost: {found}");
        };
        assert!(
            c.shown <= now && now <= c.sent,
            "after kill {killed}: c is {now}, shown {}, sent {}",
            c.shown,
            c.sent
        );
        c.shown = now;
        assert!(
            now_ticks >= ticks,
            "after kill {killed}: ticks {now_ticks} below {ticks} shown before"
        );
        values_then_prompt(&mut p);
        // The worker goes on after the restart.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            enter(&mut p, &format!("(> ticks {now_ticks})"));
            let (_, answer) = p.exp_regex(r"#[tf]\r\n").expect("an answer");
            values_then_prompt(&mut p);
            if answer.starts_with("#t") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "after kill {killed}: the worker stopped"
            );
        }
        ticks = now_ticks;
        if killed % 4 == 0 {
            enter(&mut p, ",fsck");
            p.exp_string("fsck: clean")
                .unwrap_or_else(|e| panic!("fsck after kill {killed}: {e}"));
            values_then_prompt(&mut p);
        }
    }
    enter(&mut p, ",quit");
    p.exp_eof().expect("quit");
    let fsck = Command::new(env!("CARGO_BIN_EXE_pscheme"))
        .arg("fsck")
        .arg(&db)
        .env("PSCHEME_PASSPHRASE", "correct horse battery staple")
        .output()
        .expect("pscheme fsck");
    assert!(
        fsck.status.success() && String::from_utf8_lossy(&fsck.stdout).contains("clean"),
        "fsck at the end: {}",
        String::from_utf8_lossy(&fsck.stdout)
    );
    eprintln!(
        "round {round}: {} kills ({} mid-input before its value showed, {} while resuming); \
         values shown by a REPL about to be killed {}, by an input resumed after a restart {}; \
         c = {} of {} increments sent",
        tally.kills,
        tally.mid_input,
        tally.resuming,
        tally.shown_at_kill,
        tally.shown_after_restart,
        c.shown,
        c.sent
    );
    // Kills must land inside inputs, or the test proves little.
    assert!(
        tally.mid_input * 6 >= tally.kills,
        "only {} of {} kills fell inside an input",
        tally.mid_input,
        tally.kills
    );
    tally
}

#[test]
fn the_repl_survives_repeated_kill_9() {
    let soak = kill::soak_rounds();
    let mut rng = kill::rng("REPL crash harness");
    let home = data_home("crash");
    let start = Instant::now();
    let total: usize = (0..soak)
        .map(|r| round(&home, r, KILLS, &mut rng).kills)
        .sum();
    eprintln!("{total} kills in {:?}", start.elapsed());
    let _ = std::fs::remove_dir_all(&home);
}
