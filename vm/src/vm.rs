//! The virtual machine: a heap, the primitive registry, and host-side buffers. Built one way,
//! with [`Vm::new`], which registers every primitive and loads the Scheme prelude.

use pscheme_compiler::bytecode::CodeUnit;
use pscheme_compiler::expand::ExpandEnv;
use pscheme_compiler::span::SourceFiles;

use crate::heap::Heap;
use crate::load::LoadError;
use crate::object::{Object, ProcStatus};
use crate::prim::{Host, Registry};
use crate::value::{ObjId, Value};

/// Reductions a process runs before the scheduler switches to another.
pub(crate) const SLICE_FUEL: u32 = 2_000;

/// What is printed when a process ends with an uncaught exception.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessReport {
    /// The process's number (`#<process N>`).
    pub process: u64,
    /// The error message with its irritants, as `error-object-message` and `write` show them.
    pub message: String,
    /// `file:line:col` of the failing call, when known.
    pub location: Option<String>,
    /// Scheme-level backtrace, innermost frame first.
    pub backtrace: Vec<String>,
}

impl std::fmt::Display for ProcessReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: error: {}", self.message)?,
            None => write!(f, "error: {}", self.message)?,
        }
        for line in &self.backtrace {
            write!(f, "\n  in {line}")?;
        }
        Ok(())
    }
}

pub struct Vm {
    pub heap: Heap,
    pub(crate) prims: Registry,
    pub(crate) host: Host,
    /// The [`Object::Scheduler`].
    pub(crate) scheduler: ObjId,
    pub(crate) reports: Vec<ProcessReport>,
    /// The register file of the running process (saved into the process between slices).
    pub(crate) regs: Vec<Value>,
    /// Argument staging for calls.
    pub(crate) scratch: Vec<Value>,
    /// Collect when this many objects were allocated since the last collection.
    pub(crate) gc_threshold: usize,
    /// The compiler's top-level environment (macros, user globals) of the units loaded so far.
    /// Plain serde data: persistence saves it with the heap.
    pub expand_env: ExpandEnv,
    /// Source files compiled so far, for rendering diagnostics.
    pub(crate) files: SourceFiles,
    /// Set by `exit`: the program ends with this status.
    pub(crate) exit_request: Option<i32>,
}

impl Vm {
    /// A VM with every primitive registered and the Scheme prelude loaded.
    ///
    /// # Errors
    /// If the prelude fails to compile or run (a bug in `stdlib/`).
    pub fn new() -> Result<Vm, crate::RunError> {
        let mut vm = Vm::bare();
        crate::boot::load_prelude(&mut vm)?;
        Ok(vm)
    }

    /// A VM with primitives but no prelude (unit tests of hand-assembled code).
    pub(crate) fn bare() -> Vm {
        let mut heap = Heap::new();
        let scheduler = heap.alloc(Object::Scheduler(Box::default()));
        heap.roots.push(scheduler);
        let mut vm = Vm {
            heap,
            prims: Registry::default(),
            host: Host::default(),
            scheduler,
            reports: Vec::new(),
            regs: Vec::new(),
            scratch: Vec::new(),
            gc_threshold: crate::gc::MIN_GC_THRESHOLD,
            expand_env: ExpandEnv::default(),
            files: SourceFiles::new(),
            exit_request: None,
        };
        crate::prims::register_all(&mut vm.prims);
        vm.bind_primitives();
        vm
    }

    /// A VM around a heap read back from storage: `scheduler` is the heap's scheduler object and
    /// `roots` its other pinned roots, as [`Vm::roots`] returned when it was saved. Primitive
    /// objects are linked to this build's Rust functions by name; a primitive this build lacks
    /// raises an error when called.
    ///
    /// # Errors
    /// If `scheduler` is not a scheduler object of `heap`, or the heap fails
    /// [`Heap::validate`].
    pub fn resume(
        mut heap: Heap,
        scheduler: ObjId,
        roots: &[ObjId],
        expand_env: ExpandEnv,
    ) -> Result<Vm, String> {
        if !matches!(heap.try_get(scheduler), Some(Object::Scheduler(_))) {
            return Err(format!("object {scheduler} is not a scheduler"));
        }
        heap.validate().map_err(|problems| problems.join("; "))?;
        heap.rebuild_symbol_table();
        heap.roots = roots.to_vec();
        if !heap.roots.contains(&scheduler) {
            heap.roots.push(scheduler);
        }
        let mut vm = Vm {
            heap,
            prims: Registry::default(),
            host: Host::default(),
            scheduler,
            reports: Vec::new(),
            regs: Vec::new(),
            scratch: Vec::new(),
            gc_threshold: crate::gc::MIN_GC_THRESHOLD,
            expand_env,
            files: SourceFiles::new(),
            exit_request: None,
        };
        crate::prims::register_all(&mut vm.prims);
        vm.relink_primitives();
        Ok(vm)
    }

    /// The scheduler object and the pinned roots: what persistence must save besides objects.
    pub fn roots(&self) -> (ObjId, &[ObjId]) {
        (self.scheduler, &self.heap.roots)
    }

