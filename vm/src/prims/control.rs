//! Control primitives: continuations, `dynamic-wind`, multiple values, `apply`, exceptions and
//! parameters. Each returns an [`Action`] for the interpreter to carry out; the ones that run
//! Scheme code and then continue pass a native frame (see `native.rs`) as the continuation.

use crate::control::{dyn_state, handlers, native_frame, params, push_state, set_dyn_state};
use crate::convert::{ErrorRef, ParameterRef, Procedure};
use crate::error::Error;
use crate::native::NativeKind;
use crate::object::{Continuation, ErrorKind, Object, Parameter};
use crate::prim::{Action, Ctx, PrimArity, PrimResult, Registry};
use crate::value::Value;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("control");
    for name in ["call-with-current-continuation", "call/cc", "%call/cc"] {
        m.func(name, call_cc);
    }
    for name in ["values", "%values"] {
        m.raw(name, PrimArity::at_least(0), |_, args| {
            Ok(Action::Values(args.to_vec()))
        });
    }
    for name in ["call-with-values", "%call-with-values"] {
        m.func(
            name,
            |ctx: &mut Ctx, producer: Procedure, consumer: Procedure| {
                let k = native_frame(ctx.heap, NativeKind::CallWithValues, &[ctx.k, consumer.0]);
                Action::Call {
                    f: producer.0,
                    args: vec![],
                    k,
                }
            },
        );
    }
    for name in ["apply", "%apply"] {
        m.raw(name, PrimArity::at_least(1), apply);
    }
    m.func(
        "dynamic-wind",
        |ctx: &mut Ctx, before: Procedure, thunk: Procedure, after: Procedure| {
            let k = native_frame(
                ctx.heap,
                NativeKind::WindBefore,
                &[ctx.k, before.0, thunk.0, after.0],
            );
            Action::Call {
                f: before.0,
                args: vec![],
                k,
            }
        },
    );
    for name in ["with-exception-handler", "%with-exception-handler"] {
        m.func(
            name,
            |ctx: &mut Ctx, handler: Procedure, thunk: Procedure| {
                let state = dyn_state(ctx.heap, ctx.process);
                let hs = handlers(ctx.heap, state);
                let hs = ctx.heap.cons(handler.0, hs);
                let ps = params(ctx.heap, state);
                let inner = push_state(ctx.heap, state, Value::FALSE, hs, ps);
                set_dyn_state(ctx.heap, ctx.process, inner);
                let k = native_frame(ctx.heap, NativeKind::RestoreState, &[ctx.k, state]);
                Action::Call {
                    f: thunk.0,
                    args: vec![],
                    k,
                }
            },
        );
    }
    m.func("raise", |_: &mut Ctx, obj: Value| Action::Raise {
        obj,
        continuable: false,
    });
    for name in ["raise-continuable", "%raise-continuable"] {
        m.func(name, |_: &mut Ctx, obj: Value| Action::Raise {
            obj,
            continuable: true,
        });
    }
    m.raw("error", PrimArity::at_least(1), |ctx, args| {
        let message = match ctx.heap.string_text(args[0]) {
            Some(text) => text,
            None => crate::printer::display_string(ctx.heap, args[0]),
        };
        Err(Error::User {
            message,
            irritants: args[1..].to_vec(),
        })
    });
    m.func("error-object?", |ctx: &mut Ctx, v: Value| {
        matches!(ctx.heap.object(v), Some(Object::Error(_)))
    });
    m.func("error-object-message", |ctx: &mut Ctx, e: ErrorRef| {
        error_field(ctx, e, |e| e.message)
    });
    m.func("error-object-irritants", |ctx: &mut Ctx, e: ErrorRef| {
        error_field(ctx, e, |e| e.irritants)
    });
    m.func("error-object-location", |ctx: &mut Ctx, e: ErrorRef| {
        error_field(ctx, e, |e| e.location)
    });
    m.func("error-object-backtrace", |ctx: &mut Ctx, e: ErrorRef| {
        error_field(ctx, e, |e| e.backtrace)
    });
    m.func("file-error?", |ctx: &mut Ctx, v: Value| {
        error_kind(ctx, v) == Some(ErrorKind::File)
    });
    m.func("read-error?", |ctx: &mut Ctx, v: Value| {
        error_kind(ctx, v) == Some(ErrorKind::Read)
    });
    m.func(
        "make-parameter",
        |ctx: &mut Ctx, value: Value, converter: Option<Procedure>| match converter {
            Some(conv) => {
                let k = native_frame(ctx.heap, NativeKind::MakeParameter, &[ctx.k, conv.0]);
                Action::Call {
                    f: conv.0,
                    args: vec![value],
                    k,
                }
            }
            None => {
                let p = Parameter {
                    value,
                    converter: Value::FALSE,
                };
                Action::Return(ctx.heap.alloc_value(Object::Parameter(p)))
            }
        },
    );
    m.func(
        "%parameter-converter",
        |ctx: &mut Ctx, p: Value| match ctx.heap.object(p) {
            Some(Object::Parameter(Parameter { converter, .. })) if converter.is_true() => {
                Ok(*converter)
            }
            Some(Object::Parameter(_)) => {
                Ok(ctx.heap.global_named("%values").unwrap_or(Value::FALSE))
            }
            _ => Err(Error::with_irritants(
                "parameterize: not a parameter",
                vec![p],
            )),
        },
    );
    m.func(
        "%parameterize",
        |ctx: &mut Ctx, p: ParameterRef, v: Value, thunk: Procedure| {
            let state = dyn_state(ctx.heap, ctx.process);
            let binding = ctx.heap.cons(p.value(), v);
            let ps = params(ctx.heap, state);
            let ps = ctx.heap.cons(binding, ps);
            let hs = handlers(ctx.heap, state);
            let inner = push_state(ctx.heap, state, Value::FALSE, hs, ps);
            set_dyn_state(ctx.heap, ctx.process, inner);
            let k = native_frame(ctx.heap, NativeKind::RestoreState, &[ctx.k, state]);
            Action::Call {
                f: thunk.0,
                args: vec![],
                k,
            }
        },
    );
    m.func("exit", |ctx: &mut Ctx, status: Option<Value>| {
        // Returning to a continuation captured at the root runs every pending `after` thunk.
        let exit = native_frame(ctx.heap, NativeKind::ExitProgram, &[]);
        let k = Continuation {
            k: exit,
            dyn_state: Value::FALSE,
        };
        let k = ctx.heap.alloc_value(Object::Continuation(k));
        Action::TailCall {
            f: k,
            args: vec![status.unwrap_or(Value::TRUE)],
        }
    });
    m.func("emergency-exit", |ctx: &mut Ctx, status: Option<Value>| {
        let exit = native_frame(ctx.heap, NativeKind::ExitProgram, &[]);
        Action::ReturnTo {
            k: exit,
            vals: vec![status.unwrap_or(Value::TRUE)],
        }
    });
    m.func("procedure?", |ctx: &mut Ctx, v: Value| {
        ctx.heap.is_procedure(v)
    });
}

