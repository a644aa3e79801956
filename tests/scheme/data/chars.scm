;;; Characters: comparison families, predicates, case conversion, digit-value, char<->integer,
;;; and how write prints named and unusual characters.
;; --- expected stdout
;; #t #t #f #t #t
;; #t #t #f
;; #t #f #t #t #t #f
;; #t #t #f
;; #\A #\a #\a #\1
;; 3 #f 65 #\B
;; #\a #\space #\newline #\tab #\null #\A
;; a b
;; #\alarm #\backspace #\delete #\escape #\null #\return
;; #t #f
;; #\λ 955
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (char=? #\a #\a #\a) (char<? #\a #\b #\c) (char<? #\a #\c #\b) (char>=? #\c #\c #\a) (char<=? #\a #\a))
(show (char-ci=? #\a #\A) (char-ci<? #\a #\B) (char-ci>? #\a #\B))
(show (char-alphabetic? #\a) (char-alphabetic? #\1) (char-numeric? #\7)
      (char-whitespace? #\space) (char-whitespace? #\newline) (char-whitespace? #\a))
(show (char-upper-case? #\A) (char-lower-case? #\a) (char-upper-case? #\a))
(show (char-upcase #\a) (char-downcase #\A) (char-foldcase #\A) (char-upcase #\1))
(show (digit-value #\3) (digit-value #\a) (char->integer #\A) (integer->char 66))
(show #\a #\space #\newline #\tab (integer->char 0) #\x41)
(display #\a) (display " ") (display #\b) (newline)
(show #\alarm #\backspace #\delete #\escape #\null #\return)
(show (char? #\a) (char? "a"))
(show #\λ (char->integer #\λ))
