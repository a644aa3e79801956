//! Taking a wave at a boundary: the dirty set and the freed set of the heap, encoded.

use super::Wave;
use crate::encode::encode_object;
use crate::vm::Vm;

impl Vm {
    /// Captures the changes since the previous wave and opens the next one. Runs between
    /// slices, when every process's state is in the heap.
    pub(crate) fn capture_wave(&mut self, finished: Option<i32>) -> Wave {
        let mut dirty = self.heap.take_dirty();
        // An id freed and reallocated since the last wave is listed once per allocation.
        dirty.sort_unstable();
        dirty.dedup();
        let mut freed = self.heap.take_freed();
        freed.sort_unstable();
        freed.dedup();
        // Freed, then reused by a new object: the new object is written over the old row.
        freed.retain(|id| dirty.binary_search(id).is_err());
        let objects = dirty
            .into_iter()
            .map(|id| (id, encode_object(self.heap.get(id))))
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
        }
    }

    /// Drops the dirty and freed sets when nothing is persisted, so they do not grow.
    pub(crate) fn discard_changes(&mut self) {
        self.heap.take_dirty();
        self.heap.take_freed();
    }
}

#[cfg(test)]
mod tests {
    use crate::object::Object;
    use crate::value::{ObjId, Value};
    use crate::vm::Vm;

    fn ids(wave: &super::Wave) -> Vec<ObjId> {
        wave.objects.iter().map(|(id, _)| *id).collect()
    }

    #[test]
    fn a_wave_holds_what_changed_and_what_was_freed() {
        let mut vm = Vm::bare();
        vm.enable_durability();
        let first = vm.capture_wave(None);
        assert_eq!(first.number, 1);
        assert!(
            first.expand_env.is_some(),
            "a new heap saves its expander environment"
        );

        let kept = vm.heap.cons(Value::small(1), Value::NULL);
        vm.heap.define("kept", kept);
        let dropped = vm.heap.cons(Value::small(2), Value::NULL).as_obj().unwrap();
        let second = vm.capture_wave(None);
        assert_eq!(second.number, 2);
        assert!(ids(&second).contains(&kept.as_obj().unwrap()));
        assert!(ids(&second).contains(&dropped));
        assert!(second.expand_env.is_none());

        vm.heap.collect(&[]);
        let third = vm.capture_wave(None);
        assert_eq!(third.freed, vec![dropped]);
        assert!(!ids(&third).contains(&dropped));
    }

    #[test]
    fn an_id_freed_and_reused_in_one_wave_is_written_not_deleted() {
        let mut vm = Vm::bare();
        vm.enable_durability();
        let dropped = vm.heap.cons(Value::small(2), Value::NULL).as_obj().unwrap();
        vm.capture_wave(None);
        vm.heap.collect(&[]);
        let reused = vm.heap.alloc(Object::Box(Value::small(3)));
        assert_eq!(reused, dropped, "the collector's freed id is reused first");
        let wave = vm.capture_wave(None);
        assert!(wave.freed.is_empty(), "{:?}", wave.freed);
        assert_eq!(ids(&wave).iter().filter(|&&id| id == reused).count(), 1);
    }
}
