;;; syntax-rules: literals, ellipses (nested, after a pattern, in vectors), recursion, hygiene in
;;; both directions, let-syntax and letrec-syntax.
;; --- expected stdout
;; 3
;; (1 2 3)
;; ((a 1) (b 2))
;; 6
;; #t
;; 2
;; ok
;; 10
;; outer
;; ((a 1 2) (b 3))
;; 7
;; now
;; (x y)
;; #(1 2)
;; 4
;; --- end
(define-syntax swap!
  (syntax-rules ()
    ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))
(define x 1)
(define y 3)
(swap! x y)
(display x) (newline)

(define-syntax my-list
  (syntax-rules ()
    ((_ e ...) (list e ...))))
(write (my-list 1 2 3)) (newline)

(define-syntax pairs
  (syntax-rules ()
    ((_ (k v) ...) '((k v) ...))))
(write (pairs (a 1) (b 2))) (newline)

(define-syntax my-or
  (syntax-rules ()
    ((_) #f)
    ((_ e) e)
    ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))
(display (let ((t 5)) (my-or #f (+ t 1)))) (newline)

;; Literals match only themselves.
(define-syntax kw
  (syntax-rules (=>)
    ((_ a => b) #t)
    ((_ a b c) #f)))
(display (kw 1 => 2)) (newline)

;; Hygiene: the macro's tmp does not capture the user's tmp.
(define tmp 1)
(define other 2)
(swap! tmp other)
(display tmp) (newline)

;; Hygiene: a user binding of `else` does not change the `else` of the macro's `cond`.
(define-syntax my-if
  (syntax-rules ()
    ((_ c a b) (cond (c a) (else b)))))
(display (let ((else #f)) (my-if #f 'wrong 'ok))) (newline)

(define-syntax while
  (syntax-rules ()
    ((_ cond body ...) (let lp () (when cond body ... (lp))))))
(define i 0)
(while (< i 10) (set! i (+ i 1)))
(display i) (newline)

;; The macro refers to the global `v` even where the user has a local `v`.
(define v 'outer)
(define-syntax get-v (syntax-rules () ((_) v)))
(display (let ((v 'inner)) (get-v))) (newline)

;; Nested ellipses.
(define-syntax tagged
  (syntax-rules ()
    ((_ (name val ...) ...) (list (list 'name val ...) ...))))
(write (tagged (a 1 2) (b 3))) (newline)

(display (let-syntax ((add3 (syntax-rules () ((_ a) (+ a 3)))))
           (add3 4)))
(newline)

(letrec-syntax ((my-and (syntax-rules ()
                          ((_) #t)
                          ((_ e) e)
                          ((_ e r ...) (if e (my-and r ...) #f)))))
  (display (my-and 1 2 'now))
  (newline))

;; Ellipsis following a pattern inside a list, with a trailing element.
(define-syntax but-last
  (syntax-rules ()
    ((_ a ... z) '(a ...))))
(write (but-last x y z)) (newline)
(define-syntax vec-of
  (syntax-rules ()
    ((_ #(a ...)) (vector a ...))))
(write (vec-of #(1 2))) (newline)
(define-syntax ten-minus
  (syntax-rules ()
    ((_ n) (- 10 n))))
(display (ten-minus 6)) (newline)
