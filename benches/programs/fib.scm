;;; Doubly recursive Fibonacci: non-tail calls and fixnum arithmetic.
;; --- expected stdout
;; 832040
;; --- end
(import (scheme base) (scheme write))

(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(display (fib 30))
(newline)
