(define-syntax bad (syntax-rules () ((_ (a b ...) ...) (list b ...))))
