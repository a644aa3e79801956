; A counter acknowledged by (sync): each "tick n" is shown only once n is durable.
(define n 0)
(let loop ()
  (when (< n 600)
    (set! n (+ n 1))
    (sync)
    (display "tick ") (display n) (newline)
    (loop)))
(display "done ") (display n) (newline)
