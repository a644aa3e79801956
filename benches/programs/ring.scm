;;; A ring of 1,000 green processes passing a counter around 300 times (300,000 messages).
;; pscheme only: spawn, send and receive are pscheme's; R7RS has no processes.
;; --- expected stdout
;; 300000
;; --- end
(import (scheme base) (scheme write))

(define size 1000)
(define laps 300)

;; The compiler reads `(receive)` as SRFI 8's `receive` syntax, which hides the blocking
;; primitive of the same name; a timeout far beyond the run makes receive-timeout block alike.
(define (next-message) (receive-timeout 1000000000 #f))

;; Each node forwards what it receives, plus one, to the next node, once per lap.
(define (node next)
  (lambda ()
    (let loop ((lap 0))
      (when (< lap laps)
        (send next (+ (next-message) 1))
        (loop (+ lap 1))))))

;; main -> first -> ... -> last -> main: size - 1 spawned nodes plus main.
(define main (self))
(define first
  (let loop ((i 1) (next main))
    (if (= i size) next (loop (+ i 1) (spawn (node next))))))

(define (lap k count)
  (if (= k laps)
      count
      (begin (send first count)
             (lap (+ k 1) (+ (next-message) 1)))))

(display (lap 0 0))
(newline)
