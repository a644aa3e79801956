//! Printing heap values: the `write` and `display` forms.
//!
//! Atoms are printed by the compiler's literal printers (`pscheme_compiler::printer`), so what
//! `write` prints reads back as an equal datum, exactly as for quoted constants. Lists of two
//! elements headed by `quote`, `quasiquote`, `unquote` or `unquote-splicing` are abbreviated
//! (`'x`), as the compiler's printer does.
//!
//! Shared structure: `write` and `display` label the objects that are part of a cycle (`#0=(1 .
//! #0#)`), so printing always terminates; `write-shared` labels every object met twice. Both
//! passes, the search for labels and the printing, use explicit stacks: a million-element list
//! or a list nested a million deep prints without deep Rust recursion.

use std::collections::HashMap;
use std::fmt::Write;

use pscheme_compiler::printer::{
    write_char_literal, write_flonum, write_string_literal, write_symbol,
};

use crate::heap::Heap;
use crate::object::{Object, PortKind};
use crate::value::{ObjId, Value};

/// How to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `write`: readable back; labels for cycles.
    Write,
    /// `display`: strings and characters as their contents; labels for cycles.
    Display,
    /// `write-shared`: like `Write`, with labels for every shared object.
    WriteShared,
}

/// The external representation of `v`, as `write` prints it.
pub fn write_string(heap: &Heap, v: Value) -> String {
    to_string(heap, v, Style::Write)
}

/// `v` as `display` prints it.
pub fn display_string(heap: &Heap, v: Value) -> String {
    to_string(heap, v, Style::Display)
}

pub fn to_string(heap: &Heap, v: Value, style: Style) -> String {
    let mut out = String::new();
    print(heap, v, style, &mut out);
    out
}

/// Appends the printed form of `v` to `out`.
pub fn print(heap: &Heap, v: Value, style: Style, out: &mut String) {
    let labels = find_labels(heap, v, style == Style::WriteShared);
    Printer {
        heap,
        write: style != Style::Display,
        labels,
        next_label: 0,
        out,
    }
    .run(v);
}

/// Objects whose structure the printer walks into.
fn children(heap: &Heap, id: ObjId) -> &[Value] {
    match heap.get(id) {
        Object::Vector(items) => items,
        _ => &[],
    }
}

fn is_compound(heap: &Heap, v: Value) -> bool {
    matches!(
        heap.object(v),
        Some(Object::Pair(..) | Object::Vector(_) | Object::Error(_))
    )
}

/// Nodes a plain tree walk may visit before the printer pays for cycle detection: a structure
/// that is fully walked within this budget cannot contain a cycle.
const TREE_WALK_BUDGET: usize = 10_000;

/// The objects that need a label: those on a cycle (or, with `all_shared`, met more than once).
/// The value is `None` until the printer assigns the label's number.
fn find_labels(heap: &Heap, root: Value, all_shared: bool) -> HashMap<ObjId, Option<usize>> {
    if !is_compound(heap, root) || (!all_shared && is_small_tree(heap, root)) {
        return HashMap::new();
    }
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        OnPath,
        Done,
    }
    let mut state: HashMap<ObjId, State> = HashMap::new();
    let mut labels = HashMap::new();
    // Depth-first, with an explicit stack of (object, index of the next child to visit).
    let mut stack: Vec<(ObjId, usize)> = Vec::new();
    let enter = |v: Value,
                 state: &mut HashMap<ObjId, State>,
                 labels: &mut HashMap<ObjId, Option<usize>>,
                 stack: &mut Vec<(ObjId, usize)>| {
        if !is_compound(heap, v) {
            return;
        }
        let Some(id) = v.as_obj() else { return };
        match state.get(&id) {
            Some(State::OnPath) => {
                labels.insert(id, None);
            }
            Some(State::Done) => {
                if all_shared {
                    labels.insert(id, None);
                }
            }
            None => {
                state.insert(id, State::OnPath);
                stack.push((id, 0));
            }
        }
    };
    enter(root, &mut state, &mut labels, &mut stack);
    while let Some(&mut (id, ref mut next)) = stack.last_mut() {
        let child = match heap.get(id) {
            Object::Pair(a, d) => [*a, *d].get(*next).copied(),
            Object::Error(e) => [e.message, e.irritants].get(*next).copied(),
            _ => children(heap, id).get(*next).copied(),
        };
        *next += 1;
        match child {
            Some(v) => enter(v, &mut state, &mut labels, &mut stack),
            None => {
                state.insert(id, State::Done);
                stack.pop();
            }
        }
    }
    labels
}

