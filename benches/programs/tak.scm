;;; Takeuchi's function, repeated: three-argument non-tail calls.
;; --- expected stdout
;; 90
;; --- end
(import (scheme base) (scheme write))

(define (tak x y z)
  (if (not (< y x))
      z
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))))

;; (tak 18 12 6) is 7 and makes 63,609 calls; 10 rounds of (tak 22 16 8) = 9 each.
(define (repeat n acc)
  (if (= n 0)
      acc
      (repeat (- n 1) (+ acc (tak 22 16 8)))))

(display (repeat 10 0))
(newline)
