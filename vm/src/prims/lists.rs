//! List primitives that call no Scheme procedure: constructors, `length`, `append`, `reverse`,
//! `list-tail`, `list-ref`, `list-copy`, `last-pair`, `memq`/`memv`/`assq`/`assv`, `member` and
//! `assoc` with `equal?` (as `%member`/`%assoc`; stdlib adds the custom-equality forms), the
//! `c[ad]{2,4}r` accessors, and the `%` aliases of docs/runtime-interface.md.
//!
//! Every walk goes through [`Walk`], which detects cycles, so no primitive loops forever on a
//! circular list (it raises an error instead).

use crate::error::Error;
use crate::heap::Heap;
use crate::object::Object;
use crate::prim::{Action, Ctx, PrimArity, Registry};
use crate::value::Value;

use super::equality::equal;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("lists");
    for name in ["list", "%list"] {
        m.raw(name, PrimArity::at_least(0), |ctx, args| {
            Ok(Action::Return(ctx.heap.list(args)))
        });
    }
    m.func("%cons", |ctx: &mut Ctx, a: Value, d: Value| {
        ctx.heap.cons(a, d)
    });
    m.raw("cons*", PrimArity::at_least(1), |ctx, args| {
        let (last, init) = args.split_last().expect("arity is at least 1");
        Ok(Action::Return(ctx.heap.list_with_tail(init, *last)))
    });
    m.func(
        "make-list",
        |ctx: &mut Ctx, k: usize, fill: Option<Value>| -> Result<Value, Error> {
            let fill = fill.unwrap_or(Value::UNSPECIFIED);
            let k = super::vectors::checked_length(k)?;
            Ok((0..k).fold(Value::NULL, |acc, _| ctx.heap.cons(fill, acc)))
        },
    );
    m.func("list?", |ctx: &mut Ctx, v: Value| is_list(ctx.heap, v));
    m.func(
        "length",
        |ctx: &mut Ctx, v: Value| -> Result<usize, Error> {
            let mut walk = Walk::new(v);
            let mut n = 0usize;
            while walk.next(ctx.heap).is_some() {
                n += 1;
            }
            walk.finish_proper(v)?;
            Ok(n)
        },
    );
    for name in ["append", "%append"] {
        m.raw(name, PrimArity::at_least(0), |ctx, args| {
            append(ctx.heap, args).map(Action::Return)
        });
    }
    m.func(
        "reverse",
        |ctx: &mut Ctx, v: Value| -> Result<Value, Error> {
            let items = elements(ctx.heap, v)?;
            Ok(items
                .iter()
                .fold(Value::NULL, |acc, &x| ctx.heap.cons(x, acc)))
        },
    );
    m.func("list-tail", |ctx: &mut Ctx, list: Value, k: usize| {
        list_tail(ctx.heap, list, k)
    });
    m.func(
        "list-ref",
        |ctx: &mut Ctx, list: Value, k: usize| -> Result<Value, Error> {
            let tail = list_tail(ctx.heap, list, k)?;
            ctx.heap
                .pair(tail)
                .map(|(a, _)| a)
                .ok_or_else(|| Error::out_of_range(usize_value(k)))
        },
    );
    m.func(
        "list-copy",
        |ctx: &mut Ctx, v: Value| -> Result<Value, Error> {
            // R7RS: the spine is copied, an improper tail kept; a non-list is returned as is.
            let mut walk = Walk::new(v);
            let mut items = Vec::new();
            while let Some(x) = walk.next(ctx.heap) {
                items.push(x);
            }
            if walk.cyclic {
                return Err(Error::wrong_type("list", v));
            }
            Ok(ctx.heap.list_with_tail(&items, walk.rest))
        },
    );
    m.func(
        "last-pair",
        |ctx: &mut Ctx, v: Value| -> Result<Value, Error> {
            if ctx.heap.pair(v).is_none() {
                return Err(Error::wrong_type("pair", v));
            }
            let mut walk = Walk::new(v);
            let mut last = v;
            while let Some(pair) = walk.next_pair(ctx.heap) {
                last = pair;
            }
            if walk.cyclic {
                return Err(Error::wrong_type("list", v));
            }
            Ok(last)
        },
    );

    m.func("memq", |ctx: &mut Ctx, x: Value, list: Value| {
        member(ctx.heap, list, |_, y| x == y)
    });
    for name in ["memv", "%memv"] {
        m.func(name, |ctx: &mut Ctx, x: Value, list: Value| {
            member(ctx.heap, list, |heap, y| heap.eqv(x, y))
        });
    }
    m.func("%member", |ctx: &mut Ctx, x: Value, list: Value| {
        member(ctx.heap, list, |heap, y| equal(heap, x, y))
    });
    m.func("assq", |ctx: &mut Ctx, x: Value, alist: Value| {
        assoc(ctx.heap, alist, |_, y| x == y)
    });
    m.func("assv", |ctx: &mut Ctx, x: Value, alist: Value| {
        assoc(ctx.heap, alist, |heap, y| heap.eqv(x, y))
    });
    m.func("%assoc", |ctx: &mut Ctx, x: Value, alist: Value| {
        assoc(ctx.heap, alist, |heap, y| equal(heap, x, y))
    });

    for name in CXR_NAMES {
        m.func(name, move |ctx: &mut Ctx, v: Value| cxr(ctx.heap, name, v));
    }
}

