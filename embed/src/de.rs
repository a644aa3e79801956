//! A serde `Deserializer` reading Scheme values from the heap: the inverse of [`crate::ser`],
//! and a little more lenient (sequences from lists or vectors, maps from association lists or
//! hash tables, floats from exact integers).

use num_bigint::BigInt;
use pscheme_vm::object::Object;
use pscheme_vm::printer::write_string;
use pscheme_vm::{Heap, Value};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use crate::error::ConvertError;

pub(crate) fn from_value<T: de::DeserializeOwned>(
    heap: &Heap,
    v: Value,
) -> Result<T, ConvertError> {
    T::deserialize(De { heap, v })
}

#[derive(Clone, Copy)]
pub(crate) struct De<'h> {
    pub(crate) heap: &'h Heap,
    pub(crate) v: Value,
}

impl<'h> De<'h> {
    fn at(&self, v: Value) -> De<'h> {
        De { heap: self.heap, v }
    }

    fn unexpected(&self, expected: &str) -> ConvertError {
        ConvertError::new(format!(
            "expected {expected}, found {}",
            write_string(self.heap, self.v)
        ))
    }

    fn object(&self) -> Option<&'h Object> {
        self.heap.object(self.v)
    }

    /// The elements of a proper list or a vector.
    fn elements(&self) -> Option<Vec<Value>> {
        match self.object() {
            Some(Object::Vector(items)) => Some(items.clone()),
            Some(Object::Bytevector(bytes)) => {
                Some(bytes.iter().map(|&b| Value::small(b.into())).collect())
            }
            _ if self.v.is_null() => Some(Vec::new()),
            Some(Object::Pair(..)) => self.heap.list_to_vec(self.v),
            _ => None,
        }
    }

    /// `(key, value)` entries of an association list or a hash table.
    fn entries(&self) -> Option<Vec<(Value, Value)>> {
        if let Some(Object::HashTable(t)) = self.object() {
            return Some(t.buckets.values().flatten().copied().collect());
        }
        let items = self.elements()?;
        items.into_iter().map(|e| self.heap.pair(e)).collect()
    }

    fn visit_bigint<V: Visitor<'h>>(
        &self,
        n: &BigInt,
        visitor: V,
    ) -> Result<V::Value, ConvertError> {
        if let Ok(n) = u64::try_from(n) {
            visitor.visit_u64(n)
        } else if let Ok(n) = i128::try_from(n) {
            visitor.visit_i128(n)
        } else if let Ok(n) = u128::try_from(n) {
            visitor.visit_u128(n)
        } else {
            Err(ConvertError::new(format!("integer {n} is too large")))
        }
    }
}

struct Seq<'h> {
    heap: &'h Heap,
    items: std::vec::IntoIter<Value>,
}

impl<'h> de::SeqAccess<'h> for Seq<'h> {
    type Error = ConvertError;
    fn next_element_seed<T: DeserializeSeed<'h>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, ConvertError> {
        match self.items.next() {
            Some(v) => seed.deserialize(De { heap: self.heap, v }).map(Some),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'h> {
    heap: &'h Heap,
    entries: std::vec::IntoIter<(Value, Value)>,
    value: Option<Value>,
}

impl<'h> de::MapAccess<'h> for Map<'h> {
    type Error = ConvertError;
    fn next_key_seed<K: DeserializeSeed<'h>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, ConvertError> {
        match self.entries.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(De {
                    heap: self.heap,
                    v: k,
                })
                .map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'h>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, ConvertError> {
        let v = self
            .value
            .take()
            .ok_or_else(|| ConvertError::new("a map value was asked for before its key"))?;
        seed.deserialize(De { heap: self.heap, v })
    }
}

/// An enum: a symbol (unit variant) or a list whose head is the variant's symbol.
struct Enum<'h> {
    de: De<'h>,
    tag: Value,
    payload: Value,
}

impl<'h> de::EnumAccess<'h> for Enum<'h> {
    type Error = ConvertError;
    type Variant = Self;
    fn variant_seed<V: DeserializeSeed<'h>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self), ConvertError> {
        let tag = seed.deserialize(self.de.at(self.tag))?;
        Ok((tag, self))
    }
}

