//! Stores values in an encrypted SQLite-backed store, reads them back after reopening,
//! then scans the database file and its WAL for any plaintext.
//!
//! Run: `cargo run --release -p pscheme-store --example encrypted_roundtrip`
//! Exits non-zero if a value, a logical key or the passphrase is found in the files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pscheme_store::{Batch, Domain, EncryptedStore, KdfParams, SqliteKvs};

const PASSPHRASE: &[u8] = b"example passphrase: do not reuse";
const NOTES: Domain = Domain(200);

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let dir = ScratchDir::new()?;
    let db = dir.0.join("example.db");
    let entries: Vec<(String, String)> = (0..50)
        .map(|i| {
            (
                format!("logical-key-{i:03}-whose-name-is-secret"),
                format!("secret value number {i:03}: the quick brown fox"),
            )
        })
        .collect();

    println!(
        "creating {} (argon2id, recommended parameters)",
        db.display()
    );
    let mut store =
        EncryptedStore::create(SqliteKvs::open(&db)?, PASSPHRASE, KdfParams::default())?;
    let mut batch = Batch::new();
    for (key, value) in &entries {
        batch.put(NOTES, key.as_bytes(), value.as_bytes());
    }
    store.commit(&batch)?;
    println!("wrote {} values in one atomic commit", entries.len());

    let mut clean = scan(&dir.0, &entries, "while open (rows in the WAL)")?;
    drop(store);
    clean &= scan(&dir.0, &entries, "after close (rows checkpointed)")?;

    let store = EncryptedStore::open(SqliteKvs::open(&db)?, PASSPHRASE)?;
    for (key, value) in &entries {
        let got = store.get(NOTES, key.as_bytes())?;
        if got.as_deref() != Some(value.as_bytes()) {
            println!("FAIL: {key} read back as {got:?}");
            return Ok(false);
        }
    }
    println!("reopened and read back all {} values", entries.len());
    if clean {
        println!("OK: no plaintext in the store files");
    }
    Ok(clean)
}

/// Reports every file in `dir` containing a key, a value or the passphrase.
fn scan(
    dir: &Path,
    entries: &[(String, String)],
    when: &str,
) -> Result<bool, Box<dyn std::error::Error>> {
    let mut needles: Vec<&[u8]> = vec![PASSPHRASE, b"secret value", b"whose-name-is-secret"];
    for (key, value) in entries {
        needles.push(key.as_bytes());
        needles.push(value.as_bytes());
    }
    let mut clean = true;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let bytes = std::fs::read(&path)?;
        files.push(format!(
            "{} ({} bytes)",
            path.file_name().unwrap_or_default().to_string_lossy(),
            bytes.len()
        ));
        for needle in &needles {
            if bytes.windows(needle.len()).any(|w| w == *needle) {
                println!(
                    "FAIL: {} contains plaintext {:?}",
                    path.display(),
                    String::from_utf8_lossy(needle)
                );
                clean = false;
            }
        }
    }
    println!("scanned {when}: {}", files.join(", "));
    Ok(clean)
}

/// A fresh directory under the system temp dir, removed on drop.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> std::io::Result<ScratchDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("pscheme-example-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)?;
        Ok(ScratchDir(path))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
