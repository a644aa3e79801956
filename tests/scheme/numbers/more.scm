;;; numerator/denominator (flonums are dyadic rationals), rationalize, exact-integer-sqrt and
;;; division of bignums, min/max across bignums and flonums, radix printing of bignums.
;; --- expected stdout
;; 6 1 3.0 4.0
;; 0.3333333333333333 2 0.0
;; 1000000000000000000000 1
;; -4 3
;; 100000000000000000000 1e20
;; "ffffffffffffffffffff" -255
;; 9007199254740993 #f #t
;; 12 -12 12.0
;; #t #f
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (numerator 6) (denominator 6) (numerator 0.75) (denominator 0.75))
(show (rationalize 0.3 (/ 1.0 10)) (rationalize 3 1) (rationalize 0.5 1))
(call-with-values (lambda () (exact-integer-sqrt (+ (expt 10 42) 1))) show)
(call-with-values (lambda () (floor/ -13 (expt 2 0))) (lambda (q r) (show (quotient q 3) (- r -3))))
(show (max (expt 10 20) 5) (max (expt 10 20) 1.0))
(show (number->string (- (expt 16 20) 1) 16) (string->number "#x-ff"))
;; 2^53 + 1 is exact; as a flonum it would round to 2^53.
(show (+ (expt 2 53) 1) (= (+ (expt 2 53) 1) (exact->inexact (+ (expt 2 53) 1))) (exact? (+ (expt 2 53) 1)))
(show (abs -12) (- (abs -12)) (abs -12.0))
(show (boolean=? #t #t #t) (boolean=? #f #t))