impl<'h> de::VariantAccess<'h> for Enum<'h> {
    type Error = ConvertError;
    fn unit_variant(self) -> Result<(), ConvertError> {
        if self.payload.is_null() {
            Ok(())
        } else {
            Err(self.de.unexpected("a variant without fields"))
        }
    }
    fn newtype_variant_seed<T: DeserializeSeed<'h>>(
        self,
        seed: T,
    ) -> Result<T::Value, ConvertError> {
        match self.de.heap.pair(self.payload) {
            Some((v, rest)) if rest.is_null() => seed.deserialize(self.de.at(v)),
            _ => Err(self.de.unexpected("a variant with one field")),
        }
    }
    fn tuple_variant<V: Visitor<'h>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ConvertError> {
        de::Deserializer::deserialize_seq(self.de.at(self.payload), visitor)
    }
    fn struct_variant<V: Visitor<'h>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ConvertError> {
        de::Deserializer::deserialize_map(self.de.at(self.payload), visitor)
    }
}

macro_rules! via_any {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'h>>(self, visitor: V) -> Result<V::Value, ConvertError> {
            self.deserialize_any(visitor)
        })*
    };
}

impl<'h> de::Deserializer<'h> for De<'h> {
    type Error = ConvertError;

    fn deserialize_any<V: Visitor<'h>>(self, visitor: V) -> Result<V::Value, ConvertError> {
        let v = self.v;
        if let Some(b) = v.as_bool() {
            return visitor.visit_bool(b);
        }
        if let Some(n) = v.as_fixnum() {
            return visitor.visit_i64(n);
        }
        if let Some(c) = v.as_char() {
            return visitor.visit_char(c);
        }
        if v.is_null() {
            return self.deserialize_seq(visitor);
        }
        if v == Value::UNSPECIFIED {
            return visitor.visit_unit();
        }
        match self.object() {
            Some(Object::Bignum(n)) => self.visit_bigint(n, visitor),
            Some(Object::Flonum(x)) => visitor.visit_f64(*x),
            Some(Object::String(cs)) => visitor.visit_string(cs.iter().collect()),
            Some(Object::Symbol(s)) => visitor.visit_borrowed_str(&s.name),
            Some(Object::Bytevector(b)) => visitor.visit_borrowed_bytes(b),
            Some(Object::Vector(_) | Object::Pair(..)) => self.deserialize_seq(visitor),
            Some(Object::HashTable(_)) => self.deserialize_map(visitor),
            _ => Err(self.unexpected("data (a number, string, list, ...)")),
        }
    }

    fn deserialize_f64<V: Visitor<'h>>(self, visitor: V) -> Result<V::Value, ConvertError> {
        match (self.v.as_fixnum(), self.object()) {
            // Exact integers fit floats approximately, as `exact->inexact` would make them.
            #[allow(clippy::cast_precision_loss)]
            (Some(n), _) => visitor.visit_f64(n as f64),
            (_, Some(Object::Flonum(x))) => visitor.visit_f64(*x),
            _ => Err(self.unexpected("a number")),
        }
    }

    fn deserialize_f32<V: Visitor<'h>>(self, visitor: V) -> Result<V::Value, ConvertError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_option<V: Visitor<'h>>(self, visitor: V) -> Result<V::Value, ConvertError> {
        if self.v.is_false() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'h>>(self, visitor: V) -> Result<V::Value, ConvertError> {
        // A result asked for as `()` is ignored, whatever it is.
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'h>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ConvertError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'h>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ConvertError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'h>>(self, visitor: V) -> Result<V::Value, ConvertError> {
        let items = self
            .elements()
            .ok_or_else(|| self.unexpected("a list or a vector"))?;
        visitor.visit_seq(Seq {
            heap: self.heap,
            items: items.into_iter(),
        })
    }

    fn deserialize_tuple<V: Visitor<'h>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ConvertError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'h>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ConvertError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'h>>(self, visitor: V) -> Result<V::Value, ConvertError> {
        let entries = self
            .entries()
            .ok_or_else(|| self.unexpected("an association list or a hash table"))?;
        visitor.visit_map(Map {
            heap: self.heap,
            entries: entries.into_iter(),
            value: None,
        })
    }

    fn deserialize_struct<V: Visitor<'h>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ConvertError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'h>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ConvertError> {
        if self.heap.symbol_name(self.v).is_some() {
            return visitor.visit_enum(Enum {
                de: self,
                tag: self.v,
                payload: Value::NULL,
            });
        }
        if let Some((tag, payload)) = self.heap.pair(self.v)
            && self.heap.symbol_name(tag).is_some()
        {
            return visitor.visit_enum(Enum {
                de: self,
                tag,
                payload,
            });
        }
        if let Some(text) = self.heap.string_text(self.v) {
            return visitor.visit_enum(text.into_deserializer());
        }
        Err(self.unexpected("a symbol or a list headed by a symbol"))
    }

    via_any! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_char deserialize_str deserialize_string deserialize_bytes
        deserialize_byte_buf deserialize_identifier deserialize_ignored_any
    }
}
