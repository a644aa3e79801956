;;; 10,000 processes in a ring pass a token around twice; each adds one.
;; --- expected stdout
;; 20000
;; --- end
(define n 10000)

;; Each process forwards what it receives, plus one, to the next; `rounds` messages then exits.
(define (node next rounds)
  (lambda ()
    (let loop ((i 0))
      (when (< i rounds)
        (send next (+ (receive) 1))
        (loop (+ i 1))))))

(define main (self))
(define first
  (let loop ((i 1) (next main))
    (if (= i n)
        next
        (loop (+ i 1) (spawn (node next 2))))))
;; The ring: main -> first -> ... -> last -> main, n processes in all including main.
(send first 1)
(define after-one (receive))
(send first after-one)
(display (+ (receive) 1))
(newline)
