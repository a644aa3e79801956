;;; Reading a letrec variable before its initializer has run is an error that names the
;;; variable and where it was read, not a value that leaks into the program.
;; expect-exit: 1
;; expect-stderr: variable used before its initialization: b
;; expect-stderr: letrec-before-init.scm:7:38:
(define (f)
  (letrec ((a (lambda () (list 'b-is b)))
           (b (a)))
    b))
(display (f))
