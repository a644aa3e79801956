(define-syntax m (lambda (x) x))
