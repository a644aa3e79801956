;;; guard: clauses with tests, =>, else; re-raise when no clause matches; values of the body.
;; --- expected stdout
;; 42
;; caught-symbol
;; (a . 1)
;; "bad thing"
;; (1 2)
;; (outer-caught inner)
;; normal
;; 3
;; after
;; --- end
(display (guard (e (#t 42)) (raise 'boom))) (newline)
(display (guard (e ((string? e) 'caught-string)
                   ((symbol? e) 'caught-symbol))
           (raise 'boom)))
(newline)
(write (guard (e ((assq 'a e) => (lambda (p) p))
                 ((assq 'b e)))
         (raise (list (cons 'a 1)))))
(newline)
(write (guard (e ((error-object? e) (error-object-message e)))
         (error "bad thing" 1 2)))
(newline)
(write (guard (e ((error-object? e) (error-object-irritants e)))
         (error "bad thing" 1 2)))
(newline)

;; No clause matches: the condition goes to the outer guard.
(display (guard (outer (#t (list 'outer-caught outer)))
           (guard (inner ((number? inner) 'number))
             (raise 'inner))))
(newline)

(display (guard (e (#t 'error)) 'normal)) (newline)
(display (guard (e (#t 'error)) (+ 1 2))) (newline)

;; The dynamic-wind after thunk runs when guard unwinds.
(guard (e (#t (display "after") (newline)))
  (dynamic-wind
    (lambda () #f)
    (lambda () (raise 'x))
    (lambda () #f)))
