;;; Exact division by zero is an error; guard can catch it and the program continues.
;; expect-exit: 1
;; expect-stderr: division by zero
;; --- expected stdout
;; caught
;; --- end
(display (guard (e ((error-object? e) 'caught)) (quotient 1 0)))
(newline)
(display (/ 5 0))
