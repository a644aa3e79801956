//! The VM's side of durability that is not heap data: wave numbers, processes waiting in
//! `(sync)`, processes inside `(atomically ...)`. None of it needs saving: a wave is never
//! taken inside `atomically`, and everything a resumed VM reads from the store is durable.

use crate::heap::Heap;
use crate::object::{Object, ProcStatus};
use crate::value::ObjId;
use crate::vm::Vm;

#[derive(Debug, Default)]
pub(crate) struct DurableState {
    /// Whether waves are committed. False until [`Vm::enable_durability`] and with
    /// `--no-persist`: `(sync)` then returns at once.
    pub(crate) persistent: bool,
    /// The wave being accumulated: what runs now lands in it.
    pub(crate) open_wave: u64,
    /// The last wave known durable.
    pub(crate) durable_wave: u64,
    /// `(wave, process)` of processes blocked in `(sync)` until `wave` is durable.
    pub(crate) syncers: Vec<(u64, ObjId)>,
    /// `(process, its number, nesting depth)` of processes inside `(atomically ...)`. The
    /// number tells a process from a later object reusing a collected process's id.
    pub(crate) atomic: Vec<(ObjId, u64, u32)>,
    /// Whether the expander environment must go with the next wave.
    pub(crate) expand_env_changed: bool,
    /// Host entries for the next wave.
    pub(crate) meta: Vec<(String, Vec<u8>)>,
    /// How many times in a row a collection of young objects between waves found a tenth
    /// or more of the newborns alive; each doubles the allocations before the next one
    /// (see `young.rs`).
    pub(crate) young_backoff: u32,
    /// The list a collection between waves builds of what was touched since the previous
    /// one, kept empty between collections for its memory.
    pub(crate) young_touched: Vec<ObjId>,
}

impl DurableState {
    /// Whether some live process is inside `(atomically ...)`; forgets processes that ended
    /// inside one (an uncaught error skips the `dynamic-wind` exit).
    pub(crate) fn in_atomic_section(&mut self, heap: &Heap) -> bool {
        self.atomic.retain(|&(pid, number, _)| {
            matches!(heap.try_get(pid), Some(Object::Process(p)) if p.number == number && p.status.is_alive())
        });
        !self.atomic.is_empty()
    }

    pub(crate) fn atomic_depth(&self, pid: ObjId) -> u32 {
        self.atomic.iter().find(|e| e.0 == pid).map_or(0, |e| e.2)
    }
}

impl Vm {
    /// Turns on durability for a VM whose heap is new (nothing stored yet): the first wave
    /// will carry the whole heap and the expander environment.
    pub fn enable_durability(&mut self) {
        let d = &mut self.host.durability;
        d.persistent = true;
        d.open_wave = 1;
        d.durable_wave = 0;
        d.expand_env_changed = true;
    }

    /// Turns on durability for a VM resumed from a store whose last durable wave is `wave`.
    /// Everything read from the store is durable, so processes that were waiting in `(sync)`
    /// are made runnable.
    pub fn resume_durability(&mut self, wave: u64) {
        let d = &mut self.host.durability;
        d.persistent = true;
        d.open_wave = wave + 1;
        d.durable_wave = wave;
        self.heap.set_all_stored();
        let syncing: Vec<ObjId> = self
            .heap
            .iter()
            .filter_map(|(id, o)| match o {
                Object::Process(p) if matches!(p.status, ProcStatus::Syncing { .. }) => Some(id),
                _ => None,
            })
            .collect();
        for pid in syncing {
            self.wake_syncer(pid);
        }
    }

    /// Attaches an entry for the host (program name, source hash, ...) to the next wave.
    pub fn set_durable_meta(&mut self, key: &str, value: Vec<u8>) {
        let meta = &mut self.host.durability.meta;
        meta.retain(|(k, _)| k != key);
        meta.push((key.to_owned(), value));
    }

    /// Records that [`Vm::expand_env`] changed (after compiling a unit), so the next wave
    /// saves it.
    pub fn note_expand_env_changed(&mut self) {
        self.host.durability.expand_env_changed = true;
    }

    /// The last wave known durable.
    pub fn durable_wave(&self) -> u64 {
        self.host.durability.durable_wave
    }

    /// Marks waves up to `wave` durable and makes runnable the processes waiting for them.
    pub(crate) fn mark_durable(&mut self, wave: u64) {
        let d = &mut self.host.durability;
        d.durable_wave = d.durable_wave.max(wave);
        let durable = d.durable_wave;
        let mut ready = Vec::new();
        d.syncers.retain(|&(w, pid)| {
            if w <= durable {
                ready.push(pid);
                false
            } else {
                true
            }
        });
        for pid in ready {
            self.wake_syncer(pid);
        }
    }

    fn wake_syncer(&mut self, pid: ObjId) {
        match self.heap.get_mut(pid) {
            Object::Process(p) if matches!(p.status, ProcStatus::Syncing { .. }) => {
                p.status = ProcStatus::Runnable;
            }
            _ => return,
        }
        if let Object::Scheduler(s) = self.heap.get_mut(self.scheduler) {
            s.run_queue.push_back(pid);
        }
    }
}
