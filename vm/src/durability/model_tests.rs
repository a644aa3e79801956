//! Waves against a model of the store: random allocation, mutation, dropping, collections
//! (main, between waves) and captures, copied or encoded. After every wave the model, built
//! only from the waves, must hold exactly the heap: every live object with its bytes, and
//! nothing else. This is the invariant `capture_wave` promises by induction, exercised where
//! it is easiest to break: ids freed and reused, stored objects freed between waves, young
//! objects freed before any wave saw them.

use std::collections::HashMap;

use super::WaveObject;
use crate::encode::encode_object;
use crate::object::Object;
use crate::test_rng::Rng;
use crate::value::{ObjId, Value};
use crate::vm::Vm;

const ROOT_SLOTS: usize = 16;
/// Pairs in a large structure: several times the ~700 objects of a bare VM.
const BULK: i64 = 5_000;

struct World {
    vm: Vm,
    /// A pinned vector whose slots keep objects alive.
    root: ObjId,
    /// Ids handed out so far; some are dead or reused since, which `value` checks.
    made: Vec<ObjId>,
    /// The store as the waves describe it: bytes by id.
    store: HashMap<ObjId, Vec<u8>>,
    /// Waves that rewrote the whole heap.
    rewrites: usize,
}

impl World {
    fn new() -> World {
        let mut vm = Vm::bare();
        vm.enable_durability();
        let root = vm
            .heap
            .alloc(Object::Vector(vec![Value::FALSE; ROOT_SLOTS]));
        vm.pin(root);
        World {
            vm,
            root,
            made: Vec::new(),
            store: HashMap::new(),
            rewrites: 0,
        }
    }

    /// A fixnum, or an object allocated so far that is still in the heap (whatever now
    /// holds its id).
    fn value(&mut self, rng: &mut Rng) -> Value {
        if self.made.is_empty() || rng.index(4) == 0 {
            return Value::small(rng.index(1000) as i64);
        }
        let id = self.made[rng.index(self.made.len())];
        match self.vm.heap.try_get(id) {
            Some(_) => Value::obj(id),
            None => Value::NULL,
        }
    }

    fn step(&mut self, rng: &mut Rng) {
        match rng.index(100) {
            // Allocate, kept from a root slot or a live pair, or left as garbage.
            0..=49 => {
                let (car, cdr) = (self.value(rng), self.value(rng));
                let object = match rng.index(3) {
                    0 => Object::Pair(car, cdr),
                    1 => Object::Vector(vec![car, cdr, Value::small(7)]),
                    _ => Object::Box(car),
                };
                let id = self.vm.heap.alloc(object);
                self.made.push(id);
                match rng.index(3) {
                    0 => self.set_root(rng.index(ROOT_SLOTS), Value::obj(id)),
                    1 => self.set_some_car(rng, Value::obj(id)),
                    _ => {}
                }
            }
            // Mutate what a random object refers to.
            50..=69 => {
                let v = self.value(rng);
                self.set_some_car(rng, v);
            }
            // Drop what a root slot holds.
            70..=78 => self.set_root(rng.index(ROOT_SLOTS), Value::FALSE),
            // A structure large against the rest of the heap, which dropped makes a wave
            // rewrite the heap.
            79 if rng.index(3) == 0 => {
                let list = self.list(BULK);
                self.set_root(rng.index(ROOT_SLOTS), list);
            }
            79 => {}
            80..=83 => {
                self.vm.collect();
            }
            84..=89 => self.vm.collect_young_between_waves(),
            _ => self.wave(rng.index(2) == 0),
        }
    }

    /// A fresh list of `len` pairs.
    fn list(&mut self, len: i64) -> Value {
        (0..len).fold(Value::NULL, |tail, i| {
            self.vm.heap.cons(Value::small(i), tail)
        })
    }

    fn set_root(&mut self, slot: usize, v: Value) {
        if let Object::Vector(items) = self.vm.heap.get_mut(self.root) {
            items[slot] = v;
        }
    }

    /// Sets the first field of a random live pair, vector or box to `v`.
    fn set_some_car(&mut self, rng: &mut Rng, v: Value) {
        let Some(target) = self.value(rng).as_obj() else {
            return;
        };
        match self.vm.heap.get_mut(target) {
            Object::Pair(car, _) => *car = v,
            Object::Vector(items) if !items.is_empty() => items[0] = v,
            Object::Box(b) => *b = v,
            _ => {}
        }
    }

    /// Takes a wave, applies it to the model, and checks the model holds the heap.
    fn wave(&mut self, awaited: bool) {
        let wave = self.vm.capture_wave(None, awaited);
        let written: Vec<ObjId> = wave.objects.iter().map(|(id, _)| *id).collect();
        assert!(
            written.is_sorted_by(|a, b| a < b),
            "objects ascend, once each"
        );
        assert!(
            wave.freed.is_sorted_by(|a, b| a < b),
            "deletes ascend, once each"
        );
        assert!(
            wave.freed
                .iter()
                .all(|id| written.binary_search(id).is_err()),
            "wave {}: an id both written and deleted",
            wave.number
        );
        if wave.rewrite {
            assert!(wave.freed.is_empty(), "a rewrite deletes nothing by id");
            self.rewrites += 1;
            self.store.clear();
        }
        for id in &wave.freed {
            assert!(
                self.store.remove(id).is_some(),
                "wave {} deletes {id}, which the store does not hold",
                wave.number
            );
        }
        let mut scratch = Vec::new();
        for (id, object) in wave.objects {
            if awaited {
                assert!(matches!(object, WaveObject::Bytes(_)), "{id}: copied");
            }
            self.store.insert(id, object.into_bytes(&mut scratch));
        }
        for (id, object) in self.vm.heap.iter() {
            assert_eq!(
                self.store.get(&id),
                Some(&encode_object(object)),
                "wave {}: the store's {id} is not the heap's {object:?}",
                wave.number
            );
        }
        assert_eq!(
            self.store.len(),
            self.vm.heap.live_objects(),
            "wave {}: the store holds objects the heap does not",
            wave.number
        );
    }
}

#[test]
fn the_waves_always_describe_the_heap() {
    let (mut waves, mut rewrites) = (0, 0);
    for seed in 1..=40u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut world = World::new();
        world.wave(false);
        for _ in 0..3_000 {
            world.step(&mut rng);
        }
        world.wave(true);
        waves += world.vm.host.durability.open_wave - 1;
        rewrites += world.rewrites;
    }
    // Both kinds of wave were checked against the model.
    assert!(
        rewrites > 0 && (rewrites as u64) < waves / 2,
        "{rewrites} of {waves}"
    );
}

#[test]
fn a_wave_that_frees_much_more_than_it_keeps_rewrites_the_heap() {
    let mut world = World::new();
    let kept = world.list(100);
    world.set_root(0, kept);
    let list = world.list(BULK);
    world.set_root(1, list);
    world.wave(false);
    let unchanged = world.vm.heap.live_objects();
    assert_eq!(world.rewrites, 0, "nothing freed yet");
    world.set_root(1, Value::FALSE);
    world.vm.collect();
    world.wave(false);
    assert_eq!(world.rewrites, 1, "{BULK} freed against {unchanged} kept");
    // Dropping fewer than four times what is kept deletes them.
    let list = world.list(1_000);
    world.set_root(1, list);
    world.wave(false);
    world.set_root(1, Value::FALSE);
    world.vm.collect();
    world.wave(true);
    assert_eq!(world.rewrites, 1, "1,000 freed against {unchanged} kept");
}
