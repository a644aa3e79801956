//! Bytevector primitives: construction, `u8` access, copy, `copy!`, append, and UTF-8
//! conversion to and from strings.

use crate::convert::{BytevectorRef, StringRef};
use crate::error::Error;
use crate::object::Object;
use crate::prim::{Action, Ctx, PrimArity, Registry};
use crate::value::Value;

use super::lists::usize_value;
use super::strings::slice_of as string_slice;
use super::vectors::{checked_length, range};

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("bytevectors");
    m.func("bytevector?", |ctx: &mut Ctx, v: Value| {
        matches!(ctx.heap.object(v), Some(Object::Bytevector(_)))
    });
    m.func(
        "make-bytevector",
        |ctx: &mut Ctx, k: usize, fill: Option<Value>| -> Result<Value, Error> {
            let fill = match fill {
                Some(v) => byte(v, 2)?,
                None => 0,
            };
            Ok(ctx
                .heap
                .alloc_value(Object::Bytevector(vec![fill; checked_length(k)?])))
        },
    );
    m.raw("bytevector", PrimArity::at_least(0), |ctx, args| {
        let bytes = args
            .iter()
            .enumerate()
            .map(|(i, &v)| byte(v, i + 1))
            .collect::<Result<Vec<u8>, Error>>()?;
        Ok(Action::Return(
            ctx.heap.alloc_value(Object::Bytevector(bytes)),
        ))
    });
    m.func("bytevector-length", |ctx: &mut Ctx, b: BytevectorRef| {
        bytes_len(ctx, b)
    });
    m.func(
        "bytevector-u8-ref",
        |ctx: &mut Ctx, b: BytevectorRef, k: usize| -> Result<i64, Error> {
            match ctx.heap.get(b.0) {
                Object::Bytevector(bytes) => bytes
                    .get(k)
                    .map(|&x| i64::from(x))
                    .ok_or_else(|| Error::out_of_range(usize_value(k))),
                _ => Err(Error::wrong_type("bytevector", b.value())),
            }
        },
    );
    m.func(
        "bytevector-u8-set!",
        |ctx: &mut Ctx, b: BytevectorRef, k: usize, v: Value| -> Result<(), Error> {
            let x = byte(v, 3)?;
            if k >= bytes_len(ctx, b) {
                return Err(Error::out_of_range(usize_value(k)));
            }
            if let Object::Bytevector(bytes) = ctx.heap.get_mut(b.0) {
                bytes[k] = x;
            }
            Ok(())
        },
    );
    m.func(
        "bytevector-copy",
        |ctx: &mut Ctx,
         b: BytevectorRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let bytes = slice_of(ctx, b, start, end)?;
            Ok(ctx.heap.alloc_value(Object::Bytevector(bytes)))
        },
    );
    m.func(
        "bytevector-copy!",
        |ctx: &mut Ctx,
         to: BytevectorRef,
         at: usize,
         from: BytevectorRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<(), Error> {
            let bytes = slice_of(ctx, from, start, end)?;
            let to_len = bytes_len(ctx, to);
            if at > to_len || bytes.len() > to_len - at {
                return Err(Error::out_of_range(usize_value(at)));
            }
            if let Object::Bytevector(target) = ctx.heap.get_mut(to.0) {
                target[at..at + bytes.len()].copy_from_slice(&bytes);
            }
            Ok(())
        },
    );
    m.raw("bytevector-append", PrimArity::at_least(0), |ctx, args| {
        let mut all = Vec::new();
        for (i, &v) in args.iter().enumerate() {
            match ctx.heap.object(v) {
                Some(Object::Bytevector(bytes)) => all.extend_from_slice(bytes),
                _ => return Err(Error::wrong_arg("bytevector", i + 1, v)),
            }
        }
        Ok(Action::Return(
            ctx.heap.alloc_value(Object::Bytevector(all)),
        ))
    });
    m.func(
        "utf8->string",
        |ctx: &mut Ctx,
         b: BytevectorRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let bytes = slice_of(ctx, b, start, end)?;
            let text = String::from_utf8(bytes).map_err(|e| {
                Error::with_irritants(
                    format!(
                        "invalid UTF-8 at byte {}",
                        e.utf8_error().valid_up_to() + start.unwrap_or(0)
                    ),
                    vec![b.value()],
                )
            })?;
            Ok(ctx.heap.string(&text))
        },
    );
    m.func(
        "string->utf8",
        |ctx: &mut Ctx,
         s: StringRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let text: String = string_slice(ctx, s, start, end)?.into_iter().collect();
            Ok(ctx.heap.alloc_value(Object::Bytevector(text.into_bytes())))
        },
    );
}

/// An exact integer in 0..=255, argument `position` of the primitive.
fn byte(v: Value, position: usize) -> Result<u8, Error> {
    v.as_fixnum()
        .and_then(|n| u8::try_from(n).ok())
        .ok_or_else(|| Error::wrong_arg("byte (exact integer 0 to 255)", position, v))
}

fn bytes_len(ctx: &Ctx, b: BytevectorRef) -> usize {
    match ctx.heap.get(b.0) {
        Object::Bytevector(bytes) => bytes.len(),
        _ => 0,
    }
}

fn slice_of(
    ctx: &Ctx,
    b: BytevectorRef,
    start: Option<usize>,
    end: Option<usize>,
) -> Result<Vec<u8>, Error> {
    let Object::Bytevector(bytes) = ctx.heap.get(b.0) else {
        return Err(Error::wrong_type("bytevector", b.value()));
    };
    let (start, end) = range(bytes.len(), start, end)?;
    Ok(bytes[start..end].to_vec())
}
