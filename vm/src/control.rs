//! Dynamic state and non-local control: raising through the handler stack, continuation jumps
//! that run `dynamic-wind` thunks, the native frames that continue primitives, and the reports
//! of processes ended by an uncaught exception.
//!
//! A process's dynamic state is a node of a tree of [`DynState`] objects (see its docs). Jumping
//! from node A to node B runs the `after` thunks of the winders from A up to the common ancestor
//! (innermost first) and the `before` thunks from there down to B (outermost first), each in the
//! state just outside its own `dynamic-wind`.

use crate::error::Error;
use crate::heap::Heap;
use crate::interp::{Site, SliceEnd, Step, Transfer};
use crate::native::NativeKind;
use crate::object::{DynState, ErrorKind, ErrorObj, NativeFrame, Object, Parameter};
use crate::value::{ObjId, Value};
use crate::vm::{ProcessReport, Vm};

/// How many frames a backtrace shows.
const BACKTRACE_FRAMES: usize = 12;

/// `file:line:col` of the instruction at `site`, if it has a source location.
pub(crate) fn site_location(heap: &Heap, site: Site) -> Option<String> {
    let Object::Code(code) = heap.get(site.code) else {
        return None;
    };
    let blk = code.0.unit.blocks.get(site.block as usize)?;
    let loc = blk.locs.get(site.pc as usize)?;
    let file = code.0.unit.files.get(loc.file as usize)?;
    Some(format!("{file}:{}:{}", loc.line, loc.col))
}

/// The dynamic-state node process `pid` runs in (`#f` for the root).
pub(crate) fn dyn_state(heap: &Heap, pid: ObjId) -> Value {
    match heap.get(pid) {
        Object::Process(p) => p.dyn_state,
        _ => Value::FALSE,
    }
}

pub(crate) fn set_dyn_state(heap: &mut Heap, pid: ObjId, state: Value) {
    if let Object::Process(p) = heap.get_mut(pid) {
        p.dyn_state = state;
    }
}

fn node(heap: &Heap, state: Value) -> Option<&DynState> {
    match heap.object(state) {
        Some(Object::DynState(d)) => Some(d),
        _ => None,
    }
}

/// The handler stack of a state, innermost first.
pub(crate) fn handlers(heap: &Heap, state: Value) -> Value {
    node(heap, state).map_or(Value::NULL, |d| d.handlers)
}

/// The parameterization alist of a state, innermost first.
pub(crate) fn params(heap: &Heap, state: Value) -> Value {
    node(heap, state).map_or(Value::NULL, |d| d.params)
}

/// A child of `parent` with the given winder, handlers and parameterization.
pub(crate) fn push_state(
    heap: &mut Heap,
    parent: Value,
    winder: Value,
    handlers: Value,
    params: Value,
) -> Value {
    let depth = node(heap, parent).map_or(0, |d| d.depth) + 1;
    heap.alloc_value(Object::DynState(Box::new(DynState {
        parent,
        depth,
        winder,
        handlers,
        params,
    })))
}

pub(crate) fn native_frame(heap: &mut Heap, kind: NativeKind, vals: &[Value]) -> Value {
    heap.alloc_value(Object::NativeFrame(NativeFrame {
        kind,
        vals: vals.into(),
    }))
}

impl Vm {
    pub(crate) fn dyn_state(&self, pid: ObjId) -> Value {
        dyn_state(&self.heap, pid)
    }

    pub(crate) fn set_dyn_state(&mut self, pid: ObjId, state: Value) {
        set_dyn_state(&mut self.heap, pid, state);
    }

    fn node(&self, state: Value) -> Option<&DynState> {
        node(&self.heap, state)
    }

    pub(crate) fn handlers(&self, state: Value) -> Value {
        handlers(&self.heap, state)
    }

    pub(crate) fn params(&self, state: Value) -> Value {
        params(&self.heap, state)
    }

