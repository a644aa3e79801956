;;; write and display of every printable kind of datum, nested structure, output to a port
;;; argument, write-string, write-char, newline; cycles are printed without hanging.
;; --- expected stdout
;; (1 "two" #\3 4.5 sym (nested (list)) #(v "w") #u8(1))
;; (1 two 3 4.5 sym (nested (list)) #(v w) #u8(1))
;; (a . b) (a b . c) ()
;; #t #f
;; ab
;; bc
;; xy
;; "multi\nline"
;; #t
;; #0=(1 2 . #0#)
;; --- end
(write (list 1 "two" #\3 4.5 'sym '(nested (list)) (vector 'v "w") (bytevector 1)))
(newline)
(display (list 1 "two" #\3 4.5 'sym '(nested (list)) (vector 'v "w") (bytevector 1)))
(newline)
(write '(a . b)) (display " ") (write '(a b . c)) (display " ") (write '()) (newline)
(write #t) (display " ") (write #f) (newline)
(write-string "ab") (newline)
(write-string "abcd" (current-output-port) 1 3) (newline)
(write-char #\x) (write-char #\y (current-output-port)) (newline (current-output-port))
(write "multi\nline") (newline)
(display (string? (call-with-output-string (lambda (p) (write 'x p))))) (newline)
(define cyc (list 1 2))
(set-cdr! (cdr cyc) cyc)
(write cyc) (newline)
