//! fsck: walks everything reachable from the root record and compares it with what is
//! stored. Damage is reported, never returned as an error and never a panic; walks are
//! iterative and every link is checked against the height its parent implies.

use std::collections::HashSet;
use std::fmt;
use std::ops::ControlFlow;

use super::error::MerkleError;
use super::node::{Address, AddressMap, AddressSet, Node};
use super::root::RootRecord;
use super::store::{MerkleStore, NODES, REFCOUNTS, ROOT, ROOT_KEY, decode_refcount};
use crate::encrypted::{Error as StoreError, RowKey, is_reserved_row};
use crate::kvs::Kvs;

/// How many offending keys of each kind a report lists (counts are always complete).
pub const FSCK_FIRST_LIMIT: usize = 16;

/// A count of problems of one kind and the first few of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Findings<T> {
    /// How many were found.
    pub count: u64,
    /// The first [`FSCK_FIRST_LIMIT`] found, in the order found.
    pub first: Vec<T>,
}

impl<T> Default for Findings<T> {
    fn default() -> Self {
        Self {
            count: 0,
            first: Vec::new(),
        }
    }
}

impl<T> Findings<T> {
    fn push(&mut self, item: T) {
        self.count += 1;
        if self.first.len() < FSCK_FIRST_LIMIT {
            self.first.push(item);
        }
    }

    /// Whether none were found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// A stored reference count that differs from the number of references found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefcountMismatch {
    /// The node.
    pub address: Address,
    /// The stored count (1 when there is no count row); `None` if the count row is
    /// unreadable or malformed.
    pub stored: Option<u64>,
    /// References found: links from reachable nodes plus root-record entries.
    pub expected: u64,
}

/// A tree whose recorded length differs from the entries found under its root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LenMismatch {
    /// The tree's name.
    pub tree: Vec<u8>,
    /// The length in the root record.
    pub recorded: u64,
    /// Entries counted.
    pub counted: u64,
}

/// What [`MerkleStore::fsck`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FsckReport {
    /// Why the root record could not be read, if it could not; nothing else is checked then.
    pub root_record: Option<String>,
    /// Transaction counter of the root record checked.
    pub txn_counter: u64,
    /// Trees named in the root record.
    pub trees: u64,
    /// Distinct nodes reached from the root record.
    pub nodes_reached: u64,
    /// Reachable nodes that have a count row (a count above 1).
    pub count_rows: u64,
    /// Backend rows examined.
    pub rows_scanned: u64,
    /// Linked nodes with no row.
    pub missing: Findings<Address>,
    /// Node rows that fail authentication (layer 2 cannot open them).
    pub undecryptable: Findings<Address>,
    /// Node rows that open but whose content does not hash to their address.
    pub hash_mismatch: Findings<Address>,
    /// Nodes that hash correctly but are malformed or sit where the tree does not allow
    /// them (wrong height, a blob where a tree node belongs, and so on).
    pub malformed: Findings<Address>,
    /// Stored reference counts that differ from the references found.
    pub refcount_mismatch: Findings<RefcountMismatch>,
    /// Recorded tree lengths that differ from the entries found.
    pub len_mismatch: Findings<LenMismatch>,
    /// Rows nothing references (neither layer 2's reserved rows, the root record, a
    /// reachable node, nor a reachable node's count row).
    pub stray_rows: Findings<RowKey>,
}

impl FsckReport {
    /// Whether no damage of any kind was found.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.root_record.is_none()
            && self.missing.is_empty()
            && self.undecryptable.is_empty()
            && self.hash_mismatch.is_empty()
            && self.malformed.is_empty()
            && self.refcount_mismatch.is_empty()
            && self.len_mismatch.is_empty()
            && self.stray_rows.is_empty()
    }
}

/// The report as `pscheme fsck` prints it: what was checked, then each kind of damage with
/// its count and the first offenders, one per line.
impl fmt::Display for FsckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.root_record {
            return writeln!(
                f,
                "root record:          unreadable ({why}); nothing else checked"
            );
        }
        writeln!(f, "transaction:          {}", self.txn_counter)?;
        writeln!(f, "trees:                {}", self.trees)?;
        writeln!(f, "nodes reached:        {}", self.nodes_reached)?;
        writeln!(f, "count rows:           {}", self.count_rows)?;
        writeln!(f, "rows scanned:         {}", self.rows_scanned)?;
        write_findings(f, "missing nodes", &self.missing)?;
        write_findings(f, "undecryptable nodes", &self.undecryptable)?;
        write_findings(f, "hash mismatches", &self.hash_mismatch)?;
        write_findings(f, "malformed nodes", &self.malformed)?;
        write_findings(f, "refcount mismatches", &self.refcount_mismatch)?;
        write_findings(f, "length mismatches", &self.len_mismatch)?;
        write_findings(f, "stray rows", &self.stray_rows)
    }
}

