//! Range iteration over a tree version, from either end.

use std::ops::Bound;
use std::sync::Arc;

use super::{TreeRoot, resolve_value};
use crate::merkle::error::MerkleError;
use crate::merkle::node::{Address, Entry, Node};
use crate::merkle::source::LoadNode;

/// An entry: key and value.
pub(crate) type KeyValue = (Vec<u8>, Vec<u8>);

/// The entries of a tree version within a key range, in ascending order from the front
/// and descending from the back (the two ends never cross). Items are `Err` when a node
/// cannot be read; the iterator ends after the first error.
pub(crate) struct RangeIter<S: LoadNode> {
    src: S,
    root: Option<Address>,
    lower: Bound<Vec<u8>>,
    upper: Bound<Vec<u8>>,
    /// `None` until the first step from that end.
    front: Option<Cursor>,
    back: Option<Cursor>,
    front_last: Option<Vec<u8>>,
    back_last: Option<Vec<u8>>,
    done: bool,
}

impl<S: LoadNode> RangeIter<S> {
    pub(crate) fn new(
        src: S,
        tree: TreeRoot,
        lower: Bound<Vec<u8>>,
        upper: Bound<Vec<u8>>,
    ) -> Self {
        Self {
            src,
            root: tree.root,
            lower,
            upper,
            front: None,
            back: None,
            front_last: None,
            back_last: None,
            done: false,
        }
    }

    fn step_front(&mut self) -> Result<Option<KeyValue>, MerkleError> {
        let Some(root) = self.root else {
            return Ok(None);
        };
        let cursor = match &mut self.front {
            Some(cursor) => {
                cursor.advance(&self.src)?;
                cursor
            }
            None => self
                .front
                .insert(Cursor::seek_first(&self.src, root, as_ref(&self.lower))?),
        };
        let Some(entry) = cursor.entry() else {
            return Ok(None);
        };
        let past_end = match &self.upper {
            Bound::Included(u) => entry.key > *u,
            Bound::Excluded(u) => entry.key >= *u,
            Bound::Unbounded => false,
        };
        if past_end || self.back_last.as_ref().is_some_and(|b| entry.key >= *b) {
            return Ok(None);
        }
        let value = resolve_value(&self.src, &entry.value)?;
        self.front_last = Some(entry.key.clone());
        Ok(Some((entry.key.clone(), value)))
    }

    fn step_back(&mut self) -> Result<Option<KeyValue>, MerkleError> {
        let Some(root) = self.root else {
            return Ok(None);
        };
        let cursor = match &mut self.back {
            Some(cursor) => {
                cursor.retreat(&self.src)?;
                cursor
            }
            None => self
                .back
                .insert(Cursor::seek_last(&self.src, root, as_ref(&self.upper))?),
        };
        let Some(entry) = cursor.entry() else {
            return Ok(None);
        };
        let before_start = match &self.lower {
            Bound::Included(l) => entry.key < *l,
            Bound::Excluded(l) => entry.key <= *l,
            Bound::Unbounded => false,
        };
        if before_start || self.front_last.as_ref().is_some_and(|f| entry.key <= *f) {
            return Ok(None);
        }
        let value = resolve_value(&self.src, &entry.value)?;
        self.back_last = Some(entry.key.clone());
        Ok(Some((entry.key.clone(), value)))
    }

    fn finish(
        &mut self,
        step: Result<Option<KeyValue>, MerkleError>,
    ) -> Option<Result<KeyValue, MerkleError>> {
        match step {
            Ok(Some(item)) => Some(Ok(item)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl<S: LoadNode> Iterator for RangeIter<S> {
    type Item = Result<KeyValue, MerkleError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step_front();
        self.finish(step)
    }
}

impl<S: LoadNode> DoubleEndedIterator for RangeIter<S> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step_back();
        self.finish(step)
    }
}

fn as_ref(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k),
        Bound::Excluded(k) => Bound::Excluded(k),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// A position in a tree: the path from the root, each node with the index of the child
/// (branches) or entry (the leaf at the end) the position is at. Empty when exhausted.
struct Cursor {
    path: Vec<(Arc<Node>, usize)>,
}

#[derive(Clone, Copy)]
enum Side {
    First,
    Last,
}

impl Cursor {
    /// At the first entry at or after `lower`.
    fn seek_first(
        src: &(impl LoadNode + ?Sized),
        root: Address,
        lower: Bound<&[u8]>,
    ) -> Result<Cursor, MerkleError> {
        let mut cursor = Cursor::descend_to(src, root, |node| match node {
            Node::Branch(b) => match lower {
                Bound::Unbounded => 0,
                Bound::Included(k) | Bound::Excluded(k) => {
                    b.separators.partition_point(|s| s.as_slice() <= k)
                }
            },
            Node::Leaf(l) => match lower {
                Bound::Unbounded => 0,
                Bound::Included(k) => l.entries.partition_point(|e| e.key.as_slice() < k),
                Bound::Excluded(k) => l.entries.partition_point(|e| e.key.as_slice() <= k),
            },
            Node::Blob(_) => 0,
        })?;
        cursor.settle_forward(src)?;
        Ok(cursor)
    }

