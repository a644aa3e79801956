;;; Closure-heavy list work: map with made closures, a hand-written filter and folds.
;; --- expected stdout
;; 50002750000
;; --- end
(import (scheme base) (scheme write))

(define (fold f acc xs)
  (if (null? xs) acc (fold f (f (car xs) acc) (cdr xs))))

(define (keep pred xs)
  (reverse (fold (lambda (x acc) (if (pred x) (cons x acc) acc)) '() xs)))

(define (compose f g) (lambda (x) (f (g x))))
(define (adder k) (lambda (x) (+ x k)))
(define (scaler k) (lambda (x) (* x k)))

(define xs
  (let loop ((i 100000) (acc '()))
    (if (= i 0) acc (loop (- i 1) (cons i acc)))))

;; Each round maps a fresh composed closure over the odd elements and folds the result.
(define (round k)
  (let ((f (compose (adder k) (scaler 2))))
    (fold (lambda (x acc) (+ acc x)) 0 (map f (keep odd? xs)))))

(define (rounds k acc)
  (if (= k 0) acc (rounds (- k 1) (+ acc (round k)))))

(display (rounds 10 0))
(newline)
