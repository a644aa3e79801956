//! The wave schedule as a step-wise state machine. [`Vm::drive`] loops over it; a host that
//! cannot give its thread to `Vm::drive` (the REPL's terminal, an embedding engine) calls the
//! same steps between its own work, so every host takes waves, holds output and reports
//! failed commits the same way (`docs/persistence.md`).
//!
//! Invariants: at most one wave is in flight, except that the last wave of a program may
//! follow one (the sink may commit both as one); output produced while wave `n` is open is shown
//! only once wave `n` is durable, in the order it was produced; a failed commit drops the
//! output of every wave not yet durable.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::driver::{DriveConfig, DriveError};
use super::{WaveOutcome, WaveSink};
use crate::run::Stream;
use crate::vm::{ProcessReport, Vm};

/// How soon the host wants the changes made so far in a wave, on top of the schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    /// The schedule alone: a commit interval after the previous commit when anything changed;
    /// as soon as allowed when a process waits in `(sync)`.
    Scheduled,
    /// As if a process waited in `(sync)`: as soon as allowed, that is no sooner after the
    /// previous commit than that commit took (the REPL's barrier before a prompt).
    Soon,
    /// Now, whatever the previous commit took (the host's own `sync`).
    Now,
}

/// The state of the wave schedule between two steps of a host: the sink, the output held
/// until its wave is durable, the wave in flight and the timing of the previous commit.
///
/// The VM is passed to each step rather than owned, so the host keeps it. In memory (a sink
/// whose [`WaveSink::persistent`] is false) no wave is ever taken: output is released at once
/// and each [`WaveDriver::pump`] forgets the VM's changes.
pub struct WaveDriver<S> {
    sink: S,
    /// The sink's [`WaveSink::persistent`], read once: a host may take its sink out for a
    /// moment (to check the store, say) without the schedule changing.
    persistent: bool,
    commit_interval: Duration,
    /// Allocations between two collections of young objects between waves.
    young_collection_interval: usize,
    /// Hold output until its wave is durable (persistent, and output not unbuffered).
    hold_output: bool,
    /// Output of the open wave.
    open: Vec<(Stream, String)>,
    /// Output of waves submitted and not yet durable, oldest first.
    held: VecDeque<(u64, Vec<(Stream, String)>)>,
    /// Output that may be shown, until the host takes it.
    released: Vec<(Stream, String)>,
    /// The newest wave submitted whose outcome has not come yet (an earlier one may be
    /// outstanding too while the last wave of a program follows it).
    in_flight: Option<u64>,
    last_commit_end: Instant,
    last_commit_duration: Duration,
    /// Transaction counter of the last durable wave.
    txn_counter: Option<u64>,
}

impl<S: WaveSink> WaveDriver<S> {
    /// A schedule over `sink`, with `config`'s commit interval and output buffering.
    pub fn new(sink: S, config: &DriveConfig) -> Self {
        let persistent = sink.persistent();
        WaveDriver {
            sink,
            persistent,
            commit_interval: config.commit_interval,
            young_collection_interval: config.young_collection_interval,
            hold_output: persistent && !config.unbuffered_output,
            open: Vec::new(),
            held: VecDeque::new(),
            released: Vec::new(),
            in_flight: None,
            last_commit_end: Instant::now(),
            last_commit_duration: Duration::ZERO,
            txn_counter: None,
        }
    }

    /// Whether waves are taken (the sink keeps them).
    pub fn is_persistent(&self) -> bool {
        self.persistent
    }

    /// The wave submitted whose outcome has not come yet.
    pub fn in_flight(&self) -> Option<u64> {
        self.in_flight
    }

    /// The transaction counter of the last wave that became durable through this driver.
    pub fn txn_counter(&self) -> Option<u64> {
        self.txn_counter
    }

    /// The sink. A host that takes a store out of it must first [`WaveDriver::settle`] and
    /// must put it back before the next step.
    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    /// Output the program produced now: held until the open wave is durable, or released at
    /// once (in memory, or with unbuffered output).
    pub fn emit(&mut self, stream: Stream, text: String) {
        if text.is_empty() {
            return;
        }
        if self.hold_output {
            self.open.push((stream, text));
        } else {
            self.released.push((stream, text));
        }
    }

