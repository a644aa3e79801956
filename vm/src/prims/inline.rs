//! The primitives the compiler may inline ([`PrimOp`]): the interpreter runs them directly, and
//! they are also registered as ordinary procedures under their names (a later module may replace
//! one with a more general version, e.g. variadic `+`).

use pscheme_compiler::bytecode::PrimOp;

use crate::error::Error;
use crate::heap::Heap;
use crate::object::Object;
use crate::prim::{Action, PrimArity, Registry};
use crate::value::Value;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("inline");
    for &op in PrimOp::ALL {
        m.raw(
            op.name(),
            PrimArity::exactly(op.arity()),
            move |ctx, args| apply_op(ctx.heap, op, args).map(Action::Return),
        );
    }
}

fn index(v: Value) -> Option<usize> {
    v.as_fixnum().and_then(|n| usize::try_from(n).ok())
}

/// The inline primitives.
pub(crate) fn apply_op(heap: &mut Heap, op: PrimOp, a: &[Value]) -> Result<Value, Error> {
    use crate::number::{Number, Rounding};
    let num = |heap: &crate::heap::Heap, v: Value| {
        heap.number(v).ok_or_else(|| Error::wrong_type("number", v))
    };
    Ok(match op {
        PrimOp::Car => {
            heap.pair(a[0])
                .ok_or_else(|| Error::wrong_type("pair", a[0]))?
                .0
        }
        PrimOp::Cdr => {
            heap.pair(a[0])
                .ok_or_else(|| Error::wrong_type("pair", a[0]))?
                .1
        }
        PrimOp::Cons => heap.cons(a[0], a[1]),
        PrimOp::SetCar | PrimOp::SetCdr => {
            match a[0].as_obj().map(|id| heap.get_mut(id)) {
                Some(Object::Pair(car, cdr)) => {
                    if op == PrimOp::SetCar {
                        *car = a[1];
                    } else {
                        *cdr = a[1];
                    }
                }
                _ => return Err(Error::wrong_type("pair", a[0])),
            }
            Value::UNSPECIFIED
        }
        PrimOp::IsNull => Value::bool(a[0].is_null()),
        PrimOp::IsPair => Value::bool(heap.pair(a[0]).is_some()),
        PrimOp::Not => Value::bool(a[0].is_false()),
        PrimOp::IsEq => Value::bool(a[0] == a[1]),
        PrimOp::IsEqv => Value::bool(heap.eqv(a[0], a[1])),
        PrimOp::Add | PrimOp::Sub | PrimOp::Mul => {
            if let (Some(x), Some(y)) = (a[0].as_fixnum(), a[1].as_fixnum()) {
                let r = match op {
                    PrimOp::Add => x.checked_add(y),
                    PrimOp::Sub => x.checked_sub(y),
                    _ => x.checked_mul(y),
                };
                if let Some(v) = r.and_then(Value::fixnum) {
                    return Ok(v);
                }
            }
            let (x, y) = (num(heap, a[0])?, num(heap, a[1])?);
            let r = match op {
                PrimOp::Add => &x + &y,
                PrimOp::Sub => &x - &y,
                _ => &x * &y,
            };
            heap.number_value(r)
        }
        PrimOp::NumEq | PrimOp::Lt | PrimOp::Gt | PrimOp::Le | PrimOp::Ge => {
            use std::cmp::Ordering;
            let ord = if let (Some(x), Some(y)) = (a[0].as_fixnum(), a[1].as_fixnum()) {
                Some(x.cmp(&y))
            } else {
                num(heap, a[0])?.num_cmp(&num(heap, a[1])?)
            };
            Value::bool(match (op, ord) {
                (_, None) => false,
                (PrimOp::NumEq, Some(o)) => o == Ordering::Equal,
                (PrimOp::Lt, Some(o)) => o == Ordering::Less,
                (PrimOp::Gt, Some(o)) => o == Ordering::Greater,
                (PrimOp::Le, Some(o)) => o != Ordering::Greater,
                (_, Some(o)) => o != Ordering::Less,
            })
        }
        PrimOp::IsZero => match a[0].as_fixnum() {
            Some(n) => Value::bool(n == 0),
            None => Value::bool(num(heap, a[0])?.is_zero()),
        },
        PrimOp::Quotient | PrimOp::Remainder | PrimOp::Modulo => {
            if let (Some(x), Some(y)) = (a[0].as_fixnum(), a[1].as_fixnum())
                && y != 0
            {
                // Fixnums are 61 bits, so none of these overflow an i64.
                let r = match op {
                    PrimOp::Quotient => x / y,
                    PrimOp::Remainder => x % y,
                    _ => x.rem_euclid(y) + if y < 0 && x.rem_euclid(y) != 0 { y } else { 0 },
                };
                return Ok(heap.integer(r));
            }
            let (x, y): (Number, Number) = (num(heap, a[0])?, num(heap, a[1])?);
            let r = match op {
                PrimOp::Quotient => x.quotient(&y, Rounding::Truncate),
                PrimOp::Remainder => x.remainder(&y, Rounding::Truncate),
                _ => x.remainder(&y, Rounding::Floor),
            }
            .map_err(|e| Error::with_irritants(e.to_string(), vec![a[0], a[1]]))?;
            heap.number_value(r)
        }
        PrimOp::VectorRef => {
            let Some(Object::Vector(vs)) = heap.object(a[0]) else {
                return Err(Error::wrong_type("vector", a[0]));
            };
            *index(a[1])
                .and_then(|i| vs.get(i))
                .ok_or_else(|| Error::out_of_range(a[1]))?
        }
        PrimOp::VectorSet => {
            let Some(Object::Vector(_)) = heap.object(a[0]) else {
                return Err(Error::wrong_type("vector", a[0]));
            };
            let id = a[0].as_obj().expect("checked above");
            let Object::Vector(vs) = heap.get_mut(id) else {
                unreachable!("checked above")
            };
            *index(a[1])
                .and_then(|i| vs.get_mut(i))
                .ok_or_else(|| Error::out_of_range(a[1]))? = a[2];
            Value::UNSPECIFIED
        }
        PrimOp::VectorLength => match heap.object(a[0]) {
            Some(Object::Vector(vs)) => Value::small(vs.len() as i64),
            _ => return Err(Error::wrong_type("vector", a[0])),
        },
        PrimOp::StringRef => {
            let Some(Object::String(cs)) = heap.object(a[0]) else {
                return Err(Error::wrong_type("string", a[0]));
            };
            Value::char(
                *index(a[1])
                    .and_then(|i| cs.get(i))
                    .ok_or_else(|| Error::out_of_range(a[1]))?,
            )
        }
        PrimOp::StringLength => match heap.object(a[0]) {
            Some(Object::String(cs)) => Value::small(cs.len() as i64),
            _ => return Err(Error::wrong_type("string", a[0])),
        },
        PrimOp::IsSymbol => Value::bool(matches!(heap.object(a[0]), Some(Object::Symbol(_)))),
        PrimOp::IsString => Value::bool(matches!(heap.object(a[0]), Some(Object::String(_)))),
        PrimOp::IsVector => Value::bool(matches!(heap.object(a[0]), Some(Object::Vector(_)))),
        PrimOp::IsProcedure => Value::bool(heap.is_procedure(a[0])),
        PrimOp::CheckInitialized => {
            if a[0] == Value::UNINITIALIZED {
                let name = heap.symbol_name(a[1]).unwrap_or("?");
                return Err(Error::msg(format!(
                    "variable used before its initialization: {name}"
                )));
            }
            a[0]
        }
    })
}
