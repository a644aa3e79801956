;;; delay, force, delay-force, make-promise, promise?: memoization, iterative forcing, re-entrant
;;; forcing (R7RS 4.2.5).
;; --- expected stdout
;; 3
;; 1
;; 3 1
;; #t #f
;; 7
;; 7
;; 100000
;; 6
;; 5
;; --- end
(display (force (delay (+ 1 2)))) (newline)

(define count 0)
(define p (delay (begin (set! count (+ count 1)) (* 3 1))))
(force p)
(display count) (newline)
(display (force p)) (display " ") (display count) (newline)

(display (promise? p)) (display " ") (display (promise? 5)) (newline)
(display (force (make-promise 7))) (newline)
;; force of a non-promise returns it.
(display (force 7)) (newline)

;; A long delay-force chain runs in constant space.
(define (stream-drop n)
  (delay-force
    (if (= n 0)
        (delay 100000)
        (stream-drop (- n 1)))))
(display (force (stream-drop 100000))) (newline)

;; R7RS example: a promise forced re-entrantly keeps its first value.
(define x 5)
(define r
  (delay (begin (set! x (+ x 1))
                (if (> x 5) x (force r)))))
(display (force r)) (newline)

(define s (make-promise (delay 5)))
(display (force (force s))) (newline)
