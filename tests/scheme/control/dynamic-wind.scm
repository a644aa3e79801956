;;; dynamic-wind: order of before/thunk/after, escapes out of and re-entry into the extent,
;;; nesting, errors unwinding, after thunks when a continuation jumps across several levels.
;; --- expected stdout
;; (before during after)
;; (connect talk1 disconnect connect talk2 disconnect)
;; (in1 in2 out2 out1)
;; (b1 b2 a2 a1 escaped)
;; (before error-thrown after handled)
;; 3
;; (enter exit enter exit)
;; --- end
(define trace '())
(define (note x) (set! trace (cons x trace)))
(define (show-trace) (write (reverse trace)) (newline) (set! trace '()))

(dynamic-wind (lambda () (note 'before)) (lambda () (note 'during)) (lambda () (note 'after)))
(show-trace)

;; R7RS example: re-entry runs the before thunk again.
(let ((path '())
      (c #f))
  (let ((add (lambda (s) (set! path (cons s path)))))
    (dynamic-wind
      (lambda () (add 'connect))
      (lambda () (add (call-with-current-continuation (lambda (c0) (set! c c0) 'talk1))))
      (lambda () (add 'disconnect)))
    (if (< (length path) 4)
        (c 'talk2)
        (begin (write (reverse path)) (newline)))))

(dynamic-wind
  (lambda () (note 'in1))
  (lambda () (dynamic-wind (lambda () (note 'in2)) (lambda () #f) (lambda () (note 'out2))))
  (lambda () (note 'out1)))
(show-trace)

;; Escaping through two levels runs both after thunks, innermost first.
(call/cc
  (lambda (k)
    (dynamic-wind
      (lambda () (note 'b1))
      (lambda ()
        (dynamic-wind
          (lambda () (note 'b2))
          (lambda () (k 'ignored))
          (lambda () (note 'a2))))
      (lambda () (note 'a1)))))
(note 'escaped)
(show-trace)

(guard (e (#t (note 'handled)))
  (dynamic-wind
    (lambda () (note 'before))
    (lambda () (note 'error-thrown) (error "oops"))
    (lambda () (note 'after))))
(show-trace)

(display (dynamic-wind (lambda () 1) (lambda () 3) (lambda () 2))) (newline)

;; Jumping back into the extent from outside runs before again, leaving runs after again.
(define re-enter #f)
(define n 0)
(dynamic-wind
  (lambda () (note 'enter))
  (lambda () (call/cc (lambda (c) (set! re-enter c))))
  (lambda () (note 'exit)))
(set! n (+ n 1))
(if (< n 2) (re-enter #f))
(show-trace)