/// The compositions of `car` and `cdr` two to four deep (`car` and `cdr` are inline).
const CXR_NAMES: [&str; 28] = [
    "caar", "cadr", "cdar", "cddr", "caaar", "caadr", "cadar", "caddr", "cdaar", "cdadr", "cddar",
    "cdddr", "caaaar", "caaadr", "caadar", "caaddr", "cadaar", "cadadr", "caddar", "cadddr",
    "cdaaar", "cdaadr", "cdadar", "cdaddr", "cddaar", "cddadr", "cdddar", "cddddr",
];

/// `(cadr x)` is `(car (cdr x))`: the letters between `c` and `r`, applied right to left.
fn cxr(heap: &Heap, name: &str, v: Value) -> Result<Value, Error> {
    let ops = &name.as_bytes()[1..name.len() - 1];
    let mut cur = v;
    for &op in ops.iter().rev() {
        let (a, d) = heap
            .pair(cur)
            .ok_or_else(|| Error::wrong_type("pair", cur))?;
        cur = if op == b'a' { a } else { d };
    }
    Ok(cur)
}

/// A walk along the cdrs of a list that stops at the first non-pair or when it detects a cycle
/// (Brent's algorithm: a marker jumps ahead in doubling steps, so the cost stays linear).
pub(crate) struct Walk {
    cur: Value,
    marker: Value,
    steps: usize,
    limit: usize,
    /// What the walk stopped at: `()` for a proper list, the tail of an improper one.
    pub(crate) rest: Value,
    pub(crate) cyclic: bool,
}

impl Walk {
    pub(crate) fn new(list: Value) -> Walk {
        Walk {
            cur: list,
            marker: list,
            steps: 0,
            limit: 2,
            rest: list,
            cyclic: false,
        }
    }

    /// The next pair of the list.
    pub(crate) fn next_pair(&mut self, heap: &Heap) -> Option<Value> {
        if self.cyclic {
            return None;
        }
        let pair = self.cur;
        let Some((_, d)) = heap.pair(pair) else {
            self.rest = pair;
            return None;
        };
        self.cur = d;
        self.steps += 1;
        if self.cur == self.marker && heap.pair(d).is_some() {
            self.cyclic = true;
        } else if self.steps == self.limit {
            self.marker = self.cur;
            self.limit *= 2;
            self.steps = 0;
        }
        Some(pair)
    }

    /// The next element of the list.
    pub(crate) fn next(&mut self, heap: &Heap) -> Option<Value> {
        self.next_pair(heap)
            .and_then(|p| heap.pair(p).map(|(a, _)| a))
    }

    /// After the walk: an error unless the list was proper.
    pub(crate) fn finish_proper(&self, list: Value) -> Result<(), Error> {
        if self.cyclic || !self.rest.is_null() {
            Err(Error::wrong_type("list", list))
        } else {
            Ok(())
        }
    }
}

/// `k` as a Scheme integer, for error irritants (`#f` in the impossible case it is not a fixnum).
pub(crate) fn usize_value(k: usize) -> Value {
    i64::try_from(k)
        .ok()
        .and_then(Value::fixnum)
        .unwrap_or(Value::FALSE)
}

/// Whether `v` is a proper list (finite and ending in `()`).
pub(crate) fn is_list(heap: &Heap, v: Value) -> bool {
    let mut walk = Walk::new(v);
    while walk.next_pair(heap).is_some() {}
    walk.finish_proper(v).is_ok()
}

