//! Derived forms evaluated by the test evaluator: each expansion must compute the R7RS answer.

mod expand_support;
use expand_support::run;

#[test]
fn let_family_and_named_let() {
    assert_eq!(
        run("(let ((x 1) (y 2)) (let ((x y) (y x)) (list x y)))"),
        "(2 1)"
    );
    assert_eq!(run("(let* ((x 1) (y (+ x 1))) (list x y))"), "(1 2)");
    assert_eq!(
        run(
            "(letrec ((even? (lambda (n) (if (= n 0) #t (odd? (- n 1))))) (odd? (lambda (n) (if (= n 0) #f (even? (- n 1)))))) (even? 10))"
        ),
        "#t"
    );
    assert_eq!(
        run("(let loop ((i 0) (acc '())) (if (= i 3) acc (loop (+ i 1) (cons i acc))))"),
        "(2 1 0)"
    );
    // The loop name is not visible in the inits.
    assert_eq!(run("(define loop 10) (let loop ((i loop)) i)"), "10");
}

#[test]
fn do_loops() {
    assert_eq!(
        run("(do ((i 0 (+ i 1)) (acc '() (cons i acc))) ((= i 4) acc))"),
        "(3 2 1 0)"
    );
    assert_eq!(
        run("(define v 0) (do ((i 0 (+ i 1))) ((= i 5)) (set! v (+ v i))) v"),
        "10"
    );
}

#[test]
fn cond_case_and_or() {
    assert_eq!(
        run("(cond ((memv 2 (list 1 2 3)) => car) (else (quote none)))"),
        "2"
    );
    assert_eq!(run("(cond (#f 1) ((+ 1 1)) (else 3))"), "2");
    assert_eq!(run("(cond (#f 1))"), "#<unspecified>");
    assert_eq!(
        run("(case (* 2 3) ((2 3 5 7) 'prime) ((1 4 6 8 9) 'composite))"),
        "composite"
    );
    assert_eq!(
        run("(case 'x ((a) 1) ((x) => (lambda (k) (list k k))) (else 0))"),
        "(x x)"
    );
    assert_eq!(
        run("(case 99 ((1) 'one) (else => (lambda (k) (+ k 1))))"),
        "100"
    );
    assert_eq!(
        run("(list (and) (and 1 2) (and #f (car '())) (or) (or #f 3) (or 4 (car '())))"),
        "(#t 2 #f #f 3 4)"
    );
    assert_eq!(run("(list (when #t 1 2) (unless #f 3))"), "(2 3)");
}

#[test]
fn internal_definitions_are_letrec_star() {
    assert_eq!(
        run("(define (f) (define a 1) (define (g) (* a 10)) (define b (g)) (+ a b)) (f)"),
        "11"
    );
    // Definitions spliced from begin and produced by macros.
    assert_eq!(
        run(
            "(define-syntax def2 (syntax-rules () ((_ a b v) (begin (define a v) (define b v))))) (define (f) (def2 x y 7) (+ x y)) (f)"
        ),
        "14"
    );
    assert_eq!(run("(define ((adder n) m) (+ n m)) ((adder 3) 4)"), "7");
    assert_eq!(run("(define (f . args) args) (f 1 2)"), "(1 2)");
    assert_eq!(
        run("((lambda (a . rest) (list a rest)) 1 2 3)"),
        "(1 (2 3))"
    );
}

#[test]
fn quasiquote() {
    assert_eq!(run("(define x 5) `(a ,x ,@(list 1 2) c)"), "(a 5 1 2 c)");
    assert_eq!(run("(define x 5) `(1 . ,x)"), "(1 . 5)");
    assert_eq!(run("(define x 5) `#(1 ,x)"), "#(1 5)");
    assert_eq!(
        run("`(1 `(2 ,(3 ,(+ 1 3))))"),
        "(1 (quasiquote (2 (unquote (3 4)))))"
    );
    assert_eq!(run("`(a b)"), "(a b)");
    // In a vector, `unquote` is an element, not a form.
    assert_eq!(run("(define x 5) `#(unquote x)"), "#(unquote x)");
    assert_eq!(run("(define x 5) `#(1 unquote x)"), "#(1 unquote x)");
    assert_eq!(run("(define l '(1 2)) `(,@l . tail)"), "(1 2 . tail)");
    assert_eq!(run("(define l '(1 2)) `(,@l ,@l)"), "(1 2 1 2)");
}

#[test]
fn records() {
    let src =
        "(define-record-type point (make-point x y) point? (x point-x) (y point-y set-point-y!))
               (define p (make-point 1 2))
               (set-point-y! p 5)
               (list (point? p) (point? 5) (point-x p) (point-y p))";
    assert_eq!(run(src), "(#t #f 1 5)");
    let local = "(define (f) (define-record-type node (make-node v) node? (v node-v) (next node-next)) (node-v (make-node 9))) (f)";
    assert_eq!(run(local), "9");
}

#[test]
fn multiple_values() {
    assert_eq!(
        run("(let-values (((a b) (values 1 2)) ((c . d) (values 3 4 5))) (list a b c d))"),
        "(1 2 3 (4 5))"
    );
    assert_eq!(
        run("(let ((a 10)) (let-values (((a) (values 1)) ((b) (values a))) (list a b)))"),
        "(1 10)"
    );
    assert_eq!(
        run("(let*-values (((a) (values 1)) ((b) (values (+ a 1)))) (list a b))"),
        "(1 2)"
    );
    assert_eq!(
        run("(receive (a . rest) (values 1 2 3) (list a rest))"),
        "(1 (2 3))"
    );
    assert_eq!(
        run("(define-values (q r) (values 7 8)) (list q r)"),
        "(7 8)"
    );
    assert_eq!(
        run("(define (f) (define-values (x . y) (values 1 2 3)) (list x y)) (f)"),
        "(1 (2 3))"
    );
}

