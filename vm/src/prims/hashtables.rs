//! SRFI 69 hash tables: the primitives that call no Scheme procedure. stdlib/hashtables.scm
//! adds `hash-table-ref` (with its failure thunk), `update!`, `walk` and `fold`.
//!
//! A table compares keys with `eq?`, `eqv?`, `equal?` or `string=?`, chosen by passing that very
//! procedure to `make-hash-table`; other equivalences would need a Scheme hash function called
//! from here, which a primitive cannot do, so they are rejected with a clear error. Buckets are
//! keyed by the stable hashes of `equality.rs`, so a table means the same after a restart.

use crate::convert::HashTableRef;
use crate::error::Error;
use crate::heap::Heap;
use crate::object::{HashKind, HashTable, Object};
use crate::prim::{Ctx, Registry};
use crate::value::Value;

use super::equality::{StableHasher, eq_hash, equal, equal_hash, eqv_hash, hash_chars};
use super::lists::elements;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("hashtables");
    m.func(
        "make-hash-table",
        |ctx: &mut Ctx, equivalence: Option<Value>, _hash: Option<Value>| {
            let kind = match equivalence {
                Some(v) => kind_of(ctx.heap, v)?,
                None => HashKind::Equal,
            };
            Ok::<_, Error>(new_table(ctx.heap, kind))
        },
    );
    let constructors = [
        ("make-equal-hash-table", HashKind::Equal),
        ("make-eqv-hash-table", HashKind::Eqv),
        ("make-eq-hash-table", HashKind::Eq),
        ("make-string-hash-table", HashKind::String),
    ];
    for (name, kind) in constructors {
        m.func(name, move |ctx: &mut Ctx| new_table(ctx.heap, kind.clone()));
    }
    m.func(
        "alist->hash-table",
        |ctx: &mut Ctx, alist: Value, equivalence: Option<Value>, _hash: Option<Value>| {
            let kind = match equivalence {
                Some(v) => kind_of(ctx.heap, v)?,
                None => HashKind::Equal,
            };
            let table = new_table(ctx.heap, kind);
            let id = table.as_obj().expect("a new table is an object");
            for entry in elements(ctx.heap, alist)? {
                let (k, v) = ctx
                    .heap
                    .pair(entry)
                    .ok_or_else(|| Error::wrong_type("pair", entry))?;
                // SRFI 69: earlier associations take precedence over later ones.
                if lookup(ctx.heap, HashTableRef(id), k).is_none() {
                    insert(ctx.heap, HashTableRef(id), k, v)?;
                }
            }
            Ok::<_, Error>(table)
        },
    );
    m.func("hash-table?", |ctx: &mut Ctx, v: Value| {
        matches!(ctx.heap.object(v), Some(Object::HashTable(_)))
    });
    m.func(
        "hash-table-set!",
        |ctx: &mut Ctx, t: HashTableRef, k: Value, v: Value| insert(ctx.heap, t, k, v),
    );
    m.func(
        "hash-table-ref/default",
        |ctx: &mut Ctx, t: HashTableRef, k: Value, default: Value| {
            lookup(ctx.heap, t, k).unwrap_or(default)
        },
    );
    m.func(
        "hash-table-delete!",
        |ctx: &mut Ctx, t: HashTableRef, k: Value| remove(ctx.heap, t, k),
    );
    for name in ["hash-table-contains?", "hash-table-exists?"] {
        m.func(name, |ctx: &mut Ctx, t: HashTableRef, k: Value| {
            lookup(ctx.heap, t, k).is_some()
        });
    }
    for name in ["hash-table-count", "hash-table-size"] {
        m.func(name, |ctx: &mut Ctx, t: HashTableRef| {
            table(ctx.heap, t).len
        });
    }
    m.func("hash-table-keys", |ctx: &mut Ctx, t: HashTableRef| {
        let keys: Vec<Value> = entries(ctx.heap, t).into_iter().map(|(k, _)| k).collect();
        ctx.heap.list(&keys)
    });
    m.func("hash-table-values", |ctx: &mut Ctx, t: HashTableRef| {
        let values: Vec<Value> = entries(ctx.heap, t).into_iter().map(|(_, v)| v).collect();
        ctx.heap.list(&values)
    });
    m.func("hash-table->alist", |ctx: &mut Ctx, t: HashTableRef| {
        let pairs: Vec<Value> = entries(ctx.heap, t)
            .into_iter()
            .map(|(k, v)| ctx.heap.cons(k, v))
            .collect();
        ctx.heap.list(&pairs)
    });
    m.func(
        "hash-table-clear!",
        |ctx: &mut Ctx, t: HashTableRef| -> Result<(), Error> {
            check_mutable(ctx.heap, t)?;
            if let Object::HashTable(table) = ctx.heap.get_mut(t.0) {
                table.buckets.clear();
                table.len = 0;
            }
            Ok(())
        },
    );
    m.func(
        "hash-table-copy",
        |ctx: &mut Ctx, t: HashTableRef, mutable: Option<bool>| {
            let mut copy = table(ctx.heap, t).clone();
            // SRFI 69 copies are mutable; `(hash-table-copy t #f)` is an immutable one (SRFI 125).
            copy.mutable = mutable.unwrap_or(true);
            ctx.heap.alloc_value(Object::HashTable(Box::new(copy)))
        },
    );
    m.func("hash", |ctx: &mut Ctx, v: Value, bound: Option<usize>| {
        bounded(equal_hash(ctx.heap, v), bound)
    });
    m.func(
        "string-hash",
        |ctx: &mut Ctx, s: Value, bound: Option<usize>| -> Result<i64, Error> {
            let Some(Object::String(chars)) = ctx.heap.object(s) else {
                return Err(Error::wrong_type("string", s));
            };
            let mut h = StableHasher::new();
            hash_chars(&mut h, chars);
            Ok(bounded(std::hash::Hasher::finish(&h), bound))
        },
    );
    m.func(
        "hash-by-identity",
        |_: &mut Ctx, v: Value, bound: Option<usize>| bounded(eq_hash(v), bound),
    );
}

