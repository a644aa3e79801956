//! What the VM's integration tests share.

use pscheme_vm::encode::{decode_object, encode_object};
use pscheme_vm::{Heap, Vm};

/// The VM as the persistence layer saves and resumes it: every object encoded, decoded into a
/// fresh heap, then `Vm::resume` (which rebuilds the symbol table and relinks primitives).
pub fn save_and_resume(vm: Vm) -> Vm {
    let objects: Vec<_> = vm
        .heap
        .iter()
        .map(|(id, o)| (id, encode_object(o)))
        .collect();
    let (scheduler, roots) = vm.roots();
    let roots = roots.to_vec();
    let env = vm.expand_env.clone();
    drop(vm);
    let mut heap = Heap::new();
    for (id, bytes) in objects {
        heap.insert_loaded(id, decode_object(&bytes).expect("decodes"))
            .expect("fresh id");
    }
    Vm::resume(heap, scheduler, &roots, env).expect("resumes")
}
