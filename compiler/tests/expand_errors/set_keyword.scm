(set! if 5)
