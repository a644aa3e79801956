;;; read: datums of every kind from a string port, several in a row, then the eof object.
;; --- expected stdout
;; (define (f x) (+ x 1))
;; 42 "str" #\c sym
;; #(1 2) #u8(3) (a . b)
;; 'q 1.5 -7
;; #t
;; 12345678901234567890
;; 3
;; --- end
(define p (open-input-string
  "(define (f x) (+ x 1)) 42 \"str\" #\\c sym #(1 2) #u8(3) (a . b) 'q 1.5 -7 ; comment\n"))
(write (read p)) (newline)
(define a (read p))
(define b (read p))
(define c (read p))
(define d (read p))
(write a) (display " ") (write b) (display " ") (write c) (display " ") (write d) (newline)
(define e (read p))
(define f (read p))
(define g (read p))
(write e) (display " ") (write f) (display " ") (write g) (newline)
(define h (read p))
(define i (read p))
(define j (read p))
(write h) (display " ") (write i) (display " ") (write j) (newline)
(display (eof-object? (read p))) (newline)
(write (read (open-input-string "12345678901234567890"))) (newline)
;; The datum read is ordinary data: it can be evaluated by hand.
(define expr (read (open-input-string "(+ 1 2)")))
(display (apply (if (eq? (car expr) '+) + -) (cdr expr))) (newline)
