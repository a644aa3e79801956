;;; Top-level and internal definitions, the procedure shorthand, curried defines, redefinition.
;; --- expected stdout
;; 42
;; 7
;; 10
;; 11
;; (1 2 3)
;; 6
;; 9
;; second
;; 120
;; --- end
(define x 42)
(display x) (newline)

(define (add a b) (+ a b))
(display (add 3 4)) (newline)

;; Internal definitions see each other (letrec* semantics) and may be mutually recursive.
(define (f n)
  (define a 4)
  (define (twice y) (* 2 y))
  (define b (+ a 1))
  (twice b))
(display (f 0)) (newline)

;; A later top-level definition is seen by earlier callers (late binding).
(define (call-later) (later-defined 10))
(define (later-defined n) (+ n 1))
(display (call-later)) (newline)

(define (rest-args . xs) xs)
(display (rest-args 1 2 3)) (newline)

;; Curried define: (define ((f a) b) body) is (define (f a) (lambda (b) body)).
(define ((adder a) b) (+ a b))
(display ((adder 2) 4)) (newline)
(define (((curry3 a) b) c) (+ a b c))
(display (((curry3 2) 3) 4)) (newline)

(define name 'first)
(define name 'second)
(display name) (newline)

(define (fact n)
  (define (loop i acc)
    (if (> i n) acc (loop (+ i 1) (* acc i))))
  (loop 1 1))
(display (fact 5)) (newline)
