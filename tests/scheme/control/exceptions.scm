;;; with-exception-handler, raise, raise-continuable, error objects and their accessors,
;;; errors raised by primitives as catchable conditions, error-object-message of them.
;; --- expected stdout
;; 42
;; (handled 1)
;; caught: boom (1 2)
;; #t #f
;; 10
;; (in-handler outer-value)
;; #t
;; #t
;; #f
;; symbol-raised
;; --- end
;; raise-continuable: the handler's value is returned to the raise point.
(display (with-exception-handler
           (lambda (c) 42)
           (lambda () (raise-continuable 'oops))))
(newline)
(write (with-exception-handler
         (lambda (c) (list 'handled c))
         (lambda () (raise-continuable 1))))
(newline)

(guard (e ((error-object? e)
           (display "caught: ")
           (display (error-object-message e))
           (display " ")
           (write (error-object-irritants e))
           (newline)))
  (error "boom" 1 2))

(guard (e (#t (display (error-object? e)) (display " ") (display (error-object? 'x)) (newline)))
  (car 5))

(display (+ (with-exception-handler (lambda (c) 5) (lambda () (+ (raise-continuable 'c) 0))) 5))
(newline)

;; The handler runs in the dynamic context of raise, minus the current handler.
(display (call/cc
           (lambda (k)
             (with-exception-handler
               (lambda (outer) (k (list 'in-handler outer)))
               (lambda ()
                 (with-exception-handler
                   (lambda (inner) (raise 'outer-value))
                   (lambda () (raise 'inner-value))))))))
(newline)

(display (guard (e ((string? (error-object-message e)) #t)) (vector-ref (vector 1) 5))) (newline)
(display (guard (e ((error-object? e) #t)) (+ 'a 1))) (newline)
(display (guard (e ((error-object? e) #t) (else #f)) (raise 'not-an-error-object))) (newline)
(display (guard (e ((symbol? e) 'symbol-raised)) (raise 'x))) (newline)
