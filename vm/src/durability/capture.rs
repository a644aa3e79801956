//! Taking a wave at a boundary: the dirty set and the freed set of the heap.

use super::{Wave, WaveObject};
use crate::encode::encode_object_exact;
use crate::heap::ascending_unique;
use crate::value::ObjId;
use crate::vm::Vm;

impl Vm {
    /// Captures the changes since the previous wave and opens the next one. Runs between
    /// slices, when every process's state is in the heap.
    ///
    /// `awaited`: something waits for this wave to be durable (a process in `(sync)`, a
    /// host's flush, the program's end). Its wait is then the capture plus the commit, one
    /// after the other, so every object is encoded here, once; otherwise the objects that
    /// copy cheaply are copied ([`WaveObject::capture`]), for the sink to encode on its own
    /// thread while the program runs on.
    pub(crate) fn capture_wave(&mut self, finished: Option<i32>, awaited: bool) -> Wave {
        let capacity = self.heap.capacity();
        let mut dirty = self.heap.take_dirty_ascending();
        // Only ids the store holds were recorded as freed: most freed objects were born and
        // died between two boundaries and never stored. From here on `is_stored` says whether
        // the object now at an id is the one the store holds.
        let mut freed = ascending_unique(self.heap.take_freed(), capacity);
        self.collect_young_at_boundary(&mut dirty);
        // Freed, then reused by a new object: the new object is written over the old row.
        remove_sorted(&mut freed, &dirty);
        let unchanged = self.heap.live_objects().saturating_sub(dirty.len());
        let rewrite = rewrite_pays(freed.len(), unchanged);
        if rewrite {
            freed.clear();
            dirty = self.heap.iter().map(|(id, _)| id).collect();
        }
        let heap = &mut self.heap;
        let mut scratch = Vec::new();
        let objects: Vec<(ObjId, WaveObject)> = dirty
            .into_iter()
            .map(|id| {
                let object = heap.get(id);
                let object = if awaited {
                    WaveObject::Bytes(encode_object_exact(object, &mut scratch))
                } else {
                    WaveObject::capture(object, &mut scratch)
                };
                heap.set_stored(id);
                (id, object)
            })
            .collect();
        let d = &mut self.host.durability;
        let number = d.open_wave;
        d.open_wave += 1;
        let expand_env = std::mem::take(&mut d.expand_env_changed).then(|| {
            postcard::to_allocvec(&self.expand_env).expect("the expander environment encodes")
        });
        let meta = std::mem::take(&mut d.meta);
        let roots = self.heap.roots.clone();
        Wave {
            number,
            objects,
            freed,
            scheduler: self.scheduler,
            roots,
            expand_env,
            meta,
            finished,
            rewrite,
        }
    }

    /// Drops the dirty and freed sets when nothing is persisted, so they do not grow.
    pub(crate) fn discard_changes(&mut self) {
        self.heap.clear_changes();
    }
}

/// A wave rewrites the whole heap instead of deleting what was freed when deletes outnumber
/// the unchanged objects the rewrite would write in addition by this factor.
///
/// Deleting an object costs the store about what writing one does (its leaf rewritten, its
/// row gone), but a rewrite's extra objects are copied here, on the VM thread, and its
/// deletes are free: the store is emptied in one operation. A program that drops a
/// structure of 10^6 objects while keeping a few thousand (`deep`, at its end) then writes
/// those thousands instead of deleting the million.
const REWRITE_FACTOR: usize = 4;

/// Whether a wave that deletes `freed` objects and leaves `unchanged` stored objects alone
/// is cheaper as a rewrite of the whole heap.
fn rewrite_pays(freed: usize, unchanged: usize) -> bool {
    freed > REWRITE_FACTOR * unchanged
}

/// Removes from `ids` the members of `other`; both ascending. One merge pass: both lists
/// can hold a few hundred thousand ids, where a search per id misses the cache each time.
fn remove_sorted(ids: &mut Vec<ObjId>, other: &[ObjId]) {
    let mut rest = other.iter().peekable();
    ids.retain(|id| {
        while rest.next_if(|&o| o < id).is_some() {}
        rest.peek() != Some(&id)
    });
}

#[cfg(test)]
mod tests {
    use super::WaveObject;
    use crate::object::Object;
    use crate::value::{ObjId, Value};
    use crate::vm::Vm;

