;;; The report of an uncaught error includes a Scheme-level backtrace naming the procedures whose
;;; calls were in progress.
;; expect-exit: 1
;; expect-stderr: index out of range
;; expect-stderr: inner-proc
;; expect-stderr: middle-proc
;; expect-stderr: outer-proc
(define (inner-proc v) (+ 1 (vector-ref v 3)))
(define (middle-proc v) (* 2 (inner-proc v)))
(define (outer-proc) (- (middle-proc (vector 1 2)) 1))
(outer-proc)
