;;; Small control and I/O conveniences written in Scheme.

;; (assert ok [message irritant ...]): raises an error when ok is #f.
(define (assert ok . message+irritants)
  (if ok
      #t
      (if (and (pair? message+irritants) (string? (car message+irritants)))
          (apply error message+irritants)
          (apply error "assertion failed" message+irritants))))

;; Calls (proc port) with a fresh string output port and returns what was written to it.
(define (call-with-output-string proc)
  (let ((port (open-output-string)))
    (proc port)
    (get-output-string port)))

(define (call-with-port port proc)
  (call-with-values (lambda () (proc port))
    (lambda results
      (close-port port)
      (apply values results))))

;; R7RS `features`: exact-closed holds because every exact operation but `/` stays exact.
(define (features)
  (list 'r7rs 'exact-closed 'ieee-float 'full-unicode 'pscheme))
