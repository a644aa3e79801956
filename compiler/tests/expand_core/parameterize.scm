(define radix (make-parameter 10))
(parameterize ((radix 2) (width 8)) (number->string 5 (radix)))
