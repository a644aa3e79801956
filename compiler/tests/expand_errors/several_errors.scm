(define (f x) (if))
(let ((1 2)) 3)
(lambda (a a) a)
(quote)
