(define (f)
	(display "hi"
