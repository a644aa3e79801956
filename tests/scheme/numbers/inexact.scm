;;; Flonums: exactness contagion, exact/inexact conversion, rounding (ties to even), special
;;; values, transcendental functions, sqrt and expt exactness.
;; --- expected stdout
;; 3.5 6.0 #f #t
;; 2.0 3
;; 4.0 2.0 -2.0 -4.0
;; -5.0 -4.0 -4.0 -4.0
;; 4 8
;; 3.0 3 1.4142135623730951
;; 1024 0.125 2.0 1
;; +inf.0 -inf.0 +nan.0
;; #t #f #t #t
;; 1.0 0.0
;; #t #t
;; 0.1 100.0 1e21 1.5e-7
;; 4.0 -0.0
;; 3.0 4.0
;; 1 0
;; #t
;; 7.0 2.0
;; 1 3.0 0.5 2.0
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (+ 1 2.5) (* 2 3.0) (exact? (+ 1 0.0)) (inexact? (* 1.0 1)))
(show (inexact 2) (exact 3.0))
(show (round 3.5) (round 2.5) (round -2.5) (round -3.5))
(show (floor -4.3) (ceiling -4.3) (truncate -4.3) (round -4.3))
(show (round 4) (floor 8))
(show (sqrt 9.0) (sqrt 9) (sqrt 2))
(show (expt 2 10) (expt 2.0 -3) (expt 4 0.5) (expt 0 0))
(show (/ 1.0 0) (/ -1 0.0) (string->number "+nan.0"))
(show (nan? (/ 0.0 0.0)) (infinite? 1.0) (infinite? (/ -1.0 0)) (finite? 1e300))
(show (exp 0) (log 1))
(show (< (abs (- (sin 0) 0)) 1e-12) (< (abs (- (atan 1 1) (/ (acos -1) 4))) 1e-12))
(show 0.1 100.0 1e21 1.5e-7)
(show (max 1 4.0) (- 0.0))
(show (max 3 2.0) (min 4 5.0))
(show (exact (floor 1.5)) (exact (round 0.5)))
(show (= 1 1.0))
(show (abs -7.0) (exact->inexact 2))
(show (inexact->exact 1.0) (+ 1.5 1.5) (/ 1 2.0) (sqrt 4.0))
