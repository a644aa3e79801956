//! Shared helpers of the lowering tests (cps_*, codegen_*): compile a source text through the
//! whole pipeline and expose every stage.

#![allow(dead_code)]

pub mod interp;

use pscheme_compiler::bytecode::CodeUnit;
use pscheme_compiler::core::Program;
use pscheme_compiler::span::SourceFiles;
use pscheme_compiler::{cps, disasm, driver, expand, reader};

pub struct Lowered {
    pub program: Program,
    pub cps: String,
    pub unit: CodeUnit,
}

impl Lowered {
    pub fn disasm(&self) -> String {
        disasm::disassemble(&self.unit)
    }

    pub fn instruction_count(&self) -> usize {
        self.unit.blocks.iter().map(|b| b.code.len()).sum()
    }
}

pub fn expand_source(src: &str) -> (Program, SourceFiles) {
    let mut files = SourceFiles::new();
    let file = files.add("test.scm", src);
    let datums = reader::read(src, file).unwrap_or_else(|d| panic!("read error: {d:?}"));
    let mut env = expand::ExpandEnv::new();
    let expansion =
        expand::expand(datums, &mut env).unwrap_or_else(|d| panic!("expand error: {d:?}"));
    (expansion.program, files)
}

pub fn lower(src: &str) -> Lowered {
    let (program, files) = expand_source(src);
    let cps_program = cps::convert(&program, &|_| false);
    let analysis = cps::analyze(&cps_program);
    let cps = cps::print(&cps_program, &analysis);
    let unit = driver::compile_program(&program, &files);
    Lowered { program, cps, unit }
}

/// Small programs that together use every construct the lowering handles.
pub const CORPUS: &[(&str, &str)] = &[
    ("constants", "(display (+ 1 2)) (if (< 1 2) 'yes 'no)"),
    (
        "fact",
        "(define (fact n) (if (= n 0) 1 (* n (fact (- n 1))))) (fact 10)",
    ),
    (
        "named_let",
        "(define (sum n) (let loop ((i 0) (acc 0)) (if (> i n) acc (loop (+ i 1) (+ acc i))))) (sum 100)",
    ),
    (
        "mutual_recursion",
        "(define (parity n) (define (ev? n) (if (= n 0) #t (od? (- n 1)))) (define (od? n) (if (= n 0) #f (ev? (- n 1)))) (if (ev? n) 'even 'odd)) (parity 7)",
    ),
    (
        "counter",
        "(define (make-counter) (let ((n 0)) (lambda () (set! n (+ n 1)) n))) (define c (make-counter)) (c) (c) (c)",
    ),
    (
        "join",
        "(define (g x) (* x 10)) (define (f x) (+ 1 (if x (g 1) 2))) (cons (f #t) (f #f))",
    ),
    ("effect_if", "(define (f x) (if x (display x)) 'done) (f 1)"),
    (
        "internal_defines",
        "(define (f y) (define a (* y 2)) (define (get) a) (define b (+ a 1)) (+ (get) b)) (f 5)",
    ),
    (
        "assigned_across_call",
        "(define (id x) x) (define (h) (let ((x 0)) (set! x (+ x 1)) (id 0) x)) (h)",
    ),
    ("rest_args", "(define (f a . rest) (cons a rest)) (f 1 2 3)"),
    ("redefined_prim", "(define (car x) 'mine) (car '(1 2))"),
    (
        "quoted",
        "(define (f) '(1 2)) (define (g) '(1 2)) (eq? (f) (f))",
    ),
    (
        "higher_order",
        "(define (compose f g) (lambda (x) (f (g x)))) ((compose (lambda (x) (* x 2)) (lambda (x) (+ x 1))) 5)",
    ),
    (
        "vectors",
        "(define v (make-vector 3 0)) (vector-set! v 0 'a) (vector-ref v 0)",
    ),
    (
        "nested_lets",
        "(define (f x) (let* ((a (+ x 1)) (b (* a a)) (c (- b x))) (list a b c))) (f 3)",
    ),
    (
        "and_or",
        "(define (f x y) (or (and x y) (not x))) (list (f #t #t) (f #t #f) (f #f #f))",
    ),
];
