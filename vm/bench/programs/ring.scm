;; pscheme only: green processes.
(define (recv) (receive-timeout 100000000 #f))
(define n 10000)
(define (node next) (lambda () (let loop () (let ((m (recv))) (send next (+ m 1)) (if (< m (* 5 n)) (loop))))))
(define first (let loop ((i 1) (next (self))) (if (= i n) next (loop (+ i 1) (spawn (node next))))))
(define (go round v) (if (= round 0) v (begin (send first v) (go (- round 1) (recv)))))
(display (go 5 0))
(newline)
