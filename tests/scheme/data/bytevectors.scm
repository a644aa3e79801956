;;; Bytevectors: construction, u8 access, copy, copy!, append, utf8 conversion, write.
;; --- expected stdout
;; #u8(0 0) #u8(1 2 3) 3
;; 2 #u8(1 255 3)
;; #u8(2 3) #u8(1 2 3 4)
;; #u8(1 1 2 5)
;; "aλ" #u8(97 206 187)
;; #t #f
;; "bc"
;; --- end
(define (show . xs)
  (let loop ((xs xs))
    (unless (null? xs)
      (write (car xs))
      (unless (null? (cdr xs)) (display " "))
      (loop (cdr xs))))
  (newline))

(show (make-bytevector 2 0) (bytevector 1 2 3) (bytevector-length (bytevector 1 2 3)))
(define b (bytevector 1 2 3))
(define old (bytevector-u8-ref b 1))
(bytevector-u8-set! b 1 255)
(show old b)
(show (bytevector-copy #u8(1 2 3) 1) (bytevector-append #u8(1 2) #u8(3 4)))
(define d (bytevector 1 2 3 5))
(bytevector-copy! d 1 #u8(1 2))
(show d)
(show (utf8->string #u8(97 206 187)) (string->utf8 "aλ"))
(show (bytevector? #u8()) (bytevector? #(1)))
(show (utf8->string #u8(97 98 99) 1))
