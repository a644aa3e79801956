(define v #(1 2
