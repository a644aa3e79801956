;;; Merge sort, written in Scheme, of 200,000 pseudo-random fixnums in a vector.
;; --- expected stdout
;; sorted
;; 5884
;; 2147472926
;; --- end
(import (scheme base) (scheme write))

(define n 200000)

;; Park-Miller "minimal standard" generator: products stay below 2^47, fixnums everywhere.
(define (random-vector n seed)
  (let ((v (make-vector n 0)))
    (let loop ((i 0) (x seed))
      (if (= i n)
          v
          (let ((next (modulo (* x 48271) 2147483647)))
            (vector-set! v i next)
            (loop (+ i 1) next))))))

;; Merges the sorted runs src[lo, mid) and src[mid, hi) into dst[lo, hi).
(define (merge! src dst lo mid hi)
  (let loop ((i lo) (j mid) (k lo))
    (cond ((= k hi) dst)
          ((and (< i mid) (or (= j hi) (<= (vector-ref src i) (vector-ref src j))))
           (vector-set! dst k (vector-ref src i))
           (loop (+ i 1) j (+ k 1)))
          (else
           (vector-set! dst k (vector-ref src j))
           (loop i (+ j 1) (+ k 1))))))

;; Bottom-up: runs of width 1, 2, 4, ... alternate between the two buffers.
(define (merge-sort! v)
  (let ((n (vector-length v)))
    (let pass ((src v) (dst (make-vector n 0)) (width 1))
      (if (>= width n)
          src
          (let run ((lo 0))
            (if (>= lo n)
                (pass dst src (* width 2))
                (let* ((mid (min n (+ lo width)))
                       (hi (min n (+ lo (* 2 width)))))
                  (merge! src dst lo mid hi)
                  (run hi))))))))

(define (sorted? v)
  (let loop ((i 1))
    (or (>= i (vector-length v))
        (and (<= (vector-ref v (- i 1)) (vector-ref v i))
             (loop (+ i 1))))))

(define (sum v)
  (let loop ((i 0) (acc 0))
    (if (= i (vector-length v)) acc (loop (+ i 1) (+ acc (vector-ref v i))))))

(define input (random-vector n 42))
(define output (merge-sort! (vector-copy input)))
(display (if (and (sorted? output) (= (sum output) (sum input))) "sorted" "NOT SORTED"))
(newline)
(display (vector-ref output 0))
(newline)
(display (vector-ref output (- n 1)))
(newline)
