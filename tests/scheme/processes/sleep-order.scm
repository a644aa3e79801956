;;; Processes sleeping for different times wake in deadline order.
;; --- expected stdout
;; (a b c)
;; --- end
(define main (self))
(spawn (lambda () (sleep 60) (send main 'c)))
(spawn (lambda () (sleep 5) (send main 'a)))
(spawn (lambda () (sleep 30) (send main 'b)))
(define x (receive))
(define y (receive))
(define z (receive))
(write (list x y z)) (newline)
