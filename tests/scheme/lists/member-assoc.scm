;;; memq, memv, member, assq, assv, assoc, including custom equality predicates.
;; --- expected stdout
;; (a b c) (b c) #f
;; (101 102) #f
;; ((a) c) ("b" "c") #f
;; (2.0 3) (5 6)
;; (a 1) #f (5 7)
;; ((a)) ("b" . 2)
;; (2 4)
;; (2.0 . x) #f
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (memq 'a '(a b c)) (memq 'b '(a b c)) (memq 'a '(b c d)))
(show (memv 101 '(100 101 102)) (memv 1.0 '(1 2)))
(show (member (list 'a) '(b (a) c)) (member "b" '("a" "b" "c")) (member "z" '("a")))
(show (member 2.0 '(1 2.0 3) =) (member 2 '(1 5 6) <))
(define e '((a 1) (b 2) (c 3)))
(show (assq 'a e) (assq 'd e) (assv 5 '((2 3) (5 7) (11 13))))
(show (assoc (list 'a) '(((a)) ((b)) ((c)))) (assoc "b" '(("a" . 1) ("b" . 2))))
(show (assoc 2.0 '((1 1) (2 4) (3 9)) =))
(show (assv 2.0 '((1 . y) (2.0 . x))) (assv 2 '((2.0 . x))))
