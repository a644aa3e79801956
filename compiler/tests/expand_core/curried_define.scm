(define ((adder n) m) (+ n m))
