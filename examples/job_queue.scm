;; A job queue with cooperating processes: the main process hands jobs to a pool of workers,
;; each worker computes and reports back, and the main process prints every result and the
;; total. Run it persistently, kill it at any moment and run it again: it resumes where it
;; was, prints no result twice, and ends with the same total as an uninterrupted run.

(define job-count 40)
(define worker-count 4)

;; A worker takes `(job . reply-to)` messages, works a little, and replies `(job . result)`,
;; until it gets `stop`.
(define (worker)
  (let ((msg (receive)))
    (unless (eq? msg 'stop)
      (sleep 25)
      (send (cdr msg) (cons (car msg) (* (car msg) (car msg))))
      (worker))))

(define workers
  (let loop ((i 0) (acc '()))
    (if (= i worker-count)
        (list->vector acc)
        (loop (+ i 1) (cons (spawn worker) acc)))))

;; Hand out the jobs round-robin.
(let loop ((job 1))
  (when (<= job job-count)
    (send (vector-ref workers (modulo job worker-count)) (cons job (self)))
    (loop (+ job 1))))

;; Collect the results in the order they arrive.
(define total
  (let loop ((received 0) (total 0))
    (if (= received job-count)
        total
        (let ((result (receive)))
          (display "job ") (display (car result))
          (display " -> ") (display (cdr result)) (newline)
          (loop (+ received 1) (+ total (cdr result)))))))

(display "total ") (display total) (newline)
(vector-for-each (lambda (w) (send w 'stop)) workers)
