//! Where B-tree algorithms get nodes from and put new ones.

use std::sync::Arc;

use super::error::MerkleError;
use super::node::{Address, AddressHasher, AddressMap, Node};

/// Read access to nodes, as tree lookups and iteration need it.
pub(crate) trait LoadNode {
    /// The verified node at `address`.
    fn load(&self, address: &Address) -> Result<Arc<Node>, MerkleError>;
}

impl<T: LoadNode + ?Sized> LoadNode for &T {
    fn load(&self, address: &Address) -> Result<Arc<Node>, MerkleError> {
        (**self).load(address)
    }
}

/// What tree updates need: loading, and staging new nodes.
///
/// Staged nodes are loadable at once; whether and when they reach the disk is the
/// implementor's business (a transaction writes only the staged nodes its new roots
/// reach).
pub(crate) trait NodeSource: LoadNode {
    /// Records `node` and returns its address.
    fn stage(&mut self, node: Node) -> Result<Address, MerkleError>;
}

/// A staged node: its encoding (what will be written) and its decoded form.
#[derive(Clone)]
pub(crate) struct StagedNode {
    pub(crate) encoded: Vec<u8>,
    pub(crate) node: Arc<Node>,
}

/// New nodes of a transaction, by address.
#[derive(Default)]
pub(crate) struct Staging {
    nodes: AddressMap<StagedNode>,
}

impl Staging {
    pub(crate) fn get(&self, address: &Address) -> Option<&StagedNode> {
        self.nodes.get(address)
    }

    /// Takes a staged node out, e.g. to move its encoding into a commit's batch.
    pub(crate) fn remove(&mut self, address: &Address) -> Option<StagedNode> {
        self.nodes.remove(address)
    }

    pub(crate) fn insert(&mut self, hasher: &AddressHasher, node: Node) -> Address {
        let encoded = node.encode();
        let address = hasher.address(&encoded);
        self.nodes.entry(address).or_insert_with(|| StagedNode {
            encoded,
            node: Arc::new(node),
        });
        address
    }

    /// Puts back a node taken out by [`Staging::remove`].
    pub(crate) fn restore(&mut self, address: Address, staged: StagedNode) {
        self.nodes.insert(address, staged);
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// An in-memory node store, for testing the tree algorithms without the layers below.
/// Nodes are kept encoded and decoded on every load, so tests exercise the codec.
#[cfg(test)]
pub(crate) struct MemNodes {
    hasher: AddressHasher,
    nodes: AddressMap<Vec<u8>>,
}

#[cfg(test)]
impl MemNodes {
    pub(crate) fn new() -> Self {
        Self {
            hasher: AddressHasher::new(zeroize::Zeroizing::new([42; 32])),
            nodes: AddressMap::default(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
impl LoadNode for MemNodes {
    fn load(&self, address: &Address) -> Result<Arc<Node>, MerkleError> {
        let bytes = self
            .nodes
            .get(address)
            .ok_or(MerkleError::MissingNode { address: *address })?;
        if self.hasher.address(bytes) != *address {
            return Err(MerkleError::Tampered { address: *address });
        }
        Node::decode(bytes).map(Arc::new)
    }
}

#[cfg(test)]
impl NodeSource for MemNodes {
    fn stage(&mut self, node: Node) -> Result<Address, MerkleError> {
        let encoded = node.encode();
        let address = self.hasher.address(&encoded);
        self.nodes.insert(address, encoded);
        Ok(address)
    }
}
