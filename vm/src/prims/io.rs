//! Reading and writing through ports: `write`/`display` and friends, `newline`, `write-char`,
//! `write-string`, bytes; `read-char`, `peek-char`, `read-line`, `read-string`, `char-ready?`,
//! bytes, and `read` (the reader's `read_one` on what is left of a string port).
//!
//! Without a port argument, output goes to the current value of the `current-output-port`
//! parameter (stdlib/io.scm), found in the running process's parameterization, so
//! `parameterize` redirects it; the standard output port writes to the host's buffer.
//! Standard input supports `read-line` only, read straight from the host's stdin.

use pscheme_compiler::reader::read_one;
use pscheme_compiler::span::FileId;

use crate::error::Error;
use crate::heap::Heap;
use crate::object::{Object, PortKind};
use crate::prim::{Ctx, Registry};
use crate::printer::{Style, print};
use crate::value::{ObjId, Value};

use super::vectors::range;

pub(crate) fn register(registry: &mut Registry) {
    let mut m = registry.module("io");
    let styles = [
        ("write", Style::Write),
        // Labels for cycles, like `write`: printing never hangs.
        ("write-simple", Style::Write),
        ("write-shared", Style::WriteShared),
        ("display", Style::Display),
    ];
    for (name, style) in styles {
        m.func(
            name,
            move |ctx: &mut Ctx, v: Value, port: Option<Value>| -> Result<(), Error> {
                let sink = output(ctx, port, 2)?;
                let mut text = String::new();
                print(ctx.heap, v, style, &mut text);
                emit(ctx, sink, &text)
            },
        );
    }
    m.func(
        "newline",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<(), Error> {
            let sink = output(ctx, port, 1)?;
            emit(ctx, sink, "\n")
        },
    );
    m.func(
        "write-char",
        |ctx: &mut Ctx, c: char, port: Option<Value>| -> Result<(), Error> {
            let sink = output(ctx, port, 2)?;
            emit(ctx, sink, c.encode_utf8(&mut [0; 4]))
        },
    );
    m.func(
        "write-string",
        |ctx: &mut Ctx,
         s: Value,
         port: Option<Value>,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<(), Error> {
            let Some(Object::String(chars)) = ctx.heap.object(s) else {
                return Err(Error::wrong_arg("string", 1, s));
            };
            let (start, end) = range(chars.len(), start, end)?;
            let text: String = chars[start..end].iter().collect();
            let sink = output(ctx, port, 2)?;
            emit(ctx, sink, &text)
        },
    );
    m.func(
        "write-u8",
        |ctx: &mut Ctx, byte: Value, port: Option<Value>| -> Result<(), Error> {
            let b = byte
                .as_fixnum()
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(|| Error::wrong_arg("byte", 1, byte))?;
            let sink = output(ctx, port, 2)?;
            emit_bytes(ctx, sink, &[b])
        },
    );
    m.func(
        "write-bytevector",
        |ctx: &mut Ctx,
         b: Value,
         port: Option<Value>,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<(), Error> {
            let Some(Object::Bytevector(bytes)) = ctx.heap.object(b) else {
                return Err(Error::wrong_arg("bytevector", 1, b));
            };
            let (start, end) = range(bytes.len(), start, end)?;
            let bytes = bytes[start..end].to_vec();
            let sink = output(ctx, port, 2)?;
            emit_bytes(ctx, sink, &bytes)
        },
    );
    m.func(
        "flush-output-port",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<(), Error> {
            // Output is buffered by the host, which flushes it; only the port is checked here.
            output(ctx, port, 1).map(|_| ())
        },
    );

    m.func(
        "read-char",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<Value, Error> {
            let id = text_input(ctx, port, 1)?;
            Ok(take_chars(ctx.heap, id, 1).map_or(Value::EOF, |cs| Value::char(cs[0])))
        },
    );
    m.func(
        "peek-char",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<Value, Error> {
            let id = text_input(ctx, port, 1)?;
            let (chars, pos) = string_input(ctx.heap, id);
            Ok(chars.get(pos).map_or(Value::EOF, |&c| Value::char(c)))
        },
    );
    m.func(
        "read-line",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<Value, Error> {
            let id = input(ctx, port, 1)?;
            if matches!(ctx.heap.get(id), Object::Port(p) if matches!(p.kind, PortKind::Stdin)) {
                return read_stdin_line(ctx);
            }
            let (chars, pos) = string_input(ctx.heap, id);
            if pos >= chars.len() {
                return Ok(Value::EOF);
            }
            let line_len = chars[pos..].iter().position(|&c| c == '\n');
            let taken = line_len.map_or(chars.len() - pos, |n| n + 1);
            let mut line = take_chars(ctx.heap, id, taken).unwrap_or_default();
            if line.last() == Some(&'\n') {
                line.pop();
                if line.last() == Some(&'\r') {
                    line.pop();
                }
            }
            Ok(ctx.heap.alloc_value(Object::String(line)))
        },
    );
    m.func(
        "read-string",
        |ctx: &mut Ctx, k: usize, port: Option<Value>| -> Result<Value, Error> {
            let id = text_input(ctx, port, 2)?;
            if k == 0 {
                return Ok(ctx.heap.string(""));
            }
            Ok(match take_chars(ctx.heap, id, k) {
                Some(chars) => ctx.heap.alloc_value(Object::String(chars)),
                None => Value::EOF,
            })
        },
    );
    m.func(
        "char-ready?",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<bool, Error> {
            // String ports never block; at their end R7RS also answers #t.
            text_input(ctx, port, 1).map(|_| true)
        },
    );
    m.func(
        "read-u8",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<Value, Error> {
            let id = binary_input(ctx, port, 1)?;
            Ok(take_bytes(ctx.heap, id, 1).map_or(Value::EOF, |bs| Value::small(i64::from(bs[0]))))
        },
    );
    m.func(
        "peek-u8",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<Value, Error> {
            let id = binary_input(ctx, port, 1)?;
            let (bytes, pos) = bytes_input(ctx.heap, id);
            Ok(bytes
                .get(pos)
                .map_or(Value::EOF, |&b| Value::small(i64::from(b))))
        },
    );
    m.func(
        "u8-ready?",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<bool, Error> {
            binary_input(ctx, port, 1).map(|_| true)
        },
    );
    m.func(
        "read-bytevector",
        |ctx: &mut Ctx, k: usize, port: Option<Value>| -> Result<Value, Error> {
            let id = binary_input(ctx, port, 2)?;
            if k == 0 {
                return Ok(ctx.heap.alloc_value(Object::Bytevector(Vec::new())));
            }
            Ok(match take_bytes(ctx.heap, id, k) {
                Some(bytes) => ctx.heap.alloc_value(Object::Bytevector(bytes)),
                None => Value::EOF,
            })
        },
    );
    m.func(
        "read-bytevector!",
        |ctx: &mut Ctx,
         target: Value,
         port: Option<Value>,
         start: Option<usize>,
         end: Option<usize>|
         -> Result<Value, Error> {
            let Some((target_id, Object::Bytevector(bytes))) =
                target.as_obj().map(|id| (id, ctx.heap.get(id)))
            else {
                return Err(Error::wrong_arg("bytevector", 1, target));
            };
            let (start, end) = range(bytes.len(), start, end)?;
            let id = binary_input(ctx, port, 2)?;
            if start == end {
                return Ok(Value::small(0));
            }
            let Some(read) = take_bytes(ctx.heap, id, end - start) else {
                return Ok(Value::EOF);
            };
            if let Object::Bytevector(bytes) = ctx.heap.get_mut(target_id) {
                bytes[start..start + read.len()].copy_from_slice(&read);
            }
            Ok(Value::small(i64::try_from(read.len()).unwrap_or(i64::MAX)))
        },
    );
    m.func(
        "read",
        |ctx: &mut Ctx, port: Option<Value>| -> Result<Value, Error> {
            let id = text_input(ctx, port, 1)?;
            read_datum(ctx.heap, id)
        },
    );
}

