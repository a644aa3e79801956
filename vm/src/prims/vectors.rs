//! Vector primitives: construction, conversion to and from lists, fill, copy, copy!, append.
//! (`vector-ref`, `vector-set!`, `vector-length` and `vector?` are inline primitives; the
//! procedures taking procedures are in stdlib/sequences.scm.)
//!
//! Also the `[start [end]]` range check every sequence module shares.

use std::cmp::Ordering;

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
    m.func(
        "%sort-vector!",
        |ctx: &mut Ctx, v: VectorRef, less: Value| sort_with_primitive(ctx, v, less),
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

/// Sorts `v` in place when `less` is one of the primitive strict orders (`<`, `>`, `string<?`,
/// `string>?`, `char<?`, `char>?`) and every element is of its type (no NaN): the common case of
/// `sort`, done natively instead of by a merge sort calling back into Scheme. Returns `false`,
/// leaving `v` untouched, for any other comparator or element, and stdlib/lists.scm sorts in
/// Scheme. The sort is stable, as the Scheme one is, so both give the same result.
fn sort_with_primitive(ctx: &mut Ctx, v: VectorRef, less: Value) -> bool {
    let heap = &*ctx.heap;
    let Some(Object::Primitive(p)) = heap.object(less) else {
        return false;
    };
    let (kind, descending) = match &*p.name {
        "<" => (SortKey::Number, false),
        ">" => (SortKey::Number, true),
        "string<?" => (SortKey::String, false),
        "string>?" => (SortKey::String, true),
        "char<?" => (SortKey::Char, false),
        "char>?" => (SortKey::Char, true),
        _ => return false,
    };
    let Object::Vector(items) = heap.get(v.0) else {
        return false;
    };
    let mut keyed = Vec::with_capacity(items.len());
    for &item in items {
        let key = match kind {
            SortKey::Number => match heap.number(item) {
                Some(n) if !n.is_nan() => Key::Number(n),
                _ => return false,
            },
            SortKey::String => match heap.object(item) {
                Some(Object::String(chars)) => Key::String(chars.clone()),
                _ => return false,
            },
            SortKey::Char => match item.as_char() {
                Some(c) => Key::Char(c),
                None => return false,
            },
        };
        keyed.push((key, item));
    }
    keyed.sort_by(|(a, _), (b, _)| {
        let order = a.cmp(b);
        if descending { order.reverse() } else { order }
    });
    let sorted: Vec<Value> = keyed.into_iter().map(|(_, item)| item).collect();
    if let Object::Vector(items) = ctx.heap.get_mut(v.0) {
        *items = sorted;
    }
    true
}

#[derive(Clone, Copy)]
enum SortKey {
    Number,
    String,
    Char,
}

/// A sort key of one element; numbers are never NaN here, so the order is total.
enum Key {
    Number(crate::number::Number),
    String(Vec<char>),
    Char(char),
}

impl Key {
    fn cmp(&self, other: &Key) -> Ordering {
        match (self, other) {
            (Key::Number(a), Key::Number(b)) => a.num_cmp(b).unwrap_or(Ordering::Equal),
            (Key::String(a), Key::String(b)) => a.cmp(b),
            (Key::Char(a), Key::Char(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
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
