//! [`MerkleStore`]: named persistent trees over an [`EncryptedStore`], read at the last
//! committed state and changed through [`Txn`]s.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use super::btree::{self, RangeIter, TreeRoot};
use super::cache::{CachedNodes, CountCache, NodeCache};
use super::commit::CommitPlan;
use super::error::MerkleError;
use super::fsck::{self, FsckReport};
use super::node::{Address, AddressHasher, Node, links_of};
use super::root::RootRecord;
use super::source::{LoadNode, Staging};
use super::txn::Txn;
use crate::encrypted::{Batch, Domain, EncryptedStore};
use crate::kvs::{Kvs, KvsError, ReadSnapshot};

/// Domain of node rows: logical key = the 32-byte address, value = the encoded node.
pub(crate) const NODES: Domain = Domain(16);
/// Domain of reference-count rows (only for counts above 1): key = address, value = u64 LE.
pub(crate) const REFCOUNTS: Domain = Domain(17);
/// Domain of the root record, under the single logical key [`ROOT_KEY`].
pub(crate) const ROOT: Domain = Domain(18);
pub(crate) const ROOT_KEY: &[u8] = b"root";

const ADDRESS_CONTEXT: &str = "pscheme-store merkle node address v1";
/// Default bound of the decoded-node cache, in nodes.
const DEFAULT_CACHE_NODES: usize = 1 << 16;
/// Default bound of the count cache, in nodes (about 60 bytes each).
const DEFAULT_CACHE_COUNTS: usize = 1 << 18;

/// Which committed state a store is at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommitInfo {
    /// Strictly increasing: 0 when created, +1 per commit.
    pub txn_counter: u64,
    /// Unix time of that commit in milliseconds (never less than the previous commit's).
    pub timestamp_ms: u64,
}

/// Named persistent B-trees, stored as content-addressed nodes in an [`EncryptedStore`].
///
/// Reads through `&self` see the last committed state; [`MerkleStore::begin`] starts the
/// one transaction that may change it. A tree that was never written reads as empty.
/// `Send`, so a dedicated writer thread can own it.
pub struct MerkleStore<K: Kvs> {
    store: EncryptedStore<K>,
    hasher: AddressHasher,
    record: RootRecord,
    cache: RefCell<NodeCache>,
    /// Counts of nodes this store wrote or read a count of, so that releasing a node it
    /// wrote (the common case: a program's data dies young) needs no count read.
    counts: RefCell<CountCache>,
    /// What the current or last commit dropped wholesale (a cleared commit's caches, a
    /// cleared transaction's staged nodes), kept to be freed off the commit's path: see
    /// [`MerkleStore::take_released`]. Freed by the next [`MerkleStore::begin`] at the
    /// latest, so it holds at most one commit's worth.
    released: CachedNodes,
}

impl<K: Kvs> MerkleStore<K> {
    /// Initialises layer 3 in `store`: writes an empty root record (counter 0).
    pub fn create(mut store: EncryptedStore<K>) -> Result<Self, MerkleError> {
        if store.get(ROOT, ROOT_KEY)?.is_some() {
            return Err(MerkleError::AlreadyInitialized);
        }
        let record = RootRecord {
            txn_counter: 0,
            timestamp_ms: now_ms(),
            trees: BTreeMap::new(),
        };
        let mut batch = Batch::new();
        batch.put(ROOT, ROOT_KEY, record.encode());
        store.commit(&batch)?;
        Ok(Self::with_record(store, record))
    }

    /// Opens layer 3 in a store initialised by [`MerkleStore::create`], at the state of
    /// its last successful commit ([`MerkleStore::info`] says which).
    pub fn open(store: EncryptedStore<K>) -> Result<Self, MerkleError> {
        let bytes = store
            .get(ROOT, ROOT_KEY)?
            .ok_or(MerkleError::NoRootRecord)?;
        let record = RootRecord::decode(&bytes)?;
        Ok(Self::with_record(store, record))
    }

