//! The REPL's side of persistence, step by step (the terminal cannot hand its thread to
//! `Vm::drive`): when waves are taken, handing them to the store's writer thread, and holding
//! output until the wave that produced it is durable.
//!
//! The schedule is `pscheme run`'s (`docs/persistence.md`): a wave a commit interval after the
//! previous commit when anything changed, sooner when a process waits in `(sync)` (but never
//! sooner after the previous commit than that commit took), one wave in flight at a time. On
//! top of it the REPL asks for a *barrier*: everything done so far durable, before it prints
//! the next prompt, so a result is never shown for state a crash could lose.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use pscheme_persist::{HeapStore, Writer};
use pscheme_vm::Vm;
use pscheme_vm::durability::{WaveOutcome, WaveSink};
use pscheme_vm::run::Stream;

/// Output chunks in the order they were produced.
pub(crate) type Chunks = Vec<(Stream, String)>;

/// Where the session's state goes.
pub(crate) struct Durability {
    /// `None` in memory.
    writer: Option<Writer>,
    interval: Duration,
    in_flight: Option<u64>,
    last_commit_end: Instant,
    last_commit_duration: Duration,
    /// Output of waves submitted but not yet durable, oldest first.
    held: VecDeque<(u64, Chunks)>,
    /// Output since the last wave was taken.
    open: Chunks,
    /// A barrier was asked for and its wave is not taken yet.
    barrier_wanted: bool,
    /// The wave that completes the barrier, once taken.
    barrier_wave: Option<u64>,
    /// Transaction counter of the last durable wave.
    pub(crate) txn_counter: Option<u64>,
}

/// A wave could not be committed: the store keeps its previous state, as after a crash.
#[derive(Debug)]
pub(crate) struct CommitFailed {
    pub(crate) wave: u64,
    pub(crate) error: String,
}

impl std::fmt::Display for CommitFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not commit wave {}: {}", self.wave, self.error)
    }
}

impl Durability {
    pub(crate) fn in_memory() -> Durability {
        Durability::new(None, Duration::ZERO)
    }

    pub(crate) fn persistent(store: HeapStore, interval: Duration) -> Durability {
        Durability::new(Some(store.into_writer()), interval)
    }

    fn new(writer: Option<Writer>, interval: Duration) -> Durability {
        Durability {
            writer,
            interval,
            in_flight: None,
            last_commit_end: Instant::now(),
            last_commit_duration: Duration::ZERO,
            held: VecDeque::new(),
            open: Vec::new(),
            barrier_wanted: false,
            barrier_wave: None,
            txn_counter: None,
        }
    }

    pub(crate) fn is_persistent(&self) -> bool {
        self.writer.is_some()
    }

    /// Takes output the VM produced; returns what may be shown now (all of it, in memory).
    pub(crate) fn output(&mut self, stream: Stream, text: String) -> Chunks {
        if text.is_empty() {
            return Vec::new();
        }
        if self.writer.is_none() {
            return vec![(stream, text)];
        }
        self.open.push((stream, text));
        Vec::new()
    }

    /// Asks that everything done so far become durable; [`Durability::barrier_reached`] tells
    /// when it is.
    pub(crate) fn request_barrier(&mut self) {
        if self.writer.is_some() {
            self.barrier_wanted = true;
            self.barrier_wave = None;
        }
    }

    /// True when no barrier is pending.
    pub(crate) fn barrier_reached(&self) -> bool {
        !self.barrier_wanted && self.barrier_wave.is_none()
    }

    /// Collects the outcome of the wave in flight (waiting at most `timeout` for it) and
    /// submits the next wave if it is due. Returns the output that became showable. In
    /// memory, forgets the VM's change set instead.
    pub(crate) fn pump(
        &mut self,
        vm: &mut Vm,
        timeout: Option<Duration>,
    ) -> Result<Chunks, CommitFailed> {
        let Some(writer) = self.writer.as_mut() else {
            vm.discard_unsaved_changes();
            return Ok(Vec::new());
        };
        let mut released = Vec::new();
        if self.in_flight.is_some() {
            match writer.wait(timeout) {
                None => {}
                Some(WaveOutcome::Durable {
                    wave,
                    txn_counter,
                    duration,
                }) => {
                    self.in_flight = None;
                    self.last_commit_end = Instant::now();
                    self.last_commit_duration = duration;
                    self.txn_counter = Some(txn_counter);
                    vm.wave_durable(wave);
                    while self.held.front().is_some_and(|(w, _)| *w <= wave) {
                        if let Some((_, chunks)) = self.held.pop_front() {
                            released.extend(chunks);
                        }
                    }
                    if self.barrier_wave.is_some_and(|w| w <= wave) {
                        self.barrier_wave = None;
                    }
                }
                Some(WaveOutcome::Failed { wave, error }) => {
                    self.in_flight = None;
                    self.held.clear();
                    return Err(CommitFailed { wave, error });
                }
            }
        }
        if self.in_flight.is_none() && self.next_due(vm).is_some_and(|t| t <= Instant::now()) {
            self.submit(vm);
        }
        if self.barrier_wanted && self.in_flight.is_none() && !self.has_changes(vm) {
            // Nothing changed since the last durable wave: the barrier holds already.
            self.barrier_wanted = false;
            released.extend(self.held.drain(..).flat_map(|(_, c)| c));
        }
        Ok(released)
    }

