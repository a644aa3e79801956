//! [`Engine`]: a VM, its handle table, its output, and (when persistent) its store.

use std::path::Path;
use std::time::{Duration, Instant};

use pscheme_persist::Writer;
use pscheme_vm::durability::{DriveConfig, WaveDriver, failure_line};
use pscheme_vm::object::{Object, ProcStatus};
use pscheme_vm::printer::write_string;
use pscheme_vm::run::Stream;
use pscheme_vm::{Idle, ObjId, Value, Vm};

use crate::builder::Builder;
use crate::convert::{Cx, FromScheme, IntoArgs, ToScheme};
use crate::error::{Error, SchemeError};
use crate::handle::{Handle, HandleTable};
use crate::host_fn::HostFn;
use crate::output::OutputSink;
use crate::persist::ResumeInfo;

/// Slices run between two looks at output and the wave schedule.
const SLICES_PER_STEP: usize = 16;

/// What the scheduler reached when it stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunState {
    /// The budget ran out while processes could still run.
    Busy,
    /// No process can run before this wall-clock time (ms since the Unix epoch): all wait for
    /// a timer (`sleep`, `receive-timeout`), messages or durability.
    WaitingUntil(u64),
    /// Processes exist but all wait for messages (only the host can wake them, with
    /// [`Engine::send`]).
    Waiting,
    /// No process is alive.
    AllDone,
    /// A process called `exit` with this status.
    Exited(i32),
}

/// An embedded pscheme VM.
///
/// Made by [`Engine::new`] (in memory) or [`Engine::builder`] (persistent, options). Every
/// Scheme evaluation runs in a process of the VM's scheduler; a call from the host runs the
/// scheduler (so other processes progress too) until that process ends.
///
/// ```
/// use pscheme_embed::Engine;
/// let mut engine = Engine::new()?;
/// engine.eval::<()>("(define (greet name) (string-append \"hello, \" name))")?;
/// let s: String = engine.call("greet", ("world",))?;
/// assert_eq!(s, "hello, world");
/// # Ok::<(), pscheme_embed::Error>(())
/// ```
pub struct Engine {
    pub(crate) vm: Vm,
    pub(crate) handles: HandleTable,
    pub(crate) output: OutputSink,
    /// The wave schedule: over the store's writer, or over no sink in memory and once closed.
    pub(crate) waves: WaveDriver<Option<Writer>>,
    pub(crate) resumed: Option<ResumeInfo>,
    pub(crate) closed: bool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("persistent", &self.waves.is_persistent())
            .field("resumed", &self.resumed)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine in memory, with output going to this process's stdout and stderr.
    ///
    /// # Errors
    /// [`Error::Internal`] if the VM's prelude fails (a bug in pscheme).
    pub fn new() -> Result<Engine, Error> {
        Builder::default().open()
    }

    /// Options for opening an engine: a store, the wave interval, where output goes.
    #[must_use]
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Builds an engine around a VM (fresh or resumed) whose pins belong to nobody.
    pub(crate) fn from_vm(mut vm: Vm, output: OutputSink) -> Engine {
        vm.release_all_pins();
        let handles = HandleTable::new(&mut vm.heap);
        vm.pin(handles.vector());
        Engine {
            vm,
            handles,
            output,
            waves: WaveDriver::new(None, &DriveConfig::default()),
            resumed: None,
            closed: false,
        }
    }

    /// When the engine was opened on a store that held a heap: the state it resumed.
    /// `None` for a new store or an in-memory engine: the host sets its program up.
    #[must_use]
    pub fn resumed(&self) -> Option<ResumeInfo> {
        self.resumed
    }

