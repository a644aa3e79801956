(display "hello)
(newline)
