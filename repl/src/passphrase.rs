//! Where the store's passphrase comes from: `PSCHEME_PASSPHRASE`, a key file, or a prompt
//! without echo on the terminal (rpassword: it turns echo off portably and restores it if
//! reading fails, which a hand-rolled termios dance would have to get right on every OS).

use std::path::Path;

/// The environment variable holding the passphrase.
pub(crate) const PASSPHRASE_VAR: &str = "PSCHEME_PASSPHRASE";

/// The passphrase, from the key file if given, else the environment, else a prompt.
pub(crate) fn obtain(key_file: Option<&Path>, store: &Path) -> Result<Vec<u8>, String> {
    if let Some(path) = key_file {
        let mut bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read key file {}: {e}", path.display()))?;
        // A file written by `echo` ends in a newline that is not part of the passphrase.
        while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            bytes.pop();
        }
        return non_empty(bytes, "the key file");
    }
    if let Some(value) = std::env::var_os(PASSPHRASE_VAR) {
        let bytes = value.into_encoded_bytes();
        return non_empty(bytes, PASSPHRASE_VAR);
    }
    let prompt = format!("passphrase for {}: ", store.display());
    let text = rpassword::prompt_password(prompt).map_err(|e| {
        format!("no passphrase: set {PASSPHRASE_VAR}, pass --key-file, or run on a terminal ({e})")
    })?;
    non_empty(text.into_bytes(), "the prompt")
}

fn non_empty(bytes: Vec<u8>, source: &str) -> Result<Vec<u8>, String> {
    if bytes.is_empty() {
        Err(format!("empty passphrase from {source}"))
    } else {
        Ok(bytes)
    }
}