    #[test]
    fn a_wave_object_gives_the_bytes_of_its_object_copied_or_encoded() {
        let mut vm = Vm::new().expect("the prelude loads");
        let pair = vm.heap.cons(Value::small(1), Value::NULL);
        let mut scratch = Vec::new();
        let mut kinds = (0, 0);
        for (_, object) in vm.heap.iter() {
            let captured = WaveObject::capture(object, &mut scratch);
            match &captured {
                WaveObject::Copy(_) => kinds.0 += 1,
                WaveObject::Bytes(_) => kinds.1 += 1,
            }
            assert_eq!(
                captured.into_bytes(&mut scratch),
                crate::encode::encode_object(object),
                "{object:?}"
            );
        }
        assert!(kinds.0 > 0 && kinds.1 > 0, "{kinds:?}");
        let copied = WaveObject::capture(vm.heap.get(pair.as_obj().unwrap()), &mut scratch);
        assert!(matches!(copied, WaveObject::Copy(Object::Pair(..))));
        let scheduler = WaveObject::capture(vm.heap.get(vm.scheduler), &mut scratch);
        assert!(matches!(scheduler, WaveObject::Bytes(_)), "encoded at once");
    }

    #[test]
    fn an_awaited_wave_is_encoded_on_the_vm_thread_and_another_copied() {
        let mut vm = Vm::bare();
        vm.enable_durability();
        vm.capture_wave(None, false);
        let round = |vm: &mut Vm, awaited: bool| {
            let list = vm.heap.list(&[Value::small(1), Value::small(2)]);
            vm.heap.define("list", list);
            let wave = vm.capture_wave(None, awaited);
            let (_, pair) = wave
                .objects
                .iter()
                .find(|(id, _)| Some(*id) == list.as_obj())
                .expect("the new list is written");
            matches!(pair, WaveObject::Copy(_))
        };
        assert!(round(&mut vm, false), "a pair is copied when nobody waits");
        assert!(
            !round(&mut vm, true),
            "and encoded at once when someone does"
        );
    }

    #[test]
    fn removing_a_sorted_list_keeps_exactly_the_others() {
        let ids = |v: &[u32]| v.iter().map(|&i| ObjId(i)).collect::<Vec<_>>();
        for (from, other, want) in [
            (&[1, 3, 5, 7][..], &[0, 3, 4, 7, 9][..], &[1, 5][..]),
            (&[2, 4], &[], &[2, 4]),
            (&[], &[1], &[]),
            (&[1, 2, 3], &[1, 2, 3], &[]),
            (&[5, 6], &[1, 2], &[5, 6]),
        ] {
            let mut list = ids(from);
            super::remove_sorted(&mut list, &ids(other));
            assert_eq!(list, ids(want), "{from:?} - {other:?}");
        }
    }

    fn ids(wave: &super::Wave) -> Vec<ObjId> {
        wave.objects.iter().map(|(id, _)| *id).collect()
    }

    #[test]
    fn a_wave_holds_what_changed_and_what_was_freed() {
        let mut vm = Vm::bare();
        vm.enable_durability();
        let first = vm.capture_wave(None, false);
        assert_eq!(first.number, 1);
        assert!(
            first.expand_env.is_some(),
            "a new heap saves its expander environment"
        );

        let kept = vm.heap.cons(Value::small(1), Value::NULL);
        vm.heap.define("kept", kept);
        let old = vm.heap.cons(Value::small(2), Value::NULL);
        vm.heap.define("old", old);
        let second = vm.capture_wave(None, false);
        assert_eq!(second.number, 2);
        assert!(ids(&second).contains(&kept.as_obj().unwrap()));
        assert!(ids(&second).contains(&old.as_obj().unwrap()));
        assert!(second.expand_env.is_none());

        vm.heap.define("old", Value::FALSE);
        vm.heap.collect(&[]);
        let third = vm.capture_wave(None, false);
        assert_eq!(third.freed, vec![old.as_obj().unwrap()]);
        assert!(!ids(&third).contains(&old.as_obj().unwrap()));
    }