    fn with_record(store: EncryptedStore<K>, record: RootRecord) -> Self {
        let key = store.derive_subkey(ADDRESS_CONTEXT);
        let hasher = AddressHasher::new(Zeroizing::new(*key.as_bytes()));
        Self {
            store,
            hasher,
            record,
            cache: RefCell::new(NodeCache::new(DEFAULT_CACHE_NODES)),
            counts: RefCell::new(CountCache::new(DEFAULT_CACHE_COUNTS)),
            released: CachedNodes::default(),
        }
    }

    /// Bounds the cache of decoded nodes to about `nodes` nodes (default 65,536). A
    /// decoded leaf of small entries takes 1-2 KiB; a cache that holds the whole working
    /// set of a tree saves a row read, a decryption and a decode per node visited.
    pub fn set_cache_capacity(&mut self, nodes: usize) {
        self.cache = RefCell::new(NodeCache::new(nodes));
    }

    /// Empties the cache of decoded nodes and hands its contents over, with what the last
    /// commit released ([`MerkleStore::take_released`]), to be dropped wherever that is
    /// cheapest (reads refill the cache as they go).
    pub fn take_cached_nodes(&mut self) -> CachedNodes {
        let mut taken = self.take_released();
        let cache = self.cache.get_mut();
        let emptied = cache.emptied();
        taken.add_cache(std::mem::replace(cache, emptied));
        taken
    }

    /// Hands over the decoded nodes the last commit dropped wholesale: a cleared commit
    /// ([`Txn::clear`]) lets go of every cached node and of the nodes the transaction had
    /// staged before the clear, up to a few hundred thousand allocations. A writer frees them
    /// after reporting the commit durable, so that nobody waits for it. Not taken, they are
    /// freed by the next [`MerkleStore::begin`].
    pub fn take_released(&mut self) -> CachedNodes {
        std::mem::take(&mut self.released)
    }

    /// Keeps nodes a transaction staged and then dropped, to be freed with the next
    /// [`MerkleStore::take_released`].
    pub(crate) fn release_staging(&mut self, staging: Staging) {
        self.released.add_staging(staging);
    }

    /// The transaction counter and timestamp of the current state.
    #[must_use]
    pub fn info(&self) -> CommitInfo {
        CommitInfo {
            txn_counter: self.record.txn_counter,
            timestamp_ms: self.record.timestamp_ms,
        }
    }

    /// Names of the trees the root record holds, in ascending order.
    pub fn tree_names(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.record.trees.keys().map(Vec::as_slice)
    }

    /// The value under `key` in `tree`.
    pub fn get(&self, tree: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>, MerkleError> {
        btree::get(&self.view(None), self.tree_root(tree), key)
    }

    /// The address of `tree`'s root node (`None` when empty): one hash that vouches for
    /// every entry of this version of the tree.
    #[must_use]
    pub fn root_address(&self, tree: &[u8]) -> Option<Address> {
        self.tree_root(tree).root
    }

    /// Number of entries in `tree`.
    #[must_use]
    pub fn len(&self, tree: &[u8]) -> u64 {
        self.tree_root(tree).len
    }

    /// Whether `tree` has no entries.
    #[must_use]
    pub fn is_empty(&self, tree: &[u8]) -> bool {
        self.len(tree) == 0
    }

    /// The entries of `tree` with keys in `range`, ascending (or descending with `.rev()`).
    /// Use `..` for all, or a tuple of `Bound<&[u8]>`s.
    pub fn range(&self, tree: &[u8], range: impl RangeBounds<[u8]>) -> Range<'_, K> {
        Range::new(self.view(None), self.tree_root(tree), &range)
    }

