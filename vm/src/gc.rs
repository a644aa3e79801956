//! Mark-sweep garbage collection.
//!
//! Roots: the heap's pinned roots (the scheduler, which reaches every live process, and host
//! handles) and the interned symbols that hold state of their own (bound globals, with their
//! values). The symbol table is weak: any other interned symbol lives only while something
//! reachable refers to it (a constant or global of live code, a list, a record type, ...); a
//! dead one is freed and leaves the table, so data-made names (`string->symbol` on input,
//! `read`) do not accumulate in a heap, or a store, that lives for months.
//!
//! Collection runs only between interpreter slices, when every value of every process is in the
//! heap. Marking uses an explicit stack, so a 10^6-long list or continuation chain does not
//! recurse on the Rust stack. Objects never move; freed ids are recorded for the persistence
//! layer and reused by later allocations.

use crate::heap::Heap;
use crate::value::{ObjId, Value};
use crate::vm::Vm;

/// The collector runs after at least this many allocations.
pub(crate) const MIN_GC_THRESHOLD: usize = 200_000;

impl Heap {
    /// Frees every object not reachable from the roots and `extra_roots`; returns how many.
    pub fn collect(&mut self, extra_roots: &[Value]) -> usize {
        let mut marked = vec![false; self.capacity()];
        let mut stack: Vec<ObjId> = Vec::new();
        let push = |stack: &mut Vec<ObjId>, marked: &mut [bool], v: Value| {
            if let Some(id) = v.as_obj()
                && !marked[id.index()]
            {
                marked[id.index()] = true;
                stack.push(id);
            }
        };
        for id in self.rooted_symbols().chain(self.roots.iter().copied()) {
            push(&mut stack, &mut marked, Value::obj(id));
        }
        for &v in extra_roots {
            push(&mut stack, &mut marked, v);
        }
        while let Some(id) = stack.pop() {
            self.get(id)
                .for_each_ref(|v| push(&mut stack, &mut marked, v));
        }
        let mut freed = 0;
        // `free_slot` also drops a dead interned symbol from the symbol table.
        for (i, &live) in marked.iter().enumerate() {
            let id = ObjId(u32::try_from(i).expect("ids fit u32"));
            if !live && self.try_get(id).is_some() {
                self.free_slot(id);
                freed += 1;
            }
        }
        self.allocated_since_gc = 0;
        self.compact_change_sets();
        freed
    }
}

