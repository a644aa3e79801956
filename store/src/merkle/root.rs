//! The root record: the one mutable row of layer 3, naming every tree's root.
//!
//! Layout in `docs/storage-format.md` ("Layer 3: the root record"). The record is sealed
//! by layer 2 like any row; the trailing checksum additionally catches a record this
//! layer itself encoded wrongly.

use std::collections::BTreeMap;

use super::btree::TreeRoot;
use super::error::MerkleError;
use super::node::{Address, Reader};

const MAGIC: [u8; 4] = *b"PSMR";
/// Format version of the root record (and of layer 3 as a whole).
pub(crate) const ROOT_FORMAT_VERSION: u16 = 1;
const CHECKSUM_LEN: usize = 32;
const HAS_ROOT: u8 = 1;

/// The decoded root record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RootRecord {
    /// Incremented by every commit; 0 for a freshly created store.
    pub(crate) txn_counter: u64,
    /// Unix time of the commit in milliseconds.
    pub(crate) timestamp_ms: u64,
    pub(crate) trees: BTreeMap<Vec<u8>, TreeRoot>,
}

impl RootRecord {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.trees.len() * 48);
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&ROOT_FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.txn_counter.to_le_bytes());
        out.extend_from_slice(&self.timestamp_ms.to_le_bytes());
        let count = u32::try_from(self.trees.len()).expect("fewer than 2^32 trees");
        out.extend_from_slice(&count.to_le_bytes());
        for (name, tree) in &self.trees {
            // Names are checked against MAX_TREE_NAME_LEN (255) when a tree is first named.
            out.push(u8::try_from(name.len()).expect("tree names are at most 255 bytes"));
            out.extend_from_slice(name);
            match tree.root {
                Some(address) => {
                    out.push(HAS_ROOT);
                    out.extend_from_slice(address.as_bytes());
                }
                None => out.push(0),
            }
            out.extend_from_slice(&tree.len.to_le_bytes());
        }
        let checksum = blake3::hash(&out);
        out.extend_from_slice(checksum.as_bytes());
        out
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<RootRecord, MerkleError> {
        let corrupt = |detail: &str| MerkleError::corrupted("root record", detail);
        if bytes.len() < CHECKSUM_LEN {
            return Err(corrupt("truncated"));
        }
        let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        let mut r = Reader::new(body);
        if r.array::<4>()? != MAGIC {
            return Err(corrupt("bad magic"));
        }
        let version = r.u16()?;
        if version != ROOT_FORMAT_VERSION {
            return Err(MerkleError::UnsupportedVersion { found: version });
        }
        if blake3::hash(body).as_bytes() != checksum {
            return Err(corrupt("checksum mismatch"));
        }
        let txn_counter = r.u64()?;
        let timestamp_ms = r.u64()?;
        let count = u32::from_le_bytes(r.array()?);
        let mut trees = BTreeMap::new();
        let mut previous: Option<&[u8]> = None;
        for _ in 0..count {
            let name_len = usize::from(r.u8()?);
            let name = r.take(name_len)?;
            if previous.is_some_and(|p| p >= name) {
                return Err(corrupt("tree names out of order"));
            }
            previous = Some(name);
            let root = match r.u8()? {
                0 => None,
                HAS_ROOT => Some(Address(r.array()?)),
                _ => return Err(corrupt("bad root flag")),
            };
            let len = r.u64()?;
            if root.is_none() != (len == 0) {
                return Err(corrupt("tree length disagrees with its root"));
            }
            trees.insert(name.to_vec(), TreeRoot { root, len });
        }
        if !r.is_empty() {
            return Err(corrupt("trailing bytes"));
        }
        Ok(RootRecord {
            txn_counter,
            timestamp_ms,
            trees,
        })
    }

    /// Every root reference the record holds, one per tree with a root.
    pub(crate) fn root_refs(&self) -> impl Iterator<Item = Address> + '_ {
        self.trees.values().filter_map(|t| t.root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> RootRecord {
        let mut trees = BTreeMap::new();
        trees.insert(
            b"heap".to_vec(),
            TreeRoot {
                root: Some(Address([5; 32])),
                len: 9,
            },
        );
        trees.insert(b"empty".to_vec(), TreeRoot::default());
        RootRecord {
            txn_counter: 7,
            timestamp_ms: 1_700_000_000_000,
            trees,
        }
    }

    /// The exact bytes docs/storage-format.md specifies; a change here is a format change.
    #[test]
    fn encoding_is_pinned() {
        let mut want = b"PSMR".to_vec();
        want.extend_from_slice(&[1, 0]);
        want.extend_from_slice(&7u64.to_le_bytes());
        want.extend_from_slice(&1_700_000_000_000u64.to_le_bytes());
        want.extend_from_slice(&[2, 0, 0, 0]);
        want.extend_from_slice(&[5, b'e', b'm', b'p', b't', b'y', 0]);
        want.extend_from_slice(&0u64.to_le_bytes());
        want.extend_from_slice(&[4, b'h', b'e', b'a', b'p', 1]);
        want.extend_from_slice(&[5; 32]);
        want.extend_from_slice(&9u64.to_le_bytes());
        let checksum = blake3::hash(&want);
        want.extend_from_slice(checksum.as_bytes());
        assert_eq!(sample().encode(), want);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = RootRecord::decode(&bytes);
        }
    }

    #[test]
    fn round_trips() {
        let record = sample();
        assert_eq!(RootRecord::decode(&record.encode()).unwrap(), record);
    }

    #[test]
    fn every_damage_is_an_error() {
        let bytes = sample().encode();
        for len in 0..bytes.len() {
            assert!(RootRecord::decode(&bytes[..len]).is_err());
        }
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x10;
            assert!(
                RootRecord::decode(&damaged).is_err(),
                "flip at {i} accepted"
            );
        }
    }
}
