//! [`Txn`]: a set of tree changes committed as one backend batch.

use std::collections::BTreeMap;
use std::ops::RangeBounds;
use std::sync::Arc;

use super::btree::{self, Change, TreeRoot};
use super::commit::{self, Planned};
use super::error::MerkleError;
use super::node::{Address, Node};
use super::root::RootRecord;
use super::source::{LoadNode, NodeSource, Staging};
use super::store::{CommitInfo, MerkleStore, Range, end_snapshot, now_ms};
use super::{MAX_KEY_LEN, MAX_TREE_NAME_LEN};
use crate::kvs::Kvs;

/// A transaction over a [`MerkleStore`].
///
/// Puts and deletes are buffered per tree in key order and applied to the tree as one
/// sorted batch when the tree is next scanned, measured or committed, so each node a
/// batch touches is rewritten once however many of its keys change. Point reads see
/// buffered changes directly. [`Txn::commit`] writes new nodes, reference count changes
/// and the new root record in one atomic backend commit; dropping the transaction
/// discards everything.
pub struct Txn<'s, K: Kvs> {
    store: &'s mut MerkleStore<K>,
    /// Trees touched so far; `None` for a tree dropped in this transaction.
    trees: BTreeMap<Vec<u8>, Option<TxnTree>>,
    staging: Staging,
    /// Set by [`Txn::clear`]: trees not in `trees` are empty rather than as stored.
    cleared: bool,
}

/// What [`Txn::commit_unless`] did.
pub enum Commit<'s, K: Kvs> {
    /// Committed: the store moved to the new state.
    Done(CommitInfo),
    /// Asked to stop before anything was written: the transaction, whole.
    Stopped(Txn<'s, K>),
}

#[derive(Default)]
struct TxnTree {
    root: TreeRoot,
    pending: BTreeMap<Vec<u8>, Change>,
}

impl<'s, K: Kvs> Txn<'s, K> {
    pub(crate) fn new(store: &'s mut MerkleStore<K>) -> Self {
        Self {
            store,
            trees: BTreeMap::new(),
            staging: Staging::default(),
            cleared: false,
        }
    }

    /// Stores `value` under `key` in `tree`, creating the tree if needed.
    pub fn put(&mut self, tree: &[u8], key: &[u8], value: &[u8]) -> Result<(), MerkleError> {
        check_key(key)?;
        self.tree_mut(tree)?
            .pending
            .insert(key.to_vec(), Change::Put(value.to_vec()));
        Ok(())
    }

    /// Removes `key` from `tree`; removing a missing key is not an error.
    pub fn delete(&mut self, tree: &[u8], key: &[u8]) -> Result<(), MerkleError> {
        check_key(key)?;
        self.tree_mut(tree)?
            .pending
            .insert(key.to_vec(), Change::Delete);
        Ok(())
    }

    /// Applies a batch to `tree`, as `put` (`Some(value)`) and `delete` (`None`) called in
    /// order would. When the keys are strictly ascending and `tree` has no buffered changes
    /// (a heap wave: object ids ascending), the batch goes into the tree at once, without
    /// buffering each key in a map and without the copies `put` makes of keys and values;
    /// otherwise it is buffered like single changes.
    pub fn apply_batch(
        &mut self,
        tree: &[u8],
        batch: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    ) -> Result<(), MerkleError> {
        for (key, _) in &batch {
            check_key(key)?;
        }
        let ascending = batch.windows(2).all(|w| w[0].0 < w[1].0);
        let changes = batch.into_iter().map(|(key, value)| {
            let change = match value {
                Some(value) => Change::Put(value),
                None => Change::Delete,
            };
            (key, change)
        });
        let state = self.tree_mut(tree)?;
        if !ascending || !state.pending.is_empty() {
            state.pending.extend(changes);
            return Ok(());
        }
        let root = state.root;
        let changes: Vec<(Vec<u8>, Change)> = changes.collect();
        let snapshot = self.store.read_snapshot()?;
        let mut nodes = TxnNodes {
            store: self.store,
            staging: &mut self.staging,
        };
        let root = btree::apply(&mut nodes, root, changes)?;
        end_snapshot(snapshot)?;
        self.tree_mut(tree)?.root = root;
        Ok(())
    }

