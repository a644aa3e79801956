;;; The REPL process. The terminal compiles each input and sends it here as the message
;;; (%repl-input n thunk); this process runs it, writes its values (or its error) and records n
;;; as finished. Everything the REPL knows lives in the heap, so a saved heap resumes the REPL
;;; where it was, even in the middle of an input.

;; #(process next-input finished-input): the process serving inputs, the number the next input
;; will get, and the number of the last input that finished. The terminal reads and bumps it.
(define %repl-state (vector #f 1 0))

(define (%repl-report-error e)
  (let ((port (current-error-port)))
    (if (error-object? e)
        (let ((location (error-object-location e)))
          (if location
              (begin (display location port) (display ": " port)))
          (display "error: " port)
          (display (error-object-message e) port)
          (for-each (lambda (irritant) (display " " port) (write irritant port))
                    (error-object-irritants e))
          (newline port)
          (for-each (lambda (frame)
                      ;; Frames of this file are the REPL's own machinery, not the user's program.
                      (if (not (%repl-own-frame? frame))
                          (begin (display "  in " port) (display frame port) (newline port))))
                    (error-object-backtrace e)))
        (begin
          (display "error: uncaught exception: " port)
          (write e port)
          (newline port)))))

(define (%repl-own-frame? frame)
  (let ((marker "(<pscheme-repl>:"))
    (let scan ((i 0))
      (cond ((> (+ i (string-length marker)) (string-length frame)) #f)
            ((string=? (substring frame i (+ i (string-length marker))) marker) #t)
            (else (scan (+ i 1)))))))

(define (%repl-write-values vals)
  (for-each (lambda (v)
              (if (not (eq? v (if #f #f)))
                  (begin (write v) (newline))))
            vals))

(define (%repl-run n thunk)
  (call-with-current-continuation
   (lambda (k)
     (with-exception-handler
      (lambda (e) (k (%repl-report-error e)))
      (lambda () (call-with-values thunk (lambda vals (%repl-write-values vals)))))))
  (vector-set! %repl-state 2 n))

(define (%repl-serve)
  (vector-set! %repl-state 0 (self))
  (let loop ()
    (let ((msg (receive)))
      ;; Other messages (a program may send to the REPL's process) are not inputs.
      (if (and (pair? msg) (eq? (car msg) '%repl-input))
          (%repl-run (cadr msg) (caddr msg))))
    (loop)))

(%repl-serve)
