;;; let, let*, letrec, letrec*, named let; shadowing and scope.
;; --- expected stdout
;; 3
;; (2 1)
;; 6
;; #t #f
;; 10
;; 55
;; (3 2 1)
;; 5
;; outer
;; --- end
(display (let ((x 1) (y 2)) (+ x y))) (newline)

;; let is parallel: the inits see the outer x.
(define x 1)
(write (let ((x 2) (y x)) (list x y))) (newline)

;; let* is sequential.
(display (let* ((a 1) (b (+ a 1)) (c (+ a b 2))) (+ a b (- c 2)))) (newline)

(letrec ((even? (lambda (n) (if (= n 0) #t (odd? (- n 1)))))
         (odd? (lambda (n) (if (= n 0) #f (even? (- n 1))))))
  (display (even? 100))
  (display " ")
  (display (odd? 100))
  (newline))

(letrec* ((a 5) (b (* a 2)))
  (display b)
  (newline))

(display (let loop ((i 1) (sum 0))
           (if (> i 10) sum (loop (+ i 1) (+ sum i)))))
(newline)

(write (let loop ((n 3) (acc '()))
         (if (= n 0) (reverse acc) (loop (- n 1) (cons n acc)))))
(newline)

(display (let () (define z 5) z)) (newline)

(define y 'outer)
(let ((y 'inner)) y)
(display y) (newline)
