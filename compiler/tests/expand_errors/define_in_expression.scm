(display (define x 5))