    fn cx(&mut self) -> Cx<'_> {
        Cx {
            heap: &mut self.vm.heap,
            handles: &self.handles,
        }
    }

    /// Evaluates `source` (one or more top-level forms) and converts the value of the last.
    /// Definitions stay (and persist, on a store).
    ///
    /// ```
    /// # let mut engine = pscheme_embed::Engine::new()?;
    /// let v: Vec<i64> = engine.eval("(define xs (list 1 2 3)) (map (lambda (x) (* x x)) xs)")?;
    /// assert_eq!(v, [1, 4, 9]);
    /// # Ok::<(), pscheme_embed::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Compile`] with rendered diagnostics, [`Error::Scheme`] for an uncaught
    /// exception (with message, irritants and `file:line:col`), [`Error::Convert`].
    pub fn eval<R: FromScheme>(&mut self, source: &str) -> Result<R, Error> {
        self.eval_named(source, "<eval>")
    }

    /// [`Engine::eval`] naming the source `file_name` in messages and locations.
    ///
    /// # Errors
    /// As [`Engine::eval`].
    pub fn eval_named<R: FromScheme>(&mut self, source: &str, file_name: &str) -> Result<R, Error> {
        let compiled = self.vm.compile(source, file_name).map_err(|e| match e {
            pscheme_vm::RunError::Compile(text) => Error::Compile(text),
            other => Error::Internal(other.to_string()),
        })?;
        self.vm.note_expand_env_changed();
        let warnings = self.vm.render_warnings(&compiled);
        self.waves.emit(Stream::Stderr, warnings);
        let thunk = self
            .vm
            .load(compiled.unit)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let pid = self.vm.spawn_call(thunk, &[]);
        self.finish_call(pid)
    }

    /// Reads and evaluates the file at `path`; returns the value of its last form.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read; otherwise as [`Engine::eval`].
    pub fn load_file<R: FromScheme>(&mut self, path: impl AsRef<Path>) -> Result<R, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)?;
        self.eval_named(&text, &path.display().to_string())
    }

    /// Calls the procedure bound to the global `name` with `args` and converts its result.
    ///
    /// ```
    /// # let mut engine = pscheme_embed::Engine::new()?;
    /// let n: i64 = engine.call("+", (1, 2, 39))?;
    /// assert_eq!(n, 42);
    /// let parts: Vec<String> = engine.call("list", ("a", "b"))?;
    /// assert_eq!(parts, ["a", "b"]);
    /// # Ok::<(), pscheme_embed::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Unbound`], [`Error::NotAProcedure`], [`Error::Scheme`] if it raises,
    /// [`Error::Blocked`] if it waits forever, [`Error::Convert`].
    pub fn call<R: FromScheme>(&mut self, name: &str, args: impl IntoArgs) -> Result<R, Error> {
        let f = self.global_value(name)?;
        self.call_value(f, args)
    }

    /// Calls the procedure `f` holds.
    ///
    /// ```
    /// # let mut engine = pscheme_embed::Engine::new()?;
    /// let add1 = engine.eval::<pscheme_embed::Handle>("(lambda (x) (+ x 1))")?;
    /// assert_eq!(engine.call_handle::<i64>(&add1, (41,))?, 42);
    /// # Ok::<(), pscheme_embed::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Engine::call`]; [`Error::ForeignHandle`] for a handle of another engine.
    pub fn call_handle<R: FromScheme>(
        &mut self,
        f: &Handle,
        args: impl IntoArgs,
    ) -> Result<R, Error> {
        let f = f.value_in(&self.handles)?;
        self.call_value(f, args)
    }

    fn call_value<R: FromScheme>(&mut self, f: Value, args: impl IntoArgs) -> Result<R, Error> {
        if !self.vm.heap.is_procedure(f) {
            return Err(Error::NotAProcedure(write_string(&self.vm.heap, f)));
        }
        let args = args.into_args(&mut self.cx())?;
        let pid = self.vm.spawn_call(f, &args);
        self.finish_call(pid)
    }

    fn global_value(&self, name: &str) -> Result<Value, Error> {
        self.vm
            .heap
            .global_named(name)
            .ok_or_else(|| Error::Unbound(name.to_owned()))
    }

    /// A handle to the value of the global `name`.
    ///
    /// # Errors
    /// [`Error::Unbound`] if there is no such global.
    pub fn global(&mut self, name: &str) -> Result<Handle, Error> {
        let v = self.global_value(name)?;
        Ok(self.handles.root(&mut self.vm.heap, v))
    }

    /// Reads the value of the global `name` into a Rust type.
    ///
    /// # Errors
    /// [`Error::Unbound`], [`Error::Convert`].
    pub fn get<R: FromScheme>(&mut self, name: &str) -> Result<R, Error> {
        let v = self.global_value(name)?;
        R::from_scheme(&mut self.cx(), v)
    }

    /// Defines (or sets) the global `name` to `value`.
    ///
    /// ```
    /// # let mut engine = pscheme_embed::Engine::new()?;
    /// engine.define("limits", &vec![("low", 1), ("high", 9)])?;
    /// assert_eq!(engine.eval::<i64>("(cadr (cadr limits))")?, 9);
    /// # Ok::<(), pscheme_embed::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Convert`] if `value` cannot be converted.
    pub fn define(&mut self, name: &str, value: impl ToScheme) -> Result<(), Error> {
        let v = value.to_scheme(&mut self.cx())?;
        self.vm.heap.define(name, v);
        Ok(())
    }

    /// Converts a Rust value to a Scheme value held by a handle.
    ///
    /// # Errors
    /// [`Error::Convert`].
    pub fn to_handle(&mut self, value: impl ToScheme) -> Result<Handle, Error> {
        let v = value.to_scheme(&mut self.cx())?;
        Ok(self.handles.root(&mut self.vm.heap, v))
    }

    /// Reads the value a handle holds into a Rust type.
    ///
    /// # Errors
    /// [`Error::ForeignHandle`], [`Error::Convert`].
    pub fn read<R: FromScheme>(&mut self, handle: &Handle) -> Result<R, Error> {
        let v = handle.value_in(&self.handles)?;
        R::from_scheme(&mut self.cx(), v)
    }

    /// The written form of a handle's value, as `write` prints it.
    ///
    /// # Errors
    /// [`Error::ForeignHandle`].
    pub fn write_string(&self, handle: &Handle) -> Result<String, Error> {
        Ok(write_string(&self.vm.heap, handle.value_in(&self.handles)?))
    }

    /// Registers a Rust function under `name`, callable from Scheme. Its arguments convert
    /// from Scheme (any `DeserializeOwned` types, up to six), its `Ok` value back to Scheme;
    /// an `Err` raises a Scheme error with the error's message.
    ///
    /// A persisted heap refers to host functions by name only. Register the same names after
    /// reopening a store; a resumed heap calling a name the new host did not register raises
    /// the Scheme error "primitive NAME is not available in this VM", which Scheme code can
    /// catch like any other.
    ///
    /// ```
    /// # let mut engine = pscheme_embed::Engine::new()?;
    /// engine.register_fn("host-add", |a: i64, b: i64| Ok::<_, String>(a + b))?;
    /// assert_eq!(engine.eval::<i64>("(host-add 40 2)")?, 42);
    /// engine.register_fn("host-div", |a: i64, b: i64| {
    ///     a.checked_div(b).ok_or("division by zero")
    /// })?;
    /// let err = engine.eval::<i64>("(host-div 1 0)").unwrap_err();
    /// assert!(err.to_string().contains("division by zero"), "{err}");
    /// # Ok::<(), pscheme_embed::Error>(())
    /// ```
    ///
    /// The function must be `Send + Sync + 'static`: share host state with it through an
    /// `Arc<Mutex<..>>` or channels. It must not block for long: the whole VM waits for it.
    ///
    /// # Errors
    /// [`Error::Builtin`] if `name` is one of the VM's own primitives.
    pub fn register_fn<M>(&mut self, name: &'static str, f: impl HostFn<M>) -> Result<(), Error> {
        let arity = pscheme_vm::prim::PrimArity::exactly(f.arity());
        self.vm
            .register_host_fn(name, arity, move |ctx, args| {
                f.call(ctx.heap, args).map(pscheme_vm::Action::Return)
            })
            .map_err(|_| Error::Builtin(name.to_owned()))
    }

    /// Starts a process running the procedure `f` with `args`; returns the process.
    ///
    /// # Errors
    /// [`Error::NotAProcedure`], [`Error::Convert`], [`Error::ForeignHandle`].
    pub fn spawn(&mut self, f: &Handle, args: impl IntoArgs) -> Result<Handle, Error> {
        let f = f.value_in(&self.handles)?;
        if !self.vm.heap.is_procedure(f) {
            return Err(Error::NotAProcedure(write_string(&self.vm.heap, f)));
        }
        let args = args.into_args(&mut self.cx())?;
        let pid = self.vm.spawn_call(f, &args);
        Ok(self.handles.root(&mut self.vm.heap, Value::obj(pid)))
    }

    /// Delivers `message` to the process `process` holds, as Scheme's `send` does. Returns
    /// false if the process has ended (the message is dropped). The process runs when the
    /// scheduler next runs.
    ///
    /// ```
    /// # let mut engine = pscheme_embed::Engine::new()?;
    /// engine.eval::<()>("(define inbox '())")?;
    /// let p = engine.eval("(spawn (lambda () (set! inbox (receive))))")?;
    /// assert!(engine.send(&p, &(1, "one"))?);
    /// engine.run_until_idle()?;
    /// assert_eq!(engine.get::<(i64, String)>("inbox")?, (1, "one".to_owned()));
    /// # Ok::<(), pscheme_embed::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NotAProcess`], [`Error::Convert`], [`Error::ForeignHandle`].
    pub fn send(&mut self, process: &Handle, message: impl ToScheme) -> Result<bool, Error> {
        let p = process.value_in(&self.handles)?;
        let Some(pid) = p
            .as_obj()
            .filter(|&id| matches!(self.vm.heap.try_get(id), Some(Object::Process(_))))
        else {
            return Err(Error::NotAProcess(write_string(&self.vm.heap, p)));
        };
        let msg = message.to_scheme(&mut self.cx())?;
        Ok(self.vm.send(pid, msg))
    }

    /// Runs processes until none can run right now (all done, or waiting for messages,
    /// timers or durability). Does not sleep.
    ///
    /// # Errors
    /// [`Error::Persist`](crate::Error) if a wave cannot be committed (persistent engines).
    pub fn run_until_idle(&mut self) -> Result<RunState, Error> {
        loop {
            let state = self.step(SLICES_PER_STEP)?;
            if state != RunState::Busy {
                return Ok(state);
            }
        }
    }

    /// Runs at most `slices` scheduler slices (each at most 2,000 reductions of one process).
    ///
    /// # Errors
    /// As [`Engine::run_until_idle`].
    pub fn run_slices(&mut self, slices: usize) -> Result<RunState, Error> {
        let mut left = slices;
        while left > 0 {
            let n = left.min(SLICES_PER_STEP);
            left -= n;
            let state = self.step(n)?;
            if state != RunState::Busy {
                return Ok(state);
            }
        }
        Ok(RunState::Busy)
    }

    /// Runs processes for about `time`, sleeping through timers, and returns early when no
    /// process is alive or all wait for messages.
    ///
    /// # Errors
    /// As [`Engine::run_until_idle`].
    pub fn run_for(&mut self, time: Duration) -> Result<RunState, Error> {
        let end = Instant::now() + time;
        loop {
            let state = self.step(SLICES_PER_STEP)?;
            let now = Instant::now();
            match state {
                RunState::Busy if now < end => {}
                RunState::WaitingUntil(deadline) if now < end => {
                    let wake = end.min(
                        now + Duration::from_millis(
                            deadline.saturating_sub(pscheme_vm::sched::now_ms()),
                        ),
                    );
                    self.idle_wait(wake)?;
                }
                other => return Ok(other),
            }
        }
    }

    /// Runs the scheduler until no process is alive, or all wait for messages, or one calls
    /// `exit`; sleeps through timers.
    ///
    /// # Errors
    /// As [`Engine::run_until_idle`].
    pub fn run_to_completion(&mut self) -> Result<RunState, Error> {
        loop {
            match self.step(SLICES_PER_STEP)? {
                RunState::Busy => {}
                RunState::WaitingUntil(deadline) => {
                    let wait = deadline.saturating_sub(pscheme_vm::sched::now_ms());
                    self.idle_wait(Instant::now() + Duration::from_millis(wait))?;
                }
                other => return Ok(other),
            }
        }
    }

    /// One bounded step: clears released handles, runs up to `slices` slices, passes output
    /// on, and advances persistence.
    fn step(&mut self, slices: usize) -> Result<RunState, Error> {
        self.handles.collect_released(&mut self.vm.heap);
        let idle = self.vm.run_slices(slices);
        self.forward_output(None);
        self.pump()?;
        Ok(match idle {
            None => RunState::Busy,
            Some(Idle::WaitUntil(t)) => RunState::WaitingUntil(t),
            Some(Idle::Deadlocked) => RunState::Waiting,
            Some(Idle::AllDone) => RunState::AllDone,
            Some(Idle::Exit(code)) => RunState::Exited(code),
        })
    }

    /// Passes output and failure reports on; the report of process `own` (a host call whose
    /// failure becomes an `Err`) is not printed.
    pub(crate) fn forward_output(&mut self, own: Option<u64>) {
        self.waves.collect_output(&mut self.vm, |report| {
            (Some(report.process) != own).then(|| failure_line(report))
        });
        self.show_released();
    }

    /// Runs the scheduler until process `pid` ends; converts its result.
    fn finish_call<R: FromScheme>(&mut self, pid: ObjId) -> Result<R, Error> {
        self.vm.pin(pid);
        let outcome = self.wait_for(pid);
        let result = outcome.and_then(|()| self.call_result(pid));
        self.vm.unpin(pid);
        result
    }

    fn wait_for(&mut self, pid: ObjId) -> Result<(), Error> {
        let number = self.vm.process_number(pid);
        loop {
            self.handles.collect_released(&mut self.vm.heap);
            let idle = self.vm.run_slices(SLICES_PER_STEP);
            self.forward_output(number);
            self.pump()?;
            // Checked first: the process that called `exit` has ended too.
            if let Some(Idle::Exit(code)) = idle {
                return Err(Error::Exited(code));
            }
            if !self
                .vm
                .process_status(pid)
                .is_some_and(ProcStatus::is_alive)
            {
                return Ok(());
            }
            match idle {
                None => {}
                Some(Idle::WaitUntil(deadline)) => {
                    let wait = deadline.saturating_sub(pscheme_vm::sched::now_ms());
                    self.idle_wait(Instant::now() + Duration::from_millis(wait))?;
                }
                Some(_) => {
                    // Blocked: only durability (a `(sync)` in flight) can still wake it.
                    if !self.persist_pending() {
                        return Err(Error::Blocked);
                    }
                    self.idle_wait(Instant::now() + Duration::from_secs(1))?;
                }
            }
        }
    }

    fn call_result<R: FromScheme>(&mut self, pid: ObjId) -> Result<R, Error> {
        let result = self.vm.process_result(pid).unwrap_or(Value::UNSPECIFIED);
        match self.vm.process_status(pid) {
            Some(ProcStatus::Failed) => Err(Error::Scheme(Box::new(self.scheme_error(result)))),
            _ => R::from_scheme(&mut self.cx(), result),
        }
    }

    /// What the host sees of a raised object.
    fn scheme_error(&self, raised: Value) -> SchemeError {
        let heap = &self.vm.heap;
        let strings = |v: Value| -> Vec<String> {
            heap.list_to_vec(v)
                .unwrap_or_default()
                .into_iter()
                .map(|s| heap.string_text(s).unwrap_or_else(|| write_string(heap, s)))
                .collect()
        };
        match heap.object(raised) {
            Some(Object::Error(e)) => SchemeError {
                message: heap
                    .string_text(e.message)
                    .unwrap_or_else(|| write_string(heap, e.message)),
                irritants: heap
                    .list_to_vec(e.irritants)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| write_string(heap, v))
                    .collect(),
                location: heap.string_text(e.location),
                backtrace: strings(e.backtrace),
            },
            _ => SchemeError {
                message: format!("uncaught exception: {}", write_string(heap, raised)),
                irritants: Vec::new(),
                location: None,
                backtrace: Vec::new(),
            },
        }
    }

    /// Standard output and error captured so far (with [`Output::Capture`](crate::Output)).
    /// Empty otherwise.
    pub fn take_output(&mut self) -> crate::Captured {
        self.output.take_captured()
    }
}
