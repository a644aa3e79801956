//! Hygiene of syntax-rules, both ways, checked by evaluating the expansions.

mod expand_support;
use expand_support::run;

const MY_OR: &str = "(define-syntax my-or (syntax-rules () ((_) #f) ((_ e) e) ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))";

#[test]
fn macro_bindings_do_not_capture_user_variables() {
    // The classic: the template's `t` is not the user's `t`.
    assert_eq!(run(&format!("{MY_OR} (let ((t 5)) (my-or #f t))")), "5");
    assert_eq!(run(&format!("{MY_OR} (define t 7) (my-or #f t)")), "7");
    let swap =
        "(define-syntax swap! (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))";
    assert_eq!(
        run(&format!(
            "{swap} (let ((tmp 1) (x 2)) (swap! tmp x) (list tmp x))"
        )),
        "(2 1)"
    );
    let while_loop =
        "(define-syntax while (syntax-rules () ((_ c b ...) (let lp () (when c b ... (lp))))))";
    assert_eq!(
        run(&format!(
            "{while_loop} (define (f) (let ((lp 0) (i 0)) (while (< i 3) (set! lp (+ lp 1)) (set! i (+ i 1))) lp)) (f)"
        )),
        "3"
    );
}

#[test]
fn user_bindings_do_not_capture_macro_free_identifiers() {
    // `my-or` uses `let` and `if`; the user binds both locally.
    assert_eq!(run(&format!("{MY_OR} (let ((if list)) (my-or #f 2))")), "2");
    assert_eq!(run(&format!("{MY_OR} (let ((let 5)) (my-or #f let))")), "5");
    assert_eq!(
        run(&format!(
            "{MY_OR} (define (f if let) (my-or if let)) (f #f 9)"
        )),
        "9"
    );
    let unless2 = "(define-syntax my-unless (syntax-rules () ((_ c a b) (if c b a))))";
    assert_eq!(
        run(&format!("{unless2} (let ((if list)) (my-unless #t 1 2))")),
        "2"
    );
    // A global procedure used by the template, shadowed at the use site.
    let first = "(define-syntax first (syntax-rules () ((_ l) (car l))))";
    assert_eq!(
        run(&format!("{first} (let ((car cdr)) (first '(1 2)))")),
        "1"
    );
    // A local variable captured by a local macro, shadowed at the use site.
    assert_eq!(
        run("(let ((x 1)) (let-syntax ((getx (syntax-rules () ((_) x)))) (let ((x 2)) (getx))))"),
        "1"
    );
}

#[test]
fn macro_introduced_definitions_are_hygienic() {
    let def_tmp = "(define-syntax def-tmp (syntax-rules () ((_ v) (begin (define tmp v) tmp))))";
    assert_eq!(
        run(&format!(
            "{def_tmp} (define (f) (define tmp 1) (def-tmp 2) tmp) (f)"
        )),
        "1"
    );
    // A definition of a name the user passed in is visible to the user.
    let def = "(define-syntax def (syntax-rules () ((_ n v) (define n v))))";
    assert_eq!(run(&format!("{def} (define (f) (def y 3) y) (f)")), "3");
}

#[test]
fn literals_match_by_binding() {
    // `else` bound as a variable is no longer cond's `else` (R7RS 4.3.2).
    assert_eq!(run("(let ((else #f)) (cond (else 1)))"), "#<unspecified>");
    let kw = "(define-syntax kw (syntax-rules (on) ((_ on) 'literal) ((_ x) 'other)))";
    assert_eq!(
        run(&format!("{kw} (list (kw on) (kw off))")),
        "(literal other)"
    );
    assert_eq!(run(&format!("{kw} (let ((on 1)) (kw on))")), "other");
}

#[test]
fn macros_generating_macros() {
    let src = "(define-syntax def-getter (syntax-rules () ((_ name val) (begin (define hidden val) (define-syntax name (syntax-rules () ((_) hidden)))))))
               (define (f) (def-getter get 42) (define hidden 0) (get)) (f)";
    assert_eq!(run(src), "42");
    let nested = "(define-syntax my-let2 (syntax-rules () ((_ x v body) (let-syntax ((m (syntax-rules () ((_) (let ((x v)) body))))) (m)))))
                  (let ((y 3)) (my-let2 z 4 (+ y z)))";
    assert_eq!(run(nested), "7");
}
