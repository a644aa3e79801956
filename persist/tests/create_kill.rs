//! A creator killed at any moment leaves either no store or a whole one, never a file that a
//! later open mistakes for a wrong passphrase or a damaged store.
//!
//! In a test binary of its own: a child process is spawned while other tests of the same
//! binary would hold store locks, and the spawned process holds a copy of every descriptor
//! until it executes, the lock's too; a test that closed its store and took the lock again
//! in that window would find it held.

#[path = "common/creation.rs"]
mod creation;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pscheme_persist::{HeapStore, KdfParams};

use creation::{PASSPHRASE, assert_usable, creating, scratch};

/// The child process of `creation_survives_sigkill_at_random_moments` creates stores in this
/// directory until it is killed.
const CHILD_DIR_ENV: &str = "PSCHEME_CREATE_CHILD_DIR";
const KILLS: usize = 40;

/// Run as a child process by the next test: creates the store `store.pdb` over and over
/// (creating, closing, deleting) until it is killed, so that a kill at a random moment falls
/// anywhere inside `HeapStore::create`.
#[test]
#[ignore = "the child process of creation_survives_sigkill_at_random_moments"]
fn create_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV).map(PathBuf::from) else {
        eprintln!("create_until_killed runs only as the child of its parent test");
        return;
    };
    let path = dir.join("store.pdb");
    loop {
        let store = HeapStore::open_or_create(&path, PASSPHRASE, KdfParams::INSECURE_FOR_TESTS)
            .expect("the child creates the store");
        drop(store);
        std::fs::remove_file(&path).expect("the child deletes the store");
    }
}

#[test]
fn creation_survives_sigkill_at_random_moments() {
    let seed = fastrand::u64(..);
    eprintln!("create kill test seed {seed}");
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = scratch("sigkill");
    let path = dir.join("store.pdb");
    let start = Instant::now();
    let mut half_made = 0;
    for kill in 0..KILLS {
        let mut child = Command::new(std::env::current_exe().expect("the test binary"))
            .args(["--ignored", "--exact", "create_until_killed", "--nocapture"])
            .env(CHILD_DIR_ENV, &dir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the child");
        // The child needs a few milliseconds to start; then it creates a store every few.
        std::thread::sleep(Duration::from_millis(5 + rng.u64(..60)));
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("kill {kill}: the child stopped by itself ({status}): {err}");
        }
        child.kill().expect("SIGKILL the child");
        child.wait().expect("reap the child");
        if creating(&path).exists() {
            half_made += 1;
        }
        assert_usable(&path, &format!("after kill {kill} (seed {seed})"));
        std::fs::remove_file(&path).expect("delete the store for the next child");
    }
    eprintln!(
        "{KILLS} kills in {:?}; {half_made} left a half-made store behind",
        start.elapsed()
    );
    // Creation is mostly SQLite commits on the half-made file, so most kills land there; if
    // none did, the test proved nothing.
    assert!(half_made > 0, "no kill fell inside a creation");
    let _ = std::fs::remove_dir_all(&dir);
}
