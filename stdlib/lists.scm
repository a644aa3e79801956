;;; Lists: the procedures that call back into Scheme (map, folds, filters, member and assoc with a
;;; custom equality) and a few SRFI 1 conveniences. The list operations that call no procedure
;;; (length, append, reverse, list-tail, memq, assq, ...) are Rust primitives
;;; (vm/src/prims/lists.rs), as are %member and %assoc (member and assoc with equal?).
;;;
;;; Every loop here is iterative: results are accumulated in reverse and then reversed with the
;;; non-destructive `reverse`, so a continuation captured inside a callback and re-entered later
;;; never sees a list it already returned being mutated.

;; Helpers for the procedures that take several lists: they stop at the shortest one.

(define (%any-null? lists)
  (cond ((null? lists) #f)
        ((pair? (car lists)) (%any-null? (cdr lists)))
        (else #t)))

(define (%cars lists)
  (let loop ((ls lists) (acc '()))
    (if (null? ls) (reverse acc) (loop (cdr ls) (cons (car (car ls)) acc)))))

(define (%cdrs lists)
  (let loop ((ls lists) (acc '()))
    (if (null? ls) (reverse acc) (loop (cdr ls) (cons (cdr (car ls)) acc)))))

(define (map f first . rest)
  (if (null? rest)
      (let loop ((l first) (acc '()))
        (if (pair? l)
            (loop (cdr l) (cons (f (car l)) acc))
            (reverse acc)))
      (let loop ((ls (cons first rest)) (acc '()))
        (if (%any-null? ls)
            (reverse acc)
            (loop (%cdrs ls) (cons (apply f (%cars ls)) acc))))))

(define (for-each f first . rest)
  (if (null? rest)
      (let loop ((l first))
        (when (pair? l)
          (f (car l))
          (loop (cdr l))))
      (let loop ((ls (cons first rest)))
        (unless (%any-null? ls)
          (apply f (%cars ls))
          (loop (%cdrs ls))))))

(define (append-map f first . rest)
  (apply append (apply map f first rest)))

(define (filter-map f first . rest)
  (let loop ((l (apply map f first rest)) (acc '()))
    (cond ((null? l) (reverse acc))
          ((car l) (loop (cdr l) (cons (car l) acc)))
          (else (loop (cdr l) acc)))))

;; (fold-left f init l ...) calls (f acc e ...) from the left (R6RS).
(define (fold-left f init first . rest)
  (if (null? rest)
      (let loop ((acc init) (l first))
        (if (pair? l) (loop (f acc (car l)) (cdr l)) acc))
      (let loop ((acc init) (ls (cons first rest)))
        (if (%any-null? ls)
            acc
            (loop (apply f acc (%cars ls)) (%cdrs ls))))))

;; (fold-right f init l ...) calls (f e ... acc) from the right (R6RS). It walks reversed copies,
;; so it runs in constant stack on long lists.
(define (fold-right f init first . rest)
  (if (null? rest)
      (let loop ((acc init) (l (reverse first)))
        (if (pair? l) (loop (f (car l) acc) (cdr l)) acc))
      (let loop ((acc init) (tuples (reverse (apply map list first rest))))
        (if (pair? tuples)
            (loop (apply f (append (car tuples) (list acc))) (cdr tuples))
            acc))))

;; (fold kons knil l ...) calls (kons e ... acc) from the left (SRFI 1).
(define (fold kons knil first . rest)
  (if (null? rest)
      (let loop ((acc knil) (l first))
        (if (pair? l) (loop (kons (car l) acc) (cdr l)) acc))
      (let loop ((acc knil) (ls (cons first rest)))
        (if (%any-null? ls)
            acc
            (loop (apply kons (append (%cars ls) (list acc))) (%cdrs ls))))))

;; (reduce f ridentity l): (f e2 e1), then (f e3 <that>), ...; ridentity for the empty list (SRFI 1).
(define (reduce f ridentity l)
  (if (null? l)
      ridentity
      (let loop ((acc (car l)) (l (cdr l)))
        (if (pair? l) (loop (f (car l) acc) (cdr l)) acc))))

(define (filter keep? l)
  (let loop ((l l) (acc '()))
    (cond ((null? l) (reverse acc))
          ((keep? (car l)) (loop (cdr l) (cons (car l) acc)))
          (else (loop (cdr l) acc)))))

(define (remove drop? l)
  (filter (lambda (x) (not (drop? x))) l))

(define (partition keep? l)
  (let loop ((l l) (in '()) (out '()))
    (cond ((null? l) (values (reverse in) (reverse out)))
          ((keep? (car l)) (loop (cdr l) (cons (car l) in) out))
          (else (loop (cdr l) in (cons (car l) out))))))

;; (delete x l [=]) removes every element e with (= x e); = defaults to equal? (SRFI 1).
(define (delete x l . same)
  (let ((same? (if (pair? same) (car same) equal?)))
    (filter (lambda (e) (not (same? x e))) l)))

;; Keeps the first occurrence of each element, in order (SRFI 1). Quadratic, like SRFI 1's.
(define (delete-duplicates l . same)
  (let ((same? (if (pair? same) (car same) equal?)))
    (let loop ((l l) (acc '()))
      (cond ((null? l) (reverse acc))
            ((let seen? ((a acc))
               (and (pair? a) (or (same? (car a) (car l)) (seen? (cdr a)))))
             (loop (cdr l) acc))
            (else (loop (cdr l) (cons (car l) acc)))))))

(define (member x l . same)
  (if (null? same)
      (%member x l)
      (let ((same? (car same)))
        (let loop ((l l))
          (cond ((not (pair? l)) #f)
                ((same? x (car l)) l)
                (else (loop (cdr l))))))))

(define (assoc x alist . same)
  (if (null? same)
      (%assoc x alist)
      (let ((same? (car same)))
        (let loop ((l alist))
          (cond ((not (pair? l)) #f)
                ((same? x (car (car l))) (car l))
                (else (loop (cdr l))))))))

(define (find pred l)
  (let ((tail (find-tail pred l)))
    (and tail (car tail))))

(define (find-tail pred l)
  (let loop ((l l))
    (cond ((not (pair? l)) #f)
          ((pred (car l)) l)
          (else (loop (cdr l))))))

(define (list-index pred l)
  (let loop ((l l) (i 0))
    (cond ((not (pair? l)) #f)
          ((pred (car l)) i)
          (else (loop (cdr l) (+ i 1))))))

;; (any pred l ...): the first true value of (pred e ...), or #f.
(define (any pred first . rest)
  (if (null? rest)
      (let loop ((l first))
        (and (pair? l)
             (or (pred (car l)) (loop (cdr l)))))
      (let loop ((ls (cons first rest)))
        (and (not (%any-null? ls))
             (or (apply pred (%cars ls)) (loop (%cdrs ls)))))))

;; (every pred l ...): #t for empty lists, else the value of the last (pred e ...) if all are true.
(define (every pred first . rest)
  (if (null? rest)
      (let loop ((l first) (last #t))
        (if (pair? l)
            (let ((v (pred (car l))))
              (and v (loop (cdr l) v)))
            last))
      (let loop ((ls (cons first rest)) (last #t))
        (if (%any-null? ls)
            last
            (let ((v (apply pred (%cars ls))))
              (and v (loop (%cdrs ls) v)))))))

(define (count pred l)
  (let loop ((l l) (n 0))
    (if (pair? l)
        (loop (cdr l) (if (pred (car l)) (+ n 1) n))
        n)))

;; (iota count [start [step]]).
(define (iota count . start+step)
  (let ((start (if (pair? start+step) (car start+step) 0))
        (step (if (and (pair? start+step) (pair? (cdr start+step))) (cadr start+step) 1)))
    (unless (and (exact-integer? count) (>= count 0))
      (error "iota: expected a non-negative exact integer" count))
    (let loop ((i (- count 1)) (acc '()))
      (if (< i 0)
          acc
          (loop (- i 1) (cons (+ start (* i step)) acc))))))

;; (take l k): the first k elements, fresh (SRFI 1); (drop l k) is list-tail.
(define (take l k)
  (let loop ((l l) (k k) (acc '()))
    (if (= k 0)
        (reverse acc)
        (if (pair? l)
            (loop (cdr l) (- k 1) (cons (car l) acc))
            (error "take: list too short" k)))))

(define (drop l k) (list-tail l k))

(define (take-while pred l)
  (let loop ((l l) (acc '()))
    (if (and (pair? l) (pred (car l)))
        (loop (cdr l) (cons (car l) acc))
        (reverse acc))))

(define (drop-while pred l)
  (let loop ((l l))
    (if (and (pair? l) (pred (car l))) (loop (cdr l)) l)))

(define (list-set! l k x)
  (set-car! (list-tail l k) x))

(define (last l)
  (car (last-pair l)))

(define (list-tabulate n make)
  (let loop ((i (- n 1)) (acc '()))
    (if (< i 0) acc (loop (- i 1) (cons (make i) acc)))))

;; Merges two sorted lists, taking from `a` on ties (so the sort is stable).
(define (%merge-lists a b less?)
  (let loop ((a a) (b b) (acc '()))
    (cond ((null? a) (append (reverse acc) b))
          ((null? b) (append (reverse acc) a))
          ((less? (car b) (car a)) (loop a (cdr b) (cons (car b) acc)))
          (else (loop (cdr a) b (cons (car a) acc))))))

;; Sorting: stable. Vectors whose comparator is a primitive order (<, string<?, ...) are sorted
;; natively by %sort-vector!; the rest by a bottom-up merge sort on lists, whose recursion
;; does not depend on the length.
(define (%merge-sort less? l)
  (let pass ((runs (map list l)))
    (cond ((null? runs) '())
          ((null? (cdr runs)) (car runs))
          (else
           (let merge-pairs ((rs runs) (acc '()))
             (cond ((null? rs) (pass (reverse acc)))
                   ((null? (cdr rs)) (pass (reverse (cons (car rs) acc))))
                   (else (merge-pairs (cddr rs)
                                      (cons (%merge-lists (car rs) (cadr rs) less?) acc)))))))))

(define (list-sort less? l)
  (let ((v (list->vector l)))
    (if (%sort-vector! v less?)
        (vector->list v)
        (%merge-sort less? l))))

;; (sort seq less?) in the argument order of most Schemes; a vector gives a new vector.
(define (sort seq less?)
  (if (vector? seq)
      (let ((v (vector-copy seq)))
        (sort! v less?)
        v)
      (list-sort less? seq)))

;; Sorts a vector in place.
(define (sort! v less?)
  (unless (%sort-vector! v less?)
    (let loop ((i 0) (l (%merge-sort less? (vector->list v))))
      (when (pair? l)
        (vector-set! v i (car l))
        (loop (+ i 1) (cdr l))))))

;; SRFI 132 names.
(define (vector-sort less? v) (sort v less?))
(define (vector-sort! v less?) (sort! v less?))
