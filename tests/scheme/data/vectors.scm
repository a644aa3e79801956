;;; Vectors: construction, access, fill, copy (with ranges), copy! (overlapping), append,
;;; conversions, vector-map and vector-for-each over several vectors.
;; --- expected stdout
;; #(0 0 0) #(1 2 3) #() 3
;; 2 #(1 x 3)
;; #(7 7 7) #(1 9 9)
;; #(2 3) #(1 2 3) #t
;; #(1 1 2 3 5) #(2 3 4 4 5)
;; #(1 2 3 4) #()
;; (1 2 3) (2 3) #(a b)
;; #(2 4 6) #(11 22)
;; 123
;; 1a2b
;; #(#(1) #(1))
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (make-vector 3 0) (vector 1 2 3) (vector) (vector-length #(a b c)))
(define v (vector 1 2 3))
(define r (vector-ref v 1))
(vector-set! v 1 'x)
(show r v)
(define w (make-vector 3 1))
(vector-fill! w 7)
(define u (vector 1 2 3))
(vector-fill! u 9 1)
(show w u)
(define orig (vector 1 2 3))
(define c (vector-copy orig))
(show (vector-copy orig 1) c (not (eq? c orig)))
(define a (vector 1 2 3 4 5))
(vector-copy! a 1 a 0 3)
(define b (vector 1 2 3 4 5))
(vector-copy! b 0 b 1 4)
(show a b)
(show (vector-append #(1 2) #(3) #(4)) (vector-append))
(show (vector->list #(1 2 3)) (vector->list #(1 2 3) 1) (list->vector '(a b)))
(show (vector-map (lambda (x) (* 2 x)) #(1 2 3)) (vector-map + #(1 2) #(10 20 30)))
(vector-for-each display #(1 2 3)) (newline)
(vector-for-each (lambda (x y) (display x) (display y)) #(1 2) #(a b c)) (newline)
(define inner (vector 1))
(show (vector inner inner))
