;;; number->string and string->number with radixes, prefixes, exactness markers, bad input.
;; --- expected stdout
;; "255" "ff" "11111111" "377"
;; "-ff" "1.5" "-0.25"
;; 255 255 -5 15
;; 255 10 3.0 100
;; 1.5 -0.5 1000.0 0.001
;; #f #f #f #f
;; +inf.0 -inf.0 #t
;; 12345678901234567890
;; "1000000000000000000000"
;; #f #f
;; #f
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (number->string 255) (number->string 255 16) (number->string 255 2) (number->string 255 8))
(show (number->string -255 16) (number->string 1.5) (number->string -0.25))
(show (string->number "255") (string->number "ff" 16) (string->number "#b-101") (string->number "#o17"))
(show (string->number "#xFF") (string->number "#d10" 16) (string->number "#i3") (string->number "#e1e2"))
(show (string->number "1.5") (string->number "-.5") (string->number "1e3") (string->number "1e-3"))
(show (string->number "abc") (string->number "") (string->number "1.2.3") (string->number "12" 2))
(show (string->number "+inf.0") (string->number "-inf.0") (nan? (string->number "+nan.0")))
(show (string->number "12345678901234567890"))
(show (number->string (expt 10 21)))
(show (string->number "6/3") (string->number "-3/2"))
(show (string->number "#e1.5"))
