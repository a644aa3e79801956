//! Crash harness: runs `pscheme run` on programs that mutate state in different patterns,
//! SIGKILLs it at random moments, restarts it on the same store each time, and checks:
//!
//! - no output line is shown twice: a resumed state never lost a change whose output was
//!   shown, so every change acknowledged by `(sync)` (a counter's "tick n") survived;
//! - per kind of line, the lines shown across all runs are a subsequence of an uninterrupted
//!   run's, in the same order: nothing shown for lost state, nothing out of order;
//! - the programs' own consistency checks never print `BAD` (no change present without all
//!   the changes before it);
//! - the final result equals the uninterrupted run's, the last run exits 0, fsck is clean.
//!
//! The normal run makes at least 50 kills. `PSCHEME_CRASH_SOAK=N` runs N rounds of them; the
//! seed of the random choices is printed, and `PSCHEME_CRASH_SEED` sets it.

mod kill;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PROGRAMS: &[&str] = &["counter", "structures", "messages", "sleepers", "symbols"];
const KILLS_PER_PROGRAM: usize = 13;

fn pscheme() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pscheme"));
    cmd.env("PSCHEME_PASSPHRASE", "crash test passphrase");
    cmd
}

fn program_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/crash")
        .join(format!("{name}.scm"))
}

fn spawn_run(program: &Path, db: &Path) -> Child {
    pscheme()
        .args(["run", "--insecure-kdf", "--db"])
        .arg(db)
        .arg(program)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pscheme starts")
}

fn collect(mut child: Child) -> (Option<i32>, String, String) {
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    (status.code(), out, err)
}

/// Lines grouped by their first word, in order.
fn groups(lines: &[String]) -> HashMap<String, Vec<String>> {
    let mut g: HashMap<String, Vec<String>> = HashMap::new();
    for line in lines {
        let key = line.split(' ').next().unwrap_or("").to_owned();
        g.entry(key).or_default().push(line.clone());
    }
    g
}

fn is_subsequence(part: &[String], whole: &[String]) -> bool {
    let mut it = whole.iter();
    part.iter().all(|p| it.any(|w| w == p))
}

fn fsck_clean(db: &Path) -> bool {
    let out = pscheme().arg("fsck").arg(db).output().unwrap();
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains("clean")
}

fn crash_program(
    name: &str,
    round: usize,
    kills: usize,
    rng: &mut fastrand::Rng,
    dir: &Path,
) -> usize {
    let program = program_path(name);
    let reference = pscheme()
        .args(["run", "--no-persist"])
        .arg(&program)
        .output()
        .unwrap();
    assert!(
        reference.status.success(),
        "{name}: uninterrupted run failed"
    );
    let reference: Vec<String> = String::from_utf8(reference.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let final_line = reference.last().expect("programs print a result").clone();

    let db = dir.join(format!("{name}-{round}.pdb"));
    let mut shown: Vec<String> = Vec::new();
    let mut killed = 0;
    let mut interrupted = 0;
    let mut last = None;
    for attempt in 0.. {
        let child = spawn_run(&program, &db);
        if killed < kills {
            let delay = 30 + rng.u64(..300);
            std::thread::sleep(Duration::from_millis(delay));
            // SIGKILL: no destructor, no flush, no final wave.
            let _ = Command::new("kill")
                .args(["-9", &child.id().to_string()])
                .status();
            let (code, out, err) = collect(child);
            shown.extend(out.lines().map(str::to_owned));
            if code.is_none() {
                interrupted += 1;
            } else {
                // It finished before the kill: the rest of the kills land on a finished store.
                assert!(
                    code == Some(0),
                    "{name}: run {attempt} failed with {code:?}: {err}"
                );
            }
            killed += 1;
            if killed % 4 == 0 {
                assert!(fsck_clean(&db), "{name}: fsck after kill {killed}");
            }
        } else {
            let (code, out, err) = collect(child);
            assert_eq!(code, Some(0), "{name}: final run: {err}");
            shown.extend(out.lines().map(str::to_owned));
            last = Some(err);
            break;
        }
    }
    let mut seen = std::collections::HashSet::new();
    for line in &shown {
        assert!(
            seen.insert(line),
            "{name}: line shown twice: {line}\n{shown:#?}"
        );
        assert!(!line.contains("BAD"), "{name}: inconsistent state: {line}");
    }
    let (shown_g, reference_g) = (groups(&shown), groups(&reference));
    for (key, lines) in &shown_g {
        let whole = reference_g.get(key).map_or(&[][..], Vec::as_slice);
        assert!(
            is_subsequence(lines, whole),
            "{name}: lines `{key}` not in the uninterrupted order: {lines:?}"
        );
    }
    // The final result line is shown unless the kill fell between the last commit and the
    // write to stdout; then the store must say the program finished.
    if !shown.contains(&final_line) {
        let err = last.unwrap_or_default();
        assert!(
            err.contains("holds a finished run (exit status 0"),
            "{name}: final result `{final_line}` never shown and the store is not finished: {err}"
        );
    }
    assert!(fsck_clean(&db), "{name}: fsck at the end");
    // Most kills must land on a running program, or the test proves little.
    assert!(
        interrupted * 2 > killed,
        "{name}: only {interrupted} of {killed} kills interrupted a run"
    );
    eprintln!("{name}: {interrupted} of {killed} kills interrupted a run");
    killed
}

#[test]
fn programs_survive_repeated_kill_9() {
    let soak = kill::soak_rounds();
    let mut rng = kill::rng("crash harness");
    let dir = std::env::temp_dir().join(format!("pscheme-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let start = Instant::now();
    let mut total = 0;
    // Soak rounds start each program afresh, so every round's kills land on running programs.
    for round in 0..soak {
        for name in PROGRAMS {
            total += crash_program(name, round, KILLS_PER_PROGRAM, &mut rng, &dir);
        }
    }
    assert!(total >= 50, "only {total} kills");
    eprintln!("{total} kills in {:?}", start.elapsed());
    let _ = std::fs::remove_dir_all(&dir);
}
