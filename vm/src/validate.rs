//! Structural validation of a whole heap, for heaps read back from storage: every reference
//! names a live object, and every object the interpreter indexes without checks (closures,
//! frames, process states, records) agrees with the code and types it refers to. After
//! [`Heap::validate`] succeeds, running the heap cannot panic on an index (each object was
//! encoded by `encode.rs` and decoded with its own checks, so this is the cross-object half).

use std::collections::HashMap;

use pscheme_compiler::bytecode::BlockKind;

use crate::heap::Heap;
use crate::object::{Object, ProcState};
use crate::value::{ObjId, Value};

/// Problems reported at most, so a badly damaged heap does not produce a huge report.
const MAX_PROBLEMS: usize = 20;

impl Heap {
    /// Checks every object against the objects it refers to.
    ///
    /// # Errors
    /// A description of each problem found (up to a limit).
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        // Interned names seen so far: two symbols of one name would break `eq?` on it.
        let mut interned: HashMap<&str, ObjId> = HashMap::new();
        for (id, obj) in self.iter() {
            if problems.len() >= MAX_PROBLEMS {
                break;
            }
            if let Object::Symbol(s) = obj
                && s.interned
                && let Some(first) = interned.insert(&s.name, id)
            {
                problems.push(format!(
                    "{id} (symbol): {} is interned at {first} too",
                    s.name
                ));
            }
            obj.for_each_ref(|v| {
                if let Some(r) = v.as_obj()
                    && self.try_get(r).is_none()
                {
                    problems.push(format!(
                        "{id} ({}) refers to missing object {r}",
                        obj.type_name()
                    ));
                }
            });
            if let Err(why) = self.check_object(obj) {
                problems.push(format!("{id} ({}): {why}", obj.type_name()));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    fn kind_of(&self, id: ObjId) -> Option<&Object> {
        self.try_get(id)
    }

    fn is_kind(&self, v: Value, pred: impl Fn(&Object) -> bool) -> bool {
        v.as_obj().and_then(|id| self.try_get(id)).is_some_and(pred)
    }

    /// Checks the block a closure or frame runs; returns its register count.
    fn check_closure(
        &self,
        code: ObjId,
        block: u32,
        n_free: usize,
        kind: BlockKind,
    ) -> Result<u16, String> {
        let Some(Object::Code(code)) = self.kind_of(code) else {
            return Err("its code is not a code object".into());
        };
        let blk = code
            .0
            .unit
            .blocks
            .get(block as usize)
            .ok_or("block index out of range")?;
        if blk.kind != kind {
            return Err("block kind does not match the object".into());
        }
        if blk.n_free as usize != n_free {
            return Err(format!("{n_free} captures, block wants {}", blk.n_free));
        }
        Ok(blk.n_regs)
    }

    fn check_object(&self, obj: &Object) -> Result<(), String> {
        match obj {
            Object::Closure(c) => self
                .check_closure(c.code, c.block, c.free.len(), BlockKind::Lambda)
                .map(drop),
            Object::Frame(c) => self
                .check_closure(c.code, c.block, c.free.len(), BlockKind::Continuation)
                .map(drop),
            Object::Record(r) => match self.kind_of(r.rtd) {
                Some(Object::RecordType(t)) if t.fields.len() == r.fields.len() => Ok(()),
                _ => Err("record type missing or of another field count".into()),
            },
            Object::Process(p) => {
                if !matches!(self.kind_of(p.mailbox), Some(Object::Mailbox(_))) {
                    return Err("mailbox is not a mailbox".into());
                }
                if !(p.dyn_state.is_false()
                    || self.is_kind(p.dyn_state, |o| matches!(o, Object::DynState(_))))
                {
                    return Err("dynamic state is not a state node".into());
                }
                match &p.state {
                    ProcState::Frame { closure, pc, regs } => {
                        let (code, block, n, kind) = match self.kind_of(*closure) {
                            Some(Object::Closure(c)) => {
                                (c.code, c.block, c.free.len(), BlockKind::Lambda)
                            }
                            Some(Object::Frame(c)) => {
                                (c.code, c.block, c.free.len(), BlockKind::Continuation)
                            }
                            _ => return Err("running frame is not a closure".into()),
                        };
                        let n_regs = self.check_closure(code, block, n, kind)?;
                        let Some(Object::Code(c)) = self.kind_of(code) else {
                            unreachable!("checked")
                        };
                        if *pc as usize >= c.0.unit.blocks[block as usize].code.len() {
                            return Err("pc beyond the block".into());
                        }
                        if regs.len() < n_regs as usize {
                            return Err("register file smaller than the block needs".into());
                        }
                        Ok(())
                    }
                    ProcState::Apply { args, .. } if args.is_empty() => {
                        Err("call without a continuation".into())
                    }
                    _ => Ok(()),
                }
            }
            Object::DynState(d) => {
                let parent_ok = d.parent.is_false()
                    || self.is_kind(d.parent, |o| matches!(o, Object::DynState(_)));
                if parent_ok {
                    Ok(())
                } else {
                    Err("parent is not a state node".into())
                }
            }
            Object::Scheduler(s) => {
                let all_processes = s
                    .run_queue
                    .iter()
                    .chain(s.live.iter())
                    .chain(s.timers.iter().map(|(_, p)| p))
                    .all(|&p| matches!(self.kind_of(p), Some(Object::Process(_))));
                if all_processes {
                    Ok(())
                } else {
                    Err("lists a non-process".into())
                }
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::object::{Closure, Object, Symbol};
    use crate::value::{ObjId, Value};
    use crate::vm::Vm;

    #[test]
    fn a_running_heap_is_valid_and_damage_is_found() {
        let mut vm = Vm::new().expect("prelude loads");
        let pid = vm
            .start(
                "(define (f n) (if (= n 0) 0 (+ 1 (f (- n 1))))) (f 100000)",
                "v.scm",
            )
            .unwrap();
        assert_eq!(vm.run_slices(3), None);
        assert_eq!(vm.heap.validate(), Ok(()));
        let _ = pid;
        // A closure whose block does not exist.
        let code = vm
            .heap
            .iter()
            .find(|(_, o)| matches!(o, Object::Code(_)))
            .map(|(id, _)| id)
            .unwrap();
        vm.heap.alloc(Object::Closure(Closure {
            code,
            block: 1_000_000,
            free: Box::new([]),
        }));
        // A pair pointing at a free id.
        vm.heap
            .alloc(Object::Pair(Value::obj(ObjId(u32::MAX - 1)), Value::NULL));
        let problems = vm.heap.validate().unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn a_name_interned_twice_is_damage() {
        let mut vm = Vm::new().expect("prelude loads");
        let symbol = |name: &str| {
            Object::Symbol(Symbol {
                name: name.into(),
                value: Value::UNBOUND,
                interned: true,
            })
        };
        vm.heap.alloc(symbol("twice"));
        assert_eq!(vm.heap.validate(), Ok(()));
        vm.heap.alloc(symbol("twice"));
        let problems = vm.heap.validate().unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("twice is interned at"), "{problems:?}");
    }
}
