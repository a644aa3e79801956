;;; Ackermann's function: very deep non-tail recursion with tiny frames.
;; --- expected stdout
;; 21
;; 2045
;; 10225
;; --- end
(import (scheme base) (scheme write))

(define (ack m n)
  (cond ((= m 0) (+ n 1))
        ((= n 0) (ack (- m 1) 1))
        (else (ack (- m 1) (ack m (- n 1))))))

(define (repeat n acc)
  (if (= n 0)
      acc
      (repeat (- n 1) (+ acc (ack 3 8)))))

(display (ack 2 9))
(newline)
(display (ack 3 8))
(newline)
(display (repeat 5 0))
(newline)
