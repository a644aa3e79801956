(define (loop i acc) (if (= i 0) acc (loop (- i 1) (+ acc 1))))
(display (loop 10000000 0))
(newline)
