;;; Proper tail calls: loops of 10^6 and 3*10^5 iterations in every tail position (if, cond, case, and, or,
;;; when, unless, let, let*, letrec, begin, do, apply, mutual recursion, call/cc).
;; --- expected stdout
;; done
;; even
;; 300000
;; 300000
;; 0
;; 0
;; tail-apply
;; 0
;; 0
;; --- end
(define (loop n) (if (= n 0) 'done (loop (- n 1))))
(display (loop 1000000)) (newline)

(define (my-even? n) (if (= n 0) 'even (my-odd? (- n 1))))
(define (my-odd? n) (if (= n 0) 'odd (my-even? (- n 1))))
(display (my-even? 300000)) (newline)

(define (count-cond n acc)
  (cond ((= n 0) acc)
        ((odd? n) (count-cond (- n 1) (+ acc 1)))
        (else (let ((m (- n 1))) (let* ((k m)) (count-cond k (+ acc 1)))))))
(display (count-cond 300000 0)) (newline)

(define (count-and-or n acc)
  (or (and (= n 0) acc)
      (and (> n 0) (count-and-or (- n 1) (+ acc 1)))))
(display (count-and-or 300000 0)) (newline)

(define (when-loop n) (when (> n 0) (when-loop (- n 1))) )
(when-loop 300000)
(define (case-loop n)
  (case (if (= n 0) 'stop 'go)
    ((stop) n)
    (else (begin (case-loop (- n 1))))))
(display (case-loop 300000)) (newline)
(define (unless-loop n) (unless (= n 0) (unless-loop (- n 1))))
(unless-loop 300000)
(display (do ((i 300000 (- i 1))) ((= i 0) i))) (newline)

(define (apply-loop n) (if (= n 0) 'tail-apply (apply apply-loop (list (- n 1)))))
(display (apply-loop 300000)) (newline)

(define (callcc-loop n) (if (= n 0) 0 (call/cc (lambda (k) (callcc-loop (- n 1))))))
(display (callcc-loop 300000)) (newline)

(define (letrec-loop n)
  (letrec ((go (lambda (i) (if (= i 0) 0 (go (- i 1))))))
    (go n)))
(display (letrec-loop 300000)) (newline)
