;;; Exact integer arithmetic: variadic + - * /, comparisons, min/max, abs, predicates.
;; --- expected stdout
;; 0 1 10
;; 1 2 24
;; -5 -4
;; 2 0.5 -2
;; #t #t #f
;; #t #t
;; #t #f
;; 7 1
;; 7
;; #t #t #t #t #t
;; #t #f #f
;; #t #t #t
;; 9 25
;; 120
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (+) (+ 1) (+ 1 2 3 4))
(show (*) (* 2) (* 1 2 3 4))
(show (- 5) (- 1 2 3))
(show (/ 6 3) (/ 2) (/ 12 -2 3))
(show (= 1 1 1) (< 1 2 3) (< 1 3 2))
(show (<= 1 1 2) (>= 3 3 1))
(show (> 3 2 1) (> 3 2 2))
(show (max 1 7 3) (min 4 1 9))
(show (abs -7))
(show (zero? 0) (positive? 5) (negative? -5) (odd? 3) (even? 0))
(show (integer? 3) (integer? 'a) (exact? 3.0))
(show (number? 1) (exact-integer? -12) (exact? -12))
(show (square 3) (square -5))
(show (let loop ((n 5) (acc 1)) (if (= n 0) acc (loop (- n 1) (* acc n)))))