    /// Starts a transaction. Nothing it does is visible, here or on disk, until
    /// [`Txn::commit`]; dropping it discards it.
    pub fn begin(&mut self) -> Txn<'_, K> {
        self.released = CachedNodes::default();
        Txn::new(self)
    }

    /// Checks the whole store; see [`FsckReport`]. Fails only if the backend itself
    /// cannot be read; damage is reported, never returned as an error.
    pub fn fsck(&self) -> Result<FsckReport, MerkleError> {
        let snapshot = self.read_snapshot()?;
        let report = fsck::check(self)?;
        end_snapshot(snapshot)?;
        Ok(report)
    }

    /// The encrypted store underneath.
    #[must_use]
    pub fn encrypted(&self) -> &EncryptedStore<K> {
        &self.store
    }

    /// The encrypted store underneath, mutably. Writing to this layer's domains through it
    /// corrupts the store (tests use it to do exactly that).
    pub fn encrypted_mut(&mut self) -> &mut EncryptedStore<K> {
        &mut self.store
    }

    /// Closes the store, returning the encrypted store.
    pub fn into_inner(self) -> EncryptedStore<K> {
        self.store
    }

    pub(crate) fn record(&self) -> &RootRecord {
        &self.record
    }

    pub(crate) fn tree_root(&self, tree: &[u8]) -> TreeRoot {
        self.record.trees.get(tree).copied().unwrap_or_default()
    }

    pub(crate) fn hasher(&self) -> &AddressHasher {
        &self.hasher
    }

    pub(crate) fn view<'a>(&'a self, staging: Option<&'a Staging>) -> NodeView<'a, K> {
        NodeView {
            store: self,
            staging,
        }
    }

    /// A read snapshot of the backend, so that the many point reads of a tree update or a
    /// commit plan share one backend read transaction. End it with [`end_snapshot`].
    pub(crate) fn read_snapshot(&self) -> Result<ReadSnapshot<'_, K>, MerkleError> {
        ReadSnapshot::begin(self.store.kvs()).map_err(store_error)
    }

    /// Reads, verifies and decodes a stored node, through the cache.
    pub(crate) fn load_persisted(&self, address: &Address) -> Result<Arc<Node>, MerkleError> {
        if let Some(node) = self.cache.borrow_mut().get(address) {
            return Ok(node);
        }
        let node = Arc::new(self.read_node_uncached(address)?);
        self.cache.borrow_mut().insert(*address, Arc::clone(&node));
        Ok(node)
    }

    /// Reads, verifies and decodes a stored node, bypassing the cache (fsck).
    pub(crate) fn read_node_uncached(&self, address: &Address) -> Result<Node, MerkleError> {
        let bytes = self
            .store
            .get(NODES, address.as_bytes())?
            .ok_or(MerkleError::MissingNode { address: *address })?;
        if self.hasher.address(&bytes) != *address {
            return Err(MerkleError::Tampered { address: *address });
        }
        Node::decode(&bytes)
    }

    /// The child links of a stored node, read from its header alone when it is not cached
    /// (releasing a node does not need to understand it).
    pub(crate) fn stored_links(&self, address: &Address) -> Result<Vec<Address>, MerkleError> {
        if let Some(node) = self.cache.borrow_mut().get(address) {
            return Ok(node.links());
        }
        let bytes = self
            .store
            .get(NODES, address.as_bytes())?
            .ok_or(MerkleError::MissingNode { address: *address })?;
        if self.hasher.address(&bytes) != *address {
            return Err(MerkleError::Tampered { address: *address });
        }
        links_of(&bytes)
    }

    /// Whether a node row exists, without decrypting it.
    pub(crate) fn node_row_exists(&self, address: &Address) -> Result<bool, MerkleError> {
        let row = self.store.row_key(NODES, address.as_bytes());
        Ok(self
            .store
            .kvs()
            .get(row.as_bytes())
            .map_err(crate::Error::from)?
            .is_some())
    }

    /// The stored reference count of a node assumed present: its count row, or 1.
    pub(crate) fn stored_refcount(&self, address: &Address) -> Result<u64, MerkleError> {
        if let Some(count) = self.counts.borrow_mut().get(address) {
            return Ok(count);
        }
        let count = match self.store.get(REFCOUNTS, address.as_bytes())? {
            None => 1,
            Some(bytes) => decode_refcount(&bytes).ok_or_else(|| {
                MerkleError::corrupted("reference count", format!("bad count row for {address}"))
            })?,
        };
        self.counts.borrow_mut().insert(*address, count);
        Ok(count)
    }

    /// Writes `batch` unless `stop` says to stop first (see
    /// [`EncryptedStore::commit_unless`]); says whether it was written. The record and the
    /// cache are left for [`MerkleStore::committed`].
    pub(crate) fn write_unless(
        &mut self,
        batch: &Batch,
        stop: &mut dyn FnMut() -> bool,
    ) -> Result<bool, MerkleError> {
        Ok(self.store.commit_unless(batch, stop)?)
    }

    /// Takes the state a durable commit's batch wrote: its root record, and for the caches
    /// the nodes it wrote and the counts it changed (a node whose count fell to 0 is gone).
    /// A cleared commit deleted every node stored before it, so both caches start empty.
    pub(crate) fn committed(&mut self, record: RootRecord, plan: CommitPlan) -> CommitInfo {
        self.record = record;
        let (cache, counts) = (self.cache.get_mut(), self.counts.get_mut());
        if plan.cleared {
            let emptied = cache.emptied();
            self.released.add_cache(std::mem::replace(cache, emptied));
            *counts = counts.emptied();
        }
        for (address, count) in plan.counts {
            if count == 0 {
                cache.remove(&address);
                counts.remove(&address);
            } else {
                counts.insert(address, count);
            }
        }
        for (address, node) in plan.written {
            cache.insert(address, node);
        }
        self.info()
    }
}

