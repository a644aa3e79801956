(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))
(define (repeat n acc) (if (= n 0) acc (repeat (- n 1) (+ acc (count 1000000)))))
(display (repeat 3 0))
(newline)
