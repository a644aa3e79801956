//! The REPL's side of persistence. The wave schedule is `pscheme run`'s ([`WaveDriver`],
//! `docs/persistence.md`), stepped between looks at the terminal, which cannot hand its
//! thread to `Vm::drive`. On top of it the REPL asks for a *barrier*: everything done so far
//! durable before it prints the next prompt, so a result is never shown for state a crash
//! could lose.

use std::time::{Duration, Instant};

use pscheme_persist::{HeapStore, Writer};
use pscheme_vm::Vm;
use pscheme_vm::durability::{DriveConfig, DriveError, Urgency, WaveDriver, failure_line};
use pscheme_vm::run::Stream;

/// Output chunks in the order they were produced.
pub(crate) type Chunks = Vec<(Stream, String)>;

/// How far the barrier asked for before the next prompt has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Barrier {
    /// None is pending.
    Reached,
    /// Asked for; the wave completing it is not taken yet.
    Wanted,
    /// Holds once this wave is durable.
    Wave(u64),
}

/// Where the session's state goes.
pub(crate) struct Durability {
    /// Over no sink in memory; the sink is taken out only while `,fsck` reads the store.
    waves: WaveDriver<Option<Writer>>,
    barrier: Barrier,
}

impl Durability {
    pub(crate) fn in_memory() -> Durability {
        Durability::new(None, Duration::ZERO)
    }

    pub(crate) fn persistent(store: HeapStore, interval: Duration) -> Durability {
        Durability::new(Some(store.into_writer()), interval)
    }

    fn new(writer: Option<Writer>, interval: Duration) -> Durability {
        let config = DriveConfig {
            commit_interval: interval,
            ..DriveConfig::default()
        };
        Durability {
            waves: WaveDriver::new(writer, &config),
            barrier: Barrier::Reached,
        }
    }

    pub(crate) fn is_persistent(&self) -> bool {
        self.waves.is_persistent()
    }

    /// Transaction counter of the last durable wave.
    pub(crate) fn txn_counter(&self) -> Option<u64> {
        self.waves.txn_counter()
    }

    /// Takes what the VM's processes wrote; returns what may be shown now (all of it, in
    /// memory).
    pub(crate) fn collect_output(&mut self, vm: &mut Vm) -> Chunks {
        self.waves
            .collect_output(vm, |report| Some(failure_line(report)));
        self.waves.take_released()
    }

    /// Asks that everything done so far become durable; [`Durability::barrier_reached`] tells
    /// when it is.
    pub(crate) fn request_barrier(&mut self) {
        if self.is_persistent() {
            self.barrier = Barrier::Wanted;
        }
    }

    /// True when no barrier is pending.
    pub(crate) fn barrier_reached(&self) -> bool {
        self.barrier == Barrier::Reached
    }

    fn urgency(&self) -> Urgency {
        if self.barrier == Barrier::Wanted {
            Urgency::Soon
        } else {
            Urgency::Scheduled
        }
    }

    /// One step of the schedule (see [`WaveDriver::pump`]), waiting at most `timeout` for the
    /// wave in flight. Returns the output that became showable.
    pub(crate) fn pump(
        &mut self,
        vm: &mut Vm,
        timeout: Option<Duration>,
    ) -> Result<Chunks, DriveError> {
        let submitted = self.waves.pump(vm, timeout, self.urgency())?;
        self.barrier = match self.barrier {
            Barrier::Wanted => match submitted {
                Some(wave) => Barrier::Wave(wave),
                // Nothing changed since the last durable wave: the barrier holds already.
                None if self.waves.in_flight().is_none() && !self.waves.has_changes(vm) => {
                    Barrier::Reached
                }
                None => Barrier::Wanted,
            },
            Barrier::Wave(wave) if vm.durable_wave() >= wave => Barrier::Reached,
            other => other,
        };
        Ok(self.waves.take_released())
    }

    /// How long the host may wait for the terminal before the next [`Durability::pump`] is
    /// useful; `None`: nothing is pending here.
    pub(crate) fn wait_hint(&self, vm: &mut Vm) -> Option<Duration> {
        if self.waves.in_flight().is_some() {
            // The writer's outcome arrives on its own channel: look again soon.
            return Some(Duration::from_millis(2));
        }
        self.waves
            .next_due(vm, self.urgency())
            .map(|due| due.saturating_duration_since(Instant::now()))
    }

