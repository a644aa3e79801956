//! The scheduler: a round-robin run queue of processes, each run for a slice of fuel, and a timer
//! set of wall-clock deadlines. Both live in the heap's [`Scheduler`] object, so a saved heap
//! resumes with the same processes waiting for the same deadlines.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::heap::Heap;
use crate::interp::SliceEnd;
use crate::native::NativeKind;
use crate::object::{Object, ProcState, ProcStatus, Process, Scheduler};
use crate::prim::Wait;
use crate::value::{ObjId, Value};
use crate::vm::{SLICE_FUEL, Vm};

/// Wall-clock milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO);
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

/// What the scheduler found when it ran out of work to do right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idle {
    /// Every process finished.
    AllDone,
    /// Some processes wait for messages nobody can send.
    Deadlocked,
    /// Nothing is runnable before this wall-clock deadline (ms since the Unix epoch).
    WaitUntil(u64),
    /// A process called `exit` with this status: the program is over.
    Exit(i32),
}

fn scheduler(heap: &mut Heap, id: ObjId) -> &mut Scheduler {
    match heap.get_mut(id) {
        Object::Scheduler(s) => s,
        other => panic!("scheduler root is a {}", other.type_name()),
    }
}

/// Makes a waiting process runnable (a message arrived or its deadline passed).
pub(crate) fn wake(heap: &mut Heap, sched: ObjId, pid: ObjId) {
    let deadline = match heap.get(pid) {
        Object::Process(p) => match p.status {
            ProcStatus::Receiving { deadline } => deadline,
            ProcStatus::Sleeping { deadline } => Some(deadline),
            _ => return,
        },
        _ => return,
    };
    if let Object::Process(p) = heap.get_mut(pid) {
        p.status = ProcStatus::Runnable;
    }
    let s = scheduler(heap, sched);
    if let Some(d) = deadline {
        s.timers.remove(&(d, pid));
    }
    s.run_queue.push_back(pid);
}

/// Creates a runnable process that calls `thunk` with no arguments.
pub(crate) fn spawn(heap: &mut Heap, sched: ObjId, thunk: Value) -> ObjId {
    let exit = crate::control::native_frame(heap, NativeKind::ProcessExit, &[]);
    let mailbox = heap.alloc(Object::Mailbox(Box::default()));
    let s = scheduler(heap, sched);
    s.next_number += 1;
    let number = s.next_number;
    let pid = heap.alloc(Object::Process(Box::new(Process {
        number,
        status: ProcStatus::Runnable,
        state: ProcState::Apply {
            f: thunk,
            args: vec![exit],
        },
        dyn_state: Value::FALSE,
        mailbox,
        result: Value::UNSPECIFIED,
    })));
    let s = scheduler(heap, sched);
    s.live.insert(pid);
    s.run_queue.push_back(pid);
    pid
}

impl Vm {
    /// Runs processes until none can run right now. Does not sleep.
    pub fn run_ready(&mut self) -> Idle {
        loop {
            match self.next_runnable() {
                Some(pid) => self.run_one(pid),
                None => return self.idle_state(),
            }
        }
    }

    /// Runs at most `slices` slices; `None` if there may be more to run right now.
    pub fn run_slices(&mut self, slices: usize) -> Option<Idle> {
        for _ in 0..slices {
            match self.next_runnable() {
                Some(pid) => self.run_one(pid),
                None => return Some(self.idle_state()),
            }
        }
        None
    }

    /// Runs until every process is done or blocked forever, sleeping through timers.
    pub fn run_to_completion(&mut self) -> Idle {
        loop {
            match self.run_ready() {
                Idle::WaitUntil(deadline) => {
                    let now = now_ms();
                    if deadline > now {
                        std::thread::sleep(Duration::from_millis(deadline - now));
                    }
                }
                other => return other,
            }
        }
    }

    /// The next process to run, after waking those whose deadline passed; `None` when nothing
    /// is runnable or the program is exiting.
    fn next_runnable(&mut self) -> Option<ObjId> {
        if self.exit_request.is_some() {
            return None;
        }
        self.wake_due(now_ms());
        // Read first: popping an empty queue through the barrier would dirty the scheduler.
        if matches!(self.heap.get(self.scheduler), Object::Scheduler(s) if s.run_queue.is_empty()) {
            return None;
        }
        scheduler(&mut self.heap, self.scheduler)
            .run_queue
            .pop_front()
    }

    fn idle_state(&mut self) -> Idle {
        if let Some(code) = self.exit_request {
            return Idle::Exit(code);
        }
        let Object::Scheduler(s) = self.heap.get(self.scheduler) else {
            return Idle::AllDone;
        };
        if let Some(&(deadline, _)) = s.timers.first() {
            Idle::WaitUntil(deadline)
        } else if s.live.is_empty() {
            Idle::AllDone
        } else {
            Idle::Deadlocked
        }
    }

    /// Makes runnable every process whose deadline is at or before `now`.
    fn wake_due(&mut self, now: u64) {
        loop {
            // Read first: the barrier would dirty the scheduler on every slice otherwise.
            let due = match self.heap.get(self.scheduler) {
                Object::Scheduler(s) => s.timers.first().copied().filter(|&(d, _)| d <= now),
                _ => None,
            };
            let Some(entry) = due else { return };
            // Remove the entry even if the process no longer waits on it, so a stale timer
            // cannot stall this loop.
            scheduler(&mut self.heap, self.scheduler)
                .timers
                .remove(&entry);
            wake(&mut self.heap, self.scheduler, entry.1);
        }
    }

    fn run_one(&mut self, pid: ObjId) {
        let end = self.run_slice(pid, SLICE_FUEL);
        self.regs.clear();
        match end {
            SliceEnd::Yielded | SliceEnd::Blocked(Wait::Yield) => {
                scheduler(&mut self.heap, self.scheduler)
                    .run_queue
                    .push_back(pid);
            }
            SliceEnd::Blocked(Wait::Receive { deadline }) => {
                self.set_status(pid, ProcStatus::Receiving { deadline });
                if let Some(d) = deadline {
                    scheduler(&mut self.heap, self.scheduler)
                        .timers
                        .insert((d, pid));
                }
            }
            SliceEnd::Blocked(Wait::Sleep { deadline }) => {
                self.set_status(pid, ProcStatus::Sleeping { deadline });
                scheduler(&mut self.heap, self.scheduler)
                    .timers
                    .insert((deadline, pid));
            }
            SliceEnd::Blocked(Wait::Durable { wave }) => {
                self.set_status(pid, ProcStatus::Syncing { wave });
                self.host.durability.syncers.push((wave, pid));
            }
            SliceEnd::Exited(v) => self.finish(pid, ProcStatus::Done, Some(v)),
            SliceEnd::Failed => self.finish(pid, ProcStatus::Failed, None),
        }
        if self.heap.allocated_since_gc >= self.gc_threshold {
            self.collect();
        }
    }

    fn set_status(&mut self, pid: ObjId, status: ProcStatus) {
        if let Object::Process(p) = self.heap.get_mut(pid) {
            p.status = status;
        }
    }

    fn finish(&mut self, pid: ObjId, status: ProcStatus, result: Option<Value>) {
        if let Object::Process(p) = self.heap.get_mut(pid) {
            p.status = status;
            p.state = ProcState::Finished;
            p.dyn_state = Value::FALSE;
            if let Some(v) = result {
                p.result = v;
            }
        }
        scheduler(&mut self.heap, self.scheduler).live.remove(&pid);
    }
}