    #[test]
    fn garbage_allocated_since_the_last_wave_is_never_written() {
        let mut vm = Vm::bare();
        vm.enable_durability();
        vm.capture_wave(None, false);
        let kept = vm.heap.list(&[Value::small(1), Value::small(2)]);
        let garbage = vm.heap.list(&[Value::small(3), Value::small(4)]);
        let holder = vm.heap.alloc(Object::Vector(vec![kept]));
        vm.pin(holder);
        let wave = vm.capture_wave(None, false);
        let written = ids(&wave);
        let (k1, k2) = (kept.as_obj().unwrap(), vm.heap.pair(kept).unwrap().1);
        assert!(written.contains(&k1) && written.contains(&k2.as_obj().unwrap()));
        assert!(written.contains(&holder));
        assert!(!written.contains(&garbage.as_obj().unwrap()));
        assert!(vm.heap.try_get(garbage.as_obj().unwrap()).is_none());
        assert!(wave.freed.is_empty(), "never stored, so nothing to delete");
    }

    #[test]
    fn a_young_symbol_is_written_only_if_reached_or_bound() {
        let mut vm = Vm::bare();
        vm.enable_durability();
        vm.capture_wave(None, false);
        let dropped = vm.heap.intern("made-from-data-and-dropped");
        let bound = vm.heap.intern("bound-global");
        vm.heap.define("bound-global", Value::small(1));
        let wave = vm.capture_wave(None, false);
        assert!(!ids(&wave).contains(&dropped));
        assert!(
            vm.heap
                .lookup_symbol("made-from-data-and-dropped")
                .is_none()
        );
        assert!(ids(&wave).contains(&bound));
    }

    #[test]
    fn a_young_object_reached_only_from_a_mutated_old_one_is_kept() {
        let mut vm = Vm::bare();
        vm.enable_durability();
        let old = vm.heap.alloc(Object::Box(Value::FALSE));
        vm.pin(old);
        vm.capture_wave(None, false);
        let young = vm.heap.cons(Value::small(9), Value::NULL);
        if let Object::Box(v) = vm.heap.get_mut(old) {
            *v = young;
        }
        let wave = vm.capture_wave(None, false);
        assert!(ids(&wave).contains(&young.as_obj().unwrap()));
        assert_eq!(vm.heap.pair(young), Some((Value::small(9), Value::NULL)));
    }

    /// A VM whose stored object was freed by the collector and whose id was then taken by a
    /// new object, not yet reachable; returns that id.
    fn stored_id_freed_and_reused() -> (Vm, ObjId) {
        let mut vm = Vm::bare();
        vm.enable_durability();
        let old = vm.heap.cons(Value::small(2), Value::NULL).as_obj().unwrap();
        vm.heap.define("old", Value::obj(old));
        vm.capture_wave(None, false);
        vm.heap.define("old", Value::FALSE);
        vm.heap.collect(&[]);
        let reused = vm.heap.alloc(Object::Box(Value::small(3)));
        assert_eq!(reused, old, "the collector's freed id is reused first");
        (vm, reused)
    }

    #[test]
    fn an_id_freed_and_reused_in_one_wave_is_written_not_deleted() {
        let (mut vm, reused) = stored_id_freed_and_reused();
        vm.heap.define("new", Value::obj(reused));
        let wave = vm.capture_wave(None, false);
        assert!(wave.freed.is_empty(), "{:?}", wave.freed);
        assert_eq!(ids(&wave).iter().filter(|&&id| id == reused).count(), 1);
    }

    #[test]
    fn an_id_freed_reused_and_dropped_in_one_wave_is_deleted_not_written() {
        let (mut vm, old) = stored_id_freed_and_reused();
        let wave = vm.capture_wave(None, false);
        assert_eq!(wave.freed, vec![old]);
        assert!(!ids(&wave).contains(&old));
        assert!(
            vm.heap.try_get(old).is_none(),
            "the nursery collection freed it"
        );
        let next = vm.capture_wave(None, false);
        assert!(next.freed.is_empty(), "deleted once: {:?}", next.freed);
    }

    #[test]
    fn ids_never_stored_are_not_deleted() {
        let mut vm = Vm::bare();
        vm.enable_durability();
        let stored = vm.heap.cons(Value::small(1), Value::NULL);
        vm.heap.define("stored", stored);
        vm.capture_wave(None, false);
        // Born and collected between two boundaries: never stored.
        let transient = vm.heap.cons(Value::small(2), Value::NULL).as_obj().unwrap();
        vm.heap.define("stored", Value::FALSE);
        vm.heap.collect(&[]);
        assert!(vm.heap.try_get(transient).is_none());
        let wave = vm.capture_wave(None, false);
        assert_eq!(wave.freed, vec![stored.as_obj().unwrap()]);
    }
}
