//! Durability: how the VM hands its heap to a persistence layer, in waves.
//!
//! The VM knows nothing of storage. At a safe point between slices, never while a process is
//! inside `(atomically ...)`, the wave schedule ([`WaveDriver`], looped over by [`Vm::drive`])
//! captures a [`Wave`]: every object
//! allocated or mutated since the previous wave ([`WaveObject`]: most copied, for the sink
//! to encode on its own thread, the others encoded on the VM thread), plus the ids the
//! collector freed, the roots and a few host entries. It hands the wave to a [`WaveSink`]
//! without blocking and keeps running; the sink reports later which waves became durable.
//! Output produced during a wave is held until that wave is durable, and `(sync)` blocks its
//! process until the wave it is in is durable. `docs/persistence.md` describes the semantics.
//!
//! By induction the store holds, after wave `n` is durable, exactly the heap as it was at
//! boundary `n`: wave `n` writes every object whose bytes changed since boundary `n - 1` and
//! deletes every id freed since then (an id freed and reused in between is written, not
//! deleted); or, as a rewrite ([`Wave::rewrite`]), replaces the stored objects by every live
//! one.

mod capture;
mod driver;
#[cfg(test)]
mod model_tests;
mod state;
mod wave_driver;
mod young;

use std::time::Duration;

pub use driver::{DriveConfig, DriveError};
pub(crate) use state::DurableState;
pub use wave_driver::{Urgency, WaveDriver, failure_line};

use crate::encode::encode_object_exact;
use crate::object::Object;
use crate::value::ObjId;

/// Everything one commit must write: the state of the heap at one wave boundary, as a
/// difference from the previous boundary.
#[derive(Clone, Debug)]
pub struct Wave {
    /// Waves are numbered from 1 in the life of a store, without gaps.
    pub number: u64,
    /// The objects to write, by ascending id.
    pub objects: Vec<(ObjId, WaveObject)>,
    /// Ids to delete, ascending, disjoint from `objects`.
    pub freed: Vec<ObjId>,
    /// The heap's scheduler object.
    pub scheduler: ObjId,
    /// The heap's pinned roots (host handles), the scheduler included.
    pub roots: Vec<ObjId>,
    /// The expander's top-level environment (postcard), when it changed in this wave.
    pub expand_env: Option<Vec<u8>>,
    /// Entries the host attached ([`Vm::set_durable_meta`]), to store with this wave.
    pub meta: Vec<(String, Vec<u8>)>,
    /// Set on the last wave of a program that ended, with its exit status.
    pub finished: Option<i32>,
    /// The wave is the whole heap, not a difference: `objects` holds every live object,
    /// `freed` is empty, and the store's objects are replaced by these. Taken when the heap
    /// freed many times more stored objects than it kept unchanged, so that emptying the
    /// store and writing what lives costs less than deleting what died.
    pub rewrite: bool,
}

/// One object of a wave, as the VM hands it over: a copy where copying is much cheaper
/// than encoding (a pair copies in a few nanoseconds, a vector at memory speed), for the
/// sink to encode on its own thread; its bytes where the copy would cost about as much as
/// the encoding (processes, mailboxes, the scheduler and other objects of nested
/// containers), so that no object is worked on twice.
#[derive(Clone, Debug)]
pub enum WaveObject {
    /// A copy of the object, to be encoded ([`WaveObject::into_bytes`]).
    Copy(Object),
    /// The object's bytes ([`crate::encode::encode_object`]).
    Bytes(Vec<u8>),
}

impl WaveObject {
    /// The object as the wave captured it: copied when that is cheap, else encoded (with
    /// `scratch` as the encoder's reused buffer).
    pub(crate) fn capture(object: &Object, scratch: &mut Vec<u8>) -> WaveObject {
        match object {
            Object::Pair(..)
            | Object::Vector(_)
            | Object::String(_)
            | Object::Bytevector(_)
            | Object::Flonum(_)
            | Object::Closure(_)
            | Object::Frame(_)
            | Object::NativeFrame(_)
            | Object::Continuation(_)
            | Object::CaseLambda(_)
            | Object::Code(_)
            | Object::Box(_)
            | Object::Record(_) => WaveObject::Copy(object.clone()),
            _ => WaveObject::Bytes(encode_object_exact(object, scratch)),
        }
    }

    /// The object's bytes ([`crate::encode::encode_object`]), encoding a copy with
    /// `scratch` as the encoder's reused buffer.
    pub fn into_bytes(self, scratch: &mut Vec<u8>) -> Vec<u8> {
        match self {
            WaveObject::Copy(object) => encode_object_exact(&object, scratch),
            WaveObject::Bytes(bytes) => bytes,
        }
    }
}

/// What became of a submitted wave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaveOutcome {
    /// The wave is durable: committed as transaction `txn_counter`.
    Durable {
        wave: u64,
        txn_counter: u64,
        /// How long the commit took, from submission to durability.
        duration: Duration,
    },
    /// The wave could not be committed; the store keeps the previous state.
    Failed { wave: u64, error: String },
}

/// Where the driver sends waves. Implemented by the persistence layer (a writer thread) and
/// by [`NoPersist`].
pub trait WaveSink {
    /// Whether waves are kept. When false the driver never captures one: output is released
    /// at once, `(sync)` returns at once, and the dirty set is discarded.
    fn persistent(&self) -> bool;

    /// Hands over a wave. Must not block on I/O. The driver submits a wave only when the
    /// previous one has an outcome, with one exception: the last wave of a program
    /// ([`Wave::finished`] set) may follow a wave still outstanding, so that a sink can
    /// commit the two as one and skip writing what the program dropped before it ended.
    fn submit(&mut self, wave: Wave);

    /// The next outcome of the waves submitted, waiting at most `timeout` for it (`None`:
    /// until it comes). Returns `None` if it is not there yet or no wave is outstanding.
    /// Outcomes come in wave order. `Durable { wave: n }` makes every submitted wave up to
    /// `n` durable: a sink that committed waves `n - 1` and `n` as one reports only `n`.
    /// After a `Failed` outcome a sink commits nothing more: each later wave is a change
    /// from a state the store does not hold.
    fn wait(&mut self, timeout: Option<Duration>) -> Option<WaveOutcome>;
}

/// A borrowed sink: [`Vm::drive`] runs on the caller's.
impl<S: WaveSink + ?Sized> WaveSink for &mut S {
    fn persistent(&self) -> bool {
        (**self).persistent()
    }

    fn submit(&mut self, wave: Wave) {
        (**self).submit(wave);
    }

    fn wait(&mut self, timeout: Option<Duration>) -> Option<WaveOutcome> {
        (**self).wait(timeout)
    }
}

/// No sink keeps nothing, as [`NoPersist`]. A host that may close its store while it runs
/// (to check it, or at the end) holds an `Option` of its sink.
impl<S: WaveSink> WaveSink for Option<S> {
    fn persistent(&self) -> bool {
        self.as_ref().is_some_and(WaveSink::persistent)
    }

    fn submit(&mut self, wave: Wave) {
        if let Some(sink) = self {
            sink.submit(wave);
        }
    }

    fn wait(&mut self, timeout: Option<Duration>) -> Option<WaveOutcome> {
        self.as_mut()?.wait(timeout)
    }
}

/// The sink of `--no-persist`: the heap lives in memory only.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoPersist;

impl WaveSink for NoPersist {
    fn persistent(&self) -> bool {
        false
    }

    fn submit(&mut self, _wave: Wave) {}

    fn wait(&mut self, _timeout: Option<Duration>) -> Option<WaveOutcome> {
        None
    }
}
