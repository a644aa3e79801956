//! Vector primitives: construction, conversion to and from lists, fill, copy, copy!, append.
//! (`vector-ref`, `vector-set!`, `vector-length` and `vector?` are inline primitives; the
//! procedures taking procedures are in stdlib/sequences.scm.)
//!
//! Also the `[start [end]]` range check every sequence module shares.

use crate::convert::VectorRef;
use crate::error::Error;
use crate::object::Object;
use crate::prim::{Action, Ctx, PrimArity, Registry};
use crate::value::Value;

use super::lists::{elements, usize_value};

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("vectors");
    m.func(
        "make-vector",
        |ctx: &mut Ctx, k: usize, fill: Option<Value>| -> Result<Value, Error> {
            let fill = fill.unwrap_or(Value::UNSPECIFIED);
            Ok(ctx
                .heap
                .alloc_value(Object::Vector(vec![fill; checked_length(k)?])))
        },
    );
    m.raw("vector", PrimArity::at_least(0), |ctx, args| {
        Ok(Action::Return(
            ctx.heap.alloc_value(Object::Vector(args.to_vec())),
        ))
    });
    m.func(
        "vector->list",
        |ctx: &mut Ctx,
         v: VectorRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let items = slice_of(ctx, v, start, end)?;
            Ok(ctx.heap.list(&items))
        },
    );
    for name in ["list->vector", "%list->vector"] {
        m.func(name, |ctx: &mut Ctx, list: Value| -> Result<Value, Error> {
            let items = elements(ctx.heap, list)?;
            Ok(ctx.heap.alloc_value(Object::Vector(items)))
        });
    }
    m.func(
        "vector-copy",
        |ctx: &mut Ctx,
         v: VectorRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let items = slice_of(ctx, v, start, end)?;
            Ok(ctx.heap.alloc_value(Object::Vector(items)))
        },
    );
    m.func(
        "vector-fill!",
        |ctx: &mut Ctx,
         v: VectorRef,
         fill: Value,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<(), Error> {
            let len = vector_len(ctx, v);
            let (start, end) = range(len, start, end)?;
            if let Object::Vector(items) = ctx.heap.get_mut(v.0) {
                items[start..end].fill(fill);
            }
            Ok(())
        },
    );
    m.func(
        "vector-copy!",
        |ctx: &mut Ctx,
         to: VectorRef,
         at: usize,
         from: VectorRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<(), Error> {
            let items = slice_of(ctx, from, start, end)?;
            let to_len = vector_len(ctx, to);
            if at > to_len || items.len() > to_len - at {
                return Err(Error::out_of_range(usize_value(at)));
            }
            // The source was copied out first, so overlapping ranges of one vector are fine.
            if let Object::Vector(target) = ctx.heap.get_mut(to.0) {
                target[at..at + items.len()].copy_from_slice(&items);
            }
            Ok(())
        },
    );
    m.raw("vector-append", PrimArity::at_least(0), |ctx, args| {
        let mut all = Vec::new();
        for (i, &v) in args.iter().enumerate() {
            match ctx.heap.object(v) {
                Some(Object::Vector(items)) => all.extend_from_slice(items),
                _ => return Err(Error::wrong_arg("vector", i + 1, v)),
            }
        }
        Ok(Action::Return(ctx.heap.alloc_value(Object::Vector(all))))
    });
    m.func(
        "vector->string",
        |ctx: &mut Ctx,
         v: VectorRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let items = slice_of(ctx, v, start, end)?;
            let chars = items
                .iter()
                .map(|&c| {
                    c.as_char()
                        .ok_or_else(|| Error::wrong_type("vector of characters", c))
                })
                .collect::<Result<Vec<char>, Error>>()?;
            Ok(ctx.heap.alloc_value(Object::String(chars)))
        },
    );
}

fn vector_len(ctx: &Ctx, v: VectorRef) -> usize {
    match ctx.heap.get(v.0) {
        Object::Vector(items) => items.len(),
        _ => 0,
    }
}

/// A copy of `v[start..end]`.
fn slice_of(
    ctx: &Ctx,
    v: VectorRef,
    start: Option<usize>,
    end: Option<usize>,
) -> Result<Vec<Value>, Error> {
    let Object::Vector(items) = ctx.heap.get(v.0) else {
        return Err(Error::wrong_type("vector", v.value()));
    };
    let (start, end) = range(items.len(), start, end)?;
    Ok(items[start..end].to_vec())
}

/// The longest vector, string, bytevector or list a constructor builds from a count (2^26
/// elements, 512 MiB of values): a larger count is surely a mistake, and allocating it would
/// abort the whole VM rather than raise an error.
pub(crate) const MAX_LENGTH: usize = 1 << 26;

/// `k` if a constructor may build a sequence that long.
pub(crate) fn checked_length(k: usize) -> Result<usize, Error> {
    if k <= MAX_LENGTH {
        Ok(k)
    } else {
        Err(Error::with_irritants(
            format!("length exceeds the maximum of {MAX_LENGTH}"),
            vec![usize_value(k)],
        ))
    }
}

/// The optional `[start [end]]` arguments of a sequence of length `len`: `0 <= start <= end <=
/// len`, with `end` defaulting to `len`.
pub(crate) fn range(
    len: usize,
    start: Option<usize>,
    end: Option<usize>,
) -> Result<(usize, usize), Error> {
    let end = end.unwrap_or(len);
    let start = start.unwrap_or(0);
    if end > len {
        return Err(Error::out_of_range(usize_value(end)));
    }
    if start > end {
        return Err(Error::out_of_range(usize_value(start)));
    }
    Ok((start, end))
}
