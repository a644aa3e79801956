//! `pscheme repl`: an interactive session on the VM.
//!
//! Two threads: the line editor (`editor.rs`, rustyline) waits for the user on its own thread,
//! while this thread runs the VM, so background processes spawned from the REPL keep running
//! between inputs. Inputs are evaluated by a long-lived REPL process inside the VM
//! (`session.rs`, `boot.scm`); the terminal only compiles them, hands them over, prints what
//! the VM writes and shows the next prompt once the input has finished.

mod command;
mod durable;
mod editor;
mod input;
mod session;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use pscheme_persist::{HeapStore, KdfParams};
use pscheme_vm::Idle;
use pscheme_vm::object::ProcStatus;
use pscheme_vm::run::Stream;
use pscheme_vm::sched::now_ms;
use zeroize::Zeroizing;

use command::Command;
use durable::{Chunks, Durability};
use editor::{Editor, Event};
use session::{ProcessInfo, Session, Submitted};

/// Slices run between two looks at the terminal: short enough that a line typed while
/// processes spin is taken at once, long enough that the checks cost nothing.
const SLICES_PER_TURN: usize = 64;
/// Longest wait for the terminal while an input runs, so that Ctrl-C is noticed quickly.
const INTERRUPT_CHECK: Duration = Duration::from_millis(50);
/// Exit status when the REPL cannot run at all.
const EXIT_INTERNAL: i32 = 2;

/// Options of `pscheme repl`.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct Options {
    /// The store to resume or create (default: `repl.pdb` in the user's data directory).
    #[arg(long, value_name = "PATH")]
    pub(crate) db: Option<PathBuf>,
    /// Keep nothing: the session lives in memory only.
    #[arg(long, conflicts_with_all = ["db", "key_file", "insecure_kdf"])]
    pub(crate) no_persist: bool,
    /// Read the passphrase from this file instead of PSCHEME_PASSPHRASE or a prompt.
    #[arg(long, value_name = "PATH")]
    pub(crate) key_file: Option<PathBuf>,
    /// Create the store with the cheapest key derivation: no protection against passphrase
    /// guessing. For tests only; ignored when the store exists.
    #[arg(long)]
    pub(crate) insecure_kdf: bool,
}

/// Milliseconds between commits while the session changes its state.
const COMMIT_INTERVAL: Duration = Duration::from_millis(20);

/// Runs the REPL until `,quit` or Ctrl-D; returns the exit status.
pub(crate) fn main(options: &Options) -> i32 {
    let data = data_dir();
    let history = data.as_ref().map(|dir| dir.join("repl_history"));
    let opened = if options.no_persist {
        Session::new()
            .map(|s| {
                (
                    s,
                    Durability::in_memory(),
                    "in memory (nothing is kept after ,quit)".to_string(),
                )
            })
            .map_err(|e| e.to_string())
    } else {
        match options
            .db
            .clone()
            .or_else(|| data.as_ref().map(|d| d.join("repl.pdb")))
        {
            Some(db) => open_store(&db, options),
            None => Err(
                "no data directory for the default store: give --db PATH or --no-persist".into(),
            ),
        }
    };
    let (session, durability, state) = match opened {
        Ok(o) => o,
        Err(e) => {
            eprintln!("pscheme: {e}");
            return EXIT_INTERNAL;
        }
    };
    let editor = match Editor::start(history.clone()) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("pscheme: cannot start the line editor: {e}");
            return EXIT_INTERNAL;
        }
    };
    // Ctrl-C at the prompt is a key the editor reads; while an input runs it is SIGINT, which
    // abandons the input instead of ending the session.
    let interrupted = Arc::new(AtomicBool::new(false));
    if let Err(e) =
        signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&interrupted))
    {
        eprintln!("pscheme: Ctrl-C cannot interrupt inputs: {e}");
    }
    println!("pscheme REPL: {state}. ,help lists the commands.");
    match &history {
        Some(path) => println!("history: {}", path.display()),
        None => println!("history: not kept (no data directory)"),
    }
    Terminal {
        session,
        durability,
        editor,
        reading: false,
        barrier_asked: false,
        interrupted,
    }
    .run()
}

/// Opens or creates the store `db` and resumes the REPL it holds, or starts one.
fn open_store(db: &Path, options: &Options) -> Result<(Session, Durability, String), String> {
    let pass = crate::passphrase::obtain(options.key_file.as_deref(), db).map(Zeroizing::new)?;
    let kdf = if options.insecure_kdf {
        KdfParams::INSECURE_FOR_TESTS
    } else {
        KdfParams::RECOMMENDED
    };
    let store =
        HeapStore::open_or_create(db, &pass, kdf).map_err(|e| format!("{}: {e}", db.display()))?;
    let saved = store.load().map_err(|e| format!("{}: {e}", db.display()))?;
    let (session, state) = match saved {
        Some(saved) => {
            if !Session::has_repl(&saved.vm) {
                return Err(format!(
                    "{} holds the state of a program, not of a REPL (resume it with pscheme run)",
                    db.display()
                ));
            }
            let state = format!(
                "resumed {} at transaction {} ({})",
                db.display(),
                saved.commit.txn_counter,
                crate::persistence::format_time(saved.commit.timestamp_ms)
            );
            (Session::attach(saved.vm).map_err(|e| e.to_string())?, state)
        }
        None => {
            let mut session = Session::new().map_err(|e| e.to_string())?;
            session.vm.enable_durability();
            crate::persistence::mark_repl_session(&mut session.vm);
            (session, format!("new store {}", db.display()))
        }
    };
    Ok((
        session,
        Durability::persistent(store, COMMIT_INTERVAL),
        state,
    ))
}

