;;; apply with spread arguments, on primitives, closures, continuations and case-lambda.
;; --- expected stdout
;; 7
;; 10
;; (1 2 3 4)
;; 3
;; 5
;; ()
;; --- end
(display (apply + (list 3 4))) (newline)
(display (apply + 1 2 '(3 4))) (newline)
(write (apply list 1 '(2 3 4))) (newline)
(display (apply max '(1 3 2))) (newline)
(display (+ 1 (call/cc (lambda (k) (apply k '(4)))))) (newline)
(write (apply list '())) (newline)
