;;; An error raised by a guard clause itself propagates outward; uncaught, it ends the program.
;; expect-exit: 1
;; expect-stderr: second failure
;; --- expected stdout
;; first
;; --- end
(guard (e (#t (display "first") (newline) (error "second failure")))
  (error "first failure"))
