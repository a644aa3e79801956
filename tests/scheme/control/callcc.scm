;;; call/cc: escaping, re-entry (multi-shot), generators, call/cc in map, continuation as
;;; procedure value, call-with-current-continuation alias, values through continuations.
;; --- expected stdout
;; -3
;; 4
;; (1 2 3)
;; 1 2 3 done
;; 0 1 2 3 4
;; (10 20)
;; 2 3
;; #t
;; (a b c)
;; 7
;; --- end
;; R7RS example: escape from for-each.
(display (call-with-current-continuation
           (lambda (exit)
             (for-each (lambda (x) (if (negative? x) (exit x)))
                       '(54 0 37 -3 245 19))
             #t)))
(newline)

(define (list-length obj)
  (call/cc
    (lambda (return)
      (letrec ((r (lambda (obj)
                    (cond ((null? obj) 0)
                          ((pair? obj) (+ (r (cdr obj)) 1))
                          (else (return #f))))))
        (r obj)))))
(display (list-length '(1 2 3 4))) (newline)

;; Re-entering a continuation several times (multi-shot).
(define k #f)
(define count 0)
(define result '())
(set! result (cons (call/cc (lambda (c) (set! k c) 1)) result))
(set! count (+ count 1))
(if (< count 3) (k (+ count 1)))
(write (reverse result)) (newline)

;; A generator built from two continuations.
(define (make-generator lst)
  (define return #f)
  (define (resume-point)
    (for-each (lambda (x) (call/cc (lambda (next) (set! resume-point (lambda () (next #f))) (return x))))
              lst)
    (return 'done))
  (lambda ()
    (call/cc (lambda (r) (set! return r) (resume-point)))))
(define gen (make-generator '(1 2 3)))
(display (gen)) (display " ")
(display (gen)) (display " ")
(display (gen)) (display " ")
(display (gen)) (newline)

;; A loop driven by re-entering a saved continuation.
(let ((i 0) (again #f))
  (call/cc (lambda (c) (set! again c)))
  (display i)
  (set! i (+ i 1))
  (if (< i 5) (begin (display " ") (again #f)) (newline)))

(write (map (lambda (x) (call/cc (lambda (k) (k (* x 10))))) '(1 2))) (newline)

;; A continuation accepts several values when its receiver does.
(call-with-values (lambda () (call/cc (lambda (k) (k 2 3))))
  (lambda (a b) (display a) (display " ") (display b) (newline)))
(display (procedure? (call/cc (lambda (k) k)))) (newline)

;; Re-entering map's continuation must not corrupt a list it already returned.
(define saved #f)
(define first-result #f)
(define runs 0)
(let ((r (map (lambda (x) (if (eq? x 'b) (call/cc (lambda (c) (set! saved c) x)) x)) '(a b c))))
  (set! runs (+ runs 1))
  (if (= runs 1)
      (begin (set! first-result r) (saved 'z))
      (begin (write first-result) (newline))))
(display (+ 3 (call/cc (lambda (k) (+ 100 (k 4)))))) (newline)