/// Where output goes.
#[derive(Clone, Copy)]
enum Sink {
    Stdout,
    Stderr,
    /// A string output port.
    Text(ObjId),
    /// A bytevector output port.
    Bytes(ObjId),
}

/// The output port argument at `position`, or the current output port.
fn output(ctx: &Ctx, port: Option<Value>, position: usize) -> Result<Sink, Error> {
    let Some(v) = port.or_else(|| current_port(ctx, "current-output-port")) else {
        return Ok(Sink::Stdout);
    };
    let Some((id, Object::Port(p))) = v.as_obj().map(|id| (id, ctx.heap.get(id))) else {
        return Err(Error::wrong_arg("output port", position, v));
    };
    if !p.open {
        return Err(Error::with_irritants("port is closed", vec![v]));
    }
    match p.kind {
        PortKind::Stdout => Ok(Sink::Stdout),
        PortKind::Stderr => Ok(Sink::Stderr),
        PortKind::StringOutput { .. } => Ok(Sink::Text(id)),
        PortKind::BytesOutput { .. } => Ok(Sink::Bytes(id)),
        _ => Err(Error::wrong_arg("output port", position, v)),
    }
}

/// The current value of the port parameter named `name`, as `(name)` would return it.
fn current_port(ctx: &Ctx, name: &str) -> Option<Value> {
    let heap = &*ctx.heap;
    let param = heap.global_named(name)?;
    match heap.object(param)? {
        Object::Parameter(p) => {
            let state = crate::control::dyn_state(heap, ctx.process());
            let mut bindings = crate::control::params(heap, state);
            while let Some((binding, rest)) = heap.pair(bindings) {
                if let Some((key, value)) = heap.pair(binding)
                    && key == param
                {
                    return Some(value);
                }
                bindings = rest;
            }
            Some(p.value)
        }
        Object::Port(_) => Some(param),
        _ => None,
    }
}

