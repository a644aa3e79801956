(define x ())
