//! What the end-to-end persistence tests share: scratch store paths, running a program to
//! its end with its waves going to a store, and comparing heaps.

// Not every test file compares heaps.
#[allow(dead_code)]
pub mod image;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use pscheme_persist::HeapStore;
use pscheme_vm::Vm;
use pscheme_vm::durability::DriveConfig;
use pscheme_vm::run::Stream;

pub const PASS: &[u8] = b"test passphrase";

/// A store path in a fresh directory of its own.
pub fn temp_store(name: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "pscheme-persist-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("store.pdb")
}

/// Runs `source` in `vm` (durability already on) to the end under `Vm::drive`, its waves
/// going to `store`'s writer thread; returns the VM, its stdout and the exit status.
pub fn drive(vm: Vm, store: HeapStore, source: &str) -> (Vm, String, i32) {
    drive_with(vm, store, source, &DriveConfig::default())
}

/// As [`drive`], with the wave schedule of `config`.
pub fn drive_with(
    mut vm: Vm,
    store: HeapStore,
    source: &str,
    config: &DriveConfig,
) -> (Vm, String, i32) {
    let compiled = vm.compile(source, "test.scm").unwrap();
    let main = vm.load(compiled.unit).unwrap();
    let pid = vm.spawn(main);
    vm.pin(pid);
    let mut writer = store.into_writer();
    let mut stdout = String::new();
    let code = vm
        .drive(Some(pid), &mut writer, config, &mut |stream, text| {
            if stream == Stream::Stdout {
                stdout.push_str(text);
            }
        })
        .unwrap();
    drop(writer);
    (vm, stdout, code)
}
