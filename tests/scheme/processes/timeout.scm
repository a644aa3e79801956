;;; receive-timeout returns its default when no message arrives in time, and the message when
;;; one does; sleep lets other processes run.
;; --- expected stdout
;; timed-out
;; got-it
;; late
;; --- end
(define main (self))
(display (receive-timeout 20 'timed-out)) (newline)

(spawn (lambda () (send main 'got-it)))
(display (receive-timeout 5000 'no-message)) (newline)

(spawn (lambda () (sleep 30) (send main 'late)))
(display (receive-timeout 5000 'never)) (newline)