    /// Takes what the VM's processes wrote, and the reports of processes that failed, as
    /// output of the open wave. `report` renders a report, or leaves it out with `None` (a
    /// host call whose failure the host returns as an error).
    pub fn collect_output(
        &mut self,
        vm: &mut Vm,
        mut report: impl FnMut(&ProcessReport) -> Option<String>,
    ) {
        let out = vm.take_output();
        self.emit(Stream::Stdout, out);
        let err = vm.take_error_output();
        self.emit(Stream::Stderr, err);
        for r in vm.take_reports() {
            if let Some(text) = report(&r) {
                self.emit(Stream::Stderr, text);
            }
        }
    }

    /// The output that may be shown now, in the order it was produced.
    pub fn take_released(&mut self) -> Vec<(Stream, String)> {
        std::mem::take(&mut self.released)
    }

    /// Whether anything is not yet in a wave: heap changes, host entries, the expander
    /// environment, or output of the open wave.
    pub fn has_changes(&self, vm: &Vm) -> bool {
        vm.has_unsaved_changes() || !self.open.is_empty()
    }

    /// When the next wave is due, or `None` if none is needed or allowed now: in memory, a
    /// wave is in flight, a process is inside `(atomically ...)`, or nothing is pending.
    pub fn next_due(&self, vm: &mut Vm, urgency: Urgency) -> Option<Instant> {
        if !self.persistent || self.in_flight.is_some() {
            return None;
        }
        if vm.host.durability.in_atomic_section(&vm.heap) {
            return None;
        }
        let changed = self.has_changes(vm);
        if changed && urgency == Urgency::Now {
            return Some(Instant::now());
        }
        let mut due = None;
        if vm.sync_waiting() || (changed && urgency == Urgency::Soon) {
            // Commits never follow each other closer than the last one took, so a stream of
            // syncs cannot keep the disk saturated with tiny commits.
            due = Some(self.last_commit_end + self.last_commit_duration);
        }
        if changed {
            let by_interval = self.last_commit_end + self.commit_interval;
            due = Some(due.map_or(by_interval, |t: Instant| t.min(by_interval)));
        }
        due
    }

    /// Collects the outcome of the wave in flight, waiting at most `timeout` for it (`None`:
    /// until it comes): marks the wave durable in the VM (waking its `(sync)` waiters) and
    /// releases its output.
    ///
    /// # Errors
    /// [`DriveError::Persist`] if the wave failed; the output of every wave not yet durable
    /// is dropped, and the store keeps its previous state, as after a crash.
    pub fn poll(&mut self, vm: &mut Vm, timeout: Option<Duration>) -> Result<(), DriveError> {
        if self.in_flight.is_none() {
            return Ok(());
        }
        match self.sink.wait(timeout) {
            None => Ok(()),
            Some(WaveOutcome::Durable {
                wave,
                txn_counter,
                duration,
            }) => {
                if self.in_flight.is_some_and(|newest| wave >= newest) {
                    self.in_flight = None;
                }
                self.last_commit_end = Instant::now();
                self.last_commit_duration = duration;
                self.txn_counter = Some(txn_counter);
                vm.mark_durable(wave);
                while self.held.front().is_some_and(|(w, _)| *w <= wave) {
                    if let Some((_, chunks)) = self.held.pop_front() {
                        self.released.extend(chunks);
                    }
                }
                Ok(())
            }
            Some(WaveOutcome::Failed { wave, error }) => {
                self.in_flight = None;
                self.held.clear();
                Err(DriveError::Persist { wave, error })
            }
        }
    }

    /// Waits until no wave is in flight.
    ///
    /// # Errors
    /// As [`WaveDriver::poll`].
    pub fn settle(&mut self, vm: &mut Vm) -> Result<(), DriveError> {
        while self.in_flight.is_some() {
            self.poll(vm, None)?;
        }
        Ok(())
    }

