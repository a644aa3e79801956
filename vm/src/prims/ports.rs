//! Port objects: string and bytevector ports, the standard ports, predicates, closing, and the
//! eof object. Reading and writing through ports is in `io.rs`.
//!
//! The standard ports are ordinary port objects made by `%standard-port`; stdlib/io.scm wraps
//! them in the parameters `current-output-port`, `current-error-port` and `current-input-port`,
//! so `parameterize` can redirect output.

use crate::convert::PortRef;
use crate::error::Error;
use crate::heap::Heap;
use crate::object::{Object, Port, PortKind};
use crate::prim::{Ctx, Registry};
use crate::value::Value;

use super::vectors::range;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("ports");
    m.func(
        "open-input-string",
        |ctx: &mut Ctx, s: Value| -> Result<Value, Error> {
            let Some(Object::String(chars)) = ctx.heap.object(s) else {
                return Err(Error::wrong_type("string", s));
            };
            let chars = chars.clone();
            Ok(new_port(ctx.heap, PortKind::StringInput { chars, pos: 0 }))
        },
    );
    m.func("open-output-string", |ctx: &mut Ctx| {
        new_port(
            ctx.heap,
            PortKind::StringOutput {
                text: String::new(),
            },
        )
    });
    m.func(
        "get-output-string",
        |ctx: &mut Ctx, p: PortRef| -> Result<Value, Error> {
            match &port(ctx.heap, p).kind {
                PortKind::StringOutput { text } => {
                    let text = text.clone();
                    Ok(ctx.heap.string(&text))
                }
                _ => Err(Error::wrong_type("string output port", p.value())),
            }
        },
    );
    m.func(
        "open-input-bytevector",
        |ctx: &mut Ctx,
         b: Value,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let Some(Object::Bytevector(bytes)) = ctx.heap.object(b) else {
                return Err(Error::wrong_type("bytevector", b));
            };
            let (start, end) = range(bytes.len(), start, end)?;
            let bytes = bytes[start..end].to_vec();
            Ok(new_port(ctx.heap, PortKind::BytesInput { bytes, pos: 0 }))
        },
    );
    m.func("open-output-bytevector", |ctx: &mut Ctx| {
        new_port(ctx.heap, PortKind::BytesOutput { bytes: Vec::new() })
    });
    m.func(
        "get-output-bytevector",
        |ctx: &mut Ctx, p: PortRef| -> Result<Value, Error> {
            match &port(ctx.heap, p).kind {
                PortKind::BytesOutput { bytes } => {
                    let bytes = bytes.clone();
                    Ok(ctx.heap.alloc_value(Object::Bytevector(bytes)))
                }
                _ => Err(Error::wrong_type("bytevector output port", p.value())),
            }
        },
    );
    m.func(
        "%standard-port",
        |ctx: &mut Ctx, which: Value| -> Result<Value, Error> {
            let kind = match ctx.heap.symbol_name(which) {
                Some("input") => PortKind::Stdin,
                Some("output") => PortKind::Stdout,
                Some("error") => PortKind::Stderr,
                _ => {
                    return Err(Error::wrong_type(
                        "one of the symbols input, output, error",
                        which,
                    ));
                }
            };
            Ok(new_port(ctx.heap, kind))
        },
    );

    m.func("port?", |ctx: &mut Ctx, v: Value| {
        matches!(ctx.heap.object(v), Some(Object::Port(_)))
    });
    m.func("input-port?", |ctx: &mut Ctx, v: Value| {
        kind_is(ctx.heap, v, is_input)
    });
    m.func("output-port?", |ctx: &mut Ctx, v: Value| {
        kind_is(ctx.heap, v, |k| !is_input(k))
    });
    m.func("textual-port?", |ctx: &mut Ctx, v: Value| {
        kind_is(ctx.heap, v, |k| !is_binary(k))
    });
    m.func("binary-port?", |ctx: &mut Ctx, v: Value| {
        kind_is(ctx.heap, v, is_binary)
    });
    m.func("input-port-open?", |ctx: &mut Ctx, p: PortRef| {
        let port = port(ctx.heap, p);
        is_input(&port.kind) && port.open
    });
    m.func("output-port-open?", |ctx: &mut Ctx, p: PortRef| {
        let port = port(ctx.heap, p);
        !is_input(&port.kind) && port.open
    });
    m.func("close-port", |ctx: &mut Ctx, p: PortRef| close(ctx.heap, p));
    m.func(
        "close-input-port",
        |ctx: &mut Ctx, p: PortRef| -> Result<(), Error> {
            if !is_input(&port(ctx.heap, p).kind) {
                return Err(Error::wrong_type("input port", p.value()));
            }
            close(ctx.heap, p);
            Ok(())
        },
    );
    m.func(
        "close-output-port",
        |ctx: &mut Ctx, p: PortRef| -> Result<(), Error> {
            if is_input(&port(ctx.heap, p).kind) {
                return Err(Error::wrong_type("output port", p.value()));
            }
            close(ctx.heap, p);
            Ok(())
        },
    );
    m.func("eof-object", |_: &mut Ctx| Value::EOF);
    m.func("eof-object?", |_: &mut Ctx, v: Value| v == Value::EOF);
}

fn new_port(heap: &mut Heap, kind: PortKind) -> Value {
    heap.alloc_value(Object::Port(Box::new(Port { kind, open: true })))
}

pub(crate) fn port(heap: &Heap, p: PortRef) -> &Port {
    match heap.get(p.0) {
        Object::Port(port) => port,
        _ => unreachable!("PortRef checked the kind"),
    }
}

pub(crate) fn is_input(kind: &PortKind) -> bool {
    matches!(
        kind,
        PortKind::StringInput { .. } | PortKind::BytesInput { .. } | PortKind::Stdin
    )
}

pub(crate) fn is_binary(kind: &PortKind) -> bool {
    matches!(
        kind,
        PortKind::BytesInput { .. } | PortKind::BytesOutput { .. }
    )
}

fn kind_is(heap: &Heap, v: Value, test: impl Fn(&PortKind) -> bool) -> bool {
    match heap.object(v) {
        Some(Object::Port(p)) => test(&p.kind),
        _ => false,
    }
}

fn close(heap: &mut Heap, p: PortRef) {
    if let Object::Port(port) = heap.get_mut(p.0) {
        port.open = false;
    }
}
