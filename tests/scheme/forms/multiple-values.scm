;;; values, call-with-values, let-values, let*-values, define-values, receive.
;; --- expected stdout
;; 5
;; -1
;; (1 2 3)
;; 3 (4 5)
;; (1 2)
;; 6
;; 1 2 (3 4)
;; (a b c)
;; 10
;; 35
;; --- end
(display (call-with-values (lambda () (values 2 3)) +)) (newline)
(display (call-with-values * -)) (newline)
(write (call-with-values (lambda () (values 1 2 3)) list)) (newline)

(let-values (((a b) (values 1 2))
             ((c . d) (values 3 4 5)))
  (display c) (display " ") (write d) (newline))
(let ((a 'outer))
  ;; let-values binds in parallel: the second init sees the outer a.
  (let-values (((a) (values 1)) ((b) (values 2)))
    (write (list a b)) (newline)))
(let*-values (((a b) (values 1 2)) ((c) (values (+ a b 3))))
  (display c) (newline))

(define-values (q r . more) (values 1 2 3 4))
(display q) (display " ") (display r) (display " ") (write more) (newline)
(define-values all (values 'a 'b 'c))
(write all) (newline)

(receive (x . rest) (values 10 20 30) (display x) (newline))
(call-with-values (lambda () (floor/ 35 1)) (lambda (q r) (display (+ q r)) (newline)))
