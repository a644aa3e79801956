;;; Symbols: interning, conversion, comparison, and write of symbols that need bars.
;; --- expected stdout
;; #t #t #f
;; "abc" abc #t
;; #t #f
;; |hello world| hello world
;; ||
;; |a\|b|
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (symbol? 'a) (eq? 'abc (string->symbol "abc")) (symbol? "a"))
(show (symbol->string 'abc) (string->symbol "abc") (eq? (string->symbol "x") (string->symbol "x")))
(show (symbol=? 'a 'a 'a) (symbol=? 'a 'b))
(write (string->symbol "hello world")) (display " ") (display (string->symbol "hello world")) (newline)
(write (string->symbol "")) (newline)
(write (string->symbol "a|b")) (newline)
