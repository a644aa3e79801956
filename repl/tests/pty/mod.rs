//! Driving `pscheme repl` through a pseudo-terminal, shared by the REPL's tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use rexpect::session::PtySession;

/// How long one expected piece of output may take (generous: CI machines are shared).
const TIMEOUT_MS: u64 = 30_000;

/// A fresh data directory (history, default store) for one test.
pub fn data_home(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("repl-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test's data directory");
    dir
}

/// The command `pscheme repl args` (its store, if any, in `home`).
pub fn repl_command(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pscheme"));
    command
        .arg("repl")
        .args(args)
        .env("XDG_DATA_HOME", home)
        .env("PSCHEME_PASSPHRASE", "correct horse battery staple")
        .env("TERM", "dumb-but-pty");
    command
}

/// Starts `pscheme repl` with `args` (its store, if any, in `home`).
pub fn start_with(home: &Path, args: &[&str]) -> PtySession {
    rexpect::session::spawn_command(repl_command(home, args), Some(TIMEOUT_MS))
        .expect("start pscheme repl")
}

/// Types `keys` (the session buffers writes until flushed).
pub fn keys(p: &mut PtySession, keys: &str) {
    p.send(keys).expect("type");
    p.flush().expect("flush");
}

/// Types `line` and presses Enter.
pub fn enter(p: &mut PtySession, line: &str) {
    keys(p, &format!("{line}\r"));
}