/// Whether walking `root` as a tree (shared parts visited again) ends within the budget.
fn is_small_tree(heap: &Heap, root: Value) -> bool {
    let mut pending = vec![root];
    let mut visited = 0;
    while let Some(v) = pending.pop() {
        visited += 1;
        if visited > TREE_WALK_BUDGET {
            return false;
        }
        match heap.object(v) {
            Some(Object::Pair(a, d)) => pending.extend([*d, *a]),
            Some(Object::Vector(items)) => pending.extend(items.iter().copied()),
            Some(Object::Error(e)) => pending.extend([e.irritants, e.message]),
            _ => {}
        }
    }
    true
}

/// What remains to print, innermost last.
enum Task {
    Value(Value),
    Text(&'static str),
    /// The rest of a list after an element: `()`, more elements, or a dotted tail.
    ListTail(Value),
    /// Elements of vector `id` from `index` on.
    VectorFrom(ObjId, usize),
}

struct Printer<'a> {
    heap: &'a Heap,
    write: bool,
    labels: HashMap<ObjId, Option<usize>>,
    next_label: usize,
    out: &'a mut String,
}

impl Printer<'_> {
    fn run(&mut self, root: Value) {
        let mut tasks = vec![Task::Value(root)];
        while let Some(task) = tasks.pop() {
            match task {
                Task::Text(text) => self.out.push_str(text),
                Task::Value(v) => self.value(v, &mut tasks),
                Task::ListTail(rest) => self.list_tail(rest, &mut tasks),
                Task::VectorFrom(id, index) => {
                    let items = children(self.heap, id);
                    if let Some(&item) = items.get(index) {
                        if index > 0 {
                            self.out.push(' ');
                        }
                        tasks.push(Task::VectorFrom(id, index + 1));
                        tasks.push(Task::Value(item));
                    } else {
                        self.out.push(')');
                    }
                }
            }
        }
    }

    /// Prints `#n#` for a labeled object already printed and returns true; prints `#n=` for one
    /// printed now.
    fn label(&mut self, id: ObjId) -> bool {
        match self.labels.get(&id) {
            Some(Some(n)) => {
                let _ = write!(self.out, "#{n}#");
                true
            }
            Some(None) => {
                let n = self.next_label;
                self.next_label += 1;
                self.labels.insert(id, Some(n));
                let _ = write!(self.out, "#{n}=");
                false
            }
            None => false,
        }
    }

    fn list_tail(&mut self, rest: Value, tasks: &mut Vec<Task>) {
        if rest.is_null() {
            self.out.push(')');
            return;
        }
        let labeled = rest
            .as_obj()
            .is_some_and(|id| self.labels.contains_key(&id));
        match self.heap.pair(rest) {
            Some((a, d)) if !labeled => {
                self.out.push(' ');
                tasks.push(Task::ListTail(d));
                tasks.push(Task::Value(a));
            }
            _ => {
                self.out.push_str(" . ");
                tasks.push(Task::Text(")"));
                tasks.push(Task::Value(rest));
            }
        }
    }

    fn value(&mut self, v: Value, tasks: &mut Vec<Task>) {
        if let Some(n) = v.as_fixnum() {
            let _ = write!(self.out, "{n}");
            return;
        }
        if let Some(c) = v.as_char() {
            if self.write {
                let _ = write_char_literal(self.out, c);
            } else {
                self.out.push(c);
            }
            return;
        }
        let Some(id) = v.as_obj() else {
            self.out.push_str(special_name(v));
            return;
        };
        if self.label(id) {
            return;
        }
        match self.heap.get(id) {
            Object::Pair(a, d) => {
                if let Some(prefix) = self.abbreviation(*a, *d) {
                    self.out.push_str(prefix);
                    if let Some((quoted, _)) = self.heap.pair(*d) {
                        tasks.push(Task::Value(quoted));
                    }
                    return;
                }
                self.out.push('(');
                tasks.push(Task::ListTail(*d));
                tasks.push(Task::Value(*a));
            }
            Object::Vector(_) => {
                self.out.push_str("#(");
                tasks.push(Task::VectorFrom(id, 0));
            }
            Object::String(chars) => {
                if self.write {
                    let text: String = chars.iter().collect();
                    let _ = write_string_literal(self.out, &text);
                } else {
                    self.out.extend(chars.iter());
                }
            }
            Object::Symbol(s) => {
                if self.write {
                    let _ = write_symbol(self.out, &s.name);
                } else {
                    self.out.push_str(&s.name);
                }
            }
            Object::Bytevector(bytes) => {
                self.out.push_str("#u8(");
                for (i, b) in bytes.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    let _ = write!(self.out, "{b}");
                }
                self.out.push(')');
            }
            Object::Bignum(n) => {
                let _ = write!(self.out, "{n}");
            }
            Object::Flonum(x) => {
                let _ = write_flonum(self.out, *x);
            }
            Object::Error(e) => {
                // `#<error "message" irritant ...>`: what a handler printing a condition wants.
                self.out.push_str("#<error ");
                tasks.push(Task::Text(">"));
                match self.heap.list_to_vec(e.irritants) {
                    Some(irritants) => {
                        for &x in irritants.iter().rev() {
                            tasks.push(Task::Value(x));
                            tasks.push(Task::Text(" "));
                        }
                    }
                    None => {
                        tasks.push(Task::Value(e.irritants));
                        tasks.push(Task::Text(" . "));
                    }
                }
                tasks.push(Task::Value(e.message));
            }
            other => self.opaque(other),
        }
    }

    /// The prefix of `(quote x)` and friends, when `(a . d)` is such a two-element list.
    fn abbreviation(&self, a: Value, d: Value) -> Option<&'static str> {
        let prefix = match self.heap.symbol_name(a)? {
            "quote" => "'",
            "quasiquote" => "`",
            "unquote" => ",",
            "unquote-splicing" => ",@",
            _ => return None,
        };
        let (_, rest) = self.heap.pair(d)?;
        let d_labeled = d.as_obj().is_some_and(|id| self.labels.contains_key(&id));
        (rest.is_null() && !d_labeled).then_some(prefix)
    }

    /// Objects without an external representation: `#<kind detail>`.
    fn opaque(&mut self, obj: &Object) {
        let heap = self.heap;
        let detail = match obj {
            Object::Primitive(p) => Some(p.name.to_string()),
            Object::Closure(c) => match heap.get(c.code) {
                Object::Code(code) => code
                    .0
                    .unit
                    .blocks
                    .get(c.block as usize)
                    .and_then(|b| b.name.clone()),
                _ => None,
            },
            Object::Record(r) => {
                let name = match heap.get(r.rtd) {
                    Object::RecordType(t) => heap.symbol_name(t.name).unwrap_or("record"),
                    _ => "record",
                };
                let _ = write!(
                    self.out,
                    "#<{}>",
                    name.trim_start_matches('<').trim_end_matches('>')
                );
                return;
            }
            Object::RecordType(t) => heap.symbol_name(t.name).map(str::to_owned),
            Object::Process(p) => Some(p.number.to_string()),
            Object::HashTable(t) => Some(format!("{} entries", t.len)),
            Object::Port(p) => Some(
                match p.kind {
                    PortKind::StringInput { .. } => "string input",
                    PortKind::StringOutput { .. } => "string output",
                    PortKind::BytesInput { .. } => "bytevector input",
                    PortKind::BytesOutput { .. } => "bytevector output",
                    PortKind::Stdout => "stdout",
                    PortKind::Stderr => "stderr",
                    PortKind::Stdin => "stdin",
                }
                .to_owned(),
            ),
            _ => None,
        };
        let kind = match obj {
            Object::RecordType(_) => "record-type",
            other => other.type_name(),
        };
        match detail {
            Some(detail) => {
                let _ = write!(self.out, "#<{kind} {detail}>");
            }
            None => {
                let _ = write!(self.out, "#<{kind}>");
            }
        }
    }
}

