; Symbols made from data: most are dropped at once, every tenth is kept. The symbol table
; holds symbols weakly, so collections (and waves) free the dropped ones while the program
; runs; a resumed heap must still find every kept symbol eq? to its name interned again.
; The sleeps (3 s in all, deadlines kept across kills) make the run outlast most of the
; harness's 13 kills at 30-330 ms: with 60 ms sleeps it ended after 9-11 of them, and
; sometimes after 6, failing the harness's check that most kills land on a running program.
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
      (sleep 100))
    (loop (+ i 10))))
(display "done ") (display (length kept)) (newline)
