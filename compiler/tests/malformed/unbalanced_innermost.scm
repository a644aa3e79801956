(define (f x)
  (let ((y 2)
    (+ x y))
