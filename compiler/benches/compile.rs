//! Compile time: the whole pipeline (read, expand, lower) and the lowering alone, on a generated
//! 10,000-line program and on the Scheme prelude (`stdlib/*.scm`). Target: the 10,000-line
//! program compiles in under 200 ms in a release build. Results: `docs/performance.md`,
//! section "Compiler".
//!
//! Run with `cargo bench -p pscheme-compiler --bench compile`.

use std::fmt::Write;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

use pscheme_compiler::driver::{compile_program, compile_source};
use pscheme_compiler::expand::{self, ExpandEnv};
use pscheme_compiler::reader::read;
use pscheme_compiler::span::SourceFiles;

/// `functions * 20` lines of typical code: internal definitions, named lets, `cond`, `case`,
/// `let*`, closures over assigned variables, non-tail recursion, `do` loops, quasiquote and
/// top-level calls (each of which makes the top level continue in a new block).
fn program(functions: usize) -> String {
    let mut text = String::new();
    for n in 0..functions {
        let _ = write!(
            text,
            r#"(define (sum{n} lst)
  (let loop ((xs lst) (total 0))
    (cond ((null? xs) total)
          ((pair? (car xs)) (loop (cdr xs) (+ total (sum{n} (car xs)))))
          (else (loop (cdr xs) (+ total (car xs)))))))
(define (classify{n} x)
  (case x
    ((0) 'zero) ((1 2 3) 'small)
    (else (if (< x 0) 'negative 'large))))
(define (counter{n})
  (let ((count 0))
    (lambda () (set! count (+ count 1)) count)))
(define (fib{n} k) (if (< k 2) k (+ (fib{n} (- k 1)) (fib{n} (- k 2)))))
(define (table{n} size)
  (define v (make-vector size 0))
  (do ((i 0 (+ i 1))) ((= i size) v)
    (let* ((sq (* i i)) (cell `(,i . ,sq)))
      (vector-set! v i cell))))
(define result{n} (sum{n} (list 1 2 (list 3 4) {n})))
(display (classify{n} result{n}))
"#
        );
    }
    text
}

fn prelude() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../stdlib");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "scm"));
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

fn builtins(_: &str) -> bool {
    true
}

fn bench_compile(c: &mut Criterion) {
    let text = program(500);
    assert_eq!(text.lines().count(), 10_000);
    c.bench_function("compile_source 10k lines", |b| {
        b.iter(|| {
            let mut files = SourceFiles::new();
            let compiled = compile_source(
                black_box(&text),
                "gen.scm",
                &mut ExpandEnv::new(),
                &mut files,
                &builtins,
            )
            .expect("the generated program compiles");
            black_box(compiled.unit.blocks.len())
        });
    });

    let mut files = SourceFiles::new();
    let file = files.add("gen.scm", text.as_str());
    let datums = read(&text, file).expect("reads");
    let program = expand::expand(datums, &mut ExpandEnv::new())
        .expect("expands")
        .program;
    c.bench_function("lowering only (compile_program) 10k lines", |b| {
        b.iter(|| black_box(compile_program(black_box(&program), &files).blocks.len()));
    });

    let prelude = prelude();
    if !prelude.is_empty() {
        c.bench_function("compile_source prelude", |b| {
            b.iter(|| {
                let mut files = SourceFiles::new();
                let compiled = compile_source(
                    black_box(&prelude),
                    "prelude.scm",
                    &mut ExpandEnv::new(),
                    &mut files,
                    &builtins,
                )
                .expect("the prelude compiles");
                black_box(compiled.unit.blocks.len())
            });
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_compile
}
criterion_main!(benches);
