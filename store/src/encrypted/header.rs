//! The cleartext header row. Layout: docs/storage-format.md, "Header row".

use crate::KdfParams;
use crate::crypto::KEY_LEN;

use super::{Error, FORMAT_VERSION};

/// Identifies a pscheme encrypted store.
pub(crate) const MAGIC: [u8; 8] = *b"PSCMSTOR";
/// The only KDF so far: argon2id, version 0x13.
pub(crate) const KDF_ARGON2ID_V13: u8 = 1;
pub(crate) const SALT_LEN: usize = KEY_LEN;

const MAGIC_OFFSET: usize = 0;
const VERSION_OFFSET: usize = MAGIC_OFFSET + MAGIC.len();
const KDF_ID_OFFSET: usize = VERSION_OFFSET + size_of::<u16>();
const RESERVED_OFFSET: usize = KDF_ID_OFFSET + size_of::<u8>();
const M_COST_OFFSET: usize = RESERVED_OFFSET + size_of::<u8>();
const T_COST_OFFSET: usize = M_COST_OFFSET + size_of::<u32>();
const P_COST_OFFSET: usize = T_COST_OFFSET + size_of::<u32>();
const SALT_OFFSET: usize = P_COST_OFFSET + size_of::<u32>();
pub(crate) const HEADER_LEN: usize = SALT_OFFSET + SALT_LEN;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) kdf: KdfParams,
    pub(crate) salt: [u8; SALT_LEN],
}

impl Header {
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0; HEADER_LEN];
        out[MAGIC_OFFSET..VERSION_OFFSET].copy_from_slice(&MAGIC);
        out[VERSION_OFFSET..KDF_ID_OFFSET].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        out[KDF_ID_OFFSET] = KDF_ARGON2ID_V13;
        out[RESERVED_OFFSET] = 0;
        out[M_COST_OFFSET..T_COST_OFFSET].copy_from_slice(&self.kdf.m_cost_kib.to_le_bytes());
        out[T_COST_OFFSET..P_COST_OFFSET].copy_from_slice(&self.kdf.t_cost.to_le_bytes());
        out[P_COST_OFFSET..SALT_OFFSET].copy_from_slice(&self.kdf.p_cost.to_le_bytes());
        out[SALT_OFFSET..].copy_from_slice(&self.salt);
        out
    }

    /// Parses a header row; any byte string gives a header or a typed error.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Header, Error> {
        let bad = |detail: String| Error::BadHeader { detail };
        if bytes.len() < KDF_ID_OFFSET {
            return Err(bad(format!("{} bytes, too short", bytes.len())));
        }
        if bytes[MAGIC_OFFSET..VERSION_OFFSET] != MAGIC {
            return Err(bad("wrong magic number".to_owned()));
        }
        let version = u16::from_le_bytes([bytes[VERSION_OFFSET], bytes[VERSION_OFFSET + 1]]);
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        if bytes.len() != HEADER_LEN {
            return Err(bad(format!(
                "{} bytes, expected {HEADER_LEN} for version {FORMAT_VERSION}",
                bytes.len()
            )));
        }
        if bytes[KDF_ID_OFFSET] != KDF_ARGON2ID_V13 {
            return Err(bad(format!("unknown KDF id {}", bytes[KDF_ID_OFFSET])));
        }
        if bytes[RESERVED_OFFSET] != 0 {
            return Err(bad("reserved byte is not zero".to_owned()));
        }
        let u32_at = |offset: usize| {
            u32::from_le_bytes([
                bytes[offset],
                bytes[offset + 1],
                bytes[offset + 2],
                bytes[offset + 3],
            ])
        };
        let kdf = KdfParams {
            m_cost_kib: u32_at(M_COST_OFFSET),
            t_cost: u32_at(T_COST_OFFSET),
            p_cost: u32_at(P_COST_OFFSET),
        };
        if !kdf.is_valid() {
            return Err(bad(format!("KDF parameters out of bounds: {kdf:?}")));
        }
        let mut salt = [0; SALT_LEN];
        salt.copy_from_slice(&bytes[SALT_OFFSET..]);
        Ok(Header { kdf, salt })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Header {
        Header {
            kdf: KdfParams::INSECURE_FOR_TESTS,
            salt: [7; SALT_LEN],
        }
    }

    #[test]
    fn round_trips() {
        assert_eq!(Header::decode(&sample().encode()).unwrap(), sample());
    }

    #[test]
    fn every_truncation_is_a_typed_error() {
        let bytes = sample().encode();
        for len in 0..HEADER_LEN {
            assert!(matches!(
                Header::decode(&bytes[..len]),
                Err(Error::BadHeader { .. })
            ));
        }
    }

    #[test]
    fn every_single_byte_change_outside_the_salt_is_rejected() {
        let bytes = sample().encode();
        for offset in 0..SALT_OFFSET {
            for delta in [1u8, 0x80, 0xff] {
                let mut damaged = bytes;
                damaged[offset] = damaged[offset].wrapping_add(delta);
                // A changed cost field may still be a valid (different) parameter set.
                match Header::decode(&damaged) {
                    Ok(h) => {
                        assert!((M_COST_OFFSET..SALT_OFFSET).contains(&offset));
                        assert_ne!(h, sample());
                    }
                    Err(Error::BadHeader { .. } | Error::UnsupportedVersion { .. }) => {}
                    Err(other) => panic!("unexpected {other:?}"),
                }
            }
        }
    }

    #[test]
    fn hostile_costs_are_refused_before_any_work() {
        let mut bytes = sample().encode();
        bytes[M_COST_OFFSET..T_COST_OFFSET].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            Header::decode(&bytes),
            Err(Error::BadHeader { .. })
        ));
    }
}
