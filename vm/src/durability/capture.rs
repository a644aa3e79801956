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
