//! Bounded caches keyed by node address: decoded, verified nodes, and reference counts.
//!
//! Addresses name content, so a cached node can never be stale; a cached count stays true
//! because only this store's commits change counts, and each commit updates the counts it
//! changed. The caches only have to bound memory. Two generations approximate LRU cheaply:
//! hits in the old generation are promoted, and when the young one fills up it becomes
//! the old one.

use std::sync::Arc;

use super::node::{Address, AddressMap, Node};
use super::source::Staging;

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

    pub(crate) fn is_empty(&self) -> bool {
        self.young.is_empty() && self.old.is_empty()
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

/// Decoded nodes a store let go of, held only to be freed: its cache taken by
/// [`super::MerkleStore::take_cached_nodes`], or what commits dropped wholesale
/// ([`super::MerkleStore::take_released`]). A cache of 65,536 leaves is hundreds of thousands
/// of allocations, so the owner may free them off the path that waits, or not at all when
/// the process is exiting.
#[derive(Default)]
pub struct CachedNodes {
    caches: Vec<NodeCache>,
    staged: Vec<Staging>,
}

impl CachedNodes {
    /// Whether nothing is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.caches.iter().all(Generations::is_empty) && self.staged.iter().all(Staging::is_empty)
    }

    pub(crate) fn add_cache(&mut self, cache: NodeCache) {
        self.caches.push(cache);
    }

    pub(crate) fn add_staging(&mut self, staging: Staging) {
        self.staged.push(staging);
    }
}
