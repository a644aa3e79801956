//! `pscheme run` with persistence (the default), `pscheme fsck` and `pscheme info`.
//!
//! A first run on a store compiles the program, starts its main process and commits waves; a
//! later run on the same store resumes the stored processes instead and does not run the top
//! level again. See `docs/persistence.md`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use pscheme_persist::{HeapStore, KdfParams, PersistError, SavedHeap};
use pscheme_vm::durability::{DriveConfig, NoPersist, WaveSink};
use pscheme_vm::run::{EXIT_FAILURE, EXIT_INTERNAL, Stream};
use pscheme_vm::{ObjId, Vm};
use zeroize::Zeroizing;

use crate::passphrase;

/// Host entries stored with the heap.
const META_PROGRAM: &str = "program";
const META_SOURCE_HASH: &str = "source-hash";
const META_MAIN: &str = "main";
/// Marks a store holding a REPL session (`pscheme repl`); the value is the session layout's
/// version, u32 LE.
const META_REPL: &str = "repl";
const REPL_SESSION_VERSION: u32 = 1;
/// The global every REPL session defines (`STATE_GLOBAL` in `repl/session.rs`): how a REPL
/// store made before the `repl` entry existed is recognised.
const REPL_STATE_GLOBAL: &str = "%repl-state";

/// Options of `pscheme run` about persistence.
#[derive(Args, Debug, Clone)]
pub(crate) struct RunOptions {
    /// The store (default: the program's path with the extension `.pdb`).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Run in memory only: nothing is stored or resumed.
    #[arg(long, conflicts_with_all = ["db", "key_file", "insecure_kdf"])]
    no_persist: bool,
    /// Show output as it is produced, before the state that produced it is durable (a crash
    /// may then show output whose state is lost, and a resume repeat it).
    #[arg(long)]
    unbuffered_output: bool,
    /// Read the passphrase from this file instead of PSCHEME_PASSPHRASE or a prompt.
    #[arg(long, value_name = "PATH")]
    key_file: Option<PathBuf>,
    /// Milliseconds between commits while the program changes its state.
    #[arg(long, value_name = "MS", default_value_t = 20)]
    commit_interval: u64,
    /// Create the store with the cheapest key derivation: no protection against passphrase
    /// guessing. For tests only; ignored when the store exists.
    #[arg(long)]
    insecure_kdf: bool,
}

/// Options of `pscheme fsck` and `pscheme info`.
#[derive(Args, Debug, Clone)]
pub(crate) struct StoreOptions {
    /// The store file.
    store: PathBuf,
    /// Read the passphrase from this file instead of PSCHEME_PASSPHRASE or a prompt.
    #[arg(long, value_name = "PATH")]
    key_file: Option<PathBuf>,
}

fn write_out(stream: Stream, text: &str) {
    match stream {
        Stream::Stdout => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
        Stream::Stderr => {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        }
    }
}

