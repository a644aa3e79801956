;;; Library procedures on a 300,000-element list: none may be quadratic (that would take
;;; minutes) or exhaust a stack.
;; --- expected stdout
;; 300000
;; 45000150000
;; 300000
;; 150000
;; 300000
;; 300001
;; #t
;; 299999
;; 300000
;; --- end
(define big (iota 300000 1))
(display (length big)) (newline)
(display (fold-left + 0 big)) (newline)
(display (length (map (lambda (x) (* x 2)) big))) (newline)
(display (length (filter even? big))) (newline)
(display (car (reverse big))) (newline)
(display (length (append big '(1)))) (newline)
(display (equal? big (list-copy big))) (newline)
(display (fold-right (lambda (x acc) (if (> x acc) x acc)) 0 (cdr (reverse big)))) (newline)
(display (vector-length (list->vector big))) (newline)
