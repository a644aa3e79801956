; Symbols made from data: most are dropped at once, every tenth is kept. The symbol table
; holds symbols weakly, so collections (and waves) free the dropped ones while the program
; runs; a resumed heap must still find every kept symbol eq? to its name interned again.
(define kept '())
(define (name i) (string->symbol (string-append "sym-" (number->string i))))
(define (all-kept? i)
  (let check ((l kept) (j i))
    (cond ((null? l) (= j 0))
          ((eq? (car l) (name j)) (check (cdr l) (- j 10)))
          (else #f))))
(let loop ((i 10))
  (when (<= i 3000)
    (do ((g 0 (+ g 1))) ((= g 500)) (name (+ (* i 1000) g)))
    (set! kept (cons (name i) kept))
    (when (= 0 (modulo i 100))
      (display (if (all-kept? i) "ok " "BAD ")) (display i) (newline)
      (sleep 60))
    (loop (+ i 10))))
(display "done ") (display (length kept)) (newline)