/// `pscheme run`.
pub(crate) fn run(program: &Path, options: &RunOptions) -> i32 {
    let text = match std::fs::read_to_string(program) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("pscheme: cannot read {}: {e}", program.display());
            return EXIT_INTERNAL;
        }
    };
    let name = program.display().to_string();
    let config = DriveConfig {
        commit_interval: Duration::from_millis(options.commit_interval),
        unbuffered_output: options.unbuffered_output,
        ..DriveConfig::default()
    };
    if options.no_persist {
        let mut vm = match new_vm() {
            Ok(vm) => vm,
            Err(code) => return code,
        };
        let main = match start(&mut vm, &text, &name) {
            Ok(main) => main,
            Err(code) => return code,
        };
        let code = drive(&mut vm, Some(main), &mut NoPersist, &config);
        exit_without_freeing(vm);
        return code;
    }
    let db = options
        .db
        .clone()
        .unwrap_or_else(|| program.with_extension("pdb"));
    let pass = match passphrase::obtain(options.key_file.as_deref(), &db) {
        Ok(p) => Zeroizing::new(p),
        Err(e) => {
            eprintln!("pscheme: {e}");
            return EXIT_INTERNAL;
        }
    };
    let kdf = if options.insecure_kdf {
        KdfParams::INSECURE_FOR_TESTS
    } else {
        KdfParams::RECOMMENDED
    };
    let store = match HeapStore::open_or_create(&db, &pass, kdf) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pscheme: {}: {e}", db.display());
            return EXIT_INTERNAL;
        }
    };
    let source_hash = blake3::hash(text.as_bytes());
    // A marked REPL store is refused before its heap is decoded; an older one once it is.
    if let Err(code) = refuse_repl_session(&store, None, &db) {
        return code;
    }
    let saved = match store.load() {
        Ok(saved) => saved,
        Err(e) => {
            eprintln!("pscheme: {}: {e}", db.display());
            return EXIT_INTERNAL;
        }
    };
    if let Err(code) = refuse_repl_session(&store, saved.as_ref(), &db) {
        return code;
    }
    let (mut vm, main) = match saved {
        Some(saved) => match resumed(&store, saved, source_hash.as_bytes(), &db) {
            Ok(r) => r,
            Err(code) => return code,
        },
        None => {
            let mut vm = match new_vm() {
                Ok(vm) => vm,
                Err(code) => return code,
            };
            let Ok(main) = start(&mut vm, &text, &name) else {
                return EXIT_FAILURE;
            };
            vm.enable_durability();
            vm.set_durable_meta(META_PROGRAM, name.into_bytes());
            vm.set_durable_meta(META_SOURCE_HASH, source_hash.as_bytes().to_vec());
            vm.set_durable_meta(META_MAIN, main.0.to_le_bytes().to_vec());
            (vm, Some(main))
        }
    };
    let mut writer = store.into_writer();
    let code = drive(&mut vm, main, &mut writer, &config);
    // Returns once the store is closed; its thread may go on freeing its cache.
    drop(writer);
    exit_without_freeing(vm);
    code
}

/// Leaves `vm` to the system: the process exits next, and freeing a heap of up to millions
/// of objects one by one would only delay that.
fn exit_without_freeing(vm: Vm) {
    std::mem::forget(vm);
}

/// Marks the store `vm` commits to as holding a REPL session (with its next wave), so that
/// `pscheme run` refuses it.
pub(crate) fn mark_repl_session(vm: &mut Vm) {
    vm.set_durable_meta(META_REPL, REPL_SESSION_VERSION.to_le_bytes().to_vec());
}

/// Whether the store holds a REPL session: it is marked so, or (made before the mark
/// existed) its heap has the REPL's state and no program.
fn holds_repl_session(store: &HeapStore, saved: Option<&SavedHeap>) -> Result<bool, PersistError> {
    if store.host_meta(META_REPL)?.is_some() {
        return Ok(true);
    }
    Ok(match saved {
        Some(saved) => {
            store.host_meta(META_PROGRAM)?.is_none()
                && saved.vm.heap.global_named(REPL_STATE_GLOBAL).is_some()
        }
        None => false,
    })
}

/// Fails, saying why on stderr, if the store holds a REPL session (see
/// [`holds_repl_session`]); the store is left as it was.
fn refuse_repl_session(store: &HeapStore, saved: Option<&SavedHeap>, db: &Path) -> Result<(), i32> {
    match holds_repl_session(store, saved) {
        Ok(false) => Ok(()),
        Ok(true) => {
            eprintln!(
                "pscheme: {} holds a REPL session, not a program; nothing was run or changed (resume it with pscheme repl --db {})",
                db.display(),
                db.display()
            );
            Err(EXIT_INTERNAL)
        }
        Err(e) => {
            eprintln!("pscheme: {}: {e}", db.display());
            Err(EXIT_INTERNAL)
        }
    }
}

/// Reports the resumed state on stderr and finds the main process.
fn resumed(
    store: &HeapStore,
    saved: SavedHeap,
    source_hash: &[u8],
    db: &Path,
) -> Result<(Vm, Option<ObjId>), i32> {
    let when = format_time(saved.commit.timestamp_ms);
    let txn = saved.commit.txn_counter;
    if let Some(code) = saved.finished {
        eprintln!(
            "pscheme: {} holds a finished run (exit status {code}, transaction {txn}, {when}); nothing to resume",
            db.display()
        );
        return Err(code);
    }
    eprintln!(
        "pscheme: resuming {} at transaction {txn} ({when}); the top level is not run again",
        db.display()
    );
    match store.host_meta(META_SOURCE_HASH) {
        Ok(Some(stored)) if stored != source_hash => eprintln!(
            "pscheme: warning: the program changed since this store was started; its stored processes keep running the old code (delete {} to start afresh)",
            db.display()
        ),
        Ok(_) => {}
        Err(e) => eprintln!("pscheme: warning: cannot read the stored source hash: {e}"),
    }
    let main = match store.host_meta(META_MAIN) {
        Ok(Some(bytes)) => <[u8; 4]>::try_from(bytes.as_slice())
            .ok()
            .map(|b| ObjId(u32::from_le_bytes(b))),
        _ => None,
    };
    Ok((saved.vm, main))
}

