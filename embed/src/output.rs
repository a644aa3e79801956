//! Where Scheme's standard output and error go, and when: at once in memory, or once the
//! wave that produced them is durable (so a crash never shows output whose state was lost).

use std::collections::VecDeque;
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
    /// Hold output until its wave is durable (persistent and not unbuffered).
    hold: bool,
    /// Output of the open wave.
    open: Vec<(Stream, String)>,
    /// Output of waves submitted and not yet durable, oldest first.
    held: VecDeque<(u64, Vec<(Stream, String)>)>,
}

impl OutputSink {
    pub(crate) fn new(target: Output) -> OutputSink {
        OutputSink {
            target,
            captured: Captured::default(),
            hold: false,
            open: Vec::new(),
            held: VecDeque::new(),
        }
    }

    pub(crate) fn set_hold(&mut self, hold: bool) {
        self.hold = hold;
    }

    pub(crate) fn emit(&mut self, stream: Stream, text: String) {
        if text.is_empty() {
            return;
        }
        if self.hold {
            self.open.push((stream, text));
        } else {
            self.release(stream, &text);
        }
    }

    pub(crate) fn has_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// The open wave's output now belongs to wave `wave`, submitted.
    pub(crate) fn seal(&mut self, wave: u64) {
        let chunks = std::mem::take(&mut self.open);
        self.held.push_back((wave, chunks));
    }

    /// Shows the output of waves up to `wave`, now durable.
    pub(crate) fn durable(&mut self, wave: u64) {
        while self.held.front().is_some_and(|h| h.0 <= wave) {
            let (_, chunks) = self.held.pop_front().expect("front exists");
            for (stream, text) in chunks {
                self.release(stream, &text);
            }
        }
    }

    /// Drops output of waves that were lost (a failed commit).
    pub(crate) fn drop_held(&mut self) {
        self.held.clear();
    }

    fn release(&mut self, stream: Stream, text: &str) {
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
