;;; A call/cc generator: an in-order tree walk suspended and resumed at every node.
;; --- expected stdout
;; 65535
;; 6442352640
;; --- end
(import (scheme base) (scheme cxr) (scheme write))

;; Each call of the returned thunk gives the walk's next yielded value, then 'done forever.
(define (make-generator walk)
  (define return #f)
  (define resume #f)
  (define (yield value)
    (call/cc (lambda (k) (set! resume k) (return value))))
  (lambda ()
    (call/cc
     (lambda (r)
       (set! return r)
       (if resume
           (resume 'next)
           (begin (walk yield)
                  (let loop () (return 'done) (loop))))))))

;; A complete binary tree of the given depth whose in-order labels are lo, lo+1, ...
(define (tree lo depth)
  (if (= depth 0)
      '()
      (let ((mid (+ lo (- (expt 2 (- depth 1)) 1))))
        (list (tree lo (- depth 1)) mid (tree (+ mid 1) (- depth 1))))))

(define (walker t)
  (lambda (yield)
    (let walk ((t t))
      (unless (null? t)
        (walk (car t))
        (yield (cadr t))
        (walk (caddr t))))))

;; Sums the generated labels, checking that they arrive in increasing order.
(define (consume t)
  (let ((next (make-generator (walker t))))
    (let loop ((count 0) (sum 0) (last 0))
      (let ((v (next)))
        (cond ((eq? v 'done) (cons count sum))
              ((<= v last) (error "out of order" v))
              (else (loop (+ count 1) (+ sum v) v)))))))

(define t (tree 1 16))
(define (rounds n acc)
  (if (= n 0) acc (rounds (- n 1) (+ acc (cdr (consume t))))))
(display (car (consume t)))
(newline)
(display (rounds 3 0))
(newline)