    /// One step of the schedule: collects the outcome of the wave in flight (waiting at most
    /// `timeout`), then submits the next wave if it is due, or else collects young objects
    /// if enough was allocated since the last time (`durability/young.rs`). In memory,
    /// forgets the VM's changes instead, so its dirty set does not grow. Returns the wave
    /// submitted, if any.
    ///
    /// # Errors
    /// As [`WaveDriver::poll`].
    pub fn pump(
        &mut self,
        vm: &mut Vm,
        timeout: Option<Duration>,
        urgency: Urgency,
    ) -> Result<Option<u64>, DriveError> {
        if !self.persistent {
            vm.discard_changes();
            return Ok(None);
        }
        self.poll(vm, timeout)?;
        let due = self
            .next_due(vm, urgency)
            .is_some_and(|due| due <= Instant::now());
        if due {
            let awaited = vm.sync_waiting() || urgency != Urgency::Scheduled;
            return Ok(Some(self.submit(vm, None, awaited)));
        }
        vm.collect_young_if_due(self.young_collection_interval);
        Ok(None)
    }

    /// Whether durability can still wake a process blocked in `(sync)`: one waits, and a
    /// wave is in flight or due. When false and every process is blocked, nothing will ever
    /// run again; in particular a program that ended need not wait for the wave in flight
    /// before it submits its last one.
    pub fn may_wake(&self, vm: &mut Vm) -> bool {
        vm.sync_waiting()
            && (self.in_flight.is_some() || self.next_due(vm, Urgency::Scheduled).is_some())
    }

    /// Nothing can run before `until` (`None`: before durability wakes a process): waits for
    /// the outcome of the wave in flight, or else until the next wave is due, whichever comes
    /// first. Returns at once when `until` is `None` and neither is pending.
    ///
    /// # Errors
    /// As [`WaveDriver::poll`].
    pub fn wait_idle(&mut self, vm: &mut Vm, until: Option<Instant>) -> Result<(), DriveError> {
        let now = Instant::now();
        let mut timeout = until.map(|t| t.saturating_duration_since(now));
        if self.in_flight.is_some() {
            return self.poll(vm, timeout);
        }
        if let Some(due) = self.next_due(vm, Urgency::Scheduled) {
            let until_due = due.saturating_duration_since(now);
            timeout = Some(timeout.map_or(until_due, |t| t.min(until_due)));
        }
        if let Some(t) = timeout {
            std::thread::sleep(t);
        }
        Ok(())
    }

    /// Makes everything done so far durable before returning, taking the last wave as
    /// `urgency` allows. Returns false, with the changes still pending, if a process is inside
    /// `(atomically ...)`: no wave may be taken until the section ends, and the VM does not
    /// run meanwhile. True at once in memory.
    ///
    /// # Errors
    /// As [`WaveDriver::poll`].
    pub fn flush(&mut self, vm: &mut Vm, urgency: Urgency) -> Result<bool, DriveError> {
        if !self.persistent {
            return Ok(true);
        }
        loop {
            self.settle(vm)?;
            if !self.has_changes(vm) {
                return Ok(true);
            }
            let Some(due) = self.next_due(vm, urgency) else {
                return Ok(false);
            };
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            self.submit(vm, None, true);
        }
    }

    /// Commits the last wave of a program that ended with exit status `code` (even inside
    /// `(atomically ...)`: `exit` there commits the effects so far) and releases all output.
    ///
    /// The last wave does not wait for the one in flight: the sink may commit both as one,
    /// so that what the program built and dropped after that boundary (a large list summed
    /// and let go, say) is neither written nor deleted. The store then goes from the state
    /// before the wave in flight straight to the end state, and both are reported durable.
    ///
    /// # Errors
    /// As [`WaveDriver::poll`].
    pub fn finish(&mut self, vm: &mut Vm, code: i32) -> Result<(), DriveError> {
        if !self.persistent {
            return Ok(());
        }
        self.submit(vm, Some(code), true);
        self.settle(vm)
    }

    /// Captures a wave, holds the open wave's output for it and hands it to the sink.
    /// `awaited`: something waits for it (see `Vm::capture_wave`).
    fn submit(&mut self, vm: &mut Vm, finished: Option<i32>, awaited: bool) -> u64 {
        debug_assert!(
            self.in_flight.is_none() || finished.is_some(),
            "only a program's last wave may follow one in flight"
        );
        let wave = vm.capture_wave(finished, awaited);
        let number = wave.number;
        self.held
            .push_back((number, std::mem::take(&mut self.open)));
        self.in_flight = Some(number);
        self.sink.submit(wave);
        number
    }
}

