//! Applying a sorted batch of changes to a persistent B-tree.
//!
//! One recursive pass: the changes are partitioned among the children they route to,
//! each touched subtree returns the list of same-height subtrees that replace it (none
//! when emptied, several when it overflowed), and every level then repairs underfull
//! members by merging with a neighbour and re-splitting evenly (which is a borrow when
//! the pair holds more than one node's worth). New content stays in memory as [`Part`]s
//! until the final shape is known, so each touched node is staged once per batch, and
//! untouched subtrees are shared by address (path copying).

use super::{Change, TreeRoot};
use crate::merkle::error::MerkleError;
use crate::merkle::node::{Address, Branch, Entry, Leaf, Node, Value};
use crate::merkle::source::NodeSource;
use crate::merkle::{INLINE_MAX, MAX_HEIGHT, MIN_FILL, ORDER};

/// A subtree being rebuilt.
enum Part {
    /// An existing subtree, shared unchanged. Valid by the tree invariants.
    Linked(Address),
    /// A new leaf; may be underfull until its level is repaired.
    Leaf(Vec<Entry>),
    /// A new branch over subtrees one level down; may be underfull likewise.
    Branch(Vec<Item>),
}

/// A member of a level: a subtree and a lower bound on its keys. The first member of a
/// node's list has no bound of its own (its bound is the parent's), so its `bound` is
/// ignored until it is moved behind another member.
struct Item {
    bound: Vec<u8>,
    part: Part,
}

impl Part {
    fn is_underfull(&self) -> bool {
        match self {
            Part::Linked(_) => false,
            Part::Leaf(entries) => entries.len() < MIN_FILL,
            Part::Branch(items) => items.len() < MIN_FILL,
        }
    }
}

/// Applies `changes` (keys strictly increasing) to `tree` and returns the new version.
/// The keys and values move into the new nodes.
pub(crate) fn apply(
    src: &mut impl NodeSource,
    tree: TreeRoot,
    mut changes: Vec<(Vec<u8>, Change)>,
) -> Result<TreeRoot, MerkleError> {
    debug_assert!(changes.windows(2).all(|w| w[0].0 < w[1].0));
    if changes.is_empty() {
        return Ok(tree);
    }
    let mut len = tree.len;
    let (mut items, mut level) = match tree.root {
        None => (
            split_leaf(merge_entries(src, &[], &mut changes, &mut len)?),
            0,
        ),
        Some(root) => {
            let height = src.load(&root)?.height();
            (
                apply_node(src, root, height, &mut changes, &mut len)?,
                height,
            )
        }
    };
    loop {
        normalize(src, &mut items, level)?;
        if items.len() > 1 {
            items = split_branch(items);
            level += 1;
            if level > MAX_HEIGHT {
                return Err(MerkleError::corrupted("tree", "height limit exceeded"));
            }
            continue;
        }
        let Some(item) = items.pop() else {
            return Ok(TreeRoot { root: None, len });
        };
        match item.part {
            // A root branch needs two children; one child becomes the root itself.
            Part::Branch(children) if children.len() == 1 => {
                items = children;
                level -= 1;
            }
            part => {
                let root = stage_part(src, part, level)?;
                return Ok(TreeRoot {
                    root: Some(root),
                    len,
                });
            }
        }
    }
}

/// Applies `changes` to the subtree at `address`, which must have height `height`;
/// returns the subtrees (at that height) that replace it. Consumes the keys and values of
/// `changes` (it leaves them empty).
fn apply_node(
    src: &mut impl NodeSource,
    address: Address,
    height: u8,
    changes: &mut [(Vec<u8>, Change)],
    len: &mut u64,
) -> Result<Vec<Item>, MerkleError> {
    let node = src.load(&address)?;
    if node.height() != height {
        return Err(height_mismatch(address));
    }
    match &*node {
        Node::Leaf(leaf) => Ok(split_leaf(merge_entries(src, &leaf.entries, changes, len)?)),
        Node::Branch(branch) => {
            let mut items = Vec::with_capacity(branch.children.len() + 2);
            let mut rest = changes;
            for (i, child) in branch.children.iter().enumerate() {
                let bound = if i == 0 {
                    Vec::new()
                } else {
                    branch.separators[i - 1].clone()
                };
                let mine = match branch.separators.get(i) {
                    Some(upper) => rest.partition_point(|(key, _)| key < upper),
                    None => rest.len(),
                };
                let (here, after) = rest.split_at_mut(mine);
                rest = after;
                if here.is_empty() {
                    items.push(Item {
                        bound,
                        part: Part::Linked(*child),
                    });
                } else {
                    let mut replaced = apply_node(src, *child, height - 1, here, len)?;
                    if let Some(first) = replaced.first_mut() {
                        first.bound = bound;
                    }
                    items.extend(replaced);
                }
            }
            normalize(src, &mut items, height - 1)?;
            Ok(split_branch(items))
        }
        Node::Blob(_) => Err(MerkleError::corrupted(
            "tree",
            format!("blob {address} linked as a tree node"),
        )),
    }
}

/// Merges sorted `changes` into sorted `entries`, counting inserted and removed keys.
/// The keys and values of `changes` move into the result.
fn merge_entries(
    src: &mut impl NodeSource,
    entries: &[Entry],
    changes: &mut [(Vec<u8>, Change)],
    len: &mut u64,
) -> Result<Vec<Entry>, MerkleError> {
    let mut out = Vec::with_capacity(entries.len() + changes.len());
    let mut old = entries.iter().peekable();
    for (key, change) in changes {
        while let Some(entry) = old.next_if(|e| e.key < *key) {
            out.push(entry.clone());
        }
        let existed = old.next_if(|e| e.key == *key).is_some();
        match change {
            Change::Put(value) => {
                let value = make_value(src, key, std::mem::take(value))?;
                out.push(Entry {
                    key: std::mem::take(key),
                    value,
                });
                if !existed {
                    *len += 1;
                }
            }
            Change::Delete => {
                if existed {
                    *len = len.saturating_sub(1);
                }
            }
        }
    }
    out.extend(old.cloned());
    Ok(out)
}

