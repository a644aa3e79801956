//! What an embedding host (the `pscheme-embed` crate) needs beyond running whole programs:
//! functions registered after boot, calls of a procedure with arguments, and a step-by-step
//! view of durability for hosts that drive the scheduler themselves.
//!
//! Host functions are primitives of module `"host"`. A heap refers to a primitive only by its
//! name ([`crate::object::Primitive`]), so a resumed heap calls whatever function the new host
//! registers under that name, and raises a Scheme error when it registered none.

use crate::durability::Wave;
use crate::object::{Object, ProcState};
use crate::prim::{Ctx, PrimArity, PrimResult};
use crate::value::{ObjId, Value};
use crate::vm::Vm;

/// The registry module host functions belong to.
pub const HOST_MODULE: &str = "host";

/// Why a host function could not be registered.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterError {
    /// A primitive of the VM itself has this name; a host may not replace it.
    Builtin(&'static str),
}

impl std::fmt::Display for RegisterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegisterError::Builtin(name) => {
                write!(
                    f,
                    "`{name}` is a primitive of the VM and cannot be replaced"
                )
            }
        }
    }
}

impl std::error::Error for RegisterError {}

impl Vm {
    /// Registers `f` as the host function `name` and binds the global `name` to it unless the
    /// global is already bound. Primitive objects of that name already in the heap (a resumed
    /// heap) are linked to `f`. Registering a name again replaces the function.
    ///
    /// # Errors
    /// [`RegisterError::Builtin`] if `name` is a primitive of the VM.
    pub fn register_host_fn(
        &mut self,
        name: &'static str,
        arity: PrimArity,
        f: impl Fn(&mut Ctx, &[Value]) -> PrimResult + Send + Sync + 'static,
    ) -> Result<(), RegisterError> {
        if let Some(idx) = self.prims.lookup(name)
            && self.prims.get(idx).is_some_and(|e| e.module != HOST_MODULE)
        {
            return Err(RegisterError::Builtin(name));
        }
        self.prims.module(HOST_MODULE).raw(name, arity, f);
        let idx = self.prims.lookup(name).expect("registered just above");
        let existing: Vec<ObjId> = self
            .heap
            .iter()
            .filter(|(_, o)| matches!(o, Object::Primitive(p) if &*p.name == name))
            .map(|(id, _)| id)
            .collect();
        for id in existing {
            self.heap.link_primitive(id, idx);
        }
        if self.heap.global_named(name).is_none() {
            let v = self
                .heap
                .alloc_value(crate::prim::primitive_object(name, idx));
            self.heap.define(name, v);
        }
        Ok(())
    }

    /// Starts a process calling `f` with `args`; returns the process object. Its result (or
    /// the object it raised) is [`Vm::process_result`] once it ends.
    pub fn spawn_call(&mut self, f: Value, args: &[Value]) -> ObjId {
        let pid = self.spawn(f);
        if let Object::Process(p) = self.heap.get_mut(pid)
            && let ProcState::Apply {
                args: call_args, ..
            } = &mut p.state
        {
            // `call_args[0]` is the continuation that ends the process.
            call_args.extend_from_slice(args);
        }
        pid
    }

    /// Drops every pinned root but the scheduler: a resumed heap's pins belonged to handles of
    /// a host that is gone.
    pub fn release_all_pins(&mut self) {
        let scheduler = self.scheduler;
        self.heap.roots.retain(|&r| r == scheduler);
    }

    /// Whether something must be committed: objects changed, or host entries or the expander
    /// environment wait for the next wave.
    pub fn has_unsaved_changes(&self) -> bool {
        let d = &self.host.durability;
        self.heap.has_changes() || d.expand_env_changed || !d.meta.is_empty()
    }

    /// Whether a process waits in `(sync)` for a wave not yet durable.
    pub fn sync_waiting(&self) -> bool {
        !self.host.durability.syncers.is_empty()
    }

    /// Captures the next wave (everything changed since the previous one), or `None` while a
    /// process is inside `(atomically ...)`. `finished` marks the last wave of a program that
    /// ended. Hand the wave to a [`crate::durability::WaveSink`] and report its durability
    /// with [`Vm::wave_durable`].
    pub fn take_wave(&mut self, finished: Option<i32>) -> Option<Wave> {
        if self.host.durability.in_atomic_section(&self.heap) {
            return None;
        }
        let awaited = finished.is_some() || self.sync_waiting();
        Some(self.capture_wave(finished, awaited))
    }

    /// Forgets the changes since the last wave, for a heap that is not persisted (the dirty
    /// set would otherwise grow without bound).
    pub fn discard_unsaved_changes(&mut self) {
        self.discard_changes();
    }

    /// Records that waves up to `wave` are durable: processes waiting in `(sync)` for them
    /// become runnable.
    pub fn wave_durable(&mut self, wave: u64) {
        self.mark_durable(wave);
    }
}
