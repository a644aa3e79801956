//! Continuation frames implemented in Rust. A primitive that must run Scheme code and then
//! continue (dynamic-wind, call-with-values, raise-continuable, ...) builds a
//! [`crate::object::NativeFrame`] naming one of these kinds, saving what it needs in the frame's
//! values, and passes it as the continuation of the Scheme call. The kind is plain data, so a
//! process suspended inside such a primitive persists like any other.
//!
//! By convention `vals[0]` is the continuation the frame eventually returns to (backtraces walk
//! through it); the other slots are listed per kind.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NativeKind {
    /// The bottom of a process: the values returned to it end the process. `vals`: none.
    ProcessExit,
    /// `before` of a `dynamic-wind` returned. `vals`: `[k, before, thunk, after]`.
    WindBefore,
    /// The thunk of a `dynamic-wind` returned (any number of values). `vals`: `[k, node]`, where
    /// `node` is the dynamic-state node the thunk ran in.
    WindBody,
    /// `after` returned; return the saved values. `vals`: `[k, values-list]`.
    WindAfter,
    /// One step of a continuation jump returned; run the next. `vals`:
    /// `[k, steps, values-list, target-state]`, where `steps` is a list of
    /// `(thunk . state-to-run-it-in)`.
    WindSteps,
    /// Restore the dynamic state and return the values. `vals`: `[k, state]`.
    RestoreState,
    /// A handler returned from a non-continuable `raise`. `vals`: `[k, raised-object]`.
    HandlerReturned,
    /// The producer of `call-with-values` returned. `vals`: `[k, consumer]`.
    CallWithValues,
    /// The converter of `make-parameter` returned the initial value. `vals`: `[k, converter]`.
    MakeParameter,
    /// `exit` unwound every `dynamic-wind`; the value returned is the exit status to end the
    /// whole program with. `vals`: none.
    ExitProgram,
    /// The thunk of an unforced promise returned another promise. `vals`: `[k, promise]`.
    Force,
}