/// `call/cc`: O(1), the continuation is the frame already in the heap plus the dynamic state.
fn call_cc(ctx: &mut Ctx, f: Procedure) -> Action {
    let dyn_state = dyn_state(ctx.heap, ctx.process);
    let k = ctx.heap.alloc_value(Object::Continuation(Continuation {
        k: ctx.k,
        dyn_state,
    }));
    Action::TailCall {
        f: f.0,
        args: vec![k],
    }
}

/// `(apply f a ... list)`.
fn apply(ctx: &mut Ctx, args: &[Value]) -> PrimResult {
    let f = args[0];
    let mut call_args = args[1..].to_vec();
    if let Some(last) = call_args.pop() {
        let spread = ctx
            .heap
            .list_to_vec(last)
            .ok_or_else(|| Error::wrong_type("list", last))?;
        call_args.extend(spread);
    }
    Ok(Action::TailCall { f, args: call_args })
}

fn error_field(ctx: &Ctx, e: ErrorRef, field: impl Fn(&crate::object::ErrorObj) -> Value) -> Value {
    match ctx.heap.get(e.0) {
        Object::Error(obj) => field(obj),
        _ => Value::FALSE,
    }
}

fn error_kind(ctx: &Ctx, v: Value) -> Option<ErrorKind> {
    match ctx.heap.object(v) {
        Some(Object::Error(e)) => Some(e.kind),
        _ => None,
    }
}
