;;; A reference to a variable that is never defined is an error at run time naming the variable.
;; expect-exit: 1
;; expect-stderr: no-such-variable-here
;; expect-stderr: unbound
;; --- expected stdout
;; start
;; --- end
(display "start")
(newline)
(display no-such-variable-here)
