;;; assert raises an error when its argument is false.
;; expect-exit: 1
;; expect-stderr: assertion failed
;; --- expected stdout
;; ok
;; --- end
(assert (= 1 1))
(display "ok")
(newline)
(assert (= 1 2))
