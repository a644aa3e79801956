//! Heap objects. Every object is plain data: it refers to other objects only through [`Value`]s
//! and [`ObjId`]s, so it encodes to bytes as is (see `encode.rs`) and the collector traces it
//! through [`Object::for_each_ref`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use num_bigint::BigInt;
use pscheme_compiler::bytecode::{Block, CodeUnit};
use serde::{Deserialize, Serialize};

use crate::native::NativeKind;
use crate::value::{ObjId, Value};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Object {
    Pair(Value, Value),
    Vector(Vec<Value>),
    /// Characters, not UTF-8, so that `string-ref` and `string-set!` are O(1).
    String(Vec<char>),
    Bytevector(Vec<u8>),
    Symbol(Symbol),
    /// An exact integer outside the fixnum range. Never holds a value that fits a fixnum.
    Bignum(Box<BigInt>),
    Flonum(f64),
    /// A procedure: a closure over a lambda block.
    Closure(Closure),
    /// A continuation frame: a closure over a continuation block. Calling it returns to it.
    Frame(Closure),
    /// A continuation frame whose code is in Rust (a step of dynamic-wind, the end of a process,
    /// ...). Its behaviour is named by `kind`, so it persists like any other frame.
    NativeFrame(NativeFrame),
    /// The procedure `call/cc` passes: reinstates `k` and the dynamic state it was captured in.
    Continuation(Continuation),
    /// A procedure made by `%case-lambda`: calls the first closure whose arity accepts the
    /// arguments.
    CaseLambda(Vec<Value>),
    /// A loaded code unit. Closures and frames refer to it by id.
    Code(Code),
    Box(Value),
    Record(Record),
    RecordType(RecordType),
    HashTable(Box<HashTable>),
    Promise(Promise),
    Parameter(Parameter),
    /// One node of a process's dynamic state (see [`DynState`]).
    DynState(Box<DynState>),
    Error(Box<ErrorObj>),
    Process(Box<Process>),
    Mailbox(Box<Mailbox>),
    Primitive(Primitive),
    Port(Box<Port>),
    Scheduler(Box<Scheduler>),
}

/// An interned (or uninterned) symbol. A symbol is also the value cell of the global of its name.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Symbol {
    pub name: Box<str>,
    /// [`Value::UNBOUND`] while the global has no value.
    pub value: Value,
    pub interned: bool,
}

