;;; Nothing but start-up: the fixed cost every other time includes.
;; --- expected stdout
;; ok
;; --- end
(import (scheme base) (scheme write))

(display "ok")
(newline)
