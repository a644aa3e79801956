(define p (delay (begin (display "once") 42)))
(define s (delay-force (loop)))
(force p)