impl Vm {
    /// Collects garbage now and adapts the threshold to the live size.
    pub fn collect(&mut self) -> usize {
        let freed = self.heap.collect(&[]);
        // Collecting after twice the live size keeps the marking work per allocation constant
        // and memory within three times the live data.
        self.gc_threshold = MIN_GC_THRESHOLD.max(2 * self.heap.live_objects());
        freed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Object;

    #[test]
    fn unreachable_objects_are_freed_and_recorded() {
        let mut h = Heap::new();
        let kept = h.cons(Value::small(1), Value::NULL);
        h.define("kept", kept);
        let dropped = h.cons(Value::small(2), Value::NULL);
        h.take_dirty();
        h.set_all_stored();
        let never_stored = h.cons(Value::small(3), Value::NULL);
        let before = h.live_objects();
        assert_eq!(h.collect(&[]), 2);
        assert_eq!(h.live_objects(), before - 2);
        assert!(h.try_get(never_stored.as_obj().unwrap()).is_none());
        assert_eq!(
            h.take_freed(),
            vec![dropped.as_obj().unwrap()],
            "only what the store holds needs a delete"
        );
        assert!(h.pair(kept).is_some());
    }

    #[test]
    fn a_freed_id_reused_in_the_same_wave_is_both_freed_and_dirty() {
        let mut h = Heap::new();
        let dropped = h.cons(Value::small(1), Value::NULL).as_obj().unwrap();
        h.take_dirty();
        h.set_all_stored();
        h.collect(&[]);
        let reused = h.cons(Value::small(2), Value::NULL).as_obj().unwrap();
        assert_eq!(reused, dropped);
        assert_eq!(h.take_freed(), vec![dropped]);
        assert_eq!(h.take_dirty(), vec![reused]);
    }

    #[test]
    fn change_sets_stay_bounded_when_nobody_takes_them() {
        // An in-memory run never takes the dirty and freed sets; they must not grow with the
        // number of allocations, only with the heap's size.
        let mut h = Heap::new();
        for round in 0..50 {
            for i in 0..10_000 {
                h.cons(Value::small(i), Value::small(round));
            }
            h.collect(&[]);
            assert!(
                h.pending_changes() <= 2 * h.capacity(),
                "{} > 2 x {}",
                h.pending_changes(),
                h.capacity()
            );
        }
    }

    #[test]
    fn a_collection_keeps_the_entries_touched_since_the_last_young_collection() {
        // The full collection compacts the dirty set; what durability's next collection of
        // young objects looks at must still be exactly what was touched since its last one.
        let mut h = Heap::new();
        let before = h.cons(Value::small(1), Value::NULL);
        h.define("before", before);
        h.cons(Value::small(2), Value::NULL);
        h.end_young_collection();
        h.cons(Value::small(3), Value::NULL);
        let after = h.cons(Value::small(4), Value::NULL);
        h.define("after", after);
        h.collect(&[]);
        let mut touched: Vec<ObjId> = h
            .touched_entries()
            .filter(|&id| h.is_dirty(id) && h.is_touched(id))
            .collect();
        touched.sort_unstable();
        touched.dedup();
        let symbol = h.lookup_symbol("after").expect("interned");
        let mut want = vec![after.as_obj().unwrap(), symbol];
        want.sort_unstable();
        assert_eq!(touched, want);
        assert!(!touched.contains(&before.as_obj().unwrap()));
    }

    #[test]
    fn the_symbol_table_is_weak_for_symbols_without_state() {
        let mut h = Heap::new();
        let dropped = h.intern("dropped");
        let held = h.intern_value("held");
        let list = h.list(&[held]);
        h.define("holder", list);
        let bound = h.intern("bound-only");
        h.set_global(bound, Value::small(1));
        let uninterned = h.alloc_value(Object::Symbol(crate::object::Symbol {
            name: "held".into(),
            value: Value::UNBOUND,
            interned: false,
        }));
        h.set_all_stored();
        assert_eq!(h.collect(&[]), 2);
        let mut freed = h.take_freed();
        freed.sort_unstable();
        assert_eq!(freed, vec![dropped, uninterned.as_obj().unwrap()]);
        assert_eq!(h.lookup_symbol("dropped"), None);
        // Freeing the uninterned namesake leaves the interned one indexed.
        assert_eq!(h.lookup_symbol("held"), held.as_obj());
        assert_eq!(h.lookup_symbol("bound-only"), Some(bound));
        assert_eq!(h.global(bound), Some(Value::small(1)));
        let again = h.intern("dropped");
        assert!(matches!(h.get(again), Object::Symbol(s) if &*s.name == "dropped" && s.interned));
        assert_eq!(h.global(again), None);
        assert_eq!(h.lookup_symbol("dropped"), Some(again));
    }

    #[test]
    fn a_freed_symbol_id_reused_by_another_object_is_not_found_by_name() {
        let mut h = Heap::new();
        let ghost = h.intern("ghost");
        h.collect(&[]);
        let pair = h.cons(Value::small(1), Value::NULL).as_obj().unwrap();
        assert_eq!(pair, ghost, "the freed id is reused");
        assert_eq!(h.lookup_symbol("ghost"), None);
        assert_eq!(h.global_named("ghost"), None);
        let fresh = h.intern("ghost");
        assert_ne!(fresh, pair);
        assert!(h.pair(Value::obj(pair)).is_some());
    }

    #[test]
    fn long_chains_are_marked_without_recursion() {
        let mut h = Heap::new();
        let mut l = Value::NULL;
        for i in 0..1_000_000 {
            l = h.cons(Value::small(i), l);
        }
        let b = h.alloc_value(Object::Box(l));
        h.define("chain", b);
        assert_eq!(h.collect(&[]), 0);
        h.define("chain", Value::FALSE);
        assert_eq!(h.collect(&[]), 1_000_001);
    }
}
