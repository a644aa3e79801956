//! A fresh directory for each test, shared by the binary's integration tests.

use std::path::PathBuf;

/// `<target tmp>/<suite>-<name>`, emptied first: each test starts from nothing, and what it
/// leaves stays there to look at after a failure.
pub fn dir(suite: &str, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{suite}-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the test's directory");
    dir
}
