//! The Scheme corpus: every program under `tests/scheme/` runs as its own test, in process,
//! through the same code as `pscheme run`, and its output, exit status and error report are
//! compared with the expectations in its header (format: `tests/scheme/README.md`).
//!
//! Files are listed here by hand so that each is a separately named test;
//! `every_corpus_file_is_listed` fails when a file on disk is missing from the list.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

macro_rules! corpus {
    ($($(#[$attr:meta])* $test:ident => $path:literal,)*) => {
        $(
            #[test]
            $(#[$attr])*
            fn $test() {
                run_case($path);
            }
        )*

        const LISTED: &[&str] = &[$($path,)*];
    };
}

corpus! {
    control_apply => "control/apply.scm",
    control_callcc => "control/callcc.scm",
    control_deep_recursion => "control/deep-recursion.scm",
    control_dynamic_wind => "control/dynamic-wind.scm",
    control_exceptions => "control/exceptions.scm",
    control_tail_calls => "control/tail-calls.scm",
    data_bytevectors => "data/bytevectors.scm",
    data_chars => "data/chars.scm",
    data_equality => "data/equality.scm",
    data_hashtables => "data/hashtables.scm",
    data_sequence_procedures => "data/sequence-procedures.scm",
    data_strings => "data/strings.scm",
    data_symbols => "data/symbols.scm",
    data_vectors => "data/vectors.scm",
    errors_arity => "errors/arity.scm",
    errors_assert_fail => "errors/assert-fail.scm",
    errors_backtrace => "errors/backtrace.scm",
    errors_car_of_non_pair => "errors/car-of-non-pair.scm",
    errors_division_by_zero => "errors/division-by-zero.scm",
    errors_error_call => "errors/error-call.scm",
    errors_error_in_handler => "errors/error-in-handler.scm",
    errors_huge_vector => "errors/huge-vector.scm",
    errors_letrec_before_init => "errors/letrec-before-init.scm",
    errors_library_errors => "errors/library-errors.scm",
    errors_raise_non_condition => "errors/raise-non-condition.scm",
    errors_unbound_variable => "errors/unbound-variable.scm",
    forms_assignment => "forms/assignment.scm",
    forms_case_lambda => "forms/case-lambda.scm",
    forms_conditionals => "forms/conditionals.scm",
    forms_define => "forms/define.scm",
    forms_do => "forms/do.scm",
    forms_guard => "forms/guard.scm",
    forms_import => "forms/import.scm",
    forms_internal_define => "forms/internal-define.scm",
    forms_letrec_init => "forms/letrec-init.scm",
    forms_lambda => "forms/lambda.scm",
    forms_let => "forms/let.scm",
    forms_multiple_values => "forms/multiple-values.scm",
    forms_parameterize => "forms/parameterize.scm",
    forms_promises => "forms/promises.scm",
    forms_quasiquote => "forms/quasiquote.scm",
    forms_records => "forms/records.scm",
    forms_syntax_rules => "forms/syntax-rules.scm",
    io_output_redirection => "io/output-redirection.scm",
    io_read => "io/read.scm",
    io_string_ports => "io/string-ports.scm",
    io_write_display => "io/write-display.scm",
    lists_basics => "lists/basics.scm",
    lists_higher_order => "lists/higher-order.scm",
    lists_long_lists => "lists/long-lists.scm",
    lists_member_assoc => "lists/member-assoc.scm",
    lists_sorting => "lists/sorting.scm",
    numbers_arithmetic => "numbers/arithmetic.scm",
    numbers_bignums => "numbers/bignums.scm",
    numbers_division => "numbers/division.scm",
    numbers_inexact => "numbers/inexact.scm",
    numbers_more => "numbers/more.scm",
    numbers_number_strings => "numbers/number-strings.scm",
    processes_crash => "processes/crash.scm",
    processes_messages => "processes/messages.scm",
    processes_ring => "processes/ring.scm",
    processes_sleep_order => "processes/sleep-order.scm",
    processes_spinner => "processes/spinner.scm",
    processes_timeout => "processes/timeout.scm",
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scheme")
}

/// What a corpus program must do, from its header.
#[derive(Debug, Default, PartialEq)]
struct Expectation {
    stdout: String,
    exit_code: i32,
    stderr_fragments: Vec<String>,
}

/// Reads the header comments before the first form. Malformed headers are errors, so that a
/// typo cannot silently weaken a test.
fn parse_header(text: &str) -> Result<Expectation, String> {
    let mut expected = Expectation::default();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with(';') {
            break;
        }
        if let Some(code) = line.strip_prefix(";; expect-exit:") {
            expected.exit_code = code
                .trim()
                .parse()
                .map_err(|_| format!("bad exit status in {line:?}"))?;
        } else if let Some(fragment) = line.strip_prefix(";; expect-stderr:") {
            expected.stderr_fragments.push(fragment.trim().to_owned());
        } else if line == ";; --- expected stdout" {
            loop {
                let line = lines.next().ok_or("unterminated expected stdout block")?;
                if line.trim_end() == ";; --- end" {
                    break;
                }
                let text = if line == ";;" {
                    ""
                } else {
                    line.strip_prefix(";; ")
                        .ok_or_else(|| format!("bad expected line {line:?}"))?
                };
                expected.stdout.push_str(text);
                expected.stdout.push('\n');
            }
        } else if line.starts_with(";; expect") || line.starts_with(";; ---") {
            return Err(format!("unknown header directive {line:?}"));
        }
    }
    Ok(expected)
}

fn run_case(relative: &str) {
    let path = corpus_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let expected = parse_header(&text).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let name = format!("tests/scheme/{relative}");
    let out = pscheme_vm::run_source(&text, &name);
    let mut problems = Vec::new();
    if out.stdout != expected.stdout {
        problems.push(format!(
            "stdout differs\n--- expected\n{}--- actual\n{}--- first difference at line {}",
            expected.stdout,
            out.stdout,
            first_difference(&expected.stdout, &out.stdout)
        ));
    }
    if out.exit_code != expected.exit_code {
        problems.push(format!(
            "exit status {} (expected {})",
            out.exit_code, expected.exit_code
        ));
    }
    if expected.stderr_fragments.is_empty() && !out.stderr.is_empty() {
        problems.push("stderr should be empty".to_owned());
    }
    for fragment in &expected.stderr_fragments {
        if !out.stderr.contains(fragment.as_str()) {
            problems.push(format!("stderr lacks {fragment:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{relative}:\n{}\n--- stderr\n{}",
        problems.join("\n"),
        out.stderr
    );
}

fn first_difference(a: &str, b: &str) -> usize {
    a.lines().zip(b.lines()).take_while(|(x, y)| x == y).count() + 1
}

#[test]
fn every_corpus_file_is_listed() {
    let mut on_disk = BTreeSet::new();
    let mut dirs = vec![corpus_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("the corpus directory exists") {
            let path = entry.expect("readable directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "scm") {
                let relative = path.strip_prefix(corpus_dir()).expect("under the corpus");
                on_disk.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let listed: BTreeSet<String> = LISTED.iter().map(|s| (*s).to_owned()).collect();
    let missing: Vec<_> = on_disk.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        missing.is_empty(),
        "corpus files not listed in vm/tests/corpus.rs: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "listed corpus files that do not exist: {stale:?}"
    );
}

#[test]
fn headers_parse_as_documented() {
    let text = ";;; A test.\n;; expect-exit: 1\n;; expect-stderr: boom\n;; --- expected stdout\n;; a\n;;\n;;  b\n;; --- end\n(display 1)\n;; expect-exit: 9\n";
    let expected = parse_header(text).expect("a valid header");
    assert_eq!(
        expected,
        Expectation {
            stdout: "a\n\n b\n".to_owned(),
            exit_code: 1,
            stderr_fragments: vec!["boom".to_owned()],
        }
    );
    assert!(parse_header(";; --- expected stdout\n;; a\n").is_err());
    assert!(parse_header(";; expect-exits: 1\n").is_err());
    assert!(parse_header(";; --- expected stdout\n;;x\n;; --- end\n").is_err());
}

/// The procedures of the R7RS-small libraries pscheme provides ((scheme base), char, cxr,
/// inexact, lazy, read, write, process-context's exit) and the extra names issue 5 asks for.
const LIBRARY: &[&str] = &[
    "*",
    "+",
    "-",
    "/",
    "<",
    "<=",
    "=",
    ">",
    ">=",
    "abs",
    "append",
    "apply",
    "assoc",
    "assq",
    "assv",
    "binary-port?",
    "boolean=?",
    "boolean?",
    "bytevector",
    "bytevector-append",
    "bytevector-copy",
    "bytevector-copy!",
    "bytevector-length",
    "bytevector-u8-ref",
    "bytevector-u8-set!",
    "bytevector?",
    "caar",
    "cadr",
    "call-with-current-continuation",
    "call-with-port",
    "call-with-values",
    "call/cc",
    "car",
    "cdar",
    "cddr",
    "cdr",
    "ceiling",
    "char->integer",
    "char-ready?",
    "char<=?",
    "char<?",
    "char=?",
    "char>=?",
    "char>?",
    "char?",
    "close-input-port",
    "close-output-port",
    "close-port",
    "complex?",
    "cons",
    "current-error-port",
    "current-input-port",
    "current-output-port",
    "denominator",
    "dynamic-wind",
    "eof-object",
    "eof-object?",
    "eq?",
    "equal?",
    "eqv?",
    "error",
    "error-object-irritants",
    "error-object-message",
    "error-object?",
    "even?",
    "exact",
    "exact-integer-sqrt",
    "exact-integer?",
    "exact?",
    "expt",
    "features",
    "file-error?",
    "floor",
    "floor-quotient",
    "floor-remainder",
    "floor/",
    "flush-output-port",
    "for-each",
    "gcd",
    "get-output-bytevector",
    "get-output-string",
    "inexact",
    "inexact?",
    "input-port-open?",
    "input-port?",
    "integer->char",
    "integer?",
    "lcm",
    "length",
    "list",
    "list->string",
    "list->vector",
    "list-copy",
    "list-ref",
    "list-set!",
    "list-tail",
    "list?",
    "make-bytevector",
    "make-list",
    "make-parameter",
    "make-string",
    "make-vector",
    "map",
    "max",
    "member",
    "memq",
    "memv",
    "min",
    "modulo",
    "negative?",
    "newline",
    "not",
    "null?",
    "number->string",
    "number?",
    "numerator",
    "odd?",
    "open-input-bytevector",
    "open-input-string",
    "open-output-bytevector",
    "open-output-string",
    "output-port-open?",
    "output-port?",
    "pair?",
    "peek-char",
    "peek-u8",
    "positive?",
    "procedure?",
    "quotient",
    "raise",
    "raise-continuable",
    "rational?",
    "rationalize",
    "read-bytevector",
    "read-bytevector!",
    "read-char",
    "read-error?",
    "read-line",
    "read-string",
    "read-u8",
    "real?",
    "remainder",
    "reverse",
    "round",
    "set-car!",
    "set-cdr!",
    "square",
    "string",
    "string->list",
    "string->number",
    "string->symbol",
    "string->utf8",
    "string->vector",
    "string-append",
    "string-copy",
    "string-copy!",
    "string-fill!",
    "string-for-each",
    "string-length",
    "string-map",
    "string-ref",
    "string-set!",
    "string<=?",
    "string<?",
    "string=?",
    "string>=?",
    "string>?",
    "string?",
    "substring",
    "symbol->string",
    "symbol=?",
    "symbol?",
    "textual-port?",
    "truncate",
    "truncate-quotient",
    "truncate-remainder",
    "truncate/",
    "u8-ready?",
    "utf8->string",
    "values",
    "vector",
    "vector->list",
    "vector->string",
    "vector-append",
    "vector-copy",
    "vector-copy!",
    "vector-fill!",
    "vector-for-each",
    "vector-length",
    "vector-map",
    "vector-ref",
    "vector-set!",
    "vector?",
    "with-exception-handler",
    "write-bytevector",
    "write-char",
    "write-string",
    "write-u8",
    "zero?",
    "char-alphabetic?",
    "char-ci<=?",
    "char-ci<?",
    "char-ci=?",
    "char-ci>=?",
    "char-ci>?",
    "char-downcase",
    "char-foldcase",
    "char-lower-case?",
    "char-numeric?",
    "char-upcase",
    "char-upper-case?",
    "char-whitespace?",
    "digit-value",
    "string-ci<=?",
    "string-ci<?",
    "string-ci=?",
    "string-ci>=?",
    "string-ci>?",
    "string-downcase",
    "string-foldcase",
    "string-upcase",
    "caaar",
    "caadr",
    "cadar",
    "caddr",
    "cdaar",
    "cdadr",
    "cddar",
    "cdddr",
    "caaaar",
    "caaadr",
    "caadar",
    "caaddr",
    "cadaar",
    "cadadr",
    "caddar",
    "cadddr",
    "cdaaar",
    "cdaadr",
    "cdadar",
    "cdaddr",
    "cddaar",
    "cddadr",
    "cdddar",
    "cddddr",
    "acos",
    "asin",
    "atan",
    "cos",
    "exp",
    "finite?",
    "infinite?",
    "log",
    "nan?",
    "sin",
    "sqrt",
    "tan",
    "force",
    "make-promise",
    "promise?",
    "display",
    "write",
    "write-shared",
    "write-simple",
    "read",
    "exit",
    "emergency-exit",
    "fold-left",
    "fold-right",
    "reduce",
    "filter",
    "iota",
    "assert",
    "hash-table-set!",
    "hash-table-ref",
    "hash-table-ref/default",
    "hash-table-delete!",
    "hash-table-contains?",
    "hash-table-count",
    "hash-table-keys",
    "hash-table-values",
    "hash-table-walk",
    "hash-table-update!",
    "hash-table-update!/default",
    "hash-table->alist",
    "make-hash-table",
    "hash-table?",
    "spawn",
    "send",
    "receive-timeout",
    "self",
    "sleep",
    "process-alive?",
];

#[test]
fn the_standard_library_is_bound() {
    let vm = pscheme_vm::Vm::new().expect("the prelude loads");
    let missing: Vec<_> = LIBRARY
        .iter()
        .filter(|name| vm.heap.global_named(name).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "unbound library procedures: {missing:?}"
    );
}
