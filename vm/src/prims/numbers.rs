//! Number primitives: the R7RS numeric procedures over the tower of `number/`.
//!
//! Arithmetic and comparison take any number of arguments here; the two-argument forms the
//! compiler inlines (`prims/inline.rs`) use the same [`Number`] operations, so both agree.

use std::cmp::Ordering;

use crate::error::Error;
use crate::number::{NumError, Number, Rounding, Transcendental};
use crate::prim::{Action, Ctx, PrimArity, PrimResult, Registry};
use crate::value::Value;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("numbers");
    register_predicates(&mut m);
    register_arithmetic(&mut m);
    register_integer_ops(&mut m);
    register_real_ops(&mut m);
    register_conversions(&mut m);
}

type Module<'r> = crate::prim::Module<'r>;

/// Turns a failed numeric operation into a Scheme error naming the arguments.
fn num_error(e: NumError, irritants: &[Value]) -> Error {
    Error::with_irritants(e.to_string(), irritants.to_vec())
}

fn number_of(ctx: &Ctx, v: Value) -> Result<Number, Error> {
    ctx.heap
        .number(v)
        .ok_or_else(|| Error::wrong_type("number", v))
}

/// Argument `position` (1-based) of a variadic primitive as a number.
fn arg(ctx: &Ctx, args: &[Value], position: usize) -> Result<Number, Error> {
    let v = args[position - 1];
    ctx.heap
        .number(v)
        .ok_or_else(|| Error::wrong_arg("number", position, v))
}

fn register_predicates(m: &mut Module) {
    for name in ["number?", "complex?", "real?"] {
        m.func(name, |ctx: &mut Ctx, v: Value| ctx.heap.is_number(v));
    }
    m.func("rational?", |ctx: &mut Ctx, v: Value| {
        ctx.heap.number(v).is_some_and(|n| n.is_rational())
    });
    m.func("integer?", |ctx: &mut Ctx, v: Value| {
        ctx.heap.number(v).is_some_and(|n| n.is_integer())
    });
    m.func("exact-integer?", |ctx: &mut Ctx, v: Value| {
        ctx.heap.number(v).is_some_and(|n| n.is_exact_integer())
    });
    m.func("exact?", |_: &mut Ctx, n: Number| n.is_exact());
    m.func("inexact?", |_: &mut Ctx, n: Number| !n.is_exact());
    m.func("nan?", |_: &mut Ctx, n: Number| n.is_nan());
    m.func("infinite?", |_: &mut Ctx, n: Number| n.is_infinite());
    m.func("finite?", |_: &mut Ctx, n: Number| n.is_finite());
    m.func("zero?", |_: &mut Ctx, n: Number| n.is_zero());
    m.func("positive?", |_: &mut Ctx, n: Number| n.is_positive());
    m.func("negative?", |_: &mut Ctx, n: Number| n.is_negative());
    m.func("odd?", |ctx: &mut Ctx, v: Value| {
        number_of(ctx, v)?.is_odd().map_err(|e| num_error(e, &[v]))
    });
    m.func("even?", |ctx: &mut Ctx, v: Value| {
        number_of(ctx, v)?.is_even().map_err(|e| num_error(e, &[v]))
    });
}

