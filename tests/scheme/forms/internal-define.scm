;;; Internal definitions in lambda, let, let*, letrec bodies and in `begin` at top level.
;; --- expected stdout
;; 12
;; 3
;; 8
;; 5
;; 20
;; --- end
(define (f x)
  (define y (* x 2))
  (define (g z) (+ y z))
  (g 2))
(display (f 5)) (newline)

(let ()
  (define a 1)
  (define b 2)
  (display (+ a b))
  (newline))

(let* ((n 4))
  (define (double k) (* 2 k))
  (display (double n))
  (newline))

(begin
  (define top-a 2)
  (define top-b 3))
(display (+ top-a top-b)) (newline)

(define (h)
  (define-values (p q) (values 4 5))
  (* p q))
(display (h)) (newline)
