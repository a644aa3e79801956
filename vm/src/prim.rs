//! Primitive procedures: how Rust functions are registered under Scheme names and what they may
//! ask of the interpreter.
//!
//! A primitive never calls Scheme code itself (that would recurse on the Rust stack and leave
//! state the heap cannot save). It returns an [`Action`]: a value to return, or a request such as
//! "tail-call this procedure" or "block until a message arrives", which the interpreter carries out.

use std::collections::HashMap;

use crate::error::Error;
use crate::heap::Heap;
use crate::object::{Object, PrimIndex};
use crate::value::{ObjId, Value};

/// What a primitive asks the interpreter to do next. The primitive's own continuation is
/// implicit (it is the continuation the primitive was called with) unless stated.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Return one value to the continuation.
    Return(Value),
    /// Return several values (`values`).
    Values(Vec<Value>),
    /// Call `f` with `args`, passing the primitive's continuation (a tail call).
    TailCall { f: Value, args: Vec<Value> },
    /// Call `f` with `args` and the continuation `k` (a frame the primitive built, typically a
    /// `NativeFrame` that continues the primitive's work).
    Call {
        f: Value,
        args: Vec<Value>,
        k: Value,
    },
    /// Return `vals` to the continuation `k` instead of the primitive's own.
    ReturnTo { k: Value, vals: Vec<Value> },
    /// Raise `obj` through the handler stack.
    Raise { obj: Value, continuable: bool },
    /// Suspend the process; when it wakes, the same primitive is called again with the same
    /// arguments.
    Block(Wait),
}

/// Why a process blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Until a message arrives or the wall-clock deadline (ms since the Unix epoch) passes.
    Receive { deadline: Option<u64> },
    /// Until the wall-clock deadline (ms since the Unix epoch).
    Sleep { deadline: u64 },
    /// Just give other processes a turn.
    Yield,
    /// Until wave `wave` is durable (`(sync)`, see `durability/`).
    Durable { wave: u64 },
}

/// The result of a primitive.
pub type PrimResult = Result<Action, Error>;

/// What a primitive sees of the machine while it runs.
pub struct Ctx<'a> {
    pub heap: &'a mut Heap,
    pub(crate) host: &'a mut Host,
    /// The running process (an [`Object::Process`]).
    pub(crate) process: ObjId,
    /// The continuation the primitive was called with.
    pub(crate) k: Value,
    /// The compiled call that led here, for error locations.
    pub(crate) site: Option<crate::interp::Site>,
    /// The heap's [`Object::Scheduler`].
    pub(crate) scheduler: ObjId,
}

impl Ctx<'_> {
    /// The running process.
    pub fn process(&self) -> ObjId {
        self.process
    }

    /// The heap's scheduler object (run queue, timers, live processes).
    pub fn scheduler(&self) -> ObjId {
        self.scheduler
    }

    /// The continuation this primitive returns to.
    pub fn continuation(&self) -> Value {
        self.k
    }

    /// `file:line:col` of the compiled call that led to this primitive, if known.
    pub fn location(&self) -> Option<String> {
        self.site
            .and_then(|s| crate::control::site_location(self.heap, s))
    }

    /// Text written to standard output, held by the host until it flushes.
    pub fn stdout(&mut self) -> &mut String {
        &mut self.host.stdout
    }

    /// Text written to standard error.
    pub fn stderr(&mut self) -> &mut String {
        &mut self.host.stderr
    }

    /// Wall-clock time in milliseconds since the Unix epoch (deadlines persist across restarts).
    pub fn now_ms(&self) -> u64 {
        crate::sched::now_ms()
    }
}

/// Host-side state that is not part of the heap: buffered output, not yet released.
#[derive(Debug, Default)]
pub struct Host {
    pub stdout: String,
    pub stderr: String,
    /// Wave numbers, `(sync)` waiters, `atomically` sections (see `durability/`).
    pub(crate) durability: crate::durability::DurableState,
}

/// The signature every primitive has once registered.
pub type PrimFn = Box<dyn Fn(&mut Ctx, &[Value]) -> PrimResult + Send + Sync>;

