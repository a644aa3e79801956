;;; SRFI 69 hash tables: the procedures that call back into Scheme. Tables themselves, and
;;; set!/ref/default/delete!/contains?/count/keys/values/->alist, are Rust primitives
;;; (vm/src/prims/hashtables.rs).

;; A unique object no table can hold as a value: it marks "no entry" below.
(define %no-entry (list 'no-entry))

;; (hash-table-ref table key [fail [succeed]]): the value for key, passed to succeed if given;
;; when key is absent, the result of calling fail, or an error without fail.
(define (hash-table-ref table key . fail+succeed)
  (let ((v (hash-table-ref/default table key %no-entry)))
    (cond ((not (eq? v %no-entry))
           (if (and (pair? fail+succeed) (pair? (cdr fail+succeed)))
               ((cadr fail+succeed) v)
               v))
          ((and (pair? fail+succeed) (car fail+succeed)) ((car fail+succeed)))
          (else (error "hash-table-ref: no value for key" key)))))

;; (hash-table-update! table key proc [fail]): stores (proc current-value).
(define (hash-table-update! table key proc . fail)
  (hash-table-set! table key (proc (apply hash-table-ref table key fail))))

(define (hash-table-update!/default table key proc default)
  (hash-table-set! table key (proc (hash-table-ref/default table key default))))

;; Calls (proc key value) for every entry, on a snapshot: proc may modify the table.
(define (hash-table-walk table proc)
  (for-each (lambda (entry) (proc (car entry) (cdr entry)))
            (hash-table->alist table)))

;; (hash-table-fold table kons knil): (kons key value acc) over every entry.
(define (hash-table-fold table kons knil)
  (fold-left (lambda (acc entry) (kons (car entry) (cdr entry) acc))
             knil
             (hash-table->alist table)))