fn emit(ctx: &mut Ctx, sink: Sink, text: &str) -> Result<(), Error> {
    match sink {
        Sink::Stdout => ctx.stdout().push_str(text),
        Sink::Stderr => ctx.stderr().push_str(text),
        Sink::Text(id) => {
            if let Object::Port(p) = ctx.heap.get_mut(id)
                && let PortKind::StringOutput { text: buffer } = &mut p.kind
            {
                buffer.push_str(text);
            }
        }
        Sink::Bytes(id) => {
            return Err(Error::with_irritants(
                "textual output to a binary port",
                vec![Value::obj(id)],
            ));
        }
    }
    Ok(())
}

fn emit_bytes(ctx: &mut Ctx, sink: Sink, bytes: &[u8]) -> Result<(), Error> {
    match sink {
        Sink::Bytes(id) => {
            if let Object::Port(p) = ctx.heap.get_mut(id)
                && let PortKind::BytesOutput { bytes: buffer } = &mut p.kind
            {
                buffer.extend_from_slice(bytes);
            }
            Ok(())
        }
        Sink::Text(id) => Err(Error::with_irritants(
            "binary output to a textual port",
            vec![Value::obj(id)],
        )),
        Sink::Stdout | Sink::Stderr => Err(Error::msg("binary output to a textual port")),
    }
}

/// The input port argument at `position`, or the current input port; must be open.
fn input(ctx: &Ctx, port: Option<Value>, position: usize) -> Result<ObjId, Error> {
    let v = port
        .or_else(|| current_port(ctx, "current-input-port"))
        .ok_or_else(|| Error::msg("no current input port"))?;
    match v.as_obj().map(|id| (id, ctx.heap.get(id))) {
        Some((id, Object::Port(p))) if super::ports::is_input(&p.kind) => {
            if p.open {
                Ok(id)
            } else {
                Err(Error::with_irritants("port is closed", vec![v]))
            }
        }
        _ => Err(Error::wrong_arg("input port", position, v)),
    }
}

