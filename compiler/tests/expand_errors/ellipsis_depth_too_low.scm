(define-syntax bad (syntax-rules () ((_ x ...) (list x))))
