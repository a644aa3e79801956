//! Running a whole program the way `pscheme run` does: compile, start the main process, run every
//! process until all are done or blocked forever, report uncaught errors, compute the exit status.
//! The command and the Scheme corpus tests share this code, so they cannot disagree: both run
//! on [`Vm::drive`], in memory here ([`NoPersist`]).

use crate::durability::{DriveConfig, NoPersist};
use crate::{RunError, Vm};

/// Slices run between two looks at output: nothing waits on a wave in memory, so the loop
/// only passes output on.
const SLICES_BETWEEN_CHECKS: usize = 256;

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
        let config = DriveConfig {
            slices_between_checks: SLICES_BETWEEN_CHECKS,
            ..DriveConfig::default()
        };
        let code = match self.drive(Some(pid), &mut NoPersist, &config, sink) {
            Ok(code) => code,
            Err(e) => {
                // `NoPersist` takes no wave, so none can fail; kept total all the same.
                sink(Stream::Stderr, &format!("pscheme: internal error: {e}\n"));
                EXIT_INTERNAL
            }
        };
        self.unpin(pid);
        code
    }
}
