;;; Vectors and strings: the procedures that call back into Scheme. Everything else about vectors
;;; and strings is a Rust primitive (vm/src/prims/{vectors,strings}.rs).

;; The shortest length among vectors or strings, for the procedures taking several of them.
(define (%min-length length-of first rest)
  (let loop ((n (length-of first)) (rest rest))
    (if (null? rest)
        n
        (loop (min n (length-of (car rest))) (cdr rest)))))

(define (%refs ref seqs i)
  (let loop ((seqs seqs) (acc '()))
    (if (null? seqs)
        (reverse acc)
        (loop (cdr seqs) (cons (ref (car seqs) i) acc)))))

(define (vector-map f first . rest)
  (let* ((n (%min-length vector-length first rest))
         (out (make-vector n)))
    (if (null? rest)
        (do ((i 0 (+ i 1))) ((= i n) out)
          (vector-set! out i (f (vector-ref first i))))
        (let ((all (cons first rest)))
          (do ((i 0 (+ i 1))) ((= i n) out)
            (vector-set! out i (apply f (%refs vector-ref all i))))))))

(define (vector-for-each f first . rest)
  (let ((n (%min-length vector-length first rest)))
    (if (null? rest)
        (do ((i 0 (+ i 1))) ((= i n))
          (f (vector-ref first i)))
        (let ((all (cons first rest)))
          (do ((i 0 (+ i 1))) ((= i n))
            (apply f (%refs vector-ref all i)))))))

;; string-map builds a list of the results first: f may return a character of any kind, and a
;; continuation re-entered inside f must not see a half-filled string shared with a result.
(define (string-map f first . rest)
  (let ((n (%min-length string-length first rest)))
    (let loop ((i 0) (acc '()))
      (if (= i n)
          (list->string (reverse acc))
          (let ((c (if (null? rest)
                       (f (string-ref first i))
                       (apply f (%refs string-ref (cons first rest) i)))))
            (unless (char? c)
              (error "string-map: procedure returned a non-character" c))
            (loop (+ i 1) (cons c acc)))))))

(define (string-for-each f first . rest)
  (let ((n (%min-length string-length first rest)))
    (if (null? rest)
        (do ((i 0 (+ i 1))) ((= i n))
          (f (string-ref first i)))
        (let ((all (cons first rest)))
          (do ((i 0 (+ i 1))) ((= i n))
            (apply f (%refs string-ref all i)))))))

(define (vector-index pred v)
  (let ((n (vector-length v)))
    (let loop ((i 0))
      (cond ((= i n) #f)
            ((pred (vector-ref v i)) i)
            (else (loop (+ i 1)))))))

(define (vector-count pred v)
  (let ((n (vector-length v)))
    (let loop ((i 0) (k 0))
      (if (= i n) k (loop (+ i 1) (if (pred (vector-ref v i)) (+ k 1) k))))))