fn write_findings<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    found: &Findings<T>,
) -> fmt::Result {
    writeln!(f, "{:<22}{}", format!("{what}:"), found.count)?;
    for item in &found.first {
        writeln!(f, "  {item}")?;
    }
    let listed = found.first.len() as u64;
    if found.count > listed {
        writeln!(f, "  ... and {} more", found.count - listed)?;
    }
    Ok(())
}

impl fmt::Display for RefcountMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.stored {
            Some(stored) => write!(f, "{}: stored {stored}", self.address)?,
            None => write!(f, "{}: count row unreadable", self.address)?,
        }
        write!(f, ", references found {}", self.expected)
    }
}

impl fmt::Display for LenMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tree {}: recorded {}, entries found {}",
            self.tree.escape_ascii(),
            self.recorded,
            self.counted
        )
    }
}

/// What a link says its target must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A tree root: a leaf or branch of any height.
    Root,
    /// A child of a branch: a leaf or branch of this height.
    Child(u8),
    /// A value of a leaf.
    Blob,
}

/// What a reachable node turned out to be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    Tree { height: u8, entries: u64 },
    Blob,
    Bad,
}

pub(crate) fn check<K: Kvs>(store: &MerkleStore<K>) -> Result<FsckReport, MerkleError> {
    let mut report = FsckReport::default();
    let record = match read_record(store)? {
        Ok(record) => record,
        Err(problem) => {
            report.root_record = Some(problem);
            return Ok(report);
        }
    };
    report.txn_counter = record.txn_counter;
    report.trees = record.trees.len() as u64;

    let mut found: AddressMap<Found> = AddressMap::default();
    let mut children: AddressMap<Vec<Address>> = AddressMap::default();
    let mut expected: AddressMap<u64> = AddressMap::default();
    let mut stack: Vec<(Address, Role)> = Vec::new();
    for root in record.root_refs() {
        stack.push((root, Role::Root));
    }
    while let Some((address, role)) = stack.pop() {
        *expected.entry(address).or_insert(0) += 1;
        if let Some(seen) = found.get(&address) {
            if !fits(*seen, role) && *seen != Found::Bad {
                report.malformed.push(address);
            }
            continue;
        }
        let node = match store.read_node_uncached(&address) {
            Ok(node) => node,
            Err(e) => {
                classify(&mut report, address, e)?;
                found.insert(address, Found::Bad);
                continue;
            }
        };
        let this = match &node {
            Node::Leaf(leaf) => Found::Tree {
                height: 0,
                entries: leaf.entries.len() as u64,
            },
            Node::Branch(branch) => Found::Tree {
                height: branch.height,
                entries: 0,
            },
            Node::Blob(_) => Found::Blob,
        };
        if !fits(this, role) {
            report.malformed.push(address);
            found.insert(address, Found::Bad);
            continue;
        }
        found.insert(address, this);
        let links = node.links();
        let child_role = match &node {
            Node::Branch(branch) => Role::Child(branch.height - 1),
            _ => Role::Blob,
        };
        for link in &links {
            stack.push((*link, child_role));
        }
        if matches!(node, Node::Branch(_)) {
            children.insert(address, links);
        }
    }
    report.nodes_reached = found.len() as u64;

    check_lengths(&record, &found, &children, &mut report);
    let count_rows = check_refcounts(store, &expected, &mut report)?;
    report.count_rows = count_rows.len() as u64;
    find_strays(store, &found, &count_rows, &mut report)?;
    Ok(report)
}

fn fits(found: Found, role: Role) -> bool {
    match (found, role) {
        (Found::Tree { .. }, Role::Root) | (Found::Blob, Role::Blob) => true,
        (Found::Tree { height, .. }, Role::Child(want)) => height == want,
        _ => false,
    }
}

/// The root record as stored now (not as this handle last saw it); the inner `Err` is a
/// description of why it is unusable.
fn read_record<K: Kvs>(store: &MerkleStore<K>) -> Result<Result<RootRecord, String>, MerkleError> {
    match store.encrypted().get(ROOT, ROOT_KEY) {
        Ok(Some(bytes)) => Ok(RootRecord::decode(&bytes).map_err(|e| e.to_string())),
        Ok(None) => Ok(Err("the root record is missing".to_owned())),
        Err(e @ StoreError::Tampered { .. }) => Ok(Err(e.to_string())),
        Err(e) => Err(e.into()),
    }
}

