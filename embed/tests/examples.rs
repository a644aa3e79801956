//! The examples in `examples/`, run as the user would, killed with SIGKILL and restarted.
//! `cargo test` builds the examples before the tests run.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

fn example(name: &str) -> PathBuf {
    // target/<profile>/deps/examples-<hash> -> target/<profile>/examples/<name>
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo test -p pscheme-embed` (it builds the examples), not `--test examples` alone",
        path.display()
    );
    path
}

/// A directory removed when the test ends (also when it fails).
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn temp_dir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("pscheme-examples-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

fn start(name: &str, args: &[&str]) -> Child {
    Command::new(example(name))
        .args(args)
        .env("PSCHEME_PASSPHRASE", "example passphrase")
        .env("PSCHEME_INSECURE_KDF", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Collects the child's stdout lines; SIGKILLs it as soon as `stop(lines so far, time since
/// start)` says so (checked on every line and every few milliseconds), then keeps every line
/// it had written before dying: those were shown.
fn lines_until(mut child: Child, stop: impl Fn(&[String], Duration) -> bool) -> Vec<String> {
    let started = Instant::now();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let mut lines = Vec::new();
    let mut killed = false;
    loop {
        match rx.recv_timeout(Duration::from_millis(2)) {
            Ok(line) => lines.push(line),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if !killed && stop(&lines, started.elapsed()) {
            child.kill().ok(); // SIGKILL on Unix
            killed = true;
        }
    }
    reader.join().unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("error"), "stderr: {err} (status {status})");
    lines
}

fn count_of(line: &str) -> u64 {
    line.strip_prefix("count ").unwrap().parse().unwrap()
}

#[test]
fn the_counter_service_survives_sigkill() {
    let dir = temp_dir("counter");
    let store = dir.join("counter.pdb");
    let store = store.to_str().unwrap();
    let target = 60;
    let mut last_shown = 0;
    for round in 0..5 {
        let child = start("counter_service", &[store, &target.to_string()]);
        let kill_after = 3 + round * 2;
        let lines = lines_until(child, |l, _| l.len() >= kill_after);
        let counts: Vec<u64> = lines.iter().map(|l| count_of(l)).collect();
        // Every count shown was durable: a restart goes on above it, and within one run the
        // counts go up by one.
        assert!(
            counts[0] > last_shown,
            "round {round}: {counts:?} after {last_shown}"
        );
        assert!(counts.windows(2).all(|w| w[1] == w[0] + 1), "{counts:?}");
        last_shown = *counts.last().unwrap();
    }
    let lines = lines_until(
        start("counter_service", &[store, &target.to_string()]),
        |_, _| false,
    );
    let finished = lines.last().map_or(last_shown, |l| count_of(l));
    assert_eq!(finished, target);
}

#[test]
fn the_job_queue_resumes_after_sigkill_without_repeating_output() {
    let dir = temp_dir("jobs");
    let store = dir.join("jobs.pdb");
    let store = store.to_str().unwrap();
    let program = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/job_queue.scm");
    let mut shown = Vec::new();
    for round in 0..3u64 {
        let child = start("run_scheme", &[store, program]);
        let deadline = Duration::from_millis(50 + 30 * round);
        // Kill at a moment chosen by time, not by output: the store may be mid-commit.
        let lines = lines_until(child, |_, elapsed| elapsed >= deadline);
        if round == 0 {
            // 40 jobs of 25 ms on 4 workers take 250 ms: the first run is cut short.
            assert!(!lines.iter().any(|l| l.starts_with("total")), "{lines:?}");
        }
        shown.extend(lines);
    }
    let lines = lines_until(start("run_scheme", &[store, program]), |_, _| false);
    shown.extend(lines);
    let expected_total: u64 = (1..=40u64).map(|n| n * n).sum();
    // The program's state: the same total as an uninterrupted run.
    let mut engine = pscheme_embed::Engine::builder()
        .store(store, "example passphrase")
        .open()
        .unwrap_or_else(|e| panic!("reopening the store: {e:?}"));
    assert_eq!(engine.get::<u64>("total").unwrap(), expected_total);
    engine.close().unwrap();
    // Its output: a kill between a commit and the write of its output loses that output (it
    // is never repeated), so the total line may be missing, but it is never wrong or twice.
    let totals: Vec<&String> = shown.iter().filter(|l| l.starts_with("total")).collect();
    assert!(totals.len() <= 1, "{shown:?}");
    assert!(
        totals
            .iter()
            .all(|l| **l == format!("total {expected_total}")),
        "{shown:?}"
    );
    let mut jobs: Vec<&String> = shown.iter().filter(|l| l.starts_with("job ")).collect();
    let before = jobs.len();
    jobs.sort();
    jobs.dedup();
    assert_eq!(jobs.len(), before, "a result was shown twice: {shown:?}");
}
