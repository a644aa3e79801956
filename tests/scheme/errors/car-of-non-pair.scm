;;; A primitive applied to the wrong type raises an error naming the primitive and the expected
;;; type; uncaught, it ends the program with the location of the call.
;; expect-exit: 1
;; expect-stderr: car
;; expect-stderr: pair
;; expect-stderr: car-of-non-pair.scm:9:
(define (first-of x)
  (+ 1
     (car x)))
(display (first-of 5))
