;;; set! on globals, locals and captured variables; shared mutable state between closures.
;; --- expected stdout
;; 2
;; 1 2 3
;; 10 11
;; 3
;; --- end
(define g 1)
(set! g (+ g 1))
(display g) (newline)

(define (make-counter)
  (let ((n 0))
    (lambda () (set! n (+ n 1)) n)))
(define c (make-counter))
(display (c)) (display " ")
(display (c)) (display " ")
(display (c)) (newline)

;; Two closures sharing one assigned variable.
(define (make-account balance)
  (define (deposit! amount) (set! balance (+ balance amount)) balance)
  (define (get) balance)
  (cons deposit! get))
(define acct (make-account 10))
(display ((cdr acct))) (display " ")
((car acct) 1)
(display ((cdr acct))) (newline)

(define (f x)
  (set! x (+ x 1))
  (let ((g (lambda () x)))
    (set! x (+ x 1))
    (g)))
(display (f 1)) (newline)
