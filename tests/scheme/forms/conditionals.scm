;;; if, cond (else, =>, test-only clauses), case (lists of datums, else, =>), and, or, when, unless.
;; --- expected stdout
;; yes
;; no
;; greater
;; 2
;; 7
;; composite
;; vowel
;; other
;; 9
;; #t
;; #f
;; 3
;; #t
;; (b c)
;; #f
;; when-ran
;; unless-ran
;; x
;; --- end
(display (if (> 3 2) 'yes 'no)) (newline)
(display (if #f 'yes 'no)) (newline)

(display (cond ((> 3 4) 'less) ((> 3 2) 'greater) (else 'equal))) (newline)
(display (cond ((assv 'b '((a 1) (b 2))) => cadr) (else #f))) (newline)
;; A clause with only a test returns the test's value.
(display (cond ((+ 3 4)) (else 'never))) (newline)

(display (case (* 2 3)
           ((2 3 5 7) 'prime)
           ((1 4 6 8 9) 'composite)))
(newline)
(display (case (car '(e f))
           ((a e i o u) 'vowel)
           ((w y) 'semivowel)
           (else 'other)))
(newline)
(display (case 'z ((a) 1) (else 'other))) (newline)
(display (case 8 ((2 4) 'small) (else => (lambda (x) (+ x 1))))) (newline)

(display (and 1 2 #t)) (newline)
(display (and 1 #f 3)) (newline)
(display (and 1 2 3)) (newline)
(display (and)) (newline)
(write (or #f (memq 'b '(a b c)))) (newline)
(display (or)) (newline)

(when (= 1 1) (display "when-ran") (newline))
(when (= 1 2) (display "when-wrong") (newline))
(unless (= 1 2) (display "unless-ran") (newline))
(unless (= 1 1) (display "unless-wrong") (newline))
(display (case 'x ((x) => (lambda (s) s)) (else 'no))) (newline)
