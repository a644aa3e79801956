//! The engine's side of persistence: when waves are taken, handing them to the store's
//! writer thread, releasing output and `(sync)` waiters when they are durable.
//!
//! The schedule is the one `pscheme run` follows (`docs/persistence.md`): a wave a commit
//! interval after the previous commit when anything changed; as soon as possible when a
//! process waits in `(sync)`, but never sooner after the previous commit than that commit
//! took; one wave in flight at a time.

use std::time::{Duration, Instant};

use pscheme_persist::Writer;
use pscheme_vm::durability::{WaveOutcome, WaveSink};

use crate::engine::Engine;
use crate::error::Error;

/// The state an engine resumed from its store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResumeInfo {
    /// The store's transaction counter at that state.
    pub txn_counter: u64,
    /// The last wave committed.
    pub wave: u64,
}

pub(crate) struct Persistence {
    /// `None` once closed.
    pub(crate) writer: Option<Writer>,
    pub(crate) in_flight: Option<u64>,
    pub(crate) interval: Duration,
    pub(crate) last_commit_end: Instant,
    pub(crate) last_commit_duration: Duration,
}

impl Engine {
    /// Whether a wave is in flight or due: a blocked process may still be woken by durability.
    pub(crate) fn persist_pending(&self) -> bool {
        self.persistence
            .as_ref()
            .is_some_and(|p| p.in_flight.is_some() || self.vm.sync_waiting())
    }

    /// When the next wave is due, or `None` if none is needed or one is in flight.
    fn next_wave_due(&self, force: bool) -> Option<Instant> {
        let p = self.persistence.as_ref()?;
        if p.in_flight.is_some() || p.writer.is_none() {
            return None;
        }
        let changed = self.vm.has_unsaved_changes() || self.output.has_open();
        if force && changed {
            return Some(Instant::now());
        }
        let mut due = None;
        if self.vm.sync_waiting() {
            due = Some(p.last_commit_end + p.last_commit_duration);
        }
        if changed {
            let by_interval = p.last_commit_end + p.interval;
            due = Some(due.map_or(by_interval, |t: Instant| t.min(by_interval)));
        }
        due
    }

    /// Collects the outcome of the wave in flight (waiting for it if `block`), and submits the
    /// next wave if it is due (now, if `force` and anything changed). In memory, forgets the
    /// dirty set instead.
    pub(crate) fn pump_with(&mut self, block: bool, force: bool) -> Result<(), Error> {
        if self.persistence.is_none() {
            self.vm.discard_unsaved_changes();
            return Ok(());
        }
        self.poll(if block { None } else { Some(Duration::ZERO) })?;
        if self
            .next_wave_due(force)
            .is_some_and(|due| due <= Instant::now())
            && let Some(wave) = self.vm.take_wave(None)
        {
            let number = wave.number;
            self.output.seal(number);
            let p = self.persistence.as_mut().expect("checked above");
            if let Some(writer) = &mut p.writer {
                writer.submit(wave);
                p.in_flight = Some(number);
            }
        }
        Ok(())
    }

    pub(crate) fn pump(&mut self, block: bool) -> Result<(), Error> {
        self.pump_with(block, false)
    }

    /// Waits for the wave in flight at most `timeout` (`None`: until it is durable).
    fn poll(&mut self, timeout: Option<Duration>) -> Result<(), Error> {
        let Some(p) = self.persistence.as_mut() else {
            return Ok(());
        };
        if p.in_flight.is_none() {
            return Ok(());
        }
        let Some(writer) = &mut p.writer else {
            return Ok(());
        };
        match writer.wait(timeout) {
            None => Ok(()),
            Some(WaveOutcome::Durable { wave, duration, .. }) => {
                p.in_flight = None;
                p.last_commit_end = Instant::now();
                p.last_commit_duration = duration;
                self.vm.wave_durable(wave);
                self.output.durable(wave);
                Ok(())
            }
            Some(WaveOutcome::Failed { wave, error }) => {
                p.in_flight = None;
                self.output.drop_held();
                Err(Error::Commit { wave, error })
            }
        }
    }

    /// Nothing can run before `until`: waits for durability or the next due wave meanwhile.
    pub(crate) fn idle_wait(&mut self, until: Instant) -> Result<(), Error> {
        let in_flight = self
            .persistence
            .as_ref()
            .is_some_and(|p| p.in_flight.is_some());
        if in_flight {
            let timeout = until.saturating_duration_since(Instant::now());
            self.poll(Some(timeout))?;
            return self.pump(false);
        }
        let mut until = until;
        if let Some(due) = self.next_wave_due(false) {
            until = until.min(due);
        }
        let now = Instant::now();
        if until > now {
            std::thread::sleep(until - now);
        }
        self.pump(false)
    }

    /// Makes everything done so far durable, and returns once it is: the host's `(sync)`.
    /// Processes keep running meanwhile only as far as this call runs them (it does not run
    /// the scheduler). Returns at once in memory.
    ///
    /// ```
    /// # let mut engine = pscheme_embed::Engine::new()?;
    /// engine.eval::<()>("(define balance 100)")?;
    /// engine.sync()?; // on a store: `balance` now survives a crash
    /// # Ok::<(), pscheme_embed::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Commit`] if a wave cannot be committed.
    pub fn sync(&mut self) -> Result<(), Error> {
        if self.persistence.is_none() {
            return Ok(());
        }
        self.forward_output(None);
        loop {
            self.poll(None)?;
            let changed = self.vm.has_unsaved_changes() || self.output.has_open();
            if !changed {
                return Ok(());
            }
            self.pump_with(false, true)?;
            let in_flight = self
                .persistence
                .as_ref()
                .is_some_and(|p| p.in_flight.is_some());
            if !in_flight {
                // Inside `(atomically ...)`: no wave can be taken until the section ends.
                return Ok(());
            }
        }
    }

    /// Commits the last wave and stops the writer thread. Dropping an engine does the same
    /// but cannot report an error.
    ///
    /// # Errors
    /// [`Error::Commit`] if the last wave cannot be committed.
    pub fn close(mut self) -> Result<(), Error> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<(), Error> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let synced = self.sync();
        if let Some(p) = self.persistence.as_mut()
            && let Some(writer) = p.writer.take()
        {
            drop(writer.close());
        }
        synced
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // Errors cannot be reported from drop; `close` reports them.
        let _ = self.shut_down();
    }
}
