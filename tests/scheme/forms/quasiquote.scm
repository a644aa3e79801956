;;; quasiquote: unquote, unquote-splicing (also at the end and in dotted position), vectors,
;;; nesting levels, and quote forms written back (abbreviated, as the reader's printer does).
;; --- expected stdout
;; (list 3 4)
;; (list a 'a)
;; (a 3 4 5 6 b)
;; ((foo 7) . cons)
;; #(10 5 2 4 3 8)
;; (1 2 3)
;; (1 . 2)
;; #t
;; #t
;; `(b ,x)
;; (1 2 3 4)
;; #t
;; (x)
;; --- end
(write `(list ,(+ 1 2) 4)) (newline)
(write (let ((name 'a)) `(list ,name ',name))) (newline)
(write `(a ,(+ 1 2) ,@(map abs '(4 -5 6)) b)) (newline)
(write `((foo ,(- 10 3)) ,@(cdr '(c)) . ,(car '(cons)))) (newline)
(write `#(10 5 ,(sqrt 4) ,@(map sqrt '(16 9)) 8)) (newline)
(write `(1 ,@(list 2 3))) (newline)
(write `(1 . ,(+ 1 1))) (newline)
;; Nested quasiquote: only the innermost level-matching unquote is evaluated.
(write (equal? `(a `(b ,(c ,(+ 1 2))))
              '(a (quasiquote (b (unquote (c 3)))))))
(newline)
(write (equal? `(a `(b ,(foo ,(+ 1 3) d) e) f)
              '(a `(b ,(foo 4 d) e) f)))
(newline)
;; write abbreviates quote-like forms of two elements.
(write (let ((x 'y)) `(quasiquote (b (unquote x))))) (newline)
(write `(,@'(1 2) ,@'(3 4))) (newline)
;; A quasiquoted list without unquotes may be shared, but must be equal to the quoted one.
(write (equal? `(a b (c)) '(a b (c)))) (newline)
(write `(,@'() x)) (newline)
