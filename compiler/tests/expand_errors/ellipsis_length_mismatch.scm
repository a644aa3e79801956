(define-syntax zip (syntax-rules () ((_ (a ...) (b ...)) (list (cons a b) ...))))
(zip (1 2 3) (4 5))
