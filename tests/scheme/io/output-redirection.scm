;;; parameterize of current-output-port redirects display and friends; with-output-to-string;
;;; current-error-port writes to standard error; write-shared labels shared structure.
;; expect-stderr: to stderr
;; --- expected stdout
;; "captured 42\n"
;; after
;; "x"
;; (#0=(1) #0#)
;; ((1) (1))
;; #t
;; "abc" #\a
;; --- end
(define s (with-output-to-string (lambda () (display "captured ") (write 42) (newline))))
(write s) (newline)
(display "after") (newline)
(define port (open-output-string))
(parameterize ((current-output-port port)) (write-char #\x))
(write (get-output-string port)) (newline)
(display "to stderr" (current-error-port)) (newline (current-error-port))
(define shared (list 1))
(write-shared (list shared shared)) (newline)
(write (list shared shared)) (newline)
(display (eq? (current-output-port) (current-output-port))) (newline)
(write (call-with-output-string (lambda (p) (display "abc" p)))) (display " ")
(write (with-input-from-string "abc" read-char)) (newline)