fn new_vm() -> Result<Vm, i32> {
    Vm::new().map_err(|e| {
        eprintln!("pscheme: internal error: {e}");
        EXIT_INTERNAL
    })
}

/// Compiles and loads the program and spawns its main process (pinned, so it is a root).
fn start(vm: &mut Vm, text: &str, name: &str) -> Result<ObjId, i32> {
    let compiled = vm.compile(text, name).map_err(|e| {
        eprint!("{e}");
        EXIT_FAILURE
    })?;
    eprint!("{}", vm.render_warnings(&compiled));
    let main = vm.load(compiled.unit).map_err(|e| {
        eprintln!("pscheme: {e}");
        EXIT_INTERNAL
    })?;
    let pid = vm.spawn(main);
    vm.pin(pid);
    Ok(pid)
}

fn drive(vm: &mut Vm, main: Option<ObjId>, sink: &mut dyn WaveSink, config: &DriveConfig) -> i32 {
    match vm.drive(main, sink, config, &mut write_out) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pscheme: persistence failed, stopping: {e}");
            EXIT_INTERNAL
        }
    }
}

fn open_store(options: &StoreOptions) -> Result<HeapStore, i32> {
    let pass = passphrase::obtain(options.key_file.as_deref(), &options.store)
        .map(Zeroizing::new)
        .map_err(|e| {
            eprintln!("pscheme: {e}");
            EXIT_INTERNAL
        })?;
    HeapStore::open(&options.store, &pass).map_err(|e| {
        eprintln!("pscheme: {}: {e}", options.store.display());
        EXIT_INTERNAL
    })
}

/// `pscheme fsck`: exit status 0 when clean, 1 when damage was found.
pub(crate) fn fsck(options: &StoreOptions) -> i32 {
    let store = match open_store(options) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match store.fsck() {
        Ok(report) => {
            println!("store:                {}", options.store.display());
            print!("{report}");
            if report.is_clean() {
                println!("clean");
                0
            } else {
                println!("DAMAGED");
                EXIT_FAILURE
            }
        }
        Err(e) => {
            eprintln!("pscheme: fsck could not read the store: {e}");
            EXIT_INTERNAL
        }
    }
}

/// `pscheme info`.
pub(crate) fn info(options: &StoreOptions) -> i32 {
    let store = match open_store(options) {
        Ok(s) => s,
        Err(code) => return code,
    };
    match store.info() {
        Ok(info) => {
            println!("store:        {}", options.store.display());
            println!("transaction:  {}", info.commit.txn_counter);
            println!("time:         {}", format_time(info.commit.timestamp_ms));
            println!("wave:         {}", info.wave);
            println!("objects:      {}", info.objects);
            println!("processes:    {} live", info.live_processes);
            let repl = matches!(store.host_meta(META_REPL), Ok(Some(_)));
            match info.finished {
                _ if repl => println!(
                    "holds:        a REPL session (resume it with pscheme repl --db {})",
                    options.store.display()
                ),
                Some(code) => println!("program:      finished, exit status {code}"),
                None if info.wave == 0 => println!("program:      not started"),
                None => println!("program:      running (resumes on the next run)"),
            }
            println!("size:         {} bytes", info.size_bytes);
            0
        }
        Err(e) => {
            eprintln!("pscheme: {}: {e}", options.store.display());
            EXIT_INTERNAL
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS UTC` of milliseconds since the Unix epoch.
pub(crate) fn format_time(ms: u64) -> String {
    let secs = ms / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::format_time;

    #[test]
    fn formats_utc_times() {
        assert_eq!(format_time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_time(1_795_000_000_123), "2026-11-18 11:06:40 UTC");
    }
}
