//! Equivalence predicates (`eq?`, `eqv?`, `equal?`, `boolean=?`) and the hashes consistent with
//! them, which hash tables use.
//!
//! `equal?` walks both structures with an explicit stack, so a long list or a deeply nested one
//! costs heap, not Rust stack; it terminates on cyclic structures too (R7RS requires it): past a
//! step budget it remembers the pairs of objects it is comparing and treats a pair met again as
//! equal, which is the co-inductive reading of `equal?` on infinite trees.
//!
//! Hashes are FNV-1a over a canonical byte encoding: deterministic across runs and Rust
//! versions, because hash tables (and their bucket keys) persist.

use std::collections::HashSet;
use std::hash::Hasher;

use crate::heap::Heap;
use crate::object::Object;
use crate::prim::{Action, Ctx, PrimArity, Registry};
use crate::value::{ObjId, Value};

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("equality");
    m.func("eq?", |_: &mut Ctx, a: Value, b: Value| a == b);
    for name in ["eqv?", "%eqv?"] {
        m.func(name, |ctx: &mut Ctx, a: Value, b: Value| ctx.heap.eqv(a, b));
    }
    m.func("equal?", |ctx: &mut Ctx, a: Value, b: Value| {
        equal(ctx.heap, a, b)
    });
    m.func("boolean?", |_: &mut Ctx, v: Value| v.as_bool().is_some());
    m.raw("boolean=?", PrimArity::at_least(1), |_, args| {
        let mut all_same = true;
        for (i, &v) in args.iter().enumerate() {
            if v.as_bool().is_none() {
                return Err(crate::error::Error::wrong_arg("boolean", i + 1, v));
            }
            all_same &= v == args[0];
        }
        Ok(Action::Return(Value::bool(all_same)))
    });
}

/// Comparisons `equal?` makes before it starts remembering the object pairs it has seen. Acyclic
/// structures below this size never pay for the bookkeeping.
const UNTRACKED_STEPS: usize = 1_000_000;

/// `equal?`: structural equality of pairs, vectors, strings and bytevectors; `eqv?` on the rest.
pub(crate) fn equal(heap: &Heap, a: Value, b: Value) -> bool {
    let mut stack = vec![(a, b)];
    let mut seen: HashSet<(ObjId, ObjId)> = HashSet::new();
    let mut steps = 0usize;
    while let Some((a, b)) = stack.pop() {
        if a == b {
            continue;
        }
        let (Some(ia), Some(ib)) = (a.as_obj(), b.as_obj()) else {
            return false;
        };
        steps += 1;
        if steps > UNTRACKED_STEPS && !seen.insert((ia, ib)) {
            continue;
        }
        match (heap.get(ia), heap.get(ib)) {
            (Object::Pair(a_car, a_cdr), Object::Pair(b_car, b_cdr)) => {
                stack.push((*a_cdr, *b_cdr));
                stack.push((*a_car, *b_car));
            }
            (Object::Vector(xs), Object::Vector(ys)) => {
                if xs.len() != ys.len() {
                    return false;
                }
                stack.extend(xs.iter().copied().zip(ys.iter().copied()).rev());
            }
            (Object::String(xs), Object::String(ys)) => {
                if xs != ys {
                    return false;
                }
            }
            (Object::Bytevector(xs), Object::Bytevector(ys)) => {
                if xs != ys {
                    return false;
                }
            }
            _ => {
                if !heap.eqv(a, b) {
                    return false;
                }
            }
        }
    }
    true
}

/// FNV-1a, 64 bits: a fixed, documented function, unlike `std`'s `DefaultHasher`.
pub(crate) struct StableHasher(u64);

impl StableHasher {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    pub(crate) fn new() -> StableHasher {
        StableHasher(Self::OFFSET)
    }
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }
}

/// The `eq?` hash: the value's bits (object ids are stable, so this survives a restart).
pub(crate) fn eq_hash(v: Value) -> u64 {
    let mut h = StableHasher::new();
    h.write_u64(u64::from(v));
    h.finish()
}

/// The `eqv?` hash: numbers by value, everything else by identity.
pub(crate) fn eqv_hash(heap: &Heap, v: Value) -> u64 {
    match heap.object(v) {
        Some(Object::Bignum(_) | Object::Flonum(_)) => {
            let mut h = StableHasher::new();
            if let Some(n) = heap.number(v) {
                n.hash_eqv(&mut h);
            }
            h.finish()
        }
        _ => eq_hash(v),
    }
}

/// Components of a structure `equal_hash` looks at: enough to spread real keys, bounded so that
/// hashing a huge or cyclic key stays cheap (equal keys still hash equal: the walk is the same).
const HASHED_COMPONENTS: usize = 64;

