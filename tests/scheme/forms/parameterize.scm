;;; make-parameter with and without converter, parameterize nesting, restoration on escape.
;; --- expected stdout
;; 10
;; 20
;; 30
;; 20
;; 10
;; "12"
;; "5"
;; 10
;; 10
;; --- end
(define p (make-parameter 10))
(display (p)) (newline)
(parameterize ((p 20))
  (display (p)) (newline)
  (parameterize ((p 30))
    (display (p)) (newline))
  (display (p)) (newline))
(display (p)) (newline)

;; The converter runs on the initial value and on parameterized values.
(define q (make-parameter 12 number->string))
(write (q)) (newline)
(parameterize ((q 5))
  (write (q)) (newline))

;; Escaping with a continuation restores the value.
(call-with-current-continuation
  (lambda (k)
    (parameterize ((p 99))
      (k 'escaped))))
(display (p)) (newline)

;; An error inside parameterize restores the value too.
(guard (e (#t #f))
  (parameterize ((p 77))
    (raise 'oops)))
(display (p)) (newline)
