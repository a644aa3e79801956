//! Bounded caches keyed by node address: decoded, verified nodes, and reference counts.
//!
//! Addresses name content, so a cached node can never be stale; a cached count stays true
//! because only this store's commits change counts, and each commit updates the counts it
//! changed. The caches only have to bound memory. Two generations approximate LRU cheaply:
//! hits in the old generation are promoted, and when the young one fills up it becomes
//! the old one.

use std::sync::Arc;

use super::node::{Address, AddressMap, Node};

pub(crate) struct Generations<V: Clone> {
    young: AddressMap<V>,
    old: AddressMap<V>,
    generation_capacity: usize,
}

/// Decoded nodes by address.
pub(crate) type NodeCache = Generations<Arc<Node>>;

/// Reference counts (1 for a node without a count row) by address.
pub(crate) type CountCache = Generations<u64>;

impl<V: Clone> Generations<V> {
    /// A cache holding between `capacity / 2` and `capacity` entries once warm.
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

    pub(crate) fn get(&mut self, address: &Address) -> Option<V> {
        if let Some(value) = self.young.get(address) {
            return Some(value.clone());
        }
        let value = self.old.remove(address)?;
        self.insert(*address, value.clone());
        Some(value)
    }

    pub(crate) fn insert(&mut self, address: Address, value: V) {
        if self.young.len() >= self.generation_capacity {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(address, value);
    }

    /// Forgets an entry, e.g. of a node a commit deleted, so a later read of the address
    /// reports it missing instead of answering from memory.
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