/// How a failure of a process other than the main one is reported.
pub fn failure_line(report: &ProcessReport) -> String {
    format!("process {} failed: {report}\n", report.process)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::{Urgency, WaveDriver};
    use crate::durability::{DriveConfig, DriveError, NoPersist, Wave, WaveOutcome, WaveSink};
    use crate::run::Stream;
    use crate::sched::Idle;
    use crate::value::{ObjId, Value};
    use crate::vm::Vm;

    const HOUR: Duration = Duration::from_secs(3600);
    /// What the fake disk reports as the duration of each commit.
    const COMMIT_TOOK: Duration = Duration::from_secs(60);

    /// What the fake sink answers when asked for the outcome of the wave it holds.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Reply {
        /// Not there yet (the disk is slow).
        Pending,
        /// Pending until a program's last wave is submitted, then durable.
        OnceLastSubmitted,
        Durable,
        Failed,
    }

    /// A sink whose waves become durable, or fail, when the test says so.
    struct FakeSink {
        submitted: Vec<Wave>,
        /// Waves without an outcome, oldest first.
        outstanding: Vec<u64>,
        reply: Reply,
        /// Commit every outstanding wave as one, reporting only the newest.
        merge: bool,
    }

    impl WaveSink for FakeSink {
        fn persistent(&self) -> bool {
            true
        }

        fn submit(&mut self, wave: Wave) {
            assert!(
                self.outstanding.is_empty() || wave.finished.is_some(),
                "a second wave in flight that is not a program's last"
            );
            self.outstanding.push(wave.number);
            self.submitted.push(wave);
        }

        fn wait(&mut self, timeout: Option<Duration>) -> Option<WaveOutcome> {
            let oldest = *self.outstanding.first()?;
            let last_submitted = self.submitted.iter().any(|w| w.finished.is_some());
            match self.reply {
                Reply::Pending => {
                    assert!(timeout.is_some(), "waiting forever on a pending wave");
                    None
                }
                Reply::OnceLastSubmitted if !last_submitted => {
                    assert!(timeout.is_some(), "waiting forever before the last wave");
                    None
                }
                Reply::Durable | Reply::OnceLastSubmitted => {
                    let wave = if self.merge {
                        self.outstanding.drain(..).next_back()?
                    } else {
                        self.outstanding.remove(0)
                    };
                    Some(WaveOutcome::Durable {
                        wave,
                        txn_counter: 100 + wave,
                        duration: COMMIT_TOOK,
                    })
                }
                Reply::Failed => {
                    self.outstanding.clear();
                    Some(WaveOutcome::Failed {
                        wave: oldest,
                        error: "disk full".into(),
                    })
                }
            }
        }
    }

    fn config(interval: Duration) -> DriveConfig {
        DriveConfig {
            commit_interval: interval,
            ..DriveConfig::default()
        }
    }

    /// A persistent VM without prelude and a schedule over a fake sink.
    fn bare(interval: Duration, reply: Reply) -> (Vm, WaveDriver<FakeSink>) {
        let mut vm = Vm::bare();
        vm.enable_durability();
        (vm, driver(interval, reply))
    }

    fn driver(interval: Duration, reply: Reply) -> WaveDriver<FakeSink> {
        let sink = FakeSink {
            submitted: Vec::new(),
            outstanding: Vec::new(),
            reply,
            merge: false,
        };
        WaveDriver::new(sink, &config(interval))
    }

    /// A persistent VM whose main process has run `source` until it blocked.
    fn blocked_in(source: &str) -> Vm {
        let (mut vm, _) = spawned(source);
        assert_eq!(vm.run_slices(64), Some(Idle::Deadlocked));
        vm
    }

    /// A persistent VM whose main process (the second result) is to run `source`.
    fn spawned(source: &str) -> (Vm, ObjId) {
        let mut vm = Vm::new().expect("prelude");
        let compiled = vm.compile(source, "t.scm").expect("compiles");
        let main = vm.load(compiled.unit).expect("loads");
        let pid = vm.spawn(main);
        vm.pin(pid);
        vm.enable_durability();
        (vm, pid)
    }

    fn change(vm: &mut Vm) {
        let v = vm.heap.cons(Value::small(1), Value::NULL);
        vm.heap.define("x", v);
    }

    fn out(text: &str) -> (Stream, String) {
        (Stream::Stdout, text.to_owned())
    }

    fn step(d: &mut WaveDriver<FakeSink>, vm: &mut Vm, urgency: Urgency) -> Option<u64> {
        d.pump(vm, Some(Duration::ZERO), urgency)
            .expect("no failure")
    }

    /// Moves the previous commit's end `by` into the past, as if that much time had passed.
    fn age(d: &mut WaveDriver<FakeSink>, by: Duration) {
        d.last_commit_end = Instant::now()
            .checked_sub(by)
            .expect("the monotonic clock is older than that");
    }

    #[test]
    fn a_wave_is_not_taken_before_the_commit_interval() {
        let interval = Duration::from_secs(2);
        let (mut vm, mut d) = bare(interval, Reply::Durable);
        assert!(d.has_changes(&vm), "a new heap must be saved");
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), None);
        assert!(d.sink.submitted.is_empty());
        assert_eq!(
            d.next_due(&mut vm, Urgency::Scheduled),
            Some(d.last_commit_end + interval)
        );
        age(&mut d, interval);
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
        assert_eq!(d.sink.submitted.len(), 1);
    }

    #[test]
    fn nothing_pending_takes_no_wave() {
        let (mut vm, mut d) = bare(Duration::ZERO, Reply::Durable);
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
        // Collects wave 1; nothing changed since it was taken.
        assert_eq!(step(&mut d, &mut vm, Urgency::Now), None);
        assert_eq!(d.txn_counter(), Some(101));
        assert_eq!(vm.durable_wave(), 1);
        assert!(!d.has_changes(&vm));
        assert_eq!(d.next_due(&mut vm, Urgency::Now), None);
        assert_eq!(d.sink.submitted.len(), 1);
    }

    #[test]
    fn one_wave_is_in_flight_at_a_time() {
        let (mut vm, mut d) = bare(Duration::ZERO, Reply::Pending);
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
        change(&mut vm);
        assert_eq!(d.next_due(&mut vm, Urgency::Now), None);
        assert_eq!(step(&mut d, &mut vm, Urgency::Now), None);
        assert_eq!(d.in_flight(), Some(1));
        d.sink.reply = Reply::Durable;
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(2));
        let numbers: Vec<u64> = d.sink.submitted.iter().map(|w| w.number).collect();
        assert_eq!(numbers, [1, 2]);
    }

    #[test]
    fn urgency_moves_the_due_time() {
        let (mut vm, mut d) = bare(HOUR, Reply::Durable);
        assert_eq!(step(&mut d, &mut vm, Urgency::Now), Some(1));
        d.poll(&mut vm, None).expect("durable");
        change(&mut vm);
        let end = d.last_commit_end;
        assert_eq!(d.next_due(&mut vm, Urgency::Scheduled), Some(end + HOUR));
        assert_eq!(d.next_due(&mut vm, Urgency::Soon), Some(end + COMMIT_TOOK));
        let now = d.next_due(&mut vm, Urgency::Now).expect("due");
        assert!(now < end + COMMIT_TOOK);
        assert_eq!(step(&mut d, &mut vm, Urgency::Soon), None, "too soon");
        assert_eq!(step(&mut d, &mut vm, Urgency::Now), Some(2));
    }

    #[test]
    fn sync_makes_a_wave_due_once_the_last_commit_allows_it() {
        let mut vm = blocked_in("(define done #f) (sync) (set! done #t)");
        let mut d = driver(HOUR, Reply::Durable);
        assert!(vm.sync_waiting());
        // No commit yet: due at once despite the hour-long interval.
        let first_due = d.next_due(&mut vm, Urgency::Scheduled);
        assert_eq!(first_due, Some(d.last_commit_end));
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
        assert!(d.may_wake(&mut vm), "the wave in flight wakes the syncer");
        d.poll(&mut vm, None).expect("durable");
        assert!(!vm.sync_waiting(), "wave 1 woke it");
        assert_eq!(vm.run_slices(64), Some(Idle::AllDone));
        assert_eq!(vm.heap.global_named("done"), Some(Value::TRUE));

        let mut vm = blocked_in("(sync) (sync)");
        let mut d = driver(HOUR, Reply::Durable);
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
        d.poll(&mut vm, None).expect("durable");
        assert_eq!(vm.run_slices(64), Some(Idle::Deadlocked), "the second sync");
        let end = d.last_commit_end;
        assert_eq!(
            d.next_due(&mut vm, Urgency::Scheduled),
            Some(end + COMMIT_TOOK)
        );
        assert!(d.may_wake(&mut vm));
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), None);
        age(&mut d, COMMIT_TOOK);
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(2));
    }

    #[test]
    fn output_is_released_only_when_its_wave_is_durable() {
        let (mut vm, mut d) = bare(Duration::ZERO, Reply::Pending);
        d.emit(Stream::Stdout, "a".into());
        d.emit(Stream::Stdout, String::new());
        assert!(d.take_released().is_empty());
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
        d.emit(Stream::Stderr, "b".into());
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), None);
        assert!(d.take_released().is_empty(), "wave 1 is not durable yet");
        d.sink.reply = Reply::Durable;
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(2));
        assert_eq!(d.take_released(), [out("a")], "b belongs to wave 2");
        d.poll(&mut vm, None).expect("durable");
        assert_eq!(d.take_released(), [(Stream::Stderr, "b".to_owned())]);
    }

    #[test]
    fn a_failed_wave_drops_its_held_output_and_is_reported() {
        let (mut vm, mut d) = bare(Duration::ZERO, Reply::Failed);
        d.emit(Stream::Stdout, "lost".into());
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
        let failed = d.pump(&mut vm, Some(Duration::ZERO), Urgency::Scheduled);
        assert_eq!(
            failed,
            Err(DriveError::Persist {
                wave: 1,
                error: "disk full".into()
            })
        );
        assert!(d.take_released().is_empty());
        assert_eq!(d.in_flight(), None);
        assert_eq!(vm.durable_wave(), 0);
    }

    #[test]
    fn unbuffered_output_is_released_at_once_and_waves_still_taken() {
        let mut vm = Vm::bare();
        vm.enable_durability();
        let sink = FakeSink {
            submitted: Vec::new(),
            outstanding: Vec::new(),
            reply: Reply::Pending,
            merge: false,
        };
        let config = DriveConfig {
            unbuffered_output: true,
            ..config(Duration::ZERO)
        };
        let mut d = WaveDriver::new(sink, &config);
        d.emit(Stream::Stdout, "now".into());
        assert_eq!(d.take_released(), [out("now")]);
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
    }

    #[test]
    fn in_memory_output_is_released_at_once_and_changes_are_forgotten() {
        let mut vm = Vm::bare();
        let mut d = WaveDriver::new(NoPersist, &DriveConfig::default());
        assert!(!d.is_persistent());
        change(&mut vm);
        d.emit(Stream::Stdout, "x".into());
        assert_eq!(d.take_released(), [out("x")]);
        assert_eq!(d.pump(&mut vm, None, Urgency::Now), Ok(None));
        assert!(!vm.heap.has_changes());
        assert_eq!(d.next_due(&mut vm, Urgency::Now), None);
        assert!(!d.may_wake(&mut vm));
        assert_eq!(d.flush(&mut vm, Urgency::Now), Ok(true));
        assert_eq!(d.finish(&mut vm, 0), Ok(()));
    }

    #[test]
    fn no_wave_is_taken_inside_atomically_but_the_last_one_is() {
        let mut vm = blocked_in("(define x 1) (atomically (set! x 2) (receive))");
        let mut d = driver(Duration::ZERO, Reply::Durable);
        d.emit(Stream::Stdout, "held".into());
        assert_eq!(d.next_due(&mut vm, Urgency::Now), None);
        assert_eq!(step(&mut d, &mut vm, Urgency::Now), None);
        assert_eq!(d.flush(&mut vm, Urgency::Now), Ok(false));
        assert!(d.take_released().is_empty());
        d.finish(&mut vm, 7).expect("durable");
        let last = d.sink.submitted.last().expect("the last wave");
        assert_eq!(last.finished, Some(7));
        assert_eq!(d.take_released(), [out("held")]);
    }

    #[test]
    fn the_last_wave_follows_the_one_in_flight_and_may_be_committed_with_it() {
        for merge in [true, false] {
            let (mut vm, mut d) = bare(Duration::ZERO, Reply::Pending);
            d.sink.merge = merge;
            d.emit(Stream::Stdout, "one".into());
            assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
            change(&mut vm);
            d.emit(Stream::Stdout, "two".into());
            d.sink.reply = Reply::Durable;
            d.finish(&mut vm, 3).expect("durable");
            let numbers: Vec<u64> = d.sink.submitted.iter().map(|w| w.number).collect();
            assert_eq!(
                numbers,
                [1, 2],
                "wave 2 was submitted with wave 1 in flight"
            );
            assert_eq!(d.sink.submitted[1].finished, Some(3));
            assert_eq!(d.in_flight(), None);
            assert_eq!(vm.durable_wave(), 2);
            assert_eq!(d.txn_counter(), Some(102));
            assert_eq!(d.take_released(), [out("one"), out("two")]);
        }
    }

    #[test]
    fn an_outcome_for_the_older_wave_leaves_the_last_one_in_flight() {
        let (mut vm, mut d) = bare(Duration::ZERO, Reply::Pending);
        assert_eq!(step(&mut d, &mut vm, Urgency::Scheduled), Some(1));
        change(&mut vm);
        d.emit(Stream::Stdout, "last".into());
        d.submit(&mut vm, Some(0), true);
        d.sink.reply = Reply::Durable;
        d.poll(&mut vm, None).expect("durable");
        assert_eq!(vm.durable_wave(), 1);
        assert_eq!(d.in_flight(), Some(2), "wave 2 has no outcome yet");
        assert!(d.take_released().is_empty(), "the output belongs to wave 2");
        d.settle(&mut vm).expect("durable");
        assert_eq!(d.take_released(), [out("last")]);
    }

    #[test]
    fn flush_makes_everything_durable() {
        let (mut vm, mut d) = bare(HOUR, Reply::Durable);
        d.emit(Stream::Stdout, "one".into());
        assert_eq!(step(&mut d, &mut vm, Urgency::Now), Some(1));
        change(&mut vm);
        d.emit(Stream::Stdout, "two".into());
        assert_eq!(d.flush(&mut vm, Urgency::Now), Ok(true));
        assert_eq!(d.in_flight(), None);
        assert!(!d.has_changes(&vm));
        assert_eq!(vm.durable_wave(), 2);
        assert_eq!(d.take_released(), [out("one"), out("two")]);
    }

    #[test]
    fn wait_idle_collects_the_wave_in_flight() {
        let (mut vm, mut d) = bare(HOUR, Reply::Durable);
        assert_eq!(step(&mut d, &mut vm, Urgency::Now), Some(1));
        assert!(
            !d.may_wake(&mut vm),
            "a wave in flight wakes no one when no process waits in (sync)"
        );
        d.wait_idle(&mut vm, None).expect("durable");
        assert_eq!(d.in_flight(), None);
        assert_eq!(vm.durable_wave(), 1);
    }

    #[test]
    fn a_program_that_ends_with_a_wave_in_flight_submits_its_last_wave_at_once() {
        // The sink answers nothing until the last wave comes (and panics if waited on
        // forever before that): a program must not wait for a wave that can wake no one.
        let (mut vm, pid) = spawned("(define x (list 1 2 3)) (display (length x))");
        let mut sink = FakeSink {
            submitted: Vec::new(),
            outstanding: Vec::new(),
            reply: Reply::OnceLastSubmitted,
            merge: true,
        };
        let mut out = String::new();
        let code = vm
            .drive(
                Some(pid),
                &mut sink,
                &config(Duration::ZERO),
                &mut |_, text| out.push_str(text),
            )
            .expect("durable");
        assert_eq!((code, out.as_str()), (0, "3"));
        let numbers: Vec<u64> = sink.submitted.iter().map(|w| w.number).collect();
        assert_eq!(numbers, [1, 2], "wave 1 was taken before the program ran");
        assert_eq!(vm.durable_wave(), 2);
    }
}