    pub(crate) fn push_state(
        &mut self,
        parent: Value,
        winder: Value,
        handlers: Value,
        params: Value,
    ) -> Value {
        push_state(&mut self.heap, parent, winder, handlers, params)
    }

    /// The current value of parameter `param` in process `pid`.
    pub(crate) fn parameter_value(&self, pid: ObjId, param: ObjId) -> Value {
        let mut p = self.params(self.dyn_state(pid));
        while let Some((binding, rest)) = self.heap.pair(p) {
            if let Some((key, v)) = self.heap.pair(binding)
                && key == Value::obj(param)
            {
                return v;
            }
            p = rest;
        }
        match self.heap.get(param) {
            Object::Parameter(Parameter { value, .. }) => *value,
            _ => Value::UNSPECIFIED,
        }
    }

    pub(crate) fn native_frame(&mut self, kind: NativeKind, vals: &[Value]) -> Value {
        native_frame(&mut self.heap, kind, vals)
    }

    /// Raises `obj` in process `pid`: calls the innermost handler in the state outside it, or
    /// ends the process if there is none. `k` is the continuation of the raise.
    pub(crate) fn raise(
        &mut self,
        pid: ObjId,
        obj: Value,
        continuable: bool,
        k: Value,
        site: Option<Site>,
    ) -> Step {
        let state = self.dyn_state(pid);
        let handlers = self.handlers(state);
        let Some((handler, outer)) = self.heap.pair(handlers) else {
            return self.fail(pid, obj, k, site);
        };
        let params = self.params(state);
        let inner = self.push_state(state, Value::FALSE, outer, params);
        self.set_dyn_state(pid, inner);
        let k2 = if continuable {
            self.native_frame(NativeKind::RestoreState, &[k, state])
        } else {
            self.native_frame(NativeKind::HandlerReturned, &[k, obj])
        };
        Step::Next(Transfer::Apply {
            f: handler,
            args: vec![k2, obj],
        })
    }

    /// Raises a primitive's error as an error object that records where and how it happened.
    pub(crate) fn raise_error(
        &mut self,
        pid: ObjId,
        e: Error,
        who: Option<&str>,
        k: Value,
        site: Option<Site>,
    ) -> Step {
        let obj = match e {
            Error::Raise(v) => v,
            Error::User { message, irritants } => {
                self.make_error(ErrorKind::Error, &message, &irritants, k, site)
            }
            Error::Error {
                kind,
                message,
                irritants,
            } => {
                let message = match who {
                    Some(who) if !message.starts_with(who) => format!("{who}: {message}"),
                    _ => message,
                };
                self.make_error(kind, &message, &irritants, k, site)
            }
        };
        self.raise(pid, obj, false, k, site)
    }

    /// A new error object, with the location of `site` and a backtrace from `k`.
    pub(crate) fn make_error(
        &mut self,
        kind: ErrorKind,
        message: &str,
        irritants: &[Value],
        k: Value,
        site: Option<Site>,
    ) -> Value {
        let message = self.heap.string(message);
        let irritants = self.heap.list(irritants);
        let location = match self.error_location(k, site) {
            Some(text) => self.heap.string(&text),
            None => Value::FALSE,
        };
        let lines = self.full_backtrace(k, site);
        let lines: Vec<Value> = lines.iter().map(|l| self.heap.string(l)).collect();
        let backtrace = self.heap.list(&lines);
        self.heap.alloc_value(Object::Error(Box::new(ErrorObj {
            kind,
            message,
            irritants,
            location,
            backtrace,
        })))
    }

