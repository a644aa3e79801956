(define (f a b . rest) (list a b rest))
(define g (lambda args args))
