//! Content-addressed nodes: the in-memory form, the byte format, and addresses.
//!
//! Every node starts with the same header, which lists its child links explicitly, so
//! reference counting, GC and fsck walk any node through [`links_of`] without knowing
//! what the node means. The byte layout is specified in `docs/storage-format.md`
//! ("Layer 3: nodes"); decoding checks every rule listed there and never panics.

use std::fmt;

use zeroize::Zeroizing;

use super::error::MerkleError;
use super::{INLINE_MAX, MAX_HEIGHT, MAX_KEY_LEN, ORDER};

/// The node format version written in byte 0 of every node.
pub(crate) const NODE_FORMAT_VERSION: u8 = 1;

const KIND_LEAF: u8 = 0;
const KIND_BRANCH: u8 = 1;
const KIND_BLOB: u8 = 2;

const VALUE_INLINE: u8 = 0;
const VALUE_EXTERNAL: u8 = 1;

const ADDRESS_LEN: usize = 32;
const VERSION_OFFSET: usize = 0;
const KIND_OFFSET: usize = VERSION_OFFSET + 1;
const LINK_COUNT_OFFSET: usize = KIND_OFFSET + 1;
const LINKS_OFFSET: usize = LINK_COUNT_OFFSET + 2;

/// The address of a node: the keyed blake3 hash of its encoded bytes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Address(pub [u8; ADDRESS_LEN]);

/// Hashes 8 of the 32 bytes: addresses are outputs of a keyed hash, so any 8 of their bytes
/// are already uniform and unpredictable to whoever chose the nodes' contents.
impl std::hash::Hash for Address {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut head = [0; 8];
        head.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(head));
    }
}

/// A [`std::hash::Hasher`] for [`Address`] keys that keeps the 8 bytes the address hashes
/// (see its `Hash` impl) as the hash: they are already uniform, so running them through
/// the standard library's SipHash, as every map lookup of a commit did, buys nothing.
#[derive(Clone, Copy, Default)]
pub(crate) struct PrefixHasher(u64);

impl std::hash::Hasher for PrefixHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    /// Only reached by keys other than a lone [`Address`]; folds the bytes in.
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }
}

/// A map keyed by addresses, hashed by [`PrefixHasher`].
pub(crate) type AddressMap<V> =
    std::collections::HashMap<Address, V, std::hash::BuildHasherDefault<PrefixHasher>>;
/// A set of addresses, hashed by [`PrefixHasher`].
pub(crate) type AddressSet =
    std::collections::HashSet<Address, std::hash::BuildHasherDefault<PrefixHasher>>;

impl Address {
    /// The address's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; ADDRESS_LEN] {
        &self.0
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in &self.0[..8] {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

/// Computes node addresses. Keyed, so that addresses reveal nothing about node contents
/// to someone who does not hold the store's key (plain hashes of small leaves could be
/// confirmed by guessing).
pub(crate) struct AddressHasher {
    key: Zeroizing<[u8; 32]>,
}

impl AddressHasher {
    pub(crate) fn new(key: Zeroizing<[u8; 32]>) -> Self {
        Self { key }
    }

    pub(crate) fn address(&self, encoded: &[u8]) -> Address {
        Address(*blake3::keyed_hash(&self.key, encoded).as_bytes())
    }
}

/// A decoded node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Node {
    Leaf(Leaf),
    Branch(Branch),
    /// A value too large to inline in a leaf.
    Blob(Vec<u8>),
}

/// A leaf: up to [`ORDER`] entries in strictly increasing key order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Leaf {
    pub(crate) entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) key: Vec<u8>,
    pub(crate) value: Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    /// Stored in the leaf; `key.len() + bytes.len() <= INLINE_MAX`.
    Inline(Vec<u8>),
    /// Stored in a blob node; `key.len() + len > INLINE_MAX`.
    External { address: Address, len: u64 },
}

/// A branch: `children.len()` in `2..=ORDER` (a non-root branch has at least
/// `ORDER / 2`), and `separators[i]` is a lower bound for every key under
/// `children[i + 1]` and greater than every key under `children[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Branch {
    /// 1 when the children are leaves.
    pub(crate) height: u8,
    pub(crate) separators: Vec<Vec<u8>>,
    pub(crate) children: Vec<Address>,
}

