; A counter acknowledged by (sync): each "tick n" is shown only once n is durable. The sleep
; makes the run last about as long on a fast disk as on a slow one.
(define n 0)
(let loop ()
  (when (< n 600)
    (set! n (+ n 1))
    (sync)
    (display "tick ") (display n) (newline)
    (sleep 4)
    (loop)))
(display "done ") (display n) (newline)
