//! Persistent copy-on-write B+-trees of order [`ORDER`] over content-addressed nodes.
//!
//! Leaves hold the entries (at most [`ORDER`]), branches hold at most [`ORDER`] children
//! and the separators between them; every non-root node is at least half full. A version
//! of a tree is just a [`TreeRoot`]; changing it stages new nodes along the touched paths
//! and shares everything else with the old version.

mod apply;
mod iter;
#[cfg(test)]
mod tests;

pub(crate) use apply::apply;
pub(crate) use iter::RangeIter;

use super::error::MerkleError;
use super::node::{Address, Node, Value};
use super::source::LoadNode;

/// One version of a tree: its root node (none when empty) and its number of entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct TreeRoot {
    pub(crate) root: Option<Address>,
    pub(crate) len: u64,
}

/// A change to one key, as applied by [`apply`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    Put(Vec<u8>),
    Delete,
}

/// The value stored under `key`.
pub(crate) fn get(
    src: &(impl LoadNode + ?Sized),
    tree: TreeRoot,
    key: &[u8],
) -> Result<Option<Vec<u8>>, MerkleError> {
    let Some(mut address) = tree.root else {
        return Ok(None);
    };
    let mut expected_height = None;
    loop {
        let node = src.load(&address)?;
        // Heights strictly decrease on the way down, which bounds the descent.
        if expected_height.is_some_and(|h| h != node.height()) {
            return Err(MerkleError::corrupted(
                "tree",
                format!("node {address} has the wrong height"),
            ));
        }
        match &*node {
            Node::Leaf(leaf) => {
                return match leaf.entries.binary_search_by(|e| e.key.as_slice().cmp(key)) {
                    Ok(i) => resolve_value(src, &leaf.entries[i].value).map(Some),
                    Err(_) => Ok(None),
                };
            }
            Node::Branch(branch) => {
                let i = branch.separators.partition_point(|s| s.as_slice() <= key);
                address = branch.children[i];
                expected_height = Some(branch.height - 1);
            }
            Node::Blob(_) => {
                return Err(MerkleError::corrupted(
                    "tree",
                    format!("blob {address} linked as a tree node"),
                ));
            }
        }
    }
}

/// The bytes of a leaf value, reading its blob node when it is not inline.
pub(crate) fn resolve_value(
    src: &(impl LoadNode + ?Sized),
    value: &Value,
) -> Result<Vec<u8>, MerkleError> {
    match value {
        Value::Inline(bytes) => Ok(bytes.clone()),
        Value::External { address, len } => match &*src.load(address)? {
            Node::Blob(bytes) if bytes.len() as u64 == *len => Ok(bytes.clone()),
            _ => Err(MerkleError::corrupted(
                "tree",
                format!("value node {address} is not a blob of {len} bytes"),
            )),
        },
    }
}
