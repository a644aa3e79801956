//! Green processes: `spawn`, `send`, `receive`, `receive-timeout`, `self`, `sleep`,
//! `process-alive?`, `yield`. Blocking primitives return [`Action::Block`]; the process is
//! retried when a message arrives or its wall-clock deadline passes, so waiting is heap data.

use crate::convert::{Procedure, ProcessRef};
use crate::error::Error;
use crate::object::{Object, ProcStatus};
use crate::prim::{Action, Ctx, Registry, Wait};
use crate::sched::{spawn, wake};
use crate::value::Value;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("process");
    m.func("spawn", |ctx: &mut Ctx, thunk: Procedure| {
        Value::obj(spawn(ctx.heap, ctx.scheduler, thunk.0))
    });
    m.func("self", |ctx: &mut Ctx| Value::obj(ctx.process));
    m.func("process?", |ctx: &mut Ctx, v: Value| {
        matches!(ctx.heap.object(v), Some(Object::Process(_)))
    });
    m.func("process-alive?", |ctx: &mut Ctx, p: ProcessRef| {
        match ctx.heap.get(p.0) {
            Object::Process(p) => p.status.is_alive(),
            _ => false,
        }
    });
    m.func("send", |ctx: &mut Ctx, p: ProcessRef, msg: Value| {
        let (mailbox, status) = match ctx.heap.get(p.0) {
            Object::Process(proc) => (proc.mailbox, proc.status),
            _ => unreachable!("ProcessRef is a process"),
        };
        if !status.is_alive() {
            // Messages to a finished process are dropped, as in Erlang.
            return;
        }
        if let Object::Mailbox(mb) = ctx.heap.get_mut(mailbox) {
            mb.queue.push_back(msg);
        }
        if let ProcStatus::Receiving { .. } = status {
            wake(ctx.heap, ctx.scheduler, p.0);
        }
    });
    m.func("receive", |ctx: &mut Ctx| match take_message(ctx) {
        Some(msg) => Action::Return(msg),
        None => Action::Block(Wait::Receive { deadline: None }),
    });
    m.func(
        "receive-timeout",
        |ctx: &mut Ctx, ms: i64, default: Value| {
            let deadline = ctx.now_ms().saturating_add(u64::try_from(ms).unwrap_or(0));
            let f = internal(ctx, "%receive-until")?;
            Ok::<_, Error>(Action::TailCall {
                f,
                args: vec![deadline_value(ctx, deadline), default],
            })
        },
    );
    m.func(
        "%receive-until",
        |ctx: &mut Ctx, deadline: i64, default: Value| {
            let deadline = u64::try_from(deadline).unwrap_or(0);
            match take_message(ctx) {
                Some(msg) => Action::Return(msg),
                None if ctx.now_ms() >= deadline => Action::Return(default),
                None => Action::Block(Wait::Receive {
                    deadline: Some(deadline),
                }),
            }
        },
    );
    m.func("sleep", |ctx: &mut Ctx, ms: i64| {
        let deadline = ctx.now_ms().saturating_add(u64::try_from(ms).unwrap_or(0));
        let f = internal(ctx, "%sleep-until")?;
        Ok::<_, Error>(Action::TailCall {
            f,
            args: vec![deadline_value(ctx, deadline)],
        })
    });
    m.func("%sleep-until", |ctx: &mut Ctx, deadline: i64| {
        let deadline = u64::try_from(deadline).unwrap_or(0);
        if ctx.now_ms() >= deadline {
            Action::Return(Value::UNSPECIFIED)
        } else {
            Action::Block(Wait::Sleep { deadline })
        }
    });
    m.func("yield", |_: &mut Ctx| Action::Block(Wait::Yield));
}

fn take_message(ctx: &mut Ctx) -> Option<Value> {
    let mailbox = match ctx.heap.get(ctx.process) {
        Object::Process(p) => p.mailbox,
        _ => return None,
    };
    let empty = matches!(ctx.heap.get(mailbox), Object::Mailbox(mb) if mb.queue.is_empty());
    if empty {
        return None;
    }
    match ctx.heap.get_mut(mailbox) {
        Object::Mailbox(mb) => mb.queue.pop_front(),
        _ => None,
    }
}

fn deadline_value(ctx: &mut Ctx, deadline: u64) -> Value {
    ctx.heap
        .integer(i64::try_from(deadline).unwrap_or(i64::MAX))
}

/// A VM-internal primitive by name (bound at boot; a program that rebinds it gets what it asked).
fn internal(ctx: &Ctx, name: &str) -> Result<Value, Error> {
    ctx.heap
        .global_named(name)
        .ok_or_else(|| Error::msg(format!("{name} is not bound")))
}
