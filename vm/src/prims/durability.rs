//! `sync` and the runtime of `(atomically body ...)`.
//!
//! `(sync)` turns into `(%sync-until n)`, `n` being the wave the caller's effects so far are in;
//! `%sync-until` blocks until wave `n` is durable. Blocking retries the call when the process
//! wakes, so the target is an argument: a resumed process retries against the same wave (which
//! is durable, since the resumed state was read from the store).
//!
//! `(atomically body ...)` expands (`stdlib/durability.scm`) to `%atomically`, a
//! `dynamic-wind` between `%atomic-enter` and `%atomic-exit`: while any process is between
//! them no wave boundary is taken, so the body's effects land in one commit.

use crate::error::Error;
use crate::prim::{Action, Ctx, Registry, Wait};
use crate::value::Value;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("durability");
    m.func("sync", |ctx: &mut Ctx| -> Result<Action, Error> {
        let d = &ctx.host.durability;
        if !d.persistent {
            return Ok(Action::Return(Value::UNSPECIFIED));
        }
        if d.atomic_depth(ctx.process) > 0 {
            return Err(Error::msg(
                "cannot sync inside atomically: the body's effects are committed when it ends",
            ));
        }
        let wave = i64::try_from(d.open_wave).map_err(|_| Error::msg("wave number overflow"))?;
        let f = ctx
            .heap
            .global_named("%sync-until")
            .ok_or_else(|| Error::msg("%sync-until is not bound"))?;
        Ok(Action::TailCall {
            f,
            args: vec![Value::small(wave)],
        })
    });
    m.func("%sync-until", |ctx: &mut Ctx, wave: i64| {
        let d = &ctx.host.durability;
        let wave = u64::try_from(wave).unwrap_or(0);
        if !d.persistent || d.durable_wave >= wave {
            Action::Return(Value::UNSPECIFIED)
        } else {
            Action::Block(Wait::Durable { wave })
        }
    });
    m.func("%atomic-enter", |ctx: &mut Ctx| {
        let pid = ctx.process;
        let number = match ctx.heap.get(pid) {
            crate::object::Object::Process(p) => p.number,
            _ => 0,
        };
        let atomic = &mut ctx.host.durability.atomic;
        match atomic.iter_mut().find(|e| e.0 == pid) {
            Some(entry) => entry.2 += 1,
            None => atomic.push((pid, number, 1)),
        }
    });
    m.func("%atomic-exit", |ctx: &mut Ctx| {
        let pid = ctx.process;
        let atomic = &mut ctx.host.durability.atomic;
        if let Some(i) = atomic.iter().position(|e| e.0 == pid) {
            atomic[i].2 -= 1;
            if atomic[i].2 == 0 {
                atomic.swap_remove(i);
            }
        }
    });
    m.func("%in-atomically?", |ctx: &mut Ctx| {
        ctx.host.durability.atomic_depth(ctx.process) > 0
    });
}
