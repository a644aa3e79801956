;;; The standard ports as R7RS parameters, so that `parameterize` can redirect them, and the
;;; conveniences built on string ports. The primitives of vm/src/prims/io.rs read these
;;; parameters when no port argument is given.

(define current-output-port (make-parameter (%standard-port 'output)))
(define current-error-port (make-parameter (%standard-port 'error)))
(define current-input-port (make-parameter (%standard-port 'input)))

;; Calls thunk with the current output port redirected to a string port; returns the text.
(define (with-output-to-string thunk)
  (let ((port (open-output-string)))
    (parameterize ((current-output-port port))
      (thunk))
    (get-output-string port)))

;; Calls thunk with the current input port reading from string.
(define (with-input-from-string string thunk)
  (parameterize ((current-input-port (open-input-string string)))
    (thunk)))
