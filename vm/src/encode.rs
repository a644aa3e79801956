//! Object encoding for persistence: `[format version (varint)] [postcard of Object]`.
//!
//! The version covers the shape of [`Object`] and everything inside it, including the
//! compiler's `CodeUnit` (whose own `FORMAT_VERSION` is checked again when a code object is
//! decoded). Decoding never panics on bad bytes: it returns [`DecodeError`].

use crate::object::Object;
use crate::value::Value;

/// Bumped whenever the encoding of any object changes.
pub const HEAP_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// Written by another format version.
    Version { found: u32, expected: u32 },
    /// The bytes are not a valid object.
    Corrupted(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Version { found, expected } => {
                write!(f, "object format version {found}, expected {expected}")
            }
            DecodeError::Corrupted(why) => write!(f, "corrupted object: {why}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Encodes one object.
pub fn encode_object(obj: &Object) -> Vec<u8> {
    let mut out = Vec::new();
    encode_object_into(obj, &mut out);
    out
}

/// Appends to `out` the bytes [`encode_object`] returns for `obj`. A wave encodes all its
/// objects through one reused buffer, so the buffer grows once per wave, not once per object.
pub fn encode_object_into(obj: &Object, out: &mut Vec<u8>) {
    push_varint(out, u64::from(HEAP_FORMAT_VERSION));
    // Pairs, closures and continuation frames are most of what a wave writes, and a large
    // vector is re-encoded whole whenever one of its slots changes. Their bytes are those of
    // postcard's derived encoding (variant index, then each field as a varint, a sequence's
    // length first: tested), written without serde's detour through a call per field.
    match obj {
        Object::Pair(car, cdr) => {
            push_varint(out, PAIR_VARIANT);
            push_varint(out, u64::from(*car));
            push_varint(out, u64::from(*cdr));
        }
        Object::Vector(items) => {
            push_varint(out, VECTOR_VARIANT);
            push_words(out, items);
        }
        Object::Closure(c) | Object::Frame(c) => {
            push_varint(out, closure_variant(obj));
            push_varint(out, u64::from(c.code.0));
            push_varint(out, u64::from(c.block));
            push_words(out, &c.free);
        }
        _ => postcard::serialize_with_flavor(obj, Append(out)).expect("heap objects always encode"),
    }
}

/// The bytes [`encode_object`] returns for `obj`, in a vector of exactly their size. The
/// size of a pair, vector, closure or frame is worked out first and it is encoded in place:
/// a wave of a program sorting a 200,000-element vector would otherwise copy its megabyte or
/// more out of `scratch`, into fresh memory, every wave. Other objects are encoded into
/// `scratch` (cleared first, kept for the next call) and copied out.
pub fn encode_object_exact(obj: &Object, scratch: &mut Vec<u8>) -> Vec<u8> {
    if let Some(len) = encoded_len(obj) {
        let mut out = Vec::with_capacity(len);
        encode_object_into(obj, &mut out);
        debug_assert_eq!(out.len(), len, "the size worked out is the size written");
        return out;
    }
    scratch.clear();
    encode_object_into(obj, scratch);
    scratch.as_slice().to_vec()
}

/// The size of [`encode_object`]'s bytes for the objects it writes without serde.
fn encoded_len(obj: &Object) -> Option<usize> {
    let word = |v: &Value| varint_len(u64::from(*v));
    let body = match obj {
        Object::Pair(car, cdr) => varint_len(PAIR_VARIANT) + word(car) + word(cdr),
        Object::Vector(items) => varint_len(VECTOR_VARIANT) + words_len(items),
        Object::Closure(c) | Object::Frame(c) => {
            varint_len(closure_variant(obj))
                + varint_len(u64::from(c.code.0))
                + varint_len(u64::from(c.block))
                + words_len(&c.free)
        }
        _ => return None,
    };
    Some(varint_len(u64::from(HEAP_FORMAT_VERSION)) + body)
}

/// Appends a sequence of words as postcard does: its length, then each word.
fn push_words(out: &mut Vec<u8>, words: &[Value]) {
    push_varint(out, words.len() as u64);
    for &word in words {
        push_varint(out, u64::from(word));
    }
}

/// How many bytes [`push_words`] writes for `words`.
fn words_len(words: &[Value]) -> usize {
    varint_len(words.len() as u64)
        + words
            .iter()
            .map(|&w| varint_len(u64::from(w)))
            .sum::<usize>()
}

/// How many bytes [`push_varint`] writes for `n`: one per seven significant bits.
fn varint_len(n: u64) -> usize {
    let bits = 64 - (n | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// The indexes postcard gives the objects encoded without serde: their positions in the
/// enum.
const PAIR_VARIANT: u64 = 0;
const VECTOR_VARIANT: u64 = 1;
const CLOSURE_VARIANT: u64 = 7;
const FRAME_VARIANT: u64 = 8;

/// The variant index of a closure or a continuation frame, which share a layout.
fn closure_variant(obj: &Object) -> u64 {
    if matches!(obj, Object::Closure(_)) {
        CLOSURE_VARIANT
    } else {
        FRAME_VARIANT
    }
}

/// Appends `n` as postcard writes every integer: LEB128, seven bits a byte, low bits first.
fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A postcard output appending to a borrowed vector. Postcard's own `Vec` output extends
/// through an iterator, a call per integer; pushing the few bytes of each is cheaper.
struct Append<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for Append<'_> {
    type Output = ();

    fn try_push(&mut self, byte: u8) -> postcard::Result<()> {
        self.0.push(byte);
        Ok(())
    }

    fn try_extend(&mut self, bytes: &[u8]) -> postcard::Result<()> {
        // Mostly a varint of at most ten bytes, where a byte loop beats a `memcpy` call.
        if bytes.len() <= 10 {
            for &byte in bytes {
                self.0.push(byte);
            }
        } else {
            self.0.extend_from_slice(bytes);
        }
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// Decodes one object written by [`encode_object`].
///
/// # Errors
/// [`DecodeError::Version`] for another format version, [`DecodeError::Corrupted`] for bytes
/// that do not decode or have trailing garbage.
pub fn decode_object(bytes: &[u8]) -> Result<Object, DecodeError> {
    let (version, rest): (u32, _) =
        postcard::take_from_bytes(bytes).map_err(|e| DecodeError::Corrupted(e.to_string()))?;
    if version != HEAP_FORMAT_VERSION {
        return Err(DecodeError::Version {
            found: version,
            expected: HEAP_FORMAT_VERSION,
        });
    }
    let (obj, rest): (Object, _) =
        postcard::take_from_bytes(rest).map_err(|e| DecodeError::Corrupted(e.to_string()))?;
    if !rest.is_empty() {
        return Err(DecodeError::Corrupted(format!(
            "{} trailing bytes",
            rest.len()
        )));
    }
    if let Object::Code(code) = &obj {
        crate::load::validate(&code.0.unit)
            .map_err(|e| DecodeError::Corrupted(format!("invalid code unit: {e}")))?;
        if code.0.consts.len() != code.0.unit.constants.len()
            || code.0.globals.len() != code.0.unit.globals.len()
        {
            return Err(DecodeError::Corrupted(
                "code tables do not match its unit".into(),
            ));
        }
    }
    Ok(obj)
}

#[cfg(test)]
mod tests {
    use super::{
        HEAP_FORMAT_VERSION, decode_object, encode_object, encode_object_exact, encode_object_into,
    };
    use crate::object::{Closure, Object};
    use crate::value::{ObjId, Value};
    use crate::vm::Vm;

    /// The encoding as the format defines it: postcard of the version, then of the object.
    fn reference(obj: &Object) -> Vec<u8> {
        let mut bytes = postcard::to_allocvec(&HEAP_FORMAT_VERSION).unwrap();
        bytes.extend(postcard::to_allocvec(obj).unwrap());
        bytes
    }

    /// Values whose words take every varint length from one byte to ten.
    fn edge_values() -> Vec<Value> {
        let mut values = vec![
            Value::FALSE,
            Value::NULL,
            Value::UNBOUND,
            Value::char('a'),
            Value::char('\u{10ffff}'),
            Value::obj(ObjId(0)),
            Value::obj(ObjId(u32::MAX)),
        ];
        let mut n: i64 = 1;
        while let Some(v) = Value::fixnum(n) {
            values.extend([v, Value::fixnum(n - 1).unwrap(), Value::fixnum(-n).unwrap()]);
            n = n.saturating_mul(3);
        }
        values.extend(
            [
                Value::fixnum(Value::FIXNUM_MIN),
                Value::fixnum(Value::FIXNUM_MAX),
            ]
            .map(Option::unwrap),
        );
        values
    }

    #[test]
    fn vectors_and_pairs_encode_to_the_derived_bytes_and_back() {
        let edges = edge_values();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let random: Vec<Value> = (0..5_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                edges[(state % edges.len() as u64) as usize]
            })
            .collect();
        let mut scratch = Vec::new();
        for items in [Vec::new(), vec![Value::small(7)], edges.clone(), random] {
            let obj = Object::Vector(items.clone());
            let bytes = encode_object(&obj);
            assert_eq!(bytes, reference(&obj), "{} items", items.len());
            let exact = encode_object_exact(&obj, &mut scratch);
            assert_eq!(exact, bytes);
            assert_eq!(exact.capacity(), exact.len(), "sized before encoding");
            match decode_object(&bytes) {
                Ok(Object::Vector(back)) => assert!(back == items),
                other => panic!("{other:?}"),
            }
        }
        for (&car, &cdr) in edges.iter().zip(edges.iter().rev()) {
            let obj = Object::Pair(car, cdr);
            let bytes = encode_object_exact(&obj, &mut scratch);
            assert_eq!(bytes, reference(&obj), "{car:?} {cdr:?}");
            assert_eq!(bytes.capacity(), bytes.len(), "sized before encoding");
            match decode_object(&bytes) {
                Ok(Object::Pair(a, d)) => assert!(a == car && d == cdr),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn every_object_of_a_booted_heap_encodes_to_the_derived_bytes() {
        let mut vm = Vm::new().expect("the prelude loads");
        vm.heap.string("a string: \u{e9}\u{1f600}");
        vm.heap.flonum(-0.5);
        vm.heap.integer(i64::MIN);
        let closure = vm
            .heap
            .iter()
            .find_map(|(_, o)| match o {
                Object::Closure(c) => Some(c.clone()),
                _ => None,
            })
            .expect("the prelude has closures");
        vm.heap.alloc(Object::Frame(Closure {
            block: u32::MAX,
            free: edge_values().into(),
            ..closure
        }));
        let mut kinds = std::collections::BTreeSet::new();
        let mut buffer = Vec::new();
        let mut scratch = Vec::new();
        for (_, obj) in vm.heap.iter() {
            buffer.clear();
            encode_object_into(obj, &mut buffer);
            assert_eq!(buffer, reference(obj), "{obj:?}");
            assert_eq!(encode_object_exact(obj, &mut scratch), buffer, "{obj:?}");
            kinds.insert(obj.type_name());
        }
        assert!(kinds.len() >= 8, "{kinds:?}");
    }

    #[test]
    fn encoding_appends_to_what_the_buffer_holds() {
        let pair = Object::Pair(Value::small(1), Value::NULL);
        let vector = Object::Vector(vec![Value::small(300); 3]);
        let mut buffer = vec![0xaa];
        encode_object_into(&pair, &mut buffer);
        encode_object_into(&vector, &mut buffer);
        assert_eq!(
            buffer,
            [vec![0xaa], reference(&pair), reference(&vector)].concat()
        );
    }
}
