(define |weird name 1)
