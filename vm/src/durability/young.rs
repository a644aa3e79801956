//! Collections of young objects: those allocated since the last wave, which the store does
//! not hold. Short-lived garbage is freed by them before anything encodes or writes it.
//!
//! A young object is reachable only from a root, from another young object, or from an old
//! object mutated since the last wave (an old object not mutated since was last changed
//! before any young object existed). So a collection marks from the roots and the dirty old
//! objects, and its cost follows the dirty set and the live young objects, not the heap.
//!
//! One runs at every wave boundary, over every young object. Others run between waves, every
//! [`super::DriveConfig::young_collection_interval`] allocations, so that garbage is freed
//! while its memory is still warm: tak took ~55 ms (11%) longer with waves 20 ms apart than
//! with waves 5 ms apart or in memory, which these collections mostly recover. Those
//! collections look only at objects allocated or mutated since the previous
//! collection (touched): a young object that survived one (a survivor) and was not mutated
//! since cannot refer to anything younger, so live young data is not marked again and again.
//! Survivors that die before the wave are left to the boundary's collection. Marking live
//! newborns still costs what freeing garbage saves, so while a tenth or more of them live,
//! the interval doubles (closures, which builds 50,000-element lists, was 10% slower
//! without that).

use crate::heap::IdSet;
use crate::object::Object;
use crate::value::{ObjId, Value};
use crate::vm::Vm;

/// The most times the interval between two collections between waves doubles (to 64 times).
const MAX_BACKOFF: u32 = 6;

impl Vm {
    /// The collection at a wave boundary: frees every young object nothing reaches and
    /// removes it from `dirty` (ascending; the boundary's dirty set), where there is nothing
    /// to delete for it (it was never stored).
    pub(crate) fn collect_young_at_boundary(&mut self, dirty: &mut Vec<ObjId>) {
        self.heap.end_young_collection();
        let heap = &self.heap;
        let marked = self.mark_young(dirty, |id| !heap.is_stored(id));
        // These frees record nothing to delete: the objects were never stored.
        let heap = &mut self.heap;
        dirty.retain(|&id| {
            let garbage = !heap.is_stored(id) && !marked.contains(id);
            if garbage {
                heap.free_slot(id);
            }
            !garbage
        });
    }

    /// Collects young objects between waves if `interval` allocations, doubled for each
    /// back-off, were made since the last collection.
    pub(crate) fn collect_young_if_due(&mut self, interval: usize) {
        let interval = interval.saturating_mul(1 << self.host.durability.young_backoff);
        if self.heap.allocated_since_young_collection >= interval {
            self.collect_young_between_waves();
        }
    }

    /// A collection between waves: frees the young objects allocated since the previous
    /// collection that nothing reaches, and marks the others survivors. The dirty set keeps
    /// its members (the next wave needs them); the frees record nothing to delete (never
    /// stored).
    pub(crate) fn collect_young_between_waves(&mut self) {
        // The list keeps its memory from one collection to the next: built afresh, a list
        // of 10^6 ids grows by copying and faults in new pages every time (a third of deep's
        // time in these collections).
        let mut touched = std::mem::take(&mut self.host.durability.young_touched);
        touched.clear();
        touched.extend(
            self.heap
                .touched_entries()
                .filter(|&id| self.heap.is_dirty(id) && self.heap.is_touched(id)),
        );
        let heap = &self.heap;
        let newborn = |id: ObjId| !heap.is_stored(id) && !heap.is_survivor(id);
        let marked = self.mark_young(&touched, newborn);
        let (mut newborns, mut freed) = (0usize, 0usize);
        for &id in &touched {
            // An id listed twice is settled, or freed, once.
            if !self.heap.is_dirty(id) || !self.heap.is_touched(id) {
                continue;
            }
            let young = !self.heap.is_stored(id);
            if young && !self.heap.is_survivor(id) {
                newborns += 1;
                if !marked.contains(id) {
                    freed += 1;
                    self.heap.free_slot(id);
                    continue;
                }
            }
            self.heap.settle_young(id, young);
        }
        touched.clear();
        self.host.durability.young_touched = touched;
        self.heap.end_young_collection();
        // Marking live young data costs as much as freeing garbage gains: while a tenth or
        // more of the newborns live (a program building a structure), collect less often.
        let d = &mut self.host.durability;
        d.young_backoff = if freed * 10 < newborns * 9 {
            (d.young_backoff + 1).min(MAX_BACKOFF)
        } else {
            0
        };
    }

    /// Marks the objects for which `candidate` holds that the roots reach, or that the
    /// members of the dirty set in `entries` reach: the references of an entry that is not a
    /// candidate are followed (an old object, or a survivor, that changed); an entry that is
    /// a candidate is a root only if it is an interned symbol holding a global (the symbol
    /// table holds the others weakly).
    fn mark_young(&self, entries: &[ObjId], candidate: impl Fn(ObjId) -> bool) -> IdSet {
        let mut marked = IdSet::new(self.heap.capacity());
        let mut stack: Vec<ObjId> = Vec::new();
        let reach = |v: Value, marked: &mut IdSet, stack: &mut Vec<ObjId>| {
            if let Some(id) = v.as_obj()
                && candidate(id)
                && marked.insert(id)
            {
                stack.push(id);
            }
        };
        for &root in &self.heap.roots {
            reach(Value::obj(root), &mut marked, &mut stack);
        }
        for &id in entries {
            let obj = self.heap.get(id);
            if !candidate(id) {
                obj.for_each_ref(|v| reach(v, &mut marked, &mut stack));
            } else if matches!(obj, Object::Symbol(s) if s.interned && s.holds_state()) {
                reach(Value::obj(id), &mut marked, &mut stack);
            }
        }
        while let Some(id) = stack.pop() {
            self.heap
                .get(id)
                .for_each_ref(|v| reach(v, &mut marked, &mut stack));
        }
        marked
    }
}

