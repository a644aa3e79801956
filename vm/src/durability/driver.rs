//! The persistent run loop: slices, wave boundaries, held output, `(sync)` wake-ups.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{WaveOutcome, WaveSink};
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
    /// Slices run between two looks at the wave schedule; bounds how late a due wave is.
    pub slices_between_checks: usize,
}

impl Default for DriveConfig {
    fn default() -> Self {
        DriveConfig {
            commit_interval: Duration::from_millis(20),
            unbuffered_output: false,
            slices_between_checks: 16,
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

/// Output of one wave, released when the wave is durable.
struct Held {
    wave: u64,
    chunks: Vec<(Stream, String)>,
}

struct Driver<'a> {
    sink: &'a mut dyn WaveSink,
    config: &'a DriveConfig,
    out: &'a mut dyn FnMut(Stream, &str),
    persistent: bool,
    /// Output of waves captured but not yet durable, oldest first.
    held: VecDeque<Held>,
    /// Output of the open wave.
    open: Vec<(Stream, String)>,
    /// The wave submitted and not yet durable.
    in_flight: Option<u64>,
    last_commit_end: Instant,
    last_commit_duration: Duration,
    main_number: Option<u64>,
}

impl Driver<'_> {
    fn emit(&mut self, stream: Stream, text: String) {
        if text.is_empty() {
            return;
        }
        if self.persistent && !self.config.unbuffered_output {
            self.open.push((stream, text));
        } else {
            (self.out)(stream, &text);
        }
    }

    fn release_through(&mut self, wave: u64) {
        while self.held.front().is_some_and(|h| h.wave <= wave) {
            let held = self.held.pop_front().expect("front exists");
            for (stream, text) in held.chunks {
                (self.out)(stream, &text);
            }
        }
    }
}

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
        let persistent = sink.persistent();
        let mut d = Driver {
            sink,
            config,
            out,
            persistent,
            held: VecDeque::new(),
            open: Vec::new(),
            in_flight: None,
            last_commit_end: Instant::now(),
            last_commit_duration: Duration::ZERO,
            main_number: main.and_then(|m| self.process_number(m)),
        };
        let idle = loop {
            self.poll_outcome(&mut d, Some(Duration::ZERO))?;
            if persistent {
                if self
                    .next_wave_due(&d)
                    .is_some_and(|due| due <= Instant::now())
                {
                    self.submit_wave(&mut d, None);
                }
            } else {
                self.discard_changes();
            }
            let idle = self.run_slices(d.config.slices_between_checks);
            self.collect_output(&mut d);
            match idle {
                None => {}
                Some(Idle::WaitUntil(deadline)) => self.wait_idle(&mut d, Some(deadline))?,
                Some(Idle::Exit(code)) => break Idle::Exit(code),
                Some(other) => {
                    // Done or blocked forever, unless a wave in flight or a due one wakes a
                    // process in `(sync)`. Other changes go with the last wave.
                    let syncing = !self.host.durability.syncers.is_empty();
                    if d.in_flight.is_some() || (syncing && self.next_wave_due(&d).is_some()) {
                        self.wait_idle(&mut d, None)?;
                    } else {
                        break other;
                    }
                }
            }
        };
        let code = self.exit_status(&mut d, main, idle);
        self.commit_last_wave(&mut d, code)?;
        Ok(code)
    }

    fn exit_status(&mut self, d: &mut Driver<'_>, main: Option<ObjId>, idle: Idle) -> i32 {
        if let Idle::Exit(code) = idle {
            return code;
        }
        let Some(main) = main else { return 0 };
        match self.process_status(main) {
            Some(ProcStatus::Failed) => EXIT_FAILURE,
            Some(status) if status.is_alive() && idle == Idle::Deadlocked => {
                d.emit(
                    Stream::Stderr,
                    "pscheme: the main program is blocked forever (it waits for a message nobody sends)\n"
                        .to_owned(),
                );
                EXIT_FAILURE
            }
            _ => 0,
        }
    }

    /// Commits the last wave, marked finished, and releases all output.
    fn commit_last_wave(&mut self, d: &mut Driver<'_>, code: i32) -> Result<(), DriveError> {
        if !d.persistent {
            return Ok(());
        }
        while d.in_flight.is_some() {
            self.poll_outcome(d, None)?;
        }
        self.submit_wave(d, Some(code));
        while d.in_flight.is_some() {
            self.poll_outcome(d, None)?;
        }
        Ok(())
    }

    fn collect_output(&mut self, d: &mut Driver<'_>) {
        let out = self.take_output();
        d.emit(Stream::Stdout, out);
        let err = self.take_error_output();
        d.emit(Stream::Stderr, err);
        for report in self.take_reports() {
            let text = if Some(report.process) == d.main_number {
                format!("{report}\n")
            } else {
                format!("process {} failed: {report}\n", report.process)
            };
            d.emit(Stream::Stderr, text);
        }
    }

    /// When the next wave should be taken, or `None` if none is needed or allowed now: one is
    /// in flight, a process is inside `atomically`, or nothing changed.
    fn next_wave_due(&mut self, d: &Driver<'_>) -> Option<Instant> {
        if !d.persistent || d.in_flight.is_some() {
            return None;
        }
        if self.host.durability.in_atomic_section(&self.heap) {
            return None;
        }
        let state = &self.host.durability;
        let changed = self.heap.has_changes()
            || !d.open.is_empty()
            || state.expand_env_changed
            || !state.meta.is_empty();
        let mut due = None;
        if !state.syncers.is_empty() {
            // As soon as possible, but commits never follow each other closer than the last
            // one took, so a stream of syncs cannot keep the disk saturated with tiny commits.
            due = Some(d.last_commit_end + d.last_commit_duration);
        }
        if changed {
            let by_interval = d.last_commit_end + d.config.commit_interval;
            due = Some(due.map_or(by_interval, |t: Instant| t.min(by_interval)));
        }
        due
    }

    fn submit_wave(&mut self, d: &mut Driver<'_>, finished: Option<i32>) {
        let wave = self.capture_wave(finished);
        d.held.push_back(Held {
            wave: wave.number,
            chunks: std::mem::take(&mut d.open),
        });
        d.in_flight = Some(wave.number);
        d.sink.submit(wave);
    }

    fn poll_outcome(
        &mut self,
        d: &mut Driver<'_>,
        timeout: Option<Duration>,
    ) -> Result<(), DriveError> {
        if d.in_flight.is_none() {
            return Ok(());
        }
        match d.sink.wait(timeout) {
            None => Ok(()),
            Some(WaveOutcome::Durable { wave, duration, .. }) => {
                d.in_flight = None;
                d.last_commit_end = Instant::now();
                d.last_commit_duration = duration;
                self.mark_durable(wave);
                d.release_through(wave);
                Ok(())
            }
            Some(WaveOutcome::Failed { wave, error }) => {
                d.in_flight = None;
                d.held.clear();
                Err(DriveError::Persist { wave, error })
            }
        }
    }

    /// Nothing can run now: waits for the wave in flight, the next due wave, or the timer
    /// `deadline` (ms since the Unix epoch), whichever comes first.
    fn wait_idle(&mut self, d: &mut Driver<'_>, deadline: Option<u64>) -> Result<(), DriveError> {
        let mut timeout = deadline.map(|t| Duration::from_millis(t.saturating_sub(now_ms())));
        if d.in_flight.is_some() {
            return self.poll_outcome(d, timeout);
        }
        if let Some(due) = self.next_wave_due(d) {
            let until_due = due.saturating_duration_since(Instant::now());
            timeout = Some(timeout.map_or(until_due, |t| t.min(until_due)));
        }
        if let Some(t) = timeout {
            std::thread::sleep(t);
        }
        Ok(())
    }
}
