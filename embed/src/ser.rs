//! A serde `Serializer` that builds Scheme values in the heap. The mapping is documented on
//! the crate root ("Conversions"); [`crate::de`] reads the same shapes back.

use pscheme_vm::object::Object;
use pscheme_vm::{Heap, Value};
use serde::ser::{self, Serialize};

use crate::convert::{SYMBOL_NEWTYPE, VECTOR_NEWTYPE};
use crate::error::ConvertError;

pub(crate) fn to_value<T: Serialize + ?Sized>(
    heap: &mut Heap,
    v: &T,
) -> Result<Value, ConvertError> {
    v.serialize(Ser { heap })
}

pub(crate) struct Ser<'h> {
    pub(crate) heap: &'h mut Heap,
}

fn integer_u64(heap: &mut Heap, n: u64) -> Value {
    match i64::try_from(n) {
        Ok(n) => heap.integer(n),
        Err(_) => heap.bigint(n.into()),
    }
}

/// Elements of a list (or vector), then a tag put in front for an enum variant.
pub(crate) struct SeqBuilder<'h> {
    heap: &'h mut Heap,
    tag: Option<Value>,
    items: Vec<Value>,
}

impl SeqBuilder<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ConvertError> {
        let v = v.serialize(Ser {
            heap: &mut *self.heap,
        })?;
        self.items.push(v);
        Ok(())
    }

    fn finish(mut self) -> Value {
        if let Some(tag) = self.tag {
            self.items.insert(0, tag);
        }
        self.heap.list(&self.items)
    }
}

/// Entries of an association list `((key . value) ...)`, then a tag for a struct variant.
pub(crate) struct MapBuilder<'h> {
    heap: &'h mut Heap,
    tag: Option<Value>,
    entries: Vec<Value>,
    key: Option<Value>,
}

impl MapBuilder<'_> {
    fn entry(&mut self, key: Value, value: Value) {
        let pair = self.heap.cons(key, value);
        self.entries.push(pair);
    }

    fn finish(mut self) -> Value {
        if let Some(tag) = self.tag {
            self.entries.insert(0, tag);
        }
        self.heap.list(&self.entries)
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, v: &T) -> Result<(), ConvertError> {
        let key = self.heap.intern_value(name);
        let value = v.serialize(Ser {
            heap: &mut *self.heap,
        })?;
        self.entry(key, value);
        Ok(())
    }
}

impl<'h> ser::Serializer for Ser<'h> {
    type Ok = Value;
    type Error = ConvertError;
    type SerializeSeq = SeqBuilder<'h>;
    type SerializeTuple = SeqBuilder<'h>;
    type SerializeTupleStruct = SeqBuilder<'h>;
    type SerializeTupleVariant = SeqBuilder<'h>;
    type SerializeMap = MapBuilder<'h>;
    type SerializeStruct = MapBuilder<'h>;
    type SerializeStructVariant = MapBuilder<'h>;

    fn serialize_bool(self, v: bool) -> Result<Value, ConvertError> {
        Ok(Value::bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, ConvertError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<Value, ConvertError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<Value, ConvertError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ConvertError> {
        Ok(self.heap.integer(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, ConvertError> {
        Ok(self.heap.bigint(v.into()))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, ConvertError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<Value, ConvertError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<Value, ConvertError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ConvertError> {
        Ok(integer_u64(self.heap, v))
    }
    fn serialize_u128(self, v: u128) -> Result<Value, ConvertError> {
        Ok(self.heap.bigint(v.into()))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, ConvertError> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ConvertError> {
        Ok(self.heap.flonum(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, ConvertError> {
        Ok(Value::char(v))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ConvertError> {
        Ok(self.heap.string(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, ConvertError> {
        Ok(self.heap.alloc_value(Object::Bytevector(v.to_vec())))
    }
    fn serialize_none(self) -> Result<Value, ConvertError> {
        Ok(Value::FALSE)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ConvertError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ConvertError> {
        Ok(Value::UNSPECIFIED)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, ConvertError> {
        Ok(Value::NULL)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ConvertError> {
        Ok(self.heap.intern_value(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, ConvertError> {
        let heap = self.heap;
        let inner = value.serialize(Ser { heap: &mut *heap })?;
        match name {
            SYMBOL_NEWTYPE => {
                let text = heap
                    .string_text(inner)
                    .ok_or_else(|| ConvertError::new("a symbol's name must be a string"))?;
                Ok(heap.intern_value(&text))
            }
            VECTOR_NEWTYPE => {
                let items = heap
                    .list_to_vec(inner)
                    .ok_or_else(|| ConvertError::new("a vector's contents must be a sequence"))?;
                Ok(heap.alloc_value(Object::Vector(items)))
            }
            _ => Ok(inner),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, ConvertError> {
        let tag = self.heap.intern_value(variant);
        let mut seq = SeqBuilder {
            heap: self.heap,
            tag: Some(tag),
            items: Vec::with_capacity(1),
        };
        seq.push(value)?;
        Ok(seq.finish())
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder<'h>, ConvertError> {
        Ok(SeqBuilder {
            heap: self.heap,
            tag: None,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder<'h>, ConvertError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqBuilder<'h>, ConvertError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqBuilder<'h>, ConvertError> {
        let tag = self.heap.intern_value(variant);
        Ok(SeqBuilder {
            heap: self.heap,
            tag: Some(tag),
            items: Vec::with_capacity(len),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder<'h>, ConvertError> {
        Ok(MapBuilder {
            heap: self.heap,
            tag: None,
            entries: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<MapBuilder<'h>, ConvertError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<MapBuilder<'h>, ConvertError> {
        let tag = self.heap.intern_value(variant);
        Ok(MapBuilder {
            heap: self.heap,
            tag: Some(tag),
            entries: Vec::with_capacity(len),
            key: None,
        })
    }
}

/// Sequences, tuples, tuple structs and tuple variants all become lists: serde makes them four
/// traits with one shape.
macro_rules! seq_builder_impl {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for SeqBuilder<'_> {
            type Ok = Value;
            type Error = ConvertError;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ConvertError> {
                self.push(v)
            }
            fn end(self) -> Result<Value, ConvertError> {
                Ok(self.finish())
            }
        }
    )*};
}

seq_builder_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for MapBuilder<'_> {
    type Ok = Value;
    type Error = ConvertError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ConvertError> {
        self.key = Some(key.serialize(Ser {
            heap: &mut *self.heap,
        })?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ConvertError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ConvertError::new("a map value came without its key"))?;
        let value = v.serialize(Ser {
            heap: &mut *self.heap,
        })?;
        self.entry(key, value);
        Ok(())
    }
    fn end(self) -> Result<Value, ConvertError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStruct for MapBuilder<'_> {
    type Ok = Value;
    type Error = ConvertError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        v: &T,
    ) -> Result<(), ConvertError> {
        self.field(name, v)
    }
    fn end(self) -> Result<Value, ConvertError> {
        Ok(self.finish())
    }
}

impl ser::SerializeStructVariant for MapBuilder<'_> {
    type Ok = Value;
    type Error = ConvertError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        v: &T,
    ) -> Result<(), ConvertError> {
        self.field(name, v)
    }
    fn end(self) -> Result<Value, ConvertError> {
        Ok(self.finish())
    }
}
