;;; The integer division family on every sign combination, gcd, lcm, exact-integer-sqrt, and
;;; exact `/` (no exact rationals: an inexact quotient is a flonum).
;; --- expected stdout
;; 3 1 -3 -1 -3 1 3 -1
;; 3 1 -4 1 -4 -1 3 -1
;; 3 -3 -3 3 1 -1 1 -1
;; 1 3 -3 -1
;; 2 -2 -4
;; 3.0 1.0
;; 4 0 1
;; 288 0 1
;; 4 1
;; 5 0
;; 2 0.25 -1.5
;; 4.0
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(define (both f n d) (call-with-values (lambda () (f n d)) list))
(apply show (append (both truncate/ 7 2) (both truncate/ -7 2) (both truncate/ 7 -2) (both truncate/ -7 -2)))
(apply show (append (both floor/ 7 2) (both floor/ -7 2) (both floor/ 7 -2) (both floor/ -7 -2)))
(show (quotient 7 2) (quotient -7 2) (quotient 7 -2) (quotient -7 -2)
      (remainder 7 2) (remainder -7 2) (remainder 7 -2) (remainder -7 -2))
(show (modulo 13 4) (modulo -13 4) (modulo 13 -4) (modulo -13 -4))
(show (floor-quotient 5 2) (floor-remainder 5 -7) (floor-quotient -7 2))
(show (truncate-quotient 7.0 2) (truncate-remainder 7.0 2))
(show (gcd 32 -36) (gcd) (lcm))
(show (lcm 32 -36) (lcm 0 5) (gcd 5 0 -1))
(call-with-values (lambda () (exact-integer-sqrt 17)) show)
(call-with-values (lambda () (exact-integer-sqrt 25)) show)
(show (/ 6 3) (/ 1 4) (/ -3 2))
(show (/ 8.0 2))