    /// Where an error is reported: the failing call, or, when that call is inside the prelude
    /// (`map` calling `car`, say), the innermost call in the program's own code.
    fn error_location(&self, mut k: Value, site: Option<Site>) -> Option<String> {
        let here = site.and_then(|s| self.site_location(s));
        if here
            .as_deref()
            .is_none_or(|loc| !loc.starts_with(crate::boot::PRELUDE_PREFIX))
        {
            return here;
        }
        for _ in 0..100_000 {
            match self.heap.object(k)? {
                Object::Frame(c) => {
                    let code = self.code_of(c.code);
                    let loc = code.block(c.block).loc;
                    if let Some(file) = code.unit.files.get(loc.file as usize)
                        && !file.starts_with(crate::boot::PRELUDE_PREFIX)
                    {
                        return Some(format!("{file}:{}:{}", loc.line, loc.col));
                    }
                    k = *c.free.iter().find(|v| {
                        matches!(
                            self.heap.object(**v),
                            Some(Object::Frame(_) | Object::NativeFrame(_))
                        )
                    })?;
                }
                Object::NativeFrame(n) if n.kind != NativeKind::ProcessExit => {
                    k = *n.vals.first()?
                }
                _ => break,
            }
        }
        here
    }

    /// `file:line:col` of the instruction at `site`, if it has a source location.
    pub(crate) fn site_location(&self, site: Site) -> Option<String> {
        site_location(&self.heap, site)
    }

    /// The running frame at `site`, then the frames of its continuation `k`.
    fn full_backtrace(&self, k: Value, site: Option<Site>) -> Vec<String> {
        let mut lines: Vec<String> = site.and_then(|s| self.site_frame(s)).into_iter().collect();
        for line in self.backtrace(k) {
            if lines.last() != Some(&line) {
                lines.push(line);
            }
        }
        lines
    }

    /// The running frame at `site` as a backtrace line: its block's name and the instruction's
    /// location.
    fn site_frame(&self, site: Site) -> Option<String> {
        let code = self.code_of(site.code);
        let blk = code.unit.blocks.get(site.block as usize)?;
        let name = blk.name.as_deref().unwrap_or("<anonymous>");
        Some(match self.site_location(site) {
            Some(loc) => format!("{name} ({loc})"),
            None => name.to_string(),
        })
    }

    /// The frames of continuation `k`, innermost first, as `name (file:line:col)` lines.
    pub(crate) fn backtrace(&self, mut k: Value) -> Vec<String> {
        let mut lines = Vec::new();
        let mut skipped = 0usize;
        // Each step moves to an enclosing frame, so the walk ends; the bound keeps the cost of an
        // error in a 10^6-deep recursion small.
        for _ in 0..100_000 {
            let Some(obj) = self.heap.object(k) else {
                break;
            };
            match obj {
                Object::Frame(c) => {
                    if lines.len() < BACKTRACE_FRAMES {
                        let code = self.code_of(c.code);
                        let blk = code.block(c.block);
                        let name = blk.name.as_deref().unwrap_or("<anonymous>");
                        let loc = &blk.loc;
                        let line = match code.unit.files.get(loc.file as usize) {
                            Some(file) => format!("{name} ({file}:{}:{})", loc.line, loc.col),
                            None => name.to_string(),
                        };
                        if lines.last() != Some(&line) {
                            lines.push(line);
                        }
                    } else {
                        skipped += 1;
                    }
                    let parent = c.free.iter().find(|v| {
                        matches!(
                            self.heap.object(**v),
                            Some(Object::Frame(_) | Object::NativeFrame(_))
                        )
                    });
                    match parent {
                        Some(p) => k = *p,
                        None => break,
                    }
                }
                Object::NativeFrame(n) if n.kind != NativeKind::ProcessExit => match n.vals.first()
                {
                    Some(p) => k = *p,
                    None => break,
                },
                _ => break,
            }
        }
        if skipped > 0 {
            lines.push(format!("... {skipped} more frames"));
        }
        lines
    }

    /// Ends process `pid` with the uncaught exception `obj` and records its report.
    fn fail(&mut self, pid: ObjId, obj: Value, k: Value, site: Option<Site>) -> Step {
        let report = self.report_for(pid, obj, k, site);
        if let Object::Process(p) = self.heap.get_mut(pid) {
            p.result = obj;
        }
        self.reports.push(report);
        Step::End(SliceEnd::Failed)
    }

