;;; Pairs and lists: constructors, accessors, cxr, list?, length, append, reverse, list-tail,
;;; list-ref, list-copy, last-pair, make-list, list-set!, set-car!/set-cdr!.
;; --- expected stdout
;; (1 . 2) (1 2 3) ()
;; 1 (2 3) 2 (3) 3
;; #t #t #f #f
;; #t #f #t #f
;; 3 0
;; (1 2 3 4 5) (1) () (1 2 . 3) 5
;; (3 2 1) ()
;; (c d) c
;; (1 2 3) #f
;; (3)
;; (x x x) 2
;; (a z c)
;; ((2) . 3)
;; 4
;; (1 2 3 4)
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (cons 1 2) (list 1 2 3) (list))
(define l '(1 2 3))
(show (car l) (cdr l) (cadr l) (cddr l) (caddr l))
(show (pair? l) (null? '()) (null? l) (pair? '()))
(show (list? l) (list? '(1 . 2)) (list? '()) (list? 5))
(show (length l) (length '()))
(show (append '(1 2) '(3) '() '(4 5)) (append '(1)) (append) (append '(1 2) 3) (append '() 5))
(show (reverse l) (reverse '()))
(show (list-tail '(a b c d) 2) (list-ref '(a b c d) 2))
;; list-copy makes a new spine: mutating the copy leaves the original.
(define orig (list 1 2 3))
(define copy (list-copy orig))
(set-car! copy 99)
(show orig (eq? orig copy))
(show (last-pair l))
(show (make-list 3 'x) (length (make-list 2)))
(define m (list 'a 'b 'c))
(list-set! m 1 'z)
(show m)
(define p (cons (list 1) 2))
(set-car! (car p) 2)
(set-cdr! p 3)
(show p)
(show (cadddr '(1 2 3 4)))
(show (append '(1) '(2) '(3 4)))
