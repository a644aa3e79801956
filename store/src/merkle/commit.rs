//! Turning a transaction into one batch: new nodes, reference count changes, and
//! the nodes the previous version alone used, released recursively; or, for a cleared
//! transaction, a backend clear and the new version written whole ([`plan_rewrite`]).
//!
//! Reference counts: a node's count is the number of links to it from stored nodes plus
//! the number of root-record entries naming it. Count 1 is the node row with no count
//! row; only counts above 1 get a row (`REFCOUNTS`), so most nodes cost one row.

use std::ops::ControlFlow;
use std::sync::Arc;

use super::error::MerkleError;
use super::node::{Address, AddressMap, AddressSet, Node};
use super::root::RootRecord;
use super::source::{StagedNode, Staging};
use super::store::{MerkleStore, NODES, REFCOUNTS, ROOT, ROOT_KEY};
use crate::encrypted::Batch;
use crate::kvs::Kvs;

/// The batch a commit writes, and what to tell the node cache once it is durable.
pub(crate) struct CommitPlan {
    pub(crate) batch: Batch,
    pub(crate) written: Vec<(Address, Arc<Node>)>,
    /// Every count the commit changes, as it will be (0: the node is deleted).
    pub(crate) counts: Vec<(Address, u64)>,
    /// Whether the batch empties the store first ([`plan_rewrite`]): every node stored
    /// before it is deleted, cached or not.
    pub(crate) cleared: bool,
}

impl CommitPlan {
    /// The staged nodes the plan took, handed back for a commit that was stopped before
    /// it wrote: the nodes it would have written, each with the encoding its batch held.
    /// Staged nodes the new version does not reach were dropped by the plan and are not
    /// needed again; nodes already stored load from the store.
    pub(crate) fn into_staging(self) -> Staging {
        let mut nodes: AddressMap<Arc<Node>> = self.written.into_iter().collect();
        let mut staging = Staging::default();
        for (key, encoded) in self.batch.into_puts(NODES) {
            if let Ok(bytes) = <[u8; 32]>::try_from(key.as_slice())
                && let Some(node) = nodes.remove(&Address(bytes))
            {
                staging.restore(Address(bytes), StagedNode { encoded, node });
            }
        }
        staging
    }

    /// Moves the staged nodes in `fresh` into the batch, each with a count row when its
    /// count is above 1.
    fn write_fresh(&mut self, staging: &mut Staging, fresh: AddressMap<u64>) {
        for (address, count) in fresh {
            let Some(staged) = staging.remove(&address) else {
                continue;
            };
            self.counts.push((address, count));
            self.batch.put(NODES, address.as_bytes(), staged.encoded);
            if count > 1 {
                self.batch
                    .put(REFCOUNTS, address.as_bytes(), count.to_le_bytes().to_vec());
            }
            self.written.push((address, staged.node));
        }
    }
}

/// What [`plan`] made of the transaction.
pub(crate) enum Planned {
    Plan(CommitPlan),
    /// The caller asked to stop during the reads; the staged nodes are handed back whole.
    Stopped(Staging),
}

/// Asks the caller's `stop` every [`POLL_EVERY`] steps of the plan's reads.
struct StopPoll<'a> {
    stop: &'a mut dyn FnMut() -> bool,
    steps: u32,
}

/// Plan steps (node reads, mostly) between two calls of the caller's `stop`.
const POLL_EVERY: u32 = 256;

impl StopPoll<'_> {
    fn now(&mut self) -> bool {
        self.steps = self.steps.wrapping_add(1);
        self.steps.is_multiple_of(POLL_EVERY) && (self.stop)()
    }
}

/// Plans replacing `old` by `new`. The encodings of the staged nodes `new` reaches move
/// into the batch; the others are dropped (intermediate versions inside the transaction).
/// While it reads counts and links from the store it asks `stop` now and then; when that
/// says yes it stops and hands `staging` back untouched.
pub(crate) fn plan<K: Kvs>(
    store: &MerkleStore<K>,
    mut staging: Staging,
    old: &RootRecord,
    new: &RootRecord,
    stop: &mut dyn FnMut() -> bool,
) -> Result<Planned, MerkleError> {
    let mut poll = StopPoll { stop, steps: 0 };
    let mut counts = Counts {
        store,
        staging: &staging,
        fresh: AddressMap::default(),
        deltas: AddressMap::default(),
    };
    // Net root references; trees the transaction left alone cancel out.
    let mut root_refs: AddressMap<i64> = AddressMap::default();
    for address in new.root_refs() {
        *root_refs.entry(address).or_insert(0) += 1;
    }
    for address in old.root_refs() {
        *root_refs.entry(address).or_insert(0) -= 1;
    }
    // Increments first, so a node that the new version still shares never touches zero.
    for (address, net) in &root_refs {
        for _ in 0..*net {
            if counts.add_ref(*address, &mut poll)?.is_break() {
                return Ok(Planned::Stopped(staging));
            }
        }
    }
    for (address, net) in root_refs {
        if net < 0 {
            *counts.deltas.entry(address).or_insert(0) += net;
        }
    }
    let Counts {
        fresh, mut deltas, ..
    } = counts;

    // Release: any stored node whose count reaches zero dies and drops its links. Counts
    // are read only for nodes whose net change is not zero: a node that gained a new
    // parent and lost its old one (every untouched sibling on a copied path) costs nothing,
    // and a count read once (or known from an earlier commit) is not read again.
    let mut dead = AddressSet::default();
    let mut work: Vec<Address> = deltas
        .iter()
        .filter(|(_, delta)| **delta < 0)
        .map(|(address, _)| *address)
        .collect();
    while let Some(address) = work.pop() {
        if poll.now() {
            return Ok(Planned::Stopped(staging));
        }
        let delta = deltas.get(&address).copied().unwrap_or(0);
        if delta >= 0 || dead.contains(&address) {
            continue;
        }
        let count = i128::from(store.stored_refcount(&address)?) + i128::from(delta);
        if count == 0 {
            dead.insert(address);
            for child in store.stored_links(&address)? {
                *deltas.entry(child).or_insert(0) -= 1;
                work.push(child);
            }
        }
    }

    let mut plan = CommitPlan {
        batch: Batch::new(),
        written: Vec::with_capacity(fresh.len()),
        counts: Vec::with_capacity(fresh.len() + deltas.len()),
        cleared: false,
    };
    plan.write_fresh(&mut staging, fresh);
    let CommitPlan {
        batch,
        counts: new_counts,
        ..
    } = &mut plan;
    for (address, delta) in &deltas {
        if *delta == 0 {
            continue;
        }
        let stored = store.stored_refcount(address)?;
        let Ok(count) = u64::try_from(i128::from(stored) + i128::from(*delta)) else {
            return Err(MerkleError::corrupted(
                "reference count",
                format!("node {address} released more often than it is referenced"),
            ));
        };
        new_counts.push((*address, count));
        if count == 0 {
            batch.delete(NODES, address.as_bytes());
        }
        if count > 1 {
            batch.put(REFCOUNTS, address.as_bytes(), count.to_le_bytes().to_vec());
        } else if stored > 1 {
            batch.delete(REFCOUNTS, address.as_bytes());
        }
    }
    batch.put(ROOT, ROOT_KEY, new.encode());
    Ok(Planned::Plan(plan))
}