impl Symbol {
    /// Whether the symbol holds anything its name does not give back: then an interned one
    /// must outlive every reference to it, since interning the name again would not restore
    /// it, and the collector treats it as a root. Otherwise the symbol table holds it weakly
    /// (see `heap.rs`). A new field that is not derived from the name must be checked here.
    pub fn holds_state(&self) -> bool {
        self.value != Value::UNBOUND
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Closure {
    /// A [`Object::Code`].
    pub code: ObjId,
    pub block: u32,
    pub free: Box<[Value]>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NativeFrame {
    pub kind: NativeKind,
    /// Saved values; their meaning depends on `kind`. The continuation to return to, when there
    /// is one, is always `vals[0]` (backtraces walk through it).
    pub vals: Box<[Value]>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Continuation {
    pub k: Value,
    /// The [`Object::DynState`] (or `#f` for the empty one) current when captured.
    pub dyn_state: Value,
}

/// A compiled unit after loading: the compiler's [`CodeUnit`] plus its constants as heap values
/// and its global names as symbols. Immutable once loaded, hence shared through an `Arc` so the
/// interpreter can run it without borrowing the heap.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Code(pub Arc<LoadedCode>);

#[derive(Debug, Serialize, Deserialize)]
pub struct LoadedCode {
    pub unit: CodeUnit,
    /// `unit.constants` converted to values, index for index.
    pub consts: Vec<Value>,
    /// The symbols naming `unit.globals`, index for index.
    pub globals: Vec<ObjId>,
}

impl LoadedCode {
    pub fn block(&self, idx: u32) -> &Block {
        &self.unit.blocks[idx as usize]
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    /// A [`Object::RecordType`].
    pub rtd: ObjId,
    pub fields: Box<[Value]>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RecordType {
    /// A symbol.
    pub name: Value,
    /// Field names, as symbols.
    pub fields: Box<[Value]>,
}

/// How a hash table compares keys. The hashing itself lives in `prims/hashtables.rs`; it must be
/// deterministic across runs (no random seeds), because tables persist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum HashKind {
    Eq,
    Eqv,
    Equal,
    String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HashTable {
    pub kind: HashKind,
    /// Buckets by key hash; each holds the `(key, value)` entries with that hash.
    /// Ordered, so iteration (`hash-table-keys`, `->alist`) is the same on every run.
    pub buckets: BTreeMap<u64, Vec<(Value, Value)>>,
    pub len: usize,
    pub mutable: bool,
}

/// An R7RS promise in the shape of the reference implementation: when `done`, `value` is the
/// value; otherwise it is the thunk that computes it (or another promise after `delay-force`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Promise {
    pub done: bool,
    pub value: Value,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Parameter {
    /// The value outside any `parameterize`.
    pub value: Value,
    /// The converter procedure, or `#f`.
    pub converter: Value,
}

/// A node of a process's dynamic state. Nodes form a tree through `parent`; a process points at
/// one node, and a [`Continuation`] remembers the node it was captured in. Entering
/// `dynamic-wind`, installing a handler or parameterizing pushes a node; escaping to a
/// continuation runs the `after` thunks of the nodes left and the `before` thunks of the nodes
/// entered, so handlers and parameters are restored by the same walk.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DynState {
    /// The enclosing node, or `#f` at the root.
    pub parent: Value,
    /// Distance from the root (the root's children have depth 1).
    pub depth: u32,
    /// `(before . after)` of a `dynamic-wind`, or `#f`.
    pub winder: Value,
    /// The handler stack as a list, innermost first.
    pub handlers: Value,
    /// Parameterizations as an alist `((parameter . value) ...)`, innermost first.
    pub params: Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// Raised by `error` and by primitives on bad arguments.
    Error,
    /// `file-error?` is true of it.
    File,
    /// `read-error?` is true of it.
    Read,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ErrorObj {
    pub kind: ErrorKind,
    /// A string.
    pub message: Value,
    /// A list.
    pub irritants: Value,
    /// `"file:line:col"` of the call that raised it, or `#f`.
    pub location: Value,
    /// The Scheme-level backtrace when raised, a list of strings, innermost first.
    pub backtrace: Value,
}

/// What a process does when it next runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ProcState {
    /// Call `f` with `args` (`args[0]` is the continuation). A blocked primitive call is retried
    /// this way when the process wakes.
    Apply { f: Value, args: Vec<Value> },
    /// Resume the closure or frame `closure` at `pc` with this register file.
    Frame {
        closure: ObjId,
        pc: u32,
        regs: Vec<Value>,
    },
    /// Finished; nothing to run.
    Finished,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProcStatus {
    /// In the run queue (or running).
    Runnable,
    /// Waiting for a message, until a wall-clock deadline (ms since the Unix epoch) if any.
    Receiving { deadline: Option<u64> },
    /// Sleeping until a wall-clock deadline (ms since the Unix epoch).
    Sleeping { deadline: u64 },
    /// Returned normally.
    Done,
    /// Ended by an uncaught exception.
    Failed,
    /// Waiting in `(sync)` until wave `wave` is durable.
    Syncing { wave: u64 },
}

impl ProcStatus {
    pub fn is_alive(self) -> bool {
        !matches!(self, ProcStatus::Done | ProcStatus::Failed)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Process {
    /// Small number shown to people (`#<process 3>`); the object id is the identity.
    pub number: u64,
    pub status: ProcStatus,
    pub state: ProcState,
    /// The current [`DynState`] node, or `#f` for the root.
    pub dyn_state: Value,
    /// A [`Object::Mailbox`].
    pub mailbox: ObjId,
    /// The value it returned, or the condition that ended it.
    pub result: Value,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Mailbox {
    pub queue: VecDeque<Value>,
}

/// Index into the VM's primitive registry. Not persisted: resolved from the name on load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimIndex(pub u32);

impl Default for PrimIndex {
    fn default() -> Self {
        PrimIndex::UNRESOLVED
    }
}

impl PrimIndex {
    pub const UNRESOLVED: PrimIndex = PrimIndex(u32::MAX);
}

/// A primitive procedure, referred to by name so a saved heap names Rust functions only by name.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Primitive {
    pub name: Box<str>,
    #[serde(skip)]
    pub index: PrimIndex,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum PortKind {
    StringInput {
        chars: Vec<char>,
        pos: usize,
    },
    StringOutput {
        text: String,
    },
    BytesInput {
        bytes: Vec<u8>,
        pos: usize,
    },
    BytesOutput {
        bytes: Vec<u8>,
    },
    /// The VM's standard output (buffered by the host, see `Vm::take_output`).
    Stdout,
    Stderr,
    Stdin,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Port {
    pub kind: PortKind,
    pub open: bool,
}

/// The scheduler's state. One per heap, reachable from the heap roots.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Scheduler {
    pub run_queue: VecDeque<ObjId>,
    /// `(deadline ms since the Unix epoch, process)` of sleeping or timed-out receiving processes.
    pub timers: BTreeSet<(u64, ObjId)>,
    /// Every process not yet finished.
    pub live: BTreeSet<ObjId>,
    pub next_number: u64,
}

impl Object {
    /// A short name of the object's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Object::Pair(..) => "pair",
            Object::Vector(_) => "vector",
            Object::String(_) => "string",
            Object::Bytevector(_) => "bytevector",
            Object::Symbol(_) => "symbol",
            Object::Bignum(_) | Object::Flonum(_) => "number",
            Object::Closure(_)
            | Object::Continuation(_)
            | Object::Primitive(_)
            | Object::CaseLambda(_) => "procedure",
            Object::Parameter(_) => "parameter",
            Object::Frame(_) | Object::NativeFrame(_) => "continuation",
            Object::Code(_) => "code",
            Object::Box(_) => "box",
            Object::Record(_) => "record",
            Object::RecordType(_) => "record-type",
            Object::HashTable(_) => "hash-table",
            Object::Promise(_) => "promise",
            Object::DynState(_) => "dynamic-state",
            Object::Error(_) => "error-object",
            Object::Process(_) => "process",
            Object::Mailbox(_) => "mailbox",
            Object::Port(_) => "port",
            Object::Scheduler(_) => "scheduler",
        }
    }

    /// Calls `f` on every value this object refers to. The collector's only view of an object:
    /// a new field holding a value must be visited here.
    pub fn for_each_ref(&self, mut f: impl FnMut(Value)) {
        let obj = |f: &mut dyn FnMut(Value), id: ObjId| f(Value::obj(id));
        match self {
            Object::Pair(a, b) => {
                f(*a);
                f(*b);
            }
            Object::Vector(vs) | Object::CaseLambda(vs) => vs.iter().copied().for_each(f),
            Object::String(_)
            | Object::Bytevector(_)
            | Object::Bignum(_)
            | Object::Flonum(_)
            | Object::Primitive(_)
            | Object::Port(_) => {}
            Object::Symbol(s) => f(s.value),
            Object::Closure(c) | Object::Frame(c) => {
                obj(&mut f, c.code);
                c.free.iter().copied().for_each(f);
            }
            Object::NativeFrame(n) => n.vals.iter().copied().for_each(f),
            Object::Continuation(c) => {
                f(c.k);
                f(c.dyn_state);
            }
            Object::Code(code) => {
                code.0.consts.iter().copied().for_each(&mut f);
                code.0.globals.iter().for_each(|&id| obj(&mut f, id));
            }
            Object::Box(v) => f(*v),
            Object::Record(r) => {
                obj(&mut f, r.rtd);
                r.fields.iter().copied().for_each(f);
            }
            Object::RecordType(t) => {
                f(t.name);
                t.fields.iter().copied().for_each(f);
            }
            Object::HashTable(t) => {
                for (k, v) in t.buckets.values().flatten() {
                    f(*k);
                    f(*v);
                }
            }
            Object::Promise(p) => f(p.value),
            Object::Parameter(p) => {
                f(p.value);
                f(p.converter);
            }
            Object::DynState(d) => {
                f(d.parent);
                f(d.winder);
                f(d.handlers);
                f(d.params);
            }
            Object::Error(e) => {
                f(e.message);
                f(e.irritants);
                f(e.location);
                f(e.backtrace);
            }
            Object::Process(p) => {
                match &p.state {
                    ProcState::Apply { f: g, args } => {
                        f(*g);
                        args.iter().copied().for_each(&mut f);
                    }
                    ProcState::Frame { closure, regs, .. } => {
                        obj(&mut f, *closure);
                        regs.iter().copied().for_each(&mut f);
                    }
                    ProcState::Finished => {}
                }
                f(p.dyn_state);
                obj(&mut f, p.mailbox);
                f(p.result);
            }
            Object::Mailbox(m) => m.queue.iter().copied().for_each(f),
            Object::Scheduler(s) => {
                s.run_queue.iter().for_each(|&id| obj(&mut f, id));
                s.timers.iter().for_each(|&(_, id)| obj(&mut f, id));
                s.live.iter().for_each(|&id| obj(&mut f, id));
            }
        }
    }
}