    fn has_changes(&self, vm: &Vm) -> bool {
        vm.has_unsaved_changes() || !self.open.is_empty()
    }

    /// When the next wave is due; `None` if none is needed or one is in flight.
    fn next_due(&self, vm: &Vm) -> Option<Instant> {
        if self.writer.is_none() || self.in_flight.is_some() {
            return None;
        }
        let soonest = self.last_commit_end + self.last_commit_duration;
        if self.barrier_wanted && self.has_changes(vm) {
            return Some(soonest);
        }
        let mut due = vm.sync_waiting().then_some(soonest);
        if self.has_changes(vm) {
            let by_interval = self.last_commit_end + self.interval;
            due = Some(due.map_or(by_interval, |t| t.min(by_interval)));
        }
        due
    }

    fn submit(&mut self, vm: &mut Vm) {
        let Some(writer) = self.writer.as_mut() else {
            return;
        };
        // `None` inside `(atomically ...)`: the wave waits until the section ends.
        let Some(wave) = vm.take_wave(None) else {
            return;
        };
        let number = wave.number;
        self.held
            .push_back((number, std::mem::take(&mut self.open)));
        writer.submit(wave);
        self.in_flight = Some(number);
        if self.barrier_wanted {
            self.barrier_wanted = false;
            self.barrier_wave = Some(number);
        }
    }

    /// How long the host may wait for the terminal before the next [`Durability::pump`] is
    /// useful; `None`: nothing is pending here.
    pub(crate) fn wait_hint(&self, vm: &Vm) -> Option<Duration> {
        if self.in_flight.is_some() {
            // The writer's outcome arrives on its own channel: look again soon.
            return Some(Duration::from_millis(2));
        }
        self.next_due(vm)
            .map(|due| due.saturating_duration_since(Instant::now()))
    }

    /// Makes everything done so far durable before returning (`,sync`, leaving).
    pub(crate) fn flush(&mut self, vm: &mut Vm) -> Result<Chunks, CommitFailed> {
        let mut released = Vec::new();
        self.request_barrier();
        let started = Instant::now();
        while !self.barrier_reached() {
            released.extend(self.pump(vm, Some(Duration::from_millis(50)))?);
            // Inside `(atomically ...)` no wave can be taken; the section must end first.
            if self.in_flight.is_none() && started.elapsed() > Duration::from_secs(5) {
                break;
            }
        }
        Ok(released)
    }

    /// Runs `f` on the store, with the writer thread stopped meanwhile (`,fsck`).
    pub(crate) fn with_store<T>(&mut self, f: impl FnOnce(&HeapStore) -> T) -> Option<T> {
        let writer = self.writer.take()?;
        let store = writer.close();
        let result = f(&store);
        self.writer = Some(store.into_writer());
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repl::session::Session;

    fn dir(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("pscheme-repl-{}-{name}", std::process::id()))
    }

    fn store(name: &str) -> HeapStore {
        let dir = dir(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        HeapStore::create(
            &dir.join("s.pdb"),
            b"pass",
            pscheme_persist::KdfParams::INSECURE_FOR_TESTS,
        )
        .expect("create store")
    }

    #[test]
    fn in_memory_output_is_shown_at_once_and_barriers_hold() {
        let mut d = Durability::in_memory();
        assert!(!d.is_persistent());
        let out = d.output(Stream::Stdout, "hi\n".into());
        assert_eq!(out, vec![(Stream::Stdout, "hi\n".to_string())]);
        d.request_barrier();
        assert!(d.barrier_reached());
    }

    #[test]
    fn output_waits_for_the_wave_that_made_it() {
        let mut session = Session::new().expect("session");
        session.vm.enable_durability();
        let mut d = Durability::persistent(store("held"), Duration::from_millis(20));
        assert!(d.output(Stream::Stdout, "42\n".into()).is_empty(), "held");
        d.request_barrier();
        assert!(!d.barrier_reached());
        let mut released = Vec::new();
        for _ in 0..1_000 {
            released.extend(
                d.pump(&mut session.vm, Some(Duration::from_millis(10)))
                    .expect("commit"),
            );
            if d.barrier_reached() {
                break;
            }
        }
        assert!(d.barrier_reached(), "the barrier's wave became durable");
        assert_eq!(released, vec![(Stream::Stdout, "42\n".to_string())]);
        assert!(d.txn_counter.is_some());
        assert!(session.vm.durable_wave() >= 1);
        // Nothing changed since: a new barrier holds at once.
        d.request_barrier();
        d.pump(&mut session.vm, Some(Duration::ZERO)).expect("pump");
        assert!(d.barrier_reached());
        let clean = d.with_store(|s| s.fsck().map(|r| r.is_clean()));
        assert!(matches!(clean, Some(Ok(true))), "{clean:?}");
        drop(d);
        let _ = std::fs::remove_dir_all(dir("held"));
    }
}
