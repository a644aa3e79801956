//! Object encoding for persistence: `[format version (varint)] [postcard of Object]`.
//!
//! The version covers the shape of [`Object`] and everything inside it, including the
//! compiler's `CodeUnit` (whose own `FORMAT_VERSION` is checked again when a code object is
//! decoded). Decoding never panics on bad bytes: it returns [`DecodeError`].

use crate::object::Object;

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
    // One allocation for most objects: small ones (pairs, frames, boxes) fit the initial
    // capacity, and the version goes in front of the body in the same buffer.
    let out = Vec::with_capacity(32);
    let out = postcard::to_extend(&HEAP_FORMAT_VERSION, out).expect("a u32 always encodes");
    postcard::to_extend(obj, out).expect("heap objects always encode")
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