impl Node {
    /// The child links, in the order the header lists them.
    pub(crate) fn links(&self) -> Vec<Address> {
        match self {
            Node::Leaf(leaf) => leaf
                .entries
                .iter()
                .filter_map(|e| match e.value {
                    Value::External { address, .. } => Some(address),
                    Value::Inline(_) => None,
                })
                .collect(),
            Node::Branch(branch) => branch.children.clone(),
            Node::Blob(_) => Vec::new(),
        }
    }

    /// 0 for leaves (and blobs, which hang off leaves).
    pub(crate) fn height(&self) -> u8 {
        match self {
            Node::Branch(b) => b.height,
            Node::Leaf(_) | Node::Blob(_) => 0,
        }
    }

    /// Encodes the node. Callers build only valid nodes; the lengths written are bounded
    /// by [`MAX_KEY_LEN`], [`INLINE_MAX`] and [`ORDER`], so the narrowing casts are exact.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let links = self.links();
        let mut out = Vec::with_capacity(LINKS_OFFSET + links.len() * ADDRESS_LEN + 256);
        out.push(NODE_FORMAT_VERSION);
        out.push(match self {
            Node::Leaf(_) => KIND_LEAF,
            Node::Branch(_) => KIND_BRANCH,
            Node::Blob(_) => KIND_BLOB,
        });
        put_u16(&mut out, links.len());
        for link in &links {
            out.extend_from_slice(&link.0);
        }
        match self {
            Node::Leaf(leaf) => {
                put_u16(&mut out, leaf.entries.len());
                for entry in &leaf.entries {
                    put_u16(&mut out, entry.key.len());
                    out.extend_from_slice(&entry.key);
                    match &entry.value {
                        Value::Inline(bytes) => {
                            out.push(VALUE_INLINE);
                            put_u16(&mut out, bytes.len());
                            out.extend_from_slice(bytes);
                        }
                        Value::External { len, .. } => {
                            out.push(VALUE_EXTERNAL);
                            out.extend_from_slice(&len.to_le_bytes());
                        }
                    }
                }
            }
            Node::Branch(branch) => {
                out.push(branch.height);
                for separator in &branch.separators {
                    put_u16(&mut out, separator.len());
                    out.extend_from_slice(separator);
                }
            }
            Node::Blob(bytes) => out.extend_from_slice(bytes),
        }
        out
    }

    /// Decodes and validates a node. Any byte string gives a node or `Corrupted`.
    pub(crate) fn decode(bytes: &[u8]) -> Result<Node, MerkleError> {
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != NODE_FORMAT_VERSION {
            return Err(corrupt(format!("unknown node format version {version}")));
        }
        let kind = r.u8()?;
        let links = read_links(&mut r)?;
        let node = match kind {
            KIND_LEAF => Node::Leaf(decode_leaf(&mut r, &links)?),
            KIND_BRANCH => Node::Branch(decode_branch(&mut r, links)?),
            KIND_BLOB => {
                if !links.is_empty() {
                    return Err(corrupt("blob node with links"));
                }
                Node::Blob(r.rest().to_vec())
            }
            other => return Err(corrupt(format!("unknown node kind {other}"))),
        };
        if !r.is_empty() {
            return Err(corrupt("trailing bytes after node"));
        }
        Ok(node)
    }
}

/// The child links of an encoded node, read from the header alone.
pub(crate) fn links_of(bytes: &[u8]) -> Result<Vec<Address>, MerkleError> {
    let mut r = Reader::new(bytes);
    let version = r.u8()?;
    if version != NODE_FORMAT_VERSION {
        return Err(corrupt(format!("unknown node format version {version}")));
    }
    r.u8()?;
    read_links(&mut r)
}

fn read_links(r: &mut Reader<'_>) -> Result<Vec<Address>, MerkleError> {
    let count = usize::from(r.u16()?);
    let mut links = Vec::with_capacity(count.min(ORDER));
    for _ in 0..count {
        links.push(Address(r.array()?));
    }
    Ok(links)
}

