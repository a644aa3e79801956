//! The engine's side of persistence: the wave schedule `pscheme run` follows
//! ([`WaveDriver`], `docs/persistence.md`), stepped between slices the engine runs for its
//! host, plus what only a host has: its own `sync` (a wave now, whatever the previous commit
//! took) and closing the store.

use std::time::{Duration, Instant};

use pscheme_persist::Writer;
use pscheme_vm::durability::{DriveConfig, DriveError, Urgency, WaveDriver};

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

impl Engine {
    /// Commits into `writer`'s store from now on, a wave `commit_interval` after the previous
    /// commit when anything changed; output waits for its wave unless `unbuffered_output`.
    pub(crate) fn persist_to(
        &mut self,
        writer: Writer,
        commit_interval: Duration,
        unbuffered_output: bool,
    ) {
        let config = DriveConfig {
            commit_interval,
            unbuffered_output,
            ..DriveConfig::default()
        };
        self.waves = WaveDriver::new(Some(writer), &config);
    }

    /// Whether durability can still wake a blocked process: a wave is in flight or due.
    pub(crate) fn persist_pending(&mut self) -> bool {
        self.waves.may_wake(&mut self.vm)
    }

    /// One step of the schedule: collects the outcome of the wave in flight if it is there and
    /// submits the next wave if it is due. In memory, forgets the dirty set instead.
    pub(crate) fn pump(&mut self) -> Result<(), Error> {
        let stepped = self
            .waves
            .pump(&mut self.vm, Some(Duration::ZERO), Urgency::Scheduled);
        self.settled(stepped).map(drop)
    }

    /// Nothing can run before `until`: waits for durability or the next due wave meanwhile.
    pub(crate) fn idle_wait(&mut self, until: Instant) -> Result<(), Error> {
        let waited = self.waves.wait_idle(&mut self.vm, Some(until));
        self.settled(waited)?;
        self.pump()
    }

    /// Passes the output the schedule released (at once in memory, else once its wave is
    /// durable) to where the host wants it.
    pub(crate) fn show_released(&mut self) {
        for (stream, text) in self.waves.take_released() {
            self.output.release(stream, &text);
        }
    }

    /// Shows the output the schedule released and turns its error into the engine's.
    fn settled<T>(&mut self, result: Result<T, DriveError>) -> Result<T, Error> {
        self.show_released();
        result.map_err(|e| match e {
            DriveError::Persist { wave, error } => Error::Commit { wave, error },
            other => Error::Internal(other.to_string()),
        })
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
        if !self.waves.is_persistent() {
            return Ok(());
        }
        self.forward_output(None);
        // Inside `(atomically ...)` no wave can be taken until the section ends: the changes
        // go with a later wave.
        let flushed = self.waves.flush(&mut self.vm, Urgency::Now);
        self.settled(flushed).map(drop)
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
        if let Some(writer) = self.waves.sink_mut().take() {
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

#[cfg(test)]
mod tests {
    use crate::{Engine, Error, KdfParams, Output};

    #[test]
    fn a_call_in_sync_while_another_process_holds_atomically_is_blocked_not_a_hang() {
        let dir = std::env::temp_dir().join(format!("pscheme-embed-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut e = Engine::builder()
            .store(dir.join("s.pdb"), "test passphrase")
            .kdf(KdfParams::INSECURE_FOR_TESTS)
            .output(Output::Capture)
            .open()
            .unwrap();
        e.eval::<()>("(define holder (spawn (lambda () (atomically (receive)))))")
            .unwrap();
        e.run_until_idle().unwrap();
        // No wave may be taken while `holder` is inside `atomically`, and only the host could
        // wake it, which it cannot while this call runs.
        let r = e.eval::<()>("(sync)");
        assert!(matches!(r, Err(Error::Blocked)), "{r:?}");
        let holder = e.global("holder").unwrap();
        assert!(e.send(&holder, "done").unwrap());
        e.run_until_idle().unwrap();
        e.close().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
