//! `pscheme fsck`: the report on a sound store, and on one whose file was altered behind
//! pscheme's back.

mod scratch;

use std::path::Path;
use std::process::Output;

fn pscheme(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pscheme"))
        .env("PSCHEME_PASSPHRASE", "fsck tests")
        .args(args)
        .output()
        .expect("run pscheme")
}

fn fsck(db: &Path) -> (Option<i32>, String) {
    let out = pscheme(&["fsck", db.to_str().unwrap()]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Flips the last byte (part of the authentication tag) of the largest row: a node, as the
/// header rows and the root record are a few dozen bytes.
fn alter_largest_row(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let (key, mut value): (Vec<u8>, Vec<u8>) = conn
        .query_row(
            "SELECT k, v FROM kv ORDER BY length(v) DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert!(value.len() > 200, "a node row: {} bytes", value.len());
    *value.last_mut().unwrap() ^= 1;
    conn.execute("UPDATE kv SET v = ?1 WHERE k = ?2", (value, key))
        .unwrap();
}

#[test]
fn a_sound_store_is_clean_and_an_altered_node_is_named() {
    let dir = scratch::dir("fsck", "altered");
    let program = dir.join("program.scm");
    std::fs::write(
        &program,
        "(define kept (let loop ((i 0) (acc '())) (if (= i 2000) acc (loop (+ i 1) (cons i acc)))))
         (display (length kept)) (newline)",
    )
    .unwrap();
    let db = dir.join("program.pdb");
    let run = pscheme(&[
        "run",
        "--insecure-kdf",
        "--db",
        db.to_str().unwrap(),
        program.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{run:?}");

    let (code, report) = fsck(&db);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("undecryptable nodes:  0\n"), "{report}");
    assert!(report.ends_with("\nclean\n"), "{report}");

    alter_largest_row(&db);
    let (code, report) = fsck(&db);
    assert_eq!(code, Some(1), "{report}");
    assert!(report.contains("undecryptable nodes:  1\n  "), "{report}");
    assert!(report.contains("missing nodes:        0\n"), "{report}");
    assert!(report.ends_with("\nDAMAGED\n"), "{report}");
}
