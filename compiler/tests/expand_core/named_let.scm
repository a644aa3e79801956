(let loop ((i 0) (acc (quote ())))
  (if (< i 10) (loop (+ i 1) (cons i acc)) acc))
