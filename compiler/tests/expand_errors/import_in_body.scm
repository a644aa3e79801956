(define (f) (import (scheme base)) 1)
