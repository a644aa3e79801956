;;; spawn, send, receive, self, process-alive?: message order between two processes is FIFO,
;;; any value can be sent, a finished process is no longer alive.
;; --- expected stdout
;; (1 2 3)
;; (reply "pong" #(1 2))
;; #t
;; #f
;; #t
;; --- end
(define main (self))

(define collector
  (spawn (lambda ()
           (let loop ((acc '()) (k 3))
             (if (= k 0)
                 (send main (reverse acc))
                 (loop (cons (receive) acc) (- k 1)))))))
(send collector 1)
(send collector 2)
(send collector 3)
(write (receive)) (newline)

(define echo
  (spawn (lambda ()
           (let ((msg (receive)))
             (send (car msg) (list 'reply (cadr msg) (caddr msg)))))))
(send echo (list main "pong" (vector 1 2)))
(write (receive)) (newline)

(define waiter (spawn (lambda () (receive))))
(display (process-alive? waiter)) (newline)
(send waiter 'go)
;; Give the waiter time to finish: sleeping yields to it.
(sleep 10)
(display (process-alive? waiter)) (newline)
(display (process-alive? (self))) (newline)
