//! Reader throughput on a generated 10,000-line program: the whole compiler must compile such a
//! program in under 200 ms (release), and reading should be a small fraction of that.
//!
//! Run with `cargo bench -p pscheme-compiler --bench reader`.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use pscheme_compiler::printer::write;
use pscheme_compiler::reader::read;
use pscheme_compiler::span::FileId;

/// A program of `functions * 10` lines exercising every common token kind: definitions, named
/// `let`, `cond`, strings with escapes, characters, integers, flonums, quasiquote, vectors, and
/// line and block comments.
fn program(functions: usize) -> String {
    let mut text = String::new();
    for n in 0..functions {
        let _ = write!(
            text,
            r#";; f{n}: sums a list with a named let
(define (f{n} lst acc)
  (let loop ((xs lst) (total acc))
    (cond ((null? xs) total)
          ((string? (car xs)) (loop (cdr xs) (+ total (string-length "item {n}\n"))))
          ((char? (car xs)) (loop (cdr xs) (+ total (char->integer #\a))))
          (else (loop (cdr xs) (+ total (* 1.5 (car xs)) -42))))))
(define v{n} '#(1 2.5 "three" #\x41 sym))
#| block comment {n} |#
(f{n} (list 1 2 3 'x `(a ,b ,@c)) 0)
"#
        );
    }
    text
}

fn bench_reader(c: &mut Criterion) {
    let text = program(1_000);
    assert_eq!(text.lines().count(), 10_000);
    let datums = read(&text, FileId(0)).expect("the generated program reads");
    let mut group = c.benchmark_group("reader");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("read 10k lines", |b| {
        b.iter(|| read(black_box(&text), FileId(0)))
    });
    group.bench_function("write 10k lines", |b| {
        b.iter(|| {
            black_box(&datums)
                .iter()
                .map(|d| write(d).len())
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group!(benches, bench_reader);
criterion_main!(benches);
