//! `cargo bench -p pscheme-persist --bench waves`: bytes written per wave against the number
//! of dirty objects. Prints a table; figures go to docs/performance.md.
//!
//! A program keeps a list of 100,000 pairs and, once per wave (each round is one `atomically`
//! body followed by `(sync)` in the only process, so a round is exactly one wave), changes D
//! of them:
//! - `contiguous`: `set-car!` on D neighbouring pairs (neighbouring ids: few B-tree leaves);
//! - `spread`: `set-car!` on D pairs evenly spread over the list (up to one leaf each);
//! - `new`: replaces a list of D fresh pairs by another (D puts and D deletes per wave).
//!
//! Bytes written are the bytes the process hands to `write`/`pwrite` (`wchar` of
//! `/proc/self/io`) from a wave's submission to its durability: the SQLite WAL frames of the
//! commit (4 KiB pages plus a 24-byte header each) and any checkpoint it triggers. The VM
//! writes nothing meanwhile (its only process waits in `(sync)`, output goes nowhere).
//! The table gives the mean over the rounds and the median: the mean includes the WAL
//! checkpoints (SQLite copies the log into the database file once it passes 1,000 pages,
//! inside the commit that crosses the mark), the median is a commit's own log frames.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pscheme_persist::{HeapStore, KdfParams, Writer};
use pscheme_vm::Vm;
use pscheme_vm::durability::{DriveConfig, Wave, WaveOutcome, WaveSink};

/// The allocator of the `pscheme` binary, so that these figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PASS: &[u8] = b"bench";
const CELLS: usize = 100_000;
const ROUNDS: usize = 8;

/// One wave as submitted and committed.
struct Measured {
    objects: usize,
    deletes: usize,
    encoded: usize,
    written: u64,
    commit: Duration,
}

/// The writer, measuring each wave it commits.
struct Metered {
    writer: Writer,
    pending: Option<(Measured, u64, Instant)>,
    done: Vec<Measured>,
}

impl WaveSink for Metered {
    fn persistent(&self) -> bool {
        true
    }

    fn submit(&mut self, wave: Wave) {
        let measured = Measured {
            objects: wave.objects.len(),
            deletes: wave.freed.len(),
            encoded: wave
                .objects
                .iter()
                .map(|(_, object)| object.clone().into_bytes(&mut Vec::new()).len())
                .sum(),
            written: 0,
            commit: Duration::ZERO,
        };
        self.pending = Some((measured, written_bytes(), Instant::now()));
        self.writer.submit(wave);
    }

    fn wait(&mut self, timeout: Option<Duration>) -> Option<WaveOutcome> {
        let outcome = self.writer.wait(timeout)?;
        if let Some((mut measured, before, start)) = self.pending.take() {
            measured.written = written_bytes() - before;
            measured.commit = start.elapsed();
            self.done.push(measured);
        }
        Some(outcome)
    }
}

/// Bytes this process passed to write calls so far.
fn written_bytes() -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").expect("Linux /proc/self/io");
    io.lines()
        .find_map(|line| line.strip_prefix("wchar: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("a wchar line")
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("pscheme-waves-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn program(shape: &str, dirty: usize) -> String {
    let stride = CELLS / dirty;
    let round = match shape {
        "contiguous" => format!(
            "(let touch ((p cells) (k 0)) (when (< k {dirty}) (set-car! p r) (touch (cdr p) (+ k 1))))"
        ),
        "spread" => format!(
            "(let touch ((p cells) (k 0))
               (when (< k {CELLS})
                 (when (= 0 (remainder k {stride})) (set-car! p r))
                 (touch (cdr p) (+ k 1))))"
        ),
        _ => format!("(set! fresh (build {dirty} r))"),
    };
    format!(
        "(define (build n x) (let loop ((i 0) (acc '())) (if (< i n) (loop (+ i 1) (cons x acc)) acc)))
         (define cells (build {CELLS} 0))
         (define fresh (build {dirty} 0))
         (sync)
         (let rounds ((r 1)) (when (<= r {ROUNDS}) (atomically {round}) (sync) (rounds (+ r 1))))"
    )
}

/// The waves of the measured rounds (the waves before hold the prelude and the list).
fn run(path: &Path, shape: &str, dirty: usize) -> Vec<Measured> {
    let store = HeapStore::create(path, PASS, KdfParams::INSECURE_FOR_TESTS).unwrap();
    let mut vm = Vm::new().unwrap();
    let compiled = vm.compile(&program(shape, dirty), "waves.scm").unwrap();
    let main = vm.load(compiled.unit).unwrap();
    let pid = vm.spawn(main);
    vm.pin(pid);
    vm.enable_durability();
    let mut sink = Metered {
        writer: store.into_writer(),
        pending: None,
        done: Vec::new(),
    };
    let code = vm
        .drive(
            Some(pid),
            &mut sink,
            &DriveConfig::default(),
            &mut |_, _| {},
        )
        .unwrap();
    assert_eq!(code, 0);
    // The rounds' waves are the last ones but the exit wave.
    let mut waves = sink.done;
    let exit = waves.pop().expect("an exit wave");
    assert!(
        exit.objects < 100,
        "the exit wave holds only the end of the process"
    );
    assert!(waves.len() >= ROUNDS);
    waves.split_off(waves.len() - ROUNDS)
}

fn main() {
    let dir = dir();
    println!(
        "{:<11} {:>7} {:>8} {:>8} {:>10} {:>12} {:>12} {:>10} {:>10}",
        "shape",
        "D",
        "objects",
        "deletes",
        "encoded B",
        "written B",
        "median B",
        "median/obj",
        "commit ms"
    );
    for shape in ["contiguous", "spread", "new"] {
        for dirty in [1, 10, 100, 1_000, 10_000, 100_000] {
            let path = dir.join(format!("{shape}-{dirty}.pdb"));
            let waves = run(&path, shape, dirty);
            let _ = std::fs::remove_file(&path);
            let n = waves.len() as f64;
            let mean = |f: &dyn Fn(&Measured) -> f64| waves.iter().map(f).sum::<f64>() / n;
            let objects = mean(&|w| w.objects as f64);
            let mut written: Vec<u64> = waves.iter().map(|w| w.written).collect();
            written.sort_unstable();
            let median = written[written.len() / 2];
            println!(
                "{:<11} {:>7} {:>8.0} {:>8.0} {:>10.0} {:>12.0} {:>12} {:>10.0} {:>10.1}",
                shape,
                dirty,
                objects,
                mean(&|w| w.deletes as f64),
                mean(&|w| w.encoded as f64),
                mean(&|w| w.written as f64),
                median,
                median as f64 / objects,
                mean(&|w| w.commit.as_secs_f64() * 1e3),
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