/// How many arguments a primitive takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrimArity {
    pub min: usize,
    /// `None` for any number above `min`.
    pub max: Option<usize>,
}

impl PrimArity {
    pub fn exactly(n: usize) -> PrimArity {
        PrimArity {
            min: n,
            max: Some(n),
        }
    }

    pub fn at_least(n: usize) -> PrimArity {
        PrimArity { min: n, max: None }
    }

    pub fn range(min: usize, max: usize) -> PrimArity {
        PrimArity {
            min,
            max: Some(max),
        }
    }

    pub fn accepts(self, n: usize) -> bool {
        n >= self.min && self.max.is_none_or(|m| n <= m)
    }
}

pub struct PrimEntry {
    pub name: &'static str,
    pub module: &'static str,
    pub arity: PrimArity,
    pub f: PrimFn,
}

/// Every primitive of the VM, by index and by name.
#[derive(Default)]
pub struct Registry {
    entries: Vec<PrimEntry>,
    by_name: HashMap<&'static str, PrimIndex>,
}

impl Registry {
    /// A group of primitives registered under one module name (for documentation and listings).
    pub fn module(&mut self, module: &'static str) -> Module<'_> {
        Module {
            registry: self,
            module,
        }
    }

    pub fn get(&self, idx: PrimIndex) -> Option<&PrimEntry> {
        self.entries.get(idx.0 as usize)
    }

    pub fn lookup(&self, name: &str) -> Option<PrimIndex> {
        self.by_name.get(name).copied()
    }

    pub fn entries(&self) -> impl Iterator<Item = (PrimIndex, &PrimEntry)> {
        self.entries.iter().enumerate().map(|(i, e)| {
            (
                PrimIndex(u32::try_from(i).expect("fewer than 2^32 primitives")),
                e,
            )
        })
    }

    fn add(&mut self, entry: PrimEntry) {
        let idx = PrimIndex(u32::try_from(self.entries.len()).expect("fewer than 2^32 primitives"));
        let name = entry.name;
        if let Some(&old) = self.by_name.get(name) {
            // A later registration replaces an earlier one (a module may specialize another's).
            self.entries[old.0 as usize] = entry;
        } else {
            self.entries.push(entry);
            self.by_name.insert(name, idx);
        }
    }
}

/// Registers primitives of one module. See `docs`/`notes/vm-api.md` for a guide.
pub struct Module<'r> {
    registry: &'r mut Registry,
    module: &'static str,
}

impl Module<'_> {
    /// Registers a primitive that works on the raw argument slice and may return any [`Action`].
    /// The interpreter checks `arity` before calling it.
    pub fn raw(
        &mut self,
        name: &'static str,
        arity: PrimArity,
        f: impl Fn(&mut Ctx, &[Value]) -> PrimResult + Send + Sync + 'static,
    ) -> &mut Self {
        self.registry.add(PrimEntry {
            name,
            module: self.module,
            arity,
            f: Box::new(f),
        });
        self
    }

    /// Registers a typed function: its arguments convert with [`Arg`] (a [`FromValue`] type, or
    /// an `Option` of one for an optional trailing argument) and its result with [`IntoAction`].
    /// A conversion failure raises "name: argument N: expected TYPE".
    pub fn func<M>(&mut self, name: &'static str, f: impl IntoPrim<M>) -> &mut Self {
        let arity = f.arity();
        self.registry.add(PrimEntry {
            name,
            module: self.module,
            arity,
            f: f.into_prim(),
        });
        self
    }
}

/// Conversion of a Scheme value to a Rust argument type.
pub trait FromValue: Sized {
    /// What the type is called in "expected ..." messages.
    const EXPECTED: &'static str;
    fn from_value(heap: &Heap, v: Value) -> Option<Self>;
}

/// Conversion of a Rust result to a Scheme value (allocating if needed).
pub trait IntoValue {
    fn into_value(self, heap: &mut Heap) -> Value;
}

