;;; An uncaught (error ...) ends the program with a non-zero status after the output written so
;;; far; the report names the message, the irritants and the location of the failing call.
;; expect-exit: 1
;; expect-stderr: something bad
;; expect-stderr: "irritant"
;; expect-stderr: error-call.scm:13:
;; --- expected stdout
;; before
;; --- end
(display "before")
(newline)
(define (fail x)
  (error "something bad" x "irritant"))
(fail 42)
(display "not reached")
(newline)
