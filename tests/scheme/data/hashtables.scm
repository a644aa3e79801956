;;; SRFI 69 hash tables: equal?, eqv?, eq? and string tables, ref with default and thunks,
;;; update!, delete!, contains?, count, keys/values/alist (sorted here: order is unspecified),
;;; walk, fold, many keys, bignum and string keys.
;; --- expected stdout
;; 1 #f missing
;; 2 #t #f
;; (1 2 3) (a b c)
;; 11 100
;; (1 1)
;; 1000 499500
;; #t #t
;; (("a" . 1) ("b" . 2))
;; 6
;; 100
;; caught
;; #t 0
;; 1 x
;; 2 1 immutable
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(define t (make-hash-table))
(hash-table-set! t 'a 1)
(hash-table-set! t '(x y) 2)
(show (hash-table-ref t 'a) (hash-table-ref/default t 'b #f) (hash-table-ref t 'b (lambda () 'missing)))
(show (hash-table-ref t (list 'x 'y)) (hash-table-contains? t 'a) (hash-table-contains? t 'zz))

(define n (make-hash-table eqv?))
(hash-table-set! n 1 'a)
(hash-table-set! n 2 'b)
(hash-table-set! n 3 'c)
(show (sort (hash-table-keys n) <)
      (sort (hash-table-values n) (lambda (a b) (string<? (symbol->string a) (symbol->string b)))))

(define u (make-hash-table))
(hash-table-set! u 'k 10)
(hash-table-update! u 'k (lambda (v) (+ v 1)))
(hash-table-update!/default u 'new (lambda (v) (* v 10)) 10)
(show (hash-table-ref u 'k) (hash-table-ref u 'new))

(hash-table-delete! u 'k)
(show (list (hash-table-count u) (length (hash-table->alist u)) ))

(define many (make-hash-table))
(do ((i 0 (+ i 1))) ((= i 1000)) (hash-table-set! many i i))
(show (hash-table-count many) (hash-table-fold many (lambda (k v acc) (+ v acc)) 0))

;; Bignum and string keys compare by value in an equal? table.
(define big (make-hash-table equal?))
(hash-table-set! big (expt 2 100) 'big)
(hash-table-set! big (string #\a #\b) 'str)
(show (eq? (hash-table-ref big (expt 2 100)) 'big) (eq? (hash-table-ref/default big "ab" #f) 'str))

(define s (make-hash-table string=?))
(hash-table-set! s "b" 2)
(hash-table-set! s "a" 1)
(show (sort (hash-table->alist s) (lambda (x y) (string<? (car x) (car y)))))

(define sum 0)
(hash-table-walk n (lambda (k v) (set! sum (+ sum k))))
(show sum)
(show (hash-table-ref u 'new (lambda () 'none) (lambda (v) v)))
(show (guard (e ((error-object? e) 'caught)) (hash-table-ref u 'absent)))

(define q (make-hash-table eq?))
(define key (list 1))
(hash-table-set! q key 'x)
(hash-table-clear! q)
(show (hash-table? q) (hash-table-count q))
(hash-table-set! q key 'x)
(show (hash-table-size (hash-table-copy q)) (hash-table-ref q key))
(define c (hash-table-copy q))
(hash-table-set! c 'other 'y)
(show (hash-table-count c) (hash-table-count q)
      (guard (e ((error-object? e) 'immutable)) (hash-table-set! (hash-table-copy q #f) 'k 'v)))
