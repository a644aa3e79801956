(define-syntax bad (syntax-rules () ((_ a ... b ...) 1)))
