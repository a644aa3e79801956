;;; A constructor asked for an absurd length raises a catchable error instead of exhausting
;;; memory; uncaught, it ends the program.
;; expect-exit: 1
;; expect-stderr: make-string
;; expect-stderr: length exceeds the maximum
;; --- expected stdout
;; caught
;; --- end
(display (guard (e ((error-object? e) 'caught)) (make-vector 1000000000000)))
(newline)
(make-string 1000000000000 #\a)
