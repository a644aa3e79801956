//! Conversions between Rust values and Scheme values: [`ToScheme`], [`FromScheme`],
//! [`IntoArgs`], and the marker types [`Symbol`] and [`Vector`] for the Scheme shapes serde has
//! no word for.

use pscheme_vm::Value;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{ConvertError, Error};
use crate::handle::Handle;

/// The serde newtype name [`Symbol`] serializes under (the serializer recognises it).
pub(crate) const SYMBOL_NEWTYPE: &str = "$pscheme::Symbol";
/// The serde newtype name [`Vector`] serializes under.
pub(crate) const VECTOR_NEWTYPE: &str = "$pscheme::Vector";

/// A Scheme symbol. Rust strings become Scheme strings; wrap a name in `Symbol` to pass a
/// symbol. Reading a symbol into a `String` works too.
///
/// ```
/// use pscheme_embed::{Engine, Symbol};
/// let mut engine = Engine::new()?;
/// let is_symbol: bool = engine.call("symbol?", (Symbol::from("ready"),))?;
/// assert!(is_symbol);
/// # Ok::<(), pscheme_embed::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(pub String);

impl From<&str> for Symbol {
    fn from(s: &str) -> Self {
        Symbol(s.to_owned())
    }
}

impl Serialize for Symbol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(SYMBOL_NEWTYPE, &self.0)
    }
}

impl<'de> Deserialize<'de> for Symbol {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Symbol)
    }
}

/// A Scheme vector. Rust sequences (`Vec`, slices, tuples) become Scheme lists; wrap one in
/// `Vector` to pass a vector. Reading accepts a list or a vector either way.
///
/// ```
/// use pscheme_embed::{Engine, Vector};
/// let mut engine = Engine::new()?;
/// let n: usize = engine.call("vector-length", (Vector(vec![1, 2, 3]),))?;
/// assert_eq!(n, 3);
/// # Ok::<(), pscheme_embed::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Vector<T>(pub Vec<T>);

impl<T: Serialize> Serialize for Vector<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(VECTOR_NEWTYPE, &self.0)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Vector<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Vector)
    }
}

/// A Scheme bytevector. A `Vec<u8>` alone becomes a list of integers (serde sees a sequence);
/// wrap it in `Bytevector` to pass a bytevector. Reading accepts a bytevector or a list of
/// bytes either way.
///
/// ```
/// use pscheme_embed::{Bytevector, Engine};
/// let mut engine = Engine::new()?;
/// let n: u8 = engine.call("bytevector-u8-ref", (Bytevector(vec![7, 8, 9]), 2))?;
/// assert_eq!(n, 9);
/// let back: Bytevector = engine.eval("(bytevector 1 2)")?;
/// assert_eq!(back, Bytevector(vec![1, 2]));
/// # Ok::<(), pscheme_embed::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Bytevector(pub Vec<u8>);

impl Serialize for Bytevector {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bytevector {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<u8>::deserialize(d).map(Bytevector)
    }
}

/// The heap a conversion writes into or reads from. Opaque: hosts implement neither trait
/// themselves; every `Serialize` type is already [`ToScheme`] and every `DeserializeOwned`
/// type is [`FromScheme`].
pub struct Cx<'a> {
    pub(crate) heap: &'a mut pscheme_vm::Heap,
    pub(crate) handles: &'a crate::handle::HandleTable,
}

/// A Rust value that can be passed to Scheme: every `Serialize` type, and [`Handle`].
pub trait ToScheme {
    /// Builds the Scheme value.
    ///
    /// # Errors
    /// If the value cannot be represented (a handle of another engine, a failing `Serialize`).
    #[doc(hidden)]
    fn to_scheme(&self, cx: &mut Cx<'_>) -> Result<Value, Error>;
}

impl<T: Serialize + ?Sized> ToScheme for T {
    fn to_scheme(&self, cx: &mut Cx<'_>) -> Result<Value, Error> {
        Ok(crate::ser::to_value(cx.heap, self)?)
    }
}

impl ToScheme for Handle {
    fn to_scheme(&self, cx: &mut Cx<'_>) -> Result<Value, Error> {
        self.value_in(cx.handles)
    }
}

impl ToScheme for &Handle {
    fn to_scheme(&self, cx: &mut Cx<'_>) -> Result<Value, Error> {
        self.value_in(cx.handles)
    }
}

/// A Rust type a Scheme value can be read into: every `DeserializeOwned` type, and [`Handle`]
/// (which keeps the value itself, rooted).
pub trait FromScheme: Sized {
    /// Reads the Scheme value `v`.
    ///
    /// # Errors
    /// [`Error::Convert`] if `v` does not have the shape of `Self`.
    #[doc(hidden)]
    fn from_scheme(cx: &mut Cx<'_>, v: Value) -> Result<Self, Error>;
}

impl<T: DeserializeOwned> FromScheme for T {
    fn from_scheme(cx: &mut Cx<'_>, v: Value) -> Result<Self, Error> {
        Ok(crate::de::from_value(cx.heap, v)?)
    }
}

impl FromScheme for Handle {
    fn from_scheme(cx: &mut Cx<'_>, v: Value) -> Result<Self, Error> {
        Ok(cx.handles.root(cx.heap, v))
    }
}

/// The arguments of a call: `()`, or a tuple of up to six [`ToScheme`] values, or a `Vec` of
/// [`Handle`]s.
pub trait IntoArgs {
    /// Builds the argument values.
    ///
    /// # Errors
    /// If an argument cannot be converted.
    #[doc(hidden)]
    fn into_args(self, cx: &mut Cx<'_>) -> Result<Vec<Value>, Error>;
}

impl IntoArgs for Vec<Handle> {
    fn into_args(self, cx: &mut Cx<'_>) -> Result<Vec<Value>, Error> {
        self.iter().map(|h| h.to_scheme(cx)).collect()
    }
}

macro_rules! impl_into_args {
    ($($a:ident)*) => {
        impl<$($a: ToScheme,)*> IntoArgs for ($($a,)*) {
            #[allow(non_snake_case, unused_variables)]
            fn into_args(self, cx: &mut Cx<'_>) -> Result<Vec<Value>, Error> {
                let ($($a,)*) = self;
                Ok(vec![$($a.to_scheme(cx)?,)*])
            }
        }
    };
}

impl_into_args!();
impl_into_args!(A1);
impl_into_args!(A1 A2);
impl_into_args!(A1 A2 A3);
impl_into_args!(A1 A2 A3 A4);
impl_into_args!(A1 A2 A3 A4 A5);
impl_into_args!(A1 A2 A3 A4 A5 A6);

/// Reads a host function's argument: conversion failures name the argument.
pub(crate) fn host_arg<T: DeserializeOwned>(
    heap: &pscheme_vm::Heap,
    v: Value,
) -> Result<T, ConvertError> {
    crate::de::from_value(heap, v)
}
