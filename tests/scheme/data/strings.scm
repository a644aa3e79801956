;;; Strings: construction, access, mutation (string-set!, string-fill!, string-copy!), substring,
;;; append, comparison families, case conversion, conversions to and from lists and vectors,
;;; and write's escapes.
;; --- expected stdout
;; "aaa" "abc" "" 3
;; #\b "bc" "abcdef"
;; "aXc" "zzz" "abzz"
;; "12345" "a12de"
;; #t #t #f #t #t
;; #t #t #f
;; "HELLO" "hello" "strasse"
;; (#\a #\b #\c) (#\b #\c) "xyz"
;; #(#\a #\b) "ab" "b"
;; "cde" "abc" #f
;; "a\"b\\c\nd\te"
;; a"b\c
;; #t #f
;; "λx" 2
;; "foobar" ""
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (make-string 3 #\a) (string #\a #\b #\c) (string) (string-length "abc"))
(show (string-ref "abc" 1) (substring "abcd" 1 3) (string-append "ab" "cd" "" "ef"))
(define s (string-copy "abc"))
(string-set! s 1 #\X)
(define f (make-string 3 #\q))
(string-fill! f #\z)
(define g (string-copy "abcd"))
(string-fill! g #\z 2)
(show s f g)
(define dst (string-copy "abcde"))
(string-copy! dst 1 "12345" 0 2)
(show (string-copy "12345") dst)
(show (string=? "ab" "ab" "ab") (string<? "ab" "abc" "b") (string>? "a" "b") (string<=? "a" "a") (string>=? "b" "a"))
(show (string-ci=? "AbC" "aBc") (string-ci<? "abc" "ABD") (string-ci>? "abc" "ABD"))
(show (string-upcase "hello") (string-downcase "HeLLo") (string-foldcase "STRASSE"))
(show (string->list "abc") (string->list "abc" 1) (list->string '(#\x #\y #\z)))
(show (string->vector "ab") (vector->string #(#\a #\b)) (vector->string #(#\a #\b #\c) 1 2))
(show (string-copy "abcde" 2) (string-copy "abcde" 0 3) (string? 'abc))
(write "a\"b\\c\nd\te") (newline)
(display "a\"b\\c") (newline)
(show (string? "") (string? #\a))
(show (string #\λ #\x) (string-length "λx"))
(show (string-append "foo" "bar") (substring "abc" 1 1))