/// The user's data directory for pscheme (`$XDG_DATA_HOME/pscheme` on Linux), created if
/// needed; `None` if there is none or it cannot be created.
fn data_dir() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("pscheme");
    match std::fs::create_dir_all(&dir) {
        Ok(()) => Some(dir),
        Err(e) => {
            eprintln!("pscheme: cannot create {}: {e}", dir.display());
            None
        }
    }
}

struct Terminal {
    session: Session,
    durability: Durability,
    editor: Editor,
    /// A barrier was asked for before the next prompt (the last input's state durable).
    barrier_asked: bool,
    /// The editor is showing a prompt (output goes above it).
    reading: bool,
    /// Set by SIGINT.
    interrupted: Arc<AtomicBool>,
}

/// What to do after an event.
enum Next {
    Continue,
    Exit(i32),
}

impl Terminal {
    fn run(mut self) -> i32 {
        match self.serve() {
            Ok(code) => code,
            Err(e) => {
                self.error(&format!("pscheme: {e}\n"));
                EXIT_INTERNAL
            }
        }
    }

    fn serve(&mut self) -> Result<i32, String> {
        loop {
            let idle = self.session.run(SLICES_PER_TURN);
            self.collect_output();
            if let Some(Idle::Exit(code)) = idle {
                self.flush()?;
                return Ok(code);
            }
            if self.interrupted.swap(false, Ordering::SeqCst)
                && let Some(n) = self.session.interrupt().map_err(|e| e.to_string())?
            {
                self.error(&format!("interrupted: input {n} abandoned\n"));
            }
            let released = self
                .durability
                .pump(&mut self.session.vm, Some(Duration::ZERO))
                .map_err(|e| e.to_string())?;
            self.show(released);
            if !self.reading && !self.session.is_busy() {
                // A result is shown, and the next prompt, only once the state is durable.
                if !self.barrier_asked {
                    self.durability.request_barrier();
                    self.barrier_asked = true;
                }
                if self.durability.barrier_reached() {
                    self.barrier_asked = false;
                    let prompt = format!("[{}]> ", self.session.next_input());
                    self.editor.request(prompt, self.session.global_names());
                    self.reading = true;
                }
            }
            let mut wait = match idle {
                // More to run: only look at the terminal.
                None => Duration::ZERO,
                Some(Idle::WaitUntil(deadline)) => {
                    Duration::from_millis(deadline.saturating_sub(now_ms()))
                }
                // Nothing will happen in the VM until the user types.
                Some(_) => Duration::MAX,
            };
            if let Some(hint) = self.durability.wait_hint(&mut self.session.vm) {
                wait = wait.min(hint);
            }
            if self.session.is_busy() || !self.reading {
                wait = wait.min(INTERRUPT_CHECK);
            }
            let event = match self.editor.events.recv_timeout(wait) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    self.flush()?;
                    return Ok(0);
                }
            };
            self.reading = false;
            if let Next::Exit(code) = self.handle(event)? {
                self.flush()?;
                return Ok(code);
            }
        }
    }

    /// Makes everything done so far durable (unless a process is inside `atomically`) and
    /// shows the output that was waiting for it.
    fn flush(&mut self) -> Result<(), String> {
        self.collect_output();
        let released = self
            .durability
            .flush(&mut self.session.vm)
            .map_err(|e| e.to_string())?;
        self.show(released);
        Ok(())
    }

    fn handle(&mut self, event: Event) -> Result<Next, String> {
        Ok(match event {
            Event::Input(text) if text.trim().is_empty() => Next::Continue,
            Event::Input(text) if command::is_command(&text) => match command::parse(&text) {
                Ok(c) => self.command(c)?,
                Err(e) => {
                    self.error(&format!("{e}\n"));
                    Next::Continue
                }
            },
            Event::Input(text) => {
                match self.session.submit(&text).map_err(|e| e.to_string())? {
                    Submitted::Running { warnings, .. } => self.error(&warnings),
                    Submitted::CompileError { message, .. } => self.error(&message),
                }
                Next::Continue
            }
            Event::Interrupted => Next::Continue,
            Event::Eof => Next::Exit(0),
            Event::Failed(e) => {
                self.error(&format!("pscheme: terminal: {e}\n"));
                Next::Exit(EXIT_INTERNAL)
            }
        })
    }

    fn command(&mut self, command: Command) -> Result<Next, String> {
        match command {
            Command::Processes => {
                let table = process_table(
                    &self.session.processes(),
                    self.session.running_input(),
                    now_ms(),
                );
                self.print(&table);
            }
            Command::Sync => {
                if self.durability.is_persistent() {
                    self.flush()?;
                    if self.durability.barrier_reached() {
                        let txn = self.durability.txn_counter().unwrap_or(0);
                        self.print(&format!("durable at transaction {txn}\n"));
                    } else {
                        self.error(
                            "not durable yet: a process is inside (atomically ...); it commits when the section ends\n",
                        );
                    }
                } else {
                    self.print("nothing to sync: this session is in memory (no store)\n");
                }
            }
            Command::Fsck => self.fsck()?,
            Command::Help => self.print(&command::help()),
            Command::Quit => return Ok(Next::Exit(0)),
        }
        Ok(Next::Continue)
    }

    fn fsck(&mut self) -> Result<(), String> {
        if !self.durability.is_persistent() {
            self.error("no store to check: this session is in memory\n");
            return Ok(());
        }
        self.flush()?;
        let checked = self
            .durability
            .with_store(&mut self.session.vm, HeapStore::fsck)
            .map_err(|e| e.to_string())?;
        match checked {
            Some(Ok(report)) if report.is_clean() => self.print("fsck: clean\n"),
            Some(Ok(report)) => self.error(&format!("fsck: DAMAGED\n{report}")),
            Some(Err(e)) => self.error(&format!("fsck could not read the store: {e}\n")),
            None => {}
        }
        Ok(())
    }

    /// Takes what the VM's processes wrote since the last call; shows what may be shown now
    /// (with a store, output waits until the state that produced it is durable).
    fn collect_output(&mut self) {
        let released = self.durability.collect_output(&mut self.session.vm);
        self.show(released);
    }

    fn show(&mut self, chunks: Chunks) {
        for (stream, text) in chunks {
            self.emit(&text, stream == Stream::Stderr);
        }
    }

    fn print(&mut self, text: &str) {
        self.emit(text, false);
    }

    fn error(&mut self, text: &str) {
        self.emit(text, true);
    }

    /// Writes `text`; while the editor shows a prompt, above it (so the line being typed is
    /// redrawn intact).
    fn emit(&mut self, text: &str, to_stderr: bool) {
        if text.is_empty() {
            return;
        }
        if self.reading
            && let Some(printer) = &mut self.editor.printer
            && printer.print(text.to_string()).is_ok()
        {
            return;
        }
        if to_stderr {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            let _ = err.flush();
        } else {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
}

/// The `,ps` listing: one line per live process. `running` is the input being evaluated.
fn process_table(processes: &[ProcessInfo], running: Option<u64>, now: u64) -> String {
    let mut out = String::from("process  status\n");
    for p in processes {
        let status = match p.status {
            _ if p.is_repl => match running {
                Some(n) => format!("evaluating input {n} (the REPL)"),
                None => "waiting for input (the REPL)".to_string(),
            },
            ProcStatus::Runnable => "runnable".to_string(),
            ProcStatus::Receiving { deadline: None } => "receiving".to_string(),
            ProcStatus::Receiving { deadline: Some(d) } => {
                format!("receiving (timeout in {} ms)", d.saturating_sub(now))
            }
            ProcStatus::Sleeping { deadline } => {
                format!("sleeping ({} ms left)", deadline.saturating_sub(now))
            }
            ProcStatus::Done => "done".to_string(),
            ProcStatus::Failed => "failed".to_string(),
            ProcStatus::Syncing { .. } => "waiting in (sync)".to_string(),
        };
        out.push_str(&format!("{:>7}  {status}\n", p.number));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(number: u64, status: ProcStatus, is_repl: bool) -> ProcessInfo {
        ProcessInfo {
            number,
            status,
            is_repl,
        }
    }

    #[test]
    fn process_table_shows_each_status() {
        let now = 1_000;
        let table = process_table(
            &[
                info(1, ProcStatus::Runnable, true),
                info(2, ProcStatus::Sleeping { deadline: 1_250 }, false),
                info(3, ProcStatus::Receiving { deadline: None }, false),
                info(
                    4,
                    ProcStatus::Receiving {
                        deadline: Some(1_010),
                    },
                    false,
                ),
                info(5, ProcStatus::Runnable, false),
                info(6, ProcStatus::Syncing { wave: 3 }, false),
            ],
            Some(7),
            now,
        );
        let lines: Vec<&str> = table.lines().map(str::trim).collect();
        assert_eq!(
            lines,
            [
                "process  status",
                "1  evaluating input 7 (the REPL)",
                "2  sleeping (250 ms left)",
                "3  receiving",
                "4  receiving (timeout in 10 ms)",
                "5  runnable",
                "6  waiting in (sync)",
            ]
        );
        let idle = process_table(
            &[info(1, ProcStatus::Receiving { deadline: None }, true)],
            None,
            now,
        );
        assert!(idle.contains("1  waiting for input (the REPL)"), "{idle}");
    }
}