/// A hash as a non-negative fixnum, below `bound` when given.
fn bounded(hash: u64, bound: Option<usize>) -> i64 {
    let hash = match bound.and_then(|b| u64::try_from(b).ok()).filter(|&b| b > 0) {
        Some(b) => hash % b,
        None => hash >> 4, // keeps it within the fixnum range
    };
    i64::try_from(hash).unwrap_or(i64::MAX)
}

/// The key comparison a table uses, from the equivalence procedure given to `make-hash-table`.
fn kind_of(heap: &Heap, equivalence: Value) -> Result<HashKind, Error> {
    if let Some(Object::Primitive(p)) = heap.object(equivalence) {
        match &*p.name {
            "eq?" => return Ok(HashKind::Eq),
            "eqv?" | "%eqv?" | "=" => return Ok(HashKind::Eqv),
            "equal?" => return Ok(HashKind::Equal),
            "string=?" => return Ok(HashKind::String),
            _ => {}
        }
    }
    Err(Error::with_irritants(
        "unsupported equivalence (use eq?, eqv?, equal? or string=?)",
        vec![equivalence],
    ))
}

fn new_table(heap: &mut Heap, kind: HashKind) -> Value {
    heap.alloc_value(Object::HashTable(Box::new(HashTable {
        kind,
        buckets: Default::default(),
        len: 0,
        mutable: true,
    })))
}

fn table(heap: &Heap, t: HashTableRef) -> &HashTable {
    match heap.get(t.0) {
        Object::HashTable(table) => table,
        _ => unreachable!("HashTableRef checked the kind"),
    }
}

fn check_mutable(heap: &Heap, t: HashTableRef) -> Result<(), Error> {
    if table(heap, t).mutable {
        Ok(())
    } else {
        Err(Error::with_irritants(
            "hash table is immutable",
            vec![t.value()],
        ))
    }
}

fn hash_key(heap: &Heap, kind: &HashKind, k: Value) -> u64 {
    match kind {
        HashKind::Eq => eq_hash(k),
        HashKind::Eqv => eqv_hash(heap, k),
        HashKind::Equal => equal_hash(heap, k),
        HashKind::String => match heap.object(k) {
            Some(Object::String(chars)) => {
                let mut h = StableHasher::new();
                hash_chars(&mut h, chars);
                std::hash::Hasher::finish(&h)
            }
            _ => eq_hash(k),
        },
    }
}

fn same_key(heap: &Heap, kind: &HashKind, a: Value, b: Value) -> bool {
    match kind {
        HashKind::Eq => a == b,
        HashKind::Eqv => heap.eqv(a, b),
        HashKind::Equal => equal(heap, a, b),
        HashKind::String => match (heap.object(a), heap.object(b)) {
            (Some(Object::String(x)), Some(Object::String(y))) => x == y,
            _ => a == b,
        },
    }
}

/// The bucket hash of `k` and its index in that bucket, if present.
fn find(heap: &Heap, t: HashTableRef, k: Value) -> (u64, Option<usize>) {
    let table = table(heap, t);
    let hash = hash_key(heap, &table.kind, k);
    let index = table.buckets.get(&hash).and_then(|bucket| {
        bucket
            .iter()
            .position(|&(key, _)| same_key(heap, &table.kind, key, k))
    });
    (hash, index)
}

fn lookup(heap: &Heap, t: HashTableRef, k: Value) -> Option<Value> {
    let (hash, index) = find(heap, t, k);
    index.and_then(|i| table(heap, t).buckets.get(&hash).map(|bucket| bucket[i].1))
}

fn insert(heap: &mut Heap, t: HashTableRef, k: Value, v: Value) -> Result<(), Error> {
    check_mutable(heap, t)?;
    let (hash, index) = find(heap, t, k);
    if let Object::HashTable(table) = heap.get_mut(t.0) {
        let bucket = table.buckets.entry(hash).or_default();
        match index {
            Some(i) => bucket[i].1 = v,
            None => {
                bucket.push((k, v));
                table.len += 1;
            }
        }
    }
    Ok(())
}

fn remove(heap: &mut Heap, t: HashTableRef, k: Value) -> Result<(), Error> {
    check_mutable(heap, t)?;
    let (hash, index) = find(heap, t, k);
    let Some(i) = index else {
        return Ok(());
    };
    if let Object::HashTable(table) = heap.get_mut(t.0) {
        if let Some(bucket) = table.buckets.get_mut(&hash) {
            bucket.remove(i);
            if bucket.is_empty() {
                table.buckets.remove(&hash);
            }
        }
        table.len = table.len.saturating_sub(1);
    }
    Ok(())
}

/// Every entry, in bucket order (deterministic when the bucket map is ordered).
fn entries(heap: &Heap, t: HashTableRef) -> Vec<(Value, Value)> {
    table(heap, t).buckets.values().flatten().copied().collect()
}