    /// Makes everything done so far durable before returning (`,sync`, leaving). Inside
    /// `(atomically ...)` it cannot: the barrier then stays pending until the section ends.
    pub(crate) fn flush(&mut self, vm: &mut Vm) -> Result<Chunks, DriveError> {
        if self.is_persistent() {
            self.barrier = if self.waves.flush(vm, Urgency::Soon)? {
                Barrier::Reached
            } else {
                Barrier::Wanted
            };
        }
        Ok(self.waves.take_released())
    }

    /// Runs `f` on the store, with the writer thread stopped meanwhile (`,fsck`); `None` in
    /// memory. Output of a wave that becomes durable meanwhile comes with the next pump.
    pub(crate) fn with_store<T>(
        &mut self,
        vm: &mut Vm,
        f: impl FnOnce(&HeapStore) -> T,
    ) -> Result<Option<T>, DriveError> {
        // A wave's outcome must not be lost with the writer it came from.
        self.waves.settle(vm)?;
        let Some(writer) = self.waves.sink_mut().take() else {
            return Ok(None);
        };
        let store = writer.close();
        let result = f(&store);
        *self.waves.sink_mut() = Some(store.into_writer());
        Ok(Some(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repl::session::{Session, Submitted};
    use pscheme_vm::Idle;

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

    /// Sends `text` as an input and runs the VM until it has finished.
    fn evaluate(session: &mut Session, text: &str) {
        let submitted = session.submit(text).expect("submit");
        assert!(
            matches!(submitted, Submitted::Running { .. }),
            "{submitted:?}"
        );
        for _ in 0..10_000 {
            if !session.is_busy() {
                return;
            }
            if let Some(Idle::WaitUntil(_)) = session.run(16) {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        panic!("input {text} did not finish");
    }

    /// A new session on the store `name`, committing every `interval`, that has run `input`.
    fn persistent(name: &str, interval: Duration, input: &str) -> (Session, Durability) {
        let mut session = Session::new().expect("session");
        session.vm.enable_durability();
        let d = Durability::persistent(store(name), interval);
        evaluate(&mut session, input);
        (session, d)
    }

    #[test]
    fn in_memory_output_is_shown_at_once_and_barriers_hold() {
        let mut session = Session::new().expect("session");
        let mut d = Durability::in_memory();
        assert!(!d.is_persistent());
        evaluate(&mut session, "(display \"hi\")");
        let out = d.collect_output(&mut session.vm);
        assert_eq!(out, vec![(Stream::Stdout, "hi".to_string())]);
        d.request_barrier();
        assert!(d.barrier_reached());
        assert_eq!(d.wait_hint(&mut session.vm), None);
    }

    #[test]
    fn output_waits_for_the_wave_that_made_it() {
        let (mut session, mut d) = persistent("held", Duration::from_millis(20), "(display 42)");
        assert!(d.collect_output(&mut session.vm).is_empty(), "held");
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
        assert_eq!(released, vec![(Stream::Stdout, "42".to_string())]);
        assert!(d.txn_counter().is_some());
        assert!(session.vm.durable_wave() >= 1);
        // Nothing changed since: a new barrier holds at once.
        d.request_barrier();
        d.pump(&mut session.vm, Some(Duration::ZERO)).expect("pump");
        assert!(d.barrier_reached());
        let clean = d.with_store(&mut session.vm, |s| s.fsck().map(|r| r.is_clean()));
        assert!(matches!(clean, Ok(Some(Ok(true)))), "{clean:?}");
        drop(d);
        let _ = std::fs::remove_dir_all(dir("held"));
    }

    #[test]
    fn flush_makes_the_session_durable_and_the_store_stays_usable() {
        let hour = Duration::from_secs(3600);
        let (mut session, mut d) = persistent("flush", hour, "(define kept 1) (display 'one)");
        assert!(d.collect_output(&mut session.vm).is_empty(), "held");
        let out = d.flush(&mut session.vm).expect("flush");
        assert_eq!(out, vec![(Stream::Stdout, "one".to_string())]);
        assert!(d.barrier_reached());
        let first = d.txn_counter().expect("durable");
        let clean = d.with_store(&mut session.vm, |s| s.fsck().map(|r| r.is_clean()));
        assert!(matches!(clean, Ok(Some(Ok(true)))), "{clean:?}");
        // The writer was put back: the next input is committed too.
        evaluate(&mut session, "(define kept 2) (display 'two)");
        d.collect_output(&mut session.vm);
        let out = d.flush(&mut session.vm).expect("flush");
        assert_eq!(out, vec![(Stream::Stdout, "two".to_string())]);
        assert!(d.txn_counter().expect("durable") > first);
        drop(d);
        let _ = std::fs::remove_dir_all(dir("flush"));
    }
}
