//! String primitives: construction, mutation (`string-set!`, `string-fill!`, `string-copy!`),
//! `substring`/`string-copy`, `string-append`, conversions to and from lists and vectors, the
//! comparison families, and case conversion. (`string-ref`, `string-length` and `string?` are
//! inline primitives; the procedures taking procedures are in stdlib/sequences.scm.)
//!
//! Strings are vectors of characters in the heap, so indices are character positions and
//! `string-ref`/`string-set!` are O(1).

use crate::convert::StringRef;
use crate::error::Error;
use crate::object::Object;
use crate::prim::{Action, Ctx, PrimArity, PrimResult, Registry};
use crate::value::Value;

use super::chars::foldcase;
use super::lists::{elements, usize_value};
use super::vectors::{checked_length, range};

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("strings");
    m.func(
        "make-string",
        |ctx: &mut Ctx, k: usize, fill: Option<char>| -> Result<Value, Error> {
            let chars = vec![fill.unwrap_or(' '); checked_length(k)?];
            Ok(ctx.heap.alloc_value(Object::String(chars)))
        },
    );
    m.raw("string", PrimArity::at_least(0), |ctx, args| {
        let chars = chars_of_args(args)?;
        Ok(Action::Return(ctx.heap.alloc_value(Object::String(chars))))
    });
    m.func(
        "string-set!",
        |ctx: &mut Ctx, s: StringRef, k: usize, c: char| -> Result<(), Error> {
            if k >= string_len(ctx, s) {
                return Err(Error::out_of_range(usize_value(k)));
            }
            if let Object::String(chars) = ctx.heap.get_mut(s.0) {
                chars[k] = c;
            }
            Ok(())
        },
    );
    m.func(
        "string-fill!",
        |ctx: &mut Ctx,
         s: StringRef,
         c: char,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<(), Error> {
            let (start, end) = range(string_len(ctx, s), start, end)?;
            if let Object::String(chars) = ctx.heap.get_mut(s.0) {
                chars[start..end].fill(c);
            }
            Ok(())
        },
    );
    m.func(
        "string-copy!",
        |ctx: &mut Ctx,
         to: StringRef,
         at: usize,
         from: StringRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<(), Error> {
            let chars = slice_of(ctx, from, start, end)?;
            let to_len = string_len(ctx, to);
            if at > to_len || chars.len() > to_len - at {
                return Err(Error::out_of_range(usize_value(at)));
            }
            // Copied out first: overlapping ranges of one string are fine.
            if let Object::String(target) = ctx.heap.get_mut(to.0) {
                target[at..at + chars.len()].copy_from_slice(&chars);
            }
            Ok(())
        },
    );
    m.func(
        "substring",
        |ctx: &mut Ctx, s: StringRef, start: usize, end: Option<usize>| {
            new_string(ctx, slice_of(ctx, s, Some(start), end)?)
        },
    );
    m.func(
        "string-copy",
        |ctx: &mut Ctx, s: StringRef, start: Option<usize>, end: Option<usize>| {
            new_string(ctx, slice_of(ctx, s, start, end)?)
        },
    );
    m.raw("string-append", PrimArity::at_least(0), |ctx, args| {
        let mut all = Vec::new();
        for (i, &v) in args.iter().enumerate() {
            match ctx.heap.object(v) {
                Some(Object::String(chars)) => all.extend_from_slice(chars),
                _ => return Err(Error::wrong_arg("string", i + 1, v)),
            }
        }
        Ok(Action::Return(ctx.heap.alloc_value(Object::String(all))))
    });
    m.func(
        "string->list",
        |ctx: &mut Ctx,
         s: StringRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let chars = slice_of(ctx, s, start, end)?;
            let items: Vec<Value> = chars.into_iter().map(Value::char).collect();
            Ok(ctx.heap.list(&items))
        },
    );
    m.func(
        "list->string",
        |ctx: &mut Ctx, list: Value| -> Result<Value, Error> {
            let items = elements(ctx.heap, list)?;
            let chars = items
                .iter()
                .map(|&c| {
                    c.as_char()
                        .ok_or_else(|| Error::wrong_type("list of characters", c))
                })
                .collect::<Result<Vec<char>, Error>>()?;
            Ok(ctx.heap.alloc_value(Object::String(chars)))
        },
    );
    m.func(
        "string->vector",
        |ctx: &mut Ctx,
         s: StringRef,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let chars = slice_of(ctx, s, start, end)?;
            let items = chars.into_iter().map(Value::char).collect();
            Ok(ctx.heap.alloc_value(Object::Vector(items)))
        },
    );

    type Compare = fn(&[char], &[char]) -> bool;
    let comparisons: [(&'static str, &'static str, Compare); 5] = [
        ("string=?", "string-ci=?", |a, b| a == b),
        ("string<?", "string-ci<?", |a, b| a < b),
        ("string>?", "string-ci>?", |a, b| a > b),
        ("string<=?", "string-ci<=?", |a, b| a <= b),
        ("string>=?", "string-ci>=?", |a, b| a >= b),
    ];
    for (name, ci_name, holds) in comparisons {
        m.raw(name, PrimArity::at_least(1), move |ctx, args| {
            chain(ctx, args, false, holds)
        });
        m.raw(ci_name, PrimArity::at_least(1), move |ctx, args| {
            chain(ctx, args, true, holds)
        });
    }

    m.func("string-upcase", |ctx: &mut Ctx, s: String| {
        ctx.heap.string(&s.to_uppercase())
    });
    m.func("string-downcase", |ctx: &mut Ctx, s: String| {
        ctx.heap.string(&s.to_lowercase())
    });
    m.func("string-foldcase", |ctx: &mut Ctx, s: String| {
        ctx.heap.string(&string_foldcase(&s))
    });
}