/// A textual input port other than standard input (which only supports `read-line`).
fn text_input(ctx: &Ctx, port: Option<Value>, position: usize) -> Result<ObjId, Error> {
    let id = input(ctx, port, position)?;
    match ctx.heap.get(id) {
        Object::Port(p) if matches!(p.kind, PortKind::StringInput { .. }) => Ok(id),
        Object::Port(p) if matches!(p.kind, PortKind::Stdin) => {
            Err(Error::msg("only read-line is supported on standard input"))
        }
        _ => Err(Error::wrong_arg(
            "textual input port",
            position,
            Value::obj(id),
        )),
    }
}

fn binary_input(ctx: &Ctx, port: Option<Value>, position: usize) -> Result<ObjId, Error> {
    let id = input(ctx, port, position)?;
    match ctx.heap.get(id) {
        Object::Port(p) if matches!(p.kind, PortKind::BytesInput { .. }) => Ok(id),
        _ => Err(Error::wrong_arg(
            "binary input port",
            position,
            Value::obj(id),
        )),
    }
}

fn string_input(heap: &Heap, id: ObjId) -> (&[char], usize) {
    match heap.get(id) {
        Object::Port(p) => match &p.kind {
            // Clamped: a port loaded from a damaged store must not make reading panic.
            PortKind::StringInput { chars, pos } => (chars, (*pos).min(chars.len())),
            _ => (&[], 0),
        },
        _ => (&[], 0),
    }
}

fn bytes_input(heap: &Heap, id: ObjId) -> (&[u8], usize) {
    match heap.get(id) {
        Object::Port(p) => match &p.kind {
            PortKind::BytesInput { bytes, pos } => (bytes, (*pos).min(bytes.len())),
            _ => (&[], 0),
        },
        _ => (&[], 0),
    }
}

/// Consumes up to `k` characters; `None` at the end of the port.
fn take_chars(heap: &mut Heap, id: ObjId, k: usize) -> Option<Vec<char>> {
    let (chars, pos) = string_input(heap, id);
    if pos >= chars.len() {
        return None;
    }
    let end = pos + k.min(chars.len() - pos);
    let taken = chars[pos..end].to_vec();
    advance(heap, id, end);
    Some(taken)
}

fn take_bytes(heap: &mut Heap, id: ObjId, k: usize) -> Option<Vec<u8>> {
    let (bytes, pos) = bytes_input(heap, id);
    if pos >= bytes.len() {
        return None;
    }
    let end = pos + k.min(bytes.len() - pos);
    let taken = bytes[pos..end].to_vec();
    advance(heap, id, end);
    Some(taken)
}

/// Moves an input port's position to `to` (through the write barrier: the port changed).
fn advance(heap: &mut Heap, id: ObjId, to: usize) {
    if let Object::Port(p) = heap.get_mut(id) {
        match &mut p.kind {
            PortKind::StringInput { pos, .. } | PortKind::BytesInput { pos, .. } => *pos = to,
            _ => {}
        }
    }
}

/// Characters of a string port the reader first looks at. Reading converts them to a `&str`;
/// looking at the whole rest of the port on every `read` would make reading n datums from one
/// port quadratic.
const READ_WINDOW: usize = 4096;

