//! Running a whole program the way `pscheme run` does: compile, start the main process, run every
//! process until all are done or blocked forever, report uncaught errors, compute the exit status.
//! The command and the Scheme corpus tests share this code, so they cannot disagree.

use std::time::Duration;

use crate::sched::{Idle, now_ms};
use crate::{RunError, Vm};

/// Exit status of a program whose main process failed or that did not compile.
pub const EXIT_FAILURE: i32 = 1;
/// Exit status for internal errors (a broken prelude, an invalid code unit).
pub const EXIT_INTERNAL: i32 = 2;

/// Which output stream text belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Everything a program printed and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunOutput {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

/// Runs `text` in a fresh VM and collects its output.
pub fn run_source(text: &str, file_name: &str) -> RunOutput {
    let mut out = RunOutput::default();
    let code = match Vm::new() {
        Ok(mut vm) => vm.run_program(text, file_name, &mut |stream, s| match stream {
            Stream::Stdout => out.stdout.push_str(s),
            Stream::Stderr => out.stderr.push_str(s),
        }),
        Err(e) => {
            out.stderr
                .push_str(&format!("pscheme: internal error: {e}\n"));
            EXIT_INTERNAL
        }
    };
    out.exit_code = code;
    out
}

impl Vm {
    /// Compiles and runs a program, passing its output to `sink` as it is produced; returns the
    /// exit status: 0, or [`EXIT_FAILURE`] when it does not compile, when its main process ends
    /// with an uncaught error, or when the main process is blocked forever.
    pub fn run_program(
        &mut self,
        text: &str,
        file_name: &str,
        sink: &mut dyn FnMut(Stream, &str),
    ) -> i32 {
        let compiled = match self.compile(text, file_name) {
            Ok(c) => c,
            Err(e) => {
                sink(Stream::Stderr, &e.to_string());
                return EXIT_FAILURE;
            }
        };
        let warnings = self.render_warnings(&compiled);
        if !warnings.is_empty() {
            sink(Stream::Stderr, &warnings);
        }
        let main = match self.load(compiled.unit) {
            Ok(f) => f,
            Err(e) => {
                sink(Stream::Stderr, &format!("pscheme: {}\n", RunError::from(e)));
                return EXIT_INTERNAL;
            }
        };
        let pid = self.spawn(main);
        self.pin(pid);
        let main_number = self.process_number(pid);
        let mut main_failed = false;
        let idle = loop {
            let idle = self.run_slices(256);
            let out = self.take_output();
            if !out.is_empty() {
                sink(Stream::Stdout, &out);
            }
            let err = self.take_error_output();
            if !err.is_empty() {
                sink(Stream::Stderr, &err);
            }
            for report in self.take_reports() {
                if Some(report.process) == main_number {
                    main_failed = true;
                    sink(Stream::Stderr, &format!("{report}\n"));
                } else {
                    sink(
                        Stream::Stderr,
                        &format!("process {} failed: {report}\n", report.process),
                    );
                }
            }
            match idle {
                None => {}
                Some(Idle::WaitUntil(deadline)) => {
                    let now = now_ms();
                    if deadline > now {
                        std::thread::sleep(Duration::from_millis(deadline - now));
                    }
                }
                Some(Idle::Exit(code)) => {
                    self.unpin(pid);
                    return code;
                }
                Some(other) => break other,
            }
        };
        self.unpin(pid);
        if main_failed {
            return EXIT_FAILURE;
        }
        if idle == Idle::Deadlocked && self.process_status(pid).is_some_and(|s| s.is_alive()) {
            sink(
                Stream::Stderr,
                "pscheme: the main program is blocked forever (it waits for a message nobody sends)\n",
            );
            return EXIT_FAILURE;
        }
        0
    }
}
