;;; eq?, eqv?, equal? on every kind of object, including deep and long structures.
;; --- expected stdout
;; #t #t #t #f
;; #t #f #f #t
;; #t #t #f #t
;; #t #t #t #f #t
;; #f #t
;; #t #t
;; #t #f
;; #t #t #f
;; #t
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (eq? 'a 'a) (eq? '() '()) (eq? car car) (eq? (list 1) (list 1)))
(show (eqv? 2 2) (eqv? 2 2.0) (eqv? (cons 1 2) (cons 1 2)) (eqv? #\a #\a))
(show (eqv? 100000000000000000000 100000000000000000000) (eqv? 1.5 1.5) (eqv? 0.0 -0.0) (eqv? 'a 'a))
(show (equal? '(1 (2 #(3 "x"))) (list 1 (list 2 (vector 3 "x")))) (equal? "abc" "abc")
      (equal? #u8(1 2) (bytevector 1 2)) (equal? 2 2.0) (equal? '() '()))
(show (equal? (vector 1 2) (vector 1 2 3)) (equal? (make-vector 2 'a) #(a a)))
(define (build n) (let loop ((i 0) (acc '())) (if (= i n) acc (loop (+ i 1) (cons i acc)))))
(show (equal? (build 200000) (build 200000)) (equal? 1.0 1.0))
(define (nest n) (let loop ((i 0) (acc '())) (if (= i n) acc (loop (+ i 1) (list acc)))))
(show (equal? (nest 100000) (nest 100000)) (equal? (nest 100) (nest 101)))
(let ((p (lambda (x) x)))
  (show (eq? p p) (eqv? p p) (equal? car cdr)))
(show (eqv? (expt 2 70) (* (expt 2 35) (expt 2 35))))
