(lambda (x 5) x)