    /// At the last entry at or before `upper`.
    fn seek_last(
        src: &(impl LoadNode + ?Sized),
        root: Address,
        upper: Bound<&[u8]>,
    ) -> Result<Cursor, MerkleError> {
        // The leaf index is one past the wanted entry; `retreat` steps onto it, moving to
        // the previous leaf when no entry of this one qualifies.
        let mut cursor = Cursor::descend_to(src, root, |node| match node {
            Node::Branch(b) => match upper {
                Bound::Unbounded => b.children.len() - 1,
                Bound::Included(k) => b.separators.partition_point(|s| s.as_slice() <= k),
                Bound::Excluded(k) => b.separators.partition_point(|s| s.as_slice() < k),
            },
            Node::Leaf(l) => match upper {
                Bound::Unbounded => l.entries.len(),
                Bound::Included(k) => l.entries.partition_point(|e| e.key.as_slice() <= k),
                Bound::Excluded(k) => l.entries.partition_point(|e| e.key.as_slice() < k),
            },
            Node::Blob(_) => 0,
        })?;
        cursor.retreat(src)?;
        Ok(cursor)
    }

    fn descend_to(
        src: &(impl LoadNode + ?Sized),
        root: Address,
        mut choose: impl FnMut(&Node) -> usize,
    ) -> Result<Cursor, MerkleError> {
        let node = src.load(&root)?;
        let index = choose(&node);
        let mut cursor = Cursor {
            path: vec![(node, index)],
        };
        while cursor.at_branch() {
            cursor.push_child(src, &mut choose)?;
        }
        if !cursor.at_leaf() {
            return Err(not_a_tree_node(root));
        }
        Ok(cursor)
    }

    fn at_branch(&self) -> bool {
        matches!(self.path.last(), Some((node, _)) if matches!(**node, Node::Branch(_)))
    }

    fn at_leaf(&self) -> bool {
        matches!(self.path.last(), Some((node, _)) if matches!(**node, Node::Leaf(_)))
    }

    /// Loads the child the top branch points at and pushes it, positioned by `choose`.
    fn push_child(
        &mut self,
        src: &(impl LoadNode + ?Sized),
        choose: &mut impl FnMut(&Node) -> usize,
    ) -> Result<(), MerkleError> {
        let Some((node, index)) = self.path.last() else {
            return Ok(());
        };
        let Node::Branch(branch) = &**node else {
            return Ok(());
        };
        let address = branch.children[*index];
        let child = src.load(&address)?;
        // Heights strictly decrease on the way down, which bounds every descent.
        if child.height() + 1 != branch.height || matches!(*child, Node::Blob(_)) {
            return Err(not_a_tree_node(address));
        }
        let index = choose(&child);
        self.path.push((child, index));
        Ok(())
    }

    fn descend(&mut self, src: &(impl LoadNode + ?Sized), side: Side) -> Result<(), MerkleError> {
        let mut choose = |node: &Node| match (side, node) {
            (Side::Last, Node::Branch(b)) => b.children.len() - 1,
            (Side::Last, Node::Leaf(l)) => l.entries.len(),
            _ => 0,
        };
        while self.at_branch() {
            self.push_child(src, &mut choose)?;
        }
        Ok(())
    }

    fn entry(&self) -> Option<&Entry> {
        match self.path.last() {
            Some((node, index)) => match &**node {
                Node::Leaf(leaf) => leaf.entries.get(*index),
                _ => None,
            },
            None => None,
        }
    }

    fn advance(&mut self, src: &(impl LoadNode + ?Sized)) -> Result<(), MerkleError> {
        if let Some((_, index)) = self.path.last_mut() {
            *index += 1;
        }
        self.settle_forward(src)
    }

    /// Moves forward until the position is at an entry, or empties the path.
    fn settle_forward(&mut self, src: &(impl LoadNode + ?Sized)) -> Result<(), MerkleError> {
        while let Some((node, index)) = self.path.last() {
            if let Node::Leaf(leaf) = &**node
                && *index < leaf.entries.len()
            {
                return Ok(());
            }
            self.path.pop();
            loop {
                let Some((node, index)) = self.path.last_mut() else {
                    return Ok(());
                };
                *index += 1;
                if let Node::Branch(b) = &**node
                    && *index < b.children.len()
                {
                    break;
                }
                self.path.pop();
            }
            self.descend(src, Side::First)?;
        }
        Ok(())
    }

    /// Moves to the previous entry, or empties the path.
    fn retreat(&mut self, src: &(impl LoadNode + ?Sized)) -> Result<(), MerkleError> {
        loop {
            let Some((_, index)) = self.path.last_mut() else {
                return Ok(());
            };
            if *index > 0 {
                *index -= 1;
                return Ok(());
            }
            self.path.pop();
            loop {
                let Some((_, index)) = self.path.last_mut() else {
                    return Ok(());
                };
                if *index > 0 {
                    *index -= 1;
                    break;
                }
                self.path.pop();
            }
            self.descend(src, Side::Last)?;
        }
    }
}

fn not_a_tree_node(address: Address) -> MerkleError {
    MerkleError::corrupted(
        "tree",
        format!("node {address} is not where the tree expects it"),
    )
}
