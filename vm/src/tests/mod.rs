//! Interpreter, scheduler and collector tests on hand-assembled code units.

mod asm;
mod barrier;

use pscheme_compiler::bytecode::{BlockKind, Instr, PrimOp};

use asm::{Asm, r};

use crate::encode::{decode_object, encode_object};
use crate::object::{Object, ProcStatus};
use crate::value::Value;
use crate::vm::Vm;

fn run_main(vm: &mut Vm, main: Value) -> crate::ObjId {
    let pid = vm.spawn(main);
    vm.pin(pid);
    vm.run_to_completion();
    pid
}

#[test]
fn entry_returns_a_constant() {
    let mut vm = Vm::bare();
    let mut a = Asm::new();
    let c = a.int(42);
    a.block("main", BlockKind::Lambda, 0, false, 0, 2)
        .konst(1, c)
        .ret(0, 1, 1);
    let main = a.load(&mut vm);
    let pid = run_main(&mut vm, main);
    assert_eq!(vm.process_status(pid), Some(ProcStatus::Done));
    assert_eq!(vm.process_result(pid), Some(Value::small(42)));
}

/// `(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))` called with `n`.
fn counting_program(vm: &mut Vm, n: i64) -> Value {
    let mut a = Asm::new();
    let g = a.global("count");
    let (c_n, c0, c1) = (a.int(n), a.int(0), a.int(1));
    let mut main = a.block("main", BlockKind::Lambda, 0, false, 0, 6);
    main.i(Instr::Closure {
        dst: r(1),
        block: pscheme_compiler::bytecode::BlockIdx(1),
        captures: 0,
    })
    .i(Instr::DefineGlobal { name: g, src: r(1) })
    .konst(2, c_n)
    .i(Instr::Global { dst: r(3), name: g })
    .mov(4, 0)
    .mov(5, 2)
    .call(3, 4, 1);
    let mut count = a.block("count", BlockKind::Lambda, 1, false, 0, 10);
    count.konst(2, c0).prim2(PrimOp::NumEq, 3, 1, 2);
    let jump_at = count.pc();
    count
        .i(Instr::JumpIfFalse {
            cond: r(3),
            target: pscheme_compiler::bytecode::Pc(0),
        })
        .ret(0, 2, 1);
    let recur = count.pc();
    let ops = count.operands(&[0]);
    count
        .konst(4, c1)
        .prim2(PrimOp::Sub, 5, 1, 4)
        .i(Instr::Closure {
            dst: r(6),
            block: pscheme_compiler::bytecode::BlockIdx(2),
            captures: ops,
        })
        .i(Instr::Global { dst: r(7), name: g })
        .mov(8, 6)
        .mov(9, 5)
        .call(7, 8, 1);
    a.unit.blocks[1].code[jump_at.0 as usize] = Instr::JumpIfFalse {
        cond: r(3),
        target: recur,
    };
    let mut k = a.block("count", BlockKind::Continuation, 1, false, 1, 4);
    k.konst(1, c1)
        .prim2(PrimOp::Add, 2, 0, 1)
        .i(Instr::Free { dst: r(3), idx: 0 })
        .ret(3, 2, 1);
    a.load(vm)
}

#[test]
fn non_tail_recursion_a_million_deep_uses_heap_frames() {
    let mut vm = Vm::bare();
    let main = counting_program(&mut vm, 1_000_000);
    let pid = run_main(&mut vm, main);
    assert_eq!(vm.take_reports(), vec![]);
    assert_eq!(vm.process_result(pid), Some(Value::small(1_000_000)));
}

/// `(define (loop n) (cons n n) (if (= n 0) 'done (loop (- n 1))))`.
fn allocating_loop(vm: &mut Vm, n: i64) -> Value {
    let mut a = Asm::new();
    let g = a.global("loop");
    let (c_n, c0, c1, done) = (a.int(n), a.int(0), a.int(1), a.sym("done"));
    let mut main = a.block("main", BlockKind::Lambda, 0, false, 0, 6);
    main.i(Instr::Closure {
        dst: r(1),
        block: pscheme_compiler::bytecode::BlockIdx(1),
        captures: 0,
    })
    .i(Instr::DefineGlobal { name: g, src: r(1) })
    .konst(2, c_n)
    .i(Instr::Global { dst: r(3), name: g })
    .mov(4, 0)
    .mov(5, 2)
    .call(3, 4, 1);
    let mut lp = a.block("loop", BlockKind::Lambda, 1, false, 0, 10);
    lp.prim2(PrimOp::Cons, 9, 1, 1)
        .konst(2, c0)
        .prim2(PrimOp::NumEq, 3, 1, 2);
    let at = lp.pc();
    lp.i(Instr::JumpIfFalse {
        cond: r(3),
        target: pscheme_compiler::bytecode::Pc(0),
    })
    .konst(2, done)
    .ret(0, 2, 1);
    let recur = lp.pc();
    lp.konst(4, c1)
        .prim2(PrimOp::Sub, 5, 1, 4)
        .i(Instr::Global { dst: r(7), name: g })
        .mov(8, 0)
        .mov(9, 5)
        .call(7, 8, 1);
    a.unit.blocks[1].code[at.0 as usize] = Instr::JumpIfFalse {
        cond: r(3),
        target: recur,
    };
    a.load(vm)
}

#[test]
fn tail_loop_of_ten_million_allocations_runs_in_bounded_live_objects() {
    let mut vm = Vm::bare();
    let main = allocating_loop(&mut vm, 10_000_000);
    let pid = vm.spawn(main);
    vm.pin(pid);
    let mut max_live = 0;
    while vm.run_slices(1).is_none() {
        max_live = max_live.max(vm.heap.live_objects());
    }
    assert_eq!(vm.take_reports(), vec![]);
    let done = vm.heap.intern_value("done");
    assert_eq!(vm.process_result(pid), Some(done));
    // The collector's threshold is 100k allocations over the live size; 10^7 objects were made.
    assert!(max_live < 250_000, "live objects peaked at {max_live}");
}

