//! `cargo bench -p pscheme-persist --bench sync`: synced operations per second for 1, 10 and
//! 1,000 processes each looping on `(set! + sync)`, next to this machine's raw fdatasync
//! rate measured the same way (a file write + `sync_data`), and the time to resume heaps of
//! 10^4, 10^5 and 10^6 objects. Prints a table; figures go to docs/performance.md.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pscheme_persist::{HeapStore, KdfParams};
use pscheme_vm::Vm;
use pscheme_vm::durability::DriveConfig;

/// The allocator of the `pscheme` binary, so that these figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PASS: &[u8] = b"bench";

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("pscheme-sync-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn raw_fdatasync_per_sec(dir: &Path) -> f64 {
    let path = dir.join("raw");
    let mut f = std::fs::File::create(&path).unwrap();
    let block = vec![7u8; 4096];
    let n = 200;
    let start = Instant::now();
    for _ in 0..n {
        f.write_all(&block).unwrap();
        f.sync_data().unwrap();
    }
    f64::from(n) / start.elapsed().as_secs_f64()
}

fn run(path: &Path, source: &str) -> Duration {
    let store = HeapStore::create(path, PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let mut vm = Vm::new().unwrap();
    let compiled = vm.compile(source, "bench.scm").unwrap();
    let main = vm.load(compiled.unit).unwrap();
    let pid = vm.spawn(main);
    vm.pin(pid);
    vm.enable_durability();
    let mut writer = store.into_writer();
    let start = Instant::now();
    let code = vm
        .drive(
            Some(pid),
            &mut writer,
            &DriveConfig::default(),
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!(code, 0);
    start.elapsed()
}

fn synced_ops_per_sec(dir: &Path, processes: u32, each: u32) -> f64 {
    let source = format!(
        "(define main (self)) (define x 0)
         (define (worker) (let loop ((i 0)) (when (< i {each}) (set! x (+ x 1)) (sync) (loop (+ i 1))))
                          (send main 'done))
         (let spawn-all ((k 0)) (when (< k {processes}) (spawn worker) (spawn-all (+ k 1))))
         (let wait ((n {processes})) (when (> n 0) (receive) (wait (- n 1))))"
    );
    let path = dir.join(format!("sync-{processes}.pdb"));
    let t = run(&path, &source);
    f64::from(processes * each) / t.as_secs_f64()
}

fn resume_time(dir: &Path, objects: u32) -> Duration {
    let source = format!(
        "(define keep (let loop ((i 0) (acc '())) (if (< i {objects}) (loop (+ i 1) (cons i acc)) acc)))"
    );
    let path = dir.join(format!("resume-{objects}.pdb"));
    run(&path, &source);
    let store = HeapStore::open(&path, PASS).unwrap();
    let start = Instant::now();
    let saved = store.load().unwrap().unwrap();
    let t = start.elapsed();
    assert!(saved.vm.heap.live_objects() >= objects as usize);
    t
}

fn main() {
    let dir = dir();
    println!(
        "raw fdatasync (4 KiB write + sync_data): {:.0}/s",
        raw_fdatasync_per_sec(&dir)
    );
    for (processes, each) in [(1, 300), (10, 60), (1000, 3)] {
        println!(
            "{processes:>5} processes x (set! + sync): {:.0} synced ops/s",
            synced_ops_per_sec(&dir, processes, each)
        );
    }
    for objects in [10_000, 100_000, 1_000_000] {
        println!(
            "resume {objects:>8} objects: {:?}",
            resume_time(&dir, objects)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
