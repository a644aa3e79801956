(lambda (x))
