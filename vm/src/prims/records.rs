//! Runtime support the expander's output calls (see `docs/runtime-interface.md`): records,
//! promises and `%case-lambda`.

use crate::control::native_frame;
use crate::convert::{List, PromiseRef, RecordTypeRef};
use crate::error::Error;
use crate::heap::Heap;
use crate::native::NativeKind;
use crate::object::{Object, Promise, Record, RecordType};
use crate::prim::{Action, Ctx, PrimArity, Registry};
use crate::value::{ObjId, Value};

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("records");
    m.func(
        "%make-record-type",
        |ctx: &mut Ctx, name: Value, fields: List| {
            let rt = RecordType {
                name,
                fields: fields.0.into(),
            };
            ctx.heap.alloc_value(Object::RecordType(rt))
        },
    );
    m.raw("%record", PrimArity::at_least(1), |ctx, args| {
        let rtd = type_of(ctx.heap, args[0])?;
        let n = field_count(ctx.heap, rtd);
        if args.len() - 1 != n {
            return Err(Error::msg(format!(
                "{}: expected {n} field values, got {}",
                type_name(ctx.heap, rtd),
                args.len() - 1
            )));
        }
        let rec = Record {
            rtd,
            fields: args[1..].into(),
        };
        Ok(Action::Return(ctx.heap.alloc_value(Object::Record(rec))))
    });
    m.func("%record?", |ctx: &mut Ctx, obj: Value, rtd: RecordTypeRef| {
        matches!(ctx.heap.object(obj), Some(Object::Record(r)) if r.rtd == rtd.0)
    });
    m.func(
        "%record-ref",
        |ctx: &mut Ctx, obj: Value, rtd: RecordTypeRef, i: usize| {
            check_record(ctx.heap, obj, rtd.0, i)?;
            match ctx.heap.object(obj) {
                Some(Object::Record(r)) => Ok(r.fields[i]),
                _ => unreachable!("checked by check_record"),
            }
        },
    );
    m.func(
        "%record-set!",
        |ctx: &mut Ctx, obj: Value, rtd: RecordTypeRef, i: usize, v: Value| {
            check_record(ctx.heap, obj, rtd.0, i)?;
            let id = obj.as_obj().expect("checked by check_record");
            if let Object::Record(r) = ctx.heap.get_mut(id) {
                r.fields[i] = v;
            }
            Ok::<(), Error>(())
        },
    );

    m.func(
        "%make-promise",
        |ctx: &mut Ctx, done: bool, value: Value| {
            ctx.heap
                .alloc_value(Object::Promise(Promise { done, value }))
        },
    );
    m.func("make-promise", |ctx: &mut Ctx, value: Value| {
        if matches!(ctx.heap.object(value), Some(Object::Promise(_))) {
            value
        } else {
            ctx.heap
                .alloc_value(Object::Promise(Promise { done: true, value }))
        }
    });
    m.func("promise?", |ctx: &mut Ctx, v: Value| {
        matches!(ctx.heap.object(v), Some(Object::Promise(_)))
    });
    m.func(
        "force",
        |ctx: &mut Ctx, v: Value| match PromiseRef::from_value_opt(ctx.heap, v) {
            Some(p) => force(ctx.heap, ctx.k, p.0),
            None => Action::Return(v),
        },
    );

    m.raw("%case-lambda", PrimArity::at_least(1), |ctx, args| {
        for &p in args {
            if !matches!(ctx.heap.object(p), Some(Object::Closure(_))) {
                return Err(Error::wrong_type("closure", p));
            }
        }
        Ok(Action::Return(
            ctx.heap.alloc_value(Object::CaseLambda(args.to_vec())),
        ))
    });
}

impl PromiseRef {
    fn from_value_opt(heap: &Heap, v: Value) -> Option<PromiseRef> {
        <PromiseRef as crate::prim::FromValue>::from_value(heap, v)
    }
}

/// One step of R7RS `force` (the iterative reference algorithm): return the value of a forced
/// promise, or call the thunk of an unforced one with a [`NativeKind::Force`] frame that stores
/// the result and forces again. A chain of `delay-force` runs in constant space because each
/// step replaces the previous frame.
pub(crate) fn force(heap: &mut Heap, k: Value, promise: ObjId) -> Action {
    match heap.get(promise) {
        Object::Promise(Promise { done: true, value }) => Action::Return(*value),
        Object::Promise(Promise { value: thunk, .. }) => {
            let thunk = *thunk;
            let frame = native_frame(heap, NativeKind::Force, &[k, Value::obj(promise)]);
            Action::Call {
                f: thunk,
                args: vec![],
                k: frame,
            }
        }
        _ => Action::Return(Value::obj(promise)),
    }
}

/// The thunk of `promise` returned `result` (a promise, for the expander's output): unless the
/// promise was forced re-entrantly meanwhile, it takes over `result`'s state.
pub(crate) fn force_step(heap: &mut Heap, k: Value, promise: ObjId, result: Value) -> Action {
    let already = matches!(
        heap.get(promise),
        Object::Promise(Promise { done: true, .. })
    );
    if !already {
        let (done, value) = match heap.object(result) {
            Some(Object::Promise(p)) => (p.done, p.value),
            _ => (true, result),
        };
        if let Object::Promise(p) = heap.get_mut(promise) {
            p.done = done;
            p.value = value;
        }
    }
    force(heap, k, promise)
}

fn type_of(heap: &Heap, v: Value) -> Result<ObjId, Error> {
    match v.as_obj().map(|id| (id, heap.get(id))) {
        Some((id, Object::RecordType(_))) => Ok(id),
        _ => Err(Error::wrong_type("record type descriptor", v)),
    }
}

fn field_count(heap: &Heap, rtd: ObjId) -> usize {
    match heap.get(rtd) {
        Object::RecordType(t) => t.fields.len(),
        _ => 0,
    }
}

fn type_name(heap: &Heap, rtd: ObjId) -> String {
    match heap.get(rtd) {
        Object::RecordType(t) => heap.symbol_name(t.name).unwrap_or("record").to_string(),
        _ => "record".to_string(),
    }
}

fn check_record(heap: &Heap, obj: Value, rtd: ObjId, i: usize) -> Result<(), Error> {
    let Object::RecordType(t) = heap.get(rtd) else {
        return Err(Error::wrong_type("record type descriptor", Value::obj(rtd)));
    };
    let field = t
        .fields
        .get(i)
        .and_then(|&f| heap.symbol_name(f))
        .unwrap_or("?");
    let tname = heap.symbol_name(t.name).unwrap_or("record");
    match heap.object(obj) {
        Some(Object::Record(r)) if r.rtd == rtd && i < r.fields.len() => Ok(()),
        _ => Err(Error::with_irritants(
            format!("field {field} of {tname}: expected a {tname}"),
            vec![obj],
        )),
    }
}
