;;; String building: string ports, number->string, string-append and a final join.
;; --- expected stdout
;; 1288890
;; 1488890
;; 1288890
;; --- end
(import (scheme base) (scheme write))

(define n 200000)

;; Every number 0..n-1 followed by a space, written to a string port.
(define (port-text)
  (let ((out (open-output-string)))
    (let loop ((i 0))
      (when (< i n)
        (write i out)
        (write-char #\space out)
        (loop (+ i 1))))
    (get-output-string out)))

;; The same numbers bracketed with string-append, their lengths summed.
(define (appended-length)
  (let loop ((i 0) (total 0))
    (if (= i n)
        total
        (loop (+ i 1)
              (+ total (string-length (string-append "<" (number->string i) ">")))))))

;; The numbers joined by one string-append over a list, built in chunks of 100.
(define (joined-text)
  (let chunks ((start 0) (acc '()))
    (if (>= start n)
        (apply string-append (reverse acc))
        (let piece ((i start) (parts '()))
          (if (= i (+ start 100))
              (chunks i (cons (apply string-append (reverse parts)) acc))
              (piece (+ i 1) (cons " " (cons (number->string i) parts))))))))

(define (count-spaces s)
  (let loop ((i 0) (count 0))
    (if (= i (string-length s))
        count
        (loop (+ i 1) (if (char=? (string-ref s i) #\space) (+ count 1) count)))))

(define text (port-text))
(define joined (joined-text))
(display (string-length text))
(newline)
(display (appended-length))
(newline)
(display (if (and (string=? text joined) (= (count-spaces text) n))
             (string-length joined)
             "mismatch"))
(newline)
