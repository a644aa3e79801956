(and 1 2 3)
(or #f (car x))
(when (> x 1) (display x) (newline))
(unless (> x 1) (display x))
