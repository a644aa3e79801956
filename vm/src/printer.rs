//! Printing values (`write` and `display`). Owned by the library helper; this first version
//! covers the shapes the VM core needs for error reports.

use crate::heap::Heap;
use crate::object::Object;
use crate::value::Value;

/// The external representation of `v`, as `write` prints it.
pub fn write_string(heap: &Heap, v: Value) -> String {
    let mut out = String::new();
    print(heap, v, true, &mut out);
    out
}

/// `v` as `display` prints it.
pub fn display_string(heap: &Heap, v: Value) -> String {
    let mut out = String::new();
    print(heap, v, false, &mut out);
    out
}

fn print(heap: &Heap, v: Value, write: bool, out: &mut String) {
    if let Some(n) = v.as_fixnum() {
        out.push_str(&n.to_string());
    } else if let Some(c) = v.as_char() {
        if write {
            out.push_str("#\\");
        }
        out.push(c);
    } else if let Some(obj) = heap.object(v) {
        match obj {
            Object::String(cs) => {
                if write {
                    out.push('"');
                    for c in cs {
                        match c {
                            '"' => out.push_str("\\\""),
                            '\\' => out.push_str("\\\\"),
                            '\n' => out.push_str("\\n"),
                            c => out.push(*c),
                        }
                    }
                    out.push('"');
                } else {
                    out.extend(cs.iter());
                }
            }
            Object::Symbol(s) => out.push_str(&s.name),
            Object::Pair(..) => {
                out.push('(');
                let mut cur = v;
                let mut first = true;
                while let Some((a, d)) = heap.pair(cur) {
                    if !first {
                        out.push(' ');
                    }
                    first = false;
                    print(heap, a, write, out);
                    cur = d;
                }
                if !cur.is_null() {
                    out.push_str(" . ");
                    print(heap, cur, write, out);
                }
                out.push(')');
            }
            Object::Bignum(n) => out.push_str(&n.to_string()),
            Object::Flonum(x) => out.push_str(&x.to_string()),
            other => {
                out.push_str("#<");
                out.push_str(other.type_name());
                out.push('>');
            }
        }
    } else {
        out.push_str(&format!("{v:?}"));
    }
}