/// `read` on a string port: the next datum, or the eof object when only whitespace and
/// comments remain. A malformed datum is a read error (`read-error?` is true of it).
///
/// The reader sees a window of the port that doubles until the answer cannot depend on what
/// lies beyond it: a datum that ends strictly inside the window (a token cut at the window's
/// edge would end exactly at it), or any answer once the window holds the rest of the port.
fn read_datum(heap: &mut Heap, id: ObjId) -> Result<Value, Error> {
    let (chars, pos) = string_input(heap, id);
    let len = chars.len();
    let mut window = READ_WINDOW;
    let (text, outcome) = loop {
        let end = pos.saturating_add(window).min(len);
        let text: String = chars[pos..end].iter().collect();
        let outcome = read_one(&text, FileId::default(), 0);
        let conclusive =
            end == len || matches!(&outcome, Ok(Some((_, datum_end))) if *datum_end < text.len());
        if conclusive {
            break (text, outcome);
        }
        window = window.saturating_mul(2);
    };
    match outcome {
        Ok(Some((datum, end))) => {
            let consumed = text
                .get(..end)
                .map_or(text.chars().count(), |read| read.chars().count());
            advance(heap, id, pos + consumed);
            Ok(crate::load::datum_to_value(heap, &datum))
        }
        Ok(None) => {
            advance(heap, id, len);
            Ok(Value::EOF)
        }
        Err(diagnostic) => {
            advance(heap, id, len);
            Err(Error::read(format!("read: {}", diagnostic.message)))
        }
    }
}

fn read_stdin_line(ctx: &mut Ctx) -> Result<Value, Error> {
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) => Ok(Value::EOF),
        Ok(_) => {
            if line.ends_with('\n') {
                line.pop();
                if line.ends_with('\r') {
                    line.pop();
                }
            }
            Ok(ctx.heap.string(&line))
        }
        Err(e) => Err(Error::file(format!("reading standard input: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Port;
    use crate::prims::lists::usize_value;

    fn string_port(heap: &mut Heap, text: &str) -> ObjId {
        heap.alloc(Object::Port(Box::new(Port {
            kind: PortKind::StringInput {
                chars: text.chars().collect(),
                pos: 0,
            },
            open: true,
        })))
    }

    #[test]
    fn read_consumes_one_datum_at_a_time() {
        let mut heap = Heap::new();
        let port = string_port(&mut heap, "(a \"λ\") 42 ; done\n");
        let first = read_datum(&mut heap, port).expect("a list");
        assert_eq!(crate::printer::write_string(&heap, first), "(a \"λ\")");
        let second = read_datum(&mut heap, port).expect("a number");
        assert_eq!(second, Value::small(42));
        assert_eq!(read_datum(&mut heap, port), Ok(Value::EOF));
    }

    #[test]
    fn datums_longer_than_the_window_and_many_datums() {
        let mut heap = Heap::new();
        let long_symbol = "s".repeat(READ_WINDOW + 10);
        let many = "(1 2) ".repeat(READ_WINDOW);
        let text = format!("{long_symbol} \"{}\" {many}", "x".repeat(3 * READ_WINDOW));
        let port = string_port(&mut heap, &text);
        let first = read_datum(&mut heap, port).expect("a symbol");
        assert_eq!(heap.symbol_name(first), Some(long_symbol.as_str()));
        let second = read_datum(&mut heap, port).expect("a string");
        assert_eq!(
            heap.string_text(second).map(|s| s.len()),
            Some(3 * READ_WINDOW)
        );
        for _ in 0..READ_WINDOW {
            let datum = read_datum(&mut heap, port).expect("a list");
            assert_eq!(crate::printer::write_string(&heap, datum), "(1 2)");
        }
        assert_eq!(read_datum(&mut heap, port), Ok(Value::EOF));
    }

    #[test]
    fn malformed_input_is_a_read_error() {
        let mut heap = Heap::new();
        let port = string_port(&mut heap, "(1 2");
        assert!(matches!(
            read_datum(&mut heap, port),
            Err(Error::Error {
                kind: crate::object::ErrorKind::Read,
                ..
            })
        ));
    }

    #[test]
    fn reading_marks_the_port_dirty() {
        let mut heap = Heap::new();
        let port = string_port(&mut heap, "abc");
        heap.take_dirty();
        assert_eq!(take_chars(&mut heap, port, 2), Some(vec!['a', 'b']));
        assert!(heap.is_dirty(port));
        assert_eq!(usize_value(3), Value::small(3));
    }
}