    /// The value under `key` in `tree`, as this transaction has left it.
    pub fn get(&self, tree: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>, MerkleError> {
        let root = match self.trees.get(tree) {
            None => self.base_root(tree),
            Some(None) => return Ok(None),
            Some(Some(t)) => match t.pending.get(key) {
                Some(Change::Put(value)) => return Ok(Some(value.clone())),
                Some(Change::Delete) => return Ok(None),
                None => t.root,
            },
        };
        btree::get(&self.store.view(Some(&self.staging)), root, key)
    }

    /// Number of entries in `tree`, as this transaction has left it.
    pub fn len(&mut self, tree: &[u8]) -> Result<u64, MerkleError> {
        Ok(self.flushed_root(tree)?.len)
    }

    /// Whether `tree` is empty, as this transaction has left it.
    pub fn is_empty(&mut self, tree: &[u8]) -> Result<bool, MerkleError> {
        Ok(self.len(tree)? == 0)
    }

    /// The entries of `tree` in `range`, as this transaction has left them.
    pub fn range(
        &mut self,
        tree: &[u8],
        range: impl RangeBounds<[u8]>,
    ) -> Result<Range<'_, K>, MerkleError> {
        let root = self.flushed_root(tree)?;
        Ok(Range::new(
            self.store.view(Some(&self.staging)),
            root,
            &range,
        ))
    }

    /// Removes `tree` and all its entries.
    pub fn drop_tree(&mut self, tree: &[u8]) {
        self.trees.insert(tree.to_vec(), None);
    }

    /// Empties the store: every tree is dropped, and the commit deletes every row of the
    /// state it replaces without reading any of them (one backend clear), then writes the
    /// new state whole. Changes made before are void; those made after build on empty
    /// trees. Cheaper than deleting entries when the new state is far smaller than the old.
    pub fn clear(&mut self) {
        self.trees.clear();
        // Nodes staged so far are unreachable from any tree built after the clear; there can
        // be a whole wave of them, so they are freed off the commit's path.
        let staged = std::mem::take(&mut self.staging);
        self.store.release_staging(staged);
        self.cleared = true;
    }

    /// Makes `dst` a copy of `src` as this transaction has left it, sharing every node.
    /// This is how a snapshot is pinned: the copy keeps that version alive until it is
    /// dropped or overwritten, at the cost of the rows the two versions do not share.
    pub fn copy_tree(&mut self, src: &[u8], dst: &[u8]) -> Result<(), MerkleError> {
        let root = self.flushed_root(src)?;
        check_tree_name(dst)?;
        self.trees.insert(
            dst.to_vec(),
            Some(TxnTree {
                root,
                pending: BTreeMap::new(),
            }),
        );
        Ok(())
    }

    /// Commits every change as one atomic backend batch and releases the nodes that only
    /// the previous state used. On error nothing is written and the store stays at its
    /// previous state.
    pub fn commit(self) -> Result<CommitInfo, MerkleError> {
        match self.commit_unless(&mut || false)? {
            Commit::Done(info) => Ok(info),
            Commit::Stopped(_) => unreachable!("a commit never asked to stop stopped"),
        }
    }

