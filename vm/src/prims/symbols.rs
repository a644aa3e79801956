//! Symbol primitives. Interned symbols are unique by name (the heap's symbol table); uninterned
//! ones, from `string->uninterned-symbol` and `generate-uninterned-symbol`, are unique objects.

use crate::convert::SymbolRef;
use crate::error::Error;
use crate::object::{Object, Symbol};
use crate::prim::{Action, Ctx, PrimArity, Registry};
use crate::value::Value;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("symbols");
    m.func("symbol->string", |ctx: &mut Ctx, s: SymbolRef| {
        // A fresh string: the result may be mutated without renaming the symbol.
        let name = match ctx.heap.get(s.0) {
            Object::Symbol(sym) => sym.name.to_string(),
            _ => String::new(),
        };
        ctx.heap.string(&name)
    });
    m.func("string->symbol", |ctx: &mut Ctx, name: String| {
        ctx.heap.intern_value(&name)
    });
    m.func(
        "string->uninterned-symbol",
        |ctx: &mut Ctx, name: String| uninterned(ctx, &name),
    );
    m.func("generate-uninterned-symbol", |ctx: &mut Ctx| {
        // Distinct objects need no distinct names; the id makes printed ones tellable apart.
        let id = ctx.heap.capacity();
        uninterned(ctx, &format!("g{id}"))
    });
    m.func("symbol-interned?", |ctx: &mut Ctx, s: SymbolRef| {
        matches!(ctx.heap.get(s.0), Object::Symbol(sym) if sym.interned)
    });
    m.raw("symbol=?", PrimArity::at_least(1), |ctx, args| {
        for (i, &v) in args.iter().enumerate() {
            if !matches!(ctx.heap.object(v), Some(Object::Symbol(_))) {
                return Err(Error::wrong_arg("symbol", i + 1, v));
            }
        }
        Ok(Action::Return(Value::bool(
            args.iter().all(|&v| v == args[0]),
        )))
    });
}

fn uninterned(ctx: &mut Ctx, name: &str) -> Value {
    ctx.heap.alloc_value(Object::Symbol(Symbol {
        name: name.into(),
        value: Value::UNBOUND,
        interned: false,
    }))
}
