;;; Non-tail recursion 10^6 deep: frames live on the heap, not the Rust stack.
;; --- expected stdout
;; 1000000
;; 500000500000
;; 1000000
;; 100000
;; --- end
(define (count-up n) (if (= n 0) 0 (+ 1 (count-up (- n 1)))))
(display (count-up 1000000)) (newline)

(define (sum-to n) (if (= n 0) 0 (+ n (sum-to (- n 1)))))
(display (sum-to 1000000)) (newline)

(define (build n) (if (= n 0) '() (cons n (build (- n 1)))))
(display (length (build 1000000))) (newline)

;; Deep recursion through a non-tail call of a higher-order procedure.
(define (nest n) (if (= n 0) 0 (+ 1 (car (map nest (list (- n 1)))))))
(display (nest 100000)) (newline)
