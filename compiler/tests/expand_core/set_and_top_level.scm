(define counter 0)
(define (bump!) (set! counter (+ counter 1)) counter)
(let ((local 1)) (set! local 2) local)
