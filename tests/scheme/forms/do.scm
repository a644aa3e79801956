;;; do loops: steps, no-step variables, result expressions, empty result.
;; --- expected stdout
;; #(0 1 2 3 4)
;; 25
;; 0 1 2 
;; done
;; --- end
(write (do ((vec (make-vector 5))
            (i 0 (+ i 1)))
           ((= i 5) vec)
         (vector-set! vec i i)))
(newline)

(display (let ((x '(1 3 5 7 9)))
           (do ((x x (cdr x))
                (sum 0 (+ sum (car x))))
               ((null? x) sum))))
(newline)

(do ((i 0 (+ i 1))) ((= i 3))
  (display i)
  (display " "))
(newline)

(define result
  (do ((i 0 (+ i 1)) (unchanged 'done)) ((= i 10) unchanged)))
(display result) (newline)
