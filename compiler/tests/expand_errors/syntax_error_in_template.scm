(define-syntax must-be-pair (syntax-rules () ((_ (a . b)) (quote (a . b))) ((_ x) (syntax-error "expected a pair, got" x))))
(must-be-pair 5)
