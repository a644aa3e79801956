//! `pscheme repl`: an interactive session on the VM.
//!
//! Two threads: the line editor (`editor.rs`, rustyline) waits for the user on its own thread,
//! while this thread runs the VM, so background processes spawned from the REPL keep running
//! between inputs. Inputs are evaluated by a long-lived REPL process inside the VM
//! (`session.rs`, `boot.scm`); the terminal only compiles them, hands them over, prints what
//! the VM writes and shows the next prompt once the input has finished.

mod command;
mod editor;
mod input;
mod session;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use pscheme_vm::Idle;
use pscheme_vm::object::ProcStatus;
use pscheme_vm::sched::now_ms;

use command::Command;
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
pub(crate) struct Options {
    /// `--db PATH`: the store to resume or create.
    pub(crate) db: Option<PathBuf>,
}

/// Runs the REPL until `,quit` or Ctrl-D; returns the exit status.
pub(crate) fn main(options: &Options) -> i32 {
    if let Some(db) = &options.db {
        eprintln!(
            "pscheme: --db {}: this build has no persistence engine yet; the REPL runs in memory only",
            db.display()
        );
        return EXIT_INTERNAL;
    }
    let history = data_dir().map(|dir| dir.join("repl_history"));
    let session = match Session::new() {
        Ok(s) => s,
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
    println!("pscheme REPL: in memory (nothing is kept after ,quit). ,help lists the commands.");
    match &history {
        Some(path) => println!("history: {}", path.display()),
        None => println!("history: not kept (no data directory)"),
    }
    Terminal {
        session,
        editor,
        reading: false,
        interrupted,
    }
    .run()
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
    editor: Editor,
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
        loop {
            let idle = self.session.run(SLICES_PER_TURN);
            self.flush_output();
            if let Some(Idle::Exit(code)) = idle {
                return code;
            }
            if self.interrupted.swap(false, Ordering::SeqCst) {
                match self.session.interrupt() {
                    Ok(Some(n)) => self.error(&format!("interrupted: input {n} abandoned\n")),
                    Ok(None) => {}
                    Err(e) => {
                        self.error(&format!("pscheme: {e}\n"));
                        return EXIT_INTERNAL;
                    }
                }
            }
            if !self.reading && !self.session.is_busy() {
                let prompt = format!("[{}]> ", self.session.next_input());
                self.editor.request(prompt, self.session.global_names());
                self.reading = true;
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
            if self.session.is_busy() {
                wait = wait.min(INTERRUPT_CHECK);
            }
            let event = match self.editor.events.recv_timeout(wait) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return 0,
            };
            self.reading = false;
            if let Next::Exit(code) = self.handle(event) {
                self.flush_output();
                return code;
            }
        }
    }

    fn handle(&mut self, event: Event) -> Next {
        match event {
            Event::Input(text) if text.trim().is_empty() => Next::Continue,
            Event::Input(text) if command::is_command(&text) => match command::parse(&text) {
                Ok(c) => self.command(c),
                Err(e) => {
                    self.error(&format!("{e}\n"));
                    Next::Continue
                }
            },
            Event::Input(text) => {
                match self.session.submit(&text) {
                    Ok(Submitted::Running { warnings, .. }) => self.error(&warnings),
                    Ok(Submitted::CompileError { message, .. }) => self.error(&message),
                    Err(e) => {
                        self.error(&format!("pscheme: {e}\n"));
                        return Next::Exit(EXIT_INTERNAL);
                    }
                }
                Next::Continue
            }
            Event::Interrupted => Next::Continue,
            Event::Eof => Next::Exit(0),
            Event::Failed(e) => {
                self.error(&format!("pscheme: terminal: {e}\n"));
                Next::Exit(EXIT_INTERNAL)
            }
        }
    }

    fn command(&mut self, command: Command) -> Next {
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
                self.print("nothing to sync: this session is in memory (no store)\n");
            }
            Command::Fsck => {
                self.error("no store to check: this session is in memory\n");
            }
            Command::Help => self.print(&command::help()),
            Command::Quit => return Next::Exit(0),
        }
        Next::Continue
    }

    /// Prints what the VM's processes wrote since the last call.
    fn flush_output(&mut self) {
        let out = self.session.vm.take_output();
        if !out.is_empty() {
            self.print(&out);
        }
        let err = self.session.vm.take_error_output();
        if !err.is_empty() {
            self.error(&err);
        }
        for report in self.session.vm.take_reports() {
            self.error(&format!("process {} failed: {report}\n", report.process));
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
        if self.reading {
            if let Some(printer) = &mut self.editor.printer {
                if printer.print(text.to_string()).is_ok() {
                    return;
                }
            }
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
            ProcStatus::Syncing { .. } => "syncing (waits for a commit)".to_string(),
            ProcStatus::Done => "done".to_string(),
            ProcStatus::Failed => "failed".to_string(),
            // `ProcStatus::Syncing`, which the persistence work adds.
            #[allow(unreachable_patterns)]
            _ => "waiting in (sync)".to_string(),
        };
        out.push_str(&format!("{:>7}  {status}\n", p.number));
    }
    out
}