/// Files a node that could not be read under the right heading; backend failures are
/// returned, since they say nothing about the store's contents.
fn classify(report: &mut FsckReport, address: Address, e: MerkleError) -> Result<(), MerkleError> {
    match e {
        MerkleError::MissingNode { .. } => report.missing.push(address),
        MerkleError::Store(StoreError::Tampered { .. }) => report.undecryptable.push(address),
        MerkleError::Tampered { .. } => report.hash_mismatch.push(address),
        MerkleError::Corrupted { .. } => report.malformed.push(address),
        other => return Err(other),
    }
    Ok(())
}

/// Counts entries bottom-up (heights bound the recursion) and compares with the record.
fn check_lengths(
    record: &RootRecord,
    found: &AddressMap<Found>,
    children: &AddressMap<Vec<Address>>,
    report: &mut FsckReport,
) {
    fn entries(
        address: Address,
        found: &AddressMap<Found>,
        children: &AddressMap<Vec<Address>>,
        memo: &mut AddressMap<Option<u64>>,
    ) -> Option<u64> {
        if let Some(known) = memo.get(&address) {
            return *known;
        }
        let count = match found.get(&address) {
            Some(Found::Tree { height: 0, entries }) => Some(*entries),
            Some(Found::Tree { .. }) => children.get(&address).and_then(|kids| {
                kids.iter().try_fold(0u64, |sum, kid| {
                    Some(sum + entries(*kid, found, children, memo)?)
                })
            }),
            _ => None,
        };
        memo.insert(address, count);
        count
    }
    let mut memo = AddressMap::default();
    for (name, tree) in &record.trees {
        let counted = match tree.root {
            None => Some(0),
            Some(root) => entries(root, found, children, &mut memo),
        };
        // Damage below the root is reported already; its length cannot be known.
        if let Some(counted) = counted
            && counted != tree.len
        {
            report.len_mismatch.push(LenMismatch {
                tree: name.clone(),
                recorded: tree.len,
                counted,
            });
        }
    }
}

/// Compares stored counts with references found; returns the nodes with a count row.
fn check_refcounts<K: Kvs>(
    store: &MerkleStore<K>,
    expected: &AddressMap<u64>,
    report: &mut FsckReport,
) -> Result<AddressSet, MerkleError> {
    let mut count_rows = AddressSet::default();
    let mut sorted: Vec<(&Address, &u64)> = expected.iter().collect();
    sorted.sort_unstable();
    for (address, want) in sorted {
        let stored = match store.encrypted().get(REFCOUNTS, address.as_bytes()) {
            Ok(None) => Some(1),
            Ok(Some(bytes)) => {
                count_rows.insert(*address);
                decode_refcount(&bytes)
            }
            Err(StoreError::Tampered { .. }) => {
                count_rows.insert(*address);
                None
            }
            Err(e) => return Err(e.into()),
        };
        if stored != Some(*want) {
            report.refcount_mismatch.push(RefcountMismatch {
                address: *address,
                stored,
                expected: *want,
            });
        }
    }
    Ok(count_rows)
}

fn find_strays<K: Kvs>(
    store: &MerkleStore<K>,
    found: &AddressMap<Found>,
    count_rows: &AddressSet,
    report: &mut FsckReport,
) -> Result<(), MerkleError> {
    let enc = store.encrypted();
    let mut known: HashSet<RowKey> = HashSet::with_capacity(found.len() + count_rows.len() + 1);
    known.insert(enc.row_key(ROOT, ROOT_KEY));
    for address in found.keys() {
        known.insert(enc.row_key(NODES, address.as_bytes()));
    }
    for address in count_rows {
        known.insert(enc.row_key(REFCOUNTS, address.as_bytes()));
    }
    let mut scanned = 0u64;
    let mut strays = Findings::default();
    enc.for_each_raw_key(&mut |raw| {
        scanned += 1;
        if !is_reserved_row(raw) {
            match RowKey::from_raw(raw) {
                Some(row) if known.contains(&row) => {}
                Some(row) => strays.push(row),
                // Not even row-shaped; report its first 32 bytes, zero-padded.
                None => {
                    let mut padded = [0; 32];
                    let n = raw.len().min(32);
                    padded[..n].copy_from_slice(&raw[..n]);
                    strays.push(RowKey(padded));
                }
            }
        }
        ControlFlow::Continue(())
    })?;
    report.rows_scanned = scanned;
    report.stray_rows = strays;
    Ok(())
}
