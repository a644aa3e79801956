(define-record-type point (make-point x z) point? (x point-x) (y point-y))
