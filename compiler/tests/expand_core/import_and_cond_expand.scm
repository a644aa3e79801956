(import (scheme base) (scheme write) (only (scheme char) char-upcase))
(cond-expand
  ((and r7rs (not mit)) (define dialect (quote r7rs)))
  (else (define dialect (quote other))))
(cond-expand ((library (scheme base)) (display dialect)))
