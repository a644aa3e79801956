//! Tree names, meta keys and their encodings. `docs/persistence.md` ("Stored layout") is the
//! description; this file is the code of it.

use pscheme_vm::ObjId;

use crate::error::PersistError;

/// Objects by id: key = id as u32 big-endian (so keys ascend with ids), value =
/// `pscheme_vm::encode::encode_object`.
pub(crate) const OBJECTS: &[u8] = b"heap";
/// Everything else, by the keys below.
pub(crate) const META: &[u8] = b"meta";

/// `[persist format u32 LE][heap format u32 LE]`.
pub(crate) const KEY_FORMAT: &[u8] = b"format";
/// The last wave committed, u64 LE.
pub(crate) const KEY_WAVE: &[u8] = b"wave";
/// postcard `(scheduler ObjId, pinned roots Vec<ObjId>)`.
pub(crate) const KEY_ROOTS: &[u8] = b"roots";
/// postcard of the expander's `ExpandEnv`.
pub(crate) const KEY_EXPAND_ENV: &[u8] = b"expand-env";
/// Present once the program ended: its exit status, i32 LE.
pub(crate) const KEY_FINISHED: &[u8] = b"finished";
/// Host entries (`Vm::set_durable_meta`) are stored under this prefix and their name.
pub(crate) const HOST_PREFIX: &str = "host/";

/// Version of this layout (trees, keys, encodings above).
pub(crate) const PERSIST_FORMAT: u32 = 1;

pub(crate) fn object_key(id: ObjId) -> [u8; 4] {
    id.0.to_be_bytes()
}

pub(crate) fn object_id(key: &[u8]) -> Result<ObjId, PersistError> {
    let bytes: [u8; 4] = key
        .try_into()
        .map_err(|_| PersistError::Corrupted(format!("object key of {} bytes", key.len())))?;
    Ok(ObjId(u32::from_be_bytes(bytes)))
}

pub(crate) fn format_value() -> [u8; 8] {
    let mut v = [0; 8];
    v[..4].copy_from_slice(&PERSIST_FORMAT.to_le_bytes());
    v[4..].copy_from_slice(&pscheme_vm::encode::HEAP_FORMAT_VERSION.to_le_bytes());
    v
}

/// Checks the format entry against this build.
pub(crate) fn check_format(value: &[u8]) -> Result<(), PersistError> {
    let Ok(bytes) = <[u8; 8]>::try_from(value) else {
        return Err(PersistError::Corrupted("format entry".into()));
    };
    let word = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    if word(0) != PERSIST_FORMAT {
        return Err(PersistError::Version {
            found: word(0),
            expected: PERSIST_FORMAT,
        });
    }
    let heap = pscheme_vm::encode::HEAP_FORMAT_VERSION;
    if word(4) != heap {
        return Err(PersistError::Version {
            found: word(4),
            expected: heap,
        });
    }
    Ok(())
}

pub(crate) fn decode_u64(value: &[u8], what: &str) -> Result<u64, PersistError> {
    <[u8; 8]>::try_from(value)
        .map(u64::from_le_bytes)
        .map_err(|_| PersistError::Corrupted(format!("{what} entry")))
}

pub(crate) fn decode_i32(value: &[u8], what: &str) -> Result<i32, PersistError> {
    <[u8; 4]>::try_from(value)
        .map(i32::from_le_bytes)
        .map_err(|_| PersistError::Corrupted(format!("{what} entry")))
}

pub(crate) fn host_key(name: &str) -> Vec<u8> {
    format!("{HOST_PREFIX}{name}").into_bytes()
}
