(define-syntax bad (syntax-rules () ((_ a a) 1)))
