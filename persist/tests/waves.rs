//! Wave boundaries seen by a recording sink: `atomically` keeps its body in one wave, and
//! `(sync)` returns only after its wave is durable.

use std::time::Duration;

use pscheme_vm::Object;
use pscheme_vm::durability::{DriveConfig, Wave, WaveOutcome, WaveSink};
use pscheme_vm::encode::decode_object;
use pscheme_vm::{ObjId, Vm};

/// Keeps every wave and makes it durable after `slow_polls` non-blocking polls (a disk that
/// takes a while), or at once.
#[derive(Default)]
struct Recorder {
    waves: Vec<Wave>,
    outstanding: Option<u64>,
    slow_polls: u32,
    polls: u32,
}

impl WaveSink for Recorder {
    fn persistent(&self) -> bool {
        true
    }

    fn submit(&mut self, wave: Wave) {
        self.outstanding = Some(wave.number);
        self.waves.push(wave);
    }

    fn wait(&mut self, timeout: Option<Duration>) -> Option<WaveOutcome> {
        if timeout == Some(Duration::ZERO) && self.polls < self.slow_polls {
            self.polls += 1;
            return None;
        }
        self.polls = 0;
        self.outstanding.take().map(|wave| WaveOutcome::Durable {
            wave,
            txn_counter: wave,
            duration: Duration::ZERO,
        })
    }
}

fn drive(source: &str, mut sink: Recorder, config: DriveConfig) -> (Vm, Recorder, String) {
    let mut vm = Vm::new().unwrap();
    let compiled = vm.compile(source, "waves.scm").unwrap();
    let main = vm.load(compiled.unit).unwrap();
    let pid = vm.spawn(main);
    vm.enable_durability();
    let mut out = String::new();
    let code = vm
        .drive(Some(pid), &mut sink, &config, &mut |_, t| out.push_str(t))
        .unwrap();
    assert_eq!(code, 0, "{out}");
    (vm, sink, out)
}

/// A wave at every check.
fn eager() -> DriveConfig {
    DriveConfig {
        commit_interval: Duration::ZERO,
        slices_between_checks: 1,
        ..DriveConfig::default()
    }
}

fn global_in_wave(wave: &Wave, sym: ObjId) -> Option<i64> {
    let (_, object) = wave.objects.iter().find(|(id, _)| *id == sym)?;
    let bytes = object.clone().into_bytes(&mut Vec::new());
    match decode_object(&bytes).unwrap() {
        Object::Symbol(s) => s.value.as_fixnum(),
        _ => None,
    }
}

/// The values of globals `x` and `y` after each wave, as the store would hold them.
fn x_y_per_wave(vm: &Vm, sink: &Recorder) -> Vec<(i64, i64)> {
    let x = vm.heap.lookup_symbol("x").unwrap();
    let y = vm.heap.lookup_symbol("y").unwrap();
    let (mut cx, mut cy) = (0, 0);
    sink.waves
        .iter()
        .map(|w| {
            cx = global_in_wave(w, x).unwrap_or(cx);
            cy = global_in_wave(w, y).unwrap_or(cy);
            (cx, cy)
        })
        .collect()
}

/// x and y are set in turn with a long loop between, so boundaries fall between them unless
/// `atomically` prevents it.
fn pairs_program(atomic: bool) -> String {
    let body = "(set! x (+ x 1)) (spin 3000) (set! y (+ y 1))";
    let body = if atomic {
        format!("(atomically {body})")
    } else {
        format!("(begin {body})")
    };
    format!(
        "(define x 0) (define y 0)
         (define (spin n) (if (> n 0) (spin (- n 1))))
         (let loop ((i 0)) (when (< i 20) {body} (yield) (loop (+ i 1))))"
    )
}

#[test]
fn atomically_keeps_its_body_in_one_wave() {
    let (vm, sink, _) = drive(&pairs_program(true), Recorder::default(), eager());
    let states = x_y_per_wave(&vm, &sink);
    assert!(sink.waves.len() > 20, "{} waves", sink.waves.len());
    assert!(states.iter().all(|(x, y)| x == y), "{states:?}");
    assert_eq!(states.last(), Some(&(20, 20)));
}

#[test]
fn without_atomically_a_wave_falls_inside_the_body() {
    let (vm, sink, _) = drive(&pairs_program(false), Recorder::default(), eager());
    let states = x_y_per_wave(&vm, &sink);
    assert!(states.iter().any(|(x, y)| x != y), "{states:?}");
}

#[test]
fn processes_syncing_together_share_commits() {
    let source = "
        (define main (self))
        (define synced 0)
        (define (worker)
          (let loop ((i 0))
            (when (< i 5) (set! synced (+ synced 1)) (sync) (loop (+ i 1))))
          (send main 'done))
        (for-each (lambda (k) (spawn worker)) (iota 50))
        (let wait ((n 50)) (when (> n 0) (receive) (wait (- n 1))))
        (display synced)";
    // Commits only for syncers; each takes three polls, during which others block in sync.
    let sink = Recorder {
        slow_polls: 3,
        ..Recorder::default()
    };
    let config = DriveConfig {
        commit_interval: Duration::from_secs(3600),
        ..DriveConfig::default()
    };
    let (_, sink, out) = drive(source, sink, config);
    assert_eq!(out, "250");
    assert!(
        sink.waves.len() < 60,
        "{} waves for 250 syncs",
        sink.waves.len()
    );
    let numbers: Vec<u64> = sink.waves.iter().map(|w| w.number).collect();
    assert_eq!(numbers, (1..=numbers.len() as u64).collect::<Vec<_>>());
}

#[test]
fn sync_inside_atomically_is_an_error() {
    let mut vm = Vm::new().unwrap();
    let compiled = vm
        .compile(
            "(guard (e (#t (display (error-object-message e)))) (atomically (sync)))",
            "t.scm",
        )
        .unwrap();
    let main = vm.load(compiled.unit).unwrap();
    let pid = vm.spawn(main);
    vm.enable_durability();
    let mut out = String::new();
    vm.drive(
        Some(pid),
        &mut Recorder::default(),
        &DriveConfig::default(),
        &mut |_, t| out.push_str(t),
    )
    .unwrap();
    assert!(out.contains("cannot sync inside atomically"), "{out}");
}
