;;; define-record-type: constructor with a subset of fields, predicate, accessors, modifiers;
;;; record types are distinct; records are not pairs, vectors or procedures.
;; --- expected stdout
;; 1 2
;; #t #f #f
;; 10
;; (3 . #t)
;; #f
;; #f #f #f
;; 5
;; --- end
(define-record-type point
  (make-point x y)
  point?
  (x point-x set-point-x!)
  (y point-y))

(define p (make-point 1 2))
(display (point-x p)) (display " ") (display (point-y p)) (newline)
(display (point? p)) (display " ")
(display (point? 5)) (display " ")
(display (point? (vector 1 2))) (newline)
(set-point-x! p 10)
(display (point-x p)) (newline)

;; A field the constructor does not take.
(define-record-type <node>
  (make-node value)
  node?
  (value node-value)
  (visited node-visited set-node-visited!))
(define n (make-node 3))
(set-node-visited! n #t)
(write (cons (node-value n) (node-visited n))) (newline)

;; Two types with the same shape are different types.
(define-record-type other (make-other x y) other? (x other-x) (y other-y))
(display (point? (make-other 1 2))) (newline)
(display (pair? p)) (display " ")
(display (vector? p)) (display " ")
(display (procedure? p)) (newline)
(display (point-x (make-point 5 6))) (newline)