    fn report_for(&self, pid: ObjId, obj: Value, k: Value, site: Option<Site>) -> ProcessReport {
        let number = match self.heap.get(pid) {
            Object::Process(p) => p.number,
            _ => 0,
        };
        if let Some(Object::Error(e)) = self.heap.object(obj) {
            let mut message = self.heap.string_text(e.message).unwrap_or_default();
            for irritant in self.heap.list_to_vec(e.irritants).unwrap_or_default() {
                message.push(' ');
                message.push_str(&crate::printer::write_string(&self.heap, irritant));
            }
            let location = self.heap.string_text(e.location);
            let backtrace = self
                .heap
                .list_to_vec(e.backtrace)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|l| self.heap.string_text(l))
                .collect();
            ProcessReport {
                process: number,
                message,
                location,
                backtrace,
            }
        } else {
            ProcessReport {
                process: number,
                message: format!(
                    "uncaught exception: {}",
                    crate::printer::write_string(&self.heap, obj)
                ),
                location: site.and_then(|s| self.site_location(s)),
                backtrace: self.full_backtrace(k, site),
            }
        }
    }

    /// Returns `vals` to the continuation `k` captured in dynamic state `target`, running the
    /// winders between the current state and `target`.
    pub(crate) fn jump(&mut self, pid: ObjId, k: Value, target: Value, vals: Vec<Value>) -> Step {
        let current = self.dyn_state(pid);
        if current == target {
            return Step::Next(Transfer::Return { k, vals });
        }
        let depth = |vm: &Vm, s: Value| vm.node(s).map_or(0, |d| d.depth);
        let parent = |vm: &Vm, s: Value| vm.node(s).map_or(Value::FALSE, |d| d.parent);
        let (mut a, mut b) = (current, target);
        let mut unwind = Vec::new();
        let mut rewind = Vec::new();
        while depth(self, a) > depth(self, b) {
            unwind.push(a);
            a = parent(self, a);
        }
        while depth(self, b) > depth(self, a) {
            rewind.push(b);
            b = parent(self, b);
        }
        while a != b {
            unwind.push(a);
            a = parent(self, a);
            rewind.push(b);
            b = parent(self, b);
        }
        let mut steps = Vec::new();
        for node in unwind {
            if let Some((_, after)) = self.node(node).and_then(|d| self.heap.pair(d.winder)) {
                steps.push((after, parent(self, node)));
            }
        }
        for node in rewind.into_iter().rev() {
            if let Some((before, _)) = self.node(node).and_then(|d| self.heap.pair(d.winder)) {
                steps.push((before, parent(self, node)));
            }
        }
        let steps: Vec<Value> = steps
            .into_iter()
            .map(|(thunk, state)| self.heap.cons(thunk, state))
            .collect();
        let steps = self.heap.list(&steps);
        let vals = self.heap.list(&vals);
        self.wind_step(pid, k, steps, vals, target)
    }

    fn wind_step(
        &mut self,
        pid: ObjId,
        k: Value,
        steps: Value,
        vals: Value,
        target: Value,
    ) -> Step {
        match self.heap.pair(steps) {
            None => {
                self.set_dyn_state(pid, target);
                let vals = self.heap.list_to_vec(vals).unwrap_or_default();
                Step::Next(Transfer::Return { k, vals })
            }
            Some((step, rest)) => {
                let (thunk, state) = self.heap.pair(step).unwrap_or((Value::FALSE, Value::FALSE));
                self.set_dyn_state(pid, state);
                let k2 = self.native_frame(NativeKind::WindSteps, &[k, rest, vals, target]);
                Step::Next(Transfer::Apply {
                    f: thunk,
                    args: vec![k2],
                })
            }
        }
    }

    /// Values `vals` were returned to a native frame of `kind` holding `saved`.
    pub(crate) fn native_return(
        &mut self,
        pid: ObjId,
        kind: NativeKind,
        saved: &[Value],
        vals: Vec<Value>,
        site: Option<Site>,
    ) -> Step {
        let slot = |i: usize| saved.get(i).copied().unwrap_or(Value::FALSE);
        let k = slot(0);
        match kind {
            NativeKind::ProcessExit => {
                let v = vals.first().copied().unwrap_or(Value::UNSPECIFIED);
                Step::End(SliceEnd::Exited(v))
            }
            NativeKind::WindBefore => {
                let (before, thunk, after) = (slot(1), slot(2), slot(3));
                let state = self.dyn_state(pid);
                let winder = self.heap.cons(before, after);
                let (handlers, params) = (self.handlers(state), self.params(state));
                let node = self.push_state(state, winder, handlers, params);
                self.set_dyn_state(pid, node);
                let k2 = self.native_frame(NativeKind::WindBody, &[k, node]);
                Step::Next(Transfer::Apply {
                    f: thunk,
                    args: vec![k2],
                })
            }
            NativeKind::WindBody => {
                let node = slot(1);
                let after = self
                    .node(node)
                    .and_then(|d| self.heap.pair(d.winder))
                    .map_or(Value::FALSE, |w| w.1);
                let outer = self.node(node).map_or(Value::FALSE, |d| d.parent);
                self.set_dyn_state(pid, outer);
                let vals = self.heap.list(&vals);
                let k2 = self.native_frame(NativeKind::WindAfter, &[k, vals]);
                Step::Next(Transfer::Apply {
                    f: after,
                    args: vec![k2],
                })
            }
            NativeKind::WindAfter => {
                let vals = self.heap.list_to_vec(slot(1)).unwrap_or_default();
                Step::Next(Transfer::Return { k, vals })
            }
            NativeKind::WindSteps => self.wind_step(pid, k, slot(1), slot(2), slot(3)),
            NativeKind::RestoreState => {
                self.set_dyn_state(pid, slot(1));
                Step::Next(Transfer::Return { k, vals })
            }
            NativeKind::HandlerReturned => {
                let e = Error::with_irritants(
                    "exception handler returned from a non-continuable raise",
                    vec![slot(1)],
                );
                self.raise_error(pid, e, None, k, site)
            }
            NativeKind::CallWithValues => {
                let mut args = Vec::with_capacity(vals.len() + 1);
                args.push(k);
                args.extend(vals);
                Step::Next(Transfer::Apply { f: slot(1), args })
            }
            NativeKind::ExitProgram => {
                let status = vals.first().copied().unwrap_or(Value::UNSPECIFIED);
                self.exit_request = Some(exit_status(status));
                Step::End(SliceEnd::Exited(status))
            }
            NativeKind::Force => {
                let promise = slot(1).as_obj();
                let result = vals.first().copied().unwrap_or(Value::UNSPECIFIED);
                match promise {
                    Some(p) => {
                        let action =
                            crate::prims::records::force_step(&mut self.heap, k, p, result);
                        self.action(pid, action, k, site)
                    }
                    None => Step::Next(Transfer::Return {
                        k,
                        vals: vec![result],
                    }),
                }
            }
            NativeKind::MakeParameter => {
                let value = vals.first().copied().unwrap_or(Value::UNSPECIFIED);
                let p = self.heap.alloc_value(Object::Parameter(Parameter {
                    value,
                    converter: slot(1),
                }));
                Step::Next(Transfer::Return { k, vals: vec![p] })
            }
        }
    }
}

/// The process exit status `(exit obj)` asks for: `#t` or nothing is success, `#f` failure, an
/// integer is itself (truncated to 0..=255 by the OS).
pub(crate) fn exit_status(v: Value) -> i32 {
    match v {
        Value::FALSE => 1,
        v => v
            .as_fixnum()
            .map_or(0, |n| i32::try_from(n & 0xff).unwrap_or(1)),
    }
}
