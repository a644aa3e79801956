(define-values (q r) (floor/ 7 2))
(let-values (((a b) (values 1 2)) ((c . d) (values 3 4 5))) (list a b c d))
(receive (x . rest) (values 1 2) (list x rest))
