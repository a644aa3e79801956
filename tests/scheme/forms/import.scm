;;; import of the standard libraries: accepted, their bindings are built in.
;; --- expected stdout
;; 6
;; "hi"
;; 2.0
;; --- end
(import (scheme base)
        (scheme write)
        (scheme char)
        (scheme cxr)
        (scheme inexact)
        (scheme lazy)
        (scheme case-lambda))
(display (+ 1 2 3)) (newline)
(write (string-downcase "HI")) (newline)
(display (sqrt 4.0)) (newline)
