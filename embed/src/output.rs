//! Where Scheme's standard output and error go. When they go is the wave schedule's business
//! (`WaveDriver`): at once in memory, or once the wave that produced them is durable (so a
//! crash never shows output whose state was lost).

use std::io::Write;

use pscheme_vm::run::Stream;

/// A function receiving output: `true` for standard error, then the text.
pub type OutputFn = Box<dyn FnMut(bool, &str)>;

/// Where an engine sends what Scheme code writes to its standard output and error.
#[non_exhaustive]
pub enum Output {
    /// To this process's stdout and stderr (the default).
    Inherit,
    /// Kept in memory; read it with [`Engine::take_output`](crate::Engine::take_output).
    Capture,
    /// Dropped.
    Discard,
    /// Passed to a function: `true` for standard error.
    Callback(OutputFn),
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Output::Inherit => "Inherit",
            Output::Capture => "Capture",
            Output::Discard => "Discard",
            Output::Callback(_) => "Callback",
        })
    }
}

/// Output kept by [`Output::Capture`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captured {
    /// Standard output.
    pub stdout: String,
    /// Standard error (includes reports of processes that failed).
    pub stderr: String,
}

pub(crate) struct OutputSink {
    target: Output,
    captured: Captured,
}

impl OutputSink {
    pub(crate) fn new(target: Output) -> OutputSink {
        OutputSink {
            target,
            captured: Captured::default(),
        }
    }

    /// Passes on output that may be shown now.
    pub(crate) fn release(&mut self, stream: Stream, text: &str) {
        let is_err = stream == Stream::Stderr;
        match &mut self.target {
            Output::Inherit => {
                // Output is best effort, as for `pscheme run`: a closed pipe must not stop the VM.
                if is_err {
                    let _ = std::io::stderr().write_all(text.as_bytes());
                } else {
                    let mut out = std::io::stdout();
                    let _ = out.write_all(text.as_bytes());
                    let _ = out.flush();
                }
            }
            Output::Capture => {
                if is_err {
                    self.captured.stderr.push_str(text);
                } else {
                    self.captured.stdout.push_str(text);
                }
            }
            Output::Discard => {}
            Output::Callback(f) => f(is_err, text),
        }
    }

    pub(crate) fn take_captured(&mut self) -> Captured {
        std::mem::take(&mut self.captured)
    }
}
