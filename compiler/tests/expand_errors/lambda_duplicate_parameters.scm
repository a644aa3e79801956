(lambda (x y x) x)
