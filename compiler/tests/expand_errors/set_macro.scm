(define-syntax m (syntax-rules () ((_) 1)))
(set! m 2)
