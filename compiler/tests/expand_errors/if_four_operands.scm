(define (f x)
  (if (> x 0) (display "pos") (display "neg") (newline)))