/// A typed argument: required ([`FromValue`] types) or optional (`Option<T>`).
pub trait Arg: Sized {
    const REQUIRED: bool;
    /// Converts argument `position` (1-based); `v` is `None` when the caller omitted it.
    fn from_arg(heap: &Heap, v: Option<Value>, position: usize) -> Result<Self, Error>;
}

impl<T: FromValue> Arg for T {
    const REQUIRED: bool = true;
    fn from_arg(heap: &Heap, v: Option<Value>, position: usize) -> Result<Self, Error> {
        let v = v.ok_or_else(|| Error::msg(format!("missing argument {position}")))?;
        T::from_value(heap, v).ok_or_else(|| Error::wrong_arg(T::EXPECTED, position, v))
    }
}

impl<T: FromValue> Arg for Option<T> {
    const REQUIRED: bool = false;
    fn from_arg(heap: &Heap, v: Option<Value>, position: usize) -> Result<Self, Error> {
        match v {
            None | Some(Value::DEFAULT) => Ok(None),
            Some(v) => T::from_value(heap, v)
                .map(Some)
                .ok_or_else(|| Error::wrong_arg(T::EXPECTED, position, v)),
        }
    }
}

/// What a typed primitive may return: a value ([`IntoValue`]), an [`Action`], or a `Result` of
/// either.
pub trait IntoAction {
    fn into_action(self, heap: &mut Heap) -> PrimResult;
}

impl<T: IntoValue> IntoAction for T {
    fn into_action(self, heap: &mut Heap) -> PrimResult {
        Ok(Action::Return(self.into_value(heap)))
    }
}

impl<T: IntoValue> IntoAction for Result<T, Error> {
    fn into_action(self, heap: &mut Heap) -> PrimResult {
        self.map(|v| Action::Return(v.into_value(heap)))
    }
}

impl IntoAction for Action {
    fn into_action(self, _: &mut Heap) -> PrimResult {
        Ok(self)
    }
}

impl IntoAction for PrimResult {
    fn into_action(self, _: &mut Heap) -> PrimResult {
        self
    }
}

/// Implemented for `Fn(&mut Ctx, A1, .., An) -> R` with `Ai: Arg`, `R: IntoAction`, n <= 6.
pub trait IntoPrim<Marker> {
    fn arity(&self) -> PrimArity;
    fn into_prim(self) -> PrimFn;
}

macro_rules! impl_into_prim {
    ($($a:ident),*) => {
        impl<F, R, $($a,)*> IntoPrim<(R, $($a,)*)> for F
        where
            F: Fn(&mut Ctx, $($a,)*) -> R + Send + Sync + 'static,
            R: IntoAction,
            $($a: Arg,)*
        {
            #[allow(unused_mut, unused_variables)]
            fn arity(&self) -> PrimArity {
                let mut min = 0;
                let mut max = 0;
                $(
                    max += 1;
                    if $a::REQUIRED { min = max; }
                )*
                PrimArity::range(min, max)
            }

            #[allow(non_snake_case, unused_mut, unused_variables, unused_assignments)]
            fn into_prim(self) -> PrimFn {
                Box::new(move |ctx: &mut Ctx, args: &[Value]| {
                    let mut position = 0;
                    $(
                        position += 1;
                        let $a = $a::from_arg(ctx.heap, args.get(position - 1).copied(), position)?;
                    )*
                    (self)(ctx, $($a,)*).into_action(ctx.heap)
                })
            }
        }
    };
}

impl_into_prim!();
impl_into_prim!(A1);
impl_into_prim!(A1, A2);
impl_into_prim!(A1, A2, A3);
impl_into_prim!(A1, A2, A3, A4);
impl_into_prim!(A1, A2, A3, A4, A5);
impl_into_prim!(A1, A2, A3, A4, A5, A6);

/// The primitive procedure object for `idx`, for storing as a global.
pub(crate) fn primitive_object(name: &'static str, idx: PrimIndex) -> Object {
    Object::Primitive(crate::object::Primitive {
        name: name.into(),
        index: idx,
    })
}
