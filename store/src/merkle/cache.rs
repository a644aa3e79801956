//! A bounded cache of decoded, verified nodes.
//!
//! Addresses name content, so an entry can never be stale; the cache only has to bound
//! memory. Two generations approximate LRU cheaply: hits in the old generation are
//! promoted, and when the young one fills up it becomes the old one.

use std::sync::Arc;

use super::node::{Address, AddressMap, Node};

pub(crate) struct NodeCache {
    young: AddressMap<Arc<Node>>,
    old: AddressMap<Arc<Node>>,
    generation_capacity: usize,
}

impl NodeCache {
    /// A cache holding between `capacity / 2` and `capacity` nodes once warm.
    pub(crate) fn new(capacity: usize) -> Self {
        let generation_capacity = (capacity / 2).max(1);
        Self {
            young: AddressMap::default(),
            old: AddressMap::default(),
            generation_capacity,
        }
    }

    /// An empty cache with the same bound.
    pub(crate) fn emptied(&self) -> Self {
        Self::new(self.generation_capacity * 2)
    }

    pub(crate) fn get(&mut self, address: &Address) -> Option<Arc<Node>> {
        if let Some(node) = self.young.get(address) {
            return Some(Arc::clone(node));
        }
        let node = self.old.remove(address)?;
        self.insert(*address, Arc::clone(&node));
        Some(node)
    }

    pub(crate) fn insert(&mut self, address: Address, node: Arc<Node>) {
        if self.young.len() >= self.generation_capacity {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(address, node);
    }

    /// Forgets a node, e.g. one a commit deleted, so a later read of the address reports
    /// it missing instead of answering from memory.
    pub(crate) fn remove(&mut self, address: &Address) {
        self.young.remove(address);
        self.old.remove(address);
    }
}

/// The decoded nodes taken out of a store by [`super::MerkleStore::take_cached_nodes`]: only
/// memory. A cache of 65,536 leaves is hundreds of thousands of allocations, so its owner
/// may want to free it off the path that waits, or not at all when the process is exiting.
pub struct CachedNodes(#[allow(dead_code, reason = "held only to be dropped")] NodeCache);

impl CachedNodes {
    pub(crate) fn new(cache: NodeCache) -> Self {
        Self(cache)
    }
}