    /// As [`Txn::commit`], but asks `stop` now and then: while it reads what the commit
    /// needs from the store, and while the backend writes the batch (until the backend's
    /// commit itself). When `stop` says yes it gives the transaction back, unchanged and
    /// uncommitted (a write begun is rolled back), so the caller can add more changes and
    /// commit again: a writer that finds newer work queued folds it into this commit
    /// instead of committing twice.
    pub fn commit_unless(
        mut self,
        stop: &mut dyn FnMut() -> bool,
    ) -> Result<Commit<'s, K>, MerkleError> {
        let names: Vec<Vec<u8>> = self.trees.keys().cloned().collect();
        for name in &names {
            self.flushed_root(name)?;
        }
        let old = self.store.record();
        let mut trees = if self.cleared {
            BTreeMap::new()
        } else {
            old.trees.clone()
        };
        for (name, tree) in &self.trees {
            match tree {
                Some(tree) => trees.insert(name.clone(), tree.root),
                None => trees.remove(name),
            };
        }
        let new = RootRecord {
            txn_counter: old.txn_counter + 1,
            timestamp_ms: now_ms().max(old.timestamp_ms),
            trees,
        };
        let snapshot = self.store.read_snapshot()?;
        let staging = std::mem::take(&mut self.staging);
        let planned = if self.cleared {
            commit::plan_rewrite(staging, &new, stop)?
        } else {
            commit::plan(self.store, staging, old, &new, stop)?
        };
        end_snapshot(snapshot)?;
        let plan = match planned {
            Planned::Plan(plan) => plan,
            Planned::Stopped(staging) => {
                self.staging = staging;
                return Ok(Commit::Stopped(self));
            }
        };
        if self.store.write_unless(&plan.batch, stop)? {
            return Ok(Commit::Done(self.store.committed(new, plan)));
        }
        self.staging = plan.into_staging();
        Ok(Commit::Stopped(self))
    }

    /// The tree's version with its buffered changes applied.
    fn flushed_root(&mut self, tree: &[u8]) -> Result<TreeRoot, MerkleError> {
        let Some(Some(state)) = self.trees.get_mut(tree) else {
            return Ok(match self.trees.get(tree) {
                Some(_) => TreeRoot::default(),
                None => self.base_root(tree),
            });
        };
        if !state.pending.is_empty() {
            let changes: Vec<(Vec<u8>, Change)> =
                std::mem::take(&mut state.pending).into_iter().collect();
            let snapshot = self.store.read_snapshot()?;
            let mut nodes = TxnNodes {
                store: self.store,
                staging: &mut self.staging,
            };
            state.root = btree::apply(&mut nodes, state.root, changes)?;
            end_snapshot(snapshot)?;
        }
        Ok(state.root)
    }

    /// The version of a tree this transaction has not touched: as stored, or empty once
    /// the transaction cleared the store.
    fn base_root(&self, tree: &[u8]) -> TreeRoot {
        if self.cleared {
            TreeRoot::default()
        } else {
            self.store.tree_root(tree)
        }
    }

    fn tree_mut(&mut self, tree: &[u8]) -> Result<&mut TxnTree, MerkleError> {
        // Looked up before inserting so that the common case (a tree already touched)
        // does not allocate its name on every write.
        if !self.trees.contains_key(tree) {
            check_tree_name(tree)?;
            let root = self.base_root(tree);
            self.trees.insert(
                tree.to_vec(),
                Some(TxnTree {
                    root,
                    pending: BTreeMap::new(),
                }),
            );
        }
        let slot = self
            .trees
            .get_mut(tree)
            .expect("inserted above when absent");
        Ok(slot.get_or_insert_with(TxnTree::default))
    }
}

impl<K: Kvs> std::fmt::Debug for Txn<'_, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Txn")
            .field("trees_touched", &self.trees.len())
            .field("staged_nodes", &self.staging.len())
            .field("cleared", &self.cleared)
            .finish_non_exhaustive()
    }
}

fn check_key(key: &[u8]) -> Result<(), MerkleError> {
    if key.len() > MAX_KEY_LEN {
        return Err(MerkleError::KeyTooLong { len: key.len() });
    }
    Ok(())
}

fn check_tree_name(name: &[u8]) -> Result<(), MerkleError> {
    if name.len() > MAX_TREE_NAME_LEN {
        return Err(MerkleError::TreeNameTooLong { len: name.len() });
    }
    Ok(())
}

/// Node access for applying changes inside a transaction.
struct TxnNodes<'a, K: Kvs> {
    store: &'a MerkleStore<K>,
    staging: &'a mut Staging,
}

impl<K: Kvs> LoadNode for TxnNodes<'_, K> {
    fn load(&self, address: &Address) -> Result<Arc<Node>, MerkleError> {
        self.store.view(Some(self.staging)).load(address)
    }
}

impl<K: Kvs> NodeSource for TxnNodes<'_, K> {
    fn stage(&mut self, node: Node) -> Result<Address, MerkleError> {
        Ok(self.staging.insert(self.store.hasher(), node))
    }
}
