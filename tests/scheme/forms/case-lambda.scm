;;; case-lambda: dispatch on argument count, rest clauses, first matching clause wins.
;; --- expected stdout
;; (one 1)
;; (two 1 2)
;; (many 1 2 (3 4))
;; (none)
;; 10
;; 3
;; --- end
(define f
  (case-lambda
    (() '(none))
    ((a) (list 'one a))
    ((a b) (list 'two a b))
    ((a b . rest) (list 'many a b rest))))
(write (f 1)) (newline)
(write (f 1 2)) (newline)
(write (f 1 2 3 4)) (newline)
(write (f)) (newline)

(define plus
  (case-lambda
    ((a) a)
    ((a b) (+ a b))
    ((a . rest) (apply plus (plus a (car rest)) (cdr rest)))))
(display (plus 1 2 3 4)) (newline)
(display (plus 3)) (newline)
