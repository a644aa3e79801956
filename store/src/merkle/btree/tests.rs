//! Tree algorithms against `std::collections::BTreeMap`, on an in-memory node store.

use std::collections::BTreeMap;
use std::ops::Bound;

use proptest::prelude::*;

use super::{Change, RangeIter, TreeRoot, apply, get};
use crate::merkle::node::{Address, Node};
use crate::merkle::source::{LoadNode, MemNodes};
use crate::merkle::{MIN_FILL, ORDER};

type Model = BTreeMap<Vec<u8>, Vec<u8>>;

/// Checks every structural invariant; returns the number of entries found.
fn check_invariants(src: &MemNodes, tree: TreeRoot) -> u64 {
    let Some(root) = tree.root else {
        assert_eq!(tree.len, 0);
        return 0;
    };
    let height = src.load(&root).unwrap().height();
    let count = check_node(src, root, height, None, None, true);
    assert_eq!(count, tree.len, "stored len differs from entries");
    count
}

fn check_node(
    src: &MemNodes,
    address: Address,
    height: u8,
    lower: Option<&[u8]>,
    upper: Option<&[u8]>,
    is_root: bool,
) -> u64 {
    let node = src.load(&address).unwrap();
    assert_eq!(node.height(), height, "uneven heights");
    let in_bounds = |key: &[u8]| lower.is_none_or(|l| key >= l) && upper.is_none_or(|u| key < u);
    match &*node {
        Node::Leaf(leaf) => {
            assert!(leaf.entries.len() <= ORDER);
            assert!(is_root || leaf.entries.len() >= MIN_FILL, "underfull leaf");
            assert!(
                leaf.entries.iter().all(|e| in_bounds(&e.key)),
                "key out of bounds"
            );
            leaf.entries.len() as u64
        }
        Node::Branch(branch) => {
            assert!(branch.children.len() <= ORDER);
            let min = if is_root { 2 } else { MIN_FILL };
            assert!(branch.children.len() >= min, "underfull branch");
            let mut total = 0;
            for (i, child) in branch.children.iter().enumerate() {
                let lo = if i == 0 {
                    lower
                } else {
                    Some(branch.separators[i - 1].as_slice())
                };
                let hi = branch.separators.get(i).map(Vec::as_slice).or(upper);
                if let (Some(sep), Some(l)) = (lo, lower) {
                    assert!(sep >= l);
                }
                total += check_node(src, *child, height - 1, lo, hi, false);
            }
            total
        }
        Node::Blob(_) => panic!("blob in tree position"),
    }
}

fn batch(ops: &BTreeMap<Vec<u8>, Option<Vec<u8>>>) -> Vec<(Vec<u8>, Change)> {
    ops.iter()
        .map(|(k, v)| {
            let change = v.clone().map_or(Change::Delete, Change::Put);
            (k.clone(), change)
        })
        .collect()
}

fn bound(b: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match b {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

fn key_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => proptest::collection::vec(0u8..6, 0..4),
        1 => proptest::collection::vec(any::<u8>(), 0..224),
    ]
}

fn value_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => proptest::collection::vec(any::<u8>(), 0..16),
        1 => proptest::collection::vec(any::<u8>(), 200..400),
    ]
}

fn bound_strategy() -> impl Strategy<Value = Bound<Vec<u8>>> {
    prop_oneof![
        Just(Bound::Unbounded),
        key_strategy().prop_map(Bound::Included),
        key_strategy().prop_map(Bound::Excluded),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
    /// Ends the current batch.
    Apply,
    /// Compares a range scan; `pattern` picks front or back for each step.
    Scan(Bound<Vec<u8>>, Bound<Vec<u8>>, u64),
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        10 => (key_strategy(), value_strategy()).prop_map(|(k, v)| Op::Put(k, v)),
        5 => key_strategy().prop_map(Op::Delete),
        3 => Just(Op::Apply),
        1 => (bound_strategy(), bound_strategy(), any::<u64>())
            .prop_map(|(l, u, p)| Op::Scan(l, u, p)),
    ]
}