impl<K: Kvs> std::fmt::Debug for MerkleStore<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MerkleStore")
            .field("info", &self.info())
            .finish_non_exhaustive()
    }
}

fn store_error(e: KvsError) -> MerkleError {
    MerkleError::Store(e.into())
}

/// Ends a snapshot from [`MerkleStore::read_snapshot`], reporting a failure to.
pub(crate) fn end_snapshot<K: Kvs>(snapshot: ReadSnapshot<'_, K>) -> Result<(), MerkleError> {
    snapshot.end().map_err(store_error)
}

/// A count row's value: u64 little-endian, at least 2.
pub(crate) fn decode_refcount(bytes: &[u8]) -> Option<u64> {
    let count = u64::from_le_bytes(bytes.try_into().ok()?);
    (count >= 2).then_some(count)
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Nodes as a reader sees them: a transaction's staged nodes first, then the store.
pub(crate) struct NodeView<'a, K: Kvs> {
    store: &'a MerkleStore<K>,
    staging: Option<&'a Staging>,
}

impl<K: Kvs> LoadNode for NodeView<'_, K> {
    fn load(&self, address: &Address) -> Result<Arc<Node>, MerkleError> {
        if let Some(staged) = self.staging.and_then(|s| s.get(address)) {
            return Ok(Arc::clone(&staged.node));
        }
        self.store.load_persisted(address)
    }
}

/// Iterator over the entries of a tree within a key range; see [`MerkleStore::range`].
/// Yields `Err` (and then ends) if a node cannot be read.
pub struct Range<'a, K: Kvs> {
    inner: RangeIter<NodeView<'a, K>>,
}

impl<'a, K: Kvs> Range<'a, K> {
    pub(crate) fn new(
        view: NodeView<'a, K>,
        tree: TreeRoot,
        range: &impl RangeBounds<[u8]>,
    ) -> Self {
        let owned = |b: Bound<&[u8]>| match b {
            Bound::Included(k) => Bound::Included(k.to_vec()),
            Bound::Excluded(k) => Bound::Excluded(k.to_vec()),
            Bound::Unbounded => Bound::Unbounded,
        };
        Self {
            inner: RangeIter::new(
                view,
                tree,
                owned(range.start_bound()),
                owned(range.end_bound()),
            ),
        }
    }
}

impl<K: Kvs> Iterator for Range<'_, K> {
    type Item = Result<(Vec<u8>, Vec<u8>), MerkleError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

impl<K: Kvs> DoubleEndedIterator for Range<'_, K> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back()
    }
}
