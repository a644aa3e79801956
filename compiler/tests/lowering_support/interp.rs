//! A small reference interpreter of code units, for testing the compiler's output end to end
//! without the VM: it follows the calling convention of `bytecode.rs` literally and checks it
//! (arity, register bounds via `validate`, continuation kinds). Values are Rust data; only the
//! few builtins the test programs use exist.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use pscheme_compiler::bytecode::{BlockKind, CodeUnit, Constant, Instr, PrimOp, Reg};
use pscheme_compiler::datum::{Datum, DatumKind};

#[derive(Clone, Debug)]
pub enum V {
    Int(i64),
    Bool(bool),
    Sym(String),
    Str(String),
    Nil,
    Unspecified,
    Uninitialized,
    Pair(Rc<RefCell<(V, V)>>),
    Vector(Rc<RefCell<Vec<V>>>),
    Box(Rc<RefCell<V>>),
    Closure(Rc<Closure>),
    Builtin(&'static str),
    /// The continuation the entry block is called with.
    Halt,
}

#[derive(Debug)]
pub struct Closure {
    block: usize,
    free: RefCell<Vec<V>>,
}

/// What running a unit produced.
#[derive(Debug, Default)]
pub struct Run {
    pub value: String,
    pub output: String,
    /// Continuation frames created (a loop in tail position creates none).
    pub frames: usize,
    pub steps: usize,
}

fn ptr_eq(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Int(x), V::Int(y)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Sym(x), V::Sym(y)) => x == y,
        (V::Nil, V::Nil) | (V::Unspecified, V::Unspecified) => true,
        (V::Pair(x), V::Pair(y)) => Rc::ptr_eq(x, y),
        (V::Vector(x), V::Vector(y)) => Rc::ptr_eq(x, y),
        (V::Str(x), V::Str(y)) => std::ptr::eq(x, y),
        (V::Closure(x), V::Closure(y)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

pub fn write(v: &V) -> String {
    match v {
        V::Int(i) => i.to_string(),
        V::Bool(b) => if *b { "#t" } else { "#f" }.into(),
        V::Sym(s) => s.clone(),
        V::Str(s) => format!("{s:?}"),
        V::Nil => "()".into(),
        V::Unspecified => "#<unspecified>".into(),
        V::Uninitialized => "#<uninitialized>".into(),
        V::Pair(_) => {
            let mut parts = Vec::new();
            let mut cur = v.clone();
            loop {
                match cur {
                    V::Pair(p) => {
                        let (a, d) = p.borrow().clone();
                        parts.push(write(&a));
                        cur = d;
                    }
                    V::Nil => break,
                    other => {
                        parts.push(".".into());
                        parts.push(write(&other));
                        break;
                    }
                }
            }
            format!("({})", parts.join(" "))
        }
        V::Vector(items) => format!(
            "#({})",
            items
                .borrow()
                .iter()
                .map(write)
                .collect::<Vec<_>>()
                .join(" ")
        ),
        V::Box(_) => "#<box>".into(),
        V::Closure(_) | V::Builtin(_) => "#<procedure>".into(),
        V::Halt => "#<halt>".into(),
    }
}

fn from_datum(d: &Datum) -> V {
    match &d.kind {
        DatumKind::Bool(b) => V::Bool(*b),
        DatumKind::Int(i) => V::Int(*i),
        DatumKind::Symbol(s) => V::Sym(s.clone()),
        DatumKind::Str(s) => V::Str(s.clone()),
        DatumKind::List(items, tail) => {
            let mut v = tail.as_ref().map_or(V::Nil, |t| from_datum(t));
            for item in items.iter().rev() {
                v = V::Pair(Rc::new(RefCell::new((from_datum(item), v))));
            }
            v
        }
        DatumKind::Vector(items) => V::Vector(Rc::new(RefCell::new(
            items.iter().map(from_datum).collect(),
        ))),
        other => panic!("the test interpreter has no {other:?}"),
    }
}

fn list(items: Vec<V>) -> V {
    items
        .into_iter()
        .rev()
        .fold(V::Nil, |d, a| V::Pair(Rc::new(RefCell::new((a, d)))))
}

fn int(v: &V) -> Result<i64, String> {
    match v {
        V::Int(i) => Ok(*i),
        other => Err(format!("not a number: {}", write(other))),
    }
}

fn prim(op: PrimOp, args: &[V]) -> Result<V, String> {
    let truthy = |v: &V| !matches!(v, V::Bool(false));
    let _ = truthy;
    Ok(match (op, args) {
        (PrimOp::Car, [V::Pair(p)]) => p.borrow().0.clone(),
        (PrimOp::Cdr, [V::Pair(p)]) => p.borrow().1.clone(),
        (PrimOp::Cons, [a, b]) => V::Pair(Rc::new(RefCell::new((a.clone(), b.clone())))),
        (PrimOp::SetCar, [V::Pair(p), v]) => {
            p.borrow_mut().0 = v.clone();
            V::Unspecified
        }
        (PrimOp::SetCdr, [V::Pair(p), v]) => {
            p.borrow_mut().1 = v.clone();
            V::Unspecified
        }
        (PrimOp::IsNull, [v]) => V::Bool(matches!(v, V::Nil)),
        (PrimOp::IsPair, [v]) => V::Bool(matches!(v, V::Pair(_))),
        (PrimOp::Not, [v]) => V::Bool(matches!(v, V::Bool(false))),
        (PrimOp::IsEq | PrimOp::IsEqv, [a, b]) => V::Bool(ptr_eq(a, b)),
        (PrimOp::Add, [a, b]) => V::Int(int(a)?.checked_add(int(b)?).ok_or("overflow")?),
        (PrimOp::Sub, [a, b]) => V::Int(int(a)?.checked_sub(int(b)?).ok_or("overflow")?),
        (PrimOp::Mul, [a, b]) => V::Int(int(a)?.checked_mul(int(b)?).ok_or("overflow")?),
        (PrimOp::NumEq, [a, b]) => V::Bool(int(a)? == int(b)?),
        (PrimOp::Lt, [a, b]) => V::Bool(int(a)? < int(b)?),
        (PrimOp::Gt, [a, b]) => V::Bool(int(a)? > int(b)?),
        (PrimOp::Le, [a, b]) => V::Bool(int(a)? <= int(b)?),
        (PrimOp::Ge, [a, b]) => V::Bool(int(a)? >= int(b)?),
        (PrimOp::IsZero, [a]) => V::Bool(int(a)? == 0),
        (PrimOp::Quotient, [a, b]) => {
            V::Int(int(a)?.checked_div(int(b)?).ok_or("division by zero")?)
        }
        (PrimOp::Remainder, [a, b]) => {
            V::Int(int(a)?.checked_rem(int(b)?).ok_or("division by zero")?)
        }
        (PrimOp::Modulo, [a, b]) => V::Int(
            int(a)?
                .checked_rem_euclid(int(b)?)
                .ok_or("division by zero")?,
        ),
        (PrimOp::VectorRef, [V::Vector(v), i]) => v
            .borrow()
            .get(usize::try_from(int(i)?).map_err(|e| e.to_string())?)
            .cloned()
            .ok_or("index")?,
        (PrimOp::VectorSet, [V::Vector(v), i, x]) => {
            let i = usize::try_from(int(i)?).map_err(|e| e.to_string())?;
            *v.borrow_mut().get_mut(i).ok_or("index")? = x.clone();
            V::Unspecified
        }
        (PrimOp::VectorLength, [V::Vector(v)]) => V::Int(v.borrow().len() as i64),
        (PrimOp::IsSymbol, [v]) => V::Bool(matches!(v, V::Sym(_))),
        (PrimOp::IsString, [v]) => V::Bool(matches!(v, V::Str(_))),
        (PrimOp::IsVector, [v]) => V::Bool(matches!(v, V::Vector(_))),
        (PrimOp::IsProcedure, [v]) => V::Bool(matches!(v, V::Closure(_) | V::Builtin(_))),
        (PrimOp::CheckInitialized, [V::Uninitialized, name]) => {
            return Err(format!(
                "variable used before its initialization: {}",
                write(name)
            ));
        }
        (PrimOp::CheckInitialized, [v, _]) => v.clone(),
        (op, args) => {
            return Err(format!(
                "bad primitive call {} on {}",
                op.name(),
                args.iter().map(write).collect::<Vec<_>>().join(" ")
            ));
        }
    })
}

fn builtin(name: &str, args: &[V], out: &mut String) -> Result<V, String> {
    if let Some(op) = PrimOp::lookup(name, args.len()) {
        return prim(op, args);
    }
    Ok(match (name, args) {
        ("display", [v]) => {
            out.push_str(&write(v));
            V::Unspecified
        }
        ("newline", []) => {
            out.push('\n');
            V::Unspecified
        }
        ("list", items) => list(items.to_vec()),
        ("make-vector", [n, fill]) => {
            V::Vector(Rc::new(RefCell::new(vec![
                fill.clone();
                usize::try_from(int(n)?)
                    .map_err(|e| e.to_string())?
            ])))
        }
        ("+", items) => V::Int(items.iter().map(int).sum::<Result<i64, _>>()?),
        ("*", items) => V::Int(items.iter().map(int).product::<Result<i64, _>>()?),
        _ => return Err(format!("no builtin {name} for {} arguments", args.len())),
    })
}

const BUILTINS: &[&str] = &[
    "call/cc",
    "display",
    "newline",
    "list",
    "make-vector",
    "+",
    "*",
    "-",
    "car",
    "cdr",
    "cons",
    "=",
    "<",
    ">",
    "eq?",
    "not",
    "null?",
    "pair?",
    "vector-ref",
    "vector-set!",
];

/// Runs `unit` for at most `max_steps` instructions.
pub fn run(unit: &CodeUnit, max_steps: usize) -> Result<Run, String> {
    pscheme_compiler::bytecode::validate(unit).map_err(|e| e.to_string())?;
    let mut globals: HashMap<String, V> = BUILTINS
        .iter()
        .map(|&n| (n.to_owned(), V::Builtin(n)))
        .collect();
    let consts: Vec<V> = unit
        .constants
        .iter()
        .map(|c| match c {
            Constant::Datum(d) => from_datum(d),
            Constant::Unspecified => V::Unspecified,
            Constant::Uninitialized => V::Uninitialized,
        })
        .collect();
    let mut result = Run::default();
    let mut closure = Rc::new(Closure {
        block: unit.entry.0 as usize,
        free: RefCell::new(Vec::new()),
    });
    let mut regs = vec![V::Unspecified; usize::from(unit.blocks[closure.block].n_regs)];
    regs[0] = V::Halt;
    let mut pc = 0usize;
    loop {
        result.steps += 1;
        if result.steps > max_steps {
            return Err("step limit".into());
        }
        let block = &unit.blocks[closure.block];
        let r = |reg: Reg| usize::from(reg.0);
        // (target, first value register, count, continuation to pass or None for a return)
        let transfer: (V, Vec<V>, Option<V>) = match block.code[pc] {
            Instr::Const { dst, idx } => {
                regs[r(dst)] = consts[idx.0 as usize].clone();
                pc += 1;
                continue;
            }
            Instr::Move { dst, src } => {
                regs[r(dst)] = regs[r(src)].clone();
                pc += 1;
                continue;
            }
            Instr::Free { dst, idx } => {
                regs[r(dst)] = closure.free.borrow()[usize::from(idx)].clone();
                pc += 1;
                continue;
            }
            Instr::Global { dst, name } => {
                let name = &unit.globals[name.0 as usize];
                regs[r(dst)] = globals
                    .get(name)
                    .cloned()
                    .ok_or(format!("unbound variable {name}"))?;
                pc += 1;
                continue;
            }
            Instr::SetGlobal { name, src } | Instr::DefineGlobal { name, src } => {
                let name = &unit.globals[name.0 as usize];
                if matches!(block.code[pc], Instr::SetGlobal { .. }) && !globals.contains_key(name)
                {
                    return Err(format!("unbound variable {name}"));
                }
                globals.insert(name.clone(), regs[r(src)].clone());
                pc += 1;
                continue;
            }
            Instr::Closure {
                dst,
                block: target,
                captures,
            } => {
                let n = usize::from(unit.blocks[target.0 as usize].n_free);
                let start = captures as usize;
                let free = block.operands[start..start + n]
                    .iter()
                    .map(|&c| regs[r(c)].clone())
                    .collect();
                if unit.blocks[target.0 as usize].kind == BlockKind::Continuation {
                    result.frames += 1;
                }
                regs[r(dst)] = V::Closure(Rc::new(Closure {
                    block: target.0 as usize,
                    free: RefCell::new(free),
                }));
                pc += 1;
                continue;
            }
            Instr::SetFree {
                closure: c,
                idx,
                src,
            } => {
                let V::Closure(target) = &regs[r(c)] else {
                    return Err("set-free of a non-closure".into());
                };
                let value = regs[r(src)].clone();
                *target
                    .free
                    .borrow_mut()
                    .get_mut(usize::from(idx))
                    .ok_or("set-free index")? = value;
                pc += 1;
                continue;
            }
            Instr::MakeBox { dst, src } => {
                regs[r(dst)] = V::Box(Rc::new(RefCell::new(regs[r(src)].clone())));
                pc += 1;
                continue;
            }
            Instr::BoxGet { dst, bx } => {
                let V::Box(b) = &regs[r(bx)] else {
                    return Err("unbox of a non-box".into());
                };
                let v = b.borrow().clone();
                regs[r(dst)] = v;
                pc += 1;
                continue;
            }
            Instr::BoxSet { bx, src } => {
                let V::Box(b) = &regs[r(bx)] else {
                    return Err("set-box of a non-box".into());
                };
                *b.borrow_mut() = regs[r(src)].clone();
                pc += 1;
                continue;
            }
            Instr::Jump { target } => {
                pc = target.0 as usize;
                continue;
            }
            Instr::JumpIfFalse { cond, target } => {
                pc = if matches!(regs[r(cond)], V::Bool(false)) {
                    target.0 as usize
                } else {
                    pc + 1
                };
                continue;
            }
            Instr::Prim1 { op, dst, a } => {
                regs[r(dst)] = prim(op, &[regs[r(a)].clone()])?;
                pc += 1;
                continue;
            }
            Instr::Prim2 { op, dst, a, b } => {
                regs[r(dst)] = prim(op, &[regs[r(a)].clone(), regs[r(b)].clone()])?;
                pc += 1;
                continue;
            }
            Instr::Prim3 { op, dst, a, b, c } => {
                regs[r(dst)] = prim(
                    op,
                    &[regs[r(a)].clone(), regs[r(b)].clone(), regs[r(c)].clone()],
                )?;
                pc += 1;
                continue;
            }
            Instr::Call { f, base, argc } => {
                let args = (1..=usize::from(argc))
                    .map(|i| regs[r(base) + i].clone())
                    .collect();
                (regs[r(f)].clone(), args, Some(regs[r(base)].clone()))
            }
            Instr::Return { k, base, count } => {
                let values = (0..usize::from(count))
                    .map(|i| regs[r(base) + i].clone())
                    .collect();
                (regs[r(k)].clone(), values, None)
            }
        };
        // Enter `target` with `values` (and continuation `k` for procedures).
        let (mut target, mut values, mut k) = transfer;
        loop {
            match target {
                V::Builtin("call/cc") => {
                    let [f] = values.as_slice() else {
                        return Err("call/cc takes one argument".into());
                    };
                    target = f.clone();
                    values = vec![k.clone().ok_or("call/cc without continuation")?];
                }
                V::Builtin(name) => {
                    let v = builtin(name, &values, &mut result.output)?;
                    target = k.take().ok_or("builtin without continuation")?;
                    values = vec![v];
                }
                V::Halt => {
                    let [v] = values.as_slice() else {
                        return Err("halt with several values".into());
                    };
                    result.value = write(v);
                    return Ok(result);
                }
                V::Closure(c) => {
                    let b = &unit.blocks[c.block];
                    let mut entry = Vec::new();
                    match b.kind {
                        BlockKind::Lambda => {
                            entry.push(k.take().ok_or("returning to a procedure")?)
                        }
                        BlockKind::Continuation => {}
                    }
                    let required = usize::from(b.arity.required);
                    if values.len() < required || (!b.arity.rest && values.len() > required) {
                        return Err(format!("arity: {:?} got {}", b.name, values.len()));
                    }
                    let rest = values.split_off(required);
                    entry.extend(values);
                    if b.arity.rest {
                        entry.push(list(rest));
                    }
                    regs = vec![V::Unspecified; usize::from(b.n_regs)];
                    for (i, v) in entry.into_iter().enumerate() {
                        regs[i] = v;
                    }
                    closure = c;
                    pc = 0;
                    break;
                }
                other => return Err(format!("not a procedure: {}", write(&other))),
            }
        }
    }
}
