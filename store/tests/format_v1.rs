//! Backward compatibility: rows written by format version 1 (layer 2) must keep opening.
//!
//! The fixture below was produced by this crate at format version 1 (2026-11-25) with
//! `KdfParams::INSECURE_FOR_TESTS`. Any change to the header layout, the KDF, the blake3
//! context strings, row-key derivation, the sealed layout or the AAD breaks this test; such a
//! change needs a new format version and a migration, not a new fixture.

use pscheme_store::{Domain, EncryptedStore, Error, Kvs, MemKvs, WriteBatch};

const PASSPHRASE: &[u8] = b"pscheme format v1 fixture";

/// Every row of the fixture store, as (backend key, value) in hex.
const ROWS: [(&str, &str); 4] = [
    (
        "0000000000000000000000000000000000000000000000000000000000000000",
        "5053434d53544f520100010008000000010000000100000050903959eef238d44c9ac609bb7ce109\
         a9a95468663038cbc26e0c7a0bf6b4ec",
    ),
    (
        "0000000000000000000000000000000000000000000000000000000000000001",
        "9b6f77c8f51708cdf708e91cefc9bb4cb009c1f32f512df164585abdf9acfa858a9c9f2e3881efb7\
         b80b9714f85762d0b98ed615f1d92da49f9aee03335605",
    ),
    (
        "5e102427a580866fde026af5e356c48e98e99a14134324686ae43d8a70ed78ae",
        "560b370b16947236dba67f6b8bca3f074b55dbf15c5b8afc33054ff87c8018586cc3bbd114142924\
         55e1b223ea79eeb013ceb6efe5fcb09c8554cf63b054e58d6ade07da35ab63",
    ),
    (
        "99b035cb2d86f96435282f9dc796124f7a5e549869a17a4bb9467e45bd7e99bc",
        "99917113e638dc819b3d4489e81d244be91e4b920ca3856b0ed67b432c316a6b44daec4d7555956e",
    ),
];

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2));
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn fixture() -> MemKvs {
    let mut kvs = MemKvs::new();
    let mut batch = WriteBatch::new();
    for (key, value) in ROWS {
        batch.put(unhex(key), unhex(value));
    }
    kvs.commit(&batch).unwrap();
    kvs
}

#[test]
fn version_1_rows_open_and_read() {
    let store = EncryptedStore::open(fixture(), PASSPHRASE).unwrap();
    assert_eq!(
        store.get(Domain(40), b"fixture key").unwrap().as_deref(),
        Some(&b"fixture value, format version 1"[..])
    );
    assert_eq!(store.get(Domain(41), b"").unwrap(), Some(Vec::new()));
    assert_eq!(store.get(Domain(42), b"fixture key").unwrap(), None);
}

#[test]
fn version_1_derivations_are_stable() {
    let store = EncryptedStore::open(fixture(), PASSPHRASE).unwrap();
    assert_eq!(
        store
            .row_key(Domain(40), b"fixture key")
            .as_bytes()
            .to_vec(),
        unhex(ROWS[2].0)
    );
    assert_eq!(
        store.row_key(Domain(41), b"").as_bytes().to_vec(),
        unhex(ROWS[3].0)
    );
    // Layer 3 derives its node-address key this way; its stored addresses depend on it.
    assert_eq!(
        store.derive_subkey("fixture").as_bytes().to_vec(),
        unhex("b434beef7656935331ec88b57b55c147a09329b83500d36d5ea9e32c85b2d87f")
    );
}

#[test]
fn version_1_fixture_rejects_another_passphrase() {
    assert!(matches!(
        EncryptedStore::open(fixture(), b"pscheme format v1 fixturE"),
        Err(Error::WrongPassphrase)
    ));
}