fn special_name(v: Value) -> &'static str {
    match v {
        Value::TRUE => "#t",
        Value::FALSE => "#f",
        Value::NULL => "()",
        Value::EOF => "#<eof>",
        Value::DEFAULT => "#!default",
        Value::UNINITIALIZED => "#<uninitialized>",
        _ => "#<unspecified>",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::Rng;
    use pscheme_compiler::datum::{Datum, DatumKind};

    fn list(heap: &mut Heap, items: &[Value]) -> Value {
        heap.list(items)
    }

    fn set_cdr(heap: &mut Heap, pair: Value, v: Value) {
        if let Object::Pair(_, d) = heap.get_mut(pair.as_obj().expect("a pair")) {
            *d = v;
        }
    }

    #[test]
    fn atoms_print_like_literals() {
        let mut h = Heap::new();
        let s = h.string("a\"b\nc");
        let sym = h.intern_value("hello world");
        let x = h.flonum(1.0);
        assert_eq!(write_string(&h, s), "\"a\\\"b\\nc\"");
        assert_eq!(display_string(&h, s), "a\"b\nc");
        assert_eq!(write_string(&h, sym), "|hello world|");
        assert_eq!(display_string(&h, sym), "hello world");
        assert_eq!(write_string(&h, x), "1.0");
        assert_eq!(write_string(&h, Value::char(' ')), "#\\space");
        assert_eq!(display_string(&h, Value::char('a')), "a");
        assert_eq!(write_string(&h, Value::NULL), "()");
        assert_eq!(write_string(&h, Value::EOF), "#<eof>");
    }

    #[test]
    fn lists_vectors_and_abbreviations() {
        let mut h = Heap::new();
        let quote = h.intern_value("quote");
        let a = h.intern_value("a");
        let quoted = list(&mut h, &[quote, a]);
        let dotted = h.cons(Value::small(1), Value::small(2));
        let v = h.alloc_value(Object::Vector(vec![quoted, dotted, Value::TRUE]));
        assert_eq!(write_string(&h, v), "#('a (1 . 2) #t)");
        let three = list(&mut h, &[quote, a, a]);
        assert_eq!(write_string(&h, three), "(quote a a)");
        let b = h.alloc_value(Object::Bytevector(vec![1, 255]));
        assert_eq!(write_string(&h, b), "#u8(1 255)");
    }

    #[test]
    fn cycles_get_labels_and_sharing_only_with_write_shared() {
        let mut h = Heap::new();
        let l = list(&mut h, &[Value::small(1), Value::small(2)]);
        let second = h.pair(l).expect("pair").1;
        set_cdr(&mut h, second, l);
        assert_eq!(write_string(&h, l), "#0=(1 2 . #0#)");
        assert_eq!(display_string(&h, l), "#0=(1 2 . #0#)");

        let inner = list(&mut h, &[Value::small(7)]);
        let shared = list(&mut h, &[inner, inner]);
        assert_eq!(write_string(&h, shared), "((7) (7))");
        assert_eq!(to_string(&h, shared, Style::WriteShared), "(#0=(7) #0#)");

        // A vector containing itself.
        let v = h.alloc_value(Object::Vector(vec![Value::small(0)]));
        if let Object::Vector(items) = h.get_mut(v.as_obj().expect("vector")) {
            items[0] = v;
        }
        assert_eq!(write_string(&h, v), "#0=#(#0#)");
    }

    #[test]
    fn cycle_through_a_car_and_a_long_cycle() {
        let mut h = Heap::new();
        let p = h.cons(Value::NULL, Value::NULL);
        if let Object::Pair(a, _) = h.get_mut(p.as_obj().expect("pair")) {
            *a = p;
        }
        assert_eq!(write_string(&h, p), "#0=(#0#)");
        // Longer than the tree-walk budget, so the labelled path is taken.
        let items: Vec<Value> = (0..20_000).map(Value::small).collect();
        let long = list(&mut h, &items);
        let mut last = long;
        while let Some((_, d)) = h.pair(last).filter(|(_, d)| !d.is_null()) {
            last = d;
        }
        set_cdr(&mut h, last, long);
        let text = write_string(&h, long);
        assert!(text.starts_with("#0=(0 1 2 "), "{}", &text[..20]);
        assert!(text.ends_with(" 19999 . #0#)"));
    }

    #[test]
    fn deep_and_long_structures_print_without_recursion() {
        let mut h = Heap::new();
        let mut deep = Value::NULL;
        for _ in 0..200_000 {
            deep = h.cons(deep, Value::NULL);
        }
        let text = write_string(&h, deep);
        assert_eq!(text.len(), 2 * 200_000 + 2);
        let items: Vec<Value> = (0..300_000).map(|_| Value::small(1)).collect();
        let long = list(&mut h, &items);
        assert_eq!(write_string(&h, long).len(), 2 * 300_000 + 1);
    }

    /// Random data for the round-trip test, from the tests' generator.
    impl Rng {
        fn char(&mut self) -> char {
            let pools: [&[char]; 3] = [
                &['a', '|', '"', '\\', ' ', '#', '(', ';', '.', '\'', '\n'],
                &['λ', 'é', '\u{0}', '\u{7}', '\u{a0}'],
                &[],
            ];
            match self.below(4) {
                0 | 1 => pools[0][self.below(pools[0].len() as u64) as usize],
                2 => pools[1][self.below(pools[1].len() as u64) as usize],
                _ => loop {
                    if let Some(c) = char::from_u32(self.below(0x3_0000) as u32) {
                        break c;
                    }
                },
            }
        }

        fn text(&mut self) -> String {
            (0..self.below(6)).map(|_| self.char()).collect()
        }

        fn datum(&mut self, depth: u32) -> DatumKind {
            let pick = if depth == 0 {
                self.below(8)
            } else {
                7 + self.below(6)
            };
            match pick {
                0 => DatumKind::Bool(self.below(2) == 0),
                1 => DatumKind::Int(self.next() as i64 >> self.below(64)),
                2 => DatumKind::BigInt(
                    (num_bigint::BigInt::from(self.next()) * num_bigint::BigInt::from(self.next())
                        + 1u64)
                        << 64,
                ),
                3 => {
                    let x = f64::from_bits(self.next());
                    DatumKind::Real(if x.is_nan() { 0.5 } else { x })
                }
                4 => DatumKind::Char(self.char()),
                5 => DatumKind::Str(self.text()),
                6 => DatumKind::Symbol(match self.below(3) {
                    0 => ["quote", "quasiquote", "unquote", "unquote-splicing", "..."]
                        [self.below(5) as usize]
                        .to_owned(),
                    _ => self.text(),
                }),
                7 => DatumKind::Bytevector((0..self.below(4)).map(|_| self.next() as u8).collect()),
                8 | 9 => DatumKind::Vector(
                    (0..self.below(6))
                        .map(|_| self.wrapped(depth - 1))
                        .collect(),
                ),
                _ => {
                    let items = (0..self.below(6))
                        .map(|_| self.wrapped(depth - 1))
                        .collect::<Vec<_>>();
                    let tail = (!items.is_empty() && self.below(3) == 0).then(|| {
                        // A dotted tail is never itself a list datum.
                        let mut tail = self.datum(0);
                        while matches!(tail, DatumKind::List(..)) {
                            tail = self.datum(0);
                        }
                        Box::new(Datum::synthetic(tail))
                    });
                    DatumKind::List(items, tail)
                }
            }
        }

        fn wrapped(&mut self, depth: u32) -> Datum {
            Datum::synthetic(self.datum(depth))
        }
    }

    /// Structural equality of datums, ignoring spans; flonums by bits.
    fn same(a: &Datum, b: &Datum) -> bool {
        use DatumKind as K;
        match (&a.kind, &b.kind) {
            (K::Real(x), K::Real(y)) => x.to_bits() == y.to_bits(),
            (K::List(xs, xt), K::List(ys, yt)) => {
                xs.len() == ys.len()
                    && xs.iter().zip(ys).all(|(x, y)| same(x, y))
                    && match (xt, yt) {
                        (None, None) => true,
                        (Some(x), Some(y)) => same(x, y),
                        _ => false,
                    }
            }
            (K::Vector(xs), K::Vector(ys)) => {
                xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
            }
            (x, y) => x == y,
        }
    }

    #[test]
    fn written_values_read_back_as_equal_datums() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..2_000 {
            let datum = rng.wrapped(3);
            let mut heap = Heap::new();
            let value = crate::load::datum_to_value(&mut heap, &datum);
            let text = write_string(&heap, value);
            let read = pscheme_compiler::reader::read_one(
                &text,
                pscheme_compiler::span::FileId::default(),
                0,
            )
            .unwrap_or_else(|e| panic!("case {case}: {text:?} does not read: {}", e.message))
            .unwrap_or_else(|| panic!("case {case}: {text:?} reads as nothing"));
            assert!(
                same(&datum, &read.0),
                "case {case}: {text:?} read back as {:?}",
                pscheme_compiler::printer::write(&read.0)
            );
            assert_eq!(read.1, text.len(), "case {case}: {text:?} is one datum");
        }
    }
}
