;;; Raising a value that is not an error object, uncaught, reports the value.
;; expect-exit: 1
;; expect-stderr: my-condition-symbol
(define (f) (raise 'my-condition-symbol))
(f)
