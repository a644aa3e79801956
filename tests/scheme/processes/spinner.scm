;;; A process spinning in a tight loop does not starve the others (preemption by reduction
;;; count): the worker and the main program make progress while it spins, then it is told to
;;; stop (a program runs until all of its processes are done).
;; --- expected stdout
;; worker done 500500
;; spinner stopped
;; --- end
(define main (self))
(define stop #f)

(define spinner
  (spawn (lambda ()
           (let spin ((i 0))
             (if stop
                 (send main 'spinner-stopped)
                 (spin (+ i 1)))))))

(spawn (lambda ()
         (let loop ((i 1) (sum 0))
           (if (> i 1000)
               (send main (list 'worker-done sum))
               (loop (+ i 1) (+ sum i))))))

(define result (receive))
(display "worker done ") (display (cadr result)) (newline)
(set! stop #t)
(receive)
(display "spinner stopped") (newline)
