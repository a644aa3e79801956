//! Comparing the heap a store loads back with the heap that wrote it. Shared by the
//! integration tests (through `common`) and the writer's unit tests (by path).

use pscheme_vm::encode::encode_object;
use pscheme_vm::{ObjId, Object, Vm};

/// Encodings of every object, hash tables aside (their bucket map encodes in hash order).
pub fn image(vm: &Vm) -> Vec<(ObjId, Vec<u8>)> {
    vm.heap
        .iter()
        .filter(|(_, o)| !matches!(o, Object::HashTable(_)))
        .map(|(id, o)| (id, encode_object(o)))
        .collect()
}

/// Asserts that `loaded` holds exactly the objects of `ended`, naming the first that differs.
pub fn assert_same_heap(loaded: &Vm, ended: &Vm) {
    let (a, b) = (image(loaded), image(ended));
    let first = a.iter().zip(&b).find(|(x, y)| x != y).map(|(x, y)| {
        (
            x.0,
            y.0,
            loaded.heap.get(x.0).type_name(),
            ended.heap.get(y.0).type_name(),
        )
    });
    assert!(
        first.is_none() && a.len() == b.len(),
        "{} vs {} objects, first difference {first:?}",
        a.len(),
        b.len()
    );
    assert_eq!(loaded.heap.live_objects(), ended.heap.live_objects());
}
