;;; Library procedures on a 10^6-element list: none may be quadratic or exhaust a stack.
;; --- expected stdout
;; 1000000
;; 500000500000
;; 1000000
;; 500000
;; 1000000
;; 1000001
;; #t
;; 999999
;; 1000000
;; --- end
(define big (iota 1000000 1))
(display (length big)) (newline)
(display (fold-left + 0 big)) (newline)
(display (length (map (lambda (x) (* x 2)) big))) (newline)
(display (length (filter even? big))) (newline)
(display (car (reverse big))) (newline)
(display (length (append big '(1)))) (newline)
(display (equal? big (list-copy big))) (newline)
(display (fold-right (lambda (x acc) (if (> x acc) x acc)) 0 (cdr (reverse big)))) (newline)
(display (vector-length (list->vector big))) (newline)