/// The `equal?` hash: structure and contents, consistent with [`equal`].
pub(crate) fn equal_hash(heap: &Heap, v: Value) -> u64 {
    let mut h = StableHasher::new();
    if !matches!(
        heap.object(v),
        Some(Object::Pair(..) | Object::Vector(_) | Object::String(_) | Object::Bytevector(_))
    ) {
        // The common key (symbol, number, character): what the walk below would compute,
        // without allocating its queue.
        h.write_u64(eqv_hash(heap, v));
        return h.finish();
    }
    let mut queue = std::collections::VecDeque::from([v]);
    let mut budget = HASHED_COMPONENTS;
    while let Some(v) = queue.pop_front() {
        if budget == 0 {
            break;
        }
        budget -= 1;
        match heap.object(v) {
            Some(Object::Pair(a, d)) => {
                h.write_u8(1);
                queue.push_back(*a);
                queue.push_back(*d);
            }
            Some(Object::Vector(items)) => {
                h.write_u8(2);
                h.write_usize(items.len());
                queue.extend(items.iter().copied());
            }
            Some(Object::String(chars)) => {
                h.write_u8(3);
                hash_chars(&mut h, chars);
            }
            Some(Object::Bytevector(bytes)) => {
                h.write_u8(4);
                h.write(bytes);
            }
            _ => h.write_u64(eqv_hash(heap, v)),
        }
    }
    h.finish()
}

/// The `string=?` hash of a string's characters.
pub(crate) fn hash_chars(h: &mut StableHasher, chars: &[char]) {
    h.write_usize(chars.len());
    for &c in chars {
        h.write_u32(u32::from(c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long_list(heap: &mut Heap, n: i64) -> Value {
        (0..n)
            .rev()
            .fold(Value::NULL, |acc, i| heap.cons(Value::small(i), acc))
    }

    #[test]
    fn equal_compares_structure_and_contents() {
        let mut h = Heap::new();
        let s1 = h.string("abc");
        let s2 = h.string("abc");
        let s3 = h.string("abd");
        let v1 = h.alloc_value(Object::Vector(vec![s1, Value::small(1)]));
        let v2 = h.alloc_value(Object::Vector(vec![s2, Value::small(1)]));
        let v3 = h.alloc_value(Object::Vector(vec![s3, Value::small(1)]));
        assert!(equal(&h, v1, v2));
        assert!(!equal(&h, v1, v3));
        let f1 = h.flonum(1.0);
        let f2 = h.flonum(1.0);
        assert!(equal(&h, f1, f2));
        assert!(!equal(&h, f1, Value::small(1)));
        assert_eq!(equal_hash(&h, v1), equal_hash(&h, v2));
    }

    #[test]
    fn equal_handles_long_and_deep_structures_without_recursion() {
        let mut h = Heap::new();
        let a = long_list(&mut h, 1_000_000);
        let b = long_list(&mut h, 1_000_000);
        assert!(equal(&h, a, b));
        let mut deep_a = Value::NULL;
        let mut deep_b = Value::NULL;
        for _ in 0..200_000 {
            deep_a = h.cons(deep_a, Value::NULL);
            deep_b = h.cons(deep_b, Value::NULL);
        }
        assert!(equal(&h, deep_a, deep_b));
    }

    #[test]
    fn equal_terminates_on_cycles() {
        let mut h = Heap::new();
        let cycle = |h: &mut Heap, len: i64| {
            let list = long_list(h, len);
            let mut last = list;
            while let Some((_, d)) = h.pair(last) {
                if d.is_null() {
                    break;
                }
                last = d;
            }
            if let Object::Pair(_, d) = h.get_mut(last.as_obj().expect("a pair")) {
                *d = list;
            }
            list
        };
        // Cycles of lengths 2 and 4 over 0 1 0 1 ...: the same infinite list.
        let a = {
            let l = h.list(&[Value::small(0), Value::small(1)]);
            let id = h
                .pair(l)
                .map(|(_, d)| d)
                .and_then(Value::as_obj)
                .expect("two pairs");
            if let Object::Pair(_, d) = h.get_mut(id) {
                *d = l;
            }
            l
        };
        let b = {
            let l = h.list(&[
                Value::small(0),
                Value::small(1),
                Value::small(0),
                Value::small(1),
            ]);
            let mut last = l;
            for _ in 0..3 {
                last = h.pair(last).expect("pair").1;
            }
            if let Object::Pair(_, d) = h.get_mut(last.as_obj().expect("pair")) {
                *d = l;
            }
            l
        };
        assert!(equal(&h, a, b));
        let c = cycle(&mut h, 3);
        assert!(!equal(&h, a, c));
        assert_eq!(equal_hash(&h, a), equal_hash(&h, a));
    }

    #[test]
    fn hashes_are_stable_values() {
        // Pinned: tables persist, so these must never change.
        let h = Heap::new();
        assert_eq!(eq_hash(Value::small(1)), eq_hash(Value::small(1)));
        let mut s = StableHasher::new();
        s.write(b"a");
        assert_eq!(s.finish(), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(eqv_hash(&h, Value::TRUE), eq_hash(Value::TRUE));
    }
}
