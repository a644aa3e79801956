;;; Eight queens, every solution counted, repeated: list building and backtracking.
;; --- expected stdout
;; 92
;; 4600
;; --- end
(import (scheme base) (scheme write))

(define (iota1 n)
  (let loop ((i n) (acc '()))
    (if (= i 0) acc (loop (- i 1) (cons i acc)))))

;; A placed queen at distance d from the next row must not share its diagonal.
(define (ok? row dist placed)
  (or (null? placed)
      (and (not (= (car placed) (+ row dist)))
           (not (= (car placed) (- row dist)))
           (ok? row (+ dist 1) (cdr placed)))))

(define (try candidates rejected placed)
  (if (null? candidates)
      (if (null? rejected) 1 0)
      (+ (if (ok? (car candidates) 1 placed)
             (try (append (cdr candidates) rejected) '() (cons (car candidates) placed))
             0)
         (try (cdr candidates) (cons (car candidates) rejected) placed))))

(define (queens n) (try (iota1 n) '() '()))

(define (repeat n acc)
  (if (= n 0)
      acc
      (repeat (- n 1) (+ acc (queens 8)))))

(display (queens 8))
(newline)
(display (repeat 50 0))
(newline)
