;; (atomically body ...): the body's effects are committed in one wave. No rollback: an error
;; in the body leaves its effects so far (see docs/persistence.md). The wave boundary waits
;; while any process is inside, so keep bodies short and do not block in them.
(define-syntax atomically
  (syntax-rules ()
    ((_ body ...) (%atomically (lambda () body ...)))))

(define (%atomically thunk)
  (dynamic-wind %atomic-enter thunk %atomic-exit))