#[test]
fn uncaught_error_names_the_location_and_ends_only_its_process() {
    let mut vm = Vm::bare();
    let mut a = Asm::new();
    let c = a.int(5);
    a.block("bad", BlockKind::Lambda, 0, false, 0, 3)
        .konst(1, c)
        .i(Instr::Prim1 {
            op: PrimOp::Car,
            dst: r(2),
            a: r(1),
        })
        .ret(0, 2, 1);
    let bad = a.load(&mut vm);
    let good = counting_program(&mut vm, 1000);
    let p_bad = vm.spawn(bad);
    let p_good = vm.spawn(good);
    vm.pin(p_bad);
    vm.pin(p_good);
    vm.run_to_completion();
    assert_eq!(vm.process_status(p_bad), Some(ProcStatus::Failed));
    assert_eq!(vm.process_status(p_good), Some(ProcStatus::Done));
    assert_eq!(vm.process_result(p_good), Some(Value::small(1000)));
    let reports = vm.take_reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].location.as_deref(), Some("test.scm:1:2"));
    assert_eq!(reports[0].message, "car: expected pair 5");
}

#[test]
fn a_spinning_process_does_not_starve_others() {
    let mut vm = Vm::bare();
    let spinner = allocating_loop(&mut vm, i64::MAX >> 4);
    let finite = counting_program(&mut vm, 10_000);
    let p_spin = vm.spawn(spinner);
    let p_fin = vm.spawn(finite);
    vm.pin(p_fin);
    let mut slices = 0;
    while vm.process_status(p_fin) != Some(ProcStatus::Done) {
        assert!(
            vm.run_slices(1).is_none(),
            "the spinner keeps the scheduler busy"
        );
        slices += 1;
        assert!(slices < 1_000, "the finite process never finished");
    }
    assert_eq!(vm.process_status(p_spin), Some(ProcStatus::Runnable));
    assert_eq!(vm.process_result(p_fin), Some(Value::small(10_000)));
}

#[test]
fn every_object_of_a_running_heap_round_trips_through_bytes() {
    let mut vm = Vm::bare();
    let main = counting_program(&mut vm, 100_000);
    let pid = vm.spawn(main);
    vm.pin(pid);
    // Stop mid-run so processes, frames and code are all in the heap.
    assert_eq!(vm.run_slices(3), None);
    let mut kinds = std::collections::BTreeSet::new();
    for (_, obj) in vm.heap.iter() {
        let bytes = encode_object(obj);
        let back = decode_object(&bytes).expect("decodes");
        assert_eq!(encode_object(&back), bytes);
        kinds.insert(obj.type_name());
    }
    assert!(
        kinds.contains("process") && kinds.contains("code") && kinds.contains("symbol"),
        "{kinds:?}"
    );
}

#[test]
fn corrupted_object_bytes_are_an_error_not_a_panic() {
    let obj = Object::Pair(Value::small(1), Value::NULL);
    let bytes = encode_object(&obj);
    for cut in 0..bytes.len() {
        assert!(decode_object(&bytes[..cut]).is_err());
    }
    let mut wrong_version = bytes.clone();
    wrong_version[0] = 99;
    assert!(matches!(
        decode_object(&wrong_version),
        Err(crate::encode::DecodeError::Version { .. })
    ));
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            let _ = decode_object(&b);
        }
    }
}

#[test]
fn a_heap_saved_mid_run_resumes_in_a_fresh_vm() {
    let mut vm = Vm::bare();
    let main = counting_program(&mut vm, 100_000);
    let pid = vm.spawn(main);
    vm.pin(pid);
    assert_eq!(vm.run_slices(5), None);
    // Save: every object as bytes, plus the roots.
    let saved: Vec<(crate::ObjId, Vec<u8>)> = vm
        .heap
        .iter()
        .map(|(id, o)| (id, encode_object(o)))
        .collect();
    let (scheduler, roots) = vm.roots();
    let roots = roots.to_vec();
    drop(vm);
    // Load into a new heap and a new VM.
    let mut heap = crate::Heap::new();
    for (id, bytes) in saved {
        heap.insert_loaded(id, decode_object(&bytes).unwrap())
            .unwrap();
    }
    let mut vm = Vm::resume(heap, scheduler, &roots, Default::default()).unwrap();
    assert!(vm.heap.take_dirty().is_empty(), "loading dirtied objects");
    vm.run_to_completion();
    assert_eq!(vm.take_reports(), vec![]);
    assert_eq!(vm.process_result(pid), Some(Value::small(100_000)));
}

#[test]
fn objects_stay_small() {
    // Every heap slot holds one `Object`; large variants are boxed so small objects stay cheap.
    assert!(
        std::mem::size_of::<Object>() <= 32,
        "{}",
        std::mem::size_of::<Object>()
    );
}

#[test]
fn the_host_can_send_to_and_kill_processes() {
    let mut vm = Vm::bare();
    let spinner = allocating_loop(&mut vm, i64::MAX >> 4);
    let p = vm.spawn(spinner);
    vm.pin(p);
    assert_eq!(vm.run_slices(3), None);
    assert!(vm.send(p, Value::small(7)));
    assert!(vm.kill(p));
    assert_eq!(vm.process_status(p), Some(ProcStatus::Failed));
    assert!(!vm.kill(p));
    assert!(!vm.send(p, Value::small(8)));
    assert_eq!(vm.run_slices(10), Some(crate::Idle::AllDone));
}
