(define-syntax bad (syntax-rules () ((_ x) (list 1 ...))))
