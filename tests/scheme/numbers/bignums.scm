;;; Exact integers overflow into bignums and come back: factorials, powers, boundaries of 64-bit
;;; arithmetic, division and comparison of bignums, bignum printing and parsing.
;; --- expected stdout
;; 30414093201713378043612608166064768844377641568960512000000000000
;; 9223372036854775807
;; 9223372036854775808
;; -9223372036854775808
;; -9223372036854775809
;; 9223372036854775808
;; 85070591730234615847396907784232501249
;; 18446744073709551616
;; 1267650600228229401496703205376
;; 1
;; #t
;; 9223372036854775807
;; 3 1
;; #t #t #f
;; 4611686018427387904
;; 10000000000000000000000000000000000000000
;; 100000000000000000000
;; 20
;; #t
;; 12345678901234567890123456789
;; 0
;; 340282366920938463463374607431768211456
;; --- end
(define (fact n) (if (= n 0) 1 (* n (fact (- n 1)))))
(write (fact 50)) (newline)

(define max64 9223372036854775807)
(write max64) (newline)
(write (+ max64 1)) (newline)
(write (- (- max64) 1)) (newline)
(write (- (- max64) 2)) (newline)
(write (- (- (- max64) 1))) (newline)
(write (* max64 max64)) (newline)
(write (expt 2 64)) (newline)
(write (expt 2 100)) (newline)
;; Back to a fixnum after cancelling.
(write (- (expt 2 100) (- (expt 2 100) 1))) (newline)
(write (exact-integer? (- (expt 2 100) (expt 2 100)))) (newline)
(write (- (expt 2 63) 1)) (newline)

(call-with-values (lambda () (truncate/ (+ (* 3 (expt 10 30)) 1) (expt 10 30)))
  (lambda (q r) (write q) (display " ") (write r) (newline)))
(write (< (expt 10 20) (expt 10 21)))
(display " ")
(write (= (expt 10 20) (* (expt 10 10) (expt 10 10))))
(display " ")
(write (> (- (expt 10 20)) 0))
(newline)
;; 2^62 overflows a 61-bit fixnum but not an i64.
(write (* 2 (expt 2 61))) (newline)
(write (expt 10 40)) (newline)
(write (quotient (expt 10 40) (expt 10 20))) (newline)
(write (string-length (number->string (expt 10 19)))) (newline)
(write (= (string->number "100000000000000000000") (expt 10 20))) (newline)
(write 12345678901234567890123456789) (newline)
(write (remainder (expt 10 30) (expt 10 15))) (newline)
(write (* (expt 2 64) (expt 2 64))) (newline)
