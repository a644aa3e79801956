//! The run loop of a whole program: slices between steps of the wave schedule
//! ([`WaveDriver`]), until every process is done or blocked forever, then the last wave.

use std::time::{Duration, Instant};

use super::WaveSink;
use super::wave_driver::{Urgency, WaveDriver, failure_line};
use crate::object::ProcStatus;
use crate::run::{EXIT_FAILURE, Stream};
use crate::sched::{Idle, now_ms};
use crate::value::ObjId;
use crate::vm::Vm;

/// How [`Vm::drive`] schedules waves and releases output.
#[derive(Clone, Debug)]
pub struct DriveConfig {
    /// A wave is committed this long after the previous commit when anything changed.
    pub commit_interval: Duration,
    /// Release output as it is produced instead of when its wave is durable.
    pub unbuffered_output: bool,
    /// Slices [`Vm::drive`] runs between two looks at the wave schedule; bounds how late a
    /// due wave is.
    pub slices_between_checks: usize,
    /// Allocations after which young objects are collected between two waves (see
    /// `durability/young.rs`); `usize::MAX` collects them only at wave boundaries.
    pub young_collection_interval: usize,
}

impl Default for DriveConfig {
    fn default() -> Self {
        DriveConfig {
            commit_interval: Duration::from_millis(20),
            unbuffered_output: false,
            slices_between_checks: 16,
            young_collection_interval: 50_000,
        }
    }
}

/// Why [`Vm::drive`] stopped before the program ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriveError {
    /// A wave could not be committed. The store keeps the state of the last durable wave,
    /// as after a crash; output of the lost waves was never shown.
    Persist { wave: u64, error: String },
}

impl std::fmt::Display for DriveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DriveError::Persist { wave, error } => {
                write!(f, "could not commit wave {wave}: {error}")
            }
        }
    }
}

impl std::error::Error for DriveError {}

impl Vm {
    /// Runs every process until all are done or blocked forever (or `exit` is called),
    /// committing waves to `sink` and passing output to `out` once it may be shown. `main`
    /// is the program's main process: its failure, or its being blocked forever, makes the
    /// exit status [`EXIT_FAILURE`]. Returns the exit status after the last wave is durable.
    ///
    /// # Errors
    /// [`DriveError::Persist`] if a wave cannot be committed; held output is dropped.
    pub fn drive(
        &mut self,
        main: Option<ObjId>,
        sink: &mut dyn WaveSink,
        config: &DriveConfig,
        out: &mut dyn FnMut(Stream, &str),
    ) -> Result<i32, DriveError> {
        let mut waves = WaveDriver::new(sink, config);
        let result = self.drive_waves(&mut waves, main, config.slices_between_checks, out);
        show(&mut waves, out);
        result
    }

    fn drive_waves<S: WaveSink>(
        &mut self,
        waves: &mut WaveDriver<S>,
        main: Option<ObjId>,
        slices: usize,
        out: &mut dyn FnMut(Stream, &str),
    ) -> Result<i32, DriveError> {
        let main_number = main.and_then(|m| self.process_number(m));
        let idle = loop {
            waves.pump(self, Some(Duration::ZERO), Urgency::Scheduled)?;
            show(waves, out);
            let idle = self.run_slices(slices);
            waves.collect_output(self, |report| {
                Some(if Some(report.process) == main_number {
                    format!("{report}\n")
                } else {
                    failure_line(report)
                })
            });
            show(waves, out);
            match idle {
                None => {}
                Some(Idle::WaitUntil(deadline)) => {
                    let wait = Duration::from_millis(deadline.saturating_sub(now_ms()));
                    waves.wait_idle(self, Some(Instant::now() + wait))?;
                }
                Some(Idle::Exit(code)) => break Idle::Exit(code),
                // Done or blocked forever, unless durability wakes a process in `(sync)`.
                // Other changes go with the last wave.
                Some(_) if waves.may_wake(self) => waves.wait_idle(self, None)?,
                Some(other) => break other,
            }
        };
        let code = self.exit_status(waves, main, idle);
        waves.finish(self, code)?;
        Ok(code)
    }

    fn exit_status<S: WaveSink>(
        &mut self,
        waves: &mut WaveDriver<S>,
        main: Option<ObjId>,
        idle: Idle,
    ) -> i32 {
        if let Idle::Exit(code) = idle {
            return code;
        }
        let Some(main) = main else { return 0 };
        match self.process_status(main) {
            Some(ProcStatus::Failed) => EXIT_FAILURE,
            Some(status) if status.is_alive() && idle == Idle::Deadlocked => {
                waves.emit(
                    Stream::Stderr,
                    "pscheme: the main program is blocked forever (it waits for a message nobody sends)\n"
                        .to_owned(),
                );
                EXIT_FAILURE
            }
            _ => 0,
        }
    }
}

/// Passes the output that may be shown now to `out`.
fn show<S: WaveSink>(waves: &mut WaveDriver<S>, out: &mut dyn FnMut(Stream, &str)) {
    for (stream, text) in waves.take_released() {
        out(stream, &text);
    }
}