/// Plans a commit that replaces the whole stored state by `new`, every node of which was
/// built in the transaction: the batch clears the store, then writes each node `new`
/// reaches with its count taken from `new` alone. Nothing is read from the store, so a
/// state of a million nodes is dropped for the cost of one backend clear. Asks `stop`
/// now and then while it walks the new state; when that says yes it hands `staging` back.
pub(crate) fn plan_rewrite(
    mut staging: Staging,
    new: &RootRecord,
    stop: &mut dyn FnMut() -> bool,
) -> Result<Planned, MerkleError> {
    let mut poll = StopPoll { stop, steps: 0 };
    let mut fresh: AddressMap<u64> = AddressMap::default();
    let mut work: Vec<Address> = new.root_refs().collect();
    while let Some(address) = work.pop() {
        if poll.now() {
            return Ok(Planned::Stopped(staging));
        }
        if let Some(count) = fresh.get_mut(&address) {
            *count += 1;
            continue;
        }
        // Trees are empty after the clear, so whatever the new state reaches was built in
        // this transaction; a node that was not would be deleted by the clear itself.
        let Some(staged) = staging.get(&address) else {
            return Err(MerkleError::MissingNode { address });
        };
        fresh.insert(address, 1);
        work.extend(staged.node.links());
    }
    let mut plan = CommitPlan {
        batch: Batch::new(),
        written: Vec::with_capacity(fresh.len()),
        counts: Vec::with_capacity(fresh.len()),
        cleared: true,
    };
    plan.batch.clear();
    plan.write_fresh(&mut staging, fresh);
    plan.batch.put(ROOT, ROOT_KEY, new.encode());
    Ok(Planned::Plan(plan))
}

struct Counts<'a, K: Kvs> {
    store: &'a MerkleStore<K>,
    staging: &'a Staging,
    /// Staged nodes to write, with their reference count.
    fresh: AddressMap<u64>,
    /// Net change to stored nodes' counts.
    deltas: AddressMap<i64>,
}

impl<K: Kvs> Counts<'_, K> {
    /// Adds one reference to `address`. The first reference to a staged node that is not
    /// already stored makes it fresh, and its own links are counted in turn. Breaks off,
    /// with the counts incomplete, when `poll` says to stop.
    fn add_ref(
        &mut self,
        address: Address,
        poll: &mut StopPoll<'_>,
    ) -> Result<ControlFlow<()>, MerkleError> {
        let mut work = vec![address];
        while let Some(address) = work.pop() {
            if poll.now() {
                return Ok(ControlFlow::Break(()));
            }
            if let Some(count) = self.fresh.get_mut(&address) {
                *count += 1;
                continue;
            }
            if let Some(staged) = self.staging.get(&address)
                && !self.store.node_row_exists(&address)?
            {
                self.fresh.insert(address, 1);
                work.extend(staged.node.links());
                continue;
            }
            *self.deltas.entry(address).or_insert(0) += 1;
        }
        Ok(ControlFlow::Continue(()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::merkle::btree::TreeRoot;

    /// A rewrite writes only staged nodes; one it cannot write is an error, not a panic
    /// and not a root record pointing at a row the clear deletes.
    #[test]
    fn a_rewrite_reaching_a_node_not_staged_is_an_error() {
        let address = Address([7; 32]);
        let mut trees = BTreeMap::new();
        let root = TreeRoot {
            root: Some(address),
            len: 1,
        };
        trees.insert(b"t".to_vec(), root);
        let new = RootRecord {
            txn_counter: 1,
            timestamp_ms: 0,
            trees,
        };
        let planned = plan_rewrite(Staging::default(), &new, &mut || false);
        assert!(matches!(
            planned,
            Err(MerkleError::MissingNode { address: a }) if a == address
        ));
    }
}
