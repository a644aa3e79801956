//! Rooted handles. An engine keeps one Scheme vector, pinned as a root, whose slots hold the
//! values of the live handles: the collector sees them, and a handle's drop frees its slot.
//! Drops only queue the slot (a handle cannot reach the heap); the engine clears queued slots
//! before it next runs Scheme code.

use std::cell::RefCell;
use std::rc::Rc;

use pscheme_vm::object::Object;
use pscheme_vm::{Heap, ObjId, Value};

use crate::error::Error;

#[derive(Debug, Default)]
struct Slots {
    /// Slots free for reuse.
    free: Vec<usize>,
    /// How many handles share each slot (clones share their original's slot).
    holders: Vec<u32>,
    /// Slots of dropped handles, still holding their value in the heap.
    released: Vec<usize>,
}

/// The engine's table of handle slots: the pinned vector and the bookkeeping shared with the
/// handles.
#[derive(Debug)]
pub(crate) struct HandleTable {
    vector: ObjId,
    slots: Rc<RefCell<Slots>>,
}

impl HandleTable {
    /// Allocates the slot vector; the caller pins it.
    pub(crate) fn new(heap: &mut Heap) -> HandleTable {
        HandleTable {
            vector: heap.alloc(Object::Vector(Vec::new())),
            slots: Rc::default(),
        }
    }

    pub(crate) fn vector(&self) -> ObjId {
        self.vector
    }

    /// Keeps `v` alive in a free slot until the returned handle is dropped.
    pub(crate) fn root(&self, heap: &mut Heap, v: Value) -> Handle {
        let slot = if v.as_obj().is_none() {
            // Immediates need no rooting.
            None
        } else {
            let mut slots = self.slots.borrow_mut();
            let reused = slots.free.pop();
            let Object::Vector(items) = heap.get_mut(self.vector) else {
                unreachable!("the handle table is a vector")
            };
            let slot = match reused {
                Some(i) => {
                    items[i] = v;
                    i
                }
                None => {
                    items.push(v);
                    items.len() - 1
                }
            };
            if slot == slots.holders.len() {
                slots.holders.push(0);
            }
            slots.holders[slot] = 1;
            Some(slot)
        };
        Handle {
            value: v,
            slot,
            slots: Rc::clone(&self.slots),
        }
    }

    /// Clears the slots of dropped handles so their values can be collected.
    pub(crate) fn collect_released(&self, heap: &mut Heap) {
        let mut slots = self.slots.borrow_mut();
        if slots.released.is_empty() {
            return;
        }
        let released = std::mem::take(&mut slots.released);
        if let Object::Vector(items) = heap.get_mut(self.vector) {
            for &i in &released {
                items[i] = Value::FALSE;
            }
        }
        slots.free.extend(released);
    }
}

/// A Scheme value held by the host. The value stays alive (the collector treats it as a root)
/// until the handle and all its clones are dropped. A handle belongs to the engine that made
/// it and is not `Send`; cloning one is cheap (clones share one root slot).
///
/// Handles do not survive a restart: a value the host must find again after reopening a store
/// belongs in a Scheme global ([`Engine::global`](crate::Engine::global)).
///
/// ```
/// use pscheme_embed::{Engine, Handle};
/// let mut engine = Engine::new()?;
/// let list: Handle = engine.eval("(list 1 2 3)")?;
/// engine.eval::<()>("(define junk (make-vector 100000 0))")?; // allocation, maybe a collection
/// let plus = engine.global("+")?;
/// let total: i64 = engine.call("apply", (&plus, &list))?;
/// assert_eq!(total, 6);
/// # Ok::<(), pscheme_embed::Error>(())
/// ```
#[derive(Debug)]
pub struct Handle {
    value: Value,
    /// `None` for an immediate value (nothing to keep alive).
    slot: Option<usize>,
    slots: Rc<RefCell<Slots>>,
}

impl Handle {
    /// The value, if this handle belongs to `table`'s engine.
    pub(crate) fn value_in(&self, table: &HandleTable) -> Result<Value, Error> {
        if Rc::ptr_eq(&self.slots, &table.slots) {
            Ok(self.value)
        } else {
            Err(Error::ForeignHandle)
        }
    }
}

impl Clone for Handle {
    fn clone(&self) -> Handle {
        if let Some(slot) = self.slot {
            self.slots.borrow_mut().holders[slot] += 1;
        }
        Handle {
            value: self.value,
            slot: self.slot,
            slots: Rc::clone(&self.slots),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            let mut slots = self.slots.borrow_mut();
            slots.holders[slot] -= 1;
            if slots.holders[slot] == 0 {
                slots.released.push(slot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots_of(heap: &Heap, table: &HandleTable) -> Vec<Value> {
        match heap.get(table.vector()) {
            Object::Vector(items) => items.clone(),
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_dropped_handle_frees_its_slot_for_reuse() {
        let mut heap = Heap::new();
        let table = HandleTable::new(&mut heap);
        let a = heap.string("a");
        let b = heap.string("b");
        let ha = table.root(&mut heap, a);
        let hb = table.root(&mut heap, b);
        assert_eq!(slots_of(&heap, &table), [a, b]);
        drop(ha);
        // Until the engine collects released slots, the value stays rooted.
        assert_eq!(slots_of(&heap, &table), [a, b]);
        table.collect_released(&mut heap);
        assert_eq!(slots_of(&heap, &table), [Value::FALSE, b]);
        let c = heap.string("c");
        let hc = table.root(&mut heap, c);
        assert_eq!(slots_of(&heap, &table), [c, b], "the freed slot is reused");
        assert_eq!(hc.value_in(&table).unwrap(), c);
        drop((hb, hc));
    }

    #[test]
    fn a_slot_is_released_when_the_last_clone_is_dropped() {
        let mut heap = Heap::new();
        let table = HandleTable::new(&mut heap);
        let a = heap.string("a");
        let original = table.root(&mut heap, a);
        let copy = original.clone();
        assert_eq!(slots_of(&heap, &table), [a], "clones share the slot");
        drop(original);
        table.collect_released(&mut heap);
        assert_eq!(slots_of(&heap, &table), [a], "a clone still holds it");
        assert_eq!(copy.value_in(&table).unwrap(), a);
        let second = copy.clone();
        drop(copy);
        drop(second);
        table.collect_released(&mut heap);
        assert_eq!(slots_of(&heap, &table), [Value::FALSE]);
        let b = heap.string("b");
        let hb = table.root(&mut heap, b);
        let hb2 = hb.clone();
        assert_eq!(slots_of(&heap, &table), [b], "the freed slot is reused");
        drop(hb);
        table.collect_released(&mut heap);
        assert_eq!(
            slots_of(&heap, &table),
            [b],
            "the reused slot counts afresh"
        );
        drop(hb2);
    }

    #[test]
    fn immediates_take_no_slot() {
        let mut heap = Heap::new();
        let table = HandleTable::new(&mut heap);
        let h = table.root(&mut heap, Value::small(7));
        assert!(slots_of(&heap, &table).is_empty());
        drop(h);
        table.collect_released(&mut heap);
        assert!(slots_of(&heap, &table).is_empty());
    }
}
