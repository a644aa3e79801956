;;; lambda: fixed, rest and variadic parameters; closures capture their environment.
;; --- expected stdout
;; 3
;; (1 (2 3))
;; (1 ())
;; (1 2 3)
;; ()
;; 15
;; 1 2 3
;; #t
;; --- end
(display ((lambda (x y) (+ x y)) 1 2)) (newline)
(write ((lambda (a . rest) (list a rest)) 1 2 3)) (newline)
(write ((lambda (a . rest) (list a rest)) 1)) (newline)
(write ((lambda args args) 1 2 3)) (newline)
(write ((lambda args args))) (newline)

(define (make-adder n) (lambda (x) (+ x n)))
(define add5 (make-adder 5))
(display (add5 10)) (newline)

;; Each closure made in a loop captures its own binding.
(define procs
  (let loop ((i 1) (acc '()))
    (if (> i 3)
        (reverse acc)
        (loop (+ i 1) (cons (lambda () i) acc)))))
(display ((car procs))) (display " ")
(display ((cadr procs))) (display " ")
(display ((caddr procs))) (newline)

(display (procedure? (lambda () 1))) (newline)
