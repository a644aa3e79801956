//! The write barrier holds for every primitive: calling any registered primitive on a pool of
//! objects of every mutable kind, any object whose encoding changed must be in the dirty set.
//! New primitives are covered automatically.

use std::collections::HashMap;

use crate::encode::encode_object;
use crate::object::{HashKind, HashTable, Object, Port, PortKind, Promise, Record, RecordType};
use crate::prim::{Ctx, Host};
use crate::value::{ObjId, Value};
use crate::vm::Vm;

/// Primitives that touch the host rather than the heap, or never return on this input.
const SKIP: &[&str] = &[
    "exit",
    "emergency-exit",
    "read",
    "read-line",
    "read-char",
    "peek-char",
    "read-string",
    "read-u8",
    "peek-u8",
    "read-bytevector",
    "char-ready?",
    "u8-ready?",
];

/// A fresh pool of one object of each mutable kind, plus some immediates.
fn pool(vm: &mut Vm) -> (Vec<ObjId>, Vec<Value>) {
    let h = &mut vm.heap;
    let sym = h.intern_value("f");
    let rtd = h.alloc(Object::RecordType(RecordType {
        name: sym,
        fields: vec![sym].into(),
    }));
    let ids = vec![
        h.alloc(Object::Pair(Value::small(1), Value::NULL)),
        h.alloc(Object::Vector(vec![
            Value::small(1),
            Value::small(2),
            Value::small(3),
        ])),
        h.alloc(Object::String("abc".chars().collect())),
        h.alloc(Object::Bytevector(vec![1, 2, 3])),
        h.alloc(Object::HashTable(Box::new(HashTable {
            kind: HashKind::Equal,
            buckets: Default::default(),
            len: 0,
            mutable: true,
        }))),
        h.alloc(Object::HashTable(Box::new(HashTable {
            kind: HashKind::Eqv,
            buckets: Default::default(),
            len: 0,
            mutable: true,
        }))),
        h.alloc(Object::Port(Box::new(Port {
            kind: PortKind::StringOutput {
                text: String::new(),
            },
            open: true,
        }))),
        h.alloc(Object::Port(Box::new(Port {
            kind: PortKind::StringInput {
                chars: "xy z".chars().collect(),
                pos: 0,
            },
            open: true,
        }))),
        h.alloc(Object::Box(Value::small(0))),
        h.alloc(Object::Record(Record {
            rtd,
            fields: vec![Value::small(0)].into(),
        })),
        rtd,
        h.alloc(Object::Promise(Promise {
            done: true,
            value: Value::small(1),
        })),
    ];
    let mut vals: Vec<Value> = ids.iter().map(|&id| Value::obj(id)).collect();
    vals.extend([Value::small(0), Value::small(1), Value::char('q'), sym]);
    (ids, vals)
}

#[test]
fn every_primitive_that_mutates_an_object_marks_it_dirty() {
    let mut vm = Vm::bare();
    let me = vm.spawn(Value::FALSE);
    vm.pin(me);
    let names: Vec<_> = vm
        .prims
        .entries()
        .map(|(i, e)| (i, e.name, e.arity))
        .collect();
    let mut calls = 0usize;
    let mut mutations: HashMap<&str, usize> = HashMap::new();
    for (idx, name, arity) in names {
        if SKIP.contains(&name) {
            continue;
        }
        // Up to three arguments, or exactly four for four-argument primitives.
        let max = arity.max.unwrap_or(arity.min + 1).min(3).max(arity.min);
        for argc in arity.min..=max {
            if argc > 4 {
                continue;
            }
            let (_, vals) = pool(&mut vm);
            let n = vals.len();
            for combo in 0..n.pow(argc as u32) {
                let (ids, vals) = pool(&mut vm);
                let args: Vec<Value> = (0..argc)
                    .map(|i| vals[(combo / n.pow(i as u32)) % n])
                    .collect();
                let before: Vec<Vec<u8>> = ids
                    .iter()
                    .map(|&id| encode_object(vm.heap.get(id)))
                    .collect();
                vm.heap.take_dirty();
                let mut host = Host::default();
                let mut ctx = Ctx {
                    heap: &mut vm.heap,
                    host: &mut host,
                    process: me,
                    k: Value::FALSE,
                    site: None,
                    scheduler: vm.scheduler,
                };
                let entry = vm.prims.get(idx).expect("registered");
                let _ = (entry.f)(&mut ctx, &args);
                calls += 1;
                let dirty = vm.heap.take_dirty();
                for (&id, old) in ids.iter().zip(&before) {
                    if encode_object(vm.heap.get(id)) != *old {
                        *mutations.entry(name).or_default() += 1;
                        assert!(
                            dirty.contains(&id),
                            "{name} changed a {} without marking it dirty",
                            vm.heap.get(id).type_name()
                        );
                    }
                }
            }
            vm.collect();
        }
    }
    assert!(calls > 1000, "only {calls} calls");
    // The core's own mutators must have been exercised, or the test proves nothing.
    for name in ["set-car!", "set-cdr!", "vector-set!", "%record-set!"] {
        assert!(
            mutations.contains_key(name),
            "{name} never mutated anything: {mutations:?}"
        );
    }
}
