//! Constant folding of primitive operations. A fold happens only when the result is certain to
//! be what the VM would compute and cannot depend on object identity: exact fixnum arithmetic
//! that does not overflow, comparisons of fixnums, type predicates on constants, `not`. Anything
//! that would raise (`(car 1)`, division by zero) is left for run time, where the error gets a
//! source location and can be caught.

use super::ir::Atom;
use crate::bytecode::{Constant, PrimOp};
use crate::datum::{Datum, DatumKind};

/// The value of `op` applied to `args`, if all are constants and the fold is safe.
pub(crate) fn fold(op: PrimOp, args: &[Atom]) -> Option<Constant> {
    let consts: Vec<&Constant> = args
        .iter()
        .map(|a| match a {
            Atom::Const(c) => Some(c),
            Atom::Var(_) => None,
        })
        .collect::<Option<_>>()?;
    let datums: Vec<&DatumKind> = consts
        .iter()
        .map(|c| match c {
            Constant::Datum(d) => Some(&d.kind),
            Constant::Unspecified | Constant::Uninitialized => None,
        })
        .collect::<Option<_>>()?;
    let kind = match (op, datums.as_slice()) {
        (PrimOp::Not, [DatumKind::Bool(b)]) => DatumKind::Bool(!b),
        (PrimOp::Not, [_]) => DatumKind::Bool(false),
        (PrimOp::IsNull, [d]) => {
            DatumKind::Bool(matches!(d, DatumKind::List(xs, None) if xs.is_empty()))
        }
        (PrimOp::IsPair, [d]) => {
            DatumKind::Bool(matches!(d, DatumKind::List(xs, _) if !xs.is_empty()))
        }
        (PrimOp::IsSymbol, [d]) => DatumKind::Bool(matches!(d, DatumKind::Symbol(_))),
        (PrimOp::IsString, [d]) => DatumKind::Bool(matches!(d, DatumKind::Str(_))),
        (PrimOp::IsVector, [d]) => DatumKind::Bool(matches!(d, DatumKind::Vector(_))),
        (PrimOp::IsProcedure, [_]) => DatumKind::Bool(false),
        (PrimOp::IsZero, [DatumKind::Int(a)]) => DatumKind::Bool(*a == 0),
        (PrimOp::StringLength, [DatumKind::Str(s)]) => {
            DatumKind::Int(i64::try_from(s.chars().count()).ok()?)
        }
        (PrimOp::VectorLength, [DatumKind::Vector(v)]) => {
            DatumKind::Int(i64::try_from(v.len()).ok()?)
        }
        (PrimOp::IsEq | PrimOp::IsEqv, [a, b]) => DatumKind::Bool(identity_eq(op, a, b)?),
        (_, [DatumKind::Int(a), DatumKind::Int(b)]) => fixnum2(op, *a, *b)?,
        _ => return None,
    };
    Some(Constant::Datum(Datum::synthetic(kind)))
}

/// `eq?`/`eqv?` on constants whose identity is their value: booleans, characters, the empty
/// list, and (for `eqv?`) fixnums. `None` when identity could matter.
fn identity_eq(op: PrimOp, a: &DatumKind, b: &DatumKind) -> Option<bool> {
    let simple = |d: &DatumKind| match d {
        DatumKind::Bool(_) | DatumKind::Char(_) => true,
        DatumKind::List(xs, None) => xs.is_empty(),
        DatumKind::Int(_) => op == PrimOp::IsEqv,
        _ => false,
    };
    (simple(a) && simple(b)).then(|| a == b)
}

fn fixnum2(op: PrimOp, a: i64, b: i64) -> Option<DatumKind> {
    Some(match op {
        PrimOp::Add => DatumKind::Int(a.checked_add(b)?),
        PrimOp::Sub => DatumKind::Int(a.checked_sub(b)?),
        PrimOp::Mul => DatumKind::Int(a.checked_mul(b)?),
        PrimOp::Quotient => DatumKind::Int(a.checked_div(b)?),
        PrimOp::Remainder => DatumKind::Int(a.checked_rem(b)?),
        PrimOp::Modulo => {
            let r = a.checked_rem(b)?;
            DatumKind::Int(if r != 0 && (r < 0) != (b < 0) {
                r + b
            } else {
                r
            })
        }
        PrimOp::NumEq => DatumKind::Bool(a == b),
        PrimOp::Lt => DatumKind::Bool(a < b),
        PrimOp::Gt => DatumKind::Bool(a > b),
        PrimOp::Le => DatumKind::Bool(a <= b),
        PrimOp::Ge => DatumKind::Bool(a >= b),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> Atom {
        Atom::Const(Constant::Datum(Datum::synthetic(DatumKind::Int(i))))
    }

    fn folded(op: PrimOp, args: &[Atom]) -> Option<DatumKind> {
        match fold(op, args)? {
            Constant::Datum(d) => Some(d.kind),
            _ => None,
        }
    }

    #[test]
    fn folds_safe_fixnum_arithmetic() {
        assert_eq!(
            folded(PrimOp::Add, &[int(2), int(40)]),
            Some(DatumKind::Int(42))
        );
        assert_eq!(
            folded(PrimOp::Modulo, &[int(-7), int(2)]),
            Some(DatumKind::Int(1))
        );
        assert_eq!(
            folded(PrimOp::Modulo, &[int(7), int(-2)]),
            Some(DatumKind::Int(-1))
        );
        assert_eq!(
            folded(PrimOp::Remainder, &[int(-7), int(2)]),
            Some(DatumKind::Int(-1))
        );
        assert_eq!(
            folded(PrimOp::Lt, &[int(1), int(2)]),
            Some(DatumKind::Bool(true))
        );
    }

    #[test]
    fn leaves_overflow_and_errors_to_run_time() {
        assert_eq!(folded(PrimOp::Add, &[int(i64::MAX), int(1)]), None);
        assert_eq!(folded(PrimOp::Quotient, &[int(1), int(0)]), None);
        assert_eq!(folded(PrimOp::Quotient, &[int(i64::MIN), int(-1)]), None);
        assert_eq!(folded(PrimOp::Car, &[int(1)]), None);
        assert_eq!(
            folded(PrimOp::Add, &[int(1), Atom::Var(super::super::ir::Var(0))]),
            None
        );
    }

    #[test]
    fn identity_is_folded_only_where_it_cannot_matter() {
        let s = Atom::Const(Constant::Datum(Datum::synthetic(DatumKind::Str(
            "a".into(),
        ))));
        assert_eq!(folded(PrimOp::IsEq, &[s.clone(), s]), None);
        assert_eq!(folded(PrimOp::IsEq, &[int(1), int(1)]), None);
        assert_eq!(
            folded(PrimOp::IsEqv, &[int(1), int(1)]),
            Some(DatumKind::Bool(true))
        );
    }
}