#[test]
fn promises_parameters_case_lambda() {
    assert_eq!(
        run(
            "(define n 0) (define p (delay (begin (set! n (+ n 1)) n))) (list (force p) (force p) n)"
        ),
        "(1 1 1)"
    );
    assert_eq!(run("(force (delay-force (delay 5)))"), "5");
    assert_eq!(
        run(
            "(define p (make-parameter 10 (lambda (x) (* x 2)))) (list (p) (parameterize ((p 3)) (p)) (p))"
        ),
        "(20 6 20)"
    );
    assert_eq!(
        run(
            "(define f (case-lambda ((x) (list 'one x)) ((x y) (list 'two x y)) ((x . r) (list 'many x r)))) (list (f 1) (f 1 2) (f 1 2 3))"
        ),
        "((one 1) (two 1 2) (many 1 (2 3)))"
    );
}

#[test]
fn macros_with_ellipses() {
    let my_let = "(define-syntax my-let (syntax-rules () ((_ ((n v) ...) b ...) ((lambda (n ...) b ...) v ...))))";
    assert_eq!(
        run(&format!("{my_let} (my-let ((a 1) (b 2)) (+ a b))")),
        "3"
    );
    // Nested ellipses and a tail pattern after the ellipsis.
    let flat = "(define-syntax flat (syntax-rules () ((_ (a b ...) ...) '(a ... b ... ...))))";
    assert_eq!(run(&format!("{flat} (flat (1 2 3) (4 5))")), "(1 4 2 3 5)");
    let last = "(define-syntax last (syntax-rules () ((_ x ... y) 'y)))";
    assert_eq!(run(&format!("{last} (last 1 2 3)")), "3");
    let tail = "(define-syntax mid (syntax-rules () ((_ a x ... b c) '(a (x ...) b c))))";
    assert_eq!(run(&format!("{tail} (mid 1 2 3 4 5)")), "(1 (2 3) 4 5)");
    // Vector patterns, literals, `_`, dotted patterns.
    let vec = "(define-syntax v (syntax-rules (to) ((_ #(a ...) to _) (list a ...)) ((_ . rest) 'other)))";
    assert_eq!(
        run(&format!("{vec} (list (v #(1 2) to ignored) (v 1 2))")),
        "((1 2) other)"
    );
    // (... ...) escapes: a macro that defines a macro using an ellipsis.
    let generator = "(define-syntax def-lister (syntax-rules () ((_ name) (define-syntax name (syntax-rules () ((_ x (... ...)) (list x (... ...))))))))
               (def-lister my-list) (my-list 1 2 3)";
    assert_eq!(run(generator), "(1 2 3)");
    // A custom ellipsis (R7RS 4.3.2).
    let custom =
        "(define-syntax my-list2 (syntax-rules ::: () ((_ x :::) (list x :::)))) (my-list2 4 5)";
    assert_eq!(run(custom), "(4 5)");
}

#[test]
fn recursive_macros_and_local_macros() {
    let my_or = "(define-syntax my-or (syntax-rules () ((_) #f) ((_ e) e) ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))";
    assert_eq!(run(&format!("{my_or} (my-or #f #f 3)")), "3");
    assert_eq!(
        run("(let-syntax ((foo (syntax-rules () ((_ x) (* x 2))))) (foo 21))"),
        "42"
    );
    let letrec_syntax = "(letrec-syntax ((ev? (syntax-rules () ((_) #t) ((_ x . r) (od? . r)))) (od? (syntax-rules () ((_) #f) ((_ x . r) (ev? . r))))) (ev? 1 2 3 4))";
    assert_eq!(run(letrec_syntax), "#t");
    // A macro defined in a body, used in that body.
    assert_eq!(
        run(
            "(define (f x) (define-syntax twice (syntax-rules () ((_ e) (* 2 e)))) (twice x)) (f 4)"
        ),
        "8"
    );
}

#[test]
fn guard_clauses_receive_the_condition() {
    // The test evaluator's continuations are escape-only, which is all a matching clause needs.
    assert_eq!(
        run("(guard (e ((symbol? e) (list 'caught e))) (raise 'boom))"),
        "(caught boom)"
    );
    assert_eq!(
        run(
            "(guard (e ((string? e) 'string) ((symbol? e) => (lambda (t) (list t e)))) (raise 'x))"
        ),
        "(#t x)"
    );
    assert_eq!(run("(guard (e (else 'other)) (+ 1 (raise 5)))"), "other");
    // No raise: the body's values come back through the guard.
    assert_eq!(run("(guard (e (#t 'never)) (list 1 2))"), "(1 2)");
    assert_eq!(
        run("(call-with-values (lambda () (guard (e (#t 0)) (values 1 2))) list)"),
        "(1 2)"
    );
    // The innermost guard whose clause matches handles the condition.
    assert_eq!(
        run(
            "(guard (e (#t (list 'outer e))) (guard (e ((symbol? e) (list 'inner e))) (raise 'sym)))"
        ),
        "(inner sym)"
    );
}