#[cfg(test)]
mod tests {
    use super::MAX_BACKOFF;
    use crate::object::Object;
    use crate::value::{ObjId, Value};
    use crate::vm::Vm;

    /// A persistent VM whose first wave (the empty heap) has been taken.
    fn after_a_wave() -> Vm {
        let mut vm = Vm::bare();
        vm.enable_durability();
        vm.capture_wave(None, false);
        vm
    }

    fn written(vm: &mut Vm) -> Vec<ObjId> {
        vm.capture_wave(None, false)
            .objects
            .iter()
            .map(|(id, _)| *id)
            .collect()
    }

    fn obj(v: Value) -> ObjId {
        v.as_obj().expect("an object")
    }

    #[test]
    fn unreachable_newborns_are_freed_and_the_others_survive_until_the_wave() {
        let mut vm = after_a_wave();
        let pinned = vm.heap.list(&[Value::small(1)]);
        vm.pin(obj(pinned));
        let global = vm.heap.cons(Value::small(2), Value::NULL);
        vm.heap.define("global", global);
        let garbage = vm.heap.list(&[Value::small(3), Value::small(4)]);
        vm.collect_young_between_waves();
        assert!(vm.heap.try_get(obj(garbage)).is_none(), "freed");
        for kept in [pinned, global] {
            assert!(vm.heap.is_survivor(obj(kept)));
            assert!(vm.heap.is_dirty(obj(kept)), "still for the wave to write");
        }
        let wave = written(&mut vm);
        assert!(wave.contains(&obj(pinned)) && wave.contains(&obj(global)));
        assert!(!wave.contains(&obj(garbage)));
        assert!(!vm.heap.is_survivor(obj(pinned)), "the wave stored it");
    }

    #[test]
    fn the_dirty_set_holds_only_the_survivors_of_the_collections_between_waves() {
        let mut vm = after_a_wave();
        let kept = vm.heap.cons(Value::small(0), Value::NULL);
        vm.heap.define("kept", kept);
        let base = vm.heap.pending_changes();
        for round in 0..10 {
            for i in 0..1_000 {
                vm.heap.cons(Value::small(i), Value::NULL);
            }
            vm.collect_young_between_waves();
            assert_eq!(vm.heap.pending_changes(), base, "round {round}");
        }
        // The entries kept are the ones the wave needs.
        assert!(written(&mut vm).contains(&obj(kept)));
    }

    #[test]
    fn a_survivor_changed_to_refer_to_a_newer_object_keeps_it() {
        let mut vm = after_a_wave();
        let holder = vm.heap.alloc(Object::Box(Value::FALSE));
        vm.pin(holder);
        vm.collect_young_between_waves();
        assert!(vm.heap.is_survivor(holder));
        let newer = vm.heap.cons(Value::small(5), Value::NULL);
        if let Object::Box(v) = vm.heap.get_mut(holder) {
            *v = newer;
        }
        // Only what changed since the last collection is looked at: the survivor is, as it
        // was touched again.
        vm.collect_young_between_waves();
        assert_eq!(vm.heap.pair(newer), Some((Value::small(5), Value::NULL)));
        assert!(written(&mut vm).contains(&obj(newer)));
    }

    #[test]
    fn an_old_object_changed_twice_keeps_what_it_refers_to_now() {
        let mut vm = after_a_wave();
        let old = vm.heap.alloc(Object::Box(Value::FALSE));
        vm.pin(old);
        written(&mut vm);
        let first = vm.heap.cons(Value::small(1), Value::NULL);
        if let Object::Box(v) = vm.heap.get_mut(old) {
            *v = first;
        }
        vm.collect_young_between_waves();
        let second = vm.heap.cons(Value::small(2), Value::NULL);
        if let Object::Box(v) = vm.heap.get_mut(old) {
            *v = second;
        }
        vm.collect_young_between_waves();
        assert!(vm.heap.try_get(obj(second)).is_some());
        assert!(vm.heap.is_survivor(obj(first)), "not looked at again");
        let wave = written(&mut vm);
        assert!(wave.contains(&obj(second)) && wave.contains(&old));
        assert!(
            !wave.contains(&obj(first)),
            "dead by the wave, freed by the boundary's collection"
        );
        assert!(vm.heap.try_get(obj(first)).is_none());
    }

    #[test]
    fn a_newborn_symbol_nothing_holds_leaves_the_table() {
        let mut vm = after_a_wave();
        vm.heap.intern("from-data");
        let bound = vm.heap.intern("bound");
        vm.heap.define("bound", Value::small(1));
        vm.collect_young_between_waves();
        assert_eq!(vm.heap.lookup_symbol("from-data"), None);
        assert_eq!(vm.heap.lookup_symbol("bound"), Some(bound));
    }

    #[test]
    fn collections_between_waves_back_off_while_newborns_live() {
        let mut vm = after_a_wave();
        let mut kept = Value::NULL;
        for round in 1..=MAX_BACKOFF + 1 {
            for i in 0..10 {
                kept = vm.heap.cons(Value::small(i), kept);
            }
            vm.heap.define("kept", kept);
            vm.collect_young_between_waves();
            assert_eq!(vm.host.durability.young_backoff, round.min(MAX_BACKOFF));
        }
        for i in 0..100 {
            vm.heap.cons(Value::small(i), Value::NULL);
        }
        vm.collect_young_between_waves();
        assert_eq!(vm.host.durability.young_backoff, 0, "all garbage");
    }
}