fn decode_leaf(r: &mut Reader<'_>, links: &[Address]) -> Result<Leaf, MerkleError> {
    let count = usize::from(r.u16()?);
    if count == 0 || count > ORDER {
        return Err(corrupt(format!("leaf with {count} entries")));
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(count);
    let mut next_link = links.iter();
    for _ in 0..count {
        let key = r.bytes_u16()?;
        if key.len() > MAX_KEY_LEN {
            return Err(corrupt("leaf key too long"));
        }
        if entries
            .last()
            .is_some_and(|prev| prev.key.as_slice() >= key)
        {
            return Err(corrupt("leaf keys out of order"));
        }
        let value = match r.u8()? {
            VALUE_INLINE => {
                let bytes = r.bytes_u16()?;
                if key.len() + bytes.len() > INLINE_MAX {
                    return Err(corrupt("inline value too long"));
                }
                Value::Inline(bytes.to_vec())
            }
            VALUE_EXTERNAL => {
                let len = u64::from_le_bytes(r.array()?);
                if u64::try_from(key.len())
                    .unwrap_or(u64::MAX)
                    .saturating_add(len)
                    <= INLINE_MAX as u64
                {
                    return Err(corrupt("external value short enough to inline"));
                }
                let Some(address) = next_link.next() else {
                    return Err(corrupt("leaf has fewer links than external values"));
                };
                Value::External {
                    address: *address,
                    len,
                }
            }
            tag => return Err(corrupt(format!("unknown value tag {tag}"))),
        };
        entries.push(Entry {
            key: key.to_vec(),
            value,
        });
    }
    if next_link.next().is_some() {
        return Err(corrupt("leaf has more links than external values"));
    }
    Ok(Leaf { entries })
}

fn decode_branch(r: &mut Reader<'_>, children: Vec<Address>) -> Result<Branch, MerkleError> {
    if children.len() < 2 || children.len() > ORDER {
        return Err(corrupt(format!("branch with {} children", children.len())));
    }
    let height = r.u8()?;
    if height == 0 || height > MAX_HEIGHT {
        return Err(corrupt(format!("branch height {height}")));
    }
    let mut separators: Vec<Vec<u8>> = Vec::with_capacity(children.len() - 1);
    for _ in 1..children.len() {
        let separator = r.bytes_u16()?;
        if separator.len() > MAX_KEY_LEN {
            return Err(corrupt("separator too long"));
        }
        if separators
            .last()
            .is_some_and(|prev| prev.as_slice() >= separator)
        {
            return Err(corrupt("separators out of order"));
        }
        separators.push(separator.to_vec());
    }
    Ok(Branch {
        height,
        separators,
        children,
    })
}

fn corrupt(detail: impl Into<String>) -> MerkleError {
    MerkleError::corrupted("node", detail)
}

fn put_u16(out: &mut Vec<u8>, n: usize) {
    let n = u16::try_from(n).expect("node field lengths are bounded far below u16::MAX");
    out.extend_from_slice(&n.to_le_bytes());
}

/// A bounds-checked cursor over untrusted bytes.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], MerkleError> {
        if self.bytes.len() < n {
            return Err(MerkleError::corrupted("structure", "truncated"));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.bytes)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], MerkleError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, MerkleError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, MerkleError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, MerkleError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub(crate) fn bytes_u16(&mut self) -> Result<&'a [u8], MerkleError> {
        let len = usize::from(self.u16()?);
        self.take(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_leaf() -> Node {
        Node::Leaf(Leaf {
            entries: vec![
                Entry {
                    key: b"a".to_vec(),
                    value: Value::Inline(b"one".to_vec()),
                },
                Entry {
                    key: b"b".to_vec(),
                    value: Value::External {
                        address: Address([7; 32]),
                        len: 1000,
                    },
                },
            ],
        })
    }

    /// The exact bytes docs/storage-format.md specifies; a change here is a format change.
    #[test]
    fn encoding_is_pinned() {
        let mut want = vec![1, 0, 1, 0];
        want.extend_from_slice(&[7; 32]);
        want.extend_from_slice(&[2, 0]);
        want.extend_from_slice(&[1, 0, b'a', 0, 3, 0, b'o', b'n', b'e']);
        want.extend_from_slice(&[1, 0, b'b', 1, 0xe8, 3, 0, 0, 0, 0, 0, 0]);
        assert_eq!(sample_leaf().encode(), want);

        let branch = Node::Branch(Branch {
            height: 1,
            separators: vec![b"m".to_vec()],
            children: vec![Address([1; 32]), Address([2; 32])],
        });
        let mut want = vec![1, 1, 2, 0];
        want.extend_from_slice(&[1; 32]);
        want.extend_from_slice(&[2; 32]);
        want.extend_from_slice(&[1, 1, 0, b'm']);
        assert_eq!(branch.encode(), want);

        assert_eq!(
            Node::Blob(b"xyz".to_vec()).encode(),
            vec![1, 2, 0, 0, b'x', b'y', b'z']
        );
    }

    #[test]
    fn round_trips_every_kind() {
        let branch = Node::Branch(Branch {
            height: 2,
            separators: vec![b"m".to_vec()],
            children: vec![Address([1; 32]), Address([2; 32])],
        });
        for node in [sample_leaf(), branch, Node::Blob(vec![9; 300])] {
            let bytes = node.encode();
            assert_eq!(Node::decode(&bytes).unwrap(), node);
            assert_eq!(links_of(&bytes).unwrap(), node.links());
        }
    }

    #[test]
    fn every_truncation_and_byte_flip_is_an_error_or_a_node() {
        let bytes = sample_leaf().encode();
        for len in 0..bytes.len() {
            assert!(Node::decode(&bytes[..len]).is_err(), "prefix {len} decoded");
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut damaged = bytes.clone();
                damaged[i] ^= 1 << bit;
                let _ = Node::decode(&damaged);
                let _ = links_of(&damaged);
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let _ = Node::decode(&bytes);
            let _ = links_of(&bytes);
        }

        /// Arbitrary bytes behind a valid header prefix reach the kind-specific decoders.
        #[test]
        fn arbitrary_payloads_never_panic(
            kind in 0u8..4,
            links in 0u16..4,
            payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600),
        ) {
            let mut bytes = vec![NODE_FORMAT_VERSION, kind];
            bytes.extend_from_slice(&links.to_le_bytes());
            bytes.extend(std::iter::repeat_n(9, usize::from(links) * ADDRESS_LEN));
            bytes.extend_from_slice(&payload);
            if let Ok(node) = Node::decode(&bytes) {
                proptest::prop_assert_eq!(node.encode(), bytes);
            }
        }
    }

    /// Address maps hash an address to its first 8 bytes, unmixed: only sound because
    /// addresses are keyed-hash outputs, which is what `Address`'s `Hash` impl relies on.
    #[test]
    fn address_maps_hash_the_address_prefix() {
        use std::hash::BuildHasher;
        let mut bytes = [0; ADDRESS_LEN];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::try_from(i * 7 + 1).unwrap();
        }
        let address = Address(bytes);
        let build = std::hash::BuildHasherDefault::<PrefixHasher>::default();
        let mut head = [0; 8];
        head.copy_from_slice(&bytes[..8]);
        assert_eq!(build.hash_one(address), u64::from_le_bytes(head));

        let mut map = AddressMap::default();
        for i in 0u8..=255 {
            map.insert(Address([i; ADDRESS_LEN]), i);
        }
        assert!((0u8..=255).all(|i| map.get(&Address([i; ADDRESS_LEN])) == Some(&i)));
    }

    #[test]
    fn rejects_unsorted_leaf_keys() {
        let node = Node::Leaf(Leaf {
            entries: vec![
                Entry {
                    key: b"b".to_vec(),
                    value: Value::Inline(vec![]),
                },
                Entry {
                    key: b"a".to_vec(),
                    value: Value::Inline(vec![]),
                },
            ],
        });
        assert!(matches!(
            Node::decode(&node.encode()),
            Err(MerkleError::Corrupted { .. })
        ));
    }
}
