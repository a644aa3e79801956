//! Garbage collection: after many updates the store holds the live version and nothing
//! else.

use pscheme_store::merkle::{MerkleStore, ORDER};
use pscheme_store::{EncryptedStore, KdfParams, MemKvs};

/// A small deterministic generator (xorshift), so the test needs no seed handling.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Nodes a tree of `entries` small entries needs at the very least (all nodes full).
fn minimal_nodes(entries: u64) -> u64 {
    let order = ORDER as u64;
    let mut level = entries.div_ceil(order);
    let mut total = level;
    while level > 1 {
        level = level.div_ceil(order);
        total += level;
    }
    total
}

#[test]
fn ten_thousand_updates_leave_only_the_live_tree() {
    let enc = EncryptedStore::create(MemKvs::new(), b"gc", KdfParams::INSECURE_FOR_TESTS).unwrap();
    let fixed_rows = enc.kvs().len() as u64;
    let mut store = MerkleStore::create(enc).unwrap();
    let mut txn = store.begin();
    for i in 0u32..10_000 {
        txn.put(b"heap", &(i * 2).to_be_bytes(), &i.to_le_bytes())
            .unwrap();
    }
    txn.commit().unwrap();

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for update in 0u32..10_000 {
        let key = ((rng.next() % 20_000) as u32).to_be_bytes();
        let mut txn = store.begin();
        match rng.next() % 4 {
            0 => txn.delete(b"heap", &key).unwrap(),
            // Now and then a value large enough for its own blob node.
            1 if update % 16 == 0 => txn.put(b"heap", &key, &[7; 400]).unwrap(),
            _ => txn.put(b"heap", &key, &update.to_le_bytes()).unwrap(),
        }
        txn.commit().unwrap();
    }

    let report = store.fsck().unwrap();
    assert!(report.is_clean(), "{report:?}");
    let rows = store.encrypted().kvs().len() as u64;
    // One row for the root record; every other row is a reachable node or its count.
    assert_eq!(
        rows,
        fixed_rows + 1 + report.nodes_reached + report.count_rows
    );
    // Identical large values share one blob node, the only counts above 1 here.
    assert!(report.count_rows <= 1);
    let live = store.len(b"heap");
    assert!(live > 5_000, "{live} entries left");
    let bound = minimal_nodes(live) * 5 / 2;
    assert!(
        report.nodes_reached <= bound,
        "{} nodes for {live} entries (bound {bound})",
        report.nodes_reached
    );
}