    fn relink_primitives(&mut self) {
        let ids: Vec<ObjId> = self
            .heap
            .iter()
            .filter(|(_, o)| matches!(o, Object::Primitive(_)))
            .map(|(id, _)| id)
            .collect();
        for id in ids {
            let name = match self.heap.get(id) {
                Object::Primitive(p) => p.name.clone(),
                _ => continue,
            };
            let index = self
                .prims
                .lookup(&name)
                .unwrap_or(crate::object::PrimIndex::UNRESOLVED);
            self.heap.link_primitive(id, index);
        }
    }

    /// Defines a global for every registered primitive.
    fn bind_primitives(&mut self) {
        let entries: Vec<_> = self.prims.entries().map(|(idx, e)| (idx, e.name)).collect();
        for (idx, name) in entries {
            let v = self
                .heap
                .alloc_value(crate::prim::primitive_object(name, idx));
            self.heap.define(name, v);
        }
    }

    /// The primitive registry (for listings and completion).
    pub fn registry(&self) -> &Registry {
        &self.prims
    }

    /// Loads a compiled unit into the heap and returns a procedure of no arguments running it.
    ///
    /// # Errors
    /// If the unit is malformed or of another format version.
    pub fn load(&mut self, unit: CodeUnit) -> Result<Value, LoadError> {
        crate::load::load_unit(&mut self.heap, unit)
    }

    /// Starts a process calling `thunk` with no arguments; returns the process object.
    pub fn spawn(&mut self, thunk: Value) -> ObjId {
        crate::sched::spawn(&mut self.heap, self.scheduler, thunk)
    }

    /// Delivers `msg` to process `pid` from the host, as the `send` primitive does: appends it to
    /// the mailbox and wakes the process if it waits for a message. False if `pid` is not a live
    /// process (the message is dropped).
    pub fn send(&mut self, pid: ObjId, msg: Value) -> bool {
        let (mailbox, status) = match self.heap.try_get(pid) {
            Some(Object::Process(p)) if p.status.is_alive() => (p.mailbox, p.status),
            _ => return false,
        };
        if let Object::Mailbox(mb) = self.heap.get_mut(mailbox) {
            mb.queue.push_back(msg);
        }
        if let ProcStatus::Receiving { .. } = status {
            crate::sched::wake(&mut self.heap, self.scheduler, pid);
        }
        true
    }

    /// Ends live process `pid` from the host: it becomes `Failed` with result `'killed`, without
    /// running its pending `dynamic-wind` after thunks. False if it was not alive.
    pub fn kill(&mut self, pid: ObjId) -> bool {
        if !self.process_status(pid).is_some_and(ProcStatus::is_alive) {
            return false;
        }
        let killed = self.heap.intern_value("killed");
        if let Object::Process(p) = self.heap.get_mut(pid) {
            p.status = ProcStatus::Failed;
            p.state = crate::object::ProcState::Finished;
            p.dyn_state = Value::FALSE;
            p.result = killed;
        }
        if let Object::Scheduler(s) = self.heap.get_mut(self.scheduler) {
            s.run_queue.retain(|&p| p != pid);
            s.timers.retain(|&(_, p)| p != pid);
            s.live.remove(&pid);
        }
        true
    }

    /// Keeps `id` alive across collections (a handle held by the host).
    pub fn pin(&mut self, id: ObjId) {
        self.heap.roots.push(id);
    }

    /// Releases one [`Vm::pin`] of `id`.
    pub fn unpin(&mut self, id: ObjId) {
        if let Some(i) = self.heap.roots.iter().rposition(|&r| r == id) {
            self.heap.roots.swap_remove(i);
        }
    }

    /// Standard output produced since the last call.
    pub fn take_output(&mut self) -> String {
        std::mem::take(&mut self.host.stdout)
    }

    /// Standard error output produced since the last call.
    pub fn take_error_output(&mut self) -> String {
        std::mem::take(&mut self.host.stderr)
    }

    /// Reports of processes that failed since the last call.
    pub fn take_reports(&mut self) -> Vec<ProcessReport> {
        std::mem::take(&mut self.reports)
    }

    /// The status of process `pid`.
    pub fn process_status(&self, pid: ObjId) -> Option<ProcStatus> {
        match self.heap.try_get(pid) {
            Some(Object::Process(p)) => Some(p.status),
            _ => None,
        }
    }

    /// The number process `pid` is shown with (`#<process N>`, [`ProcessReport::process`]).
    pub fn process_number(&self, pid: ObjId) -> Option<u64> {
        match self.heap.try_get(pid) {
            Some(Object::Process(p)) => Some(p.number),
            _ => None,
        }
    }

    /// The value process `pid` returned, or the object it raised if it failed.
    pub fn process_result(&self, pid: ObjId) -> Option<Value> {
        match self.heap.try_get(pid) {
            Some(Object::Process(p)) => Some(p.result),
            _ => None,
        }
    }
}