/// Scans `tree` and `model` in lock step, taking from the front or the back per the bits
/// of `pattern`, so the two ends meet somewhere in the middle.
fn compare_scan(
    src: &MemNodes,
    tree: TreeRoot,
    model: &Model,
    lower: &Bound<Vec<u8>>,
    upper: &Bound<Vec<u8>>,
    pattern: u64,
) {
    let valid = match (lower, upper) {
        (Bound::Included(l) | Bound::Excluded(l), Bound::Included(u) | Bound::Excluded(u)) => {
            l < u || (l == u && matches!((lower, upper), (Bound::Included(_), Bound::Included(_))))
        }
        _ => true,
    };
    let mut got = RangeIter::new(src, tree, lower.clone(), upper.clone());
    if !valid {
        assert!(got.next().is_none());
        return;
    }
    let mut want = model.range::<[u8], _>((bound(lower), bound(upper)));
    let mut bits = pattern;
    loop {
        let from_back = bits & 1 == 1;
        bits = bits.rotate_right(1);
        let (g, w) = if from_back {
            (got.next_back(), want.next_back())
        } else {
            (got.next(), want.next())
        };
        let g = g.map(Result::unwrap);
        assert_eq!(g, w.map(|(k, v)| (k.clone(), v.clone())));
        if g.is_none() {
            break;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn batches_match_btreemap(ops in proptest::collection::vec(op_strategy(), 1..600)) {
        let mut src = MemNodes::new();
        let mut tree = TreeRoot::default();
        let mut model = Model::new();
        let mut pending: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
        // An old version and its contents, to check that updates never disturb it.
        let mut old: Option<(TreeRoot, Model)> = None;
        for op in ops {
            match op {
                Op::Put(k, v) => { pending.insert(k, Some(v)); }
                Op::Delete(k) => { pending.insert(k, None); }
                Op::Apply => {
                    tree = apply(&mut src, tree, batch(&pending)).unwrap();
                    for (k, v) in std::mem::take(&mut pending) {
                        match v {
                            Some(v) => model.insert(k, v),
                            None => model.remove(&k),
                        };
                    }
                    check_invariants(&src, tree);
                    if old.is_none() || model.len().is_multiple_of(3) {
                        old = Some((tree, model.clone()));
                    }
                }
                Op::Scan(lower, upper, pattern) => {
                    compare_scan(&src, tree, &model, &lower, &upper, pattern);
                }
            }
        }
        tree = apply(&mut src, tree, batch(&pending)).unwrap();
        for (k, v) in pending {
            match v {
                Some(v) => model.insert(k, v),
                None => model.remove(&k),
            };
        }
        check_invariants(&src, tree);
        let all: Vec<_> = RangeIter::new(&src, tree, Bound::Unbounded, Bound::Unbounded)
            .map(Result::unwrap)
            .collect();
        let want: Vec<_> = model.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        prop_assert_eq!(all, want);
        for (k, v) in &model {
            prop_assert_eq!(get(&src, tree, k).unwrap(), Some(v.clone()));
        }
        if let Some((old_tree, old_model)) = old {
            check_invariants(&src, old_tree);
            let all: Vec<_> = RangeIter::new(&src, old_tree, Bound::Unbounded, Bound::Unbounded)
                .map(Result::unwrap)
                .collect();
            let want: Vec<_> = old_model.into_iter().collect();
            prop_assert_eq!(all, want);
        }
    }

    #[test]
    fn single_changes_match_btreemap(
        ops in proptest::collection::vec((key_strategy(), proptest::option::of(value_strategy())), 1..400)
    ) {
        let mut src = MemNodes::new();
        let mut tree = TreeRoot::default();
        let mut model = Model::new();
        for (k, v) in ops {
            let change = v.clone().map_or(Change::Delete, Change::Put);
            tree = apply(&mut src, tree, vec![(k.clone(), change)]).unwrap();
            match v {
                Some(v) => model.insert(k.clone(), v),
                None => model.remove(&k),
            };
            check_invariants(&src, tree);
            prop_assert_eq!(get(&src, tree, &k).unwrap(), model.get(&k).cloned());
        }
    }
}

#[test]
fn sequential_growth_and_shrink_keep_balance() {
    let mut src = MemNodes::new();
    let mut tree = TreeRoot::default();
    let key = |i: u32| i.to_be_bytes().to_vec();
    for i in 0..5000 {
        tree = apply(&mut src, tree, vec![(key(i), Change::Put(vec![1]))]).unwrap();
    }
    assert_eq!(check_invariants(&src, tree), 5000);
    let height = src.load(&tree.root.unwrap()).unwrap().height();
    // 5000 entries at fan-out at least 8 and leaves of at least 8 need no more than 4 levels.
    assert!(height <= 3, "height {height}");
    for i in (0..5000).rev().step_by(2) {
        tree = apply(&mut src, tree, vec![(key(i), Change::Delete)]).unwrap();
    }
    assert_eq!(check_invariants(&src, tree), 2500);
    let all: Vec<_> = (0..5000).filter(|i| i % 2 == 0).map(key).collect();
    let batch: Vec<_> = all.iter().map(|k| (k.clone(), Change::Delete)).collect();
    tree = apply(&mut src, tree, batch).unwrap();
    assert_eq!(tree, TreeRoot::default());
}

#[test]
fn one_change_rewrites_only_one_path() {
    let mut src = MemNodes::new();
    let batch: Vec<_> = (0u32..10_000)
        .map(|i| (i.to_be_bytes().to_vec(), Change::Put(vec![0; 8])))
        .collect();
    let tree = apply(&mut src, TreeRoot::default(), batch).unwrap();
    let height = src.load(&tree.root.unwrap()).unwrap().height();
    let before = src.len();
    let changed = apply(
        &mut src,
        tree,
        vec![(5000u32.to_be_bytes().to_vec(), Change::Put(vec![1; 8]))],
    )
    .unwrap();
    assert_eq!(src.len() - before, usize::from(height) + 1);
    assert_eq!(changed.len, tree.len);
}

#[test]
fn damaged_nodes_are_errors_not_panics() {
    let mut src = MemNodes::new();
    let batch: Vec<_> = (0u32..500)
        .map(|i| (i.to_be_bytes().to_vec(), Change::Put(vec![0; 8])))
        .collect();
    let tree = apply(&mut src, TreeRoot::default(), batch).unwrap();
    let missing = TreeRoot {
        root: Some(Address([3; 32])),
        len: 1,
    };
    assert!(get(&src, missing, b"x").is_err());
    assert!(apply(&mut src, missing, vec![(b"x".to_vec(), Change::Delete)]).is_err());
    assert!(
        RangeIter::new(&src, missing, Bound::Unbounded, Bound::Unbounded)
            .next()
            .unwrap()
            .is_err()
    );
    assert_eq!(
        get(&src, tree, &7u32.to_be_bytes()).unwrap(),
        Some(vec![0; 8])
    );
}

/// One long deterministic run: 40,000 changes in batches of random size over a key space
/// small enough for many overwrites and deletes, with scans from both ends as it goes.
#[test]
fn long_random_sequence_matches_btreemap() {
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut src = MemNodes::new();
    let mut tree = TreeRoot::default();
    let mut model = Model::new();
    let mut done = 0;
    while done < 40_000 {
        let size = 1 + next() % 300;
        let mut pending = BTreeMap::new();
        for _ in 0..size {
            let key = (next() % 6000).to_be_bytes()[5..].to_vec();
            let value = match next() % 5 {
                0 => None,
                1 => Some(vec![3; 250]),
                _ => Some(next().to_le_bytes().to_vec()),
            };
            pending.insert(key, value);
        }
        done += size;
        tree = apply(&mut src, tree, batch(&pending)).unwrap();
        for (k, v) in pending {
            match v {
                Some(v) => model.insert(k, v),
                None => model.remove(&k),
            };
        }
        let lower = Bound::Included((next() % 6000).to_be_bytes()[5..].to_vec());
        compare_scan(&src, tree, &model, &lower, &Bound::Unbounded, next());
    }
    assert_eq!(check_invariants(&src, tree), model.len() as u64);
    compare_scan(&src, tree, &model, &Bound::Unbounded, &Bound::Unbounded, 0);
}