fn string_len(ctx: &Ctx, s: StringRef) -> usize {
    match ctx.heap.get(s.0) {
        Object::String(chars) => chars.len(),
        _ => 0,
    }
}

/// A copy of `s[start..end]`, in characters.
pub(crate) fn slice_of(
    ctx: &Ctx,
    s: StringRef,
    start: Option<usize>,
    end: Option<usize>,
) -> Result<Vec<char>, Error> {
    let Object::String(chars) = ctx.heap.get(s.0) else {
        return Err(Error::wrong_type("string", s.value()));
    };
    let (start, end) = range(chars.len(), start, end)?;
    Ok(chars[start..end].to_vec())
}

fn new_string(ctx: &mut Ctx, chars: Vec<char>) -> Result<Value, Error> {
    Ok(ctx.heap.alloc_value(Object::String(chars)))
}

fn chars_of_args(args: &[Value]) -> Result<Vec<char>, Error> {
    args.iter()
        .enumerate()
        .map(|(i, &v)| {
            v.as_char()
                .ok_or_else(|| Error::wrong_arg("character", i + 1, v))
        })
        .collect()
}

/// `(string<? a b c ...)`, lexicographic on characters, optionally after case folding.
fn chain(ctx: &Ctx, args: &[Value], fold: bool, holds: fn(&[char], &[char]) -> bool) -> PrimResult {
    let mut strings: Vec<Vec<char>> = Vec::with_capacity(args.len());
    for (i, &v) in args.iter().enumerate() {
        let Some(Object::String(chars)) = ctx.heap.object(v) else {
            return Err(Error::wrong_arg("string", i + 1, v));
        };
        strings.push(if fold {
            string_foldcase(&chars.iter().collect::<String>())
                .chars()
                .collect()
        } else {
            chars.clone()
        });
    }
    let ok = strings.windows(2).all(|w| holds(&w[0], &w[1]));
    Ok(Action::Return(Value::bool(ok)))
}

/// Full case folding as far as Rust's case tables allow: the full upper case, then simple
/// folding of each character, so that `ß` folds to `ss` and final sigma to sigma.
fn string_foldcase(s: &str) -> String {
    s.to_uppercase().chars().map(foldcase).collect()
}
