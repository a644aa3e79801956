;;; An uncaught error in a spawned process ends only that process (its report goes to stderr);
;;; the main program and other processes keep running and the exit status is 0.
;; expect-exit: 0
;; expect-stderr: crash in child
;; --- expected stdout
;; child crashed: #f
;; other ok
;; main done
;; --- end
(define main (self))
(define child (spawn (lambda () (error "crash in child" 7))))
(spawn (lambda () (sleep 5) (send main 'other-ok)))
(sleep 20)
(display "child crashed: ") (display (process-alive? child)) (newline)
(display (if (eq? (receive) 'other-ok) "other ok" "wrong")) (newline)
(display "main done") (newline)
