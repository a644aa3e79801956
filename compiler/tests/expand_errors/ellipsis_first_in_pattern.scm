(define-syntax bad (syntax-rules () ((_ ... a) 1)))