/// The elements of a proper list, or a "expected list" error.
pub(crate) fn elements(heap: &Heap, list: Value) -> Result<Vec<Value>, Error> {
    let mut walk = Walk::new(list);
    let mut items = Vec::new();
    while let Some(x) = walk.next(heap) {
        items.push(x);
    }
    walk.finish_proper(list)?;
    Ok(items)
}

fn append(heap: &mut Heap, args: &[Value]) -> Result<Value, Error> {
    let Some((&last, init)) = args.split_last() else {
        return Ok(Value::NULL);
    };
    let mut items = Vec::new();
    for (i, &list) in init.iter().enumerate() {
        let mut walk = Walk::new(list);
        while let Some(x) = walk.next(heap) {
            items.push(x);
        }
        if walk.cyclic || !walk.rest.is_null() {
            return Err(Error::wrong_arg("list", i + 1, list));
        }
    }
    // The last argument is shared, not copied, and may be any object.
    Ok(heap.list_with_tail(&items, last))
}

fn list_tail(heap: &Heap, list: Value, k: usize) -> Result<Value, Error> {
    let mut cur = list;
    for _ in 0..k {
        cur = heap
            .pair(cur)
            .map(|(_, d)| d)
            .ok_or_else(|| Error::out_of_range(usize_value(k)))?;
    }
    Ok(cur)
}

/// The first tail of `list` whose car satisfies `same`, or `#f`. A cyclic or improper list is
/// an error only if the walk reaches its end without a match.
fn member(heap: &Heap, list: Value, same: impl Fn(&Heap, Value) -> bool) -> Result<Value, Error> {
    let mut walk = Walk::new(list);
    while let Some(pair) = walk.next_pair(heap) {
        if let Some((x, _)) = heap.pair(pair)
            && same(heap, x)
        {
            return Ok(pair);
        }
    }
    walk.finish_proper(list)?;
    Ok(Value::FALSE)
}

/// The first pair of `alist` whose car satisfies `same`, or `#f`.
fn assoc(heap: &Heap, alist: Value, same: impl Fn(&Heap, Value) -> bool) -> Result<Value, Error> {
    let mut walk = Walk::new(alist);
    while let Some(entry) = walk.next(heap) {
        match heap.object(entry) {
            Some(Object::Pair(key, _)) => {
                if same(heap, *key) {
                    return Ok(entry);
                }
            }
            _ => return Err(Error::wrong_type("association list (list of pairs)", alist)),
        }
    }
    walk.finish_proper(alist)?;
    Ok(Value::FALSE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_detect_cycles_of_every_length() {
        for len in 1..20 {
            let mut h = Heap::new();
            let items: Vec<Value> = (0..len).map(Value::small).collect();
            let list = h.list(&items);
            let mut last = list;
            while let Some((_, d)) = h.pair(last) {
                if d.is_null() {
                    break;
                }
                last = d;
            }
            assert!(is_list(&h, list));
            if let Object::Pair(_, d) = h.get_mut(last.as_obj().expect("pair")) {
                *d = list;
            }
            assert!(!is_list(&h, list), "cycle of length {len}");
            assert!(elements(&h, list).is_err());
            assert_eq!(member(&h, list, |_, _| false).ok(), None);
            assert!(member(&h, list, |_, x| x == Value::small(len - 1)).is_ok());
        }
    }

    #[test]
    fn improper_lists_are_not_lists() {
        let mut h = Heap::new();
        let l = h.cons(Value::small(1), Value::small(2));
        assert!(!is_list(&h, l));
        assert!(is_list(&h, Value::NULL));
        assert!(!is_list(&h, Value::small(3)));
        let mut walk = Walk::new(l);
        while walk.next(&h).is_some() {}
        assert_eq!(walk.rest, Value::small(2));
    }

    #[test]
    fn cxr_applies_letters_right_to_left() {
        let mut h = Heap::new();
        let inner = h.list(&[Value::small(2), Value::small(3)]);
        let l = h.list(&[Value::small(1), inner]);
        assert_eq!(cxr(&h, "cadr", l).ok(), Some(inner));
        assert_eq!(cxr(&h, "caadr", l).ok(), Some(Value::small(2)));
        assert!(cxr(&h, "caar", l).is_err());
    }
}
