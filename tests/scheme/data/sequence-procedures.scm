;;; string-map, string-for-each, vector-map, vector-for-each over one and several sequences
;;; (stopping at the shortest), vector-index and vector-count.
;; --- expected stdout
;; "ABC"
;; "bdf"
;; "ace"
;; a-1 b-2 
;; #(1 4 9)
;; #((1 . a) (2 . b))
;; 6
;; 2 2
;; #f
;; --- end
(write (string-map char-upcase "abc")) (newline)
(write (string-map (lambda (c) (integer->char (+ 1 (char->integer c)))) "ace")) (newline)
(write (string-map (lambda (a b) (if (char<? a b) a b)) "axe" "bcfgh")) (newline)
(string-for-each (lambda (c n) (display c) (display "-") (display n) (display " ")) "ab" "12345")
(newline)
(write (vector-map (lambda (x) (* x x)) #(1 2 3))) (newline)
(write (vector-map cons #(1 2 3) #(a b))) (newline)
(let ((sum 0))
  (vector-for-each (lambda (x) (set! sum (+ sum x))) #(1 2 3))
  (display sum) (newline))
(display (vector-index even? #(1 3 4 6))) (display " ")
(display (vector-count even? #(1 3 4 6))) (newline)
(display (vector-index even? #())) (newline)
