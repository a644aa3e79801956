;;; letrec* and internal definitions: a procedure may refer to a variable defined after it as
;;; long as it is called after that variable's initializer ran; calling it earlier raises an
;;; error (R7RS 4.2.2) that a guard can catch, and the variable is then usable once initialized.
;; --- expected stdout
;; 42
;; (1 2)
;; caught: variable used before its initialization: later
;; 7
;; 120
;; --- end
(define (late-reference)
  (define (get) later)
  (define later 42)
  (get))
(display (late-reference))
(newline)

(define (chain)
  (define first (list 1))
  (define (both) (append first second))
  (define second (list 2))
  (both))
(write (chain))
(newline)

(define (too-early)
  (define (get) later)
  (define snapshot
    (guard (e ((error-object? e)
               (string-append "caught: " (error-object-message e))))
      (get)))
  (define later 7)
  (display snapshot)
  (newline)
  (get))
(display (too-early))
(newline)

(define (fact-by-letrec n)
  (letrec ((loop (lambda (i acc) (if (= i 0) acc (loop (- i 1) (* acc i)))))
           (start n))
    (loop start 1)))
(display (fact-by-letrec 5))
(newline)