fn register_arithmetic(m: &mut Module) {
    m.raw("+", PrimArity::at_least(0), |ctx, args| {
        if let Some(sum) = fixnum_fold(args, 0, i64::checked_add) {
            return ret(ctx, Number::Fixnum(sum));
        }
        fold(ctx, args, Number::Fixnum(0), |a, b| Ok(a + b))
    });
    m.raw("*", PrimArity::at_least(0), |ctx, args| {
        if let Some(product) = fixnum_fold(args, 1, i64::checked_mul) {
            return ret(ctx, Number::Fixnum(product));
        }
        fold(ctx, args, Number::Fixnum(1), |a, b| Ok(a * b))
    });
    m.raw("-", PrimArity::at_least(1), |ctx, args| {
        if args.len() == 1 {
            let n = arg(ctx, args, 1)?;
            return ret(ctx, -&n);
        }
        fold_from_first(ctx, args, |a, b| Ok(a - b))
    });
    m.raw("/", PrimArity::at_least(1), |ctx, args| {
        if args.len() == 1 {
            let n = arg(ctx, args, 1)?;
            let r = Number::Fixnum(1)
                .divide(&n)
                .map_err(|e| num_error(e, args))?;
            return ret(ctx, r);
        }
        fold_from_first(ctx, args, Number::divide)
    });
    m.raw("max", PrimArity::at_least(1), |ctx, args| {
        fold_from_first(ctx, args, |a, b| Ok(a.max(b)))
    });
    m.raw("min", PrimArity::at_least(1), |ctx, args| {
        fold_from_first(ctx, args, |a, b| Ok(a.min(b)))
    });
    m.func("abs", |_: &mut Ctx, n: Number| n.abs());
    m.func("magnitude", |_: &mut Ctx, n: Number| n.abs());
    m.func("square", |_: &mut Ctx, n: Number| n.square());

    type Holds = fn(Ordering) -> bool;
    let comparisons: [(&'static str, Holds); 5] = [
        ("=", Ordering::is_eq),
        ("<", Ordering::is_lt),
        (">", Ordering::is_gt),
        ("<=", Ordering::is_le),
        (">=", Ordering::is_ge),
    ];
    for (name, holds) in comparisons {
        m.raw(name, PrimArity::at_least(1), move |ctx, args| {
            compare_chain(ctx, args, holds)
        });
    }
}

fn ret(ctx: &mut Ctx, n: Number) -> PrimResult {
    Ok(Action::Return(ctx.heap.number_value(n)))
}

/// The common case of `+` and `*`: every argument a fixnum and no overflow. `None` sends the
/// caller to the general path.
fn fixnum_fold(args: &[Value], init: i64, op: fn(i64, i64) -> Option<i64>) -> Option<i64> {
    args.iter().try_fold(init, |acc, v| op(acc, v.as_fixnum()?))
}

/// Folds `op` over the arguments starting from `init`.
fn fold(
    ctx: &mut Ctx,
    args: &[Value],
    init: Number,
    op: impl Fn(&Number, &Number) -> Result<Number, NumError>,
) -> PrimResult {
    let mut acc = init;
    for position in 1..=args.len() {
        let n = arg(ctx, args, position)?;
        acc = op(&acc, &n).map_err(|e| num_error(e, args))?;
    }
    ret(ctx, acc)
}

fn fold_from_first(
    ctx: &mut Ctx,
    args: &[Value],
    op: impl Fn(&Number, &Number) -> Result<Number, NumError>,
) -> PrimResult {
    let first = arg(ctx, args, 1)?;
    let mut acc = first;
    for position in 2..=args.len() {
        let n = arg(ctx, args, position)?;
        acc = op(&acc, &n).map_err(|e| num_error(e, args))?;
    }
    ret(ctx, acc)
}

/// `(< a b c ...)`: every adjacent pair is ordered. Every argument is type-checked even after
/// the answer is known, as R7RS requires of `=` and friends on non-numbers. NaN makes it false.
fn compare_chain(ctx: &mut Ctx, args: &[Value], holds: fn(Ordering) -> bool) -> PrimResult {
    let mut result = true;
    let mut prev = arg(ctx, args, 1)?;
    for position in 2..=args.len() {
        let n = arg(ctx, args, position)?;
        if result {
            result = prev.num_cmp(&n).is_some_and(holds);
        }
        prev = n;
    }
    Ok(Action::Return(Value::bool(result)))
}

fn register_integer_ops(m: &mut Module) {
    let divisions: [(&'static str, Rounding, bool); 6] = [
        ("quotient", Rounding::Truncate, true),
        ("remainder", Rounding::Truncate, false),
        ("modulo", Rounding::Floor, false),
        ("truncate-quotient", Rounding::Truncate, true),
        ("truncate-remainder", Rounding::Truncate, false),
        ("floor-quotient", Rounding::Floor, true),
    ];
    for (name, rounding, want_quotient) in divisions {
        m.raw(name, PrimArity::exactly(2), move |ctx, args| {
            let (n, d) = (arg(ctx, args, 1)?, arg(ctx, args, 2)?);
            let r = if want_quotient {
                n.quotient(&d, rounding)
            } else {
                n.remainder(&d, rounding)
            };
            ret(ctx, r.map_err(|e| num_error(e, args))?)
        });
    }
    m.raw("floor-remainder", PrimArity::exactly(2), |ctx, args| {
        let (n, d) = (arg(ctx, args, 1)?, arg(ctx, args, 2)?);
        ret(
            ctx,
            n.remainder(&d, Rounding::Floor)
                .map_err(|e| num_error(e, args))?,
        )
    });
    for (name, rounding) in [
        ("floor/", Rounding::Floor),
        ("truncate/", Rounding::Truncate),
    ] {
        m.raw(name, PrimArity::exactly(2), move |ctx, args| {
            let (n, d) = (arg(ctx, args, 1)?, arg(ctx, args, 2)?);
            let (q, r) = n.div_rem(&d, rounding).map_err(|e| num_error(e, args))?;
            let (q, r) = (ctx.heap.number_value(q), ctx.heap.number_value(r));
            Ok(Action::Values(vec![q, r]))
        });
    }
    m.raw("gcd", PrimArity::at_least(0), |ctx, args| {
        fold(ctx, args, Number::Fixnum(0), Number::gcd)
    });
    m.raw("lcm", PrimArity::at_least(0), |ctx, args| {
        fold(ctx, args, Number::Fixnum(1), Number::lcm)
    });
    m.func("numerator", |ctx: &mut Ctx, v: Value| {
        number_of(ctx, v)?
            .numerator()
            .map_err(|e| num_error(e, &[v]))
    });
    m.func("denominator", |ctx: &mut Ctx, v: Value| {
        number_of(ctx, v)?
            .denominator()
            .map_err(|e| num_error(e, &[v]))
    });
    m.raw("expt", PrimArity::exactly(2), |ctx, args| {
        let (base, exponent) = (arg(ctx, args, 1)?, arg(ctx, args, 2)?);
        ret(ctx, base.expt(&exponent).map_err(|e| num_error(e, args))?)
    });
    m.raw("exact-integer-sqrt", PrimArity::exactly(1), |ctx, args| {
        let n = arg(ctx, args, 1)?;
        let (s, r) = n.exact_integer_sqrt().map_err(|e| num_error(e, args))?;
        let (s, r) = (ctx.heap.number_value(s), ctx.heap.number_value(r));
        Ok(Action::Values(vec![s, r]))
    });
}

fn register_real_ops(m: &mut Module) {
    m.func("floor", |_: &mut Ctx, n: Number| n.floor());
    m.func("ceiling", |_: &mut Ctx, n: Number| n.ceiling());
    m.func("truncate", |_: &mut Ctx, n: Number| n.truncate());
    m.func("round", |_: &mut Ctx, n: Number| n.round());
    m.func("rationalize", |_: &mut Ctx, x: Number, y: Number| {
        x.rationalize(&y)
    });
    m.func("sqrt", |_: &mut Ctx, n: Number| n.sqrt());
    let functions = [
        ("exp", Transcendental::Exp),
        ("sin", Transcendental::Sin),
        ("cos", Transcendental::Cos),
        ("tan", Transcendental::Tan),
        ("asin", Transcendental::Asin),
        ("acos", Transcendental::Acos),
    ];
    for (name, function) in functions {
        m.func(name, move |_: &mut Ctx, n: Number| {
            n.transcendental(function)
        });
    }
    m.func(
        "log",
        |_: &mut Ctx, n: Number, base: Option<Number>| match base {
            Some(base) => n.log_base(&base),
            None => n.transcendental(Transcendental::Log),
        },
    );
    m.func(
        "atan",
        |_: &mut Ctx, y: Number, x: Option<Number>| match x {
            Some(x) => y.atan2(&x),
            None => y.transcendental(Transcendental::Atan),
        },
    );
}

fn register_conversions(m: &mut Module) {
    for name in ["exact", "inexact->exact"] {
        m.func(name, |ctx: &mut Ctx, v: Value| {
            number_of(ctx, v)?
                .to_exact()
                .map_err(|e| num_error(e, &[v]))
        });
    }
    for name in ["inexact", "exact->inexact"] {
        m.func(name, |_: &mut Ctx, n: Number| n.to_inexact());
    }
    m.func(
        "number->string",
        |ctx: &mut Ctx, v: Value, radix: Option<Value>| -> Result<String, Error> {
            let n = ctx
                .heap
                .number(v)
                .ok_or_else(|| Error::wrong_arg("number", 1, v))?;
            let radix = radix_arg(radix)?;
            n.to_string_radix(radix).map_err(|e| num_error(e, &[v]))
        },
    );
    m.func(
        "string->number",
        |_: &mut Ctx, text: String, radix: Option<Value>| -> Result<Option<Number>, Error> {
            let radix = radix_arg(radix)?;
            if !matches!(radix, 2 | 8 | 10 | 16) {
                return Err(num_error(NumError::BadRadix(radix), &[]));
            }
            Ok(Number::parse(&text, radix))
        },
    );
}

/// The optional radix of `number->string` and `string->number` (10 when omitted).
fn radix_arg(radix: Option<Value>) -> Result<u32, Error> {
    match radix {
        None => Ok(10),
        Some(v) => v
            .as_fixnum()
            .and_then(|r| u32::try_from(r).ok())
            .filter(|r| (2..=36).contains(r))
            .ok_or_else(|| Error::wrong_arg("radix (2 to 36)", 2, v)),
    }
}
