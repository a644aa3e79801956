;;; String ports: open-output-string/get-output-string, open-input-string with read-char,
;;; peek-char, read-line, read-string, char-ready?, eof-object; port predicates.
;; --- expected stdout
;; "hello 42 (1 2)"
;; #\a #\a #\b
;; "line one"
;; "line two"
;; #t
;; "xyz"
;; #t #t #f
;; #t #t
;; "ab" "cd" #t
;; ""
;; 2 #u8(0 7 8 0) 1 #u8(9 7 8 0) #t
;; #t
;; --- end
(define out (open-output-string))
(write 'hello out)
(write-char #\space out)
(display 42 out)
(write-string " " out)
(write '(1 2) out)
(write (get-output-string out)) (newline)

(define in (open-input-string "abc"))
(define c1 (peek-char in))
(define c2 (read-char in))
(define c3 (read-char in))
(write c1) (display " ") (write c2) (display " ") (write c3) (newline)

(define lines (open-input-string "line one\nline two\n"))
(write (read-line lines)) (newline)
(write (read-line lines)) (newline)
(display (eof-object? (read-line lines))) (newline)

(define rest (open-input-string "xyz"))
(write (read-string 10 rest)) (newline)
(display (eof-object? (read-char rest))) (display " ")
(display (eof-object? (eof-object))) (display " ")
(display (eof-object? #\a)) (newline)
(display (input-port? in)) (display " ") (display (output-port? out)) (newline)
(define two (open-input-string "abcd"))
(define first (read-string 2 two))
(write first) (display " ") (write (read-string 2 two)) (display " ")
(display (char-ready? two)) (newline)
(write (get-output-string (open-output-string))) (newline)
(define bin (open-input-bytevector (bytevector 7 8 9)))
(define buf (make-bytevector 4 0))
(define n1 (read-bytevector! buf bin 1 3))
(write n1) (display " ") (write (bytevector-copy buf)) (display " ")
(define n2 (read-bytevector! buf bin))
(write n2) (display " ") (write buf) (display " ")
(write (eof-object? (read-bytevector! buf bin))) (newline)
(write (and (memq 'r7rs (features)) #t)) (newline)
