;;; Deep non-tail recursion: a list 10^6 long built and summed recursively.
;; --- expected stdout
;; 1000000
;; 1500001500000
;; --- end
(import (scheme base) (scheme write))

(define (build n)
  (if (= n 0) '() (cons n (build (- n 1)))))

(define (sum xs)
  (if (null? xs) 0 (+ (car xs) (sum (cdr xs)))))

(define (len xs)
  (if (null? xs) 0 (+ 1 (len (cdr xs)))))

(display (len (build 1000000)))
(newline)
(define (rounds n acc)
  (if (= n 0) acc (rounds (- n 1) (+ acc (sum (build 1000000))))))
(display (rounds 3 0))
(newline)