fn make_value(src: &mut impl NodeSource, key: &[u8], value: Vec<u8>) -> Result<Value, MerkleError> {
    if key.len() + value.len() <= INLINE_MAX {
        Ok(Value::Inline(value))
    } else {
        let len = value.len() as u64;
        let address = src.stage(Node::Blob(value))?;
        Ok(Value::External { address, len })
    }
}

/// Repairs a level: while some member is underfull and it has a neighbour, merge the two
/// and re-split evenly. Each step removes a member or an underfull one, so it ends.
fn normalize(
    src: &mut impl NodeSource,
    items: &mut Vec<Item>,
    level: u8,
) -> Result<(), MerkleError> {
    while items.len() > 1 {
        let Some(i) = items.iter().position(|item| item.part.is_underfull()) else {
            return Ok(());
        };
        let left = if i + 1 < items.len() { i } else { i - 1 };
        let right = items.remove(left + 1);
        let first = items.remove(left);
        let merged = merge_pair(src, first, right, level)?;
        items.splice(left..left, merged);
    }
    Ok(())
}

fn merge_pair(
    src: &mut impl NodeSource,
    left: Item,
    right: Item,
    level: u8,
) -> Result<Vec<Item>, MerkleError> {
    let left_bound = left.bound;
    let right_bound = right.bound;
    let mut merged = match (open(src, left.part, level)?, open(src, right.part, level)?) {
        (Part::Leaf(mut a), Part::Leaf(b)) => {
            a.extend(b);
            split_leaf(a)
        }
        (Part::Branch(mut a), Part::Branch(mut b)) => {
            if let Some(first) = b.first_mut() {
                first.bound = right_bound;
            }
            a.extend(b);
            // A lone child (left by a branch that lost all its siblings) may be underfull.
            normalize(src, &mut a, level - 1)?;
            split_branch(a)
        }
        _ => {
            return Err(MerkleError::corrupted(
                "tree",
                "siblings of different kinds",
            ));
        }
    };
    if let Some(first) = merged.first_mut() {
        first.bound = left_bound;
    }
    Ok(merged)
}

/// Turns a linked subtree into editable content, checking it has the expected height.
fn open(src: &mut impl NodeSource, part: Part, level: u8) -> Result<Part, MerkleError> {
    let Part::Linked(address) = part else {
        return Ok(part);
    };
    let node = src.load(&address)?;
    if node.height() != level {
        return Err(height_mismatch(address));
    }
    match &*node {
        Node::Leaf(leaf) => Ok(Part::Leaf(leaf.entries.clone())),
        Node::Branch(branch) => Ok(Part::Branch(
            branch
                .children
                .iter()
                .enumerate()
                .map(|(i, child)| Item {
                    bound: if i == 0 {
                        Vec::new()
                    } else {
                        branch.separators[i - 1].clone()
                    },
                    part: Part::Linked(*child),
                })
                .collect(),
        )),
        Node::Blob(_) => Err(MerkleError::corrupted(
            "tree",
            format!("blob {address} linked as a tree node"),
        )),
    }
}

/// Sizes of an even split of `n` members into nodes of at most [`ORDER`]; every size is at
/// least [`MIN_FILL`] when `n > ORDER`.
fn chunk_sizes(n: usize) -> impl Iterator<Item = usize> {
    let chunks = n.div_ceil(ORDER).max(1);
    (0..chunks).map(move |i| n / chunks + usize::from(i < n % chunks))
}

fn split_leaf(entries: Vec<Entry>) -> Vec<Item> {
    if entries.is_empty() {
        return Vec::new();
    }
    let mut rest = entries.into_iter();
    chunk_sizes(rest.len())
        .map(|size| {
            let chunk: Vec<Entry> = rest.by_ref().take(size).collect();
            Item {
                bound: chunk[0].key.clone(),
                part: Part::Leaf(chunk),
            }
        })
        .collect()
}

fn split_branch(items: Vec<Item>) -> Vec<Item> {
    if items.is_empty() {
        return Vec::new();
    }
    let mut rest = items.into_iter();
    chunk_sizes(rest.len())
        .map(|size| {
            let mut chunk: Vec<Item> = rest.by_ref().take(size).collect();
            Item {
                bound: std::mem::take(&mut chunk[0].bound),
                part: Part::Branch(chunk),
            }
        })
        .collect()
}

/// Stages a finished part bottom-up and returns its address.
fn stage_part(src: &mut impl NodeSource, part: Part, level: u8) -> Result<Address, MerkleError> {
    match part {
        Part::Linked(address) => Ok(address),
        Part::Leaf(entries) => src.stage(Node::Leaf(Leaf { entries })),
        Part::Branch(items) => {
            let mut separators = Vec::with_capacity(items.len().saturating_sub(1));
            let mut children = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    separators.push(item.bound);
                }
                children.push(stage_part(src, item.part, level - 1)?);
            }
            src.stage(Node::Branch(Branch {
                height: level,
                separators,
                children,
            }))
        }
    }
}

fn height_mismatch(address: Address) -> MerkleError {
    MerkleError::corrupted("tree", format!("node {address} has the wrong height"))
}
