;;; Calling a procedure with the wrong number of arguments is an error at the call.
;; expect-exit: 1
;; expect-stderr: arity.scm:5:
(define (two a b) (+ a b))
(display (two 1))
