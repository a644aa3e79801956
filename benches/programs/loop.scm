;;; A tail-recursive loop of 10^7 iterations with two fixnum accumulators.
;; --- expected stdout
;; 49999995000000
;; --- end
(import (scheme base) (scheme write))

(define (loop i acc)
  (if (= i 10000000)
      acc
      (loop (+ i 1) (+ acc i))))

(display (loop 0 0))
(newline)
