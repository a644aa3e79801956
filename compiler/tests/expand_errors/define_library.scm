(define-library (foo) (export x))
