//! A Rust host embedding a persistent Scheme counter service that survives being killed.
//!
//! ```text
//! PSCHEME_PASSPHRASE=secret cargo run -p pscheme-embed --example counter_service -- counter.pdb 100
//! ```
//!
//! The counter is a Scheme process holding its count; the host sends it `bump` messages. Each
//! line `count N` is printed only after [`Engine::sync`] returned, so N is durable when shown:
//! kill the program at any moment (kill -9 too) and run it again, and it goes on from at least
//! the last count it printed. It stops when the count reaches the target.
//!
//! Set `PSCHEME_INSECURE_KDF=1` to create the store with the cheapest key derivation (tests).

use std::process::ExitCode;

use pscheme_embed::{Engine, Error, KdfParams, Symbol};

const SERVICE: &str = "
(define count 0)
(define (serve)
  (let ((msg (receive)))
    (when (eq? msg 'bump) (set! count (+ count 1)))
    (serve)))
(define service (spawn serve))
";

fn run(store: &str, target: u64) -> Result<(), Error> {
    let passphrase = std::env::var("PSCHEME_PASSPHRASE").unwrap_or_default();
    let kdf = if std::env::var_os("PSCHEME_INSECURE_KDF").is_some() {
        KdfParams::INSECURE_FOR_TESTS
    } else {
        KdfParams::RECOMMENDED
    };
    let mut engine = Engine::builder().store(store, passphrase).kdf(kdf).open()?;
    match engine.resumed() {
        None => {
            engine.eval::<()>(SERVICE)?;
            eprintln!("started a new counter");
        }
        Some(info) => eprintln!("resumed at transaction {}", info.txn_counter),
    }
    let service = engine.global("service")?;
    loop {
        let count: u64 = engine.get("count")?;
        if count >= target {
            break;
        }
        engine.send(&service, Symbol::from("bump"))?;
        engine.run_until_idle()?;
        engine.sync()?;
        let count: u64 = engine.get("count")?;
        println!("count {count}");
    }
    engine.close()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(store), Some(target)) = (args.get(1), args.get(2).and_then(|t| t.parse().ok()))
    else {
        eprintln!("usage: counter_service STORE TARGET");
        return ExitCode::from(2);
    };
    match run(store, target) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("counter_service: {e}");
            ExitCode::FAILURE
        }
    }
}
