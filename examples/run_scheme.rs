//! Runs a Scheme program persistently through the embedding API: the first run loads the
//! program; a run on the same store after a crash resumes its processes where they were.
//!
//! ```text
//! PSCHEME_PASSPHRASE=secret cargo run -p pscheme-embed --example run_scheme -- jobs.pdb examples/job_queue.scm
//! ```
//!
//! Set `PSCHEME_INSECURE_KDF=1` to create the store with the cheapest key derivation (tests).

use std::process::ExitCode;

use pscheme_embed::{Engine, Error, KdfParams, RunState};

fn run(store: &str, program: &str) -> Result<RunState, Error> {
    let passphrase = std::env::var("PSCHEME_PASSPHRASE").unwrap_or_default();
    let kdf = if std::env::var_os("PSCHEME_INSECURE_KDF").is_some() {
        KdfParams::INSECURE_FOR_TESTS
    } else {
        KdfParams::RECOMMENDED
    };
    let mut engine = Engine::builder().store(store, passphrase).kdf(kdf).open()?;
    match engine.resumed() {
        // The top level runs once, in the first run; it returns when the main program ends.
        None => engine.load_file::<()>(program)?,
        Some(info) => eprintln!("resumed at transaction {}", info.txn_counter),
    }
    let state = engine.run_to_completion()?;
    engine.close()?;
    Ok(state)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(store), Some(program)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: run_scheme STORE PROGRAM.scm");
        return ExitCode::from(2);
    };
    match run(store, program) {
        Ok(RunState::Exited(code)) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("run_scheme: {e}");
            ExitCode::FAILURE
        }
    }
}
